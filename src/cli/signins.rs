//! `capol impact`: the sources' policies replayed against a sign-in log, and the evidence
//! (`--sign-ins FILE` or the tenant's logs) that `capol promote` shares.
//!
//! In: sources, a sign-in log file or `--from-tenant --since 7d`, a directory snapshot. Out: the
//! impact summary on stdout (text or JSON), progress on stderr; exit 0, 1 (sources), 2 (usage,
//! unreadable log or snapshot), 3 (tenant).

use super::Exit;
use super::compile::{SourceArgs, summary};
use super::output::{self, Format};
#[cfg(feature = "tenant")]
use super::tenant::TenantArgs;
use crate::driver::{self, Compilation};
use crate::ir::Principal;
use crate::signin::{Impact, ImpactOptions, Mapper, Replay, Snapshot};
use crate::symbols::Kind;
use crate::symbols::lock::LockFile;
use crate::whatif::EvalContext;
use clap::Args;
use std::collections::HashMap;
use std::path::PathBuf;

pub(super) type Step<T> = Result<T, Exit>;

/// Where the sign-ins come from, and the memberships.
#[derive(Args, Debug, Clone)]
pub struct EvidenceArgs {
    /// An exported sign-in log: the JSON of `GET /auditLogs/signIns` (a list response, pages
    /// one after another, an array, or one record per line), read as a stream
    #[arg(long = "sign-ins", value_name = "FILE")]
    pub sign_ins: Option<PathBuf>,
    /// Group and role memberships of the users in the log (`capol resolve --snapshot FILE`
    /// writes one); without it, policies that name groups or roles are undetermined for file
    /// logs, and read from the tenant with --from-tenant
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Read the tenant's sign-in logs instead of a file (needs AuditLog.Read.All)
    #[arg(long, conflicts_with = "sign_ins")]
    pub from_tenant: bool,
    /// How far back to read the tenant's sign-ins: `7d`, `24h`, `90m` [default: 7d]
    #[arg(long, value_name = "DURATION", conflicts_with = "sign_ins")]
    pub since: Option<String>,
}

impl EvidenceArgs {
    pub fn tenant(&self) -> bool {
        self.from_tenant || self.since.is_some()
    }
    pub fn any(&self) -> bool {
        self.sign_ins.is_some() || self.tenant()
    }
}

#[derive(Args, Debug)]
#[command(after_help = "\
Replays sign-ins against the policies of the sources, offline, before anything is deployed:
per policy, the sign-ins and distinct users it would block or challenge (whatever its mode),
samples of them as scenarios, the emergency-account sign-ins it would stop, the report-only
results the log recorded (reportOnlySuccess, reportOnlyFailure, reportOnlyInterrupted,
reportOnlyNotApplied), and the sign-ins whose outcome changes compared with the log.

Examples:
  capol impact policies/ --sign-ins week.json --snapshot directory.json
  capol impact policies/ --sign-ins week.json --format json
  capol impact policies/ --from-tenant --since 7d      (AuditLog.Read.All, Directory.Read.All)
  capol impact policies/ --env prod --from-tenant      prod's tenant, lock file and name prefix
  capol impact policies/ --env test --env prod --from-tenant --format json

A record capol cannot replay (no resource, a sign-in that failed before Conditional Access) is
counted and its reason given under `skipped`; facts a record does not give stay unknown, and a
policy that depends on one is counted as undetermined. See docs/impact.md.

Exit codes: 0 done, 1 the sources have errors, 2 usage error or unreadable log or snapshot,
3 authentication, network or tenant failure")]
pub struct ImpactArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Samples kept per policy and outcome (and ten times as many changed sign-ins)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub samples: usize,
    /// Count report-only policies as on when comparing outcomes with the log
    #[arg(long)]
    pub as_on: bool,
    /// Replay against this environment of capol.toml (its lock file, name prefix and mode
    /// ceiling; with --from-tenant its tenant); repeat it, or write `all`, for several (each
    /// reads its own tenant's sign-ins, so several need --from-tenant)
    #[arg(long = "env", value_name = "NAME")]
    pub envs: Vec<String>,
    #[cfg(feature = "tenant")]
    #[command(flatten)]
    pub tenant: TenantArgs,
}

