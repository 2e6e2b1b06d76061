//! Sign-ins written back as capol source: a `scenario` block that `capol test` accepts.
//!
//! In: a [`SignIn`], the declared names by id and the expectation. Out: text. Ids are written as
//! the name the sources declare for them, the built-in name (apps, roles), or the id itself.

use super::model::Expect;
use crate::symbols::catalog;
use crate::whatif::{
    AuthFlow, ClientAppType, DeviceFact, EvalContext, InsiderRisk, LocationFact, Platform,
    RiskLevel, SignIn, Target,
};
use std::fmt::Write;

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A name as a reference: bare when it can be, quoted otherwise.
fn reference(name: &str) -> String {
    let upn = name.contains('@') && !name.contains(' ') && !name.starts_with("user:");
    if crate::syntax::is_bare_name(name) || crate::symbols::is_guid(name) || upn {
        name.to_string()
    } else {
        quote(name)
    }
}

fn declared<'a>(ctx: &'a EvalContext, id: &str) -> Option<&'a str> {
    ctx.names
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(id))
        .map(|(_, v)| v.as_str())
}

pub fn group(ctx: &EvalContext, id: &str) -> String {
    declared(ctx, id).map_or_else(|| reference(id), reference)
}

pub fn role(ctx: &EvalContext, id: &str) -> String {
    if let Some(n) = declared(ctx, id) {
        return reference(n);
    }
    match catalog::role_by_id(id) {
        Some(r) => r.ident.clone(),
        None => reference(id),
    }
}

pub fn app(ctx: &EvalContext, id: &str) -> String {
    if let Some(n) = declared(ctx, id) {
        return reference(n);
    }
    match catalog::app_by_id(id) {
        Some(a) if catalog::app(&a.ident).is_some_and(|b| b.app_id.eq_ignore_ascii_case(id)) => {
            a.ident.clone()
        }
        Some(a) => quote(&a.display_name),
        None => reference(id),
    }
}

pub fn user(ctx: &EvalContext, id: &str) -> String {
    let id = id.strip_prefix("user:").unwrap_or(id);
    declared(ctx, id).map_or_else(|| reference(id), reference)
}

pub fn location(ctx: &EvalContext, l: &LocationFact) -> String {
    match l {
        LocationFact::Untrusted => "untrusted".into(),
        LocationFact::Named(id) => declared(ctx, id).map_or_else(|| reference(id), reference),
    }
}

pub fn target(ctx: &EvalContext, t: &Target) -> String {
    match t {
        Target::App(id) => format!("app {}", app(ctx, id)),
        Target::Action(a) => format!(
            "action {}",
            match a.as_str() {
                super::space::REGISTER_DEVICE => "register-device",
                _ => "register-security-info",
            }
        ),
        Target::Context(c) => format!("context {}", declared(ctx, c).unwrap_or(c)),
    }
}

pub fn platform(p: Platform) -> &'static str {
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

pub fn client(c: ClientAppType) -> &'static str {
    match c {
        ClientAppType::Browser => "browser",
        ClientAppType::MobileAppsAndDesktopClients => "mobile-desktop",
        ClientAppType::ExchangeActiveSync | ClientAppType::EasSupported => "exchange-activesync",
        ClientAppType::Other | ClientAppType::All => "other",
    }
}

pub fn risk(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
        RiskLevel::Hidden | RiskLevel::None => "none",
    }
}

pub fn insider(r: InsiderRisk) -> &'static str {
    match r {
        InsiderRisk::None => "none",
        InsiderRisk::Minor => "minor",
        InsiderRisk::Moderate => "moderate",
        InsiderRisk::Elevated => "elevated",
    }
}

pub fn flow(f: AuthFlow) -> &'static str {
    match f {
        AuthFlow::DeviceCodeFlow => "device-code",
        AuthFlow::AuthenticationTransfer => "authentication-transfer",
        AuthFlow::None => "none",
    }
}

fn attr_value(v: &str) -> String {
    if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
        v.to_string()
    } else {
        quote(v)
    }
}

