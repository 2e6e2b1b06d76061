//! Session controls merged across the applying enforced policies, the most restrictive winning.
//!
//! In: Graph `sessionControls` of each applying policy. Out: one [`Session`]. The order, most
//! restrictive first: sign-in frequency every time, then the shortest period; persistent browser
//! `never` over `always`; app-enforced restrictions, token protection and disabled resilience
//! defaults if any policy sets them; Defender for Cloud Apps `blockDownloads` over
//! `mcasConfigured` (a custom policy, which can do anything up to blocking) over `monitorOnly`;
//! continuous access evaluation `strictLocation` over `strictEnforcement` over `disabled`.

use crate::graph::model::{
    CaeMode, CloudAppSecurityType, FrequencyInterval, FrequencyUnit, PersistentBrowserMode,
    SessionControls,
};
use serde::{Serialize, Serializer};
use std::fmt;

/// How often the user must sign in again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    EveryTime,
    /// A period, in hours (days are counted as 24 hours).
    Hours(u32),
}

impl Frequency {
    /// Higher is more restrictive.
    fn strictness(self) -> (u8, u32) {
        match self {
            Frequency::EveryTime => (1, 0),
            Frequency::Hours(h) => (0, u32::MAX - h),
        }
    }
    /// `4 hours`, `7 days`, `every-time`, as the session clause writes it.
    pub fn from_clause(value: u32, unit: FrequencyUnit) -> Frequency {
        match unit {
            FrequencyUnit::Hours => Frequency::Hours(value),
            FrequencyUnit::Days => Frequency::Hours(value.saturating_mul(24)),
        }
    }
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Frequency::EveryTime => f.write_str("every-time"),
            Frequency::Hours(1) => f.write_str("1 hour"),
            Frequency::Hours(24) => f.write_str("1 day"),
            Frequency::Hours(h) if h % 24 == 0 => write!(f, "{} days", h / 24),
            Frequency::Hours(h) => write!(f, "{h} hours"),
        }
    }
}

impl Serialize for Frequency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The merged session controls. Also the form of an `expect session …` expectation, where a
/// field left unset (or `false`) makes no claim.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_frequency: Option<Frequency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_browser: Option<PersistentBrowserMode>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub app_enforced_restrictions: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub token_protection: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_app_security: Option<CloudAppSecurityType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuous_access_evaluation: Option<CaeMode>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable_resilience_defaults: bool,
    /// Beta Global Secure Access security profiles (policy ids) and web filtering profiles of
    /// every applying policy: each one applies, so they add up (sorted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub network_access_security: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filtering_profiles: Vec<String>,
}

fn add_sorted(list: &mut Vec<String>, id: &str) {
    if let Err(i) = list.binary_search_by(|x| x.as_str().cmp(id)) {
        list.insert(i, id.to_string());
    }
}

fn cas_rank(t: CloudAppSecurityType) -> u8 {
    match t {
        CloudAppSecurityType::MonitorOnly => 1,
        CloudAppSecurityType::McasConfigured => 2,
        CloudAppSecurityType::BlockDownloads => 3,
    }
}

fn cae_rank(m: CaeMode) -> u8 {
    match m {
        CaeMode::Disabled => 0,
        CaeMode::StrictEnforcement => 1,
        CaeMode::StrictLocation => 2,
    }
}

fn stricter<T: Copy>(current: Option<T>, new: T, rank: impl Fn(T) -> u8) -> Option<T> {
    match current {
        Some(c) if rank(c) >= rank(new) => Some(c),
        _ => Some(new),
    }
}

