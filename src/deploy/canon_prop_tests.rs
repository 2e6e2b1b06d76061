//! Property tests of the canonical form over the corpus: every list member and every scalar
//! that Graph enforces counts as a change.

use super::canonical;
use super::tests::corpus;
use serde_json::{Value, json};

/// Every path to a non-empty list in the canonical form.
fn list_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                list_paths(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_string) => {
            out.push(path.clone())
        }
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| v.get_mut(k))
}

/// Property: taking any one member out of any list (every spelling of it) is a change, and
/// adding a new id to any id list is a change, over every corpus policy.
#[test]
fn every_list_member_counts_over_the_corpus() {
    let mut checked = 0;
    for (name, p) in corpus() {
        let c = canonical(&p);
        let mut paths = Vec::new();
        list_paths(&c, &mut Vec::new(), &mut paths);
        for path in paths {
            let Some(Value::Array(members)) = at_mut(&mut c.clone(), &path).cloned() else {
                continue;
            };
            if path.last().map(String::as_str) == Some("clientAppTypes")
                && members == vec![json!("all")]
            {
                continue; // absent ≡ ["all"]
            }
            let Some(first) = members.first().and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            let mut removed = p.clone();
            let Some(Value::Array(raw)) = at_mut(&mut removed, &path) else {
                continue;
            };
            raw.retain(|x| {
                !x.as_str()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case(&first))
            });
            assert_ne!(
                canonical(&removed),
                c,
                "{name}: removing {first} from {}",
                path.join(".")
            );

            let mut added = p.clone();
            if let Some(Value::Array(raw)) = at_mut(&mut added, &path) {
                raw.push(json!("5d2f7e1a-0000-4000-8000-00000000abcd"));
            }
            assert_ne!(canonical(&added), c, "{name}: adding to {}", path.join("."));
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} lists checked");
}

/// Property: changing any scalar (a string that is not an id list member, a number, a flag) is
/// a change, unless the rules make it irrelevant (the operator of a single control, a disabled
/// session control).
#[test]
fn every_scalar_counts_over_the_corpus() {
    fn scalars(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    path.push(k.clone());
                    scalars(x, path, out);
                    path.pop();
                }
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) => out.push(path.clone()),
            _ => {}
        }
    }
    let mut checked = 0;
    for (name, p) in corpus() {
        let c = canonical(&p);
        let mut paths = Vec::new();
        scalars(&c, &mut Vec::new(), &mut paths);
        for path in paths {
            let last = path.last().map(String::as_str).unwrap_or("");
            if matches!(
                last,
                "operator"
                    | "@odata.type"
                    | "isEnabled"
                    | "authenticationType"
                    | "frequencyInterval"
            ) {
                continue;
            }
            let mut changed = p.clone();
            let Some(slot) = at_mut(&mut changed, &path) else {
                continue;
            };
            *slot = match slot {
                Value::String(s) => json!(format!("{s}x")),
                Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1),
                Value::Bool(b) => json!(!*b),
                _ => continue,
            };
            assert_ne!(canonical(&changed), c, "{name}: {}", path.join("."));
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} scalars checked");
}
