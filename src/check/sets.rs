//! Named sets: `set NAME = …` declarations in, list items with every `set NAME` spliced out.
//!
//! [`Sets::new`] collects the declarations of every file; [`Sets::check`] reports what is wrong
//! with the declarations themselves (`E0700` declared twice, `E0701` an unknown set inside a set,
//! `E0702` a cycle). [`Sets::expand`] turns a list as written into the list the checker lowers,
//! the items of each set in its place, and returns the [`Origins`] of the spliced items so that a
//! diagnostic about an item is located at the item *and* at every use that brought it there
//! ([`Origins::annotate`]). The items themselves are checked where they are used, like items
//! written out: `for set CoreApps` puts apps in an assignment, a set of locations in `for` is
//! `E0108`.
//!
//! Any list of items can go through here: policy clauses, scenario facts (`member-of set Admins`)
//! and assertion facts.

use crate::ast::{self, Clause, Fact, Item, Target, TargetKind, TargetValue};
use crate::diag::{Diagnostic, Diagnostics, did_you_mean, suggestion_text};
use crate::source::{Span, Spanned};
use std::collections::{BTreeMap, BTreeSet};

/// Every set declared in the files compiled together.
#[derive(Debug, Default)]
pub struct Sets<'f> {
    /// By name, the first declaration of each.
    defs: BTreeMap<String, &'f ast::SetDecl>,
    /// Later declarations of a taken name (reported by [`Sets::check`]).
    again: Vec<&'f ast::SetDecl>,
    /// Sets on a cycle: never expanded (the cycle is reported once, at the declarations).
    cyclic: BTreeSet<String>,
}

/// One use of a set: `set Admins` at `span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    pub name: String,
    pub span: Span,
}

/// Where a spliced item came from: the item's own span, and the uses that brought it (the
/// outermost first: the use in the clause, then the `set` items inside sets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub item: Span,
    pub via: Vec<Use>,
}

/// The origins of every item that a set brought into a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pub items: Vec<Origin>,
}

/// A list with its sets spliced out.
#[derive(Clone, Debug, Default)]
pub struct Expanded {
    pub targets: Vec<Target>,
    pub origins: Origins,
}

impl<'f> Sets<'f> {
    /// Collect the declarations. Reports nothing: call [`Sets::check`] once per compilation.
    pub fn new(files: &'f [ast::File]) -> Sets<'f> {
        let mut sets = Sets::default();
        for file in files {
            for item in &file.items {
                let Item::Set(s) = item else { continue };
                let name = s.name.text().to_string();
                match sets.defs.entry(name) {
                    std::collections::btree_map::Entry::Occupied(_) => sets.again.push(s),
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(s);
                    }
                }
            }
        }
        sets.cyclic = sets.find_cycles(None);
        sets
    }

