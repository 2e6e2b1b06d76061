//! A set of sign-ins as a few readable cubes: "guests · any app but Office365 · linux · any
//! location · any client".
//!
//! In: a BDD over the space. Out: at most `max` cubes that lie inside it, each a product of a
//! value set per dimension (and the memberships it needs), grown greedily from one sign-in of
//! what is left, with that sign-in as its example.

use super::model::Model;
use super::render;
use super::space::{OTHER_APP, Space};
use crate::whatif::{SignIn, Target};
use biodivine_lib_bdd::{Bdd, BddValuation, BddVariable};

pub struct Cube {
    pub summary: String,
    pub example: SignIn,
    pub bdd: Bdd,
}

/// One dimension as atoms: the set each stands for and its label.
struct Axis {
    what: &'static str,
    /// Always named in a summary (even when every value is in the cube).
    always: bool,
    atoms: Vec<(Bdd, String)>,
}

fn axis<T: PartialEq>(
    s: &Space,
    what: &'static str,
    always: bool,
    dim: &super::space::Dim<T>,
    label: impl Fn(&T) -> String,
) -> Axis {
    Axis {
        what,
        always,
        atoms: dim
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (dim.is(&s.vars, i), label(v)))
            .collect(),
    }
}

fn axes(model: &Model) -> Vec<Axis> {
    let s = &model.space;
    let ctx = &model.ctx;
    let opt = |o: Option<String>| o.unwrap_or_else(|| "any".into());
    vec![
        axis(s, "user type", true, &s.user_type, |t| match t {
            None => "members".into(),
            Some(t) => t.word().to_string(),
        }),
        axis(s, "app", true, &s.target, |t| match t {
            Target::App(a) if a == OTHER_APP => "any other app".into(),
            Target::App(a) => match s.app_labels.get(a) {
                Some(label) => label.clone(),
                None => render::app(ctx, a),
            },
            t => render::target(ctx, t),
        }),
        axis(s, "platform", true, &s.platform, |p| {
            opt(p.map(|p| render::platform(p).to_string()))
        }),
        axis(s, "location", true, &s.location, |l| {
            opt(l.as_ref().map(|l| render::location(ctx, l)))
        }),
        axis(s, "client", true, &s.client, |c| {
            opt(c.map(|c| render::client(c).to_string()))
        }),
        axis(s, "sign-in risk", false, &s.sign_in_risk, |r| {
            opt(r.map(|r| render::risk(r).to_string()))
        }),
        axis(s, "user risk", false, &s.user_risk, |r| {
            opt(r.map(|r| render::risk(r).to_string()))
        }),
        axis(s, "insider risk", false, &s.insider, |r| {
            opt(r.map(|r| render::insider(r).to_string()))
        }),
        axis(s, "device", false, &s.device, |d| {
            opt(d.as_ref().map(render::device))
        }),
        axis(s, "auth flow", false, &s.flow, |f| {
            opt(f.map(|f| render::flow(f).to_string()))
        }),
        axis(s, "user", false, &s.user, |u| {
            opt(u.as_ref().map(|u| render::user(ctx, u)))
        }),
        axis(s, "tenant", false, &s.tenant, |t| opt(t.clone())),
        axis(s, "app attributes", false, &s.app_attrs, |m| {
            opt(m.as_ref().map(|m| format!("{m:?}")))
        }),
    ]
}

fn valuation_in(b: &Bdd, v: &BddValuation) -> bool {
    b.eval_in(v)
}

