//! Shared test support: the fake Graph, a client wired to it, realistic compiled policies.

pub mod browser;
#[cfg(feature = "tenant")]
pub mod cli;
pub mod compile;
#[cfg(feature = "tenant")]
pub mod drop_proxy;
#[cfg(feature = "tenant")]
pub mod fake_graph;
pub mod lsp_client;
#[cfg(feature = "tenant")]
pub mod read_view;

#[cfg(feature = "tenant")]
use capol::graph::auth::StaticTokenCredential;
#[cfg(feature = "tenant")]
use capol::graph::client::{ApiVersion, GraphClient};
#[cfg(feature = "tenant")]
use capol::graph::retry::{ProgressFn, RetryPolicy};
#[cfg(feature = "tenant")]
use fake_graph::{FakeGraph, TOKEN};
#[cfg(feature = "tenant")]
use serde_json::{Value, json};
#[cfg(feature = "tenant")]
use std::sync::{Arc, Mutex};
#[cfg(feature = "tenant")]
use std::time::Duration;

#[cfg(feature = "tenant")]
pub const BREAK_GLASS_GROUP: &str = "0b1d2b8e-5c4f-4e1a-9f0e-2a7c3b9d1e01";
#[cfg(feature = "tenant")]
pub const BREAK_GLASS_USER: &str = "7c1e9a2b-3d4f-4a5b-8c6d-9e0f1a2b3c4d";
#[cfg(feature = "tenant")]
pub const TERMS: &str = "ce580154-086a-40fd-91df-8a60abac81a0";

/// Fast retries, a short timeout (so a delayed answer (3 s) counts as lost), no write pacing.
#[cfg(feature = "tenant")]
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::fast(5, Duration::from_millis(1000))
}

/// Progress lines, collected.
#[cfg(feature = "tenant")]
#[derive(Clone, Default)]
pub struct Lines(pub Arc<Mutex<Vec<String>>>);

#[cfg(feature = "tenant")]
impl Lines {
    pub fn callback(&self) -> ProgressFn {
        let lines = self.0.clone();
        Arc::new(move |e| {
            lines
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(e.to_string())
        })
    }
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(feature = "tenant")]
pub fn client(fake: &FakeGraph) -> (GraphClient, Lines) {
    let lines = Lines::default();
    let c = GraphClient::new(
        &fake.uri(),
        ApiVersion::V1,
        StaticTokenCredential::new(TOKEN),
        "https://graph.microsoft.com/.default",
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .with_retry(fast_retry())
    .with_write_rate(0.0)
    .with_progress(lines.callback());
    (c, lines)
}

/// Realistic compiled bodies, as the emitter writes them.
#[cfg(feature = "tenant")]
pub fn desired() -> Vec<Value> {
    vec![
        json!({"displayName": "Require MFA for Azure management", "state": "enabledForReportingButNotEnforced",
            "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": [BREAK_GLASS_GROUP]},
                "applications": {"includeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]},
                "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}, "sessionControls": null}),
        json!({"displayName": "Block legacy authentication", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": [BREAK_GLASS_GROUP], "excludeUsers": [BREAK_GLASS_USER]},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["exchangeActiveSync", "other"]},
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}, "sessionControls": null}),
        json!({"displayName": "Phishing-resistant MFA for admins", "state": "enabled",
            "conditions": {"users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10", "194ae4cb-b126-40b2-bd5b-6091b380977d"],
                    "excludeGroups": [BREAK_GLASS_GROUP]},
                "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}},
            "sessionControls": {"signInFrequency": {"isEnabled": true, "value": 4, "type": "hours",
                "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}}}),
        json!({"displayName": "Block workload identities outside trusted locations", "state": "enabledForReportingButNotEnforced",
            "conditions": {"clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]},
                "applications": {"includeApplications": ["All"]},
                "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}, "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}, "sessionControls": null}),
        json!({"displayName": "Guests accept the terms of use", "state": "enabled",
            "conditions": {"users": {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
                    "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}}},
                "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "termsOfUse": [TERMS]}, "sessionControls": null}),
        json!({"displayName": "No persistent browser on unmanaged devices", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": [BREAK_GLASS_GROUP]},
                "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["browser"],
                "devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True -or device.trustType -eq \"ServerAD\""}}},
            "grantControls": null,
            "sessionControls": {"persistentBrowser": {"isEnabled": true, "mode": "never"}}}),
    ]
}

/// A policy someone made by hand in the portal.
#[cfg(feature = "tenant")]
pub fn unmanaged() -> Value {
    json!({"displayName": "Hand-made: MFA for Intune enrollment", "state": "disabled",
        "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["d4ebce55-015a-49b5-a083-c84d1797ae8c"]},
            "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
}
