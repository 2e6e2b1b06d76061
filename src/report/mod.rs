//! `capol report`: the policy set in plain words, for people who do not read source.
//!
//! In: a [`Compilation`] without errors. Out: a [`Report`]: one [`Card`] per policy (who,
//! what, when, requires, session, state, where it is written), a [`Matrix`] of principals ×
//! apps coloured by the strongest requirement, and the findings (the checker's warnings, with
//! their locations). [`html`] renders it as one self-contained page, [`markdown`] for pull
//! requests.

pub mod html;
pub mod markdown;
mod matrix;
mod words;

pub use matrix::{Cell, Level, Matrix};

use crate::diag::Severity;
use crate::driver::Compilation;
use crate::source::{SourceMap, Span};

/// Where an item is written: `file:line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

impl Location {
    pub fn of(sources: &SourceMap, span: Span) -> Location {
        match sources.get(span.file) {
            Some(f) => Location {
                file: f.name.clone(),
                line: f.line_col(span.start).0,
            },
            None => Location {
                file: String::new(),
                line: 0,
            },
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One policy in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    pub name: String,
    /// An anchor for links (`ca001-require-mfa-for-admins`).
    pub slug: String,
    pub description: Option<String>,
    /// `On`, `Report-only`, `Off`.
    pub state: &'static str,
    pub who: String,
    pub what: String,
    pub when: String,
    pub requires: String,
    pub session: String,
    pub level: Level,
    pub location: Location,
}

/// A finding worth a reviewer's eye, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// `emergency access`, `warning`, `error`.
    pub section: &'static str,
    pub code: String,
    pub message: String,
    pub location: Option<Location>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub cards: Vec<Card>,
    pub matrix: Matrix,
    pub findings: Vec<Finding>,
}

/// Codes about emergency ("break-glass") access.
const EMERGENCY_CODES: &[&str] = &["E0209", "W0002", "W0003"];

pub fn build(c: &Compilation, title: &str) -> Report {
    let set = &c.set;
    let cards = set
        .policies
        .iter()
        .map(|p| words::card(p, set, &c.sources))
        .collect();
    let matrix = matrix::build(set, &c.sources);
    let findings = c
        .diagnostics
        .items
        .iter()
        .map(|d| Finding {
            section: if EMERGENCY_CODES.contains(&d.code) {
                "emergency access"
            } else if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            },
            code: d.code.to_string(),
            message: d.message.clone(),
            location: d.primary.as_ref().map(|l| Location::of(&c.sources, l.span)),
        })
        .collect();
    Report {
        title: title.to_string(),
        cards,
        matrix,
        findings,
    }
}

#[cfg(test)]
mod tests;
