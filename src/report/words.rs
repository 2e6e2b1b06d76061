//! One policy in plain words: who, what, when, requires, session, state.
//!
//! In: an `ir::Policy` and the names of the set. Out: a [`Card`]. Ids are shown by the name the
//! sources declare, else by the built-in catalogue's display name, else as the id.

use super::{Card, Location, matrix};
use crate::check::values;
use crate::graph::model::Operator;
use crate::ir::{self, AppTarget, Grant, LocationTarget, Principal, SpTarget, UserTarget};
use crate::source::SourceMap;
use crate::symbols::catalog;

/// The readable name of an id.
pub fn name_of(set: &ir::PolicySet, id: &str) -> String {
    if let Some(n) = set.names_by_id.get(id) {
        return n.clone();
    }
    if let Some(r) = catalog::role_by_id(id) {
        return r.display_name.clone();
    }
    if let Some(a) = catalog::app_by_id(id) {
        return a.display_name.clone();
    }
    if let Some(s) = catalog::strength_by_id(id) {
        return s.display_name.to_string();
    }
    id.to_string()
}

pub fn principal(set: &ir::PolicySet, p: &Principal) -> String {
    match p {
        Principal::User(id) => format!("user {}", name_of(set, id)),
        Principal::Group(id) => format!("group {}", name_of(set, id)),
        Principal::Role(id) => format!("role {}", name_of(set, id)),
    }
}

