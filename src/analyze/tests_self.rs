//! Self-lockout: the deploying identity's ways into Microsoft Graph and the admin portals.

use super::self_access::{self, Identity, SelfAccess};
use super::tests::compile;
use crate::whatif::EvalContext;

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const ME: &str = "5d7c0f3e-1a2b-4c3d-8e4f-5a6b7c8d9e0f";

fn admin(groups: &[&str]) -> Identity {
    Identity::User {
        id: ME.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        roles: vec![GA.into()],
        guest: false,
    }
}

fn check(before: &str, after: &str, who: &Identity) -> SelfAccess {
    let (b, a) = (compile(before), compile(after));
    for c in [&b, &a] {
        let errors: Vec<&str> = c
            .diagnostics
            .items
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let ctx = EvalContext {
        trusted_locations: a.set.trusted_locations.clone(),
        names: a.set.names_by_id.clone(),
        ..Default::default()
    };
    self_access::check(&b.policies, &a.policies, &ctx, who).unwrap_or_default()
}

fn block(when: &str) -> String {
    format!(
        "policy \"CA020 Block admins\"\n    for role GlobalAdministrator, all apps\n    exclude group BreakGlass\n{when}    block\n    mode on\n"
    )
}

#[test]
fn blocking_every_way_in_is_a_lockout_naming_the_policy() {
    let r = check("", &block(""), &admin(&[]));
    let l = r.lockout.unwrap_or_else(|| panic!("no lockout"));
    assert_eq!(l.policies, vec!["CA020 Block admins".to_string()]);
    assert!(l.scenario.contains("app MicrosoftGraph"), "{}", l.scenario);
    assert!(l.scenario.contains("expect block"), "{}", l.scenario);
    // Browser and modern clients both blocked is enough; legacy clients are no way in.
    let r = check(
        "",
        &block("    when client browser, mobile-desktop\n"),
        &admin(&[]),
    );
    assert!(r.lockout.is_some());
}

#[test]
fn a_narrowed_block_leaves_a_way_in() {
    for when in [
        "    when client exchange-activesync, other\n",
        "    when platform ios\n",
        "    when location any\n    exclude location HQ\n",
        "    when sign-in-risk high\n",
        "    when client browser\n",
    ] {
        let r = check("", &block(when), &admin(&[]));
        assert!(r.lockout.is_none(), "{when}");
    }
    // Excluded through a group, or not an administrator at all.
    let bg = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";
    assert!(check("", &block(""), &admin(&[bg])).lockout.is_none());
    let nobody = Identity::User {
        id: ME.into(),
        groups: vec![],
        roles: vec![],
        guest: false,
    };
    assert!(check("", &block(""), &nobody).lockout.is_none());
}

#[test]
fn blocking_only_graph_leaves_the_portals() {
    let p = "policy \"CA021 Block Graph\"\n    for all users, app MicrosoftGraph\n    exclude group BreakGlass\n    block\n    mode on\n";
    assert!(check("", p, &admin(&[])).lockout.is_none());
}

#[test]
fn new_requirements_are_named_once_and_only_when_new() {
    let mfa = "policy \"CA001 MFA\"\n    for all users, all apps\n    exclude group BreakGlass\n    require mfa\n    mode on\n";
    let r = check("", mfa, &admin(&[]));
    assert!(r.lockout.is_none());
    assert_eq!(r.new_requirements.len(), 1);
    assert_eq!(r.new_requirements[0].policy, "CA001 MFA");
    assert_eq!(r.new_requirements[0].requires, "mfa");
    assert!(
        r.new_requirements[0]
            .scenario
            .contains("expect require mfa")
    );
    assert!(check(mfa, mfa, &admin(&[])).new_requirements.is_empty());
    // Report-only requires nothing.
    let ro = mfa.replace("mode on", "mode report-only");
    assert!(check("", &ro, &admin(&[])).new_requirements.is_empty());
}

#[test]
fn a_workload_identity_is_its_service_principal() {
    let sp = "3f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    let other = "1e2d3c4b-5a69-4877-8695-a4b3c2d1e0f9";
    let p = format!(
        "service-principal Deployer = {sp}\npolicy \"CA030 Block the pipeline\"\n    for service-principal Deployer\n    block\n    mode on\n"
    );
    let me = Identity::ServicePrincipal { id: sp.into() };
    assert!(check("", &p, &me).lockout.is_some());
    let them = Identity::ServicePrincipal { id: other.into() };
    assert!(check("", &p, &them).lockout.is_none());
    // Only from outside a location: a way in remains.
    let narrowed = p.replace(
        "    block\n",
        "    when location any\n    exclude location HQ\n    block\n",
    );
    assert!(check("", &narrowed, &me).lockout.is_none());
}
