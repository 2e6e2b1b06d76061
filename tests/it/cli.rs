//! The real binary, run as users run it (`NO_COLOR=1`): help texts, exit codes, where output
//! goes, and the files `compile -o` writes.

use crate::support::compile::{self as support, capol, trim_lines};
use serde_json::Value;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn run(args: &[&str]) -> std::process::Output {
    capol()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run capol {args:?}: {e}"))
}

/// The subcommands `capol --help` lists (without `help` itself).
#[cfg(feature = "tenant")]
fn subcommands() -> Vec<String> {
    let help = stdout(&run(&["--help"]));
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A long description wraps onto lines indented past the names.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

/// `--help`, `-h` and every subcommand's `--help`, as users see them. A new subcommand gets a
/// snapshot of its own. The snapshots show the tenant subcommands, so this runs with the
/// `tenant` feature only.
#[cfg(feature = "tenant")]
#[test]
fn help_texts() {
    let mut cases = vec![
        ("help".to_string(), vec!["--help".to_string()]),
        ("help-short".to_string(), vec!["-h".to_string()]),
    ];
    let subs = subcommands();
    for c in ["check", "compile", "explain"] {
        assert!(subs.iter().any(|s| s == c), "`{c}` is not listed: {subs:?}");
    }
    for c in subs {
        cases.push((format!("help-{c}"), vec![c, "--help".to_string()]));
    }
    for (name, args) in cases {
        let out = capol()
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
        insta::assert_snapshot!(name, trim_lines(&stdout(&out)));
    }
}

#[test]
fn version() {
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out).trim(),
        format!("capol {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["check"],
        vec!["compile", "--api", "v2", "examples"],
        vec!["check", "--format", "xml", "examples"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn compile_examples_prints_policies_ordered_by_display_name() {
    let out = run(&["compile", "examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("stdout is not JSON: {e}"));
    let Some(arr) = v.as_array() else {
        panic!("not an array")
    };
    let names: Vec<&str> = arr
        .iter()
        .filter_map(|p| p["displayName"].as_str())
        .collect();
    assert_eq!(names.len(), 19, "18 templates and the seed");
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // The same bodies the library gives.
    let lib = serde_json::to_value(&support::compile_examples().policies).unwrap_or_default();
    assert_eq!(v, lib);
    // Warnings go to stderr; stdout is only data.
    assert!(stderr(&out).contains("[W0003]"));
}

#[test]
fn compile_out_dir_writes_one_file_per_policy() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out_dir = dir.path().join("build");
    let out = capol()
        .args(["compile", "examples", "-o"])
        .arg(&out_dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let policies = support::compile_examples().policies;
    assert!(
        stderr(&out).contains(&format!("wrote {} policies", policies.len())),
        "{}",
        stderr(&out)
    );
    let mut written: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| {
            e.ok()
                .and_then(|e| e.file_name().to_str().map(str::to_string))
        })
        .collect();
    written.sort();
    let mut want: Vec<String> = policies
        .iter()
        .map(|p| format!("{}.json", support::slug(&p.display_name)))
        .collect();
    want.sort();
    assert_eq!(written, want);
    for p in &policies {
        let text = support::read(&out_dir.join(format!("{}.json", support::slug(&p.display_name))));
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v, serde_json::to_value(p).unwrap_or_default());
    }
    assert!(out_dir.join("ca001-require-mfa-for-admins.json").is_file());
    assert!(out_dir.join("azure-management.json").is_file());
}

#[test]
fn check_examples_succeeds_with_a_summary() {
    let out = run(&["check", "examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.ends_with(&format!(
            "capol: {} policies in {} files checked, 1 warning\n",
            support::compile_examples().policies.len(),
            support::capol_files(&support::examples_dir()).len()
        )),
        "{err}"
    );
}

#[test]
fn check_bad_file_exits_1_with_the_diagnostic_on_stderr() {
    let out = run(&["check", "tests/fixtures/diagnostics/E0100.capol"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    insta::assert_snapshot!("check-e0100", trim_lines(&stderr(&out)));
}

#[test]
fn compile_bad_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out_dir = dir.path().join("build");
    let out = capol()
        .args(["compile", "tests/fixtures/diagnostics/E0201.capol", "-o"])
        .arg(&out_dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("[E0201]") && stderr(&out).contains("nothing compiled"));
    assert!(!out_dir.exists());
}

#[test]
fn json_format_is_pure_json_on_stderr() {
    let out = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/diagnostics/E0100.capol",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    // The JSON array and nothing else: no summary line on the machine stream.
    let v: Value = serde_json::from_str(&err).unwrap_or_else(|e| panic!("not JSON: {e}\n{err}"));
    let Some(arr) = v.as_array() else {
        panic!("not an array")
    };
    assert_eq!(arr.len(), 1);
    let d = &arr[0];
    assert_eq!(d["code"], "E0100");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["location"]["file"],
        "tests/fixtures/diagnostics/E0100.capol"
    );
    assert_eq!(d["location"]["line"], 6);
    assert_eq!(d["location"]["column"], 19);
    assert!(d["help"].as_str().is_some_and(|h| h.contains("BreakGlass")));

    // Clean sources: an empty array.
    let out = run(&[
        "check",
        "--format",
        "json",
        "examples/mfa-admins.capol",
        "examples/names.capol",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stderr(&out)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v, Value::Array(Vec::new()));
}

#[test]
fn missing_path_exits_2() {
    for cmd in ["check", "compile"] {
        let out = run(&[cmd, "no/such/dir"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(stdout(&out).is_empty());
        assert_eq!(
            stderr(&out),
            "error: cannot read `no/such/dir`: no such file or directory\n"
        );
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out = capol()
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no .capol files under"));
}

#[test]
fn explain_prints_the_explanation() {
    let out = run(&["explain", "E0100"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("# E0100: unknown name\n"), "{text}");
    assert_eq!(
        text,
        support::read(&support::root().join("docs/errors/E0100.md"))
    );
    // Codes are case-insensitive.
    let lower = run(&["explain", "w0003"]);
    assert_eq!(lower.status.code(), Some(0));
    assert!(stdout(&lower).starts_with("# W0003: "));
}

#[test]
fn explain_unknown_code_exits_2() {
    let out = run(&["explain", "E0999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).starts_with("error: unknown code `E0999`\n"),
        "{}",
        stderr(&out)
    );
    let near = run(&["explain", "E010"]);
    assert_eq!(near.status.code(), Some(2));
    assert!(stderr(&near).contains("did you mean"), "{}", stderr(&near));
}

#[test]
fn non_utf8_file_gives_e0002_and_exit_1() {
    let out = run(&["check", "tests/fixtures/diagnostics/E0002.capol"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("[E0002] Error: `tests/fixtures/diagnostics/E0002.capol` is not UTF-8 text"),
        "{err}"
    );
    assert!(
        !err.contains("E0001"),
        "no syntax error follows from the truncated text: {err}"
    );
}

#[test]
fn beta_api_allows_beta_clauses() {
    let path = "tests/fixtures/diagnostics/E0207.capol";
    let out = run(&["check", path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("[E0207]"));
    let out = run(&["compile", "--api", "beta", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v[0]["sessionControls"]["continuousAccessEvaluation"]["mode"],
        "strictEnforcement"
    );
}
