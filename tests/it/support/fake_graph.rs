//! A stateful fake of Microsoft Graph on 127.0.0.1 (wiremock with one routing responder).
//!
//! In: requests from the client under test. Out: answers the way Graph documents them: bearer
//! check, paging with `@odata.nextLink` (small pages), POST assigns ids, PATCH merges (nested too)
//! properties, DELETE, `$filter` by name, `$batch`, directory look-ups, and reads rewritten the
//! way Graph rewrites them (ids, dates, nulls for unset properties, the whole authentication
//! strength, `templateId: null`, lists in another order), and the what-if `evaluate` action
//! (every stored policy, with the verdict the test scripts in [`State::what_if`]), sign-in logs
//! filtered on `createdDateTime` and users' transitive memberships, both paged. Scripted faults: 429 with and without
//! `Retry-After`, 503, a create stored but answered too late (lost response), a create stored
//! but answered 500, 400 with a request id.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub use super::read_view::read_view;

pub const TOKEN: &str = "fake-graph-token-3f9c1e";
pub const TENANT: &str = "6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c";
const EVALUATE: &str = "/identity/conditionalAccess/evaluate";

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// 429, with `Retry-After: n` when given.
    Throttle(Option<u64>),
    /// 503, nothing done.
    Unavailable,
    /// Done (stored), but answered after the delay: longer than the client's timeout.
    LostAfterStore(Duration),
    /// Done (stored), but answered 500.
    ErrorAfterStore,
    /// Done (stored), then the connection is dropped before the answer arrives.
    DropAfterStore,
    /// 400 with Graph's error body and a request id.
    BadRequest(String),
}

/// A fault for the next `times` requests with `method` whose path contains `path`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: &'static str,
    pub path: &'static str,
    pub kind: FaultKind,
    pub times: usize,
    /// Matching requests let through before the fault starts.
    pub skip: usize,
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Inside a `$batch`.
    pub batched: bool,
    /// The request body, for writes.
    pub body: Option<Value>,
    /// A write of a deploy lease marker (`capol::deploy::lease`), not of a managed policy.
    pub lease: bool,
}

#[derive(Debug, Default)]
pub struct State {
    /// Policies as stored (written form plus `id`, `createdDateTime`).
    pub policies: Vec<Value>,
    /// Deleted policies, kept (soft-deleted, with `deletedDateTime`) as Graph keeps them for
    /// 30 days: listed at `/identity/conditionalAccess/deletedItems/policies`.
    pub deleted_policies: Vec<Value>,
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    pub service_principals: Vec<Value>,
    pub named_locations: Vec<Value>,
    pub agreements: Vec<Value>,
    pub strengths: Vec<Value>,
    /// Sign-in records (`GET /auditLogs/signIns`, paged, `$filter=createdDateTime ge …`).
    pub sign_ins: Vec<Value>,
    /// `GET /users/{id}/transitiveMemberOf` by user id: groups and directory roles (paged).
    pub member_of: BTreeMap<String, Vec<Value>>,
    /// What `POST /identity/conditionalAccess/evaluate` says, by display name:
    /// (`policyApplies`, `analysisReasons` when it does not apply). A policy not listed does
    /// not apply, for `users`.
    pub what_if: BTreeMap<String, (bool, &'static str)>,
    /// The bodies `evaluate` received, each with its `Prefer` header.
    pub evaluated: Vec<(Value, Option<String>)>,
    pub faults: Vec<Fault>,
    pub log: Vec<Logged>,
    pub page_size: usize,
    pub tokens: Vec<String>,
    /// The tenant id `GET /organization` answers ([`TENANT`] when unset).
    pub tenant_id: Option<String>,
    /// `http://127.0.0.1:port` of the proxy: where next links point.
    pub origin: String,
    /// Set to make the proxy drop the connection carrying the next answer.
    pub drop_next: Arc<std::sync::atomic::AtomicBool>,
    next_id: u64,
    next_request: u64,
}

impl State {
    pub fn writes(&self) -> Vec<&Logged> {
        self.log
            .iter()
            .filter(|l| {
                matches!(l.method.as_str(), "POST" | "PATCH" | "DELETE")
                    && !l.lease
                    && !l.path.ends_with("$batch")
                    && !l.path.ends_with(EVALUATE)
            })
            .collect()
    }
    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.log
            .iter()
            .filter(|l| l.method == method && l.path.contains(path_contains))
            .count()
    }
    /// Stores a policy directly (as if created earlier); returns its id.
    pub fn seed_policy(&mut self, body: &Value) -> String {
        let id = self.new_id();
        let mut p = body.clone();
        p["id"] = json!(id);
        p["createdDateTime"] = json!("2025-06-01T08:00:00Z");
        self.policies.push(p);
        id
    }
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.next_id)
    }
}

