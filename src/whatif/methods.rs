//! Authentication methods and the combinations that authentication strengths allow.
//!
//! In: Graph's `authenticationMethodModes` (kebab-case in sources, camelCase in Graph). Out:
//! [`Method`], [`Combination`] (a set of methods, as one sign-in performs them or one strength
//! allows them), the built-in strengths' combinations ([`built_in`], from Microsoft's
//! "Conditional Access authentication strength" table and the Graph list of built-in policies),
//! and the [`Strengths`] table that decides whether a sign-in meets a strength and whether one
//! strength is at least as strong as another, from combinations alone.

use crate::symbols::catalog;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// One member of Graph's `authenticationMethodModes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Password,
    Voice,
    HardwareOath,
    SoftwareOath,
    Sms,
    Fido2,
    WindowsHelloForBusiness,
    MicrosoftAuthenticatorPush,
    DeviceBasedPush,
    TemporaryAccessPassOneTime,
    TemporaryAccessPassMultiUse,
    Email,
    X509CertificateSingleFactor,
    X509CertificateMultiFactor,
    FederatedSingleFactor,
    FederatedMultiFactor,
    QrCodePin,
}

/// Every method: the source word, the Graph name, what it is.
pub const METHODS: [(&str, &str, Method, &str); 17] = [
    ("password", "password", Method::Password, "password"),
    ("voice", "voice", Method::Voice, "voice call"),
    (
        "hardware-oath",
        "hardwareOath",
        Method::HardwareOath,
        "hardware OATH token",
    ),
    (
        "software-oath",
        "softwareOath",
        Method::SoftwareOath,
        "software OATH token",
    ),
    ("sms", "sms", Method::Sms, "text message"),
    (
        "fido2",
        "fido2",
        Method::Fido2,
        "FIDO2 security key or passkey",
    ),
    (
        "windows-hello-for-business",
        "windowsHelloForBusiness",
        Method::WindowsHelloForBusiness,
        "Windows Hello for Business",
    ),
    (
        "microsoft-authenticator-push",
        "microsoftAuthenticatorPush",
        Method::MicrosoftAuthenticatorPush,
        "Microsoft Authenticator push notification (after a first factor)",
    ),
    (
        "device-based-push",
        "deviceBasedPush",
        Method::DeviceBasedPush,
        "Microsoft Authenticator phone sign-in (passwordless)",
    ),
    (
        "temporary-access-pass-one-time",
        "temporaryAccessPassOneTime",
        Method::TemporaryAccessPassOneTime,
        "Temporary Access Pass, one-time use",
    ),
    (
        "temporary-access-pass-multi-use",
        "temporaryAccessPassMultiUse",
        Method::TemporaryAccessPassMultiUse,
        "Temporary Access Pass, multi-use",
    ),
    ("email", "email", Method::Email, "email one-time passcode"),
    (
        "x509-certificate-single-factor",
        "x509CertificateSingleFactor",
        Method::X509CertificateSingleFactor,
        "certificate-based authentication, single-factor",
    ),
    (
        "x509-certificate-multi-factor",
        "x509CertificateMultiFactor",
        Method::X509CertificateMultiFactor,
        "certificate-based authentication, multifactor",
    ),
    (
        "federated-single-factor",
        "federatedSingleFactor",
        Method::FederatedSingleFactor,
        "federated identity provider, single factor",
    ),
    (
        "federated-multi-factor",
        "federatedMultiFactor",
        Method::FederatedMultiFactor,
        "federated identity provider, multifactor",
    ),
    (
        "qr-code-pin",
        "qrCodePin",
        Method::QrCodePin,
        "QR code with PIN",
    ),
];

