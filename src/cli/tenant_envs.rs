//! `capol resolve`, `plan` and `deploy` with `--env`: one source, several tenants.
//!
//! In: the command's arguments and the environments `--env` selects. Out: per environment, its
//! own compilation (its lock file, name prefix and mode ceiling), its own connection (tenant,
//! cloud, sign-in, Graph URL; its own client, so its own pacing and retries) and its own report;
//! on stdout each environment's report in the order given (text), or one JSON document with an
//! entry per environment; on stderr live progress prefixed `[NAME]` and a summary line per
//! environment. Environments run one after another, or up to `--parallel N` at once; a failure
//! in one (sources, sign-in, network, a failed write) is reported in its entry and never stops
//! or touches the others. Exit: 3 when any environment failed at the tenant, else 1 when any had
//! source errors, else (`plan --detailed-exitcode`) 2 when any has changes, else 0.

use super::Exit;
use super::envs;
use super::output::{self, Format};
use super::tenant::{DeployArgs, PlanArgs, ResolveArgs, TenantArgs};
use crate::check::names::IdNames;
use crate::deploy::{self, ApplyOptions, PlanOptions};
use crate::driver;
use crate::env::Environment;
use crate::graph::auth::{AuthMethod, Cloud};
use crate::graph::connect::Connection;
use crate::graph::retry::ProgressFn;
use crate::symbols::is_guid;
use crate::symbols::lock::{LOCK_FILE_NAME, LockFile};
use clap::ValueEnum;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How one environment ended.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Status {
    /// Done; `changes`: the plan had changes (plan), or something was written (deploy, resolve).
    Done { changes: bool, summary: String },
    /// The sources have errors for this environment (its lock file, its names).
    SourceErrors(String),
    /// Sign-in, network, tenant or a write failed.
    Failed(String),
    /// `what-if --live`: Graph's verdict differs from the sources' on some policy.
    Disagrees(String),
}

/// One environment's result: what goes to stdout, and its JSON entry.
pub(super) struct Outcome {
    pub name: String,
    pub text: String,
    pub json: Value,
    pub status: Status,
}

impl Outcome {
    pub fn new(e: &Environment) -> Outcome {
        Outcome {
            name: e.name.clone(),
            text: String::new(),
            json: json!({ "environment": e.name, "tenant": e.tenant.as_ref().map(|t| t.value.clone()) }),
            status: Status::Failed("not run".into()),
        }
    }
    pub fn fail(mut self, why: impl std::fmt::Display) -> Outcome {
        let why = why.to_string();
        self.json["error"] = Value::String(why.clone());
        self.status = Status::Failed(why);
        self
    }
    pub fn source_errors(mut self, why: &str) -> Outcome {
        self.json["error"] = Value::String(why.to_string());
        self.status = Status::SourceErrors(why.to_string());
        self
    }
}

