//! Writing diagnostics (ariadne or JSON) and messages to stderr.

use crate::diag::{Diagnostic, render};
use crate::source::SourceMap;
use std::io::{IsTerminal, Write};

/// How diagnostics are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: ariadne reports, coloured on a terminal unless NO_COLOR is set.
    #[default]
    Text,
    /// For machines: one JSON array.
    Json,
}

pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
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
    }
}

/// "error: …" on stderr, for problems that are not about a source.
pub fn error(msg: impl std::fmt::Display) {
    eprintln!("error: {msg}");
}
