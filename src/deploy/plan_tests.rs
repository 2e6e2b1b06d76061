//! Tests of the pure plan.

use super::*;
use serde_json::json;

fn pol(name: &str) -> Value {
    json!({"displayName": name, "state": "enabledForReportingButNotEnforced",
           "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["0b1d2b8e-0000-4000-8000-000000000001"]},
                          "applications": {"includeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]},
                          "clientAppTypes": ["all"]},
           "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
           "sessionControls": null})
}

/// The policy as Graph returns it.
fn read(v: &Value, id: &str) -> Value {
    let mut r = v.clone();
    r["id"] = json!(id);
    r["createdDateTime"] = json!("2026-01-01T00:00:00Z");
    r["modifiedDateTime"] = Value::Null;
    r["templateId"] = Value::Null;
    r["description"] = Value::Null;
    r["conditions"]["platforms"] = Value::Null;
    r["conditions"]["userRiskLevels"] = json!([]);
    r["grantControls"]["termsOfUse"] = json!([]);
    r
}

fn ok(r: Result<Plan, PlanError>) -> Plan {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn new_policy_is_created_whole() {
    let p = ok(plan(&[pol("A")], &[], &PlanOptions::default()));
    assert_eq!(
        p.actions,
        vec![Action::Create {
            display_name: "A".into(),
            body: pol("A")
        }]
    );
    assert!(!p.is_empty());
}

#[test]
fn read_back_policy_is_unchanged() {
    let p = ok(plan(
        &[pol("A")],
        &[read(&pol("A"), "id-a")],
        &PlanOptions::default(),
    ));
    assert_eq!(
        p.actions,
        vec![Action::Unchanged {
            id: "id-a".into(),
            display_name: "A".into()
        }]
    );
    assert!(p.is_empty());
    assert_eq!(p.fingerprint.policies.len(), 1);
}

#[test]
fn nested_change_sends_the_whole_object_only() {
    let mut d = pol("A");
    d["conditions"]["users"]["excludeGroups"] = json!([
        "0b1d2b8e-0000-4000-8000-000000000001",
        "0b1d2b8e-0000-4000-8000-000000000002"
    ]);
    let p = ok(plan(
        std::slice::from_ref(&d),
        &[read(&pol("A"), "id-a")],
        &PlanOptions::default(),
    ));
    let Action::Update {
        id, patch, changes, ..
    } = &p.actions[0]
    else {
        panic!("{:?}", p.actions)
    };
    assert_eq!(id, "id-a");
    assert_eq!(patch, &json!({"conditions": d["conditions"]}));
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].path, "conditions.users.excludeGroups");
    assert_eq!(
        changes[0].before,
        Some(json!(["0b1d2b8e-0000-4000-8000-000000000001"]))
    );
}

#[test]
fn removed_property_is_cleared_with_null() {
    let mut t = read(&pol("A"), "id-a");
    t["sessionControls"] =
        json!({"signInFrequency": {"isEnabled": true, "value": 4, "type": "hours"}});
    t["description"] = json!("old text");
    let p = ok(plan(&[pol("A")], &[t], &PlanOptions::default()));
    let Action::Update { patch, changes, .. } = &p.actions[0] else {
        panic!("{:?}", p.actions)
    };
    assert_eq!(
        patch,
        &json!({"sessionControls": null, "description": null})
    );
    assert!(
        changes
            .iter()
            .any(|c| c.path == "description" && c.after.is_none())
    );
    assert!(
        changes
            .iter()
            .any(|c| c.path == "sessionControls" && c.after.is_none())
    );
}

#[test]
fn unknown_top_level_properties_are_never_patched() {
    let mut t = read(&pol("A"), "id-a");
    t["partialEnablementStrategy"] = json!({"x": 1});
    let p = ok(plan(&[pol("A")], &[t], &PlanOptions::default()));
    assert!(p.is_empty());
}

#[test]
fn prune_deletes_only_unnamed_policies() {
    let tenant = [read(&pol("A"), "id-a"), read(&pol("Old"), "id-old")];
    let p = ok(plan(&[pol("A")], &tenant, &PlanOptions::default()));
    assert_eq!(p.deletes(), 0);
    let p = ok(plan(&[pol("A")], &tenant, &PlanOptions { prune: true }));
    assert_eq!(
        p.actions[1],
        Action::Delete {
            id: "id-old".into(),
            display_name: "Old".into()
        }
    );
    assert_eq!(p.fingerprint.policies.len(), 2);
}

#[test]
fn duplicate_names_in_the_tenant_are_an_error_with_both_ids() {
    let tenant = [read(&pol("A"), "id-1"), read(&pol("A"), "id-2")];
    let e = plan(&[pol("A")], &tenant, &PlanOptions::default()).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert!(e.in_tenant);
    assert!(
        e.problems[0].contains("id-1") && e.problems[0].contains("id-2"),
        "{e}"
    );
    // Unrelated duplicates do not block a deploy.
    assert!(plan(&[pol("B")], &tenant, &PlanOptions::default()).is_ok());
}