pub fn impact(a: ImpactArgs) -> Exit {
    impact_run(&a).unwrap_or_else(|e| e)
}

fn impact_run(a: &ImpactArgs) -> Step<Exit> {
    if !a.evidence.any() {
        return Err(usage(
            "impact needs sign-ins: `--sign-ins FILE` (an exported log) or `--from-tenant --since 7d`",
        ));
    }
    if !a.envs.is_empty() {
        return impact_envs(a);
    }
    let c = compile(&a.src)?;
    let impact = replay_one(
        a,
        &c,
        &a.src,
        #[cfg(feature = "tenant")]
        &a.tenant,
    )?;
    print_impact(&impact, a.src.format);
    Ok(Exit::Ok)
}

fn replay_one(
    a: &ImpactArgs,
    c: &Compilation,
    src: &SourceArgs,
    #[cfg(feature = "tenant")] tenant: &TenantArgs,
) -> Step<Impact> {
    let options = ImpactOptions {
        samples: a.samples,
        report_only_as_on: a.as_on,
        ..emergency(c)
    };
    gather(
        c,
        src,
        &a.evidence,
        options,
        #[cfg(feature = "tenant")]
        tenant,
    )
}

/// `--env`: per environment, its compilation (lock file, prefix, mode ceiling) and, with
/// `--from-tenant`, its tenant's sign-ins. One environment prints as without `--env`; several
/// print one report each (text) or `{"environments": [{"environment", "impact"}]}` (JSON). A
/// failing environment is reported and the others still run; the exit code is the worst.
fn impact_envs(a: &ImpactArgs) -> Step<Exit> {
    let envs = super::envs::load(&a.src)?;
    let args = super::envs::EnvArgs {
        envs: a.envs.clone(),
        parallel: 1,
    };
    let chosen = super::envs::select(&envs, &args)?;
    if chosen.len() > 1 && !a.evidence.tenant() {
        return Err(usage(
            "a sign-in log file belongs to one tenant: with several environments, read each              tenant's sign-ins with `--from-tenant`",
        ));
    }
    let mut results = Vec::new();
    let mut worst = Exit::Ok;
    for e in &chosen {
        let mut src = a.src.clone();
        if let Some(l) = &e.lock {
            src.lock = Some(l.value.clone());
        }
        let run = || -> Step<Impact> {
            let c = super::envs::compile_for(&a.src, e)?;
            if c.has_errors() {
                summary(&c, a.src.format);
                return Err(Exit::SourceErrors);
            }
            #[cfg(feature = "tenant")]
            let tenant = super::tenant_envs::tenant_args_for(&a.tenant, e).map_err(usage)?;
            replay_one(
                a,
                &c,
                &src,
                #[cfg(feature = "tenant")]
                &tenant,
            )
        };
        match run() {
            Ok(impact) => results.push((e.name.clone(), Some(impact))),
            Err(code) => {
                eprintln!("capol: environment `{}` failed", e.name);
                if worst == Exit::Ok || code == Exit::Tenant {
                    worst = code;
                }
                results.push((e.name.clone(), None));
            }
        }
    }
    if let [(_, Some(impact))] = results.as_slice() {
        print_impact(impact, a.src.format);
        return Ok(worst);
    }
    match a.src.format {
        Format::Json | Format::Sarif => {
            let entries: Vec<serde_json::Value> = results
                .iter()
                .map(|(name, i)| match i {
                    Some(i) => serde_json::json!({"environment": name, "impact": i.to_json()}),
                    None => serde_json::json!({"environment": name, "error": "failed (shown on stderr)"}),
                })
                .collect();
            let mut t = serde_json::to_string_pretty(&serde_json::json!({"environments": entries}))
                .unwrap_or_default();
            t.push('\n');
            out(&t);
        }
        Format::Text => {
            for (name, i) in &results {
                out(&format!("── environment `{name}` ──\n"));
                match i {
                    Some(i) => out(&i.to_text()),
                    None => out("failed (shown on stderr)\n"),
                }
            }
        }
    }
    Ok(worst)
}

