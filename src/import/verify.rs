//! The round-trip guarantee, checked on every import: the generated source is compiled again
//! and each policy compared with its JSON in canonical form.
//!
//! In: the generated files, the original policies. Out: `E0408` (an internal error: the import
//! would change a policy) naming the first JSON path that differs, and `W0402` for each error
//! `capol check` will report on an imported policy (a policy Graph accepted that capol's rules
//! reject, such as the lockout rule).

use super::canon::canonical_for_import;
use crate::check::{self, ApiVersion, Options};
use crate::diag::{Diagnostic, Diagnostics};
use crate::emit;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A policy that was imported: its display name, its JSON, and where that JSON stands.
#[derive(Clone, Debug)]
pub(crate) struct Original {
    pub name: String,
    pub json: Value,
    pub span: Span,
}

/// Compile `generated` (file name, text) and compare. Returns the display names that failed.
pub(crate) fn verify(
    sources: &mut SourceMap,
    generated: &[(String, String)],
    originals: &[Original],
    api: ApiVersion,
    diags: &mut Diagnostics,
) -> HashSet<String> {
    let mut failed = HashSet::new();
    let mut files = Vec::new();
    let mut owner: HashMap<FileId, usize> = HashMap::new();
    for (k, (name, text)) in generated.iter().enumerate() {
        let id = sources.add(name.clone(), text.clone());
        owner.insert(id, k);
        let (ast, ds) = syntax::parse(id, text);
        match ast {
            Some(a) if !ds.has_errors() => files.push(a),
            _ => {
                for o in originals {
                    failed.insert(o.name.clone());
                }
                diags.push(internal(
                    Span::new(id, 0, 0),
                    &format!("`{name}` does not parse"),
                ));
                return failed;
            }
        }
    }
    let (set, cdiags) = check::check(&files, sources, None, &Options { api });
    let compiled: HashMap<&str, Value> = set
        .policies
        .iter()
        .map(|p| {
            let v = serde_json::to_value(emit::emit_policy(p)).unwrap_or(Value::Null);
            (p.display_name.node.as_str(), v)
        })
        .collect();
    for o in originals {
        let want = canonical_for_import(&o.json);
        let got = compiled.get(o.name.as_str()).map(canonical_for_import);
        let differs = match &got {
            Some(g) => first_difference(&want, g, "$"),
            None => Some("$".to_string()),
        };
        if let Some(path) = differs {
            failed.insert(o.name.clone());
            diags.push(internal(
                o.span,
                &format!("policy `{}` would not compile back to the same JSON (first difference at `{path}`)", o.name),
            ));
        }
    }
    for d in cdiags.items.into_iter().filter(|d| d.is_error()) {
        let Some(primary) = &d.primary else { continue };
        let file = sources
            .get(primary.span.file)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let mut w = Diagnostic::new(
            "W0402",
            format!(
                "`{file}` will not pass `capol check`: {} ({})",
                d.message, d.code
            ),
        )
        .at(primary.span, primary.message.clone())
        .note(format!(
            "the policy was imported as it is; `capol explain {}` tells why capol rejects it",
            d.code
        ));
        for s in &d.secondary {
            w = w.also(s.span, s.message.clone());
        }
        if let Some(h) = &d.help {
            w = w.help(h.clone());
        }
        diags.push(w);
    }
    failed
}

fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::new("E0408", format!("internal error, please report: {what}"))
        .at(span, "this policy was not imported")
        .help("this is a bug in capol import; please report it with the policy's JSON")
        .note("capol import compiles what it wrote and refuses any policy that would change")
}

/// The first path at which two canonical values differ.
pub(crate) fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, &format!("{path}.{k}")),
                _ => Some(format!("{path}.{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ => (a != b).then(|| path.to_string()),
    }
}
