//! `capol analyze` as users run it: exit codes, the JSON contract of LANGUAGE.md §8, and
//! counterexamples that `capol test` accepts and that fail the same expectation.

use crate::support::compile::capol;
use serde_json::Value;

const POLICIES: &str = r#"
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
emergency group BreakGlass

policy "CA001 Require MFA for all users"
    for all users, all apps
    exclude group BreakGlass
    require mfa
    mode on

policy "CA002 Block legacy authentication"
    for all users, all apps
    exclude group BreakGlass
    when client exchange-activesync, other
    block
    mode on
"#;

const ASSERTS: &str = r#"
assert "Break-glass is never blocked or challenged"
    member-of group BreakGlass
    expect allow

assert "Legacy clients are always blocked"
    client exchange-activesync, other
    not member-of group BreakGlass
    expect block

assert "Admins need phishing-resistant MFA everywhere"
    member-of role GlobalAdministrator
    not member-of group BreakGlass
    client browser, mobile-desktop
    expect require strength phishing-resistant-mfa
"#;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn analyze(dir: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = capol()
        .arg("analyze")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn json_contract_and_counterexamples_that_capol_test_accepts() {
    let dir = project(&[("policies.capol", POLICIES), ("asserts.capol", ASSERTS)]);
    let (code, out) = analyze(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(1), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let asserts = v["asserts"].as_array().unwrap();
    let holds: Vec<bool> = asserts.iter().map(|a| a["holds"] == true).collect();
    assert_eq!(holds, [true, true, false]);
    for a in asserts {
        assert!(a["name"].is_string() && a["location"].as_str().unwrap().contains("asserts.capol"));
    }
    let cx = &asserts[2]["counterexample"];
    assert_eq!(
        cx["policies"],
        serde_json::json!(["CA001 Require MFA for all users"])
    );
    assert!(cx["outcome"].as_str().unwrap().starts_with("require mfa"));
    for key in ["gaps", "redundant", "emergency"] {
        assert!(v[key].is_array(), "{key}");
    }
    assert_eq!(v["emergency"][0]["exposed"], false);
    // The counterexample, pasted into the sources, is a scenario that fails.
    let scenario = cx["scenario"].as_str().unwrap();
    std::fs::write(dir.path().join("counterexample.capol"), scenario).unwrap();
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL Counterexample: Admins need phishing-resistant MFA everywhere"),
        "{text}"
    );
    assert!(text.contains("0 passed, 1 failed"), "{text}");
}

#[test]
fn exit_zero_when_every_assert_holds_and_text_for_people() {
    let holding: String = ASSERTS
        .split("\nassert ")
        .filter(|a| !a.contains("phishing"))
        .collect::<Vec<_>>()
        .join("\nassert ");
    let dir = project(&[("policies.capol", POLICIES), ("asserts.capol", &holding)]);
    let (code, out) = analyze(dir.path(), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("HOLDS Break-glass is never blocked or challenged"),
        "{out}"
    );
    assert!(out.contains("2 asserts: 2 hold, 0 fail"), "{out}");
    assert!(out.contains("gaps (members): none"), "{out}");
    assert!(
        out.contains("group BreakGlass: never blocked or challenged"),
        "{out}"
    );
}

#[test]
fn report_only_on_counts_report_only_policies() {
    let src = POLICIES.replace("    block\n    mode on", "    block\n    mode report-only");
    let dir = project(&[("policies.capol", &src), ("asserts.capol", ASSERTS)]);
    let (_, out) = analyze(dir.path(), &["--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["asserts"][1]["holds"], false);
    let (_, out) = analyze(dir.path(), &["--format", "json", "--report-only-on"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["asserts"][1]["holds"], true);
}

#[test]
fn sources_with_errors_exit_one() {
    let dir = project(&[(
        "p.capol",
        "policy \"X\"\n    for group Nope, all apps\n    block\n",
    )]);
    let (code, _) = analyze(dir.path(), &[]);
    assert_eq!(code, Some(1));
}

/// A project whose only errors are safety errors is still evaluated, the errors shown.
#[test]
fn safety_errors_never_stop_the_question() {
    let src = r#"
policy "CA005 Require MFA for all users"
    for all users, all apps
    require mfa
    mode on

scenario "Everyone needs MFA"
    app ExchangeOnline
    expect require mfa

assert "Everyone needs MFA everywhere"
    expect require mfa
"#;
    let dir = project(&[("p.capol", src)]);
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(se.contains("[E0208] Error"), "{se}");
    assert!(so.contains("PASS Everyone needs MFA"), "{so}");
    assert_eq!(out.status.code(), Some(1));
    let out = capol()
        .args(["what-if", "--app", "ExchangeOnline"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("CA005"),
        "{out:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("[E0208] Error"));
    let (code, so) = analyze(dir.path(), &[]);
    assert!(so.contains("HOLDS Everyone needs MFA everywhere"), "{so}");
    assert_eq!(code, Some(1));
}
