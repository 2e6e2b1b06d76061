//! Tests of how applying policies combine, and of expectations.

#![allow(clippy::panic)] // a failing test may panic with a message

use super::test_support::*;
use super::*;
use crate::graph::model::{
    BuiltInControl, FrequencyInterval, FrequencyUnit, Locations, Operator, PersistentBrowser,
    PersistentBrowserMode, Platforms, SessionControls, SignInFrequency,
};

fn mfa() -> ControlExpr {
    ControlExpr::single(Control::Mfa)
}

fn ok(ev: &Evaluation, e: Expectation) {
    assert_eq!(check(ev, &e), Ok(()), "{e}");
}

fn fails(ev: &Evaluation, e: Expectation) -> Failure {
    match check(ev, &e) {
        Ok(()) => Failure {
            kind: FailureKind::Unmet,
            message: format!("UNEXPECTED PASS of {e}"),
            missing: Vec::new(),
        },
        Err(f) => f,
    }
}

fn frequency(hours: u32) -> SessionControls {
    SessionControls {
        sign_in_frequency: Some(SignInFrequency {
            is_enabled: true,
            value: Some(hours),
            kind: Some(FrequencyUnit::Hours),
            frequency_interval: FrequencyInterval::TimeBased,
            authentication_type: None,
        }),
        ..SessionControls::default()
    }
}

#[test]
fn block_wins() {
    let ev = eval(
        &[B::new("MFA").build(), B::new("Block").block().build()],
        &sign_in(APP),
    );
    assert_eq!(
        ev.outcome,
        Outcome::Block {
            by: vec!["Block".into()]
        }
    );
    ok(&ev, Expectation::Block);
    let f = fails(&ev, Expectation::Require(mfa()));
    assert_eq!(
        f.message,
        "expected require mfa, but the sign-in is blocked by \"Block\""
    );
    let f = fails(&ev, Expectation::Allow);
    assert_eq!(
        f.message,
        "expected allow, but the sign-in is blocked by \"Block\""
    );
}

#[test]
fn requirements_and_across_policies() {
    let ev = eval(
        &[
            B::new("MFA").build(),
            B::new("Compliant")
                .grant(Operator::Or, &[BuiltInControl::CompliantDevice])
                .build(),
        ],
        &sign_in(APP),
    );
    assert_eq!(ev.outcome.to_string(), "require compliant-device and mfa");
    ok(&ev, Expectation::Require(mfa()));
    ok(
        &ev,
        Expectation::Require(ControlExpr::single(Control::CompliantDevice)),
    );
    ok(
        &ev,
        Expectation::Require(ControlExpr::all(vec![
            Control::Mfa,
            Control::CompliantDevice,
        ])),
    );
    let f = fails(&ev, Expectation::Allow);
    assert_eq!(
        f.message,
        "expected allow, but \"Compliant\" requires compliant-device, and \"MFA\" requires mfa"
    );
}

#[test]
fn or_within_a_policy_does_not_imply_one_control() {
    let p = B::new("Device or MFA").grant(
        Operator::Or,
        &[BuiltInControl::CompliantDevice, BuiltInControl::Mfa],
    );
    let ev = eval(&[p.build()], &sign_in(APP));
    let f = fails(&ev, Expectation::Require(mfa()));
    assert_eq!(f.kind, FailureKind::Unmet);
    assert_eq!(
        f.message,
        "expected require mfa, but the requirement `compliant-device or mfa` (from \"Device or MFA\") can be met with `compliant-device`"
    );
    ok(
        &ev,
        Expectation::Require(ControlExpr::any(vec![
            Control::Mfa,
            Control::CompliantDevice,
        ])),
    );
}

#[test]
fn strength_ordering_in_expectations() {
    let ev = eval(&[B::new("Phish").strength(PHISH).build()], &sign_in(APP));
    ok(&ev, Expectation::Require(mfa()));
    ok(
        &ev,
        Expectation::Require(ControlExpr::single(Control::strength(PASSWORDLESS))),
    );
    let ev = eval(
        &[B::new("Passwordless").strength(PASSWORDLESS).build()],
        &sign_in(APP),
    );
    let f = fails(
        &ev,
        Expectation::Require(ControlExpr::single(Control::strength(PHISH))),
    );
    assert!(
        f.message
            .contains("can be met with `strength passwordless-mfa`"),
        "{}",
        f.message
    );
}

#[test]
fn nothing_required_fails_require_and_passes_allow() {
    let ev = eval(
        &[B::new("Other app")
            .apps(|a| a.include_applications = strings(&[EXO]))
            .build()],
        &sign_in(APP),
    );
    ok(&ev, Expectation::Allow);
    let f = fails(&ev, Expectation::Require(mfa()));
    assert_eq!(
        f.message,
        "expected require mfa, but no applying enforced policy requires anything"
    );
    let f = fails(&ev, Expectation::Block);
    assert_eq!(
        f.message, "expected block, but the outcome is allow",
        "no block policy exists, so none is named"
    );
}

