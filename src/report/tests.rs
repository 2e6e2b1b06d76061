use super::*;
use crate::check::Options;
use crate::driver::compile_str;

const SRC: &str = r#"
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
group Pilot = 3c9e2a71-5d4b-4e6f-8a2c-1b0d9e8f7a61
emergency group BreakGlass

policy "CA001 Admins phishing-resistant"
    for role GlobalAdministrator
    for all apps
    exclude group BreakGlass
    require strength phishing-resistant-mfa
    mode on

policy "CA002 MFA for pilot on Azure"
    for group Pilot
    for app AzureServiceManagement
    require mfa or compliant-device
    session sign-in-frequency 4 hours
    mode on

policy "CA003 Block legacy"
    for all users
    for all apps
    exclude group BreakGlass
    when client exchange-activesync, other
    block
    mode on

policy "CA004 Everyone MFA (trial)"
    for all users
    for all apps
    exclude group BreakGlass
    require mfa
"#;

fn report() -> Report {
    let c = compile_str(&[("p.capol", SRC)], None, &Options::default());
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    build(&c, "Test <report>")
}

fn cell<'a>(r: &'a Report, row: &str, col: &str) -> &'a Cell {
    let i = r
        .matrix
        .rows
        .iter()
        .position(|x| x == row)
        .unwrap_or_else(|| panic!("row {row}: {:?}", r.matrix.rows));
    let j = r
        .matrix
        .columns
        .iter()
        .position(|x| x == col)
        .unwrap_or_else(|| panic!("column {col}: {:?}", r.matrix.columns));
    &r.matrix.cells[i][j]
}

#[test]
fn cards_say_each_policy_in_plain_words() {
    let r = report();
    let c = &r.cards[0];
    assert_eq!(c.name, "CA001 Admins phishing-resistant");
    assert_eq!(c.state, "On");
    assert_eq!(c.who, "role Global Administrator, except group BreakGlass");
    assert_eq!(c.what, "all apps");
    assert_eq!(c.when, "every sign-in");
    assert_eq!(c.requires, "Phishing resistant MFA strength");
    assert_eq!(c.location.to_string(), "p.capol:6");
    let c2 = &r.cards[1];
    assert_eq!(c2.what, "Windows Azure Service Management API");
    assert_eq!(c2.requires, "MFA or a compliant device");
    assert_eq!(c2.session, "sign in again every 4 hours");
    assert_eq!(r.cards[2].when, "with client exchange-activesync or other");
    assert_eq!(r.cards[2].requires, "blocked");
    assert_eq!(r.cards[3].state, "Report-only");
}

#[test]
fn matrix_cells_hold_the_strongest_enforced_requirement() {
    let r = report();
    let admin = cell(&r, "role Global Administrator", "Any other app");
    assert_eq!(admin.level, Level::PhishingResistant);
    // Legacy clients are blocked only under the client condition.
    assert_eq!(admin.conditional, Some(Level::Block));
    let pilot = cell(&r, "group Pilot", "Windows Azure Service Management API");
    assert_eq!(pilot.level, Level::Mfa);
    let pilot_other = cell(&r, "group Pilot", "Any other app");
    assert_eq!(pilot_other.level, Level::Nothing);
    // The report-only MFA policy is listed, not counted.
    let all = cell(&r, "All users", "Any other app");
    assert_eq!(all.level, Level::Nothing);
    assert_eq!(all.report_only.len(), 1);
    assert_eq!(all.report_only[0].name, "CA004 Everyone MFA (trial)");
    let bg = cell(&r, "group BreakGlass (emergency access)", "Any other app");
    assert_eq!(bg.level, Level::Nothing);
    assert!(bg.enforced.is_empty() && bg.report_only.is_empty());
}

#[test]
fn html_is_self_contained_and_escaped() {
    let r = report();
    let h = html::render(&r);
    assert!(h.contains("<title>Test &lt;report&gt;</title>"));
    assert!(h.contains("default-src 'none'"));
    for banned in ["<script", "http://", "https://", "src=", "@import", "url("] {
        assert!(!h.contains(banned), "{banned} in the page");
    }
    assert!(h.contains("id=\"matrix-table\""));
    assert!(h.contains("<td class=\"l4\""), "phishing-resistant cell");
    assert!(h.contains("href=\"#ca001-admins-phishing-resistant\""));
    assert!(h.contains("id=\"ca001-admins-phishing-resistant\""));
    assert!(h.contains("p.capol:6"));
}

#[test]
fn markdown_has_the_matrix_and_a_section_per_policy() {
    let r = report();
    let m = markdown::render(&r);
    assert!(
        m.contains("| role Global Administrator | phishing-resistant, **block**\\* |"),
        "{m}"
    );
    assert!(m.contains("### CA002 MFA for pilot on Azure"));
    assert!(m.contains("- **Source:** `p.capol:13`"));
    assert_eq!(m.matches("\n### ").count(), 4);
}
