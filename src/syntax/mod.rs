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
mod tokens;

use crate::ast::{self, Item, Ref};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span, Spanned};
use crate::symbols::is_guid;
use cursor::Cursor;
use pest::Parser as _;
use pest::iterators::Pair;
pub use tokens::{Comment, Token, TokenKind, is_bare_name, tokens};

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
            Diagnostic::new(
                "E0003",
                format!(
                    "source file is {} bytes, more than the limit of {MAX_SOURCE_BYTES}",
                    text.len()
                ),
            )
            .at(Span::new(file, 0, 0), "this file")
            .help("split the policies over several files"),
        );
        return (None, diags);
    }
    let mut state = FileState {
        items: Vec::new(),
        open: Open::None,
    };
    match CapolParser::parse(Rule::file, text) {
        Ok(pairs) => {
            let mut v = Visitor {
                file,
                diags: &mut diags,
                offset: 0,
            };
            for pair in pairs {
                if pair.as_rule() == Rule::file {
                    v.visit_file(pair, &mut state);
                }
            }
        }
        Err(e) => {
            // Recover: parse each chunk that starts at a `policy` or `scenario` line on its own,
            // so one run reports the syntax errors of every policy in the file.
            let chunks = chunk_starts(text);
            let mut failed = false;
            for (i, start) in chunks.iter().enumerate() {
                let end = chunks.get(i + 1).copied().unwrap_or(text.len());
                let chunk = &text[*start..end];
                match CapolParser::parse(Rule::file, chunk) {
                    Ok(pairs) => {
                        let mut v = Visitor {
                            file,
                            diags: &mut diags,
                            offset: *start,
                        };
                        for pair in pairs {
                            if pair.as_rule() == Rule::file {
                                v.visit_file(pair, &mut state);
                            }
                        }
                    }
                    Err(ce) => {
                        failed = true;
                        let mut d = errors::syntax_error(file, chunk, &ce);
                        if let Some(l) = &mut d.primary {
                            l.span.start += start;
                            l.span.end += start;
                        }
                        diags.push(d);
                    }
                }
            }
            if !failed {
                diags.push(errors::syntax_error(file, text, &e));
            }
            // The chunks that parsed are checked too, so that one run reports their problems
            // as well; nothing is compiled from a file with a syntax error.
            return (
                Some(ast::File {
                    file,
                    items: state.items,
                }),
                diags,
            );
        }
    }
    (
        Some(ast::File {
            file,
            items: state.items,
        }),
        diags,
    )
}

/// Byte offsets where a line starts with `policy` or `scenario`: the points where parsing can
/// start again after a syntax error. The first chunk starts at 0.
fn chunk_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let at = offset + indent;
        if at > 0
            && (trimmed.starts_with("policy ")
                || trimmed.starts_with("policy\"")
                || trimmed.starts_with("scenario ")
                || trimmed.starts_with("assert "))
        {
            starts.push(at);
        }
        offset += line.len();
    }
    starts
}

struct FileState {
    items: Vec<Item>,
    open: Open,
}

