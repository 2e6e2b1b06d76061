//! `capol test` (run every scenario) and `capol what-if` (one ad-hoc sign-in from flags).

use super::Exit;
use super::compile::SourceArgs;
use super::output::{self, Format};
#[cfg(feature = "tenant")]
use super::tenant::TenantArgs;
use crate::source::SourceMap;
use crate::whatif;
use clap::Args;
#[cfg(feature = "tenant")]
use serde_json::json;
use std::io::Write;

#[derive(Args, Debug)]
#[command(after_help = "\
Scenarios live in .capol files beside the policies:

  scenario \"Break-glass is never blocked\"
      user Emergency1 member-of group BreakGlass
      app AzureServiceManagement
      expect allow

Examples:
  capol test examples
  capol test policies/ --format json

Exit codes: 0 every scenario passed, 1 a scenario failed or the sources have errors, 2 usage error")]
pub struct TestArgs {
    #[command(flatten)]
    pub src: SourceArgs,
}

pub fn test(a: TestArgs) -> Exit {
    let mut c = match a.src.compile() {
        Ok(c) => c,
        Err(e) => return e,
    };
    // Safety errors (lockout, emergency access) never stop the question of what the policies
    // do: they are shown above, the scenarios run, and the exit code stays 1.
    match c.evaluable() {
        None => {
            if !a.src.format.is_machine() {
                eprintln!("capol: the sources have errors; no scenario was run");
            }
            return Exit::SourceErrors;
        }
        Some(policies) if c.only_safety_errors() => {
            eprintln!(
                "capol: the sources have safety errors (above); running the scenarios anyway"
            );
            c.policies = policies;
        }
        Some(_) => {}
    }
    if a.src.format == Format::Text && c.set.scenarios.is_empty() {
        eprintln!("capol: no scenario found");
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let summary = crate::suite::run(&c, a.src.format, &mut out).and_then(|s| {
        out.flush()?;
        Ok(s)
    });
    match summary {
        Ok(s) if s.failed > 0 || c.has_errors() => Exit::SourceErrors,
        Ok(_) => Exit::Ok,
        // A closed pipe or a full disk: nothing more can be reported on stdout.
        Err(e) => {
            output::error(format!("cannot write the report: {e}"));
            Exit::Usage
        }
    }
}

#[derive(Args, Debug)]
#[command(after_help = "\
Every fact is optional; a policy that needs a fact you did not give is reported as unknown.
Names are resolved like in the sources (declarations, capol.lock, built-in catalogues).

Examples:
  capol what-if examples --user alice@contoso.com --member-of 'role GlobalAdministrator' \\
      --app AzureServiceManagement --platform windows --client browser --location untrusted
  capol what-if examples --user Emergency1 --member-of 'group BreakGlass' --app MicrosoftOffice365Portal
  capol what-if examples --guest b2b-collaboration-guest --app SharePointOnline --format json
  capol what-if examples --user alice@contoso.com --member-of 'role GlobalAdministrator' \\
      --app AzureServiceManagement --methods 'password, microsoft-authenticator-push'
      satisfied or interrupt: whether these methods meet what the policies require
  capol what-if policies --user Emergency1 --app AzureServiceManagement --live
      and ask the tenant's own what-if (Graph), comparing policy by policy
  capol what-if policies --user alice@contoso.com --app ExchangeOnline --live --env all
      the same question to every environment of capol.toml, each with its own lock file

--live needs an identity Graph knows (a user or service principal declared or in capol.lock,
or an object id) and an app, action or context. Graph evaluates the policies in the tenant.

Exit codes:
  0  evaluated (with --live: Graph agrees on every policy compared)
  1  the sources have errors (with --live: Graph disagrees on a policy)
  2  usage error: bad flags (with --live: no resolved user, or no target)
  3  with --live: authentication, network or tenant failure")]
// The connection options are shared with the commands that write; what-if never writes.
#[cfg_attr(
    feature = "tenant",
    command(mut_arg("max_writes_per_second", |a| a.hide(true)))
)]
pub struct WhatIfArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The user: a UPN, a declared name or an object id
    #[arg(long)]
    pub user: Option<String>,
    /// Memberships, like a list in the language: `group Admins, role GlobalAdministrator` (repeatable)
    #[arg(long = "member-of", value_name = "LIST")]
    pub member_of: Vec<String>,
    /// A guest: guest types, and optionally the home tenant id (`b2b-collaboration-guest`)
    #[arg(long, value_name = "TYPES")]
    pub guest: Option<String>,
    /// A workload-identity sign-in by this service principal
    #[arg(long = "service-principal", value_name = "NAME")]
    pub service_principal: Option<String>,
    /// The app signed in to (an app name or app id)
    #[arg(long)]
    pub app: Option<String>,
    /// A user action: register-security-info or register-device
    #[arg(long)]
    pub action: Option<String>,
    /// An authentication context: c1 … c99 or a declared name
    #[arg(long)]
    pub context: Option<String>,
    /// android, ios, windows, windows-phone, macos, linux, unknown
    #[arg(long)]
    pub platform: Option<String>,
    /// browser, mobile-desktop, exchange-activesync, other
    #[arg(long)]
    pub client: Option<String>,
    /// A named location, or `untrusted` (an address in no named location)
    #[arg(long)]
    pub location: Option<String>,
    /// low, medium, high, none
    #[arg(long = "sign-in-risk")]
    pub sign_in_risk: Option<String>,
    /// low, medium, high, none
    #[arg(long = "user-risk")]
    pub user_risk: Option<String>,
    /// low, medium, high, none
    #[arg(long = "service-principal-risk")]
    pub service_principal_risk: Option<String>,
    /// none, minor, moderate, elevated
    #[arg(long = "insider-risk")]
    pub insider_risk: Option<String>,
    /// `unregistered`, or attributes as in filter rules: `trustType AzureAD, isCompliant True`
    #[arg(long)]
    pub device: Option<String>,
    /// device-code, authentication-transfer, none
    #[arg(long = "auth-flow")]
    pub auth_flow: Option<String>,
    /// The authentication methods used, one combination: `password, microsoft-authenticator-push`,
    /// `fido2`, … (Graph's method modes in kebab-case); the outcome then says satisfied or
    /// interrupt
    #[arg(long, value_name = "METHODS")]
    pub methods: Option<String>,
    /// What else the sign-in did: app-protection, approved-app, password-changed,
    /// `terms-accepted NAME` (repeatable)
    #[arg(long = "did", value_name = "FACT")]
    pub did: Vec<String>,
    /// Also ask the tenant's Graph what-if, and compare its verdict on each policy
    #[cfg(feature = "tenant")]
    #[arg(long)]
    pub live: bool,
    #[cfg(feature = "tenant")]
    #[command(flatten)]
    pub tenant: TenantArgs,
    // With --live: ask each environment of capol.toml (its lock file, tenant and name prefix).
    #[cfg(feature = "tenant")]
    #[command(flatten)]
    pub env: super::envs::EnvArgs,
}

