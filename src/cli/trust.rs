//! The checks the tenant commands make on their inputs before they touch a tenant: the lock
//! file belongs to the tenant signed in to, a saved plan is read like any untrusted file, and
//! the digests a saved plan records.
//!
//! In: the source arguments, the compilation, the connected tenant. Out: refusals on stderr
//! with their code (`error[E0530]: …`) and an exit code, or the values the commands need.

use super::Exit;
use super::compile::SourceArgs;
use super::output;
use crate::deploy::{PlanDigest, SavedPlan, trust};
use crate::driver::{self, Compilation};
use crate::files;
use crate::symbols::lock::LockFile;
use std::path::Path;

/// The largest plan file read.
const MAX_PLAN_BYTES: usize = 64 * 1024 * 1024;

/// A refusal with its code, on stderr.
pub fn refuse(code: &str, msg: impl std::fmt::Display) {
    output::error(format!("[{code}] {msg}"));
}

/// The lock file the sources were compiled with, and its text.
pub fn lock_of(src: &SourceArgs) -> Option<(LockFile, String)> {
    let path = driver::find_lock(&src.paths, src.lock.as_deref())?;
    let root = files::project_root(&src.paths);
    let bytes = files::read_bounded(&path, root.as_deref(), driver::MAX_LOCK_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let lock = LockFile::parse(&text).ok()?;
    Some((lock, text))
}

/// `E0530`: the lock file's ids are another tenant's. A lock file without entries fits any.
pub fn check_lock_tenant(lock: Option<&LockFile>, connected: &str) -> Result<(), Exit> {
    let Some(lock) = lock.filter(|l| !l.entries.is_empty() || !l.refused.is_empty()) else {
        return Ok(());
    };
    if lock.tenant_id.eq_ignore_ascii_case(connected) {
        return Ok(());
    }
    refuse(
        "E0530",
        format!(
            "capol.lock holds the ids of tenant {}, but this connection is signed in to tenant {connected}; nothing was read or written",
            if lock.tenant_id.is_empty() {
                "(none)"
            } else {
                &lock.tenant_id
            }
        ),
    );
    eprintln!(
        "help: sign in to the lock file's tenant (--tenant {}), or run `capol resolve` for this tenant with its own lock file (--lock)",
        lock.tenant_id
    );
    Err(Exit::Tenant)
}

/// The digests of the sources (names relative to the project tree) and the lock file.
pub fn input_digests(src: &SourceArgs, c: &Compilation) -> (String, String) {
    let root = files::project_root(&src.paths);
    let lock = lock_of(src);
    let named: Vec<(String, &str)> = c
        .sources
        .files()
        .map(|(_, f)| {
            let rel = std::fs::canonicalize(&f.name)
                .ok()
                .and_then(|p| {
                    root.as_deref()
                        .and_then(|r| p.strip_prefix(r).ok().map(Path::to_path_buf))
                })
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| f.name.clone());
            (rel, f.text.as_str())
        })
        .collect();
    let sources = trust::digest_files(named.iter().map(|(n, t)| (n.as_str(), *t)));
    (
        sources,
        trust::digest_lock(lock.as_ref().map(|(_, t)| t.as_str())),
    )
}

/// The digest a plan made now records.
pub fn plan_digest(src: &SourceArgs, c: &Compilation, tenant: &[serde_json::Value]) -> PlanDigest {
    let (sources, lock) = input_digests(src, c);
    PlanDigest {
        sources,
        lock,
        tenant: trust::digest_tenant(tenant),
    }
}

/// Reads `--plan FILE`: a regular file, bounded, JSON of the saved-plan format (exit 2
/// otherwise).
pub fn read_plan(path: &Path) -> Result<SavedPlan, Exit> {
    let usage = |msg: String| {
        output::error(msg);
        Exit::Usage
    };
    let bytes = files::read_bounded(path, None, MAX_PLAN_BYTES)
        .map_err(|r| usage(format!("[{}] plan: {}", r.code, r.message)))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        usage(format!(
            "`{}` is not a capol plan file (not UTF-8)",
            path.display()
        ))
    })?;
    SavedPlan::parse(&text).map_err(|e| usage(format!("`{}`: {e}", path.display())))
}
