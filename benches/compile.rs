//! Compile a generated set of varied policies end to end: parse, check, emit, serialise.
//! The target is at least 40,000 policies per second on one core, linear in the count.

use capol::check::Options;
use capol::driver::compile_str;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write;

/// `n` varied policies in files of 100, plus a declarations file.
pub fn generate(n: usize) -> Vec<(String, String)> {
    let mut names = String::from("emergency group BreakGlass\n");
    for g in 0..50 {
        let _ = writeln!(
            names,
            "group G{g} = {:08x}-0000-4000-8000-{:012x}",
            g + 1,
            g + 1
        );
    }
    let _ = writeln!(
        names,
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"
    );
    let _ = writeln!(
        names,
        "location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted"
    );
    let mut files = vec![("names.capol".to_string(), names)];
    let mut text = String::new();
    for i in 0..n {
        let _ = writeln!(text, "policy \"P{i:05} generated\"");
        match i % 6 {
            0 => {
                let _ = writeln!(
                    text,
                    "    require mfa for app AzureServiceManagement exclude group BreakGlass, G{} mode on",
                    i % 50
                );
            }
            1 => {
                let _ = writeln!(
                    text,
                    "    for role GlobalAdministrator, SecurityAdministrator\n    for all apps\n    exclude group BreakGlass\n    require strength phishing-resistant-mfa"
                );
            }
            2 => {
                let _ = writeln!(
                    text,
                    "    for group G{} for all apps\n    when client exchange-activesync, other\n    block\n    mode report-only",
                    i % 50
                );
            }
            3 => {
                let _ = writeln!(
                    text,
                    "    for all apps exclude group BreakGlass\n    when platform any exclude platform ios, android\n    when location any exclude location trusted\n    require compliant-device or hybrid-joined-device or mfa"
                );
            }
            4 => {
                let _ = writeln!(
                    text,
                    "    for group G{} exclude group BreakGlass for all apps\n    when devices where 'device.isCompliant -ne True -and device.trustType -ne \"ServerAD\"'\n    session persistent-browser never, sign-in-frequency {} hours",
                    i % 50,
                    1 + i % 23
                );
            }
            _ => {
                let _ = writeln!(
                    text,
                    "    for guests for app Office365\n    when sign-in-risk high, medium\n    require mfa\n    description \"guests on risky sign-ins\""
                );
            }
        }
        if i % 100 == 99 || i + 1 == n {
            files.push((format!("p{i:05}.capol"), std::mem::take(&mut text)));
        }
    }
    files
}

fn compile_all(files: &[(String, String)]) -> usize {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let c = compile_str(&refs, None, &Options::default());
    assert!(!c.has_errors(), "generated sources must compile");
    let json = serde_json::to_string(&c.policies).unwrap_or_default();
    json.len()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let files = generate(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &files, |b, files| {
            b.iter(|| compile_all(files))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
