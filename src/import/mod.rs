//! `capol import`: Microsoft Graph policy JSON → idiomatic, formatted `.capol` source.
//!
//! ```text
//! JSON files / tenant values ──read──▶ JNode (spans) ──convert──▶ ast::Policy ──fmt──▶ .capol text
//!                                                         │                              │
//!                                                  names ─┴─▶ names.capol     verify ◀───┘
//! ```
//!
//! In: files or directories of JSON (a policy, an array of policies, or a list response
//! `{"value": [...]}`; POST bodies or GET responses with their OData noise), or policies read
//! from a tenant as `serde_json::Value`s. Out: [`Imported`]: one formatted source per policy,
//! `names.capol` with a declaration for every id that is not in a built-in catalogue, and
//! diagnostics.
//!
//! The guarantee: for every policy imported, compiling the generated source gives the policy's
//! JSON back in canonical form (`canon`); `verify` checks it on every run. A property the
//! language cannot express is never dropped: the policy is refused with a diagnostic naming the
//! file and the JSON path (`E0403`). Policies with errors are left out; the others are imported.

mod canon;
mod conditions;
mod convert;
mod json;
mod names;
mod read;
mod users;
mod verify;
mod walk;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cases;

pub use canon::canonical_for_import;
pub use names::NameHints;

use crate::ast::{self, Item};
use crate::check::ApiVersion;
use crate::diag::{Diagnostic, Diagnostics};
use crate::driver::UsageError;
use crate::fmt::{Notes, print_tree};
use crate::source::{FileId, SourceMap, Span};
use names::Namer;
use std::collections::HashMap;
use std::path::PathBuf;

/// The file that holds the declarations.
pub const NAMES_FILE: &str = "names.capol";

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Beta-only properties (`continuousAccessEvaluation`) are imported only for `beta`.
    pub api: ApiVersion,
    /// Display names of directory objects, to name declarations (from `capol.lock` or a tenant).
    pub hints: NameHints,
}

/// One imported policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedPolicy {
    pub display_name: String,
    /// The file name without `.capol`: the display name in lower case, words joined by `-`.
    pub stem: String,
    /// The formatted source, one `policy` with its header.
    pub text: String,
}

/// Everything one import produced.
#[derive(Debug, Default)]
pub struct Imported {
    /// The inputs and the generated files, for rendering diagnostics.
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    pub policies: Vec<ImportedPolicy>,
    /// `names.capol`, when some id needed a declaration.
    pub names: Option<String>,
    /// Everything in one file: the declarations, then every policy.
    pub single: String,
    /// Policies found in the input but not imported (their errors are in `diagnostics`).
    pub skipped: usize,
}

impl Imported {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// The files to write: `names.capol` (if any), then `<stem>.capol` per policy.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(n) = &self.names {
            out.push((NAMES_FILE.to_string(), n.clone()));
        }
        out.extend(
            self.policies
                .iter()
                .map(|p| (format!("{}.capol", p.stem), p.text.clone())),
        );
        out
    }
}

/// Import the JSON files named, or found beneath the directories named.
pub fn import_paths(paths: &[PathBuf], opts: &ImportOptions) -> Result<Imported, UsageError> {
    let files = crate::driver::collect_by_extension(paths, "json")?;
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let docs: Vec<read::Doc> = files
        .iter()
        .filter_map(|f| read::read_file(f, &mut sources, &mut diags))
        .collect();
    Ok(run(sources, &docs, opts, diags))
}

/// Import JSON texts held in memory: `(name, text)` pairs.
pub fn import_texts(inputs: &[(&str, &str)], opts: &ImportOptions) -> Imported {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let docs: Vec<read::Doc> = inputs
        .iter()
        .filter_map(|(n, t)| read::parse_text(n, (*t).to_string(), &mut sources, &mut diags))
        .collect();
    run(sources, &docs, opts, diags)
}

/// Import policies read from a tenant (`GET /identity/conditionalAccess/policies`, one value per
/// policy). Each is shown to diagnostics as pretty JSON under the name `tenant:<display name>`.
pub fn import_values(values: &[serde_json::Value], opts: &ImportOptions) -> Imported {
    let texts: Vec<(String, String)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let name = v.get("displayName").and_then(|n| n.as_str()).map_or_else(
                || format!("tenant:policy-{}", i + 1),
                |n| format!("tenant:{n}"),
            );
            (name, serde_json::to_string_pretty(v).unwrap_or_default())
        })
        .collect();
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    import_texts(&refs, opts)
}

/// A policy converted, waiting for verification.
struct Converted {
    name: String,
    policy: ast::Policy,
    original: verify::Original,
}

