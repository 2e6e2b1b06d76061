//! `capol analyze`: prove the asserts of the sources over every sign-in, and report gaps,
//! redundant policies and emergency-access exposure.

use super::Exit;
use super::compile::SourceArgs;
use super::output::{self, Format};
use crate::analyze::report::{self, Input, Report};
use crate::source::SourceMap;
use crate::whatif::EvalContext;
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = "\
Asserts live in .capol files beside the policies; each is proved over every sign-in its facts
describe (no sampling), or answered with a counterexample scenario to paste into the sources:

  assert \"Break-glass is never blocked or challenged\"
      member-of group BreakGlass
      expect allow

Without asserts, analyze still reports gaps (sign-ins nothing challenges), redundant policies
and exposed emergency accounts. The method is described in docs/analyze.md.

Examples:
  capol analyze examples
  capol analyze policies/ --report-only-on      count report-only policies as enforced
  capol analyze policies/ --format json

Exit codes: 0 every assert holds, 1 an assert fails or the sources have errors, 2 usage error")]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Count report-only policies as enforced (check a set before turning it on)
    #[arg(long = "report-only-on")]
    pub report_only_on: bool,
}

fn location(sources: &SourceMap, span: crate::source::Span) -> String {
    match sources.get(span.file) {
        Some(f) => {
            let (l, col) = f.line_col(span.start);
            format!("{}:{l}:{col}", f.name)
        }
        None => String::new(),
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}\n"))
        .collect::<String>()
}

pub fn analyze(a: AnalyzeArgs) -> Exit {
    let c = match a.src.compile() {
        Ok(c) => c,
        Err(e) => return e,
    };
    let Some(policies) = c.evaluable() else {
        eprintln!("capol: the sources have errors; nothing was analysed");
        return Exit::SourceErrors;
    };
    if c.only_safety_errors() {
        eprintln!("capol: the sources have safety errors (above); analysing them as written");
    }
    let ctx = EvalContext {
        trusted_locations: c.set.trusted_locations.clone(),
        names: c.set.names_by_id.clone(),
        ..crate::suite::context(&c)
    };
    let emergency: Vec<_> = c.set.emergency.iter().map(|e| e.node.clone()).collect();
    let input = Input {
        policies: &policies,
        ctx: &ctx,
        asserts: &c.set.asserts,
        locations: c
            .set
            .asserts
            .iter()
            .map(|x| location(&c.sources, x.name.span))
            .collect(),
        emergency: &emergency,
        report_only_on: a.report_only_on,
    };
    let r = match report::analyze(&input) {
        Ok(r) => r,
        Err(e) => {
            output::error(format!("cannot analyse these policies exactly: {}", e.0));
            return Exit::SourceErrors;
        }
    };
    match a.src.format {
        Format::Json | Format::Sarif => match serde_json::to_string_pretty(&r) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                output::error(format!("internal error: {e}"));
                return Exit::SourceErrors;
            }
        },
        Format::Text => print_text(&r),
    }
    for e in &r.internal_errors {
        output::error(format!("internal error: {e}"));
    }
    let failed = r.asserts.iter().any(|x| !x.holds);
    if failed || c.has_errors() || !r.internal_errors.is_empty() {
        Exit::SourceErrors
    } else {
        Exit::Ok
    }
}

fn print_text(r: &Report) {
    if r.asserts.is_empty() {
        println!("no assert in the sources");
    }
    for x in &r.asserts {
        let status = if x.holds { "HOLDS" } else { "FAILS" };
        println!("{status} {} ({})", x.name, x.location);
        if let Some(e) = &x.error {
            println!("      cannot decide: {e}");
        }
        if let Some(cx) = &x.counterexample {
            println!("      expect {}: the outcome is {}", cx.expect, cx.outcome);
            if !cx.policies.is_empty() {
                let names: Vec<String> = cx.policies.iter().map(|p| format!("\"{p}\"")).collect();
                println!("      policies: {}", names.join(", "));
            }
            println!("      counterexample:");
            print!("{}", indent(&cx.scenario, "        "));
        }
    }
    let holds = r.asserts.iter().filter(|x| x.holds).count();
    println!(
        "\n{} asserts: {holds} hold, {} fail",
        r.asserts.len(),
        r.asserts.len() - holds
    );
    for who in ["members", "guests"] {
        let gaps: Vec<_> = r.gaps.iter().filter(|g| g.who == who).collect();
        println!(
            "\ngaps ({who}): {}",
            if gaps.is_empty() { "none" } else { "" }.trim_end()
        );
        for g in gaps {
            println!("  {}", g.summary);
            print!("{}", indent(&g.scenario, "      "));
        }
    }
    println!(
        "\nredundant policies: {}",
        if r.redundant.is_empty() { "none" } else { "" }.trim_end()
    );
    for x in &r.redundant {
        if x.covered_by.is_empty() {
            println!("  \"{}\": applies to no sign-in, or changes none", x.policy);
        } else {
            let names: Vec<String> = x.covered_by.iter().map(|p| format!("\"{p}\"")).collect();
            println!("  \"{}\": covered by {}", x.policy, names.join(", "));
        }
    }
    println!(
        "\nemergency access: {}",
        if r.emergency.is_empty() {
            "none declared"
        } else {
            ""
        }
        .trim_end()
    );
    for e in &r.emergency {
        if e.exposed {
            let names: Vec<String> = e.policies.iter().map(|p| format!("\"{p}\"")).collect();
            println!("  {}: EXPOSED by {}", e.principal, names.join(", "));
            if let Some(s) = &e.scenario {
                print!("{}", indent(s, "      "));
            }
        } else {
            println!("  {}: never blocked or challenged", e.principal);
        }
    }
}
