//! Policies made ready for evaluating many sign-ins.
//!
//! In: a Graph [`Policy`]. Out: a [`Prepared`] policy: filter rules parsed once, flag strings
//! split, grant read, what kind of resource it targets. Also the three-valued answers
//! ([`Check`], [`Tri`]) that the condition checks share.

use super::grant::Grant;
use super::signin::{AuthFlow, EvalContext, GuestType, InsiderRisk};
use super::verdict::{Fact, Reason};
use crate::filter::{self, Rule, Subject};
use crate::graph::model::{
    Applications, Filter, FilterMode, GuestsOrExternalUsers, Policy, SessionControls, Users,
};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};

/// What one condition says about a sign-in. Only a failing condition builds text; the hot
/// path of evaluating many sign-ins allocates nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    Match,
    /// A failing condition; the detail is shared when it depends only on the policy.
    NoMatch(Reason, Arc<str>),
    Unknown(Fact, Cow<'static, str>),
}

/// Why a sign-in is in a list: a phrase and, maybe, the id of the entry that matched, named only
/// when a message needs it (`member of group` + the group's id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Why<'a> {
    pub phrase: &'static str,
    pub id: Option<&'a str>,
    /// A second phrase and id: `app X` + `is part of` + `Office365`.
    pub then: Option<(&'static str, &'a str)>,
}

impl<'a> Why<'a> {
    pub fn text(phrase: &'static str) -> Self {
        Why {
            phrase,
            id: None,
            then: None,
        }
    }
    pub fn of(phrase: &'static str, id: &'a str) -> Self {
        Why {
            phrase,
            id: Some(id),
            then: None,
        }
    }
    pub fn and(mut self, phrase: &'static str, id: &'a str) -> Self {
        self.then = Some((phrase, id));
        self
    }
    pub fn render(&self, ctx: &EvalContext) -> String {
        let mut out = self.phrase.to_string();
        for (phrase, id) in self.id.map(|id| ("", id)).into_iter().chain(self.then) {
            if !phrase.is_empty() {
                out.push(' ');
                out.push_str(phrase);
            }
            out.push(' ');
            out.push_str(ctx.name(id));
        }
        out
    }
}

