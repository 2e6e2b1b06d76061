//! Visitors for policy clauses: assignments and conditions (`for`, `exclude`, `when`), grant
//! (`block`, `require`), `session`, `mode`, `description` and `allow`.
//!
//! In: `clause` pairs and their parts. Out: AST [`Clause`]s.

use super::cursor::{Cursor, Visit};
use super::{Rule, Visitor};
use crate::ast::{
    Clause, Control, GrantExpr, GrantOp, SessionItem, Target, TargetKind, TargetValue,
};
use crate::diag::Diagnostic;
use crate::source::Spanned;
use pest::iterators::Pair;

impl Visitor<'_> {
    pub(super) fn visit_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        let inner = c.next_any()?;
        c.finish()?;
        match inner.as_rule() {
            Rule::for_clause => Ok(Clause::For(self.visit_list_clause(inner, Rule::kw_for)?)),
            Rule::exclude_clause => Ok(Clause::Exclude(
                self.visit_list_clause(inner, Rule::kw_exclude)?,
            )),
            Rule::when_clause => Ok(Clause::When(self.visit_list_clause(inner, Rule::kw_when)?)),
            Rule::block_clause => self.visit_block_clause(inner),
            Rule::require_clause => self.visit_require_clause(inner),
            Rule::session_clause => self.visit_session_clause(inner),
            Rule::mode_clause => self.visit_mode_clause(inner),
            Rule::description_clause => self.visit_description_clause(inner),
            Rule::allow_clause => self.visit_allow_clause(inner),
            Rule::ignore_clause => {
                let mut c = Cursor::new(inner);
                c.next(Rule::kw_ignore)?;
                c.next(Rule::kw_defaults)?;
                c.finish()?;
                Ok(Clause::IgnoreDefaults)
            }
            _ => Err(Cursor::unexpected(Rule::clause, &inner)),
        }
    }

    /// `for_clause`, `exclude_clause` and `when_clause`: a keyword and a target list.
    fn visit_list_clause(&mut self, pair: Pair<Rule>, kw: Rule) -> Visit<Vec<Target>> {
        let mut c = Cursor::new(pair);
        c.next(kw)?;
        let list = self.visit_target_list(c.next(Rule::target_list)?)?;
        c.finish()?;
        Ok(list)
    }

    fn visit_block_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_block)?;
        c.finish()?;
        Ok(Clause::Block)
    }

    fn visit_require_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_require)?;
        let grant = self.visit_grant_expr(c.next(Rule::grant_expr)?)?;
        c.finish()?;
        Ok(Clause::Require(grant))
    }

    fn visit_session_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_session)?;
        let mut items = vec![self.visit_session_item(c.next(Rule::session_item)?)?];
        for item in c.many(Rule::session_item) {
            items.push(self.visit_session_item(item)?);
        }
        c.finish()?;
        Ok(Clause::Session(items))
    }

    fn visit_mode_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_mode)?;
        let w = c.next(Rule::word)?;
        c.finish()?;
        Ok(Clause::Mode(Spanned::new(
            w.as_str().to_string(),
            self.span(&w),
        )))
    }

    fn visit_description_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_description)?;
        let text = self.visit_string(c.next(Rule::string)?);
        c.finish()?;
        Ok(Clause::Description(text))
    }

    /// `allow no-exclusion "reason"`.
    fn visit_allow_clause(&mut self, pair: Pair<Rule>) -> Visit<Clause> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_allow)?;
        let w = c.next(Rule::word)?;
        let what = Spanned::new(w.as_str().to_string(), self.span(&w));
        let reason = self.visit_string(c.next(Rule::string)?);
        c.finish()?;
        Ok(Clause::Allow { what, reason })
    }

    /// `group A, B, role C`: items without a kind word inherit the kind before them.
    pub(super) fn visit_target_list(&mut self, pair: Pair<Rule>) -> Visit<Vec<Target>> {
        let mut out: Vec<Target> = Vec::new();
        let mut c = Cursor::new(pair);
        while let Some(item) = c.take_any() {
            let target = match item.as_rule() {
                Rule::all_target => self.visit_all_target(item)?,
                Rule::kinded_target => self.visit_kinded_target(item)?,
                Rule::bare_target => match self.visit_bare_target(item, out.last())? {
                    Some(t) => t,
                    None => continue,
                },
                _ => return Err(Cursor::unexpected(Rule::target_list, &item)),
            };
            out.push(target);
        }
        Ok(out)
    }

    /// `all users`, `all apps`.
    fn visit_all_target(&mut self, pair: Pair<Rule>) -> Visit<Target> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_all)?;
        let kind = self.visit_kind_word(c.next(Rule::kind_word)?)?;
        c.finish()?;
        Ok(Target {
            kind,
            kind_written: true,
            value: TargetValue::All,
            span,
        })
    }

    /// `group Admins`, `devices where "…"`, or a kind word alone (`guests`).
    fn visit_kinded_target(&mut self, pair: Pair<Rule>) -> Visit<Target> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let kind = self.visit_kind_word(c.next(Rule::kind_word)?)?;
        let value = match c.take_any() {
            Some(f) if f.as_rule() == Rule::filter_rule => {
                TargetValue::Filter(self.visit_filter_rule(f)?)
            }
            Some(v) => TargetValue::Ref(self.visit_ref(v)),
            None => TargetValue::Nothing,
        };
        c.finish()?;
        Ok(Target {
            kind,
            kind_written: true,
            value,
            span,
        })
    }

    /// `where "…"`.
    fn visit_filter_rule(&mut self, pair: Pair<Rule>) -> Visit<Spanned<String>> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_where)?;
        let rule = self.visit_string(c.next(Rule::string)?);
        c.finish()?;
        Ok(rule)
    }

    /// A name without a kind word: it takes the kind of the item before it. `None` (with a
    /// diagnostic) when it is the first item.
    fn visit_bare_target(
        &mut self,
        pair: Pair<Rule>,
        prev: Option<&Target>,
    ) -> Visit<Option<Target>> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let value = self.visit_ref(c.next_any()?);
        c.finish()?;
        let Some(prev) = prev else {
            self.diags.push(
                Diagnostic::new("E0001", format!("`{}` has no kind", value.text()))
                    .at(span, "expected a kind word before this name")
                    .help("write what it is: `group Admins`, `app AzureServiceManagement`, `platform ios`"),
            );
            return Ok(None);
        };
        Ok(Some(Target {
            kind: Spanned::new(prev.kind.node, prev.kind.span),
            kind_written: false,
            value: TargetValue::Ref(value),
            span,
        }))
    }

    pub(super) fn visit_kind_word(&mut self, pair: Pair<Rule>) -> Visit<Spanned<TargetKind>> {
        let span = self.span(&pair);
        match TargetKind::from_word(pair.as_str()) {
            Some(k) => Ok(Spanned::new(k, span)),
            None => Err(Cursor::unexpected(Rule::kind_word, &pair)),
        }
    }

    /// `mfa and compliant-device`, `strength Phishing-resistant or terms ToU`.
    pub(super) fn visit_grant_expr(&mut self, pair: Pair<Rule>) -> Visit<GrantExpr> {
        let mut c = Cursor::new(pair);
        let mut controls = vec![self.visit_control(c.next(Rule::control)?)?];
        let mut ops = Vec::new();
        while let Some(op) = c.take(Rule::grant_op) {
            ops.push(self.visit_grant_op(op)?);
            controls.push(self.visit_control(c.next(Rule::control)?)?);
        }
        c.finish()?;
        Ok(GrantExpr { controls, ops })
    }

    fn visit_grant_op(&mut self, pair: Pair<Rule>) -> Visit<Spanned<GrantOp>> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let op = match c.next_any()?.as_rule() {
            Rule::kw_and => GrantOp::And,
            Rule::kw_or => GrantOp::Or,
            _ => return Err(c.mismatch(Some(Rule::kw_and))),
        };
        c.finish()?;
        Ok(Spanned::new(op, span))
    }

    /// One grant control: a built-in word (`mfa`, and `block`, which the checker refuses
    /// here), `strength NAME` or `terms NAME`.
    fn visit_control(&mut self, pair: Pair<Rule>) -> Visit<Spanned<Control>> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let inner = c.next_any()?;
        c.finish()?;
        let control = match inner.as_rule() {
            Rule::strength_control => {
                Control::Strength(self.visit_named_control(inner, Rule::kw_strength)?)
            }
            Rule::terms_control => Control::Terms(self.visit_named_control(inner, Rule::kw_terms)?),
            Rule::kw_block | Rule::word => Control::Builtin(inner.as_str().to_string()),
            _ => return Err(Cursor::unexpected(Rule::control, &inner)),
        };
        Ok(Spanned::new(control, span))
    }

    /// `strength_control` and `terms_control`: a keyword and a name.
    fn visit_named_control(
        &mut self,
        pair: Pair<Rule>,
        kw: Rule,
    ) -> Visit<Spanned<crate::ast::Ref>> {
        let mut c = Cursor::new(pair);
        c.next(kw)?;
        let name = self.visit_ref(c.next_any()?);
        c.finish()?;
        Ok(name)
    }

    /// `sign-in-frequency 4 hours`: a name and its arguments.
    pub(super) fn visit_session_item(&mut self, pair: Pair<Rule>) -> Visit<SessionItem> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let name = c.next(Rule::word)?;
        let name = Spanned::new(name.as_str().to_string(), self.span(&name));
        let mut args = Vec::new();
        while let Some(arg) = c.take_any() {
            if !matches!(arg.as_rule(), Rule::number | Rule::word) {
                return Err(Cursor::unexpected(Rule::session_item, &arg));
            }
            args.push(Spanned::new(arg.as_str().to_string(), self.span(&arg)));
        }
        Ok(SessionItem { name, args, span })
    }
}
