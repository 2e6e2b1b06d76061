//! resolve against the fake Graph: batched look-ups, ambiguity, suggestions, the lock file.

use crate::support::client;
use crate::support::fake_graph::{FakeGraph, FaultKind, TENANT};
use capol::deploy::{ResolveError, resolve};
use capol::symbols::Kind;
use capol::symbols::lock::LockFile;
use serde_json::json;

fn seed(fake: &FakeGraph) {
    let mut st = fake.state();
    for i in 0..45 {
        st.groups.push(json!({"id": format!("00000000-0000-4000-a000-{i:012}"), "displayName": format!("Team {i:02}")}));
    }
    st.groups.push(json!({"id": "0b1d2b8e-0000-4000-8000-000000000001", "displayName": "Break Glass Accounts"}));
    st.groups
        .push(json!({"id": "a11ce001-0000-4000-8000-000000000001", "displayName": "Finance"}));
    st.groups
        .push(json!({"id": "a11ce002-0000-4000-8000-000000000002", "displayName": "Finance"}));
    st.users.push(json!({"id": "a11ce00a-0000-4000-8000-000000000010", "userPrincipalName": "alice@contoso.com", "displayName": "Alice"}));
    st.service_principals
        .push(json!({"id": "a11ce006-0000-4000-8000-000000000006", "appId": "a11ce000-0000-4000-8000-000000000000", "displayName": "Contoso Portal"}));
    st.named_locations.push(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "a11ce004-0000-4000-8000-000000000004", "displayName": "HQ", "isTrusted": true}));
    st.named_locations.push(json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "a11ce003-0000-4000-8000-000000000003", "displayName": "EU countries"}));
    st.named_locations.push(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "a11ce005-0000-4000-8000-000000000005", "displayName": "Lab", "isTrusted": false}));
    st.agreements
        .push(json!({"id": "a11ce008-0000-4000-8000-000000000008", "displayName": "Guest terms"}));
    st.strengths
        .push(json!({"id": "a11ce007-0000-4000-8000-000000000007", "displayName": "Contoso FIDO2 only", "policyType": "custom",
            "description": "not selected", "allowedCombinations": ["windowsHelloForBusiness", "fido2"]}));
}

#[tokio::test]
async fn resolves_every_kind_in_a_handful_of_requests() {
    let fake = FakeGraph::start().await;
    seed(&fake);
    let (c, _) = client(&fake);
    let mut names: Vec<(Kind, String)> = (0..45)
        .map(|i| (Kind::Group, format!("Team {i:02}")))
        .collect();
    names.extend([
        (Kind::Group, "break glass accounts".to_string()),
        (Kind::User, "alice@contoso.com".into()),
        (Kind::App, "Contoso Portal".into()),
        (Kind::ServicePrincipal, "Contoso Portal".into()),
        (Kind::Location, "HQ".into()),
        (Kind::Location, "Lab".into()),
        (Kind::Location, "EU countries".into()),
        (Kind::Terms, "Guest terms".into()),
        (Kind::Strength, "Contoso FIDO2 only".into()),
        (Kind::Role, "Global Administrator".into()),
        (Kind::Context, "Sensitive apps".into()),
    ]);
    // One group look-up is throttled inside the batch, twice.
    fake.fault("GET", "/groups", FaultKind::Throttle(Some(0)), 2);
    let lock = resolve(&c, &names, None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lock.tenant_id, TENANT);
    assert_eq!(
        lock.get(Kind::Group, "Team 07").map(|e| e.id.as_str()),
        Some("00000000-0000-4000-a000-000000000007")
    );
    let bg = lock
        .get(Kind::Group, "break glass accounts")
        .cloned()
        .unwrap_or_default();
    assert_eq!(bg.display_name.as_deref(), Some("Break Glass Accounts"));
    assert_eq!(
        lock.get(Kind::User, "alice@contoso.com")
            .map(|e| e.id.as_str()),
        Some("a11ce00a-0000-4000-8000-000000000010")
    );
    assert_eq!(
        lock.get(Kind::App, "Contoso Portal").map(|e| e.id.as_str()),
        Some("a11ce000-0000-4000-8000-000000000000")
    );
    assert_eq!(
        lock.get(Kind::ServicePrincipal, "Contoso Portal")
            .map(|e| e.id.as_str()),
        Some("a11ce006-0000-4000-8000-000000000006")
    );
    assert_eq!(
        lock.get(Kind::Location, "HQ").and_then(|e| e.trusted),
        Some(true)
    );
    assert_eq!(
        lock.get(Kind::Location, "Lab").and_then(|e| e.trusted),
        Some(false)
    );
    assert_eq!(
        lock.get(Kind::Location, "EU countries")
            .and_then(|e| e.trusted),
        None
    );
    assert_eq!(
        lock.get(Kind::Terms, "Guest terms").map(|e| e.id.as_str()),
        Some("a11ce008-0000-4000-8000-000000000008")
    );
    assert_eq!(
        lock.get(Kind::Strength, "Contoso FIDO2 only")
            .map(|e| e.id.as_str()),
        Some("a11ce007-0000-4000-8000-000000000007")
    );
    // The strength's combinations, for what-if comparisons.
    assert_eq!(
        lock.get(Kind::Strength, "Contoso FIDO2 only")
            .and_then(|e| e.combinations.clone()),
        Some(vec!["fido2".to_string(), "windowsHelloForBusiness".into()])
    );
    assert_eq!(
        lock.get(Kind::Role, "Global Administrator")
            .map(|e| e.id.as_str()),
        Some("62e90394-69f5-4237-9190-012177145e10")
    );
    assert_eq!(
        lock.get(Kind::Context, "Sensitive apps")
            .map(|e| e.id.as_str()),
        Some("c1")
    );
    // 49 filtered look-ups: 3 batches, plus a retry round for the throttled ones; one GET per
    // listed kind, one for the tenant id.
    let st = fake.state();
    let top: Vec<String> = st
        .log
        .iter()
        .filter(|l| !l.batched)
        .map(|l| format!("{} {}", l.method, l.path))
        .collect();
    assert!(st.count("POST", "/$batch") <= 5, "{top:?}");
    assert!(top.len() <= 11, "{top:?}");
    assert_eq!(LockFile::parse(&lock.to_text()), Ok(lock.clone()));
}

