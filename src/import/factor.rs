//! `capol import --factor`: imported policies in, the same policies with their shared lists named
//! out (a `defaults` block and `set` declarations), compiling to the same JSON.
//!
//! Two steps, in this order:
//!
//! 1. **Defaults.** An exclusion that every imported policy has (two policies at least) moves to
//!    one `defaults` block: `exclude group BreakGlass` written once instead of in each policy.
//!    List clauses of the defaults add up with the policy's own, so each policy compiles as
//!    before. Only named items of kinds that stand alone in a list are moved (users, groups,
//!    roles, service principals, apps, locations, platforms); guest types and their tenants are
//!    left where they are, since they combine into one Graph object.
//! 2. **Sets.** A list (the items of one kind standing together in one clause: `role A, B, C`)
//!    of two items or more that two policies or more write alike (in any order: Graph's lists
//!    are sets) becomes `set NAME = …`, and each
//!    such list becomes `set NAME`. Names come from the members (`ExcludedGroup1To3`,
//!    `AndroidIosWindowsMacos`, `GlobalAdministratorAndSecurityAdministrator`,
//!    `GlobalAdministratorAnd13More`), made unique with a number.
//!
//! The importer verifies the factored files like the plain ones (`verify`): a factoring that
//! would change a policy's JSON is an internal error, never a silent change.

use crate::ast::{self, Clause, Target, TargetKind, TargetValue};
use crate::source::{Span, Spanned};
use std::collections::{HashMap, HashSet};

/// The factored project: the sets, the defaults block, the policies using them.
#[derive(Debug, Default)]
pub(crate) struct Factored {
    pub sets: Vec<ast::SetDecl>,
    pub defaults: Option<ast::Defaults>,
    pub policies: Vec<ast::Policy>,
}

/// Factor the policies (in import order).
pub(crate) fn factor(policies: Vec<ast::Policy>) -> Factored {
    let (defaults, mut policies) = defaults(policies);
    let sets = sets(&mut policies);
    Factored {
        sets,
        defaults,
        policies,
    }
}

/// An item as a comparable key: its kind and the reference as written.
type Key = (TargetKind, ast::Ref);

fn key(t: &Target) -> Option<Key> {
    match &t.value {
        TargetValue::Ref(r) if t.kind.node != TargetKind::Set => {
            Some((t.kind.node, r.node.clone()))
        }
        _ => None,
    }
}

/// Kinds whose items mean the same alone in a `defaults` exclusion as in the policy's.
fn movable(kind: TargetKind) -> bool {
    matches!(
        kind,
        TargetKind::User
            | TargetKind::Group
            | TargetKind::Role
            | TargetKind::ServicePrincipal
            | TargetKind::App
            | TargetKind::Location
            | TargetKind::Platform
    )
}

/// The exclusions of a policy that may move to the defaults.
fn exclusions(p: &ast::Policy) -> Vec<Key> {
    p.clauses
        .iter()
        .filter_map(|c| match &c.node {
            Clause::Exclude(ts) => Some(ts),
            _ => None,
        })
        .flatten()
        .filter_map(key)
        .filter(|k| movable(k.0))
        .collect()
}

fn defaults(mut policies: Vec<ast::Policy>) -> (Option<ast::Defaults>, Vec<ast::Policy>) {
    if policies.len() < 2 {
        return (None, policies);
    }
    let mut shared: HashSet<Key> = exclusions(&policies[0]).into_iter().collect();
    for p in &policies[1..] {
        let mine: HashSet<Key> = exclusions(p).into_iter().collect();
        shared.retain(|k| mine.contains(k));
    }
    if shared.is_empty() {
        return (None, policies);
    }
    // The default's clauses follow the first policy's: one `exclude` per clause it came from.
    let mut clauses: Vec<Spanned<Clause>> = Vec::new();
    let mut placed: HashSet<Key> = HashSet::new();
    for c in &policies[0].clauses {
        let Clause::Exclude(ts) = &c.node else {
            continue;
        };
        let moved: Vec<Target> = ts
            .iter()
            .filter(|t| key(t).is_some_and(|k| shared.contains(&k) && placed.insert(k)))
            .cloned()
            .collect();
        if !moved.is_empty() {
            clauses.push(Spanned::new(Clause::Exclude(kinds_written(moved)), c.span));
        }
    }
    for p in &mut policies {
        p.clauses = std::mem::take(&mut p.clauses)
            .into_iter()
            .filter_map(|c| match c.node {
                Clause::Exclude(ts) => {
                    let left: Vec<Target> = ts
                        .into_iter()
                        .filter(|t| !key(t).is_some_and(|k| shared.contains(&k)))
                        .collect();
                    (!left.is_empty())
                        .then(|| Spanned::new(Clause::Exclude(kinds_written(left)), c.span))
                }
                other => Some(Spanned::new(other, c.span)),
            })
            .collect();
    }
    let span = clauses.first().map_or_else(Span::default, |c| c.span);
    let d = ast::Defaults {
        header: span,
        clauses,
        span,
    };
    (Some(d), policies)
}

