//! Tests of the conditions after identity and resources, and of their order.

use super::test_support::*;
use super::*;
use crate::graph::model::{
    AuthenticationFlows, Devices, Filter, FilterMode, Locations, Platforms, PolicyState,
};

// ---- platform, location, client apps ----

fn platforms(include: &[Platform], exclude: &[Platform]) -> B {
    let (i, e) = (include.to_vec(), exclude.to_vec());
    B::new("P").cond(move |c| {
        c.platforms = Some(Platforms {
            include_platforms: i,
            exclude_platforms: e,
        })
    })
}

#[test]
fn platform_all_with_exclusions() {
    let on = |p: Platform| SignIn {
        platform: Some(p),
        ..sign_in(APP)
    };
    let any_but_ios = || platforms(&[Platform::All], &[Platform::Ios]);
    assert_eq!(
        verdict_of(any_but_ios(), &on(Platform::Linux)),
        Verdict::Applies,
        "all covers unlisted platforms"
    );
    assert_eq!(
        verdict_of(any_but_ios(), &on(Platform::All)),
        Verdict::Applies,
        "and unrecognised ones"
    );
    let v = verdict_of(any_but_ios(), &on(Platform::Ios));
    assert_eq!(
        (reason(&v), detail(&v)),
        (
            Some(Reason::DevicePlatform),
            "platform ios is excluded".to_string()
        )
    );
    let mobile = || platforms(&[Platform::Android, Platform::Ios], &[]);
    assert_eq!(
        verdict_of(mobile(), &on(Platform::Android)),
        Verdict::Applies
    );
    let v = verdict_of(mobile(), &on(Platform::Windows));
    assert_eq!(detail(&v), "platform windows is not among android or ios");
    assert_eq!(
        reason(&verdict_of(mobile(), &on(Platform::All))),
        Some(Reason::DevicePlatform)
    );
    assert_eq!(
        missing(&verdict_of(mobile(), &sign_in(APP))),
        [Fact::Platform]
    );
    assert_eq!(
        verdict_of(B::new("P"), &sign_in(APP)),
        Verdict::Applies,
        "no platform condition, no platform needed"
    );
}

#[test]
fn locations_all_trusted_named_and_excluded() {
    let loc = |include: &[&str], exclude: &[&str]| {
        let (i, e) = (strings(include), strings(exclude));
        B::new("P").cond(move |c| {
            c.locations = Some(Locations {
                include_locations: i,
                exclude_locations: e,
            })
        })
    };
    let at = |l: LocationFact| SignIn {
        location: Some(l),
        ..sign_in(APP)
    };
    let ctx = EvalContext {
        trusted_locations: [HQ.to_string()].into(),
        ..EvalContext::default()
    };
    let run = |p: B, s: &SignIn| evaluate(&[p.build()], &ctx, s).results.remove(0).verdict;
    let outside_trusted = || loc(&["All"], &["AllTrusted"]);
    assert_eq!(
        reason(&run(outside_trusted(), &at(LocationFact::Named(HQ.into())))),
        Some(Reason::Location)
    );
    assert_eq!(
        run(outside_trusted(), &at(LocationFact::Named(BRANCH.into()))),
        Verdict::Applies
    );
    assert_eq!(
        run(outside_trusted(), &at(LocationFact::Untrusted)),
        Verdict::Applies
    );
    let mfa_ips = LocationFact::Named(conditions::MFA_TRUSTED_IPS.into());
    assert_eq!(
        reason(&run(outside_trusted(), &at(mfa_ips))),
        Some(Reason::Location),
        "MFA trusted IPs are trusted"
    );
    assert_eq!(
        run(loc(&[BRANCH], &[]), &at(LocationFact::Named(BRANCH.into()))),
        Verdict::Applies
    );
    let v = run(loc(&[BRANCH], &[]), &at(LocationFact::Untrusted));
    assert_eq!(
        detail(&v),
        format!("the sign-in comes from an untrusted address, and the policy includes {BRANCH}")
    );
    assert_eq!(
        missing(&run(outside_trusted(), &sign_in(APP))),
        [Fact::Location]
    );
}

