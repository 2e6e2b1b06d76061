//! Each policy as the set of sign-ins it applies to, a BDD over the [`Space`].
//!
//! In: a compiled Graph policy, the space and the evaluation context. Out: a [`Compiled`]
//! policy: where it applies, what it grants, whether it is enforced.
//!
//! The closed dimensions are decided by the what-if evaluator itself: for each atom, the policy
//! reduced to that one condition is evaluated against a sign-in that gives only that fact
//! (conditions read only their own facts, and a policy applies exactly when every condition
//! matches). Identity (users, groups, roles, guests, workload identities) is a formula over
//! membership variables, written here after `whatif::identity` and checked against the
//! evaluator by the differential tests.

use super::space::{Dim, IdKind, Space};
use crate::filter::{self, Subject};
use crate::graph::model::{
    Applications, Conditions, FilterMode, GuestsOrExternalUsers, Policy, PolicyState,
    SessionControls, Users,
};
use crate::symbols::catalog;
use crate::whatif::grant::Grant;
use crate::whatif::{
    self, Control, ControlExpr, EvalContext, GuestFact, GuestType, SignIn, Target, Verdict,
};
use biodivine_lib_bdd::{Bdd, BddVariableSet};
use std::collections::BTreeMap;

/// A policy ready for questions.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub name: String,
    pub state: PolicyState,
    /// Where the evaluator says the policy applies (for report-only policies: would apply).
    pub applies: Bdd,
    pub grant: Grant,
    pub session: Option<SessionControls>,
}

impl Compiled {
    pub fn enforced(&self) -> bool {
        self.state == PolicyState::Enabled
    }
    /// Enforced and blocking or requiring something.
    pub fn challenges(&self) -> bool {
        self.enforced() && !matches!(self.grant, Grant::Nothing)
    }
}

/// The controls a policy's grant names.
pub fn grant_controls(p: &Policy) -> Vec<Control> {
    match Grant::of(p.grant_controls.as_ref()) {
        Grant::Require(e) => e.controls,
        _ => Vec::new(),
    }
}

fn bare(p: &Policy) -> Policy {
    Policy {
        display_name: p.display_name.clone(),
        description: None,
        state: PolicyState::Enabled,
        conditions: Conditions {
            users: Some(Users {
                include_users: vec!["All".into()],
                ..Users::default()
            }),
            applications: Applications {
                include_applications: vec!["All".into()],
                ..Applications::default()
            },
            ..Conditions::default()
        },
        grant_controls: None,
        session_controls: None,
    }
}

fn base_sign_in() -> SignIn {
    SignIn {
        target: Some(Target::App(super::space::OTHER_APP.into())),
        ..SignIn::default()
    }
}

/// One closed dimension of one policy: the atoms at which the reduced policy applies.
fn dimension<T: PartialEq>(
    dim: &Dim<T>,
    vars: &BddVariableSet,
    ctx: &EvalContext,
    reduced: &Policy,
    fact: impl Fn(&mut SignIn, &T),
) -> Bdd {
    let one = std::slice::from_ref(reduced);
    let set = whatif::PolicySet::new(one, ctx);
    let on: Vec<bool> = dim
        .values
        .iter()
        .map(|v| {
            let mut s = base_sign_in();
            fact(&mut s, v);
            let ev = set.evaluate(&s);
            ev.results
                .first()
                .is_some_and(|r| r.verdict == Verdict::Applies)
        })
        .collect();
    dim.indices(vars, &on)
}

fn set_map(m: &Option<BTreeMap<String, String>>) -> Option<BTreeMap<String, String>> {
    m.clone()
}

