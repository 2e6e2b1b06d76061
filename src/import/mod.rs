//! `capol import`: Microsoft Graph policy JSON → idiomatic, formatted `.capol` source.
//!
//! ```text
//! JSON files / tenant values ──read──▶ JNode (spans) ──convert──▶ ast::Policy ─(factor)─fmt─▶ .capol text
//!                                                         │                              │
//!                                                  names ─┴─▶ names.capol     verify ◀───┘
//! ```
//!
//! In: files or directories of JSON (a policy, an array of policies, or a list response
//! `{"value": [...]}`; POST bodies or GET responses with their OData noise), or policies read
//! from a tenant as `serde_json::Value`s. Out: [`Imported`]: one formatted source per policy,
//! `names.capol` with a declaration for every id that is not in a built-in catalogue, and
//! diagnostics. With [`ImportOptions::factor`], `names.capol` also holds the sets and the
//! `defaults` block that `factor` found, and the policies use them.
//!
//! The guarantee: for every policy imported, compiling the generated source gives the policy's
//! JSON back in canonical form (`canon`); `verify` checks it on every run. A property the
//! language cannot express is never dropped: the policy is refused with a diagnostic naming the
//! file and the JSON path (`E0403`). Policies with errors are left out; the others are imported.

mod canon;
mod conditions;
mod convert;
mod factor;
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
#[cfg(test)]
mod tests_factor;

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
    /// Name what the policies share (`--factor`): exclusions of every policy go to `defaults`,
    /// lists written alike in several policies become sets (`factor`).
    pub factor: bool,
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
    let plain = Shared {
        decls: &decls,
        sets: Vec::new(),
        defaults: None,
    };
    let policies: Vec<ast::Policy> = done.iter().map(|c| c.policy.clone()).collect();
    let originals: Vec<verify::Original> = done.iter().map(|c| c.original.clone()).collect();
    let (shared, policies, failed) = if opts.factor {
        // The plain import is verified first: a policy it refuses is not factored.
        let mut plain_diags = Diagnostics::new();
        let failed = check_files(
            &mut sources,
            &plain,
            &stems,
            &policies,
            &originals,
            opts,
            &mut plain_diags,
        );
        diags.extend(plain_diags.items.into_iter().filter(|d| d.code == "E0408"));
        let keep: Vec<bool> = done.iter().map(|c| !failed.contains(&c.name)).collect();
        let kept: Vec<ast::Policy> = policies
            .into_iter()
            .zip(&keep)
            .filter_map(|(p, k)| k.then_some(p))
            .collect();
        let f = factor::factor(kept);
        let mut it = f.policies.into_iter();
        let policies: Vec<ast::Policy> = keep
            .iter()
            .map(|k| if *k { it.next() } else { None })
            .zip(done.iter().map(|c| c.policy.clone()))
            .map(|(f, p)| f.unwrap_or(p))
            .collect();
        let shared = Shared {
            decls: &decls,
            sets: f.sets,
            defaults: f.defaults,
        };
        let kept_originals: Vec<verify::Original> = originals
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(o, _)| o.clone())
            .collect();
        let mut again = check_files(
            &mut sources,
            &shared,
            &stems,
            &policies,
            &kept_originals,
            opts,
            &mut diags,
        );
        again.extend(failed);
        (shared, policies, again)
    } else {
        let failed = check_files(
            &mut sources,
            &plain,
            &stems,
            &policies,
            &originals,
            opts,
            &mut diags,
        );
        (plain, policies, failed)
    };
    let names = shared.text();
    let mut out = Vec::new();
    let mut kept = Vec::new();
    for ((c, stem), policy) in done.into_iter().zip(stems).zip(policies) {
        if failed.contains(&c.name) {
            skipped += 1;
            continue;
        }
        out.push(ImportedPolicy {
            display_name: c.name,
            stem,
            text: policy_text(policy.clone()),
        });
        kept.push(policy);
    }
    let single = shared.single(kept);
    diags.sort();
    Imported {
        sources,
        diagnostics: diags,
        policies: out,
        names,
        single,
        skipped,
    }
}

/// What the policies share: the declarations, and with `--factor` the sets and the defaults.
struct Shared<'d> {
    decls: &'d [ast::Declaration],
    sets: Vec<ast::SetDecl>,
    defaults: Option<ast::Defaults>,
}

impl Shared<'_> {
    fn is_empty(&self) -> bool {
        self.decls.is_empty() && self.sets.is_empty() && self.defaults.is_none()
    }

    /// `names.capol`, when there is anything to write in it.
    fn text(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.single(Vec::new()))
    }

    fn single(&self, policies: Vec<ast::Policy>) -> String {
        let (file, notes) = tree(self, policies);
        print_tree(&file, &notes)
    }
}

/// Write the files in memory and verify them: the display names that failed.
fn check_files(
    sources: &mut SourceMap,
    shared: &Shared,
    stems: &[String],
    policies: &[ast::Policy],
    originals: &[verify::Original],
    opts: &ImportOptions,
    diags: &mut Diagnostics,
) -> std::collections::HashSet<String> {
    let mut generated: Vec<(String, String)> = shared
        .text()
        .into_iter()
        .map(|n| (NAMES_FILE.to_string(), n))
        .collect();
    generated.extend(
        stems
            .iter()
            .zip(policies)
            .map(|(s, p)| (format!("{s}.capol"), policy_text(p.clone()))),
    );
    verify::verify(sources, &generated, originals, opts.api, diags)
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
/// kinds), then the sets and the defaults (each under a comment), then the policies.
fn tree(shared: &Shared, policies: Vec<ast::Policy>) -> (ast::File, Notes) {
    let decls = shared.decls;
    let mut notes = Notes::default();
    let mut items: Vec<Item> = Vec::new();
    for (k, d) in decls.iter().enumerate() {
        if k > 0 && decls[k - 1].kind.node != d.kind.node {
            notes.blank_before.insert(k);
        }
        items.push(Item::Declaration(d.clone()));
    }
    if !decls.is_empty() {
        header(&mut notes, 0, &NAMES_HEADER, true);
    }
    if !shared.sets.is_empty() {
        notes.blank_before.insert(items.len());
        header(&mut notes, items.len(), &SETS_HEADER, true);
        items.extend(shared.sets.iter().cloned().map(Item::Set));
    }
    if let Some(d) = &shared.defaults {
        header(&mut notes, items.len(), &DEFAULTS_HEADER, false);
        items.push(Item::Defaults(d.clone()));
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

/// Comment lines above item `at`, a blank line after them if `blank`.
fn header(notes: &mut Notes, at: usize, lines: &[&str], blank: bool) {
    let list = lines
        .iter()
        .enumerate()
        .map(|(i, t)| crate::fmt::Leading {
            text: t.to_string(),
            blank_after: blank && i + 1 == lines.len(),
            start: 0,
            end: 0,
        })
        .collect();
    notes.leading.insert(crate::fmt::Node::Item(at), list);
}

const SETS_HEADER: [&str; 2] = [
    "# Lists that several imported policies write alike, named by `capol import --factor`.",
    "# Rename freely (with their `set NAME` uses); a policy may still write its own list.",
];

const DEFAULTS_HEADER: [&str; 2] = [
    "# Exclusions every imported policy had: each policy receives them from here.",
    "# A policy that should not, says `ignore defaults` (and writes what it still needs).",
];

fn policy_text(p: ast::Policy) -> String {
    let plain = Shared {
        decls: &[],
        sets: Vec::new(),
        defaults: None,
    };
    let (file, notes) = tree(&plain, vec![p]);
    print_tree(&file, &notes)
}
