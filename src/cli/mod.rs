//! The command line: one clap `Args` struct and handler per subcommand, and honest exit codes.
//!
//! In: `argv`. Out: data on stdout, diagnostics and progress on stderr, an [`ExitCode`].

mod analyze;
mod compile;
mod completions;
mod envs;
mod fmt;
mod import;
mod init;
mod list;
mod lsp;
mod output;
#[cfg(feature = "tenant")]
mod plan_impact;
#[cfg(feature = "tenant")]
mod progress;
mod promote;
mod report;
#[cfg(feature = "tenant")]
mod self_lockout;
mod signins;
#[cfg(feature = "tenant")]
mod tenant;
#[cfg(feature = "tenant")]
mod tenant_envs;
#[cfg(feature = "tenant")]
mod tenant_envs_read;
#[cfg(feature = "tenant")]
mod trust;
mod whatif;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub use output::Format;

/// capol exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success (warnings allowed).
    Ok = 0,
    /// The sources have errors.
    SourceErrors = 1,
    /// Bad command line, missing paths, unwritable output.
    Usage = 2,
    /// Authentication, network or tenant failure.
    Tenant = 3,
    /// `plan --detailed-exitcode`: the plan has changes (exit code 2, as Terraform's).
    PlanHasChanges = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::PlanHasChanges => ExitCode::from(2),
            e => ExitCode::from(e as u8),
        }
    }
}

const ABOUT: &str = "Compile Microsoft Entra Conditional Access policy as code";

const LONG_ABOUT: &str = "\
capol compiles short, readable .capol policy files into the exact Microsoft Graph JSON of
Conditional Access policies, checks them against Graph's rules before anything reaches a tenant,
and deploys them safely.

  require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only

Start with `capol compile examples`. Every diagnostic has a code: `capol explain E0100`.";

const AFTER_HELP: &str = "\
Exit codes:
  0  success (warnings allowed)
  1  the sources have errors
  2  usage error: bad arguments, missing paths, unwritable output
  3  authentication, network or tenant failure
  With `plan --detailed-exitcode`: 0 no changes, 2 changes, 1 or 3 an error";

#[derive(Parser, Debug)]
#[command(name = "capol", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour the diagnostics: auto (on a terminal, unless NO_COLOR is set), always or never
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: output::ColorChoice,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check sources for errors and warnings without writing anything
    Check(compile::CheckArgs),
    /// Compile sources to Microsoft Graph policy JSON
    Compile(compile::CompileArgs),
    /// Print the long explanation of a diagnostic code (E0100, W0002, …)
    Explain(compile::ExplainArgs),
    /// Run every scenario in the sources against the compiled policies, offline
    Test(whatif::TestArgs),
    /// Evaluate one sign-in described by flags against the compiled policies, offline
    #[command(name = "what-if")]
    WhatIf(Box<whatif::WhatIfArgs>),
    /// Prove the asserts over every sign-in; report gaps, redundant policies, emergency access
    Analyze(analyze::AnalyzeArgs),
    /// Rewrite .capol files in the canonical layout (comments kept)
    Fmt(fmt::FmtArgs),
    /// Turn Microsoft Graph policy JSON into .capol source
    Import(import::ImportArgs),
    /// Run the language server for editors (LSP over stdio)
    Lsp(lsp::LspArgs),
    /// Write a readable HTML and Markdown report of the policies
    Report(report::ReportArgs),
    /// Replay sign-in logs against the policies: who each would block or challenge
    Impact(Box<signins::ImpactArgs>),
    /// Turn report-only policies on in their source, with evidence from the sign-in logs
    Promote(Box<promote::PromoteArgs>),
    /// List the built-in apps, roles, strengths and user actions, with their ids
    List(list::ListArgs),
    /// Start a project: names.capol, the seed policy and a scenario, ready to check and test
    Init(init::InitArgs),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(completions::CompletionsArgs),
    /// Look the names the sources use up in the tenant and pin them in capol.lock
    #[cfg(feature = "tenant")]
    Resolve(tenant::ResolveArgs),
    /// Show what a deploy would change in the tenant
    #[cfg(feature = "tenant")]
    Plan(tenant::PlanArgs),
    /// Deploy the policies to the tenant, after confirmation
    #[cfg(feature = "tenant")]
    Deploy(tenant::DeployArgs),
}

/// Parse the command line and run it.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Ok.into()
                }
                // Exit code 2 would read as "changes" there.
                _ if std::env::args_os().any(|a| a == "--detailed-exitcode") => {
                    Exit::SourceErrors.into()
                }
                _ => Exit::Usage.into(),
            };
        }
    };
    run(cli).into()
}

pub fn run(cli: Cli) -> Exit {
    output::set_color(cli.color);
    match cli.command {
        Command::Check(a) => compile::check(a),
        Command::Compile(a) => compile::compile(a),
        Command::Explain(a) => compile::explain(a),
        Command::Test(a) => whatif::test(a),
        Command::WhatIf(a) => whatif::what_if(*a),
        Command::Analyze(a) => analyze::analyze(a),
        Command::Fmt(a) => fmt::fmt(a),
        Command::Import(a) => import::import(a),
        Command::Lsp(a) => lsp::lsp(a),
        Command::Report(a) => report::report(a),
        Command::Impact(a) => signins::impact(*a),
        Command::Promote(a) => promote::promote(*a),
        Command::List(a) => list::list(a),
        Command::Init(a) => init::init(a),
        Command::Completions(a) => completions::completions(a),
        #[cfg(feature = "tenant")]
        Command::Resolve(a) => tenant::resolve(a),
        #[cfg(feature = "tenant")]
        Command::Plan(a) => tenant::plan(a),
        #[cfg(feature = "tenant")]
        Command::Deploy(a) => tenant::deploy(a),
    }
}
