//! The reading commands with `--env` against several fake Graphs at once (each its own server on
//! 127.0.0.1, directory and tenant id): `import --from-tenant` writes one project per
//! environment from its own tenant (its ids, its prefix taken off), `what-if --live` asks each
//! tenant with that tenant's ids; a failing tenant is reported and the others complete.

use crate::support::cli::{NAMES, Project, capol_in, seed_directory};
use crate::support::fake_graph::{FakeGraph, FaultKind};
use crate::support::unmanaged;
use serde_json::{Value, json};

const POLICIES: &str = "\
set Emergency = group BreakGlass, user Emergency1

defaults
    exclude set Emergency

policy \"CA100 Alice needs MFA\"
    require mfa
    for user alice@contoso.com, group \"Tier 0 Admins\"
    for all apps
    mode on

policy \"CA101 Block legacy authentication\"
    block
    for all users
    for all apps
    when client exchange-activesync, other
    mode on
";

const ENVS: [&str; 3] = ["test", "prod", "customer"];
const ADMINS: [&str; 3] = [
    "a1a1a1a1-0000-4000-8000-000000000001",
    "b2b2b2b2-0000-4000-8000-000000000002",
    "c3c3c3c3-0000-4000-8000-000000000003",
];
const ALICE: [&str; 3] = [
    "a1a1a1a1-1111-4000-8000-00000000a11c",
    "b2b2b2b2-1111-4000-8000-00000000a11c",
    "c3c3c3c3-1111-4000-8000-00000000a11c",
];
const TENANTS: [&str; 3] = [
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
];

/// `capol.toml` for the three fakes; `locks` is where the lock files are, relative to it.
fn toml(fakes: &[FakeGraph], locks: &str) -> String {
    format!(
        "[environments.test]\ngraph-url = \"{}\"\nlock = \"{locks}/test.lock\"\nmax-mode = \"report-only\"\nname-prefix = \"TEST \"\n\n\
         [environments.prod]\ngraph-url = \"{}\"\nlock = \"{locks}/prod.lock\"\n\n\
         [environments.customer]\ngraph-url = \"{}\"\nlock = \"{locks}/customer.lock\"\n",
        fakes[0].uri(),
        fakes[1].uri(),
        fakes[2].uri()
    )
}

