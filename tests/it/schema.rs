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

/// Drop every property the vocabulary marks beta-only (`capol::vocab::FIELDS`), at any depth.
fn without_beta(v: &mut Value, path: &str) {
    if let Value::Object(m) = v {
        m.retain(|k, _| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            capol::vocab::field(&p).is_none_or(|f| f.api == capol::vocab::Api::V1)
        });
        for (k, x) in m.iter_mut() {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            without_beta(x, &p);
        }
    }
}

/// The corpus files whose properties are beta-only (agents, Global Secure Access, legacy device
/// states), imported and compiled for beta: with the properties the vocabulary marks beta
/// removed, what capol sends is a valid v1.0 body (the check the corpus MANIFEST makes of the
/// originals), and the beta properties are there before removal.
#[test]
fn compiled_beta_corpus_files_are_valid_once_beta_keys_are_dropped() {
    use capol::check::{ApiVersion, Options};
    use capol::import::{ImportOptions, import_paths};
    let v = validator();
    let corpus = support::root().join("tests").join("corpus");
    let opts = ImportOptions {
        api: ApiVersion::Beta,
        ..Default::default()
    };
    let mut checked = 0;
    for prefix in [
        "005", "034", "035", "057", "058", "059", "102", "103", "139", "140", "148", "152",
    ] {
        let path = std::fs::read_dir(&corpus)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
            })
            .unwrap_or_else(|| panic!("no corpus file {prefix}"));
        let i = import_paths(&[path], &opts).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!i.has_errors(), "{prefix}");
        let files = i.files();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let c = capol::driver::compile_str(
            &refs,
            None,
            &Options {
                api: ApiVersion::Beta,
            },
        );
        assert!(!c.has_errors(), "{prefix}: {}", support::rendered(&c));
        for p in &c.policies {
            let mut body = serde_json::to_value(p).unwrap_or_default();
            let before = body.to_string();
            without_beta(&mut body, "");
            assert_ne!(before, body.to_string(), "{prefix}: no beta property");
            let errs = errors(&v, &body);
            assert!(errs.is_empty(), "{prefix}:\n{}", errs.join("\n"));
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}
