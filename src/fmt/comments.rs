//! Attaching comments to the tree, and the blank lines the layout keeps.
//!
//! In: the source text, its syntax tree and its comments. Out: [`Notes`]. The rules:
//!
//! - a comment with code before it on its line trails the last node that starts before it (the
//!   innermost one when several start there);
//! - a comment on a line of its own leads the next node (the outermost one when several start
//!   there; the first list item of a clause gives it to the clause). A comment inside a node
//!   with no later inner node (between the controls of one grant clause, for example) trails
//!   that node instead;
//! - a comment after the last node stays at the end of the file;
//! - at the top level, one blank line is kept where the source had at least one: between two
//!   items, between a comment and what follows it.

use super::{Node, anchors};
use crate::ast;
use crate::syntax::Comment;
use std::collections::{HashMap, HashSet};

/// A comment on a line of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Leading {
    pub text: String,
    /// A blank line follows it (kept at the top level only).
    pub blank_after: bool,
    /// Where it stood in the source (0 for comments a program adds).
    pub start: usize,
    pub end: usize,
}

/// The comments of a file, by the node they belong to, and the blank lines to keep.
#[derive(Clone, Debug, Default)]
pub(crate) struct Notes {
    pub leading: HashMap<Node, Vec<Leading>>,
    pub trailing: HashMap<Node, Vec<String>>,
    /// Top-level items preceded by a blank line in the source.
    pub blank_before: HashSet<usize>,
    /// Comments after the last item.
    pub dangling: Vec<Leading>,
    pub dangling_blank_before: bool,
}

impl Notes {
    pub fn leading(&self, n: Node) -> &[Leading] {
        self.leading.get(&n).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The trailing comments of a node as one text (`# a # b`), if any.
    pub fn trailing(&self, n: Node) -> Option<String> {
        self.trailing
            .get(&n)
            .filter(|v| !v.is_empty())
            .map(|v| v.join(" "))
    }

    pub fn has_any(&self, n: Node) -> bool {
        !self.leading(n).is_empty() || self.trailing.get(&n).is_some_and(|v| !v.is_empty())
    }
}

/// Attach every comment of `text` to a node of `file`.
pub(crate) fn attach(text: &str, file: &ast::File, comments: &[Comment]) -> Notes {
    let nodes = anchors(file);
    let mut notes = Notes::default();
    for c in comments {
        let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
        let code_before = text[line_start..c.start]
            .chars()
            .any(|ch| !ch.is_whitespace() && ch != '\u{feff}');
        if code_before {
            let owner = nodes
                .iter()
                .filter(|(_, s)| s.start < c.start)
                .max_by_key(|(n, s)| (s.start, n.depth()))
                .map(|(n, _)| *n);
            if let Some(n) = owner {
                notes.trailing.entry(n).or_default().push(c.text.clone());
                continue;
            }
        }
        let container = nodes
            .iter()
            .filter(|(_, s)| s.start < c.start && c.end <= s.end)
            .max_by_key(|(n, s)| (n.depth(), s.start))
            .map(|(n, _)| *n);
        let next = nodes
            .iter()
            .filter(|(_, s)| s.start >= c.end)
            .min_by_key(|(n, s)| (s.start, n.depth()))
            .map(|(n, _)| *n);
        match (container, next) {
            (Some(outer), n) if n.is_none_or(|n| !n.within(outer)) => {
                notes
                    .trailing
                    .entry(outer)
                    .or_default()
                    .push(c.text.clone());
            }
            (_, Some(n)) => {
                let n = match n {
                    Node::Target(i, cl, 0) => Node::Clause(i, cl),
                    other => other,
                };
                notes.leading.entry(n).or_default().push(Leading {
                    text: c.text.clone(),
                    blank_after: false,
                    start: c.start,
                    end: c.end,
                });
            }
            (_, None) => {
                if notes.dangling.is_empty() {
                    let prev_end = file.items.last().map_or(0, |i| i.span().end);
                    notes.dangling_blank_before = blank_between(text, prev_end, c.start);
                }
                notes.dangling.push(Leading {
                    text: c.text.clone(),
                    blank_after: false,
                    start: c.start,
                    end: c.end,
                });
            }
        }
    }
    blank_lines(text, file, &mut notes);
    notes
}

/// Fill in the blank lines kept at the top level.
fn blank_lines(text: &str, file: &ast::File, notes: &mut Notes) {
    for (i, item) in file.items.iter().enumerate() {
        let start = item.span().start;
        let list = notes.leading.get_mut(&Node::Item(i));
        let first = list
            .as_ref()
            .and_then(|l| l.first())
            .map_or(start, |l| l.start);
        if let Some(list) = list {
            let nexts: Vec<usize> = list
                .iter()
                .skip(1)
                .map(|l| l.start)
                .chain([start])
                .collect();
            for (l, next) in list.iter_mut().zip(nexts) {
                l.blank_after = blank_between(text, l.end, next);
            }
        }
        if i > 0 && blank_between(text, file.items[i - 1].span().end, first) {
            notes.blank_before.insert(i);
        }
    }
    let nexts: Vec<usize> = notes
        .dangling
        .iter()
        .skip(1)
        .map(|l| l.start)
        .chain([text.len()])
        .collect();
    for (l, next) in notes.dangling.iter_mut().zip(nexts) {
        l.blank_after = blank_between(text, l.end, next);
    }
}

/// Whether `text[from..to]` holds an empty line (two line ends).
fn blank_between(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to)
        .is_some_and(|s| s.matches('\n').count() >= 2)
}
