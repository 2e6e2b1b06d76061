//! Visitors for words and values: references (`value`), quoted strings with their escapes, and
//! the classification of bare words (identifier, GUID, malformed GUID).
//!
//! In: `string`, `word` and `upn` pairs. Out: [`Ref`]s and unescaped strings, spanned.

use super::{Rule, Visitor};
use crate::ast::Ref;
use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};
use crate::symbols::is_guid;
use pest::iterators::Pair;

impl Visitor<'_> {
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

/// A bare word is a GUID, something that tries to be one, or an identifier.
pub(super) fn classify_word(w: &str) -> Ref {
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

/// The length of `text` without trailing white space and comments.
pub(super) fn token_len(text: &str) -> usize {
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
