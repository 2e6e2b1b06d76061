//! What-if on the Graph beta API's conditions, from compiled source: agent targets and
//! conditions and Global Secure Access traffic are unknown (no scenario fact says them); the
//! legacy device states are decided from the device's `isCompliant` / `trustType` when the
//! scenario gives them, and unknown otherwise.

use super::test_support::*;
use super::*;
use crate::check::{ApiVersion, Options};
use std::collections::BTreeMap;

fn compiled(text: &str) -> Vec<Policy> {
    let c = crate::driver::compile_str(
        &[("t.capol", text)],
        None,
        &Options {
            api: ApiVersion::Beta,
        },
    );
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    c.policies
}

fn verdict(text: &str, s: &SignIn) -> Verdict {
    eval(&compiled(text), s)
        .results
        .into_iter()
        .next()
        .map(|r| r.verdict)
        .unwrap_or(Verdict::Applies)
}

fn device(pairs: &[(&str, &str)]) -> SignIn {
    SignIn {
        device: Some(DeviceFact::Attributes(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        )),
        ..sign_in(APP)
    }
}

#[test]
fn agent_policies_are_unknown_for_any_scenario() {
    for text in [
        "policy \"A\"\n for all agent-identities, all apps\n block\n mode on\n",
        "policy \"A\"\n for all agent-users, all apps\n require compliant-device\n mode on\n",
    ] {
        for s in [
            sign_in(APP),
            SignIn {
                user: None,
                service_principal: Some(SP.into()),
                ..sign_in(APP)
            },
        ] {
            let v = verdict(text, &s);
            assert_eq!(missing(&v), [Fact::Agent], "{text}: {v:?}");
            assert!(detail(&v).contains("agent"), "{}", detail(&v));
        }
    }
    let v = verdict(
        "policy \"A\"\n for all users, all apps\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n when agent-risk high\n block\n mode on\n",
        &sign_in(APP),
    );
    assert_eq!(missing(&v), [Fact::Agent], "{v:?}");
    assert!(detail(&v).contains("agent risk high"), "{}", detail(&v));
    // A policy for users with an agent condition: a service principal is still no user.
    let v = verdict(
        "policy \"A\"\n for all users, all apps\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n when agent-risk high\n block\n mode on\n",
        &SignIn {
            user: None,
            service_principal: Some(SP.into()),
            ..sign_in(APP)
        },
    );
    assert_eq!(reason(&v), Some(Reason::Users), "{v:?}");
    // A policy for people, with no agent condition, is decided as before.
    let v = verdict(
        "policy \"U\"\n for user aaaaaaaa-0000-0000-0000-000000000001, all apps\n block\n mode on\n",
        &sign_in(APP),
    );
    assert_eq!(v, Verdict::Applies);
}

#[test]
fn traffic_profiles_are_unknown() {
    let v = verdict(
        "policy \"G\"\n for all users\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n for traffic-profile m365\n require mfa\n mode on\n",
        &sign_in(APP),
    );
    assert_eq!(missing(&v), [Fact::App], "{v:?}");
    assert!(detail(&v).contains("m365"), "{}", detail(&v));
}

#[test]
fn legacy_device_states_decide_from_the_device() {
    let text = "policy \"L\"\n for all users, all apps\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n when all legacy-device-states\n exclude legacy-device-state compliant\n require mfa\n mode on\n";
    assert_eq!(
        missing(&verdict(text, &sign_in(APP))),
        [Fact::Device],
        "no device fact"
    );
    let v = verdict(text, &device(&[("isCompliant", "True")]));
    assert_eq!(reason(&v), Some(Reason::Devices), "{v:?}");
    assert_eq!(
        verdict(text, &device(&[("isCompliant", "False")])),
        Verdict::Applies
    );
    let unregistered = SignIn {
        device: Some(DeviceFact::Unregistered),
        ..sign_in(APP)
    };
    assert_eq!(verdict(text, &unregistered), Verdict::Applies);
    // A device that does not say whether it is compliant.
    assert_eq!(
        missing(&verdict(text, &device(&[("trustType", "AzureAD")]))),
        [Fact::Device]
    );
    // `devices.excludeDevices` DomainJoined: the trust type.
    let text = "policy \"L\"\n for all users, all apps\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n when all legacy-devices\n exclude legacy-device domain-joined\n require mfa\n mode on\n";
    let v = verdict(text, &device(&[("trustType", "ServerAD")]));
    assert_eq!(reason(&v), Some(Reason::Devices), "{v:?}");
    assert_eq!(
        verdict(text, &device(&[("trustType", "AzureAD")])),
        Verdict::Applies
    );
}

#[test]
fn access_profiles_of_every_applying_policy_add_up() {
    let text = "policy \"A\"\n for all users\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n for all apps\n session filtering-profile 22222222-0000-4000-8000-000000000002\n mode on\npolicy \"B\"\n for all users\n exclude group bbbbbbbb-0000-0000-0000-000000000002\n for all apps\n session filtering-profile 11111111-0000-4000-8000-000000000001, network-access-security 33333333-0000-4000-8000-000000000003\n mode on\n";
    let ev = eval(&compiled(text), &sign_in(APP));
    let s = ev.session.to_string();
    assert_eq!(
        s,
        "network-access-security 33333333-0000-4000-8000-000000000003, filtering-profile 11111111-0000-4000-8000-000000000001, filtering-profile 22222222-0000-4000-8000-000000000002"
    );
}
