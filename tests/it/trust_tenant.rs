//! The tenant side as an attacker, or a second CI job, would try it: two deploys at once, a lock
//! file of another tenant, an edited saved plan, redirects to another origin, endless page
//! chains, a refused Graph URL. Against the local fakes only.

use crate::support::cli::{Project, capol, names, seed_directory, writes};
use crate::support::fake_graph::{FakeGraph, TENANT, TOKEN};
use capol::graph::auth::StaticTokenCredential;
use capol::graph::client::{ApiVersion, GraphClient};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Whether `text` carries the refusal `code` (`[E0530] …`).
fn coded(text: &str, code: &str) -> bool {
    text.contains(&format!("[{code}]"))
}

const OTHER_TENANT: &str = "99999999-2b7d-4c1e-9a3f-1d2e3f4a5b6c";

fn client_for(uri: &str) -> GraphClient {
    GraphClient::new(
        uri,
        ApiVersion::V1,
        StaticTokenCredential::new(TOKEN),
        "https://graph.microsoft.com/.default",
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .with_retry(crate::support::fast_retry())
    .with_write_rate(0.0)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_deploys_started_together_create_each_policy_once() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let args = ["deploy", "pol", "--yes"];
    let (a, b) = tokio::join!(capol(&fake, &p, &args), capol(&fake, &p, &args));
    let counts = names(&fake);
    assert_eq!(counts.len(), 3, "{counts:?}\n{a:?}\n{b:?}");
    assert!(
        counts.values().all(|n| *n == 1),
        "duplicates: {counts:?}\n{a:?}\n{b:?}"
    );
    assert!(a.code == 0 || b.code == 0, "{a:?}\n{b:?}");
    for out in [&a, &b] {
        assert!(
            out.code == 0
                || out.code == 3
                    && (out.stderr.contains("[E0532]") || out.stderr.contains("[E0535]")),
            "{out:?}"
        );
    }
    // The lease is given back: no marker is left, and the next plan is empty.
    assert!(
        !fake
            .state()
            .policies
            .iter()
            .any(|x| x["displayName"] == json!(capol::deploy::lease::MARKER_NAME)),
        "a lease marker was left behind"
    );
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_lease_of_another_deploy_stops_a_deploy_before_it_writes() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let until = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 600;
    fake.state().seed_policy(&json!({"displayName": capol::deploy::lease::MARKER_NAME,
        "description": format!("capol: lease until-unix={until}"), "state": "disabled",
        "conditions": {"users": {"includeUsers": ["None"]}, "applications": {"includeApplications": ["None"]}}}));
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(coded(&out.stderr, "E0532"), "{out:?}");
    assert!(out.stderr.contains("another deploy is writing"), "{out:?}");
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
    // An expired lease (a deploy that died) is cleared and does not stop anyone.
    fake.state().policies[0]["description"] = json!("capol: lease until-unix=1");
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(names(&fake).len(), 3, "{:?}", names(&fake));
}

fn lock_for(tenant: &str) -> String {
    format!(
        "{{\n  \"version\": 1,\n  \"tenantId\": \"{tenant}\",\n  \"entries\": {{\n    \"group\": {{\n      \"Pilot\": {{ \"id\": \"5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d\" }}\n    }}\n  }}\n}}\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_file_of_another_tenant_is_refused() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    p.write("capol.lock", &lock_for(OTHER_TENANT));
    for args in [&["plan", "pol"][..], &["deploy", "pol", "--yes"]] {
        let out = capol(&fake, &p, args).await;
        assert_eq!(out.code, 3, "{out:?}");
        assert!(coded(&out.stderr, "E0530"), "{out:?}");
        assert!(
            out.stderr
                .contains("capol.lock holds the ids of tenant 99999999"),
            "{out:?}"
        );
    }
    assert!(writes(&fake).is_empty());
    assert_eq!(
        fake.state()
            .count("GET", "/identity/conditionalAccess/policies"),
        0
    );
    // The lock file of this tenant is accepted.
    p.write("capol.lock", &lock_for(TENANT));
    let out = capol(&fake, &p, &["plan", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_saved_plan_is_refused_and_an_honest_removal_is_deployed() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // A reviewed change that removes a session control (a PATCH that clears a field).
    p.write(
        "admins.capol",
        &crate::support::cli::CA003.replace("    session sign-in-frequency 4 hours\n", ""),
    );
    let out = capol(&fake, &p, &["plan", "pol", "--out", "plan.json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let text = std::fs::read_to_string(p.dir().join("plan.json")).unwrap_or_default();
    let saved: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<(String, String)> = fake
        .policies_read()
        .iter()
        .map(|x| {
            (
                x["displayName"].as_str().unwrap_or("").to_string(),
                x["id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let other_id = ids
        .iter()
        .find(|(n, _)| n.starts_with("CA002"))
        .map(|x| x.1.clone())
        .unwrap_or_default();

    // Edits an attacker would make: retarget the update, set prune, drop the tenant, and
    // turn an unchanged policy into a delete. Each is refused; nothing is written.
    let before = writes(&fake).len();
    let mut edits: Vec<(&str, Value)> = Vec::new();
    let mut retarget = saved.clone();
    for a in retarget["plan"]["actions"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if a["action"] == json!("update") {
            a["id"] = json!(other_id);
        }
    }
    edits.push(("which is the tenant's policy `CA002", retarget));
    let mut prune = saved.clone();
    prune["options"]["prune"] = json!(true);
    edits.push(("deploy it with --prune", prune));
    let mut untenanted = saved.clone();
    untenanted.as_object_mut().map(|o| o.remove("tenantId"));
    edits.push(("tenantId", untenanted));
    let mut delete = saved.clone();
    for a in delete["plan"]["actions"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if a["action"] == json!("unchanged") {
            a["action"] = json!("delete");
        }
    }
    edits.push(("but planning now leaves it unchanged", delete));
    for (says, plan) in edits {
        std::fs::write(p.dir().join("edited.json"), plan.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        let out = capol(
            &fake,
            &p,
            &["deploy", "pol", "--plan", "edited.json", "--yes"],
        )
        .await;
        assert!(out.code == 3 || out.code == 2, "{says}: {out:?}");
        assert!(out.stderr.contains(says), "{says}: {out:?}");
        assert!(
            out.code == 2 || coded(&out.stderr, "E0531"),
            "{says}: {out:?}"
        );
        assert_eq!(writes(&fake).len(), before, "{says}: written");
    }
    // The plan as reviewed deploys, removal included.
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--plan", "plan.json", "--yes"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let evil = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"id": "x", "displayName": "evil"}]})),
        )
        .mount(&evil)
        .await;
    let graph = MockServer::start().await;
    for status in [301, 302, 307, 308] {
        graph.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).insert_header(
                "Location",
                format!("{}/v1.0/identity/conditionalAccess/policies", evil.uri()),
            ))
            .mount(&graph)
            .await;
        let c = client_for(&graph.uri());
        let e = c.list_policies().await.map(|_| ()).unwrap_err().to_string();
        assert!(
            coded(&e, "E0534") && e.contains("not followed"),
            "{status}: {e}"
        );
        let create = c
            .create_policy(&json!({"displayName": "x", "state": "disabled", "conditions": {}}))
            .await;
        assert!(create.is_err(), "{status}");
    }
    assert!(
        evil.received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "a request reached the other origin"
    );
}

#[tokio::test]
async fn endless_or_repeating_page_chains_stop() {
    let graph = MockServer::start().await;
    let uri = graph.uri();
    // Every page links to the next one, forever.
    let next = uri.clone();
    Mock::given(any())
        .respond_with(move |req: &wiremock::Request| {
            let n: u64 = req.url.query_pairs().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
            ResponseTemplate::new(200).set_body_json(json!({"value": [],
                "@odata.nextLink": format!("{next}/v1.0/identity/conditionalAccess/policies?page={}", n + 1)}))
        })
        .mount(&graph)
        .await;
    let c = client_for(&uri);
    let start = Instant::now();
    let e = c.list_policies().await.map(|_| ()).unwrap_err().to_string();
    assert!(coded(&e, "E0533") && e.contains("pages"), "{e}");
    let asked = graph.received_requests().await.unwrap_or_default().len();
    assert!(
        asked <= capol::graph::policies::POLICY_CAPACITY + 1,
        "{asked} pages read"
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    // A link that repeats an earlier page is refused at once.
    graph.reset().await;
    let same = format!("{uri}/v1.0/identity/conditionalAccess/policies?page=1");
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [{"id": "a"}], "@odata.nextLink": same})),
        )
        .mount(&graph)
        .await;
    let e = c.list_policies().await.map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("repeats an earlier one"), "{e}");
    assert!(graph.received_requests().await.unwrap_or_default().len() <= 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_graph_url_is_a_usage_error() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    let out = capol(
        &fake,
        &p,
        &["plan", "pol", "--graph-url", "http://graph.example"],
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("refusing plain http"), "{out:?}");
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "-1"],
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(fake.state().log.is_empty());
}

#[tokio::test]
async fn reads_share_the_write_budget_once_a_write_is_pending() {
    let fake = FakeGraph::start().await;
    let c = GraphClient::new(
        &fake.uri(),
        ApiVersion::V1,
        StaticTokenCredential::new(TOKEN),
        "https://graph.microsoft.com/.default",
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .with_retry(crate::support::fast_retry())
    .with_write_rate(10.0);
    // Reads alone are not paced: a plan with nothing to write stays fast.
    let start = Instant::now();
    for _ in 0..5 {
        c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    }
    let unpaced = start.elapsed();
    c.expect_writes();
    let start = Instant::now();
    for _ in 0..5 {
        c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(
        start.elapsed() >= Duration::from_millis(400),
        "{:?}",
        start.elapsed()
    );
    assert!(unpaced < Duration::from_millis(400), "{unpaced:?}");
}

#[tokio::test]
async fn a_policy_that_appears_during_the_deploy_is_not_created_twice() {
    let fake = FakeGraph::start().await;
    let state = fake.state.clone();
    let c = client_for(&fake.uri());
    let want = crate::support::desired();
    let tenant = c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    let plan = capol::deploy::plan(&want[..2], &tenant, &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    // Another deploy (that took no lease) creates the second policy while this one writes the
    // first: seen on the way, through the progress line of the first create.
    let second = want[1].clone();
    let name = want[0]["displayName"].as_str().unwrap_or("").to_string();
    let c = c.with_progress(std::sync::Arc::new(move |e| {
        if e.to_string() == format!("creating `{name}`") {
            state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .seed_policy(&second);
        }
    }));
    let report = capol::deploy::apply(&c, &plan, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let failed = report
        .failed
        .as_ref()
        .map(|f| f.error.to_string())
        .unwrap_or_default();
    assert!(coded(&failed, "E0535"), "{failed}");
    assert_eq!(report.applied.len(), 1);
    assert!(names(&fake).values().all(|n| *n == 1), "{:?}", names(&fake));
}
