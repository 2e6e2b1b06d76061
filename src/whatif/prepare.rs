//! Policies made ready for evaluating many sign-ins.
//!
//! In: a Graph [`Policy`]. Out: a [`Prepared`] policy: filter rules parsed once, flag strings
//! split, grant read, what kind of resource it targets. Also the three-valued answers
//! ([`Check`], [`Tri`]) that the condition checks share.

use super::grant::Grant;
use super::signin::{AuthFlow, GuestType, InsiderRisk};
use super::verdict::{Fact, Reason};
use crate::filter::{self, Rule, Subject};
use crate::graph::model::{Filter, FilterMode, GuestsOrExternalUsers, Policy};
use std::collections::BTreeMap;

/// What one condition says about a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    Match,
    NoMatch(Reason, String),
    Unknown(Fact, String),
}

/// Whether a sign-in is in an include (or exclude) list, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes(String),
    No,
    Unknown(Fact, String),
}

impl Tri {
    /// Yes if any is yes, else unknown if any is unknown, else no.
    pub fn any(items: impl IntoIterator<Item = Tri>) -> Tri {
        let mut unknown = None;
        for t in items {
            match t {
                Tri::Yes(why) => return Tri::Yes(why),
                Tri::Unknown(f, d) => {
                    unknown.get_or_insert(Tri::Unknown(f, d));
                }
                Tri::No => {}
            }
        }
        unknown.unwrap_or(Tri::No)
    }
}

/// Exclusion beats inclusion: the check for an include list and an exclude list.
pub fn scope(
    reason: Reason,
    include: Tri,
    exclude: Tri,
    not_included: impl FnOnce() -> String,
) -> Check {
    match (include, exclude) {
        (_, Tri::Yes(why)) => Check::NoMatch(reason, format!("excluded: {why}")),
        (Tri::No, _) => Check::NoMatch(reason, not_included()),
        (Tri::Unknown(f, d), _) | (_, Tri::Unknown(f, d)) => Check::Unknown(f, d),
        (Tri::Yes(_), Tri::No) => Check::Match,
    }
}

/// The kind of resource a policy targets; one per policy (LANGUAGE.md, reference §8 rule 14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resources {
    Apps,
    Actions,
    Contexts,
}

/// A filter of a policy, parsed (or the reason it does not parse).
#[derive(Clone, Debug)]
pub struct PreparedFilter {
    pub mode: FilterMode,
    pub rule: Result<Rule, String>,
}

impl PreparedFilter {
    fn new(f: &Filter, subject: Subject, what: &str) -> Self {
        let rule = filter::parse(&f.rule, subject).map_err(|errors| match errors.first() {
            Some(e) => format!("the {what} filter does not parse: {}", e.message),
            None => format!("the {what} filter does not parse"),
        });
        PreparedFilter { mode: f.mode, rule }
    }
}

/// Guest types and tenants of `include/excludeGuestsOrExternalUsers`.
#[derive(Clone, Debug)]
pub struct GuestSpec {
    pub types: Vec<GuestType>,
    /// `None`: all external tenants; otherwise the enumerated tenant ids.
    pub tenants: Option<Vec<String>>,
}

impl GuestSpec {
    fn new(g: &GuestsOrExternalUsers) -> Self {
        let types = g
            .guest_or_external_user_types
            .split(',')
            .filter_map(GuestType::from_graph)
            .collect();
        let tenants = g
            .external_tenants
            .as_ref()
            .filter(|t| t.membership_kind == "enumerated")
            .map(|t| t.members.clone());
        GuestSpec { types, tenants }
    }
}

pub struct Prepared<'a> {
    pub policy: &'a Policy,
    pub grant: Grant,
    pub resources: Resources,
    /// Includes at least one user, group, role or guest type (or `None`/`All`).
    pub targets_users: bool,
    /// Includes service principals (workload identities).
    pub targets_service_principals: bool,
    pub include_guests: Option<GuestSpec>,
    pub exclude_guests: Option<GuestSpec>,
    pub device_filter: Option<PreparedFilter>,
    pub app_filter: Option<PreparedFilter>,
    pub service_principal_filter: Option<PreparedFilter>,
    pub insider_risk: Vec<InsiderRisk>,
    pub auth_flows: Vec<AuthFlow>,
}

