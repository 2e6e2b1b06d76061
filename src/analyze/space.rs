//! The sign-in space the analysis quantifies over, cut into the classes the policies distinguish.
//!
//! In: compiled policies, the evaluation context and the constants an analysis question adds
//! (assert facts, emergency principals). Out: a [`Space`]: for every dimension of a sign-in the
//! representative values ("atoms") that policies or questions tell apart, each dimension encoded
//! in BDD variables (binary for a closed choice, one variable per group and role membership,
//! one per grant control for requirements).
//!
//! A dimension that no policy conditions collapses to one atom, "not given": the evaluator never
//! needs that fact, so leaving it out of a scenario is exact.

use super::attrs::{self, AttrSet};
use crate::graph::model::{FilterMode, Policy};
use crate::whatif::{
    AuthFlow, ClientAppType, Control, DeviceFact, EvalContext, GuestType, InsiderRisk,
    LocationFact, Platform, RiskLevel, Target,
};
use biodivine_lib_bdd::{Bdd, BddValuation, BddVariable, BddVariableSet};
use std::collections::{BTreeMap, BTreeSet};

/// An app id no policy names: "any other app".
pub const OTHER_APP: &str = "00000000-0000-0000-0000-0000000a0000";
/// A user no policy names.
pub const OTHER_USER: &str = "someone@example.com";
/// A service principal no policy names.
pub const OTHER_SP: &str = "00000000-0000-0000-0000-00000005e000";
/// A guest's home tenant that no policy names.
pub const OTHER_TENANT: &str = "00000000-0000-0000-0000-0000000e0000";
/// The legacy "MFA trusted IPs" location that `AllTrusted` includes.
pub const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";
pub const REGISTER_SECURITY_INFO: &str = "urn:user:registersecurityinfo";
pub const REGISTER_DEVICE: &str = "urn:user:registerdevice";

/// Who signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdKind {
    User,
    ServicePrincipal,
}

/// One closed dimension: its atoms and the variables that encode the atom's index in binary.
#[derive(Clone, Debug)]
pub struct Dim<T> {
    pub values: Vec<T>,
    pub bits: Vec<BddVariable>,
}

impl<T: PartialEq> Dim<T> {
    fn new(values: Vec<T>) -> Self {
        Dim {
            values,
            bits: Vec::new(),
        }
    }
    fn width(&self) -> usize {
        let mut w = 0;
        while (1usize << w) < self.values.len() {
            w += 1;
        }
        w
    }
    /// The atom with this index.
    pub fn is(&self, vars: &BddVariableSet, index: usize) -> Bdd {
        let mut b = vars.mk_true();
        for (bit, v) in self.bits.iter().enumerate() {
            b = b.and(&vars.mk_literal(*v, index >> bit & 1 == 1));
        }
        b
    }
    /// The atoms that satisfy `pred`.
    pub fn any(&self, vars: &BddVariableSet, pred: impl Fn(&T) -> bool) -> Bdd {
        let mut b = vars.mk_false();
        for (i, v) in self.values.iter().enumerate() {
            if pred(v) {
                b = b.or(&self.is(vars, i));
            }
        }
        b
    }
    /// The atoms whose index is in `set`.
    pub fn indices(&self, vars: &BddVariableSet, set: &[bool]) -> Bdd {
        let mut b = vars.mk_false();
        for (i, on) in set.iter().enumerate() {
            if *on && i < self.values.len() {
                b = b.or(&self.is(vars, i));
            }
        }
        b
    }
    /// Only codes that name an atom.
    fn valid(&self, vars: &BddVariableSet) -> Bdd {
        self.any(vars, |_| true)
    }
    /// The atom a valuation picks.
    pub fn decode(&self, v: &BddValuation) -> Option<&T> {
        let mut index = 0usize;
        for (bit, var) in self.bits.iter().enumerate() {
            if v.value(*var) {
                index |= 1 << bit;
            }
        }
        self.values.get(index)
    }
    pub fn index_of(&self, value: &T) -> Option<usize> {
        self.values.iter().position(|v| v == value)
    }
}