/// The kind word is written where the kind changes (as the parser would have recorded it).
fn kinds_written(mut ts: Vec<Target>) -> Vec<Target> {
    for k in 0..ts.len() {
        ts[k].kind_written = k == 0 || ts[k - 1].kind.node != ts[k].kind.node;
    }
    ts
}

/// Kinds a set may stand for: names and closed words that are items of their own.
fn settable(kind: TargetKind) -> bool {
    movable(kind)
        || matches!(
            kind,
            TargetKind::Client | TargetKind::Action | TargetKind::Context
        )
}

/// The runs of one clause: `(start, end)` of each maximal run of one settable kind, two long.
fn runs(ts: &[Target]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    while s < ts.len() {
        let kind = key(&ts[s]).map(|k| k.0);
        let mut e = s + 1;
        while kind.is_some() && e < ts.len() && key(&ts[e]).map(|k| k.0) == kind {
            e += 1;
        }
        if kind.is_some_and(settable) && e - s >= 2 {
            out.push((s, e));
        }
        s = e;
    }
    out
}

/// A list's key: its members in a fixed order. Graph's lists are sets (ids are sorted and
/// enumerations written in Graph's order when compiled), so `ios, android` and `android, ios`
/// are one set.
fn run_key(ts: &[Target]) -> Vec<Key> {
    let mut ks: Vec<Key> = ts.iter().filter_map(key).collect();
    ks.sort_by_cached_key(|k| format!("{k:?}"));
    ks.dedup();
    ks
}

fn lists_mut(p: &mut ast::Policy) -> impl Iterator<Item = &mut Vec<Target>> {
    p.clauses.iter_mut().filter_map(|c| match &mut c.node {
        Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) => Some(ts),
        _ => None,
    })
}

fn sets(policies: &mut [ast::Policy]) -> Vec<ast::SetDecl> {
    // Each distinct list, in order of first appearance, with the policies that write it.
    let mut order: Vec<(Vec<Key>, Vec<Target>)> = Vec::new();
    // The first policy's order of the items names the set and lists them.
    let mut users: HashMap<Vec<Key>, HashSet<usize>> = HashMap::new();
    for (pi, p) in policies.iter_mut().enumerate() {
        for ts in lists_mut(p) {
            for (s, e) in runs(ts) {
                let k = run_key(&ts[s..e]);
                let entry = users.entry(k.clone()).or_default();
                if entry.is_empty() {
                    order.push((k, ts[s..e].to_vec()));
                }
                entry.insert(pi);
            }
        }
    }
    let mut taken: HashSet<String> = HashSet::new();
    let mut names: HashMap<Vec<Key>, String> = HashMap::new();
    let mut decls = Vec::new();
    for (k, items) in order {
        if users.get(&k).is_none_or(|u| u.len() < 2) {
            continue;
        }
        let written: Vec<Key> = items.iter().filter_map(key).collect();
        let name = unique(&base_name(&written), &mut taken);
        let span = items
            .first()
            .zip(items.last())
            .map_or_else(Span::default, |(a, b)| a.span.to(b.span));
        decls.push(ast::SetDecl {
            name: Spanned::new(ast::Ref::Ident(name.clone()), span),
            items: kinds_written(items),
            span,
        });
        names.insert(k, name);
    }
    for p in policies.iter_mut() {
        for ts in lists_mut(p) {
            let mut out: Vec<Target> = Vec::with_capacity(ts.len());
            let mut next = 0;
            for (s, e) in runs(ts) {
                out.extend_from_slice(&ts[next..s]);
                match names.get(&run_key(&ts[s..e])) {
                    Some(name) => {
                        let span = ts[s].span.to(ts[e - 1].span);
                        out.push(Target {
                            kind: Spanned::new(TargetKind::Set, span),
                            kind_written: true,
                            value: TargetValue::Ref(Spanned::new(
                                ast::Ref::Ident(name.clone()),
                                span,
                            )),
                            span,
                        });
                    }
                    None => out.extend_from_slice(&ts[s..e]),
                }
                next = e;
            }
            out.extend_from_slice(&ts[next..]);
            *ts = kinds_written(out);
        }
    }
    decls
}

