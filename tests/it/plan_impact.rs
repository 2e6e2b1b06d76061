//! `capol plan --impact` against the fake Graph: the classes of sign-ins whose outcome the
//! sources change relative to what the tenant holds, each with a scenario that `capol test`
//! accepts on the sources.

use crate::support::cli::{CA001, Project, capol, seed_directory};
use crate::support::fake_graph::FakeGraph;
use serde_json::Value;

const GUESTS_IOS: &str = "\
policy \"CA010 Block guests on iOS for Office 365\"
    for guests
    for app Office365
    when platform ios
    block
    mode on
";

fn json(out: &crate::support::cli::Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

/// A deployed project, then the given edits to its sources.
async fn deployed(fake: &FakeGraph) -> Project {
    seed_directory(fake);
    let p = Project::new();
    let out = capol(fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    p
}

#[tokio::test(flavor = "multi_thread")]
async fn no_change_no_impact() {
    let fake = FakeGraph::start().await;
    let p = deployed(&fake).await;
    let out = capol(&fake, &p, &["plan", "pol", "--impact"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("Impact on sign-ins: no sign-in's outcome changes."),
        "{out:?}"
    );
    let out = capol(&fake, &p, &["plan", "pol", "--impact", "--format", "json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(json(&out)["impact"], serde_json::json!([]), "{out:?}");
    // Without --impact the JSON plan has no impact.
    let out = capol(&fake, &p, &["plan", "pol", "--format", "json"]).await;
    assert!(json(&out).get("impact").is_none(), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn impact_names_the_sign_ins_that_change_with_scenarios_that_pass() {
    let fake = FakeGraph::start().await;
    let p = deployed(&fake).await;
    // CA001 goes from report-only to on; a new policy blocks guests on iOS for Office 365.
    p.write(
        "azure-management.capol",
        &CA001.replace("mode report-only", "mode on"),
    );
    p.write("guests.capol", GUESTS_IOS);
    let out = capol(&fake, &p, &["plan", "pol", "--impact", "--format", "json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let j = json(&out);
    assert_eq!(j["summary"]["create"], serde_json::json!(1), "{out:?}");
    let impact = j["impact"].as_array().cloned().unwrap_or_default();
    assert!(!impact.is_empty(), "{out:?}");
    for ch in &impact {
        for k in ["summary", "before", "after", "scenario"] {
            assert!(ch[k].is_string(), "{k} missing in {ch}");
        }
    }
    let summaries: Vec<&str> = impact
        .iter()
        .filter_map(|c| c["summary"].as_str())
        .collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.starts_with("guests") && s.contains("ios") && s.ends_with("allow → block")),
        "{summaries:#?}"
    );
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("AzureServiceManagement") && s.ends_with("allow → require mfa")),
        "{summaries:#?}"
    );
    // Admins were already asked for a phishing-resistant strength: theirs is a change of
    // requirement, never reported as "allow".
    assert!(
        !summaries
            .iter()
            .any(|s| s.contains("· in role GlobalAdministrator") && s.contains("allow →")),
        "{summaries:#?}"
    );
    // Legacy clients were blocked and still are: no change is reported for them.
    assert!(
        !summaries.iter().any(|s| s.contains("block → block")),
        "{summaries:#?}"
    );

    // Every scenario passes `capol test` on the new sources (it expects the new outcome)...
    let scenarios: String = impact
        .iter()
        .filter_map(|c| c["scenario"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    p.write("impact-scenarios.capol", &scenarios);
    let out = capol(&fake, &p, &["test", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // ...and not on the tenant's policies as they were.
    p.write("azure-management.capol", CA001);
    p.write("guests.capol", "");
    let out = capol(&fake, &p, &["test", "pol"]).await;
    assert_eq!(out.code, 1, "{out:?}");

    // The text form lists the same classes after the field diff.
    p.write(
        "azure-management.capol",
        &CA001.replace("mode report-only", "mode on"),
    );
    p.write("guests.capol", GUESTS_IOS);
    p.write("impact-scenarios.capol", "");
    let out = capol(&fake, &p, &["plan", "pol", "--impact"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let (diff, impact_text) = out
        .stdout
        .split_once("Impact on sign-ins:")
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(
        diff.contains("+ create `CA010 Block guests on iOS for Office 365`"),
        "{out:?}"
    );
    for s in &summaries {
        assert!(impact_text.contains(s), "{s} not in {out:?}");
    }
    assert!(impact_text.contains("scenario \"Impact: "), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pruning_and_unmanaged_policies_count() {
    let fake = FakeGraph::start().await;
    let p = deployed(&fake).await;
    // The sources forget the legacy-client block: without --prune the tenant keeps it (no
    // impact); with --prune it is deleted and legacy clients are no longer blocked.
    p.write("legacy.capol", "");
    let out = capol(&fake, &p, &["plan", "pol", "--impact", "--format", "json"]).await;
    assert_eq!(json(&out)["impact"], serde_json::json!([]), "{out:?}");
    let out = capol(
        &fake,
        &p,
        &["plan", "pol", "--impact", "--prune", "--format", "json"],
    )
    .await;
    let j = json(&out);
    assert_eq!(j["summary"]["delete"], serde_json::json!(1), "{out:?}");
    let impact = j["impact"].as_array().cloned().unwrap_or_default();
    assert!(
        impact.iter().all(|c| c["before"]
            .as_str()
            .is_some_and(|b| b.contains("CA002 Block legacy authentication"))),
        "{impact:#?}"
    );
    assert!(
        impact.iter().any(|c| c["summary"]
            .as_str()
            .is_some_and(|s| s.ends_with("block → allow"))),
        "{impact:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_tenant_policy_stops_the_impact_not_the_plan() {
    let fake = FakeGraph::start().await;
    let p = deployed(&fake).await;
    fake.state().seed_policy(&serde_json::json!({
        "displayName": "Legacy import",
        "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"]}},
    }));
    let out = capol(&fake, &p, &["plan", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = capol(&fake, &p, &["plan", "pol", "--impact"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("[E0251]") && out.stderr.contains("`Legacy import`"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("Impact on sign-ins"), "{out:?}");
    let code = "E0251";
    assert!(out.stderr.contains(code));
}
