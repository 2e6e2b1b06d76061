//! Benchmark of `capol impact`'s replay: 1,000,000 sign-in records (a Graph list response,
//! generated on the fly and streamed, never held) against 100 varied policies, on one thread:
//! read, map, evaluate, summarise. Prints the process's peak resident memory (`VmHWM`) after a
//! run. The figure is recorded in `docs/benchmarks.md`.
//!
//! In: nothing (data from a fixed rule). Out: criterion timings and the peak memory.

use capol::check::Options;
use capol::driver;
use capol::signin::snapshot::Memberships;
use capol::signin::{ImpactOptions, Mapper, Replay, Snapshot, replay_reader};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::Deserialize;
use std::io::Read;
use std::time::Duration;

const SIGN_INS: usize = 1_000_000;
const POLICIES: usize = 100;
const USERS: usize = 20_000;

const APPS: [&str; 5] = [
    "00000002-0000-0ff1-ce00-000000000000",
    "00000003-0000-0ff1-ce00-000000000000",
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    "00000003-0000-0000-c000-000000000000",
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
];
const CLIENTS: [&str; 5] = [
    "Browser",
    "Mobile Apps and Desktop clients",
    "Exchange ActiveSync",
    "IMAP4",
    "Browser",
];
const SYSTEMS: [&str; 5] = ["Windows 10", "Ios 18.2.1", "Android 14", "MacOs", "Linux"];

/// 100 policies over every condition kind, most in report-only.
fn sources() -> String {
    let mut s = String::from(
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
         emergency group BreakGlass\n\
         location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\n",
    );
    for g in 0..20 {
        s.push_str(&format!("group G{g} = 3c9e2a71-5d4b-4e6f-8a2c-{g:012}\n"));
    }
    let users = [
        "for all users".to_string(),
        "for role GlobalAdministrator, SecurityAdministrator".to_string(),
        "for guests".to_string(),
    ];
    let apps = [
        "all apps",
        "app Office365",
        "app AzureServiceManagement",
        "app MicrosoftAdminPortals",
    ];
    let conditions = [
        "when client exchange-activesync, other",
        "when platform android, ios",
        "when sign-in-risk high, medium",
        "when auth-flow device-code",
        "exclude location trusted",
        "when devices where 'device.trustType -ne \"ServerAD\" -or device.isCompliant -ne True'",
        "when platform any\n    exclude platform android, ios, windows, macos",
        "",
    ];
    let grants = [
        "block",
        "require mfa",
        "require compliant-device or hybrid-joined-device or mfa",
    ];
    for i in 0..POLICIES {
        let user = if i % 4 == 3 {
            format!("for group G{}", i % 20)
        } else {
            users[i % 3].clone()
        };
        s.push_str(&format!(
            "\npolicy \"P{i:03}\"\n    {}\n    {user}, {}\n    exclude group BreakGlass, group G{}\n    {}\n    mode {}\n",
            grants[i % 3],
            apps[i % 4],
            (i + 7) % 20,
            conditions[i % 8],
            if i.is_multiple_of(5) { "on" } else { "report-only" }
        ));
    }
    s
}

/// Record `i` as a beta signIn, with the bulk real records carry (details the replay skips).
fn record(i: usize) -> String {
    let u = i * 7919 % USERS;
    format!(
        r#"{{"id":"{i:08}-6301-4ee5-be62-ff5a759b0100","createdDateTime":"2026-11-2{}T10:00:00Z","userDisplayName":"User {u}","userPrincipalName":"user{u}@contoso.com","userId":"26be570a-ae82-4189-b4e2-{u:012}","appId":"de8bc8b5-d9f9-48b1-a8ad-b748da725064","appDisplayName":"Graph explorer","ipAddress":"131.107.159.37","clientAppUsed":"{}","correlationId":"d79f5bee-5860-4832-928f-3133e22ae912","conditionalAccessStatus":"notApplied","isInteractive":true,"userType":"{}","crossTenantAccessType":"none","riskDetail":"none","riskLevelAggregated":"none","riskLevelDuringSignIn":"{}","riskState":"none","resourceDisplayName":"Resource","resourceId":"{}","authenticationProtocol":"{}","originalTransferMethod":"{}","status":{{"errorCode":{},"failureReason":null}},"deviceDetail":{{"deviceId":"{}","displayName":null,"operatingSystem":"{}","browser":"Edge 80.0.361","isCompliant":{},"trustType":"{}"}},"location":{{"city":"Redmond","state":"Washington","countryOrRegion":"US"}},"networkLocationDetails":[{}],"authenticationDetails":[{{"authenticationStepDateTime":"2026-11-20T10:00:00Z","authenticationMethod":"Password","succeeded":true}}],"appliedConditionalAccessPolicies":[{{"id":"de7e60eb-ed89-4d73-8205-2227def6b7c9","displayName":"P{:03}","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"{}"}},{{"id":"6701123a-b4c6-48af-8565-565c8bf7cabc","displayName":"P{:03}","enforcedGrantControls":[],"enforcedSessionControls":[],"result":"reportOnlyNotApplied"}}]}}"#,
        i % 7,
        CLIENTS[i % 5],
        if i.is_multiple_of(23) {
            "guest"
        } else {
            "member"
        },
        ["none", "low", "medium", "high"][i % 4],
        APPS[i % 5],
        if i.is_multiple_of(31) {
            "deviceCode"
        } else {
            "oAuth2"
        },
        if i.is_multiple_of(31) {
            "deviceCodeFlow"
        } else {
            "none"
        },
        if i.is_multiple_of(41) { 50126 } else { 0 },
        if i.is_multiple_of(3) {
            format!("{u:08}-aaaa-4bbb-8ccc-dddddddddddd")
        } else {
            String::new()
        },
        SYSTEMS[i % 5],
        i.is_multiple_of(2),
        if i.is_multiple_of(3) {
            "Hybrid Azure AD joined"
        } else {
            ""
        },
        if i.is_multiple_of(4) {
            r#"{"networkType":"trustedNamedLocation","networkNames":["HQ"]}"#
        } else {
            ""
        },
        i % POLICIES,
        [
            "reportOnlySuccess",
            "reportOnlyFailure",
            "reportOnlyInterrupted",
            "reportOnlyNotApplied"
        ][i % 4],
        (i + 1) % POLICIES,
    )
}

