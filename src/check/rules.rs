//! Graph's combination rules (reference §8 and §14): documented rules are errors, inferred ones
//! warnings. Also the defaults a policy takes when a clause is left out.

use super::{ApiVersion, Options};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::model::{
    BuiltInControl, CaeMode, FrequencyUnit, Operator, Platform, PolicyState,
};
use crate::ir::{AppTarget, Grant, LocationTarget, Policy, SignInFrequency, SpTarget, UserTarget};
use crate::source::{Span, Spanned};
use crate::symbols::catalog;

/// Fill in what a left-out clause means: all users (for a user policy), no user (for a policy
/// for agents), all apps (for a workload-identity policy), and `all` platforms / `any` location when only exclusions are given.
pub fn defaults(p: &mut Policy) {
    let span = p.display_name.span;
    if p.is_workload() {
        if p.include_apps.is_empty() && p.app_filter.is_none() {
            p.include_apps.push(Spanned::new(AppTarget::All, span));
        }
    } else if p.include_users.is_empty() && (p.agents.has_identities() || p.agents.has_users()) {
        // A policy for agents only: Graph's `users` says `None` (as the portal writes it).
        p.include_users.push(Spanned::new(UserTarget::None, span));
    } else if p.include_users.is_empty() {
        p.include_users.push(Spanned::new(UserTarget::All, span));
    }
    if p.include_platforms.is_empty() && !p.exclude_platforms.is_empty() {
        p.include_platforms.push(Spanned::new(Platform::All, span));
    }
    if p.include_locations.is_empty() && !p.exclude_locations.is_empty() {
        p.include_locations
            .push(Spanned::new(LocationTarget::Any, span));
    }
}

pub fn check(p: &Policy, opts: &Options, diags: &mut Diagnostics) {
    resources(p, diags);
    controls(p, diags);
    overlap(p, diags);
    workload(p, diags);
    session(p, opts, diags);
    lints(p, diags);
}

fn name(p: &Policy) -> &str {
    &p.display_name.node
}

/// E0203 no target resources, E0210 mixed resource kinds.
fn resources(p: &Policy, diags: &mut Diagnostics) {
    let has_include_filter = p
        .app_filter
        .as_ref()
        .is_some_and(|f| f.mode == crate::graph::model::FilterMode::Include);
    if p.include_apps.is_empty() && !has_include_filter && p.traffic_profiles.is_empty() {
        diags.push(
            Diagnostic::new("E0203", format!("policy `{}` targets no resources", name(p)))
                .at(p.display_name.span, "no app, action, context or app filter")
                .help("add `for all apps`, `for app AzureServiceManagement`, `for action register-security-info`, `for context c1` or `for apps where '…'`"),
        );
        return;
    }
    let mut kinds: Vec<(&str, Span)> = Vec::new();
    for a in &p.include_apps {
        let k = match a.node {
            AppTarget::Action(_) => "user actions",
            AppTarget::Context(_) => "authentication contexts",
            _ => "apps",
        };
        if !kinds.iter().any(|(x, _)| *x == k) {
            kinds.push((k, a.span));
        }
    }
    if let Some(f) = &p.app_filter
        && !kinds.iter().any(|(x, _)| *x == "apps")
    {
        kinds.push(("apps", f.rule.span));
    }
    if let Some(t) = p.traffic_profiles.first() {
        kinds.push(("traffic profiles", t.span));
    }
    if let [(k1, s1), (k2, s2), ..] = kinds.as_slice() {
        diags.push(
            Diagnostic::new("E0210", format!("policy `{}` targets both {k1} and {k2}", name(p)))
                .at(*s2, format!("{k2} here"))
                .also(*s1, format!("{k1} here"))
                .help("a policy targets apps, or user actions, or authentication contexts, or (beta) traffic profiles: split it in two")
                .note("Graph applies a policy to one kind of resource"),
        );
    }
}

fn builtins(p: &Policy) -> Vec<&Spanned<BuiltInControl>> {
    match p.grant.as_ref().map(|g| &g.node) {
        Some(Grant::Controls { builtins, .. }) => builtins.iter().collect(),
        _ => Vec::new(),
    }
}

fn has(p: &Policy, c: BuiltInControl) -> Option<Span> {
    builtins(p)
        .into_iter()
        .find(|b| b.node == c)
        .map(|b| b.span)
}

