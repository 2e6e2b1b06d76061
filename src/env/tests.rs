//! `capol.toml`: environments parse, their errors are located, `--env` selects, `apply` renames
//! and lowers states.

use super::*;
use crate::check::Options;
use crate::driver::compile_str;
use crate::source::SourceMap;

fn parse_text(text: &str) -> (Environments, Diagnostics, SourceMap) {
    let mut sources = SourceMap::new();
    let file = sources.add("capol.toml", text);
    let (e, d) = parse(Path::new("/p/capol.toml"), file, text);
    (e, d, sources)
}

fn at(d: &Diagnostic, sources: &SourceMap) -> (usize, usize) {
    let s = d.primary.as_ref().unwrap().span;
    sources.get(s.file).unwrap().line_col(s.start)
}

const GOOD: &str = r#"
[environments.test]
tenant = "contoso-test.onmicrosoft.com"
lock = "locks/test.lock"
max-mode = "report-only"      # nothing is enforced here
name-prefix = "TEST "

[environments.prod]
tenant = "contoso.onmicrosoft.com"
cloud = "global"
lock = "locks/prod.lock"
graph-url = "http://127.0.0.1:8080"
auth = "token"
"#;

#[test]
fn environments_parse_with_paths_beside_the_file() {
    let (e, d, _) = parse_text(GOOD);
    assert!(d.is_empty(), "{:?}", d.items);
    let names: Vec<&str> = e.envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["test", "prod"]);
    let test = &e.envs[0];
    assert_eq!(test.max_mode, Some(MaxMode::ReportOnly));
    assert_eq!(test.name_prefix.as_deref(), Some("TEST "));
    assert_eq!(
        test.lock.as_ref().unwrap().value,
        PathBuf::from("/p/locks/test.lock")
    );
    assert_eq!(e.envs[1].auth.as_ref().unwrap().value, "token");
}

#[test]
fn toml_errors_are_located_diagnostics() {
    let (_, d, s) = parse_text("[environments.test]\ntenant = \"a\nlock = 3\n");
    assert_eq!(d.items[0].code, "E0710");
    assert_eq!(at(&d.items[0], &s).0, 2);
    // Wrong shape: an unknown key, a number for a string.
    let (_, d, s) = parse_text("[environments.test]\ntenant = \"t\"\nlokc = \"x\"\n");
    assert_eq!(d.items[0].code, "E0710");
    assert_eq!(at(&d.items[0], &s), (3, 1));
    assert!(
        d.items[0].message.contains("lokc"),
        "{}",
        d.items[0].message
    );
    let (_, d, s) = parse_text("[environments.test]\nlock = 3\n");
    assert_eq!((d.items[0].code, at(&d.items[0], &s)), ("E0710", (2, 8)));
}

#[test]
fn bad_values_are_located_and_the_environment_left_out() {
    let (e, d, s) = parse_text(
        "[environments.a]\ncloud = \"globl\"\n[environments.b]\nmax-mode = \"enabled\"\n\
         [environments.c]\ngraph-url = \"http://graph.example\"\n[environments.all]\n\
         [environments.d]\nauth = \"token\"\n",
    );
    let got: Vec<_> = d.items.iter().map(|x| (x.code, at(x, &s))).collect();
    for want in [
        ("E0711", (2, 9)),
        ("E0711", (4, 12)),
        ("E0711", (6, 13)),
        ("E0711", (7, 1)),
    ] {
        assert!(got.contains(&want), "{want:?} in {got:?}");
    }
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(d.items[0].help.as_deref().unwrap().contains("`global`"));
    let names: Vec<&str> = e.envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["d"]);
}

#[test]
fn select_by_name_all_and_unknown() {
    let (e, _, _) = parse_text(GOOD);
    let pick = |w: &[&str]| {
        e.select(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .map(|v| v.iter().map(|e| e.name.clone()).collect::<Vec<_>>())
    };
    assert_eq!(pick(&["test"]).unwrap(), ["test"]);
    assert_eq!(pick(&["all"]).unwrap(), ["test", "prod"]);
    assert_eq!(pick(&["test", "all"]).unwrap(), ["test", "prod"]);
    let err = pick(&["tset"]).unwrap_err();
    assert!(
        err.contains("`test`") && err.contains("did you mean"),
        "{err}"
    );
}

#[test]
fn apply_prefixes_names_and_lowers_states_to_the_ceiling() {
    let c = compile_str(
        &[(
            "t.capol",
            "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\n\
             policy \"On\" for all apps require mfa exclude group BreakGlass mode on\n\
             policy \"Off\" for all apps require mfa exclude group BreakGlass mode off\n\
             policy \"Report\" for all apps require mfa exclude group BreakGlass\n",
        )],
        None,
        &Options::default(),
    );
    assert!(!c.has_errors());
    let (e, _, _) = parse_text(GOOD);
    let mut policies = c.policies.clone();
    e.envs[0].apply(&mut policies);
    let got: Vec<(String, PolicyState)> = policies
        .iter()
        .map(|p| (p.display_name.clone(), p.state))
        .collect();
    assert_eq!(
        got,
        [
            ("TEST Off".to_string(), PolicyState::Disabled),
            ("TEST On".to_string(), PolicyState::ReportOnly),
            ("TEST Report".to_string(), PolicyState::ReportOnly),
        ]
    );
    // prod: no prefix, no ceiling: the bodies are untouched.
    let mut same = c.policies.clone();
    e.envs[1].apply(&mut same);
    assert_eq!(
        serde_json::to_value(&same).unwrap(),
        serde_json::to_value(&c.policies).unwrap()
    );
    assert_eq!(
        ceiling(PolicyState::Enabled, MaxMode::Off),
        PolicyState::Disabled
    );
}