/// A flag value as a source reference: kept as written when it is a plain word, a UPN or a
/// list; quoted otherwise.
fn value(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '+' | '\''))
        && v.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

impl WhatIfArgs {
    /// The sign-in as a scenario in the language, so that flags are checked exactly like sources.
    fn scenario(&self) -> String {
        let mut s = String::from("scenario \"what-if\"\n");
        let mut fact = |kw: &str, v: &Option<String>| {
            if let Some(v) = v {
                s.push_str(&format!("    {kw} {}\n", value(v)));
            }
        };
        fact("user", &self.user);
        fact("service-principal", &self.service_principal);
        fact("app", &self.app);
        fact("action", &self.action);
        fact("context", &self.context);
        fact("platform", &self.platform);
        fact("client", &self.client);
        fact("location", &self.location);
        fact("sign-in-risk", &self.sign_in_risk);
        fact("user-risk", &self.user_risk);
        fact("service-principal-risk", &self.service_principal_risk);
        fact("insider-risk", &self.insider_risk);
        fact("auth-flow", &self.auth_flow);
        if let Some(g) = &self.guest {
            s.push_str(&format!("    guest {g}\n"));
        }
        if let Some(d) = &self.device {
            s.push_str(&format!("    device {d}\n"));
        }
        if let Some(m) = &self.methods {
            s.push_str(&format!("    methods {m}\n"));
        }
        for d in &self.did {
            s.push_str(&format!("    {d}\n"));
        }
        for m in &self.member_of {
            let list = if m.trim_start().starts_with("group") || m.trim_start().starts_with("role")
            {
                m.clone()
            } else {
                format!("group {m}")
            };
            s.push_str(&format!("    member-of {list}\n"));
        }
        s.push_str("    expect allow\n");
        s
    }
}

/// The sources compiled with the sign-in of the flags (as a scenario, so that its names resolve
/// exactly as the policies' do and its mistakes get located diagnostics); diagnostics printed.
pub(super) struct Asked {
    pub c: crate::driver::Compilation,
    pub sign_in: whatif::SignIn,
    /// The sources have safety errors only: evaluated as written, exit 1.
    pub safety_only: bool,
}

