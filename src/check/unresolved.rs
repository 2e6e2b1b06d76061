//! The names `capol resolve` looks up in the tenant: every reference that neither a declaration
//! nor a built-in catalogue answers.
//!
//! In: the parsed files. Out: [`Unresolved`] names, one per (kind, name), sorted, each with the
//! places it is used. The lock file is not consulted: `resolve` looks every such name up again,
//! so an object that was re-created under the same name gets its new id.

use super::names::Names;
use crate::ast::{self, Clause, Control, Expect, Fact, Item, Ref, Target, TargetKind, TargetValue};
use crate::diag::Diagnostics;
use crate::source::{Span, Spanned};
use crate::symbols::Kind;
use std::collections::BTreeMap;

/// The kinds `capol resolve` looks up. Roles and authentication contexts are not among them: the
/// built-in catalogue holds every role template, and a context is `c1` … `c99` or declared.
pub const RESOLVED_KINDS: [Kind; 7] = [
    Kind::User,
    Kind::Group,
    Kind::App,
    Kind::ServicePrincipal,
    Kind::Location,
    Kind::Terms,
    Kind::Strength,
];

/// A name the tenant has to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub kind: Kind,
    /// As written: an identifier, the text of a quoted name, or a UPN.
    pub name: String,
    /// Where it is used, in source order.
    pub spans: Vec<Span>,
}

