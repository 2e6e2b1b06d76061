//! plan → apply against the stateful fake Graph, with throttling, transient failures and lost
//! responses.

use crate::support::fake_graph::{FakeGraph, FaultKind, TENANT, TOKEN};
use crate::support::{BREAK_GLASS_GROUP, BREAK_GLASS_USER, client, desired, unmanaged};
use capol::deploy::{
    Action, ApplyError, ApplyOptions, EmergencyPrincipal, PlanDigest, PlanOptions, PrincipalKind,
    SavedCheck, SavedPlan, apply, apply_saved, plan, render_text,
};
use capol::graph::client::GraphClient;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

async fn plan_now(c: &GraphClient, desired: &[Value], prune: bool) -> capol::deploy::Plan {
    let tenant = c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    plan(desired, &tenant, &PlanOptions { prune }).unwrap_or_else(|e| panic!("{e}"))
}

fn names(fake: &FakeGraph) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for p in fake.policies_read() {
        *m.entry(p["displayName"].as_str().unwrap_or("").to_string())
            .or_insert(0) += 1;
    }
    m
}

fn emergency() -> ApplyOptions {
    ApplyOptions {
        lease: None,
        emergency: vec![
            EmergencyPrincipal {
                kind: PrincipalKind::Group,
                id: BREAK_GLASS_GROUP.into(),
            },
            EmergencyPrincipal {
                kind: PrincipalKind::User,
                id: BREAK_GLASS_USER.into(),
            },
        ],
    }
}

fn seed_directory(fake: &FakeGraph) {
    let mut st = fake.state();
    st.groups
        .push(json!({"id": BREAK_GLASS_GROUP, "displayName": "Break Glass Accounts"}));
    st.users.push(json!({"id": BREAK_GLASS_USER, "userPrincipalName": "bg1@contoso.onmicrosoft.com", "displayName": "Break glass 1"}));
}

#[tokio::test]
async fn deploy_converges_through_throttling_failures_and_lost_responses() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    fake.state().seed_policy(&unmanaged());
    let (c, lines) = client(&fake);

    // Listing: throttled without and with Retry-After.
    fake.fault(
        "GET",
        "/identity/conditionalAccess/policies",
        FaultKind::Throttle(None),
        1,
    );
    fake.fault(
        "GET",
        "/identity/conditionalAccess/policies",
        FaultKind::Throttle(Some(1)),
        1,
    );
    let p = plan_now(&c, &desired(), false).await;
    assert_eq!(p.creates(), 6, "{}", render_text(&p));

    // Creates: 503 (not stored), answered too late (stored), 500 after storing, 429,
    // connection cut mid-answer (stored).
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::Unavailable,
        1,
    );
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::LostAfterStore(Duration::from_millis(3000)),
        1,
    );
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::ErrorAfterStore,
        1,
    );
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::Throttle(None),
        1,
    );
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::DropAfterStore,
        1,
    );
    let report = apply(&c, &p, &emergency())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_complete(), "{}", report.render_text());
    assert_eq!(report.applied.len(), 6);

    // The tenant holds the desired set plus the hand-made policy, each exactly once.
    let n = names(&fake);
    assert_eq!(n.len(), 7, "{n:?}");
    assert!(n.values().all(|c| *c == 1), "duplicates: {n:?}");
    // 6 creates + the re-POST after the 503 + the 429 retry; never a re-POST of a stored one.
    assert_eq!(
        fake.state()
            .count("POST", "/identity/conditionalAccess/policies"),
        8
    );
    let recovered = lines
        .all()
        .iter()
        .filter(|l| l.contains("was created after all"))
        .count();
    assert_eq!(recovered, 3, "{:#?}", lines.all());
    assert!(lines.all().iter().any(|l| l.contains("throttled (429)")));

    // A second plan is empty: Graph's rewrites on read are no change.
    let again = plan_now(&c, &desired(), false).await;
    assert!(again.is_empty(), "{}", render_text(&again));
    assert_eq!(again.unchanged(), 6);
}

