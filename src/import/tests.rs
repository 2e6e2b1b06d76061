//! The corpus round trip (every file of `tests/corpus/`, judged by its `MANIFEST.md` row),
//! snapshots of imported source, and the formatter's fixed point on importer output.

use super::{ImportOptions, Imported, canonical_for_import, import_paths, import_texts};
use crate::check::{ApiVersion, Options};
use crate::driver;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Schema PASS: valid v1.0 bodies.
    V1,
    /// Fails only because of beta-only or legacy keys.
    Beta,
    /// Invalid values or types.
    Invalid,
}

/// Every corpus file with its class, read from the MANIFEST's table.
fn manifest() -> Vec<(String, Class)> {
    let text = std::fs::read_to_string(corpus_dir().join("MANIFEST.md")).unwrap();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| 0")) {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if !cells[0].ends_with(".json") {
            continue;
        }
        let schema = cells[5];
        let class = if schema == "PASS" {
            Class::V1
        } else if schema.contains("passes once non-v1.0 keys are dropped") {
            Class::Beta
        } else {
            Class::Invalid
        };
        out.push((cells[0].to_string(), class));
    }
    out
}

fn import_file(name: &str, api: ApiVersion) -> Imported {
    let opts = ImportOptions {
        api,
        ..Default::default()
    };
    import_paths(&[corpus_dir().join(name)], &opts).unwrap()
}

fn codes(i: &Imported) -> Vec<&'static str> {
    i.diagnostics.items.iter().map(|d| d.code).collect()
}

fn messages(i: &Imported) -> String {
    i.diagnostics
        .items
        .iter()
        .map(|d| format!("{} {}\n", d.code, d.message))
        .collect()
}

/// Compile the imported files; the canonical JSON of the one policy, and the error codes.
fn compile_back(i: &Imported, api: ApiVersion) -> (Option<Value>, Vec<&'static str>) {
    let files = i.files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let c = driver::compile_str(&refs, None, &Options { api });
    let errors: Vec<&'static str> = c
        .diagnostics
        .items
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    let policy = c
        .policies
        .first()
        .map(|p| canonical_for_import(&serde_json::to_value(p).unwrap()));
    if !errors.is_empty() {
        // The checker refused: compare what the IR emits, as `verify` does.
        let policy = c.set.policies.first().map(|p| {
            canonical_for_import(&serde_json::to_value(crate::emit::emit_policy(p)).unwrap())
        });
        return (policy, errors);
    }
    (policy, errors)
}

fn original(name: &str) -> Value {
    let text = std::fs::read_to_string(corpus_dir().join(name)).unwrap();
    serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap()
}

/// Policies Graph's schema accepts that capol refuses, or whose source `capol check` refuses, on
/// purpose: (file prefix, expected codes, the JSON path or code the message names).
const V1_EXCEPTIONS: [(&str, &str, &str); 1] = [
    // An undocumented user action (MANIFEST: "passing the schema does not mean Graph accepts").
    (
        "078",
        "E0402",
        "$.conditions.applications.includeUserActions[0]",
    ),
    // 074 (enforced for all users on all apps, but only on Windows Phone from one named
    // location) used to trip the lockout rule; the exact rule sees that it locks nobody out.
];

