//! The device (or app, or service-principal) classes that filter rules tell apart.
//!
//! In: the filter rules of the policies and the attribute values an analysis question names.
//! Out: a list of attribute assignments, one per class: two devices in one class satisfy exactly
//! the same comparisons of every rule, so they satisfy the same rules. `None` when no rule and
//! no question looks at attributes (the fact is then never needed).
//!
//! Each attribute is treated on its own (every comparison names one attribute): its candidate
//! values are null, each constant the rules compare it with, each constant with text before
//! and after it, each pair of constants joined (for `-startsWith` / `-endsWith` / `-contains`
//! together), and a value no rule mentions; candidates that satisfy the same comparisons are one
//! class. The classes of a device are then the combinations of its attributes' classes.

use crate::filter::{self, AttrKind, Comparison, Expr, Rule, Subject, Value};
use crate::whatif::DeviceFact;
use std::collections::BTreeMap;

/// Kept only for the type's name in docs.
pub struct AttrSet;

/// The most classes one attribute dimension may have.
pub const MAX_CLASSES: usize = 4096;

const FRESH: &str = "capol-other";
const FRESH_GUID: &str = "00000000-0000-0000-0000-00000000f00d";

fn single(c: &Comparison, subject: Subject) -> Rule {
    Rule {
        subject,
        expr: Expr::Compare(c.clone()),
    }
}

fn holds(c: &Comparison, subject: Subject, value: Option<&str>) -> bool {
    let rule = single(c, subject);
    filter::eval(&rule, &|name| {
        if name.eq_ignore_ascii_case(&c.attribute) {
            value.map(str::to_string)
        } else {
            None
        }
    })
}

/// The values worth trying for one attribute: only values the attribute can hold.
fn candidates(kind: AttrKind, constants: &[String], list_kind: bool) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = vec![None];
    match kind {
        AttrKind::Bool => {
            out.push(Some("True".into()));
            out.push(Some("False".into()));
        }
        AttrKind::Enum(allowed) => out.extend(allowed.iter().map(|v| Some(v.to_string()))),
        AttrKind::Guid => {
            out.extend(constants.iter().cloned().map(Some));
            out.push(Some(FRESH_GUID.into()));
        }
        AttrKind::String | AttrKind::Collection | AttrKind::CustomSecurity => {
            out.extend(constants.iter().cloned().map(Some));
            for k in constants {
                out.push(Some(format!("x{k}")));
                out.push(Some(format!("{k}x")));
                out.push(Some(format!("x{k}x")));
            }
            if constants.len() <= 12 {
                for a in constants {
                    for b in constants {
                        if a != b {
                            out.push(Some(format!("{a}{b}")));
                            if list_kind {
                                out.push(Some(format!("{a},{b}")));
                            }
                        }
                    }
                }
            }
            out.push(Some(FRESH.into()));
        }
    }
    out
}