#[tokio::test]
async fn changed_policy_yields_exactly_one_patch() {
    let fake = FakeGraph::start().await;
    for d in desired() {
        fake.state().seed_policy(&d);
    }
    let (c, _) = client(&fake);
    let mut want = desired();
    want[1]["conditions"]["users"]["excludeGroups"] =
        json!([BREAK_GLASS_GROUP, "5d2f7e1a-0000-4000-8000-00000000abcd"]);
    let p = plan_now(&c, &want, false).await;
    assert_eq!(
        (p.updates(), p.creates(), p.deletes()),
        (1, 0, 0),
        "{}",
        render_text(&p)
    );
    let Some(Action::Update { patch, changes, .. }) = p
        .actions
        .iter()
        .find(|a| matches!(a, Action::Update { .. }))
    else {
        panic!("no update")
    };
    assert_eq!(
        patch
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["conditions".to_string()])
    );
    assert_eq!(changes[0].path, "conditions.users.excludeGroups");

    fake.state().log.clear();
    let report = apply(&c, &p, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_complete());
    let writes: Vec<(String, String)> = fake
        .state()
        .writes()
        .iter()
        .map(|l| (l.method.clone(), l.path.clone()))
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].0, "PATCH");
    assert!(plan_now(&c, &want, false).await.is_empty());
}

#[tokio::test]
async fn transient_patch_and_delete_failures_are_retried() {
    let fake = FakeGraph::start().await;
    let keep = fake.state().seed_policy(&desired()[0]);
    fake.state().seed_policy(&unmanaged());
    let (c, _) = client(&fake);
    let mut want = vec![desired()[0].clone()];
    want[0]["state"] = json!("enabled");
    let p = plan_now(&c, &want, true).await;
    fake.fault(
        "PATCH",
        "/identity/conditionalAccess/policies/",
        FaultKind::Unavailable,
        2,
    );
    fake.fault(
        "DELETE",
        "/identity/conditionalAccess/policies/",
        FaultKind::Throttle(None),
        1,
    );
    let report = apply(&c, &p, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_complete(), "{}", report.render_text());
    let left = fake.policies_read();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], json!(keep));
    assert_eq!(left[0]["state"], json!("enabled"));
}

#[tokio::test]
async fn prune_deletes_only_what_was_planned() {
    let fake = FakeGraph::start().await;
    for d in desired() {
        fake.state().seed_policy(&d);
    }
    let old = fake.state().seed_policy(&unmanaged());
    let (c, _) = client(&fake);

    let p = plan_now(&c, &desired(), false).await;
    assert!(p.is_empty());
    let p = plan_now(&c, &desired(), true).await;
    assert_eq!(p.deletes(), 1);
    assert!(render_text(&p).contains("- delete `Hand-made: MFA for Intune enrollment`"));
    fake.state().log.clear();
    let report = apply(&c, &p, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.applied.len(), 1);
    let writes: Vec<(String, String)> = fake
        .state()
        .writes()
        .iter()
        .map(|l| (l.method.clone(), l.path.clone()))
        .collect();
    assert_eq!(
        writes,
        vec![(
            "DELETE".to_string(),
            format!("/identity/conditionalAccess/policies/{old}")
        )]
    );
    assert_eq!(names(&fake).len(), 6);
}

