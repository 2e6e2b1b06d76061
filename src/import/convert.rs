//! One Graph policy (JSON) → one `ast::Policy`: the root properties, the grant and the session
//! controls; the conditions are in `conditions`.
//!
//! In: the policy's JSON with its path, the naming table. Out: the policy as a person would
//! write it, or diagnostics. Every property is either expressed, or known to carry nothing, or
//! reported: nothing is dropped silently.

use super::conditions;
use super::names::Namer;
use super::walk::{Ctx, J, is_empty};
use crate::ast::{
    Clause, Control, GrantExpr, GrantOp, Policy, Ref, SessionItem, Target, TargetKind, TargetValue,
};
use crate::diag::Diagnostic;
use crate::source::{Span, Spanned};
use crate::symbols::{Kind, is_guid};
use crate::vocab;

pub(crate) fn sp<T>(t: T) -> Spanned<T> {
    Spanned::new(t, Span::default())
}

pub(crate) fn target(kind: TargetKind, value: TargetValue) -> Target {
    Target {
        kind: sp(kind),
        kind_written: true,
        value,
        span: Span::default(),
    }
}

pub(crate) fn named(kind: TargetKind, r: Ref) -> Target {
    target(kind, TargetValue::Ref(sp(r)))
}

pub(crate) fn word(kind: TargetKind, w: &str) -> Target {
    named(kind, Ref::Ident(w.to_string()))
}

/// The clauses of a policy under construction, by the place they take in the layout.
#[derive(Default)]
pub(crate) struct Draft {
    pub for_users: Vec<Target>,
    pub for_resources: Vec<Target>,
    pub exclude_users: Vec<Target>,
    pub exclude_resources: Vec<Target>,
    /// One `when` clause per condition.
    pub when: Vec<Vec<Target>>,
    /// One `exclude` clause per condition.
    pub exclude_conditions: Vec<Vec<Target>>,
}

/// The policy, and whether it targets workload identities.
pub(crate) fn policy(ctx: &mut Ctx, namer: &mut Namer, j: &J) -> Option<(String, Policy)> {
    ctx.members_of(j, "");
    let name = match ctx.string(j.get("displayName")) {
        Some((n, _)) if !n.trim().is_empty() => Some(n.to_string()),
        Some((_, at)) => {
            ctx.invalid(&at, "the display name is empty", "give the policy a name");
            None
        }
        None => {
            missing(ctx, j, "displayName");
            None
        }
    };
    let mut clauses: Vec<Clause> = Vec::new();
    if let Some((d, _)) = ctx.string(j.get("description"))
        && !d.is_empty()
    {
        clauses.push(Clause::Description(sp(d.to_string())));
    }
    let mode = state(ctx, j);
    let mut draft = Draft::default();
    match ctx.object(j.get("conditions")) {
        Some(c) => conditions::read(ctx, namer, &c, &mut draft),
        None if j.get("conditions").is_none() => missing(ctx, j, "conditions"),
        None => {}
    }
    let grant = ctx
        .object(j.get("grantControls"))
        .and_then(|g| grant(ctx, namer, &g));
    let session = ctx
        .object(j.get("sessionControls"))
        .map(|s| session(ctx, &s))
        .unwrap_or_default();

    let lists = [
        (draft.for_users, Clause::For as fn(Vec<Target>) -> Clause),
        (draft.for_resources, Clause::For),
        (draft.exclude_users, Clause::Exclude),
        (draft.exclude_resources, Clause::Exclude),
    ];
    for (ts, make) in lists {
        if !ts.is_empty() {
            clauses.push(make(ts));
        }
    }
    clauses.extend(draft.when.into_iter().map(Clause::When));
    clauses.extend(draft.exclude_conditions.into_iter().map(Clause::Exclude));
    clauses.extend(grant);
    if !session.is_empty() {
        clauses.push(Clause::Session(session));
    }
    clauses.extend(mode.map(|m| Clause::Mode(sp(m.to_string()))));
    if everyone_without_exclusion(j) {
        clauses.push(Clause::Allow {
            what: sp("no-exclusion".to_string()),
            reason: sp(ALLOW_REASON.to_string()),
        });
    }
    let name = name?;
    (ctx.errors == 0).then(|| {
        let policy = Policy {
            name: Some(sp(name.clone())),
            clauses: clauses.into_iter().map(sp).collect(),
            span: Span::default(),
        };
        (name, policy)
    })
}

/// The reason `capol import` gives for a policy that applies to everyone with nobody excluded.
pub(crate) const ALLOW_REASON: &str =
    "imported: the tenant enforces this policy for all users with nobody excluded";

