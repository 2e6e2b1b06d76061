//! The analysis per condition kind and per combination rule, and its findings on sets written
//! for the purpose. Every counterexample is also run through the what-if evaluator.

use super::report::{self, Input, Report};
use crate::check::Options;
use crate::driver::{self, Compilation};
use crate::whatif::EvalContext;

const HEAD: &str = "
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
group Sales      = 1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
group Pilot      = 2b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
location HQ      = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted
location Branch  = 9c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10
emergency group BreakGlass
";

pub(crate) fn compile(src: &str) -> Compilation {
    let text = format!("{HEAD}\n{src}");
    driver::compile_str(&[("t.capol", &text)], None, &Options::default())
}

pub(crate) fn run_with(src: &str, report_only_on: bool) -> Report {
    let c = compile(src);
    let errors: Vec<String> = c
        .diagnostics
        .items
        .iter()
        .filter(|d| d.is_error() && !driver::SAFETY_CODES.contains(&d.code))
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let policies = c.evaluable().unwrap_or_default();
    let ctx = EvalContext {
        trusted_locations: c.set.trusted_locations.clone(),
        names: c.set.names_by_id.clone(),
        ..Default::default()
    };
    let emergency: Vec<_> = c.set.emergency.iter().map(|e| e.node.clone()).collect();
    let input = Input {
        policies: &policies,
        ctx: &ctx,
        asserts: &c.set.asserts,
        locations: Vec::new(),
        emergency: &emergency,
        report_only_on,
    };
    let r = report::analyze(&input).unwrap_or_default();
    assert!(r.internal_errors.is_empty(), "{:?}", r.internal_errors);
    r
}

pub(crate) fn run(src: &str) -> Report {
    run_with(src, false)
}

/// Whether each assert holds, in order.
fn holds(r: &Report) -> Vec<bool> {
    r.asserts.iter().map(|a| a.holds).collect()
}

/// The counterexample of assert `i`, pasted beside the policies, fails under `capol test`.
fn counterexample_fails(src: &str, r: &Report, i: usize) {
    let Some(cx) = r.asserts.get(i).and_then(|a| a.counterexample.as_ref()) else {
        panic!("assert {i} has no counterexample: {:?}", r.asserts.get(i));
    };
    let c = compile(&format!("{src}\n{}", cx.scenario));
    assert!(
        !c.has_errors() || c.only_safety_errors(),
        "{:?}",
        c.diagnostics.items
    );
    let ctx = EvalContext {
        trusted_locations: c.set.trusted_locations.clone(),
        names: c.set.names_by_id.clone(),
        ..Default::default()
    };
    let policies = c.evaluable().unwrap_or_default();
    let sc = c
        .set
        .scenarios
        .last()
        .map(|s| (s.sign_in.clone(), s.expects.clone()));
    let Some((sign_in, expects)) = sc else {
        panic!("no scenario parsed from {}", cx.scenario)
    };
    let ev = crate::whatif::evaluate(&policies, &ctx, &sign_in);
    assert!(
        expects
            .iter()
            .any(|e| crate::whatif::check(&ev, &e.node).is_err()),
        "counterexample passes:\n{}",
        cx.scenario
    );
}

const MFA_ALL: &str = r#"
policy "MFA all"
    for all users, all apps
    exclude group BreakGlass
    require mfa
    mode on
"#;

#[test]
fn users_groups_and_roles() {
    let src = format!(
        "{MFA_ALL}
policy \"Admins phish\"
    for role GlobalAdministrator, all apps
    exclude group BreakGlass
    require strength phishing-resistant-mfa
    mode on

assert \"Admins\"
    member-of role GlobalAdministrator
    not member-of group BreakGlass
    expect require strength phishing-resistant-mfa

assert \"Everyone but break-glass needs mfa\"
    not member-of group BreakGlass
    expect require mfa

assert \"Sales need phishing-resistant\"
    member-of group Sales
    not member-of group BreakGlass
    expect require strength phishing-resistant-mfa

assert \"Break-glass\"
    member-of group BreakGlass
    expect allow
"
    );
    let r = run(&src);
    assert_eq!(holds(&r), [true, true, false, true]);
    counterexample_fails(&src, &r, 2);
    let cx = r.asserts[2]
        .counterexample
        .as_ref()
        .map(|c| c.scenario.clone());
    assert!(cx.is_some_and(|s| s.contains("group Sales") && !s.contains("GlobalAdministrator")));
}

