//! Names for the ids an import meets, and the declarations that bind them.
//!
//! In: ids with their kind and the JSON key they were found under; display names known from
//! `capol.lock` or the tenant ([`NameHints`]). Out: a reference for each id (the same one for
//! every policy of one import) and the declarations for `names.capol`.
//!
//! The rules (also in `docs/adopt.md`):
//!
//! 1. Ids of the built-in catalogues are written by their catalogue name and not declared:
//!    `AzureServiceManagement`, `GlobalAdministrator`, `phishing-resistant-mfa`.
//! 2. Any other id gets a declaration named after the object's display name when it is known:
//!    its words in PascalCase (`Break Glass Accounts` → `BreakGlassAccounts`), or, when that is
//!    not a plain ASCII identifier, the display name quoted (`"Équipe sécurité"`).
//! 3. Otherwise the name says where the id was first met: `Group1`, `ExcludedGroup1`,
//!    `Location1`, `ExcludedApp2`, `Terms1`, … Two well-known named locations have fixed names:
//!    `MfaTrustedIps` (`00000000-…-000000000000`) and `AllCompliantNetworkLocations`.
//! 4. A name already taken (by another id, a catalogue name of that kind, or a keyword value
//!    such as `None` or `trusted`) gets the next free number: `BreakGlassAccounts2`.

use crate::ast::{Declaration, Ref};
use crate::source::{Span, Spanned};
use crate::symbols::lock::LockFile;
use crate::symbols::{Kind, catalog};
use crate::syntax::is_bare_name;
use std::collections::{HashMap, HashSet};

/// Display names of directory objects by kind and id, from `capol.lock` or a tenant.
#[derive(Clone, Debug, Default)]
pub struct NameHints {
    names: HashMap<(Kind, String), String>,
    trusted: HashSet<String>,
}

impl NameHints {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record the display name of the object `id` of `kind`.
    pub fn insert(&mut self, kind: Kind, id: &str, display_name: &str) {
        self.names
            .insert((kind, id.to_ascii_lowercase()), display_name.to_string());
    }

    /// Record that the named location `id` is marked trusted.
    pub fn set_trusted(&mut self, id: &str) {
        self.trusted.insert(id.to_ascii_lowercase());
    }

    /// Every entry of a lock file: its display name when it has one, else its key (for a user
    /// known by UPN, the part before `@`).
    pub fn from_lock(lock: &LockFile) -> Self {
        let mut h = NameHints::new();
        for (kind, entries) in &lock.entries {
            for (key, e) in entries {
                let name = match &e.display_name {
                    Some(d) if !d.trim().is_empty() => d.clone(),
                    _ => key.split('@').next().unwrap_or(key).to_string(),
                };
                h.insert(*kind, &e.id, &name);
                if *kind == Kind::Location && e.trusted == Some(true) {
                    h.set_trusted(&e.id);
                }
            }
        }
        h
    }

    pub fn get(&self, kind: Kind, id: &str) -> Option<&str> {
        self.names
            .get(&(kind, id.to_ascii_lowercase()))
            .map(String::as_str)
    }
}

/// Words that are values in some list and must never name a declared object.
const RESERVED: [&str; 9] = [
    "all",
    "none",
    "any",
    "trusted",
    "alltrusted",
    "guestsorexternalusers",
    "office365",
    "microsoftadminportals",
    "serviceprincipalsinmytenant",
];

/// Named locations that exist in every tenant under a fixed id.
const WELL_KNOWN_LOCATIONS: [(&str, &str); 2] = [
    ("00000000-0000-0000-0000-000000000000", "MfaTrustedIps"),
    (
        "3d46dbda-8382-466a-856d-eb00cbc6b910",
        "AllCompliantNetworkLocations",
    ),
];

/// The names given during one import.
#[derive(Clone, Debug, Default)]
pub(crate) struct Namer {
    hints: NameHints,
    assigned: HashMap<(Kind, String), Ref>,
    taken: HashSet<String>,
    counters: HashMap<String, usize>,
    decls: Vec<(Kind, Ref, String)>,
}

impl Namer {
    pub fn new(hints: NameHints) -> Self {
        Namer {
            hints,
            ..Default::default()
        }
    }

