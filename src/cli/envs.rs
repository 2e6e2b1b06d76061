//! `--env NAME` and `--parallel N`: the environments of `capol.toml` on the command line.
//!
//! In: [`EnvArgs`] and the sources' [`SourceArgs`]. Out: the selected environments, and a
//! compilation per environment (its lock file, then its name prefix and mode ceiling applied);
//! `capol compile --env` prints one set of policies per environment. The tenant commands run
//! the environments through `tenant_envs`.

use super::Exit;
use super::compile::{SourceArgs, summary};
use super::output;
use crate::diag::Diagnostics;
use crate::driver::{self, Compilation};
use crate::env::{self, Environment, Environments};
use crate::source::SourceMap;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Clone, Debug, Default)]
pub struct EnvArgs {
    /// Take tenant, cloud, lock file, name prefix and mode ceiling from this environment of
    /// capol.toml; repeat it, or write `all`, for several
    #[arg(long = "env", value_name = "NAME")]
    pub envs: Vec<String>,
    /// Run up to N environments at the same time (each tenant keeps its own pacing)
    #[arg(long, value_name = "N", default_value_t = 1, requires = "envs")]
    pub parallel: usize,
}

impl EnvArgs {
    pub fn given(&self) -> bool {
        !self.envs.is_empty()
    }
}

/// `capol.toml` of the project, parsed; its problems are printed like source diagnostics.
pub fn load(src: &SourceArgs) -> Result<Environments, Exit> {
    load_at(&src.paths, src.format)
}

/// [`load`], with `capol.toml` beside the first of `paths`.
pub fn load_at(paths: &[PathBuf], format: output::Format) -> Result<Environments, Exit> {
    let Some(path) = env::find(paths) else {
        let dir = match paths.first() {
            Some(p) if p.is_dir() => p.clone(),
            Some(p) => p.parent().map(PathBuf::from).unwrap_or_default(),
            None => PathBuf::new(),
        };
        output::error(format!(
            "--env needs `{}`, and there is none",
            dir.join(env::FILE_NAME).display()
        ));
        eprintln!(
            "help: describe the environments there (see docs/environments.md), or leave --env out"
        );
        return Err(Exit::Usage);
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        output::error(format!("cannot read `{}`: {e}", path.display()));
        Exit::Usage
    })?;
    let mut sources = SourceMap::new();
    let file = sources.add(path.display().to_string(), text.clone());
    let (envs, diags) = env::parse(&path, file, &text);
    if !diags.is_empty() {
        output::emit_diagnostics(&diags.items, &sources, format);
    }
    if diags.has_errors() {
        eprintln!(
            "capol: {} error{} in `{}`; nothing was done",
            diags.error_count(),
            if diags.error_count() == 1 { "" } else { "s" },
            path.display()
        );
        return Err(Exit::SourceErrors);
    }
    Ok(envs)
}

/// The environments `--env` names.
pub fn select<'e>(envs: &'e Environments, a: &EnvArgs) -> Result<Vec<&'e Environment>, Exit> {
    if a.parallel == 0 {
        output::error("--parallel must be at least 1");
        return Err(Exit::Usage);
    }
    envs.select(&a.envs).map_err(|e| {
        output::error(e);
        Exit::Usage
    })
}

/// Compile the sources for one environment: its lock file (when it exists; `--lock` otherwise),
/// then its name prefix and mode ceiling on the compiled policies. Diagnostics are printed.
pub fn compile_for(src: &SourceArgs, e: &Environment) -> Result<Compilation, Exit> {
    let lock = match &e.lock {
        Some(l) if l.value.is_file() => Some(l.value.clone()),
        Some(_) => None,
        None => src.lock.clone(),
    };
    let opts = crate::check::Options { api: src.api };
    let mut c = driver::compile_paths(&src.paths, lock.as_deref(), &opts).map_err(|e| {
        output::error(e);
        Exit::Usage
    })?;
    lock_tenant_check(e, lock.as_deref(), &mut c.diagnostics);
    output::emit_diagnostics(&c.diagnostics.items, &c.sources, src.format);
    e.apply(&mut c.policies);
    Ok(c)
}

/// Offline half of the tenant check: an environment whose tenant is given by id and whose lock
/// file was written for another tenant cannot use it.
fn lock_tenant_check(e: &Environment, lock: Option<&std::path::Path>, diags: &mut Diagnostics) {
    let (Some(t), Some(path)) = (&e.tenant, lock) else {
        return;
    };
    if !crate::symbols::is_guid(&t.value) {
        return;
    }
    let Some(l) = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| crate::symbols::lock::LockFile::parse(&text).ok())
    else {
        return;
    };
    if !l.tenant_id.is_empty() && !l.tenant_id.eq_ignore_ascii_case(&t.value) {
        diags.push(
            crate::diag::Diagnostic::new(
                "E0711",
                format!(
                    "environment `{}` is tenant {}, but its lock file `{}` was written for tenant {}",
                    e.name,
                    t.value,
                    path.display(),
                    l.tenant_id
                ),
            )
            .at(t.span, "this tenant")
            .help(format!(
                "give each environment its own `lock`, and run `capol resolve --env {}` to write it",
                e.name
            ))
            .note("the ids in a lock file belong to one tenant; another tenant's groups have other ids"),
        );
    }
}

/// `capol compile --env …`: per environment, its policies. One environment prints its array as
/// without `--env`; several print `{"NAME": [...], ...}`; with `-o DIR`, `DIR/NAME/<slug>.json`.
pub fn compile(src: &SourceArgs, a: &EnvArgs, out: Option<&std::path::Path>) -> Exit {
    let envs = match load(src) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match select(&envs, a) {
        Ok(c) => c,
        Err(x) => return x,
    };
    let mut all = serde_json::Map::new();
    for e in &chosen {
        let c = match compile_for(src, e) {
            Ok(c) => c,
            Err(x) => return x,
        };
        if c.has_errors() {
            if !src.format.is_machine() {
                eprintln!("capol: environment `{}`:", e.name);
            }
            summary(&c, src.format);
            return Exit::SourceErrors;
        }
        if let Some(dir) = out {
            let dir = if chosen.len() == 1 {
                dir.to_path_buf()
            } else {
                dir.join(&e.name)
            };
            let code = super::compile::write_dir(&c, &dir);
            if code != Exit::Ok {
                return code;
            }
            continue;
        }
        all.insert(
            e.name.clone(),
            serde_json::to_value(&c.policies).unwrap_or_default(),
        );
    }
    if out.is_none() {
        let v = match (chosen.len(), all.values().next()) {
            (1, Some(one)) => one.clone(),
            _ => serde_json::Value::Object(all),
        };
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    Exit::Ok
}