pub fn user_target(set: &ir::PolicySet, u: &UserTarget) -> String {
    match u {
        UserTarget::All => "all users".into(),
        UserTarget::None => "no users".into(),
        UserTarget::LegacyGuests => "guests and external users".into(),
        UserTarget::AllAgentIdUsers => "all agent identities".into(),
        UserTarget::Principal(p) => principal(set, p),
        UserTarget::Guests(g) if g.types.is_empty() || g.types.len() == 6 => {
            "guests and external users".into()
        }
        UserTarget::Guests(g) => format!(
            "guests ({})",
            g.types
                .iter()
                .map(|t| t.word())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn app_target(set: &ir::PolicySet, a: &AppTarget) -> String {
    match a {
        AppTarget::All => "all apps".into(),
        AppTarget::None => "no app".into(),
        AppTarget::Keyword(k) if k == "Office365" => "Office 365".into(),
        AppTarget::Keyword(k) if k == "MicrosoftAdminPortals" => "Microsoft admin portals".into(),
        AppTarget::Keyword(k) => k.clone(),
        AppTarget::App(id) => name_of(set, id),
        AppTarget::Action(urn) => {
            match values::ACTIONS
                .terms
                .iter()
                .find(|t| t.value == urn.as_str())
            {
                Some(t) => format!(
                    "{} (user action)",
                    t.word.unwrap_or(t.graph).replace('-', " ")
                ),
                None => format!("{urn} (user action)"),
            }
        }
        AppTarget::Context(c) => format!("authentication context {}", name_of(set, c)),
    }
}

fn list(items: Vec<String>) -> String {
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn either(items: Vec<String>) -> String {
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn word_of<T: Copy + PartialEq>(table: &crate::vocab::Vocab<T>, v: &T) -> &'static str {
    table.word_or_graph(*v)
}

fn with_exclusions(include: String, exclude: Vec<String>) -> String {
    if exclude.is_empty() {
        include
    } else {
        format!("{include}, except {}", list(exclude))
    }
}

fn who(p: &ir::Policy, set: &ir::PolicySet) -> String {
    if p.is_workload() {
        let inc = p
            .include_sps
            .iter()
            .map(|s| match &s.node {
                SpTarget::All => "all service principals".to_string(),
                SpTarget::Sp(id) => format!("service principal {}", name_of(set, id)),
            })
            .collect();
        let exc = p
            .exclude_sps
            .iter()
            .map(|s| match &s.node {
                SpTarget::All => "all service principals".to_string(),
                SpTarget::Sp(id) => format!("service principal {}", name_of(set, id)),
            })
            .collect();
        return with_exclusions(list(inc), exc);
    }
    let inc = p
        .include_users
        .iter()
        .map(|u| user_target(set, u))
        .collect();
    let exc = p
        .exclude_users
        .iter()
        .map(|u| user_target(set, u))
        .collect();
    with_exclusions(list(inc), exc)
}

fn what(p: &ir::Policy, set: &ir::PolicySet) -> String {
    let inc = p.include_apps.iter().map(|a| app_target(set, a)).collect();
    let exc = p.exclude_apps.iter().map(|a| app_target(set, a)).collect();
    let mut s = with_exclusions(list(inc), exc);
    if let Some(f) = &p.app_filter {
        let verb = match f.mode {
            crate::graph::model::FilterMode::Include => "apps where",
            crate::graph::model::FilterMode::Exclude => "except apps where",
        };
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format!("{verb} `{}`", f.rule.node));
    }
    s
}

fn location(set: &ir::PolicySet, l: &LocationTarget) -> String {
    match l {
        LocationTarget::Any => "any location".into(),
        LocationTarget::Trusted => "trusted locations".into(),
        LocationTarget::Named(id) => name_of(set, id),
    }
}

fn when(p: &ir::Policy, set: &ir::PolicySet) -> String {
    let mut parts = Vec::new();
    let words = |v: Vec<&'static str>| v.into_iter().map(String::from).collect::<Vec<_>>();
    if !p.include_platforms.is_empty() {
        let inc = words(
            p.include_platforms
                .iter()
                .map(|x| word_of(values::PLATFORMS, &x.node))
                .collect(),
        );
        let exc = words(
            p.exclude_platforms
                .iter()
                .map(|x| word_of(values::PLATFORMS, &x.node))
                .collect(),
        );
        parts.push(
            format!("on {}", with_exclusions(either(inc), exc))
                .replace("on any", "on any platform"),
        );
    }
    if !p.include_locations.is_empty() {
        let inc = p
            .include_locations
            .iter()
            .map(|l| location(set, l))
            .collect();
        let exc = p
            .exclude_locations
            .iter()
            .map(|l| location(set, l))
            .collect();
        parts.push(format!("from {}", with_exclusions(either(inc), exc)));
    }
    if !p.client_app_types.is_empty() {
        let c = words(
            p.client_app_types
                .iter()
                .map(|x| word_of(values::CLIENTS, &x.node))
                .collect(),
        );
        parts.push(format!("with client {}", either(c)));
    }
    let risk = |name: &str, v: &[crate::source::Spanned<crate::graph::model::RiskLevel>]| {
        (!v.is_empty()).then(|| {
            format!(
                "{name} {}",
                either(words(
                    v.iter().map(|x| word_of(values::RISKS, &x.node)).collect()
                ))
            )
        })
    };
    parts.extend(risk("sign-in risk", &p.sign_in_risk));
    parts.extend(risk("user risk", &p.user_risk));
    parts.extend(risk("service principal risk", &p.service_principal_risk));
    if !p.insider_risk.is_empty() {
        let v = words(
            p.insider_risk
                .iter()
                .map(|x| word_of(values::INSIDER_RISKS, &x.node))
                .collect(),
        );
        parts.push(format!("insider risk {}", either(v)));
    }
    if let Some(f) = &p.device_filter {
        let verb = match f.mode {
            crate::graph::model::FilterMode::Include => "on devices where",
            crate::graph::model::FilterMode::Exclude => "except on devices where",
        };
        parts.push(format!("{verb} `{}`", f.rule.node));
    }
    if !p.auth_flows.is_empty() {
        let v = words(
            p.auth_flows
                .iter()
                .map(|x| word_of(values::AUTH_FLOWS, &x.node))
                .collect(),
        );
        parts.push(format!("using the {} flow", either(v)));
    }
    if parts.is_empty() {
        "every sign-in".into()
    } else {
        list(parts)
    }
}

fn control_word(c: &crate::graph::model::BuiltInControl) -> String {
    use crate::graph::model::BuiltInControl as B;
    match c {
        B::Mfa => "MFA".into(),
        B::CompliantDevice => "a compliant device".into(),
        B::DomainJoinedDevice => "a hybrid-joined device".into(),
        B::ApprovedApplication => "an approved client app".into(),
        B::CompliantApplication => "an app protection policy".into(),
        B::PasswordChange => "a password change".into(),
        B::RiskRemediation => "risk remediation".into(),
        B::Block => "block".into(),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

pub fn requires(p: &ir::Policy, set: &ir::PolicySet) -> String {
    match p.grant.as_ref().map(|g| &g.node) {
        None => "nothing (session controls only)".into(),
        Some(Grant::Block) => "blocked".into(),
        Some(Grant::Controls {
            operator,
            builtins,
            strength,
            terms,
        }) => {
            let mut items: Vec<String> = builtins.iter().map(|b| control_word(&b.node)).collect();
            if let Some(s) = strength {
                items.push(format!("{} strength", name_of(set, &s.node)));
            }
            for t in terms {
                items.push(format!("accepting terms of use {}", name_of(set, &t.node)));
            }
            match operator {
                Operator::And => list(items),
                Operator::Or => either(items),
            }
        }
    }
}

fn session(p: &ir::Policy) -> String {
    let s = &p.session;
    let mut parts = Vec::new();
    if let Some(f) = &s.sign_in_frequency {
        parts.push(match &f.node {
            ir::SignInFrequency::Every => "sign in again every time".to_string(),
            ir::SignInFrequency::Time(n, u) => {
                let unit = match (u, n) {
                    (crate::graph::model::FrequencyUnit::Hours, 1) => "hour",
                    (crate::graph::model::FrequencyUnit::Hours, _) => "hours",
                    (crate::graph::model::FrequencyUnit::Days, 1) => "day",
                    (crate::graph::model::FrequencyUnit::Days, _) => "days",
                };
                format!("sign in again every {n} {unit}")
            }
        });
    }
    if let Some(b) = &s.persistent_browser {
        parts.push(format!(
            "persistent browser session {}",
            word_of(values::PERSISTENT_BROWSER, &b.node)
        ));
    }
    if s.app_enforced_restrictions.is_some() {
        parts.push("app-enforced restrictions".into());
    }
    if let Some(c) = &s.cloud_app_security {
        parts.push(format!(
            "Defender for Cloud Apps: {}",
            word_of(values::CLOUD_APP_SECURITY, &c.node)
        ));
    }
    if let Some(c) = &s.cae {
        parts.push(format!(
            "continuous access evaluation {}",
            word_of(values::CAE, &c.node)
        ));
    }
    if s.no_resilience_defaults.is_some() {
        parts.push("resilience defaults disabled".into());
    }
    if s.token_protection.is_some() {
        parts.push("token protection".into());
    }
    if parts.is_empty() {
        "none".into()
    } else {
        list(parts)
    }
}

pub fn state(p: &ir::Policy) -> &'static str {
    match p.state.node {
        crate::graph::model::PolicyState::Enabled => "On",
        crate::graph::model::PolicyState::Disabled => "Off",
        crate::graph::model::PolicyState::ReportOnly => "Report-only",
    }
}

pub fn card(p: &ir::Policy, set: &ir::PolicySet, sources: &SourceMap) -> Card {
    Card {
        name: p.display_name.node.clone(),
        slug: crate::driver::slug(&p.display_name.node),
        description: p.description.clone(),
        state: state(p),
        who: who(p, set),
        what: what(p, set),
        when: when(p, set),
        requires: requires(p, set),
        session: session(p),
        level: matrix::level(p),
        location: Location::of(sources, p.span),
    }
}
