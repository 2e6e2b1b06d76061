//! One descriptor per Graph property of a `conditionalAccessPolicy`: its path, the clause of
//! the language that writes it, the API version that has it, and the vocabulary of its values.
//!
//! In: a property path (`conditions.users.excludeGroups`). Out: its descriptor, the members an
//! object may hold (for import), the clause and the source words of a value (for the plan).

use super::{Words, tables as v};

/// Where a property exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    V1,
    /// Beta only (or deprecated and kept in beta).
    Beta,
}

/// What capol does with a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Written by the clause.
    Clause(&'static str),
    /// Set by the service; read and ignored.
    ReadOnly,
    /// A property capol does not express: accepted on import only when it carries nothing.
    Unexpressed,
}

#[derive(Clone, Copy)]
pub struct Field {
    pub path: &'static str,
    pub api: Api,
    pub use_: Use,
    /// Graph string → source word, for enum-valued properties.
    pub words: Option<&'static dyn Words>,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:?}, {:?})", self.path, self.api, self.use_)
    }
}

impl Field {
    pub fn clause(&self) -> Option<&'static str> {
        match self.use_ {
            Use::Clause(c) => Some(c),
            _ => None,
        }
    }
}

const fn c(path: &'static str, clause: &'static str) -> Field {
    Field {
        path,
        api: Api::V1,
        use_: Use::Clause(clause),
        words: None,
    }
}
const fn cw(path: &'static str, clause: &'static str, words: &'static dyn Words) -> Field {
    Field {
        path,
        api: Api::V1,
        use_: Use::Clause(clause),
        words: Some(words),
    }
}
const fn beta(f: Field) -> Field {
    Field {
        api: Api::Beta,
        ..f
    }
}
const fn read_only(path: &'static str) -> Field {
    Field {
        path,
        api: Api::V1,
        use_: Use::ReadOnly,
        words: None,
    }
}
const fn unexpressed(path: &'static str, api: Api) -> Field {
    Field {
        path,
        api,
        use_: Use::Unexpressed,
        words: None,
    }
}

