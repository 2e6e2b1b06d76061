//! One source, several tenants: `capol.toml` environments against several fake Graphs at once
//! (each its own server on 127.0.0.1 with its own directory and tenant id). Names resolve per
//! environment, each tenant gets its own ids, name prefix and mode ceiling; a throttled tenant
//! finishes late, a failing one is reported, and neither stops or touches the others.

use crate::support::cli::{NAMES, Project, capol_in, seed_directory};
use crate::support::fake_graph::{FakeGraph, FaultKind};
use serde_json::Value;

const POLICIES: &str = "\
set Emergency = group BreakGlass, user Emergency1
set Admins    = group \"Tier 0 Admins\", role GlobalAdministrator

defaults
    exclude set Emergency

policy \"CA100 Admins need MFA\"
    require mfa
    for set Admins
    for all apps
    mode on

policy \"CA101 Block legacy authentication\"
    block
    for all users
    for all apps
    when client exchange-activesync, other
    mode on
";

const ADMINS: [&str; 3] = [
    "a1a1a1a1-0000-4000-8000-000000000001",
    "b2b2b2b2-0000-4000-8000-000000000002",
    "c3c3c3c3-0000-4000-8000-000000000003",
];
const TENANTS: [&str; 3] = [
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
];

struct Setup {
    p: Project,
    fakes: Vec<FakeGraph>,
}

async fn setup() -> Setup {
    let p = Project::new();
    for f in ["azure-management.capol", "legacy.capol", "admins.capol"] {
        let _ = std::fs::remove_file(p.pol().join(f));
    }
    p.write("names.capol", NAMES);
    p.write("policies.capol", POLICIES);
    let mut fakes = Vec::new();
    for (i, id) in ADMINS.iter().enumerate() {
        let f = FakeGraph::start().await;
        seed_directory(&f);
        f.state()
            .groups
            .push(serde_json::json!({"id": id, "displayName": "Tier 0 Admins"}));
        f.state().tenant_id = Some(TENANTS[i].to_string());
        fakes.push(f);
    }
    let toml = format!(
        "# one source, three tenants\n\
         [environments.test]\ngraph-url = \"{}\"\nlock = \"locks/test.lock\"\nmax-mode = \"report-only\"\nname-prefix = \"TEST \"\n\n\
         [environments.prod]\ngraph-url = \"{}\"\nlock = \"locks/prod.lock\"\n\n\
         [environments.customer]\ngraph-url = \"{}\"\nlock = \"locks/customer.lock\"\n",
        fakes[0].uri(),
        fakes[1].uri(),
        fakes[2].uri()
    );
    std::fs::write(p.pol().join("capol.toml"), toml).unwrap();
    Setup { p, fakes }
}