fn other_conditions(p: &Policy) -> Vec<(&'static str, Span)> {
    let mut out = Vec::new();
    let mut note = |name: &'static str, span: Option<Span>| {
        if let Some(s) = span {
            out.push((name, s));
        }
    };
    note(
        "platform",
        p.include_platforms
            .first()
            .or(p.exclude_platforms.first())
            .map(|x| x.span),
    );
    note(
        "location",
        p.include_locations
            .first()
            .or(p.exclude_locations.first())
            .map(|x| x.span),
    );
    note("client", p.client_app_types.first().map(|x| x.span));
    note("sign-in-risk", p.sign_in_risk.first().map(|x| x.span));
    note(
        "service-principal-risk",
        p.service_principal_risk.first().map(|x| x.span),
    );
    note("insider-risk", p.insider_risk.first().map(|x| x.span));
    note(
        "devices where",
        p.device_filter.as_ref().map(|f| f.rule.span),
    );
    note("auth-flow", p.auth_flows.first().map(|x| x.span));
    out
}

/// E0202, E0204, E0211, E0215, E0216.
fn controls(p: &Policy, diags: &mut Diagnostics) {
    if p.grant.is_none() && p.session.is_empty() {
        diags.push(
            Diagnostic::new(
                "E0204",
                format!("policy `{}` has no grant and no session control", name(p)),
            )
            .at(p.display_name.span, "this policy would do nothing")
            .help("add `block`, `require …` or a `session …` clause"),
        );
    }
    let Some(grant) = &p.grant else { return };
    let Grant::Controls {
        operator, strength, ..
    } = &grant.node
    else {
        return;
    };
    if let (Some(mfa), Some(st)) = (has(p, BuiltInControl::Mfa), strength) {
        diags.push(
            Diagnostic::new("E0202", "`mfa` and an authentication strength are required together")
                .at(mfa.to(mfa), "`mfa` here")
                .also(st.span, "strength here")
                .help("drop `mfa`: every authentication strength already requires multifactor authentication")
                .note("Graph rejects a policy that uses both"),
        );
    }
    let pw = has(p, BuiltInControl::PasswordChange);
    let rr = has(p, BuiltInControl::RiskRemediation);
    for (span, word) in [(pw, "password-change"), (rr, "risk-remediation")] {
        let Some(span) = span else { continue };
        let mut problems: Vec<String> = Vec::new();
        if *operator != Operator::And || builtins(p).len() + usize::from(strength.is_some()) < 2 {
            problems.push(if word == "password-change" {
                "it must be combined with `and mfa` (or `and strength …`)".into()
            } else {
                "it must be combined with `and strength …`".into()
            });
        } else if word == "password-change"
            && has(p, BuiltInControl::Mfa).is_none()
            && strength.is_none()
        {
            problems.push("it must be combined with `and mfa` (or `and strength …`)".into());
        } else if word == "risk-remediation" && strength.is_none() {
            problems.push("it must be combined with `and strength …`".into());
        }
        if p.user_risk.is_empty() {
            problems.push("the policy needs a `when user-risk …` condition".into());
        }
        if !p.include_apps.iter().all(|a| a.node == AppTarget::All)
            || !p.exclude_apps.is_empty()
            || p.app_filter.is_some()
        {
            problems.push("the policy must target `all apps` with no app exclusions".into());
        }
        if word == "password-change" {
            for (c, _) in other_conditions(p) {
                problems.push(format!(
                    "no condition other than users, apps and user risk is allowed (found `{c}`)"
                ));
            }
            for c in [
                BuiltInControl::CompliantDevice,
                BuiltInControl::DomainJoinedDevice,
                BuiltInControl::ApprovedApplication,
                BuiltInControl::CompliantApplication,
                BuiltInControl::RiskRemediation,
            ] {
                if has(p, c).is_some() {
                    problems.push(
                        "it cannot be combined with device, app or risk-remediation controls"
                            .into(),
                    );
                    break;
                }
            }
        }
        if !problems.is_empty() {
            let mut d = Diagnostic::new(
                "E0211",
                format!("`{word}` is used without what it requires"),
            )
            .at(span, format!("`{word}` here"))
            .help(problems.join("; "));
            d = d.note(
                "Graph documents these requirements for password change and risk remediation",
            );
            diags.push(d);
        }
    }
    if p.include_apps
        .iter()
        .any(|a| a.node == AppTarget::Action("urn:user:registerdevice".into()))
    {
        let others: Vec<_> = builtins(p)
            .into_iter()
            .filter(|b| b.node != BuiltInControl::Mfa)
            .collect();
        if let Some(b) = others.first() {
            diags.push(
                Diagnostic::new(
                    "E0215",
                    "a `register-device` policy may only require `mfa` or a strength",
                )
                .at(b.span, "not allowed with `register-device`")
                .help("require `mfa` or `strength …` only"),
            );
        }
        for (what, span) in [
            ("client", p.client_app_types.first().map(|c| c.span)),
            (
                "devices where",
                p.device_filter.as_ref().map(|f| f.rule.span),
            ),
        ] {
            if let Some(s) = span {
                diags.push(
                    Diagnostic::new(
                        "E0215",
                        format!("`{what}` cannot be used with `register-device`"),
                    )
                    .at(s, "not available for this user action")
                    .help(format!("remove the `{what}` condition")),
                );
            }
        }
    }
    device_code(
        p,
        *operator,
        strength.is_some() || !builtins(p).is_empty(),
        diags,
    );
    let app_controls: Vec<_> = builtins(p)
        .into_iter()
        .filter(|b| {
            matches!(
                b.node,
                BuiltInControl::ApprovedApplication | BuiltInControl::CompliantApplication
            )
        })
        .collect();
    let only_app = !app_controls.is_empty()
        && (builtins(p).len() == app_controls.len() && strength.is_none()
            || *operator == Operator::And);
    if only_app
        && let Some(bad) = p
            .include_platforms
            .iter()
            .find(|x| matches!(x.node, Platform::MacOs | Platform::Linux))
    {
        diags.push(
            Diagnostic::new(
                "E0216",
                "approved-app and compliant-app apply only on iOS and Android",
            )
            .at(bad.span, "this platform cannot satisfy the control")
            .also(app_controls[0].span, "required here")
            .help("target `platform ios, android`, or offer another control with `or`"),
        );
    }
}