#[tokio::test]
async fn missing_and_ambiguous_names_are_all_reported() {
    let fake = FakeGraph::start().await;
    seed(&fake);
    let (c, _) = client(&fake);
    let names = vec![
        (Kind::Group, "Finance".to_string()),
        (Kind::Group, "Team 1".to_string()),
        (Kind::Location, "HQQ".to_string()),
        (Kind::User, "bob@contoso.com".to_string()),
        (Kind::Group, "Team 01".to_string()),
    ];
    let err = resolve(&c, &names, None, Some(TENANT)).await.unwrap_err();
    let ResolveError::Names(problems) = &err else {
        panic!("{err}")
    };
    assert_eq!(problems.len(), 4, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("2 groups are named `Finance` (a11ce001-0000-4000-8000-000000000001, a11ce002-0000-4000-8000-000000000002)"),
        "{text}"
    );
    assert!(
        text.contains("no group named `Team 1` in the tenant; did you mean `Team 01`"),
        "{text}"
    );
    assert!(
        text.contains("no named location named `HQQ` in the tenant; did you mean `HQ`?"),
        "{text}"
    );
    assert!(text.contains("no user named `bob@contoso.com`"), "{text}");
    // --tenant given as a GUID: no /organization call.
    assert_eq!(fake.state().count("GET", "/organization"), 0);
}

#[tokio::test]
async fn lock_for_another_tenant_is_refused_and_entries_are_kept() {
    let fake = FakeGraph::start().await;
    seed(&fake);
    let (c, _) = client(&fake);
    let other = LockFile::new("11111111-1111-4111-8111-111111111111");
    let err = resolve(&c, &[(Kind::Group, "Team 01".into())], Some(other), None)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("capol.lock is for tenant 11111111"),
        "{err}"
    );

    let mut mine = LockFile::new(TENANT);
    mine.insert(
        Kind::User,
        "old@contoso.com",
        capol::symbols::lock::LockEntry {
            id: "a11ce009-0000-4000-8000-000000000009".into(),
            ..Default::default()
        },
    );
    let lock = resolve(&c, &[(Kind::Group, "Team 01".into())], Some(mine), None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(lock.get(Kind::User, "old@contoso.com").is_some());
    assert!(lock.get(Kind::Group, "Team 01").is_some());
}
