//! The attributes a filter rule may name, and the operators each one takes.
//!
//! In: an attribute name as written in a rule (`device.trustType`,
//! `CustomSecurityAttribute.Engineering_Project`). Out: its canonical name, its [`AttrKind`] and
//! the [`Op`]s it allows, per Microsoft's "Conditional Access: Filter for devices" table and
//! "Conditional Access: Filter for applications" page.

use super::Subject;
use serde::Serialize;

/// A comparison operator of the filter language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    Eq,
    Ne,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    Contains,
    NotContains,
    In,
    NotIn,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::Eq,
        Op::Ne,
        Op::StartsWith,
        Op::NotStartsWith,
        Op::EndsWith,
        Op::NotEndsWith,
        Op::Contains,
        Op::NotContains,
        Op::In,
        Op::NotIn,
    ];

    /// The operator as Microsoft documents it (`-notStartsWith`).
    pub fn keyword(self) -> &'static str {
        match self {
            Op::Eq => "-eq",
            Op::Ne => "-ne",
            Op::StartsWith => "-startsWith",
            Op::NotStartsWith => "-notStartsWith",
            Op::EndsWith => "-endsWith",
            Op::NotEndsWith => "-notEndsWith",
            Op::Contains => "-contains",
            Op::NotContains => "-notContains",
            Op::In => "-in",
            Op::NotIn => "-notIn",
        }
    }

    /// An operator by name, with or without its hyphen, in any case.
    pub fn from_word(word: &str) -> Option<Op> {
        let bare = word.strip_prefix('-').unwrap_or(word);
        Op::ALL
            .into_iter()
            .find(|op| op.keyword()[1..].eq_ignore_ascii_case(bare))
    }

    /// Negative operators are the only ones that match a null (unset) attribute.
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Op::Ne | Op::NotStartsWith | Op::NotEndsWith | Op::NotContains | Op::NotIn
        )
    }

    /// The positive operator this one negates (`-notIn` → `-in`), or itself.
    pub fn positive(self) -> Op {
        match self {
            Op::Ne => Op::Eq,
            Op::NotStartsWith => Op::StartsWith,
            Op::NotEndsWith => Op::EndsWith,
            Op::NotContains => Op::Contains,
            Op::NotIn => Op::In,
            other => other,
        }
    }

    /// Does the operator take a list (`-in [..]`) rather than a single value?
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::NotIn)
    }
}

/// Operators of Entra's dynamic-membership rule language that filters for Conditional Access
/// do not accept.
pub const UNSUPPORTED_OPS: [&str; 7] = [
    "-match",
    "-notMatch",
    "-any",
    "-all",
    "-le",
    "-ge",
    "-memberOf",
];

/// What kind of value an attribute holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrKind {
    /// Any string.
    String,
    /// A string that must be a GUID (`deviceId`, `mdmAppId`).
    Guid,
    /// One of a closed set of strings (`trustType`, `deviceOwnership`).
    Enum(&'static [&'static str]),
    /// `True` or `False`.
    Bool,
    /// A collection of strings (`physicalIds`, `systemLabels`): `-contains` matches a whole item.
    Collection,
    /// A custom security attribute: a string, possibly multi-valued.
    CustomSecurity,
}

const EQ_NE: &[Op] = &[Op::Eq, Op::Ne];
const EQ_NE_IN: &[Op] = &[Op::Eq, Op::Ne, Op::In, Op::NotIn];
const CONTAINS: &[Op] = &[Op::Contains, Op::NotContains];
const ALL_OPS: &[Op] = &Op::ALL;

const TRUST_TYPES: &[&str] = &["AzureAD", "ServerAD", "Workplace"];
const OWNERSHIP: &[&str] = &["Personal", "Company"];

