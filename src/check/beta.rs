//! The Graph beta API's clauses: E0207 for each under v1.0 (the beta keywords, the agent
//! targets and conditions, the legacy device conditions), and the rules of the legacy device
//! conditions (E0221 values Graph does not take, W0021 deprecated: write `devices where …`).
//!
//! In: a lowered policy and the options. Out: diagnostics.

use super::{ApiVersion, Options};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{AppTarget, DeviceState, Policy, SpTarget};
use crate::source::Spanned;

pub fn check(p: &Policy, opts: &Options, diags: &mut Diagnostics) {
    beta_keywords(p, opts, diags);
    legacy_devices(p, opts, diags);
}

/// E0207: the beta keywords `AllAgentIdUsers` and `AllAgentIdResources`, and the agent
/// targets and conditions (`agent-identity`, `agent-user`, `agent-risk`, `agent-context`),
/// under v1.0.
fn beta_keywords(p: &Policy, opts: &Options, diags: &mut Diagnostics) {
    if opts.api == ApiVersion::Beta {
        return;
    }
    let users = p
        .include_users
        .iter()
        .filter(|u| u.node == crate::ir::UserTarget::AllAgentIdUsers)
        .map(|u| ("user AllAgentIdUsers", u.span));
    let apps = p
        .include_apps
        .iter()
        .filter(|a| matches!(&a.node, AppTarget::Keyword(k) if crate::vocab::BETA_APP_KEYWORDS.contains(&k.as_str())))
        .map(|a| ("app AllAgentIdResources", a.span));
    let a = &p.agents;
    let first = |v: &[Spanned<SpTarget>], f: &Option<crate::ir::FilterRule>| {
        v.first()
            .map(|x| x.span)
            .or(f.as_ref().map(|f| f.rule.span))
    };
    let agents = [
        (
            "agent-identity",
            first(&a.include_identities, &a.identity_filter)
                .or(a.exclude_identities.first().map(|x| x.span)),
        ),
        (
            "agent-user",
            first(&a.include_users, &a.user_filter).or(a.exclude_users.first().map(|x| x.span)),
        ),
        ("agent-risk", a.risk.first().map(|x| x.span)),
        (
            "traffic-profile",
            p.traffic_profiles.first().map(|x| x.span),
        ),
        (
            "session network-access-security",
            p.session.network_access_security.as_ref().map(|x| x.span),
        ),
        (
            "session filtering-profile",
            p.session.filtering_profile.as_ref().map(|x| x.span),
        ),
        (
            "agent-context",
            a.include_contexts
                .first()
                .or(a.exclude_contexts.first())
                .map(|x| x.span),
        ),
    ]
    .into_iter()
    .filter_map(|(w, s)| s.map(|s| (w, s)));
    for (what, span) in users.chain(apps).chain(agents) {
        diags.push(
            Diagnostic::new(
                "E0207",
                format!("`{what}` exists only in the Graph beta API"),
            )
            .at(span, "beta-only keyword")
            .help("compile with `--api beta`, or remove it"),
        );
    }
}

/// The `devices where` rule a legacy device state stands for.
fn filter_of(s: DeviceState) -> &'static str {
    match s {
        DeviceState::All => "",
        DeviceState::Compliant => "device.isCompliant -eq True",
        DeviceState::DomainJoined => "device.trustType -eq \"ServerAD\"",
    }
}

/// The legacy device conditions: beta only (E0207, pointing at `devices where`), `all` only
/// in the include list and never in the exclude list (E0221), and deprecated (W0021).
fn legacy_devices(p: &Policy, opts: &Options, diags: &mut Diagnostics) {
    let l = &p.legacy_devices;
    if l.is_empty() {
        return;
    }
    let excluded: Vec<&'static str> = l
        .exclude_states
        .iter()
        .chain(&l.exclude_devices)
        .map(|s| filter_of(s.node))
        .filter(|f| !f.is_empty())
        .collect();
    let rewrite = if excluded.is_empty() {
        "write `devices where '…'` instead (a device filter)".to_string()
    } else {
        format!(
            "write `exclude devices where '{}'` instead",
            excluded.join(" -or ")
        )
    };
    let mut bad = false;
    let lists: [(&[Spanned<DeviceState>], bool, &str); 4] = [
        (&l.include_states, true, "legacy-device-state"),
        (&l.exclude_states, false, "legacy-device-state"),
        (&l.include_devices, true, "legacy-device"),
        (&l.exclude_devices, false, "legacy-device"),
    ];
    for (list, include, word) in lists {
        for s in list {
            let wrong = (s.node == DeviceState::All) != include;
            if !wrong {
                continue;
            }
            bad = true;
            let (what, help) = if include {
                (
                    format!("`when {word}` takes only `all {word}s`"),
                    format!(
                        "write `when all {word}s` and `exclude {word} compliant` or, better, `exclude devices where '…'`"
                    ),
                )
            } else {
                (
                    format!("`exclude {word}` cannot exclude every device"),
                    "exclude `compliant` or `domain-joined`, or turn the policy off with `mode off`"
                        .to_string(),
                )
            };
            diags.push(
                Diagnostic::new("E0221", what)
                    .at(s.span, "Graph does not take this value here")
                    .help(help),
            );
        }
    }
    let Some((word, first)) = l
        .items()
        .map(|(w, s)| (w, s.span))
        .min_by_key(|(_, s)| s.start)
    else {
        return;
    };
    if opts.api != ApiVersion::Beta {
        diags.push(
            Diagnostic::new(
                "E0207",
                format!("`{word}` exists only in the Graph beta API (deprecated)"),
            )
            .at(first, "beta-only, deprecated condition")
            .help(format!("compile with `--api beta`, or {rewrite}")),
        );
    } else if !bad {
        diags.push(
            Diagnostic::new(
                "W0021",
                format!("`{word}` is a deprecated device condition"),
            )
            .at(first, "deprecated in Graph beta")
            .help(rewrite)
            .note("Microsoft replaced device states with device filters; the policy compiles as written"),
        );
    }
}