/// Every property, parents before children.
pub static FIELDS: &[Field] = &[
    c("displayName", "policy name"),
    c("description", "description"),
    cw("state", "mode", &v::STATE),
    read_only("id"),
    read_only("createdDateTime"),
    read_only("modifiedDateTime"),
    read_only("deletedDateTime"),
    read_only("templateId"),
    unexpressed("partialEnablementStrategy", Api::Beta),
    c("conditions", "for/exclude/when"),
    // users
    c("conditions.users", "for/exclude users"),
    c("conditions.users.includeUsers", "for user"),
    c("conditions.users.excludeUsers", "exclude user"),
    c("conditions.users.includeGroups", "for group"),
    c("conditions.users.excludeGroups", "exclude group"),
    c("conditions.users.includeRoles", "for role"),
    c("conditions.users.excludeRoles", "exclude role"),
    c(
        "conditions.users.includeGuestsOrExternalUsers",
        "for guests",
    ),
    c(
        "conditions.users.excludeGuestsOrExternalUsers",
        "exclude guests",
    ),
    // applications
    c("conditions.applications", "for/exclude apps"),
    c("conditions.applications.includeApplications", "for app"),
    c("conditions.applications.excludeApplications", "exclude app"),
    cw(
        "conditions.applications.includeUserActions",
        "for action",
        &v::USER_ACTION,
    ),
    c(
        "conditions.applications.includeAuthenticationContextClassReferences",
        "for context",
    ),
    c("conditions.applications.applicationFilter", "apps where"),
    beta(c(
        "conditions.applications.networkAccess",
        "for traffic-profile",
    )),
    beta(cw(
        "conditions.applications.networkAccess.includeTrafficProfiles",
        "for traffic-profile",
        &v::TRAFFIC_PROFILE,
    )),
    beta(c(
        "conditions.applications.globalSecureAccess",
        "for traffic-profile",
    )),
    beta(cw(
        "conditions.applications.globalSecureAccess.includeTrafficProfiles",
        "for traffic-profile",
        &v::TRAFFIC_PROFILE,
    )),
    unexpressed("conditions.applications.includeProtectionLevels", Api::Beta),
    // workload identities
    c(
        "conditions.clientApplications",
        "for/exclude service-principals",
    ),
    c(
        "conditions.clientApplications.includeServicePrincipals",
        "for service-principal",
    ),
    c(
        "conditions.clientApplications.excludeServicePrincipals",
        "exclude service-principal",
    ),
    unexpressed(
        "conditions.clientApplications.servicePrincipalFilter",
        Api::V1,
    ),
    beta(c(
        "conditions.clientApplications.includeAgentIdServicePrincipals",
        "for agent-identity",
    )),
    beta(c(
        "conditions.clientApplications.excludeAgentIdServicePrincipals",
        "exclude agent-identity",
    )),
    beta(c(
        "conditions.clientApplications.agentIdServicePrincipalFilter",
        "agent-identities where",
    )),
    cw("conditions.clientAppTypes", "when client", &v::CLIENT_APP),
    c("conditions.platforms", "when/exclude platform"),
    cw(
        "conditions.platforms.includePlatforms",
        "when platform",
        &v::PLATFORM,
    ),
    cw(
        "conditions.platforms.excludePlatforms",
        "exclude platform",
        &v::PLATFORM,
    ),
    c("conditions.locations", "when/exclude location"),
    c("conditions.locations.includeLocations", "when location"),
    c("conditions.locations.excludeLocations", "exclude location"),
    c("conditions.devices", "devices where"),
    c("conditions.devices.deviceFilter", "devices where"),
    beta(cw(
        "conditions.devices.includeDevices",
        "when legacy-device",
        &v::DEVICE_STATE,
    )),
    beta(cw(
        "conditions.devices.excludeDevices",
        "exclude legacy-device",
        &v::DEVICE_STATE,
    )),
    unexpressed("conditions.devices.includeDeviceStates", Api::Beta),
    unexpressed("conditions.devices.excludeDeviceStates", Api::Beta),
    cw("conditions.signInRiskLevels", "when sign-in-risk", &v::RISK),
    cw("conditions.userRiskLevels", "when user-risk", &v::RISK),
    cw(
        "conditions.servicePrincipalRiskLevels",
        "when service-principal-risk",
        &v::RISK,
    ),
    cw(
        "conditions.insiderRiskLevels",
        "when insider-risk",
        &v::INSIDER_RISK,
    ),
    c("conditions.authenticationFlows", "when auth-flow"),
    cw(
        "conditions.authenticationFlows.transferMethods",
        "when auth-flow",
        &v::TRANSFER_METHOD,
    ),
    beta(c(
        "conditions.deviceStates",
        "when/exclude legacy-device-state",
    )),
    beta(cw(
        "conditions.deviceStates.includeStates",
        "when legacy-device-state",
        &v::DEVICE_STATE,
    )),
    beta(cw(
        "conditions.deviceStates.excludeStates",
        "exclude legacy-device-state",
        &v::DEVICE_STATE,
    )),
    unexpressed("conditions.times", Api::Beta),
    unexpressed("conditions.clients", Api::Beta),
    beta(c("conditions.agents", "for/exclude agent-users")),
    beta(c("conditions.agents.includeAgentUsers", "for agent-user")),
    beta(c(
        "conditions.agents.excludeAgentUsers",
        "exclude agent-user",
    )),
    beta(c("conditions.agents.agentFilter", "agent-users where")),
    beta(c("conditions.agentContext", "when/exclude agent-context")),
    beta(cw(
        "conditions.agentContext.includeAgentContexts",
        "when agent-context",
        &v::AGENT_CONTEXT,
    )),
    beta(cw(
        "conditions.agentContext.excludeAgentContexts",
        "exclude agent-context",
        &v::AGENT_CONTEXT,
    )),
    beta(cw(
        "conditions.agentIdRiskLevels",
        "when agent-risk",
        &v::AGENT_RISK,
    )),
    // grant
    c("grantControls", "require/block"),
    cw("grantControls.operator", "require … and/or", &v::OPERATOR),
    cw(
        "grantControls.builtInControls",
        "require/block",
        &v::CONTROL,
    ),
    unexpressed("grantControls.customAuthenticationFactors", Api::V1),
    c("grantControls.termsOfUse", "require terms"),
    c("grantControls.authenticationStrength", "require strength"),
    // session
    c("sessionControls", "session"),
    c(
        "sessionControls.signInFrequency",
        "session sign-in-frequency",
    ),
    cw(
        "sessionControls.signInFrequency.type",
        "session sign-in-frequency",
        &v::FREQUENCY_UNIT,
    ),
    c(
        "sessionControls.persistentBrowser",
        "session persistent-browser",
    ),
    cw(
        "sessionControls.persistentBrowser.mode",
        "session persistent-browser",
        &v::PERSISTENT_BROWSER,
    ),
    c(
        "sessionControls.applicationEnforcedRestrictions",
        "session app-enforced-restrictions",
    ),
    c(
        "sessionControls.cloudAppSecurity",
        "session cloud-app-security",
    ),
    cw(
        "sessionControls.cloudAppSecurity.cloudAppSecurityType",
        "session cloud-app-security",
        &v::CLOUD_APP_SECURITY,
    ),
    c(
        "sessionControls.secureSignInSession",
        "session token-protection",
    ),
    beta(c(
        "sessionControls.continuousAccessEvaluation",
        "session cae",
    )),
    beta(cw(
        "sessionControls.continuousAccessEvaluation.mode",
        "session cae",
        &v::CAE,
    )),
    c(
        "sessionControls.disableResilienceDefaults",
        "session no-resilience-defaults",
    ),
    beta(c(
        "sessionControls.globalSecureAccessFilteringProfile",
        "session filtering-profile",
    )),
    beta(c(
        "sessionControls.networkAccessSecurity",
        "session network-access-security",
    )),
    unexpressed("sessionControls.blockSensitiveActions", Api::Beta),
];