/// Where a policy applies.
pub fn compile(p: &Policy, space: &Space, ctx: &EvalContext) -> Compiled {
    let vars = &space.vars;
    let c = &p.conditions;
    let actions = !c.applications.include_user_actions.is_empty();
    let never = p.state == PolicyState::Disabled || p.state == PolicyState::ReportOnly && actions;
    let applies = if never {
        vars.mk_false()
    } else {
        let mut b = identity(p, space);
        let mut r = bare(p);
        r.conditions.applications = c.applications.clone();
        b = b.and(&dimension(&space.target, vars, ctx, &r, |s, t| {
            s.target = Some(t.clone())
        }));
        if c.applications.application_filter.is_some() {
            // Apps and their attributes together: the filter reads the target's attributes.
            b = b.and(&app_and_attrs(space, ctx, &r));
        }
        let mut r = bare(p);
        r.conditions.platforms = c.platforms.clone();
        b = b.and(&dimension(&space.platform, vars, ctx, &r, |s, v| {
            s.platform = *v
        }));
        let mut r = bare(p);
        r.conditions.locations = c.locations.clone();
        b = b.and(&dimension(&space.location, vars, ctx, &r, |s, v| {
            s.location = v.clone()
        }));
        let mut r = bare(p);
        r.conditions.client_app_types = c.client_app_types.clone();
        b = b.and(&dimension(&space.client, vars, ctx, &r, |s, v| {
            s.client = *v
        }));
        let mut r = bare(p);
        r.conditions.devices = c.devices.clone();
        b = b.and(&dimension(&space.device, vars, ctx, &r, |s, v| {
            s.device = v.clone()
        }));
        let mut r = bare(p);
        r.conditions.sign_in_risk_levels = c.sign_in_risk_levels.clone();
        b = b.and(&dimension(&space.sign_in_risk, vars, ctx, &r, |s, v| {
            s.sign_in_risk = *v
        }));
        let mut r = bare(p);
        r.conditions.user_risk_levels = c.user_risk_levels.clone();
        b = b.and(&dimension(&space.user_risk, vars, ctx, &r, |s, v| {
            s.user_risk = *v
        }));
        let mut r = bare(p);
        r.conditions.service_principal_risk_levels = c.service_principal_risk_levels.clone();
        b = b.and(&dimension(&space.sp_risk, vars, ctx, &r, |s, v| {
            s.service_principal_risk = *v
        }));
        let mut r = bare(p);
        r.conditions.insider_risk_levels = c.insider_risk_levels.clone();
        b = b.and(&dimension(&space.insider, vars, ctx, &r, |s, v| {
            s.insider_risk = *v
        }));
        let mut r = bare(p);
        r.conditions.authentication_flows = c.authentication_flows.clone();
        b = b.and(&dimension(&space.flow, vars, ctx, &r, |s, v| {
            s.auth_flow = *v
        }));
        b.and(&space.valid)
    };
    Compiled {
        name: p.display_name.clone(),
        state: p.state,
        applies,
        grant: Grant::of(p.grant_controls.as_ref()),
        session: p.session_controls.clone(),
    }
}

/// The app condition with an app filter: decided per (target, attributes) pair.
fn app_and_attrs(space: &Space, ctx: &EvalContext, reduced: &Policy) -> Bdd {
    let vars = &space.vars;
    let one = std::slice::from_ref(reduced);
    let set = whatif::PolicySet::new(one, ctx);
    let mut b = vars.mk_false();
    for (ti, t) in space.target.values.iter().enumerate() {
        for (ai, a) in space.app_attrs.values.iter().enumerate() {
            let mut s = base_sign_in();
            s.target = Some(t.clone());
            s.app_attributes = set_map(a);
            let ok = set
                .evaluate(&s)
                .results
                .first()
                .is_some_and(|r| r.verdict == Verdict::Applies);
            if ok {
                b = b.or(&space.target.is(vars, ti).and(&space.app_attrs.is(vars, ai)));
            }
        }
    }
    b
}

fn targets_service_principals(p: &Policy) -> bool {
    p.conditions.client_applications.as_ref().is_some_and(|s| {
        !s.include_service_principals.is_empty()
            || s.service_principal_filter
                .as_ref()
                .is_some_and(|f| f.mode == FilterMode::Include)
    })
}

fn targets_users(p: &Policy) -> bool {
    let sps = targets_service_principals(p);
    p.conditions.users.as_ref().is_some_and(|u| {
        let only_none = u.include_users.len() == 1 && u.include_users[0] == "None";
        !(u.include_users.is_empty() || only_none && sps)
            || !u.include_groups.is_empty()
            || !u.include_roles.is_empty()
            || u.include_guests_or_external_users.is_some()
    })
}

