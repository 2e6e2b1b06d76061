//! Every finding of `capol analyze`: asserts, gaps, redundant policies, emergency access.
//!
//! In: compiled policies, the context, the asserts and emergency principals of the sources.
//! Out: a [`Report`] in the JSON shape of LANGUAGE.md §8. Each counterexample is checked by the
//! what-if evaluator before it is reported; a disagreement is an internal error, never a
//! silently wrong answer.

use super::cubes;
use super::model::{Expect, Model};
use super::region;
use super::render;
use super::space::TooLarge;
use crate::graph::model::Policy;
use crate::ir::{Assert, Principal};
use crate::whatif::grant::Grant;
use crate::whatif::{EvalContext, Outcome, SignIn};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub asserts: Vec<AssertResult>,
    pub gaps: Vec<Gap>,
    pub redundant: Vec<Redundant>,
    pub emergency: Vec<Emergency>,
    /// Problems of our own (the analysis and the evaluator disagree): reported, never hidden.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub internal_errors: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssertResult {
    pub name: String,
    pub location: String,
    pub holds: bool,
    pub counterexample: Option<Counterexample>,
    /// Why the assert could not be decided (too many classes, an unknown policy name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Counterexample {
    pub scenario: String,
    pub policies: Vec<String>,
    pub outcome: String,
    /// The expectation that fails.
    pub expect: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Gap {
    pub summary: String,
    pub scenario: String,
    /// `members` or `guests`.
    pub who: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Redundant {
    pub policy: String,
    pub covered_by: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Emergency {
    pub principal: String,
    pub exposed: bool,
    pub scenario: Option<String>,
    pub policies: Vec<String>,
}

/// What the caller knows besides the policies.
pub struct Input<'a> {
    pub policies: &'a [Policy],
    pub ctx: &'a EvalContext,
    pub asserts: &'a [Assert],
    /// Where each assert is, `file:line:col`, by index.
    pub locations: Vec<String>,
    pub emergency: &'a [Principal],
    pub report_only_on: bool,
}

/// The most gap cubes reported for members and for guests each.
pub const MAX_GAPS: usize = 8;

pub fn analyze(input: &Input<'_>) -> Result<Report, TooLarge> {
    let regions: Vec<&crate::ir::AssertRegion> = input.asserts.iter().map(|a| &a.region).collect();
    let extra = region::extra(&regions, input.emergency);
    let model = Model::new(input.policies, input.ctx, &extra, input.report_only_on)?;
    let mut report = Report::default();
    for (i, a) in input.asserts.iter().enumerate() {
        let location = input.locations.get(i).cloned().unwrap_or_default();
        report
            .asserts
            .push(decide(&model, a, location, &mut report.internal_errors));
    }
    report.gaps = gaps(&model, input.emergency);
    report.redundant = redundant(&model);
    report.emergency = emergency(&model, input.emergency);
    Ok(report)
}

fn outcome_text(o: &Outcome) -> String {
    o.to_string()
}

/// One assert: the first expectation that fails somewhere, with one sign-in where it does.
pub fn decide(
    model: &Model,
    a: &Assert,
    location: String,
    internal: &mut Vec<String>,
) -> AssertResult {
    let region = region::bdd(&a.region, &model.space);
    let mut result = AssertResult {
        name: a.name.node.clone(),
        location,
        holds: true,
        counterexample: None,
        error: None,
    };
    for e in &a.expects {
        let bad = match model.violations(&region, &e.node) {
            Ok(b) => b,
            Err(msg) => {
                result.holds = false;
                result.error = Some(msg);
                return result;
            }
        };
        if bad.is_false() {
            continue;
        }
        result.holds = false;
        let Some(s) = model.witness(&bad) else {
            internal.push(format!(
                "assert `{}`: a failing sign-in exists but none could be written out",
                a.name.node
            ));
            return result;
        };
        if !model.fails(&s, &e.node) {
            internal.push(format!(
                "assert `{}`: the analysis and the what-if evaluator disagree on a sign-in; please report",
                a.name.node
            ));
        }
        result.counterexample = Some(counterexample(model, &a.name.node, &s, &e.node));
        return result;
    }
    result
}

fn counterexample(model: &Model, name: &str, s: &SignIn, e: &Expect) -> Counterexample {
    let ev = model.evaluate(s);
    let policies = match &ev.outcome {
        Outcome::Block { by } => by.clone(),
        Outcome::Require(r) | Outcome::Satisfied(r) => {
            r.all.iter().map(|g| g.policy.clone()).collect()
        }
        Outcome::Interrupt { all, .. } => all.iter().map(|g| g.policy.clone()).collect(),
        Outcome::Allow => model.responsible(s),
    };
    let _ = e;
    Counterexample {
        scenario: render::scenario(
            &format!("Counterexample: {name}"),
            s,
            std::slice::from_ref(e),
            &model.ctx,
        ),
        policies,
        outcome: outcome_text(&ev.outcome),
        expect: e.to_string(),
    }
}

/// Sign-ins to apps that no enforced policy blocks or challenges, as readable cubes.
/// Emergency accounts are left out: that nothing challenges them is their purpose, and the
/// emergency findings report on them.
pub fn gaps(model: &Model, emergency: &[Principal]) -> Vec<Gap> {
    let s = &model.space;
    let apps = s
        .target
        .any(&s.vars, |t| matches!(t, crate::whatif::Target::App(_)));
    let mut apps = apps;
    for e in emergency {
        apps = apps.and_not(&emergency_identity(model, e));
    }
    let open = s.valid.and(&apps).and_not(&model.challenged());
    let mut out = Vec::new();
    for (who, part) in [("members", s.members()), ("guests", s.guests())] {
        let set = open.and(&part);
        let scope = s.valid.and(&apps).and(&part);
        for cube in cubes::cover(model, &set, &scope, MAX_GAPS) {
            let scenario = render::scenario(
                &format!("Gap: {}", cube.summary),
                &cube.example,
                &[Expect::Is(crate::whatif::Expectation::Allow)],
                &model.ctx,
            );
            out.push(Gap {
                summary: format!("{}: nothing required", cube.summary),
                scenario,
                who,
            });
        }
    }
    out
}

/// Enforced policies whose removal changes no sign-in's outcome.
pub fn redundant(model: &Model) -> Vec<Redundant> {
    let mut out = Vec::new();
    let vars = &model.space.vars;
    for (i, p) in model.policies.iter().enumerate() {
        if !p.enforced() {
            continue;
        }
        let others_block = model
            .policies
            .iter()
            .enumerate()
            .filter(|(j, q)| *j != i && q.enforced() && q.grant == Grant::Block)
            .fold(vars.mk_false(), |b, (_, q)| b.or(&q.applies));
        let grant_same = match &p.grant {
            Grant::Nothing => true,
            Grant::Block => p.applies.and_not(&others_block).is_false(),
            Grant::Require(e) => {
                let changed = p
                    .applies
                    .and_not(&others_block)
                    .and(
                        &model
                            .requirement(Some(i))
                            .and_not(&super::encode::expr_literal(&model.space, e)),
                    )
                    .exists(&model.space.control_vars());
                changed.is_false()
            }
        };
        let session_same = match &p.session {
            None => true,
            Some(sc) => {
                let same = model
                    .policies
                    .iter()
                    .enumerate()
                    .filter(|(j, q)| *j != i && q.enforced() && q.session.as_ref() == Some(sc))
                    .fold(vars.mk_false(), |b, (_, q)| b.or(&q.applies));
                p.applies.and_not(&same.or(&others_block)).is_false()
            }
        };
        if !(grant_same && session_same) {
            continue;
        }
        let covered_by = model
            .policies
            .iter()
            .enumerate()
            .filter(|(j, q)| {
                *j != i
                    && q.enforced()
                    && !p.applies.and(&q.applies).is_false()
                    && covers(model, q, p)
            })
            .map(|(_, q)| q.name.clone())
            .collect();
        out.push(Redundant {
            policy: p.name.clone(),
            covered_by,
        });
    }
    out
}

/// Could `q` stand in for `p` where both apply: it blocks, its requirement (read literally)
/// implies `p`'s, or it sets the same session controls.
fn covers(model: &Model, q: &super::encode::Compiled, p: &super::encode::Compiled) -> bool {
    if q.grant == Grant::Block {
        return true;
    }
    if p.session.is_some() && q.session == p.session {
        return true;
    }
    match (&q.grant, &p.grant) {
        (Grant::Require(qe), Grant::Require(pe)) => {
            let lq = super::encode::expr_literal(&model.space, qe);
            let lp = super::encode::expr_literal(&model.space, pe);
            lq.and_not(&lp).is_false()
        }
        _ => false,
    }
}

/// The identity of an emergency account: member of its emergency group (or the emergency user),
/// any roles, in no other group the policies name.
pub fn emergency_region(model: &Model, e: &Principal, all: &[Principal]) -> biodivine_lib_bdd::Bdd {
    let s = &model.space;
    let v = &s.vars;
    let mut b = s.members();
    let emergency_groups: Vec<&str> = all
        .iter()
        .filter_map(|p| match p {
            Principal::Group(g) => Some(g.as_str()),
            _ => None,
        })
        .collect();
    let emergency_users: Vec<&str> = all
        .iter()
        .filter_map(|p| match p {
            Principal::User(u) => Some(u.as_str()),
            _ => None,
        })
        .collect();
    for (g, var) in &s.groups {
        if !emergency_groups.iter().any(|x| x.eq_ignore_ascii_case(g)) {
            b = b.and(&v.mk_not_var(*var));
        }
    }
    match e {
        Principal::Group(g) => {
            if let Some(var) = s.group_var(g) {
                b = b.and(&v.mk_var(var));
            }
            b = b.and(&s.user.any(v, |u| match u {
                None => true,
                Some(u) => {
                    u == super::space::OTHER_USER
                        || emergency_users.iter().any(|x| x.eq_ignore_ascii_case(u))
                }
            }));
        }
        Principal::User(id) => {
            b = b.and(&s.user.any(v, |u| {
                u.as_ref().is_some_and(|u| u.eq_ignore_ascii_case(id))
            }));
        }
        Principal::Role(r) => {
            if let Some(var) = s.role_var(r) {
                b = b.and(&v.mk_var(var));
            }
        }
    }
    b
}

/// Every sign-in by an emergency principal (any other membership).
fn emergency_identity(model: &Model, e: &Principal) -> biodivine_lib_bdd::Bdd {
    let s = &model.space;
    let v = &s.vars;
    match e {
        Principal::Group(g) => s.group_var(g).map_or_else(|| v.mk_false(), |x| v.mk_var(x)),
        Principal::Role(r) => s.role_var(r).map_or_else(|| v.mk_false(), |x| v.mk_var(x)),
        Principal::User(id) => s.user.any(v, |u| {
            u.as_ref().is_some_and(|u| u.eq_ignore_ascii_case(id))
        }),
    }
}

fn principal_text(model: &Model, e: &Principal) -> String {
    match e {
        Principal::Group(g) => format!("group {}", render::group(&model.ctx, g)),
        Principal::User(u) => format!("user {}", render::user(&model.ctx, u)),
        Principal::Role(r) => format!("role {}", render::role(&model.ctx, r)),
    }
}

/// For each emergency principal: a sign-in in which an enforced policy blocks or challenges it.
pub fn emergency(model: &Model, principals: &[Principal]) -> Vec<Emergency> {
    principals
        .iter()
        .map(|e| {
            let exposed = emergency_region(model, e, principals).and(&model.challenged());
            let principal = principal_text(model, e);
            match model.witness(&exposed) {
                None => Emergency {
                    principal,
                    exposed: false,
                    scenario: None,
                    policies: Vec::new(),
                },
                Some(s) => Emergency {
                    scenario: Some(render::scenario(
                        &format!("Emergency access: {principal}"),
                        &s,
                        &[Expect::Is(crate::whatif::Expectation::Allow)],
                        &model.ctx,
                    )),
                    policies: model.responsible(&s),
                    principal,
                    exposed: true,
                },
            }
        })
        .collect()
}