/// Every dimension of a sign-in.
pub struct Space {
    pub vars: BddVariableSet,
    pub kind: Dim<IdKind>,
    /// `None`: no policy names users, so the scenario names none.
    pub user: Dim<Option<String>>,
    /// `None`: a member of the directory.
    pub user_type: Dim<Option<GuestType>>,
    pub tenant: Dim<Option<String>>,
    pub sp: Dim<Option<String>>,
    pub sp_attrs: Dim<Option<BTreeMap<String, String>>>,
    pub target: Dim<Target>,
    pub app_attrs: Dim<Option<BTreeMap<String, String>>>,
    pub platform: Dim<Option<Platform>>,
    pub client: Dim<Option<ClientAppType>>,
    pub location: Dim<Option<LocationFact>>,
    pub sign_in_risk: Dim<Option<RiskLevel>>,
    pub user_risk: Dim<Option<RiskLevel>>,
    pub sp_risk: Dim<Option<RiskLevel>>,
    pub insider: Dim<Option<InsiderRisk>>,
    pub device: Dim<Option<DeviceFact>>,
    pub flow: Dim<Option<AuthFlow>>,
    /// Group ids and their membership variable.
    pub groups: Vec<(String, BddVariable)>,
    pub roles: Vec<(String, BddVariable)>,
    /// Grant controls (for `require` questions), each "done or not".
    pub controls: Vec<(Control, BddVariable)>,
    /// Labels of the apps that stand for the rest of a keyword's members.
    pub app_labels: BTreeMap<String, String>,
    /// Every valuation that names a sign-in.
    pub valid: Bdd,
}

/// Members of the app groupings the policies use (`Office365`, `MicrosoftAdminPortals`, the
/// Azure management grouping) that no policy names: one app per combination of groupings that
/// covers it stands for all of them. Returns each representative's label.
fn bundle_representatives(
    apps: &mut BTreeSet<String>,
    keywords: &BTreeSet<String>,
) -> BTreeMap<String, String> {
    use crate::whatif::bundles;
    let mut entries: Vec<&str> = keywords.iter().map(String::as_str).collect();
    if apps
        .iter()
        .any(|a| a.eq_ignore_ascii_case(bundles::AZURE_MANAGEMENT))
    {
        entries.push(bundles::AZURE_MANAGEMENT);
    }
    let members = bundles::OFFICE_365
        .iter()
        .chain(bundles::ADMIN_PORTALS)
        .chain(bundles::AZURE_MANAGEMENT_MEMBERS);
    let mut seen: Vec<Vec<bool>> = Vec::new();
    let mut labels = BTreeMap::new();
    for (id, name) in members {
        if apps.iter().any(|a| a.eq_ignore_ascii_case(id)) {
            continue;
        }
        let signature: Vec<bool> = entries.iter().map(|e| bundles::covers(e, id)).collect();
        if !signature.iter().any(|b| *b) || seen.contains(&signature) {
            continue;
        }
        seen.push(signature.clone());
        let groups: Vec<&str> = entries
            .iter()
            .zip(&signature)
            .filter(|(_, on)| **on)
            .map(|(e, _)| match *e {
                "Office365" => "Office365",
                "MicrosoftAdminPortals" => "admin portals",
                _ => "Azure management",
            })
            .collect();
        labels.insert(
            id.to_string(),
            format!("other {} apps ({name})", groups.join(" and ")),
        );
        apps.insert(id.to_string());
    }
    labels
}

/// What an analysis question adds to the atoms the policies make.
#[derive(Clone, Debug, Default)]
pub struct Extra {
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    pub roles: BTreeSet<String>,
    pub sps: BTreeSet<String>,
    pub apps: BTreeSet<String>,
    pub contexts: BTreeSet<String>,
    pub locations: BTreeSet<String>,
    pub tenants: BTreeSet<String>,
    pub controls: Vec<Control>,
    pub devices: Vec<BTreeMap<String, String>>,
    /// Facts a question restricts, so that the dimension is kept even if no policy uses it.
    pub platform: bool,
    pub client: bool,
    pub sign_in_risk: bool,
    pub user_risk: bool,
    pub sp_risk: bool,
    pub insider: bool,
    pub device: bool,
    pub flow: bool,
    pub service_principal: bool,
}

const PLATFORMS: [Platform; 7] = [
    Platform::Android,
    Platform::Ios,
    Platform::Windows,
    Platform::WindowsPhone,
    Platform::MacOs,
    Platform::Linux,
    Platform::All,
];
const CLIENTS: [ClientAppType; 4] = [
    ClientAppType::Browser,
    ClientAppType::MobileAppsAndDesktopClients,
    ClientAppType::ExchangeActiveSync,
    ClientAppType::Other,
];
const RISKS: [RiskLevel; 4] = [
    RiskLevel::None,
    RiskLevel::Low,
    RiskLevel::Medium,
    RiskLevel::High,
];
const INSIDER: [InsiderRisk; 4] = [
    InsiderRisk::None,
    InsiderRisk::Minor,
    InsiderRisk::Moderate,
    InsiderRisk::Elevated,
];
const FLOWS: [AuthFlow; 3] = [
    AuthFlow::None,
    AuthFlow::DeviceCodeFlow,
    AuthFlow::AuthenticationTransfer,
];

