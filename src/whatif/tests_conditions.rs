//! Tests of the conditions, one kind at a time, and of their order.

use super::test_support::*;
use super::*;
use crate::graph::model::{
    Applications, AuthenticationFlows, ClientApplications, Devices, ExternalTenants, Filter,
    FilterMode, GuestsOrExternalUsers, Locations, Platforms, PolicyState, Users,
};
use std::collections::BTreeMap;

// ---- users ----

#[test]
fn all_users_applies_even_without_a_user_fact() {
    assert_eq!(verdict_of(B::new("P"), &sign_in(APP)), Verdict::Applies);
    let anonymous = SignIn {
        user: None,
        ..sign_in(APP)
    };
    assert_eq!(verdict_of(B::new("P"), &anonymous), Verdict::Applies);
}

#[test]
fn none_and_unlisted_users_skip() {
    let v = verdict_of(
        B::new("P").users(|u| u.include_users = strings(&["None"])),
        &sign_in(APP),
    );
    assert_eq!(reason(&v), Some(Reason::Users));
    let v = verdict_of(
        B::new("P").users(|u| u.include_users = strings(&[OTHER_USER])),
        &sign_in(APP),
    );
    assert_eq!(reason(&v), Some(Reason::Users));
    assert_eq!(
        detail(&v),
        format!("the policy includes user {OTHER_USER}, and the user is none of them")
    );
}

#[test]
fn listed_users_need_the_user_fact() {
    let p = || B::new("P").users(|u| u.include_users = strings(&[USER]));
    assert_eq!(verdict_of(p(), &sign_in(APP)), Verdict::Applies);
    let v = verdict_of(
        p(),
        &SignIn {
            user: None,
            ..sign_in(APP)
        },
    );
    assert_eq!(missing(&v), [Fact::User]);
    // An excluded user id is as unknown as an included one.
    let v = verdict_of(
        B::new("P").users(|u| u.exclude_users = strings(&[USER])),
        &SignIn {
            user: None,
            ..sign_in(APP)
        },
    );
    assert_eq!(missing(&v), [Fact::User]);
}

#[test]
fn groups_and_roles_by_membership_given() {
    let by_group = || {
        B::new("P").users(|u| {
            *u = Users {
                include_groups: strings(&[GROUP]),
                ..Users::default()
            }
        })
    };
    assert_eq!(
        reason(&verdict_of(by_group(), &sign_in(APP))),
        Some(Reason::Users)
    );
    let member = SignIn {
        groups: strings(&[GROUP]),
        ..sign_in(APP)
    };
    assert_eq!(verdict_of(by_group(), &member), Verdict::Applies);
    let by_role = || {
        B::new("P").users(|u| {
            *u = Users {
                include_roles: strings(&[GLOBAL_ADMIN]),
                ..Users::default()
            }
        })
    };
    let admin = SignIn {
        roles: strings(&[GLOBAL_ADMIN]),
        ..sign_in(APP)
    };
    assert_eq!(verdict_of(by_role(), &admin), Verdict::Applies);
    // A user unknown to the scenario is still matched through memberships.
    assert_eq!(
        verdict_of(
            by_role(),
            &SignIn {
                user: None,
                ..admin
            }
        ),
        Verdict::Applies
    );
}

#[test]
fn exclusion_beats_inclusion() {
    let p = B::new("P").users(|u| u.exclude_groups = strings(&[BREAK_GLASS]));
    let v = verdict_of(
        p,
        &SignIn {
            groups: strings(&[BREAK_GLASS]),
            ..sign_in(APP)
        },
    );
    assert_eq!(reason(&v), Some(Reason::Users));
    assert_eq!(
        detail(&v),
        format!("excluded: member of group {BREAK_GLASS}")
    );
    let p = B::new("P").users(|u| {
        u.include_roles = strings(&[GLOBAL_ADMIN]);
        u.exclude_users = strings(&[USER]);
    });
    assert_eq!(
        reason(&verdict_of(
            p,
            &SignIn {
                roles: strings(&[GLOBAL_ADMIN]),
                ..sign_in(APP)
            }
        )),
        Some(Reason::Users)
    );
}

#[test]
fn legacy_guests_or_external_users_keyword() {
    let guest = SignIn {
        guest: Some(GuestFact {
            types: vec![GuestType::B2bCollaborationGuest],
            external_tenant: None,
        }),
        ..sign_in(APP)
    };
    let include = || B::new("P").users(|u| u.include_users = strings(&["GuestsOrExternalUsers"]));
    assert_eq!(verdict_of(include(), &guest), Verdict::Applies);
    assert_eq!(
        reason(&verdict_of(include(), &sign_in(APP))),
        Some(Reason::Users)
    );
    let exclude = B::new("P").users(|u| u.exclude_users = strings(&["GuestsOrExternalUsers"]));
    assert_eq!(reason(&verdict_of(exclude, &guest)), Some(Reason::Users));
}

