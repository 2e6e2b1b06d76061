//! The pest parser: `.capol` text in, [`ast::File`](crate::ast::File) out, or syntax diagnostics.
//!
//! pest stays inside this module. Each structural grammar rule has one `visit_<rule>` function
//! that takes its children through a [`cursor::Cursor`]; the modules follow the grammar's
//! sections (`values`, `declarations`, `policy`, `scenario`). pest errors become `E0001`
//! diagnostics phrased in the user's words ("expected a group name"); a parse tree of a shape the
//! visitors do not expect (capol's own bug) becomes the internal error `E0006`, never a silent skip.

mod cursor;
mod declarations;
mod errors;
mod hints;
mod policy;
mod scenario;
#[cfg(test)]
mod tests;
mod tokens;
mod values;

use crate::ast::{self, Item};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span, Spanned};
use cursor::{Cursor, Mismatch, Visit};
use pest::Parser as _;
use pest::iterators::Pair;
pub use tokens::{Comment, Token, TokenKind, is_bare_name, tokens};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/capol.pest"]
pub(crate) struct CapolParser;

/// Sources larger than this are refused with `E0003` (a policy file is a few kilobytes).
pub const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;

/// Parse one file. Syntax errors come back as diagnostics; the AST then holds the chunks that
/// parsed (checked too, never compiled).
pub fn parse(file: FileId, text: &str) -> (Option<ast::File>, Diagnostics) {
    let (ast, diags, _) = parse_inner(file, text, false);
    (ast, diags)
}

/// [`parse()`], and from the same parse the file's tokens and comments (for the formatter);
/// the tokens are `None` when the file has a syntax error.
pub fn parse_with_tokens(
    file: FileId,
    text: &str,
) -> (Option<ast::File>, Diagnostics, Option<Tokens>) {
    parse_inner(file, text, true)
}

/// A file's tokens and comments.
pub type Tokens = (Vec<Token>, Vec<Comment>);

fn parse_inner(
    file: FileId,
    text: &str,
    want_tokens: bool,
) -> (Option<ast::File>, Diagnostics, Option<Tokens>) {
    let mut diags = Diagnostics::new();
    if text.len() > MAX_SOURCE_BYTES {
        diags.push(
            Diagnostic::new(
                "E0003",
                format!(
                    "source file is {} bytes ({}), more than the limit of {}",
                    text.len(),
                    crate::diag::size_text(text.len()),
                    crate::diag::size_text(MAX_SOURCE_BYTES)
                ),
            )
            .at(Span::new(file, 0, 0), "this file")
            .help("split the policies over several files"),
        );
        return (None, diags, None);
    }
    let mut state = FileState {
        items: Vec::new(),
        open: Open::None,
    };
    let mut found = None;
    match parse_chunk(file, text, 0, &mut state, &mut diags, want_tokens) {
        Ok(t) => found = t,
        Err(e) => recover(file, text, &e, &mut state, &mut diags),
    }
    let ast = ast::File {
        file,
        items: state.items,
    };
    (Some(ast), diags, found)
}

/// Parse `chunk` (which starts at `offset` in the file) and visit what it holds.
fn parse_chunk(
    file: FileId,
    chunk: &str,
    offset: usize,
    state: &mut FileState,
    diags: &mut Diagnostics,
    want_tokens: bool,
) -> Result<Option<Tokens>, pest::error::Error<Rule>> {
    let pairs = CapolParser::parse(Rule::file, chunk)?;
    let found = want_tokens.then(|| tokens::tokens_of(pairs.clone(), chunk));
    let mut v = Visitor {
        file,
        diags,
        offset,
    };
    for pair in pairs {
        match pair.as_rule() {
            Rule::file => v.visit_file(pair, state),
            _ => {
                let m = Cursor::unexpected(Rule::file, &pair);
                v.internal(m);
            }
        }
    }
    Ok(found)
}

/// After a syntax error, parse each chunk that starts at a `policy` or `scenario` line on its
/// own, so one run reports the syntax errors of every policy in the file.
fn recover(
    file: FileId,
    text: &str,
    whole: &pest::error::Error<Rule>,
    state: &mut FileState,
    diags: &mut Diagnostics,
) {
    let chunks = chunk_starts(text);
    let mut failed = false;
    for (i, start) in chunks.iter().enumerate() {
        let end = chunks.get(i + 1).copied().unwrap_or(text.len());
        let chunk = &text[*start..end];
        if let Err(ce) = parse_chunk(file, chunk, *start, state, diags, false) {
            failed = true;
            let mut d = errors::syntax_error(file, chunk, &ce);
            if let Some(l) = &mut d.primary {
                l.span.start += start;
                l.span.end += start;
            }
            diags.push(d);
        }
    }
    if !failed {
        diags.push(errors::syntax_error(file, text, whole));
    }
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
                || trimmed.starts_with("assert ")
                || trimmed.starts_with("set ") && trimmed.contains('=')
                || trimmed.strip_prefix("defaults").is_some_and(|rest| {
                    !rest.starts_with(|c: char| c.is_alphanumeric() || "-_.".contains(c))
                }))
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
    /// Clauses under `defaults`.
    Defaults(usize),
    AfterScenario,
}

