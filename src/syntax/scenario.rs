//! Visitors for `scenario` blocks: sign-in facts and expectations.

use super::cursor::Cursor;
use super::{Rule, Visitor};
use crate::ast::{Expect, Fact, Scenario, TargetKind};
use crate::source::Spanned;
use pest::iterators::Pair;

impl Visitor<'_> {
    pub(super) fn visit_scenario(&mut self, pair: Pair<Rule>) -> Option<Scenario> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.take(Rule::kw_scenario);
        let name = self.visit_string(c.next(Rule::string)?);
        let facts = self.visit_facts(c.rest(), false);
        Some(Scenario { name, facts, span })
    }

    /// `assert "NAME"` and its facts.
    pub(super) fn visit_assert(&mut self, pair: Pair<Rule>) -> Option<Scenario> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.take(Rule::kw_assert);
        let name = self.visit_string(c.next(Rule::string)?);
        let facts = self.visit_facts(c.rest(), true);
        Some(Scenario { name, facts, span })
    }

    /// The facts of a scenario, or of an assert (`many`: a fact may list several values).
    fn visit_facts<'i>(
        &mut self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
        many: bool,
    ) -> Vec<Spanned<Fact>> {
        let mut facts = Vec::new();
        for fact in pairs {
            let fspan = self.span(&fact);
            let rule = fact.as_rule();
            let mut fc = Cursor::new(fact);
            match rule {
                Rule::user_fact => {
                    fc.take(Rule::kw_user);
                    let Some(v) = fc.next_any() else { continue };
                    let user = self.visit_ref(v);
                    facts.push(Spanned::new(Fact::User(user), fspan));
                    fc.take(Rule::kw_member_of);
                    if let Some(list) = fc.next(Rule::target_list) {
                        let lspan = self.span(&list);
                        facts.push(Spanned::new(
                            Fact::MemberOf(self.visit_target_list(list)),
                            lspan,
                        ));
                    }
                }
                Rule::member_of_fact => {
                    fc.take(Rule::kw_member_of);
                    let Some(list) = fc.next(Rule::target_list) else {
                        continue;
                    };
                    facts.push(Spanned::new(
                        Fact::MemberOf(self.visit_target_list(list)),
                        fspan,
                    ));
                }
                Rule::device_fact | Rule::attr_fact => {
                    let service_principal = match fc.next_any() {
                        Some(k) if k.as_rule() == Rule::attr_kw => {
                            Some(k.as_str().starts_with("service-principal"))
                        }
                        _ => None,
                    };
                    let mut attrs = Vec::new();
                    for attr in fc.rest() {
                        let mut ac = Cursor::new(attr);
                        let (Some(k), Some(v)) = (ac.next(Rule::word), ac.next_any()) else {
                            continue;
                        };
                        let key = Spanned::new(k.as_str().to_string(), self.span(&k));
                        attrs.push((key, self.visit_ref(v)));
                    }
                    let fact = match service_principal {
                        Some(service_principal) => Fact::Attributes {
                            service_principal,
                            attrs,
                        },
                        None => Fact::Device(attrs),
                    };
                    facts.push(Spanned::new(fact, fspan));
                }
                Rule::simple_fact => {
                    let Some(k) = fc.next(Rule::kind_word) else {
                        continue;
                    };
                    let kspan = self.span(&k);
                    let Some(kind) = TargetKind::from_word(k.as_str()) else {
                        continue;
                    };
                    let values: Vec<_> = fc
                        .rest()
                        .filter_map(|v| match v.as_rule() {
                            Rule::tenant_value => Cursor::new(v).find_value(),
                            _ => Some(v),
                        })
                        .map(|v| self.visit_ref(v))
                        .collect();
                    let fact = if kind == TargetKind::User && !many {
                        if let [_, second, ..] = values.as_slice() {
                            self.diags.push(
                                crate::diag::Diagnostic::new("E0500", "a sign-in has one user")
                                    .at(second.span, "a second user")
                                    .help("write a second scenario for the other user"),
                            );
                        }
                        match values.into_iter().next() {
                            Some(v) => Fact::User(v),
                            None => continue,
                        }
                    } else {
                        Fact::Simple {
                            kind: Spanned::new(kind, kspan),
                            values,
                        }
                    };
                    facts.push(Spanned::new(fact, fspan));
                }
                Rule::expect_not_block => {
                    facts.push(Spanned::new(Fact::Expect(Expect::NotBlock), fspan));
                }
                Rule::not_member_of_fact => {
                    fc.take(Rule::kw_not);
                    fc.take(Rule::kw_member_of);
                    if let Some(list) = fc.next(Rule::target_list) {
                        facts.push(Spanned::new(
                            Fact::NotMemberOf(self.visit_target_list(list)),
                            fspan,
                        ));
                    }
                }
                Rule::member_fact => facts.push(Spanned::new(Fact::Member, fspan)),
                Rule::any_other_app => facts.push(Spanned::new(Fact::AnyOtherApp, fspan)),
                Rule::expect => {
                    fc.take(Rule::kw_expect);
                    let Some(e) = fc.next_any() else { continue };
                    let espan = self.span(&e);
                    let erule = e.as_rule();
                    let mut ec = Cursor::new(e);
                    let expect = match erule {
                        Rule::expect_block => Expect::Block,
                        Rule::expect_require => {
                            ec.take(Rule::kw_require);
                            let Some(g) = ec.next(Rule::grant_expr) else {
                                continue;
                            };
                            Expect::Require(self.visit_grant_expr(g))
                        }
                        Rule::expect_session => {
                            ec.take(Rule::kw_session);
                            let Some(s) = ec.next(Rule::session_item) else {
                                continue;
                            };
                            Expect::Session(self.visit_session_item(s))
                        }
                        Rule::expect_name => {
                            let (Some(w), Some(s)) = (ec.next(Rule::word), ec.next(Rule::string))
                            else {
                                continue;
                            };
                            let name = self.visit_string(s);
                            match w.as_str() {
                                "applies" => Expect::Applies(name),
                                "skips" => Expect::Skips(name),
                                "would-apply" => Expect::WouldApply(name),
                                other => {
                                    Expect::Unknown(Spanned::new(other.to_string(), self.span(&w)))
                                }
                            }
                        }
                        _ => {
                            let text = ec
                                .rest()
                                .next()
                                .map(|w| w.as_str().to_string())
                                .unwrap_or_default();
                            match text.as_str() {
                                "allow" => Expect::Allow,
                                _ => Expect::Unknown(Spanned::new(text, espan)),
                            }
                        }
                    };
                    facts.push(Spanned::new(Fact::Expect(expect), fspan));
                }
                _ => {}
            }
        }
        facts
    }
}
