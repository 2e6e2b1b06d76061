//! A newcomer's first commands: `capol init` writes a project that checks, tests and compiles
//! cleanly and never overwrites a file; `capol completions` prints a script for each shell.

use crate::support::compile::capol;
use serde_json::Value;
use std::path::Path;

fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = capol()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run capol {args:?}: {e}"));
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn init_writes_a_project_that_checks_tests_and_compiles_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run_in(tmp.path(), &["init", "policies"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("Next steps"), "{stdout}");
    assert!(stdout.contains("capol check policies"), "{stdout}");
    for f in ["names.capol", "azure-management.capol", "scenarios.capol"] {
        assert!(tmp.path().join("policies").join(f).is_file(), "{f}");
    }
    let names = std::fs::read_to_string(tmp.path().join("policies/names.capol")).unwrap();
    assert!(names.contains("\nemergency group BreakGlass\n"), "{names}");

    let (code, _, stderr) = run_in(tmp.path(), &["check", "policies"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "capol: 1 policy in 3 files checked, 0 warnings"
    );

    let (code, stdout, stderr) = run_in(tmp.path(), &["test", "policies"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");

    let (code, stdout, stderr) = run_in(tmp.path(), &["compile", "policies"]);
    assert_eq!(code, Some(0), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v[0]["displayName"], "azure-management");
    assert_eq!(v[0]["state"], "enabledForReportingButNotEnforced");
    assert_eq!(
        v[0]["conditions"]["applications"]["includeApplications"][0],
        "797f4846-ba00-4fd7-ba43-dac1f8f63013"
    );
}

#[test]
fn init_in_the_current_directory_refuses_to_overwrite_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("azure-management.capol"), "# mine\n").unwrap();
    let (code, stdout, stderr) = run_in(tmp.path(), &["init"]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("error: `./azure-management.capol` already exists"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("azure-management.capol")).unwrap(),
        "# mine\n"
    );
    assert!(!tmp.path().join("names.capol").exists());
    assert!(!tmp.path().join("scenarios.capol").exists());

    let (code, _, _) = run_in(tmp.path(), &["init", "fresh"]);
    assert_eq!(code, Some(0), "a new directory is created");
    assert!(tmp.path().join("fresh/names.capol").is_file());
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, bash, stderr) = run_in(tmp.path(), &["completions", "bash"]);
    assert_eq!(code, Some(0), "{stderr}");
    for sub in ["check", "compile", "what-if", "list", "init", "completions"] {
        assert!(bash.contains(sub), "bash completion lacks `{sub}`");
    }
    assert!(bash.contains("complete -F"), "a bash completion function");
    assert!(bash.contains("--format"), "options too");
    for (shell, marker) in [
        ("zsh", "#compdef capol"),
        ("fish", "complete -c capol"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[capol]"),
    ] {
        let (code, script, _) = run_in(tmp.path(), &["completions", shell]);
        assert_eq!(code, Some(0), "{shell}");
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        assert!(script.contains("init"), "{shell}: no `init`");
    }
    let (code, _, stderr) = run_in(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("bash"), "{stderr}");
}
