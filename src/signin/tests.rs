//! Tests of the sign-in log reader, the mapping, the impact summary and the promote rewrite.

use super::map::{Mapper, Outcome};
use super::read::read;
use super::record::Record;
use super::snapshot::{Memberships, Snapshot};
use super::*;
use crate::check::Options;
use crate::driver::{self, Compilation};
use crate::whatif::{
    AuthFlow, ClientAppType, DeviceFact, GuestType, LocationFact, Platform, RiskLevel, Target,
};
use serde_json::{Value, json};
use std::io::Read;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signins")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn records(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    read(text.as_bytes(), &mut |r| out.push(r)).unwrap();
    out
}

// ---------------------------------------------------------------------------------------------
// Microsoft's documented records

#[test]
fn reads_the_v1_documentation_example() {
    let mut out = Vec::new();
    let summary = read(
        fixture("graph-v1.0-list-signins.json").as_bytes(),
        &mut |r| out.push(r),
    )
    .unwrap();
    assert_eq!(summary.records, 1);
    assert!(
        summary
            .next_link
            .as_deref()
            .is_some_and(|l| l.contains("$skiptoken=9177f2e3532fcd4c4d225f68f7b9bdf7_1"))
    );
    let r = &out[0];
    assert_eq!(
        r.user_principal_name.as_deref(),
        Some("testaccount1@contoso.com")
    );
    assert_eq!(
        r.app_id.as_deref(),
        Some("de8bc8b5-d9f9-48b1-a8ad-b748da725064")
    );
    let m = Mapper::new(None).map(r.clone()).unwrap();
    let s = &m.sign_in;
    assert_eq!(
        s.user.as_deref(),
        Some("26be570a-ae82-4189-b4e2-a37c6808512d")
    );
    // The target is the resource (Microsoft Graph), not the client app (Graph Explorer).
    assert_eq!(
        s.target,
        Some(Target::App("00000003-0000-0000-c000-000000000000".into()))
    );
    assert_eq!(s.client, Some(ClientAppType::Browser));
    assert_eq!(s.platform, Some(Platform::Windows));
    assert_eq!(s.sign_in_risk, Some(RiskLevel::None));
    // An empty device id: not a registered device.
    assert_eq!(s.device, Some(DeviceFact::Unregistered));
    // v1.0 says nothing of named networks, guests, the flow or memberships: all unknown.
    assert_eq!(s.location, None);
    assert_eq!(s.auth_flow, None);
    assert!(!m.guest_known && !m.memberships_known);
    assert_eq!(m.recorded, Some(Outcome::Allow));
    let names: Vec<(&str, &str)> = m
        .applied
        .iter()
        .map(|a| (a.name.as_str(), a.result.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("SharePoint limited access for guest workers", "notEnabled"),
            ("Medium signin risk block", "notEnabled")
        ]
    );
}

#[test]
fn reads_the_beta_documentation_example_with_its_repeated_properties() {
    let out = records(&fixture("graph-beta-list-signins.json"));
    assert_eq!(out.len(), 1);
    let mut r = out[0].clone();
    // The last of the two `homeTenantId`s wins.
    assert_eq!(
        r.home_tenant_id.as_deref(),
        Some("99081087-73c4-48d1-a112-f60ff75114f7")
    );
    // As published, a wrong password: Conditional Access was never reached.
    let skip = Mapper::new(None).map(r.clone()).unwrap_err();
    assert_eq!(
        skip.0,
        "the sign-in failed before Conditional Access (error 50126)"
    );
    // The same record, successful.
    if let Some(s) = r.status.as_mut() {
        s.error_code = Some(0);
    }
    let mut mapper = Mapper::new(None);
    mapper.locations.insert(
        "north america".into(),
        "8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10".into(),
    );
    let m = mapper.map(r).unwrap();
    let s = &m.sign_in;
    assert_eq!(
        s.target,
        Some(Target::App("797f4846-ba00-4fd7-ba43-dac1f8f63013".into()))
    );
    assert_eq!(
        s.location,
        Some(LocationFact::Named(
            "8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10".into()
        ))
    );
    // userType member, crossTenantAccessType none, home tenant = resource tenant: a member.
    assert!(m.guest_known);
    assert_eq!(s.guest, None);
    assert_eq!(s.device, Some(DeviceFact::Unregistered));
    assert_eq!(s.auth_flow, None, "oAuth2 says nothing of a transfer flow");
}

