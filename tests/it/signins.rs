//! `capol impact`, `capol promote` and `capol resolve --snapshot` through the real binary, with
//! sign-in logs from a file and from the fake Graph (paged, filtered on `createdDateTime`,
//! throttled once), memberships read in `$batch`, and the plan after a promotion.

use crate::support::cli::{CA001, Project, capol, seed_directory};
use crate::support::fake_graph::{FakeGraph, FaultKind};
use crate::support::{BREAK_GLASS_GROUP, BREAK_GLASS_USER};
use serde_json::{Value, json};

const AZURE: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const ALICE: &str = "5a1b2c3d-0000-4000-8000-00000000a11c";
const BOB: &str = "5a1b2c3d-0000-4000-8000-000000000b0b";
const ADMINS: &str = "9d8c7b6a-0000-4000-8000-00000000ad01";

/// A device-code block that forgets the emergency access, and MFA for a group.
const NEW_POLICIES: &str = "\
# New this week: nobody uses the device code flow
policy \"CA010 Block device code\"
    block
    for all users, all apps
    when auth-flow device-code
    mode report-only

policy \"CA011 MFA for admins group\"
    require mfa
    for group Admins, all apps
    exclude group BreakGlass, user Emergency1
    mode report-only
";

fn project() -> Project {
    let p = Project::new();
    p.write("groups.capol", &format!("group Admins = {ADMINS}\n"));
    p.write("new.capol", NEW_POLICIES);
    p
}

/// A beta-shaped record (the fields of Microsoft's documentation example).
fn record(id: &str, user: &str, upn: &str, time: &str, device_code: bool, applied: Value) -> Value {
    json!({
        "id": id, "createdDateTime": time,
        "userId": user, "userPrincipalName": upn, "userType": "member",
        "appId": "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "appDisplayName": "Azure Portal",
        "resourceId": AZURE, "resourceDisplayName": "Windows Azure Service Management API",
        "clientAppUsed": "Mobile Apps and Desktop clients",
        "authenticationProtocol": if device_code { "deviceCode" } else { "oAuth2" },
        "originalTransferMethod": if device_code { "deviceCodeFlow" } else { "none" },
        "crossTenantAccessType": "none",
        "deviceDetail": {"deviceId": "", "operatingSystem": "Windows 10", "isCompliant": false, "trustType": ""},
        "networkLocationDetails": [],
        "riskLevelDuringSignIn": "none",
        "status": {"errorCode": 0},
        "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": applied,
    })
}

fn applied(name: &str, result: &str) -> Value {
    json!([{"id": "00000000-0000-4000-8000-0000000000c1", "displayName": name,
            "enforcedGrantControls": ["Mfa"], "enforcedSessionControls": [], "result": result}])
}

/// Alice (an admin) and Bob sign in to the Azure portal; the emergency account uses the device
/// code flow once; one record is from 2020, outside `--since 7d`.
fn tenant_log() -> Vec<Value> {
    let ca001 = "CA001 Require MFA for Azure management";
    vec![
        record(
            "s1",
            ALICE,
            "alice@contoso.com",
            "2099-01-01T10:00:00Z",
            false,
            applied(ca001, "reportOnlyInterrupted"),
        ),
        record(
            "s2",
            BOB,
            "bob@contoso.com",
            "2099-01-01T10:05:00Z",
            false,
            applied(ca001, "reportOnlySuccess"),
        ),
        record(
            "s3",
            BOB,
            "bob@contoso.com",
            "2099-01-01T10:06:00Z",
            true,
            applied(ca001, "reportOnlySuccess"),
        ),
        record(
            "s4",
            BREAK_GLASS_USER,
            "bg1@contoso.onmicrosoft.com",
            "2099-01-01T11:00:00Z",
            true,
            applied(ca001, "reportOnlyNotApplied"),
        ),
        record(
            "s5",
            ALICE,
            "alice@contoso.com",
            "2099-01-01T12:00:00Z",
            false,
            applied(ca001, "reportOnlyInterrupted"),
        ),
        record(
            "old",
            BOB,
            "bob@contoso.com",
            "2020-01-01T00:00:00Z",
            true,
            applied(ca001, "reportOnlyFailure"),
        ),
    ]
}

