//! IR → the Graph model. Infallible: everything that could be wrong was rejected by `check`.
//!
//! Output rules (LANGUAGE.md §4): id lists deduplicated and sorted; enum lists in Graph's member
//! order; grant controls in source order; flags enums comma-joined; `users`, `applications` and
//! `clientAppTypes` always present; no read-only property. Graph's strings for enumerated values
//! come from `crate::vocab` (serde names of the model enums, checked against it).

use crate::graph::model::{self as g, ClientAppType, FrequencyInterval, Operator};
use crate::ir::{
    self, AppTarget, Grant, LocationTarget, Principal, SignInFrequency, SpTarget, UserTarget,
};
use crate::source::Spanned;
use crate::vocab;

pub fn emit(set: &ir::PolicySet) -> Vec<g::Policy> {
    set.policies.iter().map(emit_policy).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn enums<T: Copy + Ord>(list: &[Spanned<T>]) -> Vec<T> {
    let mut v: Vec<T> = list.iter().map(|x| x.node).collect();
    v.sort();
    v.dedup();
    v
}

pub fn emit_policy(p: &ir::Policy) -> g::Policy {
    g::Policy {
        display_name: p.display_name.node.clone(),
        description: p.description.clone(),
        state: p.state.node,
        conditions: conditions(p),
        grant_controls: grant(p),
        session_controls: session(&p.session),
    }
}

fn guests(gs: &ir::Guests) -> g::GuestsOrExternalUsers {
    let types: Vec<ir::GuestType> = if gs.types.is_empty() {
        ir::GuestType::ALL.to_vec()
    } else {
        gs.types.iter().copied().collect()
    };
    g::GuestsOrExternalUsers {
        guest_or_external_user_types: vocab::flags(&vocab::GUEST_TYPE, &types),
        external_tenants: Some(if gs.tenants.is_empty() {
            g::ExternalTenants::all()
        } else {
            g::ExternalTenants::enumerated(sorted(gs.tenants.clone()))
        }),
    }
}

fn users(p: &ir::Policy) -> g::Users {
    let mut u = g::Users::default();
    for (list, include) in [(&p.include_users, true), (&p.exclude_users, false)] {
        let (users, groups, roles) = if include {
            (
                &mut u.include_users,
                &mut u.include_groups,
                &mut u.include_roles,
            )
        } else {
            (
                &mut u.exclude_users,
                &mut u.exclude_groups,
                &mut u.exclude_roles,
            )
        };
        let mut guest_obj: Option<g::GuestsOrExternalUsers> = None;
        for t in list {
            match &t.node {
                UserTarget::All => users.push("All".into()),
                UserTarget::None => users.push("None".into()),
                UserTarget::LegacyGuests => users.push("GuestsOrExternalUsers".into()),
                UserTarget::AllAgentIdUsers => users.push("AllAgentIdUsers".into()),
                UserTarget::Principal(Principal::User(id)) => users.push(id.clone()),
                UserTarget::Principal(Principal::Group(id)) => groups.push(id.clone()),
                UserTarget::Principal(Principal::Role(id)) => roles.push(id.clone()),
                UserTarget::Guests(gs) => guest_obj = Some(guests(gs)),
            }
        }
        *users = sorted(std::mem::take(users));
        *groups = sorted(std::mem::take(groups));
        *roles = sorted(std::mem::take(roles));
        if include {
            u.include_guests_or_external_users = guest_obj;
        } else {
            u.exclude_guests_or_external_users = guest_obj;
        }
    }
    u
}

fn apps(p: &ir::Policy) -> g::Applications {
    let mut a = g::Applications::default();
    for t in &p.include_apps {
        match &t.node {
            AppTarget::All => a.include_applications.push("All".into()),
            AppTarget::None => a.include_applications.push("None".into()),
            AppTarget::Keyword(k) | AppTarget::App(k) => a.include_applications.push(k.clone()),
            AppTarget::Action(u) => a.include_user_actions.push(u.clone()),
            AppTarget::Context(c) => a
                .include_authentication_context_class_references
                .push(c.clone()),
        }
    }
    for t in &p.exclude_apps {
        if let AppTarget::Keyword(k) | AppTarget::App(k) = &t.node {
            a.exclude_applications.push(k.clone());
        }
    }
    a.include_applications = sorted(a.include_applications);
    a.exclude_applications = sorted(a.exclude_applications);
    a.include_user_actions = sorted(a.include_user_actions);
    a.include_authentication_context_class_references =
        sorted(a.include_authentication_context_class_references);
    a.application_filter = p.app_filter.as_ref().map(filter);
    // Global Secure Access traffic: written under both names, as Graph returns it (the former
    // name `globalSecureAccess` mirrors `networkAccess`).
    let traffic = flags(&p.traffic_profiles, &vocab::TRAFFIC_PROFILE).map(|t| g::TrafficProfiles {
        include_traffic_profiles: t,
    });
    a.global_secure_access = traffic.clone();
    a.network_access = traffic;
    a
}

fn filter(f: &ir::FilterRule) -> g::Filter {
    g::Filter {
        mode: f.mode,
        rule: f.rule.node.clone(),
    }
}

fn location(l: &LocationTarget) -> String {
    match l {
        LocationTarget::Any => "All".into(),
        LocationTarget::Trusted => "AllTrusted".into(),
        LocationTarget::Named(id) => id.clone(),
    }
}

/// A flags enum: the comma-joined Graph names, in the vocabulary's order.
fn flags<T: Copy + Ord>(list: &[Spanned<T>], vocab: &vocab::Vocab<T>) -> Option<String> {
    let v = enums(list);
    (!v.is_empty()).then(|| vocab::flags(vocab, &v))
}

/// An enum list: Graph's strings, in the vocabulary's order.
fn graph_list<T: Copy + Ord>(list: &[Spanned<T>], vocab: &vocab::Vocab<T>) -> Vec<String> {
    enums(list)
        .into_iter()
        .map(|v| vocab.graph(v).to_string())
        .collect()
}

fn conditions(p: &ir::Policy) -> g::Conditions {
    let workload = p.is_workload();
    let sp = |list: &[Spanned<SpTarget>]| {
        sorted(
            list.iter()
                .map(|s| match &s.node {
                    SpTarget::All => "ServicePrincipalsInMyTenant".to_string(),
                    SpTarget::Sp(id) => id.clone(),
                })
                .collect(),
        )
    };
    let a = &p.agents;
    let l = &p.legacy_devices;
    // Agent identities and agent users: ids, or `All`.
    let ids = |list: &[Spanned<SpTarget>]| {
        sorted(
            list.iter()
                .map(|s| match &s.node {
                    SpTarget::All => "All".to_string(),
                    SpTarget::Sp(id) => id.clone(),
                })
                .collect(),
        )
    };
    let mut client_app_types = enums(&p.client_app_types);
    if client_app_types.is_empty() {
        client_app_types.push(ClientAppType::All);
    }
    g::Conditions {
        users: Some(if workload {
            g::Users {
                include_users: vec!["None".into()],
                ..Default::default()
            }
        } else {
            users(p)
        }),
        applications: apps(p),
        client_applications: (workload || a.has_identities()).then(|| g::ClientApplications {
            include_service_principals: sp(&p.include_sps),
            exclude_service_principals: sp(&p.exclude_sps),
            service_principal_filter: None,
            include_agent_id_service_principals: ids(&a.include_identities),
            exclude_agent_id_service_principals: ids(&a.exclude_identities),
            agent_id_service_principal_filter: a.identity_filter.as_ref().map(filter),
        }),
        client_app_types,
        platforms: (!p.include_platforms.is_empty() || !p.exclude_platforms.is_empty()).then(
            || g::Platforms {
                include_platforms: enums(&p.include_platforms),
                exclude_platforms: enums(&p.exclude_platforms),
            },
        ),
        locations: (!p.include_locations.is_empty() || !p.exclude_locations.is_empty()).then(
            || g::Locations {
                include_locations: sorted(
                    p.include_locations
                        .iter()
                        .map(|l| location(&l.node))
                        .collect(),
                ),
                exclude_locations: sorted(
                    p.exclude_locations
                        .iter()
                        .map(|l| location(&l.node))
                        .collect(),
                ),
            },
        ),
        devices: (p.device_filter.is_some()
            || !l.include_devices.is_empty()
            || !l.exclude_devices.is_empty())
        .then(|| g::Devices {
            include_devices: graph_list(&l.include_devices, &vocab::DEVICE_STATE),
            exclude_devices: graph_list(&l.exclude_devices, &vocab::DEVICE_STATE),
            device_filter: p.device_filter.as_ref().map(filter),
        }),
        device_states: (!l.include_states.is_empty() || !l.exclude_states.is_empty()).then(|| {
            g::DeviceStates {
                include_states: graph_list(&l.include_states, &vocab::DEVICE_STATE),
                exclude_states: graph_list(&l.exclude_states, &vocab::DEVICE_STATE),
            }
        }),
        sign_in_risk_levels: enums(&p.sign_in_risk),
        user_risk_levels: enums(&p.user_risk),
        service_principal_risk_levels: enums(&p.service_principal_risk),
        insider_risk_levels: flags(&p.insider_risk, &vocab::INSIDER_RISK),
        authentication_flows: flags(&p.auth_flows, &vocab::TRANSFER_METHOD)
            .map(|transfer_methods| g::AuthenticationFlows { transfer_methods }),
        agents: a.has_users().then(|| g::Agents {
            include_agent_users: ids(&a.include_users),
            exclude_agent_users: ids(&a.exclude_users),
            agent_filter: a.user_filter.as_ref().map(filter),
        }),
        agent_context: (!a.include_contexts.is_empty() || !a.exclude_contexts.is_empty()).then(
            || g::AgentContext {
                include_agent_contexts: graph_list(&a.include_contexts, &vocab::AGENT_CONTEXT),
                exclude_agent_contexts: graph_list(&a.exclude_contexts, &vocab::AGENT_CONTEXT),
            },
        ),
        agent_id_risk_levels: flags(&a.risk, &vocab::AGENT_RISK),
    }
}

fn grant(p: &ir::Policy) -> Option<g::GrantControls> {
    let grant = p.grant.as_ref()?;
    Some(match &grant.node {
        Grant::Block => g::GrantControls {
            operator: Operator::Or,
            built_in_controls: vec![g::BuiltInControl::Block],
            ..Default::default()
        },
        Grant::Controls {
            operator,
            builtins,
            strength,
            terms,
        } => {
            let count = builtins.len() + terms.len() + usize::from(strength.is_some());
            g::GrantControls {
                operator: if count > 1 { *operator } else { Operator::Or },
                built_in_controls: builtins.iter().map(|b| b.node).collect(),
                custom_authentication_factors: Vec::new(),
                terms_of_use: sorted(terms.iter().map(|t| t.node.clone()).collect()),
                authentication_strength: strength
                    .as_ref()
                    .map(|s| g::StrengthRef { id: s.node.clone() }),
            }
        }
    })
}

fn session(s: &ir::Session) -> Option<g::SessionControls> {
    if s.is_empty() {
        return None;
    }
    let enabled = |x: Option<_>| x.map(|_| g::Enabled { is_enabled: true });
    Some(g::SessionControls {
        application_enforced_restrictions: enabled(s.app_enforced_restrictions),
        cloud_app_security: s.cloud_app_security.as_ref().map(|c| g::CloudAppSecurity {
            is_enabled: true,
            cloud_app_security_type: c.node,
        }),
        sign_in_frequency: s.sign_in_frequency.as_ref().map(|f| match f.node {
            SignInFrequency::Every => g::SignInFrequency {
                is_enabled: true,
                value: None,
                kind: None,
                frequency_interval: FrequencyInterval::EveryTime,
                authentication_type: Some(g::AuthenticationType::PrimaryAndSecondaryAuthentication),
            },
            SignInFrequency::Time(v, unit) => g::SignInFrequency {
                is_enabled: true,
                value: Some(v),
                kind: Some(unit),
                frequency_interval: FrequencyInterval::TimeBased,
                authentication_type: None,
            },
        }),
        persistent_browser: s.persistent_browser.as_ref().map(|m| g::PersistentBrowser {
            is_enabled: true,
            mode: m.node,
        }),
        secure_sign_in_session: enabled(s.token_protection),
        continuous_access_evaluation: s
            .cae
            .as_ref()
            .map(|c| g::ContinuousAccessEvaluation { mode: c.node }),
        disable_resilience_defaults: s.no_resilience_defaults.is_some(),
        network_access_security: s.network_access_security.as_ref().map(|id| {
            g::NetworkAccessSecurity {
                policy_id: id.node.clone(),
                is_enabled: true,
            }
        }),
        global_secure_access_filtering_profile: s.filtering_profile.as_ref().map(|id| {
            g::FilteringProfile {
                profile_id: id.node.clone(),
                is_enabled: true,
            }
        }),
    })
}