fn unique(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// A member's name as one PascalCase word: `ExcludedGroup1`, `"PIM Admins"` → `PimAdmins`,
/// `ios` → `Ios`; a GUID has no readable name (`None`).
fn word(r: &ast::Ref) -> Option<String> {
    let text = match r {
        ast::Ref::Guid(_) | ast::Ref::BadGuid(_) => return None,
        ast::Ref::Upn(u) => u.split('@').next().unwrap_or(u),
        ast::Ref::Ident(s) | ast::Ref::Quoted(s) => s.as_str(),
    };
    let mut out = String::new();
    for part in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cs = part.chars();
        if let Some(first) = cs.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = cs.collect();
            // An all-capitals word (`PIM`) reads better as a word (`Pim`).
            if part.len() > 1 && part.chars().all(|c| !c.is_ascii_lowercase()) {
                out.push_str(&rest.to_ascii_lowercase());
            } else {
                out.push_str(&rest);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A readable name for a list, from its members (see the module documentation).
fn base_name(members: &[Key]) -> String {
    let words: Vec<String> = members.iter().filter_map(|(_, r)| word(r)).collect();
    let kind = members.first().map_or(TargetKind::Group, |k| k.0);
    let fallback = || {
        let w = kind.plural();
        let mut s = word(&ast::Ref::Ident(w.to_string())).unwrap_or_else(|| "Items".into());
        if !s.ends_with('s') {
            s.push('s');
        }
        s
    };
    if words.len() != members.len() || words.is_empty() {
        return fallback();
    }
    if let Some(range) = numbered_range(&words) {
        return range;
    }
    let joined: String = words.concat();
    if joined.len() <= 32 {
        return joined;
    }
    if let [a, b] = words.as_slice() {
        return format!("{a}And{b}");
    }
    let prefix = common_prefix(&words);
    if prefix.len() >= 4 {
        return if prefix.ends_with('s') {
            prefix
        } else {
            format!("{prefix}s")
        };
    }
    format!("{}And{}More", words[0], words.len() - 1)
}

/// `ExcludedGroup1, ExcludedGroup2, ExcludedGroup3` → `ExcludedGroup1To3`.
fn numbered_range(words: &[String]) -> Option<String> {
    let split = |w: &str| {
        let digits = w.len() - w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (stem, num) = w.split_at(w.len() - digits);
        num.parse::<u64>().ok().map(|n| (stem.to_string(), n))
    };
    let parts: Vec<(String, u64)> = words.iter().map(|w| split(w)).collect::<Option<_>>()?;
    let (stem, first) = parts.first()?.clone();
    let consecutive = parts
        .iter()
        .enumerate()
        .all(|(i, (s, n))| *s == stem && *n == first + i as u64);
    (consecutive && !stem.is_empty()).then(|| {
        let last = first + parts.len() as u64 - 1;
        format!("{stem}{first}To{last}")
    })
}

/// The longest common prefix, without trailing digits.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut len = first.len();
    for w in &words[1..] {
        len = len.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first[..len]
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(kind: TargetKind, names: &[&str]) -> Vec<Key> {
        names
            .iter()
            .map(|n| (kind, ast::Ref::Ident((*n).to_string())))
            .collect()
    }

    #[test]
    fn names_come_from_the_members() {
        let g = TargetKind::Group;
        assert_eq!(
            base_name(&keys(
                g,
                &["ExcludedGroup1", "ExcludedGroup2", "ExcludedGroup3"]
            )),
            "ExcludedGroup1To3"
        );
        assert_eq!(
            base_name(&keys(
                TargetKind::Platform,
                &["android", "ios", "windows", "macos"]
            )),
            "AndroidIosWindowsMacos"
        );
        assert_eq!(
            base_name(&keys(
                TargetKind::Role,
                &[
                    "GlobalAdministrator",
                    "SecurityAdministrator",
                    "ExchangeAdministrator"
                ]
            )),
            "GlobalAdministratorAnd2More"
        );
        assert_eq!(
            base_name(&keys(
                g,
                &["FinanceTeamLondon", "FinanceTeamParis", "FinanceTeamBerlin"]
            )),
            "FinanceTeams"
        );
        let quoted = vec![
            (g, ast::Ref::Quoted("PIM Admins".into())),
            (g, ast::Ref::Quoted("break-glass".into())),
        ];
        assert_eq!(base_name(&quoted), "PimAdminsBreakGlass");
        let guids = vec![
            (
                g,
                ast::Ref::Guid("0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11".into()),
            ),
            (
                g,
                ast::Ref::Guid("0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d12".into()),
            ),
        ];
        assert_eq!(base_name(&guids), "Groups");
        let mut taken = HashSet::new();
        assert_eq!(unique("Groups", &mut taken), "Groups");
        assert_eq!(unique("Groups", &mut taken), "Groups2");
        assert_eq!(unique("Groups", &mut taken), "Groups3");
    }
}