/// The device attributes of the "Filter for devices" table: name, kind, allowed operators.
const DEVICE_ATTRIBUTES: &[(&str, AttrKind, &[Op])] = &[
    ("deviceId", AttrKind::Guid, EQ_NE_IN),
    ("displayName", AttrKind::String, ALL_OPS),
    ("deviceOwnership", AttrKind::Enum(OWNERSHIP), EQ_NE),
    ("enrollmentProfileName", AttrKind::String, ALL_OPS),
    ("isCompliant", AttrKind::Bool, EQ_NE),
    ("manufacturer", AttrKind::String, ALL_OPS),
    ("mdmAppId", AttrKind::Guid, EQ_NE_IN),
    ("model", AttrKind::String, ALL_OPS),
    ("operatingSystem", AttrKind::String, ALL_OPS),
    ("operatingSystemVersion", AttrKind::String, ALL_OPS),
    ("physicalIds", AttrKind::Collection, CONTAINS),
    ("profileType", AttrKind::String, EQ_NE),
    ("systemLabels", AttrKind::Collection, CONTAINS),
    ("trustType", AttrKind::Enum(TRUST_TYPES), EQ_NE),
];

/// The prefix of custom security attributes in application and service-principal filters.
pub const CSA_PREFIX: &str = "CustomSecurityAttribute.";

/// A resolved attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// The name without its object prefix, in canonical case (`trustType`, `Engineering_Project`).
    pub name: String,
    pub kind: AttrKind,
    pub ops: &'static [Op],
}

/// Why an attribute name was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub message: String,
    pub help: Option<String>,
}

/// Every device attribute name with its `device.` prefix, for suggestions and help.
pub fn device_attribute_names() -> Vec<String> {
    let mut names: Vec<String> = DEVICE_ATTRIBUTES
        .iter()
        .map(|(n, _, _)| format!("device.{n}"))
        .collect();
    names.extend((1..=15).map(|i| format!("device.extensionAttribute{i}")));
    names
}

/// Look up an attribute for a subject.
pub fn resolve(written: &str, subject: Subject) -> Result<Attribute, Unknown> {
    match subject {
        Subject::Device => resolve_device(written),
        Subject::Application | Subject::ServicePrincipal => resolve_custom(written, subject),
    }
}

fn resolve_device(written: &str) -> Result<Attribute, Unknown> {
    let Some((object, name)) = written.split_once('.') else {
        return Err(unknown_device(written));
    };
    if !object.eq_ignore_ascii_case("device") {
        return Err(Unknown {
            message: format!("`{written}` is not a device attribute"),
            help: Some(
                "device filters can only use `device.` attributes, such as `device.trustType`"
                    .into(),
            ),
        });
    }
    if let Some((canon, kind, ops)) = DEVICE_ATTRIBUTES
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
    {
        return Ok(Attribute {
            name: (*canon).to_string(),
            kind: *kind,
            ops,
        });
    }
    let lower = name.to_ascii_lowercase();
    if let Some(digits) = lower.strip_prefix("extensionattribute")
        && let Ok(n) = digits.parse::<u8>()
        && (1..=15).contains(&n)
        && !digits.starts_with('0')
    {
        return Ok(Attribute {
            name: format!("extensionAttribute{n}"),
            kind: AttrKind::String,
            ops: ALL_OPS,
        });
    }
    Err(unknown_device(written))
}

fn unknown_device(written: &str) -> Unknown {
    // Compare without the common `device.` prefix, which would make every name look alike.
    let names = device_attribute_names();
    let bare = written.split_once('.').map_or(written, |(_, n)| n);
    let found = crate::diag::did_you_mean(bare, names.iter().map(|n| &n["device.".len()..]));
    let found: Vec<String> = found.iter().map(|n| format!("device.{n}")).collect();
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    Unknown {
        message: format!("unknown device attribute `{written}`"),
        help: crate::diag::suggestion_text(&found).or_else(|| {
            Some("device attributes are `device.deviceId`, `device.trustType`, `device.isCompliant`, `device.model`, `device.extensionAttribute1`–`15` and others".into())
        }),
    }
}

