//! `capol import --factor`: the factored project compiles to exactly the JSON of the plain
//! import (every policy, byte for byte), is a fixed point of `capol fmt`, and reads as expected.

use super::{ImportOptions, Imported, import_paths, import_texts};
use crate::check::{ApiVersion, Options};
use crate::driver;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

/// The compiled body of every policy, by display name, as JSON text.
fn compiled(i: &Imported, api: ApiVersion) -> BTreeMap<String, String> {
    let files = i.files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let c = driver::compile_str(&refs, None, &Options { api });
    c.set
        .policies
        .iter()
        .map(|p| {
            let body = serde_json::to_string(&crate::emit::emit_policy(p)).unwrap();
            (p.display_name.node.clone(), body)
        })
        .collect()
}

fn errors(i: &Imported) -> Vec<String> {
    i.diagnostics
        .items
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

/// Import both ways; assert the same policies, the same JSON and a formatted result.
fn same_both_ways(plain: &Imported, factored: &Imported, api: ApiVersion) {
    assert_eq!(errors(plain), errors(factored));
    assert_eq!(plain.skipped, factored.skipped);
    let names = |i: &Imported| -> Vec<String> {
        i.policies.iter().map(|p| p.display_name.clone()).collect()
    };
    assert_eq!(names(plain), names(factored));
    let (a, b) = (compiled(plain, api), compiled(factored, api));
    assert_eq!(a.len(), plain.policies.len());
    for (name, body) in &a {
        assert_eq!(Some(body), b.get(name), "policy `{name}` differs");
    }
    assert_eq!(a.len(), b.len());
    for (n, t) in factored.files() {
        assert_eq!(
            crate::fmt::format(&t).ok().as_deref(),
            Some(t.as_str()),
            "{n} is not a fixed point of fmt"
        );
    }
    assert_eq!(
        crate::fmt::format(&factored.single).ok().as_deref(),
        Some(factored.single.as_str())
    );
}

fn opts(api: ApiVersion, factor: bool) -> ImportOptions {
    ImportOptions {
        api,
        factor,
        ..Default::default()
    }
}

#[test]
fn the_whole_corpus_factored_compiles_to_the_same_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    for api in [ApiVersion::V1, ApiVersion::Beta] {
        let plain = import_paths(std::slice::from_ref(&dir), &opts(api, false)).unwrap();
        let factored = import_paths(std::slice::from_ref(&dir), &opts(api, true)).unwrap();
        assert!(plain.policies.len() > 90, "{}", plain.policies.len());
        same_both_ways(&plain, &factored, api);
        // The corpus repeats lists (exclusion groups, platforms, client apps): sets are made,
        // and used instead of the lists.
        let names = factored.names.clone().unwrap();
        let sets = names.lines().filter(|l| l.starts_with("set ")).count();
        assert!(sets >= 10, "{names}");
        assert!(names.contains(
            "set ExcludedGroup1To3 = group ExcludedGroup1, ExcludedGroup2, ExcludedGroup3\n"
        ));
        assert!(factored.single.contains("exclude set ExcludedGroup1To3\n"));
        assert!(factored.single.len() < plain.single.len());
        // No exclusion is shared by the whole corpus: no defaults block.
        assert!(!names.contains("defaults"));
    }
}

#[test]
fn every_corpus_file_factored_alone_compiles_to_the_same_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() > 100);
    for f in files {
        let plain = import_paths(std::slice::from_ref(&f), &opts(ApiVersion::Beta, false)).unwrap();
        let factored =
            import_paths(std::slice::from_ref(&f), &opts(ApiVersion::Beta, true)).unwrap();
        same_both_ways(&plain, &factored, ApiVersion::Beta);
    }
}

const BG: &str = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";
const E1: &str = "6f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c61";
const PILOT: &str = "3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a61";
const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const SA: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";

/// A framework's shape: every policy excludes the break-glass group and account; two policies
/// target the same two admin roles, two the same pilot group and platforms.
fn framework() -> serde_json::Value {
    let users = |include: serde_json::Value, extra: &[&str]| {
        let mut ex = vec![BG.to_string()];
        ex.extend(extra.iter().map(|s| s.to_string()));
        let mut u = json!({"excludeGroups": ex, "excludeUsers": [E1]});
        for (k, v) in include.as_object().unwrap() {
            u[k] = v.clone();
        }
        u
    };
    let p = |name: &str, users: serde_json::Value, more: serde_json::Value| {
        let mut c = json!({"users": users, "applications": {"includeApplications": ["All"]},
                           "clientAppTypes": ["all"]});
        for (k, v) in more.as_object().unwrap() {
            c[k] = v.clone();
        }
        json!({"displayName": name, "state": "enabled", "conditions": c,
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    };
    json!({"value": [
        p("CA001 Admins MFA", users(json!({"includeRoles": [GA, SA]}), &[]), json!({})),
        p("CA002 Admins block risky", users(json!({"includeRoles": [GA, SA]}), &[PILOT]), json!({})),
        p("CA003 Pilot mobile", users(json!({"includeGroups": [PILOT]}), &[]),
          json!({"platforms": {"includePlatforms": ["android", "iOS"]}})),
        p("CA004 Everyone mobile", users(json!({"includeUsers": ["All"]}), &[]),
          json!({"platforms": {"includePlatforms": ["iOS", "android"]}})),
    ]})
}

#[test]
fn shared_exclusions_go_to_defaults_and_repeated_lists_to_sets() {
    let text = framework().to_string();
    let inputs = [("framework.json", text.as_str())];
    let plain = import_texts(&inputs, &opts(ApiVersion::V1, false));
    let factored = import_texts(&inputs, &opts(ApiVersion::V1, true));
    assert!(errors(&factored).is_empty(), "{:?}", errors(&factored));
    same_both_ways(&plain, &factored, ApiVersion::V1);
    let names = factored.names.clone().unwrap();
    let shared = &names[names.find("\n# Lists").unwrap()..];
    assert_eq!(
        shared,
        "
# Lists that several imported policies write alike, named by `capol import --factor`.
# Rename freely (with their `set NAME` uses); a policy may still write its own list.

set GlobalAdministratorAndSecurityAdministrator = role GlobalAdministrator, SecurityAdministrator
set AndroidIos = platform android, ios

# Exclusions every imported policy had: each policy receives them from here.
# A policy that should not, says `ignore defaults` (and writes what it still needs).
defaults
    exclude user ExcludedUser1, group ExcludedGroup1
"
    );
    let text_of = |stem: &str| {
        factored
            .policies
            .iter()
            .find(|p| p.stem == stem)
            .map(|p| p.text.clone())
            .unwrap()
    };
    assert_eq!(
        text_of("ca002-admins-block-risky"),
        "policy \"CA002 Admins block risky\"
    require mfa
    for set GlobalAdministratorAndSecurityAdministrator
    for all apps
    exclude group ExcludedGroup2
    mode on
"
    );
    assert!(text_of("ca004-everyone-mobile").contains("    when set AndroidIos\n"));
    // Without --factor nothing is shared.
    assert!(!plain.single.contains("set ") && !plain.single.contains("defaults"));
}

#[test]
fn one_policy_has_nothing_to_share() {
    let one = json!({"displayName": "Only", "state": "enabled",
        "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": [BG, PILOT]},
                       "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    .to_string();
    let inputs = [("one.json", one.as_str())];
    let plain = import_texts(&inputs, &opts(ApiVersion::V1, false));
    let factored = import_texts(&inputs, &opts(ApiVersion::V1, true));
    assert_eq!(plain.single, factored.single);
}