impl Method {
    fn bit(self) -> u32 {
        1 << (self as u32)
    }
    /// The word a source writes (`windows-hello-for-business`).
    pub fn word(self) -> &'static str {
        METHODS.iter().find(|m| m.2 == self).map_or("", |m| m.0)
    }
    /// Graph's name (`windowsHelloForBusiness`).
    pub fn graph_name(self) -> &'static str {
        METHODS.iter().find(|m| m.2 == self).map_or("", |m| m.1)
    }
    pub fn from_word(w: &str) -> Option<Method> {
        METHODS.iter().find(|m| m.0 == w).map(|m| m.2)
    }
    pub fn from_graph(w: &str) -> Option<Method> {
        METHODS
            .iter()
            .find(|m| m.1.eq_ignore_ascii_case(w.trim()))
            .map(|m| m.2)
    }
}

/// A set of methods: what one sign-in performed, or one combination a strength allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Combination(u32);

impl Combination {
    pub fn of(methods: &[Method]) -> Combination {
        Combination(methods.iter().fold(0, |acc, m| acc | m.bit()))
    }
    pub fn insert(&mut self, m: Method) {
        self.0 |= m.bit();
    }
    pub fn contains(self, m: Method) -> bool {
        self.0 & m.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Every method of `self` is in `other`.
    pub fn is_subset(self, other: Combination) -> bool {
        self.0 & !other.0 == 0
    }
    pub fn methods(self) -> impl Iterator<Item = Method> {
        METHODS
            .iter()
            .map(|m| m.2)
            .filter(move |m| self.contains(*m))
    }
    /// Graph's form: `password,microsoftAuthenticatorPush` (methods in enumeration order).
    pub fn graph_text(self) -> String {
        self.methods()
            .map(Method::graph_name)
            .collect::<Vec<_>>()
            .join(",")
    }
    /// Graph's form read back; spaces around the commas are allowed, order does not matter.
    /// `Err` names the first unknown method.
    pub fn from_graph(text: &str) -> Result<Combination, String> {
        let mut c = Combination::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            c.insert(Method::from_graph(part).ok_or_else(|| part.to_string())?);
        }
        Ok(c)
    }
}

impl fmt::Display for Combination {
    /// As a source writes it: `password + microsoft-authenticator-push`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<&str> = self.methods().map(Method::word).collect();
        f.write_str(&words.join(" + "))
    }
}

impl Serialize for Combination {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.graph_text())
    }
}

impl<'de> Deserialize<'de> for Combination {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Combination::from_graph(&text)
            .map_err(|m| serde::de::Error::custom(format!("unknown authentication method `{m}`")))
    }
}

use Method::*;

/// "Password + something you have" and "federated single-factor + something you have": text
/// message, voice, push notification, software OATH token, hardware OATH token.
const SOMETHING_YOU_HAVE: [Method; 5] = [
    MicrosoftAuthenticatorPush,
    SoftwareOath,
    HardwareOath,
    Sms,
    Voice,
];

/// The combinations of a built-in strength, by id: Microsoft's table ("Conditional Access
/// authentication strength", built-in authentication strengths) and Graph's `allowedCombinations`
/// of the built-in policies `…0002` (Multifactor authentication), `…0003` (Passwordless MFA) and
/// `…0004` (Phishing-resistant MFA).
pub fn built_in(id: &str) -> Option<Vec<Combination>> {
    let phishing_resistant = [
        Combination::of(&[WindowsHelloForBusiness]),
        Combination::of(&[Fido2]),
        Combination::of(&[X509CertificateMultiFactor]),
    ];
    let strength = catalog::strength_by_id(&id.to_ascii_lowercase())?;
    let mut out = phishing_resistant.to_vec();
    match strength.ident {
        "phishing-resistant-mfa" => {}
        "passwordless-mfa" => out.push(Combination::of(&[DeviceBasedPush])),
        _ => {
            out.push(Combination::of(&[DeviceBasedPush]));
            out.push(Combination::of(&[TemporaryAccessPassOneTime]));
            out.push(Combination::of(&[TemporaryAccessPassMultiUse]));
            for m in SOMETHING_YOU_HAVE {
                out.push(Combination::of(&[Password, m]));
            }
            out.push(Combination::of(&[FederatedMultiFactor]));
            for m in SOMETHING_YOU_HAVE {
                out.push(Combination::of(&[FederatedSingleFactor, m]));
            }
        }
    }
    Some(out)
}

