//! A policy's `conditions` (JSON) → the `for`, `exclude` and `when` lists of its draft.
//!
//! In: `$.conditions` with its path, the naming table. Out: targets in the draft, or
//! diagnostics naming the JSON path of every value that Graph would reject or that capol cannot
//! express.

use super::convert::{Draft, guid, member, missing, named, target, word};
use super::names::Namer;
use super::users::{USERS, agent_ids, only_none, service_principals, users};
use super::walk::{Ctx, J, is_empty};
use crate::ast::{Target, TargetKind as T, TargetValue};
use crate::source::{Span, Spanned};
use crate::symbols::Kind;
use crate::vocab;

pub(crate) fn read(ctx: &mut Ctx, namer: &mut Namer, c: &J, d: &mut Draft) {
    ctx.members_of(c, "conditions");
    let (workload, agent_ids_) = match ctx.object(c.get("clientApplications")) {
        Some(ca) => service_principals(ctx, namer, &ca, d),
        None => (false, false),
    };
    let agent_users = match ctx.object(c.get("agents")) {
        Some(a) => {
            ctx.members_of(&a, "conditions.agents");
            agent_ids(
                ctx,
                namer,
                &a,
                ["includeAgentUsers", "excludeAgentUsers", "agentFilter"],
                T::AgentUser,
                d,
            )
        }
        None => false,
    };
    // A policy for agents only carries `users: {includeUsers: ["None"]}`, as compiled.
    let not_users = workload || agent_ids_ || agent_users;
    match ctx.object(c.get("users")) {
        Some(u) if not_users && only_none(&u) => ctx.members(&u, &USERS, &[]),
        Some(u) => users(ctx, namer, &u, d),
        None if !not_users && c.get("users").is_none() => missing(ctx, c, "users"),
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
        ctx.members_of(&dev, "conditions.devices");
        if let Some((include, t)) = filter(ctx, dev.get("deviceFilter"), T::Device) {
            if include {
                d.when.push(vec![t])
            } else {
                d.exclude_conditions.push(vec![t])
            }
        }
        legacy_states(
            ctx,
            &dev,
            ["includeDevices", "excludeDevices"],
            T::LegacyDevice,
            d,
        );
    }
    if let Some(ds) = ctx.object(c.get("deviceStates")) {
        ctx.members_of(&ds, "conditions.deviceStates");
        legacy_states(
            ctx,
            &ds,
            ["includeStates", "excludeStates"],
            T::LegacyDeviceState,
            d,
        );
    }
    let risks = vocab::RISK.graph_words();
    for (key, kind) in [
        ("signInRiskLevels", T::SignInRisk),
        ("userRiskLevels", T::UserRisk),
        ("servicePrincipalRiskLevels", T::ServicePrincipalRisk),
    ] {
        let mut list = Vec::new();
        for (v, at) in ctx.strings(c.get(key)) {
            match member(ctx, &risks, &v, &at, vocab::RISK.what) {
                Some(Some(w)) => list.push(word(kind, w)),
                Some(None) => ctx.inexpressible(&at, "`hidden` is a risk level Graph reports on reads; capol's risk conditions are `low`, `medium`, `high` and `none`"),
                None => {}
            }
        }
        if !list.is_empty() {
            d.when.push(list);
        }
    }
    if let Some(l) = flags(
        ctx,
        c.get("insiderRiskLevels"),
        &vocab::INSIDER_RISK.graph_words(),
        vocab::INSIDER_RISK.what,
        T::InsiderRisk,
    ) {
        d.when.push(l);
    }
    agent_conditions(ctx, c, d);
    if let Some(f) = ctx.object(c.get("authenticationFlows")) {
        ctx.members_of(&f, "conditions.authenticationFlows");
        match flags(
            ctx,
            f.get("transferMethods"),
            &vocab::TRANSFER_METHOD.graph_words(),
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
    ctx.members_of(a, "conditions.applications");
    let include = ctx.strings(a.get("includeApplications"));
    let implied = workload && include.len() == 1 && include[0].0 == "All";
    for (v, at) in include {
        match v.as_str() {
            "All" if !implied => d.for_resources.push(target(T::App, TargetValue::All)),
            "All" => {}
            "None" | "Office365" | "MicrosoftAdminPortals" => {
                d.for_resources.push(word(T::App, &v))
            }
            "AllAgentIdResources" => {
                if ctx.beta_only(&at) {
                    d.for_resources.push(word(T::App, &v))
                }
            }
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
    let actions = vocab::USER_ACTION.graph_words();
    for (v, at) in ctx.strings(a.get("includeUserActions")) {
        if let Some(Some(w)) = member(ctx, &actions, &v, &at, "user action Graph documents") {
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
    traffic_profiles(ctx, a, d);
}

/// Beta Global Secure Access traffic: `networkAccess` and its former name
/// `globalSecureAccess`, which capol writes both, alike (`for traffic-profile m365`). One alone
/// is read too; two that differ are refused.
fn traffic_profiles(ctx: &mut Ctx, a: &J, d: &mut Draft) {
    let mut seen: Option<(String, J)> = None;
    for key in ["networkAccess", "globalSecureAccess"] {
        let Some(n) = ctx.object(a.get(key)) else {
            continue;
        };
        ctx.members_of(&n, &format!("conditions.applications.{key}"));
        if is_empty(n.node) || !ctx.beta_only(&n) {
            continue;
        }
        let Some((v, at)) = ctx.string(n.get("includeTrafficProfiles")) else {
            missing(ctx, &n, "includeTrafficProfiles");
            continue;
        };
        let norm = |s: &str| {
            let mut parts: Vec<String> = s.split(',').map(|p| p.trim().to_string()).collect();
            parts.sort();
            parts
        };
        match &seen {
            Some((first, _)) if norm(first) != norm(v) => {
                ctx.inexpressible(&at, format!("`networkAccess` and its former name `globalSecureAccess` name different traffic profiles (`{first}`, `{v}`); capol writes one list under both names"));
                return;
            }
            Some(_) => {}
            None => {
                if let Some(l) = flags(
                    ctx,
                    Some(at),
                    &vocab::TRAFFIC_PROFILE.graph_words(),
                    vocab::TRAFFIC_PROFILE.what,
                    T::TrafficProfile,
                ) {
                    d.for_resources.extend(l);
                }
                seen = Some((v.to_string(), n));
            }
        }
    }
}

/// The legacy beta device conditions (`deviceStates`, `devices.includeDevices` /
/// `excludeDevices`): `when KIND all`, `exclude KIND compliant`. Beta only; the refusal for
/// v1.0 names `devices where`, which replaces them.
fn legacy_states(ctx: &mut Ctx, obj: &J, [inc, exc]: [&str; 2], kind: T, d: &mut Draft) {
    let table = vocab::DEVICE_STATE.graph_words();
    for (key, include) in [(inc, true), (exc, false)] {
        let mut list = Vec::new();
        for (v, at) in ctx.strings(obj.get(key)) {
            if !ctx.beta_only_or(
                &at,
                Some("rewrite it as a device filter, `devices where '…'`"),
            ) {
                return;
            }
            match member(ctx, &table, &v, &at, vocab::DEVICE_STATE.what) {
                Some(Some(w)) => list.push(word(kind, w)),
                // `All`: `when all legacy-device-states`.
                Some(None) => list.push(target(kind, TargetValue::All)),
                None => {}
            }
        }
        if list.is_empty() {
            continue;
        }
        if include {
            d.when.push(list);
        } else {
            d.exclude_conditions.push(list);
        }
    }
}

/// Beta `agentIdRiskLevels` and `agentContext`: `when agent-risk …`, `when agent-context …`,
/// `exclude agent-context …`.
fn agent_conditions(ctx: &mut Ctx, c: &J, d: &mut Draft) {
    if let Some(r) = c.get("agentIdRiskLevels").filter(|r| !is_empty(r.node))
        && ctx.beta_only(&r)
        && let Some(l) = flags(
            ctx,
            Some(r),
            &vocab::AGENT_RISK.graph_words(),
            vocab::AGENT_RISK.what,
            T::AgentRisk,
        )
    {
        d.when.push(l);
    }
    let Some(a) = ctx.object(c.get("agentContext")) else {
        return;
    };
    ctx.members_of(&a, "conditions.agentContext");
    let table = vocab::AGENT_CONTEXT.graph_words();
    for (key, include) in [
        ("includeAgentContexts", true),
        ("excludeAgentContexts", false),
    ] {
        let mut list = Vec::new();
        for (v, at) in ctx.strings(a.get(key)) {
            if !ctx.beta_only(&at) {
                return;
            }
            if let Some(Some(w)) = member(ctx, &table, &v, &at, vocab::AGENT_CONTEXT.what) {
                list.push(word(T::AgentContext, w));
            }
        }
        if list.is_empty() {
            continue;
        }
        if include {
            d.when.push(list);
        } else {
            d.exclude_conditions.push(list);
        }
    }
}

/// A `deviceFilter`, `applicationFilter`, `agentIdServicePrincipalFilter` or `agentFilter`:
/// whether it includes, and the `where` target.
pub(crate) fn filter(ctx: &mut Ctx, f: Option<J>, kind: T) -> Option<(bool, Target)> {
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

fn platforms(ctx: &mut Ctx, c: &J, d: &mut Draft) {
    let Some(p) = ctx.object(c.get("platforms")) else {
        return;
    };
    ctx.members_of(&p, "conditions.platforms");
    let platforms = vocab::PLATFORM.graph_words();
    let mut lists = [Vec::new(), Vec::new()];
    let mut include_written = false;
    for (k, key) in ["includePlatforms", "excludePlatforms"].iter().enumerate() {
        let values = ctx.strings(p.get(key));
        include_written |= k == 0 && !values.is_empty();
        for (v, at) in values {
            match member(ctx, &platforms, &v, &at, "device platform") {
                Some(Some("any")) if k == 1 => {
                    ctx.invalid(&at, "`all` cannot be excluded", "exclude single platforms")
                }
                Some(Some(w)) => lists[k].push(word(T::Platform, w)),
                Some(None) | None => {}
            }
        }
    }
    let [include, exclude] = lists;
    // An include list whose members were refused has been reported already.
    if include_written && include.is_empty() {
        return;
    }
    if include.is_empty() && exclude.is_empty() && p.get("includePlatforms").is_some() {
        ctx.invalid(
            &p,
            "`includePlatforms` is empty: the condition would include no platform",
            "list the platforms (`all` for every one), or remove `platforms`",
        );
        return;
    }
    push_pair(ctx, &p, "includePlatforms", include, exclude, d);
}

fn locations(ctx: &mut Ctx, namer: &mut Namer, c: &J, d: &mut Draft) {
    let Some(l) = ctx.object(c.get("locations")) else {
        return;
    };
    ctx.members_of(&l, "conditions.locations");
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
    let mut clients = vocab::CLIENT_APP.graph_words();
    clients.push(("unknownFutureValue", None));
    if let Some(j) = c.get("clientAppTypes")
        && matches!(&j.node.value, super::json::JValue::Array(a) if a.is_empty())
    {
        ctx.invalid(
            &j,
            "`clientAppTypes` is empty; Graph refuses `[]` (error 1064)",
            "write `[\"all\"]` for every client, list the client app types, or remove the property",
        );
        return;
    }
    let values = ctx.strings(c.get("clientAppTypes"));
    let mut list = Vec::new();
    let mut all = None;
    for (v, at) in &values {
        match member(ctx, &clients, v, at, vocab::CLIENT_APP.what) {
            Some(None) if v == "all" => all = Some(at.clone()),
            Some(None) => ctx.inexpressible(at, format!("`{v}` has no client word in capol (`browser`, `mobile-desktop`, `exchange-activesync`, `other`)")),
            Some(Some(w)) => list.push(word(T::Client, w)),
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
    table: &[(&str, Option<&'static str>)],
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
        } else if let Some(Some(w)) = member(ctx, table, part, &at, what)
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    let order = |w: &&str| table.iter().position(|(_, x)| *x == Some(*w));
    out.sort_by_key(order);
    (!out.is_empty()).then(|| out.into_iter().map(|w| word(kind, w)).collect())
}
