//! Apply: carrying out a [`Plan`] against the tenant, safely.
//!
//! In: a connected [`GraphClient`], a plan (fresh or from a [`SavedPlan`]) and
//! [`ApplyOptions`] (the emergency-access principals). Out: an [`ApplyReport`] saying exactly
//! which policies were written and which were not, or an [`ApplyError`] when nothing was
//! written. Before the first write: every emergency principal must exist, and the tenant is
//! listed again and must still match the plan's fingerprint. Then creates and updates (in plan
//! order), deletes last; the first write that fails (after its retries) stops the run.

use super::lease::{Lease, LeaseOptions};
use super::plan::{Action, Plan};
use super::render::SavedPlan;
use crate::graph::client::{GraphClient, encode_query_value};
use crate::graph::error::GraphError;
use crate::graph::retry::ProgressEvent;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fmt::Write as _;

/// A user or group that must never be locked out (break-glass accounts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyPrincipal {
    pub kind: PrincipalKind,
    /// Object id.
    pub id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    User,
    Group,
}

impl PrincipalKind {
    fn collection(self) -> &'static str {
        match self {
            PrincipalKind::User => "users",
            PrincipalKind::Group => "groups",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Must all exist in the tenant before anything is written.
    pub emergency: Vec<EmergencyPrincipal>,
    /// Take the deploy lease before writing ([`super::lease`]); `capol deploy` always does.
    pub lease: Option<LeaseOptions>,
}

/// Nothing was written, and why.
#[derive(Debug)]
pub enum ApplyError {
    /// A safety check failed: an emergency principal is missing, the tenant changed since the
    /// plan was made, or the plan is for another API version.
    Refused { reasons: Vec<String> },
    /// Graph could not be read before writing.
    Graph(GraphError),
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Refused { reasons } => {
                write!(f, "refusing to deploy, nothing was written:")?;
                for r in reasons {
                    write!(f, "\n  - {r}")?;
                }
                Ok(())
            }
            ApplyError::Graph(e) => write!(f, "nothing was written: {e}"),
        }
    }
}

impl std::error::Error for ApplyError {}

/// One write that was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// `created`, `updated` or `deleted`.
    pub what: &'static str,
    pub display_name: String,
    pub id: String,
}

/// The write that failed.
#[derive(Debug)]
pub struct Failed {
    /// `create`, `update` or `delete`.
    pub what: &'static str,
    pub display_name: String,
    pub id: Option<String>,
    pub error: GraphError,
}

/// What a deploy did. When `failed` is set, `applied` were written and `not_applied` were not.
#[derive(Debug, Default)]
pub struct ApplyReport {
    pub applied: Vec<Applied>,
    pub failed: Option<Failed>,
    /// Writes not attempted because an earlier one failed.
    pub not_applied: Vec<Action>,
    pub unchanged: usize,
}

impl ApplyReport {
    pub fn is_complete(&self) -> bool {
        self.failed.is_none()
    }

    /// The JSON form (`--format json`): applied, failed (with Graph's message), not applied.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "complete": self.is_complete(),
            "applied": self.applied,
            "failed": self.failed.as_ref().map(|f| serde_json::json!({
                "action": f.what, "displayName": f.display_name, "id": f.id, "error": f.error.to_string(),
            })),
            "notApplied": self.not_applied,
            "unchanged": self.unchanged,
        })
    }

    /// Lines for people: what was written, what failed, what was not attempted.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for a in &self.applied {
            let _ = writeln!(out, "{} `{}` ({})", a.what, a.display_name, a.id);
        }
        if let Some(f) = &self.failed {
            let id =
                f.id.as_deref()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default();
            let _ = writeln!(
                out,
                "FAILED to {} `{}`{id}: {}",
                f.what, f.display_name, f.error
            );
        }
        for a in &self.not_applied {
            let (sign, what) = match a {
                Action::Create { .. } => ('+', "create"),
                Action::Update { .. } => ('~', "update"),
                Action::Delete { .. } => ('-', "delete"),
                Action::Unchanged { .. } => continue,
            };
            let _ = writeln!(out, "not applied: {sign} {what} `{}`", a.display_name());
        }
        let _ = writeln!(
            out,
            "{} written, {} unchanged{}",
            self.applied.len(),
            self.unchanged,
            if self.is_complete() {
                String::new()
            } else {
                format!(", 1 failed, {} not applied", self.not_applied.len())
            }
        );
        out
    }
}

