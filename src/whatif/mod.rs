//! The offline what-if evaluator: which policies apply to a sign-in, and what Entra would do.
//!
//! In: compiled policies ([`Policy`]), an [`EvalContext`] (trusted locations, display names) and
//! a [`SignIn`]. Out: an [`Evaluation`]: per policy, sorted by display name, whether it applies,
//! the first condition that does not match (Graph's `whatIfAnalysisReasons`), or the facts it
//! needs; and the combined [`Outcome`] and merged [`Session`] of the applying enforced policies.
//! When the sign-in states what it already did ([`Done`]: methods, client app, terms, password
//! change), every applying policy's grant is judged ([`judge`]) and the outcome says `satisfied`
//! or `interrupt`; strengths are compared from their method combinations ([`methods`]).
//! [`check`] then tests an [`Expectation`] of a scenario against it. The rules are written up in
//! `docs/what-if.md`. [`live`] compares the verdicts with Graph's own what-if.
//!
//! Conditions are checked in this order, and the first that fails is the reason: users,
//! workload identities, target resources (apps, user actions, authentication context), device
//! platform, location, client app, device filter, sign-in risk, user risk, service-principal
//! risk, insider risk, authentication flow.

mod beta;
pub mod bundles;
mod conditions;
mod expect;
pub mod grant;
mod identity;
mod index;
pub mod judge;
pub mod live;
pub mod methods;
mod prepare;
pub mod session;
mod signin;
mod table;
mod verdict;

pub use expect::{Expectation, Failure, FailureKind, check};
pub use grant::{Control, ControlExpr, PolicyGrant, Requirement};
pub use judge::{Done, Judgement};
pub use methods::{Combination, Known, METHODS, Method, Strengths};
pub use session::{Frequency, Session};
pub use signin::{
    AuthFlow, ClientAppType, DeviceFact, EvalContext, GuestFact, GuestType, InsiderRisk,
    LocationFact, Platform, RiskLevel, SignIn, Target,
};
pub use table::render_table;
pub use verdict::{Fact, PolicyResult, Reason, Verdict};

use crate::graph::model::{Policy, PolicyState, SessionControls};
use grant::Grant;
use index::TargetIndex;
use prepare::{Check, Prepared, Resources};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

type Condition = fn(&Prepared<'_>, &SignIn, &EvalContext) -> Check;

/// The conditions in evaluation order.
const CONDITIONS: [Condition; 14] = [
    identity::users,
    identity::workload_identities,
    conditions::resources,
    conditions::platform,
    conditions::location,
    conditions::client_apps,
    conditions::devices,
    conditions::sign_in_risk,
    conditions::user_risk,
    conditions::service_principal_risk,
    conditions::insider_risk,
    conditions::auth_flow,
    beta::agents,
    beta::legacy_devices,
];

/// What Entra does with the sign-in, from the applying enforced policies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    /// At least one applying enforced policy blocks.
    Block { by: Vec<String> },
    /// Every part of the requirement must be met (and the sign-in does not say what it did, or
    /// whether that meets the requirement depends on a fact it does not give).
    Require(Requirement),
    /// Something is required, and what the sign-in did meets every part.
    Satisfied(Requirement),
    /// Something is required that the sign-in has not done: `missing`, per policy, is what the
    /// user is asked for (each policy's operator holds among its missing controls).
    Interrupt {
        all: Vec<PolicyGrant>,
        missing: Vec<PolicyGrant>,
    },
    /// Nothing blocks and nothing is required.
    #[default]
    Allow,
}

impl Outcome {
    /// The combined requirement, if something is required.
    pub fn requirement(&self) -> Option<Requirement> {
        match self {
            Outcome::Require(r) | Outcome::Satisfied(r) => Some(r.clone()),
            Outcome::Interrupt { all, .. } => Some(Requirement { all: all.clone() }),
            Outcome::Block { .. } | Outcome::Allow => None,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Block { by } => write!(f, "block (by {})", quoted(by)),
            Outcome::Require(r) => write!(f, "require {r}"),
            Outcome::Satisfied(r) => write!(f, "satisfied (require {r})"),
            Outcome::Interrupt { missing, .. } => {
                let parts: Vec<String> = missing
                    .iter()
                    .map(|g| format!("{} for \"{}\"", g.expr, g.policy))
                    .collect();
                write!(f, "interrupt (missing {})", parts.join("; "))
            }
            Outcome::Allow => f.write_str("allow"),
        }
    }
}

/// `"A", "B"`.
pub(crate) fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an applying (or unknown) enforced policy contributes to the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Effect {
    /// Index into [`Evaluation::results`].
    pub result: usize,
    pub grant: Arc<Grant>,
    pub session: Option<Arc<SessionControls>>,
    /// The grant judged against what the sign-in did (when it says, and the policy requires
    /// something).
    pub judged: Option<Judgement>,
}

