//! `where '…'` rules: parsed with [`crate::filter`], errors (`E0206`) pointed into the string.

use crate::diag::{Diagnostic, Diagnostics};
use crate::filter::{self, Subject};
use crate::ir::{FilterRule, Policy};
use crate::source::{SourceMap, Span};

pub fn check(p: &Policy, sources: &SourceMap, diags: &mut Diagnostics) {
    for (f, subject) in [
        (&p.device_filter, Subject::Device),
        (&p.app_filter, Subject::Application),
    ] {
        if let Some(f) = f {
            check_rule(f, subject, sources, diags);
        }
    }
}

fn check_rule(f: &FilterRule, subject: Subject, sources: &SourceMap, diags: &mut Diagnostics) {
    let Err(errors) = filter::parse(&f.rule.node, subject) else {
        return;
    };
    let raw = sources
        .get(f.rule.span.file)
        .and_then(|s| s.text.get(f.rule.span.start..f.rule.span.end))
        .unwrap_or("");
    for e in errors {
        let start = raw_offset(raw, e.start);
        let end = raw_offset(raw, e.end).max(start);
        let span = Span::new(
            f.rule.span.file,
            f.rule.span.start + start,
            f.rule.span.start + end,
        );
        let mut d = Diagnostic::new("E0206", format!("invalid filter rule: {}", e.message))
            .at(span, e.message.clone());
        d = d.help(e.help.unwrap_or_else(|| {
            "write rules in Entra's filter syntax, such as `device.trustType -eq \"ServerAD\" -and device.isCompliant -eq True`".into()
        }));
        diags.push(d);
    }
}

/// Map an offset into the unescaped rule to an offset into the literal as written (quotes
/// included): single-quoted literals are raw; double-quoted ones take `\"` and `\\`.
fn raw_offset(raw: &str, unescaped: usize) -> usize {
    if !raw.starts_with('"') {
        return (unescaped + 1).min(raw.len());
    }
    let mut seen = 0;
    let bytes = raw.as_bytes();
    let mut i = 1;
    while i < raw.len() && seen < unescaped {
        if bytes[i] == b'\\' && i + 1 < raw.len() {
            i += 2;
            seen += 1;
        } else {
            let len = raw[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            i += len;
            seen += len;
        }
    }
    i.min(raw.len())
}

#[cfg(test)]
mod tests {
    use super::raw_offset;

    #[test]
    fn maps_offsets_through_escapes() {
        assert_eq!(raw_offset("'abc'", 1), 2);
        assert_eq!(raw_offset(r#""a\"b""#, 2), 4);
    }
}
