//! The Graph HTTP client: the only code that sends requests to a tenant.
//!
//! In: a base URL (https, or http on loopback only), an API version, a credential and its
//! scope, retry and pacing settings. Out: JSON values from Graph, or a [`GraphError`]. Reads
//! send `Prefer: include-unknown-enum-members` and are retried freely (429 with or without
//! `Retry-After`, 5xx, timeouts); PATCH and DELETE are paced and retried (both idempotent);
//! POSTs are paced, retried on 429 only, and a POST whose answer was lost is handed back as
//! `Sent::Lost` so the caller can look before it repeats ([`super::policies`]). Collections
//! follow `@odata.nextLink` verbatim, on the same origin only. The token is cached until five
//! minutes before it expires, and is never logged, printed or put in an error. A POST that only
//! reads (`$batch` of GETs, the what-if `evaluate` action) is sent as a read.

use super::error::{ApiError, GraphError};
use super::retry::{Pacer, ProgressEvent, ProgressFn, RetryPolicy, parse_retry_after};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::time::{Duration as AzDuration, OffsetDateTime};
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Mutex;

/// `v1.0` or `beta`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize,
)]
pub enum ApiVersion {
    #[default]
    #[value(name = "v1.0")]
    #[serde(rename = "v1.0")]
    V1,
    #[value(name = "beta")]
    #[serde(rename = "beta")]
    Beta,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client for one Graph endpoint and credential.
pub struct GraphClient {
    http: reqwest::Client,
    base: Url,
    version: ApiVersion,
    credential: Arc<dyn TokenCredential>,
    scope: String,
    pub(crate) retry: RetryPolicy,
    pacer: Pacer,
    progress: Option<ProgressFn>,
    token: Mutex<Option<(Secret, OffsetDateTime)>>,
    /// Set by [`Self::expect_writes`]: from then on reads are paced like writes.
    writes_pending: AtomicBool,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.base.as_str())
            .field("version", &self.version)
            .field("scope", &self.scope)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// How a request may be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// GET, `$batch` of GETs, or a POST that only reads (`evaluate`): retry freely, and ask for
    /// enum members Graph added later (`Prefer: include-unknown-enum-members`).
    Read,
    /// PATCH, DELETE: paced, retried.
    Write,
    /// POST that creates: paced, retried on 429 only.
    Create,
}

/// One HTTP answer.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
    pub request_id: Option<String>,
    pub retry_after: Option<std::time::Duration>,
}

impl Answer {
    pub fn json(&self) -> Result<Value, GraphError> {
        if self.body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&self.body).map_err(|e| GraphError::Protocol {
            message: format!("response is not JSON ({e})"),
        })
    }
}

/// The result of a create: answered, or sent with the answer lost (it may have been stored).
#[derive(Debug)]
pub(crate) enum Sent {
    Answered(Answer),
    Lost(GraphError),
}

/// Most items a directory listing may hold before it is refused as no tenant's answer.
pub const COLLECTION_CAPACITY: usize = 100_000;

/// Checks a Graph base URL: https, or http on a loopback host only; no query or fragment.
/// Returns it without a trailing slash.
pub fn check_base_url(url: &str) -> Result<Url, GraphError> {
    let u = Url::parse(url.trim())
        .map_err(|e| GraphError::config(format!("invalid Graph URL `{url}`: {e}")))?;
    let loopback = u.host_str().is_some_and(|h| {
        let h = h.trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match u.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(GraphError::config(format!(
                "refusing plain http for Graph URL `{url}`: use https (http is allowed for loopback hosts only)"
            )));
        }
        s => {
            return Err(GraphError::config(format!(
                "Graph URL `{url}` must be https, not {s}"
            )));
        }
    }
    if u.host_str().is_none() || u.query().is_some() || u.fragment().is_some() {
        return Err(GraphError::config(format!(
            "Graph URL `{url}` must be a plain base URL like https://graph.microsoft.com"
        )));
    }
    let mut s = u.to_string();
    while s.ends_with('/') {
        s.pop();
    }
    Url::parse(&s).map_err(|e| GraphError::config(format!("invalid Graph URL `{url}`: {e}")))
}

