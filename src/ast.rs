//! The program as written: names as strings, enum values as words, every node spanned.
//!
//! In: built by `syntax` from pest pairs. Out: read by `check` (to resolve and validate) and by
//! `fmt` (to print the canonical layout).

use crate::source::{FileId, Span, Spanned};
use crate::symbols::Kind;

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub file: FileId,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Declaration(Declaration),
    Emergency(Emergency),
    Policy(Policy),
    Scenario(Scenario),
    /// `assert "NAME"`: facts describe a set of sign-ins (LANGUAGE.md §8).
    Assert(Scenario),
    /// `set Admins = role GlobalAdministrator, group "PIM Admins"`.
    Set(SetDecl),
    /// `defaults` and the clauses under it.
    Defaults(Defaults),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Declaration(d) => d.span,
            Item::Emergency(e) => e.span,
            Item::Policy(p) => p.span,
            Item::Scenario(s) | Item::Assert(s) => s.span,
            Item::Set(s) => s.span,
            Item::Defaults(d) => d.span,
        }
    }
}

/// A reference to a directory object or built-in value, as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ref {
    /// `BreakGlass`, `any`, `c1`, `compliant-device`.
    Ident(String),
    /// `"Break Glass Accounts"` (the unescaped text).
    Quoted(String),
    /// `0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11`, lower-cased.
    Guid(String),
    /// Something that looks like a GUID but is not one (reported by the checker).
    BadGuid(String),
    /// `alice@contoso.com`.
    Upn(String),
}

impl Ref {
    /// The text as the user would recognise it.
    pub fn text(&self) -> &str {
        match self {
            Ref::Ident(s) | Ref::Quoted(s) | Ref::Guid(s) | Ref::BadGuid(s) | Ref::Upn(s) => s,
        }
    }
    /// The bare word, when the reference is one (enum values, keywords).
    pub fn ident(&self) -> Option<&str> {
        match self {
            Ref::Ident(s) => Some(s),
            _ => None,
        }
    }
}

/// `group BreakGlass = 0b1d…` or `location HQ = 8c6a… trusted`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    pub kind: Spanned<Kind>,
    pub name: Spanned<Ref>,
    pub value: Spanned<Ref>,
    pub trusted: Option<Span>,
    /// `allows fido2, password + sms`: the combinations of a custom strength, each a list of
    /// method words.
    pub allows: Vec<Spanned<Vec<Spanned<String>>>>,
    pub span: Span,
}

/// `emergency group BreakGlass, Other`.
#[derive(Clone, Debug, PartialEq)]
pub struct Emergency {
    pub kind: Spanned<Kind>,
    pub principals: Vec<Spanned<Ref>>,
    pub span: Span,
}

/// `set NAME = …`: a named list of list items, which may name other sets.
#[derive(Clone, Debug, PartialEq)]
pub struct SetDecl {
    pub name: Spanned<Ref>,
    pub items: Vec<Target>,
    pub span: Span,
}

/// `defaults` and its clauses, which every policy without `ignore defaults` receives.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    /// The `defaults` keyword.
    pub header: Span,
    pub clauses: Vec<Spanned<Clause>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `policy "NAME"`; `None` for a header-less file, whose display name is the file's stem.
    pub name: Option<Spanned<String>>,
    pub clauses: Vec<Spanned<Clause>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    For(Vec<Target>),
    Exclude(Vec<Target>),
    When(Vec<Target>),
    Block,
    Require(GrantExpr),
    Session(Vec<SessionItem>),
    Mode(Spanned<String>),
    Description(Spanned<String>),
    /// `allow no-exclusion "reason"`: the exception (`no-exclusion`) and why.
    Allow {
        what: Spanned<String>,
        reason: Spanned<String>,
    },
    /// `ignore defaults`: the policy receives nothing from the `defaults` block.
    IgnoreDefaults,
}

impl Clause {
    /// The clause keyword, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            Clause::For(_) => "for",
            Clause::Exclude(_) => "exclude",
            Clause::When(_) => "when",
            Clause::Block => "block",
            Clause::Require(_) => "require",
            Clause::Session(_) => "session",
            Clause::Mode(_) => "mode",
            Clause::Description(_) => "description",
            Clause::Allow { .. } => "allow",
            Clause::IgnoreDefaults => "ignore",
        }
    }
}

