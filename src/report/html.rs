//! The report as one self-contained HTML page: inline CSS, no script, no external resource
//! (a Content-Security-Policy forbids any), readable printed.
//!
//! In: a [`Report`]. Out: the page's text.

use super::{Cell, Level, Report};
use std::fmt::Write;

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with `backticked` parts as code.
fn rich(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.meta, .loc, small { color: var(--muted); }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: #f6f8fa; padding: 0 3px; border-radius: 3px; }
table.matrix { border-collapse: collapse; margin: 8px 0; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
table.matrix thead th { font-weight: 600; max-width: 140px; }
table.matrix tbody th { text-align: left; font-weight: 600; min-width: 160px; max-width: 300px; }
table.matrix td { min-width: 90px; }
table.matrix td b { display: block; font-weight: 600; }
table.matrix td a { color: inherit; }
table.matrix td .cond { display: block; font-size: 12px; padding: 0 3px; margin: 2px 0; border-radius: 3px; }
.l0 { background: #ffffff; }
.l1 { background: #ddf4ff; }
.l2 { background: #fff1c2; }
.l3 { background: #ffd8a8; }
.l4 { background: #b7ebc0; }
.l5 { background: #ffc1c0; }
.legend span { display: inline-block; border: 1px solid var(--line); padding: 1px 8px; margin: 0 6px 4px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 10px 12px; break-inside: avoid; }
.card.l1 { border-left-color: #54aeff; } .card.l2 { border-left-color: #d4a72c; } .card.l3 { border-left-color: #fb8f44; }
.card.l4 { border-left-color: #2da44e; } .card.l5 { border-left-color: #cf222e; }
.card { background: #fff; }
.card h3 { font-size: 15px; margin: 0 0 6px; }
.card dl { display: grid; grid-template-columns: 80px 1fr; gap: 2px 8px; margin: 0; }
.card dt { color: var(--muted); }
.card dd { margin: 0; }
.state { float: right; font-size: 12px; border-radius: 10px; padding: 0 8px; border: 1px solid var(--line); }
.state.On { background: #dafbe1; } .state.Report-only { background: #fff8c5; } .state.Off { background: #eaeef2; }
ul.findings li { margin-bottom: 4px; }
@media print { body { margin: 0; } .cards { display: block; } .card { margin-bottom: 8px; } a { text-decoration: none; } }
"#;

fn short(name: &str) -> &str {
    match name.split_whitespace().next() {
        Some(first) if first.chars().any(|c| c.is_ascii_digit()) => first,
        _ => name,
    }
}

fn cell(c: &Cell) -> String {
    let mut s = String::new();
    let _ = write!(s, "<b>{}</b>", escape(c.level.label()));
    if let Some(l) = c.conditional {
        let _ = write!(
            s,
            "<span class=\"cond {}\">* {} under conditions</span>",
            l.class(),
            escape(l.label())
        );
    }
    let links: Vec<String> = c
        .enforced
        .iter()
        .map(|r| {
            format!(
                "<a href=\"#{}\" title=\"{}\">{}</a>",
                escape(&r.slug),
                escape(&r.name),
                escape(short(&r.name))
            )
        })
        .collect();
    if !links.is_empty() {
        let _ = write!(s, "<small>{}</small>", links.join(", "));
    }
    if let Some(top) = c.report_only.iter().map(|r| r.level).max() {
        let names: Vec<String> = c
            .report_only
            .iter()
            .map(|r| {
                format!(
                    "<a href=\"#{}\" title=\"{}\">{}</a>",
                    escape(&r.slug),
                    escape(&r.name),
                    escape(short(&r.name))
                )
            })
            .collect();
        let _ = write!(
            s,
            "<br><small>report-only: {} ({})</small>",
            escape(top.label()),
            names.join(", ")
        );
    }
    s
}

pub fn render(r: &Report) -> String {
    let mut h = String::new();
    let on = r.cards.iter().filter(|c| c.state == "On").count();
    let ro = r.cards.iter().filter(|c| c.state == "Report-only").count();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&r.title)
    );
    let _ = write!(
        h,
        "<h1>{}</h1>\n<p class=\"meta\">{} policies: {on} on, {ro} report-only, {} off. Generated by capol report from the sources; every item names the file and line it comes from.</p>\n",
        escape(&r.title),
        r.cards.len(),
        r.cards.len() - on - ro
    );
    // The matrix.
    h.push_str("<h2 id=\"matrix\">Who needs what, for which app</h2>\n");
    h.push_str("<p class=\"legend\">");
    for l in Level::ALL {
        let _ = write!(
            h,
            "<span class=\"{}\">{}</span>",
            l.class(),
            escape(l.label())
        );
    }
    h.push_str("<br><small>The strongest requirement of the enforced policies for a sign-in by a user in that row's principal (only) to that column's app. The colour is what holds on every sign-in; * marks a stronger requirement that applies only under a policy's conditions (platform, location, client, risk, device, flow). Report-only policies are listed but change nothing yet.</small></p>\n");
    h.push_str("<table class=\"matrix\" id=\"matrix-table\">\n<thead><tr><th></th>");
    for c in &r.matrix.columns {
        let _ = write!(h, "<th scope=\"col\">{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (row, cells) in r.matrix.rows.iter().zip(&r.matrix.cells) {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", escape(row));
        for c in cells {
            let _ = write!(
                h,
                "<td class=\"{}\" data-level=\"{}\">{}</td>",
                c.level.class(),
                c.level.class(),
                cell(c)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    // Findings.
    h.push_str("<h2 id=\"findings\">Findings</h2>\n");
    if r.findings.is_empty() {
        h.push_str("<p>No finding: capol check reports no warning.</p>\n");
    } else {
        h.push_str("<ul class=\"findings\">\n");
        for f in &r.findings {
            let loc = f
                .location
                .as_ref()
                .map(|l| format!(" <span class=\"loc\">{}</span>", escape(&l.to_string())))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<li><b>{}</b> <code>{}</code> {}{loc}</li>",
                escape(f.section),
                escape(&f.code),
                rich(&f.message)
            );
        }
        h.push_str("</ul>\n");
    }
    // Cards.
    h.push_str("<h2 id=\"policies\">Policies</h2>\n<div class=\"cards\">\n");
    for c in &r.cards {
        let _ = write!(
            h,
            "<section class=\"card {}\" id=\"{}\">\n<span class=\"state {}\">{}</span><h3>{}</h3>\n",
            c.level.class(),
            escape(&c.slug),
            c.state,
            c.state,
            escape(&c.name)
        );
        if let Some(d) = &c.description {
            let _ = writeln!(h, "<p>{}</p>", escape(d));
        }
        h.push_str("<dl>\n");
        for (k, v) in [
            ("Who", &c.who),
            ("What", &c.what),
            ("When", &c.when),
            ("Requires", &c.requires),
            ("Session", &c.session),
        ] {
            let _ = writeln!(h, "<dt>{k}</dt><dd>{}</dd>", rich(v));
        }
        let _ = writeln!(
            h,
            "<dt>Source</dt><dd class=\"loc\">{}</dd>\n</dl>\n</section>",
            escape(&c.location.to_string())
        );
    }
    h.push_str("</div>\n</body>\n</html>\n");
    h
}