/// Whether a sign-in is in an include (or exclude) list, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri<'a> {
    Yes(Why<'a>),
    No,
    Unknown(Fact, Cow<'static, str>),
}

impl<'a> Tri<'a> {
    /// Yes if any is yes, else unknown if any is unknown, else no.
    pub fn any(items: impl IntoIterator<Item = Tri<'a>>) -> Tri<'a> {
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
    include: Tri<'_>,
    exclude: Tri<'_>,
    ctx: &EvalContext,
    not_included: impl FnOnce() -> Arc<str>,
) -> Check {
    match (include, exclude) {
        (_, Tri::Yes(why)) => {
            Check::NoMatch(reason, format!("excluded: {}", why.render(ctx)).into())
        }
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
    pub rule: Result<Rule, Arc<str>>,
}

impl PreparedFilter {
    fn new(f: &Filter, subject: Subject, what: &str) -> Self {
        let rule = filter::parse(&f.rule, subject).map_err(|errors| match errors.first() {
            Some(e) => format!("the {what} filter does not parse: {}", e.message).into(),
            None => format!("the {what} filter does not parse").into(),
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
    pub name: Arc<str>,
    pub grant: Arc<Grant>,
    pub session: Option<Arc<SessionControls>>,
    /// The `users` detail when the sign-in is not among the included users (policy-only text).
    users_not_included: OnceLock<Arc<str>>,
    /// The `application` detail when the app is not among the included apps.
    apps_not_included: OnceLock<Arc<str>>,
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
    /// The beta agent targets and conditions the policy holds, in words (`agent identities`,
    /// `agent risk high`); empty when it holds none.
    pub agents: Vec<String>,
    /// Targets agent identities or agent users (and so not people).
    pub targets_agents: bool,
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
        let sps = c.client_applications.as_ref();
        let targets_service_principals = sps.is_some_and(|s| {
            !s.include_service_principals.is_empty()
                || s.service_principal_filter
                    .as_ref()
                    .is_some_and(|f| f.mode == FilterMode::Include)
        });
        let agents = agent_words(policy);
        let targets_agents = sps.is_some_and(|s| {
            !s.include_agent_id_service_principals.is_empty()
                || s.agent_id_service_principal_filter.is_some()
        }) || c.agents.is_some();
        // A workload-identity policy (or one for agents) carries `users: {includeUsers:
        // ["None"]}` (as compiled and as the portal writes it): that is no user target.
        let targets_users = users.is_some_and(|u| {
            let only_none = u.include_users.len() == 1 && u.include_users[0] == "None";
            !(u.include_users.is_empty()
                || only_none && (targets_service_principals || targets_agents))
                || !u.include_groups.is_empty()
                || !u.include_roles.is_empty()
                || u.include_guests_or_external_users.is_some()
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
            name: Arc::from(policy.display_name.as_str()),
            grant: Arc::new(Grant::of(policy.grant_controls.as_ref())),
            session: policy.session_controls.clone().map(Arc::new),
            users_not_included: OnceLock::new(),
            apps_not_included: OnceLock::new(),
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
            agents,
            targets_agents,
        }
    }
}

/// The beta agent targets and conditions of a policy, in words, for an `unknown` outcome.
fn agent_words(policy: &Policy) -> Vec<String> {
    let c = &policy.conditions;
    let mut out = Vec::new();
    if let Some(s) = &c.client_applications
        && (!s.include_agent_id_service_principals.is_empty()
            || !s.exclude_agent_id_service_principals.is_empty()
            || s.agent_id_service_principal_filter.is_some())
    {
        out.push("agent identities".to_string());
    }
    if c.agents.is_some() {
        out.push("agent users".to_string());
    }
    if let Some(r) = c.agent_id_risk_levels.as_deref().filter(|r| !r.is_empty()) {
        out.push(format!("agent risk {}", r.replace(',', " or ")));
    }
    if c.agent_context.is_some() {
        out.push("an agent context".to_string());
    }
    out
}

impl Prepared<'_> {
    /// The `users` detail when the sign-in is not among the included users: it depends only on
    /// the policy, so it is written once and shared by every sign-in that skips the policy.
    pub fn users_not_included(&self, ctx: &EvalContext) -> Arc<str> {
        let users = self.policy.conditions.users.as_ref();
        self.users_not_included
            .get_or_init(|| {
                users.map_or_else(
                    || "the policy includes no users".into(),
                    |u| describe_users(u, ctx).into(),
                )
            })
            .clone()
    }

    /// The `application` detail when the app is not among the included apps.
    pub fn apps_not_included(&self, ctx: &EvalContext) -> Arc<str> {
        self.apps_not_included
            .get_or_init(|| describe_apps(&self.policy.conditions.applications, ctx).into())
            .clone()
    }
}

/// "the policy includes group Admins, role Global Administrator or 2 more, and the user is none
/// of them", written into one buffer (this runs for every policy a sign-in is not in).
fn describe_users(u: &Users, ctx: &EvalContext) -> String {
    let users = u.include_users.iter().map(|id| match id.as_str() {
        "None" => ("", "no users"),
        "GuestsOrExternalUsers" => ("", "guests or external users"),
        id => ("user", ctx.name(id)),
    });
    let groups = u.include_groups.iter().map(|g| ("group", ctx.name(g)));
    let roles = u.include_roles.iter().map(|r| ("role", ctx.name(r)));
    let guests = u
        .include_guests_or_external_users
        .iter()
        .map(|g| ("guests", g.guest_or_external_user_types.as_str()));
    let total = u.include_users.len()
        + u.include_groups.len()
        + u.include_roles.len()
        + usize::from(u.include_guests_or_external_users.is_some());
    let mut out = String::with_capacity(120);
    out.push_str("the policy includes ");
    push_list(
        &mut out,
        total,
        3,
        users.chain(groups).chain(roles).chain(guests),
    );
    out.push_str(", and the user is none of them");
    out
}

/// "the policy targets only Office365 or Azure DevOps", for sign-ins to other apps.
fn describe_apps(apps: &Applications, ctx: &EvalContext) -> String {
    let listed: Vec<&str> = apps
        .include_applications
        .iter()
        .filter(|a| *a != "None")
        .map(|a| ctx.name(a))
        .collect();
    let by_filter = apps
        .application_filter
        .as_ref()
        .is_some_and(|f| f.mode == FilterMode::Include);
    match (listed.is_empty(), by_filter) {
        (true, false) => "the policy targets no apps".into(),
        (true, true) => "the policy targets only apps that match its filter".into(),
        (false, false) => format!("the policy targets only {}", list_or(&listed, 3)),
        (false, true) => format!(
            "the policy targets only {}, and apps that match its filter",
            list_or(&listed, 3)
        ),
    }
}

/// An attribute from a fact map: by exact name, then ignoring case, then ignoring an object
/// prefix written in the fact (`device.trustType` for `trustType`).
pub fn lookup(map: &BTreeMap<String, String>, name: &str) -> Option<String> {
    map.get(name)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| {
                    k.eq_ignore_ascii_case(name)
                        || k.rsplit_once('.')
                            .is_some_and(|(_, n)| n.eq_ignore_ascii_case(name))
                })
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
    matched: &'static str,
) -> Tri<'static> {
    let Some(f) = f.filter(|f| f.mode == mode) else {
        return Tri::No;
    };
    let Ok(rule) = &f.rule else { return Tri::No };
    let Some(attrs) = attrs else {
        return Tri::Unknown(
            fact,
            "the policy filters by custom security attributes".into(),
        );
    };
    if filter::eval(rule, &|name| lookup(attrs, name)) {
        Tri::Yes(Why::text(matched))
    } else {
        Tri::No
    }
}

/// A readable list: "a, b or c", with at most `max` items named.
pub fn list_or<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let mut out = String::new();
    push_list(
        &mut out,
        items.len(),
        max,
        items.iter().map(|s| ("", s.as_ref())),
    );
    if items.is_empty() {
        out.push_str("nothing");
    }
    out
}

/// Append "a, b or 2 more" to `out`: `total` items, the first `max` named, each written as
/// its phrase (if any) and its name.
pub fn push_list<'x>(
    out: &mut String,
    total: usize,
    max: usize,
    items: impl Iterator<Item = (&'x str, &'x str)>,
) {
    let shown = total.min(max);
    let rest = total - shown;
    for (i, (phrase, name)) in items.take(shown).enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == shown && rest == 0 {
                " or "
            } else {
                ", "
            });
        }
        if !phrase.is_empty() {
            out.push_str(phrase);
            out.push(' ');
        }
        out.push_str(name);
    }
    if rest > 0 {
        let _ = write!(out, " or {rest} more");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tri_prefers_yes_then_unknown() {
        let u = || Tri::Unknown(Fact::User, "u".into());
        let y = Why::text("y");
        assert_eq!(Tri::any([Tri::No, u(), Tri::Yes(y)]), Tri::Yes(y));
        assert_eq!(Tri::any([Tri::No, u()]), u());
        assert_eq!(Tri::any([Tri::No]), Tri::No);
        assert_eq!(Tri::any([]), Tri::No);
    }

    #[test]
    fn exclusion_beats_inclusion() {
        let ctx = EvalContext::default();
        let yes = || Tri::Yes(Why::text("all users"));
        let group = || Tri::Yes(Why::of("member of group", "G"));
        let u = || Tri::Unknown(Fact::User, "u".into());
        let n = || Arc::from("not included");
        let excluded = Check::NoMatch(Reason::Users, "excluded: member of group G".into());
        assert_eq!(scope(Reason::Users, yes(), group(), &ctx, n), excluded);
        assert_eq!(scope(Reason::Users, u(), group(), &ctx, n), excluded);
        assert_eq!(
            scope(Reason::Users, Tri::No, u(), &ctx, n),
            Check::NoMatch(Reason::Users, "not included".into())
        );
        assert_eq!(
            scope(Reason::Users, yes(), u(), &ctx, n),
            Check::Unknown(Fact::User, "u".into())
        );
        assert_eq!(scope(Reason::Users, yes(), Tri::No, &ctx, n), Check::Match);
    }

    #[test]
    fn lists() {
        let items: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list_or(&items[..1], 3), "a");
        assert_eq!(list_or(&items[..3], 3), "a, b or c");
        assert_eq!(list_or(&items, 2), "a, b or 2 more");
    }
}
