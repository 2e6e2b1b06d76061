//! The editor packages: the TextMate grammar tokenises every example as the compiler does (run
//! through vscode-textmate, VS Code's own engine, under Node), and the VS Code manifest wires
//! the grammar and `capol lsp`.

use capol::syntax::{TokenKind, tokens};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Node and the test's two npm packages (installed from the npm registry on first use, from
/// `editors/test/package-lock.json`). Missing Node fails on CI and is reported elsewhere.
fn node_ready() -> bool {
    if !have("node") || !have("npm") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "node and npm are needed on CI for the grammar test (apt-get install -y nodejs npm)"
        );
        eprintln!("NOT RUN: node/npm are not installed (apt-get install -y nodejs npm)");
        return false;
    }
    let dir = root().join("editors/test");
    if !dir.join("node_modules/vscode-textmate").is_dir() {
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "npm ci: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    true
}

/// The grammar's tokens: file → `(line, start, end, scopes)`, columns in UTF-16 units.
fn grammar_tokens(files: &[PathBuf]) -> Value {
    let out = Command::new("node")
        .arg(root().join("editors/test/grammar-test.js"))
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line as u64, before[start..].encode_utf16().count() as u64)
}

fn scope_at(toks: &[Value], line: u64, col: u64) -> Vec<&str> {
    toks.iter()
        .find(|t| t[0] == line && t[1].as_u64().unwrap() <= col && col < t[2].as_u64().unwrap())
        .map(|t| {
            t[3].as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_textmate_grammar_agrees_with_the_compiler_on_every_example() {
    if !node_ready() {
        return;
    }
    // Every example, and every diagnostic fixture that parses (they cover the rest of the
    // language: sets, defaults, scenarios, odd layouts).
    let mut files = crate::support::compile::capol_files(&root().join("examples"));
    assert!(files.len() > 10);
    files.extend(
        crate::support::compile::capol_files(&root().join("tests/fixtures/diagnostics"))
            .into_iter()
            .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| tokens(&t).is_some())),
    );
    let all = grammar_tokens(&files);
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let toks = all[file.to_str().unwrap()].as_array().unwrap();
        let (capol_tokens, comments) = tokens(&text).expect("examples parse");
        let name = file.file_name().unwrap().to_string_lossy();
        for t in &capol_tokens {
            let (line, col) = line_col(&text, t.start);
            let scopes = scope_at(toks, line, col);
            let top = scopes.last().copied().unwrap_or("");
            let ok = match &t.kind {
                TokenKind::Keyword(_) => {
                    top.starts_with("keyword.") || top.starts_with("storage.type.")
                }
                TokenKind::KindWord(_) => top.starts_with("storage.type."),
                TokenKind::Str(_) => {
                    top.starts_with("string.")
                        || top.starts_with("entity.name.")
                        || top.starts_with("constant.character.escape")
                }
                TokenKind::Number(_) => top.starts_with("constant.numeric."),
                TokenKind::Upn(_) => top == "constant.other.upn.capol",
                TokenKind::Word(w) if capol::symbols::is_guid(w) => {
                    top == "constant.numeric.guid.capol"
                }
                TokenKind::Word(_) => {
                    top.starts_with("variable.")
                        || top.starts_with("constant.")
                        || top.starts_with("entity.name.")
                }
            };
            assert!(
                ok,
                "{name}:{}:{}: `{}` ({:?}) has scopes {scopes:?}",
                line + 1,
                col + 1,
                &text[t.start..t.end],
                t.kind
            );
            checked += 1;
        }
        for c in &comments {
            let (line, col) = line_col(&text, c.start);
            let scopes = scope_at(toks, line, col);
            assert_eq!(
                scopes,
                ["comment.line.number-sign.capol"],
                "{name}:{}",
                line + 1
            );
        }
        // No text outside a scope but white space.
        for (i, l) in text.split('\n').enumerate() {
            for (col, ch) in l.encode_utf16().enumerate() {
                if ch == b' ' as u16 || ch == b'\t' as u16 || ch == b'\r' as u16 {
                    continue;
                }
                let scopes = scope_at(toks, i as u64, col as u64);
                assert!(
                    !scopes.is_empty(),
                    "{name}:{}:{}: unscoped text in `{l}`",
                    i + 1,
                    col + 1
                );
            }
        }
    }
    assert!(checked > 500, "{checked} tokens");
}

#[test]
fn the_vscode_manifest_wires_the_grammar_and_the_server() {
    let dir = root().join("editors/vscode");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    let lang = &m["contributes"]["languages"][0];
    assert_eq!(lang["id"], "capol");
    assert_eq!(lang["extensions"], serde_json::json!([".capol"]));
    assert!(dir.join(lang["configuration"].as_str().unwrap()).is_file());
    let g = &m["contributes"]["grammars"][0];
    assert_eq!(g["language"], "capol");
    let grammar: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(g["path"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!(grammar["scopeName"], g["scopeName"]);
    let main = std::fs::read_to_string(dir.join(m["main"].as_str().unwrap())).unwrap();
    assert!(main.contains("args: ['lsp']"));
    assert_eq!(
        m["contributes"]["configuration"]["properties"]["capol.server.path"]["default"],
        "capol"
    );
    // The command the extension starts answers `initialize`: `capol lsp --help` exists.
    let help = crate::support::compile::capol()
        .args(["lsp", "--help"])
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(Path::new(env!("CARGO_BIN_EXE_capol")).is_file());
}