#[test]
fn corpus_round_trip() {
    let list = manifest();
    assert_eq!(list.len(), 55, "the MANIFEST lists 55 files");
    let on_disk = std::fs::read_dir(corpus_dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert_eq!(on_disk, list.len(), "every corpus file is in the MANIFEST");
    let mut tally = [0usize; 5];
    for (name, class) in list {
        let prefix = &name[..3];
        match class {
            Class::V1 => {
                let i = import_file(&name, ApiVersion::V1);
                if let Some((_, code, what)) = V1_EXCEPTIONS.iter().find(|(p, _, _)| *p == prefix) {
                    assert!(codes(&i).contains(code), "{name}: {}", messages(&i));
                    assert!(messages(&i).contains(what), "{name}: {}", messages(&i));
                    if *code == "E0402" {
                        assert!(i.policies.is_empty(), "{name}");
                        tally[4] += 1;
                        continue;
                    }
                }
                assert!(!i.has_errors(), "{name}: {}", messages(&i));
                assert_eq!(i.policies.len(), 1, "{name}");
                let (got, errors) = compile_back(&i, ApiVersion::V1);
                let allowed: Vec<&str> = V1_EXCEPTIONS
                    .iter()
                    .filter(|(p, _, _)| *p == prefix)
                    .map(|(_, _, c)| *c)
                    .collect();
                assert!(
                    errors.iter().all(|e| allowed.contains(e)),
                    "{name}: {errors:?}"
                );
                assert_eq!(
                    got,
                    Some(canonical_for_import(&original(&name))),
                    "{name}:\n{}",
                    i.single
                );
                tally[0] += 1;
            }
            Class::Beta => {
                let i = import_file(&name, ApiVersion::Beta);
                if i.has_errors() {
                    assert!(i.policies.is_empty(), "{name}");
                    for d in i.diagnostics.items.iter().filter(|d| d.is_error()) {
                        assert!(
                            d.message.contains("`$."),
                            "{name}: the message names the JSON path: {}",
                            d.message
                        );
                        assert!(d.primary.is_some(), "{name}: located");
                    }
                    tally[2] += 1;
                } else {
                    let (got, errors) = compile_back(&i, ApiVersion::Beta);
                    assert!(errors.is_empty(), "{name}: {errors:?}");
                    assert_eq!(got, Some(canonical_for_import(&original(&name))), "{name}");
                    tally[1] += 1;
                }
            }
            Class::Invalid => {
                for api in [ApiVersion::V1, ApiVersion::Beta] {
                    let i = import_file(&name, api);
                    assert!(
                        i.has_errors() && i.policies.is_empty(),
                        "{name}: {}",
                        messages(&i)
                    );
                    for d in i.diagnostics.items.iter().filter(|d| d.is_error()) {
                        assert!(matches!(d.code, "E0401" | "E0402"), "{name}: {}", d.message);
                        assert!(d.message.contains("`$."), "{name}: {}", d.message);
                    }
                }
                tally[3] += 1;
            }
        }
    }
    // v1.0 round trips, beta round trips, beta refused, invalid refused, v1.0 refused.
    assert_eq!(tally, [36, 6, 6, 6, 1], "corpus results changed");
}

#[test]
fn a_policy_for_everyone_with_nobody_excluded_imports_with_its_exception() {
    // Enforced for all users on all apps with no exclusion: the lockout rule would refuse it.
    let i = import_file(
        "074-caoptics-windows-phone-named-location.json",
        ApiVersion::V1,
    );
    assert!(!i.has_errors(), "{}", messages(&i));
    assert!(
        i.single.contains(&format!(
            "allow no-exclusion \"{}\"",
            super::convert::ALLOW_REASON
        )),
        "{}",
        i.single
    );
    let (got, errors) = compile_back(&i, ApiVersion::V1);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        got,
        Some(canonical_for_import(&original(
            "074-caoptics-windows-phone-named-location.json"
        )))
    );
    // A policy that excludes someone gets no such clause.
    let i = import_file("006-alex-100-admins-strong-auth.json", ApiVersion::V1);
    assert!(!i.single.contains("allow no-exclusion"), "{}", i.single);
}

#[test]
fn invalid_files_name_the_path() {
    for (prefix, path) in [
        ("010", "$.conditions.clientAppTypes[0]"),
        ("016", "$.conditions.locations"),
        ("017", "$.conditions.locations"),
        ("032", "$.conditions.locations"),
        (
            "076",
            "$.conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes",
        ),
        (
            "076",
            "$.sessionControls.signInFrequency.authenticationType",
        ),
        (
            "077",
            "$.conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes",
        ),
        ("005", "$.conditions.deviceStates"),
        ("034", "$.conditions.applications.networkAccess"),
        (
            "035",
            "$.sessionControls.globalSecureAccessFilteringProfile",
        ),
        ("057", "$.conditions.agentIdRiskLevels"),
        ("058", "$.conditions.agents"),
        ("059", "$.conditions.applications.includeApplications[0]"),
    ] {
        let name = manifest()
            .into_iter()
            .find(|(n, _)| n.starts_with(prefix))
            .unwrap()
            .0;
        let i = import_file(&name, ApiVersion::Beta);
        assert!(
            messages(&i).contains(&format!("`{path}`")),
            "{name}: {}",
            messages(&i)
        );
    }
}

