//! From a sign-in record to the evaluator's sign-in facts.
//!
//! In: a [`Record`], the directory [`Snapshot`] (memberships), and what the sources name
//! (locations by display name). Out: a [`Mapped`] sign-in (the what-if [`SignIn`], who it was,
//! what the log recorded), or a [`Skip`] that says why the record cannot be replayed. Facts the
//! record does not give stay unknown; nothing is guessed. The choices are written up in
//! `docs/impact.md`.

use super::record::{AuthenticationDetail, DeviceDetail, NetworkLocation, Record};
use super::snapshot::Snapshot;
use crate::whatif::methods::{Combination, Method};
use crate::whatif::{
    AuthFlow, ClientAppType, DeviceFact, Done, GuestFact, GuestType, LocationFact, Platform,
    RiskLevel, SignIn, Target,
};
use std::collections::{BTreeMap, HashMap};

/// Why a record is not replayed. The text is the reason counted in `skipped.reasons`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Skip(pub String);

/// What the log says Conditional Access did with a sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Block,
    /// Something was required (met or not).
    Challenge,
    Allow,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Block => "block",
            Outcome::Challenge => "challenge",
            Outcome::Allow => "allow",
        }
    }
}

/// One entry of `appliedConditionalAccessPolicies`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub name: String,
    pub result: String,
}

/// A record ready to replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub sign_in: SignIn,
    /// The sign-in record's id and time, for samples.
    pub id: Option<String>,
    pub time: Option<String>,
    /// The user's UPN (or id, or the service principal) as people read it.
    pub who: String,
    /// Group and role memberships come from the snapshot: without them, a policy that names
    /// groups or roles cannot be decided for this user.
    pub memberships_known: bool,
    /// The record says whether the user is a guest (beta `userType`).
    pub guest_known: bool,
    /// What Conditional Access did, as recorded; `None` when the record does not say.
    pub recorded: Option<Outcome>,
    pub applied: Vec<Applied>,
}

/// Maps records; holds what the mapping needs besides the record.
#[derive(Debug, Default)]
pub struct Mapper {
    /// Memberships; a user it does not hold has unknown memberships.
    pub snapshot: Option<Snapshot>,
    /// Named locations by lower-case display name → id (declared or locked).
    pub locations: HashMap<String, String>,
}

/// Error codes of sign-ins that reached Conditional Access: blocked by it, or interrupted for
/// what it (or per-user MFA) required. Other failures happened before Conditional Access was
/// evaluated (a wrong password, a disabled account) and are not replayed.
const CA_ERRORS: [i64; 12] = [
    50072, 50074, 50076, 50079, 50097, 50129, 50158, 53000, 53001, 53002, 53003, 530032,
];

impl Mapper {
    pub fn new(snapshot: Option<Snapshot>) -> Mapper {
        Mapper {
            snapshot,
            locations: HashMap::new(),
        }
    }

