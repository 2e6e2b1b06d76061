//! `capol test`: every scenario of a compilation evaluated and its expectations checked.
//!
//! In: a [`Compilation`] without errors, an output [`Format`] and a writer. Out: the report,
//! written as it goes, and a [`Summary`]. Text output is one `PASS`/`FAIL` line per scenario and
//! the failures under it. JSON is built only for `--format json`, one scenario at a time and
//! written at once (the report of 10,000 scenarios against 200 policies is hundreds of
//! megabytes): the counts come first in the document, so a first pass counts and keeps only the
//! failures, and a second pass evaluates again and streams each scenario's entry.

use crate::cli::Format;
use crate::driver::Compilation;
use crate::source::{SourceMap, Span};
use crate::whatif::{self, EvalContext, Failure, PolicySet};
use serde_json::json;
use std::io::{self, Write};

/// How many scenarios passed and failed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
}

/// The evaluation context of a compilation: trusted locations and names for messages.
pub fn context(c: &Compilation) -> EvalContext {
    EvalContext {
        trusted_locations: c.set.trusted_locations.clone(),
        names: c.set.names_by_id.clone(),
        strengths: c.set.strengths.clone(),
    }
}

/// Text for people: ids the sources declare are shown by their declared names
/// (`strength ContosoFido`, not its id).
pub fn named(text: &str, c: &Compilation) -> String {
    let mut out = text.to_string();
    for (id, name) in &c.set.names_by_id {
        if out.contains(id.as_str()) {
            out = out.replace(id.as_str(), name);
        }
    }
    out
}

/// `file:line:column` of a span.
pub fn location(sources: &SourceMap, span: Span) -> String {
    match sources.get(span.file) {
        Some(f) => {
            let (l, col) = f.line_col(span.start);
            format!("{}:{l}:{col}", f.name)
        }
        None => String::new(),
    }
}

/// One failed expectation: the expectation as written, why, and where it stands.
type Failed = (String, Failure, String);

fn failures(c: &Compilation, sc: &crate::ir::Scenario, ev: &whatif::Evaluation) -> Vec<Failed> {
    sc.expects
        .iter()
        .filter_map(|e| {
            whatif::check(ev, &e.node)
                .err()
                .map(|f| (e.node.to_string(), f, location(&c.sources, e.span)))
        })
        .collect()
}

/// Run every scenario and write the report.
pub fn run(c: &Compilation, format: Format, out: &mut dyn Write) -> io::Result<Summary> {
    let ctx = context(c);
    let set = PolicySet::new(&c.policies, &ctx);
    match format {
        Format::Text => text(c, &set, out),
        Format::Json | Format::Sarif => json(c, &set, out),
    }
}

fn text(c: &Compilation, set: &PolicySet<'_>, out: &mut dyn Write) -> io::Result<Summary> {
    let mut summary = Summary::default();
    for sc in &c.set.scenarios {
        let ev = set.evaluate(&sc.sign_in);
        let failed = failures(c, sc, &ev);
        let status = if failed.is_empty() {
            summary.passed += 1;
            "PASS"
        } else {
            summary.failed += 1;
            "FAIL"
        };
        writeln!(
            out,
            "{status} {} ({})",
            sc.name.node,
            location(&c.sources, sc.name.span)
        )?;
        for (expect, f, at) in &failed {
            writeln!(out, "     expect {expect}  [{at}]")?;
            writeln!(out, "       {}", named(&f.to_string(), c))?;
            if !f.missing.is_empty() {
                let facts: Vec<String> = f.missing.iter().map(|m| m.to_string()).collect();
                writeln!(out, "       add to the scenario: {}", facts.join(", "))?;
            }
        }
    }
    writeln!(
        out,
        "\n{} passed, {} failed",
        summary.passed, summary.failed
    )?;
    Ok(summary)
}

/// The JSON report, byte for byte what pretty-printing the whole document as one value gives
/// (keys sorted, two-space indent), written one scenario at a time.
fn json(c: &Compilation, set: &PolicySet<'_>, out: &mut dyn Write) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let mut failed: Vec<Vec<Failed>> = Vec::with_capacity(c.set.scenarios.len());
    for sc in &c.set.scenarios {
        let f = failures(c, sc, &set.evaluate(&sc.sign_in));
        if f.is_empty() {
            summary.passed += 1;
        } else {
            summary.failed += 1;
        }
        failed.push(f);
    }
    write!(
        out,
        "{{\n  \"failed\": {},\n  \"passed\": {},\n  \"scenarios\": [",
        summary.failed, summary.passed
    )?;
    let mut buf = Vec::new();
    for (i, (sc, failures)) in c.set.scenarios.iter().zip(&failed).enumerate() {
        let ev = set.evaluate(&sc.sign_in);
        let entry = json!({
            "scenario": sc.name.node,
            "location": location(&c.sources, sc.name.span),
            "passed": failures.is_empty(),
            "failures": failures.iter().map(|(e, f, at)| json!({"expect": e, "location": at, "failure": f})).collect::<Vec<_>>(),
            "evaluation": ev,
        });
        buf.clear();
        serde_json::to_writer_pretty(&mut buf, &entry).map_err(io::Error::other)?;
        out.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        // Nested two levels deep: every line of the entry is indented by four spaces (strings
        // never hold a raw newline in JSON).
        for (j, line) in buf.split(|b| *b == b'\n').enumerate() {
            if j > 0 {
                out.write_all(b"\n    ")?;
            }
            out.write_all(line)?;
        }
    }
    if c.set.scenarios.is_empty() {
        out.write_all(b"]\n}\n")?;
    } else {
        out.write_all(b"\n  ]\n}\n")?;
    }
    Ok(summary)
}