/// One applying policy's grant, judged against what the sign-in did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyJudgement {
    #[serde(serialize_with = "verdict::serialize_str")]
    pub policy: Arc<str>,
    pub state: PolicyState,
    #[serde(flatten)]
    pub judgement: Judgement,
}

/// The evaluation of one sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// Every policy, sorted by display name.
    pub results: Vec<PolicyResult>,
    /// From the enforced policies that apply; enforced policies whose verdict is unknown are
    /// left out (they are listed in `undetermined`).
    pub outcome: Outcome,
    pub session: Session,
    /// Enforced policies whose verdict is unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undetermined: Vec<String>,
    /// Which policy each merged session control comes from (`signInFrequency`: policy name).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub session_sources: BTreeMap<&'static str, String>,
    /// When the sign-in says what it did: every applying policy's grant (enforced or
    /// report-only), judged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<PolicyJudgement>,
    /// Whether the sign-in says what it did (the outcome is then judged).
    #[serde(skip)]
    pub(crate) judged: bool,
    /// The strengths' combinations, for comparing strengths in expectations.
    #[serde(skip)]
    pub(crate) strengths: Arc<Strengths>,
    #[serde(skip)]
    pub(crate) effects: Vec<Effect>,
    /// Indices of enforced policies that block (whatever their verdict), for messages.
    #[serde(skip)]
    pub(crate) blockers: Vec<usize>,
}

impl Evaluation {
    /// A policy's result by display name.
    pub fn result(&self, policy: &str) -> Option<&PolicyResult> {
        self.results.iter().find(|r| &*r.policy == policy)
    }
}

/// The outcome of a set of applying policies.
pub(crate) struct Combined {
    pub outcome: Outcome,
    pub session: Session,
    /// The policies that set session controls.
    pub session_from: Vec<String>,
    /// Which policy each merged session control comes from.
    pub session_sources: BTreeMap<&'static str, String>,
}

/// Combine effects: any block wins; otherwise AND of the requirements, judged when every
/// requiring policy was judged (`satisfied` when each is, `interrupt` when one is not); sessions
/// merged.
pub(crate) fn combine<'e>(
    results: &[PolicyResult],
    effects: impl Iterator<Item = &'e Effect>,
) -> Combined {
    let mut by = Vec::new();
    let mut requirement = Requirement::default();
    let mut missing = Vec::new();
    let (mut judged, mut satisfied) = (true, true);
    let mut session = Session::default();
    let mut session_from = Vec::new();
    let mut session_sources = BTreeMap::new();
    for e in effects {
        let name = results
            .get(e.result)
            .map(|r| r.policy.to_string())
            .unwrap_or_default();
        if let Some(s) = &e.session {
            session.merge_from(s, &name, &mut session_sources);
            session_from.push(name.clone());
        }
        match &*e.grant {
            Grant::Block => by.push(name),
            Grant::Require(expr) => {
                match &e.judged {
                    None => judged = false,
                    Some(j) => match j.outcome {
                        judge::Verdict::Satisfied => {}
                        judge::Verdict::Interrupt => missing.push(PolicyGrant {
                            policy: name.clone(),
                            expr: ControlExpr {
                                operator: expr.operator,
                                controls: j.missing.clone(),
                            },
                        }),
                        judge::Verdict::Unknown => satisfied = false,
                    },
                }
                requirement.all.push(PolicyGrant {
                    policy: name,
                    expr: expr.clone(),
                });
            }
            Grant::Nothing => {}
        }
    }
    let outcome = if !by.is_empty() {
        Outcome::Block { by }
    } else if requirement.all.is_empty() {
        Outcome::Allow
    } else if judged && !missing.is_empty() {
        Outcome::Interrupt {
            all: requirement.all,
            missing,
        }
    } else if judged && satisfied {
        Outcome::Satisfied(requirement)
    } else {
        Outcome::Require(requirement)
    };
    Combined {
        outcome,
        session,
        session_from,
        session_sources,
    }
}

/// Policies prepared once (filters parsed, sorted by name, indexed by target) for evaluating
/// many sign-ins. `Sync`: one set can serve several threads.
pub struct PolicySet<'a> {
    ctx: &'a EvalContext,
    policies: Vec<Prepared<'a>>,
    index: TargetIndex,
    strengths: Arc<Strengths>,
}

impl<'a> PolicySet<'a> {
    pub fn new(policies: &'a [Policy], ctx: &'a EvalContext) -> Self {
        let mut prepared: Vec<Prepared<'a>> = policies.iter().map(Prepared::new).collect();
        prepared.sort_by(|a, b| {
            let (a, b) = (&a.policy.display_name, &b.policy.display_name);
            a.to_lowercase()
                .cmp(&b.to_lowercase())
                .then_with(|| a.cmp(b))
        });
        let index = TargetIndex::new(&prepared);
        PolicySet {
            ctx,
            policies: prepared,
            index,
            strengths: Arc::new(ctx.strengths.clone()),
        }
    }

