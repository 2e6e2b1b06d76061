//! Writing diagnostics (ariadne text, JSON or SARIF) and messages to stderr.
//!
//! In: diagnostics, the chosen [`Format`] and the `--color` choice. Out: bytes on stderr; in the
//! machine formats nothing but the one JSON document.

use crate::diag::{Diagnostic, render, sarif};
use crate::source::SourceMap;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

/// How diagnostics are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: ariadne reports, coloured on a terminal unless NO_COLOR is set.
    #[default]
    Text,
    /// For machines: one JSON array on stderr, every label included, nothing else.
    Json,
    /// For code scanning in CI: one SARIF 2.1.0 log on stderr, nothing else.
    Sarif,
}

impl Format {
    /// JSON or SARIF: stderr carries one JSON document and no summary line.
    pub fn is_machine(self) -> bool {
        self != Format::Text
    }
}

/// When to colour the text output (`--color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When stderr is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Whatever stderr is (for CI logs that render colour)
    Always,
    /// Plain text
    Never,
}

static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Record the `--color` choice for the rest of the run (the first call wins).
pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

pub fn use_color() -> bool {
    match COLOR.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// Write every diagnostic to stderr in the chosen format.
pub fn emit_diagnostics(ds: &[Diagnostic], sources: &SourceMap, format: Format) {
    let mut err = std::io::stderr().lock();
    match format {
        Format::Text => {
            let color = use_color();
            for d in ds {
                let _ = err.write_all(render::render(d, sources, color).as_bytes());
            }
        }
        Format::Json => {
            let v = render::to_json_all(ds, sources);
            let _ = writeln!(
                err,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            );
        }
        Format::Sarif => {
            let v = sarif::to_sarif(ds, sources);
            let _ = writeln!(
                err,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            );
        }
    }
}

/// "error: …" on stderr, for problems that are not about a source.
pub fn error(msg: impl std::fmt::Display) {
    eprintln!("error: {msg}");
}