/// Whether the lockout rule (`E0208`) would refuse the policy: enforced, with a grant control,
/// for all users with no user, group or role excluded, on all apps, the admin portals or Azure
/// management. Import then writes `allow no-exclusion`, so that the policy round-trips.
fn everyone_without_exclusion(j: &J) -> bool {
    let strs = |j: Option<J>| -> Vec<String> {
        j.map(|l| {
            l.items()
                .iter()
                .filter_map(|i| i.str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
    };
    let Some(c) = j.get("conditions") else {
        return false;
    };
    let users = c.get("users");
    let get = |k: &str| strs(users.as_ref().and_then(|u| u.get(k)));
    let enforced = j.get("state").and_then(|s| s.str()) == Some("enabled");
    let granted = j.get("grantControls").is_some_and(|g| {
        ["builtInControls", "termsOfUse", "authenticationStrength"]
            .iter()
            .any(|k| g.get(k).is_some_and(|v| !is_empty(v.node)))
    });
    let all_users = get("includeUsers").iter().any(|u| u == "All");
    let excluded = get("excludeUsers")
        .iter()
        .any(|u| u != "GuestsOrExternalUsers")
        || !get("excludeGroups").is_empty()
        || !get("excludeRoles").is_empty();
    let apps = strs(
        c.get("applications")
            .and_then(|a| a.get("includeApplications")),
    );
    let portal = apps.iter().any(|a| {
        a == "All"
            || a == "MicrosoftAdminPortals"
            || a.eq_ignore_ascii_case(crate::symbols::catalog::AZURE_SERVICE_MANAGEMENT)
    });
    enforced && granted && all_users && !excluded && portal
}

/// `E0406`: a property Graph requires is missing.
pub(crate) fn missing(ctx: &mut Ctx, parent: &J, key: &str) {
    let d = Diagnostic::new("E0406", format!("`{}.{key}` is missing", parent.path))
        .at(ctx.span(parent), format!("no `{key}` here"))
        .help(format!("Graph requires `{key}`; add it to the JSON"));
    ctx.report(d);
}

fn state(ctx: &mut Ctx, j: &J) -> Option<&'static str> {
    let Some((s, at)) = ctx.string(j.get("state")) else {
        if j.get("state").is_none() {
            missing(ctx, j, "state");
        }
        return None;
    };
    match vocab::STATE.term_by_graph(s).and_then(|t| t.word) {
        Some(w) => Some(w),
        None => {
            let other = s;
            ctx.invalid(
                &at,
                &format!("`{other}` is not a policy state"),
                "the states are `enabled`, `disabled` and `enabledForReportingButNotEnforced`",
            );
            None
        }
    }
}

/// Look a Graph enum member up in `table`; `E0402` with the members when it is not there.
pub(crate) fn member<T: Copy>(
    ctx: &mut Ctx,
    table: &[(&str, T)],
    value: &str,
    at: &J,
    what: &str,
) -> Option<T> {
    if let Some((_, v)) = table.iter().find(|(k, _)| *k == value) {
        return Some(*v);
    }
    let all: Vec<String> = table.iter().map(|(k, _)| format!("`{k}`")).collect();
    let help = match table.iter().find(|(k, _)| k.eq_ignore_ascii_case(value)) {
        Some((k, _)) => format!("did you mean `{k}`? Graph's members are {}", all.join(", ")),
        None => format!("Graph's members are {}", all.join(", ")),
    };
    ctx.invalid(at, &format!("`{value}` is not a {what}"), help);
    None
}

/// A GUID from an id list, or `E0402`.
pub(crate) fn guid(ctx: &mut Ctx, value: &str, at: &J, what: &str) -> Option<String> {
    if is_guid(value) {
        return Some(value.to_ascii_lowercase());
    }
    ctx.invalid(
        at,
        &format!("`{value}` is not {what}"),
        format!("this list takes {what} (a GUID); replace any placeholder by the real id"),
    );
    None
}

fn grant(ctx: &mut Ctx, namer: &mut Namer, g: &J) -> Option<Clause> {
    ctx.members(
        g,
        &[
            "operator",
            "builtInControls",
            "customAuthenticationFactors",
            "termsOfUse",
            "authenticationStrength",
        ],
        &[],
    );
    let op = match ctx.string(g.get("operator")) {
        None | Some(("OR", _)) => GrantOp::Or,
        Some(("AND", _)) => GrantOp::And,
        Some((o, at)) if o.eq_ignore_ascii_case("and") || o.eq_ignore_ascii_case("or") => {
            let d = Diagnostic::new(
                "W0401",
                format!(
                    "`{}` is `{o}`; Graph stores it as `{}`",
                    at.path,
                    o.to_uppercase()
                ),
            )
            .at(ctx.span(&at), "read as upper case")
            .help("write operators in upper case");
            ctx.report(d);
            if o.eq_ignore_ascii_case("and") {
                GrantOp::And
            } else {
                GrantOp::Or
            }
        }
        Some((o, at)) => {
            ctx.invalid(
                &at,
                &format!("`{o}` is not a grant operator"),
                "the operators are `AND` and `OR`",
            );
            GrantOp::Or
        }
    };
    let mut controls: Vec<Control> = Vec::new();
    let mut block = None;
    let mut table = vocab::CONTROL.graph_words();
    table.push(("unknownFutureValue", None));
    for (c, at) in ctx.strings(g.get("builtInControls")) {
        match member(ctx, &table, &c, &at, "grant control") {
            Some(Some("block")) => block = Some(at),
            Some(None) => ctx.invalid(
                &at,
                "`unknownFutureValue` is a placeholder, not a control",
                "remove it",
            ),
            Some(Some(w)) => controls.push(Control::Builtin(w.to_string())),
            None => {}
        }
    }
    if let Some(f) = g.get("customAuthenticationFactors")
        && !is_empty(f.node)
    {
        ctx.inexpressible(
            &f,
            "custom controls (a preview feature) have no clause in capol",
        );
    }
    if let Some(s) = ctx.object(g.get("authenticationStrength")) {
        match ctx.string(s.get("id")) {
            Some((id, at)) => {
                if let Some(id) = guid(ctx, id, &at, "an authentication strength id") {
                    let hint = s.get("displayName").and_then(|d| d.str());
                    let r = namer.name(Kind::Strength, &id, "Strength", hint);
                    controls.push(Control::Strength(sp(r)));
                }
            }
            None => missing(ctx, &s, "id"),
        }
    }
    for (t, at) in ctx.strings(g.get("termsOfUse")) {
        if let Some(id) = guid(ctx, &t, &at, "a terms-of-use agreement id") {
            controls.push(Control::Terms(sp(namer.name(
                Kind::Terms,
                &id,
                "Terms",
                None,
            ))));
        }
    }
    if let Some(at) = block {
        if !controls.is_empty() {
            ctx.invalid(
                &at,
                "`block` is combined with other controls",
                "Graph grants or blocks: keep `block` alone, or remove it",
            );
            return None;
        }
        return Some(Clause::Block);
    }
    if controls.is_empty() {
        return None;
    }
    let ops = vec![sp(op); controls.len() - 1];
    Some(Clause::Require(GrantExpr {
        controls: controls.into_iter().map(sp).collect(),
        ops,
    }))
}

fn item(name: &str, args: &[&str]) -> SessionItem {
    SessionItem {
        name: sp(name.to_string()),
        args: args.iter().map(|a| sp(a.to_string())).collect(),
        span: Span::default(),
    }
}

/// A session control object that is switched on (not empty, not `isEnabled: false`).
fn enabled<'a>(ctx: &mut Ctx, s: &J<'a>, key: &str, known: &[&str]) -> Option<J<'a>> {
    let c = ctx.object(s.get(key))?;
    ctx.members(&c, known, &[]);
    if is_empty(c.node) {
        return None;
    }
    match c.get("isEnabled").map(|e| e.node.value.clone()) {
        Some(super::json::JValue::Bool(false)) => None,
        Some(super::json::JValue::Bool(true)) | None => Some(c),
        Some(_) => {
            if let Some(e) = c.get("isEnabled") {
                ctx.shape(&e, "a boolean");
            }
            None
        }
    }
}

