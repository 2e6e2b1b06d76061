//! Sets and defaults: a project written with them compiles to the bytes of its written-out form;
//! their errors are located at the use and at the item, or at the default naming the policy.

use super::Options;
use crate::driver::{Compilation, compile_str};

fn run(files: &[(&str, &str)]) -> Compilation {
    compile_str(files, None, &Options::default())
}

fn json(c: &Compilation) -> String {
    assert!(
        !c.has_errors(),
        "{:#?}",
        c.diagnostics
            .items
            .iter()
            .map(|d| (&d.code, &d.message))
            .collect::<Vec<_>>()
    );
    serde_json::to_string_pretty(&c.policies).unwrap()
}

/// `(code, line, column)` of the primary label, and the `(line, column)` of each other label.
type Located = (&'static str, (usize, usize), Vec<(usize, usize)>);

fn located(c: &Compilation) -> Vec<Located> {
    let at = |s: crate::source::Span| c.sources.get(s.file).unwrap().line_col(s.start);
    c.diagnostics
        .items
        .iter()
        .map(|d| {
            let p = at(d.primary.as_ref().unwrap().span);
            (d.code, p, d.secondary.iter().map(|l| at(l.span)).collect())
        })
        .collect()
}

const NAMES: &str = "\
group BreakGlass     = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
group ExclusionTemp  = 1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
group \"PIM Admins\"   = 2b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
user  Emergency1     = 3b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
location HQ          = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted
emergency group BreakGlass
emergency user Emergency1
";

const WITH_SETS: &str = "\
set Admins    = role GlobalAdministrator, PrivilegedRoleAdministrator, group \"PIM Admins\"
set Emergency = group BreakGlass, user Emergency1
set Exclusions = set Emergency, group ExclusionTemp
set CoreApps  = app ExchangeOnline, SharePointOnline, MicrosoftTeamsServices

defaults
    exclude set Exclusions
    mode report-only
    session sign-in-frequency 12 hours

policy \"CA100 Admins need phishing-resistant MFA\"
    for set Admins
    for all apps
    require strength phishing-resistant-mfa
    mode on

policy \"CA101 Core apps need MFA\"
    for all users
    for set CoreApps
    exclude set Admins
    require mfa
    session sign-in-frequency 4 hours

policy \"CA102 Block outside HQ\"
    ignore defaults
    for group ExclusionTemp
    for app AzureServiceManagement
    when location any
    exclude location HQ
    block

scenario \"Admins\"
    user alice@contoso.com member-of set Admins
    app ExchangeOnline
    expect require strength phishing-resistant-mfa
";

const WRITTEN_OUT: &str = "\
policy \"CA100 Admins need phishing-resistant MFA\"
    for role GlobalAdministrator, PrivilegedRoleAdministrator, group \"PIM Admins\"
    for all apps
    exclude group BreakGlass, user Emergency1, group ExclusionTemp
    require strength phishing-resistant-mfa
    session sign-in-frequency 12 hours
    mode on

policy \"CA101 Core apps need MFA\"
    for all users
    for app ExchangeOnline, SharePointOnline, MicrosoftTeamsServices
    exclude role GlobalAdministrator, PrivilegedRoleAdministrator, group \"PIM Admins\"
    exclude group BreakGlass, user Emergency1, group ExclusionTemp
    require mfa
    session sign-in-frequency 4 hours
    mode report-only

policy \"CA102 Block outside HQ\"
    for group ExclusionTemp
    for app AzureServiceManagement
    when location any
    exclude location HQ
    block

scenario \"Admins\"
    user alice@contoso.com member-of role GlobalAdministrator, PrivilegedRoleAdministrator, group \"PIM Admins\"
    app ExchangeOnline
    expect require strength phishing-resistant-mfa
";

#[test]
fn sets_and_defaults_compile_to_the_bytes_of_the_written_out_form() {
    let with = run(&[("names.capol", NAMES), ("policies.capol", WITH_SETS)]);
    let out = run(&[("names.capol", NAMES), ("policies.capol", WRITTEN_OUT)]);
    assert_eq!(json(&with), json(&out));
    assert_eq!(with.policies.len(), 3);
    // The scenario's memberships came through the set as well.
    assert_eq!(with.set.scenarios.len(), 1);
    assert_eq!(
        format!("{:?}", with.set.scenarios[0].sign_in),
        format!("{:?}", out.set.scenarios[0].sign_in)
    );
    // A default exclusion is really there, and `ignore defaults` really opts out.
    let text = json(&with);
    assert!(text.contains("\"frequencyInterval\""));
    let ca102 = with
        .policies
        .iter()
        .find(|p| p.display_name.starts_with("CA102"))
        .unwrap();
    let v = serde_json::to_value(ca102).unwrap();
    assert!(v["conditions"]["users"]["excludeGroups"].is_null(), "{v}");
    assert!(v["conditions"]["users"]["excludeUsers"].is_null(), "{v}");
    assert_eq!(v["sessionControls"], serde_json::Value::Null);
}

#[test]
fn a_set_of_locations_in_for_is_located_at_the_use_and_at_the_item() {
    let c = run(&[(
        "t.capol",
        "location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10\n\
         set Places = location HQ\n\
         policy \"P\" require mfa for all apps for set Places\n",
    )]);
    let got = located(&c);
    assert_eq!(got.len(), 1, "{got:?}");
    let (code, item, also) = &got[0];
    assert_eq!(*code, "E0108");
    assert_eq!(*item, (2, 14), "primary at the item inside the set");
    assert!(also.contains(&(3, 41)), "also at the use: {also:?}");
}

#[test]
fn nested_sets_label_every_use_on_the_way() {
    let c = run(&[(
        "t.capol",
        "set Inner = group Nobody\n\
         set Outer = role GlobalAdministrator, set Inner\n\
         policy \"P\" require mfa for all apps for set Outer\n",
    )]);
    let got = located(&c);
    assert_eq!(got.len(), 1, "{got:?}");
    let (code, item, also) = &got[0];
    assert_eq!(*code, "E0100");
    assert_eq!(*item, (1, 19));
    assert!(
        also.contains(&(3, 41)) && also.contains(&(2, 39)),
        "{also:?}"
    );
}

#[test]
fn the_same_bad_item_in_many_policies_is_reported_once() {
    let c = run(&[(
        "t.capol",
        "set Admins = group Nobody\n\
         policy \"A\" require mfa for all apps for set Admins\n\
         policy \"B\" require mfa for all apps for set Admins\n",
    )]);
    let got = located(&c);
    assert_eq!(got.len(), 1, "{got:?}");
    let d = &c.diagnostics.items[0];
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("policy `A`") && n.contains("policy `B`"))
    );
}

