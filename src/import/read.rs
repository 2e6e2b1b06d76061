//! Reading import inputs: files and directories of JSON, in any of Graph's shapes.
//!
//! In: paths, or texts with a name. Out: parsed documents in the source map (so diagnostics can
//! point into them) and, for each document, the policies it holds with their JSON paths: a
//! single policy (`$`), an array (`$[2]`) or a list response (`$.value[2]`). A UTF-8 byte order
//! mark is skipped and UTF-16 text (as PowerShell writes it) is decoded.

use super::json::{self, JNode, JValue};
use super::walk::J;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use std::path::Path;

/// Inputs larger than this are refused (a tenant export is well under a megabyte).
const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// One parsed JSON document.
pub(crate) struct Doc {
    pub file: FileId,
    pub root: JNode,
}

/// Read and parse one file; problems become `E0400` diagnostics.
pub(crate) fn read_file(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Doc> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) if b.len() > MAX_INPUT_BYTES => {
            fail(
                sources,
                diags,
                &name,
                "",
                0,
                format!("the file is larger than {MAX_INPUT_BYTES} bytes"),
            );
            return None;
        }
        Ok(b) => b,
        Err(e) => {
            fail(sources, diags, &name, "", 0, format!("cannot read it: {e}"));
            return None;
        }
    };
    match decode(&bytes) {
        Ok(text) => parse_text(&name, text, sources, diags),
        Err((why, at)) => {
            let valid = String::from_utf8_lossy(&bytes[..at.min(bytes.len())]).into_owned();
            fail(sources, diags, &name, &valid, valid.len(), why);
            None
        }
    }
}

/// Parse a text already in memory; problems become `E0400` diagnostics.
pub(crate) fn parse_text(
    name: &str,
    text: String,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Doc> {
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    match json::parse(&text) {
        Ok(root) => {
            let file = sources.add(name, text);
            duplicates(&J::root(&root, "$"), file, diags);
            Some(Doc { file, root })
        }
        Err(e) => {
            fail(
                sources,
                diags,
                name,
                &text,
                e.offset,
                format!("it is not valid JSON: {}", e.message),
            );
            None
        }
    }
}

fn fail(
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    name: &str,
    text: &str,
    at: usize,
    why: String,
) {
    let file = sources.add(name, text);
    diags.push(
        Diagnostic::new("E0400", format!("`{name}` cannot be imported: {why}"))
            .at(Span::new(file, at, at), "here")
            .help("export the policies again from Graph (`GET /identity/conditionalAccess/policies`), as UTF-8 JSON"),
    );
}

/// `W0404` for every key given twice in one object: the last one is read.
fn duplicates(j: &J, file: FileId, diags: &mut Diagnostics) {
    match &j.node.value {
        JValue::Object(m) => {
            for (i, (key, at, v)) in m.iter().enumerate() {
                if m[i + 1..].iter().any(|(k, _, _)| k == key) {
                    let what = if super::walk::is_empty(v) {
                        "this empty value"
                    } else {
                        "this value"
                    };
                    diags.push(
                        Diagnostic::new(
                            "W0404",
                            format!("`{}.{key}` is given twice; the last one is read", j.path),
                        )
                        .at(Span::new(file, *at, v.end), format!("{what} is ignored"))
                        .help("remove one of them; JSON readers differ on which one they keep"),
                    );
                }
            }
            for (_, child) in j.members() {
                duplicates(&child, file, diags);
            }
        }
        JValue::Array(_) => {
            for child in j.items() {
                duplicates(&child, file, diags);
            }
        }
        _ => {}
    }
}

/// Bytes to text: UTF-8 (with or without a byte order mark) or UTF-16 with one.
fn decode(bytes: &[u8]) -> Result<String, (String, usize)> {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units).map_err(|_| ("it is not valid UTF-16 text".to_string(), 0))
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => String::from_utf8(bytes.to_vec()).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            (
                format!("it is not UTF-8 text (invalid byte at offset {at})"),
                at,
            )
        }),
    }
}

/// The policies a document holds, each with its JSON path.
pub(crate) fn policies<'a>(doc: &'a Doc, diags: &mut Diagnostics) -> Vec<J<'a>> {
    let root = J::root(&doc.root, "$");
    let span = |n: &JNode| Span::new(doc.file, n.start, n.end);
    let list = match &doc.root.value {
        JValue::Array(_) => root.items(),
        JValue::Object(_) => match root.get("value") {
            Some(v)
                if matches!(v.node.value, JValue::Array(_))
                    && root.get("displayName").is_none() =>
            {
                if let Some(next) = root.get("@odata.nextLink") {
                    diags.push(
                        Diagnostic::new("W0403", "this list response has more pages (`@odata.nextLink`)")
                            .at(span(next.node), "only the policies of this page are imported")
                            .help("follow `@odata.nextLink` and import every page, or use `--from-tenant`"),
                    );
                }
                v.items()
            }
            _ => vec![root],
        },
        _ => {
            diags.push(
                Diagnostic::new("E0401", format!("`$` is {}, not a policy or a list of policies", doc.root.type_name()))
                    .at(span(&doc.root), "expected an object or an array")
                    .help("import a policy object, an array of them, or a Graph list response `{\"value\": [...]}`"),
            );
            return Vec::new();
        }
    };
    list.into_iter()
        .filter(|p| {
            if p.is_object() {
                return true;
            }
            diags.push(
                Diagnostic::new(
                    "E0401",
                    format!("`{}` is {}, not a policy", p.path, p.node.type_name()),
                )
                .at(span(p.node), "expected a policy object")
                .help("every element of the list must be a policy object"),
            );
            false
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_utf16() {
        assert_eq!(
            decode(b"\xEF\xBB\xBF{}").map(|s| s.trim_start_matches('\u{feff}').to_string()),
            Ok("{}".into())
        );
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le), Ok("{\"a\":1}".into()));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("[]".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be), Ok("[]".into()));
        assert!(decode(b"{\xC3\x28}").is_err());
    }
}
