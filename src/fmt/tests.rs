//! Unit tests of the formatter: layout, comments, refusals; and the properties that it is
//! idempotent and meaning-preserving, on every `.capol` file of the repository and on generated
//! sources.

use super::format;
use crate::check::Options;
use crate::driver;
use std::path::Path;

fn fmt(s: &str) -> String {
    match format(s) {
        Ok(t) => t,
        Err(d) => panic!("{:?}", d.items),
    }
}

/// Format, and check the result is a fixed point.
fn check(input: &str, want: &str) {
    let got = fmt(input);
    assert_eq!(got, want, "\n--- got:\n{got}--- want:\n{want}");
    assert_eq!(fmt(&got), got, "not idempotent");
}

#[test]
fn short_policy_on_one_line() {
    check(
        "policy \"A\"\n  mode on require mfa\n    for group Admins\n",
        "policy \"A\"\n    require mfa for group Admins mode on\n",
    );
    // A repeated keyword reads badly on one line.
    check(
        "policy \"A\" for all users for all apps block mode on",
        "policy \"A\"\n    block\n    for all users\n    for all apps\n    mode on\n",
    );
}

#[test]
fn clause_order_and_kind_words() {
    check(
        "policy \"A\" mode on session persistent-browser never block when platform ios exclude location trusted \
         exclude groups A, groups B, roles C when location any for all users description \"d\" for all apps exclude app X",
        "policy \"A\"\n    description \"d\"\n    block\n    for all users\n    for all apps\n    exclude group A, B, role C\n    \
         exclude app X\n    when platform ios\n    when location any\n    exclude location trusted\n    \
         session persistent-browser never\n    mode on\n",
    );
}

#[test]
fn headerless_policy() {
    check(
        "require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only\n",
        "require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only\n",
    );
}

#[test]
fn long_lists_break_one_item_per_line() {
    let roles: Vec<String> = (1..=20).map(|i| format!("Role{i}")).collect();
    let input = format!("policy \"A\" for role {} require mfa", roles.join(", "));
    let mut want = String::from("policy \"A\"\n    require mfa\n    for role Role1,\n");
    for r in &roles[1..19] {
        want.push_str(&format!("        {r},\n"));
    }
    want.push_str("        Role20\n");
    check(&input, &want);
    let long = "policy \"A\" for all users require mfa or compliant-device or hybrid-joined-device or approved-app or compliant-app or terms ToU";
    check(
        long,
        "policy \"A\"\n    require mfa\n        or compliant-device\n        or hybrid-joined-device\n        \
         or approved-app\n        or compliant-app\n        or terms ToU\n    for all users\n",
    );
}

#[test]
fn declarations_align_in_runs() {
    check(
        "group A = 0B1D2B8E-6F55-4A1C-9A3E-3F6F1B0C9D11\nlocation \"Head Office\" = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\n\n\
         app HR = 3f2f9a55-1b6e-4c7a-8a1d-6d3f0e9b2c44\nemergency group A\nemergency user Bob\n",
        "group    A             = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
         location \"Head Office\" = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\n\n\
         app HR = 3f2f9a55-1b6e-4c7a-8a1d-6d3f0e9b2c44\n\
         emergency group A\nemergency user  Bob\n",
    );
}

#[test]
fn strings_are_requoted() {
    check(
        "policy 'A \"q\"' for devices where \"device.model -eq 'x'\" require mfa description 'a\\b'",
        "policy \"A \\\"q\\\"\"\n    description \"a\\\\b\" require mfa for devices where \"device.model -eq 'x'\"\n",
    );
    check(
        "policy \"A\" when devices where \"device.model -eq \\\"x\\\"\" require mfa\n",
        "policy \"A\"\n    require mfa when devices where 'device.model -eq \"x\"'\n",
    );
}

#[test]
fn comments_leading_trailing_and_blank_lines() {
    check(
        "# Header.\n\n# About A.\ngroup A = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11 # the admins\n\n\n\
         group B = 1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n# About the policy.\npolicy \"P\" # header note\n\
         # who\n  for group A,\n # and B\n B # last\n require mfa # why\n   and compliant-device # and this\n mode on\n# The end.\n",
        "# Header.\n\n# About A.\ngroup A = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11  # the admins\n\n\
         group B = 1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\n# About the policy.\npolicy \"P\"  # header note\n\
         \x20   require mfa and compliant-device  # why # and this\n    # who\n    for group A,\n        # and B\n        B  # last\n    mode on\n\n# The end.\n",
    );
}

