//! The closed vocabularies of the language: each enumerated word and what it means, with
//! did-you-mean for words that are not in the list (`E0106`). The tables themselves are
//! `crate::vocab`'s.

use crate::ast::Ref;
use crate::diag::{Diagnostic, Diagnostics, did_you_mean, suggestion_text};
use crate::graph::model::{
    BuiltInControl, CaeMode, ClientAppType, CloudAppSecurityType, PersistentBrowserMode, Platform,
    PolicyState, RiskLevel,
};
use crate::ir::{
    AgentContext, AgentRisk, DeviceState, GuestType, InsiderRisk, TrafficProfile, TransferMethod,
};
use crate::source::Spanned;
use crate::vocab::{self, Vocab};

// The vocabularies are the tables of `crate::vocab`, under the names the checker has always
// used; `SESSION_CONTROLS` is the list of session control names.
pub static PLATFORMS: &Vocab<Platform> = &vocab::PLATFORM;
pub static CLIENTS: &Vocab<ClientAppType> = &vocab::CLIENT_APP;
pub static RISKS: &Vocab<RiskLevel> = &vocab::RISK;
pub static INSIDER_RISKS: &Vocab<InsiderRisk> = &vocab::INSIDER_RISK;
pub static AGENT_RISKS: &Vocab<AgentRisk> = &vocab::AGENT_RISK;
pub static AGENT_CONTEXTS: &Vocab<AgentContext> = &vocab::AGENT_CONTEXT;
pub static DEVICE_STATES: &Vocab<DeviceState> = &vocab::DEVICE_STATE;
pub static TRAFFIC_PROFILES: &Vocab<TrafficProfile> = &vocab::TRAFFIC_PROFILE;
pub static AUTH_FLOWS: &Vocab<TransferMethod> = &vocab::TRANSFER_METHOD;
pub static ACTIONS: &Vocab<&'static str> = &vocab::USER_ACTION;
pub static CONTROLS: &Vocab<BuiltInControl> = &vocab::CONTROL;
pub static MODES: &Vocab<PolicyState> = &vocab::STATE;
pub static PERSISTENT_BROWSER: &Vocab<PersistentBrowserMode> = &vocab::PERSISTENT_BROWSER;
pub static CLOUD_APP_SECURITY: &Vocab<CloudAppSecurityType> = &vocab::CLOUD_APP_SECURITY;
pub static CAE: &Vocab<CaeMode> = &vocab::CAE;
pub static GUEST_TYPES: &Vocab<GuestType> = &vocab::GUEST_TYPE;

pub const SESSION_CONTROLS: &[&str] = &[
    "sign-in-frequency",
    "persistent-browser",
    "app-enforced-restrictions",
    "cloud-app-security",
    "cae",
    "no-resilience-defaults",
    "token-protection",
    "network-access-security",
    "filtering-profile",
];

/// A closed list of words: a vocabulary, or a plain `(word, value)` table.
pub trait Table<T> {
    fn find(&self, word: &str) -> Option<T>;
    fn all_words(&self) -> Vec<&'static str>;
}

impl<T: Copy> Table<T> for [(&'static str, T)] {
    fn find(&self, word: &str) -> Option<T> {
        self.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
    }
    fn all_words(&self) -> Vec<&'static str> {
        self.iter().map(|(w, _)| *w).collect()
    }
}

impl<T: Copy + PartialEq> Table<T> for Vocab<T> {
    fn find(&self, word: &str) -> Option<T> {
        self.by_word(word)
    }
    fn all_words(&self) -> Vec<&'static str> {
        self.words().collect()
    }
}

/// Look `word` up in `table`; report `E0106` with the closest words when it is not there.
pub fn lookup<T: Copy, B: Table<T> + ?Sized>(
    table: &B,
    what: &str,
    r: &Spanned<Ref>,
    diags: &mut Diagnostics,
) -> Option<T> {
    let word = r.text();
    if let Some(v) = table.find(word) {
        return Some(v);
    }
    // `block` is in the table of controls only to report `require … block` as E0200; it is not
    // a choice to offer.
    diags.push(unknown_value(
        what,
        word,
        r.span,
        table.all_words().into_iter().filter(|w| *w != "block"),
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
