//! The sign-ins whose outcome a change alters: two policy sets (the tenant's now, and after the
//! plan) compared over every sign-in, for `capol plan --impact`.
//!
//! In: the policies before and after, the evaluation context. Out: [`Change`]s, each a readable
//! cube of sign-ins ("guests · Office365 · ios: allow → block") with one concrete sign-in as a
//! `scenario` that `capol test` accepts against the sources (it expects the new outcome). Both
//! sets share one [`Space`](super::Space); each outcome is a BDD and the change is their
//! difference, so nothing is sampled. Every example is evaluated again by the what-if evaluator
//! on both sides; a disagreement is reported as an internal error.

use super::cubes;
use super::encode;
use super::model::{Expect, Model};
use super::render;
use super::space::{Extra, TooLarge};
use crate::graph::model::Policy;
use crate::whatif::grant::Grant;
use crate::whatif::{self, EvalContext, Expectation, Outcome, SignIn};
use biodivine_lib_bdd::Bdd;
use serde::Serialize;

/// One class of sign-ins whose outcome changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// `members · Office365 · ios · any location · any client: allow → block`.
    pub summary: String,
    /// The evaluator's outcome for the example, before and after.
    pub before: String,
    pub after: String,
    /// The example as a `scenario` block expecting the new outcome.
    pub scenario: String,
}

/// The outcome kinds compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Allow,
    Block,
    Require,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Allow => "allow",
            Kind::Block => "block",
            Kind::Require => "require",
        }
    }
}

/// The most cubes reported for one pair of outcome kinds.
pub const MAX_PER_KIND: usize = 8;

/// Two policy sets over one space: `model.policies[..split]` are the first, the rest the second.
pub struct Pair {
    pub model: Model,
    pub split: usize,
    pub before: Vec<Policy>,
    pub after: Vec<Policy>,
}

impl Pair {
    pub fn new(
        before: &[Policy],
        after: &[Policy],
        ctx: &EvalContext,
        extra: &Extra,
    ) -> Result<Pair, TooLarge> {
        let all: Vec<Policy> = before.iter().chain(after).cloned().collect();
        Ok(Pair {
            model: Model::new(&all, ctx, extra, false)?,
            split: before.len(),
            before: before.to_vec(),
            after: after.to_vec(),
        })
    }

    fn side(&self, after: bool) -> std::ops::Range<usize> {
        if after {
            self.split..self.model.policies.len()
        } else {
            0..self.split
        }
    }

    /// The indices of the second set's policies in `model.policies`.
    pub fn after_range(&self) -> std::ops::Range<usize> {
        self.side(true)
    }

    fn union(&self, after: bool, keep: impl Fn(&encode::Compiled) -> bool) -> Bdd {
        let m = &self.model;
        self.side(after)
            .filter(|i| keep(&m.policies[*i]))
            .fold(m.space.vars.mk_false(), |b, i| b.or(&m.policies[i].applies))
    }

    /// Sign-ins an enforced policy of the side blocks.
    pub fn blocked(&self, after: bool) -> Bdd {
        self.union(after, |p| p.enforced() && p.grant == Grant::Block)
    }

    /// Sign-ins an enforced policy of the side blocks or asks something of.
    pub fn challenged(&self, after: bool) -> Bdd {
        self.union(after, encode::Compiled::challenges)
    }

    /// (sign-in, done controls) where the done controls meet the side's requirement literally.
    pub fn requirement(&self, after: bool) -> Bdd {
        let m = &self.model;
        let mut b = m.space.vars.mk_true();
        for i in self.side(after) {
            let p = &m.policies[i];
            if let (true, Grant::Require(e)) = (p.enforced(), &p.grant) {
                b = b.and(&p.applies.imp(&encode::expr_literal(&m.space, e)));
            }
        }
        b
    }

    pub fn evaluate(&self, after: bool, s: &SignIn) -> whatif::Evaluation {
        let set = if after { &self.after } else { &self.before };
        whatif::evaluate(set, &self.model.ctx, s)
    }
}

fn kind_of(o: &Outcome) -> Kind {
    match o {
        Outcome::Allow => Kind::Allow,
        Outcome::Block { .. } => Kind::Block,
        _ => Kind::Require,
    }
}

/// `allow`, `block`, `require mfa`: the outcome without the policies.
pub fn short(o: &Outcome) -> String {
    match o {
        Outcome::Block { .. } => "block".into(),
        Outcome::Require(r) | Outcome::Satisfied(r) => format!("require {r}"),
        Outcome::Interrupt { all, .. } => format!(
            "require {}",
            whatif::grant::Requirement { all: all.clone() }
        ),
        Outcome::Allow => "allow".into(),
    }
}

