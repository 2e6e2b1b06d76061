//! `capol plan --env all` for 200 environments of 50 policies each, against a local fake Graph
//! on 127.0.0.1 that answers every request after 20–50 ms (a fixed spread by tenant, like a
//! real tenant's list call), compared with planning one environment at a time, 200 times (what a
//! script looping over tenants does). The release binary runs as a child process, its output
//! thrown away; its peak resident memory is measured with GNU time (`/usr/bin/time -f %M`). The figures
//! are recorded in `docs/benchmarks.md`.
//!
//! In: nothing (sources, `capol.toml` and tenants generated). Out: criterion timings, and the
//! peak memory and machine load printed before them.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const ENVIRONMENTS: usize = 200;
const POLICIES: usize = 50;
const TOKEN: &str = "bench-token-not-a-secret";

/// 50 policies over 20 declared groups: admins, legacy blocks, platform and location rules.
fn sources() -> String {
    let mut s = String::from(
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
         emergency group BreakGlass\n\
         location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\n\
         set Admins = role GlobalAdministrator, SecurityAdministrator, ExchangeAdministrator\n\n\
         defaults\n    exclude group BreakGlass\n",
    );
    for g in 0..20 {
        let _ = writeln!(
            s,
            "group G{g} = {:08x}-0000-4000-8000-{:012x}",
            g + 1,
            g + 1
        );
    }
    for i in 0..POLICIES {
        let _ = writeln!(s, "\npolicy \"CA{i:03} baseline\"");
        let body = match i % 5 {
            0 => "    for set Admins\n    for all apps\n    require strength phishing-resistant-mfa\n    mode on".to_string(),
            1 => format!("    for group G{}\n    for all apps\n    when client exchange-activesync, other\n    block\n    mode on", i % 20),
            2 => format!("    for group G{}\n    for app ExchangeOnline, SharePointOnline\n    when platform any\n    exclude platform ios, android\n    require compliant-device or mfa\n    mode report-only", i % 20),
            3 => "    for all users\n    for all apps\n    when location any\n    exclude location trusted\n    require mfa\n    mode report-only".to_string(),
            _ => format!("    for group G{}, G{}\n    for app AzureServiceManagement\n    require mfa\n    session sign-in-frequency 4 hours\n    mode on", i % 20, (i + 7) % 20),
        };
        s.push_str(&body);
        s.push('\n');
    }
    s
}

/// What every tenant holds: the compiled policies (with ids), one of them changed since.
fn tenant_policies(dir: &Path) -> Vec<Value> {
    let c = capol::driver::compile_paths(
        &[dir.to_path_buf()],
        None,
        &capol::check::Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    assert_eq!(c.policies.len(), POLICIES);
    c.policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            v["id"] = json!(format!("00000000-0000-4000-8000-{i:012x}"));
            if i == 7 {
                v["state"] = json!("disabled");
            }
            v
        })
        .collect()
}

/// Answers the list of policies after 20–50 ms, by tenant (`/tNNN/…`).
struct Slow(Value);

impl Respond for Slow {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let n: u64 = r
            .url
            .path()
            .trim_start_matches("/t")
            .split('/')
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        ResponseTemplate::new(200)
            .set_body_json(&self.0)
            .set_delay(Duration::from_millis(20 + (n * 7) % 31))
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    pol: PathBuf,
    _rt: tokio::runtime::Runtime,
    _server: MockServer,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pol = dir.path().join("pol");
    std::fs::create_dir_all(&pol).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(pol.join("baseline.capol"), sources()).unwrap_or_else(|e| panic!("{e}"));
    let body = json!({ "value": tenant_policies(&pol) });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let server = rt.block_on(async {
        let s = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path_regex(
                r"^/t\d+/v1\.0/identity/conditionalAccess/policies$",
            ))
            .respond_with(Slow(body))
            .mount(&s)
            .await;
        s
    });
    let mut toml = String::new();
    for e in 0..ENVIRONMENTS {
        let _ = writeln!(
            toml,
            "[environments.c{e:03}]\ngraph-url = \"{}/t{e}\"\n",
            server.uri()
        );
    }
    std::fs::write(pol.join("capol.toml"), toml).unwrap_or_else(|e| panic!("{e}"));
    Fixture {
        _dir: dir,
        pol,
        _rt: rt,
        _server: server,
    }
}

/// `capol plan pol ARGS`, output discarded; panics unless it exits 0.
fn plan(f: &Fixture, args: &[&str]) {
    let status = command(f, None, args)
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "capol plan {args:?}: {status}");
}

/// The command, under GNU time writing the peak resident set (KiB) into `peak` when given.
fn command(f: &Fixture, peak: Option<&Path>, args: &[&str]) -> Command {
    let mut c = match peak {
        Some(out) => {
            let mut c = Command::new(TIME);
            c.arg("-f").arg("%M").arg("-o").arg(out);
            c.arg(env!("CARGO_BIN_EXE_capol"));
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_capol")),
    };
    c.arg("plan")
        .arg(&f.pol)
        .args(args)
        .env("CAPOL_AUTH", "token")
        .env("CAPOL_ACCESS_TOKEN", TOKEN)
        .env_remove("CAPOL_GRAPH_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

const TIME: &str = "/usr/bin/time";

/// Peak resident memory of `capol plan pol ARGS` in MiB (`None` without GNU time).
fn peak_mib(f: &Fixture, args: &[&str]) -> Option<f64> {
    if !Path::new(TIME).exists() {
        return None;
    }
    let out = f.pol.with_file_name("peak.txt");
    let status = command(f, Some(&out), args).status().ok()?;
    assert!(status.success(), "capol plan {args:?}: {status}");
    let kib: f64 = std::fs::read_to_string(&out).ok()?.trim().parse().ok()?;
    Some(kib / 1024.0)
}

fn mib(v: Option<f64>) -> String {
    v.map_or_else(
        || "unknown (no /usr/bin/time)".into(),
        |m| format!("{m:.1} MiB"),
    )
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    eprintln!("envs bench: load average before: {}", load());
    let one = mib(peak_mib(&f, &["--env", "c000"]));
    let peak = mib(peak_mib(&f, &["--env", "all", "--parallel", "16"]));
    let t = Instant::now();
    plan(&f, &["--env", "all", "--parallel", "16"]);
    let all16 = t.elapsed();
    let t = Instant::now();
    plan(&f, &["--env", "all"]);
    let all1 = t.elapsed();
    let t = Instant::now();
    for e in 0..ENVIRONMENTS {
        plan(&f, &["--env", &format!("c{e:03}")]);
    }
    let loop_ = t.elapsed();
    eprintln!(
        "envs bench: {ENVIRONMENTS} environments x {POLICIES} policies, 20-50 ms per request\n  \
         one process, --env all --parallel 16: {:.2} s\n  \
         one process, --env all (one at a time): {:.2} s\n  \
         {ENVIRONMENTS} processes, --env cNNN each: {:.2} s\n  \
         peak resident memory: one environment {one}, --env all --parallel 16 {peak}\n  \
         load average after: {}",
        all16.as_secs_f64(),
        all1.as_secs_f64(),
        loop_.as_secs_f64(),
        load()
    );
    let mut g = c.benchmark_group("envs");
    g.sample_size(10);
    g.bench_function("plan one environment (one process)", |b| {
        b.iter(|| plan(&f, &["--env", "c000"]))
    });
    g.bench_function("plan --env all --parallel 16 (200 environments)", |b| {
        b.iter(|| plan(&f, &["--env", "all", "--parallel", "16"]))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
