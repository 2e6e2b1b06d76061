//! The canonical form the import round trip compares in: the plan's own normaliser,
//! [`crate::deploy::canon::canonical`], so that "imports exactly" means "`capol plan` shows no
//! change". See `docs/deploy.md` for what it treats as equal.

use serde_json::Value;

/// The canonical form of one policy (a compiled POST body, or a policy read from Graph).
pub fn canonical_for_import(policy: &Value) -> Value {
    crate::deploy::canonical(policy)
}
