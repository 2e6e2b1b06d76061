//! A minimal canonical form of a policy, for the import round trip.
//!
//! TO BE REPLACED by `crate::deploy::canon::canonical` once the deploy branch is merged: call
//! sites use [`canonical_for_import`] only, so swapping is one line.
//!
//! In: one policy as JSON (a compiled POST body, or a policy read from Graph with its noise).
//! Out: JSON in which two policies Graph treats as the same are equal. The comparison semantics:
//!
//! - read-only properties (`id`, `createdDateTime`, `modifiedDateTime`, `deletedDateTime`,
//!   `templateId`) and OData noise (`@odata.*`, `x@odata.*` annotations, `#microsoft.graph.*`
//!   actions) are dropped; the `@odata.type` of `externalTenants` too (`membershipKind` says it);
//! - `null` ≡ `[]` ≡ `{}` ≡ `""` ≡ absent, for every property;
//! - lists of strings are sorted and deduplicated, GUID-shaped strings lower-cased; flags strings
//!   (`a,b`) are sorted;
//! - `clientAppTypes` empty ≡ `["all"]`; `externalTenants` absent ≡ all tenants;
//! - grant: `operator` upper case, dropped when fewer than two controls are given; a grant with
//!   no control ≡ no grant; `authenticationStrength` reduced to its `id`;
//! - session controls: `isEnabled: false` ≡ absent, `isEnabled: true` or missing ≡ on;
//!   `disableResilienceDefaults: false` ≡ absent; sign-in frequency `authenticationType`
//!   `primaryAndSecondaryAuthentication` ≡ absent, `frequencyInterval` absent ≡ `timeBased`.

use serde_json::{Map, Value};

const READ_ONLY: [&str; 5] = [
    "id",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
];

const FLAGS: [&str; 3] = [
    "guestOrExternalUserTypes",
    "insiderRiskLevels",
    "transferMethods",
];

const SESSION_CONTROLS: [&str; 5] = [
    "applicationEnforcedRestrictions",
    "cloudAppSecurity",
    "signInFrequency",
    "persistentBrowser",
    "secureSignInSession",
];

/// The canonical form used by `capol import` to check its own output (see the module doc).
pub fn canonical_for_import(policy: &Value) -> Value {
    let mut v = clean(policy, "").unwrap_or(Value::Object(Map::new()));
    if let Value::Object(root) = &mut v {
        fix_conditions(root);
        fix_grant(root);
        fix_session(root);
    }
    clean(&v, "").unwrap_or(Value::Object(Map::new()))
}

/// Drop noise and empty values, sort string lists, lower-case GUIDs; `None` for "empty".
fn clean(v: &Value, key: &str) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) if FLAGS.contains(&key) => {
            let mut parts: Vec<&str> = s.split(',').map(str::trim).collect();
            parts.sort_unstable();
            parts.dedup();
            Some(Value::String(parts.join(",")))
        }
        Value::String(s) => Some(Value::String(guid_lower(s))),
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().filter_map(|x| clean(x, "")).collect();
            if items.is_empty() {
                return None;
            }
            if items.iter().all(Value::is_string) {
                items.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
                items.dedup();
            }
            Some(Value::Array(items))
        }
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if READ_ONLY.contains(&k.as_str()) && key.is_empty() || noise(k) {
                    continue;
                }
                if let Some(c) = clean(x, k) {
                    out.insert(k.clone(), c);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        other => Some(other.clone()),
    }
}

fn noise(k: &str) -> bool {
    k.starts_with('#') || k.contains("@odata.")
}

fn guid_lower(s: &str) -> String {
    if crate::symbols::is_guid(s) {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    }
}

fn obj<'a>(m: &'a mut Map<String, Value>, k: &str) -> Option<&'a mut Map<String, Value>> {
    m.get_mut(k).and_then(Value::as_object_mut)
}

