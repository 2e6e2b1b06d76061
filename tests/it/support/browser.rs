//! Headless Chromium (the distribution's package) for the report tests.
//!
//! Chromium missing: on CI (`CI=true`) the test fails; elsewhere it says so loudly on stderr and
//! the test returns early (install it with `apt-get install -y chromium`; `.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is not installed: the report's browser tests need it on CI (apt-get install -y chromium)"
        );
        eprintln!("NOT RUN: chromium is not installed (apt-get install -y chromium)");
    }
    found
}

/// Output of one headless run: the browser's stderr log and stdout.
pub struct Run {
    pub stdout: String,
    pub log: String,
}

impl Run {
    /// Messages the page wrote to its console (errors, CSP violations, exceptions).
    pub fn console(&self) -> Vec<&str> {
        self.log
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .collect()
    }
}

/// Run Chromium headless on a local page with `args` (`--dump-dom`, `--screenshot=…`).
pub fn run(bin: &Path, page: &Path, args: &[&str]) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        log: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
