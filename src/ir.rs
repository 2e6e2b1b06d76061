//! Resolved policies: ids and closed enums, no strings left to interpret. Spans stay with every
//! value so that the rules in `check` can point at what they reject.
//!
//! In: built by `check` from the AST. Out: read by `check`'s rules, by `emit`, and by what-if.

use crate::graph::model::{
    BuiltInControl, CaeMode, ClientAppType, CloudAppSecurityType, FilterMode, FrequencyUnit,
    Operator, PersistentBrowserMode, Platform, PolicyState, RiskLevel,
};
use crate::source::{Span, Spanned};
use std::collections::BTreeSet;

/// Everything compiled together.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    pub emergency: Vec<Spanned<Principal>>,
    /// Ids of named locations declared (or locked) as trusted.
    pub trusted_locations: BTreeSet<String>,
    /// The `scenario` blocks, for `capol test`.
    pub scenarios: Vec<Scenario>,
    /// The `assert` blocks, for `capol analyze`.
    pub asserts: Vec<Assert>,
    /// Declared names by id, for readable what-if messages.
    pub names_by_id: std::collections::BTreeMap<String, String>,
    /// Custom authentication strengths' combinations (declared `allows …`, or from the lock
    /// file), for what-if.
    pub strengths: crate::whatif::Strengths,
}

/// One sign-in and what must happen to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub name: Spanned<String>,
    pub sign_in: crate::whatif::SignIn,
    pub expects: Vec<Spanned<crate::whatif::Expectation>>,
    pub span: Span,
}

/// `assert "NAME"`: a property of every sign-in its facts describe (LANGUAGE.md §8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assert {
    pub name: Spanned<String>,
    pub region: AssertRegion,
    pub expects: Vec<Spanned<crate::analyze::Expect>>,
    pub span: Span,
}

/// The sign-ins an assert describes. Each `Option` is `None` when the fact is omitted (every
/// value); a list means any of its values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssertRegion {
    /// The user is one of these (ids).
    pub users: Option<Vec<String>>,
    /// A member of at least these groups and roles (`member-of`).
    pub groups: Vec<String>,
    pub roles: Vec<String>,
    /// `member-of user X` (from a set): the user is X.
    pub member_users: Vec<String>,
    /// `not member-of`: none of these.
    pub not_groups: Vec<String>,
    pub not_roles: Vec<String>,
    pub not_users: Vec<String>,
    /// `member` / `guest TYPES`: `None` in the list stands for a member of the directory.
    pub user_types: Option<Vec<Option<GuestType>>>,
    /// A guest's home tenant, when `guest … tenant X` names it.
    pub tenants: Option<Vec<String>>,
    pub service_principals: Option<Vec<String>>,
    /// Apps, actions, contexts; `any_other_app` adds "an app no policy names".
    pub targets: Option<Vec<crate::whatif::Target>>,
    pub any_other_app: bool,
    pub platforms: Option<Vec<crate::whatif::Platform>>,
    pub clients: Option<Vec<crate::whatif::ClientAppType>>,
    pub locations: Option<Vec<crate::whatif::LocationFact>>,
    pub sign_in_risk: Option<Vec<crate::whatif::RiskLevel>>,
    pub user_risk: Option<Vec<crate::whatif::RiskLevel>>,
    pub service_principal_risk: Option<Vec<crate::whatif::RiskLevel>>,
    pub insider_risk: Option<Vec<crate::whatif::InsiderRisk>>,
    pub devices: Option<Vec<crate::whatif::DeviceFact>>,
    pub auth_flows: Option<Vec<crate::whatif::AuthFlow>>,
}

/// A user-side principal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    User(String),
    Group(String),
    Role(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserTarget {
    All,
    None,
    /// The legacy keyword `GuestsOrExternalUsers`.
    LegacyGuests,
    /// The beta keyword `AllAgentIdUsers`: every agent user (an identity of an AI agent).
    AllAgentIdUsers,
    Principal(Principal),
    Guests(Guests),
}

/// Guest or external user types (Graph flag member names) and tenants (empty: all tenants).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Guests {
    pub types: BTreeSet<GuestType>,
    pub tenants: Vec<String>,
}

/// A guest or external user type: the members of Graph's `conditionalAccessGuestOrExternalUserTypes`
/// flags, in Graph's order (serialised with Graph's names).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum GuestType {
    InternalGuest,
    B2bCollaborationGuest,
    B2bCollaborationMember,
    B2bDirectConnectUser,
    OtherExternalUser,
    ServiceProvider,
}

