//! Lowering `scenario` blocks: sign-in facts resolved to ids ([`whatif::SignIn`]) and
//! expectations ([`whatif::Expectation`]). Scenario problems are diagnostics like any other:
//! unknown names and values, contradictory facts (`E0500`), unknown expectations and policy
//! names (`E0501`).

use super::names::{Names, is_context};
use super::values::{self, lookup};
use crate::ast::{self, Expect, Fact, GrantOp, Ref, TargetKind, TargetValue};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::model::Operator;
use crate::ir;
use crate::source::{Span, Spanned};
use crate::symbols::Kind;
use crate::whatif::{
    self, AuthFlow, ControlExpr, DeviceFact, Frequency, GuestFact, InsiderRisk, LocationFact,
    SignIn, Target,
};
use std::collections::{BTreeMap, HashSet};

/// The single-use key of a did-fact, for "given twice".
fn did_word(what: &str) -> &'static str {
    match what {
        "methods" => "methods",
        "terms-accepted" => "terms-accepted",
        "app-protection" => "app-protection",
        "approved-app" => "approved-app",
        _ => "password-changed",
    }
}

/// An authentication method word (`fido2`, `microsoft-authenticator-push`), or `E0310` with the
/// closest method suggested. Also used by strength declarations (`allows …`).
pub fn method(v: &Spanned<Ref>, diags: &mut Diagnostics) -> Option<whatif::Method> {
    let text = v.text();
    if let Some(m) = v.ident().and_then(whatif::Method::from_word) {
        return Some(m);
    }
    let help = match whatif::Method::from_graph(text) {
        Some(m) => format!("write Graph's `{text}` in kebab-case: `{}`", m.word()),
        None => {
            let close = crate::diag::did_you_mean(text, whatif::METHODS.iter().map(|m| m.0));
            crate::diag::suggestion_text(&close).unwrap_or_else(|| {
                "methods are Graph's authentication method modes in kebab-case: `password`, `fido2`, `windows-hello-for-business`, `microsoft-authenticator-push`, … (`capol explain E0310` lists them)".into()
            })
        }
    };
    let d = Diagnostic::new("E0310", format!("unknown authentication method `{text}`"))
        .at(v.span, "not an authentication method")
        .help(help);
    diags.push(d);
    None
}

pub struct ScenarioLowerer<'a, 'l> {
    pub names: &'a Names<'l>,
    pub diags: &'a mut Diagnostics,
    pub policy_names: &'a HashSet<String>,
}

/// Remembers where a single-valued fact was first given.
#[derive(Default)]
pub(super) struct Seen {
    facts: Vec<(&'static str, Span)>,
}

impl ScenarioLowerer<'_, '_> {
    pub fn scenario(&mut self, s: &ast::Scenario) -> ir::Scenario {
        let mut sign_in = SignIn::default();
        let mut expects = Vec::new();
        let mut seen = Seen::default();
        for fact in &s.facts {
            let span = fact.span;
            match &fact.node {
                Fact::User(r) => {
                    if self.once(&mut seen, "user", span) {
                        sign_in.user = Some(self.user_id(r));
                    }
                }
                Fact::MemberOf(targets) => self.member_of(&mut sign_in, targets),
                Fact::Device(attrs) => {
                    if self.once(&mut seen, "device", span) {
                        let map = self.attributes(attrs, crate::filter::Subject::Device);
                        sign_in.device = Some(DeviceFact::Attributes(map));
                    }
                }
                Fact::Attributes {
                    service_principal,
                    attrs,
                } => {
                    let what = if *service_principal {
                        "service-principal-attributes"
                    } else {
                        "app-attributes"
                    };
                    if self.once(&mut seen, what, span) {
                        let subject = if *service_principal {
                            crate::filter::Subject::ServicePrincipal
                        } else {
                            crate::filter::Subject::Application
                        };
                        let map = self.attributes(attrs, subject);
                        if *service_principal {
                            sign_in.service_principal_attributes = Some(map);
                        } else {
                            sign_in.app_attributes = Some(map);
                        }
                    }
                }
                Fact::Simple { kind, values } => {
                    self.simple(&mut sign_in, &mut seen, kind, values, span)
                }
                Fact::Did { what, values } => {
                    if self.once(&mut seen, did_word(&what.node), span) {
                        self.did(&mut sign_in, what, values);
                    }
                }
                Fact::Expect(e) => {
                    if let Some(x) = self.expectation(e, span) {
                        expects.push(Spanned::new(x, span));
                    }
                }
                // Assert-only facts; the grammar keeps them out of scenarios.
                Fact::NotMemberOf(_) | Fact::Member | Fact::AnyOtherApp => {}
            }
        }
        if sign_in.user.is_some() && sign_in.service_principal.is_some() {
            self.diags.push(
                Diagnostic::new(
                    "E0500",
                    "a sign-in is by a user or by a service principal, not both",
                )
                .at(s.name.span, "contradictory facts")
                .help("keep `user …` or `service-principal …`"),
            );
        }
        if !s.facts.iter().any(|f| matches!(f.node, Fact::Expect(_))) {
            self.diags.push(
                Diagnostic::new(
                    "W0012",
                    format!("scenario `{}` expects nothing", s.name.node),
                )
                .at(s.name.span, "no `expect` line")
                .help("add `expect block`, `expect allow`, `expect require mfa`, …"),
            );
        }
        ir::Scenario {
            name: s.name.clone(),
            sign_in,
            expects,
            span: s.span,
        }
    }

