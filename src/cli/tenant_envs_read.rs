//! `capol import --from-tenant` and `capol what-if --live` with `--env`: the commands that read
//! each environment's tenant and write nothing there.
//!
//! In: the command's arguments and the environments `--env` selects. Out: per environment, its
//! own connection (tenant, cloud, sign-in, Graph URL), its own lock file (display names for the
//! import, ids for the what-if sign-in, and the tenant id checked against the tenant signed in
//! to) and its own report, run through `tenant_envs` (`--parallel N`, one summary line each, a
//! failure in one never reaching another).
//!
//! - import: one output per environment (`-o DIR` with one environment writes DIR, with several
//!   `DIR/NAME/`; without `-o`, each environment's source is printed under its header). With a
//!   `name-prefix`, only the policies whose name starts with it are read, and the prefix is
//!   taken off the names: the sources are the same for every environment.
//! - what-if: the sign-in compiled with each environment's lock file, the offline verdicts of the
//!   policies as that environment deploys them (prefix, ceiling), Graph's answer for the
//!   policies of that prefix, compared; a disagreement anywhere exits 1.

use super::Exit;
use super::import::ImportArgs;
use super::tenant_envs::{
    Outcome, Status, check_tenant, connect, finish, header, lock_path, plural, read_lock, run_all,
    runtime,
};
use super::whatif::WhatIfArgs;
use crate::env::Environment;
use crate::import::{ImportOptions, NameHints};
use crate::whatif;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The policies whose display name starts with the environment's prefix, the prefix taken off.
fn unprefixed(e: &Environment, policies: Vec<Value>) -> Vec<Value> {
    let Some(prefix) = e.name_prefix.as_deref().filter(|p| !p.is_empty()) else {
        return policies;
    };
    policies
        .into_iter()
        .filter_map(|mut p| {
            let name = p.get("displayName").and_then(Value::as_str)?;
            let rest = name.strip_prefix(prefix)?.to_string();
            p["displayName"] = Value::String(rest);
            Some(p)
        })
        .collect()
}

