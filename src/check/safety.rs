//! The rules that keep administrators from locking themselves out: the portal lockout rule
//! (`E0208`, waived by `allow no-exclusion "reason"`, `W0020` when that allows nothing) and the
//! emergency-access rule (`E0209` / `W0003` / `W0002`).
//!
//! Both are decided by the exact analysis (`crate::analyze`) of the one policy: a policy
//! narrowed by platform, location, client, risk, device or guest type is judged by the sign-ins
//! it really applies to. Should the analysis refuse a policy (too many device classes), the
//! syntactic rule it replaces decides instead, so that nothing is ever waved through.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::graph::model::PolicyState;
use crate::ir::{AppTarget, Policy, PolicySet, Principal, UserTarget};
use crate::symbols::catalog;

/// Could the policy apply to an emergency account? It could when it includes all users, any role
/// (emergency accounts hold Global Administrator), or an emergency principal by name.
fn could_reach_emergency(p: &Policy, set: &PolicySet) -> bool {
    p.include_users.iter().any(|u| match &u.node {
        UserTarget::All => true,
        UserTarget::Principal(Principal::Role(_)) => true,
        UserTarget::Principal(pr) => set.emergency.iter().any(|e| &e.node == pr),
        _ => false,
    })
}

fn excludes(p: &Policy, pr: &Principal) -> bool {
    p.exclude_users
        .iter()
        .any(|u| matches!(&u.node, UserTarget::Principal(x) if x == pr))
}

/// The exact questions about one policy.
struct Exact {
    model: crate::analyze::Model,
}

impl Exact {
    fn new(p: &Policy, set: &PolicySet) -> Option<Exact> {
        let gp = crate::emit::emit_policy(p);
        let ctx = crate::whatif::EvalContext {
            trusted_locations: set.trusted_locations.clone(),
            names: Default::default(),
            ..Default::default()
        };
        let emergency: Vec<Principal> = set.emergency.iter().map(|e| e.node.clone()).collect();
        let mut extra = crate::analyze::region::extra(&[], &emergency);
        extra
            .apps
            .insert(catalog::AZURE_SERVICE_MANAGEMENT.to_string());
        for (id, _) in crate::whatif::bundles::ADMIN_PORTALS {
            extra.apps.insert(id.to_string());
        }
        crate::analyze::Model::new(std::slice::from_ref(&gp), &ctx, &extra, false)
            .ok()
            .map(|model| Exact { model })
    }

    /// Does the policy apply to every member of the directory, whatever their memberships,
    /// on every browser and modern-client sign-in to the app?
    fn locks_out(&self, app: &str) -> bool {
        let s = &self.model.space;
        let v = &s.vars;
        let target = s.target.any(
            v,
            |t| matches!(t, crate::whatif::Target::App(a) if a.eq_ignore_ascii_case(app)),
        );
        let modern = s.client.any(v, |c| {
            !matches!(
                c,
                Some(
                    crate::whatif::ClientAppType::ExchangeActiveSync
                        | crate::whatif::ClientAppType::Other
                )
            )
        });
        let region = s.members().and(&target).and(&modern).and(&s.valid);
        let applies = self.model.policies.first().map(|c| c.applies.clone());
        !region.is_false() && applies.is_some_and(|a| region.and_not(&a).is_false())
    }

    /// Does the policy apply to some sign-in of this emergency principal?
    fn reaches(&self, e: &Principal, all: &[Principal]) -> bool {
        let region = crate::analyze::report::emergency_region(&self.model, e, all);
        self.model
            .policies
            .first()
            .is_some_and(|c| !c.applies.and(&region).is_false())
    }
}

pub fn check(p: &Policy, set: &PolicySet, diags: &mut Diagnostics) {
    if p.is_workload() {
        return;
    }
    // The exact analysis costs far more than the rest of the check, so it runs only where it
    // can change a verdict: the lockout rule can only fire on a policy for all users with no
    // principal excluded (a policy that excludes anyone, or includes only some, leaves some
    // member out), and the emergency rule only for an emergency principal the policy does not
    // exclude by name (one it excludes is reached by no sign-in).
    let needed =
        everyone_without_exclusion(p) || set.emergency.iter().any(|e| !excludes(p, &e.node));
    let exact = if p.state.node == PolicyState::Disabled || !needed {
        None
    } else {
        Exact::new(p, set)
    };
    lockout(p, exact.as_ref(), diags);
    if set.emergency.is_empty() || p.state.node == PolicyState::Disabled {
        return;
    }
    let all: Vec<Principal> = set.emergency.iter().map(|e| e.node.clone()).collect();
    let missing: Vec<_> = match &exact {
        Some(x) => set
            .emergency
            .iter()
            .filter(|e| x.reaches(&e.node, &all))
            .collect(),
        None if could_reach_emergency(p, set) => set
            .emergency
            .iter()
            .filter(|e| !excludes(p, &e.node))
            .collect(),
        None => Vec::new(),
    };
    if missing.is_empty() {
        return;
    }
    let enforced = p.state.node == PolicyState::Enabled;
    let (code, severity) = if enforced {
        ("E0209", Severity::Error)
    } else {
        ("W0003", Severity::Warning)
    };
    let mut d = Diagnostic::new(
        code,
        format!(
            "policy `{}` could apply to emergency access accounts but does not exclude {}",
            p.display_name.node,
            if missing.len() == 1 {
                "one of them"
            } else {
                "them all"
            }
        ),
    )
    .with_severity(severity)
    .at(
        p.display_name.span,
        if enforced {
            "enforced without excluding emergency access"
        } else {
            "report-only, but would apply to emergency access"
        },
    );
    for m in &missing {
        d = d.also(m.span, "this emergency principal is not excluded");
    }
    let names: Vec<String> = missing
        .iter()
        .map(|m| {
            let (kind, id) = match &m.node {
                Principal::Group(id) => ("group", id),
                Principal::User(id) => ("user", id),
                Principal::Role(id) => ("role", id),
            };
            let name = set
                .names_by_id
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.clone());
            let name = if crate::syntax::is_bare_name(&name) {
                name
            } else {
                format!("\"{name}\"")
            };
            format!("{kind} {name}")
        })
        .collect();
    d = d
        .help(format!("exclude every emergency principal: `exclude {}`", names.join(", ")))
        .note("emergency (break-glass) accounts must never be caught by a policy: they are how you get back in");
    diags.push(d);
}

