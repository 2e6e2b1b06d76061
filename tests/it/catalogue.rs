//! The built-in catalogue as users find it: `capol list`, the generated `docs/catalogue.md`, and
//! the Entra portal's spellings of app names resolving like the canonical names.

use crate::support::compile::{capol, compile, names_source, root};
use serde_json::Value;

fn run(args: &[&str]) -> std::process::Output {
    capol()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run capol {args:?}: {e}"))
}

fn out(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The name column of a text table.
fn names(table: &str) -> Vec<String> {
    table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn list_apps_filters_by_name_alias_and_id_case_aside() {
    let o = run(&["list", "apps", "RESOURCE manager"]);
    assert_eq!(o.status.code(), Some(0));
    let (stdout, stderr) = out(&o);
    assert_eq!(names(&stdout), ["AzureServiceManagement"], "{stdout}");
    assert!(stdout.contains("797f4846-ba00-4fd7-ba43-dac1f8f63013"));
    assert!(stdout.contains("\"Azure Resource Manager\""), "{stdout}");
    assert!(stderr.starts_with("capol: 1 of "), "{stderr}");

    let (stdout, _) = out(&run(&["list", "apps", "office 365"]));
    let found = names(&stdout);
    assert!(found.contains(&"Office365".to_string()), "{stdout}");
    assert!(found.contains(&"ExchangeOnline".to_string()), "{stdout}");

    let (stdout, _) = out(&run(&["list", "roles", "62E90394-69F5"]));
    assert_eq!(names(&stdout), ["GlobalAdministrator"], "{stdout}");
    assert!(stdout.contains("[privileged]"));
}

#[test]
fn list_strengths_and_actions_show_every_entry_with_its_id() {
    let (stdout, _) = out(&run(&["list", "strengths"]));
    assert_eq!(
        names(&stdout),
        ["mfa", "passwordless-mfa", "phishing-resistant-mfa"]
    );
    assert!(stdout.contains("00000000-0000-0000-0000-000000000004"));
    let (stdout, _) = out(&run(&["list", "actions"]));
    assert_eq!(
        names(&stdout),
        ["register-security-info", "register-device"]
    );
    assert!(stdout.contains("urn:user:registerdevice"));
}

#[test]
fn list_json_is_pure_json_with_names_aliases_and_ids() {
    let o = run(&["list", "apps", "admin portals", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let (stdout, stderr) = out(&o);
    assert!(stderr.is_empty(), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v[0]["name"], "MicrosoftAdminPortals");
    assert_eq!(v[0]["id"], "MicrosoftAdminPortals");
    assert_eq!(v[0]["aliases"][0], "Microsoft Admin Portals");

    let (stdout, _) = out(&run(&["list", "--format", "json"]));
    let v: Value = serde_json::from_str(&stdout).unwrap();
    for key in ["apps", "roles", "strengths", "actions"] {
        assert!(v[key].as_array().is_some_and(|a| !a.is_empty()), "{key}");
    }
    assert!(v["roles"].as_array().unwrap().len() > 100);
}

#[test]
fn list_without_a_match_says_so_and_suggests() {
    let o = run(&["list", "roles", "GlobalAdminstrator"]);
    assert_eq!(o.status.code(), Some(0));
    let (stdout, stderr) = out(&o);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("no role matches `GlobalAdminstrator`"),
        "{stderr}"
    );
    assert!(stderr.contains("GlobalAdministrator"), "{stderr}");
}

#[test]
fn list_rejects_an_unknown_section() {
    let o = run(&["list", "groups"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("apps"));
}

/// `docs/catalogue.md` is what `capol list --format markdown` prints. Refresh it with
/// `CAPOL_BLESS=1 cargo test --test it catalogue` or the command in the failure message.
#[test]
fn docs_catalogue_is_up_to_date() {
    let path = root().join("docs").join("catalogue.md");
    let fresh = capol::symbols::listing::markdown();
    if std::env::var_os("CAPOL_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "docs/catalogue.md is stale: refresh it with `cargo run -- list --format markdown > \
         docs/catalogue.md` (or `CAPOL_BLESS=1 cargo test --test it catalogue`)"
    );
    let o = run(&["list", "--format", "markdown"]);
    assert_eq!(out(&o).0, fresh, "the CLI prints the same page");
    for section in [
        "## Apps",
        "## Directory roles",
        "## Authentication strengths",
        "## User actions",
    ] {
        assert!(fresh.contains(section), "{section}");
    }
}

fn compiled(policy: &str) -> Value {
    let c = compile(&[("names.capol", &names_source()), ("p.capol", policy)]);
    assert!(
        !c.has_errors(),
        "{policy}: {:?}",
        c.diagnostics
            .items
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    serde_json::to_value(&c.policies).unwrap()
}

#[test]
fn portal_spellings_compile_exactly_like_the_canonical_names() {
    let seed = |app: &str| {
        format!(
            "policy \"Seed\"\n  for all users exclude group BreakGlass, user EmergencyAccess1, EmergencyAccess2\n  for app {app}\n  require mfa\n  mode report-only\n"
        )
    };
    for (portal, canonical) in [
        ("\"Azure Resource Manager\"", "AzureServiceManagement"),
        (
            "\"Windows Azure Service Management API\"",
            "AzureServiceManagement",
        ),
        ("\"azure resource manager\"", "AzureServiceManagement"),
        ("AzureResourceManager", "AzureServiceManagement"),
        ("\"Microsoft Admin Portals\"", "MicrosoftAdminPortals"),
        ("\"Office 365\"", "Office365"),
        ("\"Exchange Online\"", "ExchangeOnline"),
    ] {
        assert_eq!(
            compiled(&seed(portal)),
            compiled(&seed(canonical)),
            "{portal} vs {canonical}"
        );
    }
    let v = compiled(&seed("\"Office 365\""));
    assert_eq!(
        v[0]["conditions"]["applications"]["includeApplications"][0],
        "Office365"
    );
}

#[test]
fn a_portal_spelling_of_an_app_group_cannot_be_declared() {
    let c = compile(&[(
        "p.capol",
        "app \"Office 365\" = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n",
    )]);
    let d = &c.diagnostics.items[0];
    assert_eq!(d.code, "E0106");
    assert!(d.message.contains("Office365"), "{}", d.message);
}

#[test]
fn a_scenario_cannot_sign_in_to_an_app_group_by_its_portal_name() {
    let c = compile(&[(
        "s.capol",
        "scenario \"s\"\n  user alice@contoso.com\n  app \"Office 365\"\n  expect allow\n",
    )]);
    assert!(
        c.diagnostics
            .items
            .iter()
            .any(|d| d.code == "E0106" && d.message.contains("group of apps")),
        "{:?}",
        c.diagnostics
            .items
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
}

#[test]
fn fmt_keeps_the_spelling_the_author_wrote() {
    let src = "require mfa for app \"Azure Resource Manager\" exclude group BreakGlass mode report-only\n";
    let formatted = capol::fmt::format(src).unwrap_or_else(|_| panic!("fmt failed"));
    assert!(
        formatted.contains("\"Azure Resource Manager\""),
        "{formatted}"
    );
}
