//! The matrix: principals (rows) × apps (columns), each cell the strongest requirement of the
//! enforced policies that reach a sign-in by that principal to that app.
//!
//! In: an `ir::PolicySet`. Out: a [`Matrix`]. A row stands for a user who is in that one
//! principal only (and so in "all users"); the row "All users" for a member with none of the
//! listed memberships; "Guests" for a guest. A column stands for a sign-in to that app; "Any
//! other app" for an app no policy names. A policy with conditions (platform, location,
//! client, risk, device, flow, app filter) reaches the cell only under them: the cell's
//! colour is what holds on every sign-in, and a stronger requirement under conditions is noted.
//! Workload-identity policies are not in the matrix (their cards are). Office 365 and admin
//! portal keywords are columns of their own: the matrix does not expand them into their apps.

use super::words;
use crate::graph::model::{BuiltInControl, Operator, PolicyState};
use crate::ir::{self, AppTarget, Grant, Principal, UserTarget};
use crate::source::SourceMap;
use crate::symbols::catalog;

/// How strong a requirement is, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Nothing,
    /// An approved client app, app protection, terms of use.
    App,
    /// MFA, a compliant or hybrid-joined device, the MFA strength.
    Mfa,
    Passwordless,
    PhishingResistant,
    Block,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Nothing,
        Level::App,
        Level::Mfa,
        Level::Passwordless,
        Level::PhishingResistant,
        Level::Block,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Level::Nothing => "nothing required",
            Level::App => "approved app or terms",
            Level::Mfa => "MFA or managed device",
            Level::Passwordless => "passwordless MFA",
            Level::PhishingResistant => "phishing-resistant MFA",
            Level::Block => "blocked",
        }
    }
    /// A CSS class name.
    pub fn class(self) -> &'static str {
        match self {
            Level::Nothing => "l0",
            Level::App => "l1",
            Level::Mfa => "l2",
            Level::Passwordless => "l3",
            Level::PhishingResistant => "l4",
            Level::Block => "l5",
        }
    }
}

/// The strongest requirement one policy makes (the weakest way to satisfy it).
pub fn level(p: &ir::Policy) -> Level {
    let Some(g) = &p.grant else {
        return Level::Nothing;
    };
    match &g.node {
        Grant::Block => Level::Block,
        Grant::Controls {
            operator,
            builtins,
            strength,
            terms,
        } => {
            let mut levels: Vec<Level> = builtins
                .iter()
                .map(|b| match b.node {
                    BuiltInControl::ApprovedApplication | BuiltInControl::CompliantApplication => {
                        Level::App
                    }
                    BuiltInControl::Block => Level::Block,
                    _ => Level::Mfa,
                })
                .collect();
            if let Some(s) = strength {
                levels.push(match catalog::strength_by_id(&s.node).map(|s| s.rank) {
                    Some(3) => Level::PhishingResistant,
                    Some(2) => Level::Passwordless,
                    _ => Level::Mfa,
                });
            }
            levels.extend(terms.iter().map(|_| Level::App));
            match operator {
                Operator::And => levels.into_iter().max(),
                Operator::Or => levels.into_iter().min(),
            }
            .unwrap_or(Level::Nothing)
        }
    }
}

/// A policy reaching a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    pub name: String,
    pub slug: String,
    pub level: Level,
    /// Only under the policy's conditions.
    pub conditional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The strongest requirement of the enforced policies that hold on every sign-in.
    pub level: Level,
    /// A stronger requirement that enforced policies make only under their conditions.
    pub conditional: Option<Level>,
    /// Enforced policies reaching the cell.
    pub enforced: Vec<Reach>,
    /// Report-only policies reaching it (they change nothing yet).
    pub report_only: Vec<Reach>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `cells[row][column]`.
    pub cells: Vec<Vec<Cell>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Row {
    AllUsers,
    Guests,
    Principal(Principal),
}

#[derive(Clone, Debug, PartialEq)]
enum Column {
    Other,
    Target(AppTarget),
}

fn conditional(p: &ir::Policy) -> bool {
    !p.include_platforms.is_empty()
        || !p.include_locations.is_empty()
        || !p.client_app_types.is_empty()
        || !p.sign_in_risk.is_empty()
        || !p.user_risk.is_empty()
        || !p.insider_risk.is_empty()
        || p.device_filter.is_some()
        || !p.auth_flows.is_empty()
        || p.app_filter.is_some()
}

fn is_guests(u: &UserTarget) -> bool {
    matches!(u, UserTarget::Guests(_) | UserTarget::LegacyGuests)
}

fn reaches_row(p: &ir::Policy, row: &Row) -> bool {
    let inc = |f: &dyn Fn(&UserTarget) -> bool| p.include_users.iter().any(|u| f(&u.node));
    let exc = |f: &dyn Fn(&UserTarget) -> bool| p.exclude_users.iter().any(|u| f(&u.node));
    let all = inc(&|u| *u == UserTarget::All);
    match row {
        Row::AllUsers => all,
        Row::Guests => (all || inc(&is_guests)) && !exc(&is_guests),
        Row::Principal(x) => {
            let is_x = |u: &UserTarget| matches!(u, UserTarget::Principal(y) if y == x);
            (all || inc(&is_x)) && !exc(&is_x)
        }
    }
}

