//! Rendering a plan for people (text) and for machines (JSON), and the saved-plan file.
//!
//! In: a [`Plan`]. Out: text (`+ create` / `~ update` with one line per changed field, named by
//! the clause that writes it and its Graph path / `- delete` / an unchanged count and a summary),
//! a JSON value, or a [`SavedPlan`] file that `capol deploy --plan` applies after checking that
//! it follows from the sources and that the tenant did not change.

use super::canon::canonical;
use super::plan::{Action, FieldChange, Plan, PlanOptions, WRITABLE};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
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

    /// Why this plan does not follow from `desired` (the policies compiled now), as lines for
    /// people; empty when it does. A plan applies only to the sources it was made from, and
    /// every write in it must come from them: a changed source, or a hand-edited plan file,
    /// would otherwise deploy something the checker never saw.
    pub fn mismatches(&self, desired: &[Value]) -> Vec<String> {
        fn by_name(list: &[Value]) -> BTreeMap<String, Value> {
            list.iter()
                .map(|v| {
                    let name = v.get("displayName").and_then(Value::as_str).unwrap_or("");
                    (name.to_string(), canonical(v))
                })
                .collect()
        }
        let raw: BTreeMap<&str, &Value> = self
            .desired
            .iter()
            .filter_map(|v| Some((v.get("displayName")?.as_str()?, v)))
            .collect();
        let (planned, now) = (by_name(&self.desired), by_name(desired));
        let mut out = Vec::new();
        for (name, before) in &planned {
            match now.get(name) {
                None => out.push(format!("policy `{name}` is no longer in the sources")),
                Some(after) if after != before => {
                    out.push(format!("policy `{name}` changed in the sources"))
                }
                Some(_) => {}
            }
        }
        for name in now.keys().filter(|n| !planned.contains_key(*n)) {
            out.push(format!("policy `{name}` was added to the sources"));
        }
        for a in &self.plan.actions {
            let name = a.display_name();
            let fits = match a {
                Action::Create { body, .. } => planned.get(name) == Some(&canonical(body)),
                Action::Update { patch, .. } => match (raw.get(name), patch.as_object()) {
                    (Some(d), Some(p)) => p.iter().all(|(k, v)| {
                        WRITABLE.contains(&k.as_str()) && d.get(k).unwrap_or(&Value::Null) == v
                    }),
                    _ => false,
                },
                Action::Unchanged { .. } => planned.contains_key(name),
                Action::Delete { .. } => self.options.prune && !planned.contains_key(name),
            };
            if !fits {
                out.push(format!(
                    "the plan's action on `{name}` does not follow from the policies it was made from"
                ));
            }
        }
        out
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
            "+ create `New`\n~ update `Changed` (id-c)\n    mode off → on (state)\n- delete `Old` (id-o)\n  1 unchanged\nPlan: 1 to create, 1 to update, 1 to delete, 1 unchanged.\n"
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
    fn a_saved_plan_must_follow_from_the_sources() {
        let desired = vec![pol("New", "enabled"), pol("Changed", "enabled")];
        let tenant = [
            with_id(pol("Changed", "disabled"), "id-c"),
            with_id(pol("Old", "enabled"), "id-o"),
        ];
        let opts = PlanOptions { prune: true };
        let p = plan(&desired, &tenant, &opts).unwrap_or_else(|e| panic!("{e}"));
        let saved = SavedPlan::new(p, desired.clone(), opts, "v1.0", None);
        assert_eq!(saved.mismatches(&desired), Vec::<String>::new());

        // The sources changed since.
        let now = vec![
            pol("New", "disabled"),
            pol("Changed", "enabled"),
            pol("Extra", "enabled"),
        ];
        let m = saved.mismatches(&now);
        assert!(
            m.contains(&"policy `New` changed in the sources".to_string()),
            "{m:?}"
        );
        assert!(
            m.contains(&"policy `Extra` was added to the sources".to_string()),
            "{m:?}"
        );
        assert!(saved.mismatches(&desired[..1])[0].contains("no longer in the sources"));

        // A hand-edited plan: the create and the patch no longer match the compiled bodies.
        let mut edited = saved.clone();
        for a in &mut edited.plan.actions {
            match a {
                Action::Create { body, .. } => body["state"] = json!("disabled"),
                Action::Update { patch, .. } => patch["grantControls"] = Value::Null,
                _ => {}
            }
        }
        let m = edited.mismatches(&desired);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].contains("`New` does not follow"), "{m:?}");
        // A delete without --prune in the plan's options.
        let mut no_prune = saved;
        no_prune.options.prune = false;
        assert!(no_prune.mismatches(&desired)[0].contains("`Old`"));
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
