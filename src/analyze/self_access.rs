//! Would a deploy lock out the identity that runs it? The signed-in user (its groups and roles,
//! as the tenant reports them) or workload identity, against the policies after the plan.
//!
//! In: the policies before and after, the context, the [`Identity`]. Out: a [`SelfAccess`]: the
//! lockout, if every sign-in of that identity to Microsoft Graph and the admin portals from a
//! browser or a modern client is blocked (with the blocking policies and one such sign-in as a
//! scenario), and each policy that newly requires something of it there. The sign-ins quantified
//! over: any platform, location and device; no sign-in or user risk, no insider risk, no special
//! authentication flow (a deployer cannot choose to be risky, and a way in that only a risky
//! sign-in would have is no way in).

use super::impact::Pair;
use super::render;
use super::space::{Extra, IdKind, TooLarge};
use crate::graph::model::Policy;
use crate::ir::GuestType;
use crate::symbols::catalog;
use crate::whatif::bundles;
use crate::whatif::grant::Grant;
use crate::whatif::{
    AuthFlow, ClientAppType, EvalContext, Expectation, InsiderRisk, Outcome, RiskLevel, Target,
};
use biodivine_lib_bdd::Bdd;

/// Microsoft Graph's app id.
pub const MICROSOFT_GRAPH: &str = "00000003-0000-0000-c000-000000000000";

/// Who runs the deploy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// A user: object id, transitive groups (object ids), directory roles (template ids).
    User {
        id: String,
        groups: Vec<String>,
        roles: Vec<String>,
        guest: bool,
    },
    /// A workload identity: the service principal's object id.
    ServicePrincipal { id: String },
}

