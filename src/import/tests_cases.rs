//! Unit cases of the importer: input shapes, every clause it writes, and every refusal.

use super::{ImportOptions, Imported, NameHints, canonical_for_import, import_texts};
use crate::check::{ApiVersion, Options};
use crate::driver;
use crate::symbols::Kind;
use crate::symbols::lock::{LockEntry, LockFile};
use serde_json::{Value, json};

const G1: &str = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";
const G2: &str = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const T1: &str = "9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b";

fn imp(text: &str) -> Imported {
    import_texts(&[("in.json", text)], &ImportOptions::default())
}

fn imp_with(text: &str, opts: &ImportOptions) -> Imported {
    import_texts(&[("in.json", text)], opts)
}

fn codes(i: &Imported) -> Vec<&'static str> {
    i.diagnostics.items.iter().map(|d| d.code).collect()
}

fn messages(i: &Imported) -> String {
    i.diagnostics
        .items
        .iter()
        .map(|d| format!("{} {}\n", d.code, d.message))
        .collect()
}

/// A policy around `conditions` extras, `grant` and `session`.
fn policy(extra_conditions: Value, grant: Value, session: Value) -> Value {
    let mut conditions = json!({
        "users": {"includeUsers": ["All"], "excludeGroups": [G1]},
        "applications": {"includeApplications": ["All"]},
    });
    if let (Some(c), Some(e)) = (conditions.as_object_mut(), extra_conditions.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    json!({"displayName": "P", "state": "enabledForReportingButNotEnforced", "conditions": conditions,
           "grantControls": grant, "sessionControls": session})
}

/// Import `v`, expect no error, compile the result and compare canonical forms.
fn round(v: &Value, api: ApiVersion) -> String {
    let opts = ImportOptions {
        api,
        ..Default::default()
    };
    let i = imp_with(&v.to_string(), &opts);
    assert!(!i.has_errors(), "{}", messages(&i));
    let files = i.files();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let c = driver::compile_str(&refs, None, &Options { api });
    assert!(!c.has_errors(), "{:?}\n{}", c.diagnostics.items, i.single);
    let got = canonical_for_import(&serde_json::to_value(&c.policies[0]).unwrap());
    assert_eq!(got, canonical_for_import(v), "{}", i.single);
    assert_eq!(
        crate::fmt::format(&i.single).ok().as_deref(),
        Some(i.single.as_str())
    );
    i.single
}

#[test]
fn shapes_array_and_list_response() {
    let a = policy(
        json!({}),
        json!({"operator": "OR", "builtInControls": ["mfa"]}),
        Value::Null,
    );
    let mut b = a.clone();
    b["displayName"] = json!("Q");
    let list = json!({"@odata.context": "x", "@odata.nextLink": "https://next", "value": [a, b]});
    let i = imp(&list.to_string());
    assert_eq!(codes(&i), ["W0403"]);
    assert_eq!(i.policies.len(), 2);
    let arr = json!([a, 42]);
    let i = imp(&arr.to_string());
    assert_eq!(codes(&i), ["E0401"]);
    assert!(messages(&i).contains("`$[1]`"));
    assert_eq!(i.policies.len(), 1);
    assert_eq!(codes(&imp("\"x\"")), ["E0401"]);
    let i = imp("\u{feff}{\"displayName\": ");
    assert_eq!(codes(&i), ["E0400"]);
}

#[test]
fn names_the_path_of_a_bad_value() {
    let v = policy(
        json!({"platforms": {"includePlatforms": ["iOS", "Android"]}}),
        json!({"builtInControls": ["mfa"]}),
        Value::Null,
    );
    let i = imp(&v.to_string());
    assert_eq!(codes(&i), ["E0402"]);
    let d = &i.diagnostics.items[0];
    assert!(
        d.message
            .contains("`$.conditions.platforms.includePlatforms[1]`"),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `android`?")
    );
    let span = d.primary.as_ref().unwrap().span;
    let text = &i.sources.get(span.file).unwrap().text;
    assert_eq!(&text[span.start..span.end], "\"Android\"");
}

#[test]
fn duplicate_display_names_and_unknown_properties() {
    let a = policy(json!({}), json!({"builtInControls": ["mfa"]}), Value::Null);
    let i = imp(&json!([a, a]).to_string());
    assert_eq!(codes(&i), ["E0407"]);
    assert_eq!(i.policies.len(), 1);
    let mut b = a.clone();
    b["conditions"]["Users"] = json!({"includeUsers": ["All"]});
    let i = imp(&b.to_string());
    assert_eq!(codes(&i), ["E0405"]);
    assert!(
        i.diagnostics.items[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("`users`")
    );
    let mut c = a.clone();
    c["conditions"]["times"] = json!({"included": ["x"]});
    assert_eq!(codes(&imp(&c.to_string())), ["E0403"]);
    let mut d = a.clone();
    d["conditions"]["times"] = Value::Null;
    d["whatever"] = json!([]);
    d["nothing"] = Value::Null;
    assert_eq!(codes(&imp(&d.to_string())), ["W0400"]);
}

#[test]
fn required_properties() {
    let mut v = policy(json!({}), json!({"builtInControls": ["mfa"]}), Value::Null);
    v.as_object_mut().unwrap().remove("state");
    v["conditions"].as_object_mut().unwrap().remove("users");
    let i = imp(&v.to_string());
    assert_eq!(codes(&i), ["E0406", "E0406"], "{}", messages(&i));
    let mut w = policy(json!({}), json!({"builtInControls": ["mfa"]}), Value::Null);
    w["displayName"] = json!(" ");
    assert_eq!(codes(&imp(&w.to_string())), ["E0402"]);
}

#[test]
fn grant_controls() {
    let s = round(
        &policy(
            json!({}),
            json!({"operator": "AND", "builtInControls": ["compliantDevice", "mfa"], "termsOfUse": [T1]}),
            Value::Null,
        ),
        ApiVersion::V1,
    );
    assert!(
        s.contains("require compliant-device and mfa and terms Terms1"),
        "{s}"
    );
    let v = policy(
        json!({}),
        json!({"operator": "and", "builtInControls": ["mfa", "compliantDevice"]}),
        Value::Null,
    );
    assert_eq!(codes(&imp(&v.to_string())), ["W0401"]);
    let v = policy(
        json!({}),
        json!({"builtInControls": ["block", "mfa"]}),
        Value::Null,
    );
    assert_eq!(codes(&imp(&v.to_string())), ["E0402"]);
    let v = policy(
        json!({}),
        json!({"builtInControls": ["mfa"], "customAuthenticationFactors": ["x"]}),
        Value::Null,
    );
    assert_eq!(codes(&imp(&v.to_string())), ["E0403"]);
    let custom = "5d4e3c2b-1a09-4f8e-b7d6-c5b4a3928170";
    let s = round(
        &policy(
            json!({}),
            json!({"authenticationStrength": {"id": custom, "displayName": "Contoso FIDO keys"}, "builtInControls": []}),
            Value::Null,
        ),
        ApiVersion::V1,
    );
    assert!(
        s.contains("strength ContosoFIDOKeys = 5d4e3c2b")
            && s.contains("require strength ContosoFIDOKeys"),
        "{s}"
    );
}

#[test]
fn session_controls() {
    let s = round(
        &policy(
            json!({}),
            Value::Null,
            json!({"signInFrequency": {"value": 1, "type": "hours", "isEnabled": true},
                   "persistentBrowser": {"mode": "always", "isEnabled": true},
                   "cloudAppSecurity": {"isEnabled": false, "cloudAppSecurityType": "monitorOnly"},
                   "disableResilienceDefaults": true}),
        ),
        ApiVersion::V1,
    );
    assert!(
        s.contains(
            "session sign-in-frequency 1 hour, persistent-browser always, no-resilience-defaults"
        ),
        "{s}"
    );
    let s = round(
        &policy(
            json!({"userRiskLevels": ["high"]}),
            json!({"builtInControls": ["mfa"]}),
            json!({"signInFrequency": {"frequencyInterval": "everyTime", "isEnabled": true, "authenticationType": "primaryAndSecondaryAuthentication", "value": null, "type": null}}),
        ),
        ApiVersion::V1,
    );
    assert!(s.contains("session sign-in-frequency every-time"), "{s}");
    for (sif, code) in [
        (
            json!({"value": 4, "type": "hours", "authenticationType": "secondaryAuthentication"}),
            "E0403",
        ),
        (json!({"value": 0, "type": "hours"}), "E0402"),
        (json!({"value": 4}), "E0406"),
        (json!({"value": 4, "type": "weeks"}), "E0402"),
    ] {
        let v = policy(
            json!({}),
            json!({"builtInControls": ["mfa"]}),
            json!({"signInFrequency": sif}),
        );
        assert_eq!(codes(&imp(&v.to_string())), [code], "{sif}");
    }
}

#[test]
fn description_with_escapes() {
    let mut v = policy(json!({}), json!({"builtInControls": ["mfa"]}), Value::Null);
    v["description"] = json!("Line one\nsays \"hi\" \\ and\ttabs");
    v["displayName"] = json!("CA \"quoted\" <RING>");
    let s = round(&v, ApiVersion::V1);
    assert!(
        s.contains(r#"description "Line one\nsays \"hi\" \\ and\ttabs""#),
        "{s}"
    );
    assert!(s.contains(r#"policy "CA \"quoted\" <RING>""#), "{s}");
}

#[test]
fn guests_and_tenants() {
    let users = json!({"users": {
        "includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationMember,b2bCollaborationGuest",
            "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
                                "membershipKind": "enumerated", "members": [T1, G2]}},
        "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest",
            "externalTenants": {"membershipKind": "all"}},
        "excludeUsers": ["GuestsOrExternalUsers"]}});
    let s = round(
        &policy(users, json!({"builtInControls": ["block"]}), Value::Null),
        ApiVersion::V1,
    );
    let want = format!(
        "for guests b2b-collaboration-guest,\n        b2b-collaboration-member,\n        tenant {T1},\n        {G2}\n"
    );
    assert!(s.contains(&want), "{s}");
    assert!(
        s.contains("exclude user GuestsOrExternalUsers, guests internal-guest"),
        "{s}"
    );
    let empty = json!({"users": {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest",
        "externalTenants": {"membershipKind": "enumerated", "members": []}}}});
    assert_eq!(
        codes(&imp(&policy(
            empty,
            json!({"builtInControls": ["mfa"]}),
            Value::Null
        )
        .to_string())),
        ["E0403"]
    );
}

#[test]
fn conditions() {
    let c = json!({
        "applications": {"includeAuthenticationContextClassReferences": ["c1", "c7"]},
        "platforms": {"includePlatforms": ["all"], "excludePlatforms": ["linux"]},
        "locations": {"includeLocations": [G2], "excludeLocations": ["AllTrusted"]},
        "clientAppTypes": ["exchangeActiveSync", "other"],
        "signInRiskLevels": ["none", "low"],
        "insiderRiskLevels": "elevated,minor",
        "devices": {"deviceFilter": {"mode": "include", "rule": "device.model -eq \"O'Brien\""}},
        "authenticationFlows": {"transferMethods": "deviceCodeFlow"},
    });
    let s = round(
        &policy(c, json!({"builtInControls": ["mfa"]}), Value::Null),
        ApiVersion::V1,
    );
    for want in [
        "for context c1, c7",
        "when platform any",
        "when location Location1",
        "when client exchange-activesync, other",
        r#"when devices where "device.model -eq \"O'Brien\"""#,
        "when sign-in-risk none, low",
        "when insider-risk minor, elevated",
        "when auth-flow device-code",
        "exclude platform linux",
        "exclude location trusted",
    ] {
        assert!(s.contains(want), "{want}:\n{s}");
    }
    let filter = json!({"applications": {"includeApplications": [], "applicationFilter": {"mode": "include", "rule": "CustomSecurityAttribute.Engineering_Project -eq \"Baker\""}}});
    let s = round(
        &policy(filter, json!({"builtInControls": ["mfa"]}), Value::Null),
        ApiVersion::V1,
    );
    assert!(
        s.contains(r#"for apps where 'CustomSecurityAttribute.Engineering_Project -eq "Baker"'"#),
        "{s}"
    );
    for (extra, code) in [
        (json!({"platforms": {"excludePlatforms": ["iOS"]}}), "E0402"),
        (json!({"clientAppTypes": ["all", "browser"]}), "E0402"),
        (json!({"clientAppTypes": ["easSupported"]}), "E0403"),
        (json!({"userRiskLevels": ["hidden"]}), "E0403"),
        (json!({"insiderRiskLevels": "minor, elevated"}), "E0402"),
        (
            json!({"applications": {"includeApplications": ["All"], "excludeApplications": ["All"]}}),
            "E0402",
        ),
        (
            json!({"applications": {"includeUserActions": ["urn:user:other"]}}),
            "E0402",
        ),
        (
            json!({"users": {"includeGroups": ["<AdminGroup>"]}}),
            "E0402",
        ),
        (json!({"users": {"includeUsers": []}}), "E0402"),
        (json!({"locations": []}), "E0401"),
    ] {
        let v = policy(
            extra.clone(),
            json!({"builtInControls": ["mfa"]}),
            Value::Null,
        );
        assert_eq!(codes(&imp(&v.to_string())), [code], "{extra}");
    }
}

#[test]
fn workload_identities() {
    let sp = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";
    let v = json!({"displayName": "W", "state": "enabled", "conditions": {
        "users": {"includeUsers": ["None"], "excludeUsers": []},
        "applications": {"includeApplications": ["All"]},
        "clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"], "excludeServicePrincipals": [sp]},
        "servicePrincipalRiskLevels": ["high"]},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}});
    let s = round(&v, ApiVersion::V1);
    assert!(
        s.contains(
            "for all service-principals\n    exclude service-principal ExcludedServicePrincipal1"
        ),
        "{s}"
    );
    let mut f = v.clone();
    f["conditions"]["clientApplications"]["servicePrincipalFilter"] =
        json!({"mode": "include", "rule": "x"});
    assert_eq!(codes(&imp(&f.to_string())), ["E0403"]);
}

