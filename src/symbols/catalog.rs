//! The built-in catalogues compiled into the crate: first-party apps, built-in directory roles,
//! built-in authentication strengths, and the special keywords.
//!
//! In: `data/well-known-apps.json` and `data/directory-roles.json` (copied from the reference).
//! Out: look-ups by identifier, by display name and by id.

use serde::Deserialize;
use std::sync::OnceLock;

/// A first-party app that Conditional Access can target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// The identifier used in source (`AzureServiceManagement`).
    pub ident: String,
    /// Other identifiers accepted for it (the plain PascalCase of the display name, and of
    /// its portal names).
    pub aliases: Vec<String>,
    pub display_name: String,
    /// The Entra portal's other spellings, accepted quoted (`app "Azure Resource Manager"`).
    pub portal_names: Vec<&'static str>,
    pub app_id: String,
}

/// A group of apps Graph names with a keyword (`includeApplications: ["Office365"]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppGroup {
    /// The keyword, as written in source and in Graph JSON.
    pub ident: &'static str,
    /// How the Entra portal spells it, accepted quoted (`app "Office 365"`).
    pub portal_name: &'static str,
}

/// The app groups the language writes as keywords (`app Office365`).
pub const APP_GROUPS: [AppGroup; 2] = [
    AppGroup {
        ident: "Office365",
        portal_name: "Office 365",
    },
    AppGroup {
        ident: "MicrosoftAdminPortals",
        portal_name: "Microsoft Admin Portals",
    },
];

/// The Entra portal's current spellings of first-party apps where they differ from the
/// catalogue's display name (the service principal's name in today's tenants, or the product's
/// new name), by app id. Accepted quoted, and as PascalCase identifiers.
const PORTAL_NAMES: &[(&str, &str)] = &[
    (
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Azure Resource Manager",
    ),
    (
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Microsoft Azure Management",
    ),
    ("00000002-0000-0ff1-ce00-000000000000", "Exchange Online"),
    ("00000003-0000-0ff1-ce00-000000000000", "SharePoint Online"),
    ("00000005-0000-0ff1-ce00-000000000000", "Office 365 Yammer"),
    ("00000005-0000-0ff1-ce00-000000000000", "Yammer"),
    (
        "00000007-0000-0000-c000-000000000000",
        "Dynamics CRM Online",
    ),
    (
        "05a65629-4c1b-48c1-a78b-804c4abdd4af",
        "Microsoft Defender for Cloud Apps",
    ),
    ("7df0a125-d3be-4c96-aa54-591f83ff541c", "Power Automate"),
    ("09abbdfd-ed23-44ee-a2d9-a627aa1c90f3", "Microsoft Planner"),
    (
        "fc780465-2017-40d4-a0c5-307022471b92",
        "Microsoft Defender for Endpoint",
    ),
];

/// A built-in directory role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The display name without spaces (`GlobalAdministrator`).
    pub ident: String,
    pub display_name: String,
    pub template_id: String,
    pub privileged: bool,
}

/// A built-in authentication strength.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Strength {
    pub ident: &'static str,
    pub display_name: &'static str,
    pub id: &'static str,
    /// Higher is stronger: mfa 1, passwordless 2, phishing-resistant 3.
    pub rank: u8,
}

pub const STRENGTHS: [Strength; 3] = [
    Strength {
        ident: "mfa",
        display_name: "Multifactor authentication",
        id: "00000000-0000-0000-0000-000000000002",
        rank: 1,
    },
    Strength {
        ident: "passwordless-mfa",
        display_name: "Passwordless MFA",
        id: "00000000-0000-0000-0000-000000000003",
        rank: 2,
    },
    Strength {
        ident: "phishing-resistant-mfa",
        display_name: "Phishing resistant MFA",
        id: "00000000-0000-0000-0000-000000000004",
        rank: 3,
    },
];

/// The Global Administrator role template id (emergency accounts hold it).
pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
/// The Windows Azure Service Management API app id.
pub const AZURE_SERVICE_MANAGEMENT: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// Short identifiers the language fixes for some apps (LANGUAGE.md §2).
const APP_SHORT_NAMES: &[(&str, &str)] = &[
    (
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "AzureServiceManagement",
    ),
    ("00000002-0000-0ff1-ce00-000000000000", "ExchangeOnline"),
    ("00000003-0000-0ff1-ce00-000000000000", "SharePointOnline"),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawApp {
    name: String,
    app_id: String,
    kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRole {
    name: String,
    template_id: String,
    #[serde(default)]
    privileged: bool,
}

/// The display name in PascalCase, words in parentheses dropped:
/// `Windows Azure Active Directory (Azure AD Graph)` → `WindowsAzureActiveDirectory`.
pub fn pascal_case(display_name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for word in display_name.split(|c: char| c.is_whitespace() || c == '-' || c == '/' || c == '.')
    {
        let opens = word.matches('(').count();
        let closes = word.matches(')').count();
        let inside = depth > 0 || opens > 0;
        depth = (depth + opens).saturating_sub(closes);
        if inside {
            continue;
        }
        let mut chars = word.chars().filter(|c| c.is_alphanumeric());
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars);
        }
    }
    out
}