pub(crate) struct Visitor<'d> {
    pub file: FileId,
    pub diags: &'d mut Diagnostics,
    /// Where the parsed text starts in the file (non-zero when recovering from an error).
    pub offset: usize,
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
        let len = token_len(pair.as_str());
        Span::new(
            self.file,
            self.offset + s.start(),
            self.offset + s.start() + len,
        )
    }

    fn visit_file(&mut self, pair: Pair<Rule>, state: &mut FileState) {
        let FileState { items, open } = state;
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
                    let name = Cursor::new(child)
                        .find(Rule::string)
                        .map(|s| self.visit_string(s));
                    if let Open::Implicit(i) = *open
                        && let Item::Policy(p) = &items[i]
                    {
                        self.diags.push(
                                Diagnostic::new("E0004", "clauses stand before the first `policy` header")
                                    .at(p.clauses.first().map(|c| c.span).unwrap_or(p.span), "this clause belongs to no named policy")
                                    .also(span, "the first header is here")
                                    .help("move these clauses under a `policy \"NAME\"` header, or give them one of their own"),
                            );
                    }
                    items.push(Item::Policy(ast::Policy {
                        name,
                        clauses: Vec::new(),
                        span,
                    }));
                    *open = Open::Header(items.len() - 1);
                }
                Rule::scenario => {
                    if let Some(s) = self.visit_scenario(child) {
                        items.push(Item::Scenario(s));
                    }
                    *open = Open::AfterScenario;
                }
                Rule::assert => {
                    if let Some(s) = self.visit_assert(child) {
                        items.push(Item::Assert(s));
                    }
                    *open = Open::AfterScenario;
                }
                Rule::clause => {
                    let span = self.span(&child);
                    let Some(clause) = self.visit_clause(child) else {
                        continue;
                    };
                    let idx = match *open {
                        Open::Header(i) | Open::Implicit(i) => i,
                        Open::None => {
                            items.push(Item::Policy(ast::Policy {
                                name: None,
                                clauses: Vec::new(),
                                span,
                            }));
                            *open = Open::Implicit(items.len() - 1);
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
    }

    fn visit_declaration(&mut self, pair: Pair<Rule>) -> Option<ast::Declaration> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        let kind = self.visit_decl_kind(c.next(Rule::decl_kind)?)?;
        let name_pair = c.next(Rule::decl_name)?;
        let name = self.visit_ref(Cursor::new(name_pair).rest().next()?);
        let value = self.visit_ref(c.next_any()?);
        let trusted = c.take(Rule::kw_trusted).map(|p| self.span(&p));
        Some(ast::Declaration {
            kind,
            name,
            value,
            trusted,
            span,
        })
    }

    fn visit_emergency(&mut self, pair: Pair<Rule>) -> Option<ast::Emergency> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.take(Rule::kw_emergency);
        let kind = self.visit_decl_kind(c.next(Rule::decl_kind)?)?;
        let principals = c.rest().map(|p| self.visit_ref(p)).collect();
        Some(ast::Emergency {
            kind,
            principals,
            span,
        })
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

    /// A quoted string, unescaped. Single quotes are raw; double quotes take `\"`, `\\`, and
    /// (an extension, see `docs/language.md`) `\n`, `\r`, `\t`.
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
                Some((_, 'n')) => out.push('\n'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, 't')) => out.push('\t'),
                Some((j, other)) => {
                    let at = span.start + 1 + i;
                    self.diags.push(
                        Diagnostic::new("E0005", format!("unknown escape `\\{other}` in a string"))
                            .at(Span::new(self.file, at, span.start + 1 + j + other.len_utf8()), "not an escape capol knows")
                            .help("double-quoted strings take `\\\"`, `\\\\`, `\\n`, `\\r` and `\\t`; use single quotes for raw text"),
                    );
                    out.push(other);
                }
                None => {}
            }
        }
        Spanned::new(out, span)
    }
}

/// The length of `text` without trailing white space and comments.
fn token_len(text: &str) -> usize {
    let mut t = text.trim_end();
    loop {
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        if !t[line_start..].contains('#') {
            return t.len();
        }
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut cut = None;
        for (i, ch) in t[line_start..].char_indices() {
            match quote {
                Some(q) => {
                    if escaped {
                        escaped = false;
                    } else if q == '"' && ch == '\\' {
                        escaped = true;
                    } else if ch == q {
                        quote = None;
                    }
                }
                None if ch == '"' || ch == '\'' => quote = Some(ch),
                None if ch == '#' => {
                    cut = Some(line_start + i);
                    break;
                }
                None => {}
            }
        }
        match cut {
            Some(c) => t = t[..c].trim_end(),
            None => return t.len(),
        }
    }
}

/// A bare word is a GUID, something that tries to be one, or an identifier.
fn classify_word(w: &str) -> Ref {
    if is_guid(w) {
        return Ref::Guid(w.to_ascii_lowercase());
    }
    let hexish = w.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let starts_digit = w.starts_with(|c: char| c.is_ascii_digit());
    // 32 hexadecimal digits without their dashes are a GUID written wrong, too.
    let dashless = w.len() == 32 && w.chars().all(|c| c.is_ascii_hexdigit());
    if hexish && w.contains('-') && w.len() >= 20
        || starts_digit && w.matches('-').count() >= 3
        || dashless
    {
        Ref::BadGuid(w.to_string())
    } else {
        Ref::Ident(w.to_string())
    }
}
