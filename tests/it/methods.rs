//! What the sign-in already did, through the CLI: `methods` facts, `expect satisfied` /
//! `expect interrupt`, `what-if --methods`, custom strengths declared with `allows` or taken from
//! `capol.lock`, and `fmt` keeping `allows`.

use assert_cmd::Command;

fn capol() -> Command {
    let mut c = Command::cargo_bin("capol").unwrap();
    c.env("NO_COLOR", "1");
    c
}

const POLICIES: &str = "\
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
emergency group BreakGlass
policy \"CA001 MFA\"
    for all users exclude group BreakGlass for app ExchangeOnline
    require mfa
    mode on
policy \"CA002 Phishing-resistant for admins\"
    for role GlobalAdministrator exclude group BreakGlass for app ExchangeOnline
    require strength phishing-resistant-mfa
    mode on
policy \"CA003 Compliant devices, report-only\"
    for all users exclude group BreakGlass for app ExchangeOnline
    require compliant-device
    mode report-only
";

fn project(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.capol"), format!("{POLICIES}{extra}")).unwrap();
    dir
}

#[test]
fn scenarios_state_what_the_user_did() {
    let dir = project(
        "scenario \"Push after a password meets MFA\"
    user alice@contoso.com app ExchangeOnline
    methods password, microsoft-authenticator-push
    expect satisfied
scenario \"A password alone is interrupted\"
    user bob@contoso.com app ExchangeOnline
    methods password
    expect interrupt
scenario \"Phone sign-in is not phishing-resistant\"
    user carol@contoso.com member-of role GlobalAdministrator app ExchangeOnline
    methods device-based-push
    expect interrupt
scenario \"A security key satisfies the admins' policy\"
    user carol@contoso.com member-of role GlobalAdministrator app ExchangeOnline
    methods fido2
    expect satisfied
    expect require strength passwordless-mfa
",
    );
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("4 passed, 0 failed"), "{stdout}");
}

#[test]
fn a_wrong_outcome_says_what_is_missing() {
    let dir = project(
        "scenario \"wrong\"
    user carol@contoso.com member-of role GlobalAdministrator app ExchangeOnline
    methods password, sms
    expect satisfied
",
    );
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "expected satisfied, but the sign-in is interrupted: \"CA002 Phishing-resistant for admins\" still needs strength phishing-resistant-mfa"
        ),
        "{stdout}"
    );
}

#[test]
fn what_if_methods_judges_every_applying_policy() {
    let dir = project("");
    let out = capol()
        .args(["what-if"])
        .arg(dir.path())
        .args(["--user", "alice@contoso.com", "--app", "ExchangeOnline"])
        .args(["--methods", "password, sms", "--device", "unregistered"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("outcome: satisfied (require mfa)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("grant \"CA003 Compliant devices, report-only\": would interrupt, missing compliant-device"),
        "{stdout}"
    );
    let out = capol()
        .args(["what-if"])
        .arg(dir.path())
        .args(["--user", "alice@contoso.com", "--app", "ExchangeOnline"])
        .args(["--methods", "password", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"]["outcome"], "interrupt", "{v}");
    assert_eq!(v["outcome"]["missing"][0]["controls"][0], "mfa", "{v}");
    assert_eq!(v["grants"][0]["policy"], "CA001 MFA", "{v}");
    assert_eq!(v["grants"][0]["missing"][0], "mfa", "{v}");
    // A misspelt method is a usage error located in the flags.
    let out = capol()
        .args(["what-if"])
        .arg(dir.path())
        .args([
            "--app",
            "ExchangeOnline",
            "--methods",
            "windowsHelloForBusiness",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("E0310"), "{stderr}");
    assert!(stderr.contains("`windows-hello-for-business`"), "{stderr}");
}

const CUSTOM: &str = "\
policy \"CA010 Contoso FIDO\"
    for all users exclude group BreakGlass for app SharePointOnline
    require strength ContosoFido
    mode on
scenario \"A custom FIDO-only strength is at least phishing-resistant\"
    user alice@contoso.com app SharePointOnline
    methods fido2
    expect satisfied
    expect require strength phishing-resistant-mfa
";

#[test]
fn custom_strengths_compare_from_declared_combinations() {
    let dir = project(&format!(
        "strength ContosoFido = 7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d allows fido2, windows-hello-for-business\n{CUSTOM}"
    ));
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // fmt keeps the combinations.
    let out = capol()
        .arg("fmt")
        .arg("--check")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = std::fs::read_to_string(dir.path().join("p.capol")).unwrap();
    assert!(
        text.contains("allows fido2, windows-hello-for-business"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn custom_strengths_from_the_lock_file_or_unknown() {
    let strength_decl = "strength ContosoFido = 7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d\n";
    // Without combinations anywhere: unknown, never guessed.
    let dir = project(&format!("{strength_decl}{CUSTOM}"));
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("notEnoughInformation"), "{stdout}");
    // The lock file records them (as `capol resolve` writes them).
    let dir = project(CUSTOM);
    let lock = serde_json::json!({
        "version": 1,
        "tenantId": "00000000-0000-0000-0000-00000000c0de",
        "entries": {"strength": {"ContosoFido": {
            "id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
            "combinations": ["fido2", "windowsHelloForBusiness"]
        }}}
    });
    std::fs::write(dir.path().join("capol.lock"), lock.to_string()).unwrap();
    let out = capol().arg("test").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}
