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
    // names.capol declares and scenarios.capol holds the what-if scenarios; every other file is
    // one Microsoft template.
    let shared = ["names", "scenarios"];
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
