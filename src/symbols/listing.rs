//! The built-in names as lists for people and tools: `capol list` and `docs/catalogue.md`.
//!
//! In: the catalogues the checker resolves names against ([`catalog`]) and the user-action
//! vocabulary. Out: [`Entry`] rows (name, other accepted spellings, id, a note) per [`Section`],
//! filtered by a search text, and the Markdown page `docs/catalogue.md`.

use super::catalog;
use crate::vocab;
use serde::Serialize;
use std::fmt::Write as _;

/// One catalogue of built-in names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// First-party apps and app groups (`for app …`)
    Apps,
    /// Built-in directory roles (`for role …`)
    Roles,
    /// Built-in authentication strengths (`require strength …`)
    Strengths,
    /// User actions (`for action …`)
    Actions,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Apps,
        Section::Roles,
        Section::Strengths,
        Section::Actions,
    ];

    /// The word on the command line and the JSON key (`apps`).
    pub fn key(self) -> &'static str {
        match self {
            Section::Apps => "apps",
            Section::Roles => "roles",
            Section::Strengths => "strengths",
            Section::Actions => "actions",
        }
    }

    /// One entry, for messages (`app`).
    pub fn singular(self) -> &'static str {
        match self {
            Section::Apps => "app",
            Section::Roles => "role",
            Section::Strengths => "strength",
            Section::Actions => "action",
        }
    }
}

/// A built-in name: what to write in source, what else is accepted for it, and the id it
/// compiles to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The canonical spelling in source (`AzureServiceManagement`).
    pub name: String,
    /// Other spellings that resolve to it: identifiers, and display names to quote.
    pub aliases: Vec<String>,
    /// The id in Graph JSON: app id, role template id, strength id, user-action URN, or the
    /// keyword itself for app groups.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'static str>,
}

impl Entry {
    /// Does `needle` (lower-cased) occur in the name, an alias or the id, case aside?
    fn matches(&self, needle: &str) -> bool {
        std::iter::once(&self.name)
            .chain(&self.aliases)
            .chain(std::iter::once(&self.id))
            .any(|s| s.to_lowercase().contains(needle))
    }
}

fn push_unique(out: &mut Vec<String>, name: &str, s: &str) {
    if s != name && !out.iter().any(|x| x == s) {
        out.push(s.to_string());
    }
}

fn apps() -> Vec<Entry> {
    let mut out: Vec<Entry> = catalog::APP_GROUPS
        .iter()
        .map(|g| Entry {
            name: g.ident.to_string(),
            aliases: vec![g.portal_name.to_string()],
            id: g.ident.to_string(),
            note: Some("app group keyword"),
        })
        .collect();
    out.extend(vocab::BETA_APP_KEYWORDS.iter().map(|k| Entry {
        name: (*k).to_string(),
        aliases: Vec::new(),
        id: (*k).to_string(),
        note: Some("app group keyword, beta API only"),
    }));
    out.extend(catalog::apps().iter().map(|a| {
        let mut aliases = Vec::new();
        for s in a.aliases.iter().map(String::as_str) {
            push_unique(&mut aliases, &a.ident, s);
        }
        push_unique(&mut aliases, &a.ident, &a.display_name);
        push_unique(
            &mut aliases,
            &a.ident,
            catalog::short_display_name(&a.display_name),
        );
        for s in &a.portal_names {
            push_unique(&mut aliases, &a.ident, s);
        }
        Entry {
            name: a.ident.clone(),
            aliases,
            id: a.app_id.clone(),
            note: None,
        }
    }));
    out
}

fn roles() -> Vec<Entry> {
    catalog::roles()
        .iter()
        .map(|r| Entry {
            name: r.ident.clone(),
            aliases: if r.display_name == r.ident {
                Vec::new()
            } else {
                vec![r.display_name.clone()]
            },
            id: r.template_id.clone(),
            note: r.privileged.then_some("privileged"),
        })
        .collect()
}

fn strengths() -> Vec<Entry> {
    catalog::STRENGTHS
        .iter()
        .map(|s| Entry {
            name: s.ident.to_string(),
            aliases: vec![s.display_name.to_string()],
            id: s.id.to_string(),
            note: None,
        })
        .collect()
}

fn actions() -> Vec<Entry> {
    vocab::USER_ACTION
        .terms
        .iter()
        .filter_map(|t| {
            t.word.map(|w| Entry {
                name: w.to_string(),
                aliases: Vec::new(),
                id: t.graph.to_string(),
                note: None,
            })
        })
        .collect()
}

/// Every entry of a section, in catalogue order (app groups first).
pub fn entries(section: Section) -> Vec<Entry> {
    match section {
        Section::Apps => apps(),
        Section::Roles => roles(),
        Section::Strengths => strengths(),
        Section::Actions => actions(),
    }
}

