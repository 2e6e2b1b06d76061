//! Rendering a plan for people (text) and for machines (JSON), and the saved-plan file.
//!
//! In: a [`Plan`]. Out: text (`+ create` / `~ update` with one line per changed field /
//! `- delete` / an unchanged count and a summary), a JSON value, or a [`SavedPlan`] file that
//! `capol deploy --plan` applies after checking the tenant did not change.

use super::plan::{Action, FieldChange, Plan, PlanOptions};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The text form of a plan. Ends with a summary line.
pub fn render_text(plan: &Plan) -> String {
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
                }
            }
            Action::Delete { id, display_name } => {
                let _ = writeln!(out, "- delete `{display_name}` ({id})");
            }
            Action::Unchanged { .. } => {}
        }
    }
    if plan.unchanged() > 0 {
        let _ = writeln!(out, "  {} unchanged", plan.unchanged());
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

/// `path: before → after`, with `(absent)` for a missing side.
pub fn change_line(c: &FieldChange) -> String {
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map_or_else(|| "(absent)".to_string(), Value::to_string)
    };
    format!("{}: {} → {}", c.path, show(&c.before), show(&c.after))
}

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
        "fingerprint": plan.fingerprint,
    })
}

pub const SAVED_PLAN_FORMAT: u32 = 1;

/// A plan written with `capol plan --out PLAN`: what was planned, against which tenant state,
/// with the compiled bodies it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedPlan {
    pub format: u32,
    /// `v1.0` or `beta`: the plan must be applied through the same API version.
    pub api_version: String,
    /// The tenant id the plan was made for, when known (`GraphClient::token_tenant`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    pub options: PlanOptions,
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
        tenant_id: Option<String>,
    ) -> Self {
        SavedPlan {
            format: SAVED_PLAN_FORMAT,
            api_version: api_version.to_string(),
            tenant_id,
            options,
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
        let p: SavedPlan =
            serde_json::from_str(text).map_err(|e| format!("not a capol plan file: {e}"))?;
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
            "+ create `New`\n~ update `Changed` (id-c)\n    state: \"disabled\" → \"enabled\"\n- delete `Old` (id-o)\n  1 unchanged\nPlan: 1 to create, 1 to update, 1 to delete, 1 unchanged.\n"
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
    fn saved_plan_round_trips_and_checks_format() {
        let desired = vec![pol("A", "enabled")];
        let p = plan(&desired, &[], &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let saved = SavedPlan::new(p, desired, PlanOptions::default(), "v1.0", Some("t".into()));
        let text = saved.to_text();
        assert_eq!(SavedPlan::parse(&text), Ok(saved));
        let bad = text.replace("\"format\": 1", "\"format\": 7");
        assert!(SavedPlan::parse(&bad).unwrap_err().contains("format 7"));
        assert!(SavedPlan::parse("{}").is_err());
    }
}
