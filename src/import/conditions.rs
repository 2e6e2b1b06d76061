//! A policy's `conditions` (JSON) → the `for`, `exclude` and `when` lists of its draft.
//!
//! In: `$.conditions` with its path, the naming table. Out: targets in the draft, or
//! diagnostics naming the JSON path of every value that Graph would reject or that capol cannot
//! express.

use super::convert::{Draft, guid, member, missing, named, target, word};
use super::names::Namer;
use super::users::{USERS, only_none, service_principals, users};
use super::walk::{Ctx, J, is_empty};
use crate::ast::{Target, TargetKind as T, TargetValue};
use crate::source::{Span, Spanned};
use crate::symbols::Kind;

const CONDITIONS: [&str; 12] = [
    "users",
    "applications",
    "clientApplications",
    "clientAppTypes",
    "platforms",
    "locations",
    "devices",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
    "authenticationFlows",
];
const CONDITIONS_BETA: [&str; 6] = [
    "deviceStates",
    "times",
    "clients",
    "agents",
    "agentContext",
    "agentIdRiskLevels",
];

pub(crate) fn read(ctx: &mut Ctx, namer: &mut Namer, c: &J, d: &mut Draft) {
    ctx.members(c, &CONDITIONS, &CONDITIONS_BETA);
    let workload = match ctx.object(c.get("clientApplications")) {
        Some(ca) => service_principals(ctx, namer, &ca, d),
        None => false,
    };
    match ctx.object(c.get("users")) {
        Some(u) if workload && only_none(&u) => ctx.members(&u, &USERS, &[]),
        Some(u) => users(ctx, namer, &u, d),
        None if !workload && c.get("users").is_none() => missing(ctx, c, "users"),
        None => {}
    }
    match ctx.object(c.get("applications")) {
        Some(a) => applications(ctx, namer, &a, workload, d),
        None if c.get("applications").is_none() => missing(ctx, c, "applications"),
        None => {}
    }
    platforms(ctx, c, d);
    locations(ctx, namer, c, d);
    client_app_types(ctx, c, d);
    if let Some(dev) = ctx.object(c.get("devices")) {
        ctx.members(
            &dev,
            &["deviceFilter"],
            &[
                "includeDevices",
                "excludeDevices",
                "includeDeviceStates",
                "excludeDeviceStates",
            ],
        );
        if let Some((include, t)) = filter(ctx, dev.get("deviceFilter"), T::Device) {
            if include {
                d.when.push(vec![t])
            } else {
                d.exclude_conditions.push(vec![t])
            }
        }
    }
    const RISKS: [(&str, Option<&str>); 5] = [
        ("low", Some("low")),
        ("medium", Some("medium")),
        ("high", Some("high")),
        ("none", Some("none")),
        ("hidden", None),
    ];
    for (key, kind) in [
        ("signInRiskLevels", T::SignInRisk),
        ("userRiskLevels", T::UserRisk),
        ("servicePrincipalRiskLevels", T::ServicePrincipalRisk),
    ] {
        let mut list = Vec::new();
        for (v, at) in ctx.strings(c.get(key)) {
            match member(ctx, &RISKS, &v, &at, "risk level") {
                Some(Some(w)) => list.push(word(kind, w)),
                Some(None) => ctx.inexpressible(&at, "`hidden` is a risk level Graph reports on reads; capol's risk conditions are `low`, `medium`, `high` and `none`"),
                None => {}
            }
        }
        if !list.is_empty() {
            d.when.push(list);
        }
    }
    const INSIDER: [(&str, &str); 3] = [
        ("minor", "minor"),
        ("moderate", "moderate"),
        ("elevated", "elevated"),
    ];
    if let Some(l) = flags(
        ctx,
        c.get("insiderRiskLevels"),
        &INSIDER,
        "insider risk level",
        T::InsiderRisk,
    ) {
        d.when.push(l);
    }
    if let Some(f) = ctx.object(c.get("authenticationFlows")) {
        ctx.members(&f, &["transferMethods"], &[]);
        const FLOWS: [(&str, &str); 2] = [
            ("deviceCodeFlow", "device-code"),
            ("authenticationTransfer", "authentication-transfer"),
        ];
        match flags(
            ctx,
            f.get("transferMethods"),
            &FLOWS,
            "transfer method",
            T::AuthFlow,
        ) {
            Some(l) => d.when.push(l),
            None if !is_empty(f.node) && f.get("transferMethods").is_none() => {
                missing(ctx, &f, "transferMethods")
            }
            None => {}
        }
    }
}

