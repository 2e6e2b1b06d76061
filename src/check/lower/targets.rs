//! `for`, `exclude` and `when` lists: which kinds may stand on which side, `all`, filters,
//! guests and tenants; single items go to `items`.

use super::items::{example, what_value};
use super::{Lowerer, Side};
use crate::ast::{Ref, Target, TargetKind, TargetValue};
use crate::check::values::{self, lookup};
use crate::diag::Diagnostic;
use crate::graph::model::FilterMode;
use crate::ir::{self, AppTarget, Guests, SpTarget, UserTarget};
use crate::source::{Span, Spanned};

impl Lowerer<'_, '_> {
    pub(super) fn misplaced(&mut self, t: &Target, side: Side) {
        let kind = t.kind.node;
        let right = match kind {
            TargetKind::Platform
            | TargetKind::Location
            | TargetKind::Device
            | TargetKind::AgentContext
            | TargetKind::LegacyDeviceState
            | TargetKind::LegacyDevice => "`when` or `exclude`",
            TargetKind::AgentRisk
            | TargetKind::Client
            | TargetKind::SignInRisk
            | TargetKind::UserRisk
            | TargetKind::ServicePrincipalRisk
            | TargetKind::InsiderRisk
            | TargetKind::AuthFlow => "`when`",
            TargetKind::Action | TargetKind::Context | TargetKind::TrafficProfile => "`for`",
            TargetKind::Terms | TargetKind::Strength => "`require`",
            _ => "`for` or `exclude`",
        };
        self.diags.push(
            Diagnostic::new(
                "E0108",
                format!(
                    "`{}` cannot stand in a `{}` clause",
                    kind.word(),
                    side.word()
                ),
            )
            .at(t.span, format!("not allowed after `{}`", side.word()))
            .help(format!("`{}` belongs in {right}", kind.word())),
        );
    }

