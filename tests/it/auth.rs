//! Every credential, through azure_identity, against local fakes: a fake token service (through
//! a redirecting transport, since azure_identity wants an https authority), a fake `az`, and a
//! fake App Service managed-identity endpoint (in a child process, since that credential reads
//! the process environment). Each then lists policies from the fake Graph with its token.

use crate::support::fake_graph::FakeGraph;
use crate::support::fast_retry;
use azure_core::http::{AsyncRawResponse, HttpClient, Request, Url};
use capol::graph::auth::{AuthEnv, AuthMethod, CredentialHooks};
use capol::graph::connect::ConnectionArgs;
use serde_json::json;
use std::ffi::OsStr;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TENANT: &str = "contoso.onmicrosoft.com";

/// Sends the credential's https requests to the local fake instead.
#[derive(Debug)]
struct RedirectTransport {
    base: Url,
    client: reqwest::Client,
}

#[async_trait::async_trait]
impl HttpClient for RedirectTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let mut req = request.clone();
        let url = req.url_mut();
        let _ = url.set_scheme(self.base.scheme());
        let _ = url.set_host(self.base.host_str());
        let _ = url.set_port(self.base.port());
        self.client.execute_request(&req).await
    }
}

fn hooks_to(sts: &MockServer) -> CredentialHooks {
    capol::graph::init_crypto();
    let base = Url::parse(&sts.uri()).unwrap_or_else(|e| panic!("{e}"));
    CredentialHooks {
        transport: Some(Arc::new(RedirectTransport {
            base,
            client: reqwest::Client::new(),
        })),
        executor: None,
        authority_host: Some("https://login.fake.test".into()),
    }
}

async fn sts_issuing(token: &str, must_contain: &[&str]) -> MockServer {
    let sts = MockServer::start().await;
    let mut m = Mock::given(method("POST")).and(path(format!("/{TENANT}/oauth2/v2.0/token")));
    for s in must_contain {
        m = m.and(body_string_contains(*s));
    }
    m.respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": token}),
    ))
    .expect(1)
    .mount(&sts)
    .await;
    sts
}

