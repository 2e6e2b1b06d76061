//! `capol promote`: `mode report-only` → `mode on` in the named policies' source, with evidence;
//! and `capol resolve --snapshot`: the directory snapshot of the users a log names.
//!
//! In: sources, policy names, evidence (`--sign-ins FILE` or `--since 7d` from the tenant).
//! Out: rewritten `.capol` files (formatted, comments kept), or a refusal that names the
//! evidence; exit 0 promoted (or nothing to do), 1 refused or the sources have errors, 2 usage,
//! 3 tenant.

use super::Exit;
use super::compile::SourceArgs;
use super::output;
use super::signins::{self, EvidenceArgs, Step, usage};
#[cfg(feature = "tenant")]
use super::tenant::TenantArgs;
use crate::check::Options;
use crate::diag::Diagnostics;
use crate::driver;
use crate::signin::promote::{Promotion, promote_text};
use crate::source::SourceMap;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(after_help = "\
Rewrites `mode report-only` to `mode on` in the source of each named policy (a policy without a
`mode` clause is report-only, and gets `mode on`), keeping the file formatted and its comments.

With evidence, it first replays the sign-ins against the sources and reads the report-only
results the log recorded, and refuses (writing nothing) when a sign-in of an emergency account
failed the policy in report-only (`reportOnlyFailure`) or would be blocked by it; with
--if-no-failures, any `reportOnlyFailure` refuses. The promoted sources must still compile
(turning a policy on makes the emergency-access rule an error, E0209).

Examples:
  capol promote policies/ --policy \"CA003 Block legacy authentication\" --sign-ins week.json
  capol promote policies/ --policy CA003 --policy CA017 --if-no-failures --since 7d
  capol plan policies/                        then shows the state change

Exit codes: 0 promoted (or already on), 1 refused by the evidence, a policy that is off, or the
sources have errors, 2 usage error, 3 authentication, network or tenant failure")]
pub struct PromoteArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The display name of a policy to turn on (repeat for several)
    #[arg(long = "policy", value_name = "NAME", required = true)]
    pub policies: Vec<String>,
    /// Refuse when the evidence shows any report-only failure, not only an emergency account's
    #[arg(long)]
    pub if_no_failures: bool,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[cfg(feature = "tenant")]
    #[command(flatten)]
    pub tenant: TenantArgs,
}

pub fn promote(a: PromoteArgs) -> Exit {
    promote_run(&a).unwrap_or_else(|e| e)
}

fn promote_run(a: &PromoteArgs) -> Step<Exit> {
    if a.if_no_failures && !a.evidence.any() {
        return Err(usage(
            "--if-no-failures needs evidence: `--sign-ins FILE` or `--since 7d`",
        ));
    }
    let c = signins::compile(&a.src)?;
    let missing: Vec<&String> = a
        .policies
        .iter()
        .filter(|n| !c.policies.iter().any(|p| &p.display_name == *n))
        .collect();
    if !missing.is_empty() {
        for n in &missing {
            output::error(format!("no policy named `{n}` in the sources"));
        }
        eprintln!("help: `--policy` takes a policy's display name, as in `policy \"NAME\"`");
        return Err(Exit::Usage);
    }
    if a.evidence.any() {
        let impact = signins::gather(
            &c,
            &a.src,
            &a.evidence,
            signins::emergency(&c),
            #[cfg(feature = "tenant")]
            &a.tenant,
        )?;
        let mut refused = false;
        for name in &a.policies {
            let hits = impact.emergency_evidence(name);
            if !hits.is_empty() {
                refused = true;
                output::error(format!(
                    "refusing to promote `{name}`: the evidence shows {} sign-in{} of an emergency account it stops",
                    hits.len(),
                    if hits.len() == 1 { "" } else { "s" }
                ));
                for h in hits.iter().take(5) {
                    eprintln!(
                        "  - {} at {} ({}): {}",
                        h.user,
                        h.time.as_deref().unwrap_or("?"),
                        h.sign_in.as_deref().unwrap_or("no id"),
                        h.why
                    );
                }
                eprintln!(
                    "help: exclude the emergency accounts from the policy (`exclude group BreakGlass`) and read new evidence"
                );
            }
            let failures = impact.recorded.get(name).map_or(0, |r| r.failure);
            if a.if_no_failures && failures > 0 {
                refused = true;
                output::error(format!(
                    "refusing to promote `{name}`: {failures} sign-in{} failed it in report-only (reportOnlyFailure), and --if-no-failures is set",
                    if failures == 1 { "" } else { "s" }
                ));
                eprintln!(
                    "help: `capol impact` lists who; fix the cause or promote without --if-no-failures"
                );
            }
            let counts = impact.recorded.get(name).cloned().unwrap_or_default();
            eprintln!(
                "capol: `{name}`: recorded reportOnlySuccess {}, reportOnlyFailure {}, reportOnlyInterrupted {}, reportOnlyNotApplied {}",
                counts.success, counts.failure, counts.interrupted, counts.not_applied
            );
        }
        if refused {
            eprintln!("capol: nothing was written");
            return Err(Exit::SourceErrors);
        }
    } else {
        eprintln!(
            "capol: no evidence read (`--sign-ins FILE` or `--since 7d` would check the report-only results first)"
        );
    }
    // Rewrite in memory, check that the result compiles, then write.
    let mut found = Vec::new();
    let mut rewritten: Vec<(PathBuf, String)> = Vec::new();
    let mut new_sources = SourceMap::new();
    for (_, f) in c.sources.files() {
        if !f.name.ends_with(".capol") {
            continue;
        }
        let stem = Path::new(&f.name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        let text = promote_text(&f.text, stem, &a.policies, &mut found)
            .map_err(|e| usage(format!("`{}`: {e}", f.name)))?;
        if text != f.text {
            rewritten.push((PathBuf::from(&f.name), text.clone()));
        }
        new_sources.add(f.name.clone(), text);
    }
    let off: Vec<&String> = found
        .iter()
        .filter(|(_, p)| *p == Promotion::Off)
        .map(|(n, _)| n)
        .collect();
    if !off.is_empty() {
        for n in off {
            output::error(format!(
                "`{n}` is `mode off`, not report-only: promote turns report-only policies on"
            ));
        }
        eprintln!("help: write `mode report-only` first and gather evidence; nothing was written");
        return Err(Exit::SourceErrors);
    }
    let mut diags = Diagnostics::new();
    let lock_path = driver::find_lock(&a.src.paths, a.src.lock.as_deref());
    let lock = lock_path
        .as_deref()
        .and_then(|p| driver::load_lock(p, &mut new_sources, &mut diags));
    let after = driver::compile_sources(
        new_sources,
        lock.as_ref(),
        &Options { api: a.src.api },
        diags,
    );
    if after.has_errors() {
        output::emit_diagnostics(&after.diagnostics.items, &after.sources, a.src.format);
        output::error(
            "refusing to promote: turned on, the policies would not compile (above); nothing was written",
        );
        return Err(Exit::SourceErrors);
    }
    for (path, text) in &rewritten {
        write_file(path, text)?;
    }
    for (name, what) in &found {
        match what {
            Promotion::Promoted => signins::out(&format!("promoted `{name}`: mode on\n")),
            Promotion::AlreadyOn => signins::out(&format!("`{name}` is already on\n")),
            Promotion::Off => {}
        }
    }
    eprintln!(
        "capol: {} file{} rewritten; `capol plan` shows the change",
        rewritten.len(),
        if rewritten.len() == 1 { "" } else { "s" }
    );
    Ok(Exit::Ok)
}

/// Writes through a temporary file beside `path`, so a failed write leaves the old file.
fn write_file(path: &Path, text: &str) -> Step<()> {
    let tmp = path.with_extension("capol-tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            usage(format!("cannot write `{}`: {e}", path.display()))
        })
}

