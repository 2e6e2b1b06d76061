//! Rendering a plan for people (text) and for machines (JSON), and the saved-plan file.
//!
//! In: a [`Plan`]. Out: text (`+ create` / `~ update` with one line per changed field, named by
//! the clause that writes it and its Graph path / `- delete` / an unchanged count and a summary),
//! a JSON value, or a [`SavedPlan`] file that `capol deploy --plan` applies after checking that
//! it follows from the sources and that the tenant did not change.

use super::plan::{Action, FieldChange, Plan, PlanOptions};
pub use super::trust::PlanDigest;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The text form of a plan. Ends with a summary line.
pub fn render_text(plan: &Plan) -> String {
    render_text_named(plan, &|_| None)
}

/// [`render_text`], with a line under each changed field that names the ids in it that
/// `name_of` knows (`0b1d… is group BreakGlass`).
pub fn render_text_named(plan: &Plan, name_of: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    for a in &plan.actions {
        match a {
            Action::Create { display_name, .. } => {
                let _ = writeln!(out, "+ create `{display_name}`");
            }
            Action::Update {
                id,
                display_name,
                changes,
                ..
            } => {
                let _ = writeln!(out, "~ update `{display_name}` ({id})");
                for c in changes {
                    let _ = writeln!(out, "    {}", change_line(c));
                    let mut ids = Vec::new();
                    for v in c.before.iter().chain(c.after.iter()) {
                        guids(v, &mut ids);
                    }
                    let known: Vec<String> = ids
                        .iter()
                        .filter_map(|id| Some(format!("{id} is {}", name_of(id)?)))
                        .collect();
                    if !known.is_empty() {
                        let _ = writeln!(out, "      ({})", known.join("; "));
                    }
                }
            }
            Action::Delete { id, display_name } => {
                let _ = writeln!(out, "- delete `{display_name}` ({id})");
            }
            Action::Unchanged { .. } => {}
        }
    }
    for name in &plan.kept {
        let _ = writeln!(
            out,
            "  left alone: `{name}` (Microsoft-managed: it cannot be deleted, only turned off)"
        );
    }
    if plan.unchanged() > 0 {
        let _ = writeln!(out, "  {} unchanged", plan.unchanged());
    }
    if plan.deletes() > 0 {
        out.push_str(
            "  Deleted policies stay restorable for 30 days: \
             POST /identity/conditionalAccess/deletedItems/policies/{id}/restore (Graph beta)\n",
        );
    }
    if plan.is_empty() {
        out.push_str("No changes: the tenant matches the policies.\n");
    } else {
        let _ = writeln!(
            out,
            "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
            plan.creates(),
            plan.updates(),
            plan.deletes(),
            plan.unchanged()
        );
    }
    out
}

/// `clause before → after (path)` in the language's words for an enumerated property
/// (`mode report-only → on (state)`); otherwise `clause (path): before → after` in JSON
/// (`exclude group (conditions.users.excludeGroups): …`), or `path: before → after` for a path
/// the language has no clause for; `(absent)` for a missing side.
pub fn change_line(c: &FieldChange) -> String {
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map_or_else(|| "(absent)".to_string(), Value::to_string)
    };
    let clause = clause_for_path(&c.path);
    // An enumerated property speaks the language: `mode report-only → on (state)`.
    let words = |v: &Option<Value>| match v {
        None => Some("(absent)".to_string()),
        Some(v) => crate::vocab::words_for_path(&c.path, v),
    };
    if let (Some(term), Some(before), Some(after)) = (clause, words(&c.before), words(&c.after)) {
        return format!("{term} {before} → {after} ({})", c.path);
    }
    let what = match clause {
        Some(term) => format!("{term} ({})", c.path),
        None => c.path.clone(),
    };
    format!("{what}: {} → {}", show(&c.before), show(&c.after))
}

/// Every GUID string in `v`, once each, in order.
fn guids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if crate::symbols::is_guid(s) && !out.contains(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| guids(x, out)),
        Value::Object(o) => o.values().for_each(|x| guids(x, out)),
        _ => {}
    }
}

pub use crate::vocab::clause_for_path;

/// The JSON form: the actions, the counts and the fingerprint.
pub fn render_json(plan: &Plan) -> Value {
    json!({
        "summary": {
            "create": plan.creates(),
            "update": plan.updates(),
            "delete": plan.deletes(),
            "unchanged": plan.unchanged(),
            "changes": !plan.is_empty(),
        },
        "actions": plan.actions,
        "kept": plan.kept,
        "fingerprint": plan.fingerprint,
    })
}

/// Format 2 added the required `tenantId` and the [`PlanDigest`]; format 1 plans are refused
/// (plan again).
pub const SAVED_PLAN_FORMAT: u32 = 2;

/// A plan written with `capol plan --out PLAN`: what was planned, against which tenant, with
/// the compiled bodies it came from and the digest of its inputs. Untrusted when read back:
/// `capol deploy --plan` applies it only when planning again gives exactly this plan
/// ([`super::trust::verify_saved`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedPlan {
    pub format: u32,
    /// `v1.0` or `beta`: the plan must be applied through the same API version.
    pub api_version: String,
    /// The tenant id the plan was made for.
    pub tenant_id: String,
    pub options: PlanOptions,
    /// What the plan was made from.
    pub digest: PlanDigest,
    /// The compiled policies, as planned.
    pub desired: Vec<Value>,
    pub plan: Plan,
}

