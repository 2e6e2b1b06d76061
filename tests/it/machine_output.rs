//! Output for machines and CI: `--format json` is one JSON document with every label,
//! `--format sarif` is a SARIF 2.1.0 log that validates against the published schema
//! (`tests/fixtures/sarif-schema-2.1.0.json`), caps on repeated diagnostics, and `--color`.

use crate::support::compile::{self as support, capol};
use serde_json::Value;

fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    capol()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run capol {args:?}: {e}"))
}

/// A project with an error that has a secondary label (E0205), a warning, a file-level
/// diagnostic (W0001, an empty file) and a name in a directory with a space.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("my policies");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        sub.join("a.capol"),
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\n\npolicy \"A\"\n    for group BreakGlass\n    exclude group BreakGlass\n    for all apps\n    require mfa\n",
    )
    .unwrap();
    std::fs::write(sub.join("empty.capol"), "").unwrap();
    dir
}

fn sarif_validator() -> jsonschema::Validator {
    let text = support::read(&support::fixtures_dir().join("sarif-schema-2.1.0.json"));
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    // The published schema's one pattern that Rust's regex engines refuse (on `language`, in
    // `run` and `toolComponent`): its stray `]` is a literal in ECMA-262, the dialect JSON Schema
    // specifies, and is escaped here. Nothing else changes; capol never writes `language`.
    fn escape(v: &mut Value, n: &mut usize) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "pattern" && *x == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                        *x = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$".into();
                        *n += 1;
                    } else {
                        escape(x, n);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| escape(x, n)),
            _ => {}
        }
    }
    let mut n = 0;
    escape(&mut schema, &mut n);
    assert_eq!(n, 2, "the schema's `language` patterns");
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn json_is_one_document_with_every_label_and_no_summary_line() {
    let dir = project();
    let out = run_in(dir.path(), &["check", "my policies", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // The whole of stderr parses as one JSON value: no summary line after it.
    let v: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let ds = v.as_array().unwrap();
    assert_eq!(ds[0]["code"], "E0205", "errors come first: {v:#}");
    let labels = ds[0]["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 2, "{v:#}");
    assert_eq!(labels[0]["primary"], true);
    assert_eq!(labels[0]["label"], "excluded here");
    assert_eq!(labels[1]["primary"], false);
    assert_eq!(labels[1]["label"], "included here");
    assert_eq!(
        (labels[1]["line"].as_u64(), labels[1]["column"].as_u64()),
        (Some(5), Some(9))
    );
    assert!(ds.iter().any(|d| d["code"] == "W0001"));
}

#[test]
fn sarif_validates_against_the_published_schema() {
    let validator = sarif_validator();
    let dir = project();
    let out = run_in(dir.path(), &["check", "my policies", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}\n{log:#}", errors.join("\n"));
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let first = &results[0];
    assert_eq!(first["ruleId"], "E0205");
    assert_eq!(first["level"], "error");
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "my%20policies/a.capol");
    assert_eq!(loc["region"]["startLine"], 6);
    assert_eq!(loc["region"]["startColumn"], 13);
    assert_eq!(
        first["relatedLocations"][0]["message"]["text"],
        "included here"
    );
    // Every result's rule is described, at the index it names.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    // A file-level diagnostic has a file but no region.
    let empty = results.iter().find(|r| r["ruleId"] == "W0001").unwrap();
    let phys = &empty["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "my%20policies/empty.capol");
    assert!(phys.get("region").is_none(), "{phys:#}");
}

/// The validator is not a rubber stamp: a log without `version`, or with a result whose level
/// is not one of SARIF's, is refused.
#[test]
fn the_sarif_schema_rejects_what_it_should() {
    let validator = sarif_validator();
    let dir = project();
    let out = run_in(dir.path(), &["check", "my policies", "--format", "sarif"]);
    let good: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(validator.is_valid(&good));
    let mut no_version = good.clone();
    no_version.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&no_version));
    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad_level));
    let mut bad_line = good;
    bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&bad_line));
}

#[test]
fn a_clean_run_is_an_empty_sarif_log_and_an_empty_json_array() {
    let validator = sarif_validator();
    let out = capol()
        .args(["check", "examples/names.capol", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
    let out = capol()
        .args(["check", "examples/names.capol", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v, Value::Array(Vec::new()));
}

/// 4,000 unknown names on one line: 20 diagnostics and one W0060 that counts the rest, in
/// every format.
#[test]
fn repeated_diagnostics_are_capped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..4000).map(|i| format!("L{i}")).collect();
    let source = format!(
        "policy \"A\"\n    for all users\n    for all apps\n    when location {}\n    require mfa\n",
        names.join(", ")
    );
    std::fs::write(dir.path().join("big.capol"), source).unwrap();
    let out = run_in(dir.path(), &["check", "big.capol", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stderr).unwrap();
    let ds = v.as_array().unwrap();
    assert_eq!(ds.len(), 21);
    assert!(ds[..20].iter().all(|d| d["code"] == "E0100"));
    assert_eq!(ds[20]["code"], "W0060");
    assert_eq!(
        ds[20]["message"],
        "3,980 more diagnostics left out (3,980 E0100)"
    );
    let text = run_in(dir.path(), &["check", "big.capol"]);
    let err = String::from_utf8_lossy(&text.stderr);
    assert_eq!(err.matches("[E0100]").count(), 20);
    assert!(err.contains("3,980 more diagnostics left out"));
}

#[test]
fn the_total_cap_holds_across_codes() {
    let mut ds = capol::diag::Diagnostics::new();
    for i in 0..300 {
        let code = [
            "E0100", "E0101", "E0102", "E0103", "E0104", "E0105", "E0106", "E0107", "E0108",
            "E0110", "E0200", "E0201", "E0202", "E0203", "E0204",
        ][i % 15];
        ds.push(capol::diag::Diagnostic::new(code, format!("d{i}")));
    }
    ds.cap(20, 200);
    assert_eq!(ds.items.len(), 201);
    let last = ds.items.last().unwrap();
    assert_eq!(last.code, "W0060");
    assert!(
        last.message.starts_with("100 more diagnostics left out ("),
        "{}",
        last.message
    );
}

#[test]
fn color_always_never_and_auto() {
    let dir = project();
    let always = capol()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .args(["check", "my policies", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&always.stderr).contains('\u{1b}'));
    // `--color` is global: it may stand before the subcommand too.
    let never = capol()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .args(["--color", "never", "check", "my policies"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stderr).contains('\u{1b}'));
    // Auto: stderr is a pipe here, so no colour.
    let auto = capol()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .args(["check", "my policies"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&auto.stderr).contains('\u{1b}'));
    let bad = capol()
        .args(["check", "x", "--color", "sometimes"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