    /// Maps a record to sign-in facts, or says why it cannot be replayed.
    pub fn map(&self, r: Record) -> Result<Mapped, Skip> {
        if let Some(code) = r.status.as_ref().and_then(|s| s.error_code)
            && code != 0
            && !CA_ERRORS.contains(&code)
            && r.conditional_access_status.as_deref() != Some("failure")
        {
            return Err(Skip(format!(
                "the sign-in failed before Conditional Access (error {code})"
            )));
        }
        let Some(resource) = r.resource_id.clone() else {
            return Err(Skip(
                "no resourceId: the target of the sign-in is not recorded".into(),
            ));
        };
        let workload = r.sign_in_event_types.as_ref().is_some_and(|t| {
            t.iter()
                .any(|t| t == "servicePrincipal" || t == "managedIdentity")
        });
        let mut s = SignIn {
            target: Some(Target::App(resource.to_ascii_lowercase())),
            client: r.client_app_used.as_deref().and_then(client_app_type),
            platform: r
                .device_detail
                .as_ref()
                .and_then(|d| d.operating_system.as_deref())
                .map(platform),
            sign_in_risk: r.risk_level_during_sign_in.as_deref().and_then(risk),
            auth_flow: auth_flow(&r),
            device: r.device_detail.as_ref().and_then(device),
            location: r
                .network_location_details
                .as_deref()
                .and_then(|n| self.location(n)),
            ..SignIn::default()
        };
        let who;
        let (mut memberships_known, mut guest_known) = (true, true);
        if workload {
            let Some(sp) = r.service_principal_id.clone() else {
                return Err(Skip(
                    "a service-principal sign-in without servicePrincipalId".into(),
                ));
            };
            who = format!("service principal {sp}");
            s.service_principal = Some(sp.to_ascii_lowercase());
        } else {
            let (id, upn) = (r.user_id.as_deref(), r.user_principal_name.as_deref());
            let Some(label) = upn.or(id) else {
                return Err(Skip("no userId or userPrincipalName".into()));
            };
            who = label.to_string();
            s.user = Some(id.unwrap_or(label).to_ascii_lowercase());
            match self.snapshot.as_ref().and_then(|snap| snap.get(id, upn)) {
                Some(m) => {
                    s.groups = m.groups.clone();
                    s.roles = m.roles.clone();
                }
                None => memberships_known = false,
            }
            match guest(&r) {
                Some(g) => s.guest = g,
                None => guest_known = false,
            }
        }
        s.done = done(&r);
        let applied: Vec<Applied> = r
            .applied_conditional_access_policies
            .iter()
            .flatten()
            .filter_map(|p| {
                Some(Applied {
                    name: p.display_name.clone().or_else(|| p.id.clone())?,
                    result: p.result.clone().unwrap_or_else(|| "unknown".into()),
                })
            })
            .collect();
        Ok(Mapped {
            recorded: recorded(&r),
            sign_in: s,
            id: r.id,
            time: r.created_date_time,
            who,
            memberships_known,
            guest_known,
            applied,
        })
    }

    /// The named networks the address was in, by the sources' location ids. A named network
    /// the sources do not name matches none of their locations, as an untrusted address does;
    /// a *trusted* network they do not name may be what `trusted locations` means, so it is
    /// unknown. None listed: an address in no named location.
    fn location(&self, details: &[NetworkLocation]) -> Option<LocationFact> {
        let mut unknown_trusted = false;
        for d in details {
            let trusted = matches!(
                d.network_type.as_deref(),
                Some("trustedNamedLocation" | "trusted")
            );
            let named = trusted || d.network_type.as_deref() == Some("namedNetwork");
            if !named {
                continue;
            }
            for n in d.network_names.iter().flatten() {
                if let Some(id) = self.locations.get(&n.to_lowercase()) {
                    return Some(LocationFact::Named(id.clone()));
                }
                unknown_trusted |= trusted;
            }
        }
        (!unknown_trusted).then_some(LocationFact::Untrusted)
    }
}

/// What the sign-in did, from its `authenticationDetails`: the methods of the steps that
/// succeeded, as one combination; nothing else is recorded, so the other controls stay unknown
/// (`methods_only`). `None` (every control unknown) when the record has no details, or when a
/// succeeded step's method is not one capol can name exactly (`Previously satisfied`, an OATH
/// code that may be a hardware or a software token, a certificate or a Temporary Access Pass
/// whose kind the log does not say).
pub fn done(r: &Record) -> Option<Done> {
    let details = r.authentication_details.as_deref()?;
    let mut methods = Combination::default();
    let mut any = false;
    for d in details.iter().filter(|d| d.succeeded == Some(true)) {
        methods.insert(method(d)?);
        any = true;
    }
    any.then_some(Done {
        methods,
        methods_only: true,
        ..Done::default()
    })
}

