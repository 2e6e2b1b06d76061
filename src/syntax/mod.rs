//! The pest parser: `.capol` text in, [`ast::File`](crate::ast::File) out, or syntax diagnostics.
//!
//! pest stays inside this module. Each grammar rule has one `visit_<rule>` function that takes
//! its children through a [`cursor::Cursor`]; pest errors become `E0001` diagnostics phrased in
//! the user's words ("expected a group name").

mod cursor;
mod errors;
mod policy;
mod scenario;
#[cfg(test)]
mod tests;

use crate::ast::{self, Item, Ref};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span, Spanned};
use crate::symbols::is_guid;
use cursor::Cursor;
use pest::Parser as _;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/capol.pest"]
pub(crate) struct CapolParser;

/// Sources larger than this are refused with `E0003` (a policy file is a few kilobytes).
pub const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;

/// Parse one file. Syntax errors come back as diagnostics; the AST is `None` then.
pub fn parse(file: FileId, text: &str) -> (Option<ast::File>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if text.len() > MAX_SOURCE_BYTES {
        diags.push(
            Diagnostic::new("E0003", format!("source file is {} bytes, more than the limit of {MAX_SOURCE_BYTES}", text.len()))
                .at(Span::new(file, 0, 0), "this file")
                .help("split the policies over several files"),
        );
        return (None, diags);
    }
    let pairs = match CapolParser::parse(Rule::file, text) {
        Ok(p) => p,
        Err(e) => {
            diags.push(errors::syntax_error(file, text, &e));
            return (None, diags);
        }
    };
    let mut v = Visitor { file, diags: &mut diags };
    let mut items = Vec::new();
    for pair in pairs {
        if pair.as_rule() == Rule::file {
            items = v.visit_file(pair);
        }
    }
    (Some(ast::File { file, items }), diags)
}

pub(crate) struct Visitor<'d> {
    pub file: FileId,
    pub diags: &'d mut Diagnostics,
}

/// Where the policy that clauses belong to currently stands.
enum Open {
    None,
    /// Clauses before any header.
    Implicit(usize),
    Header(usize),
    AfterScenario,
}