    /// The reference for `id` (a GUID) of `kind`, first met under `context` (`ExcludedGroup`).
    /// `inline` is a display name found in the policy itself (an expanded strength object).
    pub fn name(&mut self, kind: Kind, id: &str, context: &str, inline: Option<&str>) -> Ref {
        let id = id.to_ascii_lowercase();
        if let Some(r) = self.assigned.get(&(kind, id.clone())) {
            return r.clone();
        }
        if let Some(r) = builtin(kind, &id) {
            return r;
        }
        let known = self
            .hints
            .get(kind, &id)
            .map(str::to_string)
            .or_else(|| inline.map(str::to_string))
            // A catalogue app that has no built-in name (a client app such as Graph Explorer)
            // is declared under its display name.
            .or_else(|| {
                (kind == Kind::App)
                    .then(|| catalog::client_app_by_id(&id))
                    .flatten()
            })
            .or_else(|| {
                WELL_KNOWN_LOCATIONS
                    .iter()
                    .find(|(l, _)| kind == Kind::Location && *l == id)
                    .map(|(_, n)| n.to_string())
            });
        let r = match known.and_then(|d| from_display(&d)) {
            Some(base) => self.unique(kind, base),
            None => self.generated(kind, context),
        };
        self.taken.insert(r.text().to_lowercase());
        self.assigned.insert((kind, id.clone()), r.clone());
        self.decls.push((kind, r.clone(), id));
        r
    }

    fn free(&self, kind: Kind, name: &str) -> bool {
        let lower = name.to_lowercase();
        let catalogue = match kind {
            Kind::App => catalog::app(name).is_some(),
            Kind::Role => catalog::role(name).is_some(),
            Kind::Strength => catalog::strength(name).is_some(),
            _ => false,
        };
        !self.taken.contains(&lower) && !RESERVED.contains(&lower.as_str()) && !catalogue
    }

    fn unique(&self, kind: Kind, base: Ref) -> Ref {
        if self.free(kind, base.text()) {
            return base;
        }
        (2..)
            .map(|n| match &base {
                Ref::Quoted(s) => Ref::Quoted(format!("{s} {n}")),
                other => Ref::Ident(format!("{}{n}", other.text())),
            })
            .find(|r| self.free(kind, r.text()))
            .unwrap_or(base)
    }

    fn generated(&mut self, kind: Kind, context: &str) -> Ref {
        let counter = self.counters.entry(context.to_string()).or_insert(0);
        loop {
            *counter += 1;
            let name = format!("{context}{}", *counter);
            let lower = name.to_lowercase();
            let catalogue = match kind {
                Kind::App => catalog::app(&name).is_some(),
                Kind::Role => catalog::role(&name).is_some(),
                _ => false,
            };
            if !self.taken.contains(&lower) && !catalogue {
                return Ref::Ident(name);
            }
        }
    }

    /// The declarations, by kind (in the order of [`Kind::ALL`]) and then by name, numbers in
    /// numeric order (`Group2` before `Group10`).
    pub fn declarations(&self) -> Vec<Declaration> {
        let mut list: Vec<&(Kind, Ref, String)> = self.decls.iter().collect();
        list.sort_by(|a, b| {
            let rank = |k: Kind| Kind::ALL.iter().position(|x| *x == k).unwrap_or(0);
            (rank(a.0), natural(a.1.text())).cmp(&(rank(b.0), natural(b.1.text())))
        });
        list.into_iter()
            .map(|(kind, name, id)| Declaration {
                kind: Spanned::new(*kind, Span::default()),
                name: Spanned::new(name.clone(), Span::default()),
                value: Spanned::new(Ref::Guid(id.clone()), Span::default()),
                trusted: (*kind == Kind::Location && self.hints.trusted.contains(id))
                    .then(Span::default),
                allows: Vec::new(),
                span: Span::default(),
            })
            .collect()
    }
}

/// A sort key that orders trailing numbers by value.
fn natural(s: &str) -> (String, u64, String) {
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = s.split_at(s.len() - digits);
    (stem.to_lowercase(), num.parse().unwrap_or(0), s.to_string())
}