fn closed<T: Copy>(used: bool, all: &[T]) -> Vec<Option<T>> {
    if used {
        all.iter().copied().map(Some).collect()
    } else {
        vec![None]
    }
}

fn insert_id(set: &mut BTreeSet<String>, id: &str) {
    if !set.iter().any(|x| x.eq_ignore_ascii_case(id)) {
        set.insert(id.to_string());
    }
}

/// Why a space could not be built exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge(pub String);

impl Space {
    pub fn build(policies: &[Policy], ctx: &EvalContext, extra: &Extra) -> Result<Space, TooLarge> {
        let mut users = extra.users.clone();
        let mut groups = extra.groups.clone();
        let mut roles = extra.roles.clone();
        let mut tenants = extra.tenants.clone();
        let mut sps = extra.sps.clone();
        let mut apps = extra.apps.clone();
        let mut keywords: BTreeSet<String> = BTreeSet::new();
        let mut contexts = extra.contexts.clone();
        let mut locations = extra.locations.clone();
        let mut controls: Vec<Control> = extra.controls.clone();
        let (mut platform, mut client, mut location) = (extra.platform, extra.client, false);
        let (mut sir, mut ur, mut spr, mut insider, mut flow) = (
            extra.sign_in_risk,
            extra.user_risk,
            extra.sp_risk,
            extra.insider,
            extra.flow,
        );
        let mut workload = extra.service_principal || !extra.sps.is_empty();
        let mut names_users = !extra.users.is_empty();
        let mut device_rules = Vec::new();
        let mut app_rules = Vec::new();
        let mut sp_rules = Vec::new();
        let mut uses_trusted = false;
        for p in policies {
            let c = &p.conditions;
            if let Some(u) = &c.users {
                for id in u.include_users.iter().chain(&u.exclude_users) {
                    if !matches!(id.as_str(), "All" | "None" | "GuestsOrExternalUsers") {
                        insert_id(&mut users, id);
                        names_users = true;
                    }
                }
                for g in u.include_groups.iter().chain(&u.exclude_groups) {
                    insert_id(&mut groups, g);
                }
                for r in u.include_roles.iter().chain(&u.exclude_roles) {
                    insert_id(&mut roles, r);
                }
                for g in u
                    .include_guests_or_external_users
                    .iter()
                    .chain(&u.exclude_guests_or_external_users)
                {
                    if let Some(t) = &g.external_tenants
                        && t.membership_kind == "enumerated"
                    {
                        for m in &t.members {
                            insert_id(&mut tenants, m);
                        }
                    }
                }
            }
            if let Some(ca) = &c.client_applications {
                workload = workload
                    || !ca.include_service_principals.is_empty()
                    || ca.service_principal_filter.is_some();
                for s in ca
                    .include_service_principals
                    .iter()
                    .chain(&ca.exclude_service_principals)
                {
                    if s != "ServicePrincipalsInMyTenant" {
                        insert_id(&mut sps, s);
                    }
                }
                if let Some(f) = &ca.service_principal_filter {
                    sp_rules.push(f.rule.clone());
                }
            }
            let a = &c.applications;
            for id in a.include_applications.iter().chain(&a.exclude_applications) {
                match id.as_str() {
                    "All" | "None" => {}
                    k @ ("Office365" | "MicrosoftAdminPortals") => {
                        insert_id(&mut keywords, k);
                    }
                    id => insert_id(&mut apps, id),
                }
            }
            for x in &a.include_authentication_context_class_references {
                insert_id(&mut contexts, x);
            }
            if let Some(f) = &a.application_filter {
                app_rules.push(f.rule.clone());
            }
            if let Some(pl) = &c.platforms
                && !(pl.include_platforms.is_empty() && pl.exclude_platforms.is_empty())
            {
                platform = true;
            }
            if let Some(l) = &c.locations
                && !(l.include_locations.is_empty() && l.exclude_locations.is_empty())
            {
                location = true;
                for id in l.include_locations.iter().chain(&l.exclude_locations) {
                    match id.as_str() {
                        "All" => {}
                        "AllTrusted" => uses_trusted = true,
                        id => insert_id(&mut locations, id),
                    }
                }
            }
            if !(c.client_app_types.is_empty() || c.client_app_types.contains(&ClientAppType::All))
            {
                client = true;
            }
            sir |= !c.sign_in_risk_levels.is_empty();
            ur |= !c.user_risk_levels.is_empty();
            spr |= !c.service_principal_risk_levels.is_empty();
            insider |= c
                .insider_risk_levels
                .as_deref()
                .is_some_and(|l| !l.trim().is_empty());
            flow |= c
                .authentication_flows
                .as_ref()
                .is_some_and(|f| !f.transfer_methods.trim().is_empty());
            if let Some(f) = c.devices.as_ref().and_then(|d| d.device_filter.as_ref()) {
                device_rules.push(f.rule.clone());
            }
            for part in super::encode::grant_controls(p) {
                if !controls.contains(&part) {
                    controls.push(part);
                }
            }
            let _ = FilterMode::Include;
        }
        if uses_trusted {
            insert_id(&mut locations, MFA_TRUSTED_IPS);
            for t in &ctx.trusted_locations {
                insert_id(&mut locations, t);
            }
        }
        location |= !extra.locations.is_empty();
        let app_labels = bundle_representatives(&mut apps, &keywords);

        // Atoms.
        let kinds = if workload {
            vec![IdKind::User, IdKind::ServicePrincipal]
        } else {
            vec![IdKind::User]
        };
        let user_atoms: Vec<Option<String>> = if names_users {
            users
                .iter()
                .cloned()
                .map(Some)
                .chain([Some(OTHER_USER.to_string())])
                .collect()
        } else {
            vec![None]
        };
        let mut user_type = vec![None];
        user_type.extend(GuestType::ALL.into_iter().map(Some));
        let tenant_atoms: Vec<Option<String>> = if tenants.is_empty() {
            vec![None]
        } else {
            tenants
                .iter()
                .cloned()
                .map(Some)
                .chain([Some(OTHER_TENANT.to_string())])
                .collect()
        };
        let sp_atoms: Vec<Option<String>> = if workload {
            sps.iter()
                .cloned()
                .map(Some)
                .chain([Some(OTHER_SP.to_string())])
                .collect()
        } else {
            vec![None]
        };
        let mut targets: Vec<Target> = apps.iter().map(|a| Target::App(a.clone())).collect();
        targets.push(Target::App(OTHER_APP.into()));
        targets.push(Target::Action(REGISTER_SECURITY_INFO.into()));
        targets.push(Target::Action(REGISTER_DEVICE.into()));
        targets.extend(contexts.iter().map(|c| Target::Context(c.clone())));
        let loc_atoms: Vec<Option<LocationFact>> = if location {
            locations
                .iter()
                .map(|l| Some(LocationFact::Named(l.clone())))
                .chain([Some(LocationFact::Untrusted)])
                .collect()
        } else {
            vec![None]
        };
        let device_atoms = attrs::atoms(
            &device_rules,
            crate::filter::Subject::Device,
            &extra.devices,
            extra.device,
        )
        .map_err(TooLarge)?;
        let app_attr_atoms =
            attrs::atoms(&app_rules, crate::filter::Subject::Application, &[], false)
                .map_err(TooLarge)?;
        let sp_attr_atoms = attrs::atoms(
            &sp_rules,
            crate::filter::Subject::ServicePrincipal,
            &[],
            false,
        )
        .map_err(TooLarge)?;

        let mut space = Space {
            vars: BddVariableSet::new_anonymous(0),
            kind: Dim::new(kinds),
            user: Dim::new(user_atoms),
            user_type: Dim::new(user_type),
            tenant: Dim::new(tenant_atoms),
            sp: Dim::new(sp_atoms),
            sp_attrs: Dim::new(to_maps(sp_attr_atoms)),
            target: Dim::new(targets),
            app_attrs: Dim::new(to_maps(app_attr_atoms)),
            platform: Dim::new(closed(platform, &PLATFORMS)),
            client: Dim::new(closed(client, &CLIENTS)),
            location: Dim::new(loc_atoms),
            sign_in_risk: Dim::new(closed(sir, &RISKS)),
            user_risk: Dim::new(closed(ur, &RISKS)),
            sp_risk: Dim::new(closed(spr, &RISKS)),
            insider: Dim::new(closed(insider, &INSIDER)),
            device: Dim::new(device_atoms),
            flow: Dim::new(closed(flow, &FLOWS)),
            groups: Vec::new(),
            roles: Vec::new(),
            controls: Vec::new(),
            app_labels,
            valid: BddVariableSet::new_anonymous(0).mk_true(),
        };
        space.allocate(&groups, &roles, controls)?;
        Ok(space)
    }