// ---------------------------------------------------------------------------------------------
// The reader

fn record_json(i: usize) -> Value {
    json!({
        "id": format!("rec-{i}"),
        "userId": format!("00000000-0000-4000-8000-{:012}", i % 100),
        "userPrincipalName": format!("user{}@contoso.com", i % 100),
        "resourceId": "00000002-0000-0ff1-ce00-000000000000",
        "clientAppUsed": "Browser",
        "status": {"errorCode": 0},
    })
}

#[test]
fn list_pages_arrays_and_json_lines_read_the_same_records() {
    let recs: Vec<Value> = (0..5).map(record_json).collect();
    let list = json!({"@odata.context": "x", "value": recs}).to_string();
    let pages = format!(
        "{}\n{}",
        json!({"value": recs[..2], "@odata.nextLink": "https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=2"}),
        json!({"value": recs[2..]})
    );
    let array = Value::Array(recs.clone()).to_string();
    let lines: String = recs.iter().map(|r| format!("{r}\n")).collect();
    let expected = records(&list);
    assert_eq!(expected.len(), 5);
    for text in [&pages, &array, &lines] {
        assert_eq!(records(text), expected, "{text}");
    }
    // Pages saved one after another: the last page has no next link.
    let mut n = 0;
    let s = read(pages.as_bytes(), &mut |_| n += 1).unwrap();
    assert_eq!((n, s.next_link), (5, None));
}

#[test]
fn values_of_unexpected_types_read_as_absent() {
    let text = r#"{"id": "r1", "userId": 7, "userPrincipalName": "a@contoso.com",
        "location": "[redacted]", "deviceDetail": {"isCompliant": "yes", "operatingSystem": "Ios 18.2.1",
        "deviceId": "30a4051b-7be0-4754-a3b8-755991aa69e0", "trustType": "Azure AD registered"},
        "status": {"errorCode": "0"}, "resourceId": "00000002-0000-0ff1-ce00-000000000000",
        "appliedConditionalAccessPolicies": [3, {"displayName": "P", "result": "reportOnlyFailure"}]}"#;
    let r = records(text).remove(0);
    assert_eq!(r.user_id, None);
    assert_eq!(r.location, None);
    assert_eq!(r.status.as_ref().and_then(|s| s.error_code), Some(0));
    let m = Mapper::new(None).map(r).unwrap();
    assert_eq!(m.sign_in.platform, Some(Platform::Ios));
    let Some(DeviceFact::Attributes(a)) = &m.sign_in.device else {
        panic!("{:?}", m.sign_in.device)
    };
    assert_eq!(a.get("trustType").map(String::as_str), Some("Workplace"));
    assert_eq!(
        a.get("isCompliant"),
        None,
        "a string is not a compliance flag"
    );
    assert_eq!(m.applied.len(), 1);
}

#[test]
fn broken_json_is_an_error_with_its_place_and_the_records_before_it() {
    let text = format!(
        "{}\n{}\n{{\"id\": \"x\",,}}\n",
        record_json(1),
        record_json(2)
    );
    let e = read(text.as_bytes(), &mut |_| {}).unwrap_err();
    assert_eq!((e.records, e.line), (2, 3));
    assert!(e.to_string().starts_with("line 3, column"), "{e}");
    let e = read("  \n".as_bytes(), &mut |_| {}).unwrap_err();
    assert_eq!(e.message, "the sign-in log is empty");
}

/// A list response generated on the fly, never held whole: it counts the bytes handed out.
struct Generated {
    total: usize,
    next: usize,
    buf: Vec<u8>,
    pos: usize,
    produced: std::rc::Rc<std::cell::Cell<usize>>,
    /// Records written into the stream so far.
    written: std::rc::Rc<std::cell::Cell<usize>>,
    closed: bool,
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.next == 0 {
                self.buf
                    .extend_from_slice(b"{\"@odata.context\": \"x\", \"value\": [");
            }
            if self.next < self.total {
                if self.next > 0 {
                    self.buf.push(b',');
                }
                let mut rec = record_json(self.next);
                // Bulk that the reader must skip without keeping.
                rec["authenticationDetails"] = json!(vec!["padding".repeat(20); 10]);
                self.buf.extend_from_slice(rec.to_string().as_bytes());
                self.next += 1;
                self.written.set(self.next);
            } else if !self.closed {
                self.buf.extend_from_slice(b"]}");
                self.closed = true;
            } else {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        self.produced.set(self.produced.get() + n);
        Ok(n)
    }
}

