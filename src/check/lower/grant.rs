//! `require …`: built-in controls, one authentication strength, terms of use, one operator.

use super::Lowerer;
use crate::ast::{self, Control, GrantOp, Ref};
use crate::check::values::{self, lookup};
use crate::diag::Diagnostic;
use crate::graph::model::{BuiltInControl, Operator};
use crate::ir::Grant;
use crate::source::Spanned;
use crate::symbols::Kind;

impl Lowerer<'_, '_> {
    pub(super) fn grant(&mut self, g: &ast::GrantExpr) -> Option<Grant> {
        let has_and = g.ops.iter().any(|o| o.node == GrantOp::And);
        let has_or = g.ops.iter().any(|o| o.node == GrantOp::Or);
        if has_and && has_or {
            let first_and = g
                .ops
                .iter()
                .find(|o| o.node == GrantOp::And)
                .map(|o| o.span);
            let first_or = g.ops.iter().find(|o| o.node == GrantOp::Or).map(|o| o.span);
            if let (Some(a), Some(o)) = (first_and, first_or) {
                let (first, second) = if a.start < o.start { (a, o) } else { (o, a) };
                self.diags.push(
                    Diagnostic::new("E0201", "`and` and `or` are mixed in one grant clause")
                        .at(second, "this operator differs from the first")
                        .also(first, "the first operator")
                        .help("a grant clause uses one operator: `require mfa and compliant-device`, or `require compliant-device or hybrid-joined-device`")
                        .note("Graph has one operator per policy; split mixed requirements into two policies, which Entra combines with AND"),
                );
            }
            return None;
        }
        let operator = if has_and { Operator::And } else { Operator::Or };
        let mut builtins: Vec<Spanned<BuiltInControl>> = Vec::new();
        let mut strength: Option<Spanned<String>> = None;
        let mut terms: Vec<Spanned<String>> = Vec::new();
        let mut ok = true;
        for c in &g.controls {
            match &c.node {
                Control::Builtin(w) => {
                    let r = Spanned::new(Ref::Ident(w.clone()), c.span);
                    match lookup(values::CONTROLS, "grant control", &r, self.diags) {
                        Some(BuiltInControl::Block) => {
                            self.diags.push(
                                Diagnostic::new(
                                    "E0200",
                                    "`block` cannot be required together with other controls",
                                )
                                .at(c.span, "`block` stands alone")
                                .help("write `block` as a clause of its own, without `require`")
                                .note("in Entra, block access and grant access are alternatives"),
                            );
                            ok = false;
                        }
                        Some(b) => {
                            if let Some(prev) = builtins.iter().find(|x| x.node == b) {
                                self.diags.push(
                                    Diagnostic::new("E0105", format!("`{w}` is required twice"))
                                        .at(c.span, "listed again here")
                                        .also(prev.span, "first listed here")
                                        .help("list each control once"),
                                );
                            } else {
                                builtins.push(Spanned::new(b, c.span));
                            }
                        }
                        None => ok = false,
                    }
                }
                Control::Strength(r) => {
                    if let Some(prev) = &strength {
                        self.diags.push(
                            Diagnostic::new(
                                "E0105",
                                "a policy requires at most one authentication strength",
                            )
                            .at(c.span, "a second strength")
                            .also(prev.span, "the first one")
                            .help(
                                "keep one strength; a stronger one satisfies weaker requirements",
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    match self.names.resolve(Kind::Strength, r, self.diags) {
                        Some(res) => strength = Some(Spanned::new(res.id, c.span)),
                        None => ok = false,
                    }
                }
                Control::Terms(r) => match self.names.resolve(Kind::Terms, r, self.diags) {
                    Some(res) => {
                        if !terms.iter().any(|t| t.node == res.id) {
                            terms.push(Spanned::new(res.id, c.span));
                        }
                    }
                    None => ok = false,
                },
            }
        }
        ok.then_some(Grant::Controls {
            operator,
            builtins,
            strength,
            terms,
        })
    }
}
