//! `capol test` of 10,000 scenarios against 200 policies, beside a check of the same files: the
//! target is a test within 3 times the check (and under 150 MB peak, measured on the binary; see
//! `docs/benchmarks.md`).
//!
//! In: nothing (the sources are generated). Out: criterion timings of `check` (parse, resolve,
//! check, emit) and of `test` (the same, then every scenario evaluated and its expectations
//! checked, the text report written to a sink), and the JSON report likewise.
//! `CAPOL_BENCH_WRITE=DIR cargo bench --bench scenarios` writes the sources into DIR instead, for
//! measuring the binary (`capol check DIR` against `capol test DIR`).

use capol::check::Options;
use capol::cli::Format;
use capol::driver::compile_str;
use capol::suite;
use criterion::{Criterion, criterion_group, criterion_main};
use std::fmt::Write;
use std::time::Duration;

const POLICIES: usize = 200;
const SCENARIOS: usize = 10_000;

const APPS: [&str; 5] = [
    "AzureServiceManagement",
    "ExchangeOnline",
    "SharePointOnline",
    "MicrosoftTeamsServices",
    "HRPortal",
];
const PLATFORMS: [&str; 5] = ["windows", "ios", "android", "macos", "linux"];
const CLIENTS: [&str; 4] = ["browser", "mobile-desktop", "exchange-activesync", "other"];
const RISKS: [&str; 4] = ["low", "medium", "high", "none"];

/// Declarations, 200 policies in two files, 10,000 scenarios in files of 100.
pub fn generate() -> Vec<(String, String)> {
    let mut names = String::from("emergency group BreakGlass\n");
    let _ = writeln!(
        names,
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"
    );
    for g in 0..20 {
        let _ = writeln!(
            names,
            "group G{g} = {:08x}-0000-4000-8000-{:012x}",
            g + 1,
            g + 1
        );
    }
    let _ = writeln!(names, "app HRPortal = 3f2f9a55-1b6e-4c7a-8a1d-6d3f0e9b2c44");
    let _ = writeln!(
        names,
        "location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted"
    );
    let _ = writeln!(
        names,
        "location Branch = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e11"
    );
    let mut files = vec![("names.capol".to_string(), names)];
    let mut text = String::new();
    for i in 0..POLICIES {
        let _ = writeln!(text, "policy \"P{i:03} generated\"");
        let mode = ["on", "on", "report-only", "off"][i % 4];
        let g = i % 20;
        let app = APPS[i % APPS.len()];
        let _ = match i % 7 {
            0 => writeln!(
                text,
                "    for all users, all apps exclude group BreakGlass\n    when platform any exclude platform {}\n    require compliant-device or hybrid-joined-device or mfa",
                PLATFORMS[i % 5]
            ),
            1 => writeln!(
                text,
                "    for group G{g} for app {app} exclude group BreakGlass\n    require mfa"
            ),
            2 => writeln!(
                text,
                "    for all users exclude group BreakGlass for all apps\n    when client exchange-activesync, other\n    block"
            ),
            3 => writeln!(
                text,
                "    for role GlobalAdministrator exclude group BreakGlass for all apps\n    require strength phishing-resistant-mfa"
            ),
            4 => writeln!(
                text,
                "    for group G{g} for all apps\n    when location any exclude location trusted\n    when sign-in-risk high, medium\n    require mfa\n    session sign-in-frequency {} hours",
                1 + i % 23
            ),
            5 => writeln!(
                text,
                "    for all users exclude group BreakGlass for app {app}\n    when devices where 'device.isCompliant -ne True -and device.trustType -ne \"ServerAD\"'\n    session sign-in-frequency 8 hours"
            ),
            _ => writeln!(
                text,
                "    for guests for app {app}\n    when user-risk {}\n    require mfa and compliant-device",
                RISKS[i % 3]
            ),
        };
        let _ = writeln!(text, "    mode {mode}");
        if i % 100 == 99 {
            files.push((format!("p{i:03}.capol"), std::mem::take(&mut text)));
        }
    }
    let expects = [
        "expect require mfa",
        "expect allow",
        "expect block",
        "expect applies \"P001 generated\"",
        "expect skips \"P002 generated\"",
        "expect session sign-in-frequency 8 hours",
    ];
    for i in 0..SCENARIOS {
        let _ = writeln!(text, "scenario \"S{i:05}\"");
        let _ = writeln!(
            text,
            "    user u{i}@contoso.com member-of group G{}",
            i % 20
        );
        if i % 9 == 0 {
            let _ = writeln!(text, "    member-of role GlobalAdministrator");
        }
        if i % 13 == 0 {
            let _ = writeln!(text, "    guest b2b-collaboration-guest");
        }
        let _ = writeln!(text, "    app {}", APPS[i % APPS.len()]);
        let _ = writeln!(text, "    platform {}", PLATFORMS[(i / 3) % 5]);
        let _ = writeln!(text, "    client {}", CLIENTS[(i / 7) % 4]);
        if i % 4 != 0 {
            let _ = writeln!(
                text,
                "    location {}",
                ["HQ", "Branch", "untrusted"][i % 3]
            );
        }
        if i % 5 != 0 {
            let _ = writeln!(text, "    sign-in-risk {}", RISKS[i % 4]);
            let _ = writeln!(text, "    user-risk {}", RISKS[(i / 2) % 4]);
        }
        if i % 3 == 0 {
            let _ = writeln!(text, "    device trustType AzureAD, isCompliant True");
        } else if i % 3 == 1 {
            let _ = writeln!(text, "    device unregistered");
        }
        let _ = writeln!(text, "    {}", expects[i % expects.len()]);
        if i % 100 == 99 {
            files.push((format!("s{i:05}.capol"), std::mem::take(&mut text)));
        }
    }
    files
}

fn compile(files: &[(String, String)]) -> capol::driver::Compilation {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let c = compile_str(&refs, None, &Options::default());
    assert!(!c.has_errors(), "generated sources must compile");
    c
}

fn run(files: &[(String, String)], format: Format) -> usize {
    let c = compile(files);
    let mut sink = std::io::sink();
    let summary = suite::run(&c, format, &mut sink).unwrap_or_default();
    summary.passed
}

fn bench(c: &mut Criterion) {
    let files = generate();
    if let Some(dir) = std::env::var_os("CAPOL_BENCH_WRITE") {
        let dir = std::path::PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        for (name, text) in &files {
            let _ = std::fs::write(dir.join(name), text);
        }
        eprintln!("wrote {} files to {}", files.len(), dir.display());
        return;
    }
    let mut group = c.benchmark_group("scenarios");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("check 10k scenarios + 200 policies", |b| {
        b.iter(|| compile(&files).policies.len())
    });
    group.bench_function("test 10k scenarios x 200 policies (text)", |b| {
        b.iter(|| run(&files, Format::Text))
    });
    group.bench_function("test 10k scenarios x 200 policies (json)", |b| {
        b.iter(|| run(&files, Format::Json))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