#[test]
fn guest_types_and_external_tenants() {
    let guests = |tenants: ExternalTenants| {
        B::new("P").users(move |u| {
            *u = Users {
                include_guests_or_external_users: Some(GuestsOrExternalUsers {
                    guest_or_external_user_types: "internalGuest,b2bCollaborationGuest".into(),
                    external_tenants: Some(tenants),
                }),
                ..Users::default()
            }
        })
    };
    let guest = |t: GuestType, tenant: Option<&str>| SignIn {
        guest: Some(GuestFact {
            types: vec![t],
            external_tenant: tenant.map(str::to_string),
        }),
        ..sign_in(APP)
    };
    let b2b = GuestType::B2bCollaborationGuest;
    assert_eq!(
        verdict_of(guests(ExternalTenants::all()), &guest(b2b, None)),
        Verdict::Applies
    );
    let v = verdict_of(
        guests(ExternalTenants::all()),
        &guest(GuestType::B2bDirectConnectUser, None),
    );
    assert_eq!(reason(&v), Some(Reason::Users));
    let partner = || guests(ExternalTenants::enumerated(strings(&["t1"])));
    assert_eq!(
        verdict_of(partner(), &guest(b2b, Some("T1"))),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(partner(), &guest(b2b, Some("t2")))),
        Some(Reason::Users)
    );
    assert_eq!(
        missing(&verdict_of(partner(), &guest(b2b, None))),
        [Fact::GuestTenant]
    );
    assert_eq!(
        verdict_of(partner(), &guest(GuestType::InternalGuest, None)),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(partner(), &sign_in(APP))),
        Some(Reason::Users),
        "members are not guests"
    );
}

// ---- workload identities ----

fn sp_policy() -> B {
    B::new("WI").block().cond(|c| {
        c.users = None;
        c.client_applications = Some(ClientApplications {
            include_service_principals: strings(&["ServicePrincipalsInMyTenant"]),
            exclude_service_principals: strings(&["dddddddd-0000-0000-0000-000000000009"]),
            ..ClientApplications::default()
        });
    })
}

#[test]
fn workload_identities() {
    let sp_sign_in = |sp: &str| SignIn {
        service_principal: Some(sp.into()),
        target: Some(Target::App(APP.into())),
        ..SignIn::default()
    };
    assert_eq!(verdict_of(sp_policy(), &sp_sign_in(SP)), Verdict::Applies);
    let v = verdict_of(
        sp_policy(),
        &sp_sign_in("dddddddd-0000-0000-0000-000000000009"),
    );
    assert_eq!(reason(&v), Some(Reason::WorkloadIdentities));
    assert!(
        detail(&v).starts_with("excluded: service principal"),
        "{}",
        detail(&v)
    );
    // User policies never apply to workload identities, and the other way round.
    assert_eq!(
        reason(&verdict_of(B::new("P"), &sp_sign_in(SP))),
        Some(Reason::Users)
    );
    assert_eq!(
        reason(&verdict_of(sp_policy(), &sign_in(APP))),
        Some(Reason::WorkloadIdentities)
    );
    let by_id = sp_policy().cond(|c| {
        if let Some(ca) = c.client_applications.as_mut() {
            ca.include_service_principals = strings(&[SP]);
        }
    });
    assert_eq!(verdict_of(by_id, &sp_sign_in(SP)), Verdict::Applies);
}

#[test]
fn service_principal_risk_is_a_workload_identity_reason() {
    let p = || sp_policy().cond(|c| c.service_principal_risk_levels = vec![RiskLevel::High]);
    let s = SignIn {
        service_principal: Some(SP.into()),
        target: Some(Target::App(APP.into())),
        ..SignIn::default()
    };
    assert_eq!(missing(&verdict_of(p(), &s)), [Fact::ServicePrincipalRisk]);
    let low = SignIn {
        service_principal_risk: Some(RiskLevel::Low),
        ..s.clone()
    };
    assert_eq!(
        reason(&verdict_of(p(), &low)),
        Some(Reason::WorkloadIdentities)
    );
    let high = SignIn {
        service_principal_risk: Some(RiskLevel::High),
        ..s
    };
    assert_eq!(verdict_of(p(), &high), Verdict::Applies);
}

