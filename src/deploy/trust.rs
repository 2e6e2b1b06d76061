//! Saved plans as untrusted input: what `capol deploy --plan` checks before it writes.
//!
//! In: a [`SavedPlan`] read from a file, the policies compiled now, the tenant as listed now,
//! the digests of the sources and the lock file now, and whether `--prune` was given. Out: the
//! plan to apply (the one [`plan()`] makes now, which must be exactly the saved one), or every
//! reason it is refused. A saved plan is never carried out as written: it is a record of what
//! was reviewed, and deploy goes ahead only when planning again gives the same actions on the
//! same ids, from the same sources, lock file and tenant state.

use super::canon::{canonical, stable_text};
use super::plan::{Action, Plan, PlanOptions, plan};
use super::render::SavedPlan;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// What a plan was made from, each as `sha256:…`: the source files (names relative to the
/// project tree, and texts), the lock file's bytes, and every tenant policy (canonical form,
/// by id). Not a signature: anyone can compute it. It makes a plan that was made from other
/// inputs, or edited by hand, fail loudly; what protects the tenant is that deploy plans again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanDigest {
    pub sources: String,
    pub lock: String,
    pub tenant: String,
}

fn hex(h: Sha256) -> String {
    let bytes = h.finalize();
    let mut s = String::from("sha256:");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn feed(h: &mut Sha256, part: &[u8]) {
    h.update((part.len() as u64).to_le_bytes());
    h.update(part);
}

/// The digest of `(name, text)` pairs, in name order.
pub fn digest_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let sorted: BTreeMap<&str, &str> = files.into_iter().collect();
    let mut h = Sha256::new();
    for (name, text) in sorted {
        feed(&mut h, name.as_bytes());
        feed(&mut h, text.as_bytes());
    }
    hex(h)
}

/// The digest of the lock file's bytes (`None`: no lock file).
pub fn digest_lock(text: Option<&str>) -> String {
    let mut h = Sha256::new();
    match text {
        Some(t) => feed(&mut h, t.as_bytes()),
        None => h.update(b"no lock file"),
    }
    hex(h)
}

/// The digest of the tenant's policies: canonical form, in id order.
pub fn digest_tenant(policies: &[Value]) -> String {
    let by_id: BTreeMap<String, String> = policies
        .iter()
        .map(|p| {
            let id = p
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (id, stable_text(&canonical(p)))
        })
        .collect();
    let mut h = Sha256::new();
    for (id, text) in by_id {
        feed(&mut h, id.as_bytes());
        feed(&mut h, text.as_bytes());
    }
    hex(h)
}

/// What deploy knows now, to hold a saved plan against.
#[derive(Clone, Debug)]
pub struct Now<'a> {
    pub desired: &'a [Value],
    pub tenant: &'a [Value],
    /// The tenant deploy is signed in to.
    pub tenant_id: &'a str,
    pub api_version: &'a str,
    pub sources_digest: String,
    pub lock_digest: String,
    /// `--prune` was given to deploy.
    pub prune: bool,
}

/// Checks `saved` against `now`: `Ok` with the plan made now (equal to the saved one), or
/// every reason to refuse, each a line for people.
pub fn verify_saved(saved: &SavedPlan, now: &Now<'_>) -> Result<Plan, Vec<String>> {
    let mut why = Vec::new();
    if saved.api_version != now.api_version {
        why.push(format!(
            "the plan was made with Graph {} but this deploy uses {}; plan again or pass --api {}",
            saved.api_version, now.api_version, saved.api_version
        ));
    }
    if !crate::symbols::is_guid(&saved.tenant_id) {
        why.push("the plan names no tenant (`tenantId`): plan again".to_string());
    } else if !saved.tenant_id.eq_ignore_ascii_case(now.tenant_id) {
        why.push(format!(
            "the plan was made for tenant {}, but this deploy is signed in to tenant {}",
            saved.tenant_id, now.tenant_id
        ));
    }
    if saved.options.prune != now.prune {
        why.push(if saved.options.prune {
            "the plan prunes (deletes tenant policies no source names): deploy it with --prune to confirm".to_string()
        } else {
            "--prune was given, but the plan was made without it: plan again with --prune".to_string()
        });
    }
    let d = &saved.digest;
    if d.sources != now.sources_digest {
        why.push("the sources changed since the plan was made (their digest differs)".into());
    }
    if d.lock != now.lock_digest {
        why.push("capol.lock changed since the plan was made (its digest differs)".into());
    }
    if d.tenant != digest_tenant(now.tenant) {
        why.push(
            "the tenant's policies changed since the plan was made (their digest differs)".into(),
        );
    }
    why.extend(desired_differences(&saved.desired, now.desired));
    let fresh = match plan(
        now.desired,
        now.tenant,
        &PlanOptions {
            prune: saved.options.prune,
        },
    ) {
        Ok(p) => p,
        Err(e) => {
            why.extend(e.problems);
            return Err(why);
        }
    };
    why.extend(action_differences(&saved.plan, &fresh, now.tenant));
    if saved.plan.fingerprint != fresh.fingerprint && why.is_empty() {
        why.push("the plan's record of the tenant state is not the tenant's".into());
    }
    if why.is_empty() { Ok(fresh) } else { Err(why) }
}