fn session(ctx: &mut Ctx, s: &J) -> Vec<SessionItem> {
    ctx.members_of(s, "sessionControls");
    let mut out = Vec::new();
    if let Some(f) = enabled(
        ctx,
        s,
        "signInFrequency",
        &[
            "isEnabled",
            "value",
            "type",
            "frequencyInterval",
            "authenticationType",
        ],
    ) {
        out.extend(sign_in_frequency(ctx, &f));
    }
    if let Some(p) = enabled(ctx, s, "persistentBrowser", &["isEnabled", "mode"]) {
        match ctx.string(p.get("mode")) {
            Some((m, at)) => {
                if let Some(Some(w)) = member(
                    ctx,
                    &vocab::PERSISTENT_BROWSER.graph_words(),
                    m,
                    &at,
                    "persistent browser mode",
                ) {
                    out.push(item("persistent-browser", &[w]));
                }
            }
            None => missing(ctx, &p, "mode"),
        }
    }
    if enabled(ctx, s, "applicationEnforcedRestrictions", &["isEnabled"]).is_some() {
        out.push(item("app-enforced-restrictions", &[]));
    }
    if let Some(c) = enabled(
        ctx,
        s,
        "cloudAppSecurity",
        &["isEnabled", "cloudAppSecurityType"],
    ) {
        let types = vocab::CLOUD_APP_SECURITY.graph_words();
        match ctx.string(c.get("cloudAppSecurityType")) {
            Some((t, at)) => {
                if let Some(Some(w)) = member(ctx, &types, t, &at, "cloud app security type") {
                    out.push(item("cloud-app-security", &[w]));
                }
            }
            None => missing(ctx, &c, "cloudAppSecurityType"),
        }
    }
    if enabled(ctx, s, "secureSignInSession", &["isEnabled"]).is_some() {
        out.push(item("token-protection", &[]));
    }
    if let Some(c) = ctx.object(s.get("continuousAccessEvaluation"))
        && !is_empty(c.node)
        && ctx.beta_only(&c)
    {
        ctx.members_of(&c, "sessionControls.continuousAccessEvaluation");
        let modes = vocab::CAE.graph_words();
        match ctx.string(c.get("mode")) {
            Some((m, at)) => {
                if let Some(Some(w)) =
                    member(ctx, &modes, m, &at, "continuous access evaluation mode")
                {
                    out.push(item("cae", &[w]));
                }
            }
            None => missing(ctx, &c, "mode"),
        }
    }
    // Beta: Global Secure Access profiles, by id.
    for (key, id_key, word) in [
        (
            "networkAccessSecurity",
            "policyId",
            "network-access-security",
        ),
        (
            "globalSecureAccessFilteringProfile",
            "profileId",
            "filtering-profile",
        ),
    ] {
        if let Some(c) = enabled(ctx, s, key, &["isEnabled", id_key])
            && ctx.beta_only(&c)
        {
            match ctx.string(c.get(id_key)) {
                Some((id, at)) => {
                    if let Some(id) = guid(ctx, id, &at, "a profile id") {
                        out.push(item(word, &[&id]));
                    }
                }
                None => missing(ctx, &c, id_key),
            }
        }
    }
    if let Some(d) = s.get("disableResilienceDefaults") {
        match d.node.value {
            super::json::JValue::Bool(true) => out.push(item("no-resilience-defaults", &[])),
            super::json::JValue::Bool(false) => {}
            _ => ctx.shape(&d, "a boolean or null"),
        }
    }
    out
}

