//! The identity conditions: users (with groups, roles and guests) and workload identities.
//!
//! In: a prepared policy and a sign-in. Out: a [`Check`] for `users` and one for
//! `workloadIdentities`. A user sign-in never matches a policy that targets only service
//! principals, and a service-principal sign-in never matches a policy that targets users.

use super::prepare::{Check, GuestSpec, Prepared, Tri, filter_tri, list_or, scope};
use super::signin::{EvalContext, GuestType, SignIn};
use super::verdict::{Fact, Reason};
use crate::graph::model::{FilterMode, Users};

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
                ),
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
        return Check::NoMatch(Reason::Users, "the policy includes no users".into());
    };
    let include = Tri::any([
        user_entries(&u.include_users, s, ctx),
        groups(&u.include_groups, s, ctx),
        roles(&u.include_roles, s, ctx),
        guests(p.include_guests.as_ref(), s),
    ]);
    let exclude = Tri::any([
        user_entries(&u.exclude_users, s, ctx),
        groups(&u.exclude_groups, s, ctx),
        roles(&u.exclude_roles, s, ctx),
        guests(p.exclude_guests.as_ref(), s),
    ]);
    scope(Reason::Users, include, exclude, || {
        format!(
            "the policy includes {}, and the user is none of them",
            describe_includes(u, ctx)
        )
    })
}

fn user_entries(list: &[String], s: &SignIn, ctx: &EvalContext) -> Tri {
    Tri::any(list.iter().map(|entry| match entry.as_str() {
        "All" => Tri::Yes("all users".into()),
        "None" => Tri::No,
        "GuestsOrExternalUsers" if s.guest.is_some() => Tri::Yes("guests or external users".into()),
        "GuestsOrExternalUsers" => Tri::No,
        id => match &s.user {
            None => Tri::Unknown(
                Fact::User,
                format!("the policy names user {}", ctx.name(id)),
            ),
            Some(user) if user.eq_ignore_ascii_case(id) => {
                Tri::Yes(format!("user {}", ctx.name(id)))
            }
            Some(_) => Tri::No,
        },
    }))
}

fn groups(list: &[String], s: &SignIn, ctx: &EvalContext) -> Tri {
    match list.iter().find(|g| has(&s.groups, g)) {
        Some(g) => Tri::Yes(format!("member of group {}", ctx.name(g))),
        None => Tri::No,
    }
}

fn roles(list: &[String], s: &SignIn, ctx: &EvalContext) -> Tri {
    match list.iter().find(|r| has(&s.roles, r)) {
        Some(r) => Tri::Yes(format!("holds role {}", ctx.name(r))),
        None => Tri::No,
    }
}

fn guests(spec: Option<&GuestSpec>, s: &SignIn) -> Tri {
    let (Some(spec), Some(guest)) = (spec, &s.guest) else {
        return Tri::No;
    };
    let Some(t) = guest.types.iter().find(|t| spec.types.contains(t)) else {
        return Tri::No;
    };
    let why = format!("guest type {}", t.graph_name());
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
            Some(tenant) if has(tenants, tenant) => Tri::Yes(format!("{why} from tenant {tenant}")),
            Some(_) => Tri::No,
        },
    }
}

/// "group Admins, role Global Administrator or 2 more".
fn describe_includes(u: &Users, ctx: &EvalContext) -> String {
    let mut parts: Vec<String> = Vec::new();
    for id in &u.include_users {
        parts.push(match id.as_str() {
            "None" => "no users".into(),
            "GuestsOrExternalUsers" => "guests or external users".into(),
            id => format!("user {}", ctx.name(id)),
        });
    }
    parts.extend(
        u.include_groups
            .iter()
            .map(|g| format!("group {}", ctx.name(g))),
    );
    parts.extend(
        u.include_roles
            .iter()
            .map(|r| format!("role {}", ctx.name(r))),
    );
    if let Some(g) = &u.include_guests_or_external_users {
        parts.push(format!("guests ({})", g.guest_or_external_user_types));
    }
    list_or(&parts, 3)
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
    let include = Tri::any([
        Tri::any(
            c.include_service_principals
                .iter()
                .map(|e| match e.as_str() {
                    "ServicePrincipalsInMyTenant" => {
                        Tri::Yes("all service principals in the tenant".into())
                    }
                    id if id.eq_ignore_ascii_case(sp) => {
                        Tri::Yes(format!("service principal {}", ctx.name(id)))
                    }
                    _ => Tri::No,
                }),
        ),
        filter_tri(
            filter,
            FilterMode::Include,
            attrs,
            Fact::ServicePrincipalAttributes,
            "service principal",
        ),
    ]);
    let exclude = Tri::any([
        match c
            .exclude_service_principals
            .iter()
            .find(|e| e.eq_ignore_ascii_case(sp))
        {
            Some(id) => Tri::Yes(format!("service principal {}", ctx.name(id))),
            None => Tri::No,
        },
        filter_tri(
            filter,
            FilterMode::Exclude,
            attrs,
            Fact::ServicePrincipalAttributes,
            "service principal",
        ),
    ]);
    scope(Reason::WorkloadIdentities, include, exclude, || {
        format!(
            "service principal {} is not among the policy's service principals",
            ctx.name(sp)
        )
    })
}
