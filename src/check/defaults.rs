//! The `defaults` block: its clauses in, each policy with the defaults it receives merged in out.
//!
//! List clauses (`for`, `exclude`, `when`) add up with the policy's own; a single-valued clause
//! of the policy (its grant, `mode`, `description`, each session control by name) wins over the
//! default; `ignore defaults` opts a policy out of every default. A project has at most one
//! block (`E0703`); `ignore defaults` inside the block is `E0704`; `ignore defaults` in a project
//! without defaults is `W0700`.
//!
//! Diagnostics about a clause that came from `defaults` are located at the default. The same
//! problem found in several policies is reported once, naming every policy it concerns
//! ([`FromDefaults`]).

use crate::ast::{self, Clause, Item};
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{Span, Spanned};
use std::collections::BTreeMap;

/// The project's `defaults` block, if it has one. Reports extra blocks and misplaced
/// `ignore defaults`.
pub fn find<'f>(files: &'f [ast::File], diags: &mut Diagnostics) -> Option<&'f ast::Defaults> {
    let mut first: Option<&ast::Defaults> = None;
    for file in files {
        for item in &file.items {
            let Item::Defaults(d) = item else { continue };
            for c in &d.clauses {
                if matches!(c.node, Clause::IgnoreDefaults) {
                    diags.push(
                        Diagnostic::new("E0704", "`ignore defaults` inside the `defaults` block")
                            .at(c.span, "a default cannot opt out of the defaults")
                            .also(d.header, "the `defaults` block")
                            .help("write `ignore defaults` in a policy that should receive none of the defaults"),
                    );
                }
            }
            match first {
                None => first = Some(d),
                Some(f) => diags.push(
                    Diagnostic::new("E0703", "a project has one `defaults` block")
                        .at(d.header, "a second `defaults` block")
                        .also(f.header, "the first one is here")
                        .help("move these clauses into the first `defaults` block")
                        .note("every policy of the project receives the defaults, whichever file they stand in; one block keeps them in one place"),
                ),
            }
        }
    }
    first
}

/// `W0700` for each `ignore defaults` when the project has no `defaults` block.
pub fn check_ignored(
    files: &[ast::File],
    defaults: Option<&ast::Defaults>,
    diags: &mut Diagnostics,
) {
    if defaults.is_some() {
        return;
    }
    for file in files {
        for item in &file.items {
            let Item::Policy(p) = item else { continue };
            for c in &p.clauses {
                if matches!(c.node, Clause::IgnoreDefaults) {
                    diags.push(
                        Diagnostic::new("W0700", "`ignore defaults`, but the project has no `defaults` block")
                            .at(c.span, "there is nothing to ignore")
                            .help("remove `ignore defaults`, or add a `defaults` block for the other policies"),
                    );
                }
            }
        }
    }
}

/// Whether a policy opts out of the defaults.
pub fn ignores(p: &ast::Policy) -> bool {
    p.clauses
        .iter()
        .any(|c| matches!(c.node, Clause::IgnoreDefaults))
}