    /// Whether any set is declared.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The declaration of a set, by name.
    pub fn get(&self, name: &str) -> Option<&'f ast::SetDecl> {
        self.defs.get(name).copied()
    }

    /// Report the problems of the declarations: duplicates, unknown sets inside sets, cycles.
    pub fn check(&self, diags: &mut Diagnostics) {
        for s in &self.again {
            let name = s.name.text();
            let mut d = Diagnostic::new("E0700", format!("set `{name}` is declared twice"))
                .at(s.name.span, "declared again here")
                .help(
                    "keep one declaration; a set may list another set (`set All = set A, set B`)",
                );
            if let Some(first) = self.defs.get(name) {
                d = d.also(first.name.span, "first declared here");
            }
            diags.push(d);
        }
        for s in self.defs.values() {
            for t in &s.items {
                if t.kind.node != TargetKind::Set {
                    continue;
                }
                match &t.value {
                    TargetValue::Ref(r) if !self.defs.contains_key(r.text()) => {
                        diags.push(self.unknown(r.text(), r.span));
                    }
                    TargetValue::Ref(_) => {}
                    _ => diags.push(no_name(t)),
                }
            }
        }
        self.find_cycles(Some(diags));
    }

    /// Splice the sets of `list` out. An unknown set, or `set` without a name, is reported here
    /// (the sets of a set that is on a cycle are left out: the cycle is reported by `check`).
    pub fn expand(&self, list: &[Target], diags: &mut Diagnostics) -> Expanded {
        let mut out = Expanded::default();
        let mut via = Vec::new();
        for t in list {
            self.splice(t, &mut via, &mut out, diags);
        }
        out
    }

    /// Whether a list names any set (lists without one need no expansion).
    pub fn names_a_set(list: &[Target]) -> bool {
        list.iter().any(|t| t.kind.node == TargetKind::Set)
    }

    /// A policy with the sets of its `for`, `exclude` and `when` lists spliced out.
    pub fn expand_policy(
        &self,
        p: &ast::Policy,
        diags: &mut Diagnostics,
    ) -> (ast::Policy, Origins) {
        let mut origins = Origins::default();
        let mut clauses = Vec::with_capacity(p.clauses.len());
        for c in &p.clauses {
            let node = match &c.node {
                Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts)
                    if Sets::names_a_set(ts) =>
                {
                    let e = self.expand(ts, diags);
                    origins.extend(e.origins);
                    match &c.node {
                        Clause::For(_) => Clause::For(e.targets),
                        Clause::Exclude(_) => Clause::Exclude(e.targets),
                        _ => Clause::When(e.targets),
                    }
                }
                other => other.clone(),
            };
            clauses.push(Spanned::new(node, c.span));
        }
        let policy = ast::Policy {
            name: p.name.clone(),
            clauses,
            span: p.span,
        };
        (policy, origins)
    }

    /// A scenario with the sets of its `member-of` lists spliced out; a `set` standing as a
    /// fact of its own is `E0705`.
    pub fn expand_scenario(
        &self,
        s: &ast::Scenario,
        diags: &mut Diagnostics,
    ) -> (ast::Scenario, Origins) {
        let mut origins = Origins::default();
        let mut facts = Vec::with_capacity(s.facts.len());
        for f in &s.facts {
            let node = match &f.node {
                Fact::MemberOf(ts) if Sets::names_a_set(ts) => {
                    let e = self.expand(ts, diags);
                    origins.extend(e.origins);
                    Fact::MemberOf(e.targets)
                }
                Fact::Simple { kind, .. } if kind.node == TargetKind::Set => {
                    diags.push(
                        Diagnostic::new(
                            "E0705",
                            "a set stands in a list of memberships, not as a fact of its own",
                        )
                        .at(f.span, "not a sign-in fact")
                        .help("write `member-of set NAME` for the groups and roles of a set"),
                    );
                    continue;
                }
                other => other.clone(),
            };
            facts.push(Spanned::new(node, f.span));
        }
        let scenario = ast::Scenario {
            name: s.name.clone(),
            facts,
            span: s.span,
        };
        (scenario, origins)
    }

    fn splice(&self, t: &Target, via: &mut Vec<Use>, out: &mut Expanded, diags: &mut Diagnostics) {
        if t.kind.node != TargetKind::Set {
            out.targets.push(t.clone());
            if !via.is_empty() {
                out.origins.items.push(Origin {
                    item: t.span,
                    via: via.clone(),
                });
            }
            return;
        }
        let TargetValue::Ref(r) = &t.value else {
            // Inside a set this was reported by `check`.
            if via.is_empty() {
                diags.push(no_name(t));
            }
            return;
        };
        let name = r.text();
        let Some(def) = self.defs.get(name) else {
            if via.is_empty() {
                diags.push(self.unknown(name, r.span));
            }
            return;
        };
        if self.cyclic.contains(name) || via.iter().any(|u| u.name == name) {
            return;
        }
        via.push(Use {
            name: name.to_string(),
            span: t.span,
        });
        for item in &def.items {
            self.splice(item, via, out, diags);
        }
        via.pop();
    }

    fn unknown(&self, name: &str, span: Span) -> Diagnostic {
        let found = did_you_mean(name, self.defs.keys().map(String::as_str));
        let how = format!("declare it: `set {name} = group …, role …`");
        let d = Diagnostic::new("E0701", format!("unknown set `{name}`"))
            .at(span, "no set of this name is declared");
        match suggestion_text(&found) {
            Some(s) => d.help(format!("{s} otherwise {how}")),
            None => d.help(how),
        }
    }

    /// The sets that lie on a cycle; with `diags`, each cycle is reported once, at the `set`
    /// item that closes it, with every other step of the cycle shown.
    fn find_cycles(&self, mut diags: Option<&mut Diagnostics>) -> BTreeSet<String> {
        let mut cyclic = BTreeSet::new();
        // Depth-first search; `path` holds (set name, the `set` item taken out of it).
        let mut done: BTreeSet<&str> = BTreeSet::new();
        for start in self.defs.keys() {
            let mut path: Vec<(&str, Span)> = Vec::new();
            self.visit(start, &mut path, &mut done, &mut cyclic, &mut diags);
        }
        cyclic
    }

    fn visit<'s>(
        &'s self,
        name: &'s str,
        path: &mut Vec<(&'s str, Span)>,
        done: &mut BTreeSet<&'s str>,
        cyclic: &mut BTreeSet<String>,
        diags: &mut Option<&mut Diagnostics>,
    ) {
        if done.contains(name) {
            return;
        }
        let Some(def) = self.defs.get(name) else {
            return;
        };
        for t in &def.items {
            let (TargetKind::Set, TargetValue::Ref(r)) = (t.kind.node, &t.value) else {
                continue;
            };
            let next = r.text();
            let Some((next_key, _)) = self.defs.get_key_value(next) else {
                continue;
            };
            if let Some(at) = path.iter().position(|(n, _)| *n == next) {
                // path[at..] plus this item is the cycle.
                let mut members: Vec<&str> = path[at..].iter().map(|(n, _)| *n).collect();
                members.push(name);
                members.dedup();
                cyclic.extend(members.iter().map(|m| m.to_string()));
                if let Some(d) = diags.as_deref_mut() {
                    d.push(cycle(&members, next, t.span, &path[at..]));
                }
                continue;
            }
            if next == name {
                cyclic.insert(name.to_string());
                if let Some(d) = diags.as_deref_mut() {
                    d.push(cycle(&[name], next, t.span, &[]));
                }
                continue;
            }
            path.push((name, t.span));
            self.visit(next_key, path, done, cyclic, diags);
            path.pop();
        }
        done.insert(name);
    }
}