/// E0217: a device-code-flow policy whose grant can only be met by a compliant or hybrid-joined
/// device, which a device-code sign-in can never prove.
fn device_code(p: &Policy, operator: Operator, has_controls: bool, diags: &mut Diagnostics) {
    let Some(flow) = p
        .auth_flows
        .iter()
        .find(|f| f.node == crate::ir::TransferMethod::DeviceCodeFlow)
    else {
        return;
    };
    if !has_controls {
        return;
    }
    let device = |c: BuiltInControl| {
        matches!(
            c,
            BuiltInControl::CompliantDevice | BuiltInControl::DomainJoinedDevice
        )
    };
    let b = builtins(p);
    let strength = matches!(
        p.grant.as_ref().map(|g| &g.node),
        Some(Grant::Controls {
            strength: Some(_),
            ..
        })
    );
    let terms = matches!(p.grant.as_ref().map(|g| &g.node), Some(Grant::Controls { terms, .. }) if !terms.is_empty());
    let unsatisfiable = match operator {
        Operator::And => b.iter().any(|c| device(c.node)),
        Operator::Or => !b.is_empty() && b.iter().all(|c| device(c.node)) && !strength && !terms,
    };
    if unsatisfiable {
        let ctl = b
            .iter()
            .find(|c| device(c.node))
            .map(|c| c.span)
            .unwrap_or(flow.span);
        diags.push(
            Diagnostic::new("E0217", "a device-code sign-in can never satisfy a device control")
                .at(ctl, "requires a compliant or hybrid-joined device")
                .also(flow.span, "the policy applies to the device-code flow")
                .help("write `block` to stop the device-code flow, or offer another control with `or`")
                .note("Graph documents that compliant and hybrid-joined device controls cannot be met by a device-code flow sign-in"),
        );
    }
}