    /// Attribute facts, checked like filter rules (names, value types), each attribute once;
    /// keys without their `device.` / `CustomSecurityAttribute.` prefix.
    pub(super) fn attributes(
        &mut self,
        attrs: &[(Spanned<String>, Spanned<Ref>)],
        subject: crate::filter::Subject,
    ) -> BTreeMap<String, String> {
        let prefix = match subject {
            crate::filter::Subject::Device => "device.",
            _ => "CustomSecurityAttribute.",
        };
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        let mut seen: Vec<(String, Span)> = Vec::new();
        for (k, v) in attrs {
            let bare = k.node.strip_prefix(prefix).unwrap_or(&k.node).to_string();
            let value = v.text();
            // Checked as the rule `<attribute> -eq <value>` would be.
            let literal = match v.ident() {
                Some(b) if b.eq_ignore_ascii_case("true") || b.eq_ignore_ascii_case("false") => {
                    b.to_string()
                }
                _ => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
            };
            let rule = format!("{prefix}{bare} -eq {literal}");
            if let Err(errors) = crate::filter::parse(&rule, subject) {
                for e in errors {
                    let on_name = e.start < prefix.len() + bare.len();
                    let mut d =
                        Diagnostic::new("E0106", format!("invalid attribute fact: {}", e.message))
                            .at(if on_name { k.span } else { v.span }, e.message.clone());
                    if let Some(h) = e.help {
                        d = d.help(h);
                    }
                    self.diags.push(d);
                }
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(n, _)| n.eq_ignore_ascii_case(&bare)) {
                self.diags.push(
                    Diagnostic::new("E0500", format!("attribute `{bare}` is given twice"))
                        .at(k.span, "a second value")
                        .also(*first, "the first one")
                        .help("a device or app has one value per attribute; write several values of a list attribute in one string"),
                );
                continue;
            }
            seen.push((bare.clone(), k.span));
            map.insert(bare, value.to_string());
        }
        map
    }

    fn once(&mut self, seen: &mut Seen, what: &'static str, span: Span) -> bool {
        if let Some((_, first)) = seen.facts.iter().find(|(w, _)| *w == what) {
            self.diags.push(
                Diagnostic::new(
                    "E0500",
                    if what.contains(' ') {
                        format!("the scenario gives an {what} twice")
                    } else {
                        format!("the scenario gives `{what}` twice")
                    },
                )
                .at(span, "a second value")
                .also(*first, "the first one")
                .help("a sign-in has one of each; write a second scenario for the other case"),
            );
            return false;
        }
        seen.facts.push((what, span));
        true
    }

    /// A scenario user need not be declared: an unknown user is an ordinary member of the
    /// directory, identified by the name as written.
    pub(super) fn user_id(&mut self, r: &Spanned<Ref>) -> String {
        let mut scratch = Diagnostics::new();
        match self.names.resolve(Kind::User, r, &mut scratch) {
            Some(res) => res.id,
            None => {
                if let Ref::BadGuid(g) = &r.node {
                    self.diags.push(super::names::bad_guid(g, r.span));
                }
                format!("user:{}", r.text())
            }
        }
    }

    fn member_of(&mut self, s: &mut SignIn, targets: &[ast::Target]) {
        for t in targets {
            let TargetValue::Ref(r) = &t.value else {
                self.bad_member(t.span);
                continue;
            };
            match t.kind.node {
                TargetKind::Group => {
                    if let Some(res) = self.names.resolve(Kind::Group, r, self.diags) {
                        s.groups.push(res.id);
                    }
                }
                TargetKind::Role => {
                    if let Some(res) = self.names.resolve(Kind::Role, r, self.diags) {
                        s.roles.push(res.id);
                    }
                }
                _ => self.bad_member(t.span),
            }
        }
    }

