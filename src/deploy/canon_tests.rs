//! Tests of the canonical form: equal pairs, different pairs, and properties over the corpus.

use super::*;
use serde_json::json;

pub(super) fn corpus() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            out.push((path.display().to_string(), v));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// What Graph does to a body when it is read back (a model, for property tests): read-only
/// properties, OData annotations, nulls for unset properties, lists reversed, keyword case.
fn simulate_read(v: &Value, seed: u64) -> Value {
    let mut out = rewrite(v, seed);
    if let Value::Object(m) = &mut out {
        m.insert("id".into(), json!("6a1d7f0e-1111-4c2b-9a6e-0e7d5f3b2a10"));
        m.insert("createdDateTime".into(), json!("2026-01-01T00:00:00Z"));
        m.insert("modifiedDateTime".into(), Value::Null);
        m.insert("templateId".into(), Value::Null);
        m.insert("partialEnablementStrategy".into(), Value::Null);
        m.insert(
            "@odata.context".into(),
            json!("https://graph.microsoft.com/v1.0/$metadata#x"),
        );
        m.insert(
            "state@odata.type".into(),
            json!("#microsoft.graph.conditionalAccessPolicyState"),
        );
        m.insert("#microsoft.graph.restore".into(), json!({"target": "x"}));
        m.entry("description").or_insert(Value::Null);
        m.entry("sessionControls").or_insert(Value::Null);
        m.entry("grantControls").or_insert(Value::Null);
        if let Some(Value::Object(c)) = m.get_mut("conditions") {
            for k in [
                "platforms",
                "locations",
                "times",
                "deviceStates",
                "devices",
                "authenticationFlows",
            ] {
                c.entry(k).or_insert(Value::Null);
            }
            for k in [
                "signInRiskLevels",
                "userRiskLevels",
                "servicePrincipalRiskLevels",
            ] {
                c.entry(k).or_insert(json!([]));
            }
            c.entry("clientAppTypes").or_insert(json!(["all"]));
            c.insert(
                "@odata.type".into(),
                json!("#microsoft.graph.conditionalAccessConditionSet"),
            );
        }
        if let Some(Value::Object(g)) = m.get_mut("grantControls") {
            if let Some(Value::Object(s)) = g.get_mut("authenticationStrength") {
                s.insert("displayName".into(), json!("Phishing-resistant MFA"));
                s.insert(
                    "allowedCombinations".into(),
                    json!(["fido2", "windowsHelloForBusiness"]),
                );
                s.insert("policyType".into(), json!("builtIn"));
            }
            g.entry("customAuthenticationFactors").or_insert(json!([]));
            g.entry("termsOfUse").or_insert(json!([]));
        }
    }
    out
}

fn rewrite(v: &Value, seed: u64) -> Value {
    match v {
        Value::Object(m) => {
            let mut o = Map::new();
            for (k, x) in m {
                o.insert(k.clone(), rewrite(x, seed));
            }
            Value::Object(o)
        }
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(|x| rewrite(x, seed)).collect();
            if seed % 2 == 1 {
                items.reverse();
            }
            if let Some(first) = items.first().cloned().filter(|_| seed.is_multiple_of(3)) {
                items.push(first);
            }
            Value::Array(items)
        }
        Value::String(s) if crate::symbols::is_guid(s) && seed.is_multiple_of(5) => {
            Value::String(s.to_uppercase())
        }
        other => other.clone(),
    }
}

#[test]
fn corpus_is_there() {
    assert!(corpus().len() >= 40, "tests/corpus has the policy shapes");
}

#[test]
fn canonical_is_idempotent_over_the_corpus() {
    for (name, p) in corpus() {
        let c = canonical(&p);
        assert_eq!(canonical(&c), c, "{name}");
    }
}

#[test]
fn graph_rewrites_are_no_change_over_the_corpus() {
    for (name, p) in corpus() {
        for seed in 0..6 {
            assert_eq!(
                canonical(&simulate_read(&p, seed)),
                canonical(&p),
                "{name} (seed {seed})"
            );
            assert_eq!(
                fingerprint(&simulate_read(&p, seed)),
                fingerprint(&p),
                "{name}"
            );
        }
    }
}

#[test]
fn canonical_drops_noise_over_the_corpus() {
    fn check(v: &Value, path: &str, name: &str) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    assert!(
                        !(k.starts_with('#')
                            || (k.contains("@odata") && path != "externalTenants")),
                        "{name}: {k}"
                    );
                    assert!(!is_empty(x), "{name}: empty {k}");
                    check(x, k, name);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| check(x, path, name)),
            _ => {}
        }
    }
    for (name, p) in corpus() {
        let c = canonical(&p);
        for k in READ_ONLY {
            assert!(c.get(k).is_none(), "{name}: {k}");
        }
        check(&c, "", &name);
    }
}

