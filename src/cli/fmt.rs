//! `capol fmt`: rewrite `.capol` files in the canonical layout, or list the ones that are not.

use super::Exit;
use super::output::{self, Format};
use crate::diag::Diagnostics;
use crate::driver;
use crate::source::SourceMap;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  capol fmt policies/            rewrite every .capol file beneath policies/
  capol fmt --check .            list the files that are not formatted; exit 1 if any

Files with syntax errors are never rewritten: their errors are printed instead.")]
pub struct FmtArgs {
    /// .capol files or directories (every .capol file beneath is formatted)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that would change, and exit 1 if there are any
    #[arg(long)]
    pub check: bool,
    /// Diagnostics as text for people or JSON for tools
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn fmt(a: FmtArgs) -> Exit {
    let files = match driver::collect_files(&a.paths) {
        Ok(f) => f,
        Err(e) => {
            output::error(e);
            return Exit::Usage;
        }
    };
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    driver::load(&files, &mut sources, &mut diags);
    let mut changed = Vec::new();
    let mut failed = diags.has_errors();
    let loaded: Vec<_> = sources
        .files()
        .map(|(id, f)| (id, f.name.clone(), f.text.clone()))
        .collect();
    for (id, name, text) in loaded {
        if diags
            .items
            .iter()
            .any(|d| d.primary.as_ref().is_some_and(|l| l.span.file == id))
        {
            continue;
        }
        match crate::fmt::format_file(id, &text) {
            Ok(out) if out == text => {}
            Ok(out) => {
                if !a.check
                    && let Err(e) = std::fs::write(&name, &out)
                {
                    output::error(format!("cannot write `{name}`: {e}"));
                    return Exit::Usage;
                }
                changed.push(name);
            }
            Err(ds) => {
                failed = true;
                diags.extend(ds.items);
            }
        }
    }
    diags.sort();
    output::emit_diagnostics(&diags.items, &sources, a.format);
    if a.check {
        for name in &changed {
            println!("{name}");
        }
    }
    let n = changed.len();
    let files_word = |n: usize| if n == 1 { "file" } else { "files" };
    if a.format == Format::Text {
        if a.check && n > 0 {
            eprintln!("capol: {n} {} would be reformatted", files_word(n));
        } else if !a.check {
            eprintln!("capol: {n} {} reformatted", files_word(n));
        }
    }
    if failed || (a.check && n > 0) {
        Exit::SourceErrors
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Exit, run};
    use clap::Parser;

    fn capol(args: &[&str]) -> Exit {
        let argv = std::iter::once("capol").chain(args.iter().copied());
        run(Cli::try_parse_from(argv).unwrap())
    }

    #[test]
    fn check_lists_and_fmt_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.capol");
        let bad = dir.path().join("b.capol");
        std::fs::write(
            &file,
            "policy \"A\"  require mfa   # why\n for all users mode on\n",
        )
        .unwrap();
        std::fs::write(&bad, "policy \"B\" for ,\n").unwrap();
        let f = file.to_str().unwrap();
        assert_eq!(capol(&["fmt", "--check", f]), Exit::SourceErrors);
        assert_eq!(capol(&["fmt", f]), Exit::Ok);
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "policy \"A\"\n    require mfa  # why\n    for all users\n    mode on\n"
        );
        assert_eq!(capol(&["fmt", "--check", f]), Exit::Ok);
        assert_eq!(capol(&["fmt", bad.to_str().unwrap()]), Exit::SourceErrors);
        assert_eq!(
            std::fs::read_to_string(&bad).unwrap(),
            "policy \"B\" for ,\n"
        );
    }
}