fn run(
    mut sources: SourceMap,
    docs: &[read::Doc],
    opts: &ImportOptions,
    mut diags: Diagnostics,
) -> Imported {
    let mut namer = Namer::new(opts.hints.clone());
    let mut done: Vec<Converted> = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut skipped = 0;
    for doc in docs {
        for j in read::policies(doc, &mut diags) {
            let span = Span::new(doc.file, j.node.start, j.node.end);
            let mut trial = namer.clone();
            let mut ctx = walk::Ctx {
                file: doc.file,
                diags: &mut diags,
                api: opts.api,
                errors: 0,
            };
            let Some((name, policy)) = convert::policy(&mut ctx, &mut trial, &j) else {
                skipped += 1;
                continue;
            };
            if let Some(first) = seen.get(&name) {
                diags.push(
                    Diagnostic::new("E0407", format!("two policies are named `{name}`"))
                        .at(span, "this policy was not imported")
                        .also(*first, "imported under this name")
                        .help("display names identify policies in capol: rename one of them in the tenant, then import again"),
                );
                skipped += 1;
                continue;
            }
            seen.insert(name.clone(), span);
            namer = trial;
            let original = verify::Original {
                name: name.clone(),
                json: j.node.to_value(),
                span,
            };
            done.push(Converted {
                name,
                policy,
                original,
            });
        }
    }
    let stems = stems(&done);
    let decls = namer.declarations();
    let names = (!decls.is_empty()).then(|| names_text(&decls));
    let texts: Vec<String> = done.iter().map(|c| policy_text(c.policy.clone())).collect();
    let mut generated: Vec<(String, String)> = names
        .iter()
        .map(|n| (NAMES_FILE.to_string(), n.clone()))
        .collect();
    generated.extend(
        stems
            .iter()
            .zip(&texts)
            .map(|(s, t)| (format!("{s}.capol"), t.clone())),
    );
    let originals: Vec<verify::Original> = done.iter().map(|c| c.original.clone()).collect();
    let failed = verify::verify(&mut sources, &generated, &originals, opts.api, &mut diags);
    let mut policies = Vec::new();
    let mut kept = Vec::new();
    for ((c, stem), text) in done.into_iter().zip(stems).zip(texts) {
        if failed.contains(&c.name) {
            skipped += 1;
            continue;
        }
        kept.push(c.policy);
        policies.push(ImportedPolicy {
            display_name: c.name,
            stem,
            text,
        });
    }
    let single = single_text(&decls, kept);
    diags.sort();
    Imported {
        sources,
        diagnostics: diags,
        policies,
        names,
        single,
        skipped,
    }
}

/// `CA001 Require MFA for admins` → `ca001-require-mfa-for-admins`; unique among the policies
/// and never `names`.
fn stems(done: &[Converted]) -> Vec<String> {
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    used.insert("names".to_string());
    let mut out = Vec::with_capacity(done.len());
    for c in done {
        let base = slug(&c.name);
        let mut stem = base.clone();
        let mut n = 2;
        while used.contains(&stem) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        used.insert(stem.clone());
        out.push(stem);
    }
    out
}

pub use crate::driver::slug;

const NAMES_HEADER: [&str; 2] = [
    "# Directory objects the imported policies refer to, written by `capol import`.",
    "# Rename freely (with their references); names without a display name were made up.",
];

/// A file of items: the declarations first (a header comment above them, a blank line between
/// kinds), then the policies.
fn tree(decls: &[ast::Declaration], policies: Vec<ast::Policy>) -> (ast::File, Notes) {
    let mut notes = Notes::default();
    let mut items: Vec<Item> = Vec::new();
    for (k, d) in decls.iter().enumerate() {
        if k > 0 && decls[k - 1].kind.node != d.kind.node {
            notes.blank_before.insert(k);
        }
        items.push(Item::Declaration(d.clone()));
    }
    if !decls.is_empty() {
        let lines = NAMES_HEADER.len();
        let list = NAMES_HEADER
            .iter()
            .enumerate()
            .map(|(i, t)| crate::fmt::Leading {
                text: t.to_string(),
                blank_after: i + 1 == lines,
                start: 0,
                end: 0,
            })
            .collect();
        notes.leading.insert(crate::fmt::Node::Item(0), list);
    }
    items.extend(policies.into_iter().map(Item::Policy));
    (
        ast::File {
            file: FileId(0),
            items,
        },
        notes,
    )
}

fn names_text(decls: &[ast::Declaration]) -> String {
    let (file, notes) = tree(decls, Vec::new());
    print_tree(&file, &notes)
}

fn policy_text(p: ast::Policy) -> String {
    let (file, notes) = tree(&[], vec![p]);
    print_tree(&file, &notes)
}

fn single_text(decls: &[ast::Declaration], policies: Vec<ast::Policy>) -> String {
    let (file, notes) = tree(decls, policies);
    print_tree(&file, &notes)
}