pub struct FakeGraph {
    pub server: MockServer,
    pub state: Arc<Mutex<State>>,
}

impl FakeGraph {
    pub async fn start() -> FakeGraph {
        let state = Arc::new(Mutex::new(State {
            page_size: 2,
            tokens: vec![TOKEN.to_string()],
            ..Default::default()
        }));
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Handler(state.clone()))
            .mount(&server)
            .await;
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let upstream = server.address().to_string();
        let proxy = super::drop_proxy::start(upstream, flag.clone()).await;
        {
            let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
            st.origin = proxy.clone();
            st.drop_next = flag;
        }
        FakeGraph { server, state }
    }
    /// The fake's base URL (through the connection-dropping proxy).
    pub fn uri(&self) -> String {
        self.state().origin.clone()
    }
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn fault(&self, method: &'static str, path: &'static str, kind: FaultKind, times: usize) {
        self.state().faults.push(Fault {
            method,
            path,
            kind,
            times,
            skip: 0,
        });
    }
    /// A fault that starts after `skip` matching requests went through.
    pub fn fault_after(
        &self,
        skip: usize,
        method: &'static str,
        path: &'static str,
        kind: FaultKind,
    ) {
        self.state().faults.push(Fault {
            method,
            path,
            kind,
            times: 1,
            skip,
        });
    }
    /// The policies as Graph would list them.
    pub fn policies_read(&self) -> Vec<Value> {
        self.state().policies.iter().map(read_view).collect()
    }
}

struct Handler(Arc<Mutex<State>>);

struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
    delay: Option<Duration>,
    cut: bool,
}

fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        body: Some(body),
        headers: Vec::new(),
        delay: None,
        cut: false,
    }
}

fn error(st: &mut State, status: u16, code: &str, message: &str) -> Reply {
    st.next_request += 1;
    let rid = format!("fake-req-{}", st.next_request);
    let mut r = reply(
        status,
        json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2026-11-27T10:00:00", "request-id": rid, "client-request-id": rid}}}),
    );
    r.headers.push(("request-id".into(), rid));
    r
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let r = if !st.tokens.iter().any(|t| auth == format!("Bearer {t}")) {
            error(
                &mut st,
                401,
                "InvalidAuthenticationToken",
                "Access token is empty or invalid.",
            )
        } else {
            let origin = st.origin.clone();
            let body: Option<Value> = serde_json::from_slice(&req.body).ok();
            if req.url.path().ends_with(EVALUATE) && req.method.as_str() == "POST" {
                let prefer = req
                    .headers
                    .get("prefer")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                st.evaluated
                    .push((body.clone().unwrap_or(Value::Null), prefer));
            }
            let path_q = match req.url.query() {
                Some(q) => format!("{}?{q}", req.url.path()),
                None => req.url.path().to_string(),
            };
            let marker = capol::deploy::lease::MARKER_NAME;
            let lease = body
                .as_ref()
                .is_some_and(|b| b["displayName"] == json!(marker))
                || st.policies.iter().any(|p| {
                    p["displayName"] == json!(marker)
                        && p["id"]
                            .as_str()
                            .is_some_and(|id| req.url.path().ends_with(id))
                });
            let r = route(&mut st, &origin, req.method.as_str(), &path_q, body, false);
            if let Some(l) = st.log.last_mut() {
                l.lease = lease;
            }
            r
        };
        let mut t = ResponseTemplate::new(r.status);
        if r.cut {
            // The proxy in front drops the connection instead of passing this answer on.
            st.drop_next
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        if let Some(b) = r.body {
            t = t.set_body_json(b);
        }
        for (k, v) in r.headers {
            t = t.insert_header(k.as_str(), v.as_str());
        }
        if let Some(d) = r.delay {
            t = t.set_delay(d);
        }
        t
    }
}

