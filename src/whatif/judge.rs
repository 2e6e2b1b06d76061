//! Whether a sign-in meets the grant controls its policies ask for.
//!
//! In: what the sign-in already did ([`Done`]: methods, client app, terms, password change), its
//! device fact, one policy's [`ControlExpr`] and the [`Strengths`] table. Out: per control met,
//! missing or unknown, and per policy a [`Judgement`]: `satisfied` (its controls are met, under
//! its own AND/OR), `interrupt` (they are not: the user is asked for what is missing) or
//! `unknown` (a fact the scenario does not give decides it).

use super::grant::{Control, ControlExpr};
use super::methods::{Combination, Known, MFA_STRENGTH, Strengths};
use super::prepare::lookup;
use super::signin::{DeviceFact, SignIn};
use super::verdict::Fact;
use crate::graph::model::Operator;
use serde::{Deserialize, Serialize};

/// What the sign-in already did. Stated facts only: a method, app or agreement that is not
/// stated was not used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Done {
    /// The methods performed in the session (one combination).
    pub methods: Combination,
    /// The client app is protected by an app protection policy (`compliantApplication`).
    pub app_protection: bool,
    /// The client app is an approved client app (`approvedApplication`).
    pub approved_app: bool,
    /// Terms-of-use agreements accepted, by id (lower case).
    pub terms_accepted: Vec<String>,
    /// The user changed their password securely in this sign-in.
    pub password_changed: bool,
    /// Only the methods are known (a sign-in log records them, not whether the client app was
    /// approved or protected, terms accepted or the password changed): the other controls are
    /// then unknown rather than missing.
    #[serde(skip)]
    pub methods_only: bool,
}

/// One control, against what the sign-in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Met,
    Missing,
    /// Depends on a fact the scenario does not give (`None`: no scenario fact can decide it, such
    /// as a custom strength whose combinations are unknown).
    Unknown(Option<Fact>),
}

/// One device attribute as a Boolean-ish comparison, ignoring case.
fn device_is(s: &SignIn, attribute: &str, value: &str) -> Status {
    match &s.device {
        None => Status::Unknown(Some(Fact::Device)),
        Some(DeviceFact::Unregistered) => Status::Missing,
        Some(DeviceFact::Attributes(attrs)) => match lookup(attrs, attribute) {
            Some(v) if v.eq_ignore_ascii_case(value) => Status::Met,
            _ => Status::Missing,
        },
    }
}

fn known(k: Known) -> Status {
    match k {
        Known::Yes => Status::Met,
        Known::No => Status::Missing,
        Known::Unknown => Status::Unknown(None),
    }
}

/// Is control `c` met by a sign-in that did `done`?
pub fn control(c: &Control, s: &SignIn, done: &Done, strengths: &Strengths) -> Status {
    let mfa = || known(strengths.met_by(MFA_STRENGTH, done.methods));
    let yes = |b: bool| match (b, done.methods_only) {
        (true, _) => Status::Met,
        (false, false) => Status::Missing,
        (false, true) => Status::Unknown(None),
    };
    match c {
        // The built-in MFA strength holds exactly the combinations that satisfy `mfa`.
        Control::Mfa => mfa(),
        Control::Strength(id) => known(strengths.met_by(id, done.methods)),
        Control::CompliantDevice => device_is(s, "isCompliant", "true"),
        Control::DomainJoinedDevice => device_is(s, "trustType", "ServerAD"),
        Control::ApprovedApplication => yes(done.approved_app),
        Control::CompliantApplication => yes(done.app_protection),
        Control::PasswordChange => yes(done.password_changed),
        // Microsoft-managed remediation: a secure password change (user risk) or MFA (sign-in
        // risk).
        Control::RiskRemediation if done.password_changed => Status::Met,
        Control::RiskRemediation if done.methods_only => match mfa() {
            Status::Met => Status::Met,
            _ => Status::Unknown(None),
        },
        Control::RiskRemediation => mfa(),
        Control::Terms(id) => yes(done.terms_accepted.iter().any(|t| t == id)),
        Control::Custom(_) => Status::Unknown(None),
    }
}

/// What one policy's grant comes to for the sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    Satisfied,
    Interrupt,
    Unknown,
}

/// One policy's grant, judged: the controls met, missing and undecided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Judgement {
    pub outcome: Verdict,
    pub satisfied: Vec<Control>,
    pub missing: Vec<Control>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<Control>,
    /// Facts that would decide the unknown controls.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Fact>,
}

/// Judge one policy's controls: AND needs every control, OR any one.
pub fn policy(expr: &ControlExpr, s: &SignIn, done: &Done, strengths: &Strengths) -> Judgement {
    let mut j = Judgement {
        outcome: Verdict::Unknown,
        satisfied: Vec::new(),
        missing: Vec::new(),
        unknown: Vec::new(),
        needs: Vec::new(),
    };
    for c in &expr.controls {
        match control(c, s, done, strengths) {
            Status::Met => j.satisfied.push(c.clone()),
            Status::Missing => j.missing.push(c.clone()),
            Status::Unknown(fact) => {
                j.unknown.push(c.clone());
                if let Some(f) = fact.filter(|f| !j.needs.contains(f)) {
                    j.needs.push(f);
                }
            }
        }
    }
    j.outcome = match expr.operator {
        Operator::And if !j.missing.is_empty() => Verdict::Interrupt,
        Operator::And if j.unknown.is_empty() => Verdict::Satisfied,
        Operator::Or if !j.satisfied.is_empty() => Verdict::Satisfied,
        Operator::Or if j.unknown.is_empty() => Verdict::Interrupt,
        _ => Verdict::Unknown,
    };
    j
}

#[cfg(test)]
mod tests {
    use super::super::methods::Method::*;
    use super::*;
    use std::collections::BTreeMap;