// ---- target resources ----

#[test]
fn apps_and_keyword_groupings() {
    let only = |apps: &[&str]| B::new("P").apps(|a| a.include_applications = strings(apps));
    assert_eq!(verdict_of(only(&[APP]), &sign_in(APP)), Verdict::Applies);
    assert_eq!(
        reason(&verdict_of(only(&[APP]), &sign_in(EXO))),
        Some(Reason::Application)
    );
    assert_eq!(
        verdict_of(only(&["Office365"]), &sign_in(EXO)),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(only(&["Office365"]), &sign_in(APP))),
        Some(Reason::Application)
    );
    let portal = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
    assert_eq!(
        verdict_of(only(&["MicrosoftAdminPortals"]), &sign_in(portal)),
        Verdict::Applies
    );
    assert_eq!(
        verdict_of(only(&[bundles::AZURE_MANAGEMENT]), &sign_in(portal)),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(only(&["None"]), &sign_in(APP))),
        Some(Reason::Application)
    );
    let v = verdict_of(
        B::new("P").apps(|a| a.exclude_applications = strings(&["Office365"])),
        &sign_in(EXO),
    );
    assert_eq!(reason(&v), Some(Reason::Application));
    assert_eq!(
        detail(&v),
        "excluded: app Office 365 Exchange Online is part of Office365"
    );
}

#[test]
fn app_filters_need_app_attributes() {
    let p = || {
        B::new("P").apps(|a| {
            a.include_applications = Vec::new();
            a.application_filter = Some(Filter {
                mode: FilterMode::Include,
                rule: r#"CustomSecurityAttribute.Security_Tier -eq "High""#.into(),
            });
        })
    };
    assert_eq!(
        missing(&verdict_of(p(), &sign_in(APP))),
        [Fact::AppAttributes]
    );
    let attrs = |v: &str| SignIn {
        app_attributes: Some(BTreeMap::from([("Security_Tier".into(), v.into())])),
        ..sign_in(APP)
    };
    assert_eq!(verdict_of(p(), &attrs("high")), Verdict::Applies);
    assert_eq!(
        reason(&verdict_of(p(), &attrs("Low"))),
        Some(Reason::Application)
    );
}

#[test]
fn user_actions_and_contexts_match_only_their_sign_ins() {
    let action = |s: PolicyState| {
        B::new("Reg").state(s).apps(|a| {
            *a = Applications {
                include_user_actions: strings(&["urn:user:registersecurityinfo"]),
                ..Applications::default()
            }
        })
    };
    let register = SignIn {
        target: Some(Target::Action("urn:user:registersecurityinfo".into())),
        ..sign_in(APP)
    };
    assert_eq!(
        verdict_of(action(PolicyState::Enabled), &register),
        Verdict::Applies
    );
    assert_eq!(
        reason(&verdict_of(action(PolicyState::Enabled), &sign_in(APP))),
        Some(Reason::UserActions)
    );
    assert_eq!(
        reason(&verdict_of(B::new("P"), &register)),
        Some(Reason::Application),
        "an app policy skips user actions"
    );
    let v = verdict_of(action(PolicyState::ReportOnly), &register);
    assert_eq!(
        reason(&v),
        Some(Reason::PolicyNotEnabled),
        "report-only user-action policies are not evaluated"
    );
    let ctx = || {
        B::new("C").apps(|a| {
            *a = Applications {
                include_authentication_context_class_references: strings(&["c1"]),
                ..Applications::default()
            }
        })
    };
    let c1 = SignIn {
        target: Some(Target::Context("c1".into())),
        ..sign_in(APP)
    };
    let c2 = SignIn {
        target: Some(Target::Context("c2".into())),
        ..sign_in(APP)
    };
    assert_eq!(verdict_of(ctx(), &c1), Verdict::Applies);
    assert_eq!(
        reason(&verdict_of(ctx(), &c2)),
        Some(Reason::AuthenticationContext)
    );
    assert_eq!(
        reason(&verdict_of(B::new("P"), &c1)),
        Some(Reason::Application)
    );
}

#[test]
fn no_target_is_unknown() {
    let v = verdict_of(
        B::new("P"),
        &SignIn {
            target: None,
            ..sign_in(APP)
        },
    );
    assert_eq!(missing(&v), [Fact::App]);
}

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
    let names: Vec<&str> = ev.results.iter().map(|r| r.policy.as_str()).collect();
    assert_eq!(names, ["a", "b", "C"], "case does not decide the order");
}
