//! A JSON reader that remembers where every value stands, so that import diagnostics point at
//! the offending value in the file.
//!
//! In: JSON text (RFC 8259; a leading BOM is the caller's business). Out: a [`JNode`] tree with
//! byte spans, or a [`JsonError`] with the offset of the problem. Object members keep their
//! order, a key given twice included (the last one counts, as for most JSON readers; the
//! importer warns about the others).

use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused (a policy is five levels deep).
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct JNode {
    pub start: usize,
    pub end: usize,
    pub value: JValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<JNode>),
    /// Members in document order: key, the key's start offset, value.
    Object(Vec<(String, usize, JNode)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub offset: usize,
}

impl JNode {
    /// The plain JSON value.
    pub fn to_value(&self) -> Value {
        match &self.value {
            JValue::Null => Value::Null,
            JValue::Bool(b) => Value::Bool(*b),
            JValue::Number(n) => Value::Number(n.clone()),
            JValue::String(s) => Value::String(s.clone()),
            JValue::Array(a) => Value::Array(a.iter().map(JNode::to_value).collect()),
            JValue::Object(m) => {
                let mut out = Map::new();
                for (k, _, v) in m {
                    out.insert(k.clone(), v.to_value());
                }
                Value::Object(out)
            }
        }
    }

    /// What kind of value this is, for messages ("an array").
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            JValue::Null => "null",
            JValue::Bool(_) => "a boolean",
            JValue::Number(_) => "a number",
            JValue::String(_) => "a string",
            JValue::Array(_) => "an array",
            JValue::Object(_) => "an object",
        }
    }
}

/// Parse a whole document.
pub fn parse(text: &str) -> Result<JNode, JsonError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'t> {
    s: &'t [u8],
    text: &'t str,
    i: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError {
            message: message.to_string(),
            offset: self.i.min(self.s.len()),
        }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<JNode, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the JSON is nested too deeply"));
        }
        let start = self.i;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JValue::String(self.string()?),
            Some(b't') => self.literal("true", JValue::Bool(true))?,
            Some(b'f') => self.literal("false", JValue::Bool(false))?,
            Some(b'n') => self.literal("null", JValue::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of the file: expected a JSON value")),
        };
        Ok(JNode {
            start,
            end: self.i,
            value,
        })
    }

    fn literal(&mut self, word: &str, v: JValue) -> Result<JValue, JsonError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.error("expected a JSON value (`true`, `false`, `null`, a number, a string, an array or an object)"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<JValue, JsonError> {
        self.i += 1;
        let mut members: Vec<(String, usize, JNode)> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(JValue::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a property name in double quotes"));
            }
            let key_at = self.i;
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after the property name"));
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, key_at, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(JValue::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JValue, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(JValue::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(JValue::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<JValue, JsonError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
            p.i > from
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        if !digits(self) {
            return Err(self.error("expected a digit"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !digits(self) {
                return Err(self.error("expected a digit after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let text = &self.text[start..self.i];
        serde_json::from_str::<Number>(text)
            .map(JValue::Number)
            .map_err(|_| JsonError {
                message: format!("`{text}` is not a number JSON can hold"),
                offset: start,
            })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .text
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.error("expected four hexadecimal digits after `\\u`"))?;
        self.i += 4;
        Ok(h)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            out.push_str(&self.text[run..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = self.peek().ok_or_else(|| self.error("unfinished escape"))?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.s[self.i..].starts_with(b"\\u") {
                                    return Err(self.error("a `\\u` surrogate must come in a pair"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("a `\\u` surrogate must come in a pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let ch = char::from_u32(code)
                                .ok_or_else(|| self.error("`\\u` escape of a lone surrogate"))?;
                            out.push(ch);
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.error("unknown escape in a string"));
                        }
                    }
                }
                Some(_) => {
                    return Err(self.error("a control character must be escaped in a string"));
                }
                None => return Err(self.error("unfinished string: expected `\"`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_spans() {
        let text = r#" {"a": [1, -2.5e3, "x\u00e9\ud83d\ude00\n"], "b": {"c": null, "d": true}} "#;
        let n = parse(text).unwrap();
        assert_eq!(n.to_value(), serde_json::from_str::<Value>(text).unwrap());
        let JValue::Object(m) = &n.value else {
            panic!()
        };
        assert_eq!(
            &text[m[0].2.start..m[0].2.end],
            r#"[1, -2.5e3, "x\u00e9\ud83d\ude00\n"]"#
        );
        assert_eq!(&text[m[1].1..m[1].1 + 3], "\"b\"");
    }

    #[test]
    fn errors_have_offsets() {
        for (text, at) in [
            ("{\"a\": 1,}", 8),
            ("[1 2]", 3),
            ("\"abc", 4),
            ("{\"a\": tru}", 6),
            ("[1] x", 4),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.offset, at, "{text}: {}", e.message);
        }
    }

    #[test]
    fn the_last_of_two_keys_counts() {
        let n = parse(r#"{"a": null, "a": 2}"#).unwrap();
        assert_eq!(n.to_value(), serde_json::json!({"a": 2}));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&text).unwrap_err().message.contains("deeply"));
    }
}