    pub(super) fn targets(&mut self, p: &mut ir::Policy, ts: &[Target], side: Side) {
        // `tenant` items narrow the guests item before them in the same clause.
        let mut last_guests: Option<(usize, bool)> = None;
        for t in ts {
            let span = t.span;
            let kind = t.kind.node;
            let value = &t.value;
            let allowed = match kind {
                TargetKind::User
                | TargetKind::Group
                | TargetKind::Role
                | TargetKind::Guests
                | TargetKind::Tenant => side != Side::When,
                TargetKind::App
                | TargetKind::ServicePrincipal
                | TargetKind::AgentIdentity
                | TargetKind::AgentUser => side != Side::When,
                TargetKind::AgentContext
                | TargetKind::LegacyDeviceState
                | TargetKind::LegacyDevice => side != Side::For,
                TargetKind::Action | TargetKind::Context | TargetKind::TrafficProfile => {
                    side == Side::For
                }
                TargetKind::Platform | TargetKind::Location => side != Side::For,
                TargetKind::Device => side != Side::For && matches!(value, TargetValue::Filter(_)),
                TargetKind::Client
                | TargetKind::SignInRisk
                | TargetKind::UserRisk
                | TargetKind::ServicePrincipalRisk
                | TargetKind::InsiderRisk
                | TargetKind::AgentRisk
                | TargetKind::AuthFlow => side == Side::When,
                TargetKind::Terms | TargetKind::Strength => false,
                // Sets are spliced out before lowering (`check::sets`); one that could not be
                // expanded has been reported there.
                TargetKind::Set => continue,
            };
            if !allowed {
                self.misplaced(t, side);
                continue;
            }
            let include = side != Side::Exclude;
            match (kind, value) {
                (_, TargetValue::All) if !include => {
                    // Graph has no "all" in exclusion lists; excluding everything would also
                    // make the policy apply to nobody.
                    self.diags.push(
                        Diagnostic::new("E0106", format!("`exclude all {}` is not possible", kind.plural()))
                            .at(span, "Graph cannot exclude everything")
                            .help(format!(
                                "exclude the {} you mean by name, or turn the policy off with `mode off`",
                                kind.plural()
                            )),
                    );
                }
                (TargetKind::User, TargetValue::All) => {
                    self.push_user(p, include, UserTarget::All, span)
                }
                (TargetKind::App, TargetValue::All) => {
                    self.push_app(p, include, AppTarget::All, span)
                }
                (TargetKind::ServicePrincipal, TargetValue::All) => {
                    let list = if include {
                        &mut p.include_sps
                    } else {
                        &mut p.exclude_sps
                    };
                    list.push(Spanned::new(SpTarget::All, span));
                }
                (TargetKind::AgentIdentity, TargetValue::All) => {
                    p.agents
                        .include_identities
                        .push(Spanned::new(SpTarget::All, span));
                }
                (TargetKind::AgentUser, TargetValue::All) => {
                    p.agents
                        .include_users
                        .push(Spanned::new(SpTarget::All, span));
                }
                (TargetKind::LegacyDeviceState | TargetKind::LegacyDevice, TargetValue::All) => {
                    let l = &mut p.legacy_devices;
                    let list = if kind == TargetKind::LegacyDeviceState {
                        &mut l.include_states
                    } else {
                        &mut l.include_devices
                    };
                    if !list.iter().any(|x| x.node == ir::DeviceState::All) {
                        list.push(Spanned::new(ir::DeviceState::All, span));
                    }
                }
                (_, TargetValue::All) => self.bad_all(t),
                (TargetKind::AgentIdentity | TargetKind::AgentUser, TargetValue::Filter(rule)) => {
                    let mode = if include {
                        FilterMode::Include
                    } else {
                        FilterMode::Exclude
                    };
                    let slot = if kind == TargetKind::AgentIdentity {
                        &mut p.agents.identity_filter
                    } else {
                        &mut p.agents.user_filter
                    };
                    if let Some(prev) = slot.as_ref().map(|f| f.rule.span) {
                        self.duplicate_filter(kind.plural(), span, prev);
                    }
                    let slot = if kind == TargetKind::AgentIdentity {
                        &mut p.agents.identity_filter
                    } else {
                        &mut p.agents.user_filter
                    };
                    *slot = Some(ir::FilterRule {
                        mode,
                        rule: rule.clone(),
                    });
                }
                (TargetKind::App, TargetValue::Filter(rule)) => {
                    let mode = if include {
                        FilterMode::Include
                    } else {
                        FilterMode::Exclude
                    };
                    if let Some(prev) = &p.app_filter {
                        self.duplicate_filter("apps", span, prev.rule.span);
                    }
                    p.app_filter = Some(ir::FilterRule {
                        mode,
                        rule: rule.clone(),
                    });
                }
                (TargetKind::Device, TargetValue::Filter(rule)) => {
                    let mode = if include {
                        FilterMode::Include
                    } else {
                        FilterMode::Exclude
                    };
                    if let Some(prev) = &p.device_filter {
                        self.duplicate_filter("devices", span, prev.rule.span);
                    }
                    p.device_filter = Some(ir::FilterRule {
                        mode,
                        rule: rule.clone(),
                    });
                }
                (_, TargetValue::Filter(_)) => {
                    self.diags.push(
                        Diagnostic::new("E0108", format!("`{} where` is not a filter capol knows", kind.plural()))
                            .at(span, "no filter of this kind")
                            .help("filters are `apps where '…'` and, in beta, `agent-identities where '…'` and `agent-users where '…'` (in `for` or `exclude`), and `devices where '…'` (in `when` or `exclude`)"),
                    );
                }
                (TargetKind::Guests, TargetValue::Nothing) => {
                    let i = self.guests_slot(p, include, span, None);
                    last_guests = Some((i, include));
                }
                (TargetKind::Guests, TargetValue::Ref(r)) => {
                    let Some(gt) = lookup(values::GUEST_TYPES, "guest type", r, self.diags) else {
                        continue;
                    };
                    let i = self.guests_slot(p, include, span, Some(gt));
                    last_guests = Some((i, include));
                }
                (TargetKind::Tenant, TargetValue::Ref(r)) => {
                    let id = match &r.node {
                        Ref::Guid(g) => g.clone(),
                        Ref::BadGuid(g) => {
                            self.diags.push(crate::check::names::bad_guid(g, r.span));
                            continue;
                        }
                        _ => {
                            self.diags.push(
                                Diagnostic::new(
                                    "E0106",
                                    format!("`{}` is not a tenant id", r.text()),
                                )
                                .at(r.span, "expected a tenant id (GUID)")
                                .help("external tenants are written by tenant id"),
                            );
                            continue;
                        }
                    };
                    let Some((i, inc)) = last_guests.filter(|(_, inc)| *inc == include) else {
                        self.diags.push(
                            Diagnostic::new("E0108", "`tenant` narrows a `guests` item, and none comes before it")
                                .at(span, "no `guests` before this in the clause")
                                .help("write the guests first: `for guests b2b-collaboration-guest, tenant <id>`"),
                        );
                        continue;
                    };
                    if let Some(UserTarget::Guests(g)) =
                        self.user_list(p, inc).get_mut(i).map(|s| &mut s.node)
                    {
                        g.tenants.push(id);
                    }
                }
                (_, TargetValue::Nothing) => {
                    self.diags.push(
                        Diagnostic::new("E0001", format!("`{}` needs a value", kind.word()))
                            .at(
                                span,
                                format!("expected {} after `{}`", what_value(kind), kind.word()),
                            )
                            .help(format!("for example `{} {}`", kind.word(), example(kind))),
                    );
                }
                (_, TargetValue::Ref(r)) => self.item(p, kind, r, include, side, span),
            }
        }
    }