fn build_apps() -> Vec<App> {
    let raw: Vec<RawApp> =
        serde_json::from_str(include_str!("data/well-known-apps.json")).unwrap_or_default();
    raw.into_iter()
        .filter(|a| a.kind == "resource")
        .map(|a| {
            let plain = pascal_case(&a.name);
            let short = APP_SHORT_NAMES
                .iter()
                .find(|(id, _)| *id == a.app_id)
                .map(|(_, s)| s.to_string());
            let (ident, mut aliases) = match short {
                Some(s) if s != plain => (s, vec![plain]),
                _ => (plain, Vec::new()),
            };
            let portal_names: Vec<&'static str> = PORTAL_NAMES
                .iter()
                .filter(|(id, _)| *id == a.app_id)
                .map(|(_, n)| *n)
                .collect();
            for n in &portal_names {
                let p = pascal_case(n);
                if p != ident && !aliases.contains(&p) {
                    aliases.push(p);
                }
            }
            App {
                ident,
                aliases,
                display_name: a.name,
                portal_names,
                app_id: a.app_id,
            }
        })
        .collect()
}

fn build_roles() -> Vec<Role> {
    let raw: Vec<RawRole> =
        serde_json::from_str(include_str!("data/directory-roles.json")).unwrap_or_default();
    raw.into_iter()
        .map(|r| Role {
            ident: r.name.split_whitespace().collect(),
            display_name: r.name,
            template_id: r.template_id,
            privileged: r.privileged,
        })
        .collect()
}

pub fn apps() -> &'static [App] {
    static APPS: OnceLock<Vec<App>> = OnceLock::new();
    APPS.get_or_init(build_apps)
}

pub fn roles() -> &'static [Role] {
    static ROLES: OnceLock<Vec<Role>> = OnceLock::new();
    ROLES.get_or_init(build_roles)
}

/// An app by identifier (exact, then case-insensitive), alias, quoted display name or portal
/// name.
pub fn app(name: &str) -> Option<&'static App> {
    let all = apps();
    all.iter()
        .find(|a| a.ident == name || a.aliases.iter().any(|x| x == name) || a.display_name == name)
        .or_else(|| {
            all.iter().find(|a| {
                a.ident.eq_ignore_ascii_case(name)
                    || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(name))
                    || a.display_name.eq_ignore_ascii_case(name)
                    || short_display_name(&a.display_name).eq_ignore_ascii_case(name)
                    || a.portal_names.iter().any(|x| x.eq_ignore_ascii_case(name))
            })
        })
}

/// The app-group keyword a word names exactly (`Office365`), or a quoted text names in the
/// portal's spelling, case aside (`"Office 365"`, `"Microsoft Admin Portals"`).
pub fn app_group(text: &str, quoted: bool) -> Option<&'static AppGroup> {
    APP_GROUPS.iter().find(|g| {
        if quoted {
            g.portal_name.eq_ignore_ascii_case(text) || g.ident.eq_ignore_ascii_case(text)
        } else {
            g.ident == text
        }
    })
}

/// The display name without a trailing parenthesis: `Microsoft Cloud App Security` for
/// `Microsoft Cloud App Security (Defender for Cloud Apps)`.
pub fn short_display_name(name: &str) -> &str {
    match name.find(" (") {
        Some(i) if name.ends_with(')') => &name[..i],
        _ => name,
    }
}

/// A first-party client app (Azure CLI, Graph PowerShell, …) by app id: Conditional Access
/// cannot target it; policies apply to the resources it calls.
pub fn client_app_by_id(app_id: &str) -> Option<String> {
    static CLIENTS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    CLIENTS
        .get_or_init(|| {
            let raw: Vec<RawApp> =
                serde_json::from_str(include_str!("data/well-known-apps.json")).unwrap_or_default();
            raw.into_iter()
                .filter(|a| a.kind == "client")
                .map(|a| (a.app_id, a.name))
                .collect()
        })
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(app_id))
        .map(|(_, n)| n.clone())
}

pub fn app_by_id(app_id: &str) -> Option<&'static App> {
    apps()
        .iter()
        .find(|a| a.app_id.eq_ignore_ascii_case(app_id))
}

/// A role by name without spaces or by display name (exact, then case-insensitive).
pub fn role(name: &str) -> Option<&'static Role> {
    let all = roles();
    all.iter()
        .find(|r| r.ident == name || r.display_name == name)
        .or_else(|| {
            all.iter().find(|r| {
                r.ident.eq_ignore_ascii_case(name) || r.display_name.eq_ignore_ascii_case(name)
            })
        })
}