fn seed_memberships(fake: &FakeGraph) {
    let mut st = fake.state();
    st.member_of.insert(
        ALICE.into(),
        vec![
            json!({"@odata.type": "#microsoft.graph.group", "id": ADMINS}),
            json!({"@odata.type": "#microsoft.graph.directoryRole", "id": "r-1",
                   "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10"}),
            json!({"@odata.type": "#microsoft.graph.administrativeUnit", "id": "au-1"}),
        ],
    );
    st.member_of.insert(BOB.into(), vec![]);
    st.member_of.insert(
        BREAK_GLASS_USER.into(),
        vec![json!({"@odata.type": "#microsoft.graph.group", "id": BREAK_GLASS_GROUP})],
    );
}

fn policy<'v>(j: &'v Value, name: &str) -> &'v Value {
    j["policies"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["policy"] == name))
        .unwrap_or_else(|| panic!("no `{name}` in {j}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn impact_from_the_tenant_reads_paged_filtered_logs_and_memberships() {
    let fake = FakeGraph::start().await;
    fake.state().sign_ins = tenant_log();
    seed_memberships(&fake);
    fake.fault("GET", "/auditLogs/signIns", FaultKind::Throttle(Some(0)), 1);
    let p = project();
    let out = capol(
        &fake,
        &p,
        &[
            "impact",
            "pol",
            "--from-tenant",
            "--since",
            "7d",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    // The 2020 record is left out by the filter.
    assert_eq!(
        (j["records"].clone(), j["evaluated"].clone()),
        (json!(5), json!(5))
    );
    let ca010 = policy(&j, "CA010 Block device code");
    assert_eq!(ca010["would_block"]["sign_ins"], json!(2));
    assert_eq!(ca010["would_block"]["users"], json!(2));
    assert_eq!(
        ca010["emergency"][0]["user"],
        json!("bg1@contoso.onmicrosoft.com")
    );
    assert_eq!(ca010["emergency"][0]["why"], json!("would block"));
    // Memberships from the tenant decide the group policy: Alice is in Admins.
    let ca011 = policy(&j, "CA011 MFA for admins group");
    assert_eq!(ca011["would_challenge"]["sign_ins"], json!(2));
    assert_eq!(ca011["would_challenge"]["users"], json!(1));
    assert_eq!(ca011["undetermined"], json!(0));
    let ca001 = policy(&j, "CA001 Require MFA for Azure management");
    assert_eq!(
        ca001["recorded"],
        json!({"reportOnlySuccess": 2, "reportOnlyInterrupted": 2, "reportOnlyNotApplied": 1, "reportOnlyFailure": 0})
    );
    let st = fake.state();
    let reads: Vec<_> = st
        .log
        .iter()
        .filter(|l| l.path == "/auditLogs/signIns")
        .collect();
    // Throttled once, then three pages of two.
    assert_eq!(reads.len(), 4, "{reads:?}");
    assert!(
        reads[0].query.contains("createdDateTime%20ge%20"),
        "{:?}",
        reads[0].query
    );
    assert!(
        reads[2].query.contains("$skiptoken=2"),
        "{:?}",
        reads[2].query
    );
    let batched: Vec<_> = st
        .log
        .iter()
        .filter(|l| l.batched && l.path.ends_with("/transitiveMemberOf"))
        .collect();
    assert_eq!(batched.len(), 3, "one look-up per user: {batched:?}");
    assert!(out.stderr.contains("throttled"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn resolve_snapshot_then_impact_from_a_file() {
    let fake = FakeGraph::start().await;
    seed_memberships(&fake);
    let p = project();
    let log: String = tenant_log().iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(p.dir().join("week.json"), log).unwrap();
    let out = capol(
        &fake,
        &p,
        &[
            "resolve",
            "pol",
            "--snapshot",
            "directory.json",
            "--sign-ins",
            "week.json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let snap: Value =
        serde_json::from_str(&std::fs::read_to_string(p.dir().join("directory.json")).unwrap())
            .unwrap();
    assert_eq!(snap["users"][ALICE]["groups"], json!([ADMINS]));
    assert_eq!(
        snap["users"][ALICE]["roles"],
        json!(["62e90394-69f5-4237-9190-012177145e10"])
    );
    assert_eq!(
        snap["users"][ALICE]["userPrincipalName"],
        json!("alice@contoso.com")
    );
    assert_eq!(
        snap["users"][BREAK_GLASS_USER]["groups"],
        json!([BREAK_GLASS_GROUP])
    );
    assert!(
        !p.pol().join("capol.lock").exists(),
        "the lock is not written"
    );

    let args = [
        "impact",
        "pol",
        "--sign-ins",
        "week.json",
        "--format",
        "json",
    ];
    let without = capol(&fake, &p, &args).await;
    let with = capol(
        &fake,
        &p,
        &[&args[..], &["--snapshot", "directory.json"]].concat(),
    )
    .await;
    assert_eq!((without.code, with.code), (0, 0), "{without:?}{with:?}");
    let (without, with): (Value, Value) = (
        serde_json::from_str(&without.stdout).unwrap(),
        serde_json::from_str(&with.stdout).unwrap(),
    );
    // Without the snapshot the group policy is undetermined; with it, decided.
    let name = "CA011 MFA for admins group";
    assert_eq!(policy(&without, name)["undetermined"], json!(6));
    assert_eq!(policy(&with, name)["undetermined"], json!(0));
    assert_eq!(policy(&with, name)["would_challenge"]["sign_ins"], json!(2));
    // A file is not filtered by time: the 2020 record counts.
    assert_eq!(with["records"], json!(6));
    let out = capol(&fake, &p, &["impact", "pol", "--sign-ins", "week.json"]).await;
    assert!(
        out.stdout
            .contains("EMERGENCY ACCOUNT bg1@contoso.onmicrosoft.com: would block"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn promote_refuses_on_evidence_then_turns_the_policy_on_and_plan_shows_it() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = project();
    let out = capol(&fake, &p, &["deploy", "pol", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let ca001 = "CA001 Require MFA for Azure management";
    let source = p.pol().join("azure-management.capol");
    let before = std::fs::read_to_string(&source).unwrap();
    assert_eq!(before, CA001);

    // The emergency account failed CA001 in report-only: refused, nothing written.
    let log = [
        record(
            "e1",
            BREAK_GLASS_USER,
            "bg1@contoso.onmicrosoft.com",
            "2099-01-01T10:00:00Z",
            false,
            applied(ca001, "reportOnlyFailure"),
        ),
        record(
            "b1",
            BOB,
            "bob@contoso.com",
            "2099-01-01T10:00:00Z",
            false,
            applied(ca001, "reportOnlySuccess"),
        ),
    ];
    std::fs::write(p.dir().join("bad.json"), json!({"value": log}).to_string()).unwrap();
    let out = capol(
        &fake,
        &p,
        &[
            "promote",
            "pol",
            "--policy",
            ca001,
            "--sign-ins",
            "bad.json",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("refusing to promote `CA001 Require MFA for Azure management`")
            && out.stderr.contains("bg1@contoso.onmicrosoft.com")
            && out.stderr.contains("reportOnlyFailure"),
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&source).unwrap(), before);

    // A policy that would block the emergency account (replayed) is refused too.
    std::fs::write(
        p.dir().join("code.json"),
        json!([record(
            "e2",
            BREAK_GLASS_USER,
            "bg1@contoso.onmicrosoft.com",
            "2099-01-01T10:00:00Z",
            true,
            json!([])
        )])
        .to_string(),
    )
    .unwrap();
    let out = capol(
        &fake,
        &p,
        &[
            "promote",
            "pol",
            "--policy",
            "CA010 Block device code",
            "--sign-ins",
            "code.json",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("would block"), "{out:?}");

    // Bob's failure counts only with --if-no-failures.
    let log = [record(
        "b2",
        BOB,
        "bob@contoso.com",
        "2099-01-01T10:00:00Z",
        false,
        applied(ca001, "reportOnlyFailure"),
    )];
    std::fs::write(p.dir().join("bob.json"), json!(log).to_string()).unwrap();
    let strict = [
        "promote",
        "pol",
        "--policy",
        ca001,
        "--sign-ins",
        "bob.json",
        "--if-no-failures",
    ];
    let out = capol(&fake, &p, &strict).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("--if-no-failures"), "{out:?}");
    assert_eq!(std::fs::read_to_string(&source).unwrap(), before);

    // Evidence from the tenant: clean for CA001. Promoted; the file is in the
    // canonical layout, and the plan shows exactly the state change.
    fake.state().sign_ins = vec![record(
        "t1",
        BOB,
        "bob@contoso.com",
        "2099-01-01T10:00:00Z",
        false,
        applied(ca001, "reportOnlySuccess"),
    )];
    let out = capol(
        &fake,
        &p,
        &[
            "promote",
            "pol",
            "--policy",
            ca001,
            "--since",
            "7d",
            "--if-no-failures",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("promoted `CA001 Require MFA for Azure management`: mode on"),
        "{out:?}"
    );
    let after = std::fs::read_to_string(&source).unwrap();
    let expected = capol::fmt::format(&CA001.replace("mode report-only", "mode on")).unwrap();
    assert_eq!(after, expected);
    let out = capol(&fake, &p, &["plan", "pol", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stdout
            .contains("~ update `CA001 Require MFA for Azure management`")
            && out.stdout.contains("    mode report-only → on (state)\n")
            && out.stdout.contains("0 to create, 1 to update, 0 to delete"),
        "{out:?}"
    );

    // Promoting CA010 (no emergency exclusion) would not compile in mode on: refused.
    let out = capol(
        &fake,
        &p,
        &["promote", "pol", "--policy", "CA010 Block device code"],
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("E0209") && out.stderr.contains("nothing was written"),
        "{out:?}"
    );
    assert!(
        std::fs::read_to_string(p.pol().join("new.capol"))
            .unwrap()
            .contains("# New this week")
    );
    // An unknown name is a usage error.
    let out = capol(&fake, &p, &["promote", "pol", "--policy", "CA999"]).await;
    assert_eq!(out.code, 2, "{out:?}");
}

/// `--env`: each environment replays its own tenant's sign-ins against the sources compiled for
/// it (its name prefix); a tenant that fails is reported and the other still answers.
#[tokio::test(flavor = "multi_thread")]
async fn impact_per_environment_reads_each_tenants_own_logs() {
    let (test, prod) = (FakeGraph::start().await, FakeGraph::start().await);
    // test: one device-code sign-in of Bob; prod: the week of `tenant_log`.
    test.state().sign_ins = vec![tenant_log()[2].clone()];
    prod.state().sign_ins = tenant_log();
    seed_memberships(&test);
    seed_memberships(&prod);
    let p = project();
    p.write(
        "capol.toml",
        &format!(
            "[environments.test]\ngraph-url = \"{}\"\nname-prefix = \"TEST \"\n\n\
             [environments.prod]\ngraph-url = \"{}\"\n",
            test.uri(),
            prod.uri()
        ),
    );
    let args = [
        "impact",
        "pol",
        "--env",
        "test",
        "--env",
        "prod",
        "--from-tenant",
        "--format",
        "json",
    ];
    let out = capol(&test, &p, &args).await;
    assert_eq!(out.code, 0, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let envs = j["environments"].as_array().unwrap();
    assert_eq!(envs[0]["environment"], json!("test"), "{j}");
    assert_eq!(envs[0]["impact"]["records"], json!(1), "{j}");
    let block = policy(&envs[0]["impact"], "TEST CA010 Block device code");
    assert_eq!(block["would_block"]["sign_ins"], json!(1), "{j}");
    assert_eq!(envs[1]["environment"], json!("prod"), "{j}");
    assert_eq!(envs[1]["impact"]["records"], json!(5), "{j}");
    let block = policy(&envs[1]["impact"], "CA010 Block device code");
    assert_eq!(block["would_block"]["sign_ins"], json!(2), "{j}");
    for f in [&test, &prod] {
        assert_eq!(
            f.state()
                .log
                .iter()
                .filter(|l| l.path == "/auditLogs/signIns")
                .count(),
            if std::ptr::eq(f, &test) { 1 } else { 3 },
            "each tenant is read once, by its own environment"
        );
    }

    // test refuses to give its sign-ins: prod's report still comes, and the exit says failure.
    test.fault(
        "GET",
        "/auditLogs/signIns",
        FaultKind::BadRequest("Authorization_RequestDenied".into()),
        100,
    );
    let out = capol(&test, &p, &args).await;
    assert_eq!(out.code, 3, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert!(j["environments"][0]["error"].is_string(), "{j}");
    assert_eq!(j["environments"][1]["impact"]["records"], json!(5), "{j}");
    assert!(out.stderr.contains("environment `test` failed"), "{out:?}");

    // One exported log cannot stand for two tenants.
    p.write("week.json", &serde_json::to_string(&tenant_log()).unwrap());
    let log = p.pol().join("week.json");
    let out = capol(
        &test,
        &p,
        &[
            "impact",
            "pol",
            "--env",
            "all",
            "--sign-ins",
            log.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("belongs to one tenant"), "{out:?}");
}
