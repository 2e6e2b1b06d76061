//! Running the real `capol` binary against the fake Graph: a project of policy files, the
//! command with a clean environment (on a pipe, or on a pseudo-terminal), and what it printed.
//!
//! In: a [`FakeGraph`], a directory, arguments, what to type. Out: [`Out`] (exit code, stdout,
//! stderr), checked to hold neither the token nor an `Authorization` header.

use super::fake_graph::{FakeGraph, TOKEN};
use super::{BREAK_GLASS_GROUP, BREAK_GLASS_USER};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Variables of the machine running the tests that would change how capol signs in.
const AMBIENT: [&str; 12] = [
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "MSI_ENDPOINT",
    "CAPOL_CLOUD",
    "CAPOL_API_VERSION",
    "HTTPS_PROXY",
    "HTTP_PROXY",
];

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `program ARGS` in `dir` with `stdin` typed in, signed in to the fake with its token
/// (`--auth token`), in a blocking task. With CAPOL_TEST_SHOW set, prints the run
/// (`cargo test --test it deploy_cli -- --nocapture`).
async fn run(fake: &FakeGraph, dir: &Path, program: &str, args: &[String], stdin: &str) -> Out {
    run_as(fake, dir, program, args, stdin, TOKEN).await
}

/// [`run`] signed in with another token (one the fake accepts: add it to `State::tokens`).
async fn run_as(
    fake: &FakeGraph,
    dir: &Path,
    program: &str,
    args: &[String],
    stdin: &str,
    token: &str,
) -> Out {
    let secret = token.to_string();
    let (uri, dir, program, args, stdin) = (
        fake.uri(),
        dir.to_path_buf(),
        program.to_string(),
        args.to_vec(),
        stdin.to_string(),
    );
    let shown = args.join(" ");
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = assert_cmd::Command::new(program);
        cmd.args(&args)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env("CAPOL_GRAPH_URL", uri)
            .env("CAPOL_AUTH", "token")
            .env("CAPOL_ACCESS_TOKEN", &secret)
            .write_stdin(stdin)
            .timeout(Duration::from_secs(240));
        for v in AMBIENT {
            cmd.env_remove(v);
        }
        cmd.output().unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let out = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    if std::env::var_os("CAPOL_TEST_SHOW").is_some() {
        eprintln!("$ {shown}\n{out:?}");
    }
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(TOKEN), "the token was printed: {out:?}");
        assert!(!text.contains(token), "the token was printed: {out:?}");
        assert!(
            !text.to_lowercase().contains("bearer"),
            "an Authorization header was printed: {out:?}"
        );
    }
    out
}

/// `capol ARGS` in `dir`; standard input is a pipe holding `stdin`, never a terminal.
pub async fn capol_in(fake: &FakeGraph, dir: &Path, args: &[&str], stdin: &str) -> Out {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run(fake, dir, env!("CARGO_BIN_EXE_capol"), &args, stdin).await
}

/// `capol ARGS` in the project's directory, signed in with `token`.
pub async fn capol_as(fake: &FakeGraph, p: &Project, token: &str, args: &[&str]) -> Out {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run_as(fake, p.dir(), env!("CARGO_BIN_EXE_capol"), &args, "", token).await
}

/// An unsigned JWT with these claims (`{"alg":"none"}`), as the fake token endpoint's callers
/// see a Graph access token: capol reads its claims, the fake checks it byte for byte.
pub fn jwt(claims: &serde_json::Value) -> String {
    fn b64url(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(claims.to_string().as_bytes())
    )
}

/// `capol ARGS` on a pseudo-terminal (util-linux `script`), typing `typed`; `None` when
/// `script` is not installed.
pub async fn capol_on_terminal(
    fake: &FakeGraph,
    dir: &Path,
    args: &str,
    typed: &str,
) -> Option<Out> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let line = format!("'{}' {args}", env!("CARGO_BIN_EXE_capol"));
    let args = ["-qec".to_string(), line, "/dev/null".to_string()];
    Some(run(fake, dir, script, &args, typed).await)
}

/// A project directory: `pol/` with the policies, and room for plan files beside it.
pub struct Project {
    root: tempfile::TempDir,
}

pub const NAMES: &str = "\
# Emergency access: the break-glass group and account
group BreakGlass = 0b1d2b8e-5c4f-4e1a-9f0e-2a7c3b9d1e01
user  Emergency1 = 7c1e9a2b-3d4f-4a5b-8c6d-9e0f1a2b3c4d
emergency group BreakGlass
emergency user Emergency1
";

pub const CA001: &str = "\
policy \"CA001 Require MFA for Azure management\"
    for all users
    for app AzureServiceManagement
    exclude group BreakGlass, user Emergency1
    require mfa
    mode report-only
";

pub const CA002: &str = "\
policy \"CA002 Block legacy authentication\"
    for all users
    for all apps
    exclude group BreakGlass, user Emergency1
    when client exchange-activesync, other
    block
    mode on
";

pub const CA003: &str = "\
policy \"CA003 Phishing-resistant MFA for admins\"
    for role GlobalAdministrator, SecurityAdministrator
    for all apps
    exclude group BreakGlass, user Emergency1
    require strength phishing-resistant-mfa
    session sign-in-frequency 4 hours
    mode on
";

impl Project {
    /// `pol/` holding the emergency declarations and CA001 … CA003.
    pub fn new() -> Project {
        let p = Project {
            root: tempfile::tempdir().unwrap_or_else(|e| panic!("{e}")),
        };
        p.write("names.capol", NAMES);
        p.write("azure-management.capol", CA001);
        p.write("legacy.capol", CA002);
        p.write("admins.capol", CA003);
        p
    }
    pub fn dir(&self) -> &Path {
        self.root.path()
    }
    pub fn pol(&self) -> PathBuf {
        self.root.path().join("pol")
    }
    pub fn write(&self, name: &str, text: &str) {
        std::fs::create_dir_all(self.pol()).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(self.pol().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// `capol ARGS` in the project's directory.
pub async fn capol(fake: &FakeGraph, p: &Project, args: &[&str]) -> Out {
    capol_in(fake, p.dir(), args, "").await
}

/// The break-glass group and account exist in the tenant.
pub fn seed_directory(fake: &FakeGraph) {
    let mut st = fake.state();
    st.groups
        .push(json!({"id": BREAK_GLASS_GROUP, "displayName": "Break Glass Accounts"}));
    st.users.push(json!({"id": BREAK_GLASS_USER, "userPrincipalName": "bg1@contoso.onmicrosoft.com", "displayName": "Break glass 1"}));
}

/// Display name → how many tenant policies have it.
pub fn names(fake: &FakeGraph) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for p in fake.policies_read() {
        *m.entry(p["displayName"].as_str().unwrap_or("").to_string())
            .or_insert(0) += 1;
    }
    m
}

/// The writes the fake received, as `METHOD /path`.
pub fn writes(fake: &FakeGraph) -> Vec<String> {
    fake.state()
        .writes()
        .iter()
        .map(|l| format!("{} {}", l.method, l.path))
        .collect()
}
