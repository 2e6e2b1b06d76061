//! Type checks of comparison values.
//!
//! In: a resolved attribute and the value compared with it. Out: the value, normalised (a quoted
//! `"True"` for a boolean attribute becomes a boolean), and an error when the value cannot be one
//! the attribute holds: text for a boolean, a non-GUID for `deviceId`, an unknown `trustType`.

use super::attributes::{AttrKind, Attribute};
use super::{FilterError, Value};

pub fn check_type(
    a: &Attribute,
    written: &str,
    value: Value,
    vs: usize,
    ve: usize,
    errors: &mut Vec<FilterError>,
) -> Value {
    let strings: Vec<&str> = match &value {
        Value::Str(s) => vec![s.as_str()],
        Value::List(items) => items.iter().map(String::as_str).collect(),
        Value::Bool(_) | Value::Null => Vec::new(),
    };
    match a.kind {
        AttrKind::Bool => match &value {
            Value::Bool(_) => value,
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => {
                let shown = strings.first().copied().unwrap_or("");
                errors.push(
                    FilterError::new(
                        vs,
                        ve,
                        format!("`{written}` is `True` or `False`, not `{shown}`"),
                    )
                    .with_help("write `True` or `False`"),
                );
                value
            }
        },
        _ if matches!(value, Value::Bool(_)) => {
            errors.push(
                FilterError::new(vs, ve, format!("`{written}` holds text, not a boolean"))
                    .with_help("quote the value: `\"True\"`"),
            );
            value
        }
        AttrKind::Guid => {
            if let Some(bad) = strings.iter().find(|s| !crate::symbols::is_guid(s)) {
                errors.push(
                    FilterError::new(
                        vs,
                        ve,
                        format!("`{written}` holds a GUID, and `{bad}` is not one"),
                    )
                    .with_help("write the id in the form `aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb`"),
                );
            }
            value
        }
        AttrKind::Enum(allowed) => {
            if let Some(bad) = strings
                .iter()
                .find(|s| !allowed.iter().any(|v| v.eq_ignore_ascii_case(s)))
            {
                let found = crate::diag::did_you_mean(bad, allowed.iter().copied());
                let list: Vec<String> = allowed.iter().map(|v| format!("`\"{v}\"`")).collect();
                let help = crate::diag::suggestion_text(&found)
                    .unwrap_or_else(|| format!("`{written}` is one of {}", list.join(", ")));
                errors.push(
                    FilterError::new(vs, ve, format!("`{bad}` is not a value of `{written}`"))
                        .with_help(help),
                );
            }
            value
        }
        AttrKind::String | AttrKind::Collection | AttrKind::CustomSecurity => value,
    }
}
