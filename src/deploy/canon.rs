//! The canonical form of a Conditional Access policy, for comparing what we compiled with what
//! Graph returns.
//!
//! In: one policy as JSON, either a compiled POST body or a policy read back from Graph (v1.0 or
//! beta, with OData noise). Out: a JSON value in which two policies that Graph treats as the same
//! compare equal. The rules model Graph's own rewrites (see `docs/deploy.md`, "What counts as no
//! change"):
//!
//! - read-only and OData noise is dropped (`id`, `createdDateTime`, `modifiedDateTime`,
//!   `deletedDateTime`, `templateId`, `@odata.*` except the `@odata.type` of `externalTenants`,
//!   `x@odata.type` annotations, `#microsoft.graph.*` action keys);
//! - `null` ≡ `[]` ≡ absent for collections, `null` ≡ absent for complex values, `{}` ≡ absent,
//!   `""` ≡ absent for `description`; so unknown or beta properties that are null vanish;
//! - lists of ids and enums are sorted and deduplicated, GUIDs lower-cased, keywords and enum
//!   members spelled the way Graph documents them (Graph parses them case-insensitively);
//! - flags strings (`guestOrExternalUserTypes`, `insiderRiskLevels`, `transferMethods`, …) are
//!   re-joined in member order;
//! - `clientAppTypes` absent ≡ `["all"]`; grant `operator` upper case, and `OR` when fewer than
//!   two controls are present; `authenticationStrength` is reduced to `{id}`;
//! - session controls with `isEnabled: false` ≡ absent; `disableResilienceDefaults: false` ≡
//!   absent; sign-in frequency `authenticationType` defaults to
//!   `primaryAndSecondaryAuthentication` and `frequencyInterval` to `timeBased` when a value or
//!   type is set;
//! - `users: {includeUsers: ["None"]}` on a workload-identity policy ≡ no `users`.
//!
//! The function is total: any JSON goes in, and non-objects come out unchanged.

use serde_json::{Map, Value, json};

/// Properties Graph sets itself; never part of a comparison.
const READ_ONLY: [&str; 5] = [
    "id",
    "createdDateTime",
    "modifiedDateTime",
    "deletedDateTime",
    "templateId",
];

/// Enum and keyword spellings as Graph documents them. Graph parses enum members and keywords
/// case-insensitively, so any other casing is mapped to these.
const SPELLINGS: &[&str] = &[
    // keywords in id lists
    "All",
    "None",
    "GuestsOrExternalUsers",
    "Office365",
    "MicrosoftAdminPortals",
    "AllAgentIdResources",
    "AllTrusted",
    "ServicePrincipalsInMyTenant",
    "urn:user:registersecurityinfo",
    "urn:user:registerdevice",
    // clientAppTypes (`all` is lower case here; handled by field below)
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "easUnsupported",
    "other",
    // platforms
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "linux",
    // risk levels
    "low",
    "medium",
    "high",
    "hidden",
    // grant controls
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    "riskRemediation",
    // states and scalar enums
    "enabled",
    "disabled",
    "enabledForReportingButNotEnforced",
    "include",
    "exclude",
    "always",
    "never",
    "hours",
    "days",
    "timeBased",
    "everyTime",
    "primaryAndSecondaryAuthentication",
    "secondaryAuthentication",
    "mcasConfigured",
    "monitorOnly",
    "blockDownloads",
    "strictEnforcement",
    "strictLocation",
    "enumerated",
    "unknownFutureValue",
];

/// Lists whose items are lower-case enum members, where `all`/`none` must stay lower case.
const LOWER_ENUM_LISTS: [&str; 6] = [
    "clientAppTypes",
    "includePlatforms",
    "excludePlatforms",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
];

/// Scalar properties holding an enum member.
const ENUM_SCALARS: [&str; 9] = [
    "state",
    "mode",
    "type",
    "authenticationType",
    "frequencyInterval",
    "cloudAppSecurityType",
    "membershipKind",
    "countryLookupMethod",
    "policyType",
];