fn policies(f: &FakeGraph) -> Vec<Value> {
    let mut v = f.policies_read();
    v.sort_by_key(|p| p["displayName"].as_str().unwrap_or("").to_string());
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn one_source_deploys_to_several_tenants_with_their_own_ids() {
    let Setup { p, fakes } = setup().await;
    let run = |args: &'static [&'static str]| capol_in(&fakes[0], p.dir(), args, "");

    // Each environment's names come from its own tenant, into its own lock file.
    let out = run(&["resolve", "pol", "--env", "all", "--parallel", "3"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    for (name, id) in [
        ("test", ADMINS[0]),
        ("prod", ADMINS[1]),
        ("customer", ADMINS[2]),
    ] {
        let lock = std::fs::read_to_string(p.pol().join(format!("locks/{name}.lock"))).unwrap();
        assert!(lock.contains(id), "{name}: {lock}");
    }

    // One plan per environment; changes everywhere: exit 2.
    let out = run(&[
        "plan",
        "pol",
        "--env",
        "all",
        "--format",
        "json",
        "--detailed-exitcode",
    ])
    .await;
    assert_eq!(out.code, 2, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let envs = j["environments"].as_array().unwrap();
    let names: Vec<&str> = envs
        .iter()
        .map(|e| e["environment"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["test", "prod", "customer"], "the file's order");
    for e in envs {
        assert_eq!(e["plan"]["summary"]["create"], 2, "{e}");
    }

    // Deploy to all three at once: each gets the policies with its own ids.
    let out = run(&["deploy", "pol", "--env", "all", "--parallel", "3", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    for (i, f) in fakes.iter().enumerate() {
        let ps = policies(f);
        assert_eq!(ps.len(), 2, "tenant {i}: {ps:?}");
        let admins = &ps[0];
        assert_eq!(
            admins["conditions"]["users"]["includeGroups"],
            serde_json::json!([ADMINS[i]]),
            "tenant {i}"
        );
        // The default exclusion reached every policy.
        for p in &ps {
            assert_eq!(
                p["conditions"]["users"]["excludeGroups"],
                serde_json::json!([crate::support::BREAK_GLASS_GROUP])
            );
        }
    }
    // `test` has its prefix and its ceiling; `prod` what the sources say.
    let test = policies(&fakes[0]);
    assert_eq!(test[0]["displayName"], "TEST CA100 Admins need MFA");
    assert_eq!(test[0]["state"], "enabledForReportingButNotEnforced");
    let prod = policies(&fakes[1]);
    assert_eq!(prod[0]["displayName"], "CA100 Admins need MFA");
    assert_eq!(prod[0]["state"], "enabled");

    // Nothing left to do anywhere.
    let out = run(&["plan", "pol", "--env", "all", "--detailed-exitcode"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("environment `prod`"), "{out:?}");
    assert!(
        out.stderr.contains("test: 0 to create, 0 to update"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_and_a_failing_tenant_leave_the_others_correct() {
    let Setup { p, fakes } = setup().await;
    let run = |args: &'static [&'static str]| capol_in(&fakes[0], p.dir(), args, "");
    let out = run(&["resolve", "pol", "--env", "all"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // prod is throttled twice (429, Retry-After 1); customer refuses every create.
    fakes[1].fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::Throttle(Some(1)),
        2,
    );
    fakes[2].fault(
        "POST",
        "/identity/conditionalAccess/policies",
        FaultKind::BadRequest("1040: the policy is invalid".into()),
        100,
    );
    let out = run(&[
        "deploy",
        "pol",
        "--env",
        "all",
        "--parallel",
        "3",
        "--yes",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(policies(&fakes[0]).len(), 2, "test is complete");
    assert_eq!(
        policies(&fakes[1]).len(),
        2,
        "prod is complete after the throttling"
    );
    assert!(policies(&fakes[2]).is_empty(), "customer wrote nothing");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let by_name = |n: &str| {
        j["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["environment"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("prod")["report"]["complete"], true);
    assert_eq!(by_name("test")["report"]["complete"], true);
    // customer refuses every create, the deploy lease's marker first: nothing is applied there
    // (no report when the lease is refused, an incomplete one otherwise).
    assert_ne!(by_name("customer")["report"]["complete"], true);
    assert!(out.stderr.contains("customer: FAILED"), "{out:?}");
    assert!(out.stderr.contains("prod: applied 2 changes"), "{out:?}");
    assert!(
        out.stderr.contains("[prod]"),
        "prod's pacing is reported: {out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_file_of_another_tenant_is_refused() {
    let Setup { p, fakes } = setup().await;
    let run = |args: &'static [&'static str]| capol_in(&fakes[0], p.dir(), args, "");
    let out = run(&["resolve", "pol", "--env", "test", "--env", "prod"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // prod's lock replaced by test's: test's ids must never reach prod.
    std::fs::copy(
        p.pol().join("locks/test.lock"),
        p.pol().join("locks/prod.lock"),
    )
    .unwrap();
    let out = run(&["deploy", "pol", "--env", "prod", "--env", "test", "--yes"]).await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("prod: FAILED") && out.stderr.contains(TENANTS[0]),
        "{out:?}"
    );
    assert!(policies(&fakes[1]).is_empty());
    assert_eq!(policies(&fakes[0]).len(), 2);
    // An unknown environment is a usage error naming the known ones.
    let out = run(&["plan", "pol", "--env", "prd"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`prod`"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn capol_toml_errors_are_located_like_source_errors() {
    let Setup { p, fakes } = setup().await;
    std::fs::write(
        p.pol().join("capol.toml"),
        "[environments.test]\nmax-mode = \"enforced\"\n",
    )
    .unwrap();
    let out = capol_in(&fakes[0], p.dir(), &["compile", "pol", "--env", "test"], "").await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("[E0711]") && out.stderr.contains("capol.toml:2:12"),
        "{out:?}"
    );
    // Without --env, capol.toml is not read and nothing changes.
    let out = capol_in(&fakes[0], p.dir(), &["check", "pol"], "").await;
    assert_ne!(out.code, 2, "{out:?}");
    assert!(!out.stderr.contains("E0711"), "{out:?}");
}
