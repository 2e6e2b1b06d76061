//! The policy set as BDDs, and the questions every finding is built from.
//!
//! In: compiled policies, the evaluation context and what the questions add to the space. Out:
//! a [`Model`]: where sign-ins are blocked, challenged, or fail an expectation; one concrete
//! sign-in inside any such set, checked against the what-if evaluator.

use super::encode::{self, Compiled};
use super::space::{Extra, Space, TooLarge};
use crate::graph::model::{Policy, PolicyState};
use crate::whatif::grant::Grant;
use crate::whatif::{self, EvalContext, Expectation, SignIn};
use biodivine_lib_bdd::Bdd;

/// What an assert expects: a scenario's expectation, or `expect not block`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    Is(Expectation),
    NotBlock,
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Is(e) => e.fmt(f),
            Expect::NotBlock => f.write_str("not block"),
        }
    }
}

/// The most combinations of session-setting policies `expect session` enumerates.
pub const MAX_SESSION_COMBINATIONS: usize = 4096;

pub struct Model {
    pub space: Space,
    pub policies: Vec<Compiled>,
    /// The policies as given (for the evaluator's check of each counterexample).
    pub source: Vec<Policy>,
    pub ctx: EvalContext,
}

impl Model {
    /// `report_only_on`: count report-only policies as enforced.
    pub fn new(
        policies: &[Policy],
        ctx: &EvalContext,
        extra: &Extra,
        report_only_on: bool,
    ) -> Result<Model, TooLarge> {
        let source: Vec<Policy> = policies
            .iter()
            .cloned()
            .map(|mut p| {
                if report_only_on && p.state == PolicyState::ReportOnly {
                    p.state = PolicyState::Enabled;
                }
                p
            })
            .collect();
        let space = Space::build(&source, ctx, extra)?;
        let compiled = source
            .iter()
            .map(|p| encode::compile(p, &space, ctx))
            .collect();
        Ok(Model {
            space,
            policies: compiled,
            source,
            ctx: ctx.clone(),
        })
    }

    fn union(&self, keep: impl Fn(&Compiled) -> bool) -> Bdd {
        self.policies
            .iter()
            .filter(|p| keep(p))
            .fold(self.space.vars.mk_false(), |b, p| b.or(&p.applies))
    }

    /// Sign-ins an enforced policy blocks.
    pub fn blocked(&self) -> Bdd {
        self.union(|p| p.enforced() && p.grant == Grant::Block)
    }

    /// Sign-ins an enforced policy blocks or asks something of.
    pub fn challenged(&self) -> Bdd {
        self.union(Compiled::challenges)
    }

    /// (sign-in, done controls) pairs where the done controls meet every applying enforced
    /// policy's requirement, read literally; `skip` leaves one policy out.
    pub fn requirement(&self, skip: Option<usize>) -> Bdd {
        let mut b = self.space.vars.mk_true();
        for (i, p) in self.policies.iter().enumerate() {
            if Some(i) == skip || !p.enforced() {
                continue;
            }
            if let Grant::Require(e) = &p.grant {
                b = b.and(&p.applies.imp(&encode::expr_literal(&self.space, e)));
            }
        }
        b
    }

    pub fn policy(&self, name: &str) -> Option<usize> {
        self.policies
            .iter()
            .position(|p| p.name == name)
            .or_else(|| {
                self.policies
                    .iter()
                    .position(|p| p.name.eq_ignore_ascii_case(name))
            })
    }

