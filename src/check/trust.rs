//! The last word on ids: every id a policy will send to Graph, checked on the lowered policy.
//!
//! In: one `ir::Policy`. Out: `E0512` for any id that Graph would read as a keyword (`All`,
//! `None`, …). Names resolve only to well-formed ids (`check::names`), so this never fires on
//! its own; it is what guarantees that the safety rules, which reason about `UserTarget::All`
//! and friends, see exactly what Graph will see, whatever a declaration, a catalogue or a lock
//! entry said.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{AppTarget, Grant, LocationTarget, Policy, Principal, SpTarget, UserTarget};
use crate::source::Span;
use crate::symbols::lock_check::GRAPH_KEYWORDS;

pub fn check(p: &Policy, diags: &mut Diagnostics) {
    let mut ids: Vec<(&str, Span)> = Vec::new();
    for u in p.include_users.iter().chain(&p.exclude_users) {
        if let UserTarget::Principal(
            Principal::User(id) | Principal::Group(id) | Principal::Role(id),
        ) = &u.node
        {
            ids.push((id, u.span));
        }
    }
    for a in p.include_apps.iter().chain(&p.exclude_apps) {
        if let AppTarget::App(id) = &a.node {
            ids.push((id, a.span));
        }
    }
    for s in p.include_sps.iter().chain(&p.exclude_sps) {
        if let SpTarget::Sp(id) = &s.node {
            ids.push((id, s.span));
        }
    }
    for l in p.include_locations.iter().chain(&p.exclude_locations) {
        if let LocationTarget::Named(id) = &l.node {
            ids.push((id, l.span));
        }
    }
    if let Some(g) = &p.grant
        && let Grant::Controls {
            strength, terms, ..
        } = &g.node
    {
        ids.extend(
            strength
                .iter()
                .chain(terms)
                .map(|s| (s.node.as_str(), s.span)),
        );
    }
    for (id, span) in ids {
        if let Some(k) = GRAPH_KEYWORDS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(id.trim()))
        {
            diags.push(
                Diagnostic::new(
                    "E0512",
                    format!("policy `{}` would send the Graph keyword `{k}` where an id belongs", p.display_name.node),
                )
                .at(span, format!("this name resolves to `{k}`"))
                .help("name the object by its id; run `capol resolve` to look it up again")
                .note("Graph reads a keyword in an id list as a class of targets (`All` is every user): capol never lets a name turn into one"),
            );
        }
    }
}