/// The reader hands each record on as soon as it is read: when record N arrives, the input has
/// been read no further than its buffer (64 KiB) beyond it, so memory stays that of one record
/// and the buffer however long the stream (here 50,000 records of 1.6 KB, 80 MB).
#[test]
fn a_large_stream_is_read_record_by_record() {
    const N: usize = 50_000;
    const BUFFER: usize = 64 * 1024;
    let produced = std::rc::Rc::new(std::cell::Cell::new(0));
    let written = std::rc::Rc::new(std::cell::Cell::new(0));
    let input = std::io::BufReader::with_capacity(
        BUFFER,
        Generated {
            total: N,
            next: 0,
            buf: Vec::new(),
            pos: 0,
            produced: produced.clone(),
            written: written.clone(),
            closed: false,
        },
    );
    let record_size = {
        let mut r = record_json(0);
        r["authenticationDetails"] = json!(vec!["padding".repeat(20); 10]);
        r.to_string().len()
    };
    let (mut seen, mut max_ahead) = (0usize, 0usize);
    let summary = read(input, &mut |r| {
        assert_eq!(r.id, Some(format!("rec-{seen}")));
        seen += 1;
        max_ahead = max_ahead.max(written.get() - seen);
    })
    .unwrap();
    assert_eq!((summary.records, seen), (N as u64, N));
    assert!(
        produced.get() >= N * record_size,
        "{} bytes",
        produced.get()
    );
    assert!(
        max_ahead <= BUFFER / record_size + 2,
        "{max_ahead} records read ahead of the ones handed on"
    );
}

// ---------------------------------------------------------------------------------------------
// Mapping

#[test]
fn client_app_used_maps_as_entra_maps_it() {
    use super::map::client_app_type as c;
    assert_eq!(c("Browser"), Some(ClientAppType::Browser));
    assert_eq!(
        c("Mobile Apps and Desktop clients"),
        Some(ClientAppType::MobileAppsAndDesktopClients)
    );
    assert_eq!(
        c("Exchange ActiveSync"),
        Some(ClientAppType::ExchangeActiveSync)
    );
    for legacy in [
        "IMAP4",
        "POP3",
        "SMTP",
        "Authenticated SMTP",
        "MAPI Over HTTP",
        "Exchange Web Services",
        "AutoDiscover",
        "Other clients",
        "Other clients; Older Office clients",
    ] {
        assert_eq!(c(legacy), Some(ClientAppType::Other), "{legacy}");
    }
    assert_eq!(c("Something new"), None);
}

#[test]
fn platforms_guests_and_flows() {
    use super::map::platform as p;
    assert_eq!(p("Windows 10"), Platform::Windows);
    assert_eq!(p("Windows Phone 8"), Platform::WindowsPhone);
    assert_eq!(p("Ios 18.2.1"), Platform::Ios);
    assert_eq!(p("MacOs"), Platform::MacOs);
    assert_eq!(p("Android 14"), Platform::Android);
    assert_eq!(p("ChromeOS"), Platform::All);
    let r: Record = serde_json::from_value(json!({
        "userId": "u1", "resourceId": "r", "userType": "guest",
        "crossTenantAccessType": "b2bCollaboration",
        "homeTenantId": "T-HOME", "resourceTenantId": "t-res",
        "originalTransferMethod": "deviceCodeFlow",
        "signInEventTypes": ["interactiveUser"],
    }))
    .unwrap();
    let m = Mapper::new(None).map(r).unwrap();
    let g = m.sign_in.guest.unwrap();
    assert_eq!(g.types, vec![GuestType::B2bCollaborationGuest]);
    assert_eq!(g.external_tenant.as_deref(), Some("t-home"));
    assert_eq!(m.sign_in.auth_flow, Some(AuthFlow::DeviceCodeFlow));
    let sp: Record = serde_json::from_value(json!({
        "resourceId": "r", "signInEventTypes": ["servicePrincipal"], "servicePrincipalId": "SP1",
    }))
    .unwrap();
    let m = Mapper::new(None).map(sp).unwrap();
    assert_eq!(
        (m.sign_in.service_principal.as_deref(), m.sign_in.user),
        (Some("sp1"), None)
    );
}