/// The tenant a client is signed in to: `--tenant` when it is a tenant id, else the token's
/// `tid` claim, else `GET /organization`. Lower case.
pub async fn connected_tenant(
    client: &GraphClient,
    hint: Option<&str>,
) -> Result<String, GraphError> {
    if let Some(t) = hint.filter(|t| crate::symbols::is_guid(t)) {
        return Ok(t.to_ascii_lowercase());
    }
    Ok(match client.token_tenant().await? {
        Some(t) => t,
        None => client.organization_id().await?,
    }
    .to_ascii_lowercase())
}

/// What `deploy --plan` knows besides the plan file: the policies compiled now, the digests of
/// the sources and the lock file now, `--prune`, and `--tenant`.
#[derive(Clone, Debug, Default)]
pub struct SavedCheck {
    pub desired: Vec<serde_json::Value>,
    pub sources_digest: String,
    pub lock_digest: String,
    pub prune: bool,
    pub tenant_hint: Option<String>,
}

/// Applies a plan read from a file, which is untrusted: the tenant is listed, the plan is made
/// again from `check.desired`, and the saved plan must be exactly that plan, for this tenant,
/// API version, prune setting, sources, lock file and tenant state
/// ([`super::trust::verify_saved`]). Then the plan made now is applied as [`apply`] does.
pub async fn apply_saved(
    client: &GraphClient,
    saved: &SavedPlan,
    check: &SavedCheck,
    opts: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let tenant_id = connected_tenant(client, check.tenant_hint.as_deref())
        .await
        .map_err(ApplyError::Graph)?;
    client.report(ProgressEvent::Step(
        "checking the saved plan against the sources and the tenant".into(),
    ));
    let listing = client.list_policies().await.map_err(ApplyError::Graph)?;
    let now = super::trust::Now {
        desired: &check.desired,
        tenant: &listing,
        tenant_id: &tenant_id,
        api_version: client.api_version().as_str(),
        sources_digest: check.sources_digest.clone(),
        lock_digest: check.lock_digest.clone(),
        prune: check.prune,
    };
    let fresh = super::trust::verify_saved(saved, &now).map_err(|mut reasons| {
        reasons.insert(
            0,
            "the saved plan is not what planning now gives; plan again and review it".into(),
        );
        ApplyError::Refused { reasons }
    })?;
    apply(client, &fresh, opts).await
}

/// Applies `plan`: checks the emergency principals and that the tenant still matches the plan,
/// then writes, stopping at the first failure.
pub async fn apply(
    client: &GraphClient,
    plan: &Plan,
    opts: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let report = ApplyReport {
        unchanged: plan.unchanged(),
        ..Default::default()
    };
    if plan.is_empty() {
        return Ok(report);
    }
    client.expect_writes();
    check_emergency(client, &opts.emergency).await?;
    let lease = match &opts.lease {
        Some(l) => Some(
            Lease::take(client, l)
                .await
                .map_err(|e| ApplyError::Refused {
                    reasons: vec![e.to_string()],
                })?,
        ),
        None => None,
    };
    let result = apply_leased(client, plan, report).await;
    if let Some(lease) = lease {
        lease.release(client).await;
    }
    result
}

