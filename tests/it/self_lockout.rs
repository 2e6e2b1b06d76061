//! `capol deploy` refuses a plan that would lock out the identity running it (`"E0252"`), unless
//! `--allow-self-lockout` (`"W0043"`); warns about controls newly required of it (`"W0041"`); and
//! says when it cannot tell (`"W0042"`). Who is signed in comes from the token's claims; the
//! user's groups and roles from the fake Graph's `transitiveMemberOf`.

use crate::support::BREAK_GLASS_GROUP;
use crate::support::cli::{Project, capol, capol_as, jwt, seed_directory, writes};
use crate::support::fake_graph::{FakeGraph, TENANT};
use serde_json::json;

const DEPLOYER: &str = "5d7c0f3e-1a2b-4c3d-8e4f-5a6b7c8d9e0f";
const DEPLOYER_SP: &str = "3f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

const BLOCK_ADMINS: &str = "\
policy \"CA020 Block administrators\"
    for role GlobalAdministrator
    for all apps
    exclude group BreakGlass, user Emergency1
    block
    mode on
";

const BLOCK_DEPLOYER_SP: &str = "\
service-principal Deployer = 3f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b

policy \"CA021 Block the deployment pipeline\"
    for service-principal Deployer
    block
    mode on
";

/// A user token for the deployer, accepted by the fake; the deployer is a Global Administrator
/// (and in `extra` groups).
fn sign_in_user(fake: &FakeGraph, extra_groups: &[&str]) -> String {
    let token = jwt(&json!({
        "tid": TENANT, "oid": DEPLOYER, "idtyp": "user", "scp": "Policy.ReadWrite.ConditionalAccess",
        "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    }));
    let mut st = fake.state();
    st.tokens.push(token.clone());
    st.users.push(
        json!({"id": DEPLOYER, "userType": "Member", "userPrincipalName": "deployer@contoso.com"}),
    );
    let mut member_of = vec![json!({
        "@odata.type": "#microsoft.graph.directoryRole",
        "id": "a1b2c3d4-0000-4000-8000-000000000001",
        "roleTemplateId": GLOBAL_ADMIN,
    })];
    for g in extra_groups {
        member_of.push(json!({"@odata.type": "#microsoft.graph.group", "id": g}));
    }
    st.member_of.insert(DEPLOYER.to_string(), member_of);
    token
}

fn sign_in_app(fake: &FakeGraph) -> String {
    let token = jwt(&json!({
        "tid": TENANT, "oid": DEPLOYER_SP, "idtyp": "app", "roles": ["Policy.ReadWrite.ConditionalAccess"],
        "appid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    }));
    fake.state().tokens.push(token.clone());
    token
}

fn policy_writes(fake: &FakeGraph) -> usize {
    writes(fake)
        .iter()
        .filter(|w| w.contains("/identity/conditionalAccess/policies"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_that_locks_out_the_deploying_admin_is_refused_unless_allowed() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let token = sign_in_user(&fake, &[]);
    let p = Project::new();
    p.write("block-admins.capol", BLOCK_ADMINS);
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("[E0252]"), "{out:?}");
    assert!(
        out.stderr.contains("`CA020 Block administrators`"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains(DEPLOYER),
        "names who is signed in: {out:?}"
    );
    assert!(out.stderr.contains("scenario \"Self-lockout: "), "{out:?}");
    assert!(out.stderr.contains("expect block"), "{out:?}");
    assert!(out.stderr.contains("nothing was written"), "{out:?}");
    assert_eq!(policy_writes(&fake), 0, "{:?}", writes(&fake));
    // The memberships were read for the user the token names.
    assert!(
        fake.state()
            .count("GET", &format!("/users/{DEPLOYER}/transitiveMemberOf"))
            > 0
    );

    let out = capol_as(
        &fake,
        &p,
        &token,
        &["deploy", "pol", "--yes", "--allow-self-lockout"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("[W0043]"), "{out:?}");
    assert!(!out.stderr.contains("[E0252]"), "{out:?}");
    assert_eq!(policy_writes(&fake), 4, "{:?}", writes(&fake));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unrelated_deploy_is_not_refused_but_new_controls_are_named() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let token = sign_in_user(&fake, &[]);
    // CA001 … CA003: the deployer (a Global Administrator) is newly asked for a
    // phishing-resistant strength by CA003.
    let p = Project::new();
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("[E0252]"), "{out:?}");
    assert!(
        out.stderr.contains("[W0041] `CA003 Phishing-resistant MFA for admins` newly requires strength phishing-resistant-mfa"),
        "{out:?}"
    );
    // CA001 is report-only: nothing is required by it.
    assert!(!out.stderr.contains("[W0041] `CA001"), "{out:?}");
    assert!(out.stderr.contains("app MicrosoftGraph"), "{out:?}");
    assert_eq!(policy_writes(&fake), 3);

    // The same requirement again is not new.
    p.write("extra.capol", "policy \"CA004 Block legacy for guests\"\n    for guests, all apps\n    when client other\n    block\n    mode on\n");
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("[W0041]"), "{out:?}");
    assert!(!out.stderr.contains("[E0252]"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deployer_excluded_through_a_group_keeps_its_way_in() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let token = sign_in_user(&fake, &[BREAK_GLASS_GROUP]);
    let p = Project::new();
    p.write("block-admins.capol", BLOCK_ADMINS);
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("[E0252]"), "{out:?}");
    assert!(!out.stderr.contains("[W0041]"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workload_identity_is_checked_as_its_service_principal() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let token = sign_in_app(&fake);
    let p = Project::new();
    p.write("pipeline.capol", BLOCK_DEPLOYER_SP);
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("[E0252]"), "{out:?}");
    assert!(out.stderr.contains("service principal Deployer"), "{out:?}");
    assert!(
        out.stderr.contains("`CA021 Block the deployment pipeline`"),
        "{out:?}"
    );
    assert_eq!(policy_writes(&fake), 0);
    // No user memberships are read for a workload identity.
    assert_eq!(fake.state().count("GET", "transitiveMemberOf"), 0);
    // Another service principal's block is no lockout.
    p.write(
        "pipeline.capol",
        &BLOCK_DEPLOYER_SP.replace(DEPLOYER_SP, "1e2d3c4b-5a69-4877-8695-a4b3c2d1e0f9"),
    );
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("[E0252]"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn when_who_is_signed_in_is_unknown_the_deploy_says_so() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    // The fake's default token is not a JWT.
    let p = Project::new();
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("[W0042] self-lockout not checked"),
        "{out:?}"
    );
    // A user whose memberships cannot be read: not checked, said so, not refused.
    let token = sign_in_user(&fake, &[]);
    fake.state().member_of.clear();
    p.write("block-admins.capol", BLOCK_ADMINS);
    let out = capol_as(&fake, &p, &token, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("[W0042]"), "{out:?}");
    assert!(
        out.stderr.contains("groups and roles could not be read"),
        "{out:?}"
    );
}
