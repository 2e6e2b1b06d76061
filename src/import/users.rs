//! Who a policy applies to (JSON) → `for` and `exclude` items: `users` (users, groups, roles,
//! guests and their tenants) and `clientApplications` (the service principals of a
//! workload-identity policy).
//!
//! In: `$.conditions.users` or `$.conditions.clientApplications` with its path, the naming
//! table. Out: targets in the draft, or diagnostics naming the JSON path.

use super::convert::{Draft, guid, member, missing, named, target, word};
use super::names::Namer;
use super::walk::{Ctx, J, is_empty};
use crate::ast::{Ref, Target, TargetKind as T, TargetValue};
use crate::ir::GuestType;
use crate::symbols::Kind;
use crate::vocab;

pub(crate) const USERS: [&str; 8] = [
    "includeUsers",
    "excludeUsers",
    "includeGroups",
    "excludeGroups",
    "includeRoles",
    "excludeRoles",
    "includeGuestsOrExternalUsers",
    "excludeGuestsOrExternalUsers",
];

/// `users` of a workload-identity policy as Graph writes it: `includeUsers: ["None"]` alone.
pub(crate) fn only_none(u: &J) -> bool {
    u.members().iter().all(|(k, v)| {
        super::walk::is_noise(k)
            || is_empty(v.node)
            || (*k == "includeUsers" && v.items().len() == 1 && v.items()[0].str() == Some("None"))
    })
}

pub(crate) fn users(ctx: &mut Ctx, namer: &mut Namer, u: &J, d: &mut Draft) {
    ctx.members(u, &USERS, &[]);
    for include in [true, false] {
        let side = if include { "include" } else { "exclude" };
        let prefix = if include { "" } else { "Excluded" };
        let mut out: Vec<Target> = Vec::new();
        for (v, at) in ctx.strings(u.get(&format!("{side}Users"))) {
            match v.as_str() {
                "All" if include => out.push(target(T::User, TargetValue::All)),
                "None" if include => out.push(word(T::User, "None")),
                "GuestsOrExternalUsers" => out.push(word(T::User, "GuestsOrExternalUsers")),
                "AllAgentIdUsers" if include => {
                    if ctx.beta_only(&at) {
                        out.push(word(T::User, "AllAgentIdUsers"))
                    }
                }
                "All" | "None" => ctx.invalid(
                    &at,
                    &format!("`{v}` cannot be excluded"),
                    "`All` and `None` stand only in `includeUsers`",
                ),
                _ => {
                    if let Some(id) = guid(ctx, &v, &at, "a user object id") {
                        out.push(named(
                            T::User,
                            namer.name(Kind::User, &id, &format!("{prefix}User"), None),
                        ));
                    }
                }
            }
        }
        for (key, kind, tk, what) in [
            ("Group", Kind::Group, T::Group, "a group object id"),
            ("Role", Kind::Role, T::Role, "a role template id"),
        ] {
            for (v, at) in ctx.strings(u.get(&format!("{side}{key}s"))) {
                if let Some(id) = guid(ctx, &v, &at, what) {
                    out.push(named(
                        tk,
                        namer.name(kind, &id, &format!("{prefix}{key}"), None),
                    ));
                }
            }
        }
        if let Some(g) = ctx.object(u.get(&format!("{side}GuestsOrExternalUsers"))) {
            out.extend(guests(ctx, &g));
        }
        if include {
            let given = [
                "includeUsers",
                "includeGroups",
                "includeRoles",
                "includeGuestsOrExternalUsers",
            ]
            .iter()
            .any(|k| u.get(k).is_some_and(|v| !is_empty(v.node)));
            if !given {
                ctx.invalid(u, "the policy includes no user", "Graph needs `includeUsers`, `includeGroups`, `includeRoles` or `includeGuestsOrExternalUsers`");
            }
            d.for_users.extend(out);
        } else {
            d.exclude_users.extend(out);
        }
    }
}

fn guests(ctx: &mut Ctx, g: &J) -> Vec<Target> {
    ctx.members(g, &["guestOrExternalUserTypes", "externalTenants"], &[]);
    let mut types: Vec<GuestType> = Vec::new();
    match ctx.string(g.get("guestOrExternalUserTypes")) {
        Some((s, at)) => {
            for part in s.split(',') {
                if let Some(t) = member(
                    ctx,
                    &vocab::GUEST_TYPE.graph_values(),
                    part,
                    &at,
                    "guest or external user type",
                ) && !types.contains(&t)
                {
                    types.push(t);
                }
            }
        }
        None => missing(ctx, g, "guestOrExternalUserTypes"),
    }
    types.sort();
    let tenants = ctx
        .object(g.get("externalTenants"))
        .map(|t| tenants(ctx, &t))
        .unwrap_or_default();
    let mut out = if types.len() == vocab::GUEST_TYPE.terms.len() {
        vec![target(T::Guests, TargetValue::Nothing)]
    } else {
        types.iter().map(|t| word(T::Guests, t.word())).collect()
    };
    out.extend(tenants.into_iter().map(|t| named(T::Tenant, Ref::Guid(t))));
    out
}