    /// Give every dimension its variables: closed dimensions first, then memberships, then
    /// controls (quantified away last).
    fn allocate(
        &mut self,
        groups: &BTreeSet<String>,
        roles: &BTreeSet<String>,
        controls: Vec<Control>,
    ) -> Result<(), TooLarge> {
        let widths = [
            self.kind.width(),
            self.user.width(),
            self.user_type.width(),
            self.tenant.width(),
            self.sp.width(),
            self.sp_attrs.width(),
            self.target.width(),
            self.app_attrs.width(),
            self.platform.width(),
            self.client.width(),
            self.location.width(),
            self.sign_in_risk.width(),
            self.user_risk.width(),
            self.sp_risk.width(),
            self.insider.width(),
            self.device.width(),
            self.flow.width(),
        ];
        let total = widths.iter().sum::<usize>() + groups.len() + roles.len() + controls.len();
        let n = u16::try_from(total)
            .ok()
            .filter(|n| *n < 30_000)
            .ok_or_else(|| {
                TooLarge(format!(
                    "the policies distinguish {total} facts, more than the analysis handles"
                ))
            })?;
        self.vars = BddVariableSet::new_anonymous(n);
        let all = self.vars.variables();
        let mut next = all.into_iter();
        let mut take = |w: usize| -> Vec<BddVariable> { next.by_ref().take(w).collect() };
        self.kind.bits = take(widths[0]);
        self.user.bits = take(widths[1]);
        self.user_type.bits = take(widths[2]);
        self.tenant.bits = take(widths[3]);
        self.sp.bits = take(widths[4]);
        self.sp_attrs.bits = take(widths[5]);
        self.target.bits = take(widths[6]);
        self.app_attrs.bits = take(widths[7]);
        self.platform.bits = take(widths[8]);
        self.client.bits = take(widths[9]);
        self.location.bits = take(widths[10]);
        self.sign_in_risk.bits = take(widths[11]);
        self.user_risk.bits = take(widths[12]);
        self.sp_risk.bits = take(widths[13]);
        self.insider.bits = take(widths[14]);
        self.device.bits = take(widths[15]);
        self.flow.bits = take(widths[16]);
        self.groups = groups.iter().cloned().zip(take(groups.len())).collect();
        self.roles = roles.iter().cloned().zip(take(roles.len())).collect();
        let cvars = take(controls.len());
        self.controls = controls.into_iter().zip(cvars).collect();
        let v = &self.vars;
        self.valid = self
            .kind
            .valid(v)
            .and(&self.user.valid(v))
            .and(&self.user_type.valid(v))
            .and(&self.tenant.valid(v))
            .and(&self.sp.valid(v))
            .and(&self.sp_attrs.valid(v))
            .and(&self.target.valid(v))
            .and(&self.app_attrs.valid(v))
            .and(&self.platform.valid(v))
            .and(&self.client.valid(v))
            .and(&self.location.valid(v))
            .and(&self.sign_in_risk.valid(v))
            .and(&self.user_risk.valid(v))
            .and(&self.sp_risk.valid(v))
            .and(&self.insider.valid(v))
            .and(&self.device.valid(v))
            .and(&self.flow.valid(v));
        Ok(())
    }

