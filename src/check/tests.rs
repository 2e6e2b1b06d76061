//! Checker unit tests, one group per rule: name resolution, closed vocabularies, placement, the
//! Graph combination rules, the safety rules, the lints, and the defaults.

use super::{ApiVersion, Options};
use crate::driver::{Compilation, compile_str};
use crate::graph::model::Policy;
use crate::symbols::Kind;
use crate::symbols::lock::{LockEntry, LockFile};
use serde_json::{Value, json};

const BG: &str = "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n";
const BG_ID: &str = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";

fn run(text: &str) -> Compilation {
    compile_str(&[("t.capol", text)], None, &Options::default())
}

fn run_beta(text: &str) -> Compilation {
    compile_str(
        &[("t.capol", text)],
        None,
        &Options {
            api: ApiVersion::Beta,
        },
    )
}

/// `(code, line, column)` of every diagnostic.
fn found(c: &Compilation) -> Vec<(&'static str, usize, usize)> {
    c.diagnostics
        .items
        .iter()
        .map(|d| {
            let span = d.primary.as_ref().expect("located").span;
            let (l, col) = c.sources.get(span.file).expect("file").line_col(span.start);
            (d.code, l, col)
        })
        .collect()
}

fn codes(text: &str) -> Vec<&'static str> {
    run(text).diagnostics.items.iter().map(|d| d.code).collect()
}

/// The only policy, as Graph JSON.
fn one(text: &str) -> Value {
    let c = run(text);
    assert!(!c.has_errors(), "{:?}", found(&c));
    let [p] = c.policies.as_slice() else {
        panic!("{} policies", c.policies.len())
    };
    serde_json::to_value(p).unwrap()
}

fn policy(text: &str) -> Policy {
    let c = run(text);
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    c.policies.into_iter().next().expect("a policy")
}

// ------------------------------------------------------------------ names

#[test]
fn declarations_then_lock_then_builtins() {
    // A declaration shadows the built-in app of the same name.
    let p = one(
        "app Office365Mail = 00000002-0000-0ff1-ce00-000000000000\nrequire mfa for app Office365Mail\n",
    );
    assert_eq!(
        p["conditions"]["applications"]["includeApplications"],
        json!(["00000002-0000-0ff1-ce00-000000000000"])
    );
    let p = one(
        "app AzureServiceManagement = 11111111-1111-4111-8111-111111111111\nrequire mfa for app AzureServiceManagement\n",
    );
    assert_eq!(
        p["conditions"]["applications"]["includeApplications"],
        json!(["11111111-1111-4111-8111-111111111111"])
    );

    let mut lock = LockFile::new("t");
    lock.insert(
        Kind::Group,
        "Break Glass Accounts",
        LockEntry {
            id: BG_ID.into(),
            ..Default::default()
        },
    );
    lock.insert(
        Kind::User,
        "bg1@contoso.com",
        LockEntry {
            id: "6f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c61".into(),
            ..Default::default()
        },
    );
    let c = compile_str(
        &[(
            "t.capol",
            "require mfa for all apps exclude group \"Break Glass Accounts\", user bg1@contoso.com\n",
        )],
        Some(&lock),
        &Options::default(),
    );
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    let users = serde_json::to_value(&c.policies[0].conditions.users).unwrap();
    assert_eq!(users["excludeGroups"], json!([BG_ID]));
    assert_eq!(
        users["excludeUsers"],
        json!(["6f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c61"])
    );
}

#[test]
fn builtin_roles_apps_and_strengths() {
    let p = one(
        "require strength phishing-resistant-mfa for role GlobalAdministrator, \"Security Administrator\", app \"Windows Azure Service Management API\"\n",
    );
    assert_eq!(
        p["conditions"]["users"]["includeRoles"],
        json!([
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
            "62e90394-69f5-4237-9190-012177145e10"
        ])
    );
    assert_eq!(
        p["conditions"]["applications"]["includeApplications"],
        json!(["797f4846-ba00-4fd7-ba43-dac1f8f63013"])
    );
    assert_eq!(
        p["grantControls"]["authenticationStrength"],
        json!({"id": "00000000-0000-0000-0000-000000000004"})
    );
}