fn split(path_q: &str) -> (String, Vec<(String, String)>) {
    let (path, q) = path_q.split_once('?').unwrap_or((path_q, ""));
    let pairs = url_pairs(q);
    (path.to_string(), pairs)
}

fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn route(
    st: &mut State,
    origin: &str,
    method: &str,
    path_q: &str,
    body: Option<Value>,
    batched: bool,
) -> Reply {
    let (full, query) = split(path_q);
    let path = full
        .strip_prefix("/v1.0")
        .or_else(|| full.strip_prefix("/beta"))
        .unwrap_or(&full)
        .to_string();
    st.log.push(Logged {
        method: method.into(),
        path: path.clone(),
        query: path_q
            .split_once('?')
            .map(|x| x.1.to_string())
            .unwrap_or_default(),
        batched,
        body: body.clone(),
        lease: false,
    });

    let fault = st
        .faults
        .iter_mut()
        .find(|f| f.times > 0 && f.method == method && path.contains(f.path))
        .and_then(|f| {
            if f.skip > 0 {
                f.skip -= 1;
                return None;
            }
            f.times -= 1;
            Some(f.kind.clone())
        });
    match &fault {
        Some(FaultKind::Throttle(after)) => {
            let mut r = error(st, 429, "TooManyRequests", "Too many requests");
            if let Some(a) = after {
                r.headers.push(("Retry-After".into(), a.to_string()));
            }
            return r;
        }
        Some(FaultKind::Unavailable) => {
            return error(st, 503, "ServiceUnavailable", "Service unavailable");
        }
        Some(FaultKind::BadRequest(m)) => return error(st, 400, "BadRequest", m),
        _ => {}
    }
    let q = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut r = match (method, path.as_str()) {
        ("POST", "/$batch") => batch(st, origin, body),
        ("GET", "/identity/conditionalAccess/policies") => {
            let all: Vec<Value> = st.policies.iter().map(read_view).collect();
            let items = filtered(all, q("$filter"));
            page(st, origin, &full, &query, items)
        }
        ("POST", "/identity/conditionalAccess/policies") => create(st, body),
        ("GET", "/identity/conditionalAccess/deletedItems/policies") => {
            list_reply(st.deleted_policies.clone())
        }
        (m, p) if p.starts_with("/identity/conditionalAccess/policies/") => {
            let id = p
                .trim_start_matches("/identity/conditionalAccess/policies/")
                .to_string();
            one_policy(st, m, &id, body)
        }
        ("POST", EVALUATE) => evaluate(st, origin, 0),
        ("GET", EVALUATE) => {
            let skip = q("$skiptoken").and_then(|v| v.parse().ok()).unwrap_or(0);
            evaluate(st, origin, skip)
        }
        ("GET", "/organization") => {
            let id = st.tenant_id.clone().unwrap_or_else(|| TENANT.to_string());
            reply(200, json!({"value": [{"id": id}]}))
        }
        ("GET", "/users") => list_reply(filtered(st.users.clone(), q("$filter"))),
        ("GET", "/groups") => list_reply(filtered(st.groups.clone(), q("$filter"))),
        ("GET", "/servicePrincipals") => {
            list_reply(filtered(st.service_principals.clone(), q("$filter")))
        }
        ("GET", "/identity/conditionalAccess/namedLocations") => {
            let items = st.named_locations.clone();
            page(st, origin, &full, &query, items)
        }
        ("GET", "/identityGovernance/termsOfUse/agreements") => list_reply(st.agreements.clone()),
        ("GET", "/policies/authenticationStrengthPolicies") => {
            list_reply(selected(st.strengths.clone(), q("$select")))
        }
        ("GET", "/directoryRoleTemplates") => list_reply(vec![
            json!({"id": "62e90394-69f5-4237-9190-012177145e10", "displayName": "Global Administrator"}),
            json!({"id": "194ae4cb-b126-40b2-bd5b-6091b380977d", "displayName": "Security Administrator"}),
        ]),
        ("GET", "/identity/conditionalAccess/authenticationContextClassReferences") => {
            list_reply(vec![json!({"id": "c1", "displayName": "Sensitive apps"})])
        }
        ("GET", "/auditLogs/signIns") => match sign_ins_since(&st.sign_ins, q("$filter")) {
            Ok(items) => page(st, origin, &full, &query, items),
            Err(m) => error(st, 400, "BadRequest", &m),
        },
        ("GET", p) if p.starts_with("/users/") && p.ends_with("/transitiveMemberOf") => {
            let id = p
                .trim_start_matches("/users/")
                .trim_end_matches("/transitiveMemberOf")
                .to_string();
            match st.member_of.get(&id).cloned() {
                Some(items) => page(st, origin, &full, &query, items),
                None => error(
                    st,
                    404,
                    "Request_ResourceNotFound",
                    &format!("Resource '{id}' does not exist"),
                ),
            }
        }
        ("GET", p) if p.starts_with("/users/") || p.starts_with("/groups/") => {
            let (coll, id) = p
                .trim_start_matches('/')
                .split_once('/')
                .unwrap_or(("", ""));
            let list = if coll == "users" {
                &st.users
            } else {
                &st.groups
            };
            match list.iter().find(|o| o["id"] == json!(id)).cloned() {
                Some(o) => reply(200, o),
                None => error(
                    st,
                    404,
                    "Request_ResourceNotFound",
                    &format!("Resource '{id}' does not exist"),
                ),
            }
        }
        _ => error(
            st,
            400,
            "BadRequest",
            &format!("fake Graph has no route for {method} {path}"),
        ),
    };
    match fault {
        Some(FaultKind::LostAfterStore(d)) => r.delay = Some(d),
        Some(FaultKind::ErrorAfterStore) => {
            r = error(st, 500, "InternalServerError", "Something went wrong")
        }
        Some(FaultKind::DropAfterStore) => r.cut = true,
        _ => {}
    }
    r
}

