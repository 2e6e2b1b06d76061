//! One fixture per diagnostic code (`tests/fixtures/diagnostics/CODE.capol`), each a small
//! realistic source that triggers that code at the place its first line names:
//!
//! ```text
//! # expect: E0100 at 6:19      the code, and the line and column of its primary label
//! # also: W0002                codes that necessarily come with it (optional)
//! # lock: E0300.lock           a lock file beside the fixture (optional)
//! # api: beta                  compile for the Graph beta API (optional)
//! ```
//!
//! Every fixture's rendering (no colour, as `NO_COLOR=1 capol check` prints it) and JSON form
//! are snapshotted. The registry test proves that no code lacks a fixture or an explanation.
//! The hand-written bad inputs at the end check that nothing a user can type makes capol panic.

use crate::support::compile::{self as support, capol};
use capol::check::{ApiVersion, Options};
use capol::diag::codes::CODES;
use capol::diag::render;
use capol::driver::{self, Compilation};
use std::path::{Path, PathBuf};

/// Codes that are registered (with a fixture and an explanation) but not emitted yet. Each one
/// is checked the other way round: when the compiler starts emitting it, this test fails, and
/// the code must leave this list so that its fixture is held to the normal rules.
const PENDING: &[&str] = &[];

/// Internal errors: registered and explained, but no source may trigger them (they report
/// capol's own bugs). Their fixture holds the input most likely to, and must not; the unit tests
/// trigger them by hand.
const INTERNAL: &[&str] = &["E0006"];

/// Diagnostics of `capol import` (JSON in) and `capol fmt` (E0400-E0499, W0400-W0499): their
/// inputs are not `.capol` sources, so their failing cases live in the importer's and the
/// formatter's unit tests rather than in `tests/fixtures/diagnostics`.
fn is_import_code(code: &str) -> bool {
    code.get(1..3) == Some("04") || is_env_code(code)
}

/// Diagnostics of `capol.toml` (E0710-E0719): their input is TOML, so their cases live in the
/// environment module's unit tests.
fn is_env_code(code: &str) -> bool {
    code.get(1..4) == Some("071")
}

const IMPORT_TESTS: &[&str] = &[
    "src/import/tests.rs",
    "src/import/tests_cases.rs",
    "src/fmt/tests.rs",
    "src/env/tests.rs",
];

/// Codes whose input cannot be a fixture file (a FIFO, a device, `/proc`; the refusals of the
/// tenant commands): each is exercised, by its code, in the test file named here.
const TESTED_ELSEWHERE: &[(&str, &str)] = &[
    ("E0251", "tests/it/plan_impact.rs"),
    ("E0252", "tests/it/self_lockout.rs"),
    ("W0041", "tests/it/self_lockout.rs"),
    ("W0042", "tests/it/self_lockout.rs"),
    ("W0043", "tests/it/self_lockout.rs"),
    ("E0514", "tests/it/trust_files.rs"),
    ("E0530", "tests/it/trust_tenant.rs"),
    ("E0531", "tests/it/trust_tenant.rs"),
    ("E0532", "tests/it/trust_tenant.rs"),
    ("E0533", "tests/it/trust_tenant.rs"),
    ("E0534", "tests/it/trust_tenant.rs"),
    ("E0535", "tests/it/trust_tenant.rs"),
];

struct Fixture {
    path: PathBuf,
    code: String,
    line: usize,
    column: usize,
    also: Vec<String>,
    lock: Option<PathBuf>,
    api: ApiVersion,
}

fn parse_fixture(path: &Path) -> Fixture {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    // Only the header must be UTF-8 (the E0002 fixture is not, further down).
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let Some(rest) = first.strip_prefix("# expect: ") else {
        panic!(
            "{}: the first line must be `# expect: CODE at LINE:COL`",
            path.display()
        )
    };
    let (code, at) = rest
        .split_once(" at ")
        .unwrap_or_else(|| panic!("{}: no ` at ` in `{first}`", path.display()));
    let (line, column) = at
        .split_once(':')
        .unwrap_or_else(|| panic!("{}: no `:` in `{at}`", path.display()));
    let mut f = Fixture {
        path: path.to_path_buf(),
        code: code.trim().to_string(),
        line: line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{}: bad line `{line}`", path.display())),
        column: column
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{}: bad column `{column}`", path.display())),
        also: Vec::new(),
        lock: None,
        api: ApiVersion::V1,
    };
    for l in lines.take_while(|l| l.starts_with('#')) {
        if let Some(also) = l.strip_prefix("# also: ") {
            f.also.extend(also.split(',').map(|s| s.trim().to_string()));
        } else if let Some(lock) = l.strip_prefix("# lock: ") {
            f.lock = Some(path.with_file_name(lock.trim()));
        } else if l.trim() == "# api: beta" {
            f.api = ApiVersion::Beta;
        }
    }
    f
}

