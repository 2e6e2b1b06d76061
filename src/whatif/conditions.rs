//! The conditions after identity: target resources, platform, location, client app, device,
//! risks and authentication flow.
//!
//! In: a prepared policy and a sign-in. Out: one [`Check`] per condition. A policy without a
//! condition never needs the fact behind it; a policy with one needs it, or is unknown.

use super::bundles;
use super::prepare::{Check, Prepared, Resources, Tri, Why, filter_tri, list_or, lookup, scope};
use super::signin::{
    AuthFlow, ClientAppType, DeviceFact, EvalContext, LocationFact, Platform, RiskLevel, SignIn,
    Target,
};
use super::verdict::{Fact, Reason};
use crate::filter;
use crate::graph::model::FilterMode;

/// The legacy "MFA trusted IPs" location, which `AllTrusted` includes.
pub const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";

fn action_word(urn: &str) -> String {
    crate::vocab::USER_ACTION
        .term_by_graph(urn)
        .and_then(|t| t.word)
        .unwrap_or(urn)
        .to_string()
}

fn target_text(t: &Target, ctx: &EvalContext) -> String {
    match t {
        Target::App(id) => format!("the sign-in is to app {}", ctx.name(id)),
        Target::Action(a) => format!("the sign-in is the user action {}", action_word(a)),
        Target::Context(c) => format!("the sign-in asks for authentication context {c}"),
    }
}

/// The `application`, `userActions` or `authenticationContext` condition.
pub fn resources(p: &Prepared<'_>, s: &SignIn, ctx: &EvalContext) -> Check {
    let apps = &p.policy.conditions.applications;
    // Beta Global Secure Access traffic: which traffic profile a sign-in goes through is no
    // fact of a scenario.
    if let Some(t) = apps
        .network_access
        .as_ref()
        .or(apps.global_secure_access.as_ref())
        && apps.include_applications.is_empty()
    {
        return Check::Unknown(
            Fact::App,
            format!(
                "the policy targets Global Secure Access traffic ({}); a scenario does not say which traffic profile the sign-in goes through",
                t.include_traffic_profiles.replace(',', ", ")
            )
            .into(),
        );
    }
    let (reason, policy_targets) = match p.resources {
        Resources::Apps => (Reason::Application, "apps".to_string()),
        Resources::Actions => (
            Reason::UserActions,
            format!(
                "user action {}",
                list_or(
                    &apps
                        .include_user_actions
                        .iter()
                        .map(|a| action_word(a))
                        .collect::<Vec<_>>(),
                    3
                )
            ),
        ),
        Resources::Contexts => (
            Reason::AuthenticationContext,
            format!(
                "authentication context {}",
                list_or(&apps.include_authentication_context_class_references, 3)
            ),
        ),
    };
    let Some(target) = &s.target else {
        return Check::Unknown(
            Fact::App,
            format!("the policy targets {policy_targets}").into(),
        );
    };
    let listed = match (p.resources, target) {
        (Resources::Apps, Target::App(id)) => return app_scope(p, id, s, ctx),
        (Resources::Actions, Target::Action(a)) => apps
            .include_user_actions
            .iter()
            .any(|x| x.eq_ignore_ascii_case(a)),
        (Resources::Contexts, Target::Context(c)) => apps
            .include_authentication_context_class_references
            .iter()
            .any(|x| x.eq_ignore_ascii_case(c)),
        _ => false,
    };
    if listed {
        Check::Match
    } else {
        Check::NoMatch(
            reason,
            format!(
                "{}, and the policy targets {policy_targets}",
                target_text(target, ctx)
            )
            .into(),
        )
    }
}

fn app_scope<'a>(p: &'a Prepared<'_>, app: &'a str, s: &SignIn, ctx: &EvalContext) -> Check {
    if let Some(Err(e)) = p.app_filter.as_ref().map(|f| &f.rule) {
        return Check::NoMatch(Reason::InvalidCondition, e.clone());
    }
    let apps = &p.policy.conditions.applications;
    let entry = |e: &'a String| -> Tri<'a> {
        match e.as_str() {
            "All" => Tri::Yes(Why::text("all apps")),
            "None" => Tri::No,
            e if e.eq_ignore_ascii_case(app) => Tri::Yes(Why::of("app", e)),
            e if bundles::covers(e, app) => Tri::Yes(Why::of("app", app).and("is part of", e)),
            _ => Tri::No,
        }
    };
    let attrs = s.app_attributes.as_ref();
    let filter = p.app_filter.as_ref();
    let (fact, matched) = (Fact::AppAttributes, "the app matches the filter");
    let include = Tri::any([
        Tri::any(apps.include_applications.iter().map(entry)),
        filter_tri(filter, FilterMode::Include, attrs, fact, matched),
    ]);
    let exclude = Tri::any([
        Tri::any(apps.exclude_applications.iter().map(entry)),
        filter_tri(filter, FilterMode::Exclude, attrs, fact, matched),
    ]);
    scope(Reason::Application, include, exclude, ctx, || {
        p.apps_not_included(ctx)
    })
}

