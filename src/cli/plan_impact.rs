//! `capol plan --impact`: the sign-ins whose outcome the plan changes, beside its field diff.
//!
//! In: the compiled sources, the tenant's policies as Graph returned them, the prune setting.
//! Out: the [`Change`]s (text after the plan, `impact` in the JSON plan), or `E0251` when a
//! tenant policy cannot be read into the model the analysis needs.

use super::Exit;
use super::output;
use crate::analyze::impact::{self, Change};
use crate::deploy;
use crate::driver::Compilation;
use crate::graph::model::Policy;
use serde_json::Value;
use std::collections::BTreeSet;

/// A tenant policy as the evaluator reads it: Graph's answer in canonical form (nulls, read-only
/// properties and OData noise dropped).
pub fn tenant_policy(v: &Value) -> Result<Policy, String> {
    serde_json::from_value(deploy::canon::canonical(v)).map_err(|e| e.to_string())
}

/// The tenant's policies now, and the set after the plan: the sources' policies, plus the tenant
/// policies no source names (unless `prune` deletes them). Deploy lease markers are left out.
/// A tenant policy that cannot be read is `Err((display name, why))`.
pub fn before_after(
    c: &Compilation,
    tenant: &[Value],
    prune: bool,
) -> Result<(Vec<Policy>, Vec<Policy>), (String, String)> {
    let mut before = Vec::new();
    for v in tenant.iter().filter(|v| !deploy::lease::is_marker(v)) {
        match tenant_policy(v) {
            Ok(p) => before.push(p),
            Err(e) => {
                let name = v.get("displayName").and_then(Value::as_str).unwrap_or("?");
                return Err((name.to_string(), e));
            }
        }
    }
    let named: BTreeSet<&str> = c.policies.iter().map(|p| p.display_name.as_str()).collect();
    let mut after = c.policies.clone();
    if !prune {
        after.extend(
            before
                .iter()
                .filter(|p| !named.contains(p.display_name.as_str()))
                .cloned(),
        );
    }
    Ok((before, after))
}

/// Every class of sign-ins whose outcome the plan changes.
pub fn changes(c: &Compilation, tenant: &[Value], prune: bool) -> Result<Vec<Change>, Exit> {
    let (before, after) = before_after(c, tenant, prune).map_err(|(name, e)| {
        output::error(format!(
            "[E0251] cannot compute the impact: the tenant policy `{name}` cannot be read as a Conditional Access policy ({e})"
        ));
        eprintln!("help: run `capol plan` without --impact for the field diff");
        Exit::Tenant
    })?;
    let ctx = crate::suite::context(c);
    let mut internal = Vec::new();
    let out = impact::impact(&before, &after, &ctx, &mut internal).map_err(|e| {
        output::error(format!(
            "cannot compute the impact exactly: {}; nothing is guessed",
            e.0
        ));
        Exit::SourceErrors
    })?;
    if !internal.is_empty() {
        for e in internal {
            output::error(format!("internal error: {e}"));
        }
        return Err(Exit::SourceErrors);
    }
    Ok(out)
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// The impact as text, after the plan.
pub fn text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "\nImpact on sign-ins: no sign-in's outcome changes.\n".into();
    }
    let mut out = format!(
        "\nImpact on sign-ins: {} class{} of sign-ins change{}:\n",
        changes.len(),
        if changes.len() == 1 { "" } else { "es" },
        if changes.len() == 1 { "s" } else { "" }
    );
    for ch in changes {
        out.push_str(&format!("  {}\n", ch.summary));
        out.push_str(&format!(
            "      before: {}\n      after:  {}\n",
            ch.before, ch.after
        ));
        out.push_str(&indent(&ch.scenario, "      "));
    }
    out
}

/// The impact as JSON: `[{summary, before, after, scenario}]`.
pub fn json(changes: &[Change]) -> Value {
    serde_json::to_value(changes).unwrap_or(Value::Null)
}