// ---------------------------------------------------------------------------------------------
// Impact of a generated log with known counts

const SOURCES: &str = r#"
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
group Pilot      = 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a61
user  Emergency1 = 00000000-0000-4000-8000-000000000000
emergency group BreakGlass
emergency user  Emergency1

policy "Block legacy"
    block
    for all users, all apps
    exclude group BreakGlass, user Emergency1
    when client exchange-activesync, other
    mode report-only

policy "MFA for pilot"
    require mfa
    for group Pilot, all apps
    mode report-only

policy "Block device code"
    block
    for all users, all apps
    when auth-flow device-code
    mode report-only
"#;

const PILOT: &str = "3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a61";
const BREAK_GLASS: &str = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";

fn compiled() -> Compilation {
    let c = driver::compile_str(&[("p.capol", SOURCES)], None, &Options::default());
    assert!(!c.has_errors(), "{:?}", c.diagnostics.items);
    c
}

fn uid(u: usize) -> String {
    format!("00000000-0000-4000-8000-{u:012}")
}

/// Record `i`: user `i % 100`; IMAP4 when `i % 4 == 0`, Exchange ActiveSync when 1, else the
/// browser; the device code flow when `i % 10 == 3` or the user is 0 (the emergency account).
fn generated(i: usize) -> Value {
    let u = i % 100;
    let client = match i % 4 {
        0 => "IMAP4",
        1 => "Exchange ActiveSync",
        _ => "Browser",
    };
    let device_code = i % 10 == 3 || u == 0;
    let legacy = i % 4 < 2;
    let legacy_result = if legacy && u > 1 {
        "reportOnlyFailure"
    } else {
        "reportOnlyNotApplied"
    };
    json!({
        "id": format!("s{i}"),
        "createdDateTime": "2026-11-20T10:00:00Z",
        "userId": uid(u),
        "userPrincipalName": format!("user{u}@contoso.com"),
        "userType": "member",
        "resourceId": "00000002-0000-0ff1-ce00-000000000000",
        "clientAppUsed": client,
        "originalTransferMethod": if device_code { "deviceCodeFlow" } else { "none" },
        "networkLocationDetails": [],
        "deviceDetail": {"deviceId": "", "operatingSystem": "Windows 10"},
        "riskLevelDuringSignIn": "none",
        "status": {"errorCode": 0},
        "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": [
            {"displayName": "Block legacy", "result": legacy_result, "enforcedGrantControls": ["Block"]},
            {"displayName": "Old MFA policy", "result": if u.is_multiple_of(2) { "reportOnlyInterrupted" } else { "reportOnlySuccess" }},
        ],
    })
}

fn generated_log(n: usize) -> String {
    let mut lines: String = (0..n).map(|i| format!("{}\n", generated(i))).collect();
    // Ten wrong passwords and five records without a resource.
    for i in 0..10 {
        let mut r = generated(i);
        r["status"]["errorCode"] = json!(50126);
        lines.push_str(&format!("{r}\n"));
    }
    for i in 0..5 {
        let mut r = generated(i);
        r.as_object_mut().unwrap().remove("resourceId");
        lines.push_str(&format!("{r}\n"));
    }
    lines
}

fn snapshot() -> Snapshot {
    let mut s = Snapshot::new(None);
    for u in 0..100 {
        let mut groups = Vec::new();
        if u < 50 {
            groups.push(PILOT.to_string());
        }
        if u == 1 {
            groups.push(BREAK_GLASS.to_string());
        }
        s.insert(
            &uid(u),
            Memberships {
                user_principal_name: Some(format!("user{u}@contoso.com")),
                groups,
                roles: Vec::new(),
            },
        );
    }
    s
}

