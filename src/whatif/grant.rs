//! Grant controls as requirements, and when one requirement implies another.
//!
//! In: Graph `grantControls` of the applying policies, and an expected control expression. Out:
//! the combined [`Requirement`] (AND across policies, each policy's own AND/OR inside), its
//! minimal satisfying sets ([`ways`]), and whether every way also satisfies an expression
//! ([`implies_with`]). An authentication strength satisfies another (or `mfa`) when it is at
//! least as strong, decided from their method combinations ([`Strengths::at_least`]); the `mfa`
//! control counts as the built-in "Multifactor authentication" strength, which holds the same
//! combinations; a strength whose combinations are unknown satisfies only itself, and comparing it
//! with anything else is unknown.

use super::methods::{Known, MFA_STRENGTH, Strengths};
use crate::graph::model::{BuiltInControl, GrantControls, Operator};
use crate::symbols::catalog;
use serde::{Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;

/// One grant control other than `block`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Control {
    Mfa,
    CompliantDevice,
    DomainJoinedDevice,
    ApprovedApplication,
    CompliantApplication,
    PasswordChange,
    RiskRemediation,
    /// An authentication strength by id (lower case).
    Strength(String),
    /// A terms-of-use agreement by id (lower case).
    Terms(String),
    /// A custom control by id.
    Custom(String),
}

impl Control {
    pub fn strength(id: &str) -> Control {
        Control::Strength(id.to_ascii_lowercase())
    }
    pub fn terms(id: &str) -> Control {
        Control::Terms(id.to_ascii_lowercase())
    }
    pub fn from_built_in(c: BuiltInControl) -> Option<Control> {
        Some(match c {
            BuiltInControl::Block => return None,
            BuiltInControl::Mfa => Control::Mfa,
            BuiltInControl::CompliantDevice => Control::CompliantDevice,
            BuiltInControl::DomainJoinedDevice => Control::DomainJoinedDevice,
            BuiltInControl::ApprovedApplication => Control::ApprovedApplication,
            BuiltInControl::CompliantApplication => Control::CompliantApplication,
            BuiltInControl::PasswordChange => Control::PasswordChange,
            BuiltInControl::RiskRemediation => Control::RiskRemediation,
        })
    }
    /// The strength this control stands for: a strength's id, or the built-in MFA strength for
    /// `mfa`.
    fn strength_id(&self) -> Option<&str> {
        match self {
            Control::Mfa => Some(MFA_STRENGTH),
            Control::Strength(id) => Some(id),
            _ => None,
        }
    }
}

impl fmt::Display for Control {
    /// As a grant clause writes it: `compliant-device`, `strength phishing-resistant-mfa`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Control::Mfa => f.write_str("mfa"),
            Control::CompliantDevice => f.write_str("compliant-device"),
            Control::DomainJoinedDevice => f.write_str("hybrid-joined-device"),
            Control::ApprovedApplication => f.write_str("approved-app"),
            Control::CompliantApplication => f.write_str("compliant-app"),
            Control::PasswordChange => f.write_str("password-change"),
            Control::RiskRemediation => f.write_str("risk-remediation"),
            Control::Strength(id) => match catalog::strength_by_id(id) {
                Some(s) => write!(f, "strength {}", s.ident),
                None => write!(f, "strength {id}"),
            },
            Control::Terms(id) => write!(f, "terms {id}"),
            Control::Custom(id) => write!(f, "custom {id}"),
        }
    }
}