/// Three tenants with the same names and other ids, the sources resolved and deployed to each,
/// and a hand-made policy in the shared test tenant.
async fn deployed() -> (Project, Vec<FakeGraph>) {
    let p = Project::new();
    for f in ["azure-management.capol", "legacy.capol", "admins.capol"] {
        let _ = std::fs::remove_file(p.pol().join(f));
    }
    p.write("names.capol", NAMES);
    p.write("policies.capol", POLICIES);
    let mut fakes = Vec::new();
    for i in 0..3 {
        let f = FakeGraph::start().await;
        seed_directory(&f);
        {
            let mut st = f.state();
            st.groups
                .push(json!({"id": ADMINS[i], "displayName": "Tier 0 Admins"}));
            st.users.push(
                json!({"id": ALICE[i], "userPrincipalName": "alice@contoso.com",
                                 "displayName": "Alice"}),
            );
            st.tenant_id = Some(TENANTS[i].to_string());
        }
        fakes.push(f);
    }
    std::fs::write(p.pol().join("capol.toml"), toml(&fakes, "locks")).unwrap();
    let run = |args: &'static [&'static str]| capol_in(&fakes[0], p.dir(), args, "");
    let out = run(&["resolve", "pol", "--env", "all"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(&["deploy", "pol", "--env", "all", "--parallel", "3", "--yes"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    fakes[0].state().seed_policy(&unmanaged());
    (p, fakes)
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread")]
async fn import_reads_each_tenant_into_its_own_project() {
    let (p, fakes) = deployed().await;
    // The new project's capol.toml names the same tenants and the lock files of `pol/`.
    let dir = p.dir().join("imported");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("capol.toml"), toml(&fakes, "../pol/locks")).unwrap();
    let out = capol_in(
        &fakes[0],
        p.dir(),
        &[
            "import",
            "--from-tenant",
            "--env",
            "all",
            "--parallel",
            "3",
            "--factor",
            "-o",
            "imported",
        ],
        "",
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    for (i, env) in ENVS.iter().enumerate() {
        let d = dir.join(env);
        let names = read(&d.join("names.capol"));
        // This tenant's ids, and no other tenant's.
        assert!(
            names.contains(ADMINS[i]) && names.contains(ALICE[i]),
            "{env}: {names}"
        );
        for j in (0..3).filter(|j| *j != i) {
            assert!(
                !names.contains(ADMINS[j]) && !names.contains(ALICE[j]),
                "{env}: {names}"
            );
        }
        // Named from the lock file and the tenant; the shared exclusions factored into defaults.
        assert!(names.contains("Tier0Admins"), "{env}: {names}");
        assert!(names.contains("\ndefaults\n    exclude "), "{env}: {names}");
        // The prefix is taken off: the same file names in every environment, and the test
        // tenant's hand-made policy is not capol's.
        let mut files: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "ca100-alice-needs-mfa.capol",
                "ca101-block-legacy-authentication.capol",
                "names.capol"
            ],
            "{env}"
        );
        assert!(
            out.stderr.contains(&format!(
                "{env}: imported 2 policies of {}",
                if i == 0 { 3 } else { 2 }
            )),
            "{out:?}"
        );
    }
    // What the test tenant holds is report-only (its ceiling); prod's is on.
    assert!(read(&dir.join("test/ca100-alice-needs-mfa.capol")).contains("mode report-only"));
    assert!(read(&dir.join("prod/ca100-alice-needs-mfa.capol")).contains("mode on"));

    // Each imported project compiles back to what its tenant holds (as `capol plan` compares).
    let out = capol_in(&fakes[1], p.dir(), &["compile", "imported/prod"], "").await;
    assert_eq!(out.code, 0, "{out:?}");
    let compiled: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let tenant = fakes[1].policies_read();
    for c in &compiled {
        let t = tenant
            .iter()
            .find(|t| t["displayName"] == c["displayName"])
            .unwrap_or_else(|| panic!("{c}"));
        assert_eq!(
            capol::deploy::canonical(c),
            capol::deploy::canonical(t),
            "{c}"
        );
    }

    // customer's Graph fails: its directory is not written, the others are.
    let again = p.dir().join("again");
    std::fs::create_dir_all(&again).unwrap();
    std::fs::write(again.join("capol.toml"), toml(&fakes, "../pol/locks")).unwrap();
    fakes[2].fault(
        "GET",
        "/identity/conditionalAccess/policies",
        FaultKind::BadRequest("1011: the tenant is locked".into()),
        100,
    );
    let out = capol_in(
        &fakes[0],
        p.dir(),
        &["import", "--from-tenant", "--env", "all", "-o", "again"],
        "",
    )
    .await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stderr.contains("customer: FAILED"), "{out:?}");
    assert!(again.join("prod/names.capol").is_file());
    assert!(
        again
            .join("test/ca101-block-legacy-authentication.capol")
            .is_file()
    );
    assert!(!again.join("customer").exists());

    // --env needs --from-tenant.
    let out = capol_in(
        &fakes[0],
        p.dir(),
        &["import", "x.json", "--env", "all"],
        "",
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn what_if_live_asks_each_tenant_with_its_own_ids() {
    let (p, fakes) = deployed().await;
    for (i, f) in fakes.iter().enumerate() {
        let prefix = if i == 0 { "TEST " } else { "" };
        f.state()
            .what_if
            .insert(format!("{prefix}CA100 Alice needs MFA"), (true, "notSet"));
    }
    let args: &'static [&'static str] = &[
        "what-if",
        "pol",
        "--user",
        "alice@contoso.com",
        "--app",
        "ExchangeOnline",
        "--client",
        "browser",
        "--live",
        "--env",
        "all",
        "--parallel",
        "3",
    ];
    let out = capol_in(&fakes[0], p.dir(), args, "").await;
    assert_eq!(out.code, 0, "{out:?}");
    for (i, env) in ENVS.iter().enumerate() {
        assert!(
            out.stdout.contains(&format!("environment `{env}`")),
            "{out:?}"
        );
        assert!(
            out.stderr
                .contains(&format!("{env}: Graph agrees (2 compared)")),
            "{out:?}"
        );
        // Each tenant was asked about its own Alice.
        let st = fakes[i].state();
        assert_eq!(st.evaluated.len(), 1, "{env}");
        assert_eq!(
            st.evaluated[0].0["signInIdentity"]["userId"],
            json!(ALICE[i]),
            "{env}"
        );
    }
    // The test tenant's hand-made policy is outside the prefix: not reported as only there.
    assert!(!out.stdout.contains("only in the tenant"), "{out:?}");
    // The offline verdicts are those of what each environment deploys: report-only in test.
    let test_part = &out.stdout[..out.stdout.find("environment `prod`").unwrap()];
    assert!(test_part.contains("would apply"), "{out:?}");

    // prod's Graph disagrees, customer's fails: test still answers; exit 3 for the failure.
    fakes[1]
        .state()
        .what_if
        .insert("CA100 Alice needs MFA".into(), (false, "users"));
    fakes[2].fault(
        "POST",
        "/identity/conditionalAccess/evaluate",
        FaultKind::BadRequest("1011: the tenant is locked".into()),
        100,
    );
    let out = capol_in(&fakes[0], p.dir(), args, "").await;
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr
            .contains("prod: DISAGREES: Graph disagrees on 1 policy: \"CA100 Alice needs MFA\""),
        "{out:?}"
    );
    assert!(out.stderr.contains("customer: FAILED"), "{out:?}");
    assert!(out.stderr.contains("test: Graph agrees"), "{out:?}");
    // Without the failing tenant, a disagreement alone exits 1, as without --env.
    let out = capol_in(
        &fakes[0],
        p.dir(),
        &[
            "what-if",
            "pol",
            "--user",
            "alice@contoso.com",
            "--app",
            "ExchangeOnline",
            "--live",
            "--env",
            "prod",
            "--env",
            "test",
            "--format",
            "json",
        ],
        "",
    )
    .await;
    assert_eq!(out.code, 1, "{out:?}");
    let j: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let envs = j["environments"].as_array().unwrap();
    assert_eq!(envs[0]["environment"], "prod");
    assert_eq!(
        envs[0]["live"]["disagreements"][0]["policy"],
        "CA100 Alice needs MFA"
    );
    assert_eq!(envs[1]["live"]["disagreements"], json!([]));
    // --env without --live is refused: what-if offline has one answer for every environment.
    let out = capol_in(
        &fakes[0],
        p.dir(),
        &[
            "what-if",
            "pol",
            "--user",
            "alice@contoso.com",
            "--app",
            "ExchangeOnline",
            "--env",
            "all",
        ],
        "",
    )
    .await;
    assert_eq!(out.code, 2, "{out:?}");
}
