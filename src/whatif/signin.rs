//! The facts of one sign-in, and the context the evaluator needs besides the policies.
//!
//! In: what a scenario (or `capol what-if` flags) says about a sign-in, ids already resolved by
//! the caller. Out: plain serde data. Every fact is optional: a policy whose outcome depends on a
//! fact that is not given is reported as unknown, never guessed.

pub use crate::graph::model::{ClientAppType, Platform, RiskLevel};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// One sign-in. Memberships (`groups`, `roles`) and `guest` are complete: a group that is not
/// listed is a group the user is not in, and no `guest` means a member of the directory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignIn {
    /// The user's object id. `None`: no user named; policies that list users are then unknown.
    pub user: Option<String>,
    /// Group object ids the user is a member of (directly or nested).
    pub groups: Vec<String>,
    /// Directory role template ids the user holds.
    pub roles: Vec<String>,
    pub guest: Option<GuestFact>,
    /// A workload-identity sign-in by this service principal (object id) instead of a user.
    pub service_principal: Option<String>,
    pub target: Option<Target>,
    /// `all` here stands for a platform Entra does not recognise: only `all` includes it.
    pub platform: Option<Platform>,
    pub client: Option<ClientAppType>,
    pub location: Option<LocationFact>,
    pub sign_in_risk: Option<RiskLevel>,
    pub user_risk: Option<RiskLevel>,
    pub service_principal_risk: Option<RiskLevel>,
    pub insider_risk: Option<InsiderRisk>,
    pub device: Option<DeviceFact>,
    pub auth_flow: Option<AuthFlow>,
    /// Custom security attributes of the target app, for `applicationFilter` (attribute name as
    /// `Set_Attribute`, value as written; several values comma-separated).
    pub app_attributes: Option<BTreeMap<String, String>>,
    /// Custom security attributes of the signing-in service principal, for
    /// `servicePrincipalFilter`.
    pub service_principal_attributes: Option<BTreeMap<String, String>>,
    /// What the sign-in already did (`methods`, `approved-app`, …). `None`: not stated; the
    /// outcome then says what is required without judging whether it is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<Done>,
}

pub use super::judge::Done;

/// A guest or external user: the Graph flag members that describe them, and their home tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestFact {
    pub types: Vec<GuestType>,
    /// The external tenant id; needed only by policies that enumerate tenants.
    #[serde(default)]
    pub external_tenant: Option<String>,
}

pub use crate::ir::GuestType;

/// What the sign-in is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// An app (resource) by app id.
    App(String),
    /// A user action: `urn:user:registersecurityinfo` or `urn:user:registerdevice`.
    Action(String),
    /// An authentication context class reference: `c1` … `c99`.
    Context(String),
}

/// Where the sign-in comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LocationFact {
    /// An address inside this named location (id).
    Named(String),
    /// An address in no named location.
    Untrusted,
}

/// Insider risk as Graph's what-if API takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InsiderRisk {
    None,
    Minor,
    Moderate,
    Elevated,
}

impl InsiderRisk {
    pub fn graph_name(self) -> &'static str {
        match self {
            InsiderRisk::None => "none",
            InsiderRisk::Minor => "minor",
            InsiderRisk::Moderate => "moderate",
            InsiderRisk::Elevated => "elevated",
        }
    }
}

/// The device the sign-in comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceFact {
    /// Not registered in Entra: every filter attribute is null.
    Unregistered,
    /// A registered device's attributes, named as in filter rules without `device.`
    /// (`trustType`, `isCompliant`, `extensionAttribute1`), values as written.
    Attributes(BTreeMap<String, String>),
}

/// The authentication flow (Graph `transferMethods`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthFlow {
    DeviceCodeFlow,
    AuthenticationTransfer,
    /// Explicitly no transfer flow.
    None,
}

