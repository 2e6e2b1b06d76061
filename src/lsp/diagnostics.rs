//! The compiler's diagnostics as LSP diagnostics.
//!
//! In: an [`Analysis`]. Out: per file, `lsp_types::Diagnostic`s with the CLI's code, span,
//! message, help and notes (in the message, as the CLI prints them below it) and its secondary
//! labels as related locations.

use super::project::Analysis;
use super::{text, uri};
use crate::diag::{self, Severity};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn by_file(a: &Analysis) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    for p in &a.paths {
        out.entry(p.clone()).or_default();
    }
    for d in &a.compilation.diagnostics.items {
        // A diagnostic about no place in particular is shown at the top of the first file.
        let (file, start, end) = match &d.primary {
            Some(l) => (l.span.file, l.span.start, l.span.end),
            None => (crate::source::FileId(0), 0, 0),
        };
        let Some(path) = a.path(file) else { continue };
        let src = a.text(file);
        let mut message = d.message.clone();
        if let Some(l) = &d.primary
            && !l.message.is_empty()
        {
            message.push_str(&format!("\n{}", l.message));
        }
        if let Some(h) = &d.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        for n in &d.notes {
            message.push_str(&format!("\nnote: {n}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = d
            .secondary
            .iter()
            .filter_map(|l| {
                let p = a.path(l.span.file)?;
                Some(DiagnosticRelatedInformation {
                    location: Location::new(
                        uri::from_path(p)?,
                        text::range(a.text(l.span.file), l.span.start, l.span.end),
                    ),
                    message: l.message.clone(),
                })
            })
            .collect();
        out.entry(path.to_path_buf()).or_default().push(Diagnostic {
            range: text::range(src, start, end),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            code_description: None,
            source: Some("capol".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        });
    }
    out
}

/// The replacements a diagnostic's help offers: the names in "did you mean `a`, `b` or `c`?".
pub fn suggestions(d: &diag::Diagnostic) -> Vec<String> {
    let Some(help) = &d.help else {
        return Vec::new();
    };
    let Some(start) = help.find("did you mean ") else {
        return Vec::new();
    };
    let rest = &help[start + "did you mean ".len()..];
    let rest = &rest[..rest.find('?').unwrap_or(rest.len())];
    rest.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_read_from_the_help() {
        let d = diag::Diagnostic::new("E0100", "unknown group `BrakeGlass`")
            .help("did you mean `BreakGlass`, `Break Glass` or `X`? otherwise declare it");
        assert_eq!(suggestions(&d), ["BreakGlass", "Break Glass", "X"]);
        let none = diag::Diagnostic::new("E0100", "x").help("declare it");
        assert!(suggestions(&none).is_empty());
    }
}