fn grants(o: &Outcome) -> &[whatif::grant::PolicyGrant] {
    match o {
        Outcome::Require(r) | Outcome::Satisfied(r) => &r.all,
        Outcome::Interrupt { all, .. } => all,
        _ => &[],
    }
}

/// What a scenario expects for an outcome: the outcome itself; for a combined requirement, one
/// part of it (every way of meeting the whole meets each part), preferring a part that the
/// `before` outcome did not have.
pub fn expectation(o: &Outcome, before: &Outcome) -> Expectation {
    match o {
        Outcome::Block { .. } => Expectation::Block,
        Outcome::Allow => Expectation::Allow,
        _ => {
            let old = grants(before);
            let all = grants(o);
            let part = all
                .iter()
                .find(|g| !old.iter().any(|b| b.expr == g.expr))
                .or_else(|| all.first());
            match part {
                Some(g) => Expectation::Require(g.expr.clone()),
                None => Expectation::Allow,
            }
        }
    }
}

/// Every class of sign-ins whose outcome differs between `before` and `after`. Problems of our
/// own (the evaluator disagrees with the analysis) go to `internal`.
pub fn impact(
    before: &[Policy],
    after: &[Policy],
    ctx: &EvalContext,
    internal: &mut Vec<String>,
) -> Result<Vec<Change>, TooLarge> {
    let pair = Pair::new(before, after, ctx, &Extra::default())?;
    let m = &pair.model;
    let s = &m.space;
    let kinds = |after: bool| -> [(Kind, Bdd); 3] {
        let blocked = pair.blocked(after);
        let challenged = pair.challenged(after);
        [
            (Kind::Allow, s.valid.and_not(&challenged)),
            (Kind::Block, s.valid.and(&blocked)),
            (Kind::Require, s.valid.and(&challenged).and_not(&blocked)),
        ]
    };
    let (kb, ka) = (kinds(false), kinds(true));
    let mut regions: Vec<(Kind, Kind, Bdd)> = Vec::new();
    for (b, bset) in &kb {
        for (a, aset) in &ka {
            let both = bset.and(aset);
            if b != a {
                regions.push((*b, *a, both));
            } else if *b == Kind::Require {
                // Required on both sides: changed where some set of controls meets one
                // requirement and not the other.
                let differ = pair
                    .requirement(false)
                    .xor(&pair.requirement(true))
                    .exists(&s.control_vars());
                regions.push((*b, *a, both.and(&differ)));
            }
        }
    }
    let mut out = Vec::new();
    for (b, a, region) in regions {
        if region.is_false() {
            continue;
        }
        let users = region.and(&s.users());
        for cube in cubes::cover(m, &users, &s.valid, MAX_PER_KIND) {
            out.push(change(&pair, &cube.summary, &cube.example, b, a, internal));
        }
        // Workload identities: one example each way the outcome changes.
        if let Some(x) = m.witness(&region.and_not(&s.users())) {
            let who = match &x.service_principal {
                Some(sp) => format!("workload identity {}", render_sp(m, sp)),
                None => "workload identities".to_string(),
            };
            out.push(change(&pair, &who, &x, b, a, internal));
        }
    }
    Ok(out)
}

fn render_sp(m: &Model, id: &str) -> String {
    if id == super::space::OTHER_SP {
        "(any other)".into()
    } else {
        render::group(&m.ctx, id)
    }
}

fn change(
    pair: &Pair,
    summary: &str,
    s: &SignIn,
    b: Kind,
    a: Kind,
    internal: &mut Vec<String>,
) -> Change {
    let before = pair.evaluate(false, s).outcome;
    let after = pair.evaluate(true, s).outcome;
    if kind_of(&before) != b || kind_of(&after) != a || (b == a && before == after) {
        internal.push(format!(
            "impact `{summary}`: the analysis says {} → {}, the what-if evaluator {before} → {after}; please report",
            b.word(),
            a.word()
        ));
    }
    let word = |o: &Outcome| short(o);
    Change {
        summary: format!("{summary}: {} → {}", word(&before), word(&after)),
        scenario: render::scenario(
            &format!("Impact: {summary}"),
            s,
            &[Expect::Is(expectation(&after, &before))],
            &pair.model.ctx,
        ),
        before: before.to_string(),
        after: after.to_string(),
    }
}