pub fn platform_word(p: Platform) -> &'static str {
    crate::vocab::PLATFORM.word_or_graph(p)
}

/// The `devicePlatform` condition: `all` includes every platform, even unlisted ones.
pub fn platform(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    let Some(pl) = &p.policy.conditions.platforms else {
        return Check::Match;
    };
    let (include, exclude) = (&pl.include_platforms, &pl.exclude_platforms);
    if include.is_empty() && exclude.is_empty() {
        return Check::Match;
    }
    let Some(given) = s.platform else {
        return Check::Unknown(Fact::Platform, "the policy has a platform condition".into());
    };
    let known = given != Platform::All;
    let shown = if known {
        format!("platform {}", platform_word(given))
    } else {
        "an unrecognised platform".to_string()
    };
    if exclude.contains(&Platform::All) || (known && exclude.contains(&given)) {
        return Check::NoMatch(
            Reason::DevicePlatform,
            format!("{shown} is excluded").into(),
        );
    }
    if include.is_empty() || include.contains(&Platform::All) || (known && include.contains(&given))
    {
        return Check::Match;
    }
    let names: Vec<&str> = include.iter().map(|p| platform_word(*p)).collect();
    Check::NoMatch(
        Reason::DevicePlatform,
        format!("{shown} is not among {}", list_or(&names, 6)).into(),
    )
}

/// The `location` condition.
pub fn location<'a>(p: &Prepared<'a>, s: &SignIn, ctx: &EvalContext) -> Check {
    let Some(l) = &p.policy.conditions.locations else {
        return Check::Match;
    };
    if l.include_locations.is_empty() && l.exclude_locations.is_empty() {
        return Check::Match;
    }
    let Some(given) = &s.location else {
        return Check::Unknown(Fact::Location, "the policy has a location condition".into());
    };
    let trusted = |id: &str| {
        id.eq_ignore_ascii_case(MFA_TRUSTED_IPS)
            || ctx
                .trusted_locations
                .iter()
                .any(|t| t.eq_ignore_ascii_case(id))
    };
    let entry = |e: &'a String| -> Tri<'a> {
        match (e.as_str(), given) {
            ("All", _) => Tri::Yes(Why::text("any location")),
            ("AllTrusted", LocationFact::Named(id)) if trusted(id) => {
                Tri::Yes(Why::text("trusted locations"))
            }
            (e, LocationFact::Named(id)) if e.eq_ignore_ascii_case(id) => {
                Tri::Yes(Why::of("location", e))
            }
            _ => Tri::No,
        }
    };
    let include = if l.include_locations.is_empty() {
        Tri::Yes(Why::text("any location"))
    } else {
        Tri::any(l.include_locations.iter().map(entry))
    };
    let exclude = Tri::any(l.exclude_locations.iter().map(entry));
    scope(Reason::Location, include, exclude, ctx, || {
        let shown = match given {
            LocationFact::Named(id) => format!("location {}", ctx.name(id)),
            LocationFact::Untrusted => "an untrusted address".into(),
        };
        let names: Vec<&str> = l
            .include_locations
            .iter()
            .map(|e| {
                if e == "AllTrusted" {
                    "trusted locations"
                } else {
                    ctx.name(e)
                }
            })
            .collect();
        format!(
            "the sign-in comes from {shown}, and the policy includes {}",
            list_or(&names, 3)
        )
        .into()
    })
}

pub fn client_word(c: ClientAppType) -> &'static str {
    match c {
        ClientAppType::All => "any",
        ClientAppType::EasSupported => "exchange-activesync (supported platforms)",
        other => crate::vocab::CLIENT_APP.word_or_graph(other),
    }
}

/// The `clientApps` condition: no list, or `all`, matches every client.
pub fn client_apps(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    let types = &p.policy.conditions.client_app_types;
    if types.is_empty() || types.contains(&ClientAppType::All) {
        return Check::Match;
    }
    let names: Vec<&str> = types.iter().map(|c| client_word(*c)).collect();
    let Some(given) = s.client else {
        return Check::Unknown(
            Fact::Client,
            format!("the policy applies only to {} clients", list_or(&names, 4)).into(),
        );
    };
    let eas = [
        ClientAppType::ExchangeActiveSync,
        ClientAppType::EasSupported,
    ];
    if types.contains(&given) || (eas.contains(&given) && types.iter().any(|t| eas.contains(t))) {
        return Check::Match;
    }
    Check::NoMatch(
        Reason::ClientApps,
        format!(
            "client {} is not among {}",
            client_word(given),
            list_or(&names, 4)
        )
        .into(),
    )
}

