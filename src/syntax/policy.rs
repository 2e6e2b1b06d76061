//! Visitors for policy clauses: assignments and conditions (`for`, `exclude`, `when`), grant
//! (`block`, `require`), `session`, `mode` and `description`.

use super::cursor::Cursor;
use super::{Rule, Visitor};
use crate::ast::{
    Clause, Control, GrantExpr, GrantOp, SessionItem, Target, TargetKind, TargetValue,
};
use crate::diag::Diagnostic;
use crate::source::Spanned;
use pest::iterators::Pair;

impl Visitor<'_> {
    pub(super) fn visit_clause(&mut self, pair: Pair<Rule>) -> Option<Clause> {
        let inner = Cursor::new(pair).next_any()?;
        let rule = inner.as_rule();
        let mut c = Cursor::new(inner);
        c.next_any(); // the keyword
        Some(match rule {
            Rule::for_clause => Clause::For(self.visit_target_list(c.next(Rule::target_list)?)),
            Rule::exclude_clause => {
                Clause::Exclude(self.visit_target_list(c.next(Rule::target_list)?))
            }
            Rule::when_clause => Clause::When(self.visit_target_list(c.next(Rule::target_list)?)),
            Rule::block_clause => Clause::Block,
            Rule::require_clause => {
                Clause::Require(self.visit_grant_expr(c.next(Rule::grant_expr)?))
            }
            Rule::session_clause => Clause::Session(
                c.rest()
                    .filter(|p| p.as_rule() == Rule::session_item)
                    .map(|p| self.visit_session_item(p))
                    .collect(),
            ),
            Rule::mode_clause => {
                let w = c.next(Rule::word)?;
                Clause::Mode(Spanned::new(w.as_str().to_string(), self.span(&w)))
            }
            Rule::description_clause => {
                Clause::Description(self.visit_string(c.next(Rule::string)?))
            }
            Rule::allow_clause => {
                let w = c.next(Rule::word)?;
                let what = Spanned::new(w.as_str().to_string(), self.span(&w));
                let reason = self.visit_string(c.next(Rule::string)?);
                Clause::Allow { what, reason }
            }
            _ => return None,
        })
    }

    /// `group A, B, role C`: items without a kind word inherit the kind before them.
    pub(super) fn visit_target_list(&mut self, pair: Pair<Rule>) -> Vec<Target> {
        let mut out: Vec<Target> = Vec::new();
        for item in pair.into_inner() {
            let span = self.span(&item);
            let rule = item.as_rule();
            let mut c = Cursor::new(item);
            let target = match rule {
                Rule::all_target => {
                    c.take(Rule::kw_all);
                    let Some(k) = c.next(Rule::kind_word) else {
                        continue;
                    };
                    let Some(kind) = self.kind_word(&k) else {
                        continue;
                    };
                    Target {
                        kind,
                        kind_written: true,
                        value: TargetValue::All,
                        span,
                    }
                }
                Rule::kinded_target => {
                    let Some(k) = c.next(Rule::kind_word) else {
                        continue;
                    };
                    let Some(kind) = self.kind_word(&k) else {
                        continue;
                    };
                    let value = match c.next_any() {
                        Some(f) if f.as_rule() == Rule::filter_rule => {
                            let Some(s) = Cursor::new(f).find(Rule::string) else {
                                continue;
                            };
                            TargetValue::Filter(self.visit_string(s))
                        }
                        Some(v) => TargetValue::Ref(self.visit_ref(v)),
                        None => TargetValue::Nothing,
                    };
                    Target {
                        kind,
                        kind_written: true,
                        value,
                        span,
                    }
                }
                Rule::bare_target => {
                    let Some(v) = c.next_any() else { continue };
                    let value = self.visit_ref(v);
                    let Some(prev) = out.last() else {
                        self.diags.push(
                            Diagnostic::new("E0001", format!("`{}` has no kind", value.text()))
                                .at(span, "expected a kind word before this name")
                                .help("write what it is: `group Admins`, `app AzureServiceManagement`, `platform ios`"),
                        );
                        continue;
                    };
                    let kind = Spanned::new(prev.kind.node, prev.kind.span);
                    Target {
                        kind,
                        kind_written: false,
                        value: TargetValue::Ref(value),
                        span,
                    }
                }
                _ => continue,
            };
            out.push(target);
        }
        out
    }

    fn kind_word(&mut self, pair: &Pair<Rule>) -> Option<Spanned<TargetKind>> {
        let span = self.span(pair);
        TargetKind::from_word(pair.as_str()).map(|k| Spanned::new(k, span))
    }

    pub(super) fn visit_grant_expr(&mut self, pair: Pair<Rule>) -> GrantExpr {
        let mut controls = Vec::new();
        let mut ops = Vec::new();
        for child in pair.into_inner() {
            let span = self.span(&child);
            match child.as_rule() {
                Rule::grant_op => {
                    let op = if child.as_str() == "and" {
                        GrantOp::And
                    } else {
                        GrantOp::Or
                    };
                    ops.push(Spanned::new(op, span));
                }
                Rule::control => {
                    let Some(inner) = Cursor::new(child).next_any() else {
                        continue;
                    };
                    let control = match inner.as_rule() {
                        Rule::strength_control | Rule::terms_control => {
                            let is_strength = inner.as_rule() == Rule::strength_control;
                            let mut c = Cursor::new(inner);
                            c.next_any();
                            let Some(v) = c.next_any() else { continue };
                            let r = self.visit_ref(v);
                            if is_strength {
                                Control::Strength(r)
                            } else {
                                Control::Terms(r)
                            }
                        }
                        _ => Control::Builtin(inner.as_str().to_string()),
                    };
                    controls.push(Spanned::new(control, span));
                }
                _ => {}
            }
        }
        GrantExpr { controls, ops }
    }

    pub(super) fn visit_session_item(&mut self, pair: Pair<Rule>) -> SessionItem {
        let span = self.span(&pair);
        let mut parts = pair
            .into_inner()
            .map(|p| Spanned::new(p.as_str().to_string(), self.span(&p)));
        let name = parts
            .next()
            .unwrap_or_else(|| Spanned::new(String::new(), span));
        SessionItem {
            name,
            args: parts.collect(),
            span,
        }
    }
}
