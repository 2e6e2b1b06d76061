//! The Graph beta API's clauses: agent identities and agent users, agent risk and context,
//! Global Secure Access traffic and profiles, and the legacy device conditions. What each
//! compiles to under `--api beta`, the refusal under v1.0, the rules, and `capol fmt`'s round
//! trip.

use super::{ApiVersion, Options};
use crate::driver::{Compilation, compile_str};
use serde_json::{Value, json};

fn run(text: &str, api: ApiVersion) -> Compilation {
    compile_str(&[("t.capol", text)], None, &Options { api })
}

fn diags(c: &Compilation) -> Vec<(&'static str, String)> {
    c.diagnostics
        .items
        .iter()
        .map(|d| {
            (
                d.code,
                format!("{} | {}", d.message, d.help.clone().unwrap_or_default()),
            )
        })
        .collect()
}

/// The one policy compiled for beta, with no error.
fn beta(text: &str) -> Value {
    let c = run(text, ApiVersion::Beta);
    assert!(!c.has_errors(), "{:?}", diags(&c));
    assert_eq!(c.policies.len(), 1);
    serde_json::to_value(&c.policies[0]).unwrap()
}

const SP: &str = "service-principal Bot = 6a1e2c3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d\n";

#[test]
fn agent_identities_compile_to_client_applications_and_no_user() {
    let p = beta(&format!(
        "{SP}policy \"P\"\n for all agent-identities, all apps\n exclude agent-identity Bot\n when agent-risk high, medium\n block\n"
    ));
    let c = &p["conditions"];
    assert_eq!(c["users"], json!({"includeUsers": ["None"]}));
    assert_eq!(
        c["clientApplications"],
        json!({
            "includeAgentIdServicePrincipals": ["All"],
            "excludeAgentIdServicePrincipals": ["6a1e2c3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d"],
        })
    );
    // Flags in Graph's member order, whatever the source order.
    assert_eq!(c["agentIdRiskLevels"], json!("medium,high"));
}

#[test]
fn agent_filters_users_and_contexts() {
    let p = beta(
        "policy \"P\"\n for agent-identities where 'CustomSecurityAttribute.Ca_ok -contains \"False\"'\n for all apps\n block\n",
    );
    assert_eq!(
        p["conditions"]["clientApplications"]["agentIdServicePrincipalFilter"],
        json!({"mode": "include", "rule": "CustomSecurityAttribute.Ca_ok -contains \"False\""})
    );
    let p = beta(
        "policy \"P\"\n for all agent-users, all apps\n exclude agent-users where 'user.department -eq \"Lab\"'\n when agent-context user-sessions-from-endpoints\n require compliant-device\n",
    );
    let c = &p["conditions"];
    assert_eq!(c["users"], json!({"includeUsers": ["None"]}));
    assert_eq!(
        c["agents"],
        json!({"includeAgentUsers": ["All"], "agentFilter": {"mode": "exclude", "rule": "user.department -eq \"Lab\""}})
    );
    assert_eq!(
        c["agentContext"],
        json!({"includeAgentContexts": ["agentUserSessionsInitiatedFromEndpoints"]})
    );
    assert!(c.get("clientApplications").is_none(), "{c}");
}

#[test]
fn agent_clauses_are_beta_only_and_named() {
    for (text, word) in [
        ("for all agent-identities, all apps", "agent-identity"),
        ("for all agent-users, all apps", "agent-user"),
        (
            "for all users, all apps\n when agent-risk high",
            "agent-risk",
        ),
        (
            "for all users, all apps\n exclude agent-context user-sessions-from-endpoints",
            "agent-context",
        ),
        (
            "for all users\n for traffic-profile m365",
            "traffic-profile",
        ),
    ] {
        let c = run(&format!("policy \"P\"\n {text}\n block\n"), ApiVersion::V1);
        let d = diags(&c);
        assert!(
            d.iter()
                .any(|(code, m)| *code == "E0207" && m.contains(&format!("`{word}`"))),
            "{text}: {d:?}"
        );
    }
}

#[test]
fn agent_items_are_checked_like_other_items() {
    // Risk levels come from the table; contexts stand in `when` or `exclude`, never in `for`.
    let c = run(
        "policy \"P\"\n for all agent-users, all apps\n when agent-risk severe\n block\n",
        ApiVersion::Beta,
    );
    assert!(
        diags(&c).iter().any(|(c, _)| *c == "E0106"),
        "{:?}",
        diags(&c)
    );
    let c = run(
        "policy \"P\"\n for all agent-users, all apps, agent-context user-sessions-from-endpoints\n block\n",
        ApiVersion::Beta,
    );
    assert!(
        diags(&c).iter().any(|(c, _)| *c == "E0108"),
        "{:?}",
        diags(&c)
    );
    let c = run(
        "policy \"P\"\n for all agent-users, all apps\n exclude all agent-users\n block\n",
        ApiVersion::Beta,
    );
    assert!(
        diags(&c).iter().any(|(c, _)| *c == "E0106"),
        "{:?}",
        diags(&c)
    );
}

