//! The examples compile, together, as the CLI compiles the directory; every policy's JSON is
//! snapshotted; the one-line seed compiles to Microsoft's "Require MFA for Azure management".

use crate::support::compile::{self as support, compile_examples};
use capol::diag::Severity;
use serde_json::{Value, json};

/// The break-glass group of `examples/names.capol`.
const BREAK_GLASS: &str = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";

#[test]
fn examples_have_no_errors() {
    let c = compile_examples();
    assert!(
        !c.has_errors(),
        "examples have errors:\n{}",
        support::rendered(&c)
    );
    // The only warning is the instructive one documented in names.capol: the header-less seed
    // excludes the break-glass group but not the emergency accounts themselves.
    let warnings: Vec<_> = support::located(&c);
    assert_eq!(warnings, vec![("W0003", 1, 1)], "{}", support::rendered(&c));
    assert!(
        c.diagnostics
            .items
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
    let seed = c.sources.get(
        c.diagnostics.items[0]
            .primary
            .as_ref()
            .map(|l| l.span.file)
            .unwrap_or_default(),
    );
    assert_eq!(seed.map(|f| f.stem()), Some("azure-management"));
}

#[test]
fn every_example_file_holds_one_policy_or_the_declarations() {
    let c = compile_examples();
    let files = support::capol_files(&support::examples_dir());
    assert_eq!(c.files.len(), files.len());
    // names.capol declares, scenarios.capol holds the what-if scenarios and asserts.capol the
    // asserts; every other file is one Microsoft template.
    let shared = ["names", "scenarios", "asserts"];
    assert_eq!(c.policies.len(), files.len() - shared.len());
    for (id, f) in c.sources.files() {
        let n = c
            .set
            .policies
            .iter()
            .filter(|p| p.display_name.span.file == id)
            .count();
        let want = usize::from(!shared.contains(&f.stem()));
        assert_eq!(n, want, "{} holds {n} policies", f.name);
    }
}

#[test]
fn policies_are_ordered_by_display_name_and_slugs_are_unique() {
    let c = compile_examples();
    let names: Vec<&str> = c.policies.iter().map(|p| p.display_name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let mut slugs: Vec<String> = names.iter().map(|n| support::slug(n)).collect();
    slugs.dedup();
    assert_eq!(slugs.len(), names.len());
}

#[test]
fn every_example_policy_snapshot() {
    let c = compile_examples();
    for p in &c.policies {
        insta::assert_json_snapshot!(support::slug(&p.display_name), p);
    }
}

#[test]
fn compiling_twice_gives_the_same_bytes() {
    let a = serde_json::to_string_pretty(&compile_examples().policies).unwrap_or_default();
    let b = serde_json::to_string_pretty(&compile_examples().policies).unwrap_or_default();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// `require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only` is the
/// minimal body of reference §1, the "Require MFA for Azure management" sample.
#[test]
fn seed_is_the_reference_minimal_body() {
    let text = support::read(&support::examples_dir().join("azure-management.capol"));
    assert_eq!(
        text.trim_end(),
        "require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only"
    );

    let c = compile_examples();
    let seed = c
        .policies
        .iter()
        .find(|p| p.display_name == "azure-management");
    let Some(seed) = seed else {
        panic!("the seed policy is missing")
    };
    let mut got = serde_json::to_value(seed).unwrap_or_default();
    // Graph reads an omitted and a null `sessionControls` the same way (reference §2:
    // "Null or omitted means no grant requirement"); the reference sample omits it.
    if let Some(o) = got.as_object_mut() {
        assert_eq!(o.remove("sessionControls"), Some(Value::Null));
    }
    let want = json!({
      "displayName": "azure-management",
      "state": "enabledForReportingButNotEnforced",
      "conditions": {
        "users": { "includeUsers": ["All"], "excludeGroups": [BREAK_GLASS] },
        "applications": { "includeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"] },
        "clientAppTypes": ["all"]
      },
      "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
    });
    assert_eq!(got, want);
}

/// The seed, compiled alone against the declarations, gives the same body: display name from
/// the file stem whatever directory it sits in.
#[test]
fn seed_alone_takes_its_file_stem() {
    let names = support::names_source();
    let seed =
        "require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only\n";
    let c = support::compile(&[
        ("names.capol", &names),
        ("some/dir/azure-management.capol", seed),
    ]);
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    assert_eq!(c.policies.len(), 1);
    assert_eq!(c.policies[0].display_name, "azure-management");
}

/// Enforced examples exclude every emergency principal (the checker guarantees it; this pins
/// which examples are enforced, so a change of mode is a deliberate one).
#[test]
fn enforced_examples() {
    let c = compile_examples();
    let on: Vec<&str> = c
        .policies
        .iter()
        .filter(|p| p.state == capol::graph::model::PolicyState::Enabled)
        .map(|p| p.display_name.as_str())
        .collect();
    assert_eq!(
        on,
        [
            "CA001 Require MFA for admins",
            "CA002 Securing security info registration",
            "CA003 Block legacy authentication",
            "CA018 Require MFA for device registration",
        ]
    );
    for p in c
        .policies
        .iter()
        .filter(|p| p.state == capol::graph::model::PolicyState::Enabled)
    {
        let users = &p.conditions.users;
        let Some(users) = users else {
            panic!("{} has no users", p.display_name)
        };
        assert!(
            users.exclude_groups.iter().any(|g| g == BREAK_GLASS),
            "{}",
            p.display_name
        );
        assert_eq!(users.exclude_users.len(), 2, "{}", p.display_name);
    }
}

/// The admin templates all target Microsoft's 14 roles from "Require MFA for administrators".
#[test]
fn admin_templates_target_the_fourteen_roles() {
    let c = compile_examples();
    let roles = [
        "Global Administrator",
        "Application Administrator",
        "Authentication Administrator",
        "Billing Administrator",
        "Cloud Application Administrator",
        "Conditional Access Administrator",
        "Exchange Administrator",
        "Helpdesk Administrator",
        "Password Administrator",
        "Privileged Authentication Administrator",
        "Privileged Role Administrator",
        "Security Administrator",
        "SharePoint Administrator",
        "User Administrator",
    ];
    let mut want: Vec<String> = roles
        .iter()
        .map(|r| match capol::symbols::catalog::role(r) {
            Some(role) => role.template_id.clone(),
            None => panic!("no role {r}"),
        })
        .collect();
    want.sort();
    let admin: Vec<_> = c
        .policies
        .iter()
        .filter(|p| p.display_name.contains("admins"))
        .collect();
    assert_eq!(admin.len(), 4);
    for p in admin {
        let got = p
            .conditions
            .users
            .as_ref()
            .map(|u| u.include_roles.clone())
            .unwrap_or_default();
        assert_eq!(got, want, "{}", p.display_name);
    }
}

/// The examples are in `capol fmt`'s canonical layout (the one-line seed included), so that
/// they read the way the formatter would write them.
#[test]
fn examples_are_in_canonical_layout() {
    let out = support::capol()
        .args(["fmt", "--check", "examples"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn analyze_json(dir: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let out = support::capol()
        .args(["analyze", dir, "--format", "json"])
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (out.status.code(), v)
}

/// Every assert of the examples is proved (none merely undecided), and the ones that fail once
/// every report-only policy counts as on fail with a counterexample `capol test` agrees with.
#[test]
fn every_assert_in_the_examples_is_proved() {
    let (code, v) = analyze_json("examples", &[]);
    let asserts = v["asserts"].as_array().cloned().unwrap_or_default();
    assert!(asserts.len() >= 5, "{v:#}");
    for a in &asserts {
        assert_eq!(a["holds"], json!(true), "{a:#}");
        assert!(a.get("error").is_none(), "{a:#}");
        assert!(a["counterexample"].is_null(), "{a:#}");
        assert!(
            a["location"]
                .as_str()
                .is_some_and(|l| l.starts_with("examples/asserts.capol:")),
            "{a:#}"
        );
    }
    assert_eq!(code, Some(0), "{v:#}");
    // With report-only policies counted as on, some fail (as asserts.capol says), each with a
    // counterexample that analyze checked against the what-if evaluator (a disagreement would
    // be an internal error).
    let (code, v) = analyze_json("examples", &["--report-only-on"]);
    assert_eq!(code, Some(1), "{v:#}");
    let failing: Vec<&Value> = v["asserts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["holds"] == json!(false))
        .collect();
    assert!(!failing.is_empty());
    for a in failing {
        let scenario = a["counterexample"]["scenario"].as_str().unwrap_or_default();
        assert!(scenario.starts_with("scenario \"Counterexample: "), "{a:#}");
    }
    assert!(v.get("internal_errors").is_none(), "{v:#}");
}

/// `examples-gaps/` plants one gap (MFA only on the platforms named); analyze reports it for
/// members and guests, and the gap's scenario passes `capol test` until the gap is closed.
#[test]
fn the_gap_example_is_found_and_closing_it_clears_it() {
    let (code, v) = analyze_json("examples-gaps", &[]);
    assert_eq!(code, Some(0), "{v:#}");
    let gaps = v["gaps"].as_array().cloned().unwrap_or_default();
    assert_eq!(gaps.len(), 2, "{v:#}");
    for (g, who) in gaps.iter().zip(["members", "guests"]) {
        let summary = g["summary"].as_str().unwrap_or_default();
        assert!(summary.starts_with(who), "{summary}");
        assert!(
            summary.contains("windows-phone, linux or unknown"),
            "{summary}"
        );
        assert!(summary.ends_with("nothing required"), "{summary}");
    }
    assert!(
        v["asserts"]
            .as_array()
            .is_some_and(|a| a.iter().all(|x| x["holds"] == json!(true)))
    );
    assert_eq!(v["redundant"], json!([]), "{v:#}");

    // The gap's scenario, pasted in, passes; closing the gap makes it fail and analyze quiet.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for f in support::capol_files(std::path::Path::new("examples-gaps")) {
        let name = f.file_name().unwrap_or_default();
        std::fs::copy(&f, dir.path().join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let scenarios: Vec<&str> = gaps.iter().filter_map(|g| g["scenario"].as_str()).collect();
    std::fs::write(dir.path().join("gap.capol"), scenarios.join("\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let test = |d: &std::path::Path| {
        support::capol()
            .arg("test")
            .arg(d)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
            .status
            .code()
    };
    assert_eq!(test(dir.path()), Some(0));
    let mfa = dir.path().join("mfa-known-platforms.capol");
    let text = std::fs::read_to_string(&mfa).unwrap_or_default();
    std::fs::write(
        &mfa,
        text.replace("    when platform windows, macos, ios, android\n", ""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(test(dir.path()), Some(1));
    std::fs::remove_file(dir.path().join("gap.capol")).unwrap_or_else(|e| panic!("{e}"));
    let (code, v) = analyze_json(&dir.path().display().to_string(), &[]);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["gaps"], json!([]), "{v:#}");
}