/// The id of the built-in "Multifactor authentication" strength, whose combinations are those
/// that satisfy the `mfa` grant control.
pub const MFA_STRENGTH: &str = "00000000-0000-0000-0000-000000000002";

/// Three-valued answers about strengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    Yes,
    No,
    /// A custom strength whose combinations are not known.
    Unknown,
}

impl From<bool> for Known {
    fn from(b: bool) -> Known {
        if b { Known::Yes } else { Known::No }
    }
}

/// Combinations by strength id: the built-in ones, and custom ones from declarations
/// (`strength X = <id> allows …`) and `capol.lock`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strengths {
    /// Custom strengths, by lower-case id.
    pub custom: BTreeMap<String, Vec<Combination>>,
}

impl Strengths {
    /// The combinations a strength allows, if known.
    pub fn combinations(&self, id: &str) -> Option<Vec<Combination>> {
        built_in(id).or_else(|| self.custom.get(&id.to_ascii_lowercase()).cloned())
    }

    /// Does a sign-in that performed `done` meet strength `id`? It does when one allowed
    /// combination is among the methods performed.
    pub fn met_by(&self, id: &str, done: Combination) -> Known {
        match self.combinations(id) {
            Some(allowed) => allowed.iter().any(|c| c.is_subset(done)).into(),
            None => Known::Unknown,
        }
    }