/// Run `job` for every environment, at most `parallel` at once; results in the order given.
pub(super) fn run_all(
    chosen: &[&Environment],
    parallel: usize,
    job: impl Fn(&Environment) -> Outcome + Sync,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<Outcome>>> =
        std::sync::Mutex::new((0..chosen.len()).map(|_| None).collect());
    let workers = parallel.clamp(1, chosen.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(e) = chosen.get(i) else { break };
                    let out = job(e);
                    if let Ok(mut r) = results.lock()
                        && let Some(slot) = r.get_mut(i)
                    {
                        *slot = Some(out);
                    }
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    chosen
        .iter()
        .zip(results)
        .map(|(e, r)| r.unwrap_or_else(|| Outcome::new(e).fail("internal error: no result")))
        .collect()
}

/// Print every report, the summary lines, and choose the exit code.
pub(super) fn finish(outcomes: Vec<Outcome>, format: Format, verb: &str, detailed: bool) -> Exit {
    match format {
        Format::Text => {
            for o in &outcomes {
                print!("{}", o.text);
            }
        }
        Format::Json | Format::Sarif => {
            let entries: Vec<Value> = outcomes.iter().map(|o| o.json.clone()).collect();
            let v = json!({ "environments": entries });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
    }
    let (mut failed, mut source, mut changes) = (false, false, false);
    eprintln!(
        "capol: {verb} {} environment{}:",
        outcomes.len(),
        plural(outcomes.len())
    );
    for o in &outcomes {
        match &o.status {
            Status::Done {
                changes: c,
                summary,
            } => {
                changes |= *c;
                eprintln!("  {}: {summary}", o.name);
            }
            Status::SourceErrors(why) => {
                source = true;
                eprintln!("  {}: source errors: {why}", o.name);
            }
            Status::Failed(why) => {
                failed = true;
                eprintln!("  {}: FAILED: {why}", o.name);
            }
            Status::Disagrees(why) => {
                source = true;
                eprintln!("  {}: DISAGREES: {why}", o.name);
            }
        }
    }
    if failed {
        Exit::Tenant
    } else if source {
        Exit::SourceErrors
    } else if detailed && changes {
        Exit::PlanHasChanges
    } else {
        Exit::Ok
    }
}

/// The connection options of an environment: the command line's, with what the environment says.
pub(super) fn connect(
    t: &TenantArgs,
    api: crate::check::ApiVersion,
    e: &Environment,
) -> Result<Connection, String> {
    crate::graph::init_crypto();
    let mut args = tenant_args_for(t, e)?.conn;
    args.api_version = match api {
        crate::check::ApiVersion::V1 => crate::graph::client::ApiVersion::V1,
        crate::check::ApiVersion::Beta => crate::graph::client::ApiVersion::Beta,
    };
    let name = e.name.clone();
    let progress: ProgressFn = Arc::new(move |ev| eprintln!("  [{name}] {ev}"));
    let conn = args.connect(Some(progress)).map_err(|e| e.to_string())?;
    if t.verbose {
        eprintln!(
            "capol: [{}] signed in with: {}",
            e.name, conn.auth_description
        );
        eprintln!("capol: [{}] Graph at {}", e.name, conn.graph_url);
    }
    Ok(conn)
}

/// The command line's connection options with what the environment says (tenant, cloud,
/// sign-in method, Graph URL) in their place.
pub(super) fn tenant_args_for(t: &TenantArgs, e: &Environment) -> Result<TenantArgs, String> {
    let mut args = t.conn.clone();
    if let Some(tenant) = &e.tenant {
        args.tenant = Some(tenant.value.clone());
    }
    if let Some(c) = &e.cloud {
        args.cloud =
            Cloud::from_str(&c.value, true).map_err(|_| format!("unknown cloud `{}`", c.value))?;
    }
    if let Some(a) = &e.auth {
        args.auth = AuthMethod::from_str(&a.value, true)
            .map_err(|_| format!("unknown sign-in method `{}`", a.value))?;
    }
    if let Some(u) = &e.graph_url {
        args.graph_url = Some(u.value.clone());
    }
    Ok(TenantArgs {
        verbose: t.verbose,
        conn: args,
    })
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the network runtime: {e}"))
}

/// The lock file of an environment: its `lock`, else `--lock`, else `capol.lock` by the sources.
pub(super) fn lock_path(
    paths: &[PathBuf],
    explicit: Option<&std::path::Path>,
    e: &Environment,
) -> PathBuf {
    if let Some(l) = &e.lock {
        return l.value.clone();
    }
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    let dir = match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(PathBuf::from).unwrap_or_default(),
        None => PathBuf::new(),
    };
    dir.join(LOCK_FILE_NAME)
}

pub(super) fn read_lock(path: &std::path::Path) -> Result<Option<LockFile>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => LockFile::parse(&text)
            .map(Some)
            .map_err(|e| format!("lock file `{}` is invalid: {}", path.display(), e.message)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read `{}`: {e}", path.display())),
    }
}