    /// The one guests entry of a side (`for` or `exclude`), created on first use; later
    /// `guests` items and clauses add to it. No types means every type; adding a type to it
    /// keeps every type.
    pub(super) fn guests_slot(
        &mut self,
        p: &mut ir::Policy,
        include: bool,
        span: Span,
        add: Option<ir::GuestType>,
    ) -> usize {
        let list = self.user_list(p, include);
        if let Some(i) = list
            .iter()
            .position(|u| matches!(u.node, UserTarget::Guests(_)))
        {
            if let UserTarget::Guests(g) = &mut list[i].node {
                match add {
                    None => g.types.clear(),
                    Some(t) if !g.types.is_empty() => {
                        g.types.insert(t);
                    }
                    Some(_) => {}
                }
            }
            return i;
        }
        let g = Guests {
            types: add.into_iter().collect(),
            tenants: Vec::new(),
        };
        list.push(Spanned::new(UserTarget::Guests(g), span));
        list.len() - 1
    }

    pub(super) fn user_list<'p>(
        &self,
        p: &'p mut ir::Policy,
        include: bool,
    ) -> &'p mut Vec<Spanned<UserTarget>> {
        if include {
            &mut p.include_users
        } else {
            &mut p.exclude_users
        }
    }

    pub(super) fn push_user(
        &mut self,
        p: &mut ir::Policy,
        include: bool,
        u: UserTarget,
        span: Span,
    ) {
        let list = self.user_list(p, include);
        if !list.iter().any(|x| x.node == u) {
            list.push(Spanned::new(u, span));
        }
    }

    pub(super) fn push_app(&mut self, p: &mut ir::Policy, include: bool, a: AppTarget, span: Span) {
        let list = if include {
            &mut p.include_apps
        } else {
            &mut p.exclude_apps
        };
        if !list.iter().any(|x| x.node == a) {
            list.push(Spanned::new(a, span));
        }
    }

    pub(super) fn bad_all(&mut self, t: &Target) {
        self.diags.push(
            Diagnostic::new(
                "E0106",
                format!("`all {}` is not a target", t.kind.node.plural()),
            )
            .at(
                t.span,
                "not one of `all users`, `all apps`, `all service-principals`",
            )
            .help(match t.kind.node {
                TargetKind::Location => "write `location any`",
                TargetKind::Platform => "write `platform any`",
                _ => "write `all users`, `all apps` or `all service-principals`",
            }),
        );
    }

    pub(super) fn duplicate_filter(&mut self, what: &str, span: Span, first: Span) {
        self.diags.push(
            Diagnostic::new("E0105", format!("a policy takes one `{what} where` filter"))
                .at(span, "a second filter here")
                .also(first, "the first one is here")
                .help("combine the rules with `-and` / `-or` in one filter"),
        );
    }
}
