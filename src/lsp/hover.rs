//! Hover: what the word under the cursor means.
//!
//! In: an [`Analysis`], a file and a byte offset. Out: Markdown: for a name, its kind, the id it
//! resolves to, its display name and where it is declared; for a clause or kind word, the Graph
//! property it becomes; for an enum value, the Graph value; and for every diagnostic at the
//! position, its code's explanation (`capol explain`).

use super::context;
use super::index::{Occurrence, Space};
use super::project::Analysis;
use super::text::{self, WordKind};
use crate::ast::TargetKind;
use crate::check::names::Names;
use crate::check::values;
use crate::diag::{Diagnostics, codes};
use crate::source::{FileId, Spanned};
use crate::symbols::{Kind, catalog};
use crate::vocab::Vocab;

pub fn hover(a: &Analysis, file: FileId, offset: usize) -> Option<(String, (usize, usize))> {
    let src = a.text(file);
    let mut parts = Vec::new();
    let mut range = None;
    if let Some(o) = a.index.at(file, offset) {
        parts.push(name_hover(a, o));
        range = Some((o.span.start, o.span.end));
    } else {
        let all = text::words(src);
        if let Some(i) = all
            .iter()
            .position(|w| w.kind == WordKind::Bare && w.start <= offset && offset <= w.end)
        {
            let ctx = context::context(src, &all, i);
            if let Some(h) = word_hover(all[i].text, &ctx, all.get(i + 1).map(|w| w.text)) {
                parts.push(h);
                range = Some((all[i].start, all[i].end));
            }
        }
    }
    for d in &a.compilation.diagnostics.items {
        let Some(l) = &d.primary else { continue };
        if l.span.file != file || offset < l.span.start || offset > l.span.end {
            continue;
        }
        let title = codes::lookup(d.code).map_or("", |c| c.title);
        let explanation = codes::lookup(d.code).map_or("", |c| c.explanation);
        parts.push(format!(
            "**{}** {title}: {}\n\n{}",
            d.code,
            d.message,
            explanation.trim_end()
        ));
        range.get_or_insert((l.span.start, l.span.end));
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join("\n\n---\n\n"), range.unwrap_or((offset, offset))))
}

fn set_hover(a: &Analysis, o: &Occurrence) -> String {
    let mut lines = vec![format!("**set** `{}`", o.name)];
    match a.index.definition(Space::Set, &o.name) {
        Some(def) => {
            let text = a.text(def.span.file);
            // The declaration's items as written, up to the end of its line.
            let rest = text.get(def.span.end..).unwrap_or("");
            let items = rest
                .split('\n')
                .next()
                .unwrap_or("")
                .trim_start_matches([' ', '=']);
            lines.push(format!("`{}`", items.trim()));
            lines.push(declared_at(a, def));
        }
        None => lines.push("not declared".into()),
    }
    let uses = a
        .index
        .of(o.space, &o.name)
        .filter(|x| !x.definition)
        .count();
    lines.push(format!("{uses} use{}", if uses == 1 { "" } else { "s" }));
    lines.join("  \n")
}

fn declared_at(a: &Analysis, def: &Occurrence) -> String {
    let (line, _) = a
        .compilation
        .sources
        .get(def.span.file)
        .map_or((0, 0), |f| f.line_col(def.span.start));
    let file = a.path(def.span.file).map_or(String::new(), |p| {
        p.file_name().map_or(p.display().to_string(), |n| {
            n.to_string_lossy().into_owned()
        })
    });
    format!("declared in {file}:{line}")
}

fn name_hover(a: &Analysis, o: &Occurrence) -> String {
    let kind = match o.space {
        Space::Object(k) => k,
        Space::Set => return set_hover(a, o),
    };
    let mut lines = vec![format!("**{}** `{}`", kind.keyword(), o.name)];
    let names = Names::new(
        &a.compilation.files,
        a.lock.as_ref(),
        &mut Diagnostics::new(),
    );
    let r = Spanned::new(crate::ast::Ref::Quoted(o.name.clone()), o.span);
    match names.resolve(kind, &r, &mut Diagnostics::new()) {
        Some(res) => {
            lines.push(format!("id: `{}`", res.id));
            if let Some(d) = display_name(a, kind, &o.name, &res.id) {
                lines.push(format!("display name: {d}"));
            }
            if res.trusted {
                lines.push("trusted location".into());
            }
        }
        None => lines.push("not resolved: see the diagnostic".into()),
    }
    match a.index.definition(o.space, &o.name) {
        Some(def) => lines.push(declared_at(a, def)),
        None if a
            .lock
            .as_ref()
            .is_some_and(|l| l.get(kind, &o.name).is_some()) =>
        {
            lines.push("pinned in capol.lock".into());
        }
        None => lines.push("built in".into()),
    }
    let uses = a
        .index
        .of(o.space, &o.name)
        .filter(|x| !x.definition)
        .count();
    lines.push(format!("{uses} use{}", if uses == 1 { "" } else { "s" }));
    lines.join("  \n")
}