impl Serialize for Control {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Controls joined by one operator, as in one grant clause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlExpr {
    pub operator: Operator,
    pub controls: Vec<Control>,
}

impl ControlExpr {
    pub fn single(c: Control) -> Self {
        ControlExpr {
            operator: Operator::Or,
            controls: vec![c],
        }
    }
    pub fn all(controls: Vec<Control>) -> Self {
        ControlExpr {
            operator: Operator::And,
            controls,
        }
    }
    pub fn any(controls: Vec<Control>) -> Self {
        ControlExpr {
            operator: Operator::Or,
            controls,
        }
    }
    /// Is this expression met by a sign-in that performed `done`?
    pub fn satisfied_by(&self, done: &BTreeSet<Control>, strengths: &Strengths) -> Known {
        let mut answers = self.controls.iter().map(|c| satisfies(done, c, strengths));
        match self.operator {
            Operator::And => answers.try_fold(Known::Yes, |acc, k| match (acc, k) {
                (_, Known::No) => Err(Known::No),
                (Known::Unknown, _) | (_, Known::Unknown) => Ok(Known::Unknown),
                _ => Ok(Known::Yes),
            }),
            Operator::Or => answers.try_fold(Known::No, |acc, k| match (acc, k) {
                (_, Known::Yes) => Err(Known::Yes),
                (Known::Unknown, _) | (_, Known::Unknown) => Ok(Known::Unknown),
                _ => Ok(Known::No),
            }),
        }
        .unwrap_or_else(|k| k)
    }
}

impl fmt::Display for ControlExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joint = match self.operator {
            Operator::And => " and ",
            Operator::Or => " or ",
        };
        let words: Vec<String> = self.controls.iter().map(Control::to_string).collect();
        f.write_str(&words.join(joint))
    }
}

/// What one policy's grant asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// No grant controls (a session-only policy).
    Nothing,
    Block,
    Require(ControlExpr),
}

impl Grant {
    pub fn of(g: Option<&GrantControls>) -> Grant {
        let Some(g) = g else { return Grant::Nothing };
        if g.built_in_controls.contains(&BuiltInControl::Block) {
            return Grant::Block;
        }
        let mut controls: Vec<Control> = g
            .built_in_controls
            .iter()
            .filter_map(|c| Control::from_built_in(*c))
            .collect();
        controls.extend(
            g.authentication_strength
                .iter()
                .map(|s| Control::strength(&s.id)),
        );
        controls.extend(g.terms_of_use.iter().map(|t| Control::terms(t)));
        controls.extend(
            g.custom_authentication_factors
                .iter()
                .map(|c| Control::Custom(c.clone())),
        );
        if controls.is_empty() {
            return Grant::Nothing;
        }
        Grant::Require(ControlExpr {
            operator: g.operator,
            controls,
        })
    }
}

/// One applying policy's part of the combined requirement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyGrant {
    pub policy: String,
    #[serde(flatten)]
    pub expr: ControlExpr,
}

/// The combined requirement of the applying enforced policies: every part must be met.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub all: Vec<PolicyGrant>,
}

impl fmt::Display for Requirement {
    /// `mfa and (compliant-device or hybrid-joined-device)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let several = self.all.len() > 1;
        let parts: Vec<String> = self
            .all
            .iter()
            .map(
                |g| match (several, g.expr.operator, g.expr.controls.len()) {
                    (true, Operator::Or, 2..) => format!("({})", g.expr),
                    _ => g.expr.to_string(),
                },
            )
            .collect();
        f.write_str(&parts.join(" and "))
    }
}

/// Does a set of controls `done` meet control `c`? Strengths (and `mfa`) meet each other when
/// the one done is at least as strong; unknown when that depends on unknown combinations.
pub fn satisfies(done: &BTreeSet<Control>, c: &Control, strengths: &Strengths) -> Known {
    if done.contains(c) {
        return Known::Yes;
    }
    let Some(needed) = c.strength_id() else {
        return Known::No;
    };
    let mut answer = Known::No;
    for d in done.iter().filter_map(Control::strength_id) {
        match strengths.at_least(d, needed) {
            Known::Yes => return Known::Yes,
            Known::Unknown => answer = Known::Unknown,
            Known::No => {}
        }
    }
    answer
}

/// The minimal sets of controls that meet the requirement (its disjunctive normal form). An
/// empty requirement has one way: doing nothing.
pub fn ways(req: &Requirement) -> Vec<BTreeSet<Control>> {
    let mut ways = vec![BTreeSet::new()];
    for g in &req.all {
        let alternatives: Vec<BTreeSet<Control>> = match g.expr.operator {
            Operator::And => vec![g.expr.controls.iter().cloned().collect()],
            Operator::Or => g
                .expr
                .controls
                .iter()
                .map(|c| BTreeSet::from([c.clone()]))
                .collect(),
        };
        let mut next = Vec::with_capacity(ways.len() * alternatives.len());
        for w in &ways {
            for a in &alternatives {
                next.push(w.union(a).cloned().collect());
            }
        }
        ways = minimise(next);
    }
    ways
}