/// Graph's what-if: every stored policy as Graph reads it, with the scripted verdict.
/// The what-if answer, paged like any list (`st.page_size` results a page).
fn evaluate(st: &State, origin: &str, skip: usize) -> Reply {
    let results: Vec<Value> = st
        .policies
        .iter()
        .map(|p| {
            let mut r = read_view(p);
            let name = r["displayName"].as_str().unwrap_or("").to_string();
            let (applies, reasons) = st.what_if.get(&name).copied().unwrap_or((false, "users"));
            r["@odata.type"] = json!("#microsoft.graph.whatIfAnalysisResult");
            r["policyApplies"] = json!(applies);
            r["analysisReasons"] = json!(if applies { "notSet" } else { reasons });
            r
        })
        .collect();
    let size = st.page_size.max(1);
    let page: Vec<Value> = results.iter().skip(skip).take(size).cloned().collect();
    let mut body = json!({"@odata.context": format!("{origin}/v1.0/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)"),
        "value": page});
    if skip + size < results.len() {
        body["@odata.nextLink"] = json!(format!(
            "{origin}/v1.0{EVALUATE}?$skiptoken={}",
            skip + size
        ));
    }
    reply(200, body)
}

/// The records at or after the time of `createdDateTime ge <ISO time>` (the only filter the
/// fake takes, like capol sends it); ISO times in one format compare as text.
fn sign_ins_since(all: &[Value], filter: Option<String>) -> Result<Vec<Value>, String> {
    let since = match filter {
        None => return Ok(all.to_vec()),
        Some(f) => f
            .strip_prefix("createdDateTime ge ")
            .map(str::to_string)
            .ok_or_else(|| format!("Invalid filter clause: {f}"))?,
    };
    Ok(all
        .iter()
        .filter(|s| s["createdDateTime"].as_str().unwrap_or("") >= since.as_str())
        .cloned()
        .collect())
}