/// The entries whose name, aliases or id contain `text`, case aside (all when `None`).
pub fn matching(section: Section, text: Option<&str>) -> Vec<Entry> {
    let all = entries(section);
    match text.map(|t| t.trim().to_lowercase()) {
        Some(needle) if !needle.is_empty() => {
            all.into_iter().filter(|e| e.matches(&needle)).collect()
        }
        _ => all,
    }
}

/// How a spelling is written in source: bare when it is one word, quoted otherwise.
pub fn written(s: &str) -> String {
    let word = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if word {
        s.to_string()
    } else {
        format!("\"{s}\"")
    }
}

/// Aligned text columns: NAME, ID, ALSO ACCEPTED (and NOTE).
pub fn text_table(entries: &[Entry]) -> String {
    let w_name = entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let w_id = entries.iter().map(|e| e.id.len()).max().unwrap_or(2).max(2);
    let mut out = format!("{:w_name$}  {:w_id$}  ALSO ACCEPTED\n", "NAME", "ID");
    for e in entries {
        let mut also: Vec<String> = e.aliases.iter().map(|a| written(a)).collect();
        if let Some(n) = e.note {
            also.push(format!("[{n}]"));
        }
        let line = format!("{:w_name$}  {:w_id$}  {}", e.name, e.id, also.join(", "));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// One section as a Markdown table.
pub fn markdown_section(section: Section, entries: &[Entry]) -> String {
    let title = match section {
        Section::Apps => "Apps (`for app …`, `exclude app …`)",
        Section::Roles => "Directory roles (`for role …`)",
        Section::Strengths => "Authentication strengths (`require strength …`)",
        Section::Actions => "User actions (`for action …`)",
    };
    let mut out = format!("## {title}\n\n{} entries.\n\n", entries.len());
    out.push_str("| Name | Also accepted | Id | Note |\n|---|---|---|---|\n");
    for e in entries {
        let also: Vec<String> = e
            .aliases
            .iter()
            .map(|a| format!("`{}`", md_cell(&written(a))))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | {} |",
            md_cell(&e.name),
            also.join(", "),
            e.id,
            e.note.unwrap_or("")
        );
    }
    out
}

/// `docs/catalogue.md`: every section, generated by `capol list --format markdown`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# The built-in catalogue\n\n\
         <!-- Generated by `capol list --format markdown > docs/catalogue.md`; do not edit. -->\n\n\
         The names capol resolves without a declaration or a lock file: write the name (or any\n\
         spelling under *Also accepted*, quoted when it has spaces) and capol compiles the id.\n\
         Search them from the command line with `capol list apps azure` (see `docs/cli.md`).\n\
         Every spelling compiles to the same JSON; `capol fmt` keeps the one you wrote.\n",
    );
    for s in Section::ALL {
        out.push('\n');
        out.push_str(&markdown_section(s, &entries(s)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_list_groups_and_catalogue_apps_with_portal_names() {
        let apps = entries(Section::Apps);
        assert_eq!(apps[0].name, "Office365");
        assert_eq!(apps[0].aliases, ["Office 365"]);
        let asm = apps
            .iter()
            .find(|e| e.name == "AzureServiceManagement")
            .map(|e| (e.id.as_str(), e.aliases.clone()));
        let (id, aliases) = asm.unwrap_or_default();
        assert_eq!(id, catalog::AZURE_SERVICE_MANAGEMENT);
        assert!(aliases.iter().any(|a| a == "Azure Resource Manager"));
        assert!(
            aliases
                .iter()
                .any(|a| a == "Windows Azure Service Management API")
        );
        assert_eq!(apps.len(), catalog::apps().len() + 3);
    }

    #[test]
    fn matching_is_case_insensitive_over_name_alias_and_id() {
        let by =
            |s, t| -> Vec<String> { matching(s, Some(t)).into_iter().map(|e| e.name).collect() };
        assert!(by(Section::Apps, "RESOURCE MANAGER").contains(&"AzureServiceManagement".into()));
        assert_eq!(
            by(Section::Roles, "62e90394"),
            ["GlobalAdministrator".to_string()]
        );
        assert_eq!(by(Section::Actions, "registerdevice"), ["register-device"]);
        assert!(by(Section::Strengths, "zzz").is_empty());
        assert_eq!(matching(Section::Strengths, None).len(), 3);
    }

    #[test]
    fn written_quotes_what_is_not_one_word() {
        assert_eq!(written("Office365"), "Office365");
        assert_eq!(written("Office 365"), "\"Office 365\"");
        assert_eq!(written("register-device"), "register-device");
    }
}