impl AuthFlow {
    pub fn graph_name(self) -> &'static str {
        match self {
            AuthFlow::DeviceCodeFlow => "deviceCodeFlow",
            AuthFlow::AuthenticationTransfer => "authenticationTransfer",
            AuthFlow::None => "none",
        }
    }
}

/// What the evaluator knows besides the policies and the sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EvalContext {
    /// Named-location ids declared trusted (`location HQ = … trusted`): `AllTrusted` matches them.
    pub trusted_locations: BTreeSet<String>,
    /// Optional display names by id (groups, users, locations, apps …), used only in messages.
    pub names: BTreeMap<String, String>,
    /// The combinations of custom authentication strengths (declared or from `capol.lock`).
    pub strengths: super::methods::Strengths,
}

impl EvalContext {
    /// A readable name for an id: the caller's name, a built-in app or role, or the id itself.
    pub fn name<'s>(&'s self, id: &'s str) -> &'s str {
        if let Some(n) = self.names.get(id) {
            return n;
        }
        catalogue_name(id)
            .or_else(|| {
                id.bytes()
                    .any(|b| b.is_ascii_uppercase())
                    .then(|| catalogue_name(&id.to_ascii_lowercase()))
                    .flatten()
            })
            .unwrap_or(id)
    }
}

/// The display name of a built-in app or role by lower-case id. The table is built once and
/// searched by bisection: messages name ids for every skipped policy, so a linear search of the
/// catalogues would dominate evaluation.
fn catalogue_name(id: &str) -> Option<&'static str> {
    static NAMES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        use crate::symbols::catalog;
        let roles = catalog::roles()
            .iter()
            .map(|r| (r.template_id.to_ascii_lowercase(), r.display_name.clone()));
        let apps = catalog::apps()
            .iter()
            .map(|a| (a.app_id.to_ascii_lowercase(), a.display_name.clone()));
        let mut all: Vec<(String, String)> = roles.chain(apps).collect();
        all.sort();
        all.dedup_by(|a, b| a.0 == b.0);
        all
    });
    names
        .binary_search_by(|(k, _)| k.as_str().cmp(id))
        .ok()
        .and_then(|i| names.get(i))
        .map(|(_, n)| n.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_types_use_graph_names() {
        for t in GuestType::ALL {
            assert_eq!(GuestType::from_graph(t.graph_name()), Some(t));
            assert_eq!(
                serde_json::to_value(t).ok(),
                Some(serde_json::Value::String(t.graph_name().into()))
            );
        }
        assert_eq!(
            GuestType::from_graph(" B2BCollaborationGuest"),
            Some(GuestType::B2bCollaborationGuest)
        );
    }

    #[test]
    fn sign_in_round_trips_through_json() {
        let s = SignIn {
            user: Some("u1".into()),
            target: Some(Target::Action("urn:user:registersecurityinfo".into())),
            location: Some(LocationFact::Untrusted),
            device: Some(DeviceFact::Unregistered),
            auth_flow: Some(AuthFlow::None),
            platform: Some(Platform::Ios),
            ..SignIn::default()
        };
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert!(
            json.contains(r#""target":{"action":"urn:user:registersecurityinfo"}"#),
            "{json}"
        );
        assert!(json.contains(r#""platform":"iOS""#), "{json}");
        let back: Option<SignIn> = serde_json::from_str(&json).ok();
        assert_eq!(back, Some(s));
    }

    #[test]
    fn names_fall_back_to_catalogues_and_ids() {
        let mut ctx = EvalContext::default();
        ctx.names.insert("g1".into(), "BreakGlass".into());
        assert_eq!(ctx.name("g1"), "BreakGlass");
        assert_eq!(
            ctx.name("62e90394-69f5-4237-9190-012177145e10"),
            "Global Administrator"
        );
        assert_eq!(
            ctx.name("797f4846-ba00-4fd7-ba43-dac1f8f63013"),
            "Windows Azure Service Management API"
        );
        assert_eq!(ctx.name("x"), "x");
    }
}
