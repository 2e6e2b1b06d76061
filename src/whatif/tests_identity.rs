//! Tests of the identity and target-resource conditions.

use super::test_support::*;
use super::*;
use crate::graph::model::{
    Applications, ClientApplications, ExternalTenants, Filter, FilterMode, GuestsOrExternalUsers,
    PolicyState, Users,
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
    let v = verdict_of(only(&[APP]), &sign_in(EXO));
    assert_eq!(reason(&v), Some(Reason::Application));
    assert_eq!(detail(&v), format!("the policy targets only {APP}"));
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
