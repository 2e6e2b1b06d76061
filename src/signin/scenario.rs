//! A replayed sign-in written back as a `scenario`, to paste into the sources and keep as a test.
//!
//! In: a [`Mapped`] sign-in and the expectation to write. Out: `.capol` scenario text that
//! states exactly the facts the record gave (ids as written in the log; a fact the record did
//! not give is left out, and stays unknown in `capol test` too).

use super::map::Mapped;
use crate::whatif::methods::Method;
use crate::whatif::{
    AuthFlow, ClientAppType, DeviceFact, InsiderRisk, LocationFact, Platform, RiskLevel, Target,
};

/// `scenario "…"` with one fact per line and the expectation last.
pub fn render(m: &Mapped, expect: &str) -> String {
    let s = &m.sign_in;
    let mut title = format!("sign-in of {}", m.who);
    if let Some(t) = &m.time {
        title.push_str(&format!(" at {t}"));
    }
    if let Some(id) = &m.id {
        title.push_str(&format!(" ({id})"));
    }
    let mut out = format!("scenario {}\n", quote(&title));
    let mut line = |l: String| {
        out.push_str("    ");
        out.push_str(&l);
        out.push('\n');
    };
    if let Some(sp) = &s.service_principal {
        line(format!("service-principal {sp}"));
    } else if let Some(u) = &s.user {
        let mut members: Vec<String> = s.groups.iter().map(|g| format!("group {g}")).collect();
        members.extend(s.roles.iter().map(|r| format!("role {r}")));
        if members.is_empty() {
            line(format!("user {}", value(u)));
        } else {
            line(format!(
                "user {} member-of {}",
                value(u),
                members.join(", ")
            ));
        }
    }
    if let Some(g) = &s.guest {
        let types: Vec<&str> = g.types.iter().map(|t| t.word()).collect();
        match &g.external_tenant {
            Some(t) => line(format!("guest {}, tenant {t}", types.join(", "))),
            None => line(format!("guest {}", types.join(", "))),
        }
    }
    match &s.target {
        Some(Target::App(a)) => line(format!("app {}", value(a))),
        Some(Target::Action(a)) => line(format!("action {}", value(a))),
        Some(Target::Context(c)) => line(format!("context {c}")),
        None => {}
    }
    if let Some(p) = s.platform {
        line(format!("platform {}", platform(p)));
    }
    if let Some(c) = s.client {
        line(format!("client {}", client(c)));
    }
    match &s.location {
        Some(LocationFact::Named(id)) => line(format!("location {}", value(id))),
        Some(LocationFact::Untrusted) => line("location untrusted".into()),
        None => {}
    }
    if let Some(r) = s.sign_in_risk.filter(|r| *r != RiskLevel::Hidden) {
        line(format!("sign-in-risk {}", risk(r)));
    }
    if let Some(r) = s.user_risk.filter(|r| *r != RiskLevel::Hidden) {
        line(format!("user-risk {}", risk(r)));
    }
    if let Some(r) = s.insider_risk {
        line(format!("insider-risk {}", insider(r)));
    }
    match &s.device {
        Some(DeviceFact::Unregistered) => line("device unregistered".into()),
        Some(DeviceFact::Attributes(a)) if !a.is_empty() => {
            let attrs: Vec<String> = a.iter().map(|(k, v)| format!("{k} {}", value(v))).collect();
            line(format!("device {}", attrs.join(", ")));
        }
        _ => {}
    }
    if let Some(f) = s.auth_flow {
        line(format!("auth-flow {}", flow(f)));
    }
    if let Some(d) = &s.done {
        let words: Vec<&str> = d.methods.methods().map(Method::word).collect();
        if !words.is_empty() {
            line(format!("methods {}", words.join(", ")));
        }
    }
    line(format!("expect {expect}"));
    out
}

/// A bare word when the grammar reads it as one, else a quoted string.
fn value(v: &str) -> String {
    let bare = v
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let upn = v.contains('@')
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '\'' | '@'));
    if (bare
        && v.chars()
            .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase()))
        || upn
    {
        v.to_string()
    } else {
        quote(v)
    }
}

pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn platform(p: Platform) -> &'static str {
    match p {
        Platform::Android => "android",
        Platform::Ios => "ios",
        Platform::Windows => "windows",
        Platform::WindowsPhone => "windows-phone",
        Platform::MacOs => "macos",
        Platform::Linux => "linux",
        Platform::All => "unknown",
    }
}

fn client(c: ClientAppType) -> &'static str {
    match c {
        ClientAppType::Browser => "browser",
        ClientAppType::MobileAppsAndDesktopClients => "mobile-desktop",
        ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported => "exchange-activesync",
        ClientAppType::Other | ClientAppType::All => "other",
    }
}

fn risk(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
        RiskLevel::None => "none",
        // Scenarios cannot state a hidden risk; the callers leave the fact out.
        RiskLevel::Hidden => "none",
    }
}

fn insider(r: InsiderRisk) -> &'static str {
    match r {
        InsiderRisk::None => "none",
        InsiderRisk::Minor => "minor",
        InsiderRisk::Moderate => "moderate",
        InsiderRisk::Elevated => "elevated",
    }
}

fn flow(f: AuthFlow) -> &'static str {
    match f {
        AuthFlow::DeviceCodeFlow => "device-code",
        AuthFlow::AuthenticationTransfer => "authentication-transfer",
        AuthFlow::None => "none",
    }
}
