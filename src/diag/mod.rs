//! Diagnostics as plain data.
//!
//! In: what a pass found wrong. Out: [`Diagnostic`] values (code, severity, located labels, help,
//! notes) that the [`render`] module turns into ariadne reports or JSON. No pass prints anything.

pub mod codes;
pub mod render;
pub mod sarif;

use crate::source::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A labelled place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in the sources (or in a file, or in the lock file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// A registered code such as `E0100` (see [`codes`]).
    pub code: &'static str,
    pub severity: Severity,
    /// One line, lower case, no final period; the user's text in backticks.
    pub message: String,
    /// The primary location, when the problem has one.
    pub primary: Option<Label>,
    /// Further locations that explain the first.
    pub secondary: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// Why it matters.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic of the code's own severity (`E…` error, `W…` warning).
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        let severity = if code.starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        };
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
    /// Turn a warning into an error or the other way round (for rules whose weight depends on
    /// context, such as the emergency-access rule on report-only policies).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A growing list of diagnostics. Passes push into it and go on; nothing bails at the first one.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| !d.is_error()).count()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Keep the first `per_code` diagnostics of each code and `total` in all (in the current
    /// order, so sort first); the rest are counted in one `W0060` at the end. One mistake
    /// repeated 4,000 times is one thing to fix, not 65 MB of output.
    pub fn cap(&mut self, per_code: usize, total: usize) {
        let mut seen: std::collections::HashMap<&'static str, usize> = Default::default();
        let mut left: std::collections::BTreeMap<&'static str, usize> = Default::default();
        let mut kept = Vec::with_capacity(self.items.len().min(total));
        for d in std::mem::take(&mut self.items) {
            let n = seen.entry(d.code).or_default();
            *n += 1;
            if *n <= per_code && kept.len() < total {
                kept.push(d);
            } else {
                *left.entry(d.code).or_default() += 1;
            }
        }
        self.items = kept;
        if left.is_empty() {
            return;
        }
        let all: usize = left.values().sum();
        let list: Vec<String> = left
            .iter()
            .map(|(code, n)| format!("{} {code}", count_text(*n)))
            .collect();
        self.items.push(
            Diagnostic::new(
                "W0060",
                format!(
                    "{} more diagnostic{} left out ({})",
                    count_text(all),
                    if all == 1 { "" } else { "s" },
                    list.join(", ")
                ),
            )
            .help("fix the ones shown and run again")
            .note(format!(
                "capol reports at most {per_code} diagnostics of one code and {total} in all"
            )),
        );
    }

    /// Errors first, then warnings; each by file and position, so that output is stable
    /// whatever order the passes ran in and a real error is never scrolled away by warnings.
    pub fn sort(&mut self) {
        self.items.sort_by_key(|d| {
            let at = d
                .primary
                .as_ref()
                .map(|l| (l.span.file, l.span.start, l.span.end))
                .unwrap_or_default();
            (d.severity, at)
        });
    }
}

/// At most this many diagnostics of one code are reported (the rest are counted in `W0060`).
pub const CAP_PER_CODE: usize = 20;
/// At most this many diagnostics are reported in all.
pub const CAP_TOTAL: usize = 200;

/// `3980` → `3,980`.
pub fn count_text(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A size for people: `512 bytes`, `12.5 KiB`, `8 MiB`.
pub fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    let unit = |n: usize, u: usize, name: &str| {
        if n.is_multiple_of(u) {
            format!("{} {name}", n / u)
        } else {
            format!("{:.1} {name}", n as f64 / u as f64)
        }
    };
    if bytes >= MIB {
        unit(bytes, MIB, "MiB")
    } else if bytes >= KIB {
        unit(bytes, KIB, "KiB")
    } else if bytes == 1 {
        "1 byte".to_string()
    } else {
        format!("{bytes} bytes")
    }
}

/// The closest candidates to `name` (Jaro-Winkler, case-insensitive), best first, at most three.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "did you mean `a`, `b` or `c`?" or nothing.
pub fn suggestion_text(found: &[&str]) -> Option<String> {
    match found {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [init @ .., last] => Some(format!(
            "did you mean {} or `{last}`?",
            init.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
