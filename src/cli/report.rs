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
  capol report policies/ -o out --title \"Contoso Conditional Access\"")]
pub struct ReportArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The directory to write report.html and report.md into (created if missing)
    #[arg(short = 'o', long = "out-dir", value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// The page's title
    #[arg(long, default_value = "Conditional Access policies")]
    pub title: String,
}

pub fn report(a: ReportArgs) -> Exit {
    let c = match a.src.compile() {
        Ok(c) => c,
        Err(e) => return e,
    };
    if c.has_errors() {
        summary(&c);
        return Exit::SourceErrors;
    }
    let r = crate::report::build(&c, &a.title);
    if let Err(e) = std::fs::create_dir_all(&a.out) {
        output::error(format!("cannot create `{}`: {e}", a.out.display()));
        return Exit::Usage;
    }
    for (name, text) in [
        ("report.html", crate::report::html::render(&r)),
        ("report.md", crate::report::markdown::render(&r)),
    ] {
        let path = a.out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            output::error(format!("cannot write `{}`: {e}", path.display()));
            return Exit::Usage;
        }
    }
    eprintln!(
        "capol: wrote a report of {} polic{} to {}",
        r.cards.len(),
        if r.cards.len() == 1 { "y" } else { "ies" },
        a.out.display()
    );
    Exit::Ok
}
