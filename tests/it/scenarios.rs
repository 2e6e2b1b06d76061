//! `capol test` and `capol what-if` through the real binary, and scenario diagnostics.

use assert_cmd::Command;
use capol::check::Options;
use capol::driver::compile_str;
use std::path::Path;

fn capol() -> Command {
    let mut c = Command::cargo_bin("capol").unwrap();
    c.env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The examples plus one extra file, in a temporary directory.
fn examples_with(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for entry in std::fs::read_dir(src).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "capol") {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(dir.path().join("extra.capol"), extra).unwrap();
    dir
}

#[test]
fn example_scenarios_pass() {
    let out = capol().args(["test", "examples"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("PASS Break-glass accounts are never blocked"),
        "{stdout}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn a_wrong_expectation_fails_naming_the_policy_and_condition() {
    let dir = examples_with(
        r#"
scenario "Legacy clients are allowed (wrong)"
    user bob@contoso.com
    app ExchangeOnline
    client other
    expect allow
"#,
    );
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL Legacy clients are allowed (wrong)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("CA003 Block legacy authentication"),
        "the failure names the policy: {stdout}"
    );
    assert!(stdout.contains("1 failed"), "{stdout}");
}

#[test]
fn a_missing_fact_fails_with_not_enough_information() {
    let dir = examples_with(
        r#"
scenario "Which client?"
    user bob@contoso.com
    app ExchangeOnline
    expect allow
"#,
    );
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("notEnoughInformation") || stdout.contains("not enough information"),
        "{stdout}"
    );
    assert!(
        stdout.contains("client"),
        "names the missing fact: {stdout}"
    );
}

#[test]
fn test_json_output_is_machine_readable() {
    let out = capol()
        .args(["test", "examples", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failed"], 0);
    assert!(v["passed"].as_u64().unwrap() >= 5);
    assert!(
        v["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["passed"] == true)
    );
}

#[test]
fn what_if_prints_every_policy_and_the_outcome() {
    let out = capol()
        .args([
            "what-if",
            "examples",
            "--user",
            "alice@contoso.com",
            "--member-of",
            "role GlobalAdministrator",
            "--app",
            "AzureServiceManagement",
            "--platform",
            "windows",
            "--client",
            "browser",
            "--location",
            "untrusted",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with("CA001 Require MFA for admins"))
        .unwrap();
    assert!(row.contains("applies"), "{row}");
    let legacy = stdout
        .lines()
        .find(|l| l.starts_with("CA003 Block legacy authentication"))
        .unwrap();
    assert!(
        legacy.contains("clientApps"),
        "skipped with Graph's reason: {legacy}"
    );
    assert!(stdout.contains("outcome: require mfa"), "{stdout}");
}

#[test]
fn what_if_json_and_bad_flags() {
    let out = capol()
        .args([
            "what-if",
            "examples",
            "--user",
            "EmergencyAccess1",
            "--member-of",
            "BreakGlass",
            "--app",
            "MicrosoftOffice365Portal",
        ])
        .args(["--client", "browser", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["results"].as_array().unwrap().len() >= 10);

    let out = capol()
        .args(["what-if", "examples", "--platform", "iso"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E0106") && stderr.contains("ios"),
        "{stderr}"
    );
}

fn codes(src: &str) -> Vec<&'static str> {
    let names = "group Admins = 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a62\n\
                 policy \"P\" for group Admins for all apps require mfa\n";
    let c = compile_str(
        &[("names.capol", names), ("s.capol", src)],
        None,
        &Options::default(),
    );
    c.diagnostics.items.iter().map(|d| d.code).collect()
}

#[test]
fn scenario_mistakes_are_diagnostics() {
    assert_eq!(
        codes("scenario \"s\" user a@b.c member-of group Admns expect allow"),
        ["E0100"]
    );
    assert_eq!(
        codes("scenario \"s\" platform ios platform android expect allow"),
        ["E0500"]
    );
    assert_eq!(
        codes("scenario \"s\" app AzureServiceManagement expect permit"),
        ["E0501"]
    );
    assert_eq!(
        codes("scenario \"s\" app AzureServiceManagement expect applies \"Q\""),
        ["E0501"]
    );
    assert_eq!(
        codes("scenario \"s\" user a@b.c service-principal X expect block"),
        ["E0500"]
    );
    assert_eq!(
        codes("scenario \"s\" app AzureServiceManagement"),
        ["W0012"]
    );
    assert!(codes("scenario \"s\" user a@b.c member-of group Admins app AzureServiceManagement expect require mfa").is_empty());
}

#[test]
fn app_attributes_feed_app_filters() {
    let src = r#"
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
policy "Baker" for apps where 'CustomSecurityAttribute.Engineering_Project -eq "Baker"' exclude group BreakGlass require mfa mode on
scenario "baker"
    user bob@contoso.com
    app SharePointOnline
    app-attributes Engineering_Project "Baker"
    expect require mfa
scenario "alpha"
    user bob@contoso.com
    app SharePointOnline
    app-attributes CustomSecurityAttribute.Engineering_Project "Alpha"
    expect allow
"#;
    let c = compile_str(&[("s.capol", src)], None, &Options::default());
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    let ctx = capol::whatif::EvalContext::default();
    for sc in &c.set.scenarios {
        let ev = capol::whatif::evaluate(&c.policies, &ctx, &sc.sign_in);
        for e in &sc.expects {
            assert!(
                capol::whatif::check(&ev, &e.node).is_ok(),
                "{}: {}",
                sc.name.node,
                e.node
            );
        }
    }
    // Without the attributes, the policy is unknown and the expectation cannot be decided.
    let unknown = src.replace("    app-attributes Engineering_Project \"Baker\"\n", "");
    let c = compile_str(&[("s.capol", &unknown)], None, &Options::default());
    let ev = capol::whatif::evaluate(&c.policies, &ctx, &c.set.scenarios[0].sign_in);
    assert!(capol::whatif::check(&ev, &c.set.scenarios[0].expects[0].node).is_err());
}

#[test]
fn a_workload_identity_policy_skips_user_sign_ins_as_workload_identities() {
    let src = "policy \"wl\" block for all service-principals when location any exclude location trusted\n\
               scenario \"s\" user bob@contoso.com app ExchangeOnline client browser expect skips \"wl\"";
    let c = compile_str(&[("s.capol", src)], None, &Options::default());
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    let ev = capol::whatif::evaluate(
        &c.policies,
        &Default::default(),
        &c.set.scenarios[0].sign_in,
    );
    let v = serde_json::to_value(&ev).unwrap();
    assert_eq!(v["results"][0]["reason"], "workloadIdentities", "{v}");
}

#[test]
fn failures_name_declared_objects_not_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.capol"),
        "strength ContosoFido = 7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d\n\
         group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
         policy \"Fido\" for all apps exclude group BreakGlass require strength ContosoFido mode on\n\
         scenario \"s\" user z@x.com app ExchangeOnline expect require compliant-device\n",
    )
    .unwrap();
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("strength ContosoFido"), "{stdout}");
    assert!(!stdout.contains("7a6b5c4d"), "{stdout}");
}
