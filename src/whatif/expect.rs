//! Scenario expectations, checked against an evaluation.
//!
//! In: an [`Evaluation`] and an [`Expectation`] (`expect block`, `expect require mfa`, …). Out:
//! `Ok`, or a [`Failure`] whose message names the policy and the condition, or — when the answer
//! depends on policies whose verdict is unknown — `notEnoughInformation` with the missing facts.
//!
//! Unknown enforced policies are decided by trying them applying and not applying: for `block`,
//! `allow` and `require` three combinations are exact (see [`grant_choices`]); for `session`,
//! `satisfied` and `interrupt` every combination of the unknown policies that set session controls (up to ten; beyond that
//! none, all, and each one alone). If the expectation holds in every combination it passes, if it
//! fails in every one it fails as in the combination where none applies, and otherwise it fails
//! with `notEnoughInformation`.

use super::grant::{ControlExpr, Grant, Unmet, implies_with, way_text};
use super::session::Session;
use super::verdict::{Fact, Verdict, fact_list};
use super::{Combined, Effect, Evaluation, Outcome, PolicyGrant, combine, quoted};
use serde::Serialize;
use std::fmt;

/// What a scenario expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// `expect block`
    Block,
    /// `expect allow`: no applying enforced policy blocks or requires anything.
    Allow,
    /// `expect satisfied`: something is required, and what the sign-in did meets all of it.
    Satisfied,
    /// `expect interrupt`: something is required that the sign-in has not done.
    Interrupt,
    /// `expect require EXPR`: not blocked, and every way of meeting the combined requirement
    /// meets EXPR.
    Require(ControlExpr),
    /// `expect applies "NAME"` (a report-only policy that would apply counts).
    Applies(String),
    /// `expect skips "NAME"`
    Skips(String),
    /// `expect session …`: each control named is exactly the merged one.
    Session(Session),
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Block => f.write_str("block"),
            Expectation::Allow => f.write_str("allow"),
            Expectation::Satisfied => f.write_str("satisfied"),
            Expectation::Interrupt => f.write_str("interrupt"),
            Expectation::Require(e) => write!(f, "require {e}"),
            Expectation::Applies(n) => write!(f, "applies \"{n}\""),
            Expectation::Skips(n) => write!(f, "skips \"{n}\""),
            Expectation::Session(s) => write!(f, "session {s}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The expectation does not hold.
    Unmet,
    /// Whether it holds depends on facts the scenario does not give.
    NotEnoughInformation,
    /// `expect applies/skips` names no policy.
    UnknownPolicy,
}

/// Why an expectation failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// One line, names the policies and conditions involved.
    pub message: String,
    /// For `notEnoughInformation`: the facts to add to the scenario.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Fact>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn unmet(message: String) -> Failure {
    Failure {
        kind: FailureKind::Unmet,
        message,
        missing: Vec::new(),
    }
}

/// Check an expectation against an evaluation.
pub fn check(ev: &Evaluation, expected: &Expectation) -> Result<(), Failure> {
    match expected {
        Expectation::Applies(name) => check_policy(ev, name, true),
        Expectation::Skips(name) => check_policy(ev, name, false),
        _ => check_outcome(ev, expected),
    }
}

fn check_policy(ev: &Evaluation, name: &str, applies: bool) -> Result<(), Failure> {
    let found = ev.result(name).or_else(|| {
        ev.results
            .iter()
            .find(|r| r.policy.eq_ignore_ascii_case(name))
    });
    let Some(r) = found else {
        let close = crate::diag::did_you_mean(name, ev.results.iter().map(|r| &*r.policy));
        let mut message = format!("no policy is named \"{name}\"");
        if let Some(s) = crate::diag::suggestion_text(&close) {
            message = format!("{message}; {s}");
        }
        return Err(Failure {
            kind: FailureKind::UnknownPolicy,
            message,
            missing: Vec::new(),
        });
    };
    let verb = if applies { "applies" } else { "skips" };
    match (&r.verdict, applies) {
        (Verdict::Applies, true) | (Verdict::Skipped { .. }, false) => Ok(()),
        (Verdict::Skipped { reason, detail }, true) => Err(unmet(format!(
            "expected \"{}\" to apply, but it skips on {reason}: {detail}",
            r.policy
        ))),
        (Verdict::Applies, false) => Err(unmet(format!(
            "expected \"{}\" to skip, but it {}",
            r.policy,
            r.verdict_word()
        ))),
        (Verdict::Unknown { missing, detail }, _) => Err(Failure {
            kind: FailureKind::NotEnoughInformation,
            message: format!(
                "notEnoughInformation: whether \"{}\" {verb} depends on {}, which the scenario does not give ({detail})",
                r.policy,
                fact_list(missing)
            ),
            missing: missing.clone(),
        }),
    }
}

