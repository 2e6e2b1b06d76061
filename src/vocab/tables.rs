//! Every closed vocabulary of the language and the Graph contract, one table each: word ↔ IR
//! value ↔ Graph string. Flags and lists are in Graph's member order; single-valued choices in
//! the order the language's messages offer them.

use super::{Term, Vocab, graph_only, t};
use crate::graph::model::{
    BuiltInControl, CaeMode, ClientAppType, CloudAppSecurityType, FilterMode, FrequencyUnit,
    Operator, PersistentBrowserMode, Platform, PolicyState, RiskLevel,
};
use crate::ir::{
    AgentContext, AgentRisk, DeviceState, GuestType, InsiderRisk, TrafficProfile, TransferMethod,
};

/// `mode`: the policy's `state`.
pub static STATE: Vocab<PolicyState> = Vocab {
    what: "mode",
    terms: &[
        t("on", PolicyState::Enabled, "enabled"),
        t("off", PolicyState::Disabled, "disabled"),
        t(
            "report-only",
            PolicyState::ReportOnly,
            "enabledForReportingButNotEnforced",
        ),
    ],
};

/// `platform`: `conditions.platforms.include/excludePlatforms`.
pub static PLATFORM: Vocab<Platform> = Vocab {
    what: "platform",
    terms: &[
        t("android", Platform::Android, "android"),
        t("ios", Platform::Ios, "iOS"),
        t("windows", Platform::Windows, "windows"),
        t("windows-phone", Platform::WindowsPhone, "windowsPhone"),
        t("macos", Platform::MacOs, "macOS"),
        t("linux", Platform::Linux, "linux"),
        t("any", Platform::All, "all"),
    ],
};

/// `client`: `conditions.clientAppTypes`. `all` is what no `when client` means.
pub static CLIENT_APP: Vocab<ClientAppType> = Vocab {
    what: "client app type",
    terms: &[
        graph_only(ClientAppType::All, "all"),
        t("browser", ClientAppType::Browser, "browser"),
        t(
            "mobile-desktop",
            ClientAppType::MobileAppsAndDesktopClients,
            "mobileAppsAndDesktopClients",
        ),
        t(
            "exchange-activesync",
            ClientAppType::ExchangeActiveSync,
            "exchangeActiveSync",
        ),
        graph_only(ClientAppType::EasSupported, "easSupported"),
        t("other", ClientAppType::Other, "other"),
    ],
};

/// `sign-in-risk`, `user-risk`, `service-principal-risk`: Graph's `riskLevel`.
pub static RISK: Vocab<RiskLevel> = Vocab {
    what: "risk level",
    terms: &[
        t("low", RiskLevel::Low, "low"),
        t("medium", RiskLevel::Medium, "medium"),
        t("high", RiskLevel::High, "high"),
        graph_only(RiskLevel::Hidden, "hidden"),
        t("none", RiskLevel::None, "none"),
    ],
};

/// `insider-risk`: the flags `conditionalAccessInsiderRiskLevels`.
pub static INSIDER_RISK: Vocab<InsiderRisk> = Vocab {
    what: "insider risk level",
    terms: &[
        t("minor", InsiderRisk::Minor, "minor"),
        t("moderate", InsiderRisk::Moderate, "moderate"),
        t("elevated", InsiderRisk::Elevated, "elevated"),
    ],
};

/// `agent-risk` (beta): the flags `conditionalAccessAgentIdRiskLevels`.
pub static AGENT_RISK: Vocab<AgentRisk> = Vocab {
    what: "agent risk level",
    terms: &[
        t("low", AgentRisk::Low, "low"),
        t("medium", AgentRisk::Medium, "medium"),
        t("high", AgentRisk::High, "high"),
    ],
};

/// `agent-context` (beta): the members of `conditionalAccessAgentContext`'s lists.
pub static AGENT_CONTEXT: Vocab<AgentContext> = Vocab {
    what: "agent context",
    terms: &[t(
        "user-sessions-from-endpoints",
        AgentContext::UserSessionsFromEndpoints,
        "agentUserSessionsInitiatedFromEndpoints",
    )],
};

/// `legacy-device-state`, `legacy-device` (beta, deprecated): the strings of `deviceStates.
/// includeStates` / `excludeStates` and `devices.includeDevices` / `excludeDevices`.
pub static DEVICE_STATE: Vocab<DeviceState> = Vocab {
    what: "legacy device state",
    terms: &[
        // Written `when all legacy-device-states` / `when all legacy-devices`.
        graph_only(DeviceState::All, "All"),
        t("compliant", DeviceState::Compliant, "Compliant"),
        t("domain-joined", DeviceState::DomainJoined, "DomainJoined"),
    ],
};

/// `traffic-profile` (beta): the flags of `networkAccess.includeTrafficProfiles`.
pub static TRAFFIC_PROFILE: Vocab<TrafficProfile> = Vocab {
    what: "traffic profile",
    terms: &[
        t("m365", TrafficProfile::M365, "m365"),
        t("internet", TrafficProfile::Internet, "internet"),
        t("private", TrafficProfile::Private, "private"),
    ],
};

/// `auth-flow`: the flags `conditionalAccessTransferMethods`.
pub static TRANSFER_METHOD: Vocab<TransferMethod> = Vocab {
    what: "authentication flow",
    terms: &[
        t(
            "device-code",
            TransferMethod::DeviceCodeFlow,
            "deviceCodeFlow",
        ),
        t(
            "authentication-transfer",
            TransferMethod::AuthenticationTransfer,
            "authenticationTransfer",
        ),
    ],
};

