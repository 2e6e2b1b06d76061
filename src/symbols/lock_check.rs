//! `capol.lock` as untrusted input: every entry checked before any id reaches the compiler.
//!
//! In: the lock file's text. Out: the [`LockFile`] with only the entries that are sound, the
//! names of the refused ones ([`LockFile::refused`]), and one located [`LockError`] per problem:
//! an entry that is not an object of the lock format (`E0511`), an id that is not a GUID (for
//! contexts `c1`…`c99`) or is a Graph keyword such as `All` (`E0510`), a lock with entries but
//! no tenant id (`E0513`). A reference to a refused entry is an error at the reference too
//! (`E0512`, in `check::names`), so a lock can never widen a policy behind the sources' back.

use super::lock::{LOCK_VERSION, LockEntry, LockError, LockFile};
use super::{Kind, is_guid};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The words Graph reads as "everyone", "nothing" or a class of targets wherever an id is
/// expected: an id spelled like one of them would silently change what a policy targets.
pub const GRAPH_KEYWORDS: [&str; 8] = [
    "All",
    "None",
    "GuestsOrExternalUsers",
    "AllTrusted",
    "Office365",
    "MicrosoftAdminPortals",
    "ServicePrincipalsInMyTenant",
    "ServicePrincipalsInOtherTenants",
];