    /// The number of policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The full evaluation: a result for every policy, sorted by display name.
    pub fn evaluate(&self, s: &SignIn) -> Evaluation {
        self.run(s, 0..self.policies.len(), true)
    }

    /// The same outcome, session and undetermined policies as [`PolicySet::evaluate`], from only
    /// the policies whose targets can include the sign-in; `results` holds just the policies
    /// that apply (or would apply) or are unknown. For replaying many sign-ins, where the
    /// skipped policies are not reported.
    pub fn evaluate_applying(&self, s: &SignIn) -> Evaluation {
        let mut candidates = Vec::new();
        self.index.candidates(s, &mut candidates);
        self.run(s, candidates.into_iter(), false)
    }

    fn run(&self, s: &SignIn, positions: impl Iterator<Item = usize>, all: bool) -> Evaluation {
        let mut results = Vec::with_capacity(if all { self.policies.len() } else { 8 });
        let mut effects = Vec::new();
        let mut blockers = Vec::new();
        let mut undetermined = Vec::new();
        let mut grants = Vec::new();
        for p in positions.filter_map(|i| self.policies.get(i)) {
            let verdict = verdict(p, s, self.ctx);
            let skipped = matches!(verdict, Verdict::Skipped { .. });
            if !all && skipped {
                continue;
            }
            let i = results.len();
            let enforced = p.policy.state == PolicyState::Enabled;
            let judged = match (&*p.grant, &s.done) {
                (Grant::Require(expr), Some(done)) if !skipped => {
                    Some(judge::policy(expr, s, done, &self.strengths))
                }
                _ => None,
            };
            if let Some(j) = judged.as_ref().filter(|_| verdict == Verdict::Applies) {
                grants.push(PolicyJudgement {
                    policy: p.name.clone(),
                    state: p.policy.state,
                    judgement: j.clone(),
                });
            }
            if enforced {
                if *p.grant == Grant::Block {
                    blockers.push(i);
                }
                if matches!(verdict, Verdict::Unknown { .. }) {
                    undetermined.push(p.policy.display_name.clone());
                }
                if !matches!(verdict, Verdict::Skipped { .. }) {
                    effects.push(Effect {
                        result: i,
                        grant: p.grant.clone(),
                        session: p.session.clone(),
                        judged,
                    });
                }
            }
            results.push(PolicyResult {
                policy: p.name.clone(),
                state: p.policy.state,
                verdict,
            });
        }
        let applying = effects
            .iter()
            .filter(|e| results.get(e.result).is_some_and(PolicyResult::applies));
        let Combined {
            outcome,
            session,
            session_sources,
            ..
        } = combine(&results, applying);
        Evaluation {
            results,
            outcome,
            session,
            undetermined,
            session_sources,
            grants,
            judged: s.done.is_some(),
            strengths: self.strengths.clone(),
            effects,
            blockers,
        }
    }
}

/// Evaluate one sign-in against the policies.
pub fn evaluate(policies: &[Policy], ctx: &EvalContext, sign_in: &SignIn) -> Evaluation {
    PolicySet::new(policies, ctx).evaluate(sign_in)
}

/// One policy's verdict: not enabled, the first failing condition, unknown, or applies.
fn verdict(p: &Prepared<'_>, s: &SignIn, ctx: &EvalContext) -> Verdict {
    match p.policy.state {
        PolicyState::Disabled => {
            return Verdict::Skipped {
                reason: Reason::PolicyNotEnabled,
                detail: "the policy is off".into(),
            };
        }
        PolicyState::ReportOnly if p.resources == Resources::Actions => {
            return Verdict::Skipped {
                reason: Reason::PolicyNotEnabled,
                detail: "report-only policies on user actions are never evaluated".into(),
            };
        }
        _ => {}
    }
    let mut missing = Vec::new();
    let mut first_detail = None;
    for condition in CONDITIONS {
        match condition(p, s, ctx) {
            Check::Match => {}
            Check::NoMatch(reason, detail) => return Verdict::Skipped { reason, detail },
            Check::Unknown(fact, detail) => {
                if !missing.contains(&fact) {
                    missing.push(fact);
                }
                first_detail.get_or_insert(detail);
            }
        }
    }
    match first_detail {
        None => Verdict::Applies,
        Some(detail) => Verdict::Unknown {
            missing,
            detail: detail.into_owned(),
        },
    }
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests_beta;
#[cfg(test)]
mod tests_combine;
#[cfg(test)]
mod tests_conditions;
#[cfg(test)]
mod tests_identity;
#[cfg(test)]
mod tests_index;
#[cfg(test)]
mod tests_methods;
