//! Visitors for the declarations section of the grammar: `KIND NAME = VALUE [trusted]` and
//! `emergency KIND A, B`.
//!
//! In: `declaration`, `decl_name`, `decl_kind` and `emergency` pairs. Out: AST declarations.

use super::cursor::{Cursor, Visit};
use super::{Rule, Visitor};
use crate::ast::{self, Ref};
use crate::source::Spanned;
use crate::symbols::Kind;
use pest::iterators::Pair;

impl Visitor<'_> {
    pub(super) fn visit_declaration(&mut self, pair: Pair<Rule>) -> Visit<ast::Declaration> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let kind = self.visit_decl_kind(c.next(Rule::decl_kind)?)?;
        let name = self.visit_decl_name(c.next(Rule::decl_name)?)?;
        let value = self.visit_ref(c.next_any()?);
        let trusted = c.take(Rule::kw_trusted).map(|p| self.span(&p));
        let allows = match c.take(Rule::allows) {
            Some(a) => self.visit_allows(a)?,
            None => Vec::new(),
        };
        c.finish()?;
        Ok(ast::Declaration {
            kind,
            name,
            value,
            trusted,
            allows,
            span,
        })
    }

    /// `allows fido2, password + sms`: combinations, each a list of method words.
    fn visit_allows(&mut self, pair: Pair<Rule>) -> Visit<Vec<Spanned<Vec<Spanned<String>>>>> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_allows)?;
        let mut out = Vec::new();
        for combination in c.many(Rule::combination) {
            let span = self.span(&combination);
            let mut cc = Cursor::new(combination);
            let mut words = Vec::new();
            while let Some(w) = cc.take(Rule::word) {
                words.push(Spanned::new(w.as_str().to_string(), self.span(&w)));
            }
            cc.finish()?;
            out.push(Spanned::new(words, span));
        }
        c.finish()?;
        Ok(out)
    }

    fn visit_decl_name(&mut self, pair: Pair<Rule>) -> Visit<Spanned<Ref>> {
        let mut c = Cursor::new(pair);
        let name = self.visit_ref(c.next_any()?);
        c.finish()?;
        Ok(name)
    }

    /// `set NAME = ITEMS`.
    pub(super) fn visit_set_decl(&mut self, pair: Pair<Rule>) -> Visit<ast::SetDecl> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_set)?;
        let name = self.visit_decl_name(c.next(Rule::decl_name)?)?;
        let items = self.visit_target_list(c.next(Rule::target_list)?)?;
        c.finish()?;
        Ok(ast::SetDecl { name, items, span })
    }

    pub(super) fn visit_emergency(&mut self, pair: Pair<Rule>) -> Visit<ast::Emergency> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_emergency)?;
        let kind = self.visit_decl_kind(c.next(Rule::decl_kind)?)?;
        let mut principals = Vec::new();
        while let Some(p) = c.take_any() {
            principals.push(self.visit_ref(p));
        }
        Ok(ast::Emergency {
            kind,
            principals,
            span,
        })
    }

    fn visit_decl_kind(&mut self, pair: Pair<Rule>) -> Visit<Spanned<Kind>> {
        let span = self.span(&pair);
        match Kind::from_keyword(pair.as_str()) {
            Some(k) => Ok(Spanned::new(k, span)),
            None => Err(Cursor::unexpected(Rule::decl_kind, &pair)),
        }
    }
}
