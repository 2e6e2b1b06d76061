//! The closed vocabularies of the language: each enumerated word and what it means, with
//! did-you-mean for words that are not in the list (`E0106`).

use crate::ast::Ref;
use crate::diag::{Diagnostic, Diagnostics, did_you_mean, suggestion_text};
use crate::graph::model::{
    BuiltInControl, CaeMode, ClientAppType, CloudAppSecurityType, PersistentBrowserMode, Platform,
    PolicyState, RiskLevel,
};
use crate::ir::{GuestType, InsiderRisk, TransferMethod};
use crate::source::Spanned;

pub const PLATFORMS: &[(&str, Platform)] = &[
    ("android", Platform::Android),
    ("ios", Platform::Ios),
    ("windows", Platform::Windows),
    ("windows-phone", Platform::WindowsPhone),
    ("macos", Platform::MacOs),
    ("linux", Platform::Linux),
    ("any", Platform::All),
];

pub const CLIENTS: &[(&str, ClientAppType)] = &[
    ("browser", ClientAppType::Browser),
    ("mobile-desktop", ClientAppType::MobileAppsAndDesktopClients),
    ("exchange-activesync", ClientAppType::ExchangeActiveSync),
    ("other", ClientAppType::Other),
];

pub const RISKS: &[(&str, RiskLevel)] = &[
    ("low", RiskLevel::Low),
    ("medium", RiskLevel::Medium),
    ("high", RiskLevel::High),
    ("none", RiskLevel::None),
];

pub const INSIDER_RISKS: &[(&str, InsiderRisk)] = &[
    ("minor", InsiderRisk::Minor),
    ("moderate", InsiderRisk::Moderate),
    ("elevated", InsiderRisk::Elevated),
];

pub const AUTH_FLOWS: &[(&str, TransferMethod)] = &[
    ("device-code", TransferMethod::DeviceCodeFlow),
    (
        "authentication-transfer",
        TransferMethod::AuthenticationTransfer,
    ),
];

pub const ACTIONS: &[(&str, &str)] = &[
    ("register-security-info", "urn:user:registersecurityinfo"),
    ("register-device", "urn:user:registerdevice"),
];

pub const CONTROLS: &[(&str, BuiltInControl)] = &[
    ("mfa", BuiltInControl::Mfa),
    ("compliant-device", BuiltInControl::CompliantDevice),
    ("hybrid-joined-device", BuiltInControl::DomainJoinedDevice),
    ("approved-app", BuiltInControl::ApprovedApplication),
    ("compliant-app", BuiltInControl::CompliantApplication),
    ("password-change", BuiltInControl::PasswordChange),
    ("risk-remediation", BuiltInControl::RiskRemediation),
    ("block", BuiltInControl::Block),
];

pub const MODES: &[(&str, PolicyState)] = &[
    ("on", PolicyState::Enabled),
    ("off", PolicyState::Disabled),
    ("report-only", PolicyState::ReportOnly),
];

pub const PERSISTENT_BROWSER: &[(&str, PersistentBrowserMode)] = &[
    ("never", PersistentBrowserMode::Never),
    ("always", PersistentBrowserMode::Always),
];

pub const CLOUD_APP_SECURITY: &[(&str, CloudAppSecurityType)] = &[
    ("monitor-only", CloudAppSecurityType::MonitorOnly),
    ("block-downloads", CloudAppSecurityType::BlockDownloads),
    ("custom", CloudAppSecurityType::McasConfigured),
];

pub const CAE: &[(&str, CaeMode)] = &[
    ("disabled", CaeMode::Disabled),
    ("strict", CaeMode::StrictEnforcement),
    ("strict-location", CaeMode::StrictLocation),
];

pub const SESSION_CONTROLS: &[&str] = &[
    "sign-in-frequency",
    "persistent-browser",
    "app-enforced-restrictions",
    "cloud-app-security",
    "cae",
    "no-resilience-defaults",
    "token-protection",
];

pub const GUEST_TYPES: &[(&str, GuestType)] = &[
    ("internal-guest", GuestType::InternalGuest),
    ("b2b-collaboration-guest", GuestType::B2bCollaborationGuest),
    (
        "b2b-collaboration-member",
        GuestType::B2bCollaborationMember,
    ),
    ("b2b-direct-connect-user", GuestType::B2bDirectConnectUser),
    ("other-external-user", GuestType::OtherExternalUser),
    ("service-provider", GuestType::ServiceProvider),
];

/// Look `word` up in `table`; report `E0106` with the closest words when it is not there.
pub fn lookup<T: Copy>(
    table: &[(&'static str, T)],
    what: &str,
    r: &Spanned<Ref>,
    diags: &mut Diagnostics,
) -> Option<T> {
    let word = r.text();
    if let Some((_, v)) = table.iter().find(|(w, _)| *w == word) {
        return Some(*v);
    }
    // `block` is in the table of controls only to report `require … block` as E0200; it is not
    // a choice to offer.
    diags.push(unknown_value(
        what,
        word,
        r.span,
        table.iter().map(|(w, _)| *w).filter(|w| *w != "block"),
    ));
    None
}

/// `E0106`: a word outside a closed list.
pub fn unknown_value<'a>(
    what: &str,
    word: &str,
    span: crate::source::Span,
    words: impl Iterator<Item = &'a str> + Clone,
) -> Diagnostic {
    let found = did_you_mean(word, words.clone());
    let all: Vec<String> = words.map(|w| format!("`{w}`")).collect();
    let mut d = Diagnostic::new("E0106", format!("unknown {what} `{word}`"))
        .at(span, format!("not {}", article(what)));
    d = match suggestion_text(&found) {
        Some(s) => d.help(format!("{s} the choices are {}", all.join(", "))),
        None => d.help(format!("the choices are {}", all.join(", "))),
    };
    d
}

fn article(what: &str) -> String {
    if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {what}")
    } else {
        format!("a {what}")
    }
}
