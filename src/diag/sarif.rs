//! Diagnostics as a SARIF 2.1.0 log, for code scanning in CI (GitHub shows each result on the
//! pull request's lines).
//!
//! In: [`Diagnostic`]s and the [`SourceMap`] they point into. Out: one SARIF log (JSON) with one
//! run: the tool and the rules (codes) it reported, and one result per diagnostic, with the
//! primary label as its location and the secondary labels as related locations.

use super::{Diagnostic, Label, Severity, codes};
use crate::source::SourceMap;
use serde_json::{Value, json};

/// The published schema of the format written here.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log of a run of capol that reported `ds`.
pub fn to_sarif(ds: &[Diagnostic], sources: &SourceMap) -> Value {
    let mut rule_ids: Vec<&'static str> = ds.iter().map(|d| d.code).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids.iter().map(|code| rule(code)).collect();
    let results: Vec<Value> = ds
        .iter()
        .map(|d| {
            let index = rule_ids.iter().position(|c| *c == d.code).unwrap_or(0);
            result(d, index, sources)
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "capol",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://learn.microsoft.com/entra/identity/conditional-access/",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A code as a SARIF reporting descriptor: its title, and its explanation as help.
fn rule(code: &str) -> Value {
    let info = codes::lookup(code);
    let title = info.map_or(code, |i| i.title);
    let level = if code.starts_with('W') {
        "warning"
    } else {
        "error"
    };
    let mut r = json!({
        "id": code,
        "shortDescription": { "text": title },
        "defaultConfiguration": { "level": level },
    });
    if let Some(i) = info {
        r["fullDescription"] = json!({ "text": first_paragraph(i.explanation) });
        r["help"] = json!({
            "text": format!("run `capol explain {code}`"),
            "markdown": i.explanation,
        });
    }
    r
}

/// The first prose paragraph of an explanation (after its `# CODE: title` line).
fn first_paragraph(md: &str) -> String {
    md.lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn result(d: &Diagnostic, rule_index: usize, sources: &SourceMap) -> Value {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    for n in &d.notes {
        text.push_str(&format!("\nnote: {n}"));
    }
    let mut r = json!({
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": text },
    });
    if let Some(loc) = d.primary.as_ref().and_then(|l| location(l, sources, None)) {
        r["locations"] = json!([loc]);
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .enumerate()
        .filter_map(|(i, l)| location(l, sources, Some(i + 1)))
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    r
}

/// A label as a SARIF location. A file-level label (an empty span at the start) has no region.
fn location(l: &Label, sources: &SourceMap, id: Option<usize>) -> Option<Value> {
    let f = sources.get(l.span.file)?;
    let mut physical = json!({ "artifactLocation": { "uri": uri(&f.name) } });
    if l.span.end > l.span.start || l.span.start > 0 {
        let (line, column) = f.line_col(l.span.start);
        let (end_line, end_column) = f.line_col(l.span.end.max(l.span.start));
        physical["region"] = json!({
            "startLine": line,
            "startColumn": column,
            "endLine": end_line,
            "endColumn": end_column,
        });
    }
    let mut loc = json!({
        "physicalLocation": physical,
        "message": { "text": l.message },
    });
    if let Some(id) = id {
        loc["id"] = json!(id);
    }
    Some(loc)
}

/// A file name as a relative URI reference: forward slashes, no `./`, spaces and other
/// reserved characters percent-encoded.
fn uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let name = name.strip_prefix("./").unwrap_or(&name);
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