/// The list response, produced record by record as it is read.
struct Log {
    next: usize,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Log {
    fn new() -> Self {
        Log {
            next: 0,
            buf: b"{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\",\"value\":[".to_vec(),
            pos: 0,
            done: false,
        }
    }
}

impl Read for Log {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.next < SIGN_INS {
                if self.next > 0 {
                    self.buf.push(b',');
                }
                self.buf.extend_from_slice(record(self.next).as_bytes());
                self.next += 1;
            } else if !self.done {
                self.buf.extend_from_slice(b"]}");
                self.done = true;
            } else {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// CPU time of this process so far (user + system, from `/proc/self/stat`), in seconds: on a
/// shared machine it says what one core spends, where wall time says how busy the others were.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // After the command name's closing parenthesis: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench(c: &mut Criterion) {
    let compiled = driver::compile_str(&[("bench.capol", &sources())], None, &Options::default());
    assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics.items);
    assert_eq!(compiled.policies.len(), POLICIES);
    let ctx = capol::suite::context(&compiled);
    // The directory snapshot `capol resolve --snapshot` gives: every user of the log in one of
    // the twenty groups, a few in an admin role.
    let snapshot = || {
        let mut snap = Snapshot::new(None);
        for u in 0..USERS {
            snap.insert(
                &format!("26be570a-ae82-4189-b4e2-{u:012}"),
                Memberships {
                    user_principal_name: Some(format!("user{u}@contoso.com")),
                    groups: vec![format!("3c9e2a71-5d4b-4e6f-8a2c-{:012}", u % 20)],
                    roles: if u % 100 == 0 {
                        vec!["62e90394-69f5-4237-9190-012177145e10".into()]
                    } else {
                        Vec::new()
                    },
                },
            );
        }
        snap
    };
    let replay_with = |snap: Option<Snapshot>| {
        let mut mapper = Mapper::new(snap);
        mapper
            .locations
            .insert("hq".into(), "8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10".into());
        let mut replay = Replay::new(
            &compiled.policies,
            &ctx,
            mapper,
            ImpactOptions::default(),
            true,
        );
        let input = std::io::BufReader::with_capacity(256 * 1024, Log::new());
        replay_reader(input, &mut replay).map(|_| replay.finish())
    };
    let run = || replay_with(Some(snapshot()));
    // The reference: the same stream only parsed (serde_json into `IgnoredAny`).
    let parse_only = || {
        let input = std::io::BufReader::with_capacity(256 * 1024, Log::new());
        let mut de = serde_json::Deserializer::from_reader(input);
        serde::de::IgnoredAny::deserialize(&mut de).is_ok()
    };
    let (started, cpu) = (std::time::Instant::now(), cpu_seconds());
    assert!(parse_only());
    let reference = started.elapsed().as_secs_f64();
    let reference_cpu = cpu_seconds() - cpu;
    for (label, snap) in [("with a snapshot", true), ("without memberships", false)] {
        let (started, cpu) = (std::time::Instant::now(), cpu_seconds());
        let impact = replay_with(snap.then(snapshot)).unwrap_or_else(|e| panic!("{e}"));
        let secs = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        assert_eq!(impact.records, SIGN_INS as u64);
        eprintln!(
            "one replay {label}: {SIGN_INS} sign-ins x {POLICIES} policies in {secs:.2} s wall, \
             {cpu:.2} s CPU ({:.1}x the {reference_cpu:.2} s CPU ({reference:.2} s wall) of parsing \
             the same stream alone); {} evaluated, {} skipped; peak memory (VmHWM) {:.0} MB",
            cpu / reference_cpu,
            impact.evaluated,
            impact.skipped,
            peak_memory_mb().unwrap_or(f64::NAN)
        );
    }
    let mut g = c.benchmark_group("impact");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("1,000,000 sign-ins x 100 policies, streamed", |b| {
        b.iter(|| run().map(|i| i.records).unwrap_or(0))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