/// Why an outcome expectation does not hold in one combination of applying policies.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Miss {
    /// It does not hold.
    Unmet(String),
    /// Whether it holds depends on facts the scenario does not give (or on strengths whose
    /// combinations are unknown, when `missing` is empty).
    Undecided(String, Vec<Fact>),
}

/// `"A" requires mfa, and "B" requires compliant-device`.
fn requires_text(parts: &[PolicyGrant]) -> String {
    parts
        .iter()
        .map(|g| format!("\"{}\" requires {}", g.policy, g.expr))
        .collect::<Vec<_>>()
        .join(", and ")
}

/// Judge `satisfied` / `interrupt` when the outcome stays `require`: the sign-in does not say
/// what it did, or some part of the requirement depends on a fact it does not give.
fn undecided(ev: &Evaluation, expected: &Expectation, c: &Combined) -> Miss {
    let Some(r) = c.outcome.requirement() else {
        return Miss::Unmet(format!(
            "expected {expected}, but the outcome is {}",
            c.outcome
        ));
    };
    if !ev.judged {
        return Miss::Unmet(format!(
            "expected {expected}, but the scenario does not say what the sign-in did, so the requirement `{r}` is not judged; add `methods …` (and `approved-app`, `terms-accepted …`, … as needed)"
        ));
    }
    let mut needs: Vec<Fact> = Vec::new();
    for g in &ev.grants {
        for f in &g.judgement.needs {
            if !needs.contains(f) {
                needs.push(*f);
            }
        }
    }
    let detail = if needs.is_empty() {
        "on controls that no scenario fact decides (a custom control, or a strength whose combinations are unknown)".to_string()
    } else {
        fact_list(&needs)
    };
    Miss::Undecided(
        format!("notEnoughInformation: whether the sign-in meets `{r}` depends {detail}"),
        needs,
    )
}