/// The descriptor of a property, by its exact path.
pub fn field(path: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.path == path)
}

/// The direct members of the object at `parent` (`""` for the policy itself): those capol
/// reads (clauses and read-only properties), and those it accepts only when they carry nothing.
pub fn members_of(parent: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let (mut known, mut unexpressed) = (Vec::new(), Vec::new());
    for f in FIELDS {
        let rest = if parent.is_empty() {
            Some(f.path)
        } else {
            f.path
                .strip_prefix(parent)
                .and_then(|r| r.strip_prefix('.'))
        };
        let Some(name) = rest.filter(|r| !r.contains('.')) else {
            continue;
        };
        match f.use_ {
            Use::Unexpressed => unexpressed.push(name),
            Use::Clause(_) | Use::ReadOnly => known.push(name),
        }
    }
    (known, unexpressed)
}

/// The most specific descriptor that covers `path` (a changed field's path in a plan, which
/// may go deeper than any descriptor: `sessionControls.signInFrequency.value`).
fn covering(path: &str) -> Option<&'static Field> {
    FIELDS
        .iter()
        .filter(|f| {
            path.strip_prefix(f.path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
        .max_by_key(|f| f.path.len())
}

/// The clause of the language that writes the property at `path`: `conditions.users.
/// excludeGroups` → `exclude group`, `state` → `mode`.
pub fn clause_for_path(path: &str) -> Option<&'static str> {
    covering(path).and_then(Field::clause)
}

/// The source words of a Graph value at exactly `path`, when the property has a vocabulary
/// and every member has a word: `"enabledForReportingButNotEnforced"` → `report-only`,
/// `["iOS","android"]` → `ios, android`, flags `"minor,elevated"` → `minor, elevated`.
pub fn words_for_path(path: &str, value: &serde_json::Value) -> Option<String> {
    let words = field(path)?.words?;
    let one = |s: &str| -> Option<Vec<&'static str>> {
        s.split(',')
            .map(|part| words.word_of_graph(part.trim()))
            .collect()
    };
    let list = match value {
        serde_json::Value::String(s) => one(s)?,
        serde_json::Value::Array(a) => {
            let mut out = Vec::new();
            for x in a {
                out.extend(one(x.as_str()?)?);
            }
            out
        }
        _ => return None,
    };
    Some(if list.is_empty() {
        "(none)".to_string()
    } else {
        list.join(", ")
    })
}
