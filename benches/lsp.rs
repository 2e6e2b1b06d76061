//! `capol lsp` on a keystroke in a 200-policy project: apply the change, re-check the project
//! and produce every file's diagnostics; and a completion request after it. The target is well
//! under 100 ms per keystroke.

use capol::lsp::Server;
use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Notification, Request, RequestId};
use serde_json::json;
use std::fmt::Write;

fn project(dir: &std::path::Path) -> std::path::PathBuf {
    let mut names = String::from(
        "emergency group BreakGlass\ngroup BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n",
    );
    for g in 0..50 {
        let _ = writeln!(
            names,
            "group G{g} = {:08x}-0000-4000-8000-{:012x}",
            g + 1,
            g + 1
        );
    }
    std::fs::write(dir.join("names.capol"), names).unwrap();
    for f in 0..4 {
        let mut text = String::new();
        for i in 0..50 {
            let n = f * 50 + i;
            let _ = writeln!(
                text,
                "policy \"P{n:03}\"\n    for group G{}\n    for all apps\n    exclude group BreakGlass\n    when platform android, ios\n    require mfa or compliant-device\n    session sign-in-frequency 4 hours\n    mode on\n",
                n % 50
            );
        }
        std::fs::write(dir.join(format!("p{f}.capol")), text).unwrap();
    }
    dir.join("p0.capol")
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let file = project(dir.path());
    let uri = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).unwrap();
    let mut server = Server::new(&json!({"capabilities": {}}));
    server.notify(Notification::new(
        "textDocument/didOpen".into(),
        json!({"textDocument": {"uri": uri, "languageId": "capol", "version": 1, "text": text}}),
    ));
    assert!(server.flush().len() >= 5);
    let mut version = 1;
    let mut keystroke = |server: &mut Server| {
        version += 1;
        // Type one character into the first group name and back: G0 ↔ G0x.
        let edit = if version % 2 == 0 {
            json!({"range": {"start": {"line": 1, "character": 14}, "end": {"line": 1, "character": 14}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": 1, "character": 14}, "end": {"line": 1, "character": 15}}, "text": ""})
        };
        server.notify(Notification::new(
            "textDocument/didChange".into(),
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [edit]}),
        ));
        server.flush()
    };
    c.bench_function("lsp keystroke, 200 policies (change + diagnostics)", |b| {
        b.iter(|| keystroke(&mut server))
    });
    let mut id = 0;
    c.bench_function("lsp keystroke + completion, 200 policies", |b| {
        b.iter(|| {
            keystroke(&mut server);
            id += 1;
            server.request(Request::new(
                RequestId::from(id),
                "textDocument/completion".into(),
                json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 18}}),
            ))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