fn by_name(list: &[Value]) -> BTreeMap<String, Value> {
    list.iter()
        .map(|v| {
            let name = v.get("displayName").and_then(Value::as_str).unwrap_or("");
            (name.to_string(), canonical(v))
        })
        .collect()
}

fn desired_differences(planned: &[Value], now: &[Value]) -> Vec<String> {
    let (planned, now) = (by_name(planned), by_name(now));
    let mut out = Vec::new();
    for (name, before) in &planned {
        match now.get(name) {
            None => out.push(format!("policy `{name}` is no longer in the sources")),
            Some(after) if after != before => {
                out.push(format!("policy `{name}` changed in the sources"))
            }
            Some(_) => {}
        }
    }
    for name in now.keys().filter(|n| !planned.contains_key(*n)) {
        out.push(format!("policy `{name}` was added to the sources"));
    }
    out
}

fn verb(a: &Action) -> &'static str {
    match a {
        Action::Create { .. } => "creates",
        Action::Update { .. } => "updates",
        Action::Unchanged { .. } => "leaves unchanged",
        Action::Delete { .. } => "deletes",
    }
}

/// Action by action, by display name: what the saved plan does that planning now would not.
fn action_differences(saved: &Plan, fresh: &Plan, tenant: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for a in &saved.actions {
        if !seen.insert(a.display_name()) {
            out.push(format!(
                "the plan has two actions on `{}`: display names are unique",
                a.display_name()
            ));
        }
    }
    let fresh_by: BTreeMap<&str, &Action> = fresh
        .actions
        .iter()
        .map(|a| (a.display_name(), a))
        .collect();
    let ids_named = |name: &str| -> Vec<&str> {
        tenant
            .iter()
            .filter(|p| p.get("displayName").and_then(Value::as_str) == Some(name))
            .filter_map(|p| p.get("id").and_then(Value::as_str))
            .collect()
    };
    for a in &saved.actions {
        let name = a.display_name();
        if let Some(id) = a.id()
            && !ids_named(name).contains(&id)
        {
            let owner = tenant
                .iter()
                .find(|p| p.get("id").and_then(Value::as_str) == Some(id))
                .and_then(|p| p.get("displayName").and_then(Value::as_str));
            out.push(match owner {
                Some(other) => format!(
                    "the plan {} `{name}` through id {id}, which is the tenant's policy `{other}`",
                    verb(a)
                ),
                None => format!(
                    "the plan {} `{name}` through id {id}, which no tenant policy of that name has",
                    verb(a)
                ),
            });
            continue;
        }
        match fresh_by.get(name) {
            None => out.push(format!(
                "the plan {} `{name}`, which planning now does not touch",
                verb(a)
            )),
            Some(f) if *f != a => out.push(format!(
                "the plan {} `{name}`, but planning now {}{}",
                verb(a),
                match f {
                    Action::Unchanged { .. } => "leaves it unchanged",
                    Action::Create { .. } => "creates it",
                    Action::Update { .. } => "updates it",
                    Action::Delete { .. } => "deletes it",
                },
                if std::mem::discriminant(*f) == std::mem::discriminant(a) {
                    " differently"
                } else {
                    ""
                }
            )),
            Some(_) => {}
        }
    }
    let saved_names: BTreeSet<&str> = saved.actions.iter().map(Action::display_name).collect();
    for f in &fresh.actions {
        if !saved_names.contains(f.display_name()) {
            out.push(format!(
                "planning now {} `{}`, which the plan leaves out",
                verb(f),
                f.display_name()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T: &str = "6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c";

    fn pol(name: &str, state: &str) -> Value {
        json!({"displayName": name, "state": state,
               "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"]},
                              "applications": {"includeApplications": ["All"]}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    }

    fn with_id(mut v: Value, id: &str) -> Value {
        v["id"] = json!(id);
        v
    }

    struct Case {
        desired: Vec<Value>,
        tenant: Vec<Value>,
        saved: SavedPlan,
    }

    /// A tenant with `Same`, `Changed` and `Block everyone` (disabled); sources that change
    /// `Changed` by removing its exclusion.
    fn case(prune: bool) -> Case {
        let mut changed = pol("Changed", "enabled");
        changed["conditions"]["users"]
            .as_object_mut()
            .map(|u| u.remove("excludeGroups"));
        let desired = vec![pol("Same", "enabled"), changed, pol("New", "enabled")];
        let tenant = vec![
            with_id(
                pol("Same", "enabled"),
                "00000000-0000-4000-8000-000000000001",
            ),
            with_id(
                pol("Changed", "enabled"),
                "00000000-0000-4000-8000-000000000002",
            ),
            with_id(
                pol("Block everyone", "disabled"),
                "00000000-0000-4000-8000-000000000003",
            ),
        ];
        let opts = PlanOptions { prune };
        let p = plan(&desired, &tenant, &opts).unwrap_or_else(|e| panic!("{e}"));
        let digest = PlanDigest {
            sources: "s".into(),
            lock: "l".into(),
            tenant: digest_tenant(&tenant),
        };
        let saved = SavedPlan::new(p, desired.clone(), opts, "v1.0", T.into(), digest);
        Case {
            desired,
            tenant,
            saved,
        }
    }

    fn now<'a>(c: &'a Case, prune: bool) -> Now<'a> {
        Now {
            desired: &c.desired,
            tenant: &c.tenant,
            tenant_id: T,
            api_version: "v1.0",
            sources_digest: "s".into(),
            lock_digest: "l".into(),
            prune,
        }
    }

    fn refused(saved: &SavedPlan, now: &Now<'_>, says: &str) {
        match verify_saved(saved, now) {
            Ok(_) => panic!("accepted, expected a refusal saying `{says}`"),
            Err(why) => assert!(why.iter().any(|w| w.contains(says)), "{why:?}"),
        }
    }

    #[test]
    fn an_honest_plan_that_removes_an_exclusion_is_accepted() {
        let c = case(false);
        let fresh = verify_saved(&c.saved, &now(&c, false)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(fresh.actions, c.saved.plan.actions);
        assert!(fresh.updates() == 1 && fresh.creates() == 1);
    }

    #[test]
    fn a_retargeted_update_is_refused() {
        let c = case(false);
        let mut s = c.saved.clone();
        for a in &mut s.plan.actions {
            if let Action::Update { id, .. } = a {
                *id = "00000000-0000-4000-8000-000000000003".into();
            }
        }
        refused(
            &s,
            &now(&c, false),
            "which is the tenant's policy `Block everyone`",
        );
    }

    #[test]
    fn an_unchanged_policy_turned_into_a_delete_is_refused() {
        let c = case(false);
        let mut s = c.saved.clone();
        s.plan.actions[0] = Action::Delete {
            id: "00000000-0000-4000-8000-000000000001".into(),
            display_name: "Same".into(),
        };
        refused(
            &s,
            &now(&c, false),
            "the plan deletes `Same`, but planning now leaves it unchanged",
        );
    }

    #[test]
    fn prune_needs_the_flag_on_both_sides() {
        let c = case(false);
        let mut s = c.saved.clone();
        s.options.prune = true;
        refused(&s, &now(&c, false), "deploy it with --prune");
        // Even confirmed, an edited `prune` does not match the actions it was made with.
        refused(&s, &now(&c, true), "planning now deletes `Block everyone`");
        let c = case(true);
        assert!(verify_saved(&c.saved, &now(&c, true)).is_ok());
        refused(&c.saved, &now(&c, false), "deploy it with --prune");
    }

    #[test]
    fn a_create_written_twice_is_refused() {
        let c = case(false);
        let mut s = c.saved.clone();
        let create = s.plan.actions[2].clone();
        s.plan.actions.push(create);
        refused(&s, &now(&c, false), "two actions on `New`");
    }

    #[test]
    fn another_tenant_or_none_is_refused() {
        let c = case(false);
        let mut s = c.saved.clone();
        s.tenant_id = String::new();
        refused(&s, &now(&c, false), "names no tenant");
        s.tenant_id = "99999999-2b7d-4c1e-9a3f-1d2e3f4a5b6c".into();
        refused(&s, &now(&c, false), "made for tenant 99999999");
    }

    #[test]
    fn changed_sources_lock_or_tenant_are_refused() {
        let c = case(false);
        let mut n = now(&c, false);
        n.sources_digest = "other".into();
        n.lock_digest = "other".into();
        refused(&c.saved, &n, "the sources changed");
        refused(&c.saved, &n, "capol.lock changed");
        let mut tenant = c.tenant.clone();
        tenant[2]["state"] = json!("enabled");
        let n = Now {
            tenant: &tenant,
            ..now(&c, false)
        };
        refused(&c.saved, &n, "the tenant's policies changed");
        // An edited body is not what the sources compile to.
        let mut s = c.saved.clone();
        s.desired[2]["state"] = json!("disabled");
        refused(&s, &now(&c, false), "policy `New` changed in the sources");
    }

    #[test]
    fn digests_are_stable_and_order_free() {
        let a = digest_files([("a.capol", "x"), ("b.capol", "y")]);
        assert_eq!(a, digest_files([("b.capol", "y"), ("a.capol", "x")]));
        assert_ne!(a, digest_files([("a.capol", "xy"), ("b.capol", "")]));
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
        assert_ne!(digest_lock(None), digest_lock(Some("")));
    }
}
