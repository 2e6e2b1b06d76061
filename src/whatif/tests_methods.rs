//! What the sign-in already did: per-policy judgements, the satisfied / interrupt outcomes, the
//! expectations, strengths compared from combinations, and where session controls came from.

use super::methods::Method::*;
use super::test_support::*;
use super::*;
use crate::graph::model::{BuiltInControl, Operator, SessionControls, SignInFrequency};
use std::collections::BTreeMap;

const CUSTOM: &str = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";

fn did(methods: &[Method]) -> SignIn {
    SignIn {
        done: Some(Done {
            methods: Combination::of(methods),
            ..Done::default()
        }),
        ..sign_in(APP)
    }
}

fn compliant(mut s: SignIn) -> SignIn {
    let attrs: BTreeMap<String, String> = [("isCompliant".to_string(), "True".to_string())].into();
    s.device = Some(DeviceFact::Attributes(attrs));
    s
}

fn outcome_word(ev: &Evaluation) -> String {
    serde_json::to_value(&ev.outcome).unwrap_or_default()["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn mfa_done_is_satisfied_and_password_alone_interrupts() {
    let policies = [B::new("MFA").build()];
    let ev = eval(&policies, &did(&[Password, MicrosoftAuthenticatorPush]));
    assert_eq!(outcome_word(&ev), "satisfied");
    assert_eq!(check(&ev, &Expectation::Satisfied), Ok(()));
    assert!(check(&ev, &Expectation::Interrupt).is_err());
    let allow = check(&ev, &Expectation::Allow).unwrap_err();
    assert!(
        allow.message.contains("write `expect satisfied`"),
        "{allow}"
    );
    // `expect require` still judges the requirement, whatever the sign-in did.
    assert_eq!(
        check(
            &ev,
            &Expectation::Require(ControlExpr::single(Control::Mfa))
        ),
        Ok(())
    );
    let ev = eval(&policies, &did(&[Password]));
    assert_eq!(outcome_word(&ev), "interrupt");
    assert_eq!(
        ev.outcome.to_string(),
        "interrupt (missing mfa for \"MFA\")"
    );
    let failure = check(&ev, &Expectation::Satisfied).unwrap_err();
    assert_eq!(
        failure.message,
        "expected satisfied, but the sign-in is interrupted: \"MFA\" still needs mfa"
    );
}

#[test]
fn passwordless_mfa_satisfies_mfa_from_the_method_table() {
    // Not a hand-written ordering: phone sign-in is one of the MFA strength's combinations.
    let policies = [B::new("MFA").build()];
    assert_eq!(
        outcome_word(&eval(&policies, &did(&[DeviceBasedPush]))),
        "satisfied"
    );
    let phish = [B::new("Phish").strength(PHISH).build()];
    assert_eq!(
        outcome_word(&eval(&phish, &did(&[DeviceBasedPush]))),
        "interrupt"
    );
    assert_eq!(outcome_word(&eval(&phish, &did(&[Fido2]))), "satisfied");
    let passwordless = [B::new("Pwdless").strength(PASSWORDLESS).build()];
    assert_eq!(
        outcome_word(&eval(&passwordless, &did(&[WindowsHelloForBusiness]))),
        "satisfied"
    );
}

#[test]
fn every_enforced_policy_must_be_satisfied() {
    let policies = [
        B::new("MFA").build(),
        B::new("Device")
            .grant(Operator::Or, &[BuiltInControl::CompliantDevice])
            .build(),
    ];
    let fido = did(&[Fido2]);
    let ev = eval(&policies, &fido);
    // No device fact: the device policy is unknown, so the outcome stays a requirement.
    assert_eq!(outcome_word(&ev), "require");
    let f = check(&ev, &Expectation::Satisfied).unwrap_err();
    assert_eq!(f.kind, FailureKind::NotEnoughInformation);
    assert_eq!(f.missing, [Fact::Device]);
    let ev = eval(&policies, &compliant(fido.clone()));
    assert_eq!(outcome_word(&ev), "satisfied");
    let unregistered = SignIn {
        device: Some(DeviceFact::Unregistered),
        ..fido
    };
    let ev = eval(&policies, &unregistered);
    assert_eq!(outcome_word(&ev), "interrupt");
    let json = serde_json::to_value(&ev).unwrap_or_default();
    assert_eq!(
        json["outcome"]["missing"],
        serde_json::json!([{"policy": "Device", "operator": "OR", "controls": ["compliant-device"]}])
    );
    let grants = &json["grants"];
    assert_eq!(grants[0]["policy"], "Device");
    assert_eq!(grants[0]["outcome"], "interrupt");
    assert_eq!(grants[1]["policy"], "MFA");
    assert_eq!(grants[1]["satisfied"], serde_json::json!(["mfa"]));
}

#[test]
fn report_only_policies_are_judged_but_never_decide() {
    let policies = [B::new("Would").report_only().build()];
    let ev = eval(&policies, &did(&[Password]));
    assert_eq!(ev.outcome, Outcome::Allow);
    assert_eq!(ev.grants.len(), 1);
    assert_eq!(ev.grants[0].judgement.outcome, judge::Verdict::Interrupt);
    assert!(
        render_table(&ev).contains("grant \"Would\": would interrupt, missing mfa"),
        "{}",
        render_table(&ev)
    );
}

#[test]
fn without_what_the_sign_in_did_nothing_is_judged() {
    let policies = [B::new("MFA").build()];
    let ev = eval(&policies, &sign_in(APP));
    assert_eq!(outcome_word(&ev), "require");
    assert!(ev.grants.is_empty());
    let f = check(&ev, &Expectation::Satisfied).unwrap_err();
    assert!(
        f.message.contains("does not say what the sign-in did"),
        "{f}"
    );
    let json = serde_json::to_string(&ev).unwrap_or_default();
    assert!(!json.contains("grants"), "{json}");
}

#[test]
fn custom_strengths_from_their_combinations() {
    let policies = [B::new("Custom").strength(CUSTOM).build()];
    // Unknown combinations: never guessed.
    let ev = eval(&policies, &did(&[Fido2]));
    assert_eq!(outcome_word(&ev), "require");
    let f = check(
        &ev,
        &Expectation::Require(ControlExpr::single(Control::strength(PHISH))),
    )
    .unwrap_err();
    assert_eq!(f.kind, FailureKind::NotEnoughInformation, "{f}");
    let mut ctx = EvalContext::default();
    ctx.strengths.custom.insert(
        CUSTOM.into(),
        vec![
            Combination::of(&[Fido2]),
            Combination::of(&[WindowsHelloForBusiness]),
        ],
    );
    let set = PolicySet::new(&policies, &ctx);
    let ev = set.evaluate(&did(&[Fido2]));
    assert_eq!(outcome_word(&ev), "satisfied");
    assert_eq!(
        check(
            &ev,
            &Expectation::Require(ControlExpr::single(Control::strength(PHISH)))
        ),
        Ok(())
    );
    assert_eq!(
        outcome_word(&set.evaluate(&did(&[X509CertificateMultiFactor]))),
        "interrupt"
    );
}

#[test]
fn session_controls_name_the_policy_they_came_from() {
    let freq = |h: u32| SessionControls {
        sign_in_frequency: Some(SignInFrequency {
            is_enabled: true,
            value: Some(h),
            kind: Some(crate::graph::model::FrequencyUnit::Hours),
            frequency_interval: crate::graph::model::FrequencyInterval::TimeBased,
            authentication_type: None,
        }),
        ..SessionControls::default()
    };
    let policies = [
        B::new("A eight hours").session(freq(8)).build(),
        B::new("B one hour").session(freq(1)).build(),
        B::new("C four hours").session(freq(4)).build(),
    ];
    let ev = eval(&policies, &sign_in(APP));
    assert_eq!(ev.session.sign_in_frequency, Some(Frequency::Hours(1)));
    assert_eq!(
        ev.session_sources
            .get("signInFrequency")
            .map(String::as_str),
        Some("B one hour")
    );
    let json = serde_json::to_value(&ev).unwrap_or_default();
    assert_eq!(json["sessionSources"]["signInFrequency"], "B one hour");
}
