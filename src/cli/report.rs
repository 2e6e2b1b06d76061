//! `capol report`: the policy set as a static HTML page and as Markdown.

use super::Exit;
use super::compile::{SourceArgs, summary};
use super::output;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = "\
Writes DIR/report.html (one self-contained page: no script, no external resource, printable)
and DIR/report.md (the same for a pull request): one card per policy in plain words, a matrix
of principals × apps coloured by the strongest requirement, the findings of the checker, and the
file and line of every item. Sources with errors are not reported.

Examples:
  capol report examples -o build/report
  capol report policies/ -o out --title \"Contoso Conditional Access\"
  capol report policies/ -o out --env prod   as environment `prod` of capol.toml deploys them
  capol report policies/ -o out --env all    one report per environment, in out/NAME/")]
pub struct ReportArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The directory to write report.html and report.md into (created if missing)
    #[arg(short = 'o', long = "out-dir", value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// The page's title
    #[arg(long, default_value = "Conditional Access policies")]
    pub title: String,
    #[command(flatten)]
    pub env: super::envs::EnvArgs,
}

pub fn report(a: ReportArgs) -> Exit {
    if !a.env.given() {
        return match a.src.compile() {
            Ok(c) => write(&c, &a.title, &a.out, a.src.format),
            Err(e) => e,
        };
    }
    let envs = match super::envs::load(&a.src) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match super::envs::select(&envs, &a.env) {
        Ok(c) => c,
        Err(x) => return x,
    };
    for e in &chosen {
        let mut c = match super::envs::compile_for(&a.src, e) {
            Ok(c) => c,
            Err(x) => return x,
        };
        // The policies as this environment deploys them: prefixed names, the mode ceiling.
        for p in &mut c.set.policies {
            if let Some(prefix) = &e.name_prefix {
                p.display_name.node = format!("{prefix}{}", p.display_name.node);
            }
            if let Some(max) = e.max_mode {
                p.state.node = crate::env::ceiling(p.state.node, max);
            }
        }
        let out = if chosen.len() == 1 {
            a.out.clone()
        } else {
            a.out.join(&e.name)
        };
        let exit = write(&c, &format!("{} ({})", a.title, e.name), &out, a.src.format);
        if exit != Exit::Ok {
            return exit;
        }
    }
    Exit::Ok
}

fn write(
    c: &crate::driver::Compilation,
    title: &str,
    dir: &std::path::Path,
    format: super::Format,
) -> Exit {
    if c.has_errors() {
        summary(c, format);
        return Exit::SourceErrors;
    }
    let r = crate::report::build(c, title);
    if let Err(e) = std::fs::create_dir_all(dir) {
        output::error(format!("cannot create `{}`: {e}", dir.display()));
        return Exit::Usage;
    }
    for (name, text) in [
        ("report.html", crate::report::html::render(&r)),
        ("report.md", crate::report::markdown::render(&r)),
    ] {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            output::error(format!("cannot write `{}`: {e}", path.display()));
            return Exit::Usage;
        }
    }
    eprintln!(
        "capol: wrote a report of {} polic{} to {}",
        r.cards.len(),
        if r.cards.len() == 1 { "y" } else { "ies" },
        dir.display()
    );
    Exit::Ok
}
