//! `capol resolve`, `capol plan` and `capol deploy`: the commands that talk to a tenant.
//!
//! In: sources ([`SourceArgs`]), connection options ([`ConnectionArgs`]). Out: `capol.lock`, a
//! plan (text or JSON on stdout, optionally saved), writes to the tenant; progress and problems
//! on stderr; exit codes 0 ok, 1 sources, 2 usage (or a deploy not confirmed), 3 tenant, and
//! with `plan --detailed-exitcode` 2 for "the plan has changes".

use super::Exit;
use super::compile::{SourceArgs, summary};
use super::output::{self, Format};
use super::trust;
use crate::check::names::IdNames;
use crate::check::{self, Options};
use crate::deploy::{
    self, ApplyOptions, ApplyReport, EmergencyPrincipal, Plan, PlanError, PlanOptions,
    PrincipalKind, ResolveError, SavedPlan,
};
use crate::diag::Diagnostic;
use crate::driver::{self, Compilation, Unresolved};
use crate::graph::client::ApiVersion;
use crate::graph::connect::{Connection, ConnectionArgs};
use crate::graph::retry::ProgressFn;
use crate::ir::{PolicySet, Principal};
use crate::source::{SourceMap, Span};
use crate::symbols::is_guid;
use crate::symbols::lock::{LOCK_FILE_NAME, LockFile};
use clap::Args;
use serde_json::Value;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to reach the tenant, shared by every tenant command.
#[derive(Args, Debug)]
pub struct TenantArgs {
    /// Say which credential was used, and where requests go
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten, next_help_heading = "Connection")]
    pub conn: ConnectionArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  capol resolve policies/                    look every undeclared name up, write policies/capol.lock
  capol resolve policies/ --auth azure-cli --tenant contoso.onmicrosoft.com
  capol resolve a.capol b.capol --lock capol.lock
  capol resolve policies/ --env all           each environment's lock file, from its own tenant

Looked up: groups and service principals by display name, apps by their service principal's
display name, users by UPN, named locations, terms of use and authentication strengths, when
no declaration or built-in catalogue answers the name. Entries already in the lock file are
kept; the names looked up get their current ids.

Exit codes:
  0  capol.lock written (or nothing to look up)
  1  syntax errors in the sources, or a name is missing or ambiguous in the tenant
  2  usage error: bad arguments, missing paths, unwritable lock file
  3  authentication, network or tenant failure")]
pub struct ResolveArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten, next_help_heading = "Environments")]
    pub env: super::envs::EnvArgs,
    /// Instead of the lock file, write a directory snapshot to FILE: the transitive groups and
    /// directory roles of every user the sign-ins name (for `capol impact --snapshot FILE`)
    #[arg(long, value_name = "FILE", help_heading = "Directory snapshot")]
    pub snapshot: Option<PathBuf>,
    /// With --snapshot: the sign-in log whose users to look up
    #[arg(
        long = "sign-ins",
        value_name = "FILE",
        requires = "snapshot",
        help_heading = "Directory snapshot"
    )]
    pub snapshot_sign_ins: Option<PathBuf>,
    /// With --snapshot: look up the users of the tenant's sign-ins of this period (`7d`)
    #[arg(
        long,
        value_name = "DURATION",
        requires = "snapshot",
        conflicts_with = "snapshot_sign_ins",
        help_heading = "Directory snapshot"
    )]
    pub since: Option<String>,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  capol plan policies/                       what a deploy would change, field by field
  capol plan policies/ --out plan.json       and save it for `capol deploy --plan plan.json`
  capol plan policies/ --detailed-exitcode   exit 0 without changes, 2 with changes (CI)
  capol plan policies/ --format json         the plan as JSON on stdout
  capol plan policies/ --prune               also delete tenant policies no source names
  capol plan policies/ --impact              and which sign-ins' outcome changes, each with
                                             a scenario (allow → block, require mfa → allow)
  capol plan policies/ --env all --parallel 8  every environment of capol.toml, 8 at a time

