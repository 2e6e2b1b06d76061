//! The client's own guarantees: token refresh on 401, next links kept on one host, the tenant
//! claim, saved plans bound to their tenant.

use crate::support::fake_graph::{FakeGraph, TENANT, TOKEN};
use crate::support::{desired, fast_retry};
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::time::{Duration, OffsetDateTime};
use capol::deploy::{ApplyOptions, PlanOptions, SavedPlan, apply_saved, plan};
use capol::graph::auth::StaticTokenCredential;
use capol::graph::client::{ApiVersion, GraphClient};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Hands out an expired-looking stale token first, then the good one.
#[derive(Debug, Default)]
struct Rotating {
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl TokenCredential for Rotating {
    async fn get_token(
        &self,
        _: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let token = if n == 0 { "revoked-token" } else { TOKEN };
        Ok(AccessToken::new(
            token.to_string(),
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

fn client_with(uri: &str, cred: Arc<dyn TokenCredential>) -> GraphClient {
    GraphClient::new(
        uri,
        ApiVersion::V1,
        cred,
        "https://graph.microsoft.com/.default",
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .with_retry(fast_retry())
    .with_write_rate(0.0)
}

#[tokio::test]
async fn a_refused_token_is_renewed_once() {
    let fake = FakeGraph::start().await;
    let cred = Arc::new(Rotating::default());
    let c = client_with(&fake.uri(), cred.clone());
    c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        cred.calls.load(Ordering::SeqCst),
        2,
        "one renewal, then the cache"
    );
}

#[tokio::test]
async fn next_links_to_another_host_are_not_followed() {
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [],
            "@odata.nextLink": "https://collector.example/v1.0/identity/conditionalAccess/policies?$skiptoken=1"})))
        .expect(1)
        .mount(&graph)
        .await;
    let c = client_with(&graph.uri(), StaticTokenCredential::new(TOKEN));
    let e = c.list_policies().await.unwrap_err();
    assert!(
        e.to_string()
            .contains("points at another host (collector.example)"),
        "{e}"
    );
}

fn jwt(tid: &str) -> String {
    fn b64(s: &str) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in s.as_bytes().chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    }
    format!(
        "{}.{}.sig",
        b64(r#"{"alg":"none"}"#),
        b64(&format!(
            r#"{{"tid":"{tid}","aud":"https://graph.microsoft.com"}}"#
        ))
    )
}

#[tokio::test]
async fn saved_plans_are_bound_to_their_tenant() {
    const OTHER: &str = "99999999-2b7d-4c1e-9a3f-1d2e3f4a5b6c";
    let fake = FakeGraph::start().await;
    let (home, other) = (jwt(TENANT), jwt(OTHER));
    fake.state().tokens.extend([home.clone(), other.clone()]);
    let c = client_with(&fake.uri(), StaticTokenCredential::new(home));
    assert_eq!(
        c.token_tenant().await.unwrap_or_default().as_deref(),
        Some(TENANT)
    );

    let tenant = c.list_policies().await.unwrap_or_else(|e| panic!("{e}"));
    let p = plan(&desired(), &tenant, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let tid = c
        .token_tenant()
        .await
        .unwrap_or_default()
        .unwrap_or_default();
    let digest = capol::deploy::PlanDigest {
        tenant: capol::deploy::trust::digest_tenant(&tenant),
        ..Default::default()
    };
    let saved = SavedPlan::new(p, desired(), PlanOptions::default(), "v1.0", tid, digest);
    let check = capol::deploy::SavedCheck {
        desired: desired(),
        ..Default::default()
    };

    let elsewhere = client_with(&fake.uri(), StaticTokenCredential::new(other));
    let e = apply_saved(&elsewhere, &saved, &check, &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("signed in to tenant {OTHER}")),
        "{e}"
    );
    assert!(fake.state().writes().is_empty());

    let report = apply_saved(&c, &saved, &check, &ApplyOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.applied.len(), desired().len());
}