#[test]
fn client_apps() {
    let legacy = || {
        B::new("P").cond(|c| {
            c.client_app_types = vec![ClientAppType::ExchangeActiveSync, ClientAppType::Other]
        })
    };
    let with = |c: ClientAppType| SignIn {
        client: Some(c),
        ..sign_in(APP)
    };
    assert_eq!(
        verdict_of(legacy(), &with(ClientAppType::Other)),
        Verdict::Applies
    );
    assert_eq!(
        verdict_of(legacy(), &with(ClientAppType::EasSupported)),
        Verdict::Applies
    );
    let v = verdict_of(legacy(), &with(ClientAppType::Browser));
    assert_eq!(
        (reason(&v), detail(&v)),
        (
            Some(Reason::ClientApps),
            "client browser is not among exchange-activesync or other".into()
        )
    );
    assert_eq!(
        missing(&verdict_of(legacy(), &sign_in(APP))),
        [Fact::Client]
    );
    let absent = B::new("P").cond(|c| c.client_app_types = Vec::new());
    assert_eq!(
        verdict_of(absent, &sign_in(APP)),
        Verdict::Applies,
        "no client list means all"
    );
}

// ---- devices ----

fn device_filter(mode: FilterMode, rule: &str) -> B {
    let f = Filter {
        mode,
        rule: rule.into(),
    };
    B::new("P").cond(move |c| {
        c.devices = Some(Devices {
            device_filter: Some(f),
            ..Devices::default()
        })
    })
}

#[test]
fn device_filters_include_and_exclude() {
    let device = |pairs: &[(&str, &str)]| SignIn {
        device: Some(DeviceFact::Attributes(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )),
        ..sign_in(APP)
    };
    let saw = || {
        device_filter(
            FilterMode::Exclude,
            r#"device.extensionAttribute1 -eq "SAW""#,
        )
    };
    assert_eq!(
        reason(&verdict_of(
            saw(),
            &device(&[("extensionAttribute1", "SAW")])
        )),
        Some(Reason::Devices)
    );
    assert_eq!(
        verdict_of(saw(), &device(&[("ExtensionAttribute1", "laptop")])),
        Verdict::Applies
    );
    assert_eq!(missing(&verdict_of(saw(), &sign_in(APP))), [Fact::Device]);
    let hybrid = || device_filter(FilterMode::Include, r#"device.trustType -eq "ServerAD""#);
    assert_eq!(
        verdict_of(hybrid(), &device(&[("trustType", "ServerAD")])),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(hybrid(), &device(&[("trustType", "AzureAD")]))),
        Some(Reason::Devices)
    );
    assert_eq!(
        verdict_of(hybrid(), &device(&[("device.trustType", "serverad")])),
        Verdict::Applies,
        "a fact may keep the object prefix"
    );
}