/// Whether the policy is for all users with no user, group or role excluded.
fn everyone_without_exclusion(p: &Policy) -> bool {
    p.targets_all_users()
        && !p
            .exclude_users
            .iter()
            .any(|u| matches!(u.node, UserTarget::Principal(_)))
}

/// `W0020`: `allow no-exclusion` on a policy that excludes someone or is not for all users.
fn unneeded_allow(p: &Policy, diags: &mut Diagnostics) {
    let Some(allow) = &p.allow_no_exclusion else {
        return;
    };
    if everyone_without_exclusion(p) {
        return;
    }
    let why = if p.targets_all_users() {
        "the policy excludes someone"
    } else {
        "the policy is not for all users"
    };
    diags.push(
        Diagnostic::new(
            "W0020",
            format!(
                "`allow no-exclusion` on policy `{}` allows nothing",
                p.display_name.node
            ),
        )
        .at(allow.span, why)
        .help("remove the clause; it is for policies that apply to everyone with nobody excluded"),
    );
}

/// A policy in `mode on` that blocks or requires a control for every member of the directory on
/// every browser and modern-client sign-in to Azure management or the admin portals (so, for
/// all apps too): whoever would undo it is locked out with everyone else; unless it says
/// `allow no-exclusion "reason"`.
fn lockout(p: &Policy, exact: Option<&Exact>, diags: &mut Diagnostics) {
    unneeded_allow(p, diags);
    if p.state.node != PolicyState::Enabled || p.grant.is_none() || p.allow_no_exclusion.is_some() {
        return;
    }
    let portal = p.include_apps.iter().find(|a| match &a.node {
        AppTarget::All => true,
        AppTarget::Keyword(k) => k == "MicrosoftAdminPortals",
        AppTarget::App(id) => id == catalog::AZURE_SERVICE_MANAGEMENT,
        _ => false,
    });
    let Some(portal) = portal else { return };
    let locked = match exact {
        Some(x) => {
            x.locks_out(catalog::AZURE_SERVICE_MANAGEMENT)
                || crate::whatif::bundles::ADMIN_PORTALS
                    .iter()
                    .any(|(id, _)| x.locks_out(id))
        }
        None => everyone_without_exclusion(p),
    };
    if !locked {
        return;
    }
    let what = match &portal.node {
        AppTarget::All => "all apps",
        AppTarget::Keyword(_) => "the admin portals",
        _ => "Azure management",
    };
    let mut d = Diagnostic::new(
        "E0208",
        format!(
            "policy `{}` could lock everyone out of {what}",
            p.display_name.node
        ),
    )
    .at(
        p.display_name.span,
        "enforced for all users with nobody excluded",
    );
    if let Some(g) = &p.grant {
        d = d.also(g.span, "this applies to every account, yours included");
    }
    diags.push(
        d.also(portal.span, "including the portal you would use to undo it")
            .help("exclude your emergency access accounts: `exclude group BreakGlass`; if nobody may be excluded on purpose, say so with `allow no-exclusion \"reason\"`")
            .note("Microsoft's guidance: never enforce such a policy without excluding emergency access accounts"),
    );
}

/// `W0002`: no emergency principal is declared, and an enforced policy targets all users.
pub fn check_emergency_declared(set: &PolicySet, diags: &mut Diagnostics) {
    if !set.emergency.is_empty() {
        return;
    }
    for p in &set.policies {
        if p.state.node == PolicyState::Enabled && p.targets_all_users() && !p.is_workload() {
            diags.push(
                Diagnostic::new("W0002", format!("policy `{}` is enforced for all users, and no emergency access is declared", p.display_name.node))
                    .at(p.display_name.span, "enforced for all users")
                    .help("declare your break-glass accounts once: `emergency group BreakGlass`; capol then checks that every policy excludes them"),
            );
        }
    }
}
