//! The plain-text rendering of an evaluation, for `capol what-if`.
//!
//! In: an [`Evaluation`]. Out: a table with one row per policy (policy | state | verdict |
//! reason), then the outcome and the merged session controls. No colour, no terminal width
//! detection: the same evaluation always gives the same text.

use super::{Evaluation, quoted};
use std::fmt::Write;

/// Render the evaluation as a table.
pub fn render_table(ev: &Evaluation) -> String {
    let header = ["policy", "state", "verdict", "reason"];
    let rows: Vec<[String; 4]> = ev
        .results
        .iter()
        .map(|r| {
            [
                r.policy.to_string(),
                r.state_word().to_string(),
                r.verdict_word().to_string(),
                r.reason_text(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 4]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i == 3 {
                text.push_str(cell);
            } else {
                let pad = w.saturating_sub(cell.chars().count());
                let _ = write!(text, "{cell}{} | ", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    let rule = widths.map(|w| "-".repeat(w));
    line(rule.each_ref().map(String::as_str));
    for row in &rows {
        line(row.each_ref().map(String::as_str));
    }
    let _ = writeln!(out, "\noutcome: {}", ev.outcome);
    for g in &ev.grants {
        let j = &g.judgement;
        let words = |cs: &[super::Control]| {
            cs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let report_only = g.state == crate::graph::model::PolicyState::ReportOnly;
        let text = match j.outcome {
            super::judge::Verdict::Satisfied => format!("satisfied by {}", words(&j.satisfied)),
            super::judge::Verdict::Interrupt if report_only => {
                format!("would interrupt, missing {}", words(&j.missing))
            }
            super::judge::Verdict::Interrupt => format!("interrupt, missing {}", words(&j.missing)),
            super::judge::Verdict::Unknown => format!("unknown ({})", words(&j.unknown)),
        };
        let _ = writeln!(out, "grant \"{}\": {text}", g.policy);
    }
    if !ev.session.is_empty() {
        let _ = writeln!(out, "session: {}", ev.session);
    }
    if !ev.undetermined.is_empty() {
        let _ = writeln!(
            out,
            "undetermined: {} (enforced, but the sign-in lacks facts they need; the outcome leaves them out)",
            quoted(&ev.undetermined)
        );
    }
    out
}
