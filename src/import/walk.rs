//! Walking a policy's JSON with its path, and the shape checks every reader shares.
//!
//! In: [`JNode`]s of one input file. Out: values of the expected shape, or diagnostics that name
//! the JSON path (`$.conditions.locations`) and point at the value in the file.

use super::json::{JNode, JValue};
use crate::check::ApiVersion;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// A JSON value and its path from the document root.
#[derive(Clone, Debug)]
pub struct J<'a> {
    pub node: &'a JNode,
    pub path: String,
}

impl<'a> J<'a> {
    pub fn root(node: &'a JNode, path: impl Into<String>) -> Self {
        J {
            node,
            path: path.into(),
        }
    }

    /// The member `key`, null or not.
    pub fn raw(&self, key: &str) -> Option<J<'a>> {
        let JValue::Object(m) = &self.node.value else {
            return None;
        };
        m.iter().rfind(|(k, _, _)| k == key).map(|(k, _, v)| J {
            node: v,
            path: format!("{}.{k}", self.path),
        })
    }

    /// The member `key` unless it is absent or null.
    pub fn get(&self, key: &str) -> Option<J<'a>> {
        self.raw(key).filter(|j| j.node.value != JValue::Null)
    }

    /// Every member, in document order (of a key given twice, the last one).
    pub fn members(&self) -> Vec<(&'a str, J<'a>)> {
        let JValue::Object(m) = &self.node.value else {
            return Vec::new();
        };
        m.iter()
            .enumerate()
            .filter(|(i, (k, _, _))| !m[i + 1..].iter().any(|(later, _, _)| later == k))
            .map(|(_, m)| m)
            .map(|(k, _, v)| {
                (
                    k.as_str(),
                    J {
                        node: v,
                        path: format!("{}.{k}", self.path),
                    },
                )
            })
            .collect()
    }

    pub fn items(&self) -> Vec<J<'a>> {
        let JValue::Array(a) = &self.node.value else {
            return Vec::new();
        };
        a.iter()
            .enumerate()
            .map(|(i, v)| J {
                node: v,
                path: format!("{}[{i}]", self.path),
            })
            .collect()
    }

    pub fn str(&self) -> Option<&'a str> {
        match &self.node.value {
            JValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.node.value, JValue::Object(_))
    }
}

/// Whether a value carries nothing: null, `false`, `""`, `[]`, or an object of such values
/// (OData annotations aside).
pub fn is_empty(n: &JNode) -> bool {
    match &n.value {
        JValue::Null | JValue::Bool(false) => true,
        JValue::String(s) => s.is_empty(),
        JValue::Array(a) => a.is_empty(),
        JValue::Object(m) => m.iter().all(|(k, _, v)| is_noise(k) || is_empty(v)),
        JValue::Bool(true) | JValue::Number(_) => false,
    }
}

/// OData control information and annotations: `@odata.context`, `state@odata.type`,
/// `#microsoft.graph.restore`.
pub fn is_noise(key: &str) -> bool {
    key.starts_with('#') || key.contains("@odata.")
}

/// The diagnostics sink and options of one policy's conversion.
pub struct Ctx<'d> {
    pub file: FileId,
    pub diags: &'d mut Diagnostics,
    pub api: ApiVersion,
    /// Errors reported for the current policy.
    pub errors: usize,
}