/// The result of an outcome expectation in one combination of applying policies.
fn judge(ev: &Evaluation, expected: &Expectation, c: &Combined) -> Result<(), Miss> {
    let (outcome, session) = (&c.outcome, &c.session);
    let blocked_by = |by: &[String]| format!("the sign-in is blocked by {}", quoted(by));
    let unmet = |m: String| Err(Miss::Unmet(m));
    match (expected, outcome) {
        (Expectation::Block, Outcome::Block { .. })
        | (Expectation::Allow, Outcome::Allow)
        | (Expectation::Satisfied, Outcome::Satisfied(_))
        | (Expectation::Interrupt, Outcome::Interrupt { .. }) => Ok(()),
        (Expectation::Satisfied | Expectation::Interrupt, Outcome::Block { by }) => {
            unmet(format!("expected {expected}, but {}", blocked_by(by)))
        }
        (Expectation::Satisfied | Expectation::Interrupt, Outcome::Allow) => unmet(format!(
            "expected {expected}, but no applying enforced policy requires anything"
        )),
        (Expectation::Satisfied, Outcome::Interrupt { missing, .. }) => unmet(format!(
            "expected satisfied, but the sign-in is interrupted: {}",
            missing
                .iter()
                .map(|g| format!("\"{}\" still needs {}", g.policy, g.expr))
                .collect::<Vec<_>>()
                .join(", and ")
        )),
        (Expectation::Interrupt, Outcome::Satisfied(r)) => unmet(format!(
            "expected interrupt, but the sign-in meets the requirement `{r}` ({})",
            requires_text(&r.all)
        )),
        (Expectation::Satisfied | Expectation::Interrupt, Outcome::Require(_)) => {
            Err(undecided(ev, expected, c))
        }
        (Expectation::Allow, Outcome::Satisfied(r)) => unmet(format!(
            "expected allow, but {}; the sign-in meets it: write `expect satisfied`",
            requires_text(&r.all)
        )),
        (Expectation::Block, other) => {
            let mut message = format!("expected block, but the outcome is {other}");
            let skipped: Vec<String> = ev
                .blockers
                .iter()
                .filter_map(|i| ev.results.get(*i))
                .filter_map(|r| match &r.verdict {
                    Verdict::Skipped { reason, detail } => {
                        Some(format!("\"{}\" skips on {reason}: {detail}", r.policy))
                    }
                    _ => None,
                })
                .take(3)
                .collect();
            if !skipped.is_empty() {
                message = format!("{message}; {}", skipped.join("; "));
            }
            unmet(message)
        }
        (Expectation::Allow, Outcome::Block { by }) => {
            unmet(format!("expected allow, but {}", blocked_by(by)))
        }
        (Expectation::Allow, Outcome::Require(r)) => {
            unmet(format!("expected allow, but {}", requires_text(&r.all)))
        }
        (Expectation::Allow, Outcome::Interrupt { all, .. }) => {
            unmet(format!("expected allow, but {}", requires_text(all)))
        }
        (Expectation::Require(e), Outcome::Block { by }) => {
            unmet(format!("expected require {e}, but {}", blocked_by(by)))
        }
        (Expectation::Require(e), Outcome::Allow) => unmet(format!(
            "expected require {e}, but no applying enforced policy requires anything"
        )),
        (Expectation::Require(e), other) => {
            let r = other.requirement().unwrap_or_default();
            let from: Vec<String> = r.all.iter().map(|g| g.policy.clone()).collect();
            match implies_with(&r, e, &ev.strengths) {
                Ok(()) => Ok(()),
                Err(Unmet::Way(way)) => unmet(format!(
                    "expected require {e}, but the requirement `{r}` (from {}) can be met with `{}`",
                    quoted(&from),
                    way_text(&way)
                )),
                Err(Unmet::Unknown(way)) => Err(Miss::Undecided(
                    format!(
                        "notEnoughInformation: whether `{}` (a way of meeting `{r}`, from {}) meets `{e}` depends on the combinations of a custom authentication strength, which are unknown; declare them (`strength NAME = <id> allows …`) or run `capol resolve`",
                        way_text(&way),
                        quoted(&from)
                    ),
                    Vec::new(),
                )),
            }
        }
        (Expectation::Session(want), _) => {
            let claims = session.unmet(want);
            if claims.is_empty() {
                return Ok(());
            }
            let from = if c.session_from.is_empty() {
                "no applying enforced policy sets session controls".to_string()
            } else {
                format!("session controls from {}", quoted(&c.session_from))
            };
            unmet(format!("expected session {}; {from}", claims.join(", ")))
        }
        (Expectation::Applies(_) | Expectation::Skips(_), _) => Ok(()),
    }
}