fn run(c: &Compilation, snap: Option<Snapshot>, options: ImpactOptions, log: &str) -> Impact {
    let ctx = crate::suite::context(c);
    let mut replay = Replay::new(&c.policies, &ctx, Mapper::new(snap), options, true);
    replay_reader(log.as_bytes(), &mut replay).unwrap();
    replay.finish()
}

fn emergency_options() -> ImpactOptions {
    ImpactOptions {
        emergency_users: vec![uid(0)],
        emergency_groups: vec![BREAK_GLASS.into()],
        ..ImpactOptions::default()
    }
}

fn policy<'v>(json: &'v Value, name: &str) -> &'v Value {
    json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == name)
        .unwrap_or_else(|| panic!("no {name} in {json}"))
}

#[test]
fn a_generated_log_gives_the_expected_counts() {
    const N: usize = 1000;
    let c = compiled();
    let snap = snapshot();
    let impact = run(&c, Some(snap), emergency_options(), &generated_log(N));
    let j = impact.to_json();
    assert_eq!(j["records"], json!(N + 15));
    assert_eq!(j["evaluated"], json!(N));
    assert_eq!(j["skipped"]["count"], json!(15));
    assert_eq!(
        j["skipped"]["reasons"],
        json!({
            "no resourceId: the target of the sign-in is not recorded": 5,
            "the sign-in failed before Conditional Access (error 50126)": 10,
        })
    );
    // Expected counts from the generator's rules, counted here independently.
    let (mut legacy, mut legacy_users) = (0, std::collections::BTreeSet::new());
    let (mut pilot, mut pilot_users) = (0, std::collections::BTreeSet::new());
    let (mut code, mut code_users) = (0, std::collections::BTreeSet::new());
    for i in 0..N {
        let u = i % 100;
        if i % 4 < 2 && u > 1 {
            legacy += 1;
            legacy_users.insert(u);
        }
        if u < 50 {
            pilot += 1;
            pilot_users.insert(u);
        }
        if i % 10 == 3 || u == 0 {
            code += 1;
            code_users.insert(u);
        }
    }
    let p = policy(&j, "Block legacy");
    assert_eq!(p["would_block"]["sign_ins"], json!(legacy));
    assert_eq!(p["would_block"]["users"], json!(legacy_users.len()));
    assert_eq!(p["would_challenge"]["sign_ins"], json!(0));
    assert_eq!(p["recorded"]["reportOnlyFailure"], json!(legacy));
    assert_eq!(p["recorded"]["reportOnlyNotApplied"], json!(N - legacy));
    assert_eq!(
        p["emergency"],
        json!([]),
        "both emergency accounts are excluded"
    );
    let p = policy(&j, "MFA for pilot");
    assert_eq!(p["would_challenge"]["sign_ins"], json!(pilot));
    assert_eq!(p["would_challenge"]["users"], json!(pilot_users.len()));
    assert_eq!(p["would_block"]["sign_ins"], json!(0));
    assert_eq!(p["would_challenge"]["samples"].as_array().unwrap().len(), 3);
    let p = policy(&j, "Block device code");
    assert_eq!(p["would_block"]["sign_ins"], json!(code));
    assert_eq!(p["would_block"]["users"], json!(code_users.len()));
    // User 0 is the emergency account, and the policy does not exclude it.
    let hits = p["emergency"].as_array().unwrap();
    assert_eq!(hits.len(), N / 100);
    assert_eq!(hits[0]["user"], "user0@contoso.com");
    assert_eq!(hits[0]["why"], "would block");
    // A policy only the log knows: its recorded results.
    let p = policy(&j, "Old MFA policy");
    assert_eq!(p["would_block"], Value::Null);
    assert_eq!(p["recorded"]["reportOnlyInterrupted"], json!(N / 2));
    assert_eq!(p["recorded"]["reportOnlySuccess"], json!(N / 2));
    // Every source policy is report-only: nothing changes outcome as written.
    assert_eq!(j["changed"], json!([]));
    assert_eq!(j["changed_total"], json!(0));
}

