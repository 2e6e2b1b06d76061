//! Lowering `assert` blocks: facts resolved to ids, each fact a set of values
//! ([`ir::AssertRegion`]), expectations as a scenario's plus `expect not block`.
//!
//! Each value is checked exactly as a scenario checks its one value (the scenario lowerer does
//! the work), so names, kinds and words are reported the same way.

use super::names::Names;
use super::scenario::{ScenarioLowerer, Seen};
use crate::analyze::Expect as AssertExpect;
use crate::ast::{self, Expect, Fact, TargetKind, TargetValue};
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{self, AssertRegion};
use crate::source::Spanned;
use crate::symbols::Kind;
use crate::whatif::{DeviceFact, SignIn};
use std::collections::HashSet;

fn push<T: PartialEq>(list: &mut Option<Vec<T>>, v: T) {
    let l = list.get_or_insert_with(Vec::new);
    if !l.contains(&v) {
        l.push(v);
    }
}

pub fn lower(
    a: &ast::Scenario,
    names: &Names<'_>,
    diags: &mut Diagnostics,
    policy_names: &HashSet<String>,
) -> ir::Assert {
    let mut l = ScenarioLowerer {
        names,
        diags,
        policy_names,
    };
    let mut r = AssertRegion::default();
    let mut expects = Vec::new();
    for fact in &a.facts {
        let span = fact.span;
        match &fact.node {
            Fact::User(v) => {
                let id = l.user_id(v);
                push(&mut r.users, id);
            }
            Fact::MemberOf(ts) => members(&mut l, ts, &mut r, false),
            Fact::NotMemberOf(ts) => members(&mut l, ts, &mut r, true),
            Fact::Member => push(&mut r.user_types, None),
            Fact::AnyOtherApp => {
                r.any_other_app = true;
                r.targets.get_or_insert_with(Vec::new);
            }
            Fact::Device(attrs) => {
                let map = l.attributes(attrs, crate::filter::Subject::Device);
                push(&mut r.devices, DeviceFact::Attributes(map));
            }
            Fact::Attributes { .. } | Fact::Did { .. } => {
                l.diags.push(
                    Diagnostic::new(
                        "E0250",
                        "an assert ranges over every app and service-principal attribute",
                    )
                    .at(span, "attribute facts are not assert facts")
                    .help("leave the attributes out: the analysis tries every class the filters tell apart"),
                );
            }
            Fact::Simple { kind, values } => {
                for v in values {
                    if kind.node == TargetKind::User {
                        let id = l.user_id(v);
                        push(&mut r.users, id);
                        continue;
                    }
                    let mut s = SignIn::default();
                    let mut seen = Seen::default();
                    if kind.node == TargetKind::Guests {
                        // A guest fact lists types and tenants together: lowered at once.
                        l.simple(&mut s, &mut seen, kind, values, span);
                        if let Some(g) = s.guest {
                            for t in g.types {
                                push(&mut r.user_types, Some(t));
                            }
                            if let Some(t) = g.external_tenant {
                                push(&mut r.tenants, t);
                            }
                        }
                        break;
                    }
                    l.simple(&mut s, &mut seen, kind, std::slice::from_ref(v), span);
                    take(&mut r, s);
                }
            }
            Fact::Expect(Expect::NotBlock) => {
                expects.push(Spanned::new(AssertExpect::NotBlock, span))
            }
            Fact::Expect(e @ (Expect::Satisfied | Expect::Interrupt)) => {
                let word = if matches!(e, Expect::Satisfied) {
                    "satisfied"
                } else {
                    "interrupt"
                };
                l.diags.push(
                    Diagnostic::new(
                        "E0253",
                        format!("`expect {word}` depends on what a sign-in did, which an assert does not say"),
                    )
                    .at(span, "not an assert expectation")
                    .help("an assert states what is required: `expect require mfa` (every way of meeting the requirement meets it); test one sign-in that did something in a scenario with `did`"),
                );
            }
            Fact::Expect(e) => {
                if let Some(x) = l.expectation(e, span) {
                    expects.push(Spanned::new(AssertExpect::Is(x), span));
                }
            }
        }
    }
    let any_expect = a.facts.iter().any(|f| matches!(f.node, Fact::Expect(_)));
    if !any_expect {
        l.diags.push(
            Diagnostic::new("W0040", format!("assert `{}` expects nothing", a.name.node))
                .at(a.name.span, "no `expect` line")
                .help("add `expect allow`, `expect block`, `expect not block`, `expect require mfa`, …"),
        );
    }
    ir::Assert {
        name: a.name.clone(),
        region: r,
        expects,
        span: a.span,
    }
}

/// One lowered fact value into the region.
fn take(r: &mut AssertRegion, s: SignIn) {
    if let Some(sp) = s.service_principal {
        push(&mut r.service_principals, sp);
    }
    if let Some(t) = s.target {
        push(&mut r.targets, t);
    }
    if let Some(p) = s.platform {
        push(&mut r.platforms, p);
    }
    if let Some(c) = s.client {
        push(&mut r.clients, c);
    }
    if let Some(l) = s.location {
        push(&mut r.locations, l);
    }
    if let Some(x) = s.sign_in_risk {
        push(&mut r.sign_in_risk, x);
    }
    if let Some(x) = s.user_risk {
        push(&mut r.user_risk, x);
    }
    if let Some(x) = s.service_principal_risk {
        push(&mut r.service_principal_risk, x);
    }
    if let Some(x) = s.insider_risk {
        push(&mut r.insider_risk, x);
    }
    if let Some(d) = s.device {
        push(&mut r.devices, d);
    }
    if let Some(f) = s.auth_flow {
        push(&mut r.auth_flows, f);
    }
}

/// `member-of` / `not member-of`: groups, roles and (through sets) users.
fn members(l: &mut ScenarioLowerer<'_, '_>, ts: &[ast::Target], r: &mut AssertRegion, not: bool) {
    for t in ts {
        let TargetValue::Ref(v) = &t.value else {
            l.diags.push(
                Diagnostic::new("E0108", "`member-of` takes groups, roles and users")
                    .at(t.span, "not a group, role or user")
                    .help("write `member-of group Admins, role GlobalAdministrator`"),
            );
            continue;
        };
        let (kind, list) = match t.kind.node {
            TargetKind::Group => (Kind::Group, 0),
            TargetKind::Role => (Kind::Role, 1),
            TargetKind::User => (Kind::User, 2),
            _ => {
                l.diags.push(
                    Diagnostic::new("E0108", "`member-of` takes groups, roles and users")
                        .at(t.span, "not a group, role or user")
                        .help("write `member-of group Admins, role GlobalAdministrator`"),
                );
                continue;
            }
        };
        let id = if kind == Kind::User {
            Some(l.user_id(v))
        } else {
            l.names.resolve(kind, v, l.diags).map(|res| res.id)
        };
        let Some(id) = id else { continue };
        let target = match (list, not) {
            (0, false) => &mut r.groups,
            (1, false) => &mut r.roles,
            (_, false) => &mut r.member_users,
            (0, true) => &mut r.not_groups,
            (1, true) => &mut r.not_roles,
            (_, true) => &mut r.not_users,
        };
        if !target.contains(&id) {
            target.push(id);
        }
    }
}