/// `c1` … `c99`, an authentication context id.
pub fn is_context_id(s: &str) -> bool {
    s.strip_prefix('c').is_some_and(|n| {
        !n.is_empty()
            && n.len() <= 2
            && !n.starts_with('0')
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Why `id` cannot stand for a `kind` in Graph, or `None` when it can.
pub fn id_problem(kind: Kind, id: &str) -> Option<String> {
    if let Some(k) = GRAPH_KEYWORDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(id.trim()))
    {
        return Some(format!(
            "`{k}` is a Graph keyword, not the id of {}",
            kind.article()
        ));
    }
    let ok = match kind {
        Kind::Context => is_context_id(id),
        _ => is_guid(id),
    };
    if ok {
        return None;
    }
    let wanted = match kind {
        Kind::Context => "`c1` … `c99`",
        _ => "a GUID",
    };
    Some(if id.is_empty() {
        format!("the id is empty; {} id is {wanted}", kind.article())
    } else {
        format!(
            "`{}` is not {wanted}, the form of {} id",
            shorten(id),
            kind.article()
        )
    })
}

fn shorten(s: &str) -> String {
    let clean: String = s.chars().filter(|c| !c.is_control()).take(60).collect();
    if clean.len() < s.len() {
        format!("{clean}…")
    } else {
        clean
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawLock {
    version: u32,
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    entries: BTreeMap<Kind, BTreeMap<String, Value>>,
}

/// Parses and checks a lock file. `Err` when the file as a whole is unusable (`E0300`); else
/// the sound part and every entry-level problem.
pub fn parse_checked(text: &str) -> Result<(LockFile, Vec<LockError>), LockError> {
    let whole = |message: String, offset: usize| LockError {
        code: "E0300",
        message,
        offset,
    };
    let v: Value = serde_json::from_str(text)
        .map_err(|e| whole(e.to_string(), offset_of(text, e.line(), e.column())))?;
    if !v.is_object() {
        return Err(whole("a lock file is a JSON object".into(), 0));
    }
    let raw: RawLock = serde_json::from_value(v).map_err(|e| whole(e.to_string(), 0))?;
    if raw.version != LOCK_VERSION {
        return Err(whole(
            format!(
                "lock file version {} is not supported (this capol reads version {LOCK_VERSION})",
                raw.version
            ),
            text.find("\"version\"").unwrap_or(0),
        ));
    }
    let mut lock = LockFile::new(raw.tenant_id.clone());
    let mut problems = Vec::new();
    for (kind, names) in raw.entries {
        let kind_key = kind.keyword();
        for (name, value) in names {
            let at = member_offset(text, &["entries", kind_key, &name])
                .or_else(|| member_offset(text, &["entries", kind_key]))
                .unwrap_or(0);
            let problem = match check_entry(kind, &value) {
                Ok(entry) => {
                    lock.insert(kind, name.clone(), entry);
                    continue;
                }
                Err(p) => p,
            };
            problems.push(LockError {
                code: problem.0,
                message: format!("{kind} `{}`: {}", shorten(&name), problem.1),
                offset: at,
            });
            lock.refused.insert((kind, name));
        }
    }
    let has_entries = !lock.entries.is_empty() || !lock.refused.is_empty();
    if has_entries && !is_guid(&raw.tenant_id) {
        problems.push(LockError {
            code: "E0513",
            message: if raw.tenant_id.is_empty() {
                "the lock file has entries but no `tenantId`: whose ids are they?".to_string()
            } else {
                format!(
                    "`tenantId` `{}` is not a tenant id (a GUID)",
                    shorten(&raw.tenant_id)
                )
            },
            offset: member_offset(text, &["tenantId"]).unwrap_or(0),
        });
    }
    Ok((lock, problems))
}

fn check_entry(kind: Kind, value: &Value) -> Result<LockEntry, (&'static str, String)> {
    let shape = |what: String| ("E0511", what);
    if !value.is_object() {
        return Err(shape(format!(
            "an entry is an object like {{\"id\": \"…\"}}, not {}",
            json_kind(value)
        )));
    }
    let entry: LockEntry = serde_json::from_value(value.clone())
        .map_err(|e| shape(format!("the entry is not in the lock format: {e}")))?;
    if entry.trusted.is_some() && kind != Kind::Location {
        return Err(shape("only named locations are `trusted`".into()));
    }
    match id_problem(kind, &entry.id) {
        Some(p) => Err(("E0510", p)),
        None => Ok(entry),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(super) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// The byte offset where the key of the member at `path` (object keys from the root) starts in
/// the JSON `text`. Keys are compared decoded, so escapes in the file do not hide an entry.
pub fn member_offset(text: &str, path: &[&str]) -> Option<usize> {
    let b = text.as_bytes();
    // One frame per open container: is it an object, and its current key.
    let mut stack: Vec<(bool, Option<String>)> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                stack.push((true, None));
                expect_key = true;
            }
            b'[' => {
                stack.push((false, None));
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => expect_key = matches!(stack.last(), Some((true, _))),
            b'"' => {
                let start = i;
                i = end_of_string(b, i)?;
                if expect_key {
                    let key: String = serde_json::from_str(text.get(start..i)?).ok()?;
                    let depth = stack.len();
                    if depth == path.len()
                        && key == path[depth - 1]
                        && stack[..depth - 1]
                            .iter()
                            .zip(path)
                            .all(|((obj, k), want)| *obj && k.as_deref() == Some(*want))
                    {
                        return Some(start);
                    }
                    if let Some(top) = stack.last_mut() {
                        top.1 = Some(key);
                    }
                    expect_key = false;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index just after the string starting with the quote at `i`.
fn end_of_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c";
    const G: &str = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";

    fn lock(entries: &str) -> String {
        format!("{{\n  \"version\": 1,\n  \"tenantId\": \"{T}\",\n  \"entries\": {entries}\n}}\n")
    }

    fn codes(text: &str) -> Vec<(&'static str, usize)> {
        let (_, problems) = parse_checked(text).unwrap_or_else(|e| panic!("{}", e.message));
        problems.iter().map(|p| (p.code, p.offset)).collect()
    }

    #[test]
    fn keywords_and_malformed_ids_are_refused_where_written() {
        for bad in [
            "All",
            "all",
            " None",
            "",
            "not-a-guid",
            "GuestsOrExternalUsers",
            "AllTrusted",
        ] {
            let text = lock(&format!(
                "{{\"user\": {{\"alice@contoso.com\": {{\"id\": {}}}}}}}",
                serde_json::json!(bad)
            ));
            let (l, problems) = parse_checked(&text).unwrap_or_else(|e| panic!("{}", e.message));
            assert_eq!(problems.len(), 1, "{bad}");
            assert_eq!(problems[0].code, "E0510", "{bad}");
            assert_eq!(&text[problems[0].offset..][..19], "\"alice@contoso.com\"");
            assert!(l.get(Kind::User, "alice@contoso.com").is_none());
            assert!(l.is_refused(Kind::User, "alice@contoso.com"));
        }
    }

    #[test]
    fn entries_of_the_wrong_type_are_refused() {
        for bad in [
            format!("[\"{G}\"]"),
            format!("\"{G}\""),
            "null".to_string(),
            "{\"id\": 5}".to_string(),
            format!("{{\"id\": \"{G}\", \"extra\": 1}}"),
            format!("{{\"id\": \"{G}\", \"trusted\": true}}"),
        ] {
            let text = lock(&format!("{{\"group\": {{\"BreakGlass\": {bad}}}}}"));
            assert_eq!(codes(&text).first().map(|c| c.0), Some("E0511"), "{bad}");
        }
    }

    #[test]
    fn contexts_are_c1_to_c99() {
        assert!(is_context_id("c1") && is_context_id("c99"));
        for bad in ["c0", "c100", "c01", "C1", "c", "cx"] {
            assert!(!is_context_id(bad), "{bad}");
        }
        let text =
            lock("{\"context\": {\"Finance\": {\"id\": \"c3\"}, \"Bad\": {\"id\": \"All\"}}}");
        assert_eq!(codes(&text).len(), 1);
    }

    #[test]
    fn a_lock_with_entries_needs_its_tenant() {
        let text = format!(
            "{{\"version\": 1, \"entries\": {{\"group\": {{\"A\": {{\"id\": \"{G}\"}}}}}}}}"
        );
        assert_eq!(codes(&text), vec![("E0513", 0)]);
        let text = text.replace(
            "\"version\": 1,",
            "\"version\": 1, \"tenantId\": \"contoso\",",
        );
        assert_eq!(codes(&text)[0].0, "E0513");
        assert!(codes(r#"{"version": 1}"#).is_empty());
    }

    #[test]
    fn whole_file_problems_stay_e0300() {
        for bad in [
            "[1, \"t\", {}]",
            "{\"version\": 1, \"entries\": []}",
            "{\"version\": 2}",
        ] {
            assert_eq!(
                parse_checked(bad).map(|_| ()).unwrap_err().code,
                "E0300",
                "{bad}"
            );
        }
    }

    #[test]
    fn members_are_found_by_decoded_key() {
        let text = r#"{"a": [{"x": 1}], "entries": {"user": {"b\u0040x": {"id": "1"}}}}"#;
        let at = member_offset(text, &["entries", "user", "b@x"]).unwrap_or(0);
        assert!(text[at..].starts_with("\"b\\u0040x\""));
        assert_eq!(member_offset(text, &["x"]), None);
    }
}
