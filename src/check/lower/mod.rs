//! Lowering one AST policy to an IR policy: every clause and list item is resolved and typed.
//! Problems local to one item are reported here (unknown names and values, misplaced items,
//! duplicate clauses); rules that relate several clauses live in `rules`.
//!
//! In: an `ast::Policy`. Out: an `ir::Policy` and diagnostics. One file per kind of clause:
//! `targets` (`for`, `exclude`, `when` lists), `items` (one named or enumerated item),
//! `grant` (`block`, `require`), `session`; `mode`, `description` and `allow` are here.

mod grant;
mod items;
mod session;
mod targets;

use super::names::Names;
use super::values::{self, lookup};
use crate::ast::{self, Clause, Ref, Target, TargetKind};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::model::Operator;
use crate::ir::{self, AppTarget, Grant, UserTarget};
use crate::source::{Span, Spanned};

/// Which list a target sits in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    For,
    Exclude,
    When,
}

impl Side {
    fn word(self) -> &'static str {
        match self {
            Side::For => "for",
            Side::Exclude => "exclude",
            Side::When => "when",
        }
    }
}

pub struct Lowerer<'a, 'l> {
    pub names: &'a Names<'l>,
    pub diags: &'a mut Diagnostics,
}

impl Lowerer<'_, '_> {
    pub fn policy(&mut self, p: &ast::Policy, display_name: Spanned<String>) -> ir::Policy {
        let mut out = ir::Policy::new(display_name, p.span);
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        let mut controls_written: Option<Span> = None;
        let mut resources_written: Option<Span> = None;
        let mut users_written: Option<Span> = None;
        for clause in &p.clauses {
            if matches!(
                clause.node,
                Clause::Block | Clause::Require(_) | Clause::Session(_)
            ) {
                controls_written.get_or_insert(clause.span);
            }
            if let Clause::For(ts) = &clause.node {
                let resource = |t: &&Target| {
                    matches!(
                        t.kind.node,
                        TargetKind::App | TargetKind::Action | TargetKind::Context
                    )
                };
                if let Some(t) = ts.iter().find(resource) {
                    resources_written.get_or_insert(t.span);
                }
                let principal = |t: &&Target| {
                    matches!(
                        t.kind.node,
                        TargetKind::User
                            | TargetKind::Group
                            | TargetKind::Role
                            | TargetKind::Guests
                            | TargetKind::ServicePrincipal
                    )
                };
                if let Some(t) = ts.iter().find(principal) {
                    users_written.get_or_insert(t.span);
                }
            }
            let single = match &clause.node {
                Clause::Block | Clause::Require(_) => Some("grant"),
                Clause::Mode(_) => Some("mode"),
                Clause::Description(_) => Some("description"),
                Clause::Allow { what, .. } if what.node == "no-exclusion" => {
                    Some("allow no-exclusion")
                }
                _ => None,
            };
            if let Some(key) = single {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    let what = if key == "grant" {
                        "grant clause (`block` or `require`)"
                    } else {
                        key
                    };
                    self.diags.push(
                        Diagnostic::new("E0105", format!("a policy takes one {what}"))
                            .at(clause.span, "a second one here")
                            .also(*first, "the first one is here")
                            .help(if key == "grant" && matches!(clause.node, Clause::Block) != p.clauses.iter().any(|c| c.span == *first && matches!(c.node, Clause::Block)) {
                                "a policy either blocks access or grants it with requirements: keep `block` or the `require` clause, not both"
                            } else if key == "grant" {
                                "combine the controls in one `require` clause (`require mfa and compliant-device`)"
                            } else {
                                "keep one of them"
                            }),
                    );
                    continue;
                }
                seen.push((key, clause.span));
            }
            match &clause.node {
                Clause::For(ts) => self.targets(&mut out, ts, Side::For),
                Clause::Exclude(ts) => self.targets(&mut out, ts, Side::Exclude),
                Clause::When(ts) => self.targets(&mut out, ts, Side::When),
                Clause::Block => out.grant = Some(Spanned::new(Grant::Block, clause.span)),
                Clause::Require(g) => {
                    if let Some(grant) = self.grant(g) {
                        out.grant = Some(Spanned::new(grant, clause.span));
                    }
                }
                Clause::Session(items) => {
                    for item in items {
                        self.session_item(&mut out.session, item);
                    }
                }
                Clause::Mode(m) => {
                    // Graph's and the portal's words for the states, to point at ours.
                    let meant = match m.node.to_ascii_lowercase().as_str() {
                        "enabled" | "enable" | "enforced" | "enforce" | "true" => Some("on"),
                        "disabled" | "disable" | "false" => Some("off"),
                        "reportonly" | "report" | "enabledforreportingbutnotenforced" => {
                            Some("report-only")
                        }
                        _ => None,
                    };
                    if let Some(word) = meant {
                        self.diags.push(
                            Diagnostic::new("E0106", format!("unknown mode `{}`", m.node))
                                .at(m.span, "not a mode")
                                .help(format!("did you mean `mode {word}`? the choices are `on`, `off`, `report-only`")),
                        );
                        continue;
                    }
                    let r = Spanned::new(Ref::Ident(m.node.clone()), m.span);
                    if let Some(state) = lookup(values::MODES, "mode", &r, self.diags) {
                        out.state = Spanned::new(state, m.span);
                    }
                }
                Clause::Description(d) => out.description = Some(d.node.clone()),
                // Applied before lowering (`check::defaults`).
                Clause::IgnoreDefaults => {}
                Clause::Allow { what, reason } => self.allow(&mut out, what, reason, clause.span),
            }
        }
        // A grant or session clause that did not lower has been reported already: keep an empty
        // grant in its place so that the policy is not also reported as having none (E0204).
        if let (Some(span), None, true) = (controls_written, &out.grant, out.session.is_empty()) {
            let empty = Grant::Controls {
                operator: Operator::Or,
                builtins: Vec::new(),
                strength: None,
                terms: Vec::new(),
            };
            out.grant = Some(Spanned::new(empty, span));
        }
        // Likewise an app, action or context that did not resolve: keep `None` (no app) in its
        // place so that the policy is not also reported as targeting no resources (E0203).
        if let (Some(span), true, None) = (
            resources_written,
            out.include_apps.is_empty(),
            &out.app_filter,
        ) {
            out.include_apps.push(Spanned::new(AppTarget::None, span));
        }
        // And a user, group or role that did not resolve: the policy is not for all users
        // (which would report lockout and emergency-access errors that are not there).
        if let (Some(span), true, false) = (
            users_written,
            out.include_users.is_empty(),
            out.is_workload(),
        ) {
            out.include_users.push(Spanned::new(UserTarget::None, span));
        }
        out
    }

    /// `allow no-exclusion "reason"`; the only exception there is, and it needs its reason.
    fn allow(
        &mut self,
        out: &mut ir::Policy,
        what: &Spanned<String>,
        reason: &Spanned<String>,
        span: Span,
    ) {
        if what.node != "no-exclusion" {
            self.diags.push(values::unknown_value(
                "exception",
                &what.node,
                what.span,
                ["no-exclusion"].into_iter(),
            ));
            return;
        }
        if reason.node.trim().is_empty() {
            self.diags.push(
                Diagnostic::new("E0220", "`allow no-exclusion` needs a reason")
                    .at(reason.span, "the reason is empty")
                    .help("say why nobody is excluded: `allow no-exclusion \"tenant-wide block of legacy authentication\"`")
                    .note("the reason is the record that the exception is deliberate"),
            );
            return;
        }
        out.allow_no_exclusion = Some(Spanned::new(reason.node.clone(), span));
    }
}