#[test]
fn as_on_every_blocked_or_challenged_sign_in_changes() {
    const N: usize = 200;
    let c = compiled();
    let snap = snapshot();
    let options = ImpactOptions {
        report_only_as_on: true,
        ..emergency_options()
    };
    let j = run(&c, Some(snap), options, &generated_log(N)).to_json();
    let changed = (0..N)
        .filter(|i| {
            let u = i % 100;
            (i % 4 < 2 && u > 1) || u < 50 || i % 10 == 3 || u == 0
        })
        .count();
    assert_eq!(j["changed_total"], json!(changed));
    let first = &j["changed"][0];
    assert_eq!(first["recorded"], "allow");
    assert_eq!(first["now"], "block");
}

#[test]
fn without_memberships_group_policies_are_undetermined() {
    const N: usize = 100;
    let c = compiled();
    let j = run(&c, None, emergency_options(), &generated_log(N)).to_json();
    let p = policy(&j, "MFA for pilot");
    assert_eq!(p["would_challenge"]["sign_ins"], json!(0));
    assert_eq!(p["undetermined"], json!(N));
    // Legacy sign-ins may be of a BreakGlass member: undetermined; browser ones are skipped
    // by the client condition whatever the memberships.
    let p = policy(&j, "Block legacy");
    assert_eq!(p["would_block"]["sign_ins"], json!(0));
    assert_eq!(p["undetermined"], json!(N / 2));
    // No group in it: decided without the snapshot.
    let p = policy(&j, "Block device code");
    assert!(p["would_block"]["sign_ins"].as_u64().unwrap() > 0);
}

/// A sample scenario compiles in the sources and gives the verdict it was sampled for.
#[test]
fn samples_are_scenarios_that_pass_capol_test() {
    let c = compiled();
    let snap = snapshot();
    let j = run(&c, Some(snap), emergency_options(), &generated_log(100)).to_json();
    let mut scenarios = String::new();
    for name in ["Block legacy", "MFA for pilot", "Block device code"] {
        let p = policy(&j, name);
        for kind in ["would_block", "would_challenge"] {
            for s in p[kind]["samples"].as_array().unwrap() {
                scenarios.push('\n');
                scenarios.push_str(s["scenario"].as_str().unwrap());
            }
        }
    }
    assert!(scenarios.matches("scenario ").count() >= 9, "{scenarios}");
    let all = format!("{SOURCES}\n{scenarios}");
    let c2 = driver::compile_str(&[("p.capol", &all)], None, &Options::default());
    assert!(!c2.has_errors(), "{:?}\n{scenarios}", c2.diagnostics.items);
    let ctx = crate::suite::context(&c2);
    let set = crate::whatif::PolicySet::new(&c2.policies, &ctx);
    assert!(!c2.set.scenarios.is_empty());
    for sc in &c2.set.scenarios {
        let ev = set.evaluate(&sc.sign_in);
        for e in &sc.expects {
            assert!(
                crate::whatif::check(&ev, &e.node).is_ok(),
                "{}: {}",
                sc.name.node,
                e.node
            );
        }
    }
}

/// Browser sign-ins of pilot users (`i % 50`), each with the steps of `details`.
fn with_methods(details: &[(&str, bool)]) -> String {
    let mut r = generated(2);
    r["userId"] = json!(uid(4));
    r["userPrincipalName"] = json!("user4@contoso.com");
    r["originalTransferMethod"] = json!("none");
    r["authenticationDetails"] = json!(
        details
            .iter()
            .map(|(m, ok)| json!({"authenticationMethod": m, "succeeded": ok,
                "authenticationStepRequirement": "Primary authentication"}))
            .collect::<Vec<_>>()
    );
    format!("{r}\n")
}