/// Flags properties (one comma-joined string) and their members in Graph's order.
const FLAGS: &[(&str, &[&str])] = &[
    (
        "guestOrExternalUserTypes",
        &[
            "none",
            "internalGuest",
            "b2bCollaborationGuest",
            "b2bCollaborationMember",
            "b2bDirectConnectUser",
            "otherExternalUser",
            "serviceProvider",
            "unknownFutureValue",
        ],
    ),
    (
        "insiderRiskLevels",
        &["minor", "moderate", "elevated", "unknownFutureValue"],
    ),
    (
        "agentIdRiskLevels",
        &["low", "medium", "high", "unknownFutureValue"],
    ),
    (
        "transferMethods",
        &[
            "none",
            "deviceCodeFlow",
            "authenticationTransfer",
            "unknownFutureValue",
        ],
    ),
];

/// Session controls that are objects carrying `isEnabled`.
const SESSION_CONTROLS: [&str; 5] = [
    "applicationEnforcedRestrictions",
    "cloudAppSecurity",
    "signInFrequency",
    "persistentBrowser",
    "secureSignInSession",
];

/// The canonical form of one policy (see the module documentation for the rules).
pub fn canonical(policy: &Value) -> Value {
    let Value::Object(top) = policy else {
        return policy.clone();
    };
    let mut out = Map::new();
    for (key, value) in top {
        if READ_ONLY.contains(&key.as_str()) || is_noise_key(key) {
            continue;
        }
        let v = match key.as_str() {
            "conditions" => conditions(value),
            "grantControls" => grant_controls(value),
            "sessionControls" => session_controls(value),
            "description" | "displayName" => match value {
                Value::String(s) if s.is_empty() && key == "description" => Value::Null,
                other => other.clone(),
            },
            _ => generic(key, value),
        };
        insert_unless_empty(&mut out, key, v);
    }
    Value::Object(out)
}