impl Session {
    /// Merge one policy's session controls into this one.
    pub fn merge(&mut self, s: &SessionControls) {
        if let Some(f) = s.sign_in_frequency.as_ref().filter(|f| f.is_enabled) {
            let new = match (f.frequency_interval, f.value, f.kind) {
                (FrequencyInterval::EveryTime, _, _) => Some(Frequency::EveryTime),
                (FrequencyInterval::TimeBased, Some(v), Some(unit)) => {
                    Some(Frequency::from_clause(v, unit))
                }
                // A time-based frequency without a period is malformed; it adds nothing.
                (FrequencyInterval::TimeBased, _, _) => None,
            };
            if let Some(new) = new
                && self
                    .sign_in_frequency
                    .is_none_or(|old| new.strictness() > old.strictness())
            {
                self.sign_in_frequency = Some(new);
            }
        }
        if let Some(p) = s.persistent_browser.as_ref().filter(|p| p.is_enabled) {
            self.persistent_browser = stricter(self.persistent_browser, p.mode, |m| match m {
                PersistentBrowserMode::Always => 0,
                PersistentBrowserMode::Never => 1,
            });
        }
        self.app_enforced_restrictions |= s
            .application_enforced_restrictions
            .as_ref()
            .is_some_and(|e| e.is_enabled);
        self.token_protection |= s
            .secure_sign_in_session
            .as_ref()
            .is_some_and(|e| e.is_enabled);
        if let Some(c) = s.cloud_app_security.as_ref().filter(|c| c.is_enabled) {
            self.cloud_app_security =
                stricter(self.cloud_app_security, c.cloud_app_security_type, cas_rank);
        }
        if let Some(c) = &s.continuous_access_evaluation {
            self.continuous_access_evaluation =
                stricter(self.continuous_access_evaluation, c.mode, cae_rank);
        }
        self.disable_resilience_defaults |= s.disable_resilience_defaults;
        if let Some(n) = s.network_access_security.as_ref().filter(|n| n.is_enabled) {
            add_sorted(&mut self.network_access_security, &n.policy_id);
        }
        if let Some(f) = s
            .global_secure_access_filtering_profile
            .as_ref()
            .filter(|f| f.is_enabled)
        {
            add_sorted(&mut self.filtering_profiles, &f.profile_id);
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Session::default()
    }

    /// Merge one policy's session controls, and record `policy` as the source of every merged
    /// control it sets or makes stricter (keys as in JSON: `signInFrequency`, …). A control two
    /// policies set alike keeps the first policy.
    pub fn merge_from(
        &mut self,
        s: &SessionControls,
        policy: &str,
        sources: &mut std::collections::BTreeMap<&'static str, String>,
    ) {
        let before = self.clone();
        self.merge(s);
        let mut changed = |key: &'static str, differs: bool| {
            if differs {
                sources.insert(key, policy.to_string());
            }
        };
        changed(
            "signInFrequency",
            before.sign_in_frequency != self.sign_in_frequency,
        );
        changed(
            "persistentBrowser",
            before.persistent_browser != self.persistent_browser,
        );
        changed(
            "appEnforcedRestrictions",
            before.app_enforced_restrictions != self.app_enforced_restrictions,
        );
        changed(
            "tokenProtection",
            before.token_protection != self.token_protection,
        );
        changed(
            "cloudAppSecurity",
            before.cloud_app_security != self.cloud_app_security,
        );
        changed(
            "continuousAccessEvaluation",
            before.continuous_access_evaluation != self.continuous_access_evaluation,
        );
        changed(
            "disableResilienceDefaults",
            before.disable_resilience_defaults != self.disable_resilience_defaults,
        );
        changed(
            "networkAccessSecurity",
            before.network_access_security != self.network_access_security,
        );
        changed(
            "globalSecureAccessFilteringProfile",
            before.filtering_profiles != self.filtering_profiles,
        );
    }

