//! A small cursor over a pair's children: "the next child must be rule X", "take X if next",
//! "nothing left over". Visitors never index children by position.
//!
//! In: a pest pair. Out: its children one by one, or a [`Mismatch`] when the tree does not have
//! the shape the grammar promises (a bug in capol, reported as an internal-error diagnostic).

use super::Rule;
use pest::iterators::{Pair, Pairs};
use std::iter::Peekable;

/// The parse tree did not have the shape a visitor expected: the grammar and the visitors
/// disagree. Offsets are relative to the parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The rule whose children were being read.
    pub parent: Rule,
    /// What the visitor wanted next (`None`: nothing more).
    pub expected: Option<Rule>,
    /// What it found (`None`: no child left).
    pub found: Option<Rule>,
    pub start: usize,
    pub end: usize,
}

/// The result of a visitor: the AST node, or the grammar mismatch that stopped it.
pub type Visit<T> = Result<T, Mismatch>;

pub struct Cursor<'i> {
    parent: Rule,
    start: usize,
    end: usize,
    inner: Peekable<Pairs<'i, Rule>>,
}

impl<'i> Cursor<'i> {
    pub fn new(pair: Pair<'i, Rule>) -> Self {
        let span = pair.as_span();
        Cursor {
            parent: pair.as_rule(),
            start: span.start(),
            end: span.end(),
            inner: pair.into_inner().peekable(),
        }
    }

    /// The mismatch "expected `expected` here", located on the next child or the parent's end.
    pub fn mismatch(&mut self, expected: Option<Rule>) -> Mismatch {
        let (found, start, end) = match self.inner.peek() {
            Some(p) => (Some(p.as_rule()), p.as_span().start(), p.as_span().end()),
            None => (None, self.start, self.end),
        };
        Mismatch {
            parent: self.parent,
            expected,
            found,
            start,
            end,
        }
    }

    /// The mismatch "`pair` was not expected here" (a visitor's `match` fell through).
    pub fn unexpected(parent: Rule, pair: &Pair<'_, Rule>) -> Mismatch {
        Mismatch {
            parent,
            expected: None,
            found: Some(pair.as_rule()),
            start: pair.as_span().start(),
            end: pair.as_span().end(),
        }
    }

    /// The next child, which the grammar guarantees is `rule`.
    pub fn next(&mut self, rule: Rule) -> Visit<Pair<'i, Rule>> {
        match self.take(rule) {
            Some(p) => Ok(p),
            None => Err(self.mismatch(Some(rule))),
        }
    }

    /// The next child, whatever its rule (the grammar guarantees there is one).
    pub fn next_any(&mut self) -> Visit<Pair<'i, Rule>> {
        match self.inner.next() {
            Some(p) => Ok(p),
            None => Err(self.mismatch(None)),
        }
    }

    /// The next child if it is `rule`; otherwise nothing is consumed.
    pub fn take(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek() == Some(rule) {
            self.inner.next()
        } else {
            None
        }
    }

    /// The next child whatever its rule, if there is one.
    pub fn take_any(&mut self) -> Option<Pair<'i, Rule>> {
        self.inner.next()
    }

    /// The rule of the next child, without consuming it.
    pub fn peek(&mut self) -> Option<Rule> {
        self.inner.peek().map(|p| p.as_rule())
    }

    /// Every following child of `rule`, up to the first one of another rule.
    pub fn many(&mut self, rule: Rule) -> Vec<Pair<'i, Rule>> {
        let mut out = Vec::new();
        while let Some(p) = self.take(rule) {
            out.push(p);
        }
        out
    }

    /// Nothing may be left: a child the visitor did not read is a mismatch.
    pub fn finish(mut self) -> Visit<()> {
        match self.inner.peek() {
            None => Ok(()),
            Some(_) => Err(self.mismatch(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CapolParser, Rule};
    use super::*;
    use pest::Parser as _;

    fn decl(text: &str) -> Pair<'_, Rule> {
        match CapolParser::parse(Rule::declaration, text)
            .ok()
            .and_then(|mut p| p.next())
        {
            Some(p) => p,
            None => unreachable!("test input parses"),
        }
    }

    #[test]
    fn next_takes_the_rule_it_is_asked_for() {
        let mut c = Cursor::new(decl("group A = B"));
        assert_eq!(c.next(Rule::decl_kind).map(|p| p.as_str()), Ok("group"));
        assert_eq!(c.peek(), Some(Rule::decl_name));
    }

    #[test]
    fn a_wrong_rule_is_a_located_mismatch() {
        let mut c = Cursor::new(decl("group A = B"));
        let m = c.next(Rule::string).err();
        assert_eq!(
            m,
            Some(Mismatch {
                parent: Rule::declaration,
                expected: Some(Rule::string),
                found: Some(Rule::decl_kind),
                start: 0,
                end: 5,
            })
        );
    }

    #[test]
    fn finish_refuses_left_over_children() {
        let mut c = Cursor::new(decl("group A = B trusted"));
        let _ = c.many(Rule::decl_kind);
        let _ = c.next(Rule::decl_name);
        let _ = c.next_any();
        let m = c.finish().err();
        assert_eq!(m.and_then(|m| m.found), Some(Rule::kw_trusted));
        let mut c = Cursor::new(decl("group A = B"));
        for _ in 0..3 {
            let _ = c.next_any();
        }
        assert_eq!(c.finish(), Ok(()));
    }

    #[test]
    fn running_out_is_a_mismatch_at_the_end_of_the_parent() {
        let mut c = Cursor::new(decl("group A = B"));
        for _ in 0..3 {
            let _ = c.next_any();
        }
        let m = c.next(Rule::kw_trusted).err();
        assert_eq!(m.map(|m| (m.found, m.start, m.end)), Some((None, 0, 11)));
    }
}