/// `@odata.*` keys, `prop@odata.type` annotations and `#microsoft.graph.action` keys.
fn is_noise_key(key: &str) -> bool {
    key.starts_with('#') || key.contains("@odata.")
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn insert_unless_empty(map: &mut Map<String, Value>, key: &str, v: Value) {
    if !is_empty(&v) {
        map.insert(key.to_string(), v);
    }
}

/// The generic rules, applied to any value under `key`.
fn generic(key: &str, value: &Value) -> Value {
    match value {
        Value::Object(o) => {
            let keep_type = key == "externalTenants";
            let mut out = Map::new();
            for (k, v) in o {
                if is_noise_key(k) && !(keep_type && k == "@odata.type") {
                    continue;
                }
                insert_unless_empty(&mut out, k, generic(k, v));
            }
            // Graph needs the concrete type; a body that leaves it out means the one its
            // `membershipKind` names.
            if keep_type && !out.contains_key("@odata.type") {
                let kind = out
                    .get("membershipKind")
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase);
                let inferred = match kind.as_deref() {
                    Some("all") => Some("#microsoft.graph.conditionalAccessAllExternalTenants"),
                    Some("enumerated") => {
                        Some("#microsoft.graph.conditionalAccessEnumeratedExternalTenants")
                    }
                    _ => None,
                };
                if let Some(t) = inferred {
                    out.insert("@odata.type".into(), Value::String(t.into()));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => list(key, items),
        Value::String(s) => {
            if key == "@odata.type" && !s.starts_with('#') {
                Value::String(format!("#{s}"))
            } else if let Some((_, members)) = FLAGS.iter().find(|(k, _)| *k == key) {
                flags(s, members)
            } else if ENUM_SCALARS.contains(&key) {
                Value::String(spelling(s, false))
            } else {
                value.clone()
            }
        }
        other => other.clone(),
    }
}

/// A list: strings are re-spelled, sorted and deduplicated; other items keep their order.
fn list(key: &str, items: &[Value]) -> Value {
    if !items.iter().all(Value::is_string) {
        return Value::Array(
            items
                .iter()
                .map(|v| generic(key, v))
                .filter(|v| !is_empty(v))
                .collect(),
        );
    }
    let lower_enum = LOWER_ENUM_LISTS.contains(&key);
    let mut strings: Vec<String> = items
        .iter()
        .filter_map(Value::as_str)
        .map(|s| spelling(s.trim(), lower_enum))
        .collect();
    strings.sort();
    strings.dedup();
    Value::Array(strings.into_iter().map(Value::String).collect())
}

/// The documented spelling of an id, keyword or enum member. GUIDs are lower-cased; in
/// lower-case enum lists `all`/`none` stay lower case.
fn spelling(s: &str, lower_enum: bool) -> String {
    if crate::symbols::is_guid(s) {
        return s.to_ascii_lowercase();
    }
    if lower_enum && (s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case("none")) {
        return s.to_ascii_lowercase();
    }
    match SPELLINGS.iter().find(|k| k.eq_ignore_ascii_case(s)) {
        Some(k) => (*k).to_string(),
        None if is_context_ref(s) => s.to_ascii_lowercase(),
        None => s.to_string(),
    }
}

/// Authentication context references `c1` … `c99`.
fn is_context_ref(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'c' | b'C'))
        && (2..=3).contains(&b.len())
        && b[1..].iter().all(u8::is_ascii_digit)
}

/// A flags string re-joined in member order; unknown members are kept, sorted, at the end.
/// `none` alone (or nothing) means no flags: absent.
fn flags(s: &str, members: &[&str]) -> Value {
    let mut known: Vec<usize> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match members.iter().position(|m| m.eq_ignore_ascii_case(part)) {
            Some(i) => known.push(i),
            None => unknown.push(part.to_string()),
        }
    }
    known.sort_unstable();
    known.dedup();
    unknown.sort();
    unknown.dedup();
    let mut parts: Vec<String> = known
        .into_iter()
        .filter_map(|i| members.get(i).map(|m| (*m).to_string()))
        .filter(|m| m != "none")
        .collect();
    parts.extend(unknown);
    if parts.is_empty() {
        Value::Null
    } else {
        Value::String(parts.join(","))
    }
}