fn fix_conditions(root: &mut Map<String, Value>) {
    let Some(c) = obj(root, "conditions") else {
        return;
    };
    if !c.contains_key("clientAppTypes") {
        c.insert("clientAppTypes".into(), Value::Array(vec!["all".into()]));
    }
    if let Some(u) = obj(c, "users") {
        for side in [
            "includeGuestsOrExternalUsers",
            "excludeGuestsOrExternalUsers",
        ] {
            if let Some(g) = obj(u, side)
                && !g.contains_key("externalTenants")
            {
                let mut all = Map::new();
                all.insert("membershipKind".into(), "all".into());
                g.insert("externalTenants".into(), Value::Object(all));
            }
        }
    }
}

fn fix_grant(root: &mut Map<String, Value>) {
    let Some(g) = obj(root, "grantControls") else {
        return;
    };
    let count = [
        "builtInControls",
        "customAuthenticationFactors",
        "termsOfUse",
    ]
    .iter()
    .map(|k| g.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
    .sum::<usize>()
        + usize::from(g.contains_key("authenticationStrength"));
    if count == 0 {
        root.remove("grantControls");
        return;
    }
    if count < 2 {
        g.remove("operator");
    } else {
        let op = g
            .get("operator")
            .and_then(Value::as_str)
            .map_or("OR".to_string(), str::to_uppercase);
        g.insert("operator".into(), Value::String(op));
    }
    if let Some(s) = obj(g, "authenticationStrength") {
        s.retain(|k, _| k == "id");
    }
}

fn fix_session(root: &mut Map<String, Value>) {
    let Some(s) = obj(root, "sessionControls") else {
        return;
    };
    for k in SESSION_CONTROLS {
        let Some(c) = obj(s, k) else { continue };
        if c.get("isEnabled") == Some(&Value::Bool(false)) {
            s.remove(k);
            continue;
        }
        c.remove("isEnabled");
        if k == "signInFrequency" {
            if c.get("authenticationType").and_then(Value::as_str)
                == Some("primaryAndSecondaryAuthentication")
            {
                c.remove("authenticationType");
            }
            if !c.contains_key("frequencyInterval") {
                c.insert("frequencyInterval".into(), "timeBased".into());
            }
        }
        if c.is_empty() {
            c.insert("on".into(), Value::Bool(true));
        }
    }
    if s.get("disableResilienceDefaults") == Some(&Value::Bool(false)) {
        s.remove("disableResilienceDefaults");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn graph_rewrites_compare_equal() {
        let read = json!({
            "@odata.context": "x", "id": "1", "templateId": null, "displayName": "A",
            "state": "enabled", "description": "",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": ["B", "0B1D2B8E-6F55-4A1C-9A3E-3F6F1B0C9D11", "B"], "includeRoles": []},
                "applications": {"includeApplications": ["All"], "includeUserActions": []},
                "platforms": null, "clientAppTypes": [],
                "insiderRiskLevels": "moderate,minor"
            },
            "grantControls": {"operator": "and", "builtInControls": ["mfa"], "termsOfUse": [],
                              "authenticationStrength@odata.context": "x"},
            "sessionControls": {"persistentBrowser": {"isEnabled": false, "mode": "never"},
                                "signInFrequency": {"value": 4, "type": "hours", "isEnabled": true,
                                                    "authenticationType": "primaryAndSecondaryAuthentication"},
                                "disableResilienceDefaults": false}
        });
        let compiled = json!({
            "displayName": "A", "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": ["0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11", "B"]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["all"], "insiderRiskLevels": "minor,moderate"
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
            "sessionControls": {"signInFrequency": {"isEnabled": true, "value": 4, "type": "hours",
                                                     "frequencyInterval": "timeBased"}}
        });
        assert_eq!(canonical_for_import(&read), canonical_for_import(&compiled));
    }

    #[test]
    fn differences_stay() {
        let a = json!({"displayName": "A", "grantControls": {"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}});
        let b = json!({"displayName": "A", "grantControls": {"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}});
        assert_ne!(canonical_for_import(&a), canonical_for_import(&b));
        let c = json!({"displayName": "A", "grantControls": {"builtInControls": []}});
        let d = json!({"displayName": "A", "grantControls": null});
        assert_eq!(canonical_for_import(&c), canonical_for_import(&d));
    }
}