fn sign_in_frequency(ctx: &mut Ctx, f: &J) -> Option<SessionItem> {
    match ctx.string(f.get("authenticationType")) {
        None | Some(("primaryAndSecondaryAuthentication", _)) => {}
        Some(("secondaryAuthentication", at)) => {
            ctx.inexpressible(&at, "capol's `sign-in-frequency` always reauthenticates with both factors (`primaryAndSecondaryAuthentication`)");
        }
        Some((t, at)) => ctx.invalid(
            &at,
            &format!("`{t}` is not an authentication type"),
            "the types are `primaryAndSecondaryAuthentication` and `secondaryAuthentication`",
        ),
    }
    let interval = ctx.string(f.get("frequencyInterval"));
    let value = f.get("value");
    let unit = ctx.string(f.get("type"));
    match interval {
        Some(("everyTime", at)) => {
            if value.is_some() || unit.is_some() {
                ctx.invalid(
                    &at,
                    "an every-time sign-in frequency has a `value` or `type`",
                    "set `value` and `type` to null for `everyTime`",
                );
                return None;
            }
            Some(item("sign-in-frequency", &["every-time"]))
        }
        None | Some(("timeBased", _)) => {
            let Some(v) = value else {
                missing(ctx, f, "value");
                return None;
            };
            let n = match v.node.value.clone() {
                super::json::JValue::Number(n) => {
                    n.as_u64().filter(|n| *n >= 1 && *n <= u64::from(u32::MAX))
                }
                _ => None,
            };
            let Some(n) = n else {
                ctx.invalid(
                    &v,
                    "the sign-in frequency is not a whole number of at least 1",
                    "write a number such as 4",
                );
                return None;
            };
            let Some((u, at)) = unit else {
                missing(ctx, f, "type");
                return None;
            };
            let unit = member(
                ctx,
                &[("hours", ("hour", "hours")), ("days", ("day", "days"))],
                u,
                &at,
                "sign-in frequency type",
            )?;
            let n_text = n.to_string();
            Some(item(
                "sign-in-frequency",
                &[&n_text, if n == 1 { unit.0 } else { unit.1 }],
            ))
        }
        Some((other, at)) => {
            ctx.invalid(
                &at,
                &format!("`{other}` is not a frequency interval"),
                "the intervals are `timeBased` and `everyTime`",
            );
            None
        }
    }
}