fn conditions(value: &Value) -> Value {
    let Value::Object(_) = value else {
        return generic("conditions", value);
    };
    let Value::Object(mut c) = generic("conditions", value) else {
        return Value::Null;
    };
    if !c.contains_key("clientAppTypes") {
        c.insert(
            "clientAppTypes".into(),
            Value::Array(vec![Value::String("all".into())]),
        );
    }
    // A guests object without `externalTenants` (Graph allows it) means every external tenant,
    // which is what capol writes explicitly.
    if let Some(Value::Object(u)) = c.get_mut("users") {
        for side in [
            "includeGuestsOrExternalUsers",
            "excludeGuestsOrExternalUsers",
        ] {
            if let Some(Value::Object(g)) = u.get_mut(side)
                && !g.contains_key("externalTenants")
            {
                let all = json!({"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                                 "membershipKind": "all"});
                g.insert("externalTenants".into(), generic("externalTenants", &all));
            }
        }
    }
    // A workload-identity policy read back carries `users: {includeUsers: ["None"]}`.
    if c.contains_key("clientApplications") {
        let none_only = c.get("users").and_then(Value::as_object).is_some_and(|u| {
            u.len() == 1
                && u.get("includeUsers") == Some(&Value::Array(vec![Value::String("None".into())]))
        });
        if none_only {
            c.remove("users");
        }
    }
    Value::Object(c)
}

fn grant_controls(value: &Value) -> Value {
    let Value::Object(raw) = value else {
        return generic("grantControls", value);
    };
    let mut g = Map::new();
    for (k, v) in raw {
        if is_noise_key(k) {
            continue;
        }
        let v = match k.as_str() {
            "authenticationStrength" => strength_ref(v),
            "operator" => match v {
                Value::String(s) => Value::String(s.trim().to_ascii_uppercase()),
                other => other.clone(),
            },
            _ => generic(k, v),
        };
        insert_unless_empty(&mut g, k, v);
    }
    let count = [
        "builtInControls",
        "customAuthenticationFactors",
        "termsOfUse",
    ]
    .iter()
    .filter_map(|k| g.get(*k).and_then(Value::as_array))
    .map(Vec::len)
    .sum::<usize>()
        + usize::from(g.contains_key("authenticationStrength"));
    match count {
        0 => {
            g.remove("operator");
        }
        1 => {
            g.insert("operator".into(), Value::String("OR".into()));
        }
        _ => {}
    }
    Value::Object(g)
}

/// `authenticationStrength` is written as `{id}` and read back as the whole strength policy.
fn strength_ref(v: &Value) -> Value {
    match v.get("id").and_then(Value::as_str) {
        Some(id) => {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(spelling(id, false)));
            Value::Object(m)
        }
        None => generic("authenticationStrength", v),
    }
}

fn session_controls(value: &Value) -> Value {
    let Value::Object(_) = value else {
        return generic("sessionControls", value);
    };
    let Value::Object(mut s) = generic("sessionControls", value) else {
        return Value::Null;
    };
    for name in SESSION_CONTROLS {
        let disabled = s
            .get(name)
            .and_then(|c| c.get("isEnabled"))
            .is_some_and(|e| e == &Value::Bool(false));
        if disabled {
            s.remove(name);
        }
    }
    if s.get("disableResilienceDefaults") == Some(&Value::Bool(false)) {
        s.remove("disableResilienceDefaults");
    }
    if let Some(Value::Object(sif)) = s.get_mut("signInFrequency") {
        if !sif.contains_key("authenticationType") {
            sif.insert(
                "authenticationType".into(),
                Value::String("primaryAndSecondaryAuthentication".into()),
            );
        }
        if !sif.contains_key("frequencyInterval")
            && (sif.contains_key("value") || sif.contains_key("type"))
        {
            sif.insert(
                "frequencyInterval".into(),
                Value::String("timeBased".into()),
            );
        }
    }
    Value::Object(s)
}

/// A deterministic text of a JSON value: object keys sorted at every level, no spaces. Used for
/// hashing, whatever map order serde_json was built with.
pub fn stable_text(v: &Value) -> String {
    let mut out = String::new();
    write_stable(v, &mut out);
    out
}

fn write_stable(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(x) = m.get(k) {
                    write_stable(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_stable(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A short stable fingerprint of a policy's canonical form: FNV-1a 64 over [`stable_text`], as
/// `fnv1a64:<16 hex digits>`. Detects change, not tampering.
pub fn fingerprint(policy: &Value) -> String {
    let text = stable_text(&canonical(policy));
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

#[cfg(test)]
#[path = "canon_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "canon_prop_tests.rs"]
mod prop_tests;
#[cfg(test)]
mod infer_type_tests {
    use super::canonical;
    use serde_json::json;

    #[test]
    fn external_tenants_type_is_inferred_from_membership_kind() {
        // Without `externalTenants`, the guests are those of every tenant.
        let bare = json!({"conditions": {"users": {"includeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "internalGuest"}}}});
        let full = json!({"conditions": {"users": {"includeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "internalGuest", "externalTenants": {"membershipKind": "all"}}}}});
        assert_eq!(canonical(&bare), canonical(&full));
        let p = json!({"conditions": {"users": {"excludeGuestsOrExternalUsers": {
            "guestOrExternalUserTypes": "internalGuest", "externalTenants": {"membershipKind": "all"}}}}});
        let c = canonical(&p);
        assert_eq!(
            c["conditions"]["users"]["excludeGuestsOrExternalUsers"]["externalTenants"]["@odata.type"],
            "#microsoft.graph.conditionalAccessAllExternalTenants",
            "{c}"
        );
    }
}
