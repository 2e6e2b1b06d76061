//! The only place diagnostics meet a terminal: ariadne reports for people, JSON for machines.
//!
//! In: [`Diagnostic`]s and the [`SourceMap`] they point into. Out: text.

use super::{Diagnostic, Severity};
use crate::source::SourceMap;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use serde_json::{Value, json};

/// Render one diagnostic as an ariadne report. `color` false gives plain text (for NO_COLOR,
/// pipes and snapshots); trailing spaces are trimmed from every line.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    let Some(primary) = &d.primary else {
        return render_unlocated(d);
    };
    let Some(file) = sources.get(primary.span.file) else {
        return render_unlocated(d);
    };
    let name = file.name.clone();
    if primary.span.start == 0 && primary.span.end == 0 && d.secondary.is_empty() {
        return render_file_level(d, &name, &primary.message);
    }
    let clamp = |s: usize| s.min(file.text.len());
    let range = clamp(primary.span.start)..clamp(primary.span.end);
    let mut report = Report::build(kind, (name.clone(), range.clone()))
        .with_config(config)
        .with_code(d.code)
        .with_message(&d.message);
    let primary_color = if d.is_error() {
        Color::Red
    } else {
        Color::Yellow
    };
    // Every label, the primary first; then each file's labels in source order, so that ariadne
    // shows one group per file (it starts a new group when a label goes back up the file).
    let mut labels: Vec<(usize, std::ops::Range<usize>, &str, Color)> =
        vec![(0, range, primary.message.as_str(), primary_color)];
    let mut cache: Vec<(String, String)> = vec![(name.clone(), file.text.clone())];
    for extra in &d.secondary {
        let Some(f) = sources.get(extra.span.file) else {
            continue;
        };
        let r = extra.span.start.min(f.text.len())..extra.span.end.min(f.text.len());
        let rank = match cache.iter().position(|(n, _)| n == &f.name) {
            Some(i) => i,
            None => {
                cache.push((f.name.clone(), f.text.clone()));
                cache.len() - 1
            }
        };
        labels.push((rank, r, extra.message.as_str(), Color::Blue));
    }
    labels.sort_by_key(|(rank, r, _, _)| (*rank, r.start, r.end));
    for (rank, r, message, c) in labels {
        let mut l = Label::new((cache[rank].0.clone(), r)).with_message(message);
        if color {
            l = l.with_color(c);
        }
        report = report.with_label(l);
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    for n in &d.notes {
        report = report.with_note(n);
    }
    let mut out = Vec::new();
    let written = report.finish().write(ariadne::sources(cache), &mut out);
    if written.is_err() {
        return render_unlocated(d);
    }
    trim_lines(&String::from_utf8_lossy(&out))
}

/// A diagnostic about a whole file (empty, unreadable, too large): the file's name and the
/// label, without a source line to point into.
fn render_file_level(d: &Diagnostic, name: &str, label: &str) -> String {
    let word = match d.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut s = format!(
        "[{}] {}: {}\n   ╭─[ {name}:1:1 ]\n",
        d.code, word, d.message
    );
    if !label.is_empty() {
        s.push_str(&format!("   │ {label}\n"));
    }
    if let Some(help) = &d.help {
        s.push_str(&format!("   │ Help: {help}\n"));
    }
    for n in &d.notes {
        s.push_str(&format!("   │ Note: {n}\n"));
    }
    s.push_str("───╯\n");
    s
}

fn render_unlocated(d: &Diagnostic) -> String {
    let word = match d.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut s = format!("[{}] {}: {}\n", d.code, word, d.message);
    if let Some(help) = &d.help {
        s.push_str(&format!("  help: {help}\n"));
    }
    for n in &d.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s
}

fn trim_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A label as JSON: file, 1-based line and column (of characters), end, byte offsets, text.
fn label_json(l: &super::Label, sources: &SourceMap, primary: bool) -> Option<Value> {
    let f = sources.get(l.span.file)?;
    let (line, column) = f.line_col(l.span.start);
    let (end_line, end_column) = f.line_col(l.span.end);
    Some(json!({
        "file": f.name,
        "line": line,
        "column": column,
        "endLine": end_line,
        "endColumn": end_column,
        "start": l.span.start,
        "end": l.span.end,
        "label": l.message,
        "primary": primary,
    }))
}

/// One diagnostic as a JSON object: code, severity, message, the primary `location` (file,
/// line, column, span in byte offsets, label), every label including the secondary ones
/// (`labels`, the primary first), help and notes.
pub fn to_json(d: &Diagnostic, sources: &SourceMap) -> Value {
    let loc = d.primary.as_ref().and_then(|l| {
        let mut v = label_json(l, sources, true)?;
        if let Some(o) = v.as_object_mut() {
            o.remove("primary");
        }
        Some(v)
    });
    let labels: Vec<Value> = d
        .primary
        .iter()
        .map(|l| (l, true))
        .chain(d.secondary.iter().map(|l| (l, false)))
        .filter_map(|(l, primary)| label_json(l, sources, primary))
        .collect();
    json!({
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "location": loc,
        "labels": labels,
        "help": d.help,
        "notes": d.notes,
    })
}

/// Every diagnostic, as a JSON array.
pub fn to_json_all(ds: &[Diagnostic], sources: &SourceMap) -> Value {
    Value::Array(ds.iter().map(|d| to_json(d, sources)).collect())
}