#[test]
fn comments_inside_scenarios_and_between_items() {
    check(
        "scenario \"S\" # s\n  user alice@contoso.com # u\n  member-of group A\n  # before app\n  app X\n  expect block # e\n\n\n# tail\n",
        "scenario \"S\"  # s\n    user alice@contoso.com member-of group A  # u\n    # before app\n    app X\n    expect block  # e\n\n# tail\n",
    );
    check("# only a comment\n", "# only a comment\n");
    check("", "");
}

#[test]
fn a_comment_on_the_first_item_of_a_list_goes_before_the_clause() {
    check(
        "policy \"P\"\n  for\n  # admins\n  group A\n  block\n",
        "policy \"P\"\n    block\n    # admins\n    for group A\n",
    );
}

#[test]
fn syntax_errors_are_not_formatted() {
    let err = format("policy \"A\" for ,\n").unwrap_err();
    assert!(err.items.iter().any(|d| d.code == "E0001"));
    let err = format("policy \"A\" description \"\\q\"").unwrap_err();
    assert!(err.items.iter().any(|d| d.code == "E0005"));
}

#[test]
fn lossy_layouts_are_refused() {
    // A scenario's `user a, b` is an error of its own; fmt leaves such a file alone rather than
    // drop `b`.
    let err = format("scenario \"S\" user a@x.com, b@x.com expect block\n").unwrap_err();
    assert!(
        err.items
            .iter()
            .any(|d| d.code == "E0500" || d.code == "E0420"),
        "{:?}",
        err.items
    );
}

/// Compile one file; the policies as JSON and the sorted diagnostic codes.
fn compiled(text: &str) -> (serde_json::Value, Vec<&'static str>) {
    let c = driver::compile_str(&[("f.capol", text)], None, &Options::default());
    let mut codes: Vec<&'static str> = c.diagnostics.items.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    (serde_json::to_value(&c.policies).unwrap_or_default(), codes)
}

/// Idempotent, meaning-preserving, and every comment kept; `true` when the text compiles.
fn properties(name: &str, text: &str) -> bool {
    let Ok(once) = format(text) else { return false };
    assert_eq!(fmt(&once), once, "{name}: not idempotent:\n{once}");
    assert_eq!(
        compiled(&once),
        compiled(text),
        "{name}: meaning changed:\n{text}\n---\n{once}"
    );
    if let Some((_, comments)) = crate::syntax::tokens(text) {
        for c in comments {
            assert!(once.contains(&c.text), "{name}: lost `{}`", c.text);
        }
    }
    compiled(text).1.iter().all(|c| c.starts_with('W'))
}

#[test]
fn every_capol_file_in_the_repository() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else if name.ends_with(".capol") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(env!("CARGO_MANIFEST_DIR")), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let _ = properties(&f.display().to_string(), &text);
    }
}

/// A small deterministic generator (xorshift), so the test needs no crate and never flakes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const DECLS: &str = "group Admins = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
group \"Break Glass\" = 1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n\
location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted\n\
app HRPortal = 3f2f9a55-1b6e-4c7a-8a1d-6d3f0e9b2c44\n\
terms ToU = 5d4e3c2b-1a09-4f8e-b7d6-c5b4a3928170\n\
emergency group \"Break Glass\"\n";

