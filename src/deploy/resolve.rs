//! Resolve: looking names up in the tenant and pinning them in `capol.lock`.
//!
//! In: a connected [`GraphClient`], the names the sources use as `(Kind, name as written)`, the
//! current lock file (if any) and `--tenant` (else the token's tenant, else `GET /organization`). Out: the updated [`LockFile`], or every problem at
//! once: a name that matches nothing (with the closest names found) or two objects (with both
//! ids). Groups, users, service principals and apps are looked up with `$filter` inside
//! `$batch` (twenty names per request); named locations, terms of use, authentication
//! strengths, role templates and authentication contexts are listed once and matched locally.

use crate::diag::did_you_mean;
use crate::graph::client::{GraphClient, encode_query_value, odata_string};
use crate::graph::error::GraphError;
use crate::graph::retry::ProgressEvent;
use crate::symbols::lock::{LockEntry, LockFile};
use crate::symbols::{Kind, is_guid};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One name that could not be pinned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveProblem {
    pub kind: Kind,
    pub name: String,
    pub message: String,
    /// The closest names found, best first.
    pub suggestions: Vec<String>,
}

impl fmt::Display for ResolveProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let found: Vec<&str> = self.suggestions.iter().map(String::as_str).collect();
        if let Some(s) = crate::diag::suggestion_text(&found) {
            write!(f, "; {s}")?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub enum ResolveError {
    Graph(GraphError),
    /// Names missing or ambiguous; nothing is written.
    Names(Vec<ResolveProblem>),
    /// The lock file belongs to another tenant.
    OtherTenant {
        lock: String,
        connected: String,
    },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Graph(e) => e.fmt(f),
            ResolveError::Names(ps) => {
                let lines: Vec<String> = ps.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
            ResolveError::OtherTenant { lock, connected } => write!(
                f,
                "capol.lock is for tenant {lock} but this connection is to tenant {connected}; \
                 pass --tenant {lock} or delete capol.lock to start over"
            ),
        }
    }
}

impl std::error::Error for ResolveError {}

impl From<GraphError> for ResolveError {
    fn from(e: GraphError) -> Self {
        ResolveError::Graph(e)
    }
}

/// One candidate object: the name it was matched on, its display name and what the lock keeps.
#[derive(Clone, Debug)]
struct Found {
    key: String,
    entry: LockEntry,
}