/// `capol resolve PATH --snapshot FILE --sign-ins LOG` (or `--since 7d`): the transitive groups
/// and directory roles of every user the sign-ins name, read from the tenant in `$batch`.
#[cfg(feature = "tenant")]
pub fn resolve_snapshot(
    src: &SourceArgs,
    tenant: &TenantArgs,
    out: &Path,
    evidence: &EvidenceArgs,
) -> Exit {
    snapshot_run(src, tenant, out, evidence).unwrap_or_else(|e| e)
}

#[cfg(feature = "tenant")]
fn snapshot_run(
    src: &SourceArgs,
    tenant: &TenantArgs,
    out: &Path,
    evidence: &EvidenceArgs,
) -> Step<Exit> {
    use super::tenant::{connect, runtime, tenant_error};
    use crate::signin::Snapshot;
    use std::collections::BTreeSet;
    let conn = connect(tenant, src.api)?;
    let rt = runtime()?;
    let mut users = BTreeSet::new();
    let mut upns = std::collections::HashMap::new();
    let mut note = |r: crate::signin::Record| {
        if let Some(id) = r.user_id {
            let id = id.to_ascii_lowercase();
            if let Some(upn) = r.user_principal_name {
                upns.insert(id.clone(), upn);
            }
            users.insert(id);
        }
    };
    match &evidence.sign_ins {
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| usage(format!("cannot read sign-in log `{}`: {e}", path.display())))?;
            crate::signin::read(
                std::io::BufReader::with_capacity(256 * 1024, file),
                &mut note,
            )
            .map_err(|e| usage(format!("`{}` is not a sign-in log: {e}", path.display())))?;
        }
        None if evidence.tenant() => {
            let since = signins::since_timestamp(evidence.since.as_deref().unwrap_or("7d"))?;
            rt.block_on(async {
                let mut url = Some(conn.client.sign_ins_url(&since));
                while let Some(u) = url.take() {
                    let (page, next) = conn.client.sign_ins_page(&u).await?;
                    page.into_iter().for_each(&mut note);
                    url = next;
                }
                Ok::<(), crate::graph::error::GraphError>(())
            })
            .map_err(tenant_error)?;
        }
        None => {
            return Err(usage(
                "--snapshot needs the users to look up: `--sign-ins FILE` or `--since 7d`",
            ));
        }
    }
    let users: Vec<String> = users.into_iter().collect();
    let answers = rt
        .block_on(conn.client.memberships(&users))
        .map_err(tenant_error)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut snap = Snapshot::new(Some(signins::iso_utc(now)));
    let mut unreadable = 0;
    for (user, answer) in users.iter().zip(answers) {
        match answer {
            Ok(mut m) => {
                m.user_principal_name = upns.get(user).cloned();
                snap.insert(user, m);
            }
            Err(e) => {
                unreadable += 1;
                eprintln!("capol: warning: memberships of user {user} not read: {e}");
            }
        }
    }
    write_file(out, &snap.to_text())?;
    eprintln!(
        "capol: wrote {}: memberships of {} user{}{}",
        out.display(),
        snap.len(),
        if snap.len() == 1 { "" } else { "s" },
        if unreadable > 0 {
            format!(" ({unreadable} could not be read: their policies stay undetermined)")
        } else {
            String::new()
        }
    );
    Ok(Exit::Ok)
}