/// Drop duplicates and every set that contains another one.
fn minimise(mut sets: Vec<BTreeSet<Control>>) -> Vec<BTreeSet<Control>> {
    sets.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    sets.dedup();
    let mut kept: Vec<BTreeSet<Control>> = Vec::new();
    for s in sets {
        if !kept.iter().any(|k| k.is_subset(&s)) {
            kept.push(s);
        }
    }
    kept
}

/// Why a requirement does not imply an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unmet {
    /// A way of meeting the requirement that does not meet the expression.
    Way(BTreeSet<Control>),
    /// Whether this way meets it depends on strengths whose combinations are unknown.
    Unknown(BTreeSet<Control>),
}

/// Does every way of meeting the requirement meet `expected`? The first way that does not, else
/// the first whose answer is unknown.
pub fn implies_with(
    req: &Requirement,
    expected: &ControlExpr,
    strengths: &Strengths,
) -> Result<(), Unmet> {
    let mut unknown = None;
    for w in ways(req) {
        match expected.satisfied_by(&w, strengths) {
            Known::No => return Err(Unmet::Way(w)),
            Known::Unknown => {
                unknown.get_or_insert(w);
            }
            Known::Yes => {}
        }
    }
    match unknown {
        Some(w) => Err(Unmet::Unknown(w)),
        None => Ok(()),
    }
}

/// [`implies_with`] knowing only the built-in strengths; an unknown answer counts as not met.
pub fn implies(req: &Requirement, expected: &ControlExpr) -> Result<(), BTreeSet<Control>> {
    match implies_with(req, expected, &Strengths::default()) {
        Ok(()) => Ok(()),
        Err(Unmet::Way(w) | Unmet::Unknown(w)) => Err(w),
    }
}