/// Percent-encodes a query value (RFC 3986 unreserved, plus `$'(),` which OData uses as is).
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$'(),".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `displayName eq 'it''s'`: a string literal for `$filter`, quotes doubled.
pub fn odata_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl GraphClient {
    /// A client for `base` (e.g. `https://graph.microsoft.com`), `version`, and a credential
    /// asked for `scope` (`{graph}/.default`). Call [`super::init_crypto`] first (this does too).
    pub fn new(
        base: &str,
        version: ApiVersion,
        credential: Arc<dyn TokenCredential>,
        scope: impl Into<String>,
    ) -> Result<Self, GraphError> {
        super::init_crypto();
        let base = check_base_url(base)?;
        // Redirects are followed on Graph's own origin only: the token and the body never go
        // anywhere else. Another origin stops here, and `once` refuses the 3xx answer.
        let origin = base.origin();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.url().origin() != origin {
                attempt.stop()
            } else if attempt.previous().len() >= 5 {
                attempt.error("more than 5 redirects")
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("capol/", env!("CARGO_PKG_VERSION")))
            .redirect(redirects);
        if base.scheme() == "http" {
            // Loopback only (checked above): never through a system proxy.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| GraphError::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(GraphClient {
            http,
            base,
            version,
            credential,
            scope: scope.into(),
            retry: RetryPolicy::default(),
            pacer: Pacer::per_second(1.0),
            progress: None,
            token: Mutex::new(None),
            writes_pending: AtomicBool::new(false),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Writes per second (default 1). `0` turns pacing off.
    pub fn with_write_rate(mut self, per_second: f64) -> Self {
        self.pacer = Pacer::per_second(per_second);
        self
    }

    pub fn with_progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Says a write is coming: from now on every request, reads included, shares the write
    /// pace (one budget per tenant).
    pub fn expect_writes(&self) {
        self.writes_pending.store(true, Ordering::Relaxed);
    }

    pub fn api_version(&self) -> ApiVersion {
        self.version
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    pub(crate) fn report(&self, e: ProgressEvent) {
        if let Some(p) = &self.progress {
            p(&e);
        }
    }

    /// `{base}/{version}{path}`; `path` starts with `/` and may carry an encoded query.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{}{}", self.base_url(), self.version.as_str(), path)
    }

    async fn bearer(&self, refresh: bool) -> Result<Secret, GraphError> {
        let mut cached = self.token.lock().await;
        if let Some((t, exp)) = cached.as_ref().filter(|_| !refresh)
            && *exp > OffsetDateTime::now_utc() + AzDuration::minutes(5)
        {
            return Ok(t.clone());
        }
        let scopes = [self.scope.as_str()];
        let t = self
            .credential
            .get_token(&scopes, None)
            .await
            .map_err(|e| GraphError::Auth {
                message: e.to_string(),
            })?;
        *cached = Some((t.token.clone(), t.expires_on));
        Ok(t.token)
    }

    /// "GET /identity/conditionalAccess/policies": the request without base and query, for messages.
    fn describe(&self, method: &Method, url: &str) -> String {
        let prefix = format!("{}/{}", self.base_url(), self.version.as_str());
        let path = url.strip_prefix(&prefix).unwrap_or(url);
        let path = path.split('?').next().unwrap_or(path);
        format!("{method} {path}")
    }

    async fn once(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        mode: Mode,
        refresh: bool,
    ) -> Result<Answer, GraphError> {
        let token = self.bearer(refresh).await?;
        let mut req = self
            .http
            .request(method.clone(), url)
            .bearer_auth(token.secret())
            .header("Accept", "application/json")
            .timeout(self.retry.request_timeout);
        if *method == Method::GET || mode == Mode::Read {
            req = req.header("Prefer", "include-unknown-enum-members");
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let what = self.describe(method, url);
        let resp = req.send().await.map_err(|e| network(&what, e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if resp.status().is_redirection() {
            let to = header("location")
                .and_then(|l| resp.url().join(&l).ok())
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|| "an unknown place".into());
            return Err(GraphError::Protocol {
                message: format!(
                    "[E0534] {what} was redirected ({status}) to {to}, another origin than Graph's: not followed, nothing was sent there"
                ),
            });
        }
        let request_id = header("request-id").or_else(|| header("client-request-id"));
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v));
        let body = resp.text().await.map_err(|e| network(&what, e))?;
        Ok(Answer {
            status,
            body,
            request_id,
            retry_after,
        })
    }

    /// Sends with the retries `mode` allows. 2xx → `Answered`; a create whose answer is lost
    /// (timeout, dropped connection, 5xx) → `Lost`; everything else → `Err`.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        mode: Mode,
    ) -> Result<Sent, GraphError> {
        let what = self.describe(&method, url);
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.max_attempts;
            // One budget for reads and writes once a deploy is about to write: Conditional
            // Access allows about one request per second per tenant. Reads alone stay fast.
            if mode != Mode::Read || self.writes_pending.load(Ordering::Relaxed) {
                self.pacer.wait().await;
            }
            let sent = self.once(&method, url, body, mode, refreshed).await;
            let (reason, retry_after, err) = match sent {
                Ok(a) if (200..300).contains(&a.status) => return Ok(Sent::Answered(a)),
                Ok(a) if a.status == 401 && !refreshed => {
                    refreshed = true;
                    attempt -= 1;
                    continue;
                }
                Ok(a) => {
                    let err = GraphError::Api(ApiError::from_body(
                        a.status,
                        what.clone(),
                        &a.body,
                        a.request_id.clone(),
                    ));
                    match a.status {
                        429 => ("throttled (429)".to_string(), a.retry_after, err),
                        500 | 502 | 503 | 504 if mode == Mode::Create => {
                            return Ok(Sent::Lost(err));
                        }
                        500 | 502 | 503 | 504 => {
                            (format!("server error ({})", a.status), a.retry_after, err)
                        }
                        _ => return Err(err),
                    }
                }
                Err(e @ GraphError::Network { .. }) if mode == Mode::Create => {
                    return Ok(Sent::Lost(e));
                }
                Err(e @ GraphError::Network { .. }) => ("no answer".to_string(), None, e),
                Err(e) => return Err(e),
            };
            if last {
                return Err(err);
            }
            let delay = self.retry.delay_for(attempt, retry_after);
            self.report(ProgressEvent::Retrying {
                request: what.clone(),
                retry: attempt,
                delay,
                reason,
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// Sends and expects an answer (reads, updates, deletes).
    pub(crate) async fn answer(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        mode: Mode,
    ) -> Result<Answer, GraphError> {
        match self.send(method, url, body, mode).await? {
            Sent::Answered(a) => Ok(a),
            Sent::Lost(e) => Err(e),
        }
    }

    /// GET `path` (relative to the version root, query encoded) as JSON.
    pub async fn get_json(&self, path: &str) -> Result<Value, GraphError> {
        self.answer(Method::GET, &self.url(path), None, Mode::Read)
            .await?
            .json()
    }

    /// GET `path`; `None` on 404.
    pub async fn get_optional(&self, path: &str) -> Result<Option<Value>, GraphError> {
        match self.get_json(path).await {
            Ok(v) => Ok(Some(v)),
            Err(GraphError::Api(e)) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every item of a collection, at most [`COLLECTION_CAPACITY`]: see
    /// [`Self::get_collection_bounded`].
    pub async fn get_collection(&self, path: &str) -> Result<Vec<Value>, GraphError> {
        self.get_collection_bounded(path, COLLECTION_CAPACITY).await
    }

    /// Every item of a collection: `value` of each page, following `@odata.nextLink` verbatim
    /// on the same origin. A collection holds at most `capacity` items, so a chain of more than
    /// `capacity + 1` pages, more items, or a page link seen before is an answer no tenant gives
    /// (`E0533`): it is refused instead of read on for hours at Graph's pace.
    pub async fn get_collection_bounded(
        &self,
        path: &str,
        capacity: usize,
    ) -> Result<Vec<Value>, GraphError> {
        let mut items = Vec::new();
        let mut url = self.url(path);
        let mut seen = std::collections::BTreeSet::new();
        for _page in 0..=capacity {
            if !seen.insert(url.clone()) {
                return Err(GraphError::Protocol {
                    message: format!(
                        "[E0533] {path}: the next page link repeats an earlier one; not following it"
                    ),
                });
            }
            let page = self
                .answer(Method::GET, &url, None, Mode::Read)
                .await?
                .json()?;
            match page.get("value") {
                Some(Value::Array(v)) => items.extend(v.iter().cloned()),
                _ => {
                    return Err(GraphError::Protocol {
                        message: format!(
                            "{} returned no `value` list",
                            self.describe(&Method::GET, &url)
                        ),
                    });
                }
            }
            if items.len() > capacity {
                return Err(GraphError::Protocol {
                    message: format!(
                        "[E0533] {path}: more than {capacity} items, more than a tenant holds; not reading on"
                    ),
                });
            }
            match page.get("@odata.nextLink").and_then(Value::as_str) {
                Some(next) => {
                    self.check_same_origin(next)?;
                    url = next.to_string();
                }
                None => return Ok(items),
            }
        }
        Err(GraphError::Protocol {
            message: format!(
                "[E0533] {path}: more than {} pages for at most {capacity} items; not reading on",
                capacity + 1
            ),
        })
    }

    /// A `@odata.nextLink` must point at the Graph we talk to: the token goes with it.
    pub(super) fn check_same_origin(&self, next: &str) -> Result<(), GraphError> {
        let n = Url::parse(next).map_err(|e| GraphError::Protocol {
            message: format!("bad @odata.nextLink: {e}"),
        })?;
        if n.scheme() == self.base.scheme()
            && n.host_str() == self.base.host_str()
            && n.port_or_known_default() == self.base.port_or_known_default()
        {
            Ok(())
        } else {
            Err(GraphError::Protocol {
                message: format!(
                    "@odata.nextLink points at another host ({}); not following it",
                    n.host_str().unwrap_or("?")
                ),
            })
        }
    }

    /// The tenant the token was issued for: the `tid` claim of the access token, read without
    /// verifying it (it only names the tenant; Graph verifies the token). `None` when the token
    /// is not a JWT.
    pub async fn token_tenant(&self) -> Result<Option<String>, GraphError> {
        let token = self.bearer(false).await?;
        Ok(jwt_claim(token.secret(), "tid"))
    }

    /// Who the access token was issued to, from its claims (`oid`, `idtyp`, `scp`, `appid`),
    /// read without verifying it and never kept or shown. `None` when the token is not a JWT
    /// or names no object.
    pub async fn token_identity(&self) -> Result<Option<TokenIdentity>, GraphError> {
        let token = self.bearer(false).await?;
        let t = token.secret();
        let Some(object_id) = jwt_claim(t, "oid") else {
            return Ok(None);
        };
        // `idtyp` says `app` or `user` in Graph's tokens; without it, a delegated token is the
        // one with scopes (`scp`).
        let app = match jwt_claim(t, "idtyp") {
            Some(x) => x.eq_ignore_ascii_case("app"),
            None => jwt_claim(t, "scp").is_none(),
        };
        Ok(Some(TokenIdentity {
            object_id: object_id.to_ascii_lowercase(),
            app,
            app_id: jwt_claim(t, "appid").or_else(|| jwt_claim(t, "azp")),
        }))
    }

    /// The tenant id the token is for (`GET /organization`).
    pub async fn organization_id(&self) -> Result<String, GraphError> {
        let v = self.get_json("/organization?$select=id").await?;
        v.pointer("/value/0/id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GraphError::Protocol {
                message: "GET /organization returned no tenant id".into(),
            })
    }
}

/// Who a token was issued to (its claims only; never the token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenIdentity {
    /// `oid`: the user's, or the service principal's, object id.
    pub object_id: String,
    /// An app-only (workload identity) token.
    pub app: bool,
    /// `appid` (or `azp`): the client application.
    pub app_id: Option<String>,
}

/// One string claim of a JWT's payload, without verification.
fn jwt_claim(token: &str, claim: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let json: Value = serde_json::from_slice(&bytes).ok()?;
    json.get(claim)?.as_str().map(str::to_string)
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn network(what: &str, e: reqwest::Error) -> GraphError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the connection failed"
    };
    // reqwest's text and its causes name the URL at most; the token is in a header, never shown.
    let e = e.without_url();
    let mut detail = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        detail.push_str(": ");
        detail.push_str(&c.to_string());
        cause = c.source();
    }
    GraphError::Network {
        message: format!("{what}: {kind} ({detail})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_need_tls_unless_loopback() {
        assert!(check_base_url("https://graph.microsoft.com/").is_ok());
        assert!(check_base_url("https://proxy.example/graph").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.9.9.9",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://graph.microsoft.com",
            "http://10.0.0.1",
            "ftp://x",
            "https://g?x=1",
            "nonsense",
            "http://127.0.0.1.evil.com",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
        assert!(
            check_base_url("http://graph.microsoft.com")
                .unwrap_err()
                .to_string()
                .contains("refusing plain http")
        );
    }

    #[test]
    fn reads_the_tenant_claim() {
        // {"alg":"none"}.{"tid":"6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c","aud":"x"}.sig
        let t = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiI2ZjFjMGE1ZS0yYjdkLTRjMWUtOWEzZi0xZDJlM2Y0YTViNmMiLCJhdWQiOiJ4In0.c2ln";
        assert_eq!(
            jwt_claim(t, "tid").as_deref(),
            Some("6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c")
        );
        assert_eq!(jwt_claim("opaque-token", "tid"), None);
        assert_eq!(jwt_claim("a.!!!.c", "tid"), None);
        assert_eq!(base64url_decode("aGk").as_deref(), Some(&b"hi"[..]));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(odata_string("it's"), "'it''s'");
        assert_eq!(
            encode_query_value(&format!("displayName eq {}", odata_string("A&B #1"))),
            "displayName%20eq%20'A%26B%20%231'"
        );
        assert_eq!(encode_query_value("é"), "%C3%A9");
    }
}
