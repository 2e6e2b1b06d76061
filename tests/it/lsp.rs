//! `capol lsp`, driven over stdio with JSON-RPC as an editor drives it.

use crate::support::lsp_client::{Client, uri};
use serde_json::{Value, json};
use std::path::Path;

const NAMES: &str = "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\n\
emergency group BreakGlass\n";

const POLICY: &str = "policy \"CA001 Require MFA for admins\"\n    for role GlobalAdministrator\n    for all apps\n    exclude group BreakGlass\n    require mfa\n    mode on\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("names.capol"), NAMES).unwrap();
    std::fs::write(dir.path().join("admins.capol"), POLICY).unwrap();
    std::fs::write(
        dir.path().join("capol.lock"),
        r#"{"version": 1, "tenantId": "t", "entries": {"group": {"Finance Team": {"id": "11111111-2222-4333-8444-555555555555"}}}}"#,
    )
    .unwrap();
    dir
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn at(u: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": u}, "position": pos(line, character)})
}

fn change(c: &mut Client, u: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": version},
               "contentChanges": [{"text": text}]}),
    );
}

fn labels(v: &Value) -> Vec<String> {
    let items = v.as_array().or_else(|| v["items"].as_array()).unwrap();
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

/// `(line, start, end)` of a range.
fn span(r: &Value) -> (u64, u64, u64) {
    (
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    )
}

fn completion(c: &mut Client, path: &Path, text: &str) -> Vec<String> {
    let u = uri(path);
    change(c, &u, 9, text);
    let lines: Vec<&str> = text.split('\n').collect();
    let line = (lines.len() - 1) as u32;
    let col = lines.last().unwrap().encode_utf16().count() as u32;
    labels(&c.request("textDocument/completion", at(&u, line, col)))
}

#[test]
fn diagnostics_as_you_type_with_help_and_quick_fix() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let mut c = Client::start(dir.path());
    let u = c.open(&path, POLICY);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());

    let typo = POLICY.replace("exclude group BreakGlass", "exclude group BrakeGlass");
    change(&mut c, &u, 2, &typo);
    let ds = c.diagnostics(&u);
    // The unknown group, and the emergency rule it now breaks.
    let unknown = ds.iter().find(|d| d["code"] == "E0100").expect("E0100");
    assert_eq!(span(&unknown["range"]), (3, 18, 28));
    assert_eq!(unknown["severity"], 1);
    let msg = unknown["message"].as_str().unwrap();
    assert!(msg.starts_with("unknown group `BrakeGlass`"), "{msg}");
    assert!(msg.contains("help: did you mean `BreakGlass`?"), "{msg}");

    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": unknown["range"],
               "context": {"diagnostics": [unknown]}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["title"], "replace `BrakeGlass` with `BreakGlass`");
    let edit = &fix["edit"]["changes"][&u][0];
    assert_eq!(edit["newText"], "BreakGlass");
    assert_eq!(span(&edit["range"]), (3, 18, 28));

    // Fixing it clears the file.
    change(&mut c, &u, 3, POLICY);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    assert!(c.shutdown().success());
}

#[test]
fn diagnostics_cover_the_whole_project_with_related_locations() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let mut c = Client::start(dir.path());
    let u = c.open(&path, POLICY);
    c.diagnostics(&u);
    // Declaring BreakGlass in the open file too: names.capol (compiled after admins.capol)
    // now declares it again, and points back at the open buffer.
    change(
        &mut c,
        &u,
        2,
        &format!("{POLICY}group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d12\n"),
    );
    let ds = c.diagnostics_until(&uri(&dir.path().join("names.capol")), |ds| !ds.is_empty());
    let dup = ds.iter().find(|d| d["code"] == "E0103").expect("E0103");
    assert_eq!(span(&dup["range"]), (0, 6, 16));
    let rel = &dup["relatedInformation"][0];
    assert_eq!(rel["location"]["uri"], u);
    assert_eq!(span(&rel["location"]["range"]), (6, 6, 16));
    assert_eq!(rel["message"], "first declared here");

    // A problem in a file that is not open is published for that file.
    let other = dir.path().join("other.capol");
    std::fs::write(
        &other,
        "policy \"X\" for all users for app NoSuchApp require mfa\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&other), "type": 1}]}),
    );
    let ds = c.diagnostics(&uri(&other));
    assert!(ds.iter().any(|d| d["code"] == "E0100"), "{ds:?}");
    assert!(c.shutdown().success());
}