fn display_name(a: &Analysis, kind: Kind, name: &str, id: &str) -> Option<String> {
    if let Some(d) = a
        .lock
        .as_ref()
        .and_then(|l| l.get(kind, name))
        .and_then(|e| e.display_name.clone())
    {
        return Some(d);
    }
    match kind {
        Kind::App => catalog::app_by_id(id).map(|x| x.display_name.clone()),
        Kind::Role => catalog::role_by_id(id).map(|x| x.display_name.clone()),
        Kind::Strength => catalog::strength_by_id(id).map(|x| x.display_name.to_string()),
        _ => None,
    }
}

/// The Graph property a clause keyword or kind word becomes, or the Graph value of an enum word.
fn word_hover(word: &str, ctx: &context::Context, next: Option<&str>) -> Option<String> {
    let include = ctx.clause != Some("exclude");
    let side = if include { "include" } else { "exclude" };
    let prop = match word {
        "for" => "the assignments: `conditions.users.include…`, `conditions.applications.include…`, `conditions.clientApplications.includeServicePrincipals`".to_string(),
        "exclude" => "the exclusions: `conditions.users.exclude…`, `conditions.applications.exclude…`, `conditions.platforms.excludePlatforms`, `conditions.locations.excludeLocations`, …".to_string(),
        "when" => "a condition: `conditions.platforms`, `conditions.locations`, `conditions.clientAppTypes`, the risk levels, `conditions.devices.deviceFilter`, `conditions.authenticationFlows`".to_string(),
        "require" => "`grantControls`: `builtInControls`, `authenticationStrength`, `termsOfUse`, with `operator` `AND` or `OR`".to_string(),
        "block" => "`grantControls.builtInControls: [\"block\"]`".to_string(),
        "session" => "`sessionControls`".to_string(),
        "mode" => "`state`: `on` → `enabled`, `off` → `disabled`, `report-only` → `enabledForReportingButNotEnforced`".to_string(),
        "description" => "`description`".to_string(),
        "policy" => "`displayName`: the key deploy finds the policy by in the tenant".to_string(),
        "strength" if ctx.clause == Some("require") => "`grantControls.authenticationStrength.id`".to_string(),
        "terms" if ctx.clause == Some("require") => "`grantControls.termsOfUse`".to_string(),
        w if context::is_kind_word(w) && matches!(ctx.clause, Some("for" | "exclude" | "when")) => {
            kind_property(w, side, next == Some("where"))?
        }
        w => return value_hover(w, ctx),
    };
    Some(format!("`{word}` → {prop}"))
}

fn kind_property(kind: &str, side: &str, filter: bool) -> Option<String> {
    use crate::ast::TargetKind as T;
    let (obj, list) = match TargetKind::from_word(kind)? {
        T::User => ("users", "Users"),
        T::Group => ("users", "Groups"),
        T::Role => ("users", "Roles"),
        T::Guests => ("users", "GuestsOrExternalUsers"),
        T::App if filter => return Some("`conditions.applications.applicationFilter`".into()),
        T::App => ("applications", "Applications"),
        T::Action => ("applications", "UserActions"),
        T::Context => ("applications", "AuthenticationContextClassReferences"),
        T::ServicePrincipal if filter => {
            return Some("`conditions.clientApplications.servicePrincipalFilter`".into());
        }
        T::ServicePrincipal => ("clientApplications", "ServicePrincipals"),
        T::Platform => ("platforms", "Platforms"),
        T::Location => ("locations", "Locations"),
        T::Client => return Some("`conditions.clientAppTypes`".into()),
        T::SignInRisk => return Some("`conditions.signInRiskLevels`".into()),
        T::UserRisk => return Some("`conditions.userRiskLevels`".into()),
        T::ServicePrincipalRisk => return Some("`conditions.servicePrincipalRiskLevels`".into()),
        T::InsiderRisk => return Some("`conditions.insiderRiskLevels`".into()),
        T::AuthFlow => return Some("`conditions.authenticationFlows.transferMethods`".into()),
        T::Device => return Some("`conditions.devices.deviceFilter`".into()),
        T::Tenant => return Some("`externalTenants` of the guest condition".into()),
        T::Terms => return Some("`grantControls.termsOfUse`".into()),
        T::Strength => return Some("`grantControls.authenticationStrength`".into()),
        T::Set => return Some("the items of the set, as if written here".into()),
        T::AgentIdentity if filter => {
            return Some(
                "`conditions.clientApplications.agentIdServicePrincipalFilter` (beta)".into(),
            );
        }
        T::AgentIdentity => ("clientApplications", "AgentIdServicePrincipals"),
        T::AgentUser if filter => return Some("`conditions.agents.agentFilter` (beta)".into()),
        T::AgentUser => ("agents", "AgentUsers"),
        T::AgentRisk => return Some("`conditions.agentIdRiskLevels` (beta)".into()),
        T::AgentContext => ("agentContext", "AgentContexts"),
        T::TrafficProfile => {
            return Some(
                "`conditions.applications.networkAccess.includeTrafficProfiles` (beta)".into(),
            );
        }
        T::LegacyDeviceState => ("deviceStates", "States"),
        T::LegacyDevice => ("devices", "Devices"),
    };
    Some(format!("`conditions.{obj}.{side}{list}`"))
}

