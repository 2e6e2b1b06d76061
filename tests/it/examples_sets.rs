//! The examples use `set` and `defaults` (LANGUAGE.md §7); written out by hand — every
//! `set NAME` replaced by its items, the set declarations and the `defaults` block removed, each
//! default written into the policies it reaches — they compile to the same bytes.

use crate::support::compile::{self as support, capol_files, examples_dir};

/// `(name, text)` of every example file.
fn examples() -> Vec<(String, String)> {
    capol_files(&examples_dir())
        .into_iter()
        .map(|p| (p.display().to_string(), support::read(&p)))
        .collect()
}

/// The code of a line, its comment cut off.
fn code(line: &str) -> &str {
    line.split('#').next().unwrap_or("")
}

/// Takes the set declarations and the defaults block out of `text`: the text left, the sets
/// (name, items as written) and the default clauses.
fn take_shared(text: &str) -> (String, Vec<(String, String)>, Vec<String>) {
    let mut rest = String::new();
    let mut sets: Vec<(String, String)> = Vec::new();
    let mut defaults = Vec::new();
    let mut in_set = false;
    let mut in_defaults = false;
    for line in text.lines() {
        let continued = line.starts_with(' ') && !code(line).trim().is_empty();
        if (in_set || in_defaults) && continued {
            if in_set {
                let last = sets.last_mut().unwrap();
                last.1.push(' ');
                last.1.push_str(code(line).trim());
            } else {
                defaults.push(code(line).trim().to_string());
            }
            continue;
        }
        in_set = false;
        in_defaults = false;
        if let Some(decl) = code(line).strip_prefix("set ") {
            let (name, items) = decl.split_once('=').unwrap();
            sets.push((name.trim().to_string(), items.trim().to_string()));
            in_set = true;
        } else if code(line).trim() == "defaults" {
            in_defaults = true;
        } else {
            rest.push_str(line);
            rest.push('\n');
        }
    }
    (rest, sets, defaults)
}

/// `set NAME` (not followed by more of a name) replaced by the set's items, until none is left.
fn expand(text: &str, sets: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for _ in 0..8 {
        let mut changed = false;
        for (name, items) in sets {
            let needle = format!("set {name}");
            let mut next = String::new();
            let mut rest = out.as_str();
            while let Some(at) = rest.find(&needle) {
                let after = &rest[at + needle.len()..];
                let boundary = !after
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                next.push_str(&rest[..at]);
                next.push_str(if boundary { items } else { &needle });
                changed |= boundary;
                rest = after;
            }
            next.push_str(rest);
            out = next;
        }
        if !changed {
            return out;
        }
    }
    panic!("sets nest too deep: {out}");
}

/// Each default into a policy: a list clause always, a `mode` only where the policy has none.
fn with_defaults(text: &str, defaults: &[String]) -> String {
    let has_mode = text
        .lines()
        .any(|l| code(l).split_whitespace().any(|w| w == "mode"));
    let mut out = text.trim_end().to_string();
    for d in defaults {
        if d.starts_with("mode ") && has_mode {
            continue;
        }
        out.push_str("\n    ");
        out.push_str(d);
    }
    out.push('\n');
    out
}

#[test]
fn the_examples_compile_to_the_bytes_of_their_written_out_form() {
    let files = examples();
    let names = files
        .iter()
        .position(|(n, _)| n.ends_with("names.capol"))
        .unwrap();
    let (declarations, sets, defaults) = take_shared(&files[names].1);
    // The examples do use both: the test is about something.
    let set_names: Vec<&str> = sets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(set_names, ["Emergency", "Admins"]);
    assert_eq!(defaults, ["mode report-only"]);
    let uses = files
        .iter()
        .filter(|(_, t)| t.lines().any(|l| code(l).contains("set ")))
        .count();
    assert!(uses > 10, "{uses} files use a set");

    let compile = |fs: &[(String, String)]| {
        let borrowed: Vec<(&str, &str)> =
            fs.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        support::compile(&borrowed)
    };
    let with = compile(&files);
    // The files that hold a policy (not the declarations, scenarios or assertions).
    let holding: Vec<String> = with
        .set
        .policies
        .iter()
        .filter_map(|p| with.sources.get(p.display_name.span.file))
        .map(|f| f.name.clone())
        .collect();
    let mut written: Vec<(String, String)> = Vec::new();
    for (k, (name, text)) in files.iter().enumerate() {
        let text = if k == names {
            declarations.clone()
        } else {
            expand(text, &sets)
        };
        let text = if holding.contains(name) {
            with_defaults(&text, &defaults)
        } else {
            text
        };
        assert!(
            !text.lines().any(|l| code(l).contains("set ")),
            "{name} still uses a set:\n{text}"
        );
        written.push((name.clone(), text));
    }
    let without = compile(&written);
    assert!(!with.has_errors(), "{}", support::rendered(&with));
    assert!(!without.has_errors(), "{}", support::rendered(&without));
    assert_eq!(with.policies.len(), 19);
    assert_eq!(
        serde_json::to_string_pretty(&with.policies).unwrap(),
        serde_json::to_string_pretty(&without.policies).unwrap()
    );
    // The same warnings, at the same places: the seed's W0003 and nothing else.
    assert_eq!(support::located(&with), support::located(&without));
}