fn check_outcome(ev: &Evaluation, expected: &Expectation) -> Result<(), Failure> {
    let is_session = matches!(expected, Expectation::Session(_));
    // `satisfied` and `interrupt` are not monotone in the applying policies: try every subset.
    let every_subset =
        is_session || matches!(expected, Expectation::Satisfied | Expectation::Interrupt);
    // Only unknown policies that can change what the expectation looks at.
    let unknown: Vec<&Effect> = ev
        .effects
        .iter()
        .filter(|e| {
            ev.results
                .get(e.result)
                .is_some_and(|r| matches!(r.verdict, Verdict::Unknown { .. }))
        })
        .filter(|e| {
            if is_session {
                e.session.is_some()
            } else {
                *e.grant != Grant::Nothing
            }
        })
        .collect();
    let certain: Vec<&Effect> = ev
        .effects
        .iter()
        .filter(|e| ev.results.get(e.result).is_some_and(|r| r.applies()))
        .collect();
    let choices = if every_subset {
        combinations(unknown.len())
    } else {
        grant_choices(&unknown)
    };
    let mut base = None;
    let mut passes = 0usize;
    for chosen in &choices {
        let effects = certain.iter().copied().chain(
            unknown
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(e, _)| *e),
        );
        let result = judge(ev, expected, &combine(&ev.results, effects));
        passes += usize::from(result.is_ok());
        base.get_or_insert(result);
    }
    if passes == choices.len() {
        return Ok(());
    }
    if passes == 0 {
        return match base {
            Some(Err(Miss::Unmet(m))) => Err(unmet(m)),
            Some(Err(Miss::Undecided(message, missing))) => Err(Failure {
                kind: FailureKind::NotEnoughInformation,
                message,
                missing,
            }),
            _ => Ok(()),
        };
    }
    let mut missing: Vec<Fact> = Vec::new();
    let mut parts = Vec::new();
    for e in &unknown {
        if let Some(r) = ev.results.get(e.result)
            && let Verdict::Unknown { missing: m, .. } = &r.verdict
        {
            parts.push(format!("\"{}\" (needs {})", r.policy, fact_list(m)));
            for f in m {
                if !missing.contains(f) {
                    missing.push(*f);
                }
            }
        }
    }
    Err(Failure {
        kind: FailureKind::NotEnoughInformation,
        message: format!(
            "notEnoughInformation: whether the sign-in gets {expected} depends on {}; add {} to the scenario",
            parts.join(", "),
            fact_list(&missing)
        ),
        missing,
    })
}

/// For `block`, `allow` and `require`, three combinations decide every subset of unknown
/// policies: none of them, all of them, and all that do not block. `block` is monotone (more
/// policies, more blocking), `allow` anti-monotone; `require` passes for some subset exactly when
/// it passes with every non-blocking policy (requirements only add up), and fails for some subset
/// exactly when it fails with none or some unknown policy blocks (then "all" fails).
fn grant_choices(unknown: &[&Effect]) -> Vec<Vec<bool>> {
    let n = unknown.len();
    let mut out = vec![vec![false; n]];
    if n > 0 {
        out.push(vec![true; n]);
        let non_blocking: Vec<bool> = unknown.iter().map(|e| *e.grant != Grant::Block).collect();
        if !out.contains(&non_blocking) {
            out.push(non_blocking);
        }
    }
    out
}

/// Which unknown policies apply, per combination tried (for session expectations, which are not
/// monotone); the first is "none". Up to ten policies every subset, beyond that none, all, and
/// each one alone.
fn combinations(n: usize) -> Vec<Vec<bool>> {
    if n <= 10 {
        return (0..1usize << n)
            .map(|mask| (0..n).map(|i| mask & (1 << i) != 0).collect())
            .collect();
    }
    let mut out = vec![vec![false; n], vec![true; n]];
    out.extend((0..n).map(|i| (0..n).map(|j| i == j).collect()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_choices_are_none_all_and_non_blocking() {
        use super::super::grant::ControlExpr;
        let e = |grant| Effect {
            result: 0,
            grant: std::sync::Arc::new(grant),
            session: None,
            judged: None,
        };
        let (block, mfa) = (
            e(Grant::Block),
            e(Grant::Require(ControlExpr::single(
                super::super::Control::Mfa,
            ))),
        );
        assert_eq!(grant_choices(&[]), [Vec::<bool>::new()]);
        assert_eq!(grant_choices(&[&mfa]), [vec![false], vec![true]]);
        assert_eq!(
            grant_choices(&[&block, &mfa]),
            [vec![false, false], vec![true, true], vec![false, true]]
        );
    }

    #[test]
    fn combinations_start_with_none() {
        let c = combinations(2);
        assert_eq!(
            c,
            [
                vec![false, false],
                vec![true, false],
                vec![false, true],
                vec![true, true]
            ]
        );
        let c = combinations(11);
        assert_eq!(c.len(), 13);
        assert!(c[0].iter().all(|b| !b) && c[1].iter().all(|b| *b));
    }
}