    const PHISH: &str = "00000000-0000-0000-0000-000000000004";
    const PWDLESS: &str = "00000000-0000-0000-0000-000000000003";

    fn did(methods: &[super::super::methods::Method]) -> Done {
        Done {
            methods: Combination::of(methods),
            ..Done::default()
        }
    }

    fn device(attrs: &[(&str, &str)]) -> SignIn {
        let map: BTreeMap<String, String> = attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SignIn {
            device: Some(DeviceFact::Attributes(map)),
            ..SignIn::default()
        }
    }

    #[test]
    fn methods_per_control() {
        let st = Strengths::default();
        let s = SignIn::default();
        let push = did(&[Password, MicrosoftAuthenticatorPush]);
        let fido = did(&[Fido2]);
        let password = did(&[Password]);
        let phone = did(&[DeviceBasedPush]);
        let cases: &[(&Done, Control, Status)] = &[
            (&push, Control::Mfa, Status::Met),
            (&fido, Control::Mfa, Status::Met),
            (&password, Control::Mfa, Status::Missing),
            (&push, Control::strength(PHISH), Status::Missing),
            (&fido, Control::strength(PHISH), Status::Met),
            (&phone, Control::strength(PWDLESS), Status::Met),
            (&phone, Control::strength(PHISH), Status::Missing),
            (&push, Control::strength(MFA_STRENGTH), Status::Met),
            (&fido, Control::strength("custom-id"), Status::Unknown(None)),
            (&push, Control::PasswordChange, Status::Missing),
            (&push, Control::ApprovedApplication, Status::Missing),
            (&push, Control::terms("T"), Status::Missing),
            (&push, Control::RiskRemediation, Status::Met),
            (&password, Control::RiskRemediation, Status::Missing),
            (&push, Control::Custom("x".into()), Status::Unknown(None)),
        ];
        for (done, c, expected) in cases {
            assert_eq!(
                &control(c, &s, done, &st),
                expected,
                "{c} with {}",
                done.methods
            );
        }
        let more = Done {
            approved_app: true,
            app_protection: true,
            password_changed: true,
            terms_accepted: vec!["t".into()],
            ..password.clone()
        };
        for c in [
            Control::ApprovedApplication,
            Control::CompliantApplication,
            Control::PasswordChange,
            Control::terms("T"),
            Control::RiskRemediation,
        ] {
            assert_eq!(control(&c, &s, &more, &st), Status::Met, "{c}");
        }
    }

    #[test]
    fn device_controls_come_from_device_facts() {
        let st = Strengths::default();
        let done = Done::default();
        let compliant = device(&[("isCompliant", "True"), ("trustType", "AzureAD")]);
        let hybrid = device(&[("trustType", "ServerAD")]);
        let unregistered = SignIn {
            device: Some(DeviceFact::Unregistered),
            ..SignIn::default()
        };
        let c = Control::CompliantDevice;
        let h = Control::DomainJoinedDevice;
        assert_eq!(control(&c, &compliant, &done, &st), Status::Met);
        assert_eq!(control(&h, &compliant, &done, &st), Status::Missing);
        assert_eq!(control(&h, &hybrid, &done, &st), Status::Met);
        assert_eq!(control(&c, &unregistered, &done, &st), Status::Missing);
        assert_eq!(
            control(&c, &SignIn::default(), &done, &st),
            Status::Unknown(Some(Fact::Device))
        );
    }

    #[test]
    fn a_policy_is_judged_under_its_operator() {
        let st = Strengths::default();
        let s = device(&[("isCompliant", "False")]);
        let push = did(&[Password, MicrosoftAuthenticatorPush]);
        let or = ControlExpr::any(vec![Control::CompliantDevice, Control::Mfa]);
        let and = ControlExpr::all(vec![Control::CompliantDevice, Control::Mfa]);
        let j = policy(&or, &s, &push, &st);
        assert_eq!(j.outcome, Verdict::Satisfied);
        assert_eq!(j.satisfied, [Control::Mfa]);
        assert_eq!(j.missing, [Control::CompliantDevice]);
        let j = policy(&and, &s, &push, &st);
        assert_eq!(j.outcome, Verdict::Interrupt);
        assert_eq!(j.missing, [Control::CompliantDevice]);
        let unknown_device = policy(&and, &SignIn::default(), &push, &st);
        assert_eq!(unknown_device.outcome, Verdict::Unknown);
        assert_eq!(unknown_device.needs, [Fact::Device]);
        let j = policy(&or, &SignIn::default(), &did(&[Password]), &st);
        assert_eq!(
            j.outcome,
            Verdict::Unknown,
            "the device could still be compliant"
        );
    }

    #[test]
    fn a_log_knows_only_the_methods() {
        let st = Strengths::default();
        let s = SignIn::default();
        let log = |m: &[super::super::methods::Method]| Done {
            methods_only: true,
            ..did(m)
        };
        let push = log(&[Password, MicrosoftAuthenticatorPush]);
        let password = log(&[Password]);
        let cases: &[(&Done, Control, Status)] = &[
            (&push, Control::Mfa, Status::Met),
            (&password, Control::Mfa, Status::Missing),
            (&push, Control::ApprovedApplication, Status::Unknown(None)),
            (&push, Control::CompliantApplication, Status::Unknown(None)),
            (&push, Control::PasswordChange, Status::Unknown(None)),
            (&push, Control::terms("T"), Status::Unknown(None)),
            (&push, Control::RiskRemediation, Status::Met),
            (&password, Control::RiskRemediation, Status::Unknown(None)),
        ];
        for (done, c, expected) in cases {
            assert_eq!(&control(c, &s, done, &st), expected, "{c}");
        }
    }
}
