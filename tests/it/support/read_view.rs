//! How Graph rewrites a stored policy when it is read back (for the fake Graph).
//!
//! In: a policy as stored (the written body plus `id` and dates). Out: what a GET returns:
//! nulls and empty lists for unset properties, `templateId: null`, `clientAppTypes: ["all"]`
//! when unset, `users: {includeUsers: ["None"]}` on workload-identity policies, the operator in
//! upper case, the whole authentication strength object, sign-in frequency defaults, and every
//! list in another order.

use serde_json::{Value, json};

/// What Graph returns for a stored policy.
pub fn read_view(stored: &Value) -> Value {
    let mut p = stored.clone();
    let Some(o) = p.as_object_mut() else { return p };
    for k in [
        "description",
        "modifiedDateTime",
        "templateId",
        "deletedDateTime",
        "partialEnablementStrategy",
        "grantControls",
        "sessionControls",
    ] {
        o.entry(k).or_insert(Value::Null);
    }
    if let Some(Value::Object(c)) = o.get_mut("conditions") {
        for k in [
            "platforms",
            "locations",
            "devices",
            "times",
            "deviceStates",
            "clientApplications",
            "authenticationFlows",
            "insiderRiskLevels",
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
        if !c["clientApplications"].is_null() && c.get("users").is_none_or(Value::is_null) {
            c.insert("users".into(), json!({"includeUsers": ["None"]}));
        }
        if let Some(Value::Object(u)) = c.get_mut("users") {
            for k in [
                "includeUsers",
                "excludeUsers",
                "includeGroups",
                "excludeGroups",
                "includeRoles",
                "excludeRoles",
            ] {
                u.entry(k).or_insert(json!([]));
            }
            for k in [
                "includeGuestsOrExternalUsers",
                "excludeGuestsOrExternalUsers",
            ] {
                u.entry(k).or_insert(Value::Null);
            }
        }
        if let Some(Value::Object(a)) = c.get_mut("applications") {
            for k in [
                "includeApplications",
                "excludeApplications",
                "includeUserActions",
                "includeAuthenticationContextClassReferences",
            ] {
                a.entry(k).or_insert(json!([]));
            }
            a.entry("applicationFilter").or_insert(Value::Null);
        }
    }
    if let Some(Value::Object(g)) = o.get_mut("grantControls") {
        if let Some(op) = g
            .get("operator")
            .and_then(Value::as_str)
            .map(str::to_uppercase)
        {
            g.insert("operator".into(), json!(op));
        }
        for k in [
            "builtInControls",
            "customAuthenticationFactors",
            "termsOfUse",
        ] {
            g.entry(k).or_insert(json!([]));
        }
        if let Some(id) = g
            .get("authenticationStrength")
            .and_then(|s| s.get("id"))
            .cloned()
        {
            g.insert("authenticationStrength".into(), json!({"id": id, "displayName": "Phishing-resistant MFA",
                "description": "Phishing-resistant, Passwordless methods for the strongest authentication",
                "policyType": "builtIn", "requirementsSatisfied": "mfa",
                "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
                "createdDateTime": "2021-12-01T08:00:00Z", "modifiedDateTime": "2021-12-01T08:00:00Z",
                "combinationConfigurations@odata.context": "https://graph.microsoft.com/v1.0/$metadata#x"}));
        } else {
            g.entry("authenticationStrength").or_insert(Value::Null);
        }
    }
    if let Some(Value::Object(s)) = o.get_mut("sessionControls") {
        for k in [
            "applicationEnforcedRestrictions",
            "cloudAppSecurity",
            "persistentBrowser",
            "signInFrequency",
            "secureSignInSession",
            "disableResilienceDefaults",
        ] {
            s.entry(k).or_insert(Value::Null);
        }
        if let Some(Value::Object(f)) = s.get_mut("signInFrequency") {
            f.entry("authenticationType")
                .or_insert(json!("primaryAndSecondaryAuthentication"));
            let timed = f.get("value").is_some_and(|v| !v.is_null());
            f.entry("frequencyInterval").or_insert(json!(if timed {
                "timeBased"
            } else {
                "everyTime"
            }));
        }
    }
    reverse_lists(&mut p);
    p
}

fn reverse_lists(v: &mut Value) {
    match v {
        Value::Array(a) => a.reverse(),
        Value::Object(o) => o.values_mut().for_each(reverse_lists),
        _ => {}
    }
}