    /// Is strength `a` at least as strong as `b`: does every combination `a` allows meet `b`?
    /// A strength is always as strong as itself.
    pub fn at_least(&self, a: &str, b: &str) -> Known {
        if a.eq_ignore_ascii_case(b) {
            return Known::Yes;
        }
        match (self.combinations(a), self.combinations(b)) {
            (Some(a), Some(b)) => a.iter().all(|c| b.iter().any(|d| d.is_subset(*c))).into(),
            _ => Known::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORDLESS: &str = "00000000-0000-0000-0000-000000000003";
    const PHISH: &str = "00000000-0000-0000-0000-000000000004";

    fn graph(list: &[&str]) -> Vec<Combination> {
        list.iter()
            .map(|c| Combination::from_graph(c).unwrap())
            .collect()
    }

    fn sorted(mut v: Vec<Combination>) -> Vec<Combination> {
        v.sort();
        v
    }

    /// The `allowedCombinations` of the built-in policies as Graph lists them
    /// (`GET /policies/authenticationStrengthPolicies`, Microsoft Graph documentation).
    #[test]
    fn built_in_strengths_match_graph() {
        let mfa = graph(&[
            "windowsHelloForBusiness",
            "fido2",
            "x509CertificateMultiFactor",
            "deviceBasedPush",
            "temporaryAccessPassOneTime",
            "temporaryAccessPassMultiUse",
            "password,microsoftAuthenticatorPush",
            "password,softwareOath",
            "password,hardwareOath",
            "password,sms",
            "password,voice",
            "federatedMultiFactor",
            "microsoftAuthenticatorPush,federatedSingleFactor",
            "softwareOath,federatedSingleFactor",
            "hardwareOath,federatedSingleFactor",
            "sms,federatedSingleFactor",
            "voice,federatedSingleFactor",
        ]);
        assert_eq!(sorted(built_in(MFA_STRENGTH).unwrap()), sorted(mfa));
        let pwdless = graph(&[
            "windowsHelloForBusiness",
            "fido2",
            "x509CertificateMultiFactor",
            "deviceBasedPush",
        ]);
        assert_eq!(sorted(built_in(PASSWORDLESS).unwrap()), sorted(pwdless));
        let phish = graph(&[
            "windowsHelloForBusiness",
            "fido2",
            "x509CertificateMultiFactor",
        ]);
        assert_eq!(sorted(built_in(PHISH).unwrap()), sorted(phish));
    }

    /// Microsoft's table, row by row: which built-in strengths each sign-in meets
    /// (MFA, passwordless MFA, phishing-resistant MFA).
    #[test]
    fn the_documented_table() {
        let s = Strengths::default();
        let rows: &[(&[Method], [bool; 3])] = &[
            (&[Fido2], [true, true, true]),
            (&[WindowsHelloForBusiness], [true, true, true]),
            (&[X509CertificateMultiFactor], [true, true, true]),
            (&[DeviceBasedPush], [true, true, false]),
            (&[TemporaryAccessPassOneTime], [true, false, false]),
            (&[TemporaryAccessPassMultiUse], [true, false, false]),
            (&[Password, Sms], [true, false, false]),
            (&[Password, Voice], [true, false, false]),
            (
                &[Password, MicrosoftAuthenticatorPush],
                [true, false, false],
            ),
            (&[Password, SoftwareOath], [true, false, false]),
            (&[Password, HardwareOath], [true, false, false]),
            (&[FederatedSingleFactor, Sms], [true, false, false]),
            (&[FederatedSingleFactor, HardwareOath], [true, false, false]),
            (&[FederatedMultiFactor], [true, false, false]),
            (&[X509CertificateSingleFactor], [false, false, false]),
            (&[Sms], [false, false, false]),
            (&[Password], [false, false, false]),
            (&[FederatedSingleFactor], [false, false, false]),
            (&[Email], [false, false, false]),
        ];
        for (methods, expected) in rows {
            let done = Combination::of(methods);
            let got =
                [MFA_STRENGTH, PASSWORDLESS, PHISH].map(|id| s.met_by(id, done) == Known::Yes);
            assert_eq!(got, *expected, "{done}");
        }
    }

    #[test]
    fn comparisons_follow_from_combinations() {
        let mut s = Strengths::default();
        s.custom.insert(
            "c-fido".into(),
            graph(&["fido2", "windowsHelloForBusiness"]),
        );
        s.custom
            .insert("c-sms".into(), graph(&["password,sms", "fido2"]));
        assert_eq!(s.at_least(PHISH, PASSWORDLESS), Known::Yes);
        assert_eq!(s.at_least(PASSWORDLESS, MFA_STRENGTH), Known::Yes);
        assert_eq!(s.at_least(PASSWORDLESS, PHISH), Known::No);
        assert_eq!(s.at_least(MFA_STRENGTH, PASSWORDLESS), Known::No);
        assert_eq!(s.at_least("c-fido", PHISH), Known::Yes);
        assert_eq!(
            s.at_least(PHISH, "c-fido"),
            Known::No,
            "certificates are not allowed"
        );
        assert_eq!(s.at_least("c-sms", MFA_STRENGTH), Known::Yes);
        assert_eq!(s.at_least("c-sms", PASSWORDLESS), Known::No);
        assert_eq!(s.at_least("C-FIDO", "c-fido"), Known::Yes);
        assert_eq!(s.at_least("unknown-id", PHISH), Known::Unknown);
        assert_eq!(
            s.met_by("unknown-id", Combination::of(&[Fido2])),
            Known::Unknown
        );
    }

    #[test]
    fn combinations_read_and_write_graph_text() {
        let c = Combination::from_graph("sms, password").unwrap();
        assert_eq!(c.graph_text(), "password,sms");
        assert_eq!(c.to_string(), "password + sms");
        assert_eq!(
            Combination::from_graph("password,bogus"),
            Err("bogus".into())
        );
        for (word, graph, m, _) in METHODS {
            assert_eq!(Method::from_word(word), Some(m));
            assert_eq!(Method::from_graph(graph), Some(m));
            assert_eq!(m.word(), word);
        }
    }
}