/// A set of controls as text: `compliant-device and mfa`, or `nothing`.
pub fn way_text(way: &BTreeSet<Control>) -> String {
    if way.is_empty() {
        return "nothing".into();
    }
    way.iter()
        .map(Control::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::StrengthRef;

    const MFA_S: &str = "00000000-0000-0000-0000-000000000002";
    const PWDLESS: &str = "00000000-0000-0000-0000-000000000003";
    const PHISH: &str = "00000000-0000-0000-0000-000000000004";
    const CUSTOM: &str = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";

    fn req(parts: Vec<ControlExpr>) -> Requirement {
        Requirement {
            all: parts
                .into_iter()
                .enumerate()
                .map(|(i, expr)| PolicyGrant {
                    policy: format!("P{i}"),
                    expr,
                })
                .collect(),
        }
    }

    fn one(c: Control) -> ControlExpr {
        ControlExpr::single(c)
    }

    #[test]
    fn grants_from_graph() {
        let g = GrantControls {
            operator: Operator::And,
            built_in_controls: vec![BuiltInControl::CompliantDevice],
            terms_of_use: vec!["T1".into()],
            authentication_strength: Some(StrengthRef { id: PHISH.into() }),
            ..GrantControls::default()
        };
        let expected = ControlExpr::all(vec![
            Control::CompliantDevice,
            Control::strength(PHISH),
            Control::terms("T1"),
        ]);
        assert_eq!(
            expected.to_string(),
            "compliant-device and strength phishing-resistant-mfa and terms t1"
        );
        assert_eq!(Grant::of(Some(&g)), Grant::Require(expected));
        let block = GrantControls {
            built_in_controls: vec![BuiltInControl::Block],
            ..GrantControls::default()
        };
        assert_eq!(Grant::of(Some(&block)), Grant::Block);
        assert_eq!(Grant::of(Some(&GrantControls::default())), Grant::Nothing);
        assert_eq!(Grant::of(None), Grant::Nothing);
    }

    #[test]
    fn and_across_policies() {
        let r = req(vec![one(Control::Mfa), one(Control::CompliantDevice)]);
        assert_eq!(implies(&r, &one(Control::Mfa)), Ok(()));
        assert_eq!(implies(&r, &one(Control::CompliantDevice)), Ok(()));
        assert_eq!(
            implies(
                &r,
                &ControlExpr::all(vec![Control::Mfa, Control::CompliantDevice])
            ),
            Ok(())
        );
        assert_eq!(r.to_string(), "mfa and compliant-device");
    }

    #[test]
    fn or_within_a_policy() {
        let r = req(vec![ControlExpr::any(vec![
            Control::CompliantDevice,
            Control::Mfa,
        ])]);
        assert_eq!(
            implies(&r, &one(Control::Mfa)),
            Err(BTreeSet::from([Control::CompliantDevice]))
        );
        assert_eq!(
            implies(
                &r,
                &ControlExpr::any(vec![Control::Mfa, Control::CompliantDevice])
            ),
            Ok(())
        );
        // A policy's own OR combined with another policy's requirement.
        let r = req(vec![
            ControlExpr::any(vec![Control::CompliantDevice, Control::Mfa]),
            one(Control::Mfa),
        ]);
        assert_eq!(ways(&r), vec![BTreeSet::from([Control::Mfa])]);
        assert_eq!(r.to_string(), "(compliant-device or mfa) and mfa");
    }

    #[test]
    fn ways_are_minimal() {
        let r = req(vec![
            ControlExpr::any(vec![Control::CompliantDevice, Control::DomainJoinedDevice]),
            ControlExpr::any(vec![Control::CompliantDevice, Control::Mfa]),
        ]);
        let got: Vec<String> = ways(&r).iter().map(way_text).collect();
        assert_eq!(got, ["compliant-device", "mfa and hybrid-joined-device"]);
    }

    #[test]
    fn stronger_strengths_satisfy_weaker_ones() {
        let phish = req(vec![one(Control::strength(PHISH))]);
        assert_eq!(implies(&phish, &one(Control::Mfa)), Ok(()));
        assert_eq!(implies(&phish, &one(Control::strength(MFA_S))), Ok(()));
        assert_eq!(implies(&phish, &one(Control::strength(PWDLESS))), Ok(()));
        let pwdless = req(vec![one(Control::strength(PWDLESS))]);
        assert!(implies(&pwdless, &one(Control::strength(PHISH))).is_err());
        let mfa = req(vec![one(Control::Mfa)]);
        assert_eq!(implies(&mfa, &one(Control::strength(MFA_S))), Ok(()));
        assert!(implies(&mfa, &one(Control::strength(PWDLESS))).is_err());
    }

    #[test]
    fn a_custom_strength_without_combinations_is_unknown_except_to_itself() {
        let st = Strengths::default();
        let custom = req(vec![one(Control::strength(CUSTOM))]);
        let unknown = Err(Unmet::Unknown(BTreeSet::from([Control::strength(CUSTOM)])));
        assert_eq!(implies_with(&custom, &one(Control::Mfa), &st), unknown);
        assert_eq!(
            implies_with(
                &custom,
                &one(Control::strength(&CUSTOM.to_uppercase())),
                &st
            ),
            Ok(())
        );
        let phish = req(vec![one(Control::strength(PHISH))]);
        assert!(matches!(
            implies_with(&phish, &one(Control::strength(CUSTOM)), &st),
            Err(Unmet::Unknown(_))
        ));
    }

    #[test]
    fn custom_strengths_compare_by_their_combinations() {
        use super::super::methods::Combination;
        let mut st = Strengths::default();
        let fido_only = vec![Combination::from_graph("fido2").unwrap_or_default()];
        st.custom.insert(CUSTOM.into(), fido_only);
        let custom = req(vec![one(Control::strength(CUSTOM))]);
        for weaker in [
            Control::Mfa,
            Control::strength(MFA_S),
            Control::strength(PHISH),
        ] {
            assert_eq!(implies_with(&custom, &one(weaker), &st), Ok(()));
        }
        let phish = req(vec![one(Control::strength(PHISH))]);
        assert_eq!(
            implies_with(&phish, &one(Control::strength(CUSTOM)), &st),
            Err(Unmet::Way(BTreeSet::from([Control::strength(PHISH)])))
        );
    }

    #[test]
    fn nothing_required_implies_nothing() {
        let empty = Requirement::default();
        assert_eq!(ways(&empty), vec![BTreeSet::new()]);
        assert_eq!(implies(&empty, &one(Control::Mfa)), Err(BTreeSet::new()));
    }

    #[test]
    fn controls_serialise_as_clause_words() {
        let e = ControlExpr::any(vec![Control::DomainJoinedDevice, Control::strength(MFA_S)]);
        assert_eq!(
            serde_json::to_string(&e).unwrap_or_default(),
            r#"{"operator":"OR","controls":["hybrid-joined-device","strength mfa"]}"#
        );
    }
}