#[tokio::test]
async fn saved_plan_is_refused_when_the_tenant_changed() {
    let fake = FakeGraph::start().await;
    let first = fake.state().seed_policy(&desired()[0]);
    let (c, _) = client(&fake);
    let mut want = desired();
    want[0]["state"] = json!("enabled");
    let listing = c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    let p = plan_now(&c, &want, false).await;
    let digest = PlanDigest {
        tenant: capol::deploy::trust::digest_tenant(&listing),
        ..Default::default()
    };
    let text = SavedPlan::new(
        p,
        want.clone(),
        PlanOptions::default(),
        "v1.0",
        TENANT.into(),
        digest,
    )
    .to_text();
    let saved = SavedPlan::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let check = SavedCheck {
        desired: want.clone(),
        ..Default::default()
    };

    // Someone edits the planned policy in the portal.
    fake.state().policies[0]["state"] = json!("disabled");
    fake.state().log.clear();
    let err = apply_saved(&c, &saved, &check, &ApplyOptions::default())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ApplyError::Refused { .. }));
    assert!(
        msg.contains("the tenant's policies changed since the plan was made")
            && msg.contains("the plan updates `Require MFA for Azure management`"),
        "{msg}"
    );
    let _ = first;
    assert!(fake.state().writes().is_empty());

    // Put it back, but a policy with a planned name appears.
    fake.state().policies[0]["state"] = json!("enabledForReportingButNotEnforced");
    fake.state().seed_policy(&desired()[1]);
    let err = apply_saved(&c, &saved, &check, &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the plan creates `Block legacy authentication`, but planning now"),
        "{err}"
    );
    assert!(fake.state().writes().is_empty());

    // A plan for another API version is refused too.
    let mut beta = saved.clone();
    beta.api_version = "beta".into();
    assert!(
        apply_saved(&c, &beta, &check, &ApplyOptions::default())
            .await
            .unwrap_err()
            .to_string()
            .contains("beta")
    );
}

#[tokio::test]
async fn missing_emergency_principal_means_nothing_is_written() {
    let fake = FakeGraph::start().await;
    fake.state()
        .users
        .push(json!({"id": BREAK_GLASS_USER, "userPrincipalName": "bg1@contoso.com"}));
    let (c, _) = client(&fake);
    let p = plan_now(&c, &desired(), false).await;
    let err = apply(&c, &p, &emergency()).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "emergency-access group {BREAK_GLASS_GROUP} does not exist"
        )),
        "{msg}"
    );
    assert!(!msg.contains(BREAK_GLASS_USER), "{msg}");
    assert!(fake.state().writes().is_empty());
    // The check went through $batch.
    assert!(
        fake.state()
            .log
            .iter()
            .any(|l| l.batched && l.path.starts_with("/groups/"))
    );

    seed_directory(&fake);
    let report = apply(&c, &p, &emergency())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.applied.len(), 6);
}

#[tokio::test]
async fn duplicate_display_names_in_the_tenant_are_an_error() {
    let fake = FakeGraph::start().await;
    let a = fake.state().seed_policy(&desired()[2]);
    let b = fake.state().seed_policy(&desired()[2]);
    let (c, _) = client(&fake);
    let tenant = c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    let err = plan(&desired(), &tenant, &PlanOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&a) && msg.contains(&b) && msg.contains("Phishing-resistant MFA for admins"),
        "{msg}"
    );
}