/// The users and workload-identities conditions.
fn identity(p: &Policy, space: &Space) -> Bdd {
    let vars = &space.vars;
    let (tu, tsp) = (targets_users(p), targets_service_principals(p));
    let user_kind = space.kind.any(vars, |k| *k == IdKind::User);
    let sp_kind = space.kind.any(vars, |k| *k == IdKind::ServicePrincipal);
    // A user signs in.
    let users = match p.conditions.users.as_ref().filter(|_| tu) {
        None => vars.mk_false(),
        Some(u) => {
            let include =
                user_side(space, &u.include_users, &u.include_groups, &u.include_roles).or(
                    &guest_side(space, u.include_guests_or_external_users.as_ref()),
                );
            let exclude =
                user_side(space, &u.exclude_users, &u.exclude_groups, &u.exclude_roles).or(
                    &guest_side(space, u.exclude_guests_or_external_users.as_ref()),
                );
            include.and_not(&exclude)
        }
    };
    let user_ok = user_kind.and(&users);
    // A service principal signs in.
    let sp_users_ok = !tu || tsp;
    let sp_ok = if !sp_users_ok {
        vars.mk_false()
    } else {
        match p.conditions.client_applications.as_ref().filter(|_| tsp) {
            None => sp_kind.clone(),
            Some(c) => {
                let filter = c.service_principal_filter.as_ref().map(|f| {
                    (
                        f.mode,
                        filter::parse(&f.rule, Subject::ServicePrincipal).ok(),
                    )
                });
                if let Some((_, None)) = filter {
                    vars.mk_false()
                } else {
                    let listed = |list: &[String], all: bool| {
                        space.sp.any(vars, |sp| match sp {
                            Some(id) => list.iter().any(|e| {
                                (all && e == "ServicePrincipalsInMyTenant")
                                    || e.eq_ignore_ascii_case(id)
                            }),
                            None => false,
                        })
                    };
                    let by_filter = |mode: FilterMode| match &filter {
                        Some((m, Some(rule))) if *m == mode => space.sp_attrs.any(vars, |a| {
                            a.as_ref().is_some_and(|attrs| {
                                filter::eval(rule, &|name| {
                                    attrs
                                        .iter()
                                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                                        .map(|(_, v)| v.clone())
                                })
                            })
                        }),
                        _ => vars.mk_false(),
                    };
                    let include = listed(&c.include_service_principals, true)
                        .or(&by_filter(FilterMode::Include));
                    let exclude = listed(&c.exclude_service_principals, false)
                        .or(&by_filter(FilterMode::Exclude));
                    sp_kind.and(&include.and_not(&exclude))
                }
            }
        }
    };
    // A user sign-in also passes the workload-identity condition unless the policy targets only
    // workload identities; `users` above is false then already.
    user_ok.or(&sp_ok)
}

fn user_side(space: &Space, users: &[String], groups: &[String], roles: &[String]) -> Bdd {
    let vars = &space.vars;
    let mut b = vars.mk_false();
    for entry in users {
        let part = match entry.as_str() {
            "All" => vars.mk_true(),
            "None" => vars.mk_false(),
            "GuestsOrExternalUsers" => space.user_type.any(vars, Option::is_some),
            id => space.user.any(vars, |u| {
                u.as_ref().is_some_and(|u| u.eq_ignore_ascii_case(id))
            }),
        };
        b = b.or(&part);
    }
    for g in groups {
        if let Some(v) = space.group_var(g) {
            b = b.or(&vars.mk_var(v));
        }
    }
    for r in roles {
        if let Some(v) = space.role_var(r) {
            b = b.or(&vars.mk_var(v));
        }
    }
    b
}

fn guest_side(space: &Space, spec: Option<&GuestsOrExternalUsers>) -> Bdd {
    let vars = &space.vars;
    let Some(spec) = spec else {
        return vars.mk_false();
    };
    let types: Vec<GuestType> = spec
        .guest_or_external_user_types
        .split(',')
        .filter_map(GuestType::from_graph)
        .collect();
    let tenants = spec
        .external_tenants
        .as_ref()
        .filter(|t| t.membership_kind == "enumerated")
        .map(|t| t.members.clone());
    let mut b = vars.mk_false();
    for t in types {
        let is_type = space.user_type.any(vars, |u| *u == Some(t));
        let part = match (&tenants, t == GuestType::InternalGuest) {
            (None, _) | (_, true) => is_type,
            (Some(list), false) => is_type.and(&space.tenant.any(vars, |x| {
                x.as_ref()
                    .is_some_and(|x| list.iter().any(|m| m.eq_ignore_ascii_case(x)))
            })),
        };
        b = b.or(&part);
    }
    b
}