Exit codes:
  0  success (with --detailed-exitcode: no changes)
  1  the sources have errors (with --detailed-exitcode: any error but a tenant one)
  2  usage error; with --detailed-exitcode: the plan has changes
  3  authentication, network or tenant failure, two tenant policies with one display name")]
pub struct PlanArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Save the plan to FILE, for `capol deploy --plan FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there are no changes, 2 when there are (1 or 3 on errors), like Terraform
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Delete tenant policies that no source names (without it, capol never deletes)
    #[arg(long)]
    pub prune: bool,
    /// Also show the classes of sign-ins whose outcome changes (allow, block, require), each
    /// with a scenario; in JSON as `impact` (see docs/analyze.md)
    #[arg(long)]
    pub impact: bool,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten, next_help_heading = "Environments")]
    pub env: super::envs::EnvArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  capol deploy policies/                          show the plan, ask, then write it
  capol deploy policies/ --yes                    without asking (CI: needed without a terminal)
  capol deploy policies/ --plan plan.json --yes   exactly a saved plan, if the tenant did not change
  capol deploy policies/ --prune --yes            also delete tenant policies no source names
  capol deploy policies/ --env test --env prod --yes   each environment, one after the other

Before the first write capol checks that the signed-in user (its groups and roles) or workload
identity keeps a way into Microsoft Graph and the admin portals (else refused, unless
--allow-self-lockout), that the emergency-access users and groups exist and that the tenant
still looks as planned. Creates and updates are written in order, deletes last; the
first failed write stops the deploy, and the output says what was written and what was not.

Exit codes:
  0  deployed, or nothing to change
  1  the sources have errors; nothing was written
  2  usage error, or not confirmed (no terminal and no --yes); nothing was written
  3  authentication, network or tenant failure; a refused deploy (stale plan, missing
     emergency account, the signed-in identity would be locked out); or a failed write")]
pub struct DeployArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Apply this saved plan (from `capol plan --out`) instead of planning again
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Deploy without asking for confirmation (required when not on a terminal)
    #[arg(long)]
    pub yes: bool,
    /// Delete tenant policies that no source names (with --plan: required exactly when the plan prunes)
    #[arg(long)]
    pub prune: bool,
    /// Deploy even if it blocks every browser and modern-client sign-in of the signed-in
    /// identity to Microsoft Graph and the admin portals (refused without it: E0252)
    #[arg(long)]
    pub allow_self_lockout: bool,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten, next_help_heading = "Environments")]
    pub env: super::envs::EnvArgs,
}

type Step<T> = Result<T, Exit>;

// ---------------------------------------------------------------------------------------------
// resolve

pub fn resolve(a: ResolveArgs) -> Exit {
    if let Some(out) = &a.snapshot {
        let evidence = super::signins::EvidenceArgs {
            sign_ins: a.snapshot_sign_ins.clone(),
            snapshot: None,
            from_tenant: false,
            since: a.since.clone(),
        };
        return super::promote::resolve_snapshot(&a.src, &a.tenant, out, &evidence);
    }
    if a.env.given() {
        return super::tenant_envs::resolve(&a);
    }
    resolve_run(&a).unwrap_or_else(|e| e)
}

fn resolve_run(a: &ResolveArgs) -> Step<Exit> {
    // Parse and check without the lock: the lock is what this command writes.
    let files = driver::collect_files(&a.src.paths).map_err(usage)?;
    let mut sources = SourceMap::new();
    let mut diags = crate::diag::Diagnostics::new();
    driver::load(&files, &mut sources, &mut diags);
    let c = driver::compile_sources(sources, None, &Options { api: a.src.api }, diags);
    let blocking: Vec<Diagnostic> = c
        .diagnostics
        .items
        .iter()
        .filter(|d| d.is_error() && hides_names(d.code))
        .cloned()
        .collect();
    if !blocking.is_empty() {
        output::emit_diagnostics(&blocking, &c.sources, a.src.format);
        output::error("fix the errors above first: capol cannot see every name in the sources");
        return Err(Exit::SourceErrors);
    }
    let wanted = driver::unresolved_names(&c.files);
    let lock_path = lock_target(&a.src.paths, a.src.lock.as_deref());
    if wanted.is_empty() {
        eprintln!("capol: every name is declared or built in; nothing to look up");
        return Ok(Exit::Ok);
    }
    let existing = match std::fs::read_to_string(&lock_path) {
        Ok(text) => Some(LockFile::parse(&text).map_err(|e| {
            output::error(format!(
                "lock file `{}` is invalid: {}",
                lock_path.display(),
                e.message
            ));
            eprintln!("help: delete it and run `capol resolve` again");
            Exit::SourceErrors
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(usage(format!("cannot read `{}`: {e}", lock_path.display())));
        }
    };
    let conn = connect(&a.tenant, a.src.api)?;
    let names: Vec<_> = wanted.iter().map(|u| (u.kind, u.name.clone())).collect();
    let looking = super::progress::phase(
        &format!(
            "looking up {} name{} in the tenant",
            names.len(),
            plural(names.len())
        ),
        None,
        a.src.format.is_machine(),
    );
    let result = runtime()?.block_on(deploy::resolve(
        &conn.client,
        &names,
        existing.clone(),
        conn.tenant.as_deref(),
    ));
    drop(looking);
    let lock = match result {
        Ok(lock) => lock,
        Err(ResolveError::Names(problems)) => {
            for p in &problems {
                output::error(p);
                if let Some(at) = wanted
                    .iter()
                    .find(|u| u.kind == p.kind && u.name == p.name)
                    .and_then(|u| where_used(u, &c.sources))
                {
                    eprintln!("  --> {at}");
                }
            }
            eprintln!(
                "capol: {} name{} could not be resolved; `{}` was not changed",
                problems.len(),
                plural(problems.len()),
                lock_path.display()
            );
            return Err(Exit::SourceErrors);
        }
        Err(e) => return Err(tenant_error(e)),
    };
    let (mut added, mut changed) = (0, 0);
    for u in &wanted {
        let Some(now) = lock.get(u.kind, &u.name) else {
            continue;
        };
        match existing.as_ref().and_then(|l| l.get(u.kind, &u.name)) {
            None => {
                added += 1;
                println!("+ {} `{}` = {}", u.kind, u.name, now.id);
            }
            Some(before) if before.id != now.id => {
                changed += 1;
                println!("~ {} `{}` = {} (was {})", u.kind, u.name, now.id, before.id);
            }
            Some(_) => {}
        }
    }
    write_file(&lock_path, &lock.to_text())?;
    eprintln!(
        "capol: wrote {}: {} name{} looked up, {added} added, {changed} changed",
        lock_path.display(),
        wanted.len(),
        plural(wanted.len()),
    );
    Ok(Exit::Ok)
}

/// Errors that leave names unseen: files that did not load or parse.
fn hides_names(code: &str) -> bool {
    matches!(
        code,
        "E0001" | "E0002" | "E0003" | "E0004" | "E0005" | "E0514" | "E0515" | "E0516"
    )
}

/// `--lock`, else `capol.lock` in the first PATH (a directory) or beside it (a file).
fn lock_target(paths: &[PathBuf], explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    let dir = match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::new(),
    };
    dir.join(LOCK_FILE_NAME)
}

/// `file:line:col` of the first use.
fn where_used(u: &Unresolved, sources: &SourceMap) -> Option<String> {
    let span: &Span = u.spans.first()?;
    let f = sources.get(span.file)?;
    let (line, col) = f.line_col(span.start);
    Some(format!("{}:{line}:{col}", f.name))
}

// ---------------------------------------------------------------------------------------------
// plan

pub fn plan(a: PlanArgs) -> Exit {
    let run = if a.env.given() && a.impact {
        output::error(
            "--impact compares one tenant with the sources: plan one environment at a time with it",
        );
        Exit::Usage
    } else if a.env.given() {
        super::tenant_envs::plan(&a)
    } else {
        plan_run(&a).unwrap_or_else(|e| e)
    };
    match run {
        // Exit code 2 means "changes" here: a usage error must not look like one.
        Exit::Usage if a.detailed_exitcode => Exit::SourceErrors,
        e => e,
    }
}

fn plan_run(a: &PlanArgs) -> Step<Exit> {
    let (c, desired) = compile(&a.src)?;
    let conn = connect(&a.tenant, a.src.api)?;
    let rt = runtime()?;
    let tenant_id = signed_in_tenant(&rt, &conn, &a.src)?;
    let tenant = rt
        .block_on(conn.client.list_policies())
        .map_err(tenant_error)?;
    let options = PlanOptions { prune: a.prune };
    let plan = deploy::plan(&desired, &tenant, &options).map_err(plan_error)?;
    let impact = if a.impact {
        Some(super::plan_impact::changes(&c, &tenant, a.prune)?)
    } else {
        None
    };
    print_plan(
        &plan,
        impact.as_deref(),
        a.src.format,
        &id_names(&a.src, &c),
    );
    if let Some(out) = &a.out {
        let saved = SavedPlan::new(
            plan.clone(),
            desired,
            options,
            conn.client.api_version().as_str(),
            tenant_id,
            trust::plan_digest(&a.src, &c, &tenant),
        );
        write_file(out, &saved.to_text())?;
        eprintln!(
            "capol: plan saved to {}; apply it with `capol deploy {} --plan {}`",
            out.display(),
            paths_text(&a.src.paths),
            out.display()
        );
    }
    Ok(if a.detailed_exitcode && !plan.is_empty() {
        Exit::PlanHasChanges
    } else {
        Exit::Ok
    })
}

fn print_plan(
    plan: &Plan,
    impact: Option<&[crate::analyze::impact::Change]>,
    format: Format,
    names: &IdNames,
) {
    use super::plan_impact;
    match format {
        Format::Text => {
            print!("{}", plan_text(plan, names));
            if let Some(i) = impact {
                print!("{}", plan_impact::text(i));
            }
        }
        Format::Json | Format::Sarif => {
            let mut v = deploy::render_json(plan);
            if let Some(i) = impact {
                v["impact"] = plan_impact::json(i);
            }
            println!("{}", pretty(&v));
        }
    }
}

fn plan_text(plan: &Plan, names: &IdNames) -> String {
    deploy::render_text_named(plan, &|id| names.get(id))
}

/// What the sources and the lock file call the ids a plan shows.
fn id_names(src: &SourceArgs, c: &Compilation) -> IdNames {
    let lock = driver::find_lock(&src.paths, src.lock.as_deref())
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| LockFile::parse(&t).ok());
    IdNames::new(&c.files, lock.as_ref())
}

// ---------------------------------------------------------------------------------------------
// deploy

pub fn deploy(a: DeployArgs) -> Exit {
    if a.env.given() {
        return super::tenant_envs::deploy(&a);
    }
    deploy_run(&a).unwrap_or_else(|e| e)
}

fn deploy_run(a: &DeployArgs) -> Step<Exit> {
    let (c, desired) = compile(&a.src)?;
    // Decide how to confirm before anything is read from the tenant; never read a pipe.
    let ask = !a.yes;
    if ask && !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        output::error("deploy needs confirmation, and there is no terminal to ask on");
        eprintln!(
            "help: pass --yes to deploy without asking (capol never reads a confirmation from a \
             pipe); `capol plan` shows what would change"
        );
        return Err(Exit::Usage);
    }
    let saved = match &a.plan {
        None => None,
        Some(path) => Some((path, trust::read_plan(path)?)),
    };
    let conn = connect(&a.tenant, a.src.api)?;
    let rt = runtime()?;
    let reading = super::progress::phase(
        "reading the tenant's policies",
        None,
        a.src.format.is_machine(),
    );
    let tenant_id = signed_in_tenant(&rt, &conn, &a.src)?;
    let tenant = rt
        .block_on(conn.client.list_policies())
        .map_err(tenant_error)?;
    drop(reading);
    let plan = match &saved {
        // Untrusted: applied only when planning now gives exactly this plan.
        Some((path, s)) => {
            let (sources_digest, lock_digest) = trust::input_digests(&a.src, &c);
            let now = deploy::trust::Now {
                desired: &desired,
                tenant: &tenant,
                tenant_id: &tenant_id,
                api_version: conn.client.api_version().as_str(),
                sources_digest,
                lock_digest,
                prune: a.prune,
            };
            deploy::trust::verify_saved(s, &now).map_err(|reasons| {
                trust::refuse(
                    "E0531",
                    format!(
                        "refusing to deploy `{}`, nothing was written: the saved plan is not what planning now gives",
                        path.display()
                    ),
                );
                for r in reasons {
                    eprintln!("  - {r}");
                }
                eprintln!("help: run `capol plan --out` again and review the new plan");
                Exit::Tenant
            })?
        }
        None => {
            deploy::plan(&desired, &tenant, &PlanOptions { prune: a.prune }).map_err(plan_error)?
        }
    };
    let json = a.src.format.is_machine();
    let text = plan_text(&plan, &id_names(&a.src, &c));
    if !json {
        print!("{text}");
    }
    if ask && (json || !std::io::stdout().is_terminal()) {
        // Whoever answers must see what they approve, wherever stdout goes.
        eprint!("{text}");
    }
    if plan.is_empty() {
        if json {
            println!("{}", pretty(&deploy_json(&plan, None)));
        }
        return Ok(Exit::Ok);
    }
    super::self_lockout::check(&rt, &conn, &c, &tenant, a.prune, a.allow_self_lockout)?;
    if ask && !confirm(&plan, &conn)? {
        eprintln!("capol: not confirmed; nothing was written");
        return Err(Exit::Usage);
    }
    let opts = ApplyOptions {
        emergency: emergency_principals(&c.set),
        lease: Some(deploy::lease::LeaseOptions::default()),
    };
    let writes = plan.actions.iter().filter(|x| x.is_write()).count();
    let deploying = super::progress::phase("deploying", Some(writes as u64), json);
    let result = rt.block_on(deploy::apply(&conn.client, &plan, &opts));
    drop(deploying);
    let report = result.map_err(tenant_error)?;
    if json {
        println!("{}", pretty(&deploy_json(&plan, Some(&report))));
    } else {
        print!("{}", report.render_text());
    }
    if report.is_complete() {
        Ok(Exit::Ok)
    } else {
        output::error(
            "deploy stopped at the first failed write (listed above with what was and was not \
             written); fix the cause and deploy again: what was written shows as unchanged",
        );
        Err(Exit::Tenant)
    }
}

/// The tenant the connection is signed in to; refuses a lock file of another tenant (`E0530`).
pub(super) fn signed_in_tenant(
    rt: &tokio::runtime::Runtime,
    conn: &Connection,
    src: &SourceArgs,
) -> Step<String> {
    let tenant_id = rt
        .block_on(deploy::connected_tenant(
            &conn.client,
            conn.tenant.as_deref(),
        ))
        .map_err(tenant_error)?;
    trust::check_lock_tenant(trust::lock_of(src).as_ref().map(|(l, _)| l), &tenant_id)?;
    Ok(tenant_id)
}

/// Asks on the terminal; only `yes` goes on.
fn confirm(plan: &Plan, conn: &Connection) -> Step<bool> {
    let target = match &conn.tenant {
        Some(t) => format!("tenant {t}"),
        None => format!("the tenant at {}", conn.graph_url),
    };
    let n = plan.creates() + plan.updates() + plan.deletes();
    eprint!(
        "Deploy {n} change{} to {target}? Only `yes` is accepted: ",
        plural(n)
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| usage(format!("cannot read the answer: {e}")))?;
    Ok(line.trim() == "yes")
}

/// The declared emergency users and groups, each once.
pub(super) fn emergency_principals(set: &PolicySet) -> Vec<EmergencyPrincipal> {
    let mut out: Vec<EmergencyPrincipal> = Vec::new();
    for e in &set.emergency {
        let p = match &e.node {
            Principal::User(id) => EmergencyPrincipal {
                kind: PrincipalKind::User,
                id: id.clone(),
            },
            Principal::Group(id) => EmergencyPrincipal {
                kind: PrincipalKind::Group,
                id: id.clone(),
            },
            Principal::Role(_) => continue,
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn deploy_json(plan: &Plan, report: Option<&ApplyReport>) -> Value {
    serde_json::json!({
        "plan": deploy::render_json(plan),
        "report": report.map(ApplyReport::to_json),
    })
}

// ---------------------------------------------------------------------------------------------
// shared

/// Compiles; sources with errors stop here (exit 1). Returns the compiled bodies as JSON.
fn compile(src: &SourceArgs) -> Step<(Compilation, Vec<Value>)> {
    let c = src.compile()?;
    if c.has_errors() {
        summary(&c, src.format);
        return Err(Exit::SourceErrors);
    }
    let desired = c
        .policies
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            output::error(format!("internal error, please report: {e}"));
            Exit::Usage
        })?;
    Ok((c, desired))
}

fn graph_api(api: check::ApiVersion) -> ApiVersion {
    match api {
        check::ApiVersion::V1 => ApiVersion::V1,
        check::ApiVersion::Beta => ApiVersion::Beta,
    }
}

/// Builds the client (`--api` picks the Graph version); progress lines go to stderr.
pub(super) fn connect(t: &TenantArgs, api: check::ApiVersion) -> Step<Connection> {
    crate::graph::init_crypto();
    let mut args = t.conn.clone();
    args.api_version = graph_api(api);
    // A bad option is a usage error (2), found before any credential or connection.
    args.check().map_err(usage)?;
    let progress: ProgressFn = Arc::new(super::progress::event);
    let conn = args.connect(Some(progress)).map_err(tenant_error)?;
    if t.verbose {
        eprintln!("capol: signed in with: {}", conn.auth_description);
        eprintln!(
            "capol: Graph at {}/{}",
            conn.graph_url,
            conn.client.api_version()
        );
    }
    Ok(conn)
}

pub(super) fn runtime() -> Step<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            output::error(format!("cannot start the network runtime: {e}"));
            Exit::Tenant
        })
}

fn plan_error(e: PlanError) -> Exit {
    for p in &e.problems {
        output::error(p);
    }
    if e.in_tenant {
        Exit::Tenant
    } else {
        Exit::SourceErrors
    }
}

pub(super) fn tenant_error(e: impl std::fmt::Display) -> Exit {
    output::error(e);
    Exit::Tenant
}

fn usage(e: impl std::fmt::Display) -> Exit {
    output::error(e);
    Exit::Usage
}

/// Writes through a temporary file beside `path`, so that a failed write leaves the old file.
fn write_file(path: &Path, text: &str) -> Step<()> {
    let tmp = path.with_extension("capol-tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            usage(format!("cannot write `{}`: {e}", path.display()))
        })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn paths_text(paths: &[PathBuf]) -> String {
    let v: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    v.join(" ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `capol what-if --live`: Graph's what-if for the request body, one result per tenant policy.
pub(super) fn evaluate_live(t: &TenantArgs, src: &SourceArgs, body: &Value) -> Step<Vec<Value>> {
    let conn = connect(t, src.api)?;
    let rt = runtime()?;
    // The sign-in names ids from the lock file: they must be this tenant's.
    signed_in_tenant(&rt, &conn, src)?;
    rt.block_on(conn.client.evaluate(body))
        .map_err(tenant_error)
}

/// A display name the tenant gave for an id: `(kind, id, display name)`.
pub(super) type TenantName = (crate::symbols::Kind, String, String);

/// `capol import --from-tenant`: every policy of the tenant (all pages), and the display names
/// of the objects they name, looked up in `$batch`es (an object that cannot be read keeps a
/// generated name).
pub(super) fn fetch_for_import(
    t: &TenantArgs,
    api: check::ApiVersion,
    machine: bool,
) -> Step<(Vec<Value>, Vec<TenantName>)> {
    let conn = connect(t, api)?;
    let rt = runtime()?;
    let reading = super::progress::phase("reading the tenant's policies", None, machine);
    let policies = rt
        .block_on(conn.client.list_policies())
        .map_err(tenant_error)?;
    drop(reading);
    if !machine {
        eprintln!("capol: read {} policies from the tenant", policies.len());
    }
    let wanted = referenced_ids(&policies);
    let naming = super::progress::phase(
        &format!("looking up the {} objects they name", wanted.len()),
        None,
        machine,
    );
    let names = rt
        .block_on(display_names(&conn.client, &wanted))
        .map_err(tenant_error)?;
    drop(naming);
    Ok((policies, names))
}

/// The policies of the tenant `client` reaches, and the display names of what they name (for
/// `import --from-tenant --env`, one environment at a time).
pub(super) async fn read_for_import(
    client: &crate::graph::client::GraphClient,
) -> Result<(Vec<Value>, Vec<TenantName>), crate::graph::error::GraphError> {
    let policies = client.list_policies().await?;
    let wanted = referenced_ids(&policies);
    let names = display_names(client, &wanted).await?;
    Ok((policies, names))
}

/// The display names of the objects `wanted` names, read in `$batch`es.
async fn display_names(
    client: &crate::graph::client::GraphClient,
    wanted: &[(crate::symbols::Kind, String, String)],
) -> Result<Vec<TenantName>, crate::graph::error::GraphError> {
    let urls: Vec<String> = wanted.iter().map(|(_, url, _)| url.clone()).collect();
    let answers = client.batch_get(&urls).await?;
    let mut names = Vec::new();
    for ((kind, _, id), answer) in wanted.iter().zip(answers) {
        let Ok(v) = answer else { continue };
        // A `$filter` answer is a list; a by-id answer is the object.
        let object = v
            .get("value")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .unwrap_or(&v);
        if let Some(name) = object.get("displayName").and_then(Value::as_str) {
            names.push((*kind, id.clone(), name.to_string()));
        }
    }
    Ok(names)
}

/// `(kind, relative URL to read its display name, id)` for every GUID a policy names that no
/// built-in catalogue answers.
fn referenced_ids(policies: &[Value]) -> Vec<(crate::symbols::Kind, String, String)> {
    use crate::symbols::{Kind, catalog};
    let mut out: Vec<(Kind, String, String)> = Vec::new();
    let mut add = |kind: Kind, id: &str| {
        let id = id.to_ascii_lowercase();
        if !is_guid(&id) || out.iter().any(|(k, _, i)| *k == kind && *i == id) {
            return;
        }
        let url = match kind {
            Kind::User => format!("/users/{id}?$select=displayName"),
            Kind::Group => format!("/groups/{id}?$select=displayName"),
            Kind::Location => format!("/identity/conditionalAccess/namedLocations/{id}"),
            Kind::Terms => format!("/identityGovernance/termsOfUse/agreements/{id}"),
            Kind::ServicePrincipal => format!("/servicePrincipals/{id}?$select=displayName"),
            Kind::Strength => format!("/policies/authenticationStrengthPolicies/{id}"),
            Kind::App => format!("/servicePrincipals?$filter=appId eq '{id}'&$select=displayName"),
            Kind::Role | Kind::Context => return,
        };
        out.push((kind, url, id));
    };
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    for p in policies {
        let c = &p["conditions"];
        for side in ["include", "exclude"] {
            for id in strings(c["users"].get(format!("{side}Users"))) {
                add(Kind::User, &id);
            }
            for id in strings(c["users"].get(format!("{side}Groups"))) {
                add(Kind::Group, &id);
            }
            for id in strings(c["locations"].get(format!("{side}Locations"))) {
                add(Kind::Location, &id);
            }
            for id in strings(c["clientApplications"].get(format!("{side}ServicePrincipals"))) {
                add(Kind::ServicePrincipal, &id);
            }
            for id in strings(c["applications"].get(format!("{side}Applications"))) {
                if catalog::app_by_id(&id).is_none() {
                    add(Kind::App, &id);
                }
            }
        }
        for id in strings(p["grantControls"].get("termsOfUse")) {
            add(Kind::Terms, &id);
        }
        if let Some(id) = p["grantControls"]["authenticationStrength"]["id"].as_str()
            && catalog::strength_by_id(id).is_none()
        {
            add(Kind::Strength, id);
        }
    }
    out
}