/// The attribute classes, or why there are too many to enumerate exactly.
pub fn atoms(
    rules: &[String],
    subject: Subject,
    asked: &[BTreeMap<String, String>],
    forced: bool,
) -> Result<Vec<Option<DeviceFact>>, String> {
    let mut comparisons: Vec<Comparison> = Vec::new();
    for r in rules {
        if let Ok(rule) = filter::parse(r, subject) {
            comparisons.extend(rule.comparisons().into_iter().cloned());
        }
    }
    // A question's `attribute value` is the comparison `attribute -eq value`, typed as the
    // attribute is (parsed like the scenario checker does).
    let prefix = match subject {
        Subject::Device => "device.",
        _ => "CustomSecurityAttribute.",
    };
    for map in asked {
        for (k, v) in map {
            let literal = if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
                v.clone()
            } else {
                format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
            };
            if let Ok(rule) = filter::parse(&format!("{prefix}{k} -eq {literal}"), subject) {
                comparisons.extend(rule.comparisons().into_iter().cloned());
            }
        }
    }
    if comparisons.is_empty() && !forced {
        return Ok(vec![None]);
    }
    let mut by_attr: BTreeMap<String, Vec<Comparison>> = BTreeMap::new();
    for c in comparisons {
        let key = by_attr
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&c.attribute))
            .cloned()
            .unwrap_or_else(|| c.attribute.clone());
        by_attr.entry(key).or_default().push(c);
    }
    // Per attribute: the candidate values, one per class.
    let mut per_attr: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for (attr, cs) in &by_attr {
        let mut constants: Vec<String> = Vec::new();
        let mut list_kind = false;
        for c in cs {
            list_kind |= matches!(c.kind, AttrKind::Collection | AttrKind::CustomSecurity);
            match &c.value {
                Value::Str(s) => constants.push(s.clone()),
                Value::List(items) => constants.extend(items.iter().cloned()),
                Value::Bool(_) => {
                    constants.push("True".into());
                    constants.push("False".into());
                }
                Value::Null => {}
            }
        }
        constants.sort();
        constants.dedup();
        let kind = cs.first().map(|c| c.kind).unwrap_or(AttrKind::String);
        let candidates = candidates(kind, &constants, list_kind);
        let mut seen: Vec<Vec<bool>> = Vec::new();
        let mut kept = Vec::new();
        for cand in candidates {
            let signature: Vec<bool> = cs
                .iter()
                .map(|c| holds(c, subject, cand.as_deref()))
                .collect();
            if !seen.contains(&signature) {
                seen.push(signature);
                kept.push(cand);
            }
        }
        per_attr.push((attr.clone(), kept));
    }
    let mut total: usize = 1;
    for (_, k) in &per_attr {
        total = total.saturating_mul(k.len());
    }
    if total > MAX_CLASSES {
        return Err(format!(
            "the filter rules tell apart {total} kinds of device or app, more than the {MAX_CLASSES} the analysis enumerates"
        ));
    }
    let mut out: Vec<BTreeMap<String, String>> = vec![BTreeMap::new()];
    for (attr, values) in &per_attr {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for m in &out {
            for v in values {
                let mut m = m.clone();
                if let Some(v) = v {
                    m.insert(attr.clone(), v.clone());
                }
                next.push(m);
            }
        }
        out = next;
    }
    Ok(out
        .into_iter()
        .map(|m| {
            if m.is_empty() {
                Some(DeviceFact::Unregistered)
            } else {
                Some(DeviceFact::Attributes(m))
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(rule: &str, fact: &Option<DeviceFact>) -> bool {
        let Ok(r) = filter::parse(rule, Subject::Device) else {
            return false;
        };
        match fact {
            Some(DeviceFact::Attributes(m)) => filter::eval(&r, &|n| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.clone())
            }),
            _ => filter::eval(&r, &|_| None),
        }
    }

    #[test]
    fn no_rule_no_fact() {
        assert_eq!(atoms(&[], Subject::Device, &[], false), Ok(vec![None]));
    }

    #[test]
    fn every_outcome_of_each_rule_has_a_class() {
        let rules = [
            r#"device.trustType -eq "ServerAD" -and device.isCompliant -eq True"#.to_string(),
            r#"device.model -startsWith "Surface""#.to_string(),
            r#"device.model -endsWith "Pro""#.to_string(),
        ];
        let got = atoms(&rules, Subject::Device, &[], false).unwrap_or_default();
        assert!(got.contains(&Some(DeviceFact::Unregistered)));
        // Every combination of the three rules' outcomes that a device can have is present.
        let mut outcomes: Vec<[bool; 3]> = got
            .iter()
            .map(|f| [eval(&rules[0], f), eval(&rules[1], f), eval(&rules[2], f)])
            .collect();
        outcomes.sort();
        outcomes.dedup();
        assert_eq!(outcomes.len(), 8, "{got:?}");
    }

    #[test]
    fn too_many_classes_is_an_error_not_a_guess() {
        // Eight attributes, each compared with three constants: 4^8 classes.
        let rules: Vec<String> = (1..=8)
            .map(|n| {
                let a = format!("device.extensionAttribute{n}");
                format!("{a} -eq \"a\" -or {a} -eq \"b\" -or {a} -eq \"c\"")
            })
            .collect();
        assert!(atoms(&rules, Subject::Device, &[], false).is_err());
    }
}