/// `satisfies` of `whatif::grant` over "done" variables: a control is met when it was done, or
/// (for `mfa` and built-in strengths) when a strength of at least its rank was done.
pub fn met(space: &Space, c: &Control) -> Bdd {
    let vars = &space.vars;
    let rank = |c: &Control| match c {
        Control::Mfa => Some(1u8),
        Control::Strength(id) => catalog::strength_by_id(id).map(|s| s.rank),
        _ => None,
    };
    let mut b = vars.mk_false();
    for (d, v) in &space.controls {
        let counts = d == c
            || (*c == Control::Mfa && matches!(d, Control::Strength(_)))
            || (matches!(c, Control::Strength(_))
                && rank(c).is_some_and(|need| rank(d).is_some_and(|r| r >= need)));
        if counts {
            b = b.or(&vars.mk_var(*v));
        }
    }
    b
}

/// An expected control expression over "done" variables.
pub fn expr_met(space: &Space, e: &ControlExpr) -> Bdd {
    let vars = &space.vars;
    match e.operator {
        crate::graph::model::Operator::And => e
            .controls
            .iter()
            .fold(vars.mk_true(), |b, c| b.and(&met(space, c))),
        crate::graph::model::Operator::Or => e
            .controls
            .iter()
            .fold(vars.mk_false(), |b, c| b.or(&met(space, c))),
    }
}

/// A policy's own requirement, literally (as `whatif::grant::ways` reads it).
pub fn expr_literal(space: &Space, e: &ControlExpr) -> Bdd {
    let vars = &space.vars;
    let lit = |c: &Control| {
        space
            .controls
            .iter()
            .find(|(d, _)| d == c)
            .map_or_else(|| vars.mk_false(), |(_, v)| vars.mk_var(*v))
    };
    match e.operator {
        crate::graph::model::Operator::And => e
            .controls
            .iter()
            .fold(vars.mk_true(), |b, c| b.and(&lit(c))),
        crate::graph::model::Operator::Or => e
            .controls
            .iter()
            .fold(vars.mk_false(), |b, c| b.or(&lit(c))),
    }
}

/// The sign-in a valuation names, as the evaluator takes it.
pub fn sign_in(space: &Space, v: &biodivine_lib_bdd::BddValuation) -> SignIn {
    let mut s = SignIn::default();
    match space.kind.decode(v) {
        Some(IdKind::ServicePrincipal) => {
            s.service_principal = space.sp.decode(v).cloned().flatten();
            s.service_principal_attributes = space.sp_attrs.decode(v).cloned().flatten();
        }
        _ => {
            s.user = space.user.decode(v).cloned().flatten();
            s.groups = space
                .groups
                .iter()
                .filter(|(_, var)| v.value(*var))
                .map(|(g, _)| g.clone())
                .collect();
            s.roles = space
                .roles
                .iter()
                .filter(|(_, var)| v.value(*var))
                .map(|(r, _)| r.clone())
                .collect();
            if let Some(Some(t)) = space.user_type.decode(v) {
                s.guest = Some(GuestFact {
                    types: vec![*t],
                    external_tenant: space.tenant.decode(v).cloned().flatten(),
                });
            }
        }
    }
    s.target = space.target.decode(v).cloned();
    s.app_attributes = space.app_attrs.decode(v).cloned().flatten();
    s.platform = space.platform.decode(v).copied().flatten();
    s.client = space.client.decode(v).copied().flatten();
    s.location = space.location.decode(v).cloned().flatten();
    s.sign_in_risk = space.sign_in_risk.decode(v).copied().flatten();
    s.user_risk = space.user_risk.decode(v).copied().flatten();
    s.service_principal_risk = space.sp_risk.decode(v).copied().flatten();
    s.insider_risk = space.insider.decode(v).copied().flatten();
    s.device = space.device.decode(v).cloned().flatten();
    s.auth_flow = space.flow.decode(v).copied().flatten();
    s
}