/// The tenant the connection reaches must be the one the environment's lock file was written
/// for: another tenant's groups have other ids.
pub(super) async fn check_tenant(
    conn: &Connection,
    lock: Option<&LockFile>,
    path: &std::path::Path,
) -> Result<(), String> {
    let Some(lock) = lock.filter(|l| !l.tenant_id.is_empty()) else {
        return Ok(());
    };
    let connected = match conn.tenant.as_deref().filter(|t| is_guid(t)) {
        Some(t) => t.to_string(),
        None => match conn
            .client
            .token_tenant()
            .await
            .map_err(|e| e.to_string())?
        {
            Some(t) => t,
            None => conn
                .client
                .organization_id()
                .await
                .map_err(|e| e.to_string())?,
        },
    };
    if connected.eq_ignore_ascii_case(&lock.tenant_id) {
        Ok(())
    } else {
        Err(format!(
            "the lock file `{}` is for tenant {}, but this environment signs in to tenant {connected}; \
             nothing was read or written",
            path.display(),
            lock.tenant_id
        ))
    }
}

/// Compile for the environment; `Err` is the outcome when the sources have errors.
fn compile(
    src: &super::compile::SourceArgs,
    e: &Environment,
    out: Outcome,
) -> Result<(driver::Compilation, Vec<Value>, Outcome), Outcome> {
    let c = match envs::compile_for(src, e) {
        Ok(c) => c,
        Err(_) => return Err(out.source_errors("the sources could not be read")),
    };
    if c.has_errors() {
        let n = c.diagnostics.error_count();
        return Err(out.source_errors(&format!("{n} error{} (shown above)", plural(n))));
    }
    let desired: Vec<Value> = c
        .policies
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect();
    Ok((c, desired, out))
}

pub(super) fn header(e: &Environment, conn: &Connection) -> String {
    let target = conn
        .tenant
        .clone()
        .unwrap_or_else(|| conn.graph_url.clone());
    format!("── environment `{}` ({target}) ──\n", e.name)
}