#[test]
fn cycles_are_errors_at_the_item_that_closes_them() {
    let c = run(&[(
        "t.capol",
        "set A = group X, set B\n\
         set B = set C\n\
         set C = set A\n\
         set Self = set Self\n\
         policy \"P\" require mfa for all apps for set A, set Self\n",
    )]);
    let got = located(&c);
    let cycles: Vec<_> = got.iter().filter(|(c, _, _)| *c == "E0702").collect();
    assert_eq!(cycles.len(), 2, "{got:?}");
    // A -> B -> C -> A: closed at `set A` inside C, the other two steps shown.
    assert_eq!(cycles[0].1, (3, 9));
    assert_eq!(cycles[0].2.len(), 2);
    assert_eq!(cycles[1].1, (4, 12));
    // The cycle is not reported again at the use, and nothing hangs.
    assert!(got.iter().all(|(c, _, _)| *c == "E0702" || *c == "E0100"));
}

#[test]
fn unknown_and_duplicate_sets() {
    let c = run(&[(
        "t.capol",
        "set Admins = role GlobalAdministrator\n\
         set Admins = role SecurityAdministrator\n\
         policy \"P\" require mfa for all apps for set Admin\n",
    )]);
    let got = located(&c);
    assert_eq!(got[0].0, "E0700");
    assert_eq!(got[0].1, (2, 5));
    assert_eq!(got[1].0, "E0701");
    assert_eq!(got[1].1, (3, 45));
    assert!(
        c.diagnostics.items[1]
            .help
            .as_deref()
            .unwrap()
            .contains("`Admins`")
    );
}

#[test]
fn a_default_that_breaks_a_policy_points_at_the_default_and_names_the_policy() {
    let c = run(&[(
        "t.capol",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
         defaults\n    exclude group BreakGlass\n\n\
         policy \"Break-glass sign-ins\" for group BreakGlass for all apps require mfa\n\
         policy \"Other\" for all apps require mfa\n",
    )]);
    let got = located(&c);
    let e = got
        .iter()
        .find(|(c, _, _)| *c == "E0205")
        .expect("included and excluded");
    assert_eq!(e.1.0, 3, "at the default: {got:?}");
    let d = c
        .diagnostics
        .items
        .iter()
        .find(|d| d.code == "E0205")
        .unwrap();
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("policy `Break-glass sign-ins`")),
        "{d:?}"
    );
    assert!(
        d.secondary
            .iter()
            .any(|l| l.message.contains("Break-glass sign-ins"))
    );
}

#[test]
fn one_defaults_block_per_project_and_no_ignore_inside_it() {
    let c = run(&[
        ("a.capol", "defaults\n    mode on\n    ignore defaults\n"),
        ("b.capol", "defaults\n    mode off\n"),
    ]);
    let codes: Vec<_> = located(&c).into_iter().map(|x| (x.0, x.1)).collect();
    assert!(codes.contains(&("E0704", (3, 5))), "{codes:?}");
    assert!(codes.contains(&("E0703", (1, 1))), "{codes:?}");
}

#[test]
fn ignore_defaults_without_defaults_warns() {
    let c = run(&[(
        "t.capol",
        "policy \"P\" for all apps require mfa ignore defaults\n",
    )]);
    let got = located(&c);
    assert!(got.iter().any(|(c, _, _)| *c == "W0700"), "{got:?}");
}

#[test]
fn single_valued_defaults_lose_to_the_policy() {
    let with = run(&[(
        "t.capol",
        "defaults\n    description \"baseline\"\n    require mfa\n    mode off\n\
         \x20   session persistent-browser never, sign-in-frequency 1 day\n\
         policy \"A\" for all apps block mode report-only description \"own\" session sign-in-frequency 2 hours\n\
         policy \"B\" for all apps\n",
    )]);
    let out = run(&[(
        "t.capol",
        "policy \"A\" for all apps block mode report-only description \"own\"\n\
         \x20   session sign-in-frequency 2 hours, persistent-browser never\n\
         policy \"B\" for all apps require mfa mode off description \"baseline\"\n\
         \x20   session persistent-browser never, sign-in-frequency 1 day\n",
    )]);
    assert_eq!(json(&with), json(&out));
}

#[test]
fn a_set_as_a_scenario_fact_of_its_own_is_an_error() {
    let c = run(&[(
        "t.capol",
        "set Admins = role GlobalAdministrator\n\
         scenario \"S\"\n    set Admins\n    app ExchangeOnline\n    expect allow\n",
    )]);
    let got = located(&c);
    assert!(
        got.iter().any(|(c, p, _)| *c == "E0705" && *p == (3, 5)),
        "{got:?}"
    );
}