/// The kind word of a list item, normalised to singular (`groups` → `group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetKind {
    User,
    Group,
    Role,
    Guests,
    Tenant,
    App,
    Action,
    Context,
    ServicePrincipal,
    Platform,
    Location,
    Client,
    SignInRisk,
    UserRisk,
    ServicePrincipalRisk,
    InsiderRisk,
    AuthFlow,
    Device,
    /// Beta: agent identities (`clientApplications.includeAgentIdServicePrincipals`).
    AgentIdentity,
    /// Beta: agent users (`conditions.agents`).
    AgentUser,
    /// Beta: `agentIdRiskLevels`.
    AgentRisk,
    /// Beta: `agentContext`.
    AgentContext,
    /// Beta: Global Secure Access traffic (`applications.networkAccess`).
    TrafficProfile,
    /// Beta, deprecated: `conditions.deviceStates`.
    LegacyDeviceState,
    /// Beta, deprecated: `conditions.devices.includeDevices` / `excludeDevices`.
    LegacyDevice,
    Terms,
    Strength,
    /// `set Admins`: the items of a named set, spliced in where it stands.
    Set,
}

impl TargetKind {
    pub fn from_word(w: &str) -> Option<TargetKind> {
        Some(match w {
            "user" | "users" => TargetKind::User,
            "group" | "groups" => TargetKind::Group,
            "role" | "roles" => TargetKind::Role,
            "guest" | "guests" => TargetKind::Guests,
            "tenant" | "tenants" => TargetKind::Tenant,
            "app" | "apps" => TargetKind::App,
            "action" | "actions" => TargetKind::Action,
            "context" | "contexts" => TargetKind::Context,
            "service-principal" | "service-principals" => TargetKind::ServicePrincipal,
            "platform" | "platforms" => TargetKind::Platform,
            "location" | "locations" => TargetKind::Location,
            "client" | "clients" => TargetKind::Client,
            "sign-in-risk" => TargetKind::SignInRisk,
            "user-risk" => TargetKind::UserRisk,
            "service-principal-risk" => TargetKind::ServicePrincipalRisk,
            "insider-risk" => TargetKind::InsiderRisk,
            "auth-flow" | "auth-flows" => TargetKind::AuthFlow,
            "device" | "devices" => TargetKind::Device,
            "agent-identity" | "agent-identities" => TargetKind::AgentIdentity,
            "agent-user" | "agent-users" => TargetKind::AgentUser,
            "agent-risk" => TargetKind::AgentRisk,
            "agent-context" | "agent-contexts" => TargetKind::AgentContext,
            "traffic-profile" | "traffic-profiles" => TargetKind::TrafficProfile,
            "legacy-device-state" | "legacy-device-states" => TargetKind::LegacyDeviceState,
            "legacy-device" | "legacy-devices" => TargetKind::LegacyDevice,
            "terms" => TargetKind::Terms,
            "strength" => TargetKind::Strength,
            "set" => TargetKind::Set,
            _ => return None,
        })
    }

    /// The singular keyword (as printed by `capol fmt`).
    pub fn word(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Group => "group",
            TargetKind::Role => "role",
            TargetKind::Guests => "guests",
            TargetKind::Tenant => "tenant",
            TargetKind::App => "app",
            TargetKind::Action => "action",
            TargetKind::Context => "context",
            TargetKind::ServicePrincipal => "service-principal",
            TargetKind::Platform => "platform",
            TargetKind::Location => "location",
            TargetKind::Client => "client",
            TargetKind::SignInRisk => "sign-in-risk",
            TargetKind::UserRisk => "user-risk",
            TargetKind::ServicePrincipalRisk => "service-principal-risk",
            TargetKind::InsiderRisk => "insider-risk",
            TargetKind::AuthFlow => "auth-flow",
            TargetKind::Device => "device",
            TargetKind::AgentIdentity => "agent-identity",
            TargetKind::AgentUser => "agent-user",
            TargetKind::AgentRisk => "agent-risk",
            TargetKind::AgentContext => "agent-context",
            TargetKind::TrafficProfile => "traffic-profile",
            TargetKind::LegacyDeviceState => "legacy-device-state",
            TargetKind::LegacyDevice => "legacy-device",
            TargetKind::Terms => "terms",
            TargetKind::Strength => "strength",
            TargetKind::Set => "set",
        }
    }

    /// The plural used after `all` and before `where` (`all users`, `apps where`).
    pub fn plural(self) -> &'static str {
        match self {
            TargetKind::User => "users",
            TargetKind::App => "apps",
            TargetKind::ServicePrincipal => "service-principals",
            TargetKind::Device => "devices",
            TargetKind::AgentIdentity => "agent-identities",
            TargetKind::AgentUser => "agent-users",
            TargetKind::LegacyDeviceState => "legacy-device-states",
            TargetKind::LegacyDevice => "legacy-devices",
            other => other.word(),
        }
    }

    /// The directory-object kind a reference of this target kind resolves to.
    pub fn object_kind(self) -> Option<Kind> {
        Some(match self {
            TargetKind::User => Kind::User,
            TargetKind::Group => Kind::Group,
            TargetKind::Role => Kind::Role,
            TargetKind::App => Kind::App,
            TargetKind::ServicePrincipal | TargetKind::AgentIdentity => Kind::ServicePrincipal,
            TargetKind::AgentUser => Kind::User,
            TargetKind::Location => Kind::Location,
            TargetKind::Context => Kind::Context,
            TargetKind::Terms => Kind::Terms,
            TargetKind::Strength => Kind::Strength,
            _ => return None,
        })
    }
}