#[test]
fn the_methods_a_log_records_judge_a_challenge_satisfied_or_interrupted() {
    let c = compiled();
    let mut log = String::new();
    // MFA done with the Authenticator app: satisfied, twice.
    for _ in 0..2 {
        log.push_str(&with_methods(&[
            ("Password", true),
            ("Mobile app notification", true),
        ]));
    }
    // A password only (the push failed): interrupted.
    log.push_str(&with_methods(&[
        ("Password", true),
        ("Mobile app notification", false),
    ]));
    // Methods capol cannot name exactly, or none recorded: not judged.
    log.push_str(&with_methods(&[
        ("Password", true),
        ("Previously satisfied", true),
    ]));
    log.push_str(&with_methods(&[]));
    let j = run(&c, Some(snapshot()), ImpactOptions::default(), &log).to_json();
    let mfa = &policy(&j, "MFA for pilot")["would_challenge"];
    assert_eq!(mfa["sign_ins"], json!(5), "{j}");
    assert_eq!(mfa["satisfied"], json!(2), "{j}");
    assert_eq!(mfa["interrupted"], json!(1), "{j}");
    // The sample states the methods, and passes `capol test` as a scenario.
    let sample = mfa["samples"][0]["scenario"].as_str().unwrap();
    assert!(
        sample.contains("methods password, microsoft-authenticator-push"),
        "{sample}"
    );
    let all = format!("{SOURCES}\n{sample}");
    let c2 = driver::compile_str(&[("p.capol", &all)], None, &Options::default());
    assert!(!c2.has_errors(), "{:?}", c2.diagnostics.items);
    // Only the methods are known: a control on the client app stays unknown, not missing.
    let r: Record = serde_json::from_str(&with_methods(&[("Password", true)])).unwrap();
    let d = map::done(&r).unwrap();
    assert!(d.methods_only && !d.approved_app);
}

// ---------------------------------------------------------------------------------------------
// Snapshot

#[test]
fn snapshot_round_trips_and_answers_by_id_or_upn() {
    let s = snapshot();
    let back = Snapshot::parse(&s.to_text()).unwrap();
    assert_eq!(back, s);
    let m = back.get(None, Some("USER1@contoso.com")).unwrap();
    assert_eq!(m.groups, vec![BREAK_GLASS.to_string(), PILOT.to_string()]);
    assert!(back.get(Some(&uid(7).to_uppercase()), None).is_some());
    assert!(back.get(Some("nobody"), None).is_none());
    let e = Snapshot::parse(r#"{"capolSnapshot": 9, "users": {}}"#).unwrap_err();
    assert!(e.contains("version 9"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Promote

#[test]
fn promote_rewrites_report_only_keeping_comments() {
    let text = "# Legacy auth\npolicy \"Block legacy\"\n    block\n    for all users, all apps\n    when client other # IMAP and POP\n    mode report-only\n\npolicy \"Other\"\n    require mfa\n    for all users, all apps\n    mode report-only\n";
    let mut found = Vec::new();
    let out = promote::promote_text(text, "x", &["Block legacy".to_string()], &mut found).unwrap();
    assert_eq!(
        found,
        vec![("Block legacy".into(), promote::Promotion::Promoted)]
    );
    assert!(
        out.contains("# Legacy auth") && out.contains("# IMAP and POP"),
        "{out}"
    );
    let first = &out[..out.find("policy \"Other\"").unwrap()];
    assert!(
        first.contains("mode on") && !first.contains("report-only"),
        "{out}"
    );
    assert!(out[out.find("policy \"Other\"").unwrap()..].contains("mode report-only"));
    assert_eq!(crate::fmt::format(&out).unwrap(), out, "formatted");
}

#[test]
fn promote_adds_mode_on_to_a_policy_without_mode_and_leaves_on_and_off_alone() {
    let text = "require mfa for app AzureServiceManagement exclude group BreakGlass\n";
    let mut found = Vec::new();
    let out = promote::promote_text(text, "azure", &["azure".to_string()], &mut found).unwrap();
    assert_eq!(found, vec![("azure".into(), promote::Promotion::Promoted)]);
    assert!(out.contains("mode on"), "{out}");
    let names = "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n";
    let c = driver::compile_str(
        &[("azure.capol", &out), ("names.capol", names)],
        None,
        &Options::default(),
    );
    assert_eq!(
        c.policies.first().map(|p| p.state),
        Some(crate::graph::model::PolicyState::Enabled),
        "{out}"
    );
    for (mode, what) in [
        ("on", promote::Promotion::AlreadyOn),
        ("off", promote::Promotion::Off),
    ] {
        let text = format!(
            "policy \"P\"\n    require mfa\n    for all users, all apps\n    mode {mode}\n"
        );
        let mut found = Vec::new();
        let out = promote::promote_text(&text, "x", &["P".to_string()], &mut found).unwrap();
        assert_eq!(found, vec![("P".into(), what)]);
        assert_eq!(out, text);
    }
}
