//! Entra's filter rule language: device filters and filters on custom security attributes.
//!
//! In: a rule as Graph stores it (`device.trustType -eq "ServerAD" -and device.isCompliant -eq
//! True`) and the kind of object it filters. Out: a parsed [`Rule`], or every [`FilterError`]
//! found, each with byte offsets into the rule text; and [`eval`], which decides whether an
//! object's attributes satisfy a rule the way Entra does (case-insensitive strings, null
//! attributes matched only by negative operators).
//!
//! The syntax follows Microsoft's "Conditional Access: Filter for devices" page and the
//! dynamic-membership rule syntax it refers to: comparisons `attribute -op value`, joined by
//! `-and`, `-or` and `-not` (precedence: comparison, then `-not`, then `-and`, then `-or`), with
//! parentheses. Operators are case-insensitive and may be written without their hyphen. Values are
//! double-quoted strings (`` ` `` escapes a quote), single-quoted strings (`''` escapes a quote),
//! `True`/`False` (any case, quoted or not), `null` (with `-eq`/`-ne` only), and lists `["a", "b"]`
//! for `-in`/`-notIn`. Rules longer than Entra's 3072 characters are rejected, and parentheses and
//! `-not` may nest at most [`MAX_NESTING`] deep, so that no input can exhaust the stack.

mod attributes;
mod eval;
mod lexer;
mod parser;
mod values;

pub use attributes::{AttrKind, CSA_PREFIX, Op, device_attribute_names};
pub use eval::eval;

use serde::Serialize;

/// Entra's documented limit on the length of a filter rule, in characters.
pub const MAX_RULE_CHARS: usize = 3072;

/// How deeply parentheses and `-not` may nest (our limit, so that no rule can exhaust the stack).
pub const MAX_NESTING: usize = 64;

/// The kind of object a rule filters, which decides the attributes it may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Subject {
    /// `conditions.devices.deviceFilter`: `device.*` attributes.
    Device,
    /// `conditions.applications.applicationFilter`: `CustomSecurityAttribute.*` on apps.
    Application,
    /// `conditions.clientApplications.servicePrincipalFilter`: `CustomSecurityAttribute.*`.
    ServicePrincipal,
}

/// One problem in a rule, located by byte offsets into the rule string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FilterError {
    pub start: usize,
    pub end: usize,
    /// One line, lower case, no final period.
    pub message: String,
    pub help: Option<String>,
}

impl FilterError {
    pub(crate) fn new(start: usize, end: usize, message: impl Into<String>) -> Self {
        FilterError {
            start,
            end,
            message: message.into(),
            help: None,
        }
    }
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A parsed rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub subject: Subject,
    pub expr: Expr,
}

/// A boolean expression over comparisons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Two or more alternatives (a chain of `-or` is one node, so long rules stay shallow).
    Or(Vec<Expr>),
    /// Two or more conditions joined by `-and`.
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Comparison),
}

/// `attribute -op value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The attribute without its object prefix, in canonical case: `trustType`,
    /// `extensionAttribute3`, `Engineering_Project` (for `CustomSecurityAttribute.Engineering_Project`).
    pub attribute: String,
    pub kind: AttrKind,
    pub op: Op,
    pub value: Value,
    /// Byte offsets of the whole comparison in the rule.
    pub start: usize,
    pub end: usize,
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Null,
    List(Vec<String>),
}

impl Rule {
    /// Every comparison of the rule, left to right.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a Comparison>) {
            match e {
                Expr::Or(items) | Expr::And(items) => items.iter().for_each(|i| walk(i, out)),
                Expr::Not(a) => walk(a, out),
                Expr::Compare(c) => out.push(c),
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }
}

/// Parse a rule for a subject. Every problem found is returned, sorted by position.
pub fn parse(rule: &str, subject: Subject) -> Result<Rule, Vec<FilterError>> {
    let mut errors = Vec::new();
    let chars = rule.chars().count();
    if chars > MAX_RULE_CHARS {
        let start = rule
            .char_indices()
            .nth(MAX_RULE_CHARS)
            .map_or(rule.len(), |(i, _)| i);
        errors.push(
            FilterError::new(
                start,
                rule.len(),
                format!(
                    "the rule is {chars} characters long, over Entra's limit of {MAX_RULE_CHARS}"
                ),
            )
            .with_help(
                "split the filter, or target the devices through a group or an extension attribute",
            ),
        );
    }
    if rule.trim().is_empty() {
        errors.push(
            FilterError::new(0, rule.len(), "the rule is empty")
                .with_help("write a condition, such as `device.trustType -eq \"AzureAD\"`"),
        );
        return Err(errors);
    }
    let lexed = lexer::lex(rule);
    errors.extend(lexed.errors);
    let parsed = parser::parse(rule, &lexed.tokens, subject);
    errors.extend(parsed.semantic);
    if !lexed.dropped {
        errors.extend(parsed.syntax);
    }
    match parsed.expr {
        Some(expr) if errors.is_empty() => Ok(Rule { subject, expr }),
        _ => {
            if errors.is_empty() {
                errors.push(FilterError::new(
                    0,
                    rule.len(),
                    "internal error: the rule did not parse, please report",
                ));
            }
            errors.sort_by_key(|e| (e.start, e.end));
            errors.dedup();
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests;