    fn bad_member(&mut self, span: Span) {
        self.diags.push(
            Diagnostic::new("E0108", "`member-of` takes groups and roles")
                .at(span, "not a group or role")
                .help("write `member-of group Admins, role GlobalAdministrator`"),
        );
    }

    fn one<'r>(
        &mut self,
        kind: TargetKind,
        values: &'r [Spanned<Ref>],
        span: Span,
    ) -> Option<&'r Spanned<Ref>> {
        match values {
            [one] => Some(one),
            [] => None,
            [_, second, ..] => {
                self.diags.push(
                    Diagnostic::new("E0500", format!("a sign-in has one `{}`", kind.word()))
                        .at(
                            second.span.to(values[values.len() - 1].span),
                            "more than one value",
                        )
                        .also(span, "this fact")
                        .help("write a second scenario for the other value"),
                );
                None
            }
        }
    }

    pub(super) fn simple(
        &mut self,
        s: &mut SignIn,
        seen: &mut Seen,
        kind: &Spanned<TargetKind>,
        values: &[Spanned<Ref>],
        span: Span,
    ) {
        let k = kind.node;
        if k == TargetKind::Guests {
            if !self.once(seen, "guest", span) {
                return;
            }
            let mut g = GuestFact::default();
            for v in values {
                match &v.node {
                    Ref::Guid(t) => g.external_tenant = Some(t.clone()),
                    _ => {
                        if let Some(t) = lookup(values::GUEST_TYPES, "guest type", v, self.diags) {
                            g.types.push(t);
                        }
                    }
                }
            }
            s.guest = Some(g);
            return;
        }
        let word = match k {
            TargetKind::App | TargetKind::Action | TargetKind::Context => "app, action or context",
            TargetKind::ServicePrincipal => "service-principal",
            TargetKind::Platform => "platform",
            TargetKind::Client => "client",
            TargetKind::Location => "location",
            TargetKind::SignInRisk => "sign-in-risk",
            TargetKind::UserRisk => "user-risk",
            TargetKind::ServicePrincipalRisk => "service-principal-risk",
            TargetKind::InsiderRisk => "insider-risk",
            TargetKind::Device => "device",
            TargetKind::AuthFlow => "auth-flow",
            _ => {
                self.diags.push(
                    Diagnostic::new("E0108", format!("`{}` is not a sign-in fact", k.word()))
                        .at(kind.span, "not a fact")
                        .help("facts are user, member-of, guest, service-principal, app, action, context, platform, client, location, sign-in-risk, user-risk, service-principal-risk, insider-risk, device, auth-flow"),
                );
                return;
            }
        };
        let Some(v) = self.one(k, values, span) else {
            return;
        };
        if !self.once(seen, word, span) {
            return;
        }
        match k {
            TargetKind::App
                if v.ident() == Some("None")
                    || crate::check::names::app_group(&v.node).is_some() =>
            {
                self.diags.push(
                    Diagnostic::new("E0106", format!("a sign-in is to one app, and `{}` is a group of apps", v.text()))
                        .at(v.span, "not a single app")
                        .help("name one app of the group, such as `app ExchangeOnline` or `app \"Azure Portal\"`"),
                );
            }
            TargetKind::App => {
                if let Some(res) = self.names.resolve(Kind::App, v, self.diags) {
                    s.target = Some(Target::App(res.id));
                }
            }
            TargetKind::Action => {
                if let Some(urn) = lookup(values::ACTIONS, "user action", v, self.diags) {
                    s.target = Some(Target::Action(urn.to_string()));
                }
            }
            TargetKind::Context => {
                let id = match v.ident() {
                    Some(c) if is_context(c) => Some(c.to_string()),
                    _ => self
                        .names
                        .resolve(Kind::Context, v, self.diags)
                        .map(|r| r.id),
                };
                s.target = id.map(Target::Context);
            }
            TargetKind::ServicePrincipal => {
                let mut scratch = Diagnostics::new();
                let id = match self.names.resolve(Kind::ServicePrincipal, v, &mut scratch) {
                    Some(r) => r.id,
                    None => format!("service-principal:{}", v.text()),
                };
                s.service_principal = Some(id);
            }
            TargetKind::Platform => {
                s.platform = match v.ident() {
                    Some("unknown") => Some(whatif::Platform::All),
                    Some("any") => {
                        self.diags.push(
                            Diagnostic::new("E0106", "a sign-in comes from one platform, not `any`")
                                .at(v.span, "not a platform of a sign-in")
                                .help("write `platform windows` (or `unknown` for a platform Entra does not recognise)"),
                        );
                        None
                    }
                    _ => {
                        const SIGN_IN_PLATFORMS: &[(&str, whatif::Platform)] = &[
                            ("android", whatif::Platform::Android),
                            ("ios", whatif::Platform::Ios),
                            ("windows", whatif::Platform::Windows),
                            ("windows-phone", whatif::Platform::WindowsPhone),
                            ("macos", whatif::Platform::MacOs),
                            ("linux", whatif::Platform::Linux),
                            ("unknown", whatif::Platform::All),
                        ];
                        lookup(SIGN_IN_PLATFORMS, "platform", v, self.diags)
                    }
                };
            }
            TargetKind::Client => {
                s.client = lookup(values::CLIENTS, "client app type", v, self.diags)
            }
            TargetKind::Location => {
                s.location = match v.ident() {
                    Some("untrusted") => Some(LocationFact::Untrusted),
                    Some(w @ ("trusted" | "any")) => {
                        self.diags.push(
                            Diagnostic::new("E0106", format!("a sign-in comes from one place, not `{w}`"))
                                .at(v.span, "not a sign-in location")
                                .help("name the named location the address is in (`location HQ`), or write `location untrusted` for an address in none"),
                        );
                        None
                    }
                    _ => self
                        .names
                        .resolve(Kind::Location, v, self.diags)
                        .map(|r| LocationFact::Named(r.id)),
                };
            }
            TargetKind::SignInRisk => {
                s.sign_in_risk = lookup(values::RISKS, "risk level", v, self.diags)
            }
            TargetKind::UserRisk => {
                s.user_risk = lookup(values::RISKS, "risk level", v, self.diags)
            }
            TargetKind::ServicePrincipalRisk => {
                s.service_principal_risk = lookup(values::RISKS, "risk level", v, self.diags)
            }
            TargetKind::InsiderRisk => {
                const LEVELS: &[(&str, InsiderRisk)] = &[
                    ("none", InsiderRisk::None),
                    ("minor", InsiderRisk::Minor),
                    ("moderate", InsiderRisk::Moderate),
                    ("elevated", InsiderRisk::Elevated),
                ];
                s.insider_risk = lookup(LEVELS, "insider risk level", v, self.diags);
            }
            TargetKind::Device => {
                if v.ident() == Some("unregistered") {
                    s.device = Some(DeviceFact::Unregistered);
                } else {
                    self.diags.push(
                        Diagnostic::new("E0106", format!("unknown device fact `{}`", v.text()))
                            .at(v.span, "expected `unregistered` or attribute-value pairs")
                            .help("write `device unregistered` or `device trustType AzureAD, isCompliant True`"),
                    );
                }
            }
            TargetKind::AuthFlow => {
                const FLOWS: &[(&str, AuthFlow)] = &[
                    ("device-code", AuthFlow::DeviceCodeFlow),
                    ("authentication-transfer", AuthFlow::AuthenticationTransfer),
                    ("none", AuthFlow::None),
                ];
                s.auth_flow = lookup(FLOWS, "authentication flow", v, self.diags);
            }
            _ => {}
        }
    }

    pub(super) fn expectation(&mut self, e: &Expect, span: Span) -> Option<whatif::Expectation> {
        Some(match e {
            Expect::Block => whatif::Expectation::Block,
            Expect::Allow => whatif::Expectation::Allow,
            Expect::Satisfied => whatif::Expectation::Satisfied,
            Expect::Interrupt => whatif::Expectation::Interrupt,
            Expect::Require(g) => whatif::Expectation::Require(self.control_expr(g)?),
            Expect::Applies(n) | Expect::WouldApply(n) => {
                whatif::Expectation::Applies(self.policy_name(n)?)
            }
            Expect::Skips(n) => whatif::Expectation::Skips(self.policy_name(n)?),
            Expect::Session(item) => whatif::Expectation::Session(self.session(item)?),
            Expect::NotBlock | Expect::Unknown(_) => {
                let w = match e {
                    Expect::Unknown(w) => w.clone(),
                    _ => Spanned::new("not block".to_string(), span),
                };
                self.diags.push(
                    Diagnostic::new("E0501", format!("unknown expectation `{}`", w.node))
                        .at(if w.span == Span::default() { span } else { w.span }, "not an expectation")
                        .help("write `expect block`, `expect allow`, `expect satisfied`, `expect interrupt`, `expect require …`, `expect applies \"NAME\"`, `expect skips \"NAME\"` or `expect session …`"),
                );
                return None;
            }
        })
    }

    /// `methods …`, `terms-accepted …`, `app-protection`, `approved-app`, `password-changed`.
    fn did(&mut self, s: &mut SignIn, what: &Spanned<String>, values: &[Spanned<Ref>]) {
        let done = s.done.get_or_insert_with(Default::default);
        match what.node.as_str() {
            "methods" => {
                for v in values {
                    if let Some(m) = method(v, self.diags) {
                        done.methods.insert(m);
                    }
                }
            }
            "terms-accepted" => {
                for v in values {
                    if let Some(r) = self.names.resolve(Kind::Terms, v, self.diags) {
                        done.terms_accepted.push(r.id.to_ascii_lowercase());
                    }
                }
            }
            "app-protection" => done.app_protection = true,
            "approved-app" => done.approved_app = true,
            _ => done.password_changed = true,
        }
    }

    pub(super) fn policy_name(&mut self, n: &Spanned<String>) -> Option<String> {
        if self.policy_names.contains(&n.node) {
            return Some(n.node.clone());
        }
        let found =
            crate::diag::did_you_mean(&n.node, self.policy_names.iter().map(String::as_str));
        let mut d = Diagnostic::new("E0501", format!("no policy is named `{}`", n.node))
            .at(n.span, "unknown policy");
        d = d.help(
            crate::diag::suggestion_text(&found)
                .unwrap_or_else(|| "name a policy compiled together with this scenario".into()),
        );
        self.diags.push(d);
        None
    }

    fn control_expr(&mut self, g: &ast::GrantExpr) -> Option<ControlExpr> {
        let has_and = g.ops.iter().any(|o| o.node == GrantOp::And);
        let has_or = g.ops.iter().any(|o| o.node == GrantOp::Or);
        if has_and && has_or {
            let span = g.ops.first().map(|o| o.span).unwrap_or_default();
            self.diags.push(
                Diagnostic::new("E0201", "`and` and `or` are mixed in one expectation")
                    .at(span, "mixed operators")
                    .help("expect one operator: `expect require mfa and compliant-device`"),
            );
            return None;
        }
        let mut controls = Vec::new();
        for c in &g.controls {
            let control = match &c.node {
                ast::Control::Builtin(w) => {
                    let r = Spanned::new(Ref::Ident(w.clone()), c.span);
                    match lookup(values::CONTROLS, "grant control", &r, self.diags)? {
                        crate::graph::model::BuiltInControl::Block => {
                            self.diags.push(
                                Diagnostic::new("E0200", "`block` is not a requirement")
                                    .at(c.span, "write `expect block` instead")
                                    .help("`expect block` checks that the sign-in is blocked"),
                            );
                            return None;
                        }
                        b => whatif::Control::from_built_in(b)?,
                    }
                }
                ast::Control::Strength(r) => whatif::Control::strength(
                    &self.names.resolve(Kind::Strength, r, self.diags)?.id,
                ),
                ast::Control::Terms(r) => {
                    whatif::Control::terms(&self.names.resolve(Kind::Terms, r, self.diags)?.id)
                }
            };
            controls.push(control);
        }
        Some(ControlExpr {
            operator: if has_and { Operator::And } else { Operator::Or },
            controls,
        })
    }

    fn session(&mut self, item: &ast::SessionItem) -> Option<whatif::Session> {
        let mut probe = ir::Session::default();
        let mut lowerer = super::lower::Lowerer {
            names: self.names,
            diags: self.diags,
        };
        lowerer.session_item(&mut probe, item);
        let mut s = whatif::Session::default();
        if let Some(f) = probe.sign_in_frequency {
            s.sign_in_frequency = Some(match f.node {
                ir::SignInFrequency::Every => Frequency::EveryTime,
                ir::SignInFrequency::Time(v, u) => Frequency::from_clause(v, u),
            });
        }
        s.persistent_browser = probe.persistent_browser.map(|p| p.node);
        s.app_enforced_restrictions = probe.app_enforced_restrictions.is_some();
        s.token_protection = probe.token_protection.is_some();
        s.cloud_app_security = probe.cloud_app_security.map(|c| c.node);
        s.continuous_access_evaluation = probe.cae.map(|c| c.node);
        s.disable_resilience_defaults = probe.no_resilience_defaults.is_some();
        (!s.is_empty()).then_some(s)
    }
}
