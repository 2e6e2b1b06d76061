//! Plan: the pure diff between the compiled policies and the tenant's.
//!
//! In: the desired POST bodies (compiled), the tenant's policies as read from Graph, and
//! [`PlanOptions`]. Out: a [`Plan`]: one [`Action`] per policy (create, update with a minimal
//! PATCH body and a field-by-field change list, unchanged, delete when pruning), plus the
//! [`Fingerprint`] of the tenant state the plan was made against, so that `apply` can refuse
//! when the tenant changed since. Policies are matched by `displayName`; ambiguity is an error,
//! never a guess. No I/O here.

use super::canon::{canonical, fingerprint};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    /// Delete tenant policies that no desired policy names.
    pub prune: bool,
}

/// What to do, policy by policy, in desired order, then deletes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub actions: Vec<Action>,
    /// The tenant state this plan was computed against.
    pub fingerprint: Fingerprint,
    /// Microsoft-managed policies that `prune` leaves alone (they cannot be deleted), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
}

/// Whether a tenant policy is one Microsoft manages (`Microsoft-managed: …`, made from a
/// Microsoft template): it cannot be renamed or deleted, and only its state and excluded users,
/// groups, roles and guests can change.
pub fn is_microsoft_managed(p: &Value) -> bool {
    display_name(p).is_some_and(|n| {
        n.get(..18)
            .is_some_and(|h| h.eq_ignore_ascii_case("microsoft-managed:"))
    }) && p
        .get("templateId")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.is_empty())
}

/// The paths of a Microsoft-managed policy that can change.
pub const MANAGED_WRITABLE: [&str; 5] = [
    "state",
    "conditions.users.excludeUsers",
    "conditions.users.excludeGroups",
    "conditions.users.excludeRoles",
    "conditions.users.excludeGuestsOrExternalUsers",
];

fn managed_writable(path: &str) -> bool {
    MANAGED_WRITABLE
        .iter()
        .any(|w| path == *w || path.strip_prefix(w).is_some_and(|r| r.starts_with('.')))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    /// POST the body.
    #[serde(rename_all = "camelCase")]
    Create { display_name: String, body: Value },
    /// PATCH only the changed top-level properties (`null` clears one).
    #[serde(rename_all = "camelCase")]
    Update {
        id: String,
        display_name: String,
        patch: Value,
        changes: Vec<FieldChange>,
    },
    #[serde(rename_all = "camelCase")]
    Unchanged { id: String, display_name: String },
    /// Only with `prune`.
    #[serde(rename_all = "camelCase")]
    Delete { id: String, display_name: String },
}

impl Action {
    pub fn display_name(&self) -> &str {
        match self {
            Action::Create { display_name, .. }
            | Action::Update { display_name, .. }
            | Action::Unchanged { display_name, .. }
            | Action::Delete { display_name, .. } => display_name,
        }
    }

    /// The tenant id the action touches (none for a create).
    pub fn id(&self) -> Option<&str> {
        match self {
            Action::Create { .. } => None,
            Action::Update { id, .. }
            | Action::Unchanged { id, .. }
            | Action::Delete { id, .. } => Some(id),
        }
    }

    pub fn is_write(&self) -> bool {
        !matches!(self, Action::Unchanged { .. })
    }
}

/// One changed field: a JSON path into the canonical policy (`conditions.users.excludeGroups`),
/// the value before (in the tenant) and after (desired), each absent when `None`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// The tenant state a plan depends on: each matched or deleted policy's id and canonical hash,
/// and the set of all display names in the tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fingerprint {
    /// id → `fnv1a64:…` of the canonical form.
    pub policies: BTreeMap<String, String>,
    pub display_names: BTreeSet<String>,
}

impl Fingerprint {
    /// What differs between the state a plan was made against (`self`) and `now`, as lines for
    /// people; empty when the tenant still looks the same.
    pub fn differences(&self, now: &[Value]) -> Vec<String> {
        let mut out = Vec::new();
        let by_id: BTreeMap<&str, &Value> = now
            .iter()
            .filter_map(|p| Some((p.get("id")?.as_str()?, p)))
            .collect();
        for (id, hash) in &self.policies {
            match by_id.get(id.as_str()) {
                None => out.push(format!("policy {id} is gone")),
                Some(p) if &fingerprint(p) != hash => out.push(format!(
                    "policy `{}` ({id}) was changed",
                    p.get("displayName").and_then(Value::as_str).unwrap_or("")
                )),
                Some(_) => {}
            }
        }
        let names: BTreeSet<String> = now
            .iter()
            .filter_map(display_name)
            .map(str::to_string)
            .collect();
        for n in names.difference(&self.display_names) {
            out.push(format!("policy `{n}` appeared"));
        }
        for n in self.display_names.difference(&names) {
            out.push(format!("policy `{n}` disappeared"));
        }
        out
    }
}