impl Visitor<'_> {
    /// The pair's span, ending at its last token (pest leaves trailing white space and comments
    /// inside a rule whose repetition failed).
    pub fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        let len = values::token_len(pair.as_str());
        Span::new(
            self.file,
            self.offset + s.start(),
            self.offset + s.start() + len,
        )
    }

    /// The grammar and the visitors disagree: report capol's bug where it happened.
    fn internal(&mut self, m: Mismatch) {
        let what = match (m.expected, m.found) {
            (Some(e), Some(f)) => format!("expected `{e:?}`, found `{f:?}`"),
            (Some(e), None) => format!("expected `{e:?}`, found nothing"),
            (None, Some(f)) => format!("`{f:?}` was not expected here"),
            (None, None) => "nothing was expected here".to_string(),
        };
        let span = Span::new(self.file, self.offset + m.start, self.offset + m.end);
        self.diags.push(
            Diagnostic::new(
                "E0006",
                format!(
                    "internal error: the parser cannot read this `{:?}`",
                    m.parent
                ),
            )
            .at(span, what)
            .help("this is a bug in capol, not in your policy: please report it with this input")
            .note("the part of the file around it was not checked"),
        );
    }

    fn visit_file(&mut self, pair: Pair<Rule>, state: &mut FileState) {
        let mut c = Cursor::new(pair);
        while let Some(child) = c.take_any() {
            if child.as_rule() == Rule::EOI {
                continue;
            }
            if let Err(m) = self.visit_item(child, state) {
                self.internal(m);
            }
        }
    }

    fn visit_item(&mut self, child: Pair<Rule>, state: &mut FileState) -> Visit<()> {
        match child.as_rule() {
            Rule::declaration => {
                let d = self.visit_declaration(child)?;
                state.items.push(Item::Declaration(d));
            }
            Rule::emergency => {
                let e = self.visit_emergency(child)?;
                state.items.push(Item::Emergency(e));
            }
            Rule::policy_header => self.visit_policy_header(child, state)?,
            Rule::set_decl => {
                let s = self.visit_set_decl(child)?;
                state.items.push(Item::Set(s));
            }
            Rule::defaults_header => {
                let span = self.span(&child);
                let mut c = Cursor::new(child);
                c.next(Rule::kw_defaults)?;
                c.finish()?;
                state.items.push(Item::Defaults(ast::Defaults {
                    header: span,
                    clauses: Vec::new(),
                    span,
                }));
                state.open = Open::Defaults(state.items.len() - 1);
            }
            Rule::scenario => {
                let s = self.visit_scenario(child)?;
                state.items.push(Item::Scenario(s));
                state.open = Open::AfterScenario;
            }
            Rule::assert => {
                let s = self.visit_assert(child)?;
                state.items.push(Item::Assert(s));
                state.open = Open::AfterScenario;
            }
            Rule::clause => {
                let span = self.span(&child);
                let clause = self.visit_clause(child)?;
                self.place_clause(Spanned::new(clause, span), state);
            }
            _ => return Err(Cursor::unexpected(Rule::file, &child)),
        }
        Ok(())
    }

    fn visit_policy_header(&mut self, pair: Pair<Rule>, state: &mut FileState) -> Visit<()> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_policy)?;
        let name = self.visit_string(c.next(Rule::string)?);
        c.finish()?;
        if let Open::Implicit(i) = state.open
            && let Some(Item::Policy(p)) = state.items.get(i)
        {
            self.diags.push(
                Diagnostic::new("E0004", "clauses stand before the first `policy` header")
                    .at(p.clauses.first().map(|c| c.span).unwrap_or(p.span), "this clause belongs to no named policy")
                    .also(span, "the first header is here")
                    .help("move these clauses under a `policy \"NAME\"` header, or give them one of their own"),
            );
        }
        state.items.push(Item::Policy(ast::Policy {
            name: Some(name),
            clauses: Vec::new(),
            span,
        }));
        state.open = Open::Header(state.items.len() - 1);
        Ok(())
    }

    /// Add a clause to the policy open at this point: the last header's, or an implicit one
    /// (a header-less file); after a scenario, a clause belongs to nothing.
    fn place_clause(&mut self, clause: Spanned<ast::Clause>, state: &mut FileState) {
        let span = clause.span;
        let FileState { items, open } = state;
        let idx = match *open {
            Open::Header(i) | Open::Implicit(i) | Open::Defaults(i) => i,
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
                    Diagnostic::new("E0004", format!("`{}` clause after a scenario", clause.node.keyword()))
                        .at(span, "this clause belongs to no policy")
                        .help("policy clauses go under a `policy \"NAME\"` header; a scenario holds only facts and `expect` lines"),
                );
                return;
            }
        };
        match items.get_mut(idx) {
            Some(Item::Policy(p)) => {
                p.span = p.span.to(span);
                p.clauses.push(clause);
            }
            Some(Item::Defaults(d)) => {
                d.span = d.span.to(span);
                d.clauses.push(clause);
            }
            _ => {}
        }
    }
}