#[test]
fn beta_only_cae_needs_beta() {
    let v1 = import_file(
        "053-j0eyv-ca104-admins-cae-strict-location.json",
        ApiVersion::V1,
    );
    assert_eq!(codes(&v1), ["E0404"]);
    assert!(messages(&v1).contains("$.sessionControls.continuousAccessEvaluation"));
    let beta = import_file(
        "053-j0eyv-ca104-admins-cae-strict-location.json",
        ApiVersion::Beta,
    );
    assert!(
        beta.single.contains("session cae strict-location"),
        "{}",
        beta.single
    );
}

#[test]
fn whole_corpus_in_one_import() {
    let opts = ImportOptions {
        api: ApiVersion::Beta,
        ..Default::default()
    };
    let i = import_paths(&[corpus_dir()], &opts).unwrap();
    assert_eq!(i.policies.len(), 42, "{}", messages(&i));
    assert!(
        i.diagnostics.items.iter().all(|d| d.code != "E0408"),
        "{}",
        messages(&i)
    );
    // One name per id and one id per name.
    let names = i.names.clone().unwrap();
    let mut seen_ids = std::collections::HashSet::new();
    let mut seen_names = std::collections::HashSet::new();
    for line in names
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(seen_names.insert(words[1].to_string()), "{line}");
        assert!(seen_ids.insert(words[3].to_string()), "{line}");
    }
    // The files compile together, and everything is already formatted.
    let files = i.files();
    for (n, t) in &files {
        assert_eq!(
            crate::fmt::format(t).ok().as_deref(),
            Some(t.as_str()),
            "{n} is not a fixed point of fmt"
        );
    }
    assert_eq!(
        crate::fmt::format(&i.single).ok().as_deref(),
        Some(i.single.as_str())
    );
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let c = driver::compile_str(
        &refs,
        None,
        &Options {
            api: ApiVersion::Beta,
        },
    );
    let errors: Vec<&str> = c
        .diagnostics
        .items
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    // The lockout rule is exact: `WindowsPhone All` (one platform, one location) locks nobody
    // out, so the whole corpus compiles.
    assert_eq!(errors, Vec::<&str>::new());
    insta::assert_snapshot!("corpus_names", names);
}

#[test]
fn snapshots_of_imported_source() {
    for (prefix, api) in [
        ("001", ApiVersion::V1),
        ("003", ApiVersion::V1),
        ("013", ApiVersion::V1),
        ("015", ApiVersion::V1),
        ("031", ApiVersion::V1),
        ("049", ApiVersion::V1),
        ("051", ApiVersion::V1),
        ("053", ApiVersion::Beta),
        ("054", ApiVersion::V1),
        ("056", ApiVersion::V1),
        ("075", ApiVersion::V1),
    ] {
        let name = manifest()
            .into_iter()
            .find(|(n, _)| n.starts_with(prefix))
            .unwrap()
            .0;
        let i = import_file(&name, api);
        assert!(!i.has_errors(), "{name}: {}", messages(&i));
        insta::assert_snapshot!(format!("import_{prefix}"), i.single);
    }
}

#[test]
fn tenant_values_import_like_files() {
    let v = original("001-graph-v1-exo-mfa-outside-trusted.json");
    let opts = ImportOptions::default();
    let from_values = super::import_values(std::slice::from_ref(&v), &opts);
    let text = serde_json::to_string(&v).unwrap();
    let from_text = import_texts(&[("x.json", &text)], &opts);
    assert_eq!(from_values.single, from_text.single);
    assert_eq!(from_values.policies[0].stem, "access-to-exo-requires-mfa");
}