fn cycle(members: &[&str], closes: &str, at: Span, steps: &[(&str, Span)]) -> Diagnostic {
    let message = match members {
        [one] => format!("set `{one}` contains itself"),
        _ => {
            let names: Vec<String> = members.iter().map(|m| format!("`{m}`")).collect();
            format!("sets {} contain each other", names.join(", "))
        }
    };
    let mut d = Diagnostic::new("E0702", message)
        .at(at, format!("`set {closes}` here closes the cycle"))
        .help("a set may list other sets, but never itself, not even through another set: remove one of these items")
        .note("a set is spliced into the lists that use it; a cycle would never end");
    for (owner, span) in steps {
        d = d.also(*span, format!("taken from set `{owner}` here"));
    }
    d
}

fn no_name(t: &Target) -> Diagnostic {
    Diagnostic::new("E0705", "`set` needs the name of a set")
        .at(t.span, "no set named here")
        .help("write `set NAME`, for a set declared as `set NAME = group …, role …`")
}

impl Origins {
    /// Locate the diagnostics pushed since `since` also at the uses of the sets they came
    /// through: a diagnostic whose primary label lies in a spliced item gets a label at each
    /// `set NAME` that brought the item into the list.
    pub fn annotate(&self, diags: &mut Diagnostics, since: usize) {
        if self.items.is_empty() {
            return;
        }
        for d in diags.items.iter_mut().skip(since) {
            let Some(primary) = d.primary.as_ref().map(|l| l.span) else {
                continue;
            };
            for o in &self.items {
                if !within(primary, o.item) {
                    continue;
                }
                for (k, u) in o.via.iter().enumerate() {
                    let label = if k == 0 {
                        format!("`set {}` brings this item here", u.name)
                    } else {
                        format!("through `set {}` here", u.name)
                    };
                    if !d.secondary.iter().any(|l| l.span == u.span) {
                        d.secondary.push(crate::diag::Label {
                            span: u.span,
                            message: label,
                        });
                    }
                }
            }
        }
    }

    pub fn extend(&mut self, other: Origins) {
        self.items.extend(other.items);
    }
}

/// Whether `inner` lies inside `outer` (same file).
pub fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && inner.start >= outer.start && inner.end <= outer.end
}