fn print_impact(impact: &Impact, format: Format) {
    let text = match format {
        // SARIF describes diagnostics, not a summary: machines get the JSON.
        Format::Json | Format::Sarif => {
            let mut t = serde_json::to_string_pretty(&impact.to_json()).unwrap_or_default();
            t.push('\n');
            t
        }
        Format::Text => impact.to_text(),
    };
    out(&text);
}

/// Data on stdout; a closed pipe (`capol impact … | head`) ends the output quietly.
pub(super) fn out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes()).and_then(|()| o.flush());
}

/// Compiles; sources with errors stop here.
pub(super) fn compile(src: &SourceArgs) -> Step<Compilation> {
    let c = src.compile()?;
    if c.has_errors() {
        summary(&c, src.format);
        return Err(Exit::SourceErrors);
    }
    Ok(c)
}

/// The declared emergency users and groups.
pub(super) fn emergency(c: &Compilation) -> ImpactOptions {
    let mut o = ImpactOptions::default();
    for e in &c.set.emergency {
        match &e.node {
            Principal::User(id) => o.emergency_users.push(id.to_ascii_lowercase()),
            Principal::Group(id) => o.emergency_groups.push(id.to_ascii_lowercase()),
            Principal::Role(_) => {}
        }
    }
    o
}

fn context(c: &Compilation) -> EvalContext {
    crate::suite::context(c)
}

/// Named locations by lower-case name → id: the declared names of the locations the policies
/// use, and the names and display names the lock file pins.
fn location_names(c: &Compilation, src: &SourceArgs) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let used: std::collections::HashSet<String> = c
        .policies
        .iter()
        .filter_map(|p| p.conditions.locations.as_ref())
        .flat_map(|l| l.include_locations.iter().chain(&l.exclude_locations))
        .map(|id| id.to_ascii_lowercase())
        .collect();
    for (id, name) in &c.set.names_by_id {
        if used.contains(&id.to_ascii_lowercase()) {
            out.insert(name.to_lowercase(), id.clone());
        }
    }
    let lock = driver::find_lock(&src.paths, src.lock.as_deref())
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| LockFile::parse(&t).ok());
    if let Some(lock) = lock
        && let Some(entries) = lock.entries.get(&Kind::Location)
    {
        for (name, e) in entries {
            out.insert(name.to_lowercase(), e.id.clone());
            if let Some(d) = &e.display_name {
                out.insert(d.to_lowercase(), e.id.clone());
            }
        }
    }
    out
}

fn read_snapshot(path: &PathBuf) -> Step<Snapshot> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("cannot read snapshot `{}`: {e}", path.display())))?;
    Snapshot::parse(&text).map_err(|e| usage(format!("`{}`: {e}", path.display())))
}

/// Reads the evidence and replays it against the sources' policies.
pub(super) fn gather(
    c: &Compilation,
    src: &SourceArgs,
    ev: &EvidenceArgs,
    options: ImpactOptions,
    #[cfg(feature = "tenant")] tenant: &TenantArgs,
) -> Step<Impact> {
    let snapshot = ev.snapshot.as_ref().map(read_snapshot).transpose()?;
    let from_snapshot = snapshot.is_some();
    let mut mapper = Mapper::new(snapshot);
    mapper.locations = location_names(c, src);
    let ctx = context(c);
    let mut replay = Replay::new(&c.policies, &ctx, mapper, options, true);
    if let Some(path) = &ev.sign_ins {
        let file = std::fs::File::open(path)
            .map_err(|e| usage(format!("cannot read sign-in log `{}`: {e}", path.display())))?;
        let input = std::io::BufReader::with_capacity(256 * 1024, file);
        let summary = crate::signin::replay_reader(input, &mut replay)
            .map_err(|e| usage(format!("`{}` is not a sign-in log: {e}", path.display())))?;
        if let Some(next) = summary.next_link {
            eprintln!(
                "capol: warning: `{}` ends with an @odata.nextLink: the export holds only the \
                 first page(s); later sign-ins are missing ({})",
                path.display(),
                next.split('?').next().unwrap_or("")
            );
        }
        return Ok(replay.finish());
    }
    #[cfg(feature = "tenant")]
    {
        let since = since_timestamp(ev.since.as_deref().unwrap_or("7d"))?;
        tenant_sign_ins(&mut replay, src, tenant, &since, !from_snapshot)?;
        Ok(replay.finish())
    }
    #[cfg(not(feature = "tenant"))]
    {
        let _ = from_snapshot;
        Err(usage(
            "this capol was built without tenant support: export the sign-ins and pass `--sign-ins FILE`",
        ))
    }
}