#[test]
fn expect_block_names_the_skipping_block_policies() {
    let p = B::new("Block legacy")
        .block()
        .cond(|c| c.client_app_types = vec![ClientAppType::Other]);
    let s = SignIn {
        client: Some(ClientAppType::Browser),
        ..sign_in(APP)
    };
    let f = fails(&eval(&[p.build()], &s), Expectation::Block);
    assert_eq!(
        f.message,
        "expected block, but the outcome is allow; \"Block legacy\" skips on clientApps: client browser is not among other"
    );
}

#[test]
fn report_only_policies_never_change_the_outcome() {
    let ev = eval(
        &[B::new("Would block").block().report_only().build()],
        &sign_in(APP),
    );
    assert_eq!(ev.results[0].verdict, Verdict::Applies);
    assert_eq!(ev.results[0].verdict_word(), "would apply");
    assert_eq!(ev.outcome, Outcome::Allow);
    ok(&ev, Expectation::Allow);
    ok(&ev, Expectation::Applies("Would block".into()));
    let ev = eval(
        &[
            B::new("Would require").report_only().build(),
            B::new("Block").block().build(),
        ],
        &sign_in(APP),
    );
    assert_eq!(
        ev.outcome,
        Outcome::Block {
            by: vec!["Block".into()]
        }
    );
}

#[test]
fn sessions_merge_most_restrictive() {
    let browser = SessionControls {
        persistent_browser: Some(PersistentBrowser {
            is_enabled: true,
            mode: PersistentBrowserMode::Never,
        }),
        ..frequency(12)
    };
    let ev = eval(
        &[
            B::new("A").session(frequency(4)).build(),
            B::new("B").session(browser).build(),
            B::new("C").session(frequency(1)).report_only().build(),
        ],
        &sign_in(APP),
    );
    assert_eq!(
        ev.session.to_string(),
        "sign-in-frequency 4 hours, persistent-browser never"
    );
    assert_eq!(
        ev.outcome,
        Outcome::Allow,
        "session-only policies require nothing"
    );
    ok(
        &ev,
        Expectation::Session(Session {
            sign_in_frequency: Some(Frequency::Hours(4)),
            ..Session::default()
        }),
    );
    ok(
        &ev,
        Expectation::Session(Session {
            persistent_browser: Some(PersistentBrowserMode::Never),
            ..Session::default()
        }),
    );
    let f = fails(
        &ev,
        Expectation::Session(Session {
            sign_in_frequency: Some(Frequency::Hours(1)),
            ..Session::default()
        }),
    );
    assert_eq!(
        f.message,
        "expected session sign-in-frequency 1 hour (merged: 4 hours); session controls from \"A\", \"B\""
    );
}

#[test]
fn unknown_policies_that_matter_give_not_enough_information() {
    let mobile_block = B::new("Block mobile").block().cond(|c| {
        c.platforms = Some(Platforms {
            include_platforms: vec![Platform::Android],
            ..Platforms::default()
        })
    });
    let ev = eval(
        &[B::new("MFA").build(), mobile_block.build()],
        &sign_in(APP),
    );
    assert_eq!(ev.undetermined, ["Block mobile"]);
    assert_eq!(
        ev.outcome.to_string(),
        "require mfa",
        "the outcome leaves unknown policies out"
    );
    let f = fails(&ev, Expectation::Require(mfa()));
    assert_eq!(f.kind, FailureKind::NotEnoughInformation);
    assert_eq!(f.missing, [Fact::Platform]);
    assert_eq!(
        f.message,
        "notEnoughInformation: whether the sign-in gets require mfa depends on \"Block mobile\" (needs `platform`); add `platform` to the scenario"
    );
    assert_eq!(
        fails(&ev, Expectation::Block).kind,
        FailureKind::NotEnoughInformation
    );
    assert_eq!(
        fails(&ev, Expectation::Applies("Block mobile".into())).kind,
        FailureKind::NotEnoughInformation
    );
    // With the fact given, the answer is definite.
    let windows = SignIn {
        platform: Some(Platform::Windows),
        ..sign_in(APP)
    };
    let ev = eval(
        &[
            B::new("MFA").build(),
            B::new("Block mobile")
                .block()
                .cond(|c| {
                    c.platforms = Some(Platforms {
                        include_platforms: vec![Platform::Android],
                        ..Platforms::default()
                    })
                })
                .build(),
        ],
        &windows,
    );
    ok(&ev, Expectation::Require(mfa()));
}

#[test]
fn an_unknown_blocker_and_an_unknown_requirement_together_are_not_enough_information() {
    let at_hq = |b: B| {
        b.cond(|c| {
            c.locations = Some(Locations {
                include_locations: strings(&[HQ]),
                ..Locations::default()
            })
        })
    };
    let ev = eval(
        &[
            at_hq(B::new("MFA at HQ")).build(),
            at_hq(B::new("Block at HQ").block()).build(),
        ],
        &sign_in(APP),
    );
    // None applying: allow; all: block; only the requirement: require mfa.
    assert_eq!(
        fails(&ev, Expectation::Require(mfa())).kind,
        FailureKind::NotEnoughInformation
    );
    assert_eq!(
        fails(&ev, Expectation::Allow).kind,
        FailureKind::NotEnoughInformation
    );
    assert_eq!(fails(&ev, Expectation::Block).missing, [Fact::Location]);
    // Whatever the location, the sign-in is never required to use a compliant device.
    let f = fails(
        &ev,
        Expectation::Require(ControlExpr::single(Control::CompliantDevice)),
    );
    assert_eq!(f.kind, FailureKind::Unmet);
    assert_eq!(
        f.message,
        "expected require compliant-device, but no applying enforced policy requires anything"
    );
}