#[test]
fn platforms() {
    let src = "
policy \"Block odd platforms\"
    for all users, all apps
    exclude group BreakGlass
    when platform any
    exclude platform android, ios, windows, macos
    block
    mode on

assert \"Linux is blocked\"
    platform linux, unknown, windows-phone
    not member-of group BreakGlass
    expect block

assert \"Nothing else is blocked\"
    platform android, ios, windows, macos
    expect not block

assert \"Every platform is blocked\"
    not member-of group BreakGlass
    expect block
";
    let r = run(src);
    assert_eq!(holds(&r), [true, true, false]);
    counterexample_fails(src, &r, 2);
}

#[test]
fn locations_and_trusted() {
    let src = "
policy \"MFA off-site\"
    for all users, all apps
    exclude group BreakGlass
    when location any
    exclude location trusted
    require mfa
    mode on

assert \"Branch needs MFA\"
    location Branch, untrusted
    not member-of group BreakGlass
    expect require mfa

assert \"HQ does not\"
    location HQ
    expect allow

assert \"Everywhere needs MFA\"
    not member-of group BreakGlass
    expect require mfa
";
    let r = run(src);
    assert_eq!(holds(&r), [true, true, false]);
    counterexample_fails(src, &r, 2);
}

#[test]
fn clients_and_risk_and_flows() {
    let src = "
policy \"Legacy\"
    for all users, all apps
    exclude group BreakGlass
    when client exchange-activesync, other
    block
    mode on

policy \"Risky\"
    for all users, all apps
    exclude group BreakGlass
    when sign-in-risk high, medium
    require mfa
    mode on

policy \"Device code\"
    for all users, all apps
    exclude group BreakGlass
    when auth-flow device-code
    block
    mode on

assert \"Legacy blocked\"
    client exchange-activesync, other
    not member-of group BreakGlass
    expect block

assert \"High risk on modern clients needs mfa\"
    sign-in-risk high
    client browser, mobile-desktop
    auth-flow none, authentication-transfer
    not member-of group BreakGlass
    expect require mfa

assert \"Low risk needs mfa\"
    sign-in-risk low
    not member-of group BreakGlass
    expect require mfa

assert \"Device code is blocked\"
    auth-flow device-code
    not member-of group BreakGlass
    expect block
";
    let r = run(src);
    assert_eq!(holds(&r), [true, true, false, true]);
    counterexample_fails(src, &r, 2);
}

#[test]
fn device_filters() {
    let src = r#"
policy "Unmanaged devices need MFA"
    for all users, all apps
    exclude group BreakGlass
    exclude devices where 'device.isCompliant -eq True -or device.trustType -eq "ServerAD"'
    require mfa
    mode on

assert "Unregistered needs mfa"
    device unregistered
    not member-of group BreakGlass
    expect require mfa

assert "Compliant devices are free"
    device isCompliant True
    expect allow

assert "Every device needs mfa"
    not member-of group BreakGlass
    expect require mfa
"#;
    let r = run(src);
    assert_eq!(holds(&r), [true, true, false]);
    counterexample_fails(src, &r, 2);
}

#[test]
fn guests_and_apps() {
    let src = "
policy \"Guests MFA on Office\"
    for guests b2b-collaboration-guest, app Office365
    require mfa
    mode on

assert \"B2B guests on Exchange\"
    guest b2b-collaboration-guest
    app ExchangeOnline
    expect require mfa

assert \"B2B guests anywhere\"
    guest b2b-collaboration-guest
    expect require mfa

assert \"Members on any other app are free\"
    member
    app any other
    expect allow
";
    let r = run(src);
    assert_eq!(holds(&r), [true, false, true]);
    counterexample_fails(src, &r, 1);
}

