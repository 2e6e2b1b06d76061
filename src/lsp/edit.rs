//! Navigation and edits: definition, references, rename, formatting and the did-you-mean code
//! actions.
//!
//! In: an [`Analysis`] and a position (or a range). Out: locations and text edits, by path.

use super::index::Occurrence;
use super::project::Analysis;
use super::text::WordKind;
use super::{diagnostics, text};
use crate::source::{FileId, Span};
use crate::syntax::is_bare_name;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A place in a file of the project, as a path and a byte range.
pub type Place = (PathBuf, Span);

fn place(a: &Analysis, span: Span) -> Option<Place> {
    Some((a.path(span.file)?.to_path_buf(), span))
}

pub fn definition(a: &Analysis, file: FileId, offset: usize) -> Option<Place> {
    let o = a.index.at(file, offset)?;
    let def = a.index.definition(o.space, &o.name)?;
    place(a, def.span)
}

pub fn references(a: &Analysis, file: FileId, offset: usize, with_decl: bool) -> Vec<Place> {
    let Some(o) = a.index.at(file, offset) else {
        return Vec::new();
    };
    a.index
        .of(o.space, &o.name)
        .filter(|x| with_decl || !x.definition)
        .filter_map(|x| place(a, x.span))
        .collect()
}

/// The declared name under the cursor, if it can be renamed.
pub fn renameable(a: &Analysis, file: FileId, offset: usize) -> Result<&Occurrence, String> {
    let o = a
        .index
        .at(file, offset)
        .ok_or_else(|| "no declared name here".to_string())?;
    if a.index.definition(o.space, &o.name).is_none() {
        return Err(format!(
            "`{}` is not declared in these files (built in or from capol.lock): only declared names can be renamed",
            o.name
        ));
    }
    Ok(o)
}

/// The new name as it must be written: bare when it can be, quoted otherwise.
pub fn written(name: &str) -> String {
    if is_bare_name(name) {
        name.to_string()
    } else {
        quoted(name)
    }
}

/// Every occurrence of the name under the cursor, rewritten. Refused when the new name is
/// empty or already declared for the same kind.
pub fn rename(
    a: &Analysis,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<BTreeMap<PathBuf, Vec<(Span, String)>>, String> {
    let o = renameable(a, file, offset)?;
    let new_name = new_name.trim();
    let new_name = new_name
        .strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(new_name);
    if new_name.is_empty() || new_name.contains('\n') {
        return Err("a name cannot be empty or span lines".into());
    }
    if new_name != o.name && a.index.definition(o.space, new_name).is_some() {
        return Err(format!(
            "{} `{new_name}` is already declared",
            o.space.word()
        ));
    }
    let text = written(new_name);
    let mut out: BTreeMap<PathBuf, Vec<(Span, String)>> = BTreeMap::new();
    for x in a.index.of(o.space, &o.name) {
        if let Some((p, s)) = place(a, x.span) {
            out.entry(p).or_default().push((s, text.clone()));
        }
    }
    Ok(out)
}

/// `capol fmt` of one buffer: the whole new text, or `None` when it is already formatted or does
/// not parse (its syntax errors are already shown).
pub fn format(src: &str) -> Option<String> {
    match crate::fmt::format(src) {
        Ok(out) if out != src => Some(out),
        _ => None,
    }
}

/// One quick fix: a title and the replacement of a span.
pub struct Fix {
    pub title: String,
    pub span: Span,
    pub text: String,
    pub diagnostic: usize,
}

/// The did-you-mean fixes of the diagnostics that touch `[start, end]` of a file.
pub fn fixes(a: &Analysis, file: FileId, start: usize, end: usize) -> Vec<Fix> {
    let src = a.text(file);
    let mut out = Vec::new();
    for (i, d) in a.compilation.diagnostics.items.iter().enumerate() {
        let Some(l) = &d.primary else { continue };
        if l.span.file != file || l.span.end < start || l.span.start > end {
            continue;
        }
        let Some(old) = src.get(l.span.start..l.span.end) else {
            continue;
        };
        // Only a single written word or string is replaced.
        if old.is_empty() || text::words(old).len() != 1 {
            continue;
        }
        for s in diagnostics::suggestions(d) {
            let one_word = matches!(text::words(&s).as_slice(), [w] if w.kind == WordKind::Bare && w.text == s);
            let new = if old.starts_with('"') || old.starts_with('\'') || !one_word {
                quoted(&s)
            } else {
                s.clone()
            };
            out.push(Fix {
                title: format!("replace `{}` with `{s}`", text::words(old)[0].name()),
                span: l.span,
                text: new,
                diagnostic: i,
            });
        }
    }
    out
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