fn fixtures() -> Vec<Fixture> {
    support::capol_files(&support::diagnostics_dir())
        .iter()
        .map(|p| parse_fixture(p))
        .collect()
}

/// Compile a fixture as `capol check FIXTURE` does. E0003 (a file over the size limit) is
/// generated: its fixture is repeated until the text passes the limit.
fn compile_fixture(f: &Fixture) -> Compilation {
    let opts = Options { api: f.api };
    if f.code == "E0003" {
        let unit = support::read(&f.path);
        let text = unit.repeat(capol::syntax::MAX_SOURCE_BYTES / unit.len() + 1);
        let name = f.path.display().to_string();
        return driver::compile_str(&[(&name, &text)], None, &opts);
    }
    match driver::compile_paths(std::slice::from_ref(&f.path), f.lock.as_deref(), &opts) {
        Ok(c) => c,
        Err(e) => panic!("{}: {e}", f.path.display()),
    }
}

#[test]
fn every_fixture_triggers_its_code_where_it_says() {
    let mut failures = Vec::new();
    for f in fixtures() {
        let c = compile_fixture(&f);
        let found = support::located(&c);
        let name = f.path.display();
        if PENDING.contains(&f.code.as_str()) || INTERNAL.contains(&f.code.as_str()) {
            if found.iter().any(|(code, _, _)| *code == f.code) {
                failures.push(format!(
                    "{name}: {} is emitted{}",
                    f.code,
                    if INTERNAL.contains(&f.code.as_str()) {
                        ": an internal error a source can trigger is a bug"
                    } else {
                        " now: remove it from PENDING"
                    }
                ));
            }
            if INTERNAL.contains(&f.code.as_str()) && !found.is_empty() {
                failures.push(format!("{name}: must check clean, found {found:?}"));
            }
            continue;
        }
        if !found
            .iter()
            .any(|(code, line, col)| *code == f.code && *line == f.line && *col == f.column)
        {
            failures.push(format!(
                "{name}: expected {} at {}:{}, found {found:?}",
                f.code, f.line, f.column
            ));
        }
        let stray: Vec<_> = found
            .iter()
            .filter(|(code, _, _)| *code != f.code && !f.also.iter().any(|a| a == code))
            .collect();
        if !stray.is_empty() {
            failures.push(format!(
                "{name}: other diagnostics {stray:?}\n{}",
                support::rendered(&c)
            ));
        }
        if f.code.starts_with('E') && !c.has_errors() || f.code.starts_with('W') && c.has_errors() {
            failures.push(format!("{name}: wrong severity"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_snapshot() {
    for f in fixtures() {
        if PENDING.contains(&f.code.as_str()) || INTERNAL.contains(&f.code.as_str()) {
            continue;
        }
        let c = compile_fixture(&f);
        let text = support::rendered(&c);
        let json = render::to_json_all(&c.diagnostics.items, &c.sources);
        insta::assert_snapshot!(format!("{}-text", f.code), text);
        insta::assert_json_snapshot!(format!("{}-json", f.code), json);
    }
}

/// Rendered text is plain: no escape codes and no trailing spaces, whatever ariadne pads.
#[test]
fn rendering_is_plain_text() {
    for f in fixtures() {
        let c = compile_fixture(&f);
        let text = support::rendered(&c);
        assert!(
            !text.contains('\u{1b}'),
            "{}: colour codes",
            f.path.display()
        );
        assert!(
            text.lines().all(|l| l == l.trim_end()),
            "{}: trailing spaces",
            f.path.display()
        );
    }
}

/// rustc's rule: every code is registered, has a failing fixture and a real explanation; every
/// fixture and every code written in the sources is registered.
#[test]
fn every_code_is_registered_explained_and_has_a_fixture() {
    let fixture_codes: Vec<String> = fixtures().into_iter().map(|f| f.code).collect();
    let mut problems = Vec::new();
    let import_tests: String = IMPORT_TESTS
        .iter()
        .map(|p| support::read(&support::root().join(p)))
        .collect();
    for info in CODES {
        let code = info.code;
        if is_import_code(code) {
            if !import_tests.contains(&format!("\"{code}\"")) {
                problems.push(format!("{code}: no case in {}", IMPORT_TESTS.join(", ")));
            }
        } else if let Some((_, file)) = TESTED_ELSEWHERE.iter().find(|(c, _)| *c == code) {
            if !support::read(&support::root().join(file)).contains(&format!("\"{code}\"")) {
                problems.push(format!("{code}: no case in {file}"));
            }
        } else if !fixture_codes.iter().any(|c| c == code) {
            problems.push(format!(
                "{code}: no fixture tests/fixtures/diagnostics/{code}.capol"
            ));
        }
        let doc = support::root()
            .join("docs")
            .join("errors")
            .join(format!("{code}.md"));
        let text = support::read(&doc);
        assert_eq!(
            text, info.explanation,
            "{code}: the compiled-in explanation is stale"
        );
        let title = format!("# {code}: {}", info.title);
        if text.lines().next() != Some(title.as_str()) {
            problems.push(format!("{code}: explanation must start with `{title}`"));
        }
        let prose = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        if prose < 3 || !is_import_code(code) && (text.len() < 400 || !text.contains("```")) {
            problems.push(format!(
                "{code}: explanation is a stub (needs prose and an example)"
            ));
        }
    }
    for code in &fixture_codes {
        if !CODES.iter().any(|c| c.code == code) {
            problems.push(format!("fixture for unregistered code {code}"));
        }
    }
    for f in support::capol_files(&support::diagnostics_dir()) {
        let stem = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if parse_fixture(&f).code != stem {
            problems.push(format!(
                "{}: a fixture is named after its code",
                f.display()
            ));
        }
    }
    for code in codes_in_sources() {
        if capol::diag::codes::lookup(&code).is_none() {
            problems.push(format!("src/ emits unregistered code {code}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `"E0123"` / `"W0123"` string literal under `src/`.
fn codes_in_sources() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let b = text.as_bytes();
                for i in 0..b.len().saturating_sub(6) {
                    let lit = &b[i..i + 7];
                    if lit[0] == b'"'
                        && (lit[1] == b'E' || lit[1] == b'W')
                        && lit[2..6].iter().all(u8::is_ascii_digit)
                        && lit[6] == b'"'
                    {
                        out.push(String::from_utf8_lossy(&lit[1..6]).into_owned());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&support::root().join("src"), &mut out);
    out.sort();
    out.dedup();
    out
}

// ------------------------------------------------------------------ hand-written bad inputs

/// A source, and a diagnostic it must produce (code, line, column).
const BAD: &[(&str, &str, (&str, usize, usize))] = &[
    (
        "typo in a keyword",
        "policy \"A\"\n    requre mfa\n    for all apps\n",
        ("E0001", 2, 5),
    ),
    (
        "typo in a kind",
        "require mfa for all apps exclude gorup Admins\n",
        ("E0001", 1, 34),
    ),
    (
        "typo in an enum value",
        "require mfa for all apps when platform windos\n",
        ("E0106", 1, 40),
    ),
    (
        "typo in a grant control",
        "policy \"A\"\n  for all apps\n  require mfaa\n",
        ("E0106", 3, 11),
    ),
    (
        "typo in an app",
        "require mfa for app AzureServiceManagment\n",
        ("E0100", 1, 21),
    ),
    (
        "wrong kind: app as role",
        "require mfa for all apps, role AzureServiceManagement\n",
        ("E0101", 1, 32),
    ),
    (
        "wrong kind: role as group",
        "require mfa for all apps, group GlobalAdministrator\n",
        ("E0101", 1, 33),
    ),
    (
        "unterminated header",
        "policy \"CA001 Require MFA\n    for all apps\n    require mfa\n",
        ("E0001", 1, 8),
    ),
    (
        "unterminated raw rule",
        "block for all apps when devices where 'device.isCompliant -ne True\n",
        ("E0001", 1, 39),
    ),
    ("lone double quote", "\"", ("E0001", 1, 1)),
    ("lone single quote", "'", ("E0001", 1, 1)),
    (
        "string broken by a newline",
        "policy \"CA001\nRequire MFA\"\nfor all apps\nrequire mfa\n",
        ("E0001", 1, 8),
    ),
    (
        "unknown escape",
        "policy \"C:\\data\"\nfor all apps\nrequire mfa\n",
        ("E0005", 1, 11),
    ),
    (
        "block and require",
        "policy \"A\"\n  for all apps\n  block\n  require mfa\n",
        ("E0105", 4, 3),
    ),
    (
        "two modes",
        "require mfa for all apps mode on mode off\n",
        ("E0105", 1, 34),
    ),
    (
        "mixed operators",
        "require mfa and compliant-device or hybrid-joined-device for all apps\n",
        ("E0201", 1, 34),
    ),
    (
        "mfa and strength",
        "require mfa and strength mfa for all apps\n",
        ("E0202", 1, 9),
    ),
    (
        "clause in the wrong place",
        "require mfa for all apps, client browser\n",
        ("E0108", 1, 27),
    ),
    (
        "binary garbage",
        "\u{0}\u{1}\u{2}PK\u{3}\u{4}\u{14}\u{0}\u{8}\u{0}\u{8}\u{0}",
        ("E0001", 1, 1),
    ),
    ("only punctuation", ",,,===###\n", ("E0001", 1, 1)),
    (
        "number instead of a name",
        "require mfa for group 42, all apps\n",
        ("E0100", 1, 23),
    ),
    (
        "guid-like garbage",
        "require mfa for all apps exclude group 0b1d2b8e-zzzz-4a1c-9a3e-3f6f1b0c9d11\n",
        ("E0102", 1, 40),
    ),
    ("empty file", "", ("W0001", 1, 1)),
    ("only white space", "\n\n   \t\n", ("W0001", 1, 1)),
    (
        "emoji name",
        "policy \"🔐 MFA\"\n  for all apps\n  require mfa\n  exclude group 🔑\n",
        ("E0001", 4, 17),
    ),
];

#[test]
fn bad_inputs_give_located_codes() {
    let mut failures = Vec::new();
    for (what, text, (code, line, col)) in BAD {
        let c = support::compile(&[("bad.capol", text)]);
        let found = support::located(&c);
        if !found.contains(&(*code, *line, *col)) {
            failures.push(format!(
                "{what}: expected {code} at {line}:{col}, found {found:?}"
            ));
        }
        // Every diagnostic is registered and points into the file.
        for d in &c.diagnostics.items {
            assert!(
                capol::diag::codes::lookup(d.code).is_some(),
                "{what}: unregistered {}",
                d.code
            );
            if let Some(l) = &d.primary {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= text.len(),
                    "{what}: span out of the file"
                );
            }
        }
        // And it renders (ariadne must not choke on the span or the text).
        let _ = support::rendered(&c);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same inputs through the real binary: coded diagnostics on stderr, exit 1 (0 when only
/// warnings), never a panic.
#[test]
fn bad_inputs_through_the_binary() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (i, (what, text, expected)) in BAD.iter().enumerate() {
        // Read from a file, bytes that no text holds are refused before parsing, unshown.
        let (code, line, col) = match capol::files::control_byte(text.as_bytes()) {
            Some(_) => ("E0516", 1, 1),
            None => *expected,
        };
        let path = dir.path().join(format!("bad{i}.capol"));
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write: {e}"));
        let out = capol()
            .arg("check")
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let want_exit = if code.starts_with('E') { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(want_exit), "{what}:\n{stderr}");
        assert!(stderr.contains(&format!("[{code}]")), "{what}:\n{stderr}");
        assert!(
            stderr.contains(&format!("bad{i}.capol:{line}:{col}")),
            "{what}: no {line}:{col}\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{what}:\n{stderr}");
    }
}

#[test]
fn non_utf8_bytes_give_e0002() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let cases: &[(&str, &[u8], (usize, usize))] = &[
        ("latin-1 in a description", b"policy \"A\"\n  description \"caf\xe9\"\n  for all apps\n  require mfa\n", (2, 19)),
        ("invalid first byte", b"\xff\xfe p\x00o\x00l\x00", (1, 1)),
        ("truncated multi-byte character", b"policy \"A\xe2\x82\"\n", (1, 10)),
        ("binary garbage", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00\xc0\xe3", (1, 25)),
    ];
    for (what, bytes, (line, col)) in cases {
        // Control bytes come first: such a file is not text at all (E0516), and not shown.
        let code = match capol::files::control_byte(bytes) {
            Some(_) => "E0516",
            None => "E0002",
        };
        let (line, col) = if code == "E0516" {
            (&1, &1)
        } else {
            (line, col)
        };
        let path = dir.path().join("latin1.capol");
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("write: {e}"));
        let c = driver::compile_paths(std::slice::from_ref(&path), None, &Options::default())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            support::located(&c),
            vec![(code, *line, *col)],
            "{what}\n{}",
            support::rendered(&c)
        );
        let out = capol()
            .arg("check")
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}:\n{stderr}");
        let says = if code == "E0002" {
            "is not UTF-8 text"
        } else {
            "is not a text file"
        };
        assert!(
            stderr.contains(&format!("[{code}]")) && stderr.contains(says),
            "{what}:\n{stderr}"
        );
    }
}

/// Five megabytes of policies: everything compiles, and a duplicate at the very end is found
/// on its own line, forty thousand policies down.
#[test]
fn five_megabytes_of_policies() {
    let mut text = String::from("group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n");
    let mut n = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&format!(
            "policy \"CA{n:06} Require MFA\"\n    for all users, all apps\n    exclude group BreakGlass\n    require mfa\n    mode report-only\n\n"
        ));
        n += 1;
    }
    let ok = support::compile(&[("big.capol", &text)]);
    assert!(!ok.has_errors(), "{}", support::rendered(&ok));
    assert_eq!(ok.policies.len(), n);

    let last_line = text.lines().count() + 1;
    text.push_str("policy \"CA000000 Require MFA\"\n    for all apps\n    require mfa\n");
    let dup = support::compile(&[("big.capol", &text)]);
    assert_eq!(support::located(&dup), vec![("E0104", last_line, 8)]);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("big.capol");
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("write: {e}"));
    let out = capol()
        .arg("check")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("[E0104]") && stderr.contains(&format!("big.capol:{last_line}:8")),
        "{stderr}"
    );
}

/// A file over the size limit is refused before it is parsed, by the binary too.
#[test]
fn oversized_file_gives_e0003() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("huge.capol");
    let unit =
        "# padding padding padding padding padding padding padding padding padding padding\n";
    std::fs::write(
        &path,
        unit.repeat(capol::syntax::MAX_SOURCE_BYTES / unit.len() + 1),
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    let out = capol()
        .arg("check")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("[E0003]") && stderr.contains("huge.capol:1:1"),
        "{stderr}"
    );
}

/// Deeply nested parentheses in a filter rule: no stack overflow, and at most an E0206 inside
/// the string (rules are passed through until capol parses them).
#[test]
fn deeply_nested_rule() {
    for depth in [1, 100, 5_000] {
        let rule = format!(
            "{}device.isCompliant -eq True{}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let text = format!(
            "policy \"Deep\"\n  for all apps\n  when devices where '{rule}'\n  session sign-in-frequency 1 hour\n"
        );
        let c = support::compile(&[("deep.capol", &text)]);
        assert!(
            support::codes(&c).iter().all(|c| *c == "E0206"),
            "depth {depth}: {}",
            support::rendered(&c)
        );
        if let Some(p) = c.policies.first() {
            let f = p
                .conditions
                .devices
                .as_ref()
                .and_then(|d| d.device_filter.as_ref())
                .map(|f| f.rule.clone());
            assert_eq!(
                f.as_deref(),
                Some(rule.as_str()),
                "the rule is emitted as written"
            );
        }
        // Unbalanced: one parenthesis too many.
        let text = format!(
            "policy \"Deep\"\n  for all apps\n  when devices where '({rule}'\n  session sign-in-frequency 1 hour\n"
        );
        let c = support::compile(&[("deep.capol", &text)]);
        for (code, line, col) in support::located(&c) {
            assert_eq!(code, "E0206");
            assert_eq!(line, 3);
            assert!(col >= 22, "E0206 points into the string");
        }
    }
}

// ------------------------------------------------------------------ explanations

/// A fenced block of an explanation: its info string, its text, and where the text sits.
struct Block {
    lang: String,
    text: String,
    range: std::ops::Range<usize>,
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(open) = md[pos..].find("```").map(|i| pos + i) {
        let Some(eol) = md[open..].find('\n').map(|i| open + i) else {
            break;
        };
        let lang = md[open + 3..eol].trim().to_string();
        let Some(close) = md[eol + 1..].find("\n```").map(|i| eol + 1 + i) else {
            break;
        };
        out.push(Block {
            lang,
            text: md[eol + 1..close + 1].to_string(),
            range: eol + 1..close + 1,
        });
        pos = close + 4;
    }
    out
}

fn compile_doc_block(text: &str) -> Compilation {
    let beta = text.starts_with("# capol compile --api beta");
    let opts = Options {
        api: if beta {
            ApiVersion::Beta
        } else {
            ApiVersion::V1
        },
    };
    driver::compile_str(&[("example.capol", text)], None, &opts)
}

/// The examples in `docs/errors/*.md` are true: the erroneous one (the first ```capol block)
/// triggers the code, the fixed one (the second) compiles without it, and a ```json block after
/// the fixed one is exactly what it compiles to. Run with `UPDATE_DOCS=1` to rewrite those JSON
/// blocks after a deliberate change of the output.
#[test]
fn explanation_examples_are_true() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut failures = Vec::new();
    for info in CODES {
        let code = info.code;
        let path = support::root()
            .join("docs")
            .join("errors")
            .join(format!("{code}.md"));
        let mut md = support::read(&path);
        let bs = blocks(&md);
        // The first block is the erroneous example (checked when it is capol source; files
        // that are not UTF-8 or too large are shown as a terminal session); the next capol
        // block is the fixed one.
        if let Some(bad) = bs.first().filter(|b| b.lang == "capol") {
            let c = compile_doc_block(&bad.text);
            let has = support::codes(&c).contains(&code);
            if PENDING.contains(&code) || INTERNAL.contains(&code) {
                if has {
                    failures.push(format!("{code}: emitted, though PENDING or INTERNAL"));
                }
            } else if !has {
                failures.push(format!(
                    "{code}: the erroneous example gives {:?}\n{}",
                    support::codes(&c),
                    support::rendered(&c)
                ));
            }
        }
        let Some(good) = bs.iter().skip(1).find(|b| b.lang == "capol") else {
            continue;
        };
        let c = compile_doc_block(&good.text);
        if c.has_errors() || support::codes(&c).contains(&code) {
            failures.push(format!(
                "{code}: the fixed example gives {:?}\n{}",
                support::codes(&c),
                support::rendered(&c)
            ));
            continue;
        }
        let Some(json) = bs
            .iter()
            .find(|b| b.lang == "json" && b.range.start > good.range.start)
        else {
            continue;
        };
        let compiled = match c.policies.as_slice() {
            [one] => serde_json::to_value(one).unwrap_or_default(),
            many => serde_json::to_value(many).unwrap_or_default(),
        };
        let shown: serde_json::Value = serde_json::from_str(&json.text).unwrap_or_default();
        if shown != compiled {
            if update {
                let pretty = serde_json::to_string_pretty(&compiled).unwrap_or_default() + "\n";
                md.replace_range(json.range.clone(), &pretty);
                std::fs::write(&path, &md).unwrap_or_else(|e| panic!("{e}"));
            } else {
                failures.push(format!("{code}: the JSON shown is not what the fixed example compiles to (UPDATE_DOCS=1 rewrites it)"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `docs/errors/README.md` indexes every registered code.
#[test]
fn the_error_index_lists_every_code() {
    let index = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/errors/README.md"
    ))
    .unwrap();
    for info in capol::diag::codes::CODES {
        assert!(
            index.contains(&format!("[{}]({}.md)", info.code, info.code)),
            "{} is missing from the index",
            info.code
        );
    }
}