/// The `devices` condition (device filter). An unregistered device has every attribute null.
pub fn devices(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    let Some(f) = &p.device_filter else {
        return Check::Match;
    };
    let rule = match &f.rule {
        Ok(rule) => rule,
        Err(e) => return Check::NoMatch(Reason::InvalidCondition, e.clone()),
    };
    let Some(device) = &s.device else {
        return Check::Unknown(Fact::Device, "the policy has a device filter".into());
    };
    let (matched, which) = match device {
        DeviceFact::Unregistered => (filter::eval(rule, &|_| None), "the unregistered device"),
        DeviceFact::Attributes(attrs) => (
            filter::eval(rule, &|name| lookup(attrs, name)),
            "the device",
        ),
    };
    match (f.mode, matched) {
        (FilterMode::Include, true) | (FilterMode::Exclude, false) => Check::Match,
        (FilterMode::Include, false) => Check::NoMatch(
            Reason::Devices,
            format!("{which} does not match the include filter").into(),
        ),
        (FilterMode::Exclude, true) => Check::NoMatch(
            Reason::Devices,
            format!("{which} matches the exclude filter").into(),
        ),
    }
}

pub fn risk_word(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
        RiskLevel::Hidden => "hidden",
        RiskLevel::None => "none",
    }
}

fn risk(
    levels: &[RiskLevel],
    given: Option<RiskLevel>,
    fact: Fact,
    reason: Reason,
    what: &str,
) -> Check {
    if levels.is_empty() {
        return Check::Match;
    }
    let names: Vec<&str> = levels.iter().map(|l| risk_word(*l)).collect();
    let Some(given) = given else {
        return Check::Unknown(
            fact,
            format!("the policy applies at {what} {}", list_or(&names, 5)).into(),
        );
    };
    if levels.contains(&given) {
        return Check::Match;
    }
    Check::NoMatch(
        reason,
        format!(
            "{what} {} is not among {}",
            risk_word(given),
            list_or(&names, 5)
        )
        .into(),
    )
}

pub fn sign_in_risk(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    risk(
        &p.policy.conditions.sign_in_risk_levels,
        s.sign_in_risk,
        Fact::SignInRisk,
        Reason::SignInRisk,
        "sign-in risk",
    )
}

pub fn user_risk(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    risk(
        &p.policy.conditions.user_risk_levels,
        s.user_risk,
        Fact::UserRisk,
        Reason::UserRisk,
        "user risk",
    )
}

/// Graph's reasons have no member for service-principal risk; it is reported as
/// `workloadIdentities`, the condition group it belongs to.
pub fn service_principal_risk(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    risk(
        &p.policy.conditions.service_principal_risk_levels,
        s.service_principal_risk,
        Fact::ServicePrincipalRisk,
        Reason::WorkloadIdentities,
        "service-principal risk",
    )
}

pub fn insider_risk(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    if p.insider_risk.is_empty() {
        return Check::Match;
    }
    let names: Vec<String> = p
        .insider_risk
        .iter()
        .map(|l| l.graph_name().to_string())
        .collect();
    let Some(given) = s.insider_risk else {
        return Check::Unknown(
            Fact::InsiderRisk,
            format!("the policy applies at insider risk {}", list_or(&names, 3)).into(),
        );
    };
    if p.insider_risk.contains(&given) {
        return Check::Match;
    }
    Check::NoMatch(
        Reason::InsiderRisk,
        format!(
            "insider risk {} is not among {}",
            given.graph_name(),
            list_or(&names, 3)
        )
        .into(),
    )
}

fn flow_word(f: AuthFlow) -> &'static str {
    match f {
        AuthFlow::DeviceCodeFlow => "device-code",
        AuthFlow::AuthenticationTransfer => "authentication-transfer",
        AuthFlow::None => "none",
    }
}

pub fn auth_flow(p: &Prepared<'_>, s: &SignIn, _: &EvalContext) -> Check {
    if p.auth_flows.is_empty() {
        return Check::Match;
    }
    let names: Vec<String> = p
        .auth_flows
        .iter()
        .map(|f| flow_word(*f).to_string())
        .collect();
    let Some(given) = s.auth_flow else {
        return Check::Unknown(
            Fact::AuthFlow,
            format!("the policy applies to the {} flow", list_or(&names, 2)).into(),
        );
    };
    if p.auth_flows.contains(&given) {
        return Check::Match;
    }
    let shown = match given {
        AuthFlow::None => "the sign-in uses no transfer flow".to_string(),
        f => format!("the sign-in uses the {} flow", flow_word(f)),
    };
    Check::NoMatch(
        Reason::AuthenticationFlow,
        format!("{shown}, and the policy applies to {}", list_or(&names, 2)).into(),
    )
}