/// Cover `set` with at most `max` cubes.
/// `scope`: the sign-ins the question is about (an atom outside it is never "missing").
pub fn cover(model: &Model, set: &Bdd, scope: &Bdd, max: usize) -> Vec<Cube> {
    let s = &model.space;
    let v = &s.vars;
    let axes = axes(model);
    let memberships: Vec<(BddVariable, String)> = s
        .groups
        .iter()
        .map(|(g, var)| (*var, format!("group {}", render::group(&model.ctx, g))))
        .chain(
            s.roles
                .iter()
                .map(|(r, var)| (*var, format!("role {}", render::role(&model.ctx, r)))),
        )
        .collect();
    let mut remaining = set.and(&s.valid);
    let mut out = Vec::new();
    while out.len() < max && !remaining.is_false() {
        let mut f = remaining.clone();
        for (var, _) in &memberships {
            let g = f.var_select(*var, false);
            if !g.is_false() {
                f = g;
            }
        }
        let Some(point) = f.sat_witness() else { break };
        // The point as a cube.
        let mut sel: Vec<Vec<bool>> = axes
            .iter()
            .map(|a| {
                a.atoms
                    .iter()
                    .map(|(b, _)| valuation_in(b, &point))
                    .collect()
            })
            .collect();
        let mut fixed: Vec<Option<bool>> = memberships
            .iter()
            .map(|(var, _)| Some(point.value(*var)))
            .collect();
        let build = |sel: &[Vec<bool>], fixed: &[Option<bool>]| -> Bdd {
            let mut b = s.valid.and(&s.users());
            for (a, on) in axes.iter().zip(sel) {
                let mut part = v.mk_false();
                for ((atom, _), yes) in a.atoms.iter().zip(on) {
                    if *yes {
                        part = part.or(atom);
                    }
                }
                b = b.and(&part);
            }
            for ((var, _), f) in memberships.iter().zip(fixed) {
                if let Some(x) = f {
                    b = b.and(&v.mk_literal(*var, *x));
                }
            }
            b
        };
        let inside = |b: &Bdd| b.and(scope).and_not(set).is_false();
        for i in 0..fixed.len() {
            let keep = fixed[i];
            fixed[i] = None;
            if !inside(&build(&sel, &fixed)) {
                fixed[i] = keep;
            }
        }
        for ai in 0..sel.len() {
            for k in 0..sel[ai].len() {
                if sel[ai][k] {
                    continue;
                }
                sel[ai][k] = true;
                if !inside(&build(&sel, &fixed)) {
                    sel[ai][k] = false;
                }
            }
        }
        let cube = build(&sel, &fixed);
        if cube.is_false() {
            break;
        }
        remaining = remaining.and_not(&cube);
        let summary = describe(&axes, &sel, &memberships, &fixed, scope);
        out.push(Cube {
            summary,
            example: super::encode::sign_in(s, &point),
            bdd: cube,
        });
    }
    out
}

fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe(
    axes: &[Axis],
    sel: &[Vec<bool>],
    memberships: &[(BddVariable, String)],
    fixed: &[Option<bool>],
    scope: &Bdd,
) -> String {
    let mut parts = Vec::new();
    for (a, on) in axes.iter().zip(sel) {
        // Only the atoms that can occur in the question count.
        let possible: Vec<usize> = (0..a.atoms.len())
            .filter(|i| !a.atoms[*i].0.and(scope).is_false())
            .collect();
        if possible.len() <= 1 && !a.always {
            continue;
        }
        let chosen: Vec<&str> = possible
            .iter()
            .filter(|i| on[**i])
            .map(|i| a.atoms[*i].1.as_str())
            .collect();
        let left: Vec<&str> = possible
            .iter()
            .filter(|i| !on[**i])
            .map(|i| a.atoms[*i].1.as_str())
            .collect();
        let text = if left.is_empty() {
            if !a.always {
                continue;
            }
            if a.what == "user type" {
                if chosen == ["members"] {
                    "members".to_string()
                } else if chosen.contains(&"members") {
                    "members and guests".to_string()
                } else {
                    "guests".to_string()
                }
            } else {
                format!("any {}", a.what)
            }
        } else if a.what == "user type" && left == ["members"] {
            "guests".to_string()
        } else if a.what == "user type" && chosen.contains(&"members") {
            let guests: Vec<&str> = chosen.iter().copied().filter(|c| *c != "members").collect();
            format!("members and guests ({})", guests.join(", "))
        } else if a.what == "user type" {
            format!("guests ({})", chosen.join(", "))
        } else if chosen.len() <= left.len() {
            list(&chosen)
        } else {
            format!("any {} but {}", a.what, left.join(", "))
        };
        parts.push(text);
    }
    for ((_, name), f) in memberships.iter().zip(fixed) {
        match f {
            Some(true) => parts.push(format!("in {name}")),
            Some(false) => parts.push(format!("not in {name}")),
            None => {}
        }
    }
    parts.join(" · ")
}
