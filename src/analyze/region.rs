//! An assert's facts as a set of sign-ins, and what they add to the space.
//!
//! In: an [`AssertRegion`]. Out: the [`Extra`] atoms it needs, and its BDD over the space.

use super::space::{Extra, IdKind, OTHER_APP, Space};
use crate::ir::{AssertRegion, Principal};
use crate::whatif::{DeviceFact, Target};
use biodivine_lib_bdd::Bdd;

/// The atoms a region names, added to what the policies name.
pub fn extra(regions: &[&AssertRegion], emergency: &[Principal]) -> Extra {
    let mut x = Extra::default();
    for r in regions {
        x.users.extend(r.users.iter().flatten().cloned());
        x.users.extend(r.member_users.iter().cloned());
        x.users.extend(r.not_users.iter().cloned());
        x.groups
            .extend(r.groups.iter().chain(&r.not_groups).cloned());
        x.roles.extend(r.roles.iter().chain(&r.not_roles).cloned());
        x.sps.extend(r.service_principals.iter().flatten().cloned());
        x.tenants.extend(r.tenants.iter().flatten().cloned());
        for t in r.targets.iter().flatten() {
            match t {
                Target::App(a) => {
                    x.apps.insert(a.clone());
                }
                Target::Context(c) => {
                    x.contexts.insert(c.clone());
                }
                Target::Action(_) => {}
            }
        }
        for l in r.locations.iter().flatten() {
            if let crate::whatif::LocationFact::Named(id) = l {
                x.locations.insert(id.clone());
            }
        }
        x.platform |= r.platforms.is_some();
        x.client |= r.clients.is_some();
        x.sign_in_risk |= r.sign_in_risk.is_some();
        x.user_risk |= r.user_risk.is_some();
        x.sp_risk |= r.service_principal_risk.is_some();
        x.insider |= r.insider_risk.is_some();
        x.flow |= r.auth_flows.is_some();
        x.service_principal |= r.service_principals.is_some();
        if let Some(ds) = &r.devices {
            x.device = true;
            for d in ds {
                if let DeviceFact::Attributes(m) = d {
                    x.devices.push(m.clone());
                }
            }
        }
    }
    for e in emergency {
        match e {
            Principal::User(u) => {
                x.users.insert(u.clone());
            }
            Principal::Group(g) => {
                x.groups.insert(g.clone());
            }
            Principal::Role(r) => {
                x.roles.insert(r.clone());
            }
        }
    }
    x
}

fn listed<T: PartialEq>(
    dim: &super::space::Dim<Option<T>>,
    s: &Space,
    list: &Option<Vec<T>>,
) -> Bdd {
    match list {
        None => s.vars.mk_true(),
        Some(l) => dim.any(&s.vars, |v| v.as_ref().is_some_and(|v| l.contains(v))),
    }
}

fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The sign-ins a region describes.
pub fn bdd(r: &AssertRegion, s: &Space) -> Bdd {
    let v = &s.vars;
    let mut b = s.valid.clone();
    // Who: a service principal when the assert names one, a user otherwise.
    if let Some(sps) = &r.service_principals {
        b = b
            .and(&s.kind.any(v, |k| *k == IdKind::ServicePrincipal))
            .and(&s.sp.any(v, |x| {
                x.as_ref()
                    .is_some_and(|x| sps.iter().any(|y| same_id(x, y)))
            }));
    } else {
        b = b.and(&s.users());
        if let Some(users) = &r.users {
            b = b.and(&s.user.any(v, |u| {
                u.as_ref()
                    .is_some_and(|u| users.iter().any(|y| same_id(u, y)))
            }));
        }
        for u in &r.member_users {
            b = b.and(&s.user.any(v, |x| x.as_ref().is_some_and(|x| same_id(x, u))));
        }
        for u in &r.not_users {
            b = b.and(
                &s.user
                    .any(v, |x| !x.as_ref().is_some_and(|x| same_id(x, u))),
            );
        }
        for g in &r.groups {
            b = b.and(&s.group_var(g).map_or_else(|| v.mk_false(), |x| v.mk_var(x)));
        }
        for g in &r.roles {
            b = b.and(&s.role_var(g).map_or_else(|| v.mk_false(), |x| v.mk_var(x)));
        }
        for g in &r.not_groups {
            if let Some(x) = s.group_var(g) {
                b = b.and(&v.mk_not_var(x));
            }
        }
        for g in &r.not_roles {
            if let Some(x) = s.role_var(g) {
                b = b.and(&v.mk_not_var(x));
            }
        }
        if let Some(types) = &r.user_types {
            b = b.and(&s.user_type.any(v, |t| types.contains(t)));
        }
        if let Some(tenants) = &r.tenants {
            b = b.and(&s.tenant.any(v, |t| {
                t.as_ref()
                    .is_some_and(|t| tenants.iter().any(|y| same_id(t, y)))
            }));
        }
    }
    match &r.targets {
        Some(targets) => {
            let other = r.any_other_app;
            b = b.and(&s.target.any(v, |t| {
                targets.contains(t) || other && *t == Target::App(OTHER_APP.into())
            }));
        }
        // Without an app fact: every app (each one a policy names, and any other); user
        // actions and authentication contexts only when the assert names them.
        None => b = b.and(&s.target.any(v, |t| matches!(t, Target::App(_)))),
    }
    b = b.and(&listed(&s.platform, s, &r.platforms));
    b = b.and(&listed(&s.client, s, &r.clients));
    b = b.and(&listed(&s.location, s, &r.locations));
    b = b.and(&listed(&s.sign_in_risk, s, &r.sign_in_risk));
    b = b.and(&listed(&s.user_risk, s, &r.user_risk));
    b = b.and(&listed(&s.sp_risk, s, &r.service_principal_risk));
    b = b.and(&listed(&s.insider, s, &r.insider_risk));
    b = b.and(&listed(&s.flow, s, &r.auth_flows));
    if let Some(ds) = &r.devices {
        b = b.and(&s.device.any(v, |d| {
            d.as_ref()
                .is_some_and(|d| ds.iter().any(|want| device_matches(want, d)))
        }));
    }
    b
}

/// Does a device atom have the attributes an assert names (others free)?
fn device_matches(want: &DeviceFact, atom: &DeviceFact) -> bool {
    match (want, atom) {
        (DeviceFact::Unregistered, DeviceFact::Unregistered) => true,
        (DeviceFact::Unregistered, _) => false,
        (DeviceFact::Attributes(w), DeviceFact::Attributes(a)) => w.iter().all(|(k, v)| {
            a.iter()
                .any(|(ak, av)| ak.eq_ignore_ascii_case(k) && av.eq_ignore_ascii_case(v))
        }),
        (DeviceFact::Attributes(w), DeviceFact::Unregistered) => w.is_empty(),
    }
}