/// E0205: the same object both included and excluded.
fn overlap(p: &Policy, diags: &mut Diagnostics) {
    fn both<T: PartialEq>(
        inc: &[Spanned<T>],
        exc: &[Spanned<T>],
        skip: impl Fn(&T) -> bool,
    ) -> Vec<(Span, Span)> {
        exc.iter()
            .filter(|e| !skip(&e.node))
            .filter_map(|e| {
                inc.iter()
                    .find(|i| i.node == e.node)
                    .map(|i| (e.span, i.span))
            })
            .collect()
    }
    let mut pairs = both(&p.include_users, &p.exclude_users, |u| {
        matches!(u, UserTarget::All | UserTarget::None)
    });
    pairs.extend(both(&p.include_apps, &p.exclude_apps, |a| {
        *a == AppTarget::All
    }));
    pairs.extend(both(&p.include_sps, &p.exclude_sps, |s| {
        *s == SpTarget::All
    }));
    pairs.extend(both(&p.include_platforms, &p.exclude_platforms, |x| {
        *x == Platform::All
    }));
    // `exclude location any` is W0007's case (and its `location any` may be the implied include).
    pairs.extend(both(&p.include_locations, &p.exclude_locations, |l| {
        *l == LocationTarget::Any
    }));
    for (exc, inc) in pairs {
        diags.push(
            Diagnostic::new("E0205", "the same target is both included and excluded")
                .at(exc, "excluded here")
                .also(inc, "included here")
                .help("remove one of them; exclusion always wins, so the inclusion does nothing")
                .note("in Entra, exclusion beats inclusion"),
        );
    }
}

/// E0213 workload identities, E0214 users mixed with service principals.
fn workload(p: &Policy, diags: &mut Diagnostics) {
    if !p.is_workload() {
        if let Some(r) = p.service_principal_risk.first() {
            diags.push(
                Diagnostic::new("E0213", "`service-principal-risk` applies only to workload-identity policies")
                    .at(r.span, "no service principal is targeted")
                    .help("add `for all service-principals` (or a service principal), or remove this condition"),
            );
        }
        return;
    }
    let sp_span = p
        .include_sps
        .first()
        .or(p.exclude_sps.first())
        .map(|s| s.span)
        .unwrap_or(p.span);
    let explicit_users: Vec<Span> = p
        .include_users
        .iter()
        .chain(&p.exclude_users)
        .filter(|u| u.span != p.display_name.span)
        .map(|u| u.span)
        .collect();
    if let Some(u) = explicit_users.first() {
        diags.push(
            Diagnostic::new(
                "E0214",
                "users and service principals are mixed in one policy",
            )
            .at(*u, "a user target")
            .also(sp_span, "a service principal target")
            .help("split it into a user policy and a workload-identity policy"),
        );
    }
    if p.include_sps.is_empty() {
        diags.push(
            Diagnostic::new(
                "E0213",
                "a workload-identity policy needs an included service principal",
            )
            .at(sp_span, "only exclusions")
            .help("add `for all service-principals` or `for service-principal X`"),
        );
    }
    if let Some(a) = p.include_apps.iter().find(|a| a.node != AppTarget::All) {
        diags.push(
            Diagnostic::new("E0213", "a workload-identity policy targets all apps")
                .at(a.span, "not allowed for service principals")
                .help("remove the app target; workload-identity policies always apply to all apps"),
        );
    }
    match p.grant.as_ref().map(|g| (&g.node, g.span)) {
        Some((Grant::Block, _)) => {}
        Some((_, span)) => diags.push(
            Diagnostic::new("E0213", "a workload-identity policy may only `block`")
                .at(span, "service principals cannot satisfy controls")
                .help("write `block`"),
        ),
        None => {}
    }
    let mut others = other_conditions(p);
    others.retain(|(c, _)| !matches!(*c, "location" | "service-principal-risk"));
    if let Some(r) = p.sign_in_risk.first() {
        others.push(("sign-in-risk", r.span));
    }
    if let Some(r) = p.user_risk.first() {
        others.push(("user-risk", r.span));
    }
    for (c, span) in others {
        diags.push(
            Diagnostic::new("E0213", format!("`{c}` cannot be used in a workload-identity policy"))
                .at(span, "not a workload-identity condition")
                .help("workload-identity policies take only `location` and `service-principal-risk` conditions"),
        );
    }
    if !p.session.is_empty() {
        diags.push(
            Diagnostic::new(
                "E0213",
                "a workload-identity policy takes no session controls",
            )
            .at(
                p.span,
                "session controls do not apply to service principals",
            )
            .help("remove the `session` clauses"),
        );
    }
}