/// [`apply`] once the lease is held: the tenant must still match the plan, then the writes.
async fn apply_leased(
    client: &GraphClient,
    plan: &Plan,
    mut report: ApplyReport,
) -> Result<ApplyReport, ApplyError> {
    client.report(ProgressEvent::Step(
        "checking the tenant still matches the plan".into(),
    ));
    let now = client.list_policies().await.map_err(ApplyError::Graph)?;
    let differences = plan.fingerprint.differences(&now);
    if !differences.is_empty() {
        let mut reasons =
            vec!["the tenant changed since the plan was made; plan again".to_string()];
        reasons.extend(differences);
        return Err(ApplyError::Refused { reasons });
    }

    let mut writes = plan.actions.iter().filter(|a| a.is_write());
    for action in writes.by_ref() {
        let name = action.display_name().to_string();
        let result = match action {
            Action::Create { body, .. } => {
                client.report(ProgressEvent::Write(format!("creating `{name}`")));
                create_once(client, &name, body)
                    .await
                    .map(|created| Applied {
                        what: "created",
                        display_name: name.clone(),
                        id: created
                            .get("id")
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_string(),
                    })
            }
            Action::Update { id, patch, .. } => {
                client.report(ProgressEvent::Write(format!("updating `{name}` ({id})")));
                client.update_policy(id, patch).await.map(|()| Applied {
                    what: "updated",
                    display_name: name.clone(),
                    id: id.clone(),
                })
            }
            Action::Delete { id, .. } => {
                client.report(ProgressEvent::Write(format!("deleting `{name}` ({id})")));
                client.delete_policy(id).await.map(|()| Applied {
                    what: "deleted",
                    display_name: name.clone(),
                    id: id.clone(),
                })
            }
            Action::Unchanged { .. } => continue,
        };
        match result {
            Ok(done) => report.applied.push(done),
            Err(error) => {
                let what = match action {
                    Action::Create { .. } => "create",
                    Action::Update { .. } => "update",
                    _ => "delete",
                };
                report.failed = Some(Failed {
                    what,
                    display_name: name,
                    id: action.id().map(str::to_string),
                    error,
                });
                break;
            }
        }
    }
    report.not_applied = writes.cloned().collect();
    Ok(report)
}

/// Creates `body` unless a policy of that name appeared since the plan was made (another deploy
/// that did not take the lease, or someone in the portal): Graph does not keep display names
/// unique, so it is looked up right before the POST.
async fn create_once(
    client: &GraphClient,
    name: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, GraphError> {
    let there = client.find_policies_by_name(name).await?;
    if let Some(other) = there.first() {
        return Err(GraphError::Protocol {
            message: format!(
                "[E0535] a policy named `{name}` appeared in the tenant since the plan was made ({}); not creating a second one: plan again",
                other.get("id").and_then(|v| v.as_str()).unwrap_or("?")
            ),
        });
    }
    client.create_policy(body).await
}

/// Every emergency principal must exist (one `$batch` per twenty).
async fn check_emergency(
    client: &GraphClient,
    principals: &[EmergencyPrincipal],
) -> Result<(), ApplyError> {
    if principals.is_empty() {
        return Ok(());
    }
    client.report(ProgressEvent::Step(format!(
        "checking {} emergency-access principal(s) exist",
        principals.len()
    )));
    let urls: Vec<String> = principals
        .iter()
        .map(|p| {
            format!(
                "/{}/{}?$select=id",
                p.kind.collection(),
                encode_query_value(&p.id)
            )
        })
        .collect();
    let results = client.batch_get(&urls).await.map_err(ApplyError::Graph)?;
    let mut reasons = Vec::new();
    for (p, r) in principals.iter().zip(results) {
        let kind = match p.kind {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
        };
        match r {
            Ok(_) => {}
            Err(e) if e.status == 404 => reasons.push(format!(
                "emergency-access {kind} {} does not exist in the tenant",
                p.id
            )),
            Err(e) => reasons.push(format!(
                "cannot check emergency-access {kind} {}: {e}",
                p.id
            )),
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(ApplyError::Refused { reasons })
    }
}