#[tokio::test]
async fn bad_request_stops_the_deploy_and_says_what_was_applied() {
    let fake = FakeGraph::start().await;
    let (c, _) = client(&fake);
    let p = plan_now(&c, &desired()[..4], false).await;
    fake.fault_after(
        1,
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::BadRequest("Invalid roles: '62e90394' is not a valid role template".into()),
    );
    let report = apply(&c, &p, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.is_complete());
    let text = report.render_text();
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.not_applied.len(), 2);
    assert!(
        text.contains("created `Require MFA for Azure management`"),
        "{text}"
    );
    assert!(
        text.contains("FAILED to create `Block legacy authentication`: Graph said 400 BadRequest: Invalid roles: '62e90394' is not a valid role template (request-id fake-req-"),
        "{text}"
    );
    assert!(
        text.contains("not applied: + create `Phishing-resistant MFA for admins`"),
        "{text}"
    );
    assert_eq!(names(&fake).len(), 1);
    let j = report.to_json();
    assert_eq!(j["complete"], json!(false));
    assert_eq!(j["failed"]["action"], json!("create"));
    assert_eq!(j["notApplied"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn paging_follows_next_links_and_reads_send_prefer() {
    let fake = FakeGraph::start().await;
    for i in 0..7 {
        let mut p = unmanaged();
        p["displayName"] = json!(format!("P{i}"));
        fake.state().seed_policy(&p);
    }
    let (c, _) = client(&fake);
    let all = c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 7);
    assert_eq!(
        fake.state()
            .count("GET", "/identity/conditionalAccess/policies"),
        4
    );
    let received = fake.server.received_requests().await.unwrap_or_default();
    assert!(
        received
            .iter()
            .all(|r| r.headers.get("prefer").and_then(|v| v.to_str().ok())
                == Some("include-unknown-enum-members"))
    );
    // Lost-response look-ups use $filter and escape quotes.
    let mut p = unmanaged();
    p["displayName"] = json!("Bob's policy");
    fake.state().seed_policy(&p);
    let found = c
        .find_policies_by_name("Bob's policy")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(found.len(), 1);
    let st = fake.state();
    let last = st.log.last().map(|l| l.query.clone()).unwrap_or_default();
    assert_eq!(last, "$filter=displayName%20eq%20%27Bob%27%27s%20policy%27");
}

#[tokio::test]
async fn writes_are_paced() {
    let fake = FakeGraph::start().await;
    let (c, _) = client(&fake);
    let c = c.with_write_rate(20.0);
    let p = plan_now(&c, &desired()[..4], false).await;
    let start = std::time::Instant::now();
    apply(&c, &p, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn secrets_never_appear_in_errors_or_debug() {
    let fake = FakeGraph::start().await;
    let (c, lines) = client(&fake);
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::BadRequest("nope".into()),
        1,
    );
    let p = plan_now(&c, &desired()[..1], false).await;
    let report = apply(&c, &p, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A wrong token: 401, refreshed once, then surfaced.
    let wrong = GraphClient::new(
        &fake.uri(),
        capol::graph::client::ApiVersion::V1,
        capol::graph::auth::StaticTokenCredential::new("wrong-token-secret-99"),
        "https://graph.microsoft.com/.default",
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .with_retry(crate::support::fast_retry());
    let e = wrong.list_policies().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    let everything = format!(
        "{c:?} {wrong:?} {e} {e:?} {} {report:?} {:?} {}",
        report.render_text(),
        lines.all(),
        serde_json::to_string(&p).unwrap_or_default()
    );
    for secret in [TOKEN, "wrong-token-secret-99", "Bearer"] {
        assert!(!everything.contains(secret), "`{secret}` leaked");
    }
    assert!(
        everything.contains("Graph said 401 InvalidAuthenticationToken"),
        "{everything}"
    );
}

#[tokio::test]
async fn a_lost_create_is_found_even_when_the_name_filter_is_refused() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let (c, _lines) = client(&fake);
    let desired = desired();
    let p = plan_now(&c, &desired[..1], false).await;
    assert_eq!(p.creates(), 1);
    // The create is stored but its answer is lost; the look-up by `$filter` is then refused
    // (400), so the client reads the whole list instead and finds the policy.
    fake.fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::DropAfterStore,
        1,
    );
    // (The first GET is apply's own check that the tenant still looks as planned.)
    fake.fault_after(
        1,
        "GET",
        "/identity/conditionalAccess/policies",
        FaultKind::BadRequest("filter not supported".into()),
    );
    let report = apply(&c, &p, &emergency())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.is_complete(), "{}", report.render_text());
    let n = names(&fake);
    assert!(n.values().all(|c| *c == 1), "duplicates: {n:?}");
    assert_eq!(
        fake.state()
            .count("POST", "/identity/conditionalAccess/policies"),
        1,
        "the stored policy is never POSTed again"
    );
}