fn applications(ctx: &mut Ctx, namer: &mut Namer, a: &J, workload: bool, d: &mut Draft) {
    ctx.members(
        a,
        &[
            "includeApplications",
            "excludeApplications",
            "includeUserActions",
            "includeAuthenticationContextClassReferences",
            "applicationFilter",
        ],
        &[
            "networkAccess",
            "globalSecureAccess",
            "includeProtectionLevels",
        ],
    );
    let include = ctx.strings(a.get("includeApplications"));
    let implied = workload && include.len() == 1 && include[0].0 == "All";
    for (v, at) in include {
        match v.as_str() {
            "All" if !implied => d.for_resources.push(target(T::App, TargetValue::All)),
            "All" => {}
            "None" | "Office365" | "MicrosoftAdminPortals" => {
                d.for_resources.push(word(T::App, &v))
            }
            "AllAgentIdResources" => ctx.inexpressible(
                &at,
                "agent identity resources (beta) have no clause in capol",
            ),
            _ => {
                if let Some(id) = guid(ctx, &v, &at, "an app id") {
                    d.for_resources
                        .push(named(T::App, namer.name(Kind::App, &id, "App", None)));
                }
            }
        }
    }
    for (v, at) in ctx.strings(a.get("excludeApplications")) {
        match v.as_str() {
            "Office365" | "MicrosoftAdminPortals" => d.exclude_resources.push(word(T::App, &v)),
            "All" | "None" => ctx.invalid(
                &at,
                &format!("`{v}` cannot be excluded"),
                "exclude apps by id, `Office365` or `MicrosoftAdminPortals`",
            ),
            _ => {
                if let Some(id) = guid(ctx, &v, &at, "an app id") {
                    d.exclude_resources.push(named(
                        T::App,
                        namer.name(Kind::App, &id, "ExcludedApp", None),
                    ));
                }
            }
        }
    }
    const ACTIONS: [(&str, &str); 2] = [
        ("urn:user:registersecurityinfo", "register-security-info"),
        ("urn:user:registerdevice", "register-device"),
    ];
    for (v, at) in ctx.strings(a.get("includeUserActions")) {
        if let Some(w) = member(ctx, &ACTIONS, &v, &at, "user action Graph documents") {
            d.for_resources.push(word(T::Action, w));
        }
    }
    for (v, at) in ctx.strings(a.get("includeAuthenticationContextClassReferences")) {
        if crate::check::names::is_context(&v) {
            d.for_resources.push(word(T::Context, &v));
        } else {
            ctx.invalid(
                &at,
                &format!("`{v}` is not an authentication context"),
                "authentication contexts are `c1` … `c99`",
            );
        }
    }
    if let Some((include, t)) = filter(ctx, a.get("applicationFilter"), T::App) {
        if include {
            d.for_resources.push(t)
        } else {
            d.exclude_resources.push(t)
        }
    }
}

/// A `deviceFilter` or `applicationFilter`: whether it includes, and the `where` target.
fn filter(ctx: &mut Ctx, f: Option<J>, kind: T) -> Option<(bool, Target)> {
    let f = ctx.object(f)?;
    ctx.members(&f, &["mode", "rule"], &[]);
    if is_empty(f.node) {
        return None;
    }
    let mode = match ctx.string(f.get("mode")) {
        Some((m, at)) => member(
            ctx,
            &[("include", true), ("exclude", false)],
            m,
            &at,
            "filter mode",
        ),
        None => {
            missing(ctx, &f, "mode");
            None
        }
    };
    let rule = match ctx.string(f.get("rule")) {
        Some((r, _)) => Some(r.to_string()),
        None => {
            missing(ctx, &f, "rule");
            None
        }
    };
    Some((
        mode?,
        target(
            kind,
            TargetValue::Filter(Spanned::new(rule?, Span::default())),
        ),
    ))
}

const PLATFORMS: [(&str, &str); 7] = [
    ("android", "android"),
    ("iOS", "ios"),
    ("windows", "windows"),
    ("windowsPhone", "windows-phone"),
    ("macOS", "macos"),
    ("linux", "linux"),
    ("all", "any"),
];