#[test]
fn a_real_change_is_seen_over_the_corpus() {
    for (name, p) in corpus() {
        let mut changed = p.clone();
        if let Some(Value::Object(m)) = changed.get_mut("conditions") {
            m.insert("userRiskLevels".into(), json!(["high", "low", "medium"]));
        }
        if canonical(&p).pointer("/conditions/userRiskLevels")
            != Some(&json!(["high", "low", "medium"]))
        {
            assert_ne!(canonical(&changed), canonical(&p), "{name}");
            assert_ne!(fingerprint(&changed), fingerprint(&p), "{name}");
        }
    }
}

/// Pairs Graph treats as the same policy.
#[test]
fn equal_pairs() {
    let base = || {
        json!({"displayName": "P", "state": "enabled",
               "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    };
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base();
        f(&mut v);
        v
    };
    let pairs: Vec<(&str, Value, Value)> = vec![
        (
            "clientAppTypes absent ≡ all",
            base(),
            with(&|v| v["conditions"]["clientAppTypes"] = json!(["all"])),
        ),
        (
            "clientAppTypes case",
            with(&|v| v["conditions"]["clientAppTypes"] = json!(["All"])),
            base(),
        ),
        (
            "null collection",
            base(),
            with(&|v| v["conditions"]["userRiskLevels"] = Value::Null),
        ),
        (
            "empty collection",
            base(),
            with(&|v| v["conditions"]["users"]["excludeUsers"] = json!([])),
        ),
        (
            "null complex",
            base(),
            with(&|v| v["conditions"]["platforms"] = Value::Null),
        ),
        (
            "empty object",
            base(),
            with(&|v| v["conditions"]["locations"] = json!({})),
        ),
        (
            "description null",
            base(),
            with(&|v| v["description"] = Value::Null),
        ),
        (
            "description empty",
            base(),
            with(&|v| v["description"] = json!("")),
        ),
        (
            "session null",
            base(),
            with(&|v| v["sessionControls"] = Value::Null),
        ),
        (
            "session all nulls",
            base(),
            with(&|v| {
                v["sessionControls"] = json!({"persistentBrowser": null, "signInFrequency": null})
            }),
        ),
        (
            "disabled session control",
            base(),
            with(&|v| {
                v["sessionControls"] =
                    json!({"persistentBrowser": {"isEnabled": false, "mode": "never"}})
            }),
        ),
        (
            "disableResilienceDefaults false",
            base(),
            with(&|v| v["sessionControls"] = json!({"disableResilienceDefaults": false})),
        ),
        (
            "operator case",
            with(&|v| v["grantControls"]["operator"] = json!("or")),
            base(),
        ),
        (
            "single control operator",
            with(&|v| v["grantControls"]["operator"] = json!("AND")),
            base(),
        ),
        (
            "operator of two controls case",
            with(&|v| {
                v["grantControls"] =
                    json!({"operator": "and", "builtInControls": ["mfa", "compliantDevice"]})
            }),
            with(&|v| {
                v["grantControls"] =
                    json!({"operator": "AND", "builtInControls": ["compliantDevice", "mfa"]})
            }),
        ),
        (
            "strength whole object",
            with(
                &|v| v["grantControls"] = json!({"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}),
            ),
            with(&|v| {
                v["grantControls"] = json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {
                "id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA",
                "allowedCombinations": ["fido2"], "createdDateTime": "2021-01-01T00:00:00Z",
                "combinationConfigurations@odata.context": "x"}})
            }),
        ),
        (
            "grant null ≡ no grant",
            with(&|v| v["grantControls"] = Value::Null),
            with(&|v| v["grantControls"] = json!({"operator": "OR", "builtInControls": []})),
        ),
        (
            "lists sorted and deduplicated, guid case",
            with(&|v| {
                v["conditions"]["users"]["excludeGroups"] = json!([
                    "b74593bd-d87d-5b8e-9c91-2d7c1097775b",
                    "7a012a69-6e48-5f55-8957-6275528afa07"
                ])
            }),
            with(&|v| {
                v["conditions"]["users"]["excludeGroups"] = json!([
                    "7A012A69-6E48-5F55-8957-6275528AFA07",
                    "b74593bd-d87d-5b8e-9c91-2d7c1097775b",
                    "7a012a69-6e48-5f55-8957-6275528afa07"
                ])
            }),
        ),
        (
            "keyword case",
            base(),
            with(&|v| {
                v["conditions"]["users"]["includeUsers"] = json!(["all"]);
                v["conditions"]["applications"]["includeApplications"] = json!(["ALL"])
            }),
        ),
        (
            "flags order and case",
            with(&|v| {
                v["conditions"]["users"]["includeGuestsOrExternalUsers"] =
                    json!({"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest"})
            }),
            with(
                &|v| v["conditions"]["users"]["includeGuestsOrExternalUsers"] = json!({"guestOrExternalUserTypes": "internalGuest, B2BCollaborationGuest", "externalTenants": null}),
            ),
        ),
        (
            "sign-in frequency defaults",
            with(&|v| {
                v["sessionControls"] =
                    json!({"signInFrequency": {"isEnabled": true, "value": 12, "type": "hours"}})
            }),
            with(&|v| {
                v["sessionControls"] = json!({"signInFrequency": {"isEnabled": true, "value": 12, "type": "hours",
                "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}})
            }),
        ),
        (
            "every time with nulls",
            with(&|v| {
                v["sessionControls"] = json!({"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime",
                "authenticationType": "primaryAndSecondaryAuthentication"}})
            }),
            with(&|v| {
                v["sessionControls"] = json!({"signInFrequency": {"isEnabled": true, "value": null, "type": null,
                "frequencyInterval": "everyTime"}})
            }),
        ),
        (
            "workload users None",
            with(&|v| {
                v["conditions"]["users"] = Value::Null;
                v["conditions"]["clientApplications"] =
                    json!({"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]})
            }),
            with(&|v| {
                v["conditions"]["users"] =
                    json!({"includeUsers": ["None"], "excludeUsers": [], "includeGroups": []});
                v["conditions"]["clientApplications"] = json!({"includeServicePrincipals": ["ServicePrincipalsInMyTenant"], "servicePrincipalFilter": null})
            }),
        ),
        (
            "read-only and odata noise",
            base(),
            with(&|v| {
                v["id"] = json!("x");
                v["templateId"] = json!("6364131e-bc4a-47c4-a20b-33492d1fff6c");
                v["deletedDateTime"] = Value::Null;
                v["@odata.type"] = json!("#microsoft.graph.conditionalAccessPolicy");
                v["conditions"]["users"]["includeUsers@odata.type"] = json!("#Collection(String)");
                v["#microsoft.graph.restore"] = json!({});
            }),
        ),
        (
            "state case",
            base(),
            with(&|v| v["state"] = json!("Enabled")),
        ),
    ];
    for (what, a, b) in pairs {
        assert_eq!(canonical(&a), canonical(&b), "{what}");
        assert_eq!(fingerprint(&a), fingerprint(&b), "{what}");
    }
}

/// Pairs that differ in a way Graph enforces.
#[test]
fn different_pairs() {
    let base = || {
        json!({"displayName": "P", "state": "enabled",
               "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    };
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base();
        f(&mut v);
        v
    };
    let pairs: Vec<(&str, Value)> = vec![
        (
            "state",
            with(&|v| v["state"] = json!("enabledForReportingButNotEnforced")),
        ),
        ("name", with(&|v| v["displayName"] = json!("p"))),
        ("description", with(&|v| v["description"] = json!("d"))),
        (
            "clientAppTypes",
            with(&|v| v["conditions"]["clientAppTypes"] = json!(["browser"])),
        ),
        (
            "excluded group",
            with(&|v| v["conditions"]["users"]["excludeGroups"] = json!(["g"])),
        ),
        (
            "operator with two controls",
            with(&|v| {
                v["grantControls"] =
                    json!({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]})
            }),
        ),
        (
            "enabled session control",
            with(&|v| {
                v["sessionControls"] =
                    json!({"persistentBrowser": {"isEnabled": true, "mode": "never"}})
            }),
        ),
        (
            "resilience",
            with(&|v| v["sessionControls"] = json!({"disableResilienceDefaults": true})),
        ),
        ("no grant", with(&|v| v["grantControls"] = Value::Null)),
        (
            "strength",
            with(
                &|v| v["grantControls"] = json!({"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000003"}}),
            ),
        ),
        (
            "users None without workload",
            with(&|v| v["conditions"]["users"]["includeUsers"] = json!(["None"])),
        ),
        (
            "device filter rule",
            with(
                &|v| v["conditions"]["devices"] = json!({"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}),
            ),
        ),
    ];
    for (what, b) in pairs {
        assert_ne!(canonical(&base()), canonical(&b), "{what}");
        assert_ne!(fingerprint(&base()), fingerprint(&b), "{what}");
    }
}

#[test]
fn external_tenants_keep_their_type() {
    let v = json!({"conditions": {"users": {"includeGuestsOrExternalUsers": {
        "guestOrExternalUserTypes": "b2bCollaborationGuest",
        "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                            "membershipKind": "enumerated", "members": ["B", "A"]}}}}});
    let c = canonical(&v);
    let t = &c["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"];
    assert_eq!(
        t["@odata.type"],
        json!("#microsoft.graph.conditionalAccessEnumeratedExternalTenants")
    );
    assert_eq!(t["members"], json!(["A", "B"]));
}

#[test]
fn non_objects_and_odd_shapes_do_not_panic() {
    for v in [
        json!(null),
        json!(1),
        json!("x"),
        json!([1, {"a": null}]),
        json!({"conditions": 3}),
        json!({"grantControls": "x", "sessionControls": [1]}),
        json!({"conditions": {"users": [null, "a"]}}),
    ] {
        let _ = canonical(&v);
        let _ = fingerprint(&v);
    }
}

#[test]
fn stable_text_sorts_keys() {
    assert_eq!(
        stable_text(&json!({"b": 1, "a": [true, {"d": null, "c": "x"}]})),
        r#"{"a":[true,{"c":"x","d":null}],"b":1}"#
    );
}