impl GuestType {
    pub const ALL: [GuestType; 6] = [
        GuestType::InternalGuest,
        GuestType::B2bCollaborationGuest,
        GuestType::B2bCollaborationMember,
        GuestType::B2bDirectConnectUser,
        GuestType::OtherExternalUser,
        GuestType::ServiceProvider,
    ];
    /// The source word (`b2b-collaboration-guest`), from `crate::vocab::GUEST_TYPE`.
    pub fn word(self) -> &'static str {
        crate::vocab::GUEST_TYPE.word_or_graph(self)
    }
    /// The Graph flag member name (`b2bCollaborationGuest`).
    pub fn graph_name(self) -> &'static str {
        crate::vocab::GUEST_TYPE.graph(self)
    }
    /// A Graph flag member name, case-insensitively.
    pub fn from_graph(name: &str) -> Option<GuestType> {
        let exact = crate::vocab::GUEST_TYPE.graph_ignoring_case(name.trim())?;
        crate::vocab::GUEST_TYPE.by_graph(exact)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppTarget {
    All,
    None,
    /// `Office365`, `MicrosoftAdminPortals`.
    Keyword(String),
    /// An app id.
    App(String),
    /// `urn:user:registersecurityinfo`.
    Action(String),
    /// `c1` … `c99`.
    Context(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpTarget {
    All,
    Sp(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationTarget {
    Any,
    Trusted,
    Named(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsiderRisk {
    Minor,
    Moderate,
    Elevated,
}

/// Agent identity risk (beta `agentIdRiskLevels`, a flags enum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentRisk {
    Low,
    Medium,
    High,
}

/// Where an agent user's session comes from (beta `agentContext`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgentContext {
    UserSessionsFromEndpoints,
}

/// The agent targets of a policy (beta): agent identities (`clientApplications.…AgentId…`),
/// agent users (`conditions.agents`), their risk and context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Agents {
    pub include_identities: Vec<Spanned<SpTarget>>,
    pub exclude_identities: Vec<Spanned<SpTarget>>,
    pub identity_filter: Option<FilterRule>,
    pub include_users: Vec<Spanned<SpTarget>>,
    pub exclude_users: Vec<Spanned<SpTarget>>,
    pub user_filter: Option<FilterRule>,
    pub risk: Vec<Spanned<AgentRisk>>,
    pub include_contexts: Vec<Spanned<AgentContext>>,
    pub exclude_contexts: Vec<Spanned<AgentContext>>,
}

impl Agents {
    pub fn is_empty(&self) -> bool {
        *self == Agents::default()
    }
    /// Targets agent identities (`clientApplications`).
    pub fn has_identities(&self) -> bool {
        !self.include_identities.is_empty()
            || !self.exclude_identities.is_empty()
            || self.identity_filter.is_some()
    }
    /// Targets agent users (`conditions.agents`).
    pub fn has_users(&self) -> bool {
        !self.include_users.is_empty()
            || !self.exclude_users.is_empty()
            || self.user_filter.is_some()
    }
}

/// A Global Secure Access traffic profile (beta `networkAccess.includeTrafficProfiles`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrafficProfile {
    M365,
    Internet,
    Private,
}

/// A legacy device state (beta `deviceStates` and `devices.includeDevices`, deprecated for
/// `devices where …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceState {
    All,
    Compliant,
    DomainJoined,
}

/// The legacy beta device conditions, kept so that policies holding them round-trip:
/// `legacy-device-state` is `conditions.deviceStates`, `legacy-device` is
/// `conditions.devices.includeDevices` / `excludeDevices`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LegacyDevices {
    pub include_states: Vec<Spanned<DeviceState>>,
    pub exclude_states: Vec<Spanned<DeviceState>>,
    pub include_devices: Vec<Spanned<DeviceState>>,
    pub exclude_devices: Vec<Spanned<DeviceState>>,
}

impl LegacyDevices {
    pub fn is_empty(&self) -> bool {
        *self == LegacyDevices::default()
    }
    /// Every item, with the clause word that wrote it.
    pub fn items(&self) -> impl Iterator<Item = (&'static str, &Spanned<DeviceState>)> {
        let w = |word: &'static str| move |x| (word, x);
        self.include_states
            .iter()
            .chain(&self.exclude_states)
            .map(w("legacy-device-state"))
            .chain(
                self.include_devices
                    .iter()
                    .chain(&self.exclude_devices)
                    .map(w("legacy-device")),
            )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferMethod {
    DeviceCodeFlow,
    AuthenticationTransfer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterRule {
    pub mode: FilterMode,
    pub rule: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    Block,
    Controls {
        operator: Operator,
        builtins: Vec<Spanned<BuiltInControl>>,
        /// An authentication strength id.
        strength: Option<Spanned<String>>,
        terms: Vec<Spanned<String>>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInFrequency {
    Every,
    Time(u32, FrequencyUnit),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    pub sign_in_frequency: Option<Spanned<SignInFrequency>>,
    pub persistent_browser: Option<Spanned<PersistentBrowserMode>>,
    pub app_enforced_restrictions: Option<Span>,
    pub cloud_app_security: Option<Spanned<CloudAppSecurityType>>,
    pub cae: Option<Spanned<CaeMode>>,
    pub no_resilience_defaults: Option<Span>,
    pub token_protection: Option<Span>,
    /// Beta: `session network-access-security <policy id>`.
    pub network_access_security: Option<Spanned<String>>,
    /// Beta: `session filtering-profile <profile id>`.
    pub filtering_profile: Option<Spanned<String>>,
}

impl Session {
    pub fn is_empty(&self) -> bool {
        *self == Session::default()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub display_name: Spanned<String>,
    pub description: Option<String>,
    pub state: Spanned<PolicyState>,
    /// Whether `mode` was written (the default is report-only).
    pub span: Span,
    pub include_users: Vec<Spanned<UserTarget>>,
    pub exclude_users: Vec<Spanned<UserTarget>>,
    pub include_apps: Vec<Spanned<AppTarget>>,
    pub exclude_apps: Vec<Spanned<AppTarget>>,
    pub app_filter: Option<FilterRule>,
    pub include_sps: Vec<Spanned<SpTarget>>,
    pub exclude_sps: Vec<Spanned<SpTarget>>,
    pub include_platforms: Vec<Spanned<Platform>>,
    pub exclude_platforms: Vec<Spanned<Platform>>,
    pub include_locations: Vec<Spanned<LocationTarget>>,
    pub exclude_locations: Vec<Spanned<LocationTarget>>,
    pub client_app_types: Vec<Spanned<ClientAppType>>,
    pub sign_in_risk: Vec<Spanned<RiskLevel>>,
    pub user_risk: Vec<Spanned<RiskLevel>>,
    pub service_principal_risk: Vec<Spanned<RiskLevel>>,
    pub insider_risk: Vec<Spanned<InsiderRisk>>,
    pub device_filter: Option<FilterRule>,
    /// Beta agent targets and conditions.
    pub agents: Agents,
    /// Beta legacy device conditions.
    pub legacy_devices: LegacyDevices,
    /// Beta: `for traffic-profile …`, Global Secure Access traffic as the target resource.
    pub traffic_profiles: Vec<Spanned<TrafficProfile>>,
    pub auth_flows: Vec<Spanned<TransferMethod>>,
    pub grant: Option<Spanned<Grant>>,
    pub session: Session,
    /// `allow no-exclusion "reason"`: the policy deliberately applies to everyone with nobody
    /// excluded; the reason, spanned by the clause. The lockout rule accepts such a policy.
    pub allow_no_exclusion: Option<Spanned<String>>,
}

impl Policy {
    pub fn new(display_name: Spanned<String>, span: Span) -> Self {
        Policy {
            state: Spanned::new(PolicyState::ReportOnly, display_name.span),
            display_name,
            description: None,
            span,
            include_users: Vec::new(),
            exclude_users: Vec::new(),
            include_apps: Vec::new(),
            exclude_apps: Vec::new(),
            app_filter: None,
            include_sps: Vec::new(),
            exclude_sps: Vec::new(),
            include_platforms: Vec::new(),
            exclude_platforms: Vec::new(),
            include_locations: Vec::new(),
            exclude_locations: Vec::new(),
            client_app_types: Vec::new(),
            sign_in_risk: Vec::new(),
            user_risk: Vec::new(),
            service_principal_risk: Vec::new(),
            insider_risk: Vec::new(),
            device_filter: None,
            agents: Agents::default(),
            legacy_devices: LegacyDevices::default(),
            traffic_profiles: Vec::new(),
            auth_flows: Vec::new(),
            grant: None,
            session: Session::default(),
            allow_no_exclusion: None,
        }
    }

    /// A workload-identity policy targets service principals instead of users.
    pub fn is_workload(&self) -> bool {
        !self.include_sps.is_empty() || !self.exclude_sps.is_empty()
    }

    /// Whether the policy applies to all users (explicitly, or by default).
    pub fn targets_all_users(&self) -> bool {
        self.include_users.iter().any(|u| u.node == UserTarget::All)
    }

    pub fn builtins(&self) -> Vec<BuiltInControl> {
        match self.grant.as_ref().map(|g| &g.node) {
            Some(Grant::Block) => vec![BuiltInControl::Block],
            Some(Grant::Controls { builtins, .. }) => builtins.iter().map(|b| b.node).collect(),
            None => Vec::new(),
        }
    }
}
