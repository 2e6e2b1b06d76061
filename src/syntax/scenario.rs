//! Visitors for `scenario` blocks: sign-in facts and expectations.
//!
//! In: `scenario` pairs and their facts. Out: AST [`Scenario`]s.

use super::cursor::{Cursor, Visit};
use super::{Rule, Visitor};
use crate::ast::{Expect, Fact, Ref, Scenario, TargetKind};
use crate::diag::Diagnostic;
use crate::source::Spanned;
use pest::iterators::Pair;

/// A `key value` attribute of a device or of custom security attributes.
type Attr = (Spanned<String>, Spanned<Ref>);

impl Visitor<'_> {
    pub(super) fn visit_scenario(&mut self, pair: Pair<Rule>) -> Visit<Scenario> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_scenario)?;
        let name = self.visit_string(c.next(Rule::string)?);
        let mut facts = Vec::new();
        while let Some(fact) = c.take_any() {
            self.visit_fact(fact, &mut facts, false)?;
        }
        Ok(Scenario { name, facts, span })
    }

    /// `assert "NAME"` and its facts: a scenario's (each may list several values), plus
    /// `not member-of`, `member`, `app any other` and `expect not block`.
    pub(super) fn visit_assert(&mut self, pair: Pair<Rule>) -> Visit<Scenario> {
        let span = self.span(&pair);
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_assert)?;
        let name = self.visit_string(c.next(Rule::string)?);
        let mut facts = Vec::new();
        while let Some(fact) = c.take_any() {
            let fspan = self.span(&fact);
            match fact.as_rule() {
                Rule::expect_not_block => {
                    facts.push(Spanned::new(Fact::Expect(Expect::NotBlock), fspan))
                }
                Rule::not_member_of_fact => {
                    let mut fc = Cursor::new(fact);
                    fc.next(Rule::kw_not)?;
                    fc.next(Rule::kw_member_of)?;
                    let list = self.visit_target_list(fc.next(Rule::target_list)?)?;
                    fc.finish()?;
                    facts.push(Spanned::new(Fact::NotMemberOf(list), fspan));
                }
                Rule::member_fact => facts.push(Spanned::new(Fact::Member, fspan)),
                Rule::any_other_app => facts.push(Spanned::new(Fact::AnyOtherApp, fspan)),
                _ => self.visit_fact(fact, &mut facts, true)?,
            }
        }
        Ok(Scenario { name, facts, span })
    }

    /// One fact of a scenario (a `user … member-of …` line gives two).
    /// `many`: an assert's fact, which may list several users.
    fn visit_fact(
        &mut self,
        fact: Pair<Rule>,
        facts: &mut Vec<Spanned<Fact>>,
        many: bool,
    ) -> Visit<()> {
        let span = self.span(&fact);
        match fact.as_rule() {
            Rule::user_fact => {
                let (user, groups) = self.visit_user_fact(fact)?;
                facts.push(Spanned::new(Fact::User(user), span));
                facts.push(groups);
            }
            Rule::member_of_fact => {
                let groups = self.visit_member_of_fact(fact)?;
                facts.push(Spanned::new(groups, span));
            }
            Rule::device_fact => {
                let attrs = self.visit_device_fact(fact)?;
                facts.push(Spanned::new(Fact::Device(attrs), span));
            }
            Rule::attr_fact => {
                let f = self.visit_attr_fact(fact)?;
                facts.push(Spanned::new(f, span));
            }
            Rule::simple_fact => {
                if let Some(f) = self.visit_simple_fact(fact, many)? {
                    facts.push(Spanned::new(f, span));
                }
            }
            Rule::did_fact | Rule::flag_fact => {
                let mut fc = Cursor::new(fact);
                let kw = fc.next_any()?;
                let what = Spanned::new(kw.as_str().to_string(), self.span(&kw));
                let mut values = Vec::new();
                while let Some(v) = fc.take_any() {
                    values.push(self.visit_ref(v));
                }
                fc.finish()?;
                facts.push(Spanned::new(Fact::Did { what, values }, span));
            }
            Rule::expect => {
                let e = self.visit_expect(fact)?;
                facts.push(Spanned::new(Fact::Expect(e), span));
            }
            _ => return Err(Cursor::unexpected(Rule::scenario, &fact)),
        }
        Ok(())
    }

    /// `user alice@contoso.com member-of group Admins`: the user, and the membership.
    fn visit_user_fact(&mut self, pair: Pair<Rule>) -> Visit<(Spanned<Ref>, Spanned<Fact>)> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_user)?;
        let user = self.visit_ref(c.next_any()?);
        c.next(Rule::kw_member_of)?;
        let list = c.next(Rule::target_list)?;
        let lspan = self.span(&list);
        let groups = Fact::MemberOf(self.visit_target_list(list)?);
        c.finish()?;
        Ok((user, Spanned::new(groups, lspan)))
    }

    /// `member-of group Admins, role GlobalAdministrator`.
    fn visit_member_of_fact(&mut self, pair: Pair<Rule>) -> Visit<Fact> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_member_of)?;
        let list = self.visit_target_list(c.next(Rule::target_list)?)?;
        c.finish()?;
        Ok(Fact::MemberOf(list))
    }

    /// `device compliant true, trust-type hybrid-joined`.
    fn visit_device_fact(&mut self, pair: Pair<Rule>) -> Visit<Vec<Attr>> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_device)?;
        let attrs = self.visit_device_attrs(&mut c)?;
        c.finish()?;
        Ok(attrs)
    }

    /// `app-attributes Engineering_Project "Baker"`.
    fn visit_attr_fact(&mut self, pair: Pair<Rule>) -> Visit<Fact> {
        let mut c = Cursor::new(pair);
        let kw = c.next(Rule::attr_kw)?;
        let service_principal = kw.as_str().starts_with("service-principal");
        let attrs = self.visit_device_attrs(&mut c)?;
        c.finish()?;
        Ok(Fact::Attributes {
            service_principal,
            attrs,
        })
    }

    /// One or more `device_attr` children.
    fn visit_device_attrs(&mut self, c: &mut Cursor) -> Visit<Vec<Attr>> {
        let mut attrs = vec![self.visit_device_attr(c.next(Rule::device_attr)?)?];
        for attr in c.many(Rule::device_attr) {
            attrs.push(self.visit_device_attr(attr)?);
        }
        Ok(attrs)
    }

    fn visit_device_attr(&mut self, pair: Pair<Rule>) -> Visit<Attr> {
        let mut c = Cursor::new(pair);
        let k = c.next(Rule::word)?;
        let key = Spanned::new(k.as_str().to_string(), self.span(&k));
        let value = self.visit_ref(c.next_any()?);
        c.finish()?;
        Ok((key, value))
    }

    /// `app Office365`, `platform ios`, `guest b2b-collaboration-guest, tenant <id>`; a `user`
    /// fact takes one user (`None` when the line has none to give).
    fn visit_simple_fact(&mut self, pair: Pair<Rule>, many: bool) -> Visit<Option<Fact>> {
        let mut c = Cursor::new(pair);
        let kind = self.visit_kind_word(c.next(Rule::kind_word)?)?;
        let mut values = Vec::new();
        while let Some(v) = c.take_any() {
            let v = match v.as_rule() {
                Rule::tenant_value => self.visit_tenant_value(v)?,
                _ => self.visit_ref(v),
            };
            values.push(v);
        }
        if kind.node != TargetKind::User || many {
            return Ok(Some(Fact::Simple { kind, values }));
        }
        if let [_, second, ..] = values.as_slice() {
            self.diags.push(
                Diagnostic::new("E0500", "a sign-in has one user")
                    .at(second.span, "a second user")
                    .help("write a second scenario for the other user"),
            );
        }
        Ok(values.into_iter().next().map(Fact::User))
    }

    /// `tenant <id>` after a guest type.
    fn visit_tenant_value(&mut self, pair: Pair<Rule>) -> Visit<Spanned<Ref>> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_tenant)?;
        let v = self.visit_ref(c.next_any()?);
        c.finish()?;
        Ok(v)
    }

    /// `expect block`, `expect require mfa`, `expect applies "NAME"`, `expect allow`, …
    fn visit_expect(&mut self, pair: Pair<Rule>) -> Visit<Expect> {
        let mut c = Cursor::new(pair);
        c.next(Rule::kw_expect)?;
        let e = c.next_any()?;
        c.finish()?;
        let espan = self.span(&e);
        let rule = e.as_rule();
        let mut ec = Cursor::new(e);
        let expect = match rule {
            Rule::expect_block => {
                ec.next(Rule::kw_block)?;
                Expect::Block
            }
            Rule::expect_require => {
                ec.next(Rule::kw_require)?;
                Expect::Require(self.visit_grant_expr(ec.next(Rule::grant_expr)?)?)
            }
            Rule::expect_session => {
                ec.next(Rule::kw_session)?;
                Expect::Session(self.visit_session_item(ec.next(Rule::session_item)?)?)
            }
            Rule::expect_name => {
                let w = ec.next(Rule::word)?;
                let name = self.visit_string(ec.next(Rule::string)?);
                match w.as_str() {
                    "applies" => Expect::Applies(name),
                    "skips" => Expect::Skips(name),
                    "would-apply" => Expect::WouldApply(name),
                    other => Expect::Unknown(Spanned::new(other.to_string(), self.span(&w))),
                }
            }
            Rule::expect_word => match ec.next(Rule::word)?.as_str() {
                "allow" => Expect::Allow,
                "satisfied" => Expect::Satisfied,
                "interrupt" => Expect::Interrupt,
                other => Expect::Unknown(Spanned::new(other.to_string(), espan)),
            },
            _ => return Err(ec.mismatch(None)),
        };
        ec.finish()?;
        Ok(expect)
    }
}