/// E0212 persistent browser, E0207 beta-only clauses, E0219 CAE disabled; W0005/W0006/W0010.
fn session(p: &Policy, opts: &Options, diags: &mut Diagnostics) {
    let s = &p.session;
    let all_apps = p.include_apps.len() == 1 && p.include_apps[0].node == AppTarget::All;
    if let Some(pb) = &s.persistent_browser
        && !all_apps
    {
        diags.push(
            Diagnostic::new("E0212", "`persistent-browser` requires `for all apps`")
                .at(pb.span, "this session control needs all apps")
                .help("target `all apps` (exclusions are allowed), or drop the control"),
        );
    }
    super::beta::check(p, opts, diags);
    if let Some(cae) = &s.cae {
        if opts.api != ApiVersion::Beta {
            diags.push(
                Diagnostic::new("E0207", "`session cae` exists only in the Graph beta API")
                    .at(cae.span, "beta-only clause")
                    .help("compile with `--api beta`, or remove the clause"),
            );
        }
        if cae.node == CaeMode::Disabled {
            let extra = other_conditions(p);
            if !all_apps || !extra.is_empty() {
                diags.push(
                    Diagnostic::new(
                        "E0219",
                        "`cae disabled` requires all apps and no other conditions",
                    )
                    .at(cae.span, "continuous access evaluation disabled here")
                    .help("target `all apps` with only user conditions"),
                );
            }
        }
    }
    if let Some(f) = &s.sign_in_frequency {
        match f.node {
            SignInFrequency::Time(v, FrequencyUnit::Hours) if v > 23 => diags.push(
                Diagnostic::new(
                    "W0005",
                    format!("a sign-in frequency of {v} hours is outside the portal's range"),
                )
                .at(f.span, "the portal allows 1 to 23 hours")
                .help(format!(
                    "write it in days (`{} days`) if that is what you mean",
                    v.div_ceil(24)
                )),
            ),
            SignInFrequency::Time(v, FrequencyUnit::Days) if v > 365 => diags.push(
                Diagnostic::new(
                    "W0005",
                    format!("a sign-in frequency of {v} days is outside the portal's range"),
                )
                .at(f.span, "the portal allows 1 to 365 days")
                .help("use at most 365 days"),
            ),
            SignInFrequency::Every => {
                let documented = !p.user_risk.is_empty()
                    || !p.sign_in_risk.is_empty()
                    || !p.insider_risk.is_empty()
                    || p.include_apps.iter().any(|a| match &a.node {
                        AppTarget::App(id) => catalog::app_by_id(id)
                            .is_some_and(|x| x.ident == "MicrosoftIntuneEnrollment"),
                        AppTarget::Context(_) | AppTarget::Action(_) => true,
                        _ => false,
                    });
                if !documented {
                    diags.push(
                        Diagnostic::new("W0006", "`sign-in-frequency every-time` outside its documented scenarios")
                            .at(f.span, "every-time reauthentication")
                            .help("Graph documents every-time for risky users, risky sign-ins and Intune enrollment; check that it suits this policy"),
                    );
                }
            }
            _ => {}
        }
    }
    if let Some(tp) = s.token_protection {
        const SUPPORTED: &[&str] = &[
            "ExchangeOnline",
            "SharePointOnline",
            "MicrosoftTeamsServices",
            "AzureVirtualDesktop",
            "Windows365",
            "WindowsCloudLogin",
        ];
        let unsupported = p.include_apps.iter().find(|a| match &a.node {
            AppTarget::App(id) => {
                !catalog::app_by_id(id).is_some_and(|x| SUPPORTED.contains(&x.ident.as_str()))
            }
            _ => true,
        });
        if let Some(a) = unsupported {
            diags.push(
                Diagnostic::new("W0010", "token protection targets an app that does not support it")
                    .at(a.span, "not a token-protection resource")
                    .also(tp, "token protection here")
                    .help("target Exchange Online, SharePoint Online, Teams Services, Azure Virtual Desktop or Windows 365 only"),
            );
        }
    }
}

