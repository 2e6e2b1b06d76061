//! One named or enumerated item of a target list: users, groups, roles, apps, actions,
//! contexts, service principals, platforms, locations, and the enumerated conditions.

use super::{Lowerer, Side};
use crate::ast::{Ref, TargetKind};
use crate::check::names::{app_group, is_context};
use crate::check::values::{self, lookup};
use crate::ir::{self, AppTarget, LocationTarget, Principal, SpTarget, UserTarget};
use crate::source::{Span, Spanned};
use crate::symbols::Kind;

impl Lowerer<'_, '_> {
    pub(super) fn item(
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
                    Some("AllAgentIdUsers") if include => UserTarget::AllAgentIdUsers,
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
                let a = match (app_group(&r.node), word) {
                    (Some(g), _) => AppTarget::Keyword(g.to_string()),
                    (None, Some(k @ "AllAgentIdResources")) => AppTarget::Keyword(k.to_string()),
                    (None, Some("None")) if include => AppTarget::None,
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
            TargetKind::AgentIdentity | TargetKind::AgentUser => {
                let k = kind.object_kind().unwrap_or(Kind::ServicePrincipal);
                let Some(res) = self.names.resolve(k, r, self.diags) else {
                    return;
                };
                let a = &mut p.agents;
                let list = match (kind == TargetKind::AgentIdentity, include) {
                    (true, true) => &mut a.include_identities,
                    (true, false) => &mut a.exclude_identities,
                    (false, true) => &mut a.include_users,
                    (false, false) => &mut a.exclude_users,
                };
                let t = SpTarget::Sp(res.id);
                if !list.iter().any(|x| x.node == t) {
                    list.push(Spanned::new(t, span));
                }
            }
            TargetKind::AgentRisk => push_enum(
                &mut p.agents.risk,
                lookup(values::AGENT_RISKS, "agent risk level", r, self.diags),
                span,
            ),
            TargetKind::AgentContext => push_enum(
                if include {
                    &mut p.agents.include_contexts
                } else {
                    &mut p.agents.exclude_contexts
                },
                lookup(values::AGENT_CONTEXTS, "agent context", r, self.diags),
                span,
            ),
            TargetKind::TrafficProfile => push_enum(
                &mut p.traffic_profiles,
                lookup(values::TRAFFIC_PROFILES, "traffic profile", r, self.diags),
                span,
            ),
            TargetKind::LegacyDeviceState | TargetKind::LegacyDevice => {
                let l = &mut p.legacy_devices;
                let list = match (kind == TargetKind::LegacyDeviceState, include) {
                    (true, true) => &mut l.include_states,
                    (true, false) => &mut l.exclude_states,
                    (false, true) => &mut l.include_devices,
                    (false, false) => &mut l.exclude_devices,
                };
                push_enum(
                    list,
                    lookup(values::DEVICE_STATES, "legacy device state", r, self.diags),
                    span,
                );
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
}

fn push_enum<T: PartialEq>(list: &mut Vec<Spanned<T>>, v: Option<T>, span: Span) {
    if let Some(v) = v
        && !list.iter().any(|x| x.node == v)
    {
        list.push(Spanned::new(v, span));
    }
}

pub(super) fn what_value(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Platform => "a platform",
        TargetKind::Location => "a location",
        TargetKind::Client => "a client app type",
        TargetKind::SignInRisk | TargetKind::UserRisk | TargetKind::ServicePrincipalRisk => {
            "a risk level"
        }
        TargetKind::InsiderRisk => "an insider risk level",
        TargetKind::AgentRisk => "an agent risk level",
        TargetKind::TrafficProfile => "a traffic profile",
        TargetKind::LegacyDeviceState | TargetKind::LegacyDevice => "a legacy device state",
        TargetKind::AgentContext => "an agent context",
        TargetKind::AgentIdentity => "an agent identity (service principal object id)",
        TargetKind::AgentUser => "an agent user (user object id)",
        TargetKind::AuthFlow => "an authentication flow",
        TargetKind::Action => "a user action",
        TargetKind::Context => "an authentication context",
        TargetKind::Tenant => "a tenant id",
        _ => "a name",
    }
}

pub(super) fn example(kind: TargetKind) -> &'static str {
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
        TargetKind::AgentRisk => "high",
        TargetKind::TrafficProfile => "m365",
        TargetKind::LegacyDeviceState | TargetKind::LegacyDevice => "compliant",
        TargetKind::AgentContext => "user-sessions-from-endpoints",
        TargetKind::AuthFlow => "device-code",
        TargetKind::Action => "register-security-info",
        TargetKind::Context => "c1",
        _ => "Name",
    }
}
