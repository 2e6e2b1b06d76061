//! What a position in a half-written file is: which clause governs it and which kind of list
//! item it is. Shared by completion and hover.
//!
//! In: the [`Word`]s of a text and a word index. Out: a [`Context`]. The scan is lexical (the
//! text need not parse): back from the position to the clause keyword, noting the kind word in
//! effect on the way.

use super::text::{Word, WordKind};
use crate::ast::TargetKind;

/// Words that open a clause, a fact or an item.
pub const CLAUSE_WORDS: &[&str] = &[
    "for",
    "exclude",
    "when",
    "require",
    "block",
    "session",
    "mode",
    "description",
    "expect",
    "member-of",
    "emergency",
    "policy",
    "scenario",
    "defaults",
    "ignore",
];

/// What governs a position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context<'t> {
    /// The clause keyword (`for`, `require`, …), `"declaration"` for a declaration's kind word,
    /// `"fact"` for a scenario fact's kind word; `None` before anything.
    pub clause: Option<&'t str>,
    /// The kind word in effect (`group`, `platform`), as written.
    pub kind: Option<&'t str>,
    /// Index of the word that gave `kind`.
    pub kind_at: Option<usize>,
    /// Whether the position is inside a `scenario` block.
    pub in_scenario: bool,
}

pub fn is_kind_word(w: &str) -> bool {
    TargetKind::from_word(w).is_some() || w == "service-principal"
}

fn on_new_line(text: &str, words: &[Word], i: usize) -> bool {
    match i.checked_sub(1).and_then(|p| words.get(p)) {
        None => true,
        Some(prev) => text
            .get(prev.end..words[i].start)
            .is_some_and(|gap| gap.contains('\n')),
    }
}

/// The context of the position just after `words[..upto]`.
pub fn context<'t>(text: &str, words: &[Word<'t>], upto: usize) -> Context<'t> {
    let upto = upto.min(words.len());
    let mut ctx = Context {
        in_scenario: words[..upto]
            .iter()
            .rev()
            .filter(|w| w.kind == WordKind::Bare)
            .find(|w| matches!(w.text, "policy" | "scenario" | "defaults"))
            .is_some_and(|w| w.text == "scenario"),
        ..Context::default()
    };
    for i in (0..upto).rev() {
        let w = &words[i];
        if w.kind != WordKind::Bare {
            continue;
        }
        if CLAUSE_WORDS.contains(&w.text) {
            ctx.clause = Some(w.text);
            return ctx;
        }
        if is_kind_word(w.text) {
            if ctx.kind.is_none() {
                ctx.kind = Some(w.text);
                ctx.kind_at = Some(i);
            }
            let prev = i.checked_sub(1).map(|p| &words[p]);
            let continues = prev.is_some_and(|p| {
                p.kind == WordKind::Comma
                    || p.kind == WordKind::Bare
                        && (matches!(p.text, "for" | "exclude" | "when" | "member-of" | "all")
                            || p.text == "emergency")
            });
            if on_new_line(text, words, i) && !continues {
                ctx.clause = Some(if ctx.in_scenario {
                    "fact"
                } else {
                    "declaration"
                });
                return ctx;
            }
        }
    }
    ctx
}

#[cfg(test)]
mod tests {
    use super::super::text::words;
    use super::*;

    fn at_end(text: &str) -> Context<'_> {
        let w = words(text);
        context(text, &w, w.len())
    }

    #[test]
    fn clause_and_kind_in_effect() {
        let c = at_end("policy \"P\"\n  for group A, B, role X,");
        assert_eq!(c.clause, Some("for"));
        assert_eq!(c.kind, Some("role"));
        let c = at_end("policy \"P\" require mfa and");
        assert_eq!(c.clause, Some("require"));
        let c = at_end("group BreakGlass");
        assert_eq!(c.clause, Some("declaration"));
        let c = at_end("scenario \"S\"\n  user a@b.c\n  platform");
        assert_eq!(c.clause, Some("fact"));
        assert!(c.in_scenario);
        let c = at_end("policy \"P\" for all users\n  exclude\n  group");
        assert_eq!(c.clause, Some("exclude"));
    }
}