/// Read the tenant and plan; the policies a name prefix does not mark are left out of pruning.
async fn plan_one(
    conn: &Connection,
    e: &Environment,
    desired: &[Value],
    prune: bool,
    lock: Option<&LockFile>,
    lock_path: &std::path::Path,
) -> Result<deploy::Plan, String> {
    check_tenant(conn, lock, lock_path).await?;
    let mut tenant = conn
        .client
        .list_policies()
        .await
        .map_err(|e| e.to_string())?;
    if let Some(prefix) = &e.name_prefix {
        tenant.retain(|p| {
            p.get("displayName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with(prefix.as_str()))
        });
    }
    deploy::plan(desired, &tenant, &PlanOptions { prune }).map_err(|e| e.to_string())
}

fn counts(plan: &deploy::Plan) -> String {
    format!(
        "{} to create, {} to update, {} to delete, {} unchanged",
        plan.creates(),
        plan.updates(),
        plan.deletes(),
        plan.unchanged()
    )
}

/// One environment compiled, connected and planned: what `plan` and `deploy` both start from.
struct Planned {
    c: driver::Compilation,
    lock: Option<LockFile>,
    conn: Connection,
    rt: tokio::runtime::Runtime,
    plan: deploy::Plan,
    out: Outcome,
}

/// Compile for the environment, read its lock file, connect to its tenant and plan; `Err` is
/// the environment's outcome when a step fails.
fn planned(
    src: &super::compile::SourceArgs,
    tenant: &TenantArgs,
    prune: bool,
    e: &Environment,
) -> Result<Planned, Outcome> {
    let (c, desired, out) = compile(src, e, Outcome::new(e))?;
    let path = lock_path(&src.paths, src.lock.as_deref(), e);
    let lock = match read_lock(&path) {
        Ok(l) => l,
        Err(why) => return Err(out.fail(why)),
    };
    let conn = match connect(tenant, src.api, e) {
        Ok(c) => c,
        Err(why) => return Err(out.fail(why)),
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(why) => return Err(out.fail(why)),
    };
    match rt.block_on(plan_one(&conn, e, &desired, prune, lock.as_ref(), &path)) {
        Ok(plan) => Ok(Planned {
            c,
            lock,
            conn,
            rt,
            plan,
            out,
        }),
        Err(why) => Err(out.fail(why)),
    }
}

// ---------------------------------------------------------------------------------------------

pub fn plan(a: &PlanArgs) -> Exit {
    if a.out.is_some() {
        output::error(
            "--out saves one plan; with --env, plan each environment with `capol plan --env NAME --out FILE`… is not supported yet: leave --out out",
        );
        return Exit::Usage;
    }
    let envs = match envs::load(&a.src) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match envs::select(&envs, &a.env) {
        Ok(c) => c,
        Err(x) => return x,
    };
    let outcomes = run_all(&chosen, a.env.parallel, |e| {
        let Planned {
            c,
            lock,
            conn,
            rt: _,
            plan,
            mut out,
        } = match planned(&a.src, &a.tenant, a.prune, e) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let names = IdNames::new(&c.files, lock.as_ref());
        out.text = header(e, &conn) + &deploy::render_text_named(&plan, &|id| names.get(id)) + "\n";
        out.json["plan"] = deploy::render_json(&plan);
        out.status = Status::Done {
            changes: !plan.is_empty(),
            summary: counts(&plan),
        };
        out
    });
    finish(outcomes, a.src.format, "planned", a.detailed_exitcode)
}

pub fn deploy(a: &DeployArgs) -> Exit {
    if a.plan.is_some() {
        output::error("--plan applies one saved plan to one tenant; with --env, leave --plan out");
        return Exit::Usage;
    }
    if !a.yes {
        output::error("deploying to environments needs --yes");
        eprintln!(
            "help: run `capol plan --env …` first to see every environment's changes, then \
             `capol deploy --env … --yes`"
        );
        return Exit::Usage;
    }
    let envs = match envs::load(&a.src) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match envs::select(&envs, &a.env) {
        Ok(c) => c,
        Err(x) => return x,
    };
    let outcomes = run_all(&chosen, a.env.parallel, |e| {
        let Planned {
            c,
            lock,
            conn,
            rt,
            plan,
            mut out,
        } = match planned(&a.src, &a.tenant, a.prune, e) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let names = IdNames::new(&c.files, lock.as_ref());
        out.text = header(e, &conn) + &deploy::render_text_named(&plan, &|id| names.get(id));
        out.json["plan"] = deploy::render_json(&plan);
        if plan.is_empty() {
            out.text.push('\n');
            out.status = Status::Done {
                changes: false,
                summary: "nothing to change".into(),
            };
            return out;
        }
        // Would this environment's deploy lock out whoever is signed in to it?
        let tenant = match rt.block_on(conn.client.list_policies()) {
            Ok(t) => t,
            Err(why) => return out.fail(why.to_string()),
        };
        // With a name prefix, prune deletes only the prefixed policies: count the rest as kept.
        let prune = a.prune && e.name_prefix.is_none();
        let allow = a.allow_self_lockout;
        if super::self_lockout::check(&rt, &conn, &c, &tenant, prune, allow).is_err() {
            return out.fail(
                "refused: the deploy would lock out the signed-in identity ([E0252], above)"
                    .to_string(),
            );
        }
        let opts = ApplyOptions {
            emergency: super::tenant::emergency_principals(&c.set),
            lease: Some(deploy::lease::LeaseOptions::default()),
        };
        let report = match rt.block_on(deploy::apply(&conn.client, &plan, &opts)) {
            Ok(r) => r,
            Err(why) => return out.fail(why),
        };
        out.text.push_str(&report.render_text());
        out.text.push('\n');
        out.json["report"] = report.to_json();
        let written = report.applied.len();
        if report.is_complete() {
            out.status = Status::Done {
                changes: written > 0,
                summary: format!("applied {written} change{}", plural(written)),
            };
            out
        } else {
            let why = report
                .failed
                .as_ref()
                .map(|f| f.error.to_string())
                .unwrap_or_default();
            out.fail(format!(
                "stopped after {written} of {} writes ({} not attempted): {why}",
                written + 1 + report.not_applied.len(),
                report.not_applied.len()
            ))
        }
    });
    finish(outcomes, a.src.format, "deployed to", false)
}

pub fn resolve(a: &ResolveArgs) -> Exit {
    let envs = match envs::load(&a.src) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match envs::select(&envs, &a.env) {
        Ok(c) => c,
        Err(x) => return x,
    };
    // The names are those of the sources, whatever the lock files say.
    let c = match driver::compile_paths(
        &a.src.paths,
        None,
        &crate::check::Options { api: a.src.api },
    ) {
        Ok(c) => c,
        Err(e) => {
            output::error(e);
            return Exit::Usage;
        }
    };
    let blocking: Vec<_> = c
        .diagnostics
        .items
        .iter()
        .filter(|d| {
            d.is_error() && matches!(d.code, "E0001" | "E0002" | "E0003" | "E0004" | "E0005")
        })
        .cloned()
        .collect();
    if !blocking.is_empty() {
        output::emit_diagnostics(&blocking, &c.sources, a.src.format);
        output::error("fix the errors above first: capol cannot see every name in the sources");
        return Exit::SourceErrors;
    }
    let wanted = driver::unresolved_names(&c.files);
    let names: Vec<_> = wanted.iter().map(|u| (u.kind, u.name.clone())).collect();
    let outcomes = run_all(&chosen, a.env.parallel, |e| {
        let mut out = Outcome::new(e);
        let path = lock_path(&a.src.paths, a.src.lock.as_deref(), e);
        if names.is_empty() {
            out.status = Status::Done {
                changes: false,
                summary: "every name is declared or built in; nothing to look up".into(),
            };
            return out;
        }
        let existing = match read_lock(&path) {
            Ok(l) => l,
            Err(why) => return out.fail(why),
        };
        let conn = match connect(&a.tenant, a.src.api, e) {
            Ok(c) => c,
            Err(why) => return out.fail(why),
        };
        let rt = match runtime() {
            Ok(r) => r,
            Err(why) => return out.fail(why),
        };
        let lock = match rt.block_on(deploy::resolve(
            &conn.client,
            &names,
            existing.clone(),
            conn.tenant.as_deref(),
        )) {
            Ok(l) => l,
            Err(deploy::ResolveError::Names(problems)) => {
                let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                out.text = format!("── environment `{}` ──\n{}\n", e.name, lines.join("\n"));
                out.json["problems"] = json!(lines);
                return out.source_errors(&format!(
                    "{} name{} not found in this tenant; `{}` was not changed",
                    problems.len(),
                    plural(problems.len()),
                    path.display()
                ));
            }
            Err(why) => return out.fail(why),
        };
        let mut lines = Vec::new();
        for u in &wanted {
            let Some(now) = lock.get(u.kind, &u.name) else {
                continue;
            };
            match existing.as_ref().and_then(|l| l.get(u.kind, &u.name)) {
                None => lines.push(format!("+ {} `{}` = {}", u.kind, u.name, now.id)),
                Some(before) if before.id != now.id => lines.push(format!(
                    "~ {} `{}` = {} (was {})",
                    u.kind, u.name, now.id, before.id
                )),
                Some(_) => {}
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(why) = std::fs::create_dir_all(dir)
        {
            return out.fail(format!("cannot create `{}`: {why}", dir.display()));
        }
        let tmp = path.with_extension("capol-tmp");
        if let Err(why) =
            std::fs::write(&tmp, lock.to_text()).and_then(|()| std::fs::rename(&tmp, &path))
        {
            let _ = std::fs::remove_file(&tmp);
            return out.fail(format!("cannot write `{}`: {why}", path.display()));
        }
        out.text = format!(
            "── environment `{}` ──\n{}",
            e.name,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>()
        );
        out.json["lock"] = Value::String(path.display().to_string());
        out.json["changes"] = json!(lines);
        out.status = Status::Done {
            changes: !lines.is_empty(),
            summary: format!(
                "wrote {}: {} looked up, {} changed",
                path.display(),
                names.len(),
                lines.len()
            ),
        };
        out
    });
    finish(outcomes, a.src.format, "resolved", false)
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