/// The policy as the checker lowers it: its own clauses (without `ignore defaults`), then the
/// defaults it receives.
pub fn apply(defaults: Option<&ast::Defaults>, p: &ast::Policy) -> ast::Policy {
    let mut clauses: Vec<Spanned<Clause>> = p
        .clauses
        .iter()
        .filter(|c| !matches!(c.node, Clause::IgnoreDefaults))
        .cloned()
        .collect();
    let Some(d) = defaults.filter(|_| !ignores(p)) else {
        return ast::Policy {
            name: p.name.clone(),
            clauses,
            span: p.span,
        };
    };
    let has = |f: fn(&Clause) -> bool| p.clauses.iter().any(|c| f(&c.node));
    let own_grant = has(|c| matches!(c, Clause::Block | Clause::Require(_)));
    let own_mode = has(|c| matches!(c, Clause::Mode(_)));
    let own_description = has(|c| matches!(c, Clause::Description(_)));
    let own_allow = has(|c| matches!(c, Clause::Allow { .. }));
    let own_session: Vec<&str> = p
        .clauses
        .iter()
        .filter_map(|c| match &c.node {
            Clause::Session(items) => Some(items.iter().map(|i| i.name.node.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    for c in &d.clauses {
        let received = match &c.node {
            Clause::For(_) | Clause::Exclude(_) | Clause::When(_) => Some(c.node.clone()),
            Clause::Block | Clause::Require(_) => (!own_grant).then(|| c.node.clone()),
            Clause::Mode(_) => (!own_mode).then(|| c.node.clone()),
            Clause::Description(_) => (!own_description).then(|| c.node.clone()),
            // Single-valued, like `mode`; on a policy that excludes someone it warns (W0020).
            Clause::Allow { .. } => (!own_allow).then(|| c.node.clone()),
            Clause::Session(items) => {
                let left: Vec<ast::SessionItem> = items
                    .iter()
                    .filter(|i| !own_session.contains(&i.name.node.as_str()))
                    .cloned()
                    .collect();
                (!left.is_empty()).then_some(Clause::Session(left))
            }
            Clause::IgnoreDefaults => None,
        };
        if let Some(node) = received {
            clauses.push(Spanned::new(node, c.span));
        }
    }
    ast::Policy {
        name: p.name.clone(),
        clauses,
        span: p.span,
    }
}

/// Diagnostics located in a shared place (the `defaults` block, a set declaration), gathered
/// over every policy and scenario so that the same problem is reported once, naming each policy
/// it concerns.
#[derive(Debug, Default)]
pub struct Shared {
    block: Option<Span>,
    sets: Vec<Span>,
    found: BTreeMap<Key, (Diagnostic, Vec<(String, Span)>)>,
    order: Vec<Key>,
}

type Key = (String, &'static str, usize, usize);

impl Shared {
    pub fn new(defaults: Option<&ast::Defaults>, files: &[ast::File]) -> Shared {
        let sets = files
            .iter()
            .flat_map(|f| f.items.iter())
            .filter_map(|i| match i {
                Item::Set(s) => Some(s.span),
                _ => None,
            })
            .collect();
        Shared {
            block: defaults.map(|d| d.span),
            sets,
            ..Shared::default()
        }
    }

    /// Take the diagnostics pushed since `since` whose primary label lies in the `defaults`
    /// block or in a set declaration out of `diags`. `owner` (such as policy `A`, whose header is at
    /// `header`) is what they were found in.
    pub fn take(&mut self, diags: &mut Diagnostics, since: usize, owner: &str, header: Span) {
        if self.block.is_none() && self.sets.is_empty() {
            return;
        }
        let mut k = since;
        while k < diags.items.len() {
            let at = diags.items[k].primary.as_ref().map(|l| l.span);
            let shared = at.is_some_and(|at| {
                self.block.is_some_and(|b| super::sets::within(at, b))
                    || self.sets.iter().any(|s| super::sets::within(at, *s))
            });
            let Some(at) = at.filter(|_| shared) else {
                k += 1;
                continue;
            };
            let d = diags.items.remove(k);
            let key = (d.message.clone(), d.code, at.start, at.end);
            let entry = self.found.entry(key.clone()).or_insert_with(|| {
                self.order.push(key);
                (d, Vec::new())
            });
            if !entry.1.iter().any(|(n, _)| n == owner) {
                entry.1.push((owner.to_string(), header));
            }
        }
    }

    /// Push the gathered diagnostics, each naming what received the default or the set item.
    pub fn finish(self, diags: &mut Diagnostics) {
        let Shared {
            mut found,
            order,
            block,
            ..
        } = self;
        for key in order {
            let Some((mut d, owners)) = found.remove(&key) else {
                continue;
            };
            let names: Vec<&str> = owners.iter().map(|(n, _)| n.as_str()).collect();
            let shown = match names.len() {
                0..=5 => names.join(", "),
                n => format!("{} and {} more", names[..4].join(", "), n - 4),
            };
            let in_defaults = block.is_some_and(|b| {
                d.primary
                    .as_ref()
                    .is_some_and(|l| super::sets::within(l.span, b))
            });
            if in_defaults {
                if let Some((name, header)) = owners.first() {
                    d = d.also(*header, format!("{name} receives this default"));
                }
                let receivers = match owners.len() {
                    0 => "no policy receives it".to_string(),
                    1 => format!("{shown} receives it"),
                    _ => format!("{shown} receive it"),
                };
                d = d.note(format!(
                    "this clause comes from `defaults`; {receivers} (`ignore defaults` in a policy opts it out)"
                ));
            } else if owners.len() > 1 {
                d = d.note(format!("this set item reaches {shown}"));
            }
            diags.push(d);
        }
    }
}
