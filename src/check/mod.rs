//! The checker: AST in, [`ir::PolicySet`] and every diagnostic out.
//!
//! Passes: declarations and names (`names`), per-policy lowering (`lower`), the Graph
//! combination rules (`rules`), and the safety rules that protect emergency access (`safety`).
//! Nothing stops at the first problem: a typo in one policy never hides a problem in the next.

mod assert;
mod beta;
pub mod defaults;
mod filters;
mod lower;
pub mod names;
mod rules;
mod safety;
mod scenario;
pub mod sets;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_beta;
#[cfg(test)]
mod tests_sets;
mod trust;
pub mod unresolved;
pub mod values;

use crate::ast::{self, Item, Ref};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{self, Principal};
use crate::source::{SourceMap, Spanned};
use crate::symbols::Kind;
use crate::symbols::lock::LockFile;
use std::collections::HashMap;

/// Which Graph API version the output targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ApiVersion {
    #[default]
    #[value(name = "v1.0")]
    V1,
    #[value(name = "beta")]
    Beta,
}

impl ApiVersion {
    pub fn path(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub api: ApiVersion,
}

/// Custom strengths' combinations: from `capol.lock`, then from declarations (`strength X = <id>
/// allows …`), which win. A locked strength with a combination this capol cannot read keeps no
/// combinations (what-if then calls comparisons with it unknown, never guesses).
fn strengths(
    files: &[ast::File],
    lock: Option<&LockFile>,
    set: &mut ir::PolicySet,
    diags: &mut Diagnostics,
) {
    use crate::whatif::Combination;
    if let Some(m) = lock.and_then(|l| l.entries.get(&Kind::Strength)) {
        for e in m.values() {
            let Some(list) = &e.combinations else {
                continue;
            };
            let parsed: Result<Vec<Combination>, String> =
                list.iter().map(|c| Combination::from_graph(c)).collect();
            if let Ok(combinations) = parsed {
                set.strengths
                    .custom
                    .insert(e.id.to_ascii_lowercase(), combinations);
            }
        }
    }
    for file in files {
        for item in &file.items {
            let Item::Declaration(d) = item else { continue };
            let (Some(first), Some(last)) = (d.allows.first(), d.allows.last()) else {
                continue;
            };
            if d.kind.node != Kind::Strength {
                diags.push(
                    Diagnostic::new(
                        "E0311",
                        format!("only a strength allows methods, not {}", d.kind.node.article()),
                    )
                    .at(first.span.to(last.span), "`allows` on another kind")
                    .help("`allows` lists a custom strength's combinations: `strength ContosoFido = <id> allows fido2`"),
                );
                continue;
            }
            let Ref::Guid(id) = &d.value.node else {
                continue; // a bad id is reported where names are declared
            };
            if crate::whatif::methods::built_in(id).is_some() {
                diags.push(
                    Diagnostic::new("E0311", "a built-in strength's combinations are fixed")
                        .at(first.span.to(last.span), "`allows` on a built-in strength")
                        .help("declare a custom strength's id, or drop `allows`: capol knows the built-in combinations"),
                );
                continue;
            }
            let mut combinations = Vec::new();
            let mut ok = true;
            for c in &d.allows {
                let mut combination = Combination::default();
                for w in &c.node {
                    let r = Spanned::new(Ref::Ident(w.node.clone()), w.span);
                    match scenario::method(&r, diags) {
                        Some(m) => combination.insert(m),
                        None => ok = false,
                    }
                }
                combinations.push(combination);
            }
            if ok {
                set.strengths
                    .custom
                    .insert(id.to_ascii_lowercase(), combinations);
            }
        }
    }
}

/// Check every file compiled together.
pub fn check(
    files: &[ast::File],
    sources: &SourceMap,
    lock: Option<&LockFile>,
    opts: &Options,
) -> (ir::PolicySet, Diagnostics) {
    let mut diags = Diagnostics::new();
    let names = names::Names::new(files, lock, &mut diags);
    let mut set = ir::PolicySet::default();

    // Trusted locations: declared `trusted`, or trusted in the lock file.
    for (_, d) in names.declared_of(Kind::Location) {
        if let (true, Ref::Guid(g)) = (d.trusted, &d.value) {
            set.trusted_locations.insert(g.clone());
        }
    }
    if let Some(l) = lock
        && let Some(m) = l.entries.get(&Kind::Location)
    {
        set.trusted_locations.extend(
            m.values()
                .filter(|e| e.trusted == Some(true))
                .map(|e| e.id.clone()),
        );
    }

    strengths(files, lock, &mut set, &mut diags);

    // Emergency principals. When one fails to resolve, the emergency set is incomplete and the
    // rules that depend on it would only repeat that error in other words.
    let mut emergency_failed = false;
    for file in files {
        for item in &file.items {
            let Item::Emergency(e) = item else { continue };
            let kind = e.kind.node;
            if !matches!(kind, Kind::User | Kind::Group) {
                diags.push(
                    Diagnostic::new(
                        "E0106",
                        format!(
                            "an emergency principal is a user or a group, not {}",
                            kind.article()
                        ),
                    )
                    .at(e.kind.span, "not a user or group")
                    .help("write `emergency group BreakGlass` or `emergency user Emergency1`"),
                );
                continue;
            }
            for p in &e.principals {
                let resolved = names.resolve(kind, p, &mut diags);
                emergency_failed |= resolved.is_none();
                if let Some(res) = resolved {
                    let pr = if kind == Kind::User {
                        Principal::User(res.id)
                    } else {
                        Principal::Group(res.id)
                    };
                    set.emergency.push(Spanned::new(pr, p.span));
                }
            }
        }
    }

    // Sets and defaults: every policy is lowered as if the defaults it receives and the items of
    // its sets were written out in it.
    let sets = sets::Sets::new(files);
    sets.check(&mut diags);
    let defaults_block = defaults::find(files, &mut diags);
    defaults::check_ignored(files, defaults_block, &mut diags);
    let mut shared = defaults::Shared::new(defaults_block, files);
    // Per lowered policy: where its set items came from, how it is named, its header.
    let mut origins: Vec<(sets::Origins, String, crate::source::Span)> = Vec::new();

    // Policies.
    let mut by_name: HashMap<String, crate::source::Span> = HashMap::new();
    // Policies whose lowering found errors (a name that did not resolve, a bad value): what is
    // left of them is not what the user wrote, so the safety rules do not judge it.
    let mut incomplete: Vec<bool> = Vec::new();
    for file in files {
        for item in &file.items {
            let Item::Policy(p) = item else { continue };
            let display_name = match &p.name {
                Some(n) => n.clone(),
                None => {
                    let stem = sources
                        .get(file.file)
                        .map(|f| f.stem().to_string())
                        .unwrap_or_default();
                    let span = p.clauses.first().map(|c| c.span).unwrap_or(p.span);
                    Spanned::new(stem, span)
                }
            };
            if display_name.node.trim().is_empty() {
                diags.push(
                    Diagnostic::new("E0106", "a policy needs a display name")
                        .at(display_name.span, "empty display name")
                        .help("write `policy \"CA001 Require MFA for admins\"`"),
                );
            }
            if let Some(first) = by_name.get(&display_name.node) {
                diags.push(
                    Diagnostic::new("E0104", format!("two policies are named `{}`", display_name.node))
                        .at(display_name.span, "this display name is taken")
                        .also(*first, "first used here")
                        .help("display names are how deploy finds a policy in the tenant: give each policy its own")
                        .note("a file without a `policy` header takes its file name as display name"),
                );
            } else {
                by_name.insert(display_name.node.clone(), display_name.span);
            }
            let since = diags.items.len();
            let merged = defaults::apply(defaults_block, p);
            let (expanded, from_sets) = sets.expand_policy(&merged, &mut diags);
            let owner = format!("policy `{}`", display_name.node);
            let header = display_name.span;
            let mut lowerer = lower::Lowerer {
                names: &names,
                diags: &mut diags,
            };
            let before = lowerer.diags.error_count();
            let policy = lowerer.policy(&expanded, display_name);
            incomplete.push(diags.error_count() > before);
            set.policies.push(policy);
            from_sets.annotate(&mut diags, since);
            shared.take(&mut diags, since, &owner, header);
            origins.push((from_sets, owner, header));
        }
    }

    for p in &mut set.policies {
        rules::defaults(p);
    }

    // Scenarios, once every policy name is known.
    let policy_names: std::collections::HashSet<String> = set
        .policies
        .iter()
        .map(|p| p.display_name.node.clone())
        .collect();
    for file in files {
        for item in &file.items {
            let Item::Scenario(s) = item else { continue };
            let since = diags.items.len();
            let (expanded, from_sets) = sets.expand_scenario(s, &mut diags);
            let mut l = scenario::ScenarioLowerer {
                names: &names,
                diags: &mut diags,
                policy_names: &policy_names,
            };
            let sc = l.scenario(&expanded);
            set.scenarios.push(sc);
            from_sets.annotate(&mut diags, since);
            let owner = format!("scenario `{}`", s.name.node);
            shared.take(&mut diags, since, &owner, s.name.span);
        }
    }
    for file in files {
        for item in &file.items {
            let Item::Assert(a) = item else { continue };
            let since = diags.items.len();
            let (mut expanded, mut from_sets) = sets.expand_scenario(a, &mut diags);
            for f in &mut expanded.facts {
                if let ast::Fact::NotMemberOf(ts) = &f.node
                    && sets::Sets::names_a_set(ts)
                {
                    let e = sets.expand(ts, &mut diags);
                    from_sets.extend(e.origins);
                    f.node = ast::Fact::NotMemberOf(e.targets);
                }
            }
            let lowered = assert::lower(&expanded, &names, &mut diags, &policy_names);
            set.asserts.push(lowered);
            from_sets.annotate(&mut diags, since);
            let owner = format!("assert `{}`", a.name.node);
            shared.take(&mut diags, since, &owner, a.name.span);
        }
    }
    for kind in Kind::ALL {
        for (name, d) in names.declared_of(kind) {
            if let Ref::Guid(g) = &d.value {
                set.names_by_id.insert(g.clone(), name.clone());
            }
        }
    }
    for (k, (p, incomplete)) in set.policies.iter().zip(&incomplete).enumerate() {
        let since = diags.items.len();
        rules::check(p, opts, &mut diags);
        filters::check(p, sources, &mut diags);
        trust::check(p, &mut diags);
        if !incomplete {
            safety::check(p, &set, &mut diags);
        }
        if let Some((from_sets, owner, header)) = origins.get(k) {
            from_sets.annotate(&mut diags, since);
            shared.take(&mut diags, since, owner, *header);
        }
    }
    if !emergency_failed {
        safety::check_emergency_declared(&set, &mut diags);
    }
    shared.finish(&mut diags);
    set.policies
        .sort_by(|a, b| a.display_name.node.cmp(&b.display_name.node));
    diags.sort();
    (set, diags)
}
