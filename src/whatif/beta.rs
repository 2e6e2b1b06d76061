//! The Graph beta API's conditions: agent targets and conditions, and the legacy device
//! states.
//!
//! In: a prepared policy and a sign-in. Out: one [`Check`] each. What a scenario cannot say is
//! unknown, never guessed.

use super::prepare::{Check, Prepared, lookup};
use super::signin::{DeviceFact, EvalContext, SignIn};
use super::verdict::{Fact, Reason};

/// Beta agent targets and conditions (agent identities, agent users, agent risk, agent
/// context). No scenario fact says whether a sign-in is an agent's, nor its agent risk or
/// context, so a policy that holds one has an unknown outcome; never a guess.
pub fn agents(p: &Prepared<'_>, _: &SignIn, _: &EvalContext) -> Check {
    if p.agents.is_empty() {
        return Check::Match;
    }
    Check::Unknown(
        Fact::Agent,
        format!(
            "the policy applies to {}; a scenario does not say whether the sign-in is an agent's",
            p.agents.join(", ")
        )
        .into(),
    )
}

/// The legacy device states (`deviceStates`, `devices.includeDevices` / `excludeDevices`):
/// the included state is `All`; an excluded `Compliant` is the device's `isCompliant`, an
/// excluded `DomainJoined` its `trustType` `ServerAD`. An unregistered device is neither.
/// Without a device fact, or with a device that does not give the attribute, the outcome is
/// unknown.
pub fn legacy_devices(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    let c = &p.policy.conditions;
    let states = c.device_states.as_ref();
    let devices = c.devices.as_ref();
    let excluded: Vec<&str> = states
        .map(|d| d.exclude_states.as_slice())
        .unwrap_or_default()
        .iter()
        .chain(
            devices
                .map(|d| d.exclude_devices.as_slice())
                .unwrap_or_default(),
        )
        .map(String::as_str)
        .collect();
    if excluded.is_empty() {
        return Check::Match; // `All` (or nothing) is included: every device
    }
    let Some(device) = &s.device else {
        return Check::Unknown(
            Fact::Device,
            format!(
                "the policy excludes {} devices (legacy device state)",
                excluded.join(" and ")
            )
            .into(),
        );
    };
    for state in excluded {
        let (attr, test): (&str, fn(&str) -> bool) = match state {
            "Compliant" => ("isCompliant", |v| v.eq_ignore_ascii_case("true")),
            "DomainJoined" => ("trustType", |v| v.eq_ignore_ascii_case("ServerAD")),
            _ => continue,
        };
        let value = match device {
            DeviceFact::Unregistered => None,
            DeviceFact::Attributes(a) => match lookup(a, attr) {
                Some(v) => Some(v),
                None => {
                    return Check::Unknown(
                        Fact::Device,
                        format!("the policy excludes {state} devices, and the device does not give `{attr}`").into(),
                    );
                }
            },
        };
        if value.as_deref().is_some_and(test) {
            return Check::NoMatch(
                Reason::Devices,
                format!("the device is {state}, which the policy excludes (legacy device state)")
                    .into(),
            );
        }
    }
    Check::Match
}