/// `$select=a,b`: only those properties (and `id`), as Graph answers.
fn selected(items: Vec<Value>, select: Option<String>) -> Vec<Value> {
    let Some(select) = select else { return items };
    let keep: Vec<&str> = select.split(',').map(str::trim).collect();
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(k, _)| k == "id" || keep.contains(&k.as_str()))
                    .collect(),
            ),
            other => other,
        })
        .collect()
}

fn list_reply(items: Vec<Value>) -> Reply {
    reply(200, json!({ "value": items }))
}

/// `displayName eq 'x'`, `userPrincipalName eq 'x'`, `startswith(field,'x')`: case-insensitive like Graph.
fn filtered(items: Vec<Value>, filter: Option<String>) -> Vec<Value> {
    let Some(f) = filter else { return items };
    let (field, lit, prefix) = if let Some(rest) = f.strip_prefix("startswith(") {
        let (field, lit) = rest.split_once(',').unwrap_or(("", ""));
        (
            field.to_string(),
            lit.trim_end_matches(')').to_string(),
            true,
        )
    } else {
        let (field, lit) = f.split_once(" eq ").unwrap_or(("", ""));
        (field.to_string(), lit.to_string(), false)
    };
    let lit = lit
        .trim()
        .trim_start_matches('\'')
        .trim_end_matches('\'')
        .replace("''", "'")
        .to_lowercase();
    items
        .into_iter()
        .filter(|o| {
            let v = o
                .get(&field)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase();
            if prefix {
                v.starts_with(&lit)
            } else {
                v == lit
            }
        })
        .collect()
}

fn page(
    st: &State,
    origin: &str,
    full: &str,
    query: &[(String, String)],
    items: Vec<Value>,
) -> Reply {
    let skip: usize = query
        .iter()
        .find(|(k, _)| k == "$skiptoken")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let size = st.page_size.max(1);
    let chunk: Vec<Value> = items.iter().skip(skip).take(size).cloned().collect();
    let mut body =
        json!({"@odata.context": format!("{origin}/v1.0/$metadata#policies"), "value": chunk});
    if skip + size < items.len() {
        let mut q: Vec<String> = query
            .iter()
            .filter(|(k, _)| k != "$skiptoken")
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "%20").replace('\'', "%27")))
            .collect();
        q.push(format!("$skiptoken={}", skip + size));
        body["@odata.nextLink"] = json!(format!("{origin}{full}?{}", q.join("&")));
    }
    reply(200, body)
}