pub fn role_by_id(template_id: &str) -> Option<&'static Role> {
    roles()
        .iter()
        .find(|r| r.template_id.eq_ignore_ascii_case(template_id))
}

/// A built-in strength by identifier (`phishing-resistant-mfa`) or display name.
pub fn strength(name: &str) -> Option<&'static Strength> {
    STRENGTHS
        .iter()
        .find(|s| s.ident == name || s.display_name.eq_ignore_ascii_case(name))
}

pub fn strength_by_id(id: &str) -> Option<&'static Strength> {
    STRENGTHS.iter().find(|s| s.id == id)
}

/// App keywords accepted where an app goes (`app Office365`).
pub const APP_KEYWORDS: [&str; 2] = [APP_GROUPS[0].ident, APP_GROUPS[1].ident];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_drops_parentheses() {
        assert_eq!(
            pascal_case("Windows Azure Active Directory (Azure AD Graph)"),
            "WindowsAzureActiveDirectory"
        );
        assert_eq!(
            pascal_case("Microsoft Teams Services"),
            "MicrosoftTeamsServices"
        );
        assert_eq!(pascal_case("Power BI Service"), "PowerBIService");
    }

    #[test]
    fn language_table_identifiers_resolve() {
        for (ident, id) in [
            (
                "AzureServiceManagement",
                "797f4846-ba00-4fd7-ba43-dac1f8f63013",
            ),
            ("MicrosoftGraph", "00000003-0000-0000-c000-000000000000"),
            ("ExchangeOnline", "00000002-0000-0ff1-ce00-000000000000"),
            ("SharePointOnline", "00000003-0000-0ff1-ce00-000000000000"),
            (
                "MicrosoftTeamsServices",
                "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
            ),
            (
                "AzureVirtualDesktop",
                "9cdead84-a844-4324-93f2-b2e6bb768d07",
            ),
            ("MicrosoftIntune", "0000000a-0000-0000-c000-000000000000"),
            (
                "MicrosoftIntuneEnrollment",
                "d4ebce55-015a-49b5-a083-c84d1797ae8c",
            ),
            (
                "Windows Azure Service Management API",
                "797f4846-ba00-4fd7-ba43-dac1f8f63013",
            ),
        ] {
            assert_eq!(app(ident).map(|a| a.app_id.as_str()), Some(id), "{ident}");
        }
        assert!(
            app("MicrosoftAzureCLI").is_none(),
            "client apps cannot be targeted"
        );
    }

    #[test]
    fn portal_spellings_resolve_to_the_catalogue_app() {
        for (name, id) in [
            ("Azure Resource Manager", AZURE_SERVICE_MANAGEMENT),
            ("azure resource manager", AZURE_SERVICE_MANAGEMENT),
            ("AzureResourceManager", AZURE_SERVICE_MANAGEMENT),
            ("Microsoft Azure Management", AZURE_SERVICE_MANAGEMENT),
            ("Exchange Online", "00000002-0000-0ff1-ce00-000000000000"),
            ("Power Automate", "7df0a125-d3be-4c96-aa54-591f83ff541c"),
        ] {
            assert_eq!(app(name).map(|a| a.app_id.as_str()), Some(id), "{name}");
        }
        assert_eq!(
            app_group("office 365", true).map(|g| g.ident),
            Some("Office365")
        );
        assert_eq!(
            app_group("Microsoft Admin Portals", true).map(|g| g.ident),
            Some("MicrosoftAdminPortals")
        );
        assert_eq!(app_group("office365", false), None, "bare words are exact");
        assert_eq!(app_group("Office 365 Exchange Online", true), None);
        for (id, _) in PORTAL_NAMES {
            assert!(app_by_id(id).is_some(), "portal name for unknown app {id}");
        }
    }

    #[test]
    fn roles_by_ident_and_display_name() {
        assert_eq!(
            role("GlobalAdministrator").map(|r| r.template_id.as_str()),
            Some(GLOBAL_ADMINISTRATOR)
        );
        assert_eq!(
            role("Global Administrator").map(|r| r.template_id.as_str()),
            Some(GLOBAL_ADMINISTRATOR)
        );
        assert!(roles().len() > 100);
        let mut idents: Vec<_> = roles().iter().map(|r| r.ident.to_lowercase()).collect();
        idents.sort();
        let n = idents.len();
        idents.dedup();
        assert_eq!(n, idents.len(), "role identifiers are unique");
    }

    #[test]
    fn app_identifiers_are_unique() {
        let mut idents: Vec<_> = apps()
            .iter()
            .flat_map(|a| std::iter::once(&a.ident).chain(&a.aliases))
            .map(|s| s.to_lowercase())
            .collect();
        idents.sort();
        let n = idents.len();
        idents.dedup();
        assert_eq!(n, idents.len());
    }
}
