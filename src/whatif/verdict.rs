//! What the evaluator says about one policy.
//!
//! In: nothing (plain data). Out: [`Verdict`] per policy, with a [`Reason`] from Graph's
//! `whatIfAnalysisReasons` vocabulary when the policy does not apply, or the missing [`Fact`]s
//! when its outcome depends on something the sign-in does not say.

use crate::graph::model::PolicyState;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// Why a policy does not apply: the members of Graph's `whatIfAnalysisReasons` that the offline
/// evaluator can produce, serialised exactly as Graph spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    NotEnoughInformation,
    InvalidCondition,
    Users,
    WorkloadIdentities,
    Application,
    UserActions,
    AuthenticationContext,
    DevicePlatform,
    Devices,
    ClientApps,
    Location,
    SignInRisk,
    EmptyPolicy,
    InvalidPolicy,
    PolicyNotEnabled,
    UserRisk,
    InsiderRisk,
    AuthenticationFlow,
}

impl Reason {
    /// The Graph member name (`devicePlatform`).
    pub fn graph_name(self) -> &'static str {
        match self {
            Reason::NotEnoughInformation => "notEnoughInformation",
            Reason::InvalidCondition => "invalidCondition",
            Reason::Users => "users",
            Reason::WorkloadIdentities => "workloadIdentities",
            Reason::Application => "application",
            Reason::UserActions => "userActions",
            Reason::AuthenticationContext => "authenticationContext",
            Reason::DevicePlatform => "devicePlatform",
            Reason::Devices => "devices",
            Reason::ClientApps => "clientApps",
            Reason::Location => "location",
            Reason::SignInRisk => "signInRisk",
            Reason::EmptyPolicy => "emptyPolicy",
            Reason::InvalidPolicy => "invalidPolicy",
            Reason::PolicyNotEnabled => "policyNotEnabled",
            Reason::UserRisk => "userRisk",
            Reason::InsiderRisk => "insiderRisk",
            Reason::AuthenticationFlow => "authenticationFlow",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.graph_name())
    }
}

/// A sign-in fact a policy can depend on, named as the scenario language writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    User,
    /// The guest's external tenant (policies that enumerate tenants).
    GuestTenant,
    /// The app, user action or authentication context.
    App,
    Platform,
    Client,
    Location,
    SignInRisk,
    UserRisk,
    ServicePrincipalRisk,
    InsiderRisk,
    Device,
    AuthFlow,
    AppAttributes,
    ServicePrincipalAttributes,
    /// Whether the sign-in is an agent's (beta agent identities, agent users, their risk and
    /// context): no scenario fact says it.
    Agent,
}

impl Fact {
    /// The fact as a scenario writes it (`sign-in-risk`).
    pub fn keyword(self) -> &'static str {
        match self {
            Fact::User => "user",
            Fact::GuestTenant => "guest tenant",
            Fact::App => "app",
            Fact::Platform => "platform",
            Fact::Client => "client",
            Fact::Location => "location",
            Fact::SignInRisk => "sign-in-risk",
            Fact::UserRisk => "user-risk",
            Fact::ServicePrincipalRisk => "service-principal-risk",
            Fact::InsiderRisk => "insider-risk",
            Fact::Device => "device",
            Fact::AuthFlow => "auth-flow",
            Fact::AppAttributes => "app attributes",
            Fact::ServicePrincipalAttributes => "service-principal attributes",
            Fact::Agent => "agent",
        }
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// The facts as a readable list: "`platform` and `location`".
pub fn fact_list(facts: &[Fact]) -> String {
    let words: Vec<String> = facts.iter().map(|f| format!("`{f}`")).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The evaluator's answer for one policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "camelCase")]
pub enum Verdict {
    /// Every condition matches (for a report-only policy: it would apply).
    Applies,
    /// The first condition, in evaluation order, that does not match. The detail is shared
    /// text (many sign-ins skip a policy for the same reason).
    Skipped {
        reason: Reason,
        #[serde(serialize_with = "serialize_str")]
        detail: Arc<str>,
    },
    /// No condition fails, but some depend on facts the sign-in does not give.
    Unknown { missing: Vec<Fact>, detail: String },
}

/// One policy's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyResult {
    /// The display name (shared with the prepared policy: evaluating many sign-ins copies no text).
    #[serde(serialize_with = "serialize_str")]
    pub policy: Arc<str>,
    pub state: PolicyState,
    #[serde(flatten)]
    pub verdict: Verdict,
}

pub(crate) fn serialize_str<S: serde::Serializer>(s: &Arc<str>, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s)
}