fn batch(st: &mut State, origin: &str, body: Option<Value>) -> Reply {
    let requests = body
        .as_ref()
        .and_then(|b| b.get("requests"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if requests.len() > 20 {
        return error(
            st,
            400,
            "BadRequest",
            "A batch can hold at most 20 requests",
        );
    }
    let mut responses = Vec::new();
    for r in requests {
        let id = r["id"].clone();
        let method = r["method"].as_str().unwrap_or("GET").to_string();
        let url = format!("/v1.0{}", r["url"].as_str().unwrap_or(""));
        let sub = route(st, origin, &method, &url, r.get("body").cloned(), true);
        let headers: Map<String, Value> = sub
            .headers
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        responses
            .push(json!({"id": id, "status": sub.status, "headers": headers, "body": sub.body}));
    }
    responses.reverse(); // Graph does not promise order.
    reply(200, json!({ "responses": responses }))
}

fn create(st: &mut State, body: Option<Value>) -> Reply {
    let Some(Value::Object(b)) = body else {
        return error(st, 400, "BadRequest", "Request body is not a JSON object");
    };
    for k in ["id", "createdDateTime", "modifiedDateTime"] {
        if b.contains_key(k) {
            return error(
                st,
                400,
                "BadRequest",
                &format!("Property '{k}' is read-only"),
            );
        }
    }
    for k in ["displayName", "state", "conditions"] {
        if !b.contains_key(k) {
            return error(
                st,
                400,
                "BadRequest",
                &format!("Property '{k}' is required"),
            );
        }
    }
    let mut p = Value::Object(b);
    let id = st.new_id();
    p["id"] = json!(id);
    p["createdDateTime"] = json!("2026-11-27T10:00:00Z");
    st.policies.push(p.clone());
    let mut r = reply(201, read_view(&p));
    r.headers.push((
        "Location".into(),
        format!("https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/{id}"),
    ));
    r
}

/// A Microsoft-managed policy (`Microsoft-managed: …`, with a template id).
fn is_managed(p: &Value) -> bool {
    p["displayName"]
        .as_str()
        .is_some_and(|n| n.starts_with("Microsoft-managed:"))
        && p["templateId"].as_str().is_some()
}

/// Graph lets a PATCH of a Microsoft-managed policy change only its state and exclusions.
fn managed_patch_allowed(patch: &serde_json::Map<String, Value>) -> bool {
    patch.iter().all(|(k, v)| match k.as_str() {
        "state" => true,
        "conditions" => v.as_object().is_some_and(|c| {
            c.iter().all(|(k, v)| {
                k == "users"
                    && v.as_object().is_some_and(|u| {
                        u.keys().all(|k| {
                            matches!(
                                k.as_str(),
                                "excludeUsers"
                                    | "excludeGroups"
                                    | "excludeRoles"
                                    | "excludeGuestsOrExternalUsers"
                            )
                        })
                    })
            })
        }),
        _ => false,
    })
}

fn one_policy(st: &mut State, method: &str, id: &str, body: Option<Value>) -> Reply {
    let Some(i) = st.policies.iter().position(|p| p["id"] == json!(id)) else {
        return error(st, 404, "NotFound", &format!("Policy '{id}' was not found"));
    };
    match method {
        "GET" => reply(200, read_view(&st.policies[i])),
        "DELETE" if is_managed(&st.policies[i]) => error(
            st,
            400,
            "BadRequest",
            "Microsoft-managed policies cannot be deleted",
        ),
        "DELETE" => {
            let mut gone = st.policies.remove(i);
            gone["deletedDateTime"] = json!("2026-11-27T12:00:00Z");
            st.deleted_policies.push(gone);
            Reply {
                status: 204,
                body: None,
                headers: Vec::new(),
                delay: None,
                cut: false,
            }
        }
        "PATCH" => {
            let Some(Value::Object(patch)) = body else {
                return error(st, 400, "BadRequest", "no body");
            };
            if patch.contains_key("id") {
                return error(st, 400, "BadRequest", "Property 'id' is read-only");
            }
            if is_managed(&st.policies[i]) && !managed_patch_allowed(&patch) {
                return error(
                    st,
                    400,
                    "BadRequest",
                    "Only the state and the excluded users, groups and roles of a Microsoft-managed policy can be changed",
                );
            }
            let p = &mut st.policies[i];
            // Like Graph: a property left out keeps its value, inside nested objects too;
            // `null` clears; a list is replaced whole.
            merge_patch(p, Value::Object(patch));
            p["modifiedDateTime"] = json!("2026-11-27T11:00:00Z");
            Reply {
                status: 204,
                body: None,
                headers: Vec::new(),
                delay: None,
                cut: false,
            }
        }
        _ => error(st, 405, "MethodNotAllowed", "no"),
    }
}

/// A PATCH applied the way Graph documents it: nested objects merged, lists replaced, `null`
/// clearing a property.
fn merge_patch(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match v {
                    Value::Null => {
                        t.remove(&k);
                    }
                    Value::Object(_) if t.get(&k).is_some_and(Value::is_object) => {
                        if let Some(slot) = t.get_mut(&k) {
                            merge_patch(slot, v);
                        }
                    }
                    other => {
                        t.insert(k, other);
                    }
                }
            }
        }
        (t, p) => *t = p,
    }
}