    /// Every claim of `expected` that this session does not meet, as text. A claim is met when
    /// the merged control is exactly the expected one.
    pub fn unmet(&self, expected: &Session) -> Vec<String> {
        let mut out = Vec::new();
        let mut claim = |name: &str, want: Option<String>, got: Option<String>| {
            if let Some(want) = want
                && got.as_deref() != Some(want.as_str())
            {
                let got = got.unwrap_or_else(|| "none".into());
                out.push(format!("{name} {want} (merged: {got})"));
            }
        };
        let flag = |b: bool| b.then(|| "on".to_string());
        claim(
            "sign-in-frequency",
            expected.sign_in_frequency.map(|f| f.to_string()),
            self.sign_in_frequency.map(|f| f.to_string()),
        );
        claim(
            "persistent-browser",
            expected.persistent_browser.map(browser_word),
            self.persistent_browser.map(browser_word),
        );
        claim(
            "app-enforced-restrictions",
            flag(expected.app_enforced_restrictions),
            flag(self.app_enforced_restrictions),
        );
        claim(
            "token-protection",
            flag(expected.token_protection),
            flag(self.token_protection),
        );
        claim(
            "cloud-app-security",
            expected.cloud_app_security.map(cas_word),
            self.cloud_app_security.map(cas_word),
        );
        claim(
            "cae",
            expected.continuous_access_evaluation.map(cae_word),
            self.continuous_access_evaluation.map(cae_word),
        );
        claim(
            "no-resilience-defaults",
            flag(expected.disable_resilience_defaults),
            flag(self.disable_resilience_defaults),
        );
        out
    }
}

// The session words come from `crate::vocab`, like the checker's.
fn browser_word(m: PersistentBrowserMode) -> String {
    crate::vocab::PERSISTENT_BROWSER.word_or_graph(m).into()
}

fn cas_word(t: CloudAppSecurityType) -> String {
    crate::vocab::CLOUD_APP_SECURITY.word_or_graph(t).into()
}

fn cae_word(m: CaeMode) -> String {
    crate::vocab::CAE.word_or_graph(m).into()
}