pub fn device(d: &DeviceFact) -> String {
    match d {
        DeviceFact::Unregistered => "device unregistered".into(),
        DeviceFact::Attributes(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k} {}", attr_value(v)))
                .collect();
            format!("device {}", parts.join(", "))
        }
    }
}

/// The sign-in's facts, one per line, indented.
pub fn facts(s: &SignIn, ctx: &EvalContext) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(sp) = &s.service_principal {
        out.push(format!("service-principal {}", group(ctx, sp)));
    }
    let mut members: Vec<String> = s
        .groups
        .iter()
        .map(|g| format!("group {}", group(ctx, g)))
        .collect();
    members.extend(s.roles.iter().map(|r| format!("role {}", role(ctx, r))));
    match (&s.user, members.is_empty()) {
        (Some(u), true) => out.push(format!("user {}", user(ctx, u))),
        (Some(u), false) => out.push(format!(
            "user {} member-of {}",
            user(ctx, u),
            members.join(", ")
        )),
        (None, false) => out.push(format!("member-of {}", members.join(", "))),
        (None, true) => {}
    }
    if let Some(g) = &s.guest {
        let mut parts: Vec<String> = g.types.iter().map(|t| t.word().to_string()).collect();
        if let Some(t) = &g.external_tenant {
            parts.push(format!("tenant {t}"));
        }
        out.push(format!("guest {}", parts.join(", ")));
    }
    if let Some(t) = &s.target {
        out.push(target(ctx, t));
    }
    if let Some(m) = &s.app_attributes
        && !m.is_empty()
    {
        let parts: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k} {}", attr_value(v)))
            .collect();
        out.push(format!("app-attributes {}", parts.join(", ")));
    }
    if let Some(m) = &s.service_principal_attributes
        && !m.is_empty()
    {
        let parts: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k} {}", attr_value(v)))
            .collect();
        out.push(format!("service-principal-attributes {}", parts.join(", ")));
    }
    if let Some(p) = s.platform {
        out.push(format!("platform {}", platform(p)));
    }
    if let Some(c) = s.client {
        out.push(format!("client {}", client(c)));
    }
    if let Some(l) = &s.location {
        out.push(format!("location {}", location(ctx, l)));
    }
    if let Some(r) = s.sign_in_risk {
        out.push(format!("sign-in-risk {}", risk(r)));
    }
    if let Some(r) = s.user_risk {
        out.push(format!("user-risk {}", risk(r)));
    }
    if let Some(r) = s.service_principal_risk {
        out.push(format!("service-principal-risk {}", risk(r)));
    }
    if let Some(r) = s.insider_risk {
        out.push(format!("insider-risk {}", insider(r)));
    }
    if let Some(d) = &s.device {
        out.push(device(d));
    }
    if let Some(f) = s.auth_flow {
        out.push(format!("auth-flow {}", flow(f)));
    }
    out
}

/// The expectation as a scenario writes it, ids shown by their declared names.
fn expectation(e: &Expect, ctx: &EvalContext) -> String {
    let text = match e {
        Expect::Is(x) => x.to_string(),
        Expect::NotBlock => "not block".into(),
    };
    // Ids in control expressions (strengths, terms) read better as their declared names.
    let mut out = text;
    for (id, name) in &ctx.names {
        if out.contains(id.as_str()) {
            out = out.replace(id.as_str(), name);
        }
    }
    out
}

/// A complete scenario block.
pub fn scenario(name: &str, s: &SignIn, expects: &[Expect], ctx: &EvalContext) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario {}", quote(name));
    for f in facts(s, ctx) {
        if f.contains(super::space::OTHER_APP) {
            let _ = writeln!(out, "    {f}  # an app no policy names");
        } else {
            let _ = writeln!(out, "    {f}");
        }
    }
    for e in expects {
        match e {
            // A scenario cannot say "not block"; the sign-in is blocked, so the scenario says
            // `expect allow`, which fails the same way (`blocked by …`).
            Expect::NotBlock => {
                let _ = writeln!(out, "    expect allow");
            }
            e => {
                let _ = writeln!(out, "    expect {}", expectation(e, ctx));
            }
        }
    }
    out
}