/// The tenants of `externalTenants`: empty for all tenants.
fn tenants(ctx: &mut Ctx, t: &J) -> Vec<String> {
    ctx.members(t, &["membershipKind", "members"], &[]);
    let odata = t
        .get("@odata.type")
        .and_then(|o| o.str())
        .map(|o| o.trim_start_matches("#microsoft.graph."));
    let kind = match (ctx.string(t.get("membershipKind")), odata) {
        (Some((k, at)), _) => member(
            ctx,
            &[("all", "all"), ("enumerated", "enumerated")],
            k,
            &at,
            "membership kind",
        ),
        (None, Some("conditionalAccessAllExternalTenants")) => Some("all"),
        (None, Some("conditionalAccessEnumeratedExternalTenants")) => Some("enumerated"),
        (None, _) => {
            missing(ctx, t, "membershipKind");
            None
        }
    };
    let expected = match kind {
        Some("all") => "conditionalAccessAllExternalTenants",
        _ => "conditionalAccessEnumeratedExternalTenants",
    };
    if let (Some(o), Some(_)) = (odata, kind)
        && o != expected
        && let Some(at) = t.get("@odata.type")
    {
        ctx.invalid(
            &at,
            &format!("`{o}` does not match the membership kind"),
            format!("write `#microsoft.graph.{expected}`"),
        );
    }
    let members = ctx.strings(t.get("members"));
    match kind {
        Some("enumerated") => {
            let ids: Vec<String> = members
                .iter()
                .filter_map(|(m, at)| guid(ctx, m, at, "a tenant id"))
                .collect();
            if members.is_empty() {
                ctx.inexpressible(t, "an enumerated tenant list with no tenant matches no one; capol writes `tenant <id>` items, and guests without them mean all tenants");
            }
            ids
        }
        _ => {
            if let Some((_, at)) = members.first() {
                ctx.invalid(
                    at,
                    "tenants are listed with membership kind `all`",
                    "use `enumerated` to list tenants, or remove `members`",
                );
            }
            Vec::new()
        }
    }
}

/// `clientApplications`: service principals of a workload-identity policy, and (beta) agent
/// identities. Whether the policy targets service principals, and whether it targets agent
/// identities.
pub(crate) fn service_principals(
    ctx: &mut Ctx,
    namer: &mut Namer,
    ca: &J,
    d: &mut Draft,
) -> (bool, bool) {
    ctx.members(
        ca,
        &[
            "includeServicePrincipals",
            "excludeServicePrincipals",
            "servicePrincipalFilter",
            "includeAgentIdServicePrincipals",
            "excludeAgentIdServicePrincipals",
            "agentIdServicePrincipalFilter",
        ],
        &[],
    );
    let agents = agent_ids(
        ctx,
        namer,
        ca,
        [
            "includeAgentIdServicePrincipals",
            "excludeAgentIdServicePrincipals",
            "agentIdServicePrincipalFilter",
        ],
        T::AgentIdentity,
        d,
    );
    if let Some(f) = ca.get("servicePrincipalFilter")
        && !is_empty(f.node)
    {
        ctx.inexpressible(&f, "capol has no `service-principals where` filter");
    }
    let mut any = false;
    for (v, at) in ctx.strings(ca.get("includeServicePrincipals")) {
        any = true;
        if v == "ServicePrincipalsInMyTenant" {
            d.for_users
                .push(target(T::ServicePrincipal, TargetValue::All));
        } else if let Some(id) = guid(ctx, &v, &at, "a service principal object id") {
            d.for_users.push(named(
                T::ServicePrincipal,
                namer.name(Kind::ServicePrincipal, &id, "ServicePrincipal", None),
            ));
        }
    }
    for (v, at) in ctx.strings(ca.get("excludeServicePrincipals")) {
        any = true;
        if let Some(id) = guid(ctx, &v, &at, "a service principal object id") {
            d.exclude_users.push(named(
                T::ServicePrincipal,
                namer.name(
                    Kind::ServicePrincipal,
                    &id,
                    "ExcludedServicePrincipal",
                    None,
                ),
            ));
        }
    }
    (any, agents)
}

/// Beta agent identities (`clientApplications`) or agent users (`conditions.agents`): the
/// include list (ids or `All`), the exclude list and the filter, as `for` / `exclude` items of
/// `kind`. `true` when anything is targeted.
pub(crate) fn agent_ids(
    ctx: &mut Ctx,
    namer: &mut Namer,
    obj: &J,
    [inc, exc, filt]: [&str; 3],
    kind: T,
    d: &mut Draft,
) -> bool {
    let (k, name, what) = if kind == T::AgentIdentity {
        (
            Kind::ServicePrincipal,
            "AgentIdentity",
            "an agent identity object id",
        )
    } else {
        (Kind::User, "AgentUser", "an agent user object id")
    };
    let mut any = false;
    for (include, key) in [(true, inc), (false, exc)] {
        for (v, at) in ctx.strings(obj.get(key)) {
            if !ctx.beta_only(&at) {
                return false;
            }
            any = true;
            let prefix = if include { "" } else { "Excluded" };
            let t = if v == "All" && include {
                target(kind, TargetValue::All)
            } else if let Some(id) = guid(ctx, &v, &at, what) {
                named(kind, namer.name(k, &id, &format!("{prefix}{name}"), None))
            } else {
                continue;
            };
            if include {
                d.for_users.push(t)
            } else {
                d.exclude_users.push(t)
            }
        }
    }
    if let Some(f) = obj.get(filt).filter(|f| !is_empty(f.node)) {
        if !ctx.beta_only(&f) {
            return false;
        }
        if let Some((include, t)) = super::conditions::filter(ctx, Some(f), kind) {
            any = true;
            if include {
                d.for_users.push(t)
            } else {
                d.exclude_users.push(t)
            }
        }
    }
    any
}