fn platforms(ctx: &mut Ctx, c: &J, d: &mut Draft) {
    let Some(p) = ctx.object(c.get("platforms")) else {
        return;
    };
    ctx.members(&p, &["includePlatforms", "excludePlatforms"], &[]);
    let mut lists = [Vec::new(), Vec::new()];
    for (k, key) in ["includePlatforms", "excludePlatforms"].iter().enumerate() {
        for (v, at) in ctx.strings(p.get(key)) {
            match member(ctx, &PLATFORMS, &v, &at, "device platform") {
                Some("any") if k == 1 => {
                    ctx.invalid(&at, "`all` cannot be excluded", "exclude single platforms")
                }
                Some(w) => lists[k].push(word(T::Platform, w)),
                None => {}
            }
        }
    }
    let [include, exclude] = lists;
    push_pair(ctx, &p, "includePlatforms", include, exclude, d);
}

fn locations(ctx: &mut Ctx, namer: &mut Namer, c: &J, d: &mut Draft) {
    let Some(l) = ctx.object(c.get("locations")) else {
        return;
    };
    ctx.members(&l, &["includeLocations", "excludeLocations"], &[]);
    let mut lists = [Vec::new(), Vec::new()];
    for (k, key) in ["includeLocations", "excludeLocations"].iter().enumerate() {
        let context = if k == 0 {
            "Location"
        } else {
            "ExcludedLocation"
        };
        for (v, at) in ctx.strings(l.get(key)) {
            match v.as_str() {
                "All" => lists[k].push(word(T::Location, "any")),
                "AllTrusted" => lists[k].push(word(T::Location, "trusted")),
                _ => {
                    if let Some(id) = guid(ctx, &v, &at, "a named location id") {
                        lists[k].push(named(
                            T::Location,
                            namer.name(Kind::Location, &id, context, None),
                        ));
                    }
                }
            }
        }
    }
    let [include, exclude] = lists;
    push_pair(ctx, &l, "includeLocations", include, exclude, d);
}

/// `when X` and `exclude X`; exclusions need an inclusion in Graph's model.
fn push_pair(
    ctx: &mut Ctx,
    obj: &J,
    include_key: &str,
    include: Vec<Target>,
    exclude: Vec<Target>,
    d: &mut Draft,
) {
    if include.is_empty() && !exclude.is_empty() {
        ctx.invalid(
            obj,
            &format!("exclusions without `{include_key}`"),
            format!("Graph needs `{include_key}` (`all` or a list) beside the exclusions"),
        );
        return;
    }
    if !include.is_empty() {
        d.when.push(include);
    }
    if !exclude.is_empty() {
        d.exclude_conditions.push(exclude);
    }
}

fn client_app_types(ctx: &mut Ctx, c: &J, d: &mut Draft) {
    const CLIENTS: [(&str, &str); 7] = [
        ("all", ""),
        ("browser", "browser"),
        ("mobileAppsAndDesktopClients", "mobile-desktop"),
        ("exchangeActiveSync", "exchange-activesync"),
        ("other", "other"),
        ("easSupported", "-"),
        ("unknownFutureValue", "-"),
    ];
    let values = ctx.strings(c.get("clientAppTypes"));
    let mut list = Vec::new();
    let mut all = None;
    for (v, at) in &values {
        match member(ctx, &CLIENTS, v, at, "client app type") {
            Some("") => all = Some(at.clone()),
            Some("-") => ctx.inexpressible(at, format!("`{v}` has no client word in capol (`browser`, `mobile-desktop`, `exchange-activesync`, `other`)")),
            Some(w) => list.push(word(T::Client, w)),
            None => {}
        }
    }
    if let (Some(at), false) = (all, list.is_empty()) {
        ctx.invalid(
            &at,
            "`all` is listed with other client app types",
            "`all` stands alone; remove it or the others",
        );
        return;
    }
    if !list.is_empty() {
        d.when.push(list);
    }
}

/// A flags string (`"minor,elevated"`) as `when` items; `None` when empty.
fn flags(
    ctx: &mut Ctx,
    j: Option<J>,
    table: &[(&str, &str)],
    what: &str,
    kind: T,
) -> Option<Vec<Target>> {
    let (s, at) = ctx.string(j)?;
    if s.is_empty() {
        return None;
    }
    let mut out: Vec<&str> = Vec::new();
    for part in s.split(',') {
        if part == "none" {
            ctx.inexpressible(
                &at,
                format!("`none` as a {what} has no word in capol; remove the condition"),
            );
        } else if let Some(w) = member(ctx, table, part, &at, what)
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    let order = |w: &&str| table.iter().position(|(_, x)| x == w);
    out.sort_by_key(order);
    (!out.is_empty()).then(|| out.into_iter().map(|w| word(kind, w)).collect())
}