impl fmt::Display for Session {
    /// `sign-in-frequency 4 hours, persistent-browser never`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(x) = self.sign_in_frequency {
            parts.push(format!("sign-in-frequency {x}"));
        }
        if let Some(m) = self.persistent_browser {
            parts.push(format!("persistent-browser {}", browser_word(m)));
        }
        if self.app_enforced_restrictions {
            parts.push("app-enforced-restrictions".into());
        }
        if self.token_protection {
            parts.push("token-protection".into());
        }
        if let Some(t) = self.cloud_app_security {
            parts.push(format!("cloud-app-security {}", cas_word(t)));
        }
        if let Some(m) = self.continuous_access_evaluation {
            parts.push(format!("cae {}", cae_word(m)));
        }
        if self.disable_resilience_defaults {
            parts.push("no-resilience-defaults".into());
        }
        for id in &self.network_access_security {
            parts.push(format!("network-access-security {id}"));
        }
        for id in &self.filtering_profiles {
            parts.push(format!("filtering-profile {id}"));
        }
        if parts.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::model::{
        AuthenticationType, CloudAppSecurity, ContinuousAccessEvaluation, Enabled,
        PersistentBrowser, SignInFrequency,
    };

    fn freq(
        value: Option<u32>,
        kind: Option<FrequencyUnit>,
        interval: FrequencyInterval,
    ) -> SessionControls {
        SessionControls {
            sign_in_frequency: Some(SignInFrequency {
                is_enabled: true,
                value,
                kind,
                frequency_interval: interval,
                authentication_type: Some(AuthenticationType::PrimaryAndSecondaryAuthentication),
            }),
            ..SessionControls::default()
        }
    }

    fn merged(all: &[SessionControls]) -> Session {
        let mut s = Session::default();
        for c in all {
            s.merge(c);
        }
        s
    }

    #[test]
    fn shortest_sign_in_frequency_wins_and_every_time_beats_all() {
        let four_h = freq(
            Some(4),
            Some(FrequencyUnit::Hours),
            FrequencyInterval::TimeBased,
        );
        let one_d = freq(
            Some(1),
            Some(FrequencyUnit::Days),
            FrequencyInterval::TimeBased,
        );
        let every = freq(None, None, FrequencyInterval::EveryTime);
        assert_eq!(
            merged(&[one_d.clone(), four_h.clone()]).sign_in_frequency,
            Some(Frequency::Hours(4))
        );
        assert_eq!(
            merged(&[four_h.clone(), one_d.clone()]).sign_in_frequency,
            Some(Frequency::Hours(4))
        );
        assert_eq!(
            merged(&[four_h, every, one_d]).sign_in_frequency,
            Some(Frequency::EveryTime)
        );
    }

    #[test]
    fn persistent_browser_never_beats_always() {
        let pb = |mode| SessionControls {
            persistent_browser: Some(PersistentBrowser {
                is_enabled: true,
                mode,
            }),
            ..SessionControls::default()
        };
        let s = merged(&[
            pb(PersistentBrowserMode::Always),
            pb(PersistentBrowserMode::Never),
            pb(PersistentBrowserMode::Always),
        ]);
        assert_eq!(s.persistent_browser, Some(PersistentBrowserMode::Never));
        assert_eq!(
            merged(&[pb(PersistentBrowserMode::Always)]).persistent_browser,
            Some(PersistentBrowserMode::Always)
        );
    }

    #[test]
    fn flags_are_on_if_any_policy_sets_them() {
        let on = Some(Enabled { is_enabled: true });
        let s = merged(&[
            SessionControls {
                application_enforced_restrictions: on.clone(),
                ..SessionControls::default()
            },
            SessionControls {
                secure_sign_in_session: on,
                disable_resilience_defaults: true,
                ..SessionControls::default()
            },
            SessionControls::default(),
        ]);
        assert!(s.app_enforced_restrictions && s.token_protection && s.disable_resilience_defaults);
        assert_eq!(
            s.to_string(),
            "app-enforced-restrictions, token-protection, no-resilience-defaults"
        );
    }

    #[test]
    fn cloud_app_security_and_cae_orders() {
        let cas = |t| SessionControls {
            cloud_app_security: Some(CloudAppSecurity {
                is_enabled: true,
                cloud_app_security_type: t,
            }),
            ..SessionControls::default()
        };
        let s = merged(&[
            cas(CloudAppSecurityType::MonitorOnly),
            cas(CloudAppSecurityType::BlockDownloads),
            cas(CloudAppSecurityType::McasConfigured),
        ]);
        assert_eq!(
            s.cloud_app_security,
            Some(CloudAppSecurityType::BlockDownloads)
        );
        let s = merged(&[
            cas(CloudAppSecurityType::MonitorOnly),
            cas(CloudAppSecurityType::McasConfigured),
        ]);
        assert_eq!(
            s.cloud_app_security,
            Some(CloudAppSecurityType::McasConfigured)
        );
        let cae = |mode| SessionControls {
            continuous_access_evaluation: Some(ContinuousAccessEvaluation { mode }),
            ..SessionControls::default()
        };
        let s = merged(&[cae(CaeMode::StrictEnforcement), cae(CaeMode::Disabled)]);
        assert_eq!(
            s.continuous_access_evaluation,
            Some(CaeMode::StrictEnforcement)
        );
    }

    #[test]
    fn frequency_text() {
        assert_eq!(Frequency::Hours(1).to_string(), "1 hour");
        assert_eq!(Frequency::Hours(4).to_string(), "4 hours");
        assert_eq!(Frequency::Hours(24).to_string(), "1 day");
        assert_eq!(
            Frequency::from_clause(7, FrequencyUnit::Days).to_string(),
            "7 days"
        );
        assert_eq!(Frequency::EveryTime.to_string(), "every-time");
    }

    #[test]
    fn expectations_name_what_is_unmet() {
        let actual = Session {
            sign_in_frequency: Some(Frequency::Hours(1)),
            ..Session::default()
        };
        let want = Session {
            sign_in_frequency: Some(Frequency::Hours(4)),
            persistent_browser: Some(PersistentBrowserMode::Never),
            ..Session::default()
        };
        assert_eq!(
            actual.unmet(&want),
            [
                "sign-in-frequency 4 hours (merged: 1 hour)",
                "persistent-browser never (merged: none)"
            ]
        );
        assert!(
            actual
                .unmet(&Session {
                    sign_in_frequency: Some(Frequency::Hours(1)),
                    ..Session::default()
                })
                .is_empty()
        );
        assert!(actual.unmet(&Session::default()).is_empty());
    }
}