#[test]
fn names_from_the_lock_and_stable_across_policies() {
    let mut lock = LockFile::new("t");
    lock.insert(
        Kind::Group,
        "Break Glass",
        LockEntry {
            id: G1.to_uppercase(),
            ..Default::default()
        },
    );
    lock.insert(
        Kind::Location,
        "HQ",
        LockEntry {
            id: G2.into(),
            trusted: Some(true),
            ..Default::default()
        },
    );
    let opts = ImportOptions {
        api: ApiVersion::V1,
        hints: NameHints::from_lock(&lock),
        ..Default::default()
    };
    let a = policy(
        json!({"locations": {"includeLocations": [G2]}}),
        json!({"builtInControls": ["mfa"]}),
        Value::Null,
    );
    let mut b = a.clone();
    b["displayName"] = json!("Q");
    b["conditions"]["users"] = json!({"includeGroups": [G1.to_uppercase()]});
    let i = imp_with(&json!([a, b]).to_string(), &opts);
    assert!(!i.has_errors(), "{}", messages(&i));
    let names = i.names.clone().unwrap();
    assert!(
        names.contains(&format!("group BreakGlass = {G1}\n")),
        "{names}"
    );
    assert!(
        names.contains(&format!("location HQ = {G2} trusted\n")),
        "{names}"
    );
    assert!(i.policies[0].text.contains("exclude group BreakGlass"));
    assert!(i.policies[1].text.contains("for group BreakGlass"));
}