fn args(fake: &FakeGraph, auth: AuthMethod) -> ConnectionArgs {
    ConnectionArgs {
        graph_url: Some(fake.uri()),
        auth,
        tenant: Some(TENANT.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn client_secret_through_azure_identity() {
    let fake = FakeGraph::start().await;
    fake.state().tokens.push("sts-token-cs".into());
    let sts = sts_issuing(
        "sts-token-cs",
        &[
            "client_secret=s3cret-value",
            "client_id=app-123",
            "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
        ],
    )
    .await;
    let env = AuthEnv::from_pairs([
        ("AZURE_CLIENT_ID", "app-123"),
        ("AZURE_CLIENT_SECRET", "s3cret-value"),
    ]);
    let conn = args(&fake, AuthMethod::Auto)
        .connect_with(&env, &hooks_to(&sts), fast_retry(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        conn.auth_description,
        format!("client secret for app app-123 in tenant {TENANT}")
    );
    // Two calls, one token request: the credential caches.
    conn.client
        .list_policies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    conn.client
        .list_policies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!format!("{conn:?}").contains("s3cret-value"));
}

#[tokio::test]
async fn refused_client_secret_is_an_auth_error_without_the_secret() {
    let fake = FakeGraph::start().await;
    let sts = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided."})),
        )
        .mount(&sts)
        .await;
    let env = AuthEnv::from_pairs([
        ("AZURE_CLIENT_ID", "app-123"),
        ("AZURE_CLIENT_SECRET", "s3cret-value"),
    ]);
    let conn = args(&fake, AuthMethod::ClientSecret)
        .connect_with(&env, &hooks_to(&sts), fast_retry(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let e = conn.client.list_policies().await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("authentication failed") && text.contains("AADSTS7000215"),
        "{text}"
    );
    assert!(!text.contains("s3cret-value"));
    assert!(
        fake.state().log.is_empty(),
        "Graph was not called without a token"
    );
}

#[tokio::test]
async fn workload_identity_through_azure_identity() {
    let fake = FakeGraph::start().await;
    fake.state().tokens.push("sts-token-wi".into());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("federated-token");
    std::fs::write(&file, "github-oidc-jwt").unwrap_or_else(|e| panic!("{e}"));
    let sts = sts_issuing(
        "sts-token-wi",
        &["client_assertion=github-oidc-jwt", "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"],
    )
    .await;
    let file_s = file.display().to_string();
    let env = AuthEnv::from_pairs([
        ("AZURE_CLIENT_ID", "app-wi"),
        ("AZURE_FEDERATED_TOKEN_FILE", file_s.as_str()),
    ]);
    let conn = args(&fake, AuthMethod::Auto)
        .connect_with(&env, &hooks_to(&sts), fast_retry(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        conn.auth_description
            .starts_with("workload identity federation for app app-wi"),
        "{}",
        conn.auth_description
    );
    conn.client
        .list_policies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

/// A fake `az` that records what it was asked.
#[derive(Debug, Default)]
struct FakeAz {
    calls: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl azure_identity::Executor for FakeAz {
    async fn run(&self, program: &OsStr, args: &[&OsStr]) -> std::io::Result<std::process::Output> {
        use std::os::unix::process::ExitStatusExt;
        let line = std::iter::once(program)
            .chain(args.iter().copied())
            .map(|s| s.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(line);
        let expires = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
            + 3600;
        let out = json!({"accessToken": "az-cli-token", "expires_on": expires, "tokenType": "Bearer", "tenant": TENANT});
        Ok(std::process::Output {
            status: std::process::ExitStatus::from_raw(0),
            stdout: out.to_string().into_bytes(),
            stderr: Vec::new(),
        })
    }
}

#[tokio::test]
async fn azure_cli_through_azure_identity() {
    let fake = FakeGraph::start().await;
    fake.state().tokens.push("az-cli-token".into());
    let az = Arc::new(FakeAz::default());
    let hooks = CredentialHooks {
        executor: Some(az.clone()),
        ..Default::default()
    };
    let conn = args(&fake, AuthMethod::Auto)
        .connect_with(&AuthEnv::default(), &hooks, fast_retry(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        conn.auth_description,
        format!("Azure CLI (az account get-access-token) for tenant {TENANT}")
    );
    conn.client
        .list_policies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let calls = az.calls.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(
        calls
            .iter()
            .any(|c| c.contains("az account get-access-token")
                && c.contains("https://graph.microsoft.com/.default")
                && c.contains(TENANT)),
        "{calls:?}"
    );
}

#[tokio::test]
async fn static_token_from_the_environment() {
    let fake = FakeGraph::start().await;
    let env = AuthEnv::from_pairs([("CAPOL_ACCESS_TOKEN", crate::support::fake_graph::TOKEN)]);
    let conn = args(&fake, AuthMethod::Auto)
        .connect_with(&env, &CredentialHooks::default(), fast_retry(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        conn.auth_description,
        "access token from CAPOL_ACCESS_TOKEN"
    );
    assert!(conn.client.list_policies().await.is_ok());
}

const CHILD: &str = "CAPOL_IT_MI_CHILD_GRAPH";

/// Runs this test binary again with the App Service managed-identity variables set, so the
/// credential (which reads the process environment) finds the fake endpoint.
#[tokio::test(flavor = "multi_thread")]
async fn managed_identity_via_app_service_environment() {
    let fake = FakeGraph::start().await;
    fake.state().tokens.push("mi-token".into());
    let msi = MockServer::start().await;
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 3600;
    Mock::given(method("GET"))
        .and(path("/msi/token"))
        .and(wiremock::matchers::query_param("resource", "https://graph.microsoft.com"))
        .and(wiremock::matchers::header("x-identity-header", "hdr-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "mi-token",
            "expires_on": expires.to_string(), "token_type": "Bearer", "resource": "https://graph.microsoft.com"})))
        .expect(1..)
        .mount(&msi)
        .await;
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let (graph, endpoint) = (fake.uri(), format!("{}/msi/token", msi.uri()));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(exe)
            .args([
                "--exact",
                "auth::managed_identity_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, graph)
            .env("IDENTITY_ENDPOINT", endpoint)
            .env("IDENTITY_HEADER", "hdr-secret")
            .env_remove("CAPOL_ACCESS_TOKEN")
            .env_remove("AZURE_CLIENT_ID")
            .env_remove("AZURE_FEDERATED_TOKEN_FILE")
            .output()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
    assert!(
        fake.state()
            .count("GET", "/identity/conditionalAccess/policies")
            >= 1
    );
}

#[tokio::test]
#[ignore = "run by managed_identity_via_app_service_environment in a child process"]
async fn managed_identity_child() {
    let Ok(graph) = std::env::var(CHILD) else {
        return;
    };
    let args = ConnectionArgs {
        graph_url: Some(graph),
        ..Default::default()
    };
    let conn = args
        .connect_with(
            &AuthEnv::from_process(),
            &CredentialHooks::default(),
            fast_retry(),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        conn.auth_description,
        "managed identity (App Service endpoint IDENTITY_ENDPOINT)"
    );
    conn.client
        .list_policies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