impl Visitor<'_> {
    /// The pair's span, ending at its last token (pest leaves trailing white space and comments
    /// inside a rule whose repetition failed).
    pub fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let end = pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| p.clone().into_inner().next().is_none())
            .map(|p| p.as_span().end())
            .max()
            .unwrap_or_else(|| s.start() + pair.as_str().trim_end().len());
        Span::new(self.file, s.start(), end.max(s.start()))
    }

    fn visit_file(&mut self, pair: Pair<Rule>) -> Vec<Item> {
        let mut items: Vec<Item> = Vec::new();
        let mut open = Open::None;
        let mut first_header: Option<Span> = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::declaration => {
                    if let Some(d) = self.visit_declaration(child) {
                        items.push(Item::Declaration(d));
                    }
                }
                Rule::emergency => {
                    if let Some(e) = self.visit_emergency(child) {
                        items.push(Item::Emergency(e));
                    }
                }
                Rule::policy_header => {
                    let span = self.span(&child);
                    first_header.get_or_insert(span);
                    let name = Cursor::new(child).find(Rule::string).map(|s| self.visit_string(s));
                    if let Open::Implicit(i) = open {
                        if let Item::Policy(p) = &items[i] {
                            self.diags.push(
                                Diagnostic::new("E0004", "clauses stand before the first `policy` header")
                                    .at(p.clauses.first().map(|c| c.span).unwrap_or(p.span), "this clause belongs to no named policy")
                                    .also(span, "the first header is here")
                                    .help("move these clauses under a `policy \"NAME\"` header, or give them one of their own"),
                            );
                        }
                    }
                    items.push(Item::Policy(ast::Policy { name, clauses: Vec::new(), span }));
                    open = Open::Header(items.len() - 1);
                }
                Rule::scenario => {
                    if let Some(s) = self.visit_scenario(child) {
                        items.push(Item::Scenario(s));
                    }
                    open = Open::AfterScenario;
                }
                Rule::clause => {
                    let span = self.span(&child);
                    let Some(clause) = self.visit_clause(child) else { continue };
                    let idx = match open {
                        Open::Header(i) | Open::Implicit(i) => i,
                        Open::None => {
                            items.push(Item::Policy(ast::Policy { name: None, clauses: Vec::new(), span }));
                            open = Open::Implicit(items.len() - 1);
                            items.len() - 1
                        }
                        Open::AfterScenario => {
                            self.diags.push(
                                Diagnostic::new("E0004", format!("`{}` clause after a scenario", clause.keyword()))
                                    .at(span, "this clause belongs to no policy")
                                    .help("policy clauses go under a `policy \"NAME\"` header; a scenario holds only facts and `expect` lines"),
                            );
                            continue;
                        }
                    };
                    if let Some(Item::Policy(p)) = items.get_mut(idx) {
                        p.span = p.span.to(span);
                        p.clauses.push(Spanned::new(clause, span));
                    }
                }
                _ => {}
            }
        }
        items
    }

    fn visit_declaration(&mut self, pair: Pair<Rule>) -> Option<ast::Declaration> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let kind = self.visit_decl_kind(c.next(Rule::decl_kind)?)?;
        let name_pair = c.next(Rule::decl_name)?;
        let name = self.visit_ref(Cursor::new(name_pair).rest().next()?);
        let value = self.visit_ref(c.next_any()?);
        let trusted = c.take(Rule::kw_trusted).map(|p| self.span(&p));
        Some(ast::Declaration { kind, name, value, trusted, span })
    }

    fn visit_emergency(&mut self, pair: Pair<Rule>) -> Option<ast::Emergency> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.take(Rule::kw_emergency);
        let kind = self.visit_decl_kind(c.next(Rule::decl_kind)?)?;
        let principals = c.rest().map(|p| self.visit_ref(p)).collect();
        Some(ast::Emergency { kind, principals, span })
    }

    fn visit_decl_kind(&mut self, pair: Pair<Rule>) -> Option<Spanned<crate::symbols::Kind>> {
        let span = self.span(&pair);
        crate::symbols::Kind::from_keyword(pair.as_str()).map(|k| Spanned::new(k, span))
    }

    /// A `value` (string, upn or word) as a reference.
    pub fn visit_ref(&mut self, pair: Pair<Rule>) -> Spanned<Ref> {
        let span = self.span(&pair);
        let r = match pair.as_rule() {
            Rule::string => Ref::Quoted(self.visit_string(pair).node),
            Rule::upn => Ref::Upn(pair.as_str().to_string()),
            _ => classify_word(pair.as_str()),
        };
        Spanned::new(r, span)
    }

    /// A quoted string, unescaped. Single quotes are raw; double quotes take `\"` and `\\`.
    pub fn visit_string(&mut self, pair: Pair<Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        let raw = pair.as_str();
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        if raw.starts_with('\'') {
            return Spanned::new(inner.to_string(), span);
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.char_indices();
        while let Some((i, ch)) = chars.next() {
            if ch != '\\' {
                out.push(ch);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((j, other)) => {
                    let at = span.start + 1 + i;
                    self.diags.push(
                        Diagnostic::new("E0005", format!("unknown escape `\\{other}` in a string"))
                            .at(Span::new(self.file, at, span.start + 1 + j + other.len_utf8()), "not an escape capol knows")
                            .help("double-quoted strings take only `\\\"` and `\\\\`; use single quotes for raw text"),
                    );
                    out.push(other);
                }
                None => {}
            }
        }
        Spanned::new(out, span)
    }
}

/// A bare word is a GUID, something that tries to be one, or an identifier.
fn classify_word(w: &str) -> Ref {
    if is_guid(w) {
        return Ref::Guid(w.to_ascii_lowercase());
    }
    let hexish = w.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let starts_digit = w.starts_with(|c: char| c.is_ascii_digit());
    if hexish && w.contains('-') && w.len() >= 20 || starts_digit && w.matches('-').count() >= 3 {
        Ref::BadGuid(w.to_string())
    } else {
        Ref::Ident(w.to_string())
    }
}