#[test]
fn unregistered_devices_match_only_negative_operators() {
    let unregistered = SignIn {
        device: Some(DeviceFact::Unregistered),
        ..sign_in(APP)
    };
    let not_saw = device_filter(
        FilterMode::Include,
        r#"device.extensionAttribute1 -ne "SAW""#,
    );
    assert_eq!(verdict_of(not_saw, &unregistered), Verdict::Applies);
    let compliant = device_filter(FilterMode::Include, r#"device.isCompliant -eq True"#);
    let v = verdict_of(compliant, &unregistered);
    assert_eq!(
        detail(&v),
        "the unregistered device does not match the include filter"
    );
    let excluded = device_filter(FilterMode::Exclude, r#"device.trustType -eq "AzureAD""#);
    assert_eq!(verdict_of(excluded, &unregistered), Verdict::Applies);
}

#[test]
fn a_filter_that_does_not_parse_is_an_invalid_condition() {
    let v = verdict_of(
        device_filter(FilterMode::Include, "device.colour -eq \"red\""),
        &sign_in(APP),
    );
    assert_eq!(reason(&v), Some(Reason::InvalidCondition));
    assert_eq!(
        detail(&v),
        "the device filter does not parse: unknown device attribute `device.colour`"
    );
}

// ---- risks and flows ----

#[test]
fn sign_in_and_user_risk() {
    let risky =
        || B::new("P").cond(|c| c.sign_in_risk_levels = vec![RiskLevel::High, RiskLevel::Medium]);
    let at = |r: RiskLevel| SignIn {
        sign_in_risk: Some(r),
        ..sign_in(APP)
    };
    assert_eq!(verdict_of(risky(), &at(RiskLevel::High)), Verdict::Applies);
    let v = verdict_of(risky(), &at(RiskLevel::None));
    assert_eq!(
        (reason(&v), detail(&v)),
        (
            Some(Reason::SignInRisk),
            "sign-in risk none is not among high or medium".into()
        )
    );
    let with_none = B::new("P").cond(|c| c.sign_in_risk_levels = vec![RiskLevel::None]);
    assert_eq!(
        verdict_of(with_none, &at(RiskLevel::None)),
        Verdict::Applies,
        "none matches only when listed"
    );
    assert_eq!(
        missing(&verdict_of(risky(), &sign_in(APP))),
        [Fact::SignInRisk]
    );
    let user = || B::new("P").cond(|c| c.user_risk_levels = vec![RiskLevel::High]);
    let s = SignIn {
        user_risk: Some(RiskLevel::Low),
        ..sign_in(APP)
    };
    assert_eq!(reason(&verdict_of(user(), &s)), Some(Reason::UserRisk));
    assert_eq!(
        missing(&verdict_of(user(), &sign_in(APP))),
        [Fact::UserRisk]
    );
}

#[test]
fn insider_risk_flags() {
    let p = || B::new("P").cond(|c| c.insider_risk_levels = Some("moderate,elevated".into()));
    let at = |r: InsiderRisk| SignIn {
        insider_risk: Some(r),
        ..sign_in(APP)
    };
    assert_eq!(
        verdict_of(p(), &at(InsiderRisk::Elevated)),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(p(), &at(InsiderRisk::Minor))),
        Some(Reason::InsiderRisk)
    );
    assert_eq!(
        reason(&verdict_of(p(), &at(InsiderRisk::None))),
        Some(Reason::InsiderRisk)
    );
    assert_eq!(
        missing(&verdict_of(p(), &sign_in(APP))),
        [Fact::InsiderRisk]
    );
}

#[test]
fn authentication_flows() {
    let p = || {
        B::new("P").cond(|c| {
            c.authentication_flows = Some(AuthenticationFlows {
                transfer_methods: "deviceCodeFlow".into(),
            })
        })
    };
    let with = |f: AuthFlow| SignIn {
        auth_flow: Some(f),
        ..sign_in(APP)
    };
    assert_eq!(
        verdict_of(p(), &with(AuthFlow::DeviceCodeFlow)),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(p(), &with(AuthFlow::AuthenticationTransfer))),
        Some(Reason::AuthenticationFlow)
    );
    let v = verdict_of(p(), &with(AuthFlow::None));
    assert_eq!(
        detail(&v),
        "the sign-in uses no transfer flow, and the policy applies to device-code"
    );
    assert_eq!(missing(&verdict_of(p(), &sign_in(APP))), [Fact::AuthFlow]);
}

// ---- order, state, sorting ----

#[test]
fn the_first_failing_condition_is_the_reason() {
    let p = || {
        platforms(&[Platform::Android], &[]).cond(|c| {
            c.locations = Some(Locations {
                include_locations: strings(&[HQ]),
                ..Locations::default()
            });
            c.client_app_types = vec![ClientAppType::Other];
        })
    };
    let s = SignIn {
        platform: Some(Platform::Windows),
        location: Some(LocationFact::Untrusted),
        client: Some(ClientAppType::Browser),
        ..sign_in(APP)
    };
    assert_eq!(reason(&verdict_of(p(), &s)), Some(Reason::DevicePlatform));
    let s = SignIn {
        platform: Some(Platform::Android),
        ..s
    };
    assert_eq!(reason(&verdict_of(p(), &s)), Some(Reason::Location));
    // A condition that surely fails beats an earlier one that is unknown.
    let s = SignIn {
        platform: None,
        ..s
    };
    assert_eq!(reason(&verdict_of(p(), &s)), Some(Reason::Location));
    // All unknown facts are listed, in condition order.
    let s = SignIn {
        platform: None,
        location: None,
        client: None,
        ..sign_in(APP)
    };
    assert_eq!(
        missing(&verdict_of(p(), &s)),
        [Fact::Platform, Fact::Location, Fact::Client]
    );
}

#[test]
fn disabled_policies_are_not_enabled() {
    let v = verdict_of(B::new("P").state(PolicyState::Disabled), &sign_in(APP));
    assert_eq!(reason(&v), Some(Reason::PolicyNotEnabled));
}

#[test]
fn results_are_sorted_by_display_name() {
    let ev = eval(
        &[
            B::new("b").build(),
            B::new("C").build(),
            B::new("a").build(),
        ],
        &sign_in(APP),
    );
    let names: Vec<&str> = ev.results.iter().map(|r| &*r.policy).collect();
    assert_eq!(names, ["a", "b", "C"], "case does not decide the order");
}
