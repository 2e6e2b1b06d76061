//! Sources, lock files and plans as an attacker with write access to a pull request would
//! shape them: links into `/proc`, to devices and out of the tree, FIFOs, binary content, lock
//! entries that widen a policy. Every run must end quickly, with a located refusal and exit 1,
//! and print nothing of what it refused to read.

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A secret in the environment of the run, which `/proc/self/environ` would hold.
const SECRET: &str = "client-secret-7Qm2-do-not-print";

struct Run {
    code: i32,
    stderr: String,
    stdout: String,
    took: Duration,
}

fn capol(dir: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_capol"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AZURE_CLIENT_SECRET", SECRET)
        .env("CAPOL_ACCESS_TOKEN", SECRET)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        took: start.elapsed(),
    };
    assert!(
        !run.stderr.contains(SECRET) && !run.stdout.contains(SECRET),
        "the secret was printed:\n{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stderr.contains("PATH="),
        "the environment was printed:\n{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
    run
}

const POLICY: &str = "policy \"CA001 Require MFA\"\n    for all users, all apps\n    exclude group BreakGlass\n    require mfa\n\ngroup BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n";

fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(d.path().join("pol")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(d.path().join("pol/ok.capol"), POLICY).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn refused(run: &Run, code: &str, file: &str) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("[{code}] Error")),
        "no {code}:\n{}",
        run.stderr
    );
    assert!(
        // A diagnostic about the whole file names the file without a position.
        run.stderr.contains(&format!("{file}:1:1")) || run.stderr.contains(&format!("[ {file} ]")),
        "not located at {file}:\n{}",
        run.stderr
    );
}

#[test]
fn a_link_to_the_process_environment_is_refused_unread() {
    let d = project();
    symlink("/proc/self/environ", d.path().join("pol/x.capol")).unwrap_or_else(|e| panic!("{e}"));
    let tenant_commands: &[&str] = if cfg!(feature = "tenant") {
        &["plan", "deploy"]
    } else {
        &[]
    };
    for cmd in ["check", "compile"].iter().chain(tenant_commands) {
        let cmd = *cmd;
        let mut args = vec![cmd, "pol"];
        if cmd == "deploy" {
            args.push("--yes");
        }
        let run = capol(d.path(), &args);
        refused(&run, "E0514", "pol/x.capol");
        assert!(
            run.stderr.contains("kernel or device file"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn devices_and_fifos_end_quickly() {
    let d = project();
    symlink("/dev/zero", d.path().join("pol/zero.capol")).unwrap_or_else(|e| panic!("{e}"));
    symlink("/dev/urandom", d.path().join("pol/random.capol")).unwrap_or_else(|e| panic!("{e}"));
    let fifo = d.path().join("pol/pipe.capol");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(made.success());
    let run = capol(d.path(), &["check", "pol"]);
    for f in ["pol/zero.capol", "pol/random.capol", "pol/pipe.capol"] {
        assert!(
            run.stderr.contains(&format!("{f}:1:1")) || run.stderr.contains(&format!("[ {f} ]")),
            "{f}:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("a named pipe (FIFO)"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("[E0514] Error").count(),
        3,
        "{}",
        run.stderr
    );
    // Named explicitly, and as the lock file, the FIFO is refused the same way.
    let run = capol(
        d.path(),
        &["check", "pol/ok.capol", "--lock", "pol/pipe.capol"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("[E0514] Error: lock file"),
        "{}",
        run.stderr
    );
}

#[test]
fn links_out_of_the_project_tree_are_refused() {
    let d = project();
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let secret = outside.path().join("service.capol");
    std::fs::write(&secret, format!("# {SECRET}\npolicy \"x\" oops\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    symlink(&secret, d.path().join("pol/env.capol")).unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    refused(&run, "E0515", "pol/env.capol");
    // A linked directory outside the tree is refused too, before anything is read.
    std::fs::remove_file(d.path().join("pol/env.capol")).unwrap_or_else(|e| panic!("{e}"));
    symlink(outside.path(), d.path().join("pol/shared")).unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("outside the project tree"),
        "{}",
        run.stderr
    );
    // Inside the tree, links are followed.
    std::fs::remove_file(d.path().join("pol/shared")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(d.path().join("pol/common")).unwrap_or_else(|e| panic!("{e}"));
    symlink("../ok.capol", d.path().join("pol/common/linked.capol"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(d.path().join("pol/ok.capol"), d.path().join("pol/real.txt"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(d.path().join("pol/common/linked.capol"))
        .unwrap_or_else(|e| panic!("{e}"));
    symlink("../real.txt", d.path().join("pol/common/linked.capol"))
        .unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_directory_link_loop_is_refused() {
    let d = project();
    std::fs::create_dir_all(d.path().join("pol/sub")).unwrap_or_else(|e| panic!("{e}"));
    symlink("..", d.path().join("pol/sub/loop")).unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("link loops"), "{}", run.stderr);
}

#[test]
fn binary_content_is_never_shown() {
    let d = project();
    let mut bytes = b"policy \"x\"\n  for all users, all apps\n".to_vec();
    bytes.extend_from_slice(format!("TOKEN={SECRET}\0").as_bytes());
    std::fs::write(d.path().join("pol/bin.capol"), &bytes).unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    refused(&run, "E0516", "pol/bin.capol");
    assert!(
        run.stderr.contains("control byte 0x00 at line 3"),
        "{}",
        run.stderr
    );
    // The JSON form names the place, not the content, either.
    let run = capol(d.path(), &["check", "pol", "--format", "json"]);
    assert!(run.stderr.contains("E0516") || run.stdout.contains("E0516"));
}

#[test]
fn a_lock_file_linked_to_the_environment_is_refused() {
    let d = project();
    symlink("/proc/self/environ", d.path().join("pol/capol.lock"))
        .unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    refused(&run, "E0514", "pol/capol.lock");
}

#[test]
fn the_size_limit_counts_bytes_read() {
    // A sparse file claims its size honestly; a device claims none: both are bounded by what is
    // read. 9 MiB of text is refused as too large, without reading it all into the message.
    let d = project();
    let f = std::fs::File::create(d.path().join("pol/big.capol")).unwrap_or_else(|e| panic!("{e}"));
    f.set_len(9 * 1024 * 1024).unwrap_or_else(|e| panic!("{e}"));
    let run = capol(d.path(), &["check", "pol"]);
    refused(&run, "E0003", "pol/big.capol");
}
