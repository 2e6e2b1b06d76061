//! `capol report` on the examples, loaded in a real headless Chromium.

use crate::support::browser;
use crate::support::compile::capol;
use std::path::{Path, PathBuf};

fn report_of_examples(dir: &Path) -> (PathBuf, PathBuf) {
    let out = capol()
        .args(["report", "examples", "-o"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir.join("report.html"), dir.join("report.md"))
}

/// Runs in the page once it has loaded: checks that the matrix is laid out and coloured, then
/// writes the verdict into the DOM, where `--dump-dom` shows it.
const CHECK: &str = r#"<script>
window.addEventListener('load', () => {
  const problems = [];
  const t = document.getElementById('matrix-table');
  if (!t) problems.push('no matrix');
  const r = t ? t.getBoundingClientRect() : {width: 0, height: 0};
  if (!(r.width > 300 && r.height > 100)) problems.push('matrix not laid out: ' + r.width + 'x' + r.height);
  const cells = t ? Array.from(t.querySelectorAll('td')) : [];
  const colours = {};
  for (const td of cells) {
    const bg = getComputedStyle(td).backgroundColor;
    const lvl = td.dataset.level;
    if (colours[lvl] && colours[lvl] !== bg) problems.push('two colours for ' + lvl);
    colours[lvl] = bg;
    if (td.getBoundingClientRect().height <= 0) problems.push('empty cell');
  }
  const levels = Object.keys(colours).sort();
  if (new Set(Object.values(colours)).size !== levels.length) problems.push('levels share a colour');
  if (levels.length < 2) problems.push('one level only');
  const conds = t ? Array.from(t.querySelectorAll('.cond')) : [];
  for (const c of conds) {
    const bg = getComputedStyle(c).backgroundColor;
    if (bg === 'rgba(0, 0, 0, 0)' || bg === 'rgb(255, 255, 255)') problems.push('uncoloured condition note');
  }
  levels.push('cond=' + conds.length);
  const cards = document.querySelectorAll('section.card').length;
  const out = document.createElement('div');
  out.id = 'check';
  out.textContent = (problems.length ? 'FAIL ' + problems.join('; ') : 'OK') +
    ' cells=' + cells.length + ' levels=' + levels.join(',') + ' cards=' + cards;
  document.body.appendChild(out);
});
</script>"#;

#[test]
fn report_loads_in_chromium_without_console_errors_and_the_matrix_renders() {
    let Some(bin) = browser::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (html, md) = report_of_examples(dir.path());

    // The page as written: nothing on the console (a blocked resource or script would be).
    let run = browser::run(&bin, &html, &["--dump-dom"]);
    assert_eq!(run.console(), Vec::<&str>::new());
    assert!(run.stdout.contains("id=\"matrix-table\""));

    // The same page with a checking script allowed in: the matrix is laid out and coloured.
    let page = std::fs::read_to_string(&html).unwrap();
    let checked = page
        .replace(
            "default-src 'none';",
            "default-src 'none'; script-src 'unsafe-inline';",
        )
        .replace("</body>", &format!("{CHECK}\n</body>"));
    let check = dir.path().join("check.html");
    std::fs::write(&check, checked).unwrap();
    let run = browser::run(&bin, &check, &["--dump-dom"]);
    assert_eq!(run.console(), Vec::<&str>::new());
    let verdict = run
        .stdout
        .split("<div id=\"check\">")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .unwrap_or_else(|| panic!("the check did not run: {}", run.stdout));
    assert!(verdict.starts_with("OK "), "{verdict}");
    let policies = capol::driver::compile_paths(
        &[PathBuf::from("examples")],
        None,
        &capol::check::Options::default(),
    )
    .unwrap()
    .set
    .policies
    .len();
    assert!(verdict.ends_with(&format!("cards={policies}")), "{verdict}");
    assert!(verdict.contains("levels=l0,l2,"), "{verdict}");
    assert!(!verdict.contains("cond=0"), "{verdict}");

    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("## Who needs what, for which app"));
    assert_eq!(md.matches("\n### ").count(), policies);
}

#[test]
fn screenshot_of_the_examples_report() {
    let Some(bin) = browser::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (html, _) = report_of_examples(dir.path());
    let png = dir.path().join("report.png");
    let run = browser::run(
        &bin,
        &html,
        &[
            "--window-size=1280,1600",
            "--hide-scrollbars",
            &format!("--screenshot={}", png.display()),
        ],
    );
    assert_eq!(run.console(), Vec::<&str>::new());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 1600));
    // A blank or unstyled page compresses to a few kilobytes; the coloured matrix and the
    // cards do not.
    assert!(
        bytes.len() > 40_000,
        "{} bytes: the page looks empty",
        bytes.len()
    );
    // Kept for a look (and for docs/report.png): target/report-screenshot.png.
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    std::fs::copy(&png, keep).unwrap();
}

#[test]
fn report_for_an_environment_shows_its_names_and_mode_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("pol");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(
        src.join("p.capol"),
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\n\
         policy \"CA001 Admins MFA\" for role GlobalAdministrator for all apps exclude group BreakGlass require mfa mode on\n",
    )
    .unwrap();
    std::fs::write(
        src.join("capol.toml"),
        "[environments.test]\ntenant = \"contoso-test.onmicrosoft.com\"\nmax-mode = \"report-only\"\nname-prefix = \"TEST \"\n\n[environments.prod]\ntenant = \"contoso.onmicrosoft.com\"\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = capol()
        .arg("report")
        .arg(&src)
        .arg("-o")
        .arg(&out_dir)
        .args(["--env", "all"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let test = std::fs::read_to_string(out_dir.join("test/report.md")).unwrap();
    assert!(test.contains("### TEST CA001 Admins MFA"), "{test}");
    assert!(test.contains("- **State:** Report-only"), "{test}");
    let prod = std::fs::read_to_string(out_dir.join("prod/report.md")).unwrap();
    assert!(prod.contains("### CA001 Admins MFA"), "{prod}");
    assert!(prod.contains("- **State:** On"), "{prod}");
}