    /// The sign-ins of `region` for which the expectation fails.
    pub fn violations(&self, region: &Bdd, e: &Expect) -> Result<Bdd, String> {
        let region = region.and(&self.space.valid);
        Ok(match e {
            Expect::NotBlock => region.and(&self.blocked()),
            Expect::Is(Expectation::Block) => region.and_not(&self.blocked()),
            Expect::Is(Expectation::Allow) => region.and(&self.challenged()),
            Expect::Is(Expectation::Require(want)) => {
                let unmet = self
                    .requirement(None)
                    .and_not(&encode::expr_met(&self.space, want))
                    .exists(&self.space.control_vars());
                region.and(&self.blocked().or(&unmet))
            }
            Expect::Is(Expectation::Applies(name)) => match self.policy(name) {
                Some(i) => region.and_not(&self.policies[i].applies),
                None => return Err(format!("no policy is named \"{name}\"")),
            },
            Expect::Is(Expectation::Skips(name)) => match self.policy(name) {
                Some(i) => region.and(&self.policies[i].applies),
                None => return Err(format!("no policy is named \"{name}\"")),
            },
            Expect::Is(Expectation::Session(want)) => self.session_violations(&region, want)?,
            Expect::Is(other) => {
                return Err(format!(
                    "`expect {other}` depends on the methods a sign-in used; analyze decides block, allow, require, applies, skips and session"
                ));
            }
        })
    }

    /// `expect session`: the merged session depends only on which session-setting enforced
    /// policies apply; each combination that can happen in the region is tried.
    fn session_violations(&self, region: &Bdd, want: &whatif::Session) -> Result<Bdd, String> {
        let setters: Vec<usize> = (0..self.policies.len())
            .filter(|i| self.policies[*i].enforced() && self.policies[*i].session.is_some())
            .collect();
        let mut leaves: Vec<(Bdd, Vec<usize>)> = vec![(region.clone(), Vec::new())];
        for i in &setters {
            let mut next = Vec::new();
            for (b, on) in leaves {
                let yes = b.and(&self.policies[*i].applies);
                let no = b.and_not(&self.policies[*i].applies);
                if !yes.is_false() {
                    let mut on = on.clone();
                    on.push(*i);
                    next.push((yes, on));
                }
                if !no.is_false() {
                    next.push((no, on));
                }
            }
            if next.len() > MAX_SESSION_COMBINATIONS {
                return Err(format!(
                    "more than {MAX_SESSION_COMBINATIONS} combinations of session-setting policies apply in this region"
                ));
            }
            leaves = next;
        }
        let mut bad = self.space.vars.mk_false();
        for (b, on) in leaves {
            let mut merged = whatif::Session::default();
            for i in on {
                if let Some(s) = &self.policies[i].session {
                    merged.merge(s);
                }
            }
            if !merged.unmet(want).is_empty() {
                bad = bad.or(&b);
            }
        }
        Ok(bad)
    }

    /// One sign-in of a (non-empty) set, with as few memberships as the set allows.
    pub fn witness(&self, set: &Bdd) -> Option<SignIn> {
        let mut f = set.and(&self.space.valid);
        if f.is_false() {
            return None;
        }
        let member = self.space.members();
        let g = f.and(&member);
        if !g.is_false() {
            f = g;
        }
        for (_, v) in self.space.groups.iter().chain(&self.space.roles) {
            let g = f.var_select(*v, false);
            if !g.is_false() {
                f = g;
            }
        }
        let v = f.sat_witness()?;
        Some(encode::sign_in(&self.space, &v))
    }

    /// The evaluator's answer for a sign-in (every policy, as given).
    pub fn evaluate(&self, s: &SignIn) -> whatif::Evaluation {
        whatif::evaluate(&self.source, &self.ctx, s)
    }

    /// Does the evaluator agree that this sign-in fails the expectation?
    pub fn fails(&self, s: &SignIn, e: &Expect) -> bool {
        let ev = self.evaluate(s);
        match e {
            Expect::NotBlock => matches!(ev.outcome, whatif::Outcome::Block { .. }),
            Expect::Is(x) => whatif::check(&ev, x).is_err(),
        }
    }

    /// Enforced policies that apply to the sign-in and block or require something.
    pub fn responsible(&self, s: &SignIn) -> Vec<String> {
        let ev = self.evaluate(s);
        ev.results
            .iter()
            .filter(|r| r.enforced() && r.applies())
            .filter(|r| {
                self.policies
                    .iter()
                    .find(|p| *p.name == *r.policy)
                    .is_some_and(Compiled::challenges)
            })
            .map(|r| r.policy.to_string())
            .collect()
    }
}