/// `authenticationMethod` as the sign-in log writes it → the authentication method mode.
fn method(d: &AuthenticationDetail) -> Option<Method> {
    let m = d
        .authentication_method
        .as_deref()?
        .trim()
        .to_ascii_lowercase();
    Some(match m.as_str() {
        "password" | "password hash sync" | "pass-through authentication" => Method::Password,
        "text message" | "sms" | "sms sign-in" => Method::Sms,
        "phone call" | "phone call approval" | "voice" => Method::Voice,
        "mobile app notification" | "microsoft authenticator app" => {
            Method::MicrosoftAuthenticatorPush
        }
        "mobile app verification code" | "microsoft authenticator code" => Method::SoftwareOath,
        "passwordless phone sign-in" | "microsoft authenticator (passwordless)" => {
            Method::DeviceBasedPush
        }
        "fido2 security key"
        | "passkey"
        | "passkey (fido2)"
        | "passkey (device-bound)"
        | "passkey (microsoft authenticator)"
        | "passkey (synced)"
        | "passkey (windows hello)" => Method::Fido2,
        "windows hello for business" => Method::WindowsHelloForBusiness,
        "email" | "email one-time passcode" | "email otp" => Method::Email,
        "qr code" | "qr code pin" => Method::QrCodePin,
        _ => return None,
    })
}

/// `clientAppUsed` as the log writes it → the client app type Conditional Access matched.
/// `Browser` and `Mobile Apps and Desktop clients` are modern authentication; `Exchange
/// ActiveSync` is its own type; every other legacy protocol (IMAP4, POP3, SMTP, MAPI Over HTTP,
/// Exchange Web Services, AutoDiscover, …, `Other clients`) is `other`.
pub fn client_app_type(used: &str) -> Option<ClientAppType> {
    let u = used.trim().to_ascii_lowercase();
    Some(match u.as_str() {
        "browser" => ClientAppType::Browser,
        "mobile apps and desktop clients" => ClientAppType::MobileAppsAndDesktopClients,
        "exchange activesync" => ClientAppType::ExchangeActiveSync,
        "" | "unknown" => return None,
        _ if LEGACY.iter().any(|l| u == *l) || u.starts_with("other clients") => {
            ClientAppType::Other
        }
        _ => return None,
    })
}

/// The legacy-authentication client names of the sign-in log (lower case).
const LEGACY: [&str; 14] = [
    "imap4",
    "imap",
    "pop3",
    "pop",
    "smtp",
    "authenticated smtp",
    "mapi over http",
    "mapi",
    "exchange web services",
    "autodiscover",
    "exchange online powershell",
    "offline address book",
    "outlook anywhere (rpc over http)",
    "reporting web services",
];

/// `deviceDetail.operatingSystem` (`Windows 10`, `Ios 18.2.1`, `MacOs`, `Android 14`) → the
/// platform; a system Entra does not name (`ChromeOS`) is the `unknown` platform, which only
/// `platform any` includes.
pub fn platform(os: &str) -> Platform {
    let o = os.trim().to_ascii_lowercase();
    if o.starts_with("windows phone") || o.starts_with("windowsphone") {
        Platform::WindowsPhone
    } else if o.starts_with("windows") {
        Platform::Windows
    } else if o.starts_with("ios") || o.starts_with("ipados") {
        Platform::Ios
    } else if o.starts_with("android") {
        Platform::Android
    } else if o.starts_with("macos") || o.starts_with("mac os") || o.starts_with("osx") {
        Platform::MacOs
    } else if o.starts_with("linux") || o.starts_with("ubuntu") {
        Platform::Linux
    } else {
        Platform::All
    }
}

fn risk(level: &str) -> Option<RiskLevel> {
    Some(match level {
        "none" => RiskLevel::None,
        "low" => RiskLevel::Low,
        "medium" => RiskLevel::Medium,
        "high" => RiskLevel::High,
        "hidden" => RiskLevel::Hidden,
        _ => return None,
    })
}

/// `originalTransferMethod` when the record has it; else a `deviceCode` protocol is the device
/// code flow. Otherwise unknown.
fn auth_flow(r: &Record) -> Option<AuthFlow> {
    match r.original_transfer_method.as_deref() {
        Some("deviceCodeFlow") => return Some(AuthFlow::DeviceCodeFlow),
        Some("authenticationTransfer") => return Some(AuthFlow::AuthenticationTransfer),
        Some("none") => return Some(AuthFlow::None),
        _ => {}
    }
    match r.authentication_protocol.as_deref() {
        Some("deviceCode") => Some(AuthFlow::DeviceCodeFlow),
        _ => None,
    }
}

