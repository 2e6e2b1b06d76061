//! Where every declared name is defined and used, for definition, references, rename and hover.
//!
//! In: the ASTs of one project. Out: an [`Index`] of [`Occurrence`]s (a name of a kind at a
//! span, definition or use). Only names are indexed: GUIDs and UPNs are ids, not names.

use crate::ast::{self, Clause, Control, Fact, Item, Ref, Target, TargetKind, TargetValue};
use crate::source::{FileId, Span, Spanned};
use crate::symbols::Kind;

/// The namespace a name lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Space {
    /// A directory object or built-in value of a kind (`group BreakGlass`).
    Object(Kind),
    /// A named list (`set Admins = …`, used as `set Admins`).
    Set,
}

impl Space {
    pub fn word(self) -> &'static str {
        match self {
            Space::Object(k) => k.keyword(),
            Space::Set => "set",
        }
    }
}

/// One written occurrence of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub space: Space,
    pub name: String,
    /// The whole written reference (quotes included).
    pub span: Span,
    pub definition: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    pub fn build(files: &[ast::File]) -> Index {
        let mut ix = Index::default();
        for f in files {
            for item in &f.items {
                ix.item(item);
            }
        }
        ix
    }

    /// The occurrence under a byte offset of a file (its end included, for a cursor just after).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.file == file && o.span.start <= offset && offset <= o.span.end)
    }

    /// Every occurrence of a name, definitions first.
    pub fn of<'a>(&'a self, space: Space, name: &'a str) -> impl Iterator<Item = &'a Occurrence> {
        let defs = self
            .occurrences
            .iter()
            .filter(move |o| o.definition && o.space == space && o.name == name);
        let uses = self
            .occurrences
            .iter()
            .filter(move |o| !o.definition && o.space == space && o.name == name);
        defs.chain(uses)
    }

    pub fn definition(&self, space: Space, name: &str) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.definition && o.space == space && o.name == name)
    }

    /// The declared names of a space, each once, in source order.
    pub fn declared(&self, space: Space) -> Vec<&Occurrence> {
        let mut out: Vec<&Occurrence> = Vec::new();
        for o in &self.occurrences {
            if o.definition && o.space == space && !out.iter().any(|p| p.name == o.name) {
                out.push(o);
            }
        }
        out
    }

    fn push(&mut self, space: Space, r: &Spanned<Ref>, definition: bool) {
        if let Ref::Ident(n) | Ref::Quoted(n) = &r.node {
            self.occurrences.push(Occurrence {
                space,
                name: n.clone(),
                span: r.span,
                definition,
            });
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Declaration(d) => self.push(Space::Object(d.kind.node), &d.name, true),
            Item::Emergency(e) => {
                for p in &e.principals {
                    self.push(Space::Object(e.kind.node), p, false);
                }
            }
            Item::Policy(p) => {
                for c in &p.clauses {
                    self.clause(c);
                }
            }
            Item::Scenario(s) | Item::Assert(s) => {
                for f in &s.facts {
                    self.fact(f);
                }
            }
            Item::Set(s) => {
                self.push(Space::Set, &s.name, true);
                self.targets(&s.items);
            }
            Item::Defaults(d) => {
                for c in &d.clauses {
                    self.clause(c);
                }
            }
        }
    }

    fn clause(&mut self, c: &Clause) {
        match c {
            Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) => self.targets(ts),
            Clause::Require(g) => self.grant(g),
            _ => {}
        }
    }

    fn targets(&mut self, ts: &[Target]) {
        for t in ts {
            let TargetValue::Ref(r) = &t.value else {
                continue;
            };
            if t.kind.node == TargetKind::Set {
                self.push(Space::Set, r, false);
            } else if let Some(k) = t.kind.node.object_kind() {
                self.push(Space::Object(k), r, false);
            }
        }
    }

    fn grant(&mut self, g: &ast::GrantExpr) {
        for c in &g.controls {
            match &c.node {
                Control::Strength(r) => self.push(Space::Object(Kind::Strength), r, false),
                Control::Terms(r) => self.push(Space::Object(Kind::Terms), r, false),
                Control::Builtin(_) => {}
            }
        }
    }

    fn fact(&mut self, f: &Fact) {
        match f {
            Fact::User(r) => self.push(Space::Object(Kind::User), r, false),
            Fact::MemberOf(ts) => self.targets(ts),
            Fact::Simple { kind, values } if kind.node == TargetKind::Set => {
                for v in values {
                    self.push(Space::Set, v, false);
                }
            }
            Fact::Simple { kind, values } => {
                if let Some(k) = kind.node.object_kind() {
                    for v in values {
                        self.push(Space::Object(k), v, false);
                    }
                }
            }
            Fact::Expect(ast::Expect::Require(g)) => self.grant(g),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn declarations_and_uses_of_one_kind() {
        let text = "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
                    emergency group BreakGlass\n\
                    policy \"P\" for all users exclude group BreakGlass, role BreakGlass\n\
                    for app \"Microsoft Graph\" require mfa\n";
        let (f, _) = parse(FileId(0), text);
        let ix = Index::build(&[f.unwrap()]);
        let g = Space::Object(Kind::Group);
        let all: Vec<(usize, bool)> = ix
            .of(g, "BreakGlass")
            .map(|o| (o.span.start, o.definition))
            .collect();
        assert_eq!(all.len(), 3);
        assert!(all[0].1 && !all[1].1 && !all[2].1);
        assert_eq!(&text[all[0].0..all[0].0 + 10], "BreakGlass");
        // The role of the same name is another symbol.
        assert_eq!(ix.of(Space::Object(Kind::Role), "BreakGlass").count(), 1);
        let app = ix
            .of(Space::Object(Kind::App), "Microsoft Graph")
            .next()
            .unwrap();
        assert_eq!(&text[app.span.start..app.span.end], "\"Microsoft Graph\"");
        let at = ix.at(FileId(0), all[1].0 + 3).unwrap();
        assert_eq!(at.name, "BreakGlass");
    }

    #[test]
    fn sets_are_a_namespace_of_their_own() {
        let text = "set Admins = role GlobalAdministrator, group Ops\n\
                    set Everyone = set Admins, group Staff\n\
                    defaults exclude set Admins\n\
                    policy \"P\" for set Everyone for all apps require mfa\n";
        let (f, d) = parse(FileId(0), text);
        assert!(!d.has_errors(), "{d:?}");
        let ix = Index::build(&[f.unwrap()]);
        let uses: Vec<bool> = ix.of(Space::Set, "Admins").map(|o| o.definition).collect();
        assert_eq!(uses, [true, false, false]);
        assert_eq!(ix.of(Space::Set, "Everyone").count(), 2);
        assert_eq!(ix.of(Space::Object(Kind::Group), "Ops").count(), 1);
    }
}