/// The catalogue name of a built-in id, when it reads back to the same id.
fn builtin(kind: Kind, id: &str) -> Option<Ref> {
    let back = |name: &str, k: Kind| -> bool {
        match k {
            Kind::App => catalog::app(name).is_some_and(|a| a.app_id.eq_ignore_ascii_case(id)),
            Kind::Role => {
                catalog::role(name).is_some_and(|r| r.template_id.eq_ignore_ascii_case(id))
            }
            Kind::Strength => catalog::strength(name).is_some_and(|s| s.id == id),
            _ => false,
        }
    };
    let candidates: Vec<String> = match kind {
        Kind::App => catalog::app_by_id(id)
            .map(|a| vec![a.ident.clone(), a.display_name.clone()])
            .unwrap_or_default(),
        Kind::Role => catalog::role_by_id(id)
            .map(|r| vec![r.ident.clone(), r.display_name.clone()])
            .unwrap_or_default(),
        Kind::Strength => catalog::strength_by_id(id)
            .map(|s| vec![s.ident.to_string()])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    candidates.into_iter().find(|c| back(c, kind)).map(|c| {
        if is_bare_name(&c) {
            Ref::Ident(c)
        } else {
            Ref::Quoted(c)
        }
    })
}

/// A name from a display name: PascalCase words when the name is plain ASCII and that makes an
/// identifier, else the display name quoted.
fn from_display(display: &str) -> Option<Ref> {
    let display = display.trim();
    if display.is_empty() {
        return None;
    }
    if display.is_ascii() {
        let mut pascal = String::new();
        for word in display.split(|c: char| !c.is_ascii_alphanumeric()) {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                pascal.push(first.to_ascii_uppercase());
                pascal.extend(chars);
            }
        }
        if is_bare_name(&pascal) {
            return Some(Ref::Ident(pascal));
        }
    }
    Some(Ref::Quoted(display.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_not_declared() {
        let mut n = Namer::new(NameHints::new());
        let ga = n.name(Kind::Role, catalog::GLOBAL_ADMINISTRATOR, "Role", None);
        assert_eq!(ga, Ref::Ident("GlobalAdministrator".into()));
        let asm = n.name(
            Kind::App,
            "797F4846-BA00-4FD7-BA43-DAC1F8F63013",
            "App",
            None,
        );
        assert_eq!(asm, Ref::Ident("AzureServiceManagement".into()));
        let s = n.name(
            Kind::Strength,
            "00000000-0000-0000-0000-000000000004",
            "Strength",
            None,
        );
        assert_eq!(s, Ref::Ident("phishing-resistant-mfa".into()));
        assert!(n.declarations().is_empty());
    }

    #[test]
    fn hints_context_numbers_and_stability() {
        let mut hints = NameHints::new();
        hints.insert(
            Kind::Group,
            "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "Break Glass Accounts",
        );
        hints.insert(
            Kind::Group,
            "1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "Break-Glass accounts",
        );
        hints.insert(
            Kind::Group,
            "2b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "Équipe sécurité",
        );
        hints.insert(Kind::User, "3b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11", "None");
        let mut n = Namer::new(hints);
        let a = n.name(
            Kind::Group,
            "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "Group",
            None,
        );
        let b = n.name(
            Kind::Group,
            "1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "Group",
            None,
        );
        let c = n.name(
            Kind::Group,
            "2b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "Group",
            None,
        );
        let d = n.name(
            Kind::User,
            "3b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "User",
            None,
        );
        let e = n.name(
            Kind::Group,
            "4b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11",
            "ExcludedGroup",
            None,
        );
        let l = n.name(
            Kind::Location,
            "00000000-0000-0000-0000-000000000000",
            "ExcludedLocation",
            None,
        );
        assert_eq!(a, Ref::Ident("BreakGlassAccounts".into()));
        assert_eq!(b, Ref::Ident("BreakGlassAccounts2".into()));
        assert_eq!(c, Ref::Quoted("Équipe sécurité".into()));
        assert_eq!(d, Ref::Ident("None2".into()));
        assert_eq!(e, Ref::Ident("ExcludedGroup1".into()));
        assert_eq!(l, Ref::Ident("MfaTrustedIps".into()));
        let again = n.name(
            Kind::Group,
            "0B1D2B8E-6F55-4A1C-9A3E-3F6F1B0C9D11",
            "ExcludedGroup",
            None,
        );
        assert_eq!(again, a);
        let names: Vec<String> = n
            .declarations()
            .iter()
            .map(|d| d.name.text().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "None2",
                "BreakGlassAccounts",
                "BreakGlassAccounts2",
                "ExcludedGroup1",
                "Équipe sécurité",
                "MfaTrustedIps"
            ]
        );
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["Group10", "Group2", "Group1"];
        v.sort_by_key(|s| natural(s));
        assert_eq!(v, ["Group1", "Group2", "Group10"]);
    }
}
