//! Helpers for the compiler's tests (examples, diagnostics, CLI, schema): paths, compiling the
//! examples as the CLI does, running the binary, rendering diagnostics the way users see them.

#![allow(dead_code)] // helpers used by some modules only

use capol::check::Options;
use capol::diag::render;
use capol::driver::{self, Compilation};
use std::path::{Path, PathBuf};

/// The package root (integration tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `examples`, relative, so that file names in diagnostics read as they do on the command line.
pub fn examples_dir() -> PathBuf {
    PathBuf::from("examples")
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from("tests").join("fixtures")
}

pub fn diagnostics_dir() -> PathBuf {
    fixtures_dir().join("diagnostics")
}

/// Every `.capol` file directly in `dir`, sorted.
pub fn capol_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "capol"))
        .collect();
    files.sort();
    files
}

/// Compile the examples directory, as `capol compile examples` does.
pub fn compile_examples() -> Compilation {
    match driver::compile_paths(&[examples_dir()], None, &Options::default()) {
        Ok(c) => c,
        Err(e) => panic!("examples do not load: {e}"),
    }
}

/// In-memory sources through the whole pipeline.
pub fn compile(files: &[(&str, &str)]) -> Compilation {
    driver::compile_str(files, None, &Options::default())
}

/// The examples' declarations, for tests that compile a policy against them.
pub fn names_source() -> String {
    read(&examples_dir().join("names.capol"))
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every diagnostic rendered without colour, as `NO_COLOR=1 capol check` prints it.
pub fn rendered(c: &Compilation) -> String {
    c.diagnostics
        .items
        .iter()
        .map(|d| render::render(d, &c.sources, false))
        .collect::<Vec<_>>()
        .join("")
}

/// `(code, line, column)` of every diagnostic's primary label (0:0 when it has none).
pub fn located(c: &Compilation) -> Vec<(&'static str, usize, usize)> {
    c.diagnostics
        .items
        .iter()
        .map(|d| {
            match d
                .primary
                .as_ref()
                .and_then(|l| c.sources.get(l.span.file).map(|f| f.line_col(l.span.start)))
            {
                Some((line, col)) => (d.code, line, col),
                None => (d.code, 0, 0),
            }
        })
        .collect()
}

/// The codes of every diagnostic, in order.
pub fn codes(c: &Compilation) -> Vec<&'static str> {
    c.diagnostics.items.iter().map(|d| d.code).collect()
}

/// The file name capol writes a policy to with `compile -o`: `CA001 Require MFA` →
/// `ca001-require-mfa`.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for ch in name.chars() {
        if ch.is_alphanumeric() {
            s.extend(ch.to_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

/// The real binary, with colour off and nothing inherited that could change its output.
pub fn capol() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_capol"));
    cmd.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "100")
        .current_dir(root());
    cmd
}

/// Trailing spaces trimmed from every line (ariadne pads labels; editors strip them).
pub fn trim_lines(s: &str) -> String {
    s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}