impl Identity {
    pub fn describe(&self, ctx: &EvalContext) -> String {
        match self {
            Identity::User { id, .. } => format!("user {}", render::user(ctx, id)),
            Identity::ServicePrincipal { id } => {
                format!("service principal {}", render::group(ctx, id))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lockout {
    /// The policies that block the identity's ways in.
    pub policies: Vec<String>,
    /// One blocked sign-in (one that the tenant's policies now let through, when there is one).
    pub scenario: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRequirement {
    pub policy: String,
    /// `mfa`, `strength phishing-resistant-mfa`, …
    pub requires: String,
    pub scenario: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SelfAccess {
    pub lockout: Option<Lockout>,
    pub new_requirements: Vec<NewRequirement>,
}

/// The apps through which the identity administers the tenant: Microsoft Graph, the admin
/// portals, the Azure management apps (for a workload identity: Microsoft Graph).
fn ways_in(identity: &Identity) -> Vec<String> {
    let mut apps = vec![MICROSOFT_GRAPH.to_string()];
    if matches!(identity, Identity::User { .. }) {
        apps.extend(
            bundles::ADMIN_PORTALS
                .iter()
                .chain(bundles::AZURE_MANAGEMENT_MEMBERS)
                .map(|(id, _)| id.to_string()),
        );
        apps.push(catalog::AZURE_SERVICE_MANAGEMENT.to_string());
    }
    apps.sort();
    apps.dedup();
    apps
}

fn extra(identity: &Identity) -> Extra {
    let mut x = Extra::default();
    x.apps.extend(ways_in(identity));
    match identity {
        Identity::User { id, .. } => {
            x.users.insert(id.clone());
        }
        Identity::ServicePrincipal { id } => {
            x.sps.insert(id.clone());
            x.service_principal = true;
        }
    }
    x
}

/// The identity's sign-ins to its ways in.
fn region(pair: &Pair, identity: &Identity) -> Bdd {
    let s = &pair.model.space;
    let v = &s.vars;
    let apps = ways_in(identity);
    let quiet = |r: &Option<RiskLevel>| r.is_none_or(|r| r == RiskLevel::None);
    let mut b = s
        .valid
        .and(&s.target.any(v, |t| match t {
            Target::App(a) => apps.iter().any(|x| x.eq_ignore_ascii_case(a)),
            _ => false,
        }))
        .and(&s.sign_in_risk.any(v, quiet))
        .and(&s.user_risk.any(v, quiet))
        .and(&s.sp_risk.any(v, quiet))
        .and(
            &s.insider
                .any(v, |r| r.is_none_or(|r| r == InsiderRisk::None)),
        )
        .and(&s.flow.any(v, |f| f.is_none_or(|f| f == AuthFlow::None)));
    match identity {
        Identity::User {
            id,
            groups,
            roles,
            guest,
        } => {
            let has = |list: &[String], x: &str| list.iter().any(|g| g.eq_ignore_ascii_case(x));
            b = b
                .and(&s.users())
                .and(
                    &s.user
                        .any(v, |u| u.as_ref().is_none_or(|u| u.eq_ignore_ascii_case(id))),
                )
                .and(&s.user_type.any(v, |t| match t {
                    None => !guest,
                    Some(t) => *guest && *t == GuestType::B2bCollaborationGuest,
                }))
                .and(&s.client.any(v, |c| {
                    c.is_none_or(|c| {
                        matches!(
                            c,
                            ClientAppType::Browser | ClientAppType::MobileAppsAndDesktopClients
                        )
                    })
                }));
            for (g, var) in &s.groups {
                b = b.and(&v.mk_literal(*var, has(groups, g)));
            }
            for (r, var) in &s.roles {
                b = b.and(&v.mk_literal(*var, has(roles, r)));
            }
        }
        Identity::ServicePrincipal { id } => {
            b = b
                .and(&s.kind.any(v, |k| *k == IdKind::ServicePrincipal))
                .and(&s.sp.any(v, |x| {
                    x.as_ref().is_some_and(|x| x.eq_ignore_ascii_case(id))
                }));
        }
    }
    b
}

/// One sign-in of `set`, to Microsoft Graph when the set has one.
fn example(pair: &Pair, set: &Bdd) -> Option<crate::whatif::SignIn> {
    let m = &pair.model;
    let graph = m.space.target.any(
        &m.space.vars,
        |t| matches!(t, Target::App(a) if a.eq_ignore_ascii_case(MICROSOFT_GRAPH)),
    );
    m.witness(&set.and(&graph)).or_else(|| m.witness(set))
}

/// Decide the identity's access after the plan.
pub fn check(
    before: &[Policy],
    after: &[Policy],
    ctx: &EvalContext,
    identity: &Identity,
) -> Result<SelfAccess, TooLarge> {
    let pair = Pair::new(before, after, ctx, &extra(identity))?;
    let m = &pair.model;
    let mine = region(&pair, identity);
    let mut out = SelfAccess::default();
    if mine.is_false() {
        return Ok(out);
    }
    let blocked_after = pair.blocked(true);
    let blocked_before = pair.blocked(false);
    let title = format!("Self-lockout: {}", identity.describe(ctx));
    if mine.and_not(&blocked_after).is_false() {
        let newly = mine.and_not(&blocked_before);
        let example = example(&pair, &newly).or_else(|| example(&pair, &mine));
        let mut policies: Vec<String> = pair
            .after_range()
            .filter(|i| {
                let p = &m.policies[*i];
                p.enforced() && p.grant == Grant::Block && !p.applies.and(&mine).is_false()
            })
            .map(|i| m.policies[i].name.clone())
            .collect();
        policies.dedup();
        let scenario = example
            .map(|s| {
                render::scenario(
                    &title,
                    &s,
                    &[super::model::Expect::Is(Expectation::Block)],
                    ctx,
                )
            })
            .unwrap_or_default();
        out.lockout = Some(Lockout { policies, scenario });
        return Ok(out);
    }
    // Controls newly required where the identity still gets in.
    let open = mine.and_not(&blocked_after).and_not(&blocked_before);
    let before_req = pair.requirement(false);
    for i in pair.after_range() {
        let p = &m.policies[i];
        let Grant::Require(e) = &p.grant else {
            continue;
        };
        if !p.enforced() {
            continue;
        }
        let lit = super::encode::expr_literal(&m.space, e);
        let new = open
            .and(&p.applies)
            .and(&before_req.and_not(&lit).exists(&m.space.control_vars()));
        let Some(s) = example(&pair, &new) else {
            continue;
        };
        let ev = pair.evaluate(true, &s);
        let requires = match &ev.outcome {
            Outcome::Require(_) | Outcome::Satisfied(_) | Outcome::Interrupt { .. } => {
                e.to_string()
            }
            // The analysis says a requirement applies; the evaluator must agree.
            other => format!("{e} (the evaluator says {other}; please report)"),
        };
        out.new_requirements.push(NewRequirement {
            policy: p.name.clone(),
            scenario: render::scenario(
                &format!("Newly required of {}", identity.describe(ctx)),
                &s,
                &[super::model::Expect::Is(Expectation::Require(e.clone()))],
                ctx,
            ),
            requires,
        });
    }
    Ok(out)
}
