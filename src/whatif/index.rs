//! Policies indexed by what they target, so that a sign-in meets only the policies that can apply.
//!
//! In: the prepared policies of a [`super::PolicySet`]. Out: a [`TargetIndex`] that gives, for a
//! sign-in, the positions of the policies whose target resources can include it (a superset of
//! those that apply; every other policy surely skips). Disabled policies, and report-only policies
//! on user actions, are never candidates: Entra never evaluates them.

use super::bundles;
use super::prepare::{Prepared, Resources};
use super::signin::{SignIn, Target};
use crate::graph::model::{FilterMode, PolicyState};
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct TargetIndex {
    /// Every evaluated policy (for a sign-in that names no target).
    all: Vec<usize>,
    /// App policies that can include any app: `All`, or an app filter in include mode.
    any_app: Vec<usize>,
    /// App policies by the lower-case app ids they can include (keywords expanded).
    apps: HashMap<String, Vec<usize>>,
    /// User-action and authentication-context policies by lower-case action URN or context.
    actions: HashMap<String, Vec<usize>>,
    contexts: HashMap<String, Vec<usize>>,
}

/// The app ids a policy entry of `includeApplications` can include (`None`: none).
fn entry_apps(entry: &str) -> Vec<String> {
    let members: &[(&str, &str)] = match entry {
        "None" => return Vec::new(),
        "Office365" => bundles::OFFICE_365,
        "MicrosoftAdminPortals" => bundles::ADMIN_PORTALS,
        e if e.eq_ignore_ascii_case(bundles::AZURE_MANAGEMENT) => bundles::AZURE_MANAGEMENT_MEMBERS,
        _ => &[],
    };
    let mut ids = vec![entry.to_ascii_lowercase()];
    ids.extend(members.iter().map(|(id, _)| id.to_ascii_lowercase()));
    ids
}

fn push(map: &mut HashMap<String, Vec<usize>>, key: String, i: usize) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&i) {
        list.push(i);
    }
}

impl TargetIndex {
    pub fn new(policies: &[Prepared<'_>]) -> Self {
        let mut ix = TargetIndex::default();
        for (i, p) in policies.iter().enumerate() {
            let state = p.policy.state;
            if state == PolicyState::Disabled
                || state == PolicyState::ReportOnly && p.resources == Resources::Actions
            {
                continue;
            }
            ix.all.push(i);
            let apps = &p.policy.conditions.applications;
            match p.resources {
                Resources::Actions => {
                    for a in &apps.include_user_actions {
                        push(&mut ix.actions, a.to_ascii_lowercase(), i);
                    }
                }
                Resources::Contexts => {
                    for c in &apps.include_authentication_context_class_references {
                        push(&mut ix.contexts, c.to_ascii_lowercase(), i);
                    }
                }
                Resources::Apps => {
                    let by_filter = p
                        .app_filter
                        .as_ref()
                        .is_some_and(|f| f.mode == FilterMode::Include || f.rule.is_err());
                    if by_filter || apps.include_applications.iter().any(|a| a == "All") {
                        ix.any_app.push(i);
                        continue;
                    }
                    for entry in &apps.include_applications {
                        for id in entry_apps(entry) {
                            push(&mut ix.apps, id, i);
                        }
                    }
                }
            }
        }
        ix
    }

    /// The positions, in order, of the policies whose targets can include the sign-in's.
    pub fn candidates(&self, s: &SignIn, out: &mut Vec<usize>) {
        out.clear();
        let key = |k: &str| k.to_ascii_lowercase();
        match &s.target {
            None => out.extend_from_slice(&self.all),
            Some(Target::Action(a)) => out.extend(self.actions.get(&key(a)).into_iter().flatten()),
            Some(Target::Context(c)) => {
                out.extend(self.contexts.get(&key(c)).into_iter().flatten())
            }
            Some(Target::App(id)) => {
                let listed = self.apps.get(&key(id)).map_or(&[][..], Vec::as_slice);
                merge(&self.any_app, listed, out);
            }
        }
    }
}

/// Merge two sorted lists of positions into `out`, each position once.
fn merge(a: &[usize], b: &[usize], out: &mut Vec<usize>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(*x);
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                out.push(*x);
                i += 1;
            }
            (Some(x), None) => {
                out.push(*x);
                i += 1;
            }
            (_, Some(y)) => {
                out.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_sorted_positions_once() {
        let mut out = Vec::new();
        merge(&[0, 3, 5], &[1, 3, 9], &mut out);
        assert_eq!(out, [0, 1, 3, 5, 9]);
        out.clear();
        merge(&[], &[2], &mut out);
        assert_eq!(out, [2]);
    }

    #[test]
    fn keywords_expand_to_their_members() {
        let ids = entry_apps("Office365");
        assert!(ids.contains(&"00000002-0000-0ff1-ce00-000000000000".to_string()));
        assert!(entry_apps("None").is_empty());
    }
}