/// Warnings that question a policy without rejecting it.
fn lints(p: &Policy, diags: &mut Diagnostics) {
    let actions = p
        .include_apps
        .iter()
        .find(|a| matches!(a.node, AppTarget::Action(_)));
    if let (Some(a), PolicyState::ReportOnly) = (actions, p.state.node) {
        diags.push(
            Diagnostic::new(
                "W0004",
                "a user-action policy in report-only mode is never evaluated",
            )
            .at(a.span, "user action")
            .also(p.state.span, "report-only")
            .help("use `mode on` once you have checked it, or `mode off`")
            .note("Entra does not evaluate report-only policies that target user actions"),
        );
    }
    if let Some(l) = p
        .exclude_locations
        .iter()
        .find(|l| l.node == LocationTarget::Any)
    {
        diags.push(
            Diagnostic::new("W0007", "`exclude location any` excludes every location")
                .at(l.span, "the policy can never apply")
                .help("exclude named or trusted locations instead"),
        );
    }
    if let Some(x) = p.exclude_platforms.iter().find(|x| x.node == Platform::All) {
        diags.push(
            Diagnostic::new("W0007", "`exclude platform any` excludes every platform")
                .at(x.span, "the policy can never apply")
                .help("exclude the platforms you mean: `exclude platform ios, android`"),
        );
    }
    let b = builtins(p);
    if b.len() == 1 && b[0].node == BuiltInControl::ApprovedApplication {
        diags.push(
            Diagnostic::new("W0008", "`approved-app` alone is retired")
                .at(b[0].span, "approved client app only")
                .help("write `require approved-app or compliant-app`, or `require compliant-app`")
                .note("Microsoft retired the approved client app grant in March 2026"),
        );
    }
    for a in &p.include_apps {
        if let AppTarget::App(id) = &a.node
            && id == "00000003-0000-0000-c000-000000000000"
        {
            diags.push(
                Diagnostic::new("W0009", "Microsoft Graph cannot be targeted on its own")
                    .at(a.span, "not individually targetable")
                    .help("target `all apps`, or the resources your users call"),
            );
        }
    }
    for a in p.include_apps.iter().chain(&p.exclude_apps) {
        if let AppTarget::App(id) = &a.node
            && let Some(client) = catalog::client_app_by_id(id)
        {
            diags.push(
                Diagnostic::new("W0013", format!("{client} is a client app, which Conditional Access cannot target"))
                    .at(a.span, "a client, not a resource")
                    .help("target the resources it calls (`AzureServiceManagement` for the Azure CLI and PowerShell, …)")
                    .note("a policy applies to the resource a client signs in to, never to the client itself"),
            );
        }
    }
    for (list, all) in [
        (&p.include_users, UserTarget::All),
        (&p.include_users, UserTarget::None),
    ] {
        if let Some(k) = list
            .iter()
            .find(|u| u.node == all && u.span != p.display_name.span)
            && let Some(other) = list
                .iter()
                .find(|u| matches!(u.node, UserTarget::Principal(crate::ir::Principal::User(_))))
        {
            diags.push(
                Diagnostic::new(
                    "W0011",
                    "`all users` / `user None` stands alone in the user list",
                )
                .at(other.span, "this user is already covered")
                .also(k.span, "here")
                .help("remove the named user, or the keyword"),
            );
        }
    }
    let apps = p
        .include_apps
        .iter()
        .filter(|a| {
            matches!(
                a.node,
                AppTarget::All | AppTarget::None | AppTarget::App(_) | AppTarget::Keyword(_)
            )
        })
        .count();
    if apps > 1
        && let Some(k) = p
            .include_apps
            .iter()
            .find(|a| matches!(a.node, AppTarget::All | AppTarget::None))
    {
        diags.push(
            Diagnostic::new(
                "W0011",
                "`all apps` / `app None` stands alone in the app list",
            )
            .at(k.span, "keyword together with other apps")
            .help("remove the other apps, or the keyword"),
        );
    }
    // `All` stands alone in the platform and location lists too (reference §8.5, inferred).
    let platform_all = p
        .include_platforms
        .iter()
        .find(|x| x.node == Platform::All && x.span != p.display_name.span);
    if let (Some(k), true) = (platform_all, p.include_platforms.len() > 1) {
        diags.push(
            Diagnostic::new("W0011", "`platform any` stands alone in the platform list")
                .at(k.span, "keyword together with other platforms")
                .help("remove the other platforms (they are already included), or `any`"),
        );
    }
    let location_any = p
        .include_locations
        .iter()
        .find(|x| x.node == LocationTarget::Any && x.span != p.display_name.span);
    if let (Some(k), true) = (location_any, p.include_locations.len() > 1) {
        diags.push(
            Diagnostic::new("W0011", "`location any` stands alone in the location list")
                .at(k.span, "keyword together with other locations")
                .help("remove the other locations (they are already included), or `any`"),
        );
    }
}