/// A registered device (it has a `deviceId`) with the filter attributes the log gives; without
/// a device id the device is not registered.
fn device(d: &DeviceDetail) -> Option<DeviceFact> {
    let Some(id) = &d.device_id else {
        return Some(DeviceFact::Unregistered);
    };
    if id.chars().all(|c| c == '0' || c == '-') {
        return Some(DeviceFact::Unregistered);
    }
    let mut a = BTreeMap::new();
    a.insert("deviceId".to_string(), id.clone());
    if let Some(t) = d.trust_type.as_deref().and_then(trust_type) {
        a.insert("trustType".into(), t.into());
    }
    if let Some(c) = d.is_compliant {
        a.insert(
            "isCompliant".into(),
            if c { "True" } else { "False" }.into(),
        );
    }
    if let Some(n) = &d.display_name {
        a.insert("displayName".into(), n.clone());
    }
    if let Some(os) = &d.operating_system {
        a.insert("operatingSystem".into(), os.clone());
    }
    Some(DeviceFact::Attributes(a))
}

/// The log's join wording → the filter rule value of `device.trustType`.
fn trust_type(t: &str) -> Option<&'static str> {
    let t = t.to_ascii_lowercase();
    if t.contains("hybrid") {
        Some("ServerAD")
    } else if t.contains("joined") {
        Some("AzureAD")
    } else if t.contains("registered") {
        Some("Workplace")
    } else {
        None
    }
}

/// `Some(None)`: a member; `Some(Some(g))`: a guest or external user of these types; `None`:
/// the record does not say (v1.0 records have no `userType`).
fn guest(r: &Record) -> Option<Option<GuestFact>> {
    let user_type = r.user_type.as_deref()?.to_ascii_lowercase();
    let access = r
        .cross_tenant_access_type
        .as_deref()
        .unwrap_or("none")
        .to_ascii_lowercase();
    let external = match (&r.home_tenant_id, &r.resource_tenant_id) {
        (Some(h), Some(t)) => !h.eq_ignore_ascii_case(t),
        _ => access != "none",
    };
    let t = match (user_type.as_str(), access.as_str()) {
        (_, "b2bdirectconnect") => GuestType::B2bDirectConnectUser,
        (_, "serviceprovider") => GuestType::ServiceProvider,
        ("guest", "b2bcollaboration") => GuestType::B2bCollaborationGuest,
        ("member", "b2bcollaboration") => GuestType::B2bCollaborationMember,
        ("guest", _) if !external => GuestType::InternalGuest,
        ("guest", _) => GuestType::OtherExternalUser,
        ("member", _) if !external => return Some(None),
        ("member", _) => GuestType::OtherExternalUser,
        _ => return None,
    };
    Some(Some(GuestFact {
        types: vec![t],
        external_tenant: r
            .home_tenant_id
            .clone()
            .filter(|_| external)
            .map(|t| t.to_ascii_lowercase()),
    }))
}

/// What Conditional Access did, from the enforced results of `appliedConditionalAccessPolicies`
/// and `conditionalAccessStatus`.
fn recorded(r: &Record) -> Option<Outcome> {
    let policies = r.applied_conditional_access_policies.as_deref();
    let mut challenged = false;
    for p in policies.into_iter().flatten() {
        let grants = p.enforced_grant_controls.as_deref().unwrap_or_default();
        match p.result.as_deref() {
            Some("failure") if grants.iter().any(|g| g.eq_ignore_ascii_case("block")) => {
                return Some(Outcome::Block);
            }
            Some("success" | "failure") if !grants.is_empty() => challenged = true,
            _ => {}
        }
    }
    if challenged {
        return Some(Outcome::Challenge);
    }
    match r.conditional_access_status.as_deref() {
        Some("notApplied") | Some("success") => Some(Outcome::Allow),
        Some("failure") if r.status.as_ref().and_then(|s| s.error_code) == Some(53003) => {
            Some(Outcome::Block)
        }
        _ if policies.is_some() => Some(Outcome::Allow),
        _ => None,
    }
}
