//! The progress indicator of long tenant work: drawn on a terminal's stderr only, never when
//! stderr is a pipe or file (CI logs, redirects) and never in JSON output.

use crate::support::cli::{Project, capol, capol_on_terminal, names, seed_directory};
use crate::support::fake_graph::FakeGraph;

/// Nothing a progress bar draws: no carriage return, no escape sequence, no bar message.
fn assert_no_drawing(text: &str, what: &str) {
    assert!(!text.contains('\r'), "{what}: a carriage return: {text:?}");
    assert!(
        !text.contains('\u{1b}'),
        "{what}: an escape sequence: {text:?}"
    );
    for message in [
        "deploying",
        "reading the tenant's policies",
        "in the tenant",
    ] {
        assert!(
            !text.contains(message),
            "{what}: the bar's `{message}`: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_deploy_and_resolve_print_plain_lines_only() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let out = capol(
        &fake,
        &p,
        &["deploy", "pol", "--yes", "--max-writes-per-second", "0"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(names(&fake).len(), 3);
    // The client's events are still reported, one plain line each.
    assert!(
        out.stderr
            .contains("  creating `CA001 Require MFA for Azure management`\n"),
        "{out:?}"
    );
    assert_no_drawing(&out.stderr, "deploy stderr");
    assert_no_drawing(&out.stdout, "deploy stdout");

    let out = capol(&fake, &p, &["deploy", "pol", "--yes", "--format", "json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_no_drawing(&out.stdout, "deploy --format json stdout");
    serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap_or_else(|e| panic!("{e}"));

    p.write(
        "names.capol",
        "emergency group \"Break Glass Accounts\"\nemergency user bg1@contoso.onmicrosoft.com\n",
    );
    p.write(
        "azure-management.capol",
        "require mfa for app AzureServiceManagement exclude group \"Break Glass Accounts\", user bg1@contoso.onmicrosoft.com mode report-only\n",
    );
    p.write("legacy.capol", "");
    p.write("admins.capol", "");
    let out = capol(&fake, &p, &["resolve", "pol"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("2 names looked up"), "{out:?}");
    assert_no_drawing(&out.stderr, "resolve stderr");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_deploy_draws_a_bar_and_clears_it() {
    let fake = FakeGraph::start().await;
    seed_directory(&fake);
    let p = Project::new();
    let Some(out) = capol_on_terminal(
        &fake,
        p.dir(),
        "deploy pol --yes --max-writes-per-second 0",
        "",
    )
    .await
    else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(names(&fake).len(), 3);
    // `script` merges stdout and stderr: the bar's message and its escape sequences show.
    assert!(out.stdout.contains("deploying"), "{out:?}");
    assert!(out.stdout.contains('\u{1b}'), "{out:?}");
    assert!(out.stdout.contains("3 written, 0 unchanged"), "{out:?}");
}