/// Looks every name up and returns the lock with them pinned (entries not asked for are kept).
pub async fn resolve(
    client: &GraphClient,
    names: &[(Kind, String)],
    existing: Option<LockFile>,
    tenant: Option<&str>,
) -> Result<LockFile, ResolveError> {
    let tenant_id = match tenant.filter(|t| is_guid(t)) {
        Some(t) => t.to_ascii_lowercase(),
        None => match client.token_tenant().await? {
            Some(t) => t.to_ascii_lowercase(),
            None => client.organization_id().await?.to_ascii_lowercase(),
        },
    };
    let mut lock = existing.unwrap_or_else(|| LockFile::new(tenant_id.clone()));
    if lock.tenant_id.is_empty() {
        lock.tenant_id = tenant_id.clone();
    } else if !lock.tenant_id.eq_ignore_ascii_case(&tenant_id) {
        return Err(ResolveError::OtherTenant {
            lock: lock.tenant_id.clone(),
            connected: tenant_id,
        });
    }
    let wanted: BTreeSet<(Kind, String)> = names.iter().cloned().collect();
    client.report(ProgressEvent::Step(format!(
        "looking up {} name(s)",
        wanted.len()
    )));

    let mut candidates: BTreeMap<(Kind, String), Vec<Found>> = BTreeMap::new();
    let mut pool: BTreeMap<Kind, Vec<String>> = BTreeMap::new();

    // Filtered look-ups, batched.
    let filtered: Vec<&(Kind, String)> = wanted
        .iter()
        .filter(|(k, _)| filter_query(*k, "").is_some())
        .collect();
    let urls: Vec<String> = filtered
        .iter()
        .filter_map(|(k, n)| filter_query(*k, n))
        .collect();
    let answers = client.batch_get(&urls).await?;
    let mut misses = Vec::new();
    for ((kind, name), answer) in filtered.iter().zip(answers) {
        let body = answer.map_err(GraphError::Api)?;
        let found: Vec<Found> = items(&body)
            .iter()
            .filter_map(|o| found(*kind, o))
            .collect();
        if found.is_empty() {
            misses.push((*kind, name.clone()));
        }
        candidates.insert((*kind, name.clone()), found);
    }
    // Suggestions for misses: names starting like the one written.
    let urls: Vec<String> = misses
        .iter()
        .filter_map(|(k, n)| prefix_query(*k, n))
        .collect();
    if !urls.is_empty() {
        for (i, answer) in client.batch_get(&urls).await?.into_iter().enumerate() {
            if let (Ok(body), Some((kind, _))) = (answer, misses.get(i)) {
                let objects = items(&body);
                let names = objects
                    .iter()
                    .filter_map(|o| found(*kind, o))
                    .map(|f| f.key);
                pool.entry(*kind).or_default().extend(names);
            }
        }
    }

    // Listed kinds: one listing each, matched locally.
    let listed: BTreeSet<Kind> = wanted
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| list_path(*k).is_some())
        .collect();
    for kind in listed {
        let Some(path) = list_path(kind) else {
            continue;
        };
        let all: Vec<Found> = client
            .get_collection(path)
            .await?
            .iter()
            .filter_map(|o| found(kind, o))
            .collect();
        pool.entry(kind)
            .or_default()
            .extend(all.iter().map(|f| f.key.clone()));
        for (k, name) in wanted.iter().filter(|(k, _)| *k == kind) {
            candidates.insert(
                (*k, name.clone()),
                all.iter()
                    .filter(|f| f.key.eq_ignore_ascii_case(name))
                    .cloned()
                    .collect(),
            );
        }
    }

    let mut problems = Vec::new();
    for (kind, name) in &wanted {
        let list = candidates
            .remove(&(*kind, name.clone()))
            .unwrap_or_default();
        // Graph matches case-insensitively; prefer exact matches when there are several.
        let exact: Vec<&Found> = list.iter().filter(|f| &f.key == name).collect();
        let chosen: Vec<&Found> = if exact.is_empty() {
            list.iter().collect()
        } else {
            exact
        };
        match chosen.as_slice() {
            // An answer is input too: an id that cannot be one never enters the lock file.
            [one] if let Some(p) = crate::symbols::lock_check::id_problem(*kind, &one.entry.id) => {
                problems.push(ResolveProblem {
                    kind: *kind,
                    name: name.clone(),
                    message: format!("the tenant answered `{name}` with an unusable id: {p}"),
                    suggestions: Vec::new(),
                });
            }
            [one] => {
                let mut entry = one.entry.clone();
                if one.key != *name {
                    entry.display_name = Some(one.key.clone());
                }
                lock.insert(*kind, name.clone(), entry);
            }
            [] => {
                let cands = pool
                    .get(kind)
                    .map(|v| v.iter().map(String::as_str).collect::<Vec<_>>())
                    .unwrap_or_default();
                let suggestions = did_you_mean(name, cands)
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                problems.push(ResolveProblem {
                    kind: *kind,
                    name: name.clone(),
                    message: format!("no {} named `{name}` in the tenant", noun(*kind)),
                    suggestions,
                });
            }
            many => {
                let ids: Vec<&str> = many.iter().map(|f| f.entry.id.as_str()).collect();
                problems.push(ResolveProblem {
                    kind: *kind,
                    name: name.clone(),
                    message: format!(
                        "{} {}s are named `{name}` ({}): rename one in the tenant or refer to it by id",
                        many.len(),
                        noun(*kind),
                        ids.join(", ")
                    ),
                    suggestions: Vec::new(),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(lock)
    } else {
        Err(ResolveError::Names(problems))
    }
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "user",
        Kind::Group => "group",
        Kind::Role => "role",
        Kind::App => "app",
        Kind::ServicePrincipal => "service principal",
        Kind::Location => "named location",
        Kind::Terms => "terms-of-use agreement",
        Kind::Strength => "authentication strength",
        Kind::Context => "authentication context",
    }
}

fn items(body: &Value) -> Vec<Value> {
    body.get("value")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The `$filter` query for a kind looked up one name at a time; `None` for listed kinds.
fn filter_query(kind: Kind, name: &str) -> Option<String> {
    let (path, field, select) = match kind {
        Kind::Group => ("/groups", "displayName", "id,displayName"),
        Kind::User => (
            "/users",
            "userPrincipalName",
            "id,userPrincipalName,displayName",
        ),
        Kind::ServicePrincipal | Kind::App => {
            ("/servicePrincipals", "displayName", "id,appId,displayName")
        }
        _ => return None,
    };
    let filter = format!("{field} eq {}", odata_string(name));
    Some(format!(
        "{path}?$filter={}&$select={select}",
        encode_query_value(&filter)
    ))
}

/// Objects whose name starts like `name` (for suggestions).
fn prefix_query(kind: Kind, name: &str) -> Option<String> {
    let (path, field) = match kind {
        Kind::Group => ("/groups", "displayName"),
        Kind::User => ("/users", "userPrincipalName"),
        Kind::ServicePrincipal | Kind::App => ("/servicePrincipals", "displayName"),
        _ => return None,
    };
    let prefix: String = name.chars().take(3).collect();
    let filter = format!("startswith({field},{})", odata_string(&prefix));
    Some(format!(
        "{path}?$filter={}&$select=id,appId,{field}&$top=100",
        encode_query_value(&filter)
    ))
}

/// The collection listed for kinds matched locally.
fn list_path(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Location => Some("/identity/conditionalAccess/namedLocations"),
        Kind::Terms => Some("/identityGovernance/termsOfUse/agreements?$select=id,displayName"),
        Kind::Strength => Some(
            "/policies/authenticationStrengthPolicies?$select=id,displayName,policyType,allowedCombinations",
        ),
        Kind::Role => Some("/directoryRoleTemplates?$select=id,displayName"),
        Kind::Context => Some(
            "/identity/conditionalAccess/authenticationContextClassReferences?$select=id,displayName",
        ),
        _ => None,
    }
}

/// What the lock keeps for one directory object of `kind`.
fn found(kind: Kind, o: &Value) -> Option<Found> {
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    let key = match kind {
        Kind::User => s("userPrincipalName")?,
        _ => s("displayName")?,
    };
    let id = match kind {
        Kind::App => s("appId")?,
        _ => s("id")?,
    };
    let trusted = match kind {
        Kind::Location => o.get("isTrusted").and_then(Value::as_bool),
        _ => None,
    };
    let combinations = match kind {
        Kind::Strength => strength_combinations(o),
        _ => None,
    };
    Some(Found {
        key,
        entry: LockEntry {
            id,
            display_name: None,
            trusted,
            combinations,
        },
    })
}

/// A custom strength's `allowedCombinations`, each in Graph's form with the methods in a fixed
/// order (`password,sms`), so that the lock file is the same whatever order Graph lists them in;
/// a combination with a method this capol does not know is kept as Graph wrote it (the checker
/// then treats the strength's combinations as unknown).
fn strength_combinations(o: &Value) -> Option<Vec<String>> {
    let list = o.get("allowedCombinations")?.as_array()?;
    let mut out: Vec<String> = list
        .iter()
        .filter_map(Value::as_str)
        .map(|c| match crate::whatif::Combination::from_graph(c) {
            Ok(parsed) => parsed.graph_text(),
            Err(_) => c.to_string(),
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queries_escape_and_encode() {
        assert_eq!(
            filter_query(Kind::Group, "O'Brien & co").as_deref(),
            Some("/groups?$filter=displayName%20eq%20'O''Brien%20%26%20co'&$select=id,displayName")
        );
        assert!(filter_query(Kind::Location, "HQ").is_none());
        assert!(
            prefix_query(Kind::User, "alice@contoso.com")
                .is_some_and(|q| q.contains("startswith(userPrincipalName,'ali')"))
        );
    }

    #[test]
    fn found_keeps_the_right_id() {
        let sp = json!({"id": "sp-1", "appId": "app-1", "displayName": "Portal"});
        assert_eq!(
            found(Kind::App, &sp).map(|f| f.entry.id),
            Some("app-1".into())
        );
        assert_eq!(
            found(Kind::ServicePrincipal, &sp).map(|f| f.entry.id),
            Some("sp-1".into())
        );
        let loc = json!({"id": "l-1", "displayName": "HQ", "isTrusted": true});
        assert_eq!(
            found(Kind::Location, &loc).and_then(|f| f.entry.trusted),
            Some(true)
        );
        assert!(found(Kind::User, &json!({"id": "u"})).is_none());
        let strength = json!({"id": "s-1", "displayName": "Fido", "policyType": "custom",
            "allowedCombinations": ["sms, password", "fido2", "password,futureMethod"]});
        assert_eq!(
            found(Kind::Strength, &strength).and_then(|f| f.entry.combinations),
            Some(vec![
                "fido2".to_string(),
                "password,futureMethod".into(),
                "password,sms".into()
            ])
        );
    }
}