#[test]
fn unknown_names_suggest_names_of_the_same_kind() {
    let c = run(&format!(
        "{BG}require mfa for all apps exclude group BreakGlas\n"
    ));
    assert_eq!(found(&c), [("E0100", 2, 40)]);
    assert!(
        c.diagnostics.items[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`BreakGlass`")
    );
    let c = run("require mfa for role GlobalAdmin, all apps\n");
    assert!(
        c.diagnostics.items[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`GlobalAdministrator`")
    );
}

#[test]
fn wrong_kinds_name_the_real_kind() {
    let c = run("require mfa for group AzureServiceManagement, all apps\n");
    assert_eq!(c.diagnostics.items[0].code, "E0101");
    assert_eq!(
        c.diagnostics.items[0].message,
        "`AzureServiceManagement` is an app, not a group"
    );
    assert_eq!(
        codes("require mfa for all apps, app alice@contoso.com\n"),
        ["E0101"]
    );
}

#[test]
fn malformed_guids_in_declarations_and_lists() {
    assert_eq!(
        codes("group A = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d1\n"),
        ["E0102"]
    );
    assert_eq!(
        codes("require mfa for all apps exclude group 0b1d2b8e-zzzz-4a1c-9a3e-3f6f1b0c9d11\n"),
        ["E0102"]
    );
}

#[test]
fn declared_twice_even_across_files() {
    let c = compile_str(
        &[("a.capol", BG), ("b.capol", BG)],
        None,
        &Options::default(),
    );
    assert_eq!(found(&c), [("E0103", 1, 7)]);
    assert_eq!(
        c.sources
            .get(c.diagnostics.items[0].primary.as_ref().unwrap().span.file)
            .unwrap()
            .name,
        "b.capol"
    );
    // The same name for two kinds is fine.
    assert!(codes("group Finance = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\napp Finance = 3f2f9a55-1b6e-4c7a-8a1d-6d3f0e9b2c44\n").is_empty());
}

#[test]
fn declared_values_must_fit_their_kind() {
    assert_eq!(
        codes("context Finance = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n"),
        ["E0106"]
    );
    assert_eq!(codes("group A = alice@contoso.com\n"), ["E0106"]);
    assert_eq!(codes("context Finance = c100\n"), ["E0106"]);
    assert_eq!(codes(&format!("group G = {BG_ID} trusted\n")), ["E0106"]);
    assert!(codes("context Finance = c99\nuser A = alice@contoso.com\n").is_empty());
}

#[test]
fn upns_need_the_lock_file() {
    assert_eq!(
        codes("require mfa for all apps exclude user bg1@contoso.com\n"),
        ["E0107"]
    );
    // Declared by UPN: still needs the lock file, reported where it is used.
    let c = run("user Bg = bg1@contoso.com\nrequire mfa for all apps exclude user Bg\n");
    assert_eq!(found(&c), [("E0107", 2, 39)]);
}

#[test]
fn display_names_are_unique_and_header_less_files_use_their_stem() {
    let c = compile_str(
        &[
            ("dir/mfa.capol", "require mfa for all apps\n"),
            (
                "other.capol",
                "policy \"mfa\"\n  for all apps\n  require mfa\n",
            ),
        ],
        None,
        &Options::default(),
    );
    assert_eq!(
        c.diagnostics
            .items
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>(),
        ["E0104"]
    );
}

#[test]
fn empty_display_names_are_refused() {
    assert_eq!(
        codes("policy \"\"\n  for all apps\n  require mfa\n"),
        ["E0106"]
    );
    assert_eq!(
        codes("policy \"   \"\n  for all apps\n  require mfa\n"),
        ["E0106"]
    );
}

// ------------------------------------------------------------------ vocabularies and placement

#[test]
fn closed_vocabularies_suggest_the_closest_word() {
    for (text, word) in [
        (
            "require mfa for all apps when platform andriod\n",
            "`android`",
        ),
        ("require mfa for all apps when client browsr\n", "`browser`"),
        (
            "require mfa for all apps when sign-in-risk hgih\n",
            "`high`",
        ),
        ("require mfaa for all apps\n", "`mfa`"),
        ("require mfa for all apps mode report\n", "`report-only`"),
        ("for all apps session persistent-browser nevr\n", "`never`"),
        (
            "for all apps session sign-in-frequncy 4 hours\n",
            "`sign-in-frequency`",
        ),
        (
            "require mfa for action register-security\n",
            "`register-security-info`",
        ),
    ] {
        let c = run(text);
        assert_eq!(
            c.diagnostics
                .items
                .iter()
                .map(|d| d.code)
                .collect::<Vec<_>>(),
            ["E0106"],
            "{text}"
        );
        assert!(
            c.diagnostics.items[0]
                .help
                .as_deref()
                .unwrap()
                .contains(word),
            "{text}"
        );
    }
}

#[test]
fn session_controls_take_the_right_number_of_values() {
    assert_eq!(
        codes("for all apps session persistent-browser\n"),
        ["E0106"]
    );
    assert_eq!(
        codes("for all apps session app-enforced-restrictions yes\n"),
        ["E0106"]
    );
    assert_eq!(
        codes("for all apps session persistent-browser never always\n"),
        ["E0106"]
    );
}

#[test]
fn items_in_the_wrong_clause() {
    for text in [
        "require mfa for platform ios, all apps\n",
        "require mfa for all apps when group A\n",
        "require mfa for all apps exclude client browser\n",
        "require mfa for all apps exclude action register-device\n",
        "require mfa for all apps when user-risk high, app X\n",
        "require mfa for all apps, devices where 'device.isCompliant -eq True'\n",
        "require mfa for all apps, tenant 11111111-2222-4333-8444-555555555555\n",
        "require mfa for all apps, strength mfa\n",
    ] {
        assert_eq!(codes(text), ["E0108"], "{text}");
    }
    assert_eq!(
        codes("require mfa for all apps, locations where 'x'\n"),
        ["E0108"]
    );
}

#[test]
fn all_of_a_kind_that_has_no_all() {
    assert_eq!(
        codes("require mfa for all apps when all platforms\n"),
        ["E0106"]
    );
}

#[test]
fn sign_in_frequency_forms() {
    let p = one("for all apps session sign-in-frequency 1 hour\n");
    assert_eq!(
        p["sessionControls"]["signInFrequency"],
        json!({"isEnabled": true, "value": 1, "type": "hours", "frequencyInterval": "timeBased"})
    );
    let p = one(
        "for all apps when user-risk high require password-change and mfa session sign-in-frequency every-time\n",
    );
    assert_eq!(
        p["sessionControls"]["signInFrequency"],
        json!({"isEnabled": true, "value": null, "type": null, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication"})
    );
    for bad in ["0 hours", "four hours", "4 weeks", "4", "every time"] {
        assert_eq!(
            codes(&format!(
                "require mfa for all apps session sign-in-frequency {bad}\n"
            )),
            ["E0110"],
            "{bad}"
        );
    }
}

// ------------------------------------------------------------------ grant rules

#[test]
fn block_stands_alone() {
    assert_eq!(
        found(&run("require mfa and block for all apps\n")),
        [("E0200", 1, 17)]
    );
    assert_eq!(codes("for all apps block require mfa\n"), ["E0105"]);
}

#[test]
fn one_operator_per_grant() {
    assert_eq!(
        found(&run(
            "require mfa and compliant-device or hybrid-joined-device for all apps\n"
        )),
        [("E0201", 1, 34)]
    );
    let p = one("require compliant-device or hybrid-joined-device for all apps\n");
    assert_eq!(
        p["grantControls"],
        json!({"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]})
    );
    let p = one("require mfa and compliant-device for all apps\n");
    assert_eq!(p["grantControls"]["operator"], "AND");
    // A single control compiles with OR.
    assert_eq!(
        one("require compliant-device for all apps\n")["grantControls"]["operator"],
        "OR"
    );
}

#[test]
fn mfa_and_strength_never_together() {
    assert_eq!(
        codes("require mfa and strength mfa for all apps\n"),
        ["E0202"]
    );
    assert_eq!(
        codes("require strength mfa or strength passwordless-mfa for all apps\n"),
        ["E0105"]
    );
    assert_eq!(codes("require mfa and mfa for all apps\n"), ["E0105"]);
}

#[test]
fn password_change_and_risk_remediation_requirements() {
    let ok = "for all apps when user-risk high require password-change and mfa\n";
    assert!(codes(ok).is_empty());
    assert!(
        codes("for all apps when user-risk high require password-change and strength mfa\n")
            .is_empty()
    );
    for bad in [
        "for all apps when user-risk high require password-change\n",
        "for all apps when user-risk high require password-change or mfa\n",
        "for all apps require password-change and mfa\n",
        "for app Office365 when user-risk high require password-change and mfa\n",
        "for all apps exclude app Office365 when user-risk high require password-change and mfa\n",
        "for all apps when user-risk high when platform ios require password-change and mfa\n",
        "for all apps when user-risk high require password-change and mfa and compliant-device\n",
        "for all apps when user-risk high require risk-remediation and mfa\n",
    ] {
        assert_eq!(codes(bad), ["E0211"], "{bad}");
    }
    assert!(
        codes("for all apps when user-risk high require risk-remediation and strength mfa\n")
            .is_empty()
    );
}

#[test]
fn register_device_allows_only_mfa_or_a_strength() {
    let base = format!("{BG}emergency group BreakGlass\n");
    let ok = format!(
        "{base}for action register-device exclude group BreakGlass require strength mfa mode on\n"
    );
    assert!(codes(&ok).is_empty(), "{:?}", codes(&ok));
    for bad in [
        "for action register-device exclude group BreakGlass require compliant-device mode on\n",
        "for action register-device exclude group BreakGlass when client browser require mfa mode on\n",
        "for action register-device exclude group BreakGlass when devices where 'device.isCompliant -eq True' require mfa mode on\n",
    ] {
        assert_eq!(codes(&format!("{base}{bad}")), ["E0215"], "{bad}");
    }
}

#[test]
fn app_controls_only_on_phones() {
    assert_eq!(
        codes("for all apps when platform ios, macos require compliant-app\n"),
        ["E0216"]
    );
    assert_eq!(
        codes("for all apps when platform linux require approved-app or compliant-app\n"),
        ["E0216"]
    );
    assert_eq!(
        codes("for all apps when platform macos require compliant-app and mfa\n"),
        ["E0216"]
    );
    // Another way out with `or` is fine.
    assert!(
        codes("for all apps when platform ios, macos require compliant-app or compliant-device\n")
            .is_empty()
    );
}

// ------------------------------------------------------------------ resources and targets

#[test]
fn resources_are_required_and_of_one_kind() {
    assert_eq!(
        found(&run("policy \"A\"\n for all users\n require mfa\n")),
        [("E0203", 1, 8)]
    );
    assert_eq!(
        codes("require mfa for app Office365, action register-security-info\n"),
        ["E0210", "W0004"]
    );
    assert_eq!(
        codes("require mfa for context c1, action register-device\n"),
        ["E0210", "W0004"]
    );
    assert_eq!(
        codes(
            "require mfa for apps where 'CustomSecurityAttribute.Eng_Project -eq \"Baker\"', context c2\n"
        ),
        ["E0210"]
    );
}

#[test]
fn no_grant_and_no_session() {
    assert_eq!(
        found(&run("policy \"A\"\n for all apps\n")),
        [("E0204", 1, 8)]
    );
    let p = one("for all apps session app-enforced-restrictions\n");
    assert_eq!(p["grantControls"], Value::Null);
}

#[test]
fn a_failed_clause_is_reported_once() {
    // The unknown control is the problem; the policy is not also "without controls" (E0204).
    assert_eq!(codes("require mfaa for all apps\n"), ["E0106"]);
    assert_eq!(
        codes("for all apps session sign-in-frequency 4 weeks\n"),
        ["E0110"]
    );
    assert_eq!(
        codes("require mfa and compliant-device or mfa for all apps\n"),
        ["E0201"]
    );
    // The unknown app is the problem; the policy is not also "without resources" (E0203).
    assert_eq!(
        codes("require mfa for app AzureServiceManagment\n"),
        ["E0100"]
    );
    assert_eq!(
        codes("require mfa for action register-securityinfo\n"),
        ["E0106"]
    );
}

#[test]
fn included_and_excluded() {
    let text = format!("{BG}require mfa for group BreakGlass, all apps exclude group BreakGlass\n");
    assert_eq!(found(&run(&text)), [("E0205", 2, 52)]);
    assert_eq!(
        codes("require mfa for app Office365 exclude app Office365\n"),
        ["E0205"]
    );
    assert_eq!(
        codes("require mfa for all apps when platform ios exclude platform ios\n"),
        ["E0205"]
    );
    // `all users` minus a group is the normal case.
    assert!(
        codes(&format!(
            "{BG}require mfa for all users, all apps exclude group BreakGlass\n"
        ))
        .is_empty()
    );
}

#[test]
fn workload_identity_rules() {
    let p = one(
        "block for all service-principals when location any exclude location trusted when service-principal-risk high\n",
    );
    assert_eq!(p["conditions"]["users"], json!({"includeUsers": ["None"]}));
    assert_eq!(
        p["conditions"]["clientApplications"]["includeServicePrincipals"],
        json!(["ServicePrincipalsInMyTenant"])
    );
    assert_eq!(
        p["conditions"]["applications"]["includeApplications"],
        json!(["All"])
    );
    for bad in [
        "require mfa for all service-principals\n",
        "block for all service-principals, app Office365\n",
        "block for all service-principals when platform ios\n",
        "block for all service-principals when sign-in-risk high\n",
        "block for all service-principals session sign-in-frequency 1 hour\n",
        "block exclude service-principal 7d3c1b2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n",
        "require mfa for all apps when service-principal-risk high\n",
    ] {
        assert!(codes(bad).contains(&"E0213"), "{bad}: {:?}", codes(bad));
    }
    assert_eq!(
        codes(&format!(
            "{BG}block for all service-principals, group BreakGlass\n"
        )),
        ["E0214"]
    );
}

// ------------------------------------------------------------------ session rules

#[test]
fn persistent_browser_needs_all_apps() {
    assert_eq!(
        codes("for app Office365 session persistent-browser never\n"),
        ["E0212"]
    );
    assert!(
        codes("for all apps exclude app Office365 session persistent-browser always\n").is_empty()
    );
}

#[test]
fn beta_only_clauses() {
    assert_eq!(codes("for all apps session cae strict\n"), ["E0207"]);
    let c = run_beta("for all apps session cae strict-location\n");
    assert!(!c.has_errors());
    let v = serde_json::to_value(&c.policies[0]).unwrap();
    assert_eq!(
        v["sessionControls"]["continuousAccessEvaluation"],
        json!({"mode": "strictLocation"})
    );
    let c = run_beta("for app Office365 session cae disabled\n");
    assert_eq!(
        c.diagnostics
            .items
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>(),
        ["E0219"]
    );
    assert!(!run_beta("for all apps session cae disabled\n").has_errors());
}

// ------------------------------------------------------------------ safety

#[test]
fn lockout_of_everyone() {
    for (text, what) in [
        ("for all apps require mfa mode on\n", "all apps"),
        (
            "for app AzureServiceManagement block mode on\n",
            "Azure management",
        ),
        (
            "for app MicrosoftAdminPortals require strength mfa mode on\n",
            "the admin portals",
        ),
    ] {
        let c = run(text);
        let d = c
            .diagnostics
            .items
            .iter()
            .find(|d| d.code == "E0208")
            .unwrap_or_else(|| panic!("{text}"));
        assert!(d.message.ends_with(what), "{}", d.message);
    }
    // Excluding anyone, report-only, or a narrower resource: no lockout.
    assert!(
        !codes(&format!(
            "{BG}for all apps exclude group BreakGlass require mfa mode on\n"
        ))
        .contains(&"E0208")
    );
    assert!(!codes("for all apps require mfa\n").contains(&"E0208"));
    assert!(!codes("for app Office365 require mfa mode on\n").contains(&"E0208"));
    assert!(!codes("for all apps session sign-in-frequency 4 hours mode on\n").contains(&"E0208"));
}

#[test]
fn lockout_is_judged_by_what_the_policy_really_does() {
    // Narrowed by platform and location, client, guest type or device: not a lockout.
    for narrowed in [
        "location Branch = 9c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10\nfor all users, all apps when platform windows-phone when location Branch block mode on\n",
        "for all users, all apps when client exchange-activesync, other block mode on\n",
        "for guests, all apps block mode on\n",
        "for all users, all apps when sign-in-risk high block mode on\n",
        "for all users, all apps exclude devices where 'device.isCompliant -eq True' require mfa mode on\n",
        "for all users, all apps exclude platform ios require mfa mode on\n",
    ] {
        assert!(!codes(narrowed).contains(&"E0208"), "{narrowed}");
    }
    // Real lockouts are still caught, however they are written.
    for locked in [
        "for all users, all apps when platform any block mode on\n",
        "for all users, all apps when client browser, mobile-desktop, exchange-activesync, other require mfa mode on\n",
        "for all users, app AzureServiceManagement when location any block mode on\n",
        "for all users, all apps exclude guests require mfa mode on\n",
    ] {
        assert!(codes(locked).contains(&"E0208"), "{locked}");
    }
}

#[test]
fn allow_no_exclusion_waives_the_lockout_rule_and_only_it() {
    let deliberate = "for all users, all apps when client other block mode on\nallow no-exclusion \"legacy clients\"\n";
    assert_eq!(codes(deliberate), ["W0002"]);
    let c = run(deliberate);
    assert_eq!(
        c.set.policies[0]
            .allow_no_exclusion
            .as_ref()
            .map(|r| r.node.as_str()),
        Some("legacy clients")
    );
    // The clause is not in the compiled JSON.
    assert!(
        !serde_json::to_string(&c.policies)
            .unwrap()
            .contains("legacy clients")
    );
    // A real lockout keeps its error without the clause, and loses it with it.
    let everyone = "for all users, all apps require mfa mode on\n";
    assert!(codes(everyone).contains(&"E0208"));
    assert!(
        !codes(&format!(
            "{everyone}allow no-exclusion \"break-glass is a FIDO2 key\"\n"
        ))
        .contains(&"E0208")
    );
    // It does not waive the emergency-access rule.
    let bg =
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\n";
    assert_eq!(codes(&format!("{bg}{deliberate}")), ["E0209"]);
    // Another exception word is unknown; a second clause is a duplicate.
    assert!(codes("for all users, all apps block\nallow no-mfa \"x\"\n").contains(&"E0106"));
    assert!(codes(&format!("{deliberate}allow no-exclusion \"again\"\n")).contains(&"E0105"));
}

#[test]
fn emergency_access_must_be_excluded_where_it_could_be_reached() {
    let decl = "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nuser Em1 = 6f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c61\nemergency group BreakGlass\nemergency user Em1\n";
    let c = |body: &str| codes(&format!("{decl}{body}"));
    // All users, any role, or an emergency principal by name.
    assert_eq!(
        c("policy \"A\" for all users, all apps exclude group BreakGlass require mfa mode on\n"),
        ["E0209"]
    );
    assert_eq!(
        c("policy \"A\" for role HelpdeskAdministrator, all apps require mfa mode on\n"),
        ["E0209"]
    );
    assert_eq!(
        c("policy \"A\" for user Em1, all apps exclude group BreakGlass require mfa mode on\n"),
        ["E0209"]
    );
    assert!(c("policy \"A\" for role GlobalAdministrator, all apps exclude group BreakGlass, user Em1 require mfa mode on\n").is_empty());
    // Aimed at a named group or at guests only: not held to the rule.
    assert!(c("group Pilot = 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a61\npolicy \"A\" for group Pilot, all apps require mfa mode on\n").is_empty());
    assert!(c("policy \"A\" for guests, all apps require mfa mode on\n").is_empty());
    // Report-only: a warning; off: nothing.
    assert_eq!(c("policy \"A\" for all apps require mfa\n"), ["W0003"]);
    assert!(c("policy \"A\" for all apps require mfa mode off\n").is_empty());
    // Workload identities are not users.
    assert!(c("policy \"A\" block for all service-principals mode on\n").is_empty());
}

#[test]
fn only_users_and_groups_are_emergency_principals() {
    assert_eq!(codes("emergency role GlobalAdministrator\n"), ["E0106"]);
}

#[test]
fn no_emergency_declared() {
    let c = run(
        "group X = 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a65\npolicy \"A\"\n for all apps\n exclude group X\n block\n mode on\n",
    );
    assert_eq!(found(&c), [("W0002", 2, 8)]);
    assert!(
        codes("policy \"A\" for all apps block\n").is_empty(),
        "report-only is not enforced"
    );
    assert!(codes("group X = 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a65\npolicy \"A\" for group X, all apps block mode on\n").is_empty());
}

// ------------------------------------------------------------------ lints

#[test]
fn excluding_every_location_is_w0007_only() {
    // The implied `location any` is not reported as "included and excluded" (E0205).
    assert_eq!(
        codes("require mfa for all apps exclude location any\n"),
        ["W0007"]
    );
    assert_eq!(
        codes("require mfa for all apps when location any exclude location any\n"),
        ["W0007"]
    );
    assert_eq!(
        codes("require mfa for all apps when location trusted exclude location trusted\n"),
        ["E0205"]
    );
}

#[test]
fn lints() {
    assert_eq!(
        codes("policy \"A\" for action register-security-info require mfa\n"),
        ["W0004"]
    );
    assert_eq!(
        codes("for all apps session sign-in-frequency 24 hours\n"),
        ["W0005"]
    );
    assert_eq!(
        codes("for all apps session sign-in-frequency 366 days\n"),
        ["W0005"]
    );
    assert!(codes("for all apps session sign-in-frequency 23 hours\n").is_empty());
    assert_eq!(
        codes("for all apps session sign-in-frequency every-time\n"),
        ["W0006"]
    );
    assert!(
        codes(
            "for all apps when sign-in-risk high require mfa session sign-in-frequency every-time\n"
        )
        .is_empty()
    );
    assert!(
        codes(
            "for app MicrosoftIntuneEnrollment require mfa session sign-in-frequency every-time\n"
        )
        .is_empty()
    );
    assert_eq!(
        codes("for all apps when location trusted exclude location any require mfa\n"),
        ["W0007"]
    );
    assert_eq!(codes("for all apps require approved-app\n"), ["W0008"]);
    assert_eq!(codes("for app MicrosoftGraph require mfa\n"), ["W0009"]);
    assert_eq!(
        codes("for app Office365 session token-protection\n"),
        ["W0010"]
    );
    assert!(
        codes("for app ExchangeOnline, SharePointOnline session token-protection\n").is_empty()
    );
    assert_eq!(
        codes("for all users, user 6f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c63, all apps require mfa\n"),
        ["W0011"]
    );
    assert_eq!(
        codes("for all apps, app Office365 require mfa\n"),
        ["W0011"]
    );
}

// ------------------------------------------------------------------ defaults and output

#[test]
fn defaults_for_left_out_clauses() {
    let p = one("require mfa for all apps\n");
    assert_eq!(
        p["state"], "enabledForReportingButNotEnforced",
        "report-only by default"
    );
    assert_eq!(
        p["conditions"]["users"],
        json!({"includeUsers": ["All"]}),
        "all users by default"
    );
    assert_eq!(p["conditions"]["clientAppTypes"], json!(["all"]));
    let p = one("block for all apps exclude platform ios\n");
    assert_eq!(
        p["conditions"]["platforms"],
        json!({"includePlatforms": ["all"], "excludePlatforms": ["iOS"]})
    );
    let p = one("block for all apps exclude location trusted\n");
    assert_eq!(
        p["conditions"]["locations"],
        json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})
    );
}

#[test]
fn modes() {
    assert_eq!(
        one("require mfa for all apps mode off\n")["state"],
        "disabled"
    );
    assert_eq!(
        one(&format!(
            "{BG}emergency group BreakGlass\nrequire mfa for all apps exclude group BreakGlass mode on\n"
        ))["state"],
        "enabled"
    );
}

#[test]
fn lists_are_sorted_and_deduplicated() {
    let p = one(
        "require mfa for all apps exclude group 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a62, 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11, 3C9E2A71-5D4B-4E6F-8A2C-1B0D9E8F7A62 when platform windows, android, ios, android\n",
    );
    assert_eq!(
        p["conditions"]["users"]["excludeGroups"],
        json!([BG_ID, "3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a62"])
    );
    assert_eq!(
        p["conditions"]["platforms"]["includePlatforms"],
        json!(["android", "iOS", "windows"])
    );
}

#[test]
fn flags_are_comma_joined_strings() {
    let p = one(
        "block for all apps when insider-risk elevated, minor when auth-flow authentication-transfer, device-code\n",
    );
    assert_eq!(p["conditions"]["insiderRiskLevels"], "minor,elevated");
    assert_eq!(
        p["conditions"]["authenticationFlows"],
        json!({"transferMethods": "deviceCodeFlow,authenticationTransfer"})
    );
    let p = one("require mfa for guests b2b-collaboration-member, internal-guest, all apps\n");
    assert_eq!(
        p["conditions"]["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"],
        "internalGuest,b2bCollaborationMember"
    );
}

#[test]
fn guests_of_named_tenants() {
    let p = one(
        "require mfa for guests b2b-collaboration-guest, tenant 22222222-2222-4333-8444-555555555555, tenant 11111111-2222-4333-8444-555555555555, all apps\n",
    );
    assert_eq!(
        p["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"],
        json!({"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": ["11111111-2222-4333-8444-555555555555", "22222222-2222-4333-8444-555555555555"]})
    );
    assert_eq!(
        codes("require mfa for all apps, tenant 11111111-2222-4333-8444-555555555555\n"),
        ["E0108"]
    );
    assert_eq!(
        codes("require mfa for all apps, guests, tenant Contoso\n"),
        ["E0106"]
    );
}

#[test]
fn trusted_locations_are_known_to_the_policy_set() {
    let c = run(
        "location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\nlocation Branch = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e11\n",
    );
    assert!(
        c.set
            .trusted_locations
            .contains("8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10")
    );
    assert!(
        !c.set
            .trusted_locations
            .contains("8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e11")
    );
}

#[test]
fn description_is_emitted() {
    assert_eq!(
        policy("require mfa for all apps description \"Baseline\"\n")
            .description
            .as_deref(),
        Some("Baseline")
    );
}

#[test]
fn an_unresolved_user_target_does_not_fall_back_to_all_users() {
    // Only the unknown group is reported: not the lockout rule of an "all users" policy.
    assert_eq!(
        codes("policy \"X\" for group Nope for all apps block mode on"),
        ["E0100"]
    );
    let c = run("policy \"X\" for group \"Break Glass\" for all apps block");
    let help = c.diagnostics.items[0].help.clone().unwrap_or_default();
    assert!(help.contains("`group \"Break Glass\" = <id>`"), "{help}");
}

#[test]
fn a_scenario_names_one_app_not_a_group_of_apps() {
    let c = run("policy \"P\" for all apps require mfa\nscenario \"s\" app Office365 expect allow");
    assert_eq!(found(&c).first().map(|f| f.0), Some("E0106"));
    assert!(c.diagnostics.items[0].message.contains("group of apps"));
}

#[test]
fn graph_state_words_point_at_the_mode() {
    let c = run("policy \"X\" for group Nope for all apps block mode enabled");
    let d = c
        .diagnostics
        .items
        .iter()
        .find(|d| d.message.contains("unknown mode"))
        .unwrap();
    assert!(d.help.as_deref().unwrap_or("").contains("`mode on`"));
}

#[test]
fn all_cannot_be_excluded() {
    for (src, what) in [
        (
            "policy \"a\" block for app AzureServiceManagement exclude all apps exclude group BreakGlass",
            "apps",
        ),
        (
            "policy \"a\" require mfa for all apps exclude all users",
            "users",
        ),
        (
            "policy \"a\" block for all service-principals exclude all service-principals",
            "service-principals",
        ),
    ] {
        let c = run(&format!("{BG}{src}"));
        let d = c
            .diagnostics
            .items
            .iter()
            .find(|d| d.code == "E0106")
            .unwrap_or_else(|| panic!("{src}"));
        assert!(
            d.message.contains(&format!("`exclude all {what}`")),
            "{}",
            d.message
        );
        assert!(c.policies.is_empty());
    }
}

#[test]
fn guests_add_up_across_clauses() {
    let p = one(&format!(
        "{BG}policy \"a\" block for all apps exclude group BreakGlass exclude guests internal-guest exclude guests service-provider, tenant 11111111-1111-1111-1111-111111111111"
    ));
    let g = &p["conditions"]["users"]["excludeGuestsOrExternalUsers"];
    assert_eq!(
        g["guestOrExternalUserTypes"],
        "internalGuest,serviceProvider"
    );
    assert_eq!(
        g["externalTenants"]["members"],
        json!(["11111111-1111-1111-1111-111111111111"])
    );
    // `guests` alone means every type, whatever else is written.
    let p = one("policy \"a\" require mfa for all apps for guests internal-guest for guests");
    let types =
        p["conditions"]["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"]
            .clone();
    assert_eq!(types.as_str().map(|t| t.split(',').count()), Some(6));
}

#[test]
fn special_values_cannot_be_declared() {
    assert_eq!(
        codes("app Office365 = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
        ["E0106"]
    );
    assert_eq!(
        codes("location any = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
        ["E0106"]
    );
}

#[test]
fn every_and_any_stand_alone() {
    let src = "location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10\n\
               policy \"a\" require mfa for app ExchangeOnline when location HQ, any when platform any, ios exclude platform any";
    let c = run(src);
    let got: Vec<&str> = c.diagnostics.items.iter().map(|d| d.code).collect();
    assert_eq!(got.iter().filter(|c| **c == "W0011").count(), 2, "{got:?}");
    assert!(got.contains(&"W0007"), "{got:?}");
}

#[test]
fn device_facts_are_checked_like_filter_rules() {
    let src = "policy \"a\" require mfa for all apps\nscenario \"s\" app ExchangeOnline \
               device isCompilant True, trustType Foo, model \"A\", model \"B\" expect allow";
    let c = run(src);
    let got: Vec<&str> = c.diagnostics.items.iter().map(|d| d.code).collect();
    assert_eq!(
        got,
        ["E0106", "E0106", "E0500"],
        "{:?}",
        c.diagnostics.items
    );
    let ok = "policy \"a\" require mfa for all apps\nscenario \"s\" app ExchangeOnline \
              device trustType AzureAD, isCompliant True expect require mfa";
    assert!(codes(ok).is_empty());
}
