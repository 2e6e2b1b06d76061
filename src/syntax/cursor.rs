//! A small cursor over a pair's children: "the next child must be rule X", "take X if next",
//! "what is left". Visitors never index children by position.

use super::Rule;
use pest::iterators::{Pair, Pairs};
use std::iter::Peekable;

pub struct Cursor<'i> {
    inner: Peekable<Pairs<'i, Rule>>,
}

impl<'i> Cursor<'i> {
    pub fn new(pair: Pair<'i, Rule>) -> Self {
        Cursor {
            inner: pair.into_inner().peekable(),
        }
    }

    /// The next child if it is `rule` (the grammar guarantees it; `None` is an internal error).
    pub fn next(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.take(rule)
    }

    /// The next child, whatever its rule.
    pub fn next_any(&mut self) -> Option<Pair<'i, Rule>> {
        self.inner.next()
    }

    /// The next child if it is `rule`; otherwise nothing is consumed.
    pub fn take(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.inner.peek().map(|p| p.as_rule()) == Some(rule) {
            self.inner.next()
        } else {
            None
        }
    }

    /// The first remaining child of `rule`, skipping others.
    pub fn find(mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.inner.find(|p| p.as_rule() == rule)
    }

    /// Every remaining child.
    pub fn rest(self) -> Peekable<Pairs<'i, Rule>> {
        self.inner
    }

    /// The last child: the value of a `keyword value` pair.
    pub fn find_value(self) -> Option<Pair<'i, Rule>> {
        self.inner.last()
    }
}
