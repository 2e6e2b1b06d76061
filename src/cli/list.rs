//! `capol list`: the built-in apps, roles, strengths and user actions, searchable.
//!
//! In: a section, a search text and a format. Out: a table, JSON or Markdown on stdout; a count
//! (text only) or a did-you-mean on stderr.

use super::Exit;
use crate::symbols::listing::{self, Entry, Section};
use clap::Args;

/// How `capol list` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for people
    #[default]
    Text,
    /// One JSON document for tools
    Json,
    /// Markdown tables (what docs/catalogue.md holds)
    Markdown,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Every entry shows the name to write, its id in Graph JSON, and the other spellings that resolve
to it (quote those with spaces: `for app \"Azure Resource Manager\"`). TEXT is matched, case
aside, against the name, every alias and the id.

Examples:
  capol list apps                      every first-party app and app group
  capol list apps azure                the apps with `azure` in a name or alias
  capol list roles administrator       directory roles (privileged ones are marked)
  capol list roles 62e90394            which role has this template id?
  capol list strengths
  capol list actions
  capol list apps --format json        [{\"name\": …, \"aliases\": […], \"id\": …}, …]
  capol list --format markdown > docs/catalogue.md")]
pub struct ListArgs {
    /// Which catalogue [default: all four]
    #[arg(value_enum)]
    pub section: Option<Section>,
    /// Only the entries whose name, alias or id contains TEXT (case-insensitive)
    #[arg(value_name = "TEXT")]
    pub text: Option<String>,
    /// Text for people, JSON for tools, or Markdown
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

pub fn list(a: ListArgs) -> Exit {
    let sections: Vec<Section> = match a.section {
        Some(s) => vec![s],
        None => Section::ALL.to_vec(),
    };
    let found: Vec<(Section, Vec<Entry>)> = sections
        .iter()
        .map(|&s| (s, listing::matching(s, a.text.as_deref())))
        .collect();
    match a.format {
        ListFormat::Json => print_json(a.section.is_some(), &found),
        ListFormat::Markdown if a.section.is_none() && a.text.is_none() => {
            print!("{}", listing::markdown());
        }
        ListFormat::Markdown => {
            let parts: Vec<String> = found
                .iter()
                .map(|(s, es)| listing::markdown_section(*s, es))
                .collect();
            print!("{}", parts.join("\n"));
        }
        ListFormat::Text => print_text(&found, a.section.is_none()),
    }
    let total: usize = found.iter().map(|(_, es)| es.len()).sum();
    if total == 0
        && let Some(text) = &a.text
    {
        no_match(text, &sections, a.format);
    }
    Exit::Ok
}

fn print_json(one: bool, found: &[(Section, Vec<Entry>)]) {
    let v = match found {
        [(_, es)] if one => serde_json::to_value(es),
        _ => serde_json::to_value(
            found
                .iter()
                .map(|(s, es)| (s.key(), es))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    };
    println!(
        "{}",
        v.and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default()
    );
}

fn print_text(found: &[(Section, Vec<Entry>)], headed: bool) {
    let mut first = true;
    for (s, es) in found {
        if es.is_empty() {
            continue;
        }
        if !first {
            println!();
        }
        first = false;
        if headed {
            println!("{}:", s.key());
        }
        print!("{}", listing::text_table(es));
    }
    let counts: Vec<String> = found
        .iter()
        .map(|(s, es)| {
            let total = listing::entries(*s).len();
            if es.len() == total {
                format!("{total} {}", s.key())
            } else {
                format!("{} of {total} {}", es.len(), s.key())
            }
        })
        .collect();
    if found.iter().any(|(_, es)| !es.is_empty()) {
        eprintln!("capol: {}", counts.join(", "));
    }
}

/// Nothing matched: say so, and suggest the nearest names.
fn no_match(text: &str, sections: &[Section], format: ListFormat) {
    if format != ListFormat::Text {
        return;
    }
    let names: Vec<String> = sections
        .iter()
        .flat_map(|s| listing::entries(*s))
        .map(|e| e.name)
        .collect();
    let near = crate::diag::did_you_mean(text, names.iter().map(String::as_str));
    let what = match sections {
        [one] => one.singular(),
        _ => "built-in name",
    };
    eprintln!("capol: no {what} matches `{text}`");
    if let Some(s) = crate::diag::suggestion_text(&near) {
        eprintln!("help: {s}");
    }
}