#[test]
fn duplicate_and_missing_desired_names_are_errors() {
    let e = plan(
        &[pol("A"), pol("A"), json!({"state": "enabled"})],
        &[],
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.problems.len(), 2, "{e}");
    assert!(!e.in_tenant);
    assert!(e.to_string().contains("two desired policies are named `A`"));
    assert!(e.to_string().contains("#3 has no displayName"));
}

#[test]
fn fingerprint_sees_changes_new_names_and_deletions() {
    let tenant = vec![read(&pol("A"), "id-a"), read(&pol("Other"), "id-o")];
    let p = ok(plan(&[pol("A")], &tenant, &PlanOptions::default()));
    assert!(p.fingerprint.differences(&tenant).is_empty());
    // An unrelated policy that changes does not matter.
    let mut t2 = tenant.clone();
    t2[1]["state"] = json!("disabled");
    assert!(p.fingerprint.differences(&t2).is_empty());
    // The matched policy changed.
    let mut t3 = tenant.clone();
    t3[0]["state"] = json!("enabled");
    assert_eq!(
        p.fingerprint.differences(&t3),
        vec!["policy `A` (id-a) was changed".to_string()]
    );
    // A new name appeared, an old one is gone.
    let t4 = vec![tenant[0].clone(), read(&pol("New"), "id-n")];
    let d = p.fingerprint.differences(&t4);
    assert!(
        d.contains(&"policy `New` appeared".to_string())
            && d.contains(&"policy `Other` disappeared".to_string())
    );
    assert_eq!(p.fingerprint.differences(&[]).len(), 3);
}

#[test]
fn plan_serialises_and_reads_back() {
    let mut d = pol("A");
    d["state"] = json!("enabled");
    let p = ok(plan(
        &[d, pol("B")],
        &[read(&pol("A"), "id-a")],
        &PlanOptions::default(),
    ));
    let text = serde_json::to_string(&p).unwrap_or_default();
    let back: Plan = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, p);
}

const MANAGED: &str = "Microsoft-managed: Multifactor authentication for admins";

/// A Microsoft-managed policy as Graph returns it.
fn managed(id: &str) -> Value {
    let mut t = read(&pol(MANAGED), id);
    t["templateId"] = json!("4200930c-0da2-4e33-ca01-000000000000");
    t
}

#[test]
fn prune_leaves_microsoft_managed_policies_alone() {
    let tenant = [read(&pol("A"), "id-a"), managed("id-m")];
    let p = ok(plan(&[pol("A")], &tenant, &PlanOptions { prune: true }));
    assert_eq!(p.deletes(), 0, "{:?}", p.actions);
    assert_eq!(p.kept, vec![MANAGED.to_string()]);
    let text = super::super::render::render_text(&p);
    assert!(text.contains("left alone: `Microsoft-managed:"), "{text}");
    // A user's policy made from a template is not Microsoft-managed: pruned as any other.
    let mut own = read(&pol("From a template"), "id-t");
    own["templateId"] = json!("4200930c-0da2-4e33-ca01-000000000000");
    let p = ok(plan(&[pol("A")], &[own], &PlanOptions { prune: true }));
    assert_eq!(p.deletes(), 1);
    assert!(p.kept.is_empty());
}

#[test]
fn a_microsoft_managed_policy_changes_only_state_and_exclusions() {
    // State and an exclusion: a PATCH of just those.
    let mut d = pol(MANAGED);
    d["state"] = json!("enabled");
    d["conditions"]["users"]["excludeGroups"] = json!(["0b1d2b8e-0000-4000-8000-000000000002"]);
    let p = ok(plan(
        std::slice::from_ref(&d),
        &[managed("id-m")],
        &PlanOptions::default(),
    ));
    let Action::Update { patch, changes, .. } = &p.actions[0] else {
        panic!("{:?}", p.actions)
    };
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(
        patch,
        &json!({"state": "enabled",
                "conditions": {"users": {"excludeGroups": ["0b1d2b8e-0000-4000-8000-000000000002"]}}})
    );
    // Anything else is refused, naming the field.
    d["grantControls"]["builtInControls"] = json!(["block"]);
    let e = plan(&[d], &[managed("id-m")], &PlanOptions::default()).unwrap_err();
    assert!(!e.in_tenant);
    assert!(
        e.problems[0].contains("is a Microsoft-managed policy")
            && e.problems[0].contains("grantControls.builtInControls"),
        "{e}"
    );
}

#[test]
fn a_prune_says_how_to_restore() {
    let tenant = [read(&pol("Old"), "id-old")];
    let p = ok(plan(&[], &tenant, &PlanOptions { prune: true }));
    let text = super::super::render::render_text(&p);
    assert!(
        text.contains("restorable for 30 days")
            && text.contains("/identity/conditionalAccess/deletedItems/policies/{id}/restore"),
        "{text}"
    );
}