#[test]
fn completion_offers_words_of_the_right_kind() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let mut c = Client::start(dir.path());
    c.open(&path, POLICY);

    let groups = completion(&mut c, &path, "policy \"P\"\n    exclude group ");
    assert!(groups.contains(&"BreakGlass".to_string()), "{groups:?}");
    assert!(
        groups.contains(&"Finance Team".to_string()),
        "lock names: {groups:?}"
    );
    assert!(!groups.contains(&"GlobalAdministrator".to_string()));

    let roles = completion(&mut c, &path, "policy \"P\"\n    for role GlobalA");
    assert_eq!(roles, ["GlobalAdministrator"]);

    let apps = completion(&mut c, &path, "policy \"P\" for app AzureServ");
    assert!(
        apps.contains(&"AzureServiceManagement".to_string()),
        "{apps:?}"
    );

    let platforms = completion(&mut c, &path, "policy \"P\" for all apps when platform ");
    assert_eq!(
        platforms,
        [
            "android",
            "ios",
            "windows",
            "windows-phone",
            "macos",
            "linux",
            "any"
        ]
    );

    let controls = completion(&mut c, &path, "policy \"P\" for all apps require mfa or ");
    assert!(controls.contains(&"compliant-device".to_string()));
    assert!(controls.contains(&"strength".to_string()));
    assert!(!controls.contains(&"block".to_string()));

    let strengths = completion(&mut c, &path, "policy \"P\" require strength ");
    assert_eq!(
        strengths,
        ["mfa", "passwordless-mfa", "phishing-resistant-mfa"]
    );

    let modes = completion(&mut c, &path, "policy \"P\" require mfa mode ");
    assert_eq!(modes, ["on", "off", "report-only"]);

    let after_all = completion(&mut c, &path, "policy \"P\" for all ");
    assert_eq!(after_all, ["users", "apps", "service-principals"]);

    let clauses = completion(&mut c, &path, "policy \"P\"\n    for all users\n    ");
    for k in [
        "for", "exclude", "when", "require", "session", "mode", "policy",
    ] {
        assert!(clauses.contains(&k.to_string()), "{k} in {clauses:?}");
    }

    let locations = completion(&mut c, &path, "policy \"P\" for all apps when location ");
    assert!(locations.contains(&"HQ".to_string()) && locations.contains(&"trusted".to_string()));

    // A quoted name is inserted with its quotes.
    let u = uri(&path);
    change(&mut c, &u, 20, "policy \"P\" exclude group Fin");
    let items = c.request("textDocument/completion", at(&u, 0, 28));
    let fin = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "Finance Team")
        .unwrap();
    assert_eq!(fin["textEdit"]["newText"], "\"Finance Team\"");
    assert_eq!(span(&fin["textEdit"]["range"]), (0, 25, 28));
    assert!(c.shutdown().success());
}

#[test]
fn hover_shows_ids_graph_properties_and_explanations() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let mut c = Client::start(dir.path());
    let u = c.open(&path, POLICY);
    let hover = |c: &mut Client, line, col| -> String {
        let h = c.request("textDocument/hover", at(&u, line, col));
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let group = hover(&mut c, 3, 20);
    assert!(group.contains("**group** `BreakGlass`"), "{group}");
    assert!(
        group.contains("0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
        "{group}"
    );
    assert!(group.contains("declared in names.capol:1"), "{group}");

    let role = hover(&mut c, 1, 14);
    assert!(
        role.contains("62e90394-69f5-4237-9190-012177145e10"),
        "{role}"
    );
    assert!(
        role.contains("display name: Global Administrator"),
        "{role}"
    );

    let kind = hover(&mut c, 3, 12);
    assert!(kind.contains("conditions.users.excludeGroups"), "{kind}");
    let mode = hover(&mut c, 5, 5);
    assert!(mode.contains("`state`"), "{mode}");
    let mfa = hover(&mut c, 4, 13);
    assert!(mfa.contains("grantControls.builtInControls"), "{mfa}");

    change(
        &mut c,
        &u,
        2,
        &POLICY.replace("for role GlobalAdministrator", "for role GlobalAdmin"),
    );
    let unknown = hover(&mut c, 1, 14);
    assert!(unknown.contains("**E0100** unknown name"), "{unknown}");
    let explanation = capol::diag::codes::lookup("E0100").unwrap().explanation;
    assert!(
        unknown.contains(explanation.lines().next().unwrap()),
        "{unknown}"
    );
    assert!(c.shutdown().success());
}

#[test]
fn definition_references_and_rename_across_files() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let names = uri(&dir.path().join("names.capol"));
    let mut c = Client::start(dir.path());
    let u = c.open(&path, POLICY);

    let def = c.request("textDocument/definition", at(&u, 3, 20));
    assert_eq!(def["uri"], names);
    assert_eq!(span(&def["range"]), (0, 6, 16));

    let mut refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(3, 20),
               "context": {"includeDeclaration": true}}),
    );
    let refs = refs.as_array_mut().unwrap();
    let mut found: Vec<(String, (u64, u64, u64))> = refs
        .iter()
        .map(|r| (r["uri"].as_str().unwrap().to_string(), span(&r["range"])))
        .collect();
    found.sort();
    let mut want = vec![
        (names.clone(), (0, 6, 16)),
        (names.clone(), (2, 16, 26)),
        (u.clone(), (3, 18, 28)),
    ];
    want.sort();
    assert_eq!(found, want);

    let prep = c.request("textDocument/prepareRename", at(&u, 3, 20));
    assert_eq!(prep["placeholder"], "BreakGlass");
    let builtin = c.request_raw("textDocument/prepareRename", at(&u, 1, 14));
    assert!(
        builtin["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only declared names")
    );

    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(3, 20), "newName": "Break Glass"}),
    );
    let in_names = edit["changes"][&names].as_array().unwrap();
    assert_eq!(in_names.len(), 2);
    assert!(in_names.iter().all(|e| e["newText"] == "\"Break Glass\""));
    let here = edit["changes"][&u].as_array().unwrap();
    assert_eq!(here.len(), 1);
    assert_eq!(span(&here[0]["range"]), (3, 18, 28));

    let taken = c.request_raw(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(3, 20), "newName": "BreakGlass"}),
    );
    assert!(
        taken.get("result").is_some(),
        "renaming to itself is allowed: {taken}"
    );
    assert!(c.shutdown().success());
}

