//! `capol check`, `capol compile` and `capol explain`.

use super::Exit;
use super::output::{self, Format};
use crate::check::{ApiVersion, Options};
use crate::diag::codes;
use crate::driver::{self, Compilation};
use clap::Args;
use std::path::PathBuf;

/// Where the sources are and how to read them.
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// .capol files or directories (every .capol file beneath is compiled together)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The lock file pinning names to tenant ids [default: capol.lock beside the first PATH]
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,
    /// The Graph API version to target; beta allows beta-only clauses such as `session cae`
    #[arg(long, value_enum, default_value = "v1.0")]
    pub api: ApiVersion,
    /// Diagnostics as text for people, JSON for tools, or SARIF for code scanning in CI
    /// (JSON and SARIF go to stderr alone: `capol check . --format sarif 2> capol.sarif`)
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

impl SourceArgs {
    /// Compile, print diagnostics; `Err(exit)` when there is nothing more to do.
    pub fn compile(&self) -> Result<Compilation, Exit> {
        let opts = Options { api: self.api };
        let c = driver::compile_paths(&self.paths, self.lock.as_deref(), &opts).map_err(|e| {
            output::error(e);
            Exit::Usage
        })?;
        output::emit_diagnostics(&c.diagnostics.items, &c.sources, self.format);
        Ok(c)
    }
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  capol check examples\n  capol check policies/ --format json")]
pub struct CheckArgs {
    #[command(flatten)]
    pub src: SourceArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  capol compile examples                 print every policy as one JSON array
  capol compile policies/ -o build/      write one <slug>.json per policy
  capol compile cae.capol --api beta     allow beta-only clauses
  capol compile policies/ --env test     as environment `test` of capol.toml deploys them
  capol compile policies/ --env all      {\"test\": [...], \"prod\": [...]}")]
pub struct CompileArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Write one pretty <slug>.json per policy into DIR instead of printing to stdout
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub env: super::envs::EnvArgs,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A diagnostic code such as E0100 or W0002
    pub code: String,
}

/// "capol: 2 errors, 1 warning; nothing compiled" (text format only: the machine formats keep
/// stderr pure JSON).
pub(super) fn summary(c: &Compilation, format: Format) {
    if format.is_machine() {
        return;
    }
    let e = c.diagnostics.error_count();
    let w = c.diagnostics.warning_count();
    if e > 0 {
        eprintln!(
            "capol: {e} error{}, {w} warning{}; nothing compiled",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        );
    }
}

pub fn check(a: CheckArgs) -> Exit {
    let c = match a.src.compile() {
        Ok(c) => c,
        Err(e) => return e,
    };
    if c.has_errors() {
        summary(&c, a.src.format);
        return Exit::SourceErrors;
    }
    if a.src.format == Format::Text {
        eprintln!(
            "capol: {} polic{} in {} file{} checked, {} warning{}",
            c.set.policies.len(),
            if c.set.policies.len() == 1 {
                "y"
            } else {
                "ies"
            },
            c.files.len(),
            if c.files.len() == 1 { "" } else { "s" },
            c.diagnostics.warning_count(),
            if c.diagnostics.warning_count() == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    Exit::Ok
}

pub fn compile(a: CompileArgs) -> Exit {
    if a.env.given() {
        return super::envs::compile(&a.src, &a.env, a.out.as_deref());
    }
    let c = match a.src.compile() {
        Ok(c) => c,
        Err(e) => return e,
    };
    if c.has_errors() {
        summary(&c, a.src.format);
        return Exit::SourceErrors;
    }
    match &a.out {
        None => match serde_json::to_string_pretty(&c.policies) {
            Ok(s) => {
                // A closed pipe (`capol compile examples | head`) is the reader's choice, not
                // an error worth a panic.
                use std::io::Write as _;
                let _ = writeln!(std::io::stdout().lock(), "{s}");
                Exit::Ok
            }
            Err(e) => {
                output::error(format!("internal error, please report: {e}"));
                Exit::Usage
            }
        },
        Some(dir) => write_dir(&c, dir),
    }
}

/// One pretty `<slug>.json` per policy in `dir`.
pub(super) fn write_dir(c: &Compilation, dir: &std::path::Path) -> Exit {
    if let Err(e) = std::fs::create_dir_all(dir) {
        output::error(format!("cannot create `{}`: {e}", dir.display()));
        return Exit::Usage;
    }
    let mut used = std::collections::HashSet::new();
    for p in &c.policies {
        let base = driver::slug(&p.display_name);
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let path = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(p).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(&path, text) {
            output::error(format!("cannot write `{}`: {e}", path.display()));
            return Exit::Usage;
        }
    }
    eprintln!(
        "capol: wrote {} polic{} to {}",
        c.policies.len(),
        if c.policies.len() == 1 { "y" } else { "ies" },
        dir.display()
    );
    Exit::Ok
}

pub fn explain(a: ExplainArgs) -> Exit {
    match codes::lookup(a.code.trim()) {
        Some(info) => {
            print!("{}", info.explanation);
            if !info.explanation.ends_with('\n') {
                println!();
            }
            Exit::Ok
        }
        None => {
            output::error(format!("unknown code `{}`", a.code));
            let near = crate::diag::did_you_mean(
                &a.code.to_uppercase(),
                codes::CODES.iter().map(|c| c.code),
            );
            if let Some(s) = crate::diag::suggestion_text(&near) {
                eprintln!("help: {s}");
            }
            let range = |w: char| {
                let mut of: Vec<&str> = codes::CODES
                    .iter()
                    .map(|c| c.code)
                    .filter(|c| c.starts_with(w))
                    .collect();
                of.sort_unstable();
                format!(
                    "{} … {}",
                    of.first().unwrap_or(&"?"),
                    of.last().unwrap_or(&"?")
                )
            };
            eprintln!(
                "help: the {} codes are listed in docs/errors/README.md (errors {}, warnings {})",
                codes::CODES.len(),
                range('E'),
                range('W')
            );
            Exit::Usage
        }
    }
}