#[test]
fn unknown_session_policies() {
    let at_hq = |b: B| {
        b.cond(|c| {
            c.locations = Some(Locations {
                include_locations: strings(&[HQ]),
                ..Locations::default()
            })
        })
    };
    let ev = eval(
        &[
            B::new("A").session(frequency(4)).build(),
            at_hq(B::new("B").session(frequency(1))).build(),
        ],
        &sign_in(APP),
    );
    let four = Session {
        sign_in_frequency: Some(Frequency::Hours(4)),
        ..Session::default()
    };
    assert_eq!(
        fails(&ev, Expectation::Session(four)).kind,
        FailureKind::NotEnoughInformation
    );
    let twelve = Session {
        sign_in_frequency: Some(Frequency::Hours(12)),
        ..Session::default()
    };
    assert_eq!(
        fails(&ev, Expectation::Session(twelve)).kind,
        FailureKind::Unmet
    );
    // The unknown policy sets no grant, so grant expectations do not depend on it.
    ok(&ev, Expectation::Allow);
}

#[test]
fn unknown_policies_that_do_not_matter_are_ignored() {
    let at_hq = B::new("MFA at HQ").cond(|c| {
        c.locations = Some(Locations {
            include_locations: strings(&[HQ]),
            ..Locations::default()
        })
    });
    let ev = eval(
        &[B::new("Block").block().build(), at_hq.build()],
        &sign_in(APP),
    );
    ok(&ev, Expectation::Block);
    // Either way mfa is required.
    let ev = eval(
        &[
            B::new("MFA").build(),
            B::new("MFA at HQ")
                .cond(|c| {
                    c.locations = Some(Locations {
                        include_locations: strings(&[HQ]),
                        ..Locations::default()
                    })
                })
                .build(),
        ],
        &sign_in(APP),
    );
    ok(&ev, Expectation::Require(mfa()));
    // An unknown report-only policy never matters.
    let ev = eval(
        &[B::new("Block?")
            .block()
            .report_only()
            .cond(|c| {
                c.locations = Some(Locations {
                    include_locations: strings(&[HQ]),
                    ..Locations::default()
                })
            })
            .build()],
        &sign_in(APP),
    );
    ok(&ev, Expectation::Allow);
}

#[test]
fn expect_applies_and_skips() {
    let ev = eval(
        &[
            B::new("Everyone").build(),
            B::new("Exchange only")
                .apps(|a| a.include_applications = strings(&[EXO]))
                .build(),
        ],
        &sign_in(APP),
    );
    ok(&ev, Expectation::Applies("Everyone".into()));
    ok(&ev, Expectation::Skips("Exchange only".into()));
    let f = fails(&ev, Expectation::Applies("Exchange only".into()));
    assert!(
        f.message
            .starts_with("expected \"Exchange only\" to apply, but it skips on application: "),
        "{}",
        f.message
    );
    let f = fails(&ev, Expectation::Skips("Everyone".into()));
    assert_eq!(f.message, "expected \"Everyone\" to skip, but it applies");
    let f = fails(&ev, Expectation::Applies("Exchange onyl".into()));
    assert_eq!(f.kind, FailureKind::UnknownPolicy);
    assert_eq!(
        f.message,
        "no policy is named \"Exchange onyl\"; did you mean `Exchange only`?"
    );
}

#[test]
fn table_and_json() {
    let ev = eval(
        &[
            B::new("CA001 MFA").build(),
            B::new("CA002 Block legacy")
                .block()
                .cond(|c| c.client_app_types = vec![ClientAppType::Other])
                .build(),
            B::new("CA003 Report").report_only().build(),
        ],
        &sign_in(APP),
    );
    let table = render_table(&ev);
    let expected = "\
policy             | state       | verdict     | reason
------------------ | ----------- | ----------- | -------------------------------------------------------------------------------
CA001 MFA          | on          | applies     |
CA002 Block legacy | on          | unknown     | notEnoughInformation: needs `client` (the policy applies only to other clients)
CA003 Report       | report-only | would apply |

outcome: require mfa
undetermined: \"CA002 Block legacy\" (enforced, but the sign-in lacks facts they need; the outcome leaves them out)
";
    assert_eq!(table, expected);
    let json = serde_json::to_value(&ev).unwrap_or_default();
    assert_eq!(json["results"][0]["verdict"], "applies");
    assert_eq!(json["results"][1]["missing"][0], "client");
    assert_eq!(json["outcome"]["outcome"], "require");
    assert_eq!(json["outcome"]["all"][0]["policy"], "CA001 MFA");
    assert_eq!(json["outcome"]["all"][0]["controls"][0], "mfa");
}
