//! Name → id tables: declarations, the lock file and the built-in catalogues.
//!
//! In: declarations from the AST, `capol.lock`, the catalogues compiled into the crate.
//! Out: [`Kind`]-typed look-ups used by the checker.

pub mod catalog;
pub mod listing;
pub mod lock;
pub mod lock_check;

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of a named directory object (or built-in value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    // Alphabetical by keyword, so that maps keyed by kind (the lock file) come out sorted.
    App,
    Context,
    Group,
    Location,
    Role,
    ServicePrincipal,
    Strength,
    Terms,
    User,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::User,
        Kind::Group,
        Kind::Role,
        Kind::App,
        Kind::ServicePrincipal,
        Kind::Location,
        Kind::Terms,
        Kind::Strength,
        Kind::Context,
    ];

    /// The keyword as written in source (`service-principal`).
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
            Kind::App => "app",
            Kind::ServicePrincipal => "service-principal",
            Kind::Location => "location",
            Kind::Terms => "terms",
            Kind::Strength => "strength",
            Kind::Context => "context",
        }
    }

    /// A phrase for messages ("a group", "an app").
    pub fn article(self) -> &'static str {
        match self {
            Kind::User => "a user",
            Kind::Group => "a group",
            Kind::Role => "a role",
            Kind::App => "an app",
            Kind::ServicePrincipal => "a service principal",
            Kind::Location => "a named location",
            Kind::Terms => "a terms-of-use agreement",
            Kind::Strength => "an authentication strength",
            Kind::Context => "an authentication context",
        }
    }

    pub fn from_keyword(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.keyword() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// Is `s` a GUID in the 8-4-4-4-12 hexadecimal form?
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
