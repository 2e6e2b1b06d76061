//! Evaluating a parsed rule against an object's attributes.
//!
//! In: a [`Rule`] and a look-up from attribute name (without its `device.` or
//! `CustomSecurityAttribute.` prefix, as in [`Comparison::attribute`]) to the value as written, or
//! `None` when the attribute is null. Out: whether the object matches.
//!
//! Entra's semantics: string comparisons ignore case; a null attribute (every attribute of an
//! unregistered device) satisfies only the negative operators (`-ne`, `-notStartsWith`,
//! `-notEndsWith`, `-notContains`, `-notIn`), and `-eq null` / `-ne null` test for null. For the
//! collection attributes `physicalIds` and `systemLabels`, and for custom security attributes, the
//! value is a comma-separated list of items; `-contains` on a collection matches a whole item (as
//! Microsoft documents), and on a custom security attribute a substring of any item.

use super::{AttrKind, Comparison, Expr, Op, Rule, Value};

/// Does an object with these attributes satisfy the rule?
pub fn eval(rule: &Rule, attrs: &dyn Fn(&str) -> Option<String>) -> bool {
    eval_expr(&rule.expr, attrs)
}

fn eval_expr(e: &Expr, attrs: &dyn Fn(&str) -> Option<String>) -> bool {
    match e {
        Expr::Or(items) => items.iter().any(|e| eval_expr(e, attrs)),
        Expr::And(items) => items.iter().all(|e| eval_expr(e, attrs)),
        Expr::Not(a) => !eval_expr(a, attrs),
        Expr::Compare(c) => compare(c, attrs(&c.attribute).as_deref()),
    }
}

fn compare(c: &Comparison, actual: Option<&str>) -> bool {
    match (&c.value, actual) {
        (Value::Null, a) => match c.op {
            Op::Eq => a.is_none(),
            Op::Ne => a.is_some(),
            _ => false,
        },
        (_, None) => c.op.is_negative(),
        (value, Some(actual)) => {
            let matched = positive(c.kind, c.op.positive(), value, actual);
            matched != c.op.is_negative()
        }
    }
}

fn positive(kind: AttrKind, op: Op, value: &Value, actual: &str) -> bool {
    let expected: Vec<String> = match value {
        Value::Str(s) => vec![s.to_lowercase()],
        Value::Bool(b) => vec![if *b { "true".into() } else { "false".into() }],
        Value::List(items) => items.iter().map(|s| s.to_lowercase()).collect(),
        Value::Null => return false,
    };
    let actual = actual.to_lowercase();
    let items: Vec<&str> = match kind {
        AttrKind::Collection | AttrKind::CustomSecurity => actual
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        _ => vec![actual.trim()],
    };
    let any =
        |f: &dyn Fn(&str, &str) -> bool| items.iter().any(|i| expected.iter().any(|e| f(i, e)));
    match op {
        Op::Eq | Op::In => any(&|i, e| i == e),
        Op::StartsWith => any(&|i, e| i.starts_with(e)),
        Op::EndsWith => any(&|i, e| i.ends_with(e)),
        Op::Contains if kind == AttrKind::Collection => any(&|i, e| i == e),
        Op::Contains => any(&|i, e| i.contains(e)),
        // Negative operators were turned into their positive form by the caller.
        Op::Ne | Op::NotStartsWith | Op::NotEndsWith | Op::NotContains | Op::NotIn => false,
    }
}