/// The policies whose display name starts with the environment's prefix (kept as they are).
fn prefixed(e: &Environment, policies: Vec<Value>) -> Vec<Value> {
    let Some(prefix) = e.name_prefix.as_deref().filter(|p| !p.is_empty()) else {
        return policies;
    };
    policies
        .into_iter()
        .filter(|p| {
            p.get("displayName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect()
}

/// `capol import --from-tenant --env …`. `capol.toml` is the one of the output directory, else
/// the one of the current directory.
pub fn import(a: &ImportArgs) -> Exit {
    // The output directory's capol.toml, else the current directory's.
    let root = a
        .out
        .clone()
        .filter(|d| d.join(crate::env::FILE_NAME).is_file())
        .unwrap_or_else(|| PathBuf::from("."));
    let roots = [root];
    let envs = match super::envs::load_at(&roots, a.format) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match super::envs::select(&envs, &a.env) {
        Ok(c) => c,
        Err(x) => return x,
    };
    let several = chosen.len() > 1;
    let outcomes = run_all(&chosen, a.env.parallel, |e| {
        let mut out = Outcome::new(e);
        let path = lock_path(&roots, a.lock.as_deref(), e);
        let lock = match read_lock(&path) {
            Ok(l) => l,
            Err(why) => return out.fail(why),
        };
        let conn = match connect(&a.tenant, a.api, e) {
            Ok(c) => c,
            Err(why) => return out.fail(why),
        };
        let rt = match runtime() {
            Ok(r) => r,
            Err(why) => return out.fail(why),
        };
        let read = rt.block_on(async {
            check_tenant(&conn, lock.as_ref(), &path).await?;
            super::tenant::read_for_import(&conn.client)
                .await
                .map_err(|e| e.to_string())
        });
        let (policies, names) = match read {
            Ok(x) => x,
            Err(why) => return out.fail(why),
        };
        let mut hints = lock.as_ref().map(NameHints::from_lock).unwrap_or_default();
        for (kind, id, name) in names {
            hints.insert(kind, &id, &name);
        }
        let opts = ImportOptions {
            api: a.api,
            hints,
            factor: a.factor,
        };
        let read_count = policies.len();
        let policies = unprefixed(e, policies);
        let imported = crate::import::import_values(&policies, &opts);
        super::output::emit_diagnostics(&imported.diagnostics.items, &imported.sources, a.format);
        let n = imported.policies.len();
        out.json["policies"] = json!(n);
        out.json["skipped"] = json!(imported.skipped);
        let mut summary = format!(
            "imported {n} polic{} of {read_count} read",
            if n == 1 { "y" } else { "ies" }
        );
        match &a.out {
            None => {
                out.text = format!("── environment `{}` ──\n{}", e.name, imported.single);
            }
            Some(dir) => {
                let dir = if several {
                    dir.join(&e.name)
                } else {
                    dir.clone()
                };
                match super::import::write(&imported, &dir, a.single_file, a.force) {
                    Ok(files) => {
                        summary.push_str(&format!(
                            " into {} ({files} file{})",
                            dir.display(),
                            plural(files)
                        ));
                        out.json["directory"] = json!(dir.display().to_string());
                    }
                    Err(_) => {
                        return out.fail(format!("nothing written to `{}`", dir.display()));
                    }
                }
            }
        }
        if imported.has_errors() {
            return out.source_errors(&format!(
                "{summary}; {} not imported (shown above)",
                imported.skipped
            ));
        }
        out.status = Status::Done {
            changes: false,
            summary,
        };
        out
    });
    finish(outcomes, a.format, "imported from", false)
}

/// `capol what-if --live --env …`.
pub fn what_if_live(a: &WhatIfArgs) -> Exit {
    let envs = match super::envs::load(&a.src) {
        Ok(e) => e,
        Err(x) => return x,
    };
    let chosen = match super::envs::select(&envs, &a.env) {
        Ok(c) => c,
        Err(x) => return x,
    };
    let outcomes = run_all(&chosen, a.env.parallel, |e| {
        let mut out = Outcome::new(e);
        let path = lock_path(&a.src.paths, a.src.lock.as_deref(), e);
        let lock = path.is_file().then_some(path.as_path());
        let asked = match super::whatif::ask(a, lock) {
            Ok(x) => x,
            Err(_) => {
                return out.source_errors("the sources or the flags have errors (shown above)");
            }
        };
        let mut c = asked.c;
        e.apply(&mut c.policies);
        let ctx = crate::suite::context(&c);
        let ev = whatif::evaluate(&c.policies, &ctx, &asked.sign_in);
        let request = match whatif::live::request(&asked.sign_in) {
            Ok(r) => r,
            Err(why) => return out.source_errors(&why),
        };
        let lock_file = match read_lock(&path) {
            Ok(l) => l,
            Err(why) => return out.fail(why),
        };
        let conn = match connect(&a.tenant, a.src.api, e) {
            Ok(c) => c,
            Err(why) => return out.fail(why),
        };
        let rt = match runtime() {
            Ok(r) => r,
            Err(why) => return out.fail(why),
        };
        let answer = rt.block_on(async {
            check_tenant(&conn, lock_file.as_ref(), &path).await?;
            conn.client
                .evaluate(&request.body)
                .await
                .map_err(|e| e.to_string())
        });
        let answer = match answer {
            Ok(v) => prefixed(e, v),
            Err(why) => return out.fail(why),
        };
        let cmp = whatif::live::comparison(&ev, &answer);
        out.text = format!(
            "{}{}\n{}\n",
            header(e, &conn),
            whatif::render_table(&ev),
            whatif::live::render_text(&cmp, &request.notes)
        );
        out.json["evaluation"] = serde_json::to_value(&ev).unwrap_or_default();
        let mut report = serde_json::to_value(&cmp).unwrap_or_default();
        report["notes"] = json!(request.notes);
        out.json["live"] = report;
        let agree = cmp.agree.len();
        if !cmp.disagreements.is_empty() {
            let names: Vec<String> = cmp
                .disagreements
                .iter()
                .map(|d| format!("\"{}\"", d.policy))
                .collect();
            out.status = Status::Disagrees(format!(
                "Graph disagrees on {} polic{}: {}",
                names.len(),
                if names.len() == 1 { "y" } else { "ies" },
                names.join(", ")
            ));
            return out;
        }
        if asked.safety_only {
            return out.source_errors("the sources have safety errors (shown above)");
        }
        out.status = Status::Done {
            changes: false,
            summary: format!("Graph agrees ({agree} compared)"),
        };
        out
    });
    finish(outcomes, a.src.format, "asked", false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(prefix: Option<&str>) -> Environment {
        Environment {
            name: "test".into(),
            tenant: None,
            cloud: None,
            lock: None,
            name_prefix: prefix.map(str::to_string),
            max_mode: None,
            graph_url: None,
            auth: None,
            span: crate::source::Span::default(),
        }
    }

    #[test]
    fn a_prefix_selects_the_policies_and_comes_off_their_names() {
        let ps = vec![
            json!({"displayName": "TEST CA001 MFA"}),
            json!({"displayName": "Hand-made"}),
            json!({"id": "no name"}),
        ];
        let e = env(Some("TEST "));
        let got = unprefixed(&e, ps.clone());
        assert_eq!(got, vec![json!({"displayName": "CA001 MFA"})]);
        assert_eq!(prefixed(&e, ps.clone()), vec![ps[0].clone()]);
        assert_eq!(unprefixed(&env(None), ps.clone()), ps);
        assert_eq!(prefixed(&env(Some("")), ps.clone()), ps);
    }
}