    pub fn group_var(&self, id: &str) -> Option<BddVariable> {
        self.groups
            .iter()
            .find(|(g, _)| g.eq_ignore_ascii_case(id))
            .map(|(_, v)| *v)
    }

    pub fn role_var(&self, id: &str) -> Option<BddVariable> {
        self.roles
            .iter()
            .find(|(r, _)| r.eq_ignore_ascii_case(id))
            .map(|(_, v)| *v)
    }

    pub fn control_vars(&self) -> Vec<BddVariable> {
        self.controls.iter().map(|(_, v)| *v).collect()
    }

    /// User sign-ins (members and guests).
    pub fn users(&self) -> Bdd {
        self.kind.any(&self.vars, |k| *k == IdKind::User)
    }

    /// Members of the directory (not guests), signing in as users.
    pub fn members(&self) -> Bdd {
        self.users()
            .and(&self.user_type.any(&self.vars, Option::is_none))
    }

    /// Guests and external users.
    pub fn guests(&self) -> Bdd {
        self.users()
            .and(&self.user_type.any(&self.vars, Option::is_some))
    }
}

fn to_maps(atoms: Vec<Option<DeviceFact>>) -> Vec<Option<BTreeMap<String, String>>> {
    atoms
        .into_iter()
        .map(|a| match a {
            None => None,
            Some(DeviceFact::Unregistered) => Some(BTreeMap::new()),
            Some(DeviceFact::Attributes(m)) => Some(m),
        })
        .collect()
}

/// Attribute atoms come back as device facts; the unused type parameter keeps `AttrSet` visible.
#[allow(dead_code)]
fn _attr_set(_: AttrSet) {}