/// Compile for the what-if with the lock file at `lock_path` (`None`: no lock file).
pub(super) fn ask(a: &WhatIfArgs, lock_path: Option<&std::path::Path>) -> Result<Asked, Exit> {
    let opts = crate::check::Options { api: a.src.api };
    let files = crate::driver::collect_files(&a.src.paths).map_err(|e| {
        output::error(e);
        Exit::Usage
    })?;
    let mut sources = SourceMap::new();
    let mut diags = crate::diag::Diagnostics::new();
    crate::driver::load(&files, &mut sources, &mut diags);
    let flags = sources.add("<what-if flags>", a.scenario());
    let lock = lock_path.and_then(|p| crate::driver::load_lock(p, &mut sources, &mut diags));
    let mut c = crate::driver::compile_sources(sources, lock.as_ref(), &opts, diags);
    let safety_only = c.only_safety_errors();
    if safety_only {
        output::emit_diagnostics(&c.diagnostics.items, &c.sources, a.src.format);
        eprintln!("capol: the sources have safety errors (above); evaluating them as written");
        c.policies = c.evaluable().unwrap_or_default();
    }
    if c.has_errors() && !safety_only {
        output::emit_diagnostics(&c.diagnostics.items, &c.sources, a.src.format);
        let in_flags = c
            .diagnostics
            .items
            .iter()
            .any(|d| d.is_error() && d.primary.as_ref().is_some_and(|l| l.span.file == flags));
        if in_flags {
            eprintln!("capol: the sign-in given by the flags has errors");
            return Err(Exit::Usage);
        }
        if !a.src.format.is_machine() {
            eprintln!("capol: the sources have errors");
        }
        return Err(Exit::SourceErrors);
    }
    let Some(sc) = c.set.scenarios.iter().find(|s| s.span.file == flags) else {
        output::error("internal error, please report: the what-if sign-in was lost");
        return Err(Exit::Usage);
    };
    let sign_in = sc.sign_in.clone();
    Ok(Asked {
        c,
        sign_in,
        safety_only,
    })
}

pub fn what_if(a: WhatIfArgs) -> Exit {
    #[cfg(feature = "tenant")]
    if a.env.given() {
        if !a.live {
            output::error("--env asks each environment's tenant: add --live");
            eprintln!("help: without --live, what-if evaluates the sources offline; drop --env");
            return Exit::Usage;
        }
        return super::tenant_envs_read::what_if_live(&a);
    }
    let lock_path = crate::driver::find_lock(&a.src.paths, a.src.lock.as_deref());
    let Asked {
        c,
        sign_in,
        safety_only,
    } = match ask(&a, lock_path.as_deref()) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let ctx = crate::suite::context(&c);
    let ev = whatif::evaluate(&c.policies, &ctx, &sign_in);
    #[cfg(feature = "tenant")]
    if a.live {
        return live(&a, &sign_in, &ev);
    }
    match a.src.format {
        Format::Text => print!("{}", crate::suite::named(&whatif::render_table(&ev), &c)),
        Format::Json | Format::Sarif => {
            println!("{}", serde_json::to_string_pretty(&ev).unwrap_or_default())
        }
    }
    if safety_only {
        Exit::SourceErrors
    } else {
        Exit::Ok
    }
}

/// `--live`: the offline table, then Graph's verdicts compared with it. A disagreement exits 1,
/// like a failed scenario.
#[cfg(feature = "tenant")]
fn live(a: &WhatIfArgs, sign_in: &whatif::SignIn, ev: &whatif::Evaluation) -> Exit {
    use whatif::live;
    let request = match live::request(sign_in) {
        Ok(r) => r,
        Err(e) => {
            output::error(e);
            return Exit::Usage;
        }
    };
    if a.src.format == Format::Text {
        print!("{}", whatif::render_table(ev));
    }
    let answer = match super::tenant::evaluate_live(&a.tenant, &a.src, &request.body) {
        Ok(answer) => answer,
        Err(e) => return e,
    };
    let cmp = live::comparison(ev, &answer);
    match a.src.format {
        Format::Text => print!("\n{}", live::render_text(&cmp, &request.notes)),
        Format::Json | Format::Sarif => {
            let mut out = serde_json::to_value(ev).unwrap_or_default();
            let mut report = serde_json::to_value(&cmp).unwrap_or_default();
            report["notes"] = json!(request.notes);
            out["live"] = report;
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    if cmp.disagreements.is_empty() {
        Exit::Ok
    } else {
        Exit::SourceErrors
    }
}