#[test]
fn combination_rules() {
    let src = format!(
        "{MFA_ALL}
policy \"Compliant too\"
    for all users, all apps
    exclude group BreakGlass
    require compliant-device
    mode on

policy \"Block Pilot\"
    for group Pilot, all apps
    block
    mode on

policy \"Report-only block\"
    for all users, all apps
    exclude group BreakGlass
    block

assert \"AND across policies\"
    not member-of group BreakGlass, Pilot
    expect require mfa and compliant-device

assert \"Block wins\"
    member-of group Pilot
    expect block

assert \"Report-only changes nothing\"
    not member-of group BreakGlass, Pilot
    expect not block
"
    );
    let r = run(&src);
    assert_eq!(holds(&r), [true, true, true]);
    // Counted as enforced, the report-only block blocks everyone but break-glass.
    let r = run_with(&src, true);
    assert_eq!(holds(&r), [false, true, false]);
}

#[test]
fn or_within_a_policy_does_not_imply_each_control() {
    let src = "
policy \"MFA or compliant\"
    for all users, all apps
    exclude group BreakGlass
    require mfa or compliant-device
    mode on

assert \"MFA\"
    not member-of group BreakGlass
    expect require mfa

assert \"Either\"
    not member-of group BreakGlass
    expect require compliant-device or mfa
";
    let r = run(src);
    assert_eq!(holds(&r), [false, true]);
    counterexample_fails(src, &r, 0);
}

#[test]
fn stronger_strengths_satisfy_weaker_ones() {
    let src = "
policy \"Phish\"
    for all users, all apps
    exclude group BreakGlass
    require strength phishing-resistant-mfa
    mode on

assert \"mfa\"
    not member-of group BreakGlass
    expect require mfa

assert \"passwordless\"
    not member-of group BreakGlass
    expect require strength passwordless-mfa
";
    let r = run(src);
    assert_eq!(holds(&r), [true, true]);
}

#[test]
fn gaps_are_found_and_only_where_they_are() {
    let none = run(MFA_ALL);
    assert!(none.gaps.is_empty(), "{:?}", none.gaps);
    let planted = run("
policy \"MFA for Office\"
    for all users, app Office365
    exclude group BreakGlass
    require mfa
    mode on

policy \"Guests blocked\"
    for guests, all apps
    block
    mode on
");
    let members: Vec<_> = planted.gaps.iter().filter(|g| g.who == "members").collect();
    let guests: Vec<_> = planted.gaps.iter().filter(|g| g.who == "guests").collect();
    assert!(guests.is_empty(), "{guests:?}");
    assert_eq!(members.len(), 1, "{members:?}");
    assert!(
        members[0]
            .summary
            .starts_with("members · any other app · any platform"),
        "{}",
        members[0].summary
    );
    assert!(
        !members[0].summary.contains("BreakGlass"),
        "{}",
        members[0].summary
    );
    assert!(members[0].scenario.contains("expect allow"));
}

#[test]
fn redundant_policies_are_found_and_only_those() {
    let r = run(&format!(
        "{MFA_ALL}
policy \"MFA for Sales\"
    for group Sales, all apps
    exclude group BreakGlass
    require mfa
    mode on

policy \"Compliant for Sales\"
    for group Sales, all apps
    require compliant-device
    mode on
"
    ));
    let names: Vec<_> = r.redundant.iter().map(|x| x.policy.as_str()).collect();
    assert_eq!(names, ["MFA for Sales"]);
    assert_eq!(r.redundant[0].covered_by, ["MFA all"]);
    assert!(run(MFA_ALL).redundant.is_empty());
}

#[test]
fn emergency_exposure() {
    let safe = run(MFA_ALL);
    assert_eq!(safe.emergency.len(), 1);
    assert!(!safe.emergency[0].exposed);
    let exposed = run("
policy \"Admins need MFA\"
    for role GlobalAdministrator, all apps
    require mfa
    mode on
");
    assert!(exposed.emergency[0].exposed);
    assert_eq!(exposed.emergency[0].policies, ["Admins need MFA"]);
    assert!(
        exposed.emergency[0]
            .scenario
            .as_ref()
            .is_some_and(|s| s.contains("group BreakGlass") && s.contains("GlobalAdministrator"))
    );
}