/// The tenant's sign-ins since `since`, page by page; with `memberships`, the groups and roles
/// of each page's new users are read (in `$batch`) before the page is replayed.
#[cfg(feature = "tenant")]
fn tenant_sign_ins(
    replay: &mut Replay<'_>,
    src: &SourceArgs,
    tenant: &TenantArgs,
    since: &str,
    memberships: bool,
) -> Step<()> {
    use super::tenant::{connect, runtime, signed_in_tenant, tenant_error};
    let conn = connect(tenant, src.api)?;
    let rt = runtime()?;
    // The sources' ids (and the names the log is matched by) come from the lock file: it must
    // be this tenant's.
    signed_in_tenant(&rt, &conn, src)?;
    let mut seen = std::collections::HashSet::new();
    let (mut pages, mut records) = (0u64, 0u64);
    let mut url = Some(conn.client.sign_ins_url(since));
    rt.block_on(async {
        while let Some(u) = url.take() {
            let (page, next) = conn.client.sign_ins_page(&u).await?;
            pages += 1;
            records += page.len() as u64;
            if memberships {
                let new: Vec<String> = page
                    .iter()
                    .filter_map(|r| r.user_id.as_ref())
                    .map(|u| u.to_ascii_lowercase())
                    .filter(|u| seen.insert(u.clone()))
                    .collect();
                if !new.is_empty() {
                    let found = conn.client.memberships(&new).await?;
                    let snap = replay
                        .mapper_mut()
                        .snapshot
                        .get_or_insert_with(|| Snapshot::new(None));
                    for (user, m) in new.iter().zip(found) {
                        if let Ok(m) = m {
                            snap.insert(user, m);
                        }
                    }
                }
            }
            for r in page {
                replay.record(r);
            }
            url = next;
        }
        Ok::<(), crate::graph::error::GraphError>(())
    })
    .map_err(tenant_error)?;
    eprintln!("capol: read {records} sign-ins since {since} ({pages} pages)");
    Ok(())
}

/// `7d`, `24h`, `90m` before now, as Graph's `createdDateTime` (`2026-11-24T21:00:00Z`).
#[cfg_attr(not(feature = "tenant"), allow(dead_code))]
pub(super) fn since_timestamp(text: &str) -> Step<String> {
    let secs = parse_duration(text).ok_or_else(|| {
        usage(format!(
            "`--since {text}`: write a number and a unit: `7d`, `24h` or `90m`"
        ))
    })?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(iso_utc(now.saturating_sub(secs)))
}

#[cfg_attr(not(feature = "tenant"), allow(dead_code))]
fn parse_duration(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = digits.parse().ok()?;
    let per = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        _ => return None,
    };
    (n > 0).then_some(n * per)
}

/// Seconds since 1970 → `YYYY-MM-DDTHH:MM:SSZ` (the proleptic Gregorian calendar, UTC).
#[cfg_attr(not(feature = "tenant"), allow(dead_code))]
pub(super) fn iso_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub(super) fn usage(e: impl std::fmt::Display) -> Exit {
    output::error(e);
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_dates() {
        assert_eq!(parse_duration("7d"), Some(604_800));
        assert_eq!(parse_duration("24h"), Some(86_400));
        assert_eq!(parse_duration("90m"), Some(5_400));
        for bad in ["7", "d", "7w", "0d", "-1d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