impl<'a> Prepared<'a> {
    pub fn new(policy: &'a Policy) -> Self {
        let c = &policy.conditions;
        let apps = &c.applications;
        let resources = if !apps.include_user_actions.is_empty() {
            Resources::Actions
        } else if !apps
            .include_authentication_context_class_references
            .is_empty()
        {
            Resources::Contexts
        } else {
            Resources::Apps
        };
        let users = c.users.as_ref();
        let targets_users = users.is_some_and(|u| {
            !u.include_users.is_empty()
                || !u.include_groups.is_empty()
                || !u.include_roles.is_empty()
                || u.include_guests_or_external_users.is_some()
        });
        let sps = c.client_applications.as_ref();
        let targets_service_principals = sps.is_some_and(|s| {
            !s.include_service_principals.is_empty()
                || s.service_principal_filter
                    .as_ref()
                    .is_some_and(|f| f.mode == FilterMode::Include)
        });
        let insider_risk = c
            .insider_risk_levels
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter_map(|l| match l.trim() {
                "minor" => Some(InsiderRisk::Minor),
                "moderate" => Some(InsiderRisk::Moderate),
                "elevated" => Some(InsiderRisk::Elevated),
                _ => None,
            })
            .collect();
        let auth_flows = c
            .authentication_flows
            .as_ref()
            .map_or("", |f| f.transfer_methods.as_str())
            .split(',')
            .filter_map(|m| match m.trim() {
                "deviceCodeFlow" => Some(AuthFlow::DeviceCodeFlow),
                "authenticationTransfer" => Some(AuthFlow::AuthenticationTransfer),
                _ => None,
            })
            .collect();
        Prepared {
            policy,
            grant: Grant::of(policy.grant_controls.as_ref()),
            resources,
            targets_users,
            targets_service_principals,
            include_guests: users
                .and_then(|u| u.include_guests_or_external_users.as_ref())
                .map(GuestSpec::new),
            exclude_guests: users
                .and_then(|u| u.exclude_guests_or_external_users.as_ref())
                .map(GuestSpec::new),
            device_filter: c
                .devices
                .as_ref()
                .and_then(|d| d.device_filter.as_ref())
                .map(|f| PreparedFilter::new(f, Subject::Device, "device")),
            app_filter: apps
                .application_filter
                .as_ref()
                .map(|f| PreparedFilter::new(f, Subject::Application, "app")),
            service_principal_filter: sps
                .and_then(|s| s.service_principal_filter.as_ref())
                .map(|f| PreparedFilter::new(f, Subject::ServicePrincipal, "service-principal")),
            insider_risk,
            auth_flows,
        }
    }
}

/// An attribute from a fact map: by exact name, then ignoring case.
pub fn lookup(map: &BTreeMap<String, String>, name: &str) -> Option<String> {
    map.get(name)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .cloned()
}

/// Whether an object with these attributes is in a filter of the given mode.
pub fn filter_tri(
    f: Option<&PreparedFilter>,
    mode: FilterMode,
    attrs: Option<&BTreeMap<String, String>>,
    fact: Fact,
    what: &str,
) -> Tri {
    let Some(f) = f.filter(|f| f.mode == mode) else {
        return Tri::No;
    };
    let Ok(rule) = &f.rule else { return Tri::No };
    let Some(attrs) = attrs else {
        return Tri::Unknown(
            fact,
            format!("the policy filters {what} by custom security attributes"),
        );
    };
    if filter::eval(rule, &|name| lookup(attrs, name)) {
        Tri::Yes(format!("the {what} matches the policy's filter"))
    } else {
        Tri::No
    }
}

/// A readable list: "a, b or c", with at most `max` items named.
pub fn list_or(items: &[String], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).map(String::as_str).collect();
    let rest = items.len().saturating_sub(max);
    match (shown.as_slice(), rest) {
        ([], _) => "nothing".into(),
        ([one], 0) => (*one).to_string(),
        ([init @ .., last], 0) => format!("{} or {last}", init.join(", ")),
        (all, n) => format!("{} or {n} more", all.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tri_prefers_yes_then_unknown() {
        let u = || Tri::Unknown(Fact::User, "u".into());
        assert_eq!(
            Tri::any([Tri::No, u(), Tri::Yes("y".into())]),
            Tri::Yes("y".into())
        );
        assert_eq!(Tri::any([Tri::No, u()]), u());
        assert_eq!(Tri::any([Tri::No]), Tri::No);
        assert_eq!(Tri::any([]), Tri::No);
    }

    #[test]
    fn exclusion_beats_inclusion() {
        let yes = || Tri::Yes("all users".into());
        let u = || Tri::Unknown(Fact::User, "u".into());
        let n = || "not included".to_string();
        assert_eq!(
            scope(Reason::Users, yes(), Tri::Yes("group G".into()), n),
            Check::NoMatch(Reason::Users, "excluded: group G".into())
        );
        assert_eq!(
            scope(Reason::Users, u(), Tri::Yes("group G".into()), n),
            Check::NoMatch(Reason::Users, "excluded: group G".into())
        );
        assert_eq!(
            scope(Reason::Users, Tri::No, u(), n),
            Check::NoMatch(Reason::Users, "not included".into())
        );
        assert_eq!(
            scope(Reason::Users, yes(), u(), n),
            Check::Unknown(Fact::User, "u".into())
        );
        assert_eq!(scope(Reason::Users, yes(), Tri::No, n), Check::Match);
    }

    #[test]
    fn lists() {
        let items: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list_or(&items[..1], 3), "a");
        assert_eq!(list_or(&items[..3], 3), "a, b or c");
        assert_eq!(list_or(&items, 2), "a, b or 2 more");
    }
}