#[test]
fn formatting_is_capol_fmt() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let mut c = Client::start(dir.path());
    let messy =
        "policy   \"P\"   require mfa for all apps\n\n\n   exclude group BreakGlass   # keep\n";
    let u = c.open(&path, messy);
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let want = capol::fmt::format(messy).unwrap();
    assert_eq!(edits[0]["newText"], want);
    assert_eq!(span(&edits[0]["range"]), (0, 0, 0));
    assert_eq!(edits[0]["range"]["end"]["line"], 4);

    change(&mut c, &u, 2, &want);
    let none = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(none, json!([]));
    assert!(c.shutdown().success());
}

#[test]
fn incremental_changes_apply_to_the_buffer() {
    let dir = project();
    let path = dir.path().join("admins.capol");
    let mut c = Client::start(dir.path());
    let u = c.open(&path, POLICY);
    c.diagnostics(&u);
    // Replace `BreakGlass` on line 3 by `BrakeGlass`, as an editor sends a keystroke range.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2},
               "contentChanges": [{"range": {"start": pos(3, 19), "end": pos(3, 21)}, "text": "ra"}]}),
    );
    let ds = c.diagnostics(&u);
    let unknown = ds.iter().find(|d| d["code"] == "E0100").expect("E0100");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown group `BraakGlass`"),
        "{unknown}"
    );
    assert!(c.shutdown().success());
}

#[test]
fn sets_navigate_rename_and_complete() {
    let dir = project();
    let sets = "set Admins = role GlobalAdministrator, group \"Ops Team\"\nset Staff = set Admins, group Everyone\n";
    std::fs::write(dir.path().join("sets.capol"), sets).unwrap();
    let policy = "policy \"P\"\n    for set Staff\n    for all apps\n    exclude set Admins\n    require mfa\n";
    let path = dir.path().join("admins.capol");
    let sets_uri = uri(&dir.path().join("sets.capol"));
    let mut c = Client::start(dir.path());
    let u = c.open(&path, policy);

    let def = c.request("textDocument/definition", at(&u, 3, 17));
    assert_eq!(def["uri"], sets_uri);
    assert_eq!(span(&def["range"]), (0, 4, 10));

    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": pos(3, 17),
               "context": {"includeDeclaration": false}}),
    );
    let mut found: Vec<(String, (u64, u64, u64))> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uri"].as_str().unwrap().to_string(), span(&r["range"])))
        .collect();
    found.sort();
    let mut want = vec![(sets_uri.clone(), (1, 16, 22)), (u.clone(), (3, 16, 22))];
    want.sort();
    assert_eq!(found, want);

    let hover = c.request("textDocument/hover", at(&u, 1, 13));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**set** `Staff`") && text.contains("set Admins, group Everyone"),
        "{text}"
    );

    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": pos(3, 17), "newName": "Administrators"}),
    );
    assert_eq!(edit["changes"][&sets_uri].as_array().unwrap().len(), 2);
    assert_eq!(edit["changes"][&u][0]["newText"], "Administrators");

    let names = completion(&mut c, &path, "policy \"P\" for all apps exclude set ");
    assert_eq!(names, ["Admins", "Staff"]);
    let kinds = completion(&mut c, &path, "set Other = ");
    assert!(
        kinds.contains(&"group".to_string()) && kinds.contains(&"set".to_string()),
        "{kinds:?}"
    );
    assert!(c.shutdown().success());
}
