//! Every compiled example validates against the Graph v1.0 POST-body schema
//! (`tests/fixtures/graph-ca-policy.schema.json`, generated from Microsoft's CSDL), and the
//! validator is shown to reject what it should, so a green run means something.

use crate::support::compile::{self as support, compile_examples};
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let text = support::read(&support::fixtures_dir().join("graph-ca-policy.schema.json"));
    let schema: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("schema is not JSON: {e}"),
    };
    match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => panic!("schema does not compile: {e}"),
    }
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_example_policy_is_a_valid_post_body() {
    let v = validator();
    let c = compile_examples();
    assert!(!c.policies.is_empty());
    for p in &c.policies {
        let body = serde_json::to_value(p).unwrap_or_default();
        let errs = errors(&v, &body);
        assert!(errs.is_empty(), "{}:\n{}", p.display_name, errs.join("\n"));
    }
}

/// Policies beyond the templates: guests with enumerated tenants, workload identities, every
/// session control of v1.0, context, app and device filters.
#[test]
fn other_constructs_are_valid_post_bodies() {
    let names = support::names_source();
    let more = r#"
policy "Guests from one partner"
    for guests b2b-collaboration-guest, b2b-collaboration-member, tenant 11111111-2222-4333-8444-555555555555
    for all apps
    exclude group BreakGlass, user EmergencyAccess1, EmergencyAccess2
    require mfa and terms ContosoToU

policy "Workload identities outside HQ"
    for all service-principals
    when location any
    exclude location HQ
    block

policy "Finance context"
    for context c3
    exclude group BreakGlass, user EmergencyAccess1, EmergencyAccess2
    require strength passwordless-mfa

policy "Sessions"
    for all users, all apps
    exclude group BreakGlass, user EmergencyAccess1, EmergencyAccess2
    when devices where 'device.deviceOwnership -eq "Personal"'
    session sign-in-frequency 12 hours, persistent-browser never, cloud-app-security block-downloads, no-resilience-defaults

policy "Tagged apps"
    for apps where 'CustomSecurityAttribute.Engineering_Project -eq "Baker"'
    exclude group BreakGlass, user EmergencyAccess1, EmergencyAccess2
    when platform windows, macos, linux
    when client browser, mobile-desktop
    require compliant-device and mfa
"#;
    let c = support::compile(&[("names.capol", &names), ("more.capol", more)]);
    assert!(!c.has_errors(), "{}", support::rendered(&c));
    assert_eq!(c.policies.len(), 5);
    let v = validator();
    for p in &c.policies {
        let body = serde_json::to_value(p).unwrap_or_default();
        let errs = errors(&v, &body);
        assert!(errs.is_empty(), "{}:\n{}", p.display_name, errs.join("\n"));
    }
}

/// The schema is strict enough to catch the mistakes an emitter could make.
#[test]
fn the_validator_rejects_broken_bodies() {
    let v = validator();
    let c = compile_examples();
    let good = serde_json::to_value(&c.policies[0]).unwrap_or_default();
    assert!(v.is_valid(&good));

    type Edit = Box<dyn Fn(&mut Value)>;
    let broken: Vec<(&str, Edit)> = vec![
        ("bad state", Box::new(|b| b["state"] = json!("on"))),
        (
            "read-only id",
            Box::new(|b| b["id"] = json!("00000000-0000-0000-0000-000000000001")),
        ),
        (
            "misspelled property",
            Box::new(|b| b["conditions"]["clientAppType"] = json!(["all"])),
        ),
        (
            "unknown grant control",
            Box::new(|b| {
                b["grantControls"] = json!({"operator": "OR", "builtInControls": ["requireMfa"]})
            }),
        ),
        (
            "lower-case operator",
            Box::new(|b| {
                b["grantControls"] = json!({"operator": "XOR", "builtInControls": ["mfa"]})
            }),
        ),
        (
            "no users and no clientApplications",
            Box::new(|b| {
                if let Some(c) = b["conditions"].as_object_mut() {
                    c.remove("users");
                }
            }),
        ),
        (
            "no applications",
            Box::new(|b| {
                if let Some(c) = b["conditions"].as_object_mut() {
                    c.remove("applications");
                }
            }),
        ),
        (
            "flags as an array",
            Box::new(|b| b["conditions"]["insiderRiskLevels"] = json!(["elevated"])),
        ),
        (
            "flags with a space",
            Box::new(|b| b["conditions"]["insiderRiskLevels"] = json!("minor, elevated")),
        ),
        (
            "null id list",
            Box::new(|b| b["conditions"]["users"]["includeUsers"] = Value::Null),
        ),
        (
            "platform in the wrong case",
            Box::new(|b| b["conditions"]["platforms"] = json!({"includePlatforms": ["ios"]})),
        ),
        (
            "externalTenants without @odata.type",
            Box::new(
                |b| b["conditions"]["users"]["includeGuestsOrExternalUsers"] = json!({"guestOrExternalUserTypes": "internalGuest", "externalTenants": {"membershipKind": "all"}}),
            ),
        ),
        (
            "sign-in frequency of the wrong type",
            Box::new(|b| {
                b["sessionControls"] =
                    json!({"signInFrequency": {"isEnabled": true, "value": "4", "type": "hours"}})
            }),
        ),
    ];
    for (what, edit) in broken {
        let mut body = good.clone();
        edit(&mut body);
        assert!(
            !v.is_valid(&body),
            "the schema accepted a body with {what}: {body}"
        );
    }
}
