//! The source rewrite of `capol promote`: `mode report-only` becomes `mode on`.
//!
//! In: one file's text, its header-less display name (the file stem), and the display names of
//! the policies to promote. Out: the new text, formatted by [`crate::fmt`] (comments kept), and
//! what happened to each named policy found in the file. A policy without a `mode` clause is in
//! report-only (the language's default) and gets `mode on` added; a policy already on is left
//! alone; a policy that is off is refused (turning it on is not a promotion).

use crate::ast::{Clause, Item};
use crate::source::FileId;
use crate::syntax;

/// What the rewrite did with one policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Promotion {
    /// `mode report-only` (or no mode) → `mode on`.
    Promoted,
    AlreadyOn,
    /// `mode off`: not promoted.
    Off,
}

/// Rewrites the named policies of one file. `found` gets `(display name, what happened)` for
/// each named policy in the file. `Err` holds the reason the file cannot be rewritten.
pub fn promote_text(
    text: &str,
    stem: &str,
    names: &[String],
    found: &mut Vec<(String, Promotion)>,
) -> Result<String, String> {
    let (ast, diags) = syntax::parse(FileId(0), text);
    let ast = match ast {
        Some(a) if !diags.has_errors() => a,
        _ => return Err("the file has syntax errors".into()),
    };
    // (start, end, replacement), applied from the end.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for item in &ast.items {
        let Item::Policy(p) = item else { continue };
        let name = p.name.as_ref().map_or(stem, |n| n.node.as_str());
        if !names.iter().any(|n| n == name) {
            continue;
        }
        let mode = p.clauses.iter().find_map(|c| match &c.node {
            Clause::Mode(m) => Some(m),
            _ => None,
        });
        let what = match mode {
            Some(m) if m.node == "report-only" => {
                edits.push((m.span.start, m.span.end, "on".into()));
                Promotion::Promoted
            }
            Some(m) if m.node == "on" => Promotion::AlreadyOn,
            Some(_) => Promotion::Off,
            None => {
                let end = p.clauses.last().map_or(p.span.end, |c| c.span.end);
                edits.push((end, end, "\n    mode on".into()));
                Promotion::Promoted
            }
        };
        found.push((name.to_string(), what));
    }
    if edits.is_empty() {
        return Ok(text.to_string());
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, with) in edits {
        if start > end
            || end > out.len()
            || !out.is_char_boundary(start)
            || !out.is_char_boundary(end)
        {
            return Err("internal error, please report: a clause span is outside the file".into());
        }
        out.replace_range(start..end, &with);
    }
    crate::fmt::format(&out).map_err(|d| {
        let first = d
            .items
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        format!("internal error, please report: the rewritten file does not format ({first})")
    })
}
