//! Lowering one AST policy to an IR policy: every clause and list item is resolved and typed.
//! Problems local to one item are reported here (unknown names and values, misplaced items,
//! duplicate clauses); rules that relate several clauses live in `rules`.

use super::names::{Names, is_context};
use super::values::{self, lookup};
use crate::ast::{self, Clause, Control, GrantOp, Ref, Target, TargetKind, TargetValue};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::model::{BuiltInControl, FilterMode, FrequencyUnit, Operator};
use crate::ir::{
    self, AppTarget, Grant, Guests, LocationTarget, Principal, SignInFrequency, SpTarget,
    UserTarget,
};
use crate::source::{Span, Spanned};
use crate::symbols::Kind;

/// Which list a target sits in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    For,
    Exclude,
    When,
}

impl Side {
    fn word(self) -> &'static str {
        match self {
            Side::For => "for",
            Side::Exclude => "exclude",
            Side::When => "when",
        }
    }
}

pub struct Lowerer<'a, 'l> {
    pub names: &'a Names<'l>,
    pub diags: &'a mut Diagnostics,
}

impl Lowerer<'_, '_> {
    pub fn policy(&mut self, p: &ast::Policy, display_name: Spanned<String>) -> ir::Policy {
        let mut out = ir::Policy::new(display_name, p.span);
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        let mut controls_written: Option<Span> = None;
        let mut resources_written: Option<Span> = None;
        let mut users_written: Option<Span> = None;
        for clause in &p.clauses {
            if matches!(
                clause.node,
                Clause::Block | Clause::Require(_) | Clause::Session(_)
            ) {
                controls_written.get_or_insert(clause.span);
            }
            if let Clause::For(ts) = &clause.node {
                let resource = |t: &&Target| {
                    matches!(
                        t.kind.node,
                        TargetKind::App | TargetKind::Action | TargetKind::Context
                    )
                };
                if let Some(t) = ts.iter().find(resource) {
                    resources_written.get_or_insert(t.span);
                }
                let principal = |t: &&Target| {
                    matches!(
                        t.kind.node,
                        TargetKind::User
                            | TargetKind::Group
                            | TargetKind::Role
                            | TargetKind::Guests
                            | TargetKind::ServicePrincipal
                    )
                };
                if let Some(t) = ts.iter().find(principal) {
                    users_written.get_or_insert(t.span);
                }
            }
            let single = match &clause.node {
                Clause::Block | Clause::Require(_) => Some("grant"),
                Clause::Mode(_) => Some("mode"),
                Clause::Description(_) => Some("description"),
                _ => None,
            };
            if let Some(key) = single {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    let what = if key == "grant" {
                        "grant clause (`block` or `require`)"
                    } else {
                        key
                    };
                    self.diags.push(
                        Diagnostic::new("E0105", format!("a policy takes one {what}"))
                            .at(clause.span, "a second one here")
                            .also(*first, "the first one is here")
                            .help(if key == "grant" && matches!(clause.node, Clause::Block) != p.clauses.iter().any(|c| c.span == *first && matches!(c.node, Clause::Block)) {
                                "a policy either blocks access or grants it with requirements: keep `block` or the `require` clause, not both"
                            } else if key == "grant" {
                                "combine the controls in one `require` clause (`require mfa and compliant-device`)"
                            } else {
                                "keep one of them"
                            }),
                    );
                    continue;
                }
                seen.push((key, clause.span));
            }
            match &clause.node {
                Clause::For(ts) => self.targets(&mut out, ts, Side::For),
                Clause::Exclude(ts) => self.targets(&mut out, ts, Side::Exclude),
                Clause::When(ts) => self.targets(&mut out, ts, Side::When),
                Clause::Block => out.grant = Some(Spanned::new(Grant::Block, clause.span)),
                Clause::Require(g) => {
                    if let Some(grant) = self.grant(g) {
                        out.grant = Some(Spanned::new(grant, clause.span));
                    }
                }
                Clause::Session(items) => {
                    for item in items {
                        self.session_item(&mut out.session, item);
                    }
                }
                Clause::Mode(m) => {
                    // Graph's and the portal's words for the states, to point at ours.
                    let meant = match m.node.to_ascii_lowercase().as_str() {
                        "enabled" | "enable" | "enforced" | "enforce" | "true" => Some("on"),
                        "disabled" | "disable" | "false" => Some("off"),
                        "reportonly" | "report" | "enabledforreportingbutnotenforced" => {
                            Some("report-only")
                        }
                        _ => None,
                    };
                    if let Some(word) = meant {
                        self.diags.push(
                            Diagnostic::new("E0106", format!("unknown mode `{}`", m.node))
                                .at(m.span, "not a mode")
                                .help(format!("did you mean `mode {word}`? the choices are `on`, `off`, `report-only`")),
                        );
                        continue;
                    }
                    let r = Spanned::new(Ref::Ident(m.node.clone()), m.span);
                    if let Some(state) = lookup(values::MODES, "mode", &r, self.diags) {
                        out.state = Spanned::new(state, m.span);
                    }
                }
                Clause::Description(d) => out.description = Some(d.node.clone()),
                // Applied before lowering (`check::defaults`).
                Clause::IgnoreDefaults => {}
            }
        }
        // A grant or session clause that did not lower has been reported already: keep an empty
        // grant in its place so that the policy is not also reported as having none (E0204).
        if let (Some(span), None, true) = (controls_written, &out.grant, out.session.is_empty()) {
            let empty = Grant::Controls {
                operator: Operator::Or,
                builtins: Vec::new(),
                strength: None,
                terms: Vec::new(),
            };
            out.grant = Some(Spanned::new(empty, span));
        }
        // Likewise an app, action or context that did not resolve: keep `None` (no app) in its
        // place so that the policy is not also reported as targeting no resources (E0203).
        if let (Some(span), true, None) = (
            resources_written,
            out.include_apps.is_empty(),
            &out.app_filter,
        ) {
            out.include_apps.push(Spanned::new(AppTarget::None, span));
        }
        // And a user, group or role that did not resolve: the policy is not for all users
        // (which would report lockout and emergency-access errors that are not there).
        if let (Some(span), true, false) = (
            users_written,
            out.include_users.is_empty(),
            out.is_workload(),
        ) {
            out.include_users.push(Spanned::new(UserTarget::None, span));
        }
        out
    }

    fn misplaced(&mut self, t: &Target, side: Side) {
        let kind = t.kind.node;
        let right = match kind {
            TargetKind::Platform | TargetKind::Location | TargetKind::Device => {
                "`when` or `exclude`"
            }
            TargetKind::Client
            | TargetKind::SignInRisk
            | TargetKind::UserRisk
            | TargetKind::ServicePrincipalRisk
            | TargetKind::InsiderRisk
            | TargetKind::AuthFlow => "`when`",
            TargetKind::Action | TargetKind::Context => "`for`",
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

    fn targets(&mut self, p: &mut ir::Policy, ts: &[Target], side: Side) {
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
                TargetKind::App | TargetKind::ServicePrincipal => side != Side::When,
                TargetKind::Action | TargetKind::Context => side == Side::For,
                TargetKind::Platform | TargetKind::Location => side != Side::For,
                TargetKind::Device => side != Side::For && matches!(value, TargetValue::Filter(_)),
                TargetKind::Client
                | TargetKind::SignInRisk
                | TargetKind::UserRisk
                | TargetKind::ServicePrincipalRisk
                | TargetKind::InsiderRisk
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
                (_, TargetValue::All) => self.bad_all(t),
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
                            .help("filters are `apps where '…'` (in `for` or `exclude`) and `devices where '…'` (in `when` or `exclude`)"),
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
                            self.diags.push(super::names::bad_guid(g, r.span));
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
    fn guests_slot(
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

    fn user_list<'p>(
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

    fn push_user(&mut self, p: &mut ir::Policy, include: bool, u: UserTarget, span: Span) {
        let list = self.user_list(p, include);
        if !list.iter().any(|x| x.node == u) {
            list.push(Spanned::new(u, span));
        }
    }

    fn push_app(&mut self, p: &mut ir::Policy, include: bool, a: AppTarget, span: Span) {
        let list = if include {
            &mut p.include_apps
        } else {
            &mut p.exclude_apps
        };
        if !list.iter().any(|x| x.node == a) {
            list.push(Spanned::new(a, span));
        }
    }

    fn bad_all(&mut self, t: &Target) {
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

    fn duplicate_filter(&mut self, what: &str, span: Span, first: Span) {
        self.diags.push(
            Diagnostic::new("E0105", format!("a policy takes one `{what} where` filter"))
                .at(span, "a second filter here")
                .also(first, "the first one is here")
                .help("combine the rules with `-and` / `-or` in one filter"),
        );
    }

    fn item(
        &mut self,
        p: &mut ir::Policy,
        kind: TargetKind,
        r: &Spanned<Ref>,
        include: bool,
        side: Side,
        span: Span,
    ) {
        let _ = side;
        let word = r.ident();
        match kind {
            TargetKind::User => {
                let u = match word {
                    Some("None") if include => UserTarget::None,
                    Some("GuestsOrExternalUsers") => UserTarget::LegacyGuests,
                    _ => match self.names.resolve(Kind::User, r, self.diags) {
                        Some(res) => UserTarget::Principal(Principal::User(res.id)),
                        None => return,
                    },
                };
                self.push_user(p, include, u, span);
            }
            TargetKind::Group | TargetKind::Role => {
                let k = if kind == TargetKind::Group {
                    Kind::Group
                } else {
                    Kind::Role
                };
                let Some(res) = self.names.resolve(k, r, self.diags) else {
                    return;
                };
                let pr = if k == Kind::Group {
                    Principal::Group(res.id)
                } else {
                    Principal::Role(res.id)
                };
                self.push_user(p, include, UserTarget::Principal(pr), span);
            }
            TargetKind::App => {
                let a = match word {
                    Some(k @ ("Office365" | "MicrosoftAdminPortals")) => {
                        AppTarget::Keyword(k.to_string())
                    }
                    Some("None") if include => AppTarget::None,
                    _ => match self.names.resolve(Kind::App, r, self.diags) {
                        Some(res) => AppTarget::App(res.id),
                        None => return,
                    },
                };
                self.push_app(p, include, a, span);
            }
            TargetKind::Action => {
                if let Some(urn) = lookup(values::ACTIONS, "user action", r, self.diags) {
                    self.push_app(p, true, AppTarget::Action(urn.to_string()), span);
                }
            }
            TargetKind::Context => {
                let id = match word {
                    Some(w) if is_context(w) => w.to_string(),
                    _ => match self.names.resolve(Kind::Context, r, self.diags) {
                        Some(res) => res.id,
                        None => return,
                    },
                };
                self.push_app(p, true, AppTarget::Context(id), span);
            }
            TargetKind::ServicePrincipal => {
                let Some(res) = self.names.resolve(Kind::ServicePrincipal, r, self.diags) else {
                    return;
                };
                let list = if include {
                    &mut p.include_sps
                } else {
                    &mut p.exclude_sps
                };
                let t = SpTarget::Sp(res.id);
                if !list.iter().any(|x| x.node == t) {
                    list.push(Spanned::new(t, span));
                }
            }
            TargetKind::Platform => {
                if let Some(v) = lookup(values::PLATFORMS, "platform", r, self.diags) {
                    let list = if include {
                        &mut p.include_platforms
                    } else {
                        &mut p.exclude_platforms
                    };
                    if !list.iter().any(|x| x.node == v) {
                        list.push(Spanned::new(v, span));
                    }
                }
            }
            TargetKind::Location => {
                let l = match word {
                    Some("any") => LocationTarget::Any,
                    Some("trusted") => LocationTarget::Trusted,
                    _ => match self.names.resolve(Kind::Location, r, self.diags) {
                        Some(res) => LocationTarget::Named(res.id),
                        None => return,
                    },
                };
                let list = if include {
                    &mut p.include_locations
                } else {
                    &mut p.exclude_locations
                };
                if !list.iter().any(|x| x.node == l) {
                    list.push(Spanned::new(l, span));
                }
            }
            TargetKind::Client => push_enum(
                &mut p.client_app_types,
                lookup(values::CLIENTS, "client app type", r, self.diags),
                span,
            ),
            TargetKind::SignInRisk => push_enum(
                &mut p.sign_in_risk,
                lookup(values::RISKS, "risk level", r, self.diags),
                span,
            ),
            TargetKind::UserRisk => push_enum(
                &mut p.user_risk,
                lookup(values::RISKS, "risk level", r, self.diags),
                span,
            ),
            TargetKind::ServicePrincipalRisk => push_enum(
                &mut p.service_principal_risk,
                lookup(values::RISKS, "risk level", r, self.diags),
                span,
            ),
            TargetKind::InsiderRisk => push_enum(
                &mut p.insider_risk,
                lookup(values::INSIDER_RISKS, "insider risk level", r, self.diags),
                span,
            ),
            TargetKind::AuthFlow => push_enum(
                &mut p.auth_flows,
                lookup(values::AUTH_FLOWS, "authentication flow", r, self.diags),
                span,
            ),
            TargetKind::Guests
            | TargetKind::Tenant
            | TargetKind::Device
            | TargetKind::Terms
            | TargetKind::Strength
            | TargetKind::Set => {}
        }
    }

    fn grant(&mut self, g: &ast::GrantExpr) -> Option<Grant> {
        let has_and = g.ops.iter().any(|o| o.node == GrantOp::And);
        let has_or = g.ops.iter().any(|o| o.node == GrantOp::Or);
        if has_and && has_or {
            let first_and = g
                .ops
                .iter()
                .find(|o| o.node == GrantOp::And)
                .map(|o| o.span);
            let first_or = g.ops.iter().find(|o| o.node == GrantOp::Or).map(|o| o.span);
            if let (Some(a), Some(o)) = (first_and, first_or) {
                let (first, second) = if a.start < o.start { (a, o) } else { (o, a) };
                self.diags.push(
                    Diagnostic::new("E0201", "`and` and `or` are mixed in one grant clause")
                        .at(second, "this operator differs from the first")
                        .also(first, "the first operator")
                        .help("a grant clause uses one operator: `require mfa and compliant-device`, or `require compliant-device or hybrid-joined-device`")
                        .note("Graph has one operator per policy; split mixed requirements into two policies, which Entra combines with AND"),
                );
            }
            return None;
        }
        let operator = if has_and { Operator::And } else { Operator::Or };
        let mut builtins: Vec<Spanned<BuiltInControl>> = Vec::new();
        let mut strength: Option<Spanned<String>> = None;
        let mut terms: Vec<Spanned<String>> = Vec::new();
        let mut ok = true;
        for c in &g.controls {
            match &c.node {
                Control::Builtin(w) => {
                    let r = Spanned::new(Ref::Ident(w.clone()), c.span);
                    match lookup(values::CONTROLS, "grant control", &r, self.diags) {
                        Some(BuiltInControl::Block) => {
                            self.diags.push(
                                Diagnostic::new(
                                    "E0200",
                                    "`block` cannot be required together with other controls",
                                )
                                .at(c.span, "`block` stands alone")
                                .help("write `block` as a clause of its own, without `require`")
                                .note("in Entra, block access and grant access are alternatives"),
                            );
                            ok = false;
                        }
                        Some(b) => {
                            if let Some(prev) = builtins.iter().find(|x| x.node == b) {
                                self.diags.push(
                                    Diagnostic::new("E0105", format!("`{w}` is required twice"))
                                        .at(c.span, "listed again here")
                                        .also(prev.span, "first listed here")
                                        .help("list each control once"),
                                );
                            } else {
                                builtins.push(Spanned::new(b, c.span));
                            }
                        }
                        None => ok = false,
                    }
                }
                Control::Strength(r) => {
                    if let Some(prev) = &strength {
                        self.diags.push(
                            Diagnostic::new(
                                "E0105",
                                "a policy requires at most one authentication strength",
                            )
                            .at(c.span, "a second strength")
                            .also(prev.span, "the first one")
                            .help(
                                "keep one strength; a stronger one satisfies weaker requirements",
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    match self.names.resolve(Kind::Strength, r, self.diags) {
                        Some(res) => strength = Some(Spanned::new(res.id, c.span)),
                        None => ok = false,
                    }
                }
                Control::Terms(r) => match self.names.resolve(Kind::Terms, r, self.diags) {
                    Some(res) => {
                        if !terms.iter().any(|t| t.node == res.id) {
                            terms.push(Spanned::new(res.id, c.span));
                        }
                    }
                    None => ok = false,
                },
            }
        }
        ok.then_some(Grant::Controls {
            operator,
            builtins,
            strength,
            terms,
        })
    }

    pub fn session_item(&mut self, s: &mut ir::Session, item: &ast::SessionItem) {
        let name = item.name.node.as_str();
        let span = item.span;
        let args: Vec<&str> = item.args.iter().map(|a| a.node.as_str()).collect();
        let dup = match name {
            "sign-in-frequency" => s.sign_in_frequency.as_ref().map(|x| x.span),
            "persistent-browser" => s.persistent_browser.as_ref().map(|x| x.span),
            "app-enforced-restrictions" => s.app_enforced_restrictions,
            "cloud-app-security" => s.cloud_app_security.as_ref().map(|x| x.span),
            "cae" => s.cae.as_ref().map(|x| x.span),
            "no-resilience-defaults" => s.no_resilience_defaults,
            "token-protection" => s.token_protection,
            _ => None,
        };
        if let Some(first) = dup {
            self.diags.push(
                Diagnostic::new("E0105", format!("session control `{name}` is given twice"))
                    .at(span, "a second one here")
                    .also(first, "the first one is here")
                    .help("keep one of them"),
            );
            return;
        }
        let flag = |this: &mut Self, s: &mut Option<Span>| {
            if let Some(extra) = item.args.first() {
                this.extra_args(
                    name,
                    extra
                        .span
                        .to(item.args.last().map(|a| a.span).unwrap_or(extra.span)),
                );
            } else {
                *s = Some(span);
            }
        };
        match name {
            "sign-in-frequency" => {
                if let Some(f) = self.sign_in_frequency(item, &args) {
                    s.sign_in_frequency = Some(Spanned::new(f, span));
                }
            }
            "persistent-browser" => {
                if let Some(v) =
                    self.one_arg(item, values::PERSISTENT_BROWSER, "persistent-browser mode")
                {
                    s.persistent_browser = Some(Spanned::new(v, span));
                }
            }
            "cloud-app-security" => {
                if let Some(v) =
                    self.one_arg(item, values::CLOUD_APP_SECURITY, "cloud-app-security mode")
                {
                    s.cloud_app_security = Some(Spanned::new(v, span));
                }
            }
            "cae" => {
                if let Some(v) =
                    self.one_arg(item, values::CAE, "continuous access evaluation mode")
                {
                    s.cae = Some(Spanned::new(v, span));
                }
            }
            "app-enforced-restrictions" => flag(self, &mut s.app_enforced_restrictions),
            "no-resilience-defaults" => flag(self, &mut s.no_resilience_defaults),
            "token-protection" => flag(self, &mut s.token_protection),
            other => {
                self.diags.push(values::unknown_value(
                    "session control",
                    other,
                    item.name.span,
                    values::SESSION_CONTROLS.iter().copied(),
                ));
            }
        }
    }

    fn extra_args(&mut self, name: &str, span: Span) {
        self.diags.push(
            Diagnostic::new("E0106", format!("session control `{name}` takes no value"))
                .at(span, "unexpected value")
                .help(format!("write `session {name}` alone")),
        );
    }

    fn one_arg<T: Copy>(
        &mut self,
        item: &ast::SessionItem,
        table: &[(&'static str, T)],
        what: &str,
    ) -> Option<T> {
        match item.args.as_slice() {
            [one] => lookup(
                table,
                what,
                &Spanned::new(Ref::Ident(one.node.clone()), one.span),
                self.diags,
            ),
            [] => {
                let choices: Vec<String> = table.iter().map(|(w, _)| format!("`{w}`")).collect();
                self.diags.push(
                    Diagnostic::new(
                        "E0106",
                        format!("session control `{}` needs a value", item.name.node),
                    )
                    .at(item.span, format!("expected a {what}"))
                    .help(format!("write one of {}", choices.join(", "))),
                );
                None
            }
            [_, extra @ ..] => {
                let s = extra[0].span.to(extra[extra.len() - 1].span);
                self.extra_args(&item.name.node, s);
                None
            }
        }
    }

    fn sign_in_frequency(
        &mut self,
        item: &ast::SessionItem,
        args: &[&str],
    ) -> Option<SignInFrequency> {
        let bad = |this: &mut Self, span: Span, label: &str| {
            this.diags.push(
                Diagnostic::new("E0110", "malformed sign-in frequency")
                    .at(span, label.to_string())
                    .help("write `sign-in-frequency 4 hours`, `sign-in-frequency 7 days` or `sign-in-frequency every-time`"),
            );
        };
        match args {
            ["every-time"] => Some(SignInFrequency::Every),
            [n, unit] => {
                let Ok(value) = n.parse::<u32>() else {
                    bad(self, item.args[0].span, "expected a whole number");
                    return None;
                };
                if value == 0 {
                    bad(self, item.args[0].span, "the frequency must be at least 1");
                    return None;
                }
                let unit = match *unit {
                    "hour" | "hours" => FrequencyUnit::Hours,
                    "day" | "days" => FrequencyUnit::Days,
                    _ => {
                        bad(self, item.args[1].span, "expected `hours` or `days`");
                        return None;
                    }
                };
                Some(SignInFrequency::Time(value, unit))
            }
            _ => {
                bad(
                    self,
                    item.span,
                    "expected a number and `hours` / `days`, or `every-time`",
                );
                None
            }
        }
    }
}

fn push_enum<T: PartialEq>(list: &mut Vec<Spanned<T>>, v: Option<T>, span: Span) {
    if let Some(v) = v
        && !list.iter().any(|x| x.node == v)
    {
        list.push(Spanned::new(v, span));
    }
}

fn what_value(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Platform => "a platform",
        TargetKind::Location => "a location",
        TargetKind::Client => "a client app type",
        TargetKind::SignInRisk | TargetKind::UserRisk | TargetKind::ServicePrincipalRisk => {
            "a risk level"
        }
        TargetKind::InsiderRisk => "an insider risk level",
        TargetKind::AuthFlow => "an authentication flow",
        TargetKind::Action => "a user action",
        TargetKind::Context => "an authentication context",
        TargetKind::Tenant => "a tenant id",
        _ => "a name",
    }
}

fn example(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::User => "alice@contoso.com",
        TargetKind::Group => "Admins",
        TargetKind::Role => "GlobalAdministrator",
        TargetKind::App => "AzureServiceManagement",
        TargetKind::Platform => "ios",
        TargetKind::Location => "trusted",
        TargetKind::Client => "browser",
        TargetKind::SignInRisk | TargetKind::UserRisk | TargetKind::ServicePrincipalRisk => "high",
        TargetKind::InsiderRisk => "elevated",
        TargetKind::AuthFlow => "device-code",
        TargetKind::Action => "register-security-info",
        TargetKind::Context => "c1",
        _ => "Name",
    }
}
