//! The serde model of the Graph `conditionalAccessPolicy` POST body (v1.0, plus the few beta
//! properties the language can express).
//!
//! In: nothing (plain data). Out: JSON through serde. Field order follows Graph's documentation;
//! empty collections and absent complex values are left out, except the ones Graph requires
//! (`users` or `clientApplications`, `applications`, `clientAppTypes`) and `grantControls` /
//! `sessionControls`, which are written as `null` when unset.

use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub state: PolicyState,
    pub conditions: Conditions,
    #[serde(default)]
    pub grant_controls: Option<GrantControls>,
    #[serde(default)]
    pub session_controls: Option<SessionControls>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyState {
    #[serde(rename = "enabled")]
    Enabled,
    #[serde(rename = "disabled")]
    Disabled,
    #[serde(rename = "enabledForReportingButNotEnforced")]
    ReportOnly,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Users>,
    pub applications: Applications,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_applications: Option<ClientApplications>,
    #[serde(default)]
    pub client_app_types: Vec<ClientAppType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Platforms>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Locations>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<Devices>,
    /// Beta, deprecated: legacy device states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_states: Option<DeviceStates>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign_in_risk_levels: Vec<RiskLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_risk_levels: Vec<RiskLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_principal_risk_levels: Vec<RiskLevel>,
    /// Flags: comma-joined `minor`, `moderate`, `elevated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insider_risk_levels: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_flows: Option<AuthenticationFlows>,
    /// Beta: agent users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<Agents>,
    /// Beta: where agent users' sessions come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_context: Option<AgentContext>,
    /// Beta flags: comma-joined `low`, `medium`, `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id_risk_levels: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Users {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_users: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_users: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_guests_or_external_users: Option<GuestsOrExternalUsers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_guests_or_external_users: Option<GuestsOrExternalUsers>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestsOrExternalUsers {
    /// Flags: comma-joined guest types, in Graph's member order.
    pub guest_or_external_user_types: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_tenants: Option<ExternalTenants>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalTenants {
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    #[serde(rename = "membershipKind")]
    pub membership_kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

impl ExternalTenants {
    pub fn all() -> Self {
        ExternalTenants {
            odata_type: "#microsoft.graph.conditionalAccessAllExternalTenants".into(),
            membership_kind: "all".into(),
            members: Vec::new(),
        }
    }
    pub fn enumerated(members: Vec<String>) -> Self {
        ExternalTenants {
            odata_type: "#microsoft.graph.conditionalAccessEnumeratedExternalTenants".into(),
            membership_kind: "enumerated".into(),
            members,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applications {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_applications: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_applications: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_user_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_authentication_context_class_references: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_filter: Option<Filter>,
    /// Beta: Global Secure Access traffic profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_access: Option<TrafficProfiles>,
    /// Beta, deprecated: the same traffic profiles, under their former name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secure_access: Option<TrafficProfiles>,
}

/// Beta `conditionalAccessNetworkAccess` / `conditionalAccessGlobalSecureAccess`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficProfiles {
    /// Flags: comma-joined `m365`, `internet`, `private`.
    pub include_traffic_profiles: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientApplications {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_service_principals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_service_principals: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal_filter: Option<Filter>,
    /// Beta: agent identities (service principal object ids, or `All`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_agent_id_service_principals: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_agent_id_service_principals: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id_service_principal_filter: Option<Filter>,
}

/// Beta `conditionalAccessAgents`: agent users.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Agents {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_agent_users: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_agent_users: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_filter: Option<Filter>,
}

/// Beta `conditionalAccessAgentContext`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentContext {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_agent_contexts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_agent_contexts: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub mode: FilterMode,
    pub rule: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FilterMode {
    Include,
    Exclude,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ClientAppType {
    All,
    Browser,
    MobileAppsAndDesktopClients,
    ExchangeActiveSync,
    EasSupported,
    Other,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Platforms {
    #[serde(default)]
    pub include_platforms: Vec<Platform>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_platforms: Vec<Platform>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Platform {
    #[serde(rename = "android")]
    Android,
    #[serde(rename = "iOS")]
    Ios,
    #[serde(rename = "windows")]
    Windows,
    #[serde(rename = "windowsPhone")]
    WindowsPhone,
    #[serde(rename = "macOS")]
    MacOs,
    #[serde(rename = "linux")]
    Linux,
    #[serde(rename = "all")]
    All,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Locations {
    #[serde(default)]
    pub include_locations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_locations: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Devices {
    /// Beta, deprecated: `All` (the legacy device states in scope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_devices: Vec<String>,
    /// Beta, deprecated: `Compliant`, `DomainJoined`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_devices: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_filter: Option<Filter>,
}

/// Beta, deprecated `conditionalAccessDeviceStates`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStates {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_states: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_states: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Hidden,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationFlows {
    /// Flags: comma-joined `deviceCodeFlow`, `authenticationTransfer`.
    pub transfer_methods: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantControls {
    pub operator: Operator,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub built_in_controls: Vec<BuiltInControl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_authentication_factors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms_of_use: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_strength: Option<StrengthRef>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operator {
    #[default]
    #[serde(rename = "OR")]
    Or,
    #[serde(rename = "AND")]
    And,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BuiltInControl {
    Block,
    Mfa,
    CompliantDevice,
    DomainJoinedDevice,
    ApprovedApplication,
    CompliantApplication,
    PasswordChange,
    RiskRemediation,
}

/// A reference to an authentication strength by id (reads return the whole object; only `id`
/// is kept here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrengthRef {
    pub id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionControls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_enforced_restrictions: Option<Enabled>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_app_security: Option<CloudAppSecurity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_frequency: Option<SignInFrequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_browser: Option<PersistentBrowser>,
    /// Token protection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_sign_in_session: Option<Enabled>,
    /// Beta only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuous_access_evaluation: Option<ContinuousAccessEvaluation>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disable_resilience_defaults: bool,
    /// Beta: a Global Secure Access security profile (by policy id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_access_security: Option<NetworkAccessSecurity>,
    /// Beta: a Global Secure Access web filtering profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secure_access_filtering_profile: Option<FilteringProfile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAccessSecurity {
    pub policy_id: String,
    pub is_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilteringProfile {
    pub profile_id: String,
    pub is_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enabled {
    pub is_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudAppSecurity {
    pub is_enabled: bool,
    pub cloud_app_security_type: CloudAppSecurityType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CloudAppSecurityType {
    McasConfigured,
    MonitorOnly,
    BlockDownloads,
}

/// Time based: `value` and `type` set. Every time: both `null`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInFrequency {
    pub is_enabled: bool,
    pub value: Option<u32>,
    #[serde(rename = "type")]
    pub kind: Option<FrequencyUnit>,
    pub frequency_interval: FrequencyInterval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<AuthenticationType>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FrequencyUnit {
    Hours,
    Days,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FrequencyInterval {
    TimeBased,
    EveryTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthenticationType {
    PrimaryAndSecondaryAuthentication,
    SecondaryAuthentication,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentBrowser {
    pub is_enabled: bool,
    pub mode: PersistentBrowserMode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PersistentBrowserMode {
    Always,
    Never,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinuousAccessEvaluation {
    pub mode: CaeMode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CaeMode {
    StrictEnforcement,
    Disabled,
    StrictLocation,
}
