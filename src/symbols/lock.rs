//! `capol.lock`: the names a tenant answered, pinned to ids.
//!
//! In: the lock file's text. Out: [`LockFile`]. The format is JSON, versioned, sorted (kinds, then
//! names), with the tenant id; see `docs/lockfile.md`.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tenantId": "00000000-0000-0000-0000-000000000000",
//!   "entries": {
//!     "group": { "Break Glass Accounts": { "id": "0b1d2b8e-…" } },
//!     "location": { "HQ": { "id": "8c6a1f02-…", "trusted": true } },
//!     "user": { "alice@contoso.com": { "id": "…" } }
//!   }
//! }
//! ```

use super::Kind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const LOCK_FILE_NAME: &str = "capol.lock";
pub const LOCK_VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockFile {
    pub version: u32,
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub entries: BTreeMap<Kind, BTreeMap<String, LockEntry>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockEntry {
    /// Object id (app id for apps; template id for roles).
    pub id: String,
    /// The object's display name in the tenant, when it differs from the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Named locations only: whether the location is marked trusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted: Option<bool>,
    /// Custom authentication strengths only: the method combinations the strength allows, in
    /// Graph's form (`password,microsoftAuthenticatorPush`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combinations: Option<Vec<String>>,
}

/// Why a lock file could not be read: a message and the byte offset it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockError {
    pub message: String,
    pub offset: usize,
}

impl LockFile {
    pub fn new(tenant_id: impl Into<String>) -> Self {
        LockFile {
            version: LOCK_VERSION,
            tenant_id: tenant_id.into(),
            entries: BTreeMap::new(),
        }
    }

    pub fn parse(text: &str) -> Result<LockFile, LockError> {
        let lock: LockFile = serde_json::from_str(text).map_err(|e| LockError {
            message: e.to_string(),
            offset: offset_of(text, e.line(), e.column()),
        })?;
        if lock.version != LOCK_VERSION {
            return Err(LockError {
                message: format!(
                    "lock file version {} is not supported (this capol reads version {LOCK_VERSION})",
                    lock.version
                ),
                offset: text.find("\"version\"").unwrap_or(0),
            });
        }
        Ok(lock)
    }

    pub fn get(&self, kind: Kind, name: &str) -> Option<&LockEntry> {
        self.entries.get(&kind)?.get(name)
    }

    pub fn insert(&mut self, kind: Kind, name: impl Into<String>, entry: LockEntry) {
        self.entries
            .entry(kind)
            .or_default()
            .insert(name.into(), entry);
    }

    /// Every (kind, name) the lock answers, for suggestions.
    pub fn names(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.entries
            .get(&kind)
            .into_iter()
            .flat_map(|m| m.keys().map(String::as_str))
    }

    /// The canonical text: pretty JSON, keys sorted, one trailing newline.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted() {
        let mut l = LockFile::new("t");
        l.insert(
            Kind::User,
            "b@x.com",
            LockEntry {
                id: "2".into(),
                ..Default::default()
            },
        );
        l.insert(
            Kind::Group,
            "A",
            LockEntry {
                id: "1".into(),
                ..Default::default()
            },
        );
        let text = l.to_text();
        assert!(text.find("\"group\"") < text.find("\"user\""));
        assert_eq!(LockFile::parse(&text), Ok(l));
    }

    #[test]
    fn rejects_other_versions_and_bad_json() {
        assert!(
            LockFile::parse(r#"{"version": 9}"#)
                .unwrap_err()
                .message
                .contains("version 9")
        );
        let e = LockFile::parse("{\n  \"version\": 1,\n  oops").unwrap_err();
        assert!(e.offset > 10);
    }
}