fn graph<T>(v: &Vocab<T>, w: &str) -> Option<String> {
    v.terms
        .iter()
        .find(|t| t.word == Some(w))
        .map(|t| t.graph.to_string())
}

fn value_hover(w: &str, ctx: &context::Context) -> Option<String> {
    use crate::ast::TargetKind as T;
    let kind = ctx.kind.and_then(TargetKind::from_word);
    let (value, prop) = match (ctx.clause, kind) {
        (Some("require"), _) => (graph(values::CONTROLS, w)?, "grantControls.builtInControls"),
        (Some("mode"), _) => (graph(values::MODES, w)?, "state"),
        (_, Some(T::Platform)) => (graph(values::PLATFORMS, w)?, "conditions.platforms"),
        (_, Some(T::Client)) => (graph(values::CLIENTS, w)?, "conditions.clientAppTypes"),
        (_, Some(T::SignInRisk)) => (graph(values::RISKS, w)?, "conditions.signInRiskLevels"),
        (_, Some(T::UserRisk)) => (graph(values::RISKS, w)?, "conditions.userRiskLevels"),
        (_, Some(T::ServicePrincipalRisk)) => (
            graph(values::RISKS, w)?,
            "conditions.servicePrincipalRiskLevels",
        ),
        (_, Some(T::InsiderRisk)) => (
            graph(values::INSIDER_RISKS, w)?,
            "conditions.insiderRiskLevels",
        ),
        (_, Some(T::AgentRisk)) => (
            graph(values::AGENT_RISKS, w)?,
            "conditions.agentIdRiskLevels",
        ),
        (_, Some(T::AgentContext)) => {
            (graph(values::AGENT_CONTEXTS, w)?, "conditions.agentContext")
        }
        (_, Some(T::TrafficProfile)) => (
            graph(values::TRAFFIC_PROFILES, w)?,
            "conditions.applications.networkAccess",
        ),
        (_, Some(T::LegacyDeviceState)) => {
            (graph(values::DEVICE_STATES, w)?, "conditions.deviceStates")
        }
        (_, Some(T::LegacyDevice)) => (graph(values::DEVICE_STATES, w)?, "conditions.devices"),
        (_, Some(T::AuthFlow)) => (
            graph(values::AUTH_FLOWS, w)?,
            "conditions.authenticationFlows.transferMethods",
        ),
        (_, Some(T::Action)) => (
            graph(values::ACTIONS, w)?,
            "conditions.applications.includeUserActions",
        ),
        (_, Some(T::Guests)) => (graph(values::GUEST_TYPES, w)?, "guestOrExternalUserTypes"),
        (Some("session"), _) => {
            let v = graph(values::PERSISTENT_BROWSER, w)
                .or_else(|| graph(values::CLOUD_APP_SECURITY, w))
                .or_else(|| graph(values::CAE, w));
            match v {
                Some(v) => (v, "sessionControls"),
                None => return session_hover(w),
            }
        }
        _ => return None,
    };
    Some(format!("`{w}` → `\"{value}\"` in `{prop}`"))
}

fn session_hover(w: &str) -> Option<String> {
    let prop = match w {
        "sign-in-frequency" => "signInFrequency",
        "persistent-browser" => "persistentBrowser",
        "app-enforced-restrictions" => "applicationEnforcedRestrictions",
        "cloud-app-security" => "cloudAppSecurity",
        "cae" => "continuousAccessEvaluation (beta)",
        "no-resilience-defaults" => "disableResilienceDefaults",
        "token-protection" => "secureSignInSession (beta)",
        _ => return None,
    };
    Some(format!("`{w}` → `sessionControls.{prop}`"))
}