impl PolicyResult {
    /// Enforced (`mode on`): only these change the outcome.
    pub fn enforced(&self) -> bool {
        self.state == PolicyState::Enabled
    }
    pub fn applies(&self) -> bool {
        self.verdict == Verdict::Applies
    }
    /// The state as the language writes it.
    pub fn state_word(&self) -> &'static str {
        state_word(self.state)
    }
    /// `applies`, `would apply` (report-only), `skipped` or `unknown`.
    pub fn verdict_word(&self) -> &'static str {
        match (&self.verdict, self.state) {
            (Verdict::Applies, PolicyState::ReportOnly) => "would apply",
            (Verdict::Applies, _) => "applies",
            (Verdict::Skipped { .. }, _) => "skipped",
            (Verdict::Unknown { .. }, _) => "unknown",
        }
    }
    /// The reason column: `location: …`, `notEnoughInformation: needs …`, or nothing.
    pub fn reason_text(&self) -> String {
        match &self.verdict {
            Verdict::Applies => String::new(),
            Verdict::Skipped { reason, detail } => format!("{reason}: {detail}"),
            Verdict::Unknown { missing, detail } => {
                format!(
                    "{}: needs {} ({detail})",
                    Reason::NotEnoughInformation,
                    fact_list(missing)
                )
            }
        }
    }
}

/// The `mode` word of a state (`report-only`), from `crate::vocab`.
pub fn state_word(state: PolicyState) -> &'static str {
    crate::vocab::STATE.word_or_graph(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_serialise_like_graph() {
        for (r, name) in [
            (Reason::Users, "users"),
            (Reason::WorkloadIdentities, "workloadIdentities"),
            (Reason::DevicePlatform, "devicePlatform"),
            (Reason::PolicyNotEnabled, "policyNotEnabled"),
            (Reason::AuthenticationFlow, "authenticationFlow"),
            (Reason::NotEnoughInformation, "notEnoughInformation"),
        ] {
            assert_eq!(
                serde_json::to_value(r).ok(),
                Some(serde_json::Value::String(name.into()))
            );
            assert_eq!(r.to_string(), name);
        }
    }

    #[test]
    fn verdicts_serialise_flat() {
        let r = PolicyResult {
            policy: "P".into(),
            state: PolicyState::Enabled,
            verdict: Verdict::Skipped {
                reason: Reason::Location,
                detail: "d".into(),
            },
        };
        let json = serde_json::to_string(&r).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"policy":"P","state":"enabled","verdict":"skipped","reason":"location","detail":"d"}"#
        );
        let u = PolicyResult {
            verdict: Verdict::Unknown {
                missing: vec![Fact::SignInRisk],
                detail: "d".into(),
            },
            ..r
        };
        let json = serde_json::to_string(&u).unwrap_or_default();
        assert!(
            json.contains(r#""verdict":"unknown","missing":["sign-in-risk"]"#),
            "{json}"
        );
    }

    #[test]
    fn words() {
        let mut r = PolicyResult {
            policy: "P".into(),
            state: PolicyState::ReportOnly,
            verdict: Verdict::Applies,
        };
        assert_eq!(
            (r.state_word(), r.verdict_word()),
            ("report-only", "would apply")
        );
        r.verdict = Verdict::Unknown {
            missing: vec![Fact::Platform, Fact::Location],
            detail: "x".into(),
        };
        assert_eq!(
            r.reason_text(),
            "notEnoughInformation: needs `platform` and `location` (x)"
        );
    }
}
