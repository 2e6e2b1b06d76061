//! `capol what-if --live` through the real binary against the fake Graph's `evaluate` action:
//! the request sent, agreement (exit 0), a disagreement (exit 1, named), failures (2 and 3),
//! and that the token never shows (checked on every run by `support::cli`).

use crate::support::cli::{Out, Project, capol, writes};
use crate::support::fake_graph::{FakeGraph, FaultKind, TOKEN};
use crate::support::unmanaged;
use serde_json::{Value, json};

const USER: &str = "11111111-2222-4333-8444-555555555555";
const AZURE_MANAGEMENT: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const CA001: &str = "CA001 Require MFA for Azure management";
const CA002: &str = "CA002 Block legacy authentication";
const HAND_MADE: &str = "Hand-made: MFA for Intune enrollment";

/// The tenant holds the compiled sources (as if deployed) and a hand-made policy.
async fn deployed(fake: &FakeGraph, p: &Project) {
    let out = capol(fake, p, &["compile", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let list: Vec<Value> = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let mut st = fake.state();
    for v in &list {
        st.seed_policy(v);
    }
    st.seed_policy(&unmanaged());
}

/// `capol what-if pol --user USER --app AzureServiceManagement --client browser --live EXTRA`.
async fn what_if_live(fake: &FakeGraph, p: &Project, extra: &[&str]) -> Out {
    let mut args = vec![
        "what-if",
        "pol",
        "--user",
        USER,
        "--app",
        "AzureServiceManagement",
        "--client",
        "browser",
        "--live",
    ];
    args.extend_from_slice(extra);
    let out = capol(fake, p, &args).await;
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(TOKEN), "the token was printed: {out:?}");
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn live_agreement_exits_0_and_a_disagreement_exits_1_naming_the_policy() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    deployed(&fake, &p).await;
    // Offline: CA001 (report-only) would apply, CA002 is skipped for the client, CA003 for the
    // user's roles. Graph says the same, and CA001's answer is throttled once on the way.
    fake.state().what_if.insert(CA001.into(), (true, "notSet"));
    fake.fault(
        "POST",
        "/identity/conditionalAccess/evaluate",
        FaultKind::Throttle(Some(0)),
        1,
    );
    let out = what_if_live(&fake, &p, &["--location", "untrusted"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("would apply"),
        "the offline table: {out:?}"
    );
    assert!(
        out.stdout.contains("live: 3 policies agree, 0 disagree"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains(&format!("only in the tenant: \"{HAND_MADE}\"")),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("note: `location untrusted` is not sent"),
        "{out:?}"
    );

    // What Graph was asked, and how.
    {
        let st = fake.state();
        assert_eq!(st.evaluated.len(), 2, "one throttled, one answered");
        let (body, prefer) = &st.evaluated[1];
        assert_eq!(
            body,
            &json!({
                "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": USER},
                "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                    "includeApplications": [AZURE_MANAGEMENT]},
                "signInConditions": {"clientAppType": "browser"},
                "appliedPoliciesOnly": false,
            })
        );
        assert_eq!(prefer.as_deref(), Some("include-unknown-enum-members"));
    }
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));

    // Graph says CA002 applies; capol skips it for the client app.
    fake.state().what_if.insert(CA002.into(), (true, "notSet"));
    let out = what_if_live(&fake, &p, &[]).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("live: 2 policies agree, 1 disagrees"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains(&format!(
            "disagree: \"{CA002}\": capol says skipped (clientApps: client browser is not among"
        )),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("Graph says it applies (analysisReasons: notSet)"),
        "{out:?}"
    );

    // The same as JSON: the evaluation, with `live` beside it.
    let out = what_if_live(&fake, &p, &["--format", "json"]).await;
    assert_eq!(out.code, 1, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(j["results"].as_array().map(Vec::len), Some(3), "{j}");
    let live = &j["live"];
    assert_eq!(live["agree"].as_array().map(Vec::len), Some(2), "{j}");
    assert_eq!(live["disagreements"][0]["policy"], json!(CA002), "{j}");
    assert_eq!(live["disagreements"][0]["offline"], json!("skipped"), "{j}");
    assert_eq!(
        live["disagreements"][0]["policyApplies"],
        json!(true),
        "{j}"
    );
    assert_eq!(live["onlyInTenant"], json!([HAND_MADE]), "{j}");
    assert_eq!(live["notes"], json!([]), "{j}");

    // A policy Graph reports as not applying, for a reason it names.
    fake.state()
        .what_if
        .insert(CA002.into(), (false, "clientApps"));
    fake.state()
        .what_if
        .insert(CA001.into(), (false, "notEnoughInformation"));
    let out = what_if_live(&fake, &p, &[]).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains(&format!(
            "disagree: \"{CA001}\": capol says would apply; Graph says it does not apply \
             (analysisReasons: notEnoughInformation)"
        )),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn live_needs_a_resolved_user_and_a_reachable_tenant() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    deployed(&fake, &p).await;

    // A user neither declared nor locked: exit 2 before anything is sent.
    let out = capol(
        &fake,
        &p,
        &[
            "what-if",
            "pol",
            "--user",
            "alice@contoso.com",
            "--app",
            "AzureServiceManagement",
            "--live",
        ],
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("name a resolved user"), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    // A declared user is sent by object id.
    let out = capol(
        &fake,
        &p,
        &[
            "what-if",
            "pol",
            "--user",
            "Emergency1",
            "--app",
            "AzureServiceManagement",
            "--live",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        fake.state()
            .evaluated
            .last()
            .map(|(b, _)| b["signInIdentity"]["userId"].clone()),
        Some(json!(crate::support::BREAK_GLASS_USER))
    );

    // The token is refused: exit 3 after the offline table.
    fake.state().tokens = vec!["another-token".into()];
    let out = what_if_live(&fake, &p, &[]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains(CA001), "{out:?}");
    assert!(!out.stdout.contains("live:"), "{out:?}");
    assert!(out.stderr.contains("401"), "{out:?}");

    // Without --live nothing is sent, whatever the connection options say.
    let before = fake.state().log.len();
    let out = capol(
        &fake,
        &p,
        &[
            "what-if",
            "pol",
            "--user",
            USER,
            "--app",
            "AzureServiceManagement",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(fake.state().log.len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn live_refuses_a_lock_file_of_another_tenant_before_asking_graph() {
    let fake = FakeGraph::start().await;
    let p = Project::new();
    deployed(&fake, &p).await;
    let other = "99999999-2b7d-4c1e-9a3f-1d2e3f4a5b6c";
    p.write(
        "capol.lock",
        &format!(
            "{{\n  \"version\": 1,\n  \"tenantId\": \"{other}\",\n  \"entries\": {{\n    \"group\": {{\n      \"Pilot\": {{ \"id\": \"5d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d\" }}\n    }}\n  }}\n}}\n"
        ),
    );
    let out = what_if_live(&fake, &p, &[]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("[E0530]"), "{out:?}");
    assert!(
        out.stderr
            .contains(&format!("capol.lock holds the ids of tenant {other}")),
        "{out:?}"
    );
    assert!(
        fake.state().evaluated.is_empty(),
        "Graph's what-if was asked with another tenant's ids"
    );
    assert!(writes(&fake).is_empty());
}
