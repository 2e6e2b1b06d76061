//! Text positions and a forgiving word scanner for the editor features.
//!
//! In: a document's text. Out: conversions between byte offsets and LSP positions (UTF-16
//! columns, as the protocol counts by default), and [`Word`]s: the words, strings and commas of
//! a text that need not parse (completion runs on half-typed clauses), comments skipped.

use lsp_types::{Position, Range};

/// Byte offset → LSP position, in UTF-16 code units.
pub fn position(text: &str, offset: usize) -> Position {
    let offset = floor_char(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// LSP position → byte offset (clamped to the line's end and the text's end).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0u32;
    for (i, ch) in text[line_start..].char_indices() {
        if ch == '\n' || units >= pos.character {
            return line_start + i;
        }
        units += ch.len_utf16() as u32;
    }
    text.len()
}

pub fn range(text: &str, start: usize, end: usize) -> Range {
    Range::new(position(text, start), position(text, end))
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// What a scanned piece of text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordKind {
    /// A bare word: keyword, name, value, GUID, UPN or number.
    Bare,
    /// A quoted string (the text keeps its quotes).
    Quoted,
    Comma,
    Equals,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word<'t> {
    pub kind: WordKind,
    pub text: &'t str,
    pub start: usize,
    pub end: usize,
}

impl Word<'_> {
    /// The name a word stands for: the text of a quoted string without its quotes.
    pub fn name(&self) -> &str {
        match self.kind {
            WordKind::Quoted => self
                .text
                .get(1..self.text.len().saturating_sub(1))
                .unwrap_or(""),
            _ => self.text,
        }
    }
}

pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '+' | '\'')
}

/// Scan `text` into words. An unterminated string runs to the end of its line.
pub fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                i = text[i..].find('\n').map_or(text.len(), |n| i + n);
            }
            b'"' | b'\'' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                    if c == b'"' && bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                if bytes.get(i - 1) == Some(&b'\n') {
                    i -= 1;
                }
                let end = floor_char(text, i);
                out.push(Word {
                    kind: WordKind::Quoted,
                    text: &text[start..end],
                    start,
                    end,
                });
            }
            b',' | b'=' => {
                out.push(Word {
                    kind: if c == b',' {
                        WordKind::Comma
                    } else {
                        WordKind::Equals
                    },
                    text: &text[i..i + 1],
                    start: i,
                    end: i + 1,
                });
                i += 1;
            }
            _ if (c as char).is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < bytes.len() && is_word_char(bytes[i] as char) {
                    i += 1;
                }
                out.push(Word {
                    kind: WordKind::Bare,
                    text: &text[start..i],
                    start,
                    end: i,
                });
            }
            _ => {
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a\n\u{1F600}b c\n";
        assert_eq!(position(text, 2), Position::new(1, 0));
        assert_eq!(position(text, 6), Position::new(1, 2));
        assert_eq!(offset(text, Position::new(1, 2)), 6);
        assert_eq!(offset(text, Position::new(1, 99)), 9);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn words_skip_comments_and_keep_strings() {
        let w = words("for group \"Break # Glass\", G1 # note\nmode on");
        let texts: Vec<&str> = w.iter().map(|w| w.text).collect();
        assert_eq!(
            texts,
            ["for", "group", "\"Break # Glass\"", ",", "G1", "mode", "on"]
        );
        assert_eq!(w[2].name(), "Break # Glass");
    }

    #[test]
    fn an_open_string_stops_at_the_line_end() {
        let w = words("description \"half\nmode on");
        assert_eq!(w[1].text, "\"half");
        assert_eq!(w[2].text, "mode");
    }
}
