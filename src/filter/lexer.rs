//! The tokens of a filter rule.
//!
//! In: the rule text. Out: [`Token`]s with byte offsets into it, and a [`FilterError`] for every
//! character that cannot start a token (an unterminated string, a stray `=` or `&&`, a typographic
//! dash copied from a web page).

use super::FilterError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// An attribute name, a bare value (`True`, `null`) or an operator written without its hyphen.
    Word(String),
    /// A hyphenated word: `-eq`, `-and`, `-not`. Holds the text after the hyphen.
    Dash(String),
    /// A quoted string, escapes resolved.
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token as the user wrote it, for messages.
    pub fn text<'a>(&self, rule: &'a str) -> &'a str {
        rule.get(self.start..self.end).unwrap_or("")
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '$')
}

/// The tokens of a rule and the lexical errors in it.
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub errors: Vec<FilterError>,
    /// Some text could not become a token, so the parser's syntax errors would only repeat it.
    pub dropped: bool,
}

/// Split a rule into tokens. Lexical errors are collected; the tokens around them are kept so
/// that the parser can still report what else is wrong.
pub fn lex(rule: &str) -> Lexed {
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    let mut dropped = false;
    let mut chars = rule.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let single = |tok| Token {
            tok,
            start,
            end: start + c.len_utf8(),
        };
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(single(Tok::LParen)),
            ')' => tokens.push(single(Tok::RParen)),
            '[' => tokens.push(single(Tok::LBracket)),
            ']' => tokens.push(single(Tok::RBracket)),
            ',' => tokens.push(single(Tok::Comma)),
            '"' | '\'' => {
                let (token, error) = string(rule, start, c, &mut chars);
                dropped |= token.is_none();
                tokens.extend(token);
                errors.extend(error);
            }
            '-' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_alphanumeric() {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let word = &rule[start + c.len_utf8()..end];
                if word.is_empty() {
                    dropped = true;
                    errors.push(FilterError::new(start, end, "stray `-`").with_help(
                        "operators are written as one word after a hyphen, such as `-eq` or `-and`",
                    ));
                    continue;
                }
                if c != '-' {
                    errors.push(
                        FilterError::new(
                            start,
                            start + c.len_utf8(),
                            "typographic dash in an operator",
                        )
                        .with_help(format!("write a plain hyphen: `-{word}`")),
                    );
                }
                tokens.push(Token {
                    tok: Tok::Dash(word.to_string()),
                    start,
                    end,
                });
            }
            c if is_word_char(c) => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if !is_word_char(d) {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                tokens.push(Token {
                    tok: Tok::Word(rule[start..end].to_string()),
                    start,
                    end,
                });
            }
            other => {
                let mut end = start + other.len_utf8();
                let next = chars.peek().map(|&(_, d)| d);
                let two = next.map(|d| format!("{other}{d}"));
                let help = match two.as_deref() {
                    Some("==") => Some("write `-eq`"),
                    Some("!=") => Some("write `-ne`"),
                    Some("&&") => Some("write `-and`"),
                    Some("||") => Some("write `-or`"),
                    _ => match other {
                        '=' => Some("write `-eq`"),
                        '!' => Some("write `-not`, or `-ne` for not equal"),
                        '&' => Some("write `-and`"),
                        '|' => Some("write `-or`"),
                        _ => None,
                    },
                };
                if matches!(two.as_deref(), Some("==" | "!=" | "&&" | "||"))
                    && let Some((i, d)) = chars.next()
                {
                    end = i + d.len_utf8();
                }
                let mut e =
                    FilterError::new(start, end, format!("unexpected `{}`", &rule[start..end]));
                e.help = help.map(str::to_string);
                errors.push(e);
                dropped = true;
            }
        }
    }
    Lexed {
        tokens,
        errors,
        dropped,
    }
}

/// A quoted string starting at `start`. Double-quoted strings escape with a backtick (`` `" ``),
/// as Entra's rule syntax does; single-quoted strings double the quote (`''`).
fn string(
    rule: &str,
    start: usize,
    quote: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> (Option<Token>, Option<FilterError>) {
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if quote == '\'' && chars.peek().map(|&(_, d)| d) == Some('\'') {
                chars.next();
                value.push('\'');
                continue;
            }
            return (
                Some(Token {
                    tok: Tok::Str(value),
                    start,
                    end: i + 1,
                }),
                None,
            );
        }
        if c == '`' && quote == '"' {
            if let Some((_, d)) = chars.next() {
                value.push(d);
            }
            continue;
        }
        value.push(c);
    }
    let error = FilterError::new(start, rule.len(), "unterminated string")
        .with_help(format!("close the string with `{quote}`"));
    (None, Some(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(rule: &str) -> Vec<Tok> {
        lex(rule).tokens.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn a_comparison() {
        assert_eq!(
            toks(r#"device.trustType -eq "ServerAD""#),
            [
                Tok::Word("device.trustType".into()),
                Tok::Dash("eq".into()),
                Tok::Str("ServerAD".into())
            ]
        );
    }

    #[test]
    fn offsets_are_bytes_into_the_rule() {
        let Lexed { tokens, errors, .. } = lex(r#"(device.model -in ["é", 'b'])"#);
        assert!(errors.is_empty());
        let spans: Vec<(usize, usize)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(
            spans,
            [
                (0, 1),
                (1, 13),
                (14, 17),
                (18, 19),
                (19, 23),
                (23, 24),
                (25, 28),
                (28, 29),
                (29, 30)
            ]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(toks(r#""say `"hi`"""#), [Tok::Str(r#"say "hi""#.into())]);
        assert_eq!(toks("'it''s'"), [Tok::Str("it's".into())]);
    }

    #[test]
    fn unterminated_string() {
        let Lexed {
            errors, dropped, ..
        } = lex(r#"device.model -eq "Surface"#);
        assert!(dropped);
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].start, errors[0].end), (17, 25));
        assert_eq!(errors[0].message, "unterminated string");
    }

    #[test]
    fn c_style_operators_get_help() {
        let errors = lex(r#"device.model == "x" && device.model != "y""#).errors;
        let got: Vec<(usize, usize, Option<&str>)> = errors
            .iter()
            .map(|e| (e.start, e.end, e.help.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (13, 15, Some("write `-eq`")),
                (20, 22, Some("write `-and`")),
                (36, 38, Some("write `-ne`"))
            ]
        );
    }

    #[test]
    fn typographic_dash() {
        let Lexed {
            tokens,
            errors,
            dropped,
        } = lex("device.model \u{2013}eq \"x\"");
        assert!(!dropped);
        assert_eq!(tokens[1].tok, Tok::Dash("eq".into()));
        assert_eq!((errors[0].start, errors[0].end), (13, 16));
        assert_eq!(
            errors[0].help.as_deref(),
            Some("write a plain hyphen: `-eq`")
        );
    }

    #[test]
    fn stray_hyphen() {
        let errors = lex("device.model - \"x\"").errors;
        assert_eq!(
            (errors[0].start, errors[0].end, errors[0].message.as_str()),
            (13, 14, "stray `-`")
        );
    }
}
