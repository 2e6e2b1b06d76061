//! A deploy lease kept in the tenant itself, since Graph has no lock.
//!
//! In: a connected client, how long the lease lasts and how long to let Graph settle. Out: a
//! [`Lease`] held by this deploy (released by [`Lease::release`]), or a refusal naming the
//! deploy that holds it. The lease is a disabled Conditional Access policy named
//! [`MARKER_NAME`] that targets nobody, with its expiry in its description: the one identity a
//! deploy is sure to have (`Policy.ReadWrite.ConditionalAccess`) can write it, and every deploy
//! can see it. To take the lease a deploy refuses when a live marker exists, creates its own,
//! waits for Graph to settle, lists the markers again, and keeps the lease only when its own is
//! the oldest live one (creation time, then id); otherwise it deletes its marker and refuses.
//! Expired markers (a deploy that died) are deleted on the way. The plan never shows markers.

use crate::graph::client::GraphClient;
use crate::graph::error::GraphError;
use crate::graph::retry::ProgressEvent;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The display name of the lease marker; a source policy of this name is refused.
pub const MARKER_NAME: &str = "capol deploy lease (do not edit)";

/// How the lease is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseOptions {
    /// How long the lease lasts without its holder (a deploy that died frees it after this).
    pub length: Duration,
    /// How long to wait after writing the marker before reading the markers back.
    pub settle: Duration,
}

impl Default for LeaseOptions {
    fn default() -> Self {
        LeaseOptions {
            length: Duration::from_secs(15 * 60),
            settle: Duration::from_secs(3),
        }
    }
}

/// The lease this deploy holds: the id of its marker.
#[derive(Debug)]
pub struct Lease {
    id: String,
}

/// Whether a tenant policy is a lease marker.
pub fn is_marker(p: &Value) -> bool {
    p.get("displayName").and_then(Value::as_str) == Some(MARKER_NAME)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The expiry (unix seconds) a marker's description records; `0` (expired) when unreadable.
fn expiry(p: &Value) -> u64 {
    p.get("description")
        .and_then(Value::as_str)
        .and_then(|d| d.split("until-unix=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn id_of(p: &Value) -> &str {
    p.get("id").and_then(Value::as_str).unwrap_or("")
}

fn body(until: u64) -> Value {
    json!({
        "displayName": MARKER_NAME,
        "description": format!("capol: a deploy is writing to this tenant; lease until-unix={until} (deleted when it ends)"),
        "state": "disabled",
        "conditions": {
            "users": {"includeUsers": ["None"]},
            "applications": {"includeApplications": ["None"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}
    })
}

/// Why the lease was not taken (nothing was written but possibly our own marker, removed).
fn held(other: &Value) -> GraphError {
    GraphError::Protocol {
        message: format!(
            "[E0532] another deploy is writing to this tenant (its lease {} lasts until unix time {}); wait for it and plan again, or run deploys one at a time (a CI concurrency group)",
            id_of(other),
            expiry(other)
        ),
    }
}

impl Lease {
    /// Takes the lease or says who holds it.
    pub async fn take(client: &GraphClient, opts: &LeaseOptions) -> Result<Lease, GraphError> {
        client.report(ProgressEvent::Step("taking the deploy lease".into()));
        let now = now_secs();
        let mut markers = client.list_markers().await?;
        for m in markers.iter().filter(|m| expiry(m) <= now) {
            // A deploy that died: its lease is over. Someone else may delete it first.
            let _ = client.delete_policy(id_of(m)).await;
        }
        markers.retain(|m| expiry(m) > now);
        if let Some(other) = markers.first() {
            return Err(held(other));
        }
        let created = client
            .create_policy(&body(now + opts.length.as_secs()))
            .await?;
        let mine = Lease {
            id: id_of(&created).to_string(),
        };
        tokio::time::sleep(opts.settle).await;
        let now = now_secs();
        let mut live: Vec<Value> = client
            .list_markers()
            .await?
            .into_iter()
            .filter(|m| expiry(m) > now || id_of(m) == mine.id)
            .collect();
        live.sort_by(|a, b| {
            let key = |p: &Value| {
                (
                    p.get("createdDateTime")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    id_of(p).to_string(),
                )
            };
            key(a).cmp(&key(b))
        });
        match live.first() {
            Some(first) if id_of(first) == mine.id => Ok(mine),
            Some(first) => {
                let e = held(first);
                mine.release(client).await;
                Err(e)
            }
            None => Err(GraphError::Protocol {
                message: "the deploy lease written a moment ago cannot be read back".into(),
            }),
        }
    }

    /// Gives the lease back (deletes the marker). A failure is reported, not fatal: the lease
    /// expires on its own.
    pub async fn release(self, client: &GraphClient) {
        if let Err(e) = client.delete_policy(&self.id).await {
            client.report(ProgressEvent::Step(format!(
                "could not remove the deploy lease {} ({e}); it expires on its own",
                self.id
            )));
        }
    }
}