/// One item of a `for` / `exclude` / `when` list.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub kind: Spanned<TargetKind>,
    /// Whether the kind word was written (false: inherited from the item before).
    pub kind_written: bool,
    pub value: TargetValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetValue {
    /// `all users`, `all apps`, `all service-principals`.
    All,
    /// `apps where '…'`, `devices where '…'`, `service-principals where '…'`.
    Filter(Spanned<String>),
    /// `group Admins`, `platform ios`.
    Ref(Spanned<Ref>),
    /// A kind word alone: `for guests`.
    Nothing,
}

/// `mfa and compliant-device`, `strength phishing-resistant-mfa`.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantExpr {
    pub controls: Vec<Spanned<Control>>,
    /// The operators between them, as written.
    pub ops: Vec<Spanned<GrantOp>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantOp {
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    /// `mfa`, `compliant-device`, …
    Builtin(String),
    Strength(Spanned<Ref>),
    Terms(Spanned<Ref>),
}

/// `sign-in-frequency 4 hours`, `persistent-browser never`.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionItem {
    pub name: Spanned<String>,
    pub args: Vec<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: Spanned<String>,
    pub facts: Vec<Spanned<Fact>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Fact {
    /// `user alice@contoso.com` (optionally followed by `member-of …`, kept as a separate fact).
    User(Spanned<Ref>),
    MemberOf(Vec<Target>),
    /// `platform windows`, `location HQ`, `sign-in-risk high`, `guest internal-guest`, …
    Simple {
        kind: Spanned<TargetKind>,
        values: Vec<Spanned<Ref>>,
    },
    /// `device trustType AzureAD, isCompliant True`.
    Device(Vec<(Spanned<String>, Spanned<Ref>)>),
    /// `app-attributes Engineering_Project "Baker"` (`service_principal` false) or
    /// `service-principal-attributes …` (true): custom security attributes for filters.
    Attributes {
        service_principal: bool,
        attrs: Vec<(Spanned<String>, Spanned<Ref>)>,
    },
    /// What the sign-in already did: `methods …`, `terms-accepted …` (with values) and the flags
    /// `app-protection`, `approved-app`, `password-changed` (without).
    Did {
        what: Spanned<String>,
        values: Vec<Spanned<Ref>>,
    },
    Expect(Expect),
    /// Asserts only: `not member-of …`.
    NotMemberOf(Vec<Target>),
    /// Asserts only: `member` (a member of the directory, not a guest).
    Member,
    /// Asserts only: `app any other` (an app no policy names).
    AnyOtherApp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    Block,
    Allow,
    /// `expect satisfied`: something is required, and the sign-in's facts meet it.
    Satisfied,
    /// `expect interrupt`: something is required that the sign-in has not done.
    Interrupt,
    Require(GrantExpr),
    Applies(Spanned<String>),
    Skips(Spanned<String>),
    WouldApply(Spanned<String>),
    Session(SessionItem),
    /// Asserts only: `expect not block`.
    NotBlock,
    /// An unknown expectation word, reported by the checker.
    Unknown(Spanned<String>),
}