/// Every name of [`RESOLVED_KINDS`] that the sources use and that neither a declaration nor a
/// built-in catalogue answers, and every UPN (in references, in `user X = alice@…`
/// declarations and in `emergency` lines). Keywords that look like names (`None`, `Office365`,
/// `location any`, …) are left out, and so are GUIDs and a scenario's user and service principal
/// (a scenario may describe an account that does not exist); the groups, apps, locations,
/// strengths and terms a scenario names are in.
pub fn unresolved_names(files: &[ast::File]) -> Vec<Unresolved> {
    let mut ignored = Diagnostics::new();
    let names = Names::new(files, None, &mut ignored);
    let mut walk = Walk {
        names: &names,
        found: BTreeMap::new(),
    };
    for file in files {
        for item in &file.items {
            match item {
                Item::Declaration(d) => {
                    if let (Kind::User, Ref::Upn(upn)) = (d.kind.node, &d.value.node) {
                        walk.add(Kind::User, upn, d.value.span);
                    }
                }
                Item::Emergency(e) => {
                    if matches!(e.kind.node, Kind::User | Kind::Group) {
                        for p in &e.principals {
                            walk.reference(e.kind.node, p);
                        }
                    }
                }
                // A set's items are looked up whether or not the set is used yet.
                Item::Set(s) => walk.targets(&s.items),
                Item::Policy(ast::Policy { clauses, .. })
                | Item::Defaults(ast::Defaults { clauses, .. }) => {
                    for clause in clauses {
                        match &clause.node {
                            Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) => {
                                walk.targets(ts)
                            }
                            Clause::Require(g) => walk.grant(g),
                            _ => {}
                        }
                    }
                }
                Item::Scenario(sc) | Item::Assert(sc) => {
                    for fact in &sc.facts {
                        match &fact.node {
                            Fact::MemberOf(ts) | Fact::NotMemberOf(ts) => walk.targets(ts),
                            Fact::Simple { kind, values }
                                if kind.node != TargetKind::ServicePrincipal =>
                            {
                                let ts: Vec<Target> = values
                                    .iter()
                                    .map(|v| Target {
                                        kind: kind.clone(),
                                        kind_written: true,
                                        value: TargetValue::Ref(v.clone()),
                                        span: v.span,
                                    })
                                    .collect();
                                walk.targets(&ts);
                            }
                            Fact::Expect(Expect::Require(g)) => walk.grant(g),
                            Fact::Did { what, values } if what.node == "terms-accepted" => {
                                for v in values {
                                    walk.reference(Kind::Terms, v);
                                }
                            }
                            // A scenario's user and service principal need not exist.
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    walk.found
        .into_iter()
        .map(|((kind, name), spans)| Unresolved { kind, name, spans })
        .collect()
}

struct Walk<'n, 'l> {
    names: &'n Names<'l>,
    found: BTreeMap<(Kind, String), Vec<Span>>,
}

impl Walk<'_, '_> {
    fn add(&mut self, kind: Kind, name: &str, span: Span) {
        self.found
            .entry((kind, name.to_string()))
            .or_default()
            .push(span);
    }

    fn targets(&mut self, ts: &[Target]) {
        for t in ts {
            let TargetValue::Ref(r) = &t.value else {
                continue;
            };
            let Some(kind) = t.kind.node.object_kind() else {
                continue;
            };
            if !RESOLVED_KINDS.contains(&kind) || r.node.ident().is_some_and(|w| keyword(kind, w)) {
                continue;
            }
            self.reference(kind, r);
        }
    }

    fn grant(&mut self, g: &ast::GrantExpr) {
        for c in &g.controls {
            match &c.node {
                Control::Strength(r) => self.reference(Kind::Strength, r),
                Control::Terms(r) => self.reference(Kind::Terms, r),
                Control::Builtin(_) => {}
            }
        }
    }

    fn reference(&mut self, kind: Kind, r: &Spanned<Ref>) {
        // `"Office 365"`: the portal's spelling of an app-group keyword.
        if kind == Kind::App && crate::check::names::app_group(&r.node).is_some() {
            return;
        }
        match &r.node {
            // A UPN of another kind is an error the checker reports (E0101).
            Ref::Upn(upn) if kind == Kind::User => self.add(kind, upn, r.span),
            Ref::Ident(name) | Ref::Quoted(name)
                if !self.names.answered_without_lock(kind, name) =>
            {
                self.add(kind, name, r.span)
            }
            _ => {}
        }
    }
}

/// Words the checker reads as keywords before it looks a name up (see `lower`).
fn keyword(kind: Kind, word: &str) -> bool {
    match kind {
        Kind::User => matches!(word, "None" | "GuestsOrExternalUsers" | "AllAgentIdUsers"),
        Kind::App => matches!(
            word,
            "None" | "Office365" | "MicrosoftAdminPortals" | "AllAgentIdResources"
        ),
        Kind::Location => matches!(word, "any" | "trusted" | "untrusted"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Options;
    use crate::driver::compile_str;

    fn names(text: &str) -> Vec<(Kind, String)> {
        let c = compile_str(&[("a.capol", text)], None, &Options::default());
        unresolved_names(&c.files)
            .into_iter()
            .map(|u| (u.kind, u.name))
            .collect()
    }

    #[test]
    fn finds_every_name_the_tenant_must_answer() {
        let got = names(
            r#"
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
user Alice = alice@contoso.com
emergency group BreakGlass, "Second Glass"
emergency user bg@contoso.com

policy "A"
    for group Finance, "Sales Team", user bob@contoso.com, Alice, None
    for app AzureServiceManagement, HRPortal, Office365
    exclude group BreakGlass
    exclude role GlobalAdministrator
    when location HQ, any
    exclude location trusted
    require terms ContosoToU and strength ContosoFido and mfa
    mode on

policy "B"
    for service-principal Pipeline
    for all apps
    exclude group Finance
    exclude user 7c1e9a2b-3d4f-4a5b-8c6d-9e0f1a2b3c4d
    when location "EU countries"
    require strength phishing-resistant-mfa
"#,
        );
        let want: Vec<(Kind, String)> = vec![
            (Kind::App, "HRPortal".into()),
            (Kind::Group, "Finance".into()),
            (Kind::Group, "Sales Team".into()),
            (Kind::Group, "Second Glass".into()),
            (Kind::Location, "EU countries".into()),
            (Kind::Location, "HQ".into()),
            (Kind::ServicePrincipal, "Pipeline".into()),
            (Kind::Strength, "ContosoFido".into()),
            (Kind::Terms, "ContosoToU".into()),
            (Kind::User, "alice@contoso.com".into()),
            (Kind::User, "bg@contoso.com".into()),
            (Kind::User, "bob@contoso.com".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn scenarios_name_groups_apps_and_locations_but_not_their_accounts() {
        let got = names(
            r#"
policy "A" for all users for all apps exclude group BreakGlass require mfa
scenario "outside"
    user carol@contoso.com member-of group Finance, role GlobalAdministrator
    service-principal Robot
    app HRPortal
    location Lab
    expect require strength ContosoFido
scenario "untrusted"
    user Dave
    location untrusted
    expect block
"#,
        );
        let want: Vec<(Kind, String)> = vec![
            (Kind::App, "HRPortal".into()),
            (Kind::Group, "BreakGlass".into()),
            (Kind::Group, "Finance".into()),
            (Kind::Location, "Lab".into()),
            (Kind::Strength, "ContosoFido".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn keeps_every_use_and_skips_roles_and_contexts() {
        let c = compile_str(
            &[(
                "a.capol",
                r#"
policy "A"
    for group Finance, role CustomRole, context Payroll
    for all apps
    block
policy "B"
    for group Finance
    for context c3
    require mfa
"#,
            )],
            None,
            &Options::default(),
        );
        let got = unresolved_names(&c.files);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(
            (got[0].kind, got[0].name.as_str()),
            (Kind::Group, "Finance")
        );
        assert_eq!(got[0].spans.len(), 2);
        let text = &c.sources.get(got[0].spans[0].file).unwrap().text;
        assert_eq!(&text[got[0].spans[0].start..got[0].spans[0].end], "Finance");
    }

    #[test]
    fn portal_spellings_are_built_in_not_looked_up() {
        let got = names(
            "require mfa for app \"Azure Resource Manager\", \"Office 365\", \"microsoft admin portals\", \"HR Portal\" mode report-only\n\
             scenario \"s\"\n  user 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n  app \"Exchange Online\"\n  expect allow\n",
        );
        assert_eq!(got, [(Kind::App, "HR Portal".to_string())]);
    }

    #[test]
    fn nothing_when_everything_is_declared_or_built_in() {
        assert!(
            names(
                "group G = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
                 policy \"A\" for group G for app ExchangeOnline require strength mfa"
            )
            .is_empty()
        );
    }
}