impl SavedPlan {
    pub fn new(
        plan: Plan,
        desired: Vec<Value>,
        options: PlanOptions,
        api_version: &str,
        tenant_id: String,
        digest: PlanDigest,
    ) -> Self {
        SavedPlan {
            format: SAVED_PLAN_FORMAT,
            api_version: api_version.to_string(),
            tenant_id,
            options,
            digest,
            desired,
            plan,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a saved plan; the message says what is wrong.
    pub fn parse(text: &str) -> Result<SavedPlan, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("not a capol plan file: {e}"))?;
        if let Some(f) = v.get("format").and_then(Value::as_u64)
            && f != u64::from(SAVED_PLAN_FORMAT)
        {
            return Err(format!(
                "plan file format {f} is not supported (this capol reads format {SAVED_PLAN_FORMAT}); plan again"
            ));
        }
        let p: SavedPlan =
            serde_json::from_value(v).map_err(|e| format!("not a capol plan file: {e}"))?;
        if p.format != SAVED_PLAN_FORMAT {
            return Err(format!(
                "plan file format {} is not supported (this capol reads format {SAVED_PLAN_FORMAT})",
                p.format
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::plan::plan;

    fn pol(name: &str, state: &str) -> Value {
        json!({"displayName": name, "state": state,
               "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
               "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    }

    fn with_id(mut v: Value, id: &str) -> Value {
        v["id"] = json!(id);
        v
    }

    #[test]
    fn text_shows_every_kind_of_action() {
        let desired = [
            pol("New", "enabled"),
            pol("Changed", "enabled"),
            pol("Same", "enabled"),
        ];
        let tenant = [
            with_id(pol("Changed", "disabled"), "id-c"),
            with_id(pol("Same", "enabled"), "id-s"),
            with_id(pol("Old", "enabled"), "id-o"),
        ];
        let p =
            plan(&desired, &tenant, &PlanOptions { prune: true }).unwrap_or_else(|e| panic!("{e}"));
        let text = render_text(&p);
        assert_eq!(
            text,
            "+ create `New`\n~ update `Changed` (id-c)\n    mode off → on (state)\n- delete `Old` (id-o)\n  1 unchanged\n  Deleted policies stay restorable for 30 days: POST /identity/conditionalAccess/deletedItems/policies/{id}/restore (Graph beta)\nPlan: 1 to create, 1 to update, 1 to delete, 1 unchanged.\n"
        );
        let j = render_json(&p);
        assert_eq!(j["summary"]["update"], json!(1));
        assert_eq!(j["actions"][1]["action"], json!("update"));
        assert_eq!(j["actions"][1]["patch"], json!({"state": "enabled"}));
    }

    #[test]
    fn empty_plan_says_so() {
        let p = plan(
            &[pol("A", "enabled")],
            &[with_id(pol("A", "enabled"), "1")],
            &PlanOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(render_text(&p).ends_with("No changes: the tenant matches the policies.\n"));
    }

    #[test]
    fn paths_are_named_by_their_clause() {
        for (path, term) in [
            ("state", Some("mode")),
            ("conditions.users.excludeGroups", Some("exclude group")),
            ("grantControls.builtInControls", Some("require/block")),
            ("grantControls", Some("require/block")),
            (
                "grantControls.authenticationStrength.id",
                Some("require strength"),
            ),
            (
                "sessionControls.signInFrequency.value",
                Some("session sign-in-frequency"),
            ),
            ("conditions.clientAppTypes", Some("when client")),
            ("conditions.users.excludeGroupsX", Some("for/exclude users")),
            ("conditions.times", None),
            ("stateX", None),
        ] {
            assert_eq!(clause_for_path(path), term, "{path}");
        }
        let c = FieldChange {
            path: "conditions.users.excludeGroups".into(),
            before: None,
            after: Some(json!(["g"])),
        };
        assert_eq!(
            change_line(&c),
            "exclude group (conditions.users.excludeGroups): (absent) → [\"g\"]"
        );
    }

    #[test]
    fn ids_are_named_when_known() {
        let g1 = "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";
        let g2 = "1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11";
        let mut want = pol("P", "enabled");
        want["conditions"]["users"]["excludeGroups"] = json!([g1, g2]);
        let mut tenant = with_id(pol("P", "enabled"), "id-p");
        tenant["conditions"]["users"]["excludeGroups"] = json!([g1]);
        let p = plan(&[want], &[tenant], &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let text = render_text_named(&p, &|id| (id == g1).then(|| "group BreakGlass".to_string()));
        assert!(
            text.contains(&format!(
                "    exclude group (conditions.users.excludeGroups): [\"{g1}\"] → [\"{g1}\",\"{g2}\"]\n      ({g1} is group BreakGlass)\n"
            )),
            "{text}"
        );
        assert!(!render_text(&p).contains("is group"));
    }

    #[test]
    fn saved_plan_round_trips_and_checks_format() {
        let desired = vec![pol("A", "enabled")];
        let p = plan(&desired, &[], &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let saved = SavedPlan::new(
            p,
            desired,
            PlanOptions::default(),
            "v1.0",
            "t".into(),
            PlanDigest::default(),
        );
        let text = saved.to_text();
        assert_eq!(SavedPlan::parse(&text), Ok(saved));
        let bad = text.replace("\"format\": 2", "\"format\": 7");
        assert!(SavedPlan::parse(&bad).unwrap_err().contains("format 7"));
        assert!(SavedPlan::parse("{}").is_err());
        // A format-1 plan, or one whose tenant was deleted, is not read.
        let old = text.replace("\"format\": 2", "\"format\": 1");
        assert!(SavedPlan::parse(&old).unwrap_err().contains("plan again"));
        let untenanted = text.replace("  \"tenantId\": \"t\",\n", "");
        assert!(
            SavedPlan::parse(&untenanted)
                .unwrap_err()
                .contains("tenantId")
        );
    }
}