/// Why no plan could be made. Every problem is listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    pub problems: Vec<String>,
    /// True when a problem is in the tenant (two policies share a name: exit code 3); false
    /// when all are in the compiled policies (exit code 1).
    pub in_tenant: bool,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for PlanError {}

fn display_name(p: &Value) -> Option<&str> {
    p.get("displayName").and_then(Value::as_str)
}

fn policy_id(p: &Value) -> &str {
    p.get("id").and_then(Value::as_str).unwrap_or("")
}

/// Compares `desired` (compiled bodies) with `tenant` (policies read from Graph).
///
/// Errors: a desired policy without a display name, two desired policies with one display
/// name, or two tenant policies sharing a display name that a desired policy uses (the error
/// lists their ids).
pub fn plan(desired: &[Value], tenant: &[Value], opts: &PlanOptions) -> Result<Plan, PlanError> {
    let mut problems = Vec::new();
    let mut tenant_by_name: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for p in tenant {
        if let Some(n) = display_name(p) {
            tenant_by_name.entry(n).or_default().push(p);
        }
    }
    let mut seen = BTreeSet::new();
    let mut in_tenant = false;
    for (i, d) in desired.iter().enumerate() {
        match display_name(d) {
            None => problems.push(format!("desired policy #{} has no displayName", i + 1)),
            Some(n) if !seen.insert(n) => problems.push(format!(
                "two desired policies are named `{n}`: display names must be unique"
            )),
            Some(n) => {
                if let Some(ps) = tenant_by_name.get(n).filter(|ps| ps.len() > 1) {
                    in_tenant = true;
                    let ids: Vec<&str> = ps.iter().map(|p| policy_id(p)).collect();
                    problems.push(format!(
                        "the tenant has {} policies named `{n}` ({}): rename or delete all but one before deploying",
                        ps.len(),
                        ids.join(", ")
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(PlanError {
            problems,
            in_tenant,
        });
    }

    let mut fp = Fingerprint {
        policies: BTreeMap::new(),
        display_names: tenant
            .iter()
            .filter_map(display_name)
            .map(str::to_string)
            .collect(),
    };
    let mut actions = Vec::new();
    for d in desired {
        let name = display_name(d).unwrap_or_default().to_string();
        match tenant_by_name.get(name.as_str()).and_then(|ps| ps.first()) {
            None => actions.push(Action::Create {
                display_name: name,
                body: d.clone(),
            }),
            Some(t) => {
                let id = policy_id(t).to_string();
                fp.policies.insert(id.clone(), fingerprint(t));
                let (mut patch, changes) = diff(d, t);
                if is_microsoft_managed(t) && !changes.is_empty() {
                    let other: Vec<&str> = changes
                        .iter()
                        .map(|c| c.path.as_str())
                        .filter(|p| !managed_writable(p))
                        .collect();
                    if !other.is_empty() {
                        problems.push(format!(
                            "`{name}` is a Microsoft-managed policy: only its state and its excluded users, groups, roles and guests can change, but the sources also change {}; write the policy as the tenant holds it (`capol import --from-tenant` writes it) and change only those",
                            other.join(", ")
                        ));
                        continue;
                    }
                    patch = managed_patch(d, &changes);
                }
                if changes.is_empty() {
                    actions.push(Action::Unchanged {
                        id,
                        display_name: name,
                    });
                } else {
                    actions.push(Action::Update {
                        id,
                        display_name: name,
                        patch,
                        changes,
                    });
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(PlanError {
            problems,
            in_tenant: false,
        });
    }
    let mut kept = Vec::new();
    if opts.prune {
        for t in tenant {
            let name = display_name(t).unwrap_or_default();
            if !seen.contains(name) && is_microsoft_managed(t) {
                kept.push(name.to_string());
            } else if !seen.contains(name) {
                let id = policy_id(t).to_string();
                fp.policies.insert(id.clone(), fingerprint(t));
                actions.push(Action::Delete {
                    id,
                    display_name: name.to_string(),
                });
            }
        }
    }
    Ok(Plan {
        actions,
        fingerprint: fp,
        kept,
    })
}

/// The PATCH of a Microsoft-managed policy: only `state` and the changed exclusion lists, each
/// whole (Graph keeps what a PATCH leaves out, nested objects included).
fn managed_patch(desired: &Value, changes: &[FieldChange]) -> Value {
    let mut patch = Map::new();
    for w in MANAGED_WRITABLE {
        if !changes
            .iter()
            .any(|c| c.path == w || c.path.starts_with(&format!("{w}.")))
        {
            continue;
        }
        let value = w
            .split('.')
            .try_fold(desired, |v, k| v.get(k))
            .cloned()
            .unwrap_or_else(|| {
                if w == "state" || w.ends_with("GuestsOrExternalUsers") {
                    Value::Null
                } else {
                    Value::Array(Vec::new())
                }
            });
        match w.strip_prefix("conditions.users.") {
            None => {
                patch.insert(w.to_string(), value);
            }
            Some(key) => {
                let mut users = patch
                    .get("conditions")
                    .and_then(|c| c.get("users"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                users.insert(key.to_string(), value);
                let mut conditions = Map::new();
                conditions.insert("users".into(), Value::Object(users));
                patch.insert("conditions".into(), Value::Object(conditions));
            }
        }
    }
    Value::Object(patch)
}

/// The PATCH body (changed top-level properties, taken whole from the desired body, `null` when
/// the desired body leaves one out) and the leaf-level change list.
fn diff(desired: &Value, tenant: &Value) -> (Value, Vec<FieldChange>) {
    let (cd, ct) = (writable(canonical(desired)), writable(canonical(tenant)));
    let mut changes = Vec::new();
    leaf_changes("", Some(&ct), Some(&cd), &mut changes);
    let mut patch = Map::new();
    let keys: BTreeSet<&String> = as_map(&cd).keys().chain(as_map(&ct).keys()).collect();
    for k in keys {
        if cd.get(k) != ct.get(k) {
            let v = match (desired.get(k), ct.get(k)) {
                (Some(d), Some(t)) => with_clears(d, t),
                (Some(d), None) => d.clone(),
                (None, _) => Value::Null,
            };
            patch.insert(k.clone(), v);
        }
    }
    (Value::Object(patch), changes)
}

/// The desired object, plus an explicit clear (`[]` for a list, `null` otherwise) for every
/// property the tenant's copy has and the desired body leaves out, at every depth. Graph keeps
/// whatever a PATCH leaves out, possibly inside nested objects too, so a removed condition
/// (a location, an exclusion, a device filter) must be cleared, not just omitted. An object
/// with an `@odata.type` is sent whole: its concrete type decides its properties.
fn with_clears(desired: &Value, tenant: &Value) -> Value {
    match (desired, tenant) {
        (Value::Object(d), Value::Object(t)) if !d.contains_key("@odata.type") => {
            let mut out = d.clone();
            for (k, tv) in t {
                match d.get(k) {
                    Some(dv) if !dv.is_null() => {
                        out.insert(k.clone(), with_clears(dv, tv));
                    }
                    _ => {
                        let clear = if tv.is_array() {
                            Value::Array(Vec::new())
                        } else {
                            Value::Null
                        };
                        out.insert(k.clone(), clear);
                    }
                }
            }
            Value::Object(out)
        }
        _ => desired.clone(),
    }
}

/// The top-level properties a plan compares and PATCHes. Others (read-only, unknown, beta
/// extras at the top level) are never written.
pub const WRITABLE: [&str; 6] = [
    "displayName",
    "description",
    "state",
    "conditions",
    "grantControls",
    "sessionControls",
];

fn writable(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| WRITABLE.contains(&k.as_str()))
                .collect(),
        ),
        other => other,
    }
}

fn as_map(v: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    v.as_object().unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn leaf_changes(
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    out: &mut Vec<FieldChange>,
) {
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaf_changes(&p, b.get(k), a.get(k), out);
            }
        }
        (b, a) if b != a => out.push(FieldChange {
            path: path.to_string(),
            before: b.cloned(),
            after: a.cloned(),
        }),
        _ => {}
    }
}

impl Plan {
    pub fn creates(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, Action::Create { .. }))
            .count()
    }
    pub fn updates(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, Action::Update { .. }))
            .count()
    }
    pub fn deletes(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, Action::Delete { .. }))
            .count()
    }
    pub fn unchanged(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, Action::Unchanged { .. }))
            .count()
    }
    /// True when applying the plan would write nothing (`--detailed-exitcode` 0).
    pub fn is_empty(&self) -> bool {
        !self.actions.iter().any(Action::is_write)
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
