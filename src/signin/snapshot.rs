//! The directory snapshot: who is in which group and holds which role, for the users a sign-in
//! log names. Sign-in records carry neither; `capol resolve --snapshot FILE` reads them from the
//! tenant and writes this file, `capol impact --snapshot FILE` reads it.
//!
//! In: JSON text, or the memberships read from the tenant. Out: a [`Snapshot`] that answers
//! "the groups and roles of this user", by object id or user principal name.
//!
//! ```json
//! {
//!   "capolSnapshot": 1,
//!   "users": {
//!     "26be570a-ae82-4189-b4e2-a37c6808512d": {
//!       "userPrincipalName": "testaccount1@contoso.com",
//!       "groups": ["<group object id>", "..."],
//!       "roles": ["<directory role template id>", "..."]
//!     }
//!   }
//! }
//! ```

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The version this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// One user's memberships: transitive groups, and the directory roles they hold (template ids).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Memberships {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    pub groups: Vec<String>,
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotFile {
    capol_snapshot: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_date_time: Option<String>,
    #[serde(default)]
    users: BTreeMap<String, Memberships>,
}

/// Memberships by user id (lower case), with an index by UPN.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub created: Option<String>,
    users: BTreeMap<String, Memberships>,
    by_upn: HashMap<String, String>,
}

impl Snapshot {
    pub fn new(created: Option<String>) -> Self {
        Snapshot {
            created,
            ..Snapshot::default()
        }
    }

    /// Adds (or replaces) a user's memberships. Ids are kept lower case, sorted, once each.
    pub fn insert(&mut self, user_id: &str, mut m: Memberships) {
        let id = user_id.to_ascii_lowercase();
        for list in [&mut m.groups, &mut m.roles] {
            for g in list.iter_mut() {
                *g = g.to_ascii_lowercase();
            }
            list.sort();
            list.dedup();
        }
        if let Some(upn) = &m.user_principal_name {
            self.by_upn.insert(upn.to_lowercase(), id.clone());
        }
        self.users.insert(id, m);
    }

    /// The memberships of the user with this object id, or else this UPN.
    pub fn get(&self, user_id: Option<&str>, upn: Option<&str>) -> Option<&Memberships> {
        if let Some(id) = user_id
            && let Some(m) = self.users.get(&id.to_ascii_lowercase())
        {
            return Some(m);
        }
        let id = self.by_upn.get(&upn?.to_lowercase())?;
        self.users.get(id)
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    pub fn parse(text: &str) -> Result<Snapshot, String> {
        let f: SnapshotFile = serde_json::from_str(text).map_err(|e| {
            format!("not a directory snapshot ({e}); `capol resolve --snapshot FILE` writes one")
        })?;
        if f.capol_snapshot != SNAPSHOT_VERSION {
            return Err(format!(
                "snapshot version {} is not supported (this capol reads version {SNAPSHOT_VERSION}); \
                 write it again with `capol resolve --snapshot`",
                f.capol_snapshot
            ));
        }
        let mut s = Snapshot::new(f.created_date_time);
        for (id, m) in f.users {
            s.insert(&id, m);
        }
        Ok(s)
    }

    /// Pretty JSON, users sorted by id: the same snapshot always gives the same text.
    pub fn to_text(&self) -> String {
        let f = SnapshotFile {
            capol_snapshot: SNAPSHOT_VERSION,
            created_date_time: self.created.clone(),
            users: self.users.clone(),
        };
        let mut t = serde_json::to_string_pretty(&f).unwrap_or_default();
        t.push('\n');
        t
    }
}
