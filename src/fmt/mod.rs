//! `capol fmt`: one canonical layout for `.capol` source, with no options.
//!
//! In: source text. Out: the same program laid out canonically, every comment kept, or the
//! syntax diagnostics of a file that does not parse (such a file is never rewritten).
//!
//! The layout (see `docs/language.md`, "Layout"):
//!
//! - top-level items in source order; a blank line before every policy and scenario; runs of
//!   declarations aligned in columns, a blank line in the source between two declarations kept;
//! - a policy's clauses in a stable order: `description`, `for`, `exclude` of users and apps,
//!   `when`, `exclude` of conditions, `block`/`require`, `session`, `mode` (clauses of one rank
//!   keep their order);
//! - a policy whose clauses fit on one line of at most 100 columns, are at most 4, use each
//!   keyword once and carry no comment is written on one line under its header; any other policy
//!   is written one clause per line, indented 4 spaces;
//! - a clause longer than 100 columns is broken one list item (or grant control, or session
//!   control) per line, indented 4 more;
//! - kind words are written in the singular (`group`), and only where the kind changes.
//!
//! Comments are found between the tokens ([`crate::syntax::tokens`]) and attached to the
//! nearest item, clause, list item or scenario fact (`comments`); the printer (`printer`) writes
//! them back beside it. Before returning, the result is re-tokenised and compared with the
//! input: if a single name, value or keyword would be lost, formatting is refused (`E0420`).

mod comments;
mod printer;
#[cfg(test)]
mod tests;

use crate::ast::{self, Clause, Fact, Item};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::syntax::{self, TokenKind};

pub(crate) use comments::{Leading, Notes};

/// Format one file's text. Files with syntax errors are not formatted: their diagnostics come
/// back (located in [`FileId`] 0).
pub fn format(text: &str) -> Result<String, Diagnostics> {
    format_file(FileId(0), text)
}

/// [`format()`], with diagnostics located in `file`.
pub fn format_file(file: FileId, text: &str) -> Result<String, Diagnostics> {
    let (ast, diags, toks) = syntax::parse_with_tokens(file, text);
    let ast = match ast {
        Some(a) if !diags.has_errors() => a,
        _ => return Err(diags),
    };
    let Some((tokens, found)) = toks else {
        return Err(internal(file, "the parser and the tokeniser disagree"));
    };
    let notes = comments::attach(text, &ast, &found);
    let out = printer::print(&ast, &notes);
    // A file already in the canonical layout needs no second parse: its tokens are its own.
    if out == text {
        return Ok(out);
    }
    let Some((after, _)) = syntax::tokens(&out) else {
        return Err(internal(file, "the formatted text does not parse"));
    };
    if let Some(lost) = lost_token(&tokens, &after) {
        return Err(internal(file, &format!("`{lost}` would change")));
    }
    Ok(out)
}

/// Print a syntax tree built by a program (the importer) in the canonical layout, with the
/// given comments and blank lines.
pub(crate) fn print_tree(file: &ast::File, notes: &Notes) -> String {
    printer::print(file, notes)
}

fn internal(file: FileId, what: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.push(
        Diagnostic::new(
            "E0420",
            format!("capol fmt cannot lay out this file without changing it: {what}"),
        )
        .at(Span::new(file, 0, 0), "this file is left as it is")
        .help("this is a bug in capol fmt; please report it with the file")
        .note("capol fmt refuses to write a layout that would change a name, value or keyword"),
    );
    d
}

/// The first significant token whose count differs between the two texts (kind words aside:
/// the printer drops repeated ones and writes them in the singular).
fn lost_token(before: &[syntax::Token], after: &[syntax::Token]) -> Option<String> {
    let key = |ts: &[syntax::Token]| {
        let mut v: Vec<TokenKind> = ts
            .iter()
            .filter(|t| !matches!(t.kind, TokenKind::KindWord(_)))
            .map(|t| t.kind.clone())
            .collect();
        v.sort();
        v
    };
    let (a, b) = (key(before), key(after));
    if a == b {
        return None;
    }
    let differs = a
        .iter()
        .zip(b.iter())
        .find(|(x, y)| x != y)
        .map(|(x, _)| x)
        .or_else(|| a.get(b.len()))
        .or_else(|| b.get(a.len()));
    Some(match differs {
        Some(TokenKind::Keyword(s) | TokenKind::Word(s) | TokenKind::Upn(s)) => s.clone(),
        Some(TokenKind::Number(s) | TokenKind::KindWord(s)) => s.clone(),
        Some(TokenKind::Str(s)) => format!("\"{s}\""),
        None => String::new(),
    })
}

/// A node of the tree that comments attach to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Node {
    Item(usize),
    Clause(usize, usize),
    Target(usize, usize, usize),
    Fact(usize, usize),
}

impl Node {
    fn depth(self) -> u8 {
        match self {
            Node::Item(_) => 0,
            Node::Clause(..) | Node::Fact(..) => 1,
            Node::Target(..) => 2,
        }
    }

    /// Whether `self` lies inside `outer` (or is it).
    fn within(self, outer: Node) -> bool {
        match (outer, self) {
            (Node::Item(i), Node::Item(j)) => i == j,
            (Node::Item(i), Node::Clause(j, _) | Node::Fact(j, _) | Node::Target(j, _, _)) => {
                i == j
            }
            (Node::Clause(i, c), Node::Clause(j, d)) => i == j && c == d,
            (Node::Clause(i, c), Node::Target(j, d, _)) => i == j && c == d,
            (a, b) => a == b,
        }
    }
}

/// Every node with its span, in source order.
pub(crate) fn anchors(file: &ast::File) -> Vec<(Node, Span)> {
    let mut out = Vec::new();
    for (i, item) in file.items.iter().enumerate() {
        out.push((Node::Item(i), item.span()));
        match item {
            Item::Set(s) => {
                if let (Some(first), Some(last)) = (s.items.first(), s.items.last()) {
                    out.push((Node::Clause(i, 0), first.span.to(last.span)));
                }
                for (t, target) in s.items.iter().enumerate() {
                    out.push((Node::Target(i, 0, t), target.span));
                }
            }
            Item::Policy(ast::Policy { clauses, .. })
            | Item::Defaults(ast::Defaults { clauses, .. }) => {
                for (c, clause) in clauses.iter().enumerate() {
                    out.push((Node::Clause(i, c), clause.span));
                    if let Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) = &clause.node {
                        for (t, target) in ts.iter().enumerate() {
                            out.push((Node::Target(i, c, t), target.span));
                        }
                    }
                }
            }
            Item::Scenario(s) | Item::Assert(s) => {
                for (f, fact) in s.facts.iter().enumerate() {
                    out.push((Node::Fact(i, f), fact.span));
                }
            }
            Item::Declaration(_) | Item::Emergency(_) => {}
        }
    }
    out.sort_by_key(|(n, s)| (s.start, n.depth()));
    out
}

/// Whether a scenario fact is a `member-of` list (it joins the `user` fact before it).
pub(crate) fn is_member_of(f: &Fact) -> bool {
    matches!(f, Fact::MemberOf(_))
}
