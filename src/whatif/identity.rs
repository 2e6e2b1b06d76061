//! The identity conditions: users (with groups, roles and guests) and workload identities.
//!
//! In: a prepared policy and a sign-in. Out: a [`Check`] for `users` and one for
//! `workloadIdentities`. A user sign-in never matches a policy that targets only service
//! principals, and a service-principal sign-in never matches a policy that targets users.

use super::prepare::{Check, GuestSpec, Prepared, Tri, Why, filter_tri, scope};
use super::signin::{EvalContext, GuestType, SignIn};
use super::verdict::{Fact, Reason};
use crate::graph::model::FilterMode;

fn has(list: &[String], id: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(id))
}

/// The `users` condition.
pub fn users(p: &Prepared<'_>, s: &SignIn, ctx: &EvalContext) -> Check {
    if let Some(sp) = &s.service_principal {
        if p.targets_users && !p.targets_service_principals {
            return Check::NoMatch(
                Reason::Users,
                format!(
                    "service principal {} signs in, and the policy targets users",
                    ctx.name(sp)
                )
                .into(),
            );
        }
        return Check::Match;
    }
    let Some(u) = p
        .policy
        .conditions
        .users
        .as_ref()
        .filter(|_| p.targets_users)
    else {
        if p.targets_service_principals {
            return Check::Match; // decided by the workload-identity condition
        }
        if p.targets_agents {
            return Check::Match; // decided by the agents condition
        }
        return Check::NoMatch(Reason::Users, "the policy includes no users".into());
    };
    let include = Tri::any([
        user_entries(&u.include_users, s),
        groups(&u.include_groups, s),
        roles(&u.include_roles, s),
        guests(p.include_guests.as_ref(), s),
    ]);
    let exclude = Tri::any([
        user_entries(&u.exclude_users, s),
        groups(&u.exclude_groups, s),
        roles(&u.exclude_roles, s),
        guests(p.exclude_guests.as_ref(), s),
    ]);
    scope(Reason::Users, include, exclude, ctx, || {
        p.users_not_included(ctx)
    })
}

fn user_entries<'a>(list: &'a [String], s: &SignIn) -> Tri<'a> {
    Tri::any(list.iter().map(|entry| match entry.as_str() {
        "All" => Tri::Yes(Why::text("all users")),
        "None" => Tri::No,
        "GuestsOrExternalUsers" if s.guest.is_some() => {
            Tri::Yes(Why::text("guests or external users"))
        }
        "GuestsOrExternalUsers" => Tri::No,
        // Agent users are identities of AI agents, never the person signing in.
        "AllAgentIdUsers" => Tri::No,
        id => match &s.user {
            None => Tri::Unknown(Fact::User, "the policy names users by id".into()),
            Some(user) if user.eq_ignore_ascii_case(id) => Tri::Yes(Why::of("user", id)),
            Some(_) => Tri::No,
        },
    }))
}

fn groups<'a>(list: &'a [String], s: &SignIn) -> Tri<'a> {
    match list.iter().find(|g| has(&s.groups, g)) {
        Some(g) => Tri::Yes(Why::of("member of group", g)),
        None => Tri::No,
    }
}

fn roles<'a>(list: &'a [String], s: &SignIn) -> Tri<'a> {
    match list.iter().find(|r| has(&s.roles, r)) {
        Some(r) => Tri::Yes(Why::of("holds role", r)),
        None => Tri::No,
    }
}

fn guests(spec: Option<&GuestSpec>, s: &SignIn) -> Tri<'static> {
    let (Some(spec), Some(guest)) = (spec, &s.guest) else {
        return Tri::No;
    };
    let Some(t) = guest.types.iter().find(|t| spec.types.contains(t)) else {
        return Tri::No;
    };
    let why = Why::of("guest type", t.graph_name());
    // Internal guests belong to this tenant: the external-tenant part does not apply to them.
    let external = guest
        .types
        .iter()
        .any(|t| *t != GuestType::InternalGuest && spec.types.contains(t));
    match (&spec.tenants, external) {
        (None, _) | (_, false) => Tri::Yes(why),
        (Some(tenants), true) => match &guest.external_tenant {
            None => Tri::Unknown(
                Fact::GuestTenant,
                "the policy names the guests' external tenants".into(),
            ),
            Some(tenant) if has(tenants, tenant) => Tri::Yes(why),
            Some(_) => Tri::No,
        },
    }
}

/// The `workloadIdentities` condition.
pub fn workload_identities(p: &Prepared<'_>, s: &SignIn, ctx: &EvalContext) -> Check {
    let Some(sp) = &s.service_principal else {
        if p.targets_service_principals && !p.targets_users {
            return Check::NoMatch(
                Reason::WorkloadIdentities,
                "a user signs in, and the policy targets workload identities".into(),
            );
        }
        return Check::Match;
    };
    let Some(c) = p
        .policy
        .conditions
        .client_applications
        .as_ref()
        .filter(|_| p.targets_service_principals)
    else {
        return Check::Match; // a user policy: the users condition already said no
    };
    if let Some(Err(e)) = p.service_principal_filter.as_ref().map(|f| &f.rule) {
        return Check::NoMatch(Reason::InvalidCondition, e.clone());
    }
    let attrs = s.service_principal_attributes.as_ref();
    let filter = p.service_principal_filter.as_ref();
    let fact = Fact::ServicePrincipalAttributes;
    let include = Tri::any([
        Tri::any(
            c.include_service_principals
                .iter()
                .map(|e| match e.as_str() {
                    "ServicePrincipalsInMyTenant" => {
                        Tri::Yes(Why::text("all service principals in the tenant"))
                    }
                    id if id.eq_ignore_ascii_case(sp) => Tri::Yes(Why::of("service principal", id)),
                    _ => Tri::No,
                }),
        ),
        filter_tri(
            filter,
            FilterMode::Include,
            attrs,
            fact,
            "the service principal matches the filter",
        ),
    ]);
    let exclude = Tri::any([
        match c
            .exclude_service_principals
            .iter()
            .find(|e| e.eq_ignore_ascii_case(sp))
        {
            Some(id) => Tri::Yes(Why::of("service principal", id)),
            None => Tri::No,
        },
        filter_tri(
            filter,
            FilterMode::Exclude,
            attrs,
            fact,
            "the service principal matches the filter",
        ),
    ]);
    scope(Reason::WorkloadIdentities, include, exclude, ctx, || {
        format!(
            "service principal {} is not among the policy's service principals",
            ctx.name(sp)
        )
        .into()
    })
}
