//! The real `capol` binary's `resolve`, `plan` and `deploy` against the stateful fake Graph:
//! exit codes, what is printed, what reaches the tenant, and that the token never shows.

use crate::support::cli::{
    CA001, CA002, Project, capol, capol_in, capol_on_terminal, names, seed_directory, writes,
};
use crate::support::fake_graph::{FakeGraph, FaultKind, TENANT};
use crate::support::{BREAK_GLASS_GROUP, BREAK_GLASS_USER, unmanaged};
use capol::deploy::canonical;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The compiled policies, by display name (through the binary, as a user would see them).
async fn compiled(fake: &FakeGraph, p: &Project) -> BTreeMap<String, Value> {
    let out = capol(fake, p, &["compile", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let list: Vec<Value> = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    list.into_iter()
        .map(|v| (v["displayName"].as_str().unwrap_or("").to_string(), v))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_on_an_empty_tenant_lists_creates() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode", "-v"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    for name in [
        "CA001 Require MFA for Azure management",
        "CA002 Block legacy authentication",
        "CA003 Phishing-resistant MFA for admins",
    ] {
        assert!(
            out.stdout.contains(&format!("+ create `{name}`")),
            "{out:?}"
        );
    }
    assert!(
        out.stdout
            .contains("Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged."),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("signed in with: access token from CAPOL_ACCESS_TOKEN"),
        "{out:?}"
    );
    assert!(writes(&fake).is_empty());

    // Without -v: no word about the credential; without --detailed-exitcode: 0.
    let out = capol(&fake, &p, &["plan", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("signed in with"), "{out:?}");

    // JSON on stdout.
    let out = capol(&fake, &p, &["plan", "pol", "--format", "json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(j["summary"]["create"], json!(3));
    assert_eq!(j["actions"][0]["action"], json!("create"));
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_failures_exit_3_without_showing_the_token() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    // The token is refused (401, and again after a fresh one).
    fake.state().tokens = vec!["another-token".into()];
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("401") && out.stderr.contains("InvalidAuthenticationToken"),
        "{out:?}"
    );
    // Plain http to anything but loopback is refused before a request is made: a usage error.
    let out = capol(
        &fake,
        &p,
        &["plan", "pol", "--graph-url", "http://graph.example.com"],
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("refusing plain http"), "{out:?}");
    // A sign-in method whose settings are missing says what is missing.
    let out = capol(&fake, &p, &["resolve", "pol", "--auth", "client-secret"]).await;
    assert_eq!(
        out.code, 0,
        "nothing to look up, no sign-in needed: {out:?}"
    );
    p.write(
        "extra.capol",
        "policy \"X\" for group Finance for all apps require mfa\n",
    );
    let out = capol(&fake, &p, &["resolve", "pol", "--auth", "client-secret"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("--auth client-secret"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_converges_then_plans_no_changes_then_patches_one_policy() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    fake.state().seed_policy(&unmanaged());
    let p = Project::new();

    // Listing throttled; a create refused with 503, one stored but its answer cut off, one
    // stored but answered 500, one throttled.
    let policies = "/identity/conditionalAccess/policies";
    fake.fault("GET", policies, FaultKind::Throttle(Some(0)), 1);
    fake.fault("POST", policies, FaultKind::Unavailable, 1);
    fake.fault("POST", policies, FaultKind::DropAfterStore, 1);
    fake.fault("POST", policies, FaultKind::ErrorAfterStore, 1);
    fake.fault("POST", policies, FaultKind::Throttle(None), 1);
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("3 written, 0 unchanged"), "{out:?}");
    assert!(out.stderr.contains("was created after all"), "{out:?}");
    assert!(
        out.stderr
            .contains("checking 2 emergency-access principal(s) exist"),
        "{out:?}"
    );

    // The tenant holds the sources, once each, and the hand-made policy (no --prune).
    let n = names(&fake);
    assert_eq!(n.len(), 4, "{n:?}");
    assert!(n.values().all(|c| *c == 1), "duplicates: {n:?}");
    let want = compiled(&fake, &p).await;
    for t in fake.policies_read() {
        let name = t["displayName"].as_str().unwrap_or("");
        if let Some(w) = want.get(name) {
            let mut t = canonical(&t);
            if let Some(o) = t.as_object_mut() {
                o.retain(|k, _| w.get(k).is_some());
            }
            assert_eq!(t, canonical(w), "{name}");
        }
    }

    // Again: nothing to do.
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("No changes"), "{out:?}");
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("No changes"), "{out:?}");

    // One policy changed in the sources: one field, one PATCH.
    p.write(
        "azure-management.capol",
        &CA001.replace("mode report-only", "mode on"),
    );
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stdout
            .contains("~ update `CA001 Require MFA for Azure management`")
            && out.stdout.contains("    mode report-only → on (state)\n"),
        "{out:?}"
    );
    assert!(out.stdout.contains("0 to create, 1 to update"), "{out:?}");

    // Ids in a changed field are named after the sources.
    p.write(
        "legacy.capol",
        &CA002.replace(
            "exclude group BreakGlass, user Emergency1",
            "exclude group BreakGlass, user Emergency1, app AzureServiceManagement",
        ),
    );
    let out = capol(&fake, &p, &["plan", "pol"]).await;
    assert!(
        out.stdout.contains(
            "    exclude app (conditions.applications.excludeApplications): (absent) → [\"797f4846-ba00-4fd7-ba43-dac1f8f63013\"]\n      (797f4846-ba00-4fd7-ba43-dac1f8f63013 is app AzureServiceManagement)\n"
        ),
        "{out:?}"
    );
    p.write("legacy.capol", CA002);
    let before = writes(&fake).len();
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let new: Vec<String> = writes(&fake)[before..].to_vec();
    assert_eq!(new.len(), 1, "{new:?}");
    assert!(new[0].starts_with("PATCH /identity/conditionalAccess/policies/"));
    assert!(out.stdout.contains("1 written, 2 unchanged"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_deletes_only_the_listed_extras() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let extra = fake.state().seed_policy(&unmanaged());
    let mut other = unmanaged();
    other["displayName"] = json!("Hand-made: block Linux");
    let extra2 = fake.state().seed_policy(&other);

    let out = capol(&fake, &p, &["plan", "pol", "--prune"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!(
            "- delete `Hand-made: MFA for Intune enrollment` ({extra})"
        )),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("0 to create, 0 to update, 2 to delete, 3 unchanged")
    );

    let before = writes(&fake).len();
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--prune", "--yes", "--format", "json"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(j["plan"]["summary"]["delete"], json!(2));
    assert_eq!(j["report"]["complete"], json!(true));
    assert_eq!(j["report"]["applied"][0]["what"], json!("deleted"));
    let mut new: Vec<String> = writes(&fake)[before..].to_vec();
    new.sort();
    let mut want = vec![
        format!("DELETE /identity/conditionalAccess/policies/{extra}"),
        format!("DELETE /identity/conditionalAccess/policies/{extra2}"),
    ];
    want.sort();
    assert_eq!(new, want);
    assert_eq!(names(&fake).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_plan_is_applied_and_refused_when_stale() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let out = capol(&fake, &p, &["plan", "pol", "--out", "plan.json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("plan saved to plan.json"), "{out:?}");
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(p.dir().join("plan.json")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved["apiVersion"], json!("v1.0"));

    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--plan", "plan.json", "--yes"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(names(&fake).len(), 3);

    // A second plan, then someone changes a planned policy in the portal.
    p.write(
        "legacy.capol",
        &CA002.replace("exchange-activesync, other", "other"),
    );
    let out = capol(&fake, &p, &["plan", "pol", "--out", "plan2.json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("when client exchange-activesync, other → other (conditions.clientAppTypes)"),
        "{out:?}"
    );
    {
        let mut st = fake.state();
        let legacy = st
            .policies
            .iter_mut()
            .find(|x| x["displayName"] == json!("CA002 Block legacy authentication"));
        if let Some(x) = legacy {
            x["state"] = json!("disabled");
        }
    }
    let before = writes(&fake).len();
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--plan", "plan2.json", "--yes"],
    )
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr
            .contains("the tenant's policies changed since the plan was made"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("`CA002 Block legacy authentication`"),
        "{out:?}"
    );
    assert_eq!(writes(&fake).len(), before);

    // A plan made from other sources than the ones given is refused, nothing written.
    p.write("legacy.capol", CA002);
    let requests = writes(&fake).len();
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--plan", "plan2.json", "--yes"],
    )
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("[E0531]")
            && out
                .stderr
                .contains("CA002 Block legacy authentication` changed"),
        "{out:?}"
    );
    assert_eq!(writes(&fake).len(), requests);

    // Not a plan file: usage.
    std::fs::write(p.dir().join("junk.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--plan", "junk.json", "--yes"],
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("not a capol plan file"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_without_a_terminal_needs_yes_and_never_reads_stdin() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let out = capol_in(&fake, p.dir(), &["deploy", "pol"], "yes\n").await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("pass --yes"), "{out:?}");
    assert!(fake.state().log.is_empty(), "Graph was asked");
    assert!(names(&fake).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_on_a_terminal_asks_and_goes_on_only_with_yes() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let Some(out) = capol_on_terminal(&fake, p.dir(), "deploy pol", "no\n").await else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stdout
            .contains("Deploy 3 changes to the tenant at http://127.0.0.1:")
            && out.stdout.contains("Only `yes` is accepted")
            && out.stdout.contains("not confirmed; nothing was written"),
        "{out:?}"
    );
    assert!(writes(&fake).is_empty());
    let out = capol_on_terminal(
        &fake,
        p.dir(),
        "deploy pol --max-writes-per-second 0",
        "yes\n",
    )
    .await
    .unwrap_or_else(|| panic!("script vanished"));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("3 written, 0 unchanged"), "{out:?}");
    assert_eq!(names(&fake).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_emergency_principal_means_nothing_is_written() {
    let fake = FakeGraph::start().await;
    // The break-glass group exists, the account does not.
    fake.state()
        .groups
        .push(json!({"id": BREAK_GLASS_GROUP, "displayName": "Break Glass Accounts"}));
    let p = Project::new();
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "emergency-access user {BREAK_GLASS_USER} does not exist in the tenant"
        )) && out.stderr.contains("nothing was written"),
        "{out:?}"
    );
    assert!(writes(&fake).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn mode_on_reaching_emergency_access_is_an_error_and_nothing_is_sent() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    // CA002 in `mode on` for all users, no longer excluding the break-glass account.
    let unsafe_src = CA002.replace(
        "exclude group BreakGlass, user Emergency1",
        "exclude group BreakGlass",
    );
    p.write("legacy.capol", &unsafe_src);
    for args in [
        &["deploy", "pol", "--yes"][..],
        &["plan", "pol", "--detailed-exitcode"][..],
    ] {
        let out = capol(&fake, &p, args).await;
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("[E0209] Error")
                && out.stderr.contains("does not exclude one of them"),
            "{out:?}"
        );
    }
    assert!(fake.state().log.is_empty(), "Graph was asked");

    // In report-only it is a warning, and the plan goes ahead.
    p.write(
        "legacy.capol",
        &unsafe_src.replace("mode on", "mode report-only"),
    );
    let out = capol(&fake, &p, &["plan", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("[W0003] Warning"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_write_says_what_was_and_was_not_applied() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    // The first POST is the deploy lease's marker, the second the first policy.
    fake.fault_after(
        2,
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::BadRequest("Invalid conditions".into()),
    );
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stdout
            .contains("created `CA001 Require MFA for Azure management` (")
            && out.stdout.contains(
                "FAILED to create `CA002 Block legacy authentication`: Graph said 400 BadRequest: Invalid conditions (request-id fake-req-"
            )
            && out
                .stdout
                .contains("not applied: + create `CA003 Phishing-resistant MFA for admins`")
            && out.stdout.contains("1 written, 0 unchanged, 1 failed, 1 not applied"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("deploy stopped at the first failed write"),
        "{out:?}"
    );
    assert_eq!(names(&fake).len(), 1);

    // Fixed: deploy again, the first shows as unchanged.
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("2 written, 1 unchanged"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tenant_policies_with_one_name_are_an_error() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    let mut body = unmanaged();
    body["displayName"] = json!("CA002 Block legacy authentication");
    let a = fake.state().seed_policy(&body);
    let b = fake.state().seed_policy(&body);
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "the tenant has 2 policies named `CA002 Block legacy authentication` ({a}, {b})"
        )),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_beta_sends_to_the_beta_endpoint() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    // A plan saved through v1.0 is not applied through beta.
    let out = capol(&fake, &p, &["plan", "pol", "--out", "v1.json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let args = ["deploy", "pol", "--api", "beta", "--yes", "-v"];
    let out = capol(&fake, &p, &[&args[..], &["--plan", "v1.json"]].concat()).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains(
            "the plan was made with Graph v1.0 but this deploy uses beta; plan again or pass --api v1.0"
        ),
        "{out:?}"
    );
    assert!(writes(&fake).is_empty());

    let seen = fake
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .len();
    let out = capol(
        &fake,
        &p,
        &[&args[..], &["--max-writes-per-second", "0"]].concat(),
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("Graph at http://127.0.0.1:"), "{out:?}");
    assert!(out.stderr.contains("/beta\n"), "{out:?}");
    let received = fake.server.received_requests().await.unwrap_or_default();
    let paths: Vec<String> = received[seen..]
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert!(paths.len() >= 4, "{paths:?}");
    assert!(paths.iter().all(|p| p.starts_with("/beta/")), "{paths:?}");
    assert_eq!(names(&fake).len(), 3);

    // `--api-version` is not an option of its own: `--api` is the one.
    let out = capol(&fake, &p, &["plan", "pol", "--api-version", "beta"]).await;
    assert_eq!(out.code, 2, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn resolve_writes_a_lock_that_makes_the_sources_compile() {
    let fake = FakeGraph::start().await;
    {
        let mut st = fake.state();
        st.groups
            .push(json!({"id": BREAK_GLASS_GROUP, "displayName": "Break Glass Accounts"}));
        st.groups
            .push(json!({"id": "11111111-2222-4333-8444-555555555555", "displayName": "Finance"}));
        st.users.push(json!({"id": "22222222-3333-4444-8555-666666666666", "userPrincipalName": "alice@contoso.com", "displayName": "Alice"}));
        st.users.push(
            json!({"id": BREAK_GLASS_USER, "userPrincipalName": "bg1@contoso.onmicrosoft.com"}),
        );
        st.named_locations.push(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "33333333-4444-4555-8666-777777777777", "displayName": "HQ", "isTrusted": true}));
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pol = dir.path().join("pol");
    std::fs::create_dir_all(&pol).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        pol.join("a.capol"),
        "user Emergency = bg1@contoso.onmicrosoft.com\n\
         emergency group \"Break Glass Accounts\"\n\
         emergency user Emergency\n\
         policy \"Finance MFA\"\n\
         \x20   for group Finance, user alice@contoso.com\n\
         \x20   for all apps\n\
         \x20   exclude group \"Break Glass Accounts\", user Emergency\n\
         \x20   exclude location HQ\n\
         \x20   require mfa\n\
         \x20   mode on\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // A lock with an entry the sources no longer use: kept.
    std::fs::write(
        pol.join("capol.lock"),
        format!(
            "{{\"version\": 1, \"tenantId\": \"{TENANT}\", \"entries\": {{\"group\": {{\"Old\": {{\"id\": \"44444444-5555-4666-8777-888888888888\"}}}}}}}}\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let out = capol_in(&fake, dir.path(), &["check", "pol"], "").await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("E0107"), "{out:?}");

    let out = capol_in(&fake, dir.path(), &["resolve", "pol"], "").await;
    assert_eq!(out.code, 0, "{out:?}");
    for line in [
        format!("+ group `Break Glass Accounts` = {BREAK_GLASS_GROUP}"),
        "+ group `Finance` = 11111111-2222-4333-8444-555555555555".into(),
        "+ location `HQ` = 33333333-4444-4555-8666-777777777777".into(),
        "+ user `alice@contoso.com` = 22222222-3333-4444-8555-666666666666".into(),
        format!("+ user `bg1@contoso.onmicrosoft.com` = {BREAK_GLASS_USER}"),
    ] {
        assert!(out.stdout.contains(&line), "{line}: {out:?}");
    }
    assert!(
        out.stderr.contains("5 names looked up, 5 added, 0 changed"),
        "{out:?}"
    );
    let lock = std::fs::read_to_string(pol.join("capol.lock")).unwrap_or_default();
    assert!(
        lock.contains("\"Old\"") && lock.contains("alice@contoso.com"),
        "{lock}"
    );

    let out = capol_in(&fake, dir.path(), &["check", "pol"], "").await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = capol_in(&fake, dir.path(), &["compile", "pol"], "").await;
    assert!(
        out.stdout.contains("22222222-3333-4444-8555-666666666666"),
        "{out:?}"
    );

    // Resolving again changes nothing; a misspelt name is shown where it is written.
    let out = capol_in(&fake, dir.path(), &["resolve", "pol"], "").await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("0 added, 0 changed"), "{out:?}");
    std::fs::write(
        pol.join("b.capol"),
        "policy \"B\" for group Finanse for all apps require mfa\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = std::fs::read_to_string(pol.join("capol.lock")).unwrap_or_default();
    let out = capol_in(&fake, dir.path(), &["resolve", "pol"], "").await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("error: no group named `Finanse` in the tenant; did you mean `Finance`?")
            && out.stderr.contains("--> pol/b.capol:1:22"),
        "{out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(pol.join("capol.lock")).unwrap_or_default(),
        before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn import_from_the_tenant_then_plan_shows_no_changes() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    // The tenant holds policies made elsewhere (as Graph stores them), and a corpus policy.
    fake.state().seed_policy(&unmanaged());
    let corpus = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/003-graph-v1-all-conditions-and-controls.json"
    ))
    .unwrap();
    let mut corpus: Value = serde_json::from_str(&corpus).unwrap();
    corpus["displayName"] = Value::String("Imported kitchen sink".into());
    fake.state().seed_policy(&corpus);
    let p = Project::new();
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");

    // Import every policy of the tenant into fresh source …
    let out = capol(&fake, &p, &["import", "--from-tenant", "-o", "adopted"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let names = std::fs::read_to_string(p.dir().join("adopted/names.capol")).unwrap();
    assert!(
        names.contains("BreakGlassAccounts"),
        "declarations are named after the tenant's display names: {names}"
    );
    // … which compiles, and plans as no change against the same tenant.
    let out = capol(&fake, &p, &["check", "adopted"]).await;
    assert!(!out.stderr.contains("Error"), "{out:?}");
    let out = capol(&fake, &p, &["plan", "adopted", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "the plan after an import is empty: {out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_a_condition_clears_it_in_the_tenant() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let with = CA002.replace(
        "    when client exchange-activesync, other\n",
        "    when client exchange-activesync, other\n    when location any\n    exclude location trusted\n    exclude app AzureServiceManagement\n",
    );
    p.write("legacy.capol", &with);
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");

    // The location condition and the app exclusion are removed from the source. The fake merges
    // PATCH bodies into nested objects, as Graph does: only explicit clears remove them.
    p.write("legacy.capol", CA002);
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let patch = fake
        .state()
        .writes()
        .iter()
        .rev()
        .find(|l| l.method == "PATCH")
        .and_then(|l| l.body.clone())
        .unwrap();
    assert_eq!(patch["conditions"]["locations"], Value::Null, "{patch}");
    assert_eq!(
        patch["conditions"]["applications"]["excludeApplications"],
        json!([]),
        "{patch}"
    );
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "the removal reached the tenant: {out:?}");
}

/// A Microsoft-managed policy as the tenant holds it (corpus 097's shape, trimmed).
fn microsoft_managed() -> Value {
    json!({
        "templateId": "4200930c-0da2-4e33-ca01-000000000000",
        "displayName": "Microsoft-managed: Multifactor authentication for admins accessing Microsoft Admin Portals",
        "state": "disabled",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["MicrosoftAdminPortals"]},
            "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_leaves_microsoft_managed_policies_and_a_pruned_policy_comes_back_new() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let managed = fake.state().seed_policy(&microsoft_managed());
    let p = Project::new();
    let out = capol(&fake, &p, &["deploy", "pol", "--prune", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("left alone: `Microsoft-managed: Multifactor authentication for admins"),
        "{out:?}"
    );
    assert!(
        !writes(&fake).iter().any(|w| w.contains(&managed)),
        "the Microsoft-managed policy was written: {:?}",
        writes(&fake)
    );
    let j: Value = serde_json::from_str(
        &capol(&fake, &p, &["plan", "pol", "--prune", "--format", "json"])
            .await
            .stdout,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(j["summary"]["delete"], json!(0), "{j}");
    assert_eq!(j["kept"].as_array().map(Vec::len), Some(1), "{j}");

    // CA002 leaves the sources and is pruned: Graph keeps it among the deleted items, and the
    // plan said how to restore it.
    const LEGACY: &str = "CA002 Block legacy authentication";
    std::fs::remove_file(p.pol().join("legacy.capol")).unwrap_or_default();
    let out = capol(&fake, &p, &["deploy", "pol", "--prune", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(&format!("- delete `{LEGACY}`")),
        "{out:?}"
    );
    assert!(out.stdout.contains("restorable for 30 days"), "{out:?}");
    let deleted: Vec<Value> = fake
        .state()
        .deleted_policies
        .iter()
        .filter(|x| x["displayName"] == json!(LEGACY))
        .cloned()
        .collect();
    assert_eq!(deleted.len(), 1, "{:?}", fake.state().deleted_policies);
    let deleted_id = deleted[0]["id"].clone();
    // Written again, it is created anew: one live copy, a new id, nothing in its way.
    p.write("legacy.capol", CA002);
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(names(&fake).get(LEGACY), Some(&1), "{:?}", names(&fake));
    let live: Vec<Value> = fake
        .policies_read()
        .into_iter()
        .filter(|x| x["displayName"] == json!(LEGACY))
        .collect();
    assert_ne!(live[0]["id"], deleted_id);
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "{out:?}");
}
