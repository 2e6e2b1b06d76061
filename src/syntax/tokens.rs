//! The significant tokens of a source and the comments between them, for the formatter.
//!
//! In: `.capol` text that parses. Out: every leaf token in order ([`Token`]) and every `#`
//! comment ([`Comment`]). The grammar drops comments (implicit `COMMENT`), so they are found in
//! the gaps between tokens, where only white space, `,`, `=` and comments can stand; a `#`
//! inside a string or a UPN is never mistaken for one.

use super::{CapolParser, Rule};
use pest::Parser as _;
use pest::iterators::Pairs;

/// What a token is, with the text that matters for comparing two layouts of one program.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// A kind word (`group`, `groups`, `apps`): the formatter may drop or normalise it.
    KindWord(String),
    /// A keyword or a declaration kind (`policy`, `for`, `member-of`, `group` in a declaration).
    Keyword(String),
    /// A bare word, GUIDs lower-cased.
    Word(String),
    Upn(String),
    Number(String),
    /// A quoted string, by its unescaped text (quote style does not matter).
    Str(String),
}

/// One leaf token and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// A `#` comment: its byte range (the `#` up to, not including, the line end) and its text with
/// trailing white space removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The tokens and comments of `text`, or `None` when it does not parse.
pub fn tokens(text: &str) -> Option<(Vec<Token>, Vec<Comment>)> {
    let pairs = CapolParser::parse(Rule::file, text).ok()?;
    Some(tokens_of(pairs, text))
}

/// The tokens and comments of `text`, from the parse tree of the whole of it.
pub(crate) fn tokens_of(pairs: Pairs<'_, Rule>, text: &str) -> (Vec<Token>, Vec<Comment>) {
    let mut out = Vec::new();
    for pair in pairs.flatten() {
        if pair.clone().into_inner().next().is_some() || pair.as_rule() == Rule::EOI {
            continue;
        }
        let s = pair.as_span();
        let raw = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::kind_word => TokenKind::KindWord(raw.to_string()),
            Rule::word => {
                if crate::symbols::is_guid(raw) {
                    TokenKind::Word(raw.to_ascii_lowercase())
                } else {
                    TokenKind::Word(raw.to_string())
                }
            }
            Rule::upn => TokenKind::Upn(raw.to_string()),
            Rule::number => TokenKind::Number(raw.to_string()),
            Rule::raw_string => TokenKind::Str(
                raw.get(1..raw.len().saturating_sub(1))
                    .unwrap_or("")
                    .to_string(),
            ),
            Rule::dq_string => TokenKind::Str(unescape(
                raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""),
            )),
            _ => TokenKind::Keyword(raw.to_string()),
        };
        out.push(Token {
            kind,
            start: s.start(),
            end: s.end(),
        });
    }
    out.sort_by_key(|t| t.start);
    let mut comments = Vec::new();
    let mut at = 0;
    for t in &out {
        scan_gap(text, at, t.start, &mut comments);
        at = t.end;
    }
    scan_gap(text, at, text.len(), &mut comments);
    (out, comments)
}

/// Find the comments in `text[from..to]`, a gap between tokens.
fn scan_gap(text: &str, from: usize, to: usize, out: &mut Vec<Comment>) {
    let Some(gap) = text.get(from..to) else {
        return;
    };
    let mut i = 0;
    while let Some(off) = gap[i..].find('#') {
        let start = i + off;
        let end = gap[start..].find('\n').map_or(gap.len(), |n| start + n);
        let body = gap[start..end].trim_end();
        out.push(Comment {
            start: from + start,
            end: from + start + body.len(),
            text: body.to_string(),
        });
        i = end;
    }
}

/// Whether `s` can be written bare and reads back as the identifier `s`: a word of the
/// grammar that is no keyword, no GUID and nothing that looks like a malformed one.
pub fn is_bare_name(s: &str) -> bool {
    let whole = CapolParser::parse(Rule::word, s)
        .ok()
        .and_then(|mut p| p.next())
        .is_some_and(|p| p.as_str().len() == s.len());
    whole && matches!(super::values::classify_word(s), crate::ast::Ref::Ident(_))
}

/// The text of a double-quoted string (without its quotes), escapes resolved. An unknown escape
/// keeps its character (the parser reports it as `E0005`).
pub fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_outside_strings_and_upns() {
        let text = "# head\ngroup A = o'brien@x.com # trail\npolicy \"a # b\" for all users # c\n";
        let (toks, comments) = tokens(text).unwrap_or_default();
        let texts: Vec<&str> = comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# head", "# trail", "# c"]);
        assert!(
            toks.iter()
                .any(|t| t.kind == TokenKind::Str("a # b".into()))
        );
        assert!(
            toks.iter()
                .any(|t| t.kind == TokenKind::Upn("o'brien@x.com".into()))
        );
        assert_eq!(&text[comments[1].start..comments[1].end], "# trail");
    }

    #[test]
    fn unescapes_double_quoted_strings() {
        assert_eq!(unescape(r#"a\"b\\c\nd"#), "a\"b\\c\nd");
    }

    #[test]
    fn bare_names() {
        for ok in ["BreakGlass", "Group1", "a.b-c", "_x", "None", "c1"] {
            assert!(is_bare_name(ok), "{ok}");
        }
        for bad in [
            "",
            "group",
            "for",
            "two words",
            "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "é",
            "-x",
            "a@b.c",
        ] {
            assert!(!is_bare_name(bad), "{bad}");
        }
    }

    #[test]
    fn does_not_parse() {
        assert!(tokens("policy").is_none());
    }
}
