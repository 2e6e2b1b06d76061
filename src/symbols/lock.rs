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
use std::collections::{BTreeMap, BTreeSet};

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
    /// Entries the file holds but that were refused (`super::lock_check`): a reference to one
    /// is an error, never a fall-back to another answer.
    #[serde(skip)]
    pub refused: BTreeSet<(Kind, String)>,
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

/// Why a lock file (`E0300`) or one of its entries (`E0510`, `E0511`, `E0513`) could not be
/// used: a code, a message and the byte offset it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockError {
    pub code: &'static str,
    pub message: String,
    pub offset: usize,
}

impl LockFile {
    pub fn new(tenant_id: impl Into<String>) -> Self {
        LockFile {
            version: LOCK_VERSION,
            tenant_id: tenant_id.into(),
            entries: BTreeMap::new(),
            refused: BTreeSet::new(),
        }
    }

    /// Parses a lock file; entries that fail [`super::lock_check`] are left out (and listed in
    /// [`Self::refused`]). [`super::lock_check::parse_checked`] also says why.
    pub fn parse(text: &str) -> Result<LockFile, LockError> {
        super::lock_check::parse_checked(text).map(|(lock, _)| lock)
    }

    /// Whether the file held an entry for `(kind, name)` that was refused.
    pub fn is_refused(&self, kind: Kind, name: &str) -> bool {
        self.refused.contains(&(kind, name.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted() {
        let mut l = LockFile::new("6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c");
        l.insert(
            Kind::User,
            "b@x.com",
            LockEntry {
                id: "2b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11".into(),
                ..Default::default()
            },
        );
        l.insert(
            Kind::Group,
            "A",
            LockEntry {
                id: "1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11".into(),
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