#[test]
fn a_property_given_twice_is_read_from_the_last_one() {
    let text = format!(
        r#"{{"displayName": "P", "state": "enabled", "state": "disabled",
            "conditions": {{"users": {{"includeUsers": ["All"], "excludeGroups": ["{G1}"]}},
                            "applications": {{"includeApplications": ["All"]}}}},
            "grantControls": {{"operator": "OR", "builtInControls": ["mfa"]}}}}"#
    );
    let i = imp(&text);
    assert_eq!(codes(&i), ["W0404"], "{}", messages(&i));
    assert_eq!(i.policies.len(), 1);
    let source: String = i.files().into_iter().map(|(_, t)| t).collect();
    assert!(source.contains("mode off"), "{source}");
}

#[test]
fn a_policy_capol_check_refuses_is_imported_with_w0402() {
    // Graph stores it, but a persistent-browser session needs all apps (E0212).
    let mut v = policy(
        json!({}),
        Value::Null,
        json!({"persistentBrowser": {"isEnabled": true, "mode": "never"}}),
    );
    v["conditions"]["applications"]["includeApplications"] =
        json!(["00000002-0000-0ff1-ce00-000000000000"]);
    let i = imp(&v.to_string());
    assert!(codes(&i).contains(&"W0402"), "{}", messages(&i));
    assert!(messages(&i).contains("E0212"), "{}", messages(&i));
}