fn resolve_custom(written: &str, subject: Subject) -> Result<Attribute, Unknown> {
    let prefix_len = CSA_PREFIX.len();
    let has_prefix = written.len() > prefix_len
        && written.is_char_boundary(prefix_len)
        && written[..prefix_len].eq_ignore_ascii_case(CSA_PREFIX);
    let what = match subject {
        Subject::ServicePrincipal => "service-principal",
        _ => "app",
    };
    if !has_prefix {
        let found = crate::diag::did_you_mean(written, [CSA_PREFIX.trim_end_matches('.')]);
        let help = if found.is_empty() {
            format!(
                "{what} filters use custom security attributes: `CustomSecurityAttribute.<AttributeSet>_<Attribute>`"
            )
        } else {
            "write `CustomSecurityAttribute.<AttributeSet>_<Attribute>`".to_string()
        };
        return Err(Unknown {
            message: format!("`{written}` is not a custom security attribute"),
            help: Some(help),
        });
    }
    let name = &written[prefix_len..];
    let valid = name
        .split_once('_')
        .is_some_and(|(set, attr)| !set.is_empty() && !attr.is_empty())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(Unknown {
            message: format!("`{written}` does not name an attribute set and an attribute"),
            help: Some("write `CustomSecurityAttribute.<AttributeSet>_<Attribute>`, such as `CustomSecurityAttribute.Engineering_Project`".into()),
        });
    }
    Ok(Attribute {
        name: name.to_string(),
        kind: AttrKind::CustomSecurity,
        ops: ALL_OPS,
    })
}

/// The operators as a readable list: "`-eq`, `-ne` or `-in`".
pub fn op_list(ops: &[Op]) -> String {
    let words: Vec<String> = ops.iter().map(|o| format!("`{}`", o.keyword())).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_parse_in_any_case_with_or_without_hyphen() {
        assert_eq!(Op::from_word("-eq"), Some(Op::Eq));
        assert_eq!(Op::from_word("-EQ"), Some(Op::Eq));
        assert_eq!(Op::from_word("notstartswith"), Some(Op::NotStartsWith));
        assert_eq!(Op::from_word("-notIn"), Some(Op::NotIn));
        assert_eq!(Op::from_word("-equals"), None);
    }

    #[test]
    fn negative_operators() {
        let negatives: Vec<Op> = Op::ALL.into_iter().filter(|o| o.is_negative()).collect();
        assert_eq!(
            negatives,
            [
                Op::Ne,
                Op::NotStartsWith,
                Op::NotEndsWith,
                Op::NotContains,
                Op::NotIn
            ]
        );
        assert!(negatives.iter().all(|o| !o.positive().is_negative()));
    }

    #[test]
    fn device_attributes_resolve_case_insensitively() {
        let a = resolve("device.deviceid", Subject::Device);
        assert_eq!(a.map(|a| a.name), Ok("deviceId".to_string()));
        let a = resolve("device.ExtensionAttribute15", Subject::Device);
        assert_eq!(a.map(|a| a.name), Ok("extensionAttribute15".to_string()));
        assert!(resolve("device.extensionAttribute16", Subject::Device).is_err());
        assert!(resolve("device.extensionAttribute0", Subject::Device).is_err());
        assert!(resolve("device.extensionAttribute01", Subject::Device).is_err());
        assert!(resolve("user.department", Subject::Device).is_err());
        assert!(resolve("trustType", Subject::Device).is_err());
    }

    #[test]
    fn unknown_device_attribute_suggests() {
        let e = resolve("device.trustTyp", Subject::Device).err();
        assert_eq!(
            e.and_then(|e| e.help),
            Some("did you mean `device.trustType`?".to_string())
        );
    }

    #[test]
    fn custom_security_attributes() {
        let a = resolve(
            "CustomSecurityAttribute.Engineering_Project",
            Subject::Application,
        );
        assert_eq!(
            a.map(|a| (a.name, a.kind)),
            Ok(("Engineering_Project".to_string(), AttrKind::CustomSecurity))
        );
        assert!(
            resolve(
                "customsecurityattribute.Set_Attr",
                Subject::ServicePrincipal
            )
            .is_ok()
        );
        assert!(resolve("CustomSecurityAttribute.NoUnderscore", Subject::Application).is_err());
        assert!(resolve("CustomSecurityAttribute._Attr", Subject::Application).is_err());
        assert!(resolve("device.trustType", Subject::Application).is_err());
        assert!(resolve("CustomSecurityAttribute.Set_Attr", Subject::Device).is_err());
    }

    #[test]
    fn op_list_reads_naturally() {
        assert_eq!(op_list(&[Op::Eq, Op::Ne]), "`-eq` or `-ne`");
        assert_eq!(op_list(&[Op::Eq, Op::Ne, Op::In]), "`-eq`, `-ne` or `-in`");
    }
}