fn reaches_column(p: &ir::Policy, col: &Column) -> bool {
    let all = p.include_apps.iter().any(|a| a.node == AppTarget::All);
    match col {
        Column::Other => all,
        Column::Target(t) => {
            let named = p.include_apps.iter().any(|a| a.node == *t);
            let excluded = p.exclude_apps.iter().any(|a| a.node == *t);
            // User actions and authentication contexts are not apps: `all apps` does not
            // reach them.
            let by_all = all && matches!(t, AppTarget::App(_) | AppTarget::Keyword(_));
            (named || by_all) && !excluded
        }
    }
}

pub fn build(set: &ir::PolicySet, _sources: &SourceMap) -> Matrix {
    let policies: Vec<&ir::Policy> = set.policies.iter().filter(|p| !p.is_workload()).collect();
    let mut rows = vec![Row::AllUsers];
    let mut columns = vec![Column::Other];
    let add_row = |r: Row, rows: &mut Vec<Row>| {
        if !rows.contains(&r) {
            rows.push(r);
        }
    };
    for e in &set.emergency {
        add_row(Row::Principal(e.node.clone()), &mut rows);
    }
    for p in &policies {
        for u in p.include_users.iter().chain(&p.exclude_users) {
            match &u.node {
                UserTarget::Principal(x) => add_row(Row::Principal(x.clone()), &mut rows),
                g if is_guests(g) => add_row(Row::Guests, &mut rows),
                _ => {}
            }
        }
        for a in p.include_apps.iter().chain(&p.exclude_apps) {
            let c = Column::Target(a.node.clone());
            if !matches!(a.node, AppTarget::All | AppTarget::None) && !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| {
                    let mut cell = Cell {
                        level: Level::Nothing,
                        conditional: None,
                        enforced: Vec::new(),
                        report_only: Vec::new(),
                    };
                    for p in &policies {
                        if p.state.node == PolicyState::Disabled
                            || !reaches_row(p, r)
                            || !reaches_column(p, c)
                        {
                            continue;
                        }
                        let reach = Reach {
                            name: p.display_name.node.clone(),
                            slug: crate::driver::slug(&p.display_name.node),
                            level: level(p),
                            conditional: conditional(p),
                        };
                        if p.state.node == PolicyState::Enabled {
                            cell.enforced.push(reach);
                        } else {
                            cell.report_only.push(reach);
                        }
                    }
                    let top = |conditional: bool| {
                        cell.enforced
                            .iter()
                            .filter(|x| x.conditional == conditional)
                            .map(|x| x.level)
                            .max()
                    };
                    cell.level = top(false).unwrap_or(Level::Nothing);
                    cell.conditional = top(true).filter(|l| *l > cell.level);
                    cell
                })
                .collect()
        })
        .collect();
    let labels: Vec<String> = rows
        .iter()
        .map(|r| match r {
            Row::AllUsers => "All users".to_string(),
            Row::Guests => "Guests".to_string(),
            Row::Principal(p) if set.emergency.iter().any(|e| e.node == *p) => {
                format!("{} (emergency access)", words::principal(set, p))
            }
            Row::Principal(p) => words::principal(set, p),
        })
        .collect();
    let (rows, cells) = merge_rows(labels, cells);
    Matrix {
        rows,
        columns: columns
            .iter()
            .map(|c| match c {
                Column::Other => "Any other app".to_string(),
                Column::Target(t) => words::app_target(set, t),
            })
            .collect(),
        cells,
    }
}

/// Rows other than the first ("All users") whose cells are the same, as one row naming them
/// all: fourteen admin roles under the same policies are one line, not fourteen.
fn merge_rows(labels: Vec<String>, cells: Vec<Vec<Cell>>) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut out_labels: Vec<Vec<String>> = Vec::new();
    let mut out_cells: Vec<Vec<Cell>> = Vec::new();
    for (i, (label, row)) in labels.into_iter().zip(cells).enumerate() {
        let same = (i > 0)
            .then(|| out_cells.iter().skip(1).position(|r| *r == row))
            .flatten();
        match same {
            Some(j) => out_labels[j + 1].push(label),
            None => {
                out_labels.push(vec![label]);
                out_cells.push(row);
            }
        }
    }
    (out_labels.into_iter().map(join_labels).collect(), out_cells)
}

/// `role A`, `role B` → `2 roles: A, B`; labels of mixed kinds are listed as they are.
fn join_labels(labels: Vec<String>) -> String {
    if labels.len() < 2 {
        return labels.join(", ");
    }
    let kind = labels[0].split(' ').next().unwrap_or("");
    let rest: Option<Vec<&str>> = labels
        .iter()
        .map(|l| l.strip_prefix(kind).and_then(|r| r.strip_prefix(' ')))
        .collect();
    match rest {
        Some(names) if matches!(kind, "role" | "group" | "user") => {
            format!("{} {kind}s: {}", names.len(), names.join(", "))
        }
        _ => labels.join(", "),
    }
}
