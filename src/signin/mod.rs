//! Sign-in logs: Graph `signIn` records replayed against the sources' policies.
//!
//! In: a sign-in log (a Graph list response, an array, or JSON lines; a file or the tenant's
//! `GET /auditLogs/signIns` pages), a directory snapshot of memberships, compiled policies.
//! Out: per policy, the sign-ins and users it would block or challenge, the sign-ins whose
//! outcome changes, the report-only results the log recorded ([`impact`]); and the rewrite of
//! `mode report-only` to `mode on` that `capol promote` makes ([`promote`]).
//!
//! ```text
//! log bytes ──read::read──▶ Record ──map::map──▶ SignIn (+ recorded facts) ──whatif──▶ Impact
//! ```

pub mod impact;
pub mod map;
pub mod promote;
pub mod read;
pub mod record;
pub mod scenario;
pub mod snapshot;

pub use impact::{Impact, ImpactOptions};
pub use map::{Mapped, Mapper, Skip};
pub use read::{ReadError, ReadSummary, read};
pub use record::Record;
pub use snapshot::Snapshot;

#[cfg(test)]
mod tests;

use crate::graph::model::Policy;
use crate::whatif::{EvalContext, PolicySet};

/// A replay in progress: records go in one at a time (from a file or tenant pages), the
/// [`Impact`] comes out at the end.
pub struct Replay<'a> {
    set: Option<PolicySet<'a>>,
    mapper: Mapper,
    impact: Impact,
}

impl<'a> Replay<'a> {
    /// Replays against `policies`; with `replay` false only the recorded results are read.
    pub fn new(
        policies: &'a [Policy],
        ctx: &'a EvalContext,
        mapper: Mapper,
        options: ImpactOptions,
        replay: bool,
    ) -> Replay<'a> {
        Replay {
            set: replay.then(|| PolicySet::new(policies, ctx)),
            mapper,
            impact: Impact::new(policies, options),
        }
    }

    pub fn record(&mut self, r: Record) {
        match self.mapper.map(r) {
            Ok(m) => match &self.set {
                Some(set) => {
                    // The policy index leaves out the policies whose users cannot include the
                    // sign-in; with memberships or guest status unknown those are undetermined,
                    // not left out, so every policy is evaluated.
                    let ev = if m.memberships_known && m.guest_known {
                        set.evaluate_applying(&m.sign_in)
                    } else {
                        set.evaluate(&m.sign_in)
                    };
                    self.impact.add(&m, &ev);
                }
                None => self.impact.add_recorded_only(&m),
            },
            Err(skip) => self.impact.skip(skip),
        }
    }

    /// The mapper, to add memberships read from the tenant between pages.
    pub fn mapper_mut(&mut self) -> &mut Mapper {
        &mut self.mapper
    }

    pub fn finish(self) -> Impact {
        self.impact
    }
}

/// Reads a whole log (streamed) through a [`Replay`].
pub fn replay_reader<R: std::io::Read>(
    input: R,
    replay: &mut Replay<'_>,
) -> Result<read::ReadSummary, ReadError> {
    read(input, &mut |r| replay.record(r))
}