/// `require …`: `grantControls.builtInControls`. `block` is its own clause.
pub static CONTROL: Vocab<BuiltInControl> = Vocab {
    what: "grant control",
    terms: &[
        t("block", BuiltInControl::Block, "block"),
        t("mfa", BuiltInControl::Mfa, "mfa"),
        t(
            "compliant-device",
            BuiltInControl::CompliantDevice,
            "compliantDevice",
        ),
        t(
            "hybrid-joined-device",
            BuiltInControl::DomainJoinedDevice,
            "domainJoinedDevice",
        ),
        t(
            "approved-app",
            BuiltInControl::ApprovedApplication,
            "approvedApplication",
        ),
        t(
            "compliant-app",
            BuiltInControl::CompliantApplication,
            "compliantApplication",
        ),
        t(
            "password-change",
            BuiltInControl::PasswordChange,
            "passwordChange",
        ),
        t(
            "risk-remediation",
            BuiltInControl::RiskRemediation,
            "riskRemediation",
        ),
    ],
};

/// `require a and b` / `or`: `grantControls.operator`.
pub static OPERATOR: Vocab<Operator> = Vocab {
    what: "grant operator",
    terms: &[t("or", Operator::Or, "OR"), t("and", Operator::And, "AND")],
};

/// `session persistent-browser …`.
pub static PERSISTENT_BROWSER: Vocab<PersistentBrowserMode> = Vocab {
    what: "persistent-browser mode",
    terms: &[
        t("never", PersistentBrowserMode::Never, "never"),
        t("always", PersistentBrowserMode::Always, "always"),
    ],
};

/// `session cloud-app-security …`.
pub static CLOUD_APP_SECURITY: Vocab<CloudAppSecurityType> = Vocab {
    what: "cloud-app-security mode",
    terms: &[
        t(
            "monitor-only",
            CloudAppSecurityType::MonitorOnly,
            "monitorOnly",
        ),
        t(
            "block-downloads",
            CloudAppSecurityType::BlockDownloads,
            "blockDownloads",
        ),
        t(
            "custom",
            CloudAppSecurityType::McasConfigured,
            "mcasConfigured",
        ),
    ],
};

/// `session cae …` (beta).
pub static CAE: Vocab<CaeMode> = Vocab {
    what: "continuous access evaluation mode",
    terms: &[
        t("disabled", CaeMode::Disabled, "disabled"),
        t("strict", CaeMode::StrictEnforcement, "strictEnforcement"),
        t("strict-location", CaeMode::StrictLocation, "strictLocation"),
    ],
};

/// `session sign-in-frequency N hours|days`: `signInFrequency.type`.
pub static FREQUENCY_UNIT: Vocab<FrequencyUnit> = Vocab {
    what: "sign-in frequency unit",
    terms: &[
        t("hours", FrequencyUnit::Hours, "hours"),
        t("days", FrequencyUnit::Days, "days"),
    ],
};

/// `where` filters: `mode` of a `conditionalAccessFilter` (the side of the clause).
pub static FILTER_MODE: Vocab<FilterMode> = Vocab {
    what: "filter mode",
    terms: &[
        t("when", FilterMode::Include, "include"),
        t("exclude", FilterMode::Exclude, "exclude"),
    ],
};

/// `guests TYPE`: the flags `conditionalAccessGuestOrExternalUserTypes`.
pub static GUEST_TYPE: Vocab<GuestType> = Vocab {
    what: "guest type",
    terms: &[
        t("internal-guest", GuestType::InternalGuest, "internalGuest"),
        t(
            "b2b-collaboration-guest",
            GuestType::B2bCollaborationGuest,
            "b2bCollaborationGuest",
        ),
        t(
            "b2b-collaboration-member",
            GuestType::B2bCollaborationMember,
            "b2bCollaborationMember",
        ),
        t(
            "b2b-direct-connect-user",
            GuestType::B2bDirectConnectUser,
            "b2bDirectConnectUser",
        ),
        t(
            "other-external-user",
            GuestType::OtherExternalUser,
            "otherExternalUser",
        ),
        t(
            "service-provider",
            GuestType::ServiceProvider,
            "serviceProvider",
        ),
    ],
};

/// `action …`: `applications.includeUserActions`; the value is Graph's URN.
pub static USER_ACTION: Vocab<&'static str> = Vocab {
    what: "user action",
    terms: &[
        t(
            "register-security-info",
            "urn:user:registersecurityinfo",
            "urn:user:registersecurityinfo",
        ),
        t(
            "register-device",
            "urn:user:registerdevice",
            "urn:user:registerdevice",
        ),
    ],
};

/// Keywords that stand where ids go and exist only in the Graph beta API: `for user
/// AllAgentIdUsers` (every agent user), `for app AllAgentIdResources` (every agent resource).
pub const BETA_USER_KEYWORDS: &[&str] = &["AllAgentIdUsers"];
pub const BETA_APP_KEYWORDS: &[&str] = &["AllAgentIdResources"];

/// The comma-joined flags string of `values`, in the vocabulary's order.
pub fn flags<T: Copy + PartialEq>(vocab: &Vocab<T>, values: &[T]) -> String {
    vocab
        .terms
        .iter()
        .filter(|t: &&Term<T>| values.contains(&t.value))
        .map(|t| t.graph)
        .collect::<Vec<_>>()
        .join(",")
}
