//! The report as Markdown, for pull requests: the matrix as a table, the findings, a section
//! per policy.
//!
//! In: a [`Report`]. Out: GitHub-flavoured Markdown.

use super::{Level, Report};
use std::fmt::Write;

fn cell_text(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn marker(l: Level) -> &'static str {
    match l {
        Level::Nothing => "·",
        Level::App => "app",
        Level::Mfa => "MFA",
        Level::Passwordless => "passwordless",
        Level::PhishingResistant => "phishing-resistant",
        Level::Block => "**block**",
    }
}

pub fn render(r: &Report) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# {}\n", r.title);
    let on = r.cards.iter().filter(|c| c.state == "On").count();
    let ro = r.cards.iter().filter(|c| c.state == "Report-only").count();
    let _ = writeln!(
        m,
        "{} policies: {on} on, {ro} report-only, {} off.\n",
        r.cards.len(),
        r.cards.len() - on - ro
    );
    let _ = writeln!(m, "## Who needs what, for which app\n");
    let _ = writeln!(
        m,
        "The strongest requirement of the enforced policies on every sign-in; `*`: a stronger requirement under a policy's conditions; report-only policies in parentheses.\n"
    );
    let _ = write!(m, "| |");
    for c in &r.matrix.columns {
        let _ = write!(m, " {} |", cell_text(c));
    }
    let _ = write!(m, "\n|---|");
    for _ in &r.matrix.columns {
        let _ = write!(m, "---|");
    }
    m.push('\n');
    for (row, cells) in r.matrix.rows.iter().zip(&r.matrix.cells) {
        let _ = write!(m, "| {} |", cell_text(row));
        for c in cells {
            let star = c
                .conditional
                .map(|l| format!(", {}\\*", marker(l)))
                .unwrap_or_default();
            let ro = c
                .report_only
                .iter()
                .map(|x| x.level)
                .max()
                .filter(|l| *l > c.level)
                .map(|l| format!(" ({})", marker(l)))
                .unwrap_or_default();
            let _ = write!(m, " {}{star}{ro} |", marker(c.level));
        }
        m.push('\n');
    }
    let _ = writeln!(m, "\n## Findings\n");
    if r.findings.is_empty() {
        let _ = writeln!(m, "No finding.");
    }
    for f in &r.findings {
        let loc = f
            .location
            .as_ref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let _ = writeln!(m, "- **{}** `{}` {}{loc}", f.section, f.code, f.message);
    }
    let _ = writeln!(m, "\n## Policies");
    for c in &r.cards {
        let _ = writeln!(m, "\n### {}\n", c.name);
        if let Some(d) = &c.description {
            let _ = writeln!(m, "{d}\n");
        }
        let _ = writeln!(m, "- **State:** {}", c.state);
        let _ = writeln!(m, "- **Who:** {}", c.who);
        let _ = writeln!(m, "- **What:** {}", c.what);
        let _ = writeln!(m, "- **When:** {}", c.when);
        let _ = writeln!(m, "- **Requires:** {}", c.requires);
        let _ = writeln!(m, "- **Session:** {}", c.session);
        let _ = writeln!(m, "- **Source:** `{}`", c.location);
    }
    m
}