#[test]
fn traffic_profiles_and_access_profiles() {
    let p = beta(
        "policy \"P\"\n for all users\n exclude group 7a012a69-6e48-5f55-8957-6275528afa07\n for traffic-profile internet\n session network-access-security 11111111-2222-4333-8444-555555555555, filtering-profile 0A0B0C0D-1111-4222-8333-444455556666\n",
    );
    let a = &p["conditions"]["applications"];
    assert_eq!(
        a["networkAccess"],
        json!({"includeTrafficProfiles": "internet"})
    );
    assert_eq!(a["globalSecureAccess"], a["networkAccess"]);
    assert!(a.get("includeApplications").is_none(), "{a}");
    assert_eq!(
        p["sessionControls"],
        json!({
            "networkAccessSecurity": {"policyId": "11111111-2222-4333-8444-555555555555", "isEnabled": true},
            "globalSecureAccessFilteringProfile": {"profileId": "0a0b0c0d-1111-4222-8333-444455556666", "isEnabled": true},
        })
    );
    // Traffic is one kind of resource: not mixed with apps.
    let c = run(
        "policy \"P\"\n for all users, all apps, traffic-profile m365\n block\n",
        ApiVersion::Beta,
    );
    assert!(
        diags(&c).iter().any(|(c, _)| *c == "E0210"),
        "{:?}",
        diags(&c)
    );
    // A profile is named by its id.
    let c = run(
        "policy \"P\"\n for all users\n for traffic-profile m365\n session filtering-profile Adult\n",
        ApiVersion::Beta,
    );
    assert!(
        diags(&c).iter().any(|(c, _)| *c == "E0106"),
        "{:?}",
        diags(&c)
    );
}

const LEGACY: &str = "policy \"P\"\n for all users, all apps\n when all legacy-device-states\n exclude legacy-device-state compliant, legacy-device domain-joined\n when all legacy-devices\n require mfa\n";

#[test]
fn legacy_device_conditions_compile_faithfully_under_beta_with_a_warning() {
    let c = run(LEGACY, ApiVersion::Beta);
    assert!(!c.has_errors(), "{:?}", diags(&c));
    let p = serde_json::to_value(&c.policies[0]).unwrap();
    assert_eq!(
        p["conditions"]["deviceStates"],
        json!({"includeStates": ["All"], "excludeStates": ["Compliant"]})
    );
    assert_eq!(
        p["conditions"]["devices"],
        json!({"includeDevices": ["All"], "excludeDevices": ["DomainJoined"]})
    );
    let d = diags(&c);
    let w: Vec<_> = d.iter().filter(|(c, _)| *c == "W0021").collect();
    assert_eq!(w.len(), 1, "{d:?}");
    assert!(
        w[0].1.contains("exclude devices where 'device.isCompliant -eq True -or device.trustType -eq \"ServerAD\"'"),
        "{d:?}"
    );
}

#[test]
fn legacy_device_conditions_under_v1_say_beta_or_devices_where() {
    let c = run(LEGACY, ApiVersion::V1);
    let d = diags(&c);
    let e: Vec<_> = d.iter().filter(|(c, _)| *c == "E0207").collect();
    assert_eq!(e.len(), 1, "{d:?}");
    assert!(
        e[0].1.contains("--api beta") && e[0].1.contains("devices where"),
        "{d:?}"
    );
    assert!(c.diagnostics.items.iter().all(|d| d.primary.is_some()));
}

#[test]
fn legacy_device_values_graph_does_not_take() {
    let c = run(
        "policy \"P\"\n for all users, all apps\n when legacy-device compliant\n require mfa\n",
        ApiVersion::Beta,
    );
    let d = diags(&c);
    assert!(d.iter().any(|(c, _)| *c == "E0221"), "{d:?}");
    assert!(d.iter().all(|(c, _)| *c != "W0021"), "{d:?}");
}

#[test]
fn beta_clauses_survive_fmt() {
    for text in [
        LEGACY,
        "service-principal Bot = 6a1e2c3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d\npolicy \"P\"\n for all agent-identities, all apps\n exclude agent-identity Bot, agent-users where 'user.department -eq \"Lab\"'\n when agent-risk high, agent-context user-sessions-from-endpoints\n block\n",
        "policy \"P\"\n for all users\n for traffic-profile m365, traffic-profile internet\n session network-access-security 11111111-2222-4333-8444-555555555555\n block\n",
    ] {
        let once = crate::fmt::format(text).unwrap();
        assert_eq!(crate::fmt::format(&once).unwrap(), once, "not idempotent");
        let before = serde_json::to_value(&run(text, ApiVersion::Beta).policies).unwrap();
        let after = serde_json::to_value(&run(&once, ApiVersion::Beta).policies).unwrap();
        assert_eq!(before, after, "{once}");
        assert_ne!(before, json!([]), "{text}");
    }
}