/// Clause fragments, as token lists, by slot; one is chosen per slot (or none, for `None`).
fn fragments() -> Vec<Vec<Option<&'static [&'static str]>>> {
    vec![
        vec![
            Some(&["for", "all", "users"]),
            Some(&[
                "for",
                "groups",
                "Admins",
                ",",
                "role",
                "GlobalAdministrator",
                ",",
                "SecurityAdministrator",
            ]),
            Some(&[
                "for",
                "guests",
                "b2b-collaboration-guest",
                ",",
                "internal-guest",
                ",",
                "tenant",
                "9f8e7d6c-5b4a-4938-8271-605f4e3d2c1b",
            ]),
            None,
        ],
        vec![
            Some(&["for", "all", "apps"]),
            Some(&[
                "for",
                "app",
                "AzureServiceManagement",
                ",",
                "HRPortal",
                ",",
                "app",
                "Office365",
            ]),
            Some(&["for", "apps", "AzureServiceManagement"]),
        ],
        vec![Some(&["exclude", "group", "\"Break Glass\""])],
        vec![
            Some(&["when", "platform", "android", ",", "ios"]),
            Some(&["when", "client", "browser", ",", "mobile-desktop"]),
            Some(&[
                "when",
                "devices",
                "where",
                "'device.trustType -eq \"ServerAD\"'",
            ]),
            None,
        ],
        vec![
            Some(&[
                "when", "location", "any", "exclude", "location", "trusted", ",", "HQ",
            ]),
            Some(&["when", "sign-in-risk", "high", ",", "medium"]),
            Some(&["when", "insider-risk", "elevated"]),
            None,
        ],
        vec![
            Some(&["require", "mfa"]),
            Some(&["block"]),
            Some(&[
                "require",
                "compliant-device",
                "or",
                "hybrid-joined-device",
                "or",
                "terms",
                "ToU",
            ]),
            Some(&[
                "require",
                "strength",
                "phishing-resistant-mfa",
                "and",
                "compliant-device",
            ]),
        ],
        vec![
            Some(&[
                "session",
                "sign-in-frequency",
                "4",
                "hours",
                ",",
                "cloud-app-security",
                "monitor-only",
            ]),
            Some(&["session", "app-enforced-restrictions"]),
            None,
            None,
        ],
        vec![Some(&["mode", "on"]), Some(&["mode", "report-only"]), None],
        vec![
            Some(&["description", "\"Made by a generator\""]),
            None,
            None,
        ],
    ]
}

/// Join tokens with random white space and comments (comments never precede a `,` on the
/// line of... anything: they are white space to the grammar).
fn layout(rng: &mut Rng, tokens: &[&str], n: &mut usize, out: &mut String) {
    for t in tokens {
        if *t == "," {
            out.push(',');
        } else {
            out.push_str(t);
        }
        *n += 1;
        let sep = match rng.next() % 10 {
            0 => format!("  # c{n}\n"),
            1 => format!("\n# own {n}\n  "),
            2 => "\n\t".to_string(),
            3 => "\n\n".to_string(),
            _ => " ".to_string(),
        };
        out.push_str(&sep);
    }
}

#[test]
fn generated_sources_keep_their_meaning() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let slots = fragments();
    let mut clean = 0;
    for case in 0..300 {
        let mut text = String::new();
        let mut n = case * 1000;
        if rng.chance(70) {
            text.push_str(DECLS);
        }
        if rng.chance(30) {
            text.push_str("# A header comment.\n\n");
        }
        let count = 1 + rng.next() % 3;
        let headerless = count == 1 && rng.chance(30);
        for p in 0..count {
            let mut chosen: Vec<&[&str]> = slots.iter().filter_map(|s| *rng.pick(s)).collect();
            for i in (1..chosen.len()).rev() {
                chosen.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            if !headerless {
                let header = format!("policy \"P{case}-{p}\"");
                layout(&mut rng, &[&header], &mut n, &mut text);
            }
            for c in chosen {
                layout(&mut rng, c, &mut n, &mut text);
            }
            text.push('\n');
        }
        if !headerless && rng.chance(20) {
            text.push_str("scenario \"S\"\n  user a@contoso.com member-of group Admins\n  # note\n  app HRPortal\n  expect require mfa\n");
        }
        if properties(&format!("case {case}"), &text) {
            clean += 1;
        }
    }
    assert!(clean >= 100, "only {clean} generated sources compile");
}

#[test]
fn crlf_and_bom_inputs() {
    check(
        "\u{feff}policy \"A\"\r\n  require mfa # x\r\n\r\n  for all users\r\n",
        "policy \"A\"\n    require mfa  # x\n    for all users\n",
    );
}

#[test]
fn sets_and_defaults_layout() {
    check(
        "set Emergency = group BreakGlass,user Emergency1 # accounts\n\
         set Admins = role GlobalAdministrator, PrivilegedRoleAdministrator, SecurityAdministrator, ConditionalAccessAdministrator\n\
         defaults exclude set Emergency mode report-only\n\
         policy \"A\" ignore defaults require mfa for set Admins, set Emergency\n",
        "set Emergency = group BreakGlass, user Emergency1  # accounts\n\
         set Admins = role GlobalAdministrator,\n    PrivilegedRoleAdministrator,\n    SecurityAdministrator,\n    ConditionalAccessAdministrator\n\
         \n\
         defaults\n    exclude set Emergency\n    mode report-only\n\
         \n\
         policy \"A\"\n    require mfa for set Admins, set Emergency ignore defaults\n",
    );
}