impl Ctx<'_> {
    pub fn span(&self, j: &J) -> Span {
        Span::new(self.file, j.node.start, j.node.end)
    }

    pub fn report(&mut self, d: Diagnostic) {
        if d.is_error() {
            self.errors += 1;
        }
        self.diags.push(d);
    }

    /// `E0401`: the value has the wrong JSON type.
    pub fn shape(&mut self, j: &J, expected: &str) {
        let d = Diagnostic::new(
            "E0401",
            format!(
                "`{}` is {}, but Graph expects {expected}",
                j.path,
                j.node.type_name()
            ),
        )
        .at(self.span(j), format!("expected {expected}"))
        .help("fix the JSON; Graph rejects a policy whose properties have the wrong type");
        self.report(d);
    }

    /// `E0402`: a value Graph would reject.
    pub fn invalid(&mut self, j: &J, what: &str, help: impl Into<String>) {
        let d = Diagnostic::new("E0402", format!("`{}`: {what}", j.path))
            .at(self.span(j), "Graph rejects this value")
            .help(help);
        self.report(d);
    }

    /// `E0403`: a property capol cannot express.
    pub fn inexpressible(&mut self, j: &J, why: impl Into<String>) {
        let d = Diagnostic::new(
            "E0403",
            format!("`{}` cannot be expressed in capol", j.path),
        )
        .at(self.span(j), "not imported")
        .help("remove the property from the policy (in the tenant or the JSON) and import again, or keep this policy outside capol")
        .note(why);
        self.report(d);
    }

    /// The value as an object; `None` (and `E0401`) for anything else. Null is `None`, silently.
    pub fn object<'a>(&mut self, j: Option<J<'a>>) -> Option<J<'a>> {
        let j = j?;
        if j.is_object() {
            Some(j)
        } else {
            self.shape(&j, "an object or null");
            None
        }
    }

    /// A collection of strings (null and absent are empty), each with its JSON position.
    pub fn strings<'a>(&mut self, j: Option<J<'a>>) -> Vec<(String, J<'a>)> {
        let Some(j) = j else { return Vec::new() };
        if !matches!(j.node.value, JValue::Array(_)) {
            self.shape(&j, "an array of strings");
            return Vec::new();
        }
        let mut out: Vec<(String, J<'a>)> = Vec::new();
        for item in j.items() {
            match item.str() {
                Some(s) => {
                    if !out.iter().any(|(x, _)| x == s) {
                        out.push((s.to_string(), item));
                    }
                }
                None => self.shape(&item, "a string"),
            }
        }
        out
    }

    /// A string value, or `E0401`.
    pub fn string<'a>(&mut self, j: Option<J<'a>>) -> Option<(&'a str, J<'a>)> {
        let j = j?;
        match j.str() {
            Some(s) => Some((s, j)),
            None => {
                self.shape(&j, "a string");
                None
            }
        }
    }

    /// [`Ctx::members`] with the lists of `crate::vocab`'s descriptors for the object at
    /// `path` (`conditions.platforms`; `""` for the policy).
    pub fn members_of(&mut self, obj: &J, path: &str) {
        let (known, unexpressed) = crate::vocab::members_of(path);
        self.members(obj, &known, &unexpressed);
    }

    /// Police the members of an object: `known` ones are read by the caller; OData noise is
    /// skipped; `beta` ones (beta-only or legacy properties capol does not express) and unknown
    /// ones are accepted only when they carry nothing.
    pub fn members(&mut self, obj: &J, known: &[&str], beta: &[&str]) {
        for (key, j) in obj.members() {
            if is_noise(key) || known.contains(&key) {
                continue;
            }
            if beta.contains(&key) {
                if !is_empty(j.node) {
                    self.inexpressible(
                        &j,
                        format!("`{key}` is a beta-only or deprecated property of Graph that the capol language has no clause for"),
                    );
                }
                continue;
            }
            if j.node.value == JValue::Null {
                continue;
            }
            if is_empty(j.node) {
                let d = Diagnostic::new(
                    "W0400",
                    format!(
                        "`{}` is not a property Graph documents; it is empty and was ignored",
                        j.path
                    ),
                )
                .at(self.span(&j), "ignored")
                .help(near(key, known).map_or_else(
                    || "remove it from the JSON".to_string(),
                    |k| {
                        format!(
                            "did you mean `{k}`? capol reads property names as Graph spells them"
                        )
                    },
                ));
                self.report(d);
                continue;
            }
            let mut d = Diagnostic::new(
                "E0405",
                format!(
                    "`{}` is not a property of a Conditional Access policy",
                    j.path
                ),
            )
            .at(self.span(&j), "unknown property")
            .help("remove it, or check its spelling against the Graph reference");
            if let Some(k) = near(key, known) {
                d = d.help(format!("did you mean `{k}`?"));
            }
            self.report(d);
        }
    }

    /// `E0404` (v1.0) for a beta-only property; `true` when it may be imported.
    pub fn beta_only(&mut self, j: &J) -> bool {
        self.beta_only_or(j, None)
    }

    /// Like [`Ctx::beta_only`], with the other way to write it in the help (`instead`).
    pub fn beta_only_or(&mut self, j: &J, instead: Option<&str>) -> bool {
        if self.api == ApiVersion::Beta {
            return true;
        }
        let help = match instead {
            None => "import with `--api beta`; the policies then compile with `--api beta` too"
                .to_string(),
            Some(i) => format!(
                "import with `--api beta` (the policies then compile with `--api beta` too), or {i}"
            ),
        };
        let d = Diagnostic::new(
            "E0404",
            format!("`{}` exists only in the Graph beta API", j.path),
        )
        .at(self.span(j), "beta-only property")
        .help(help);
        self.report(d);
        false
    }
}

/// A known key that differs from `key` only in letter case.
fn near<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known.iter().copied().find(|k| k.eq_ignore_ascii_case(key))
}
