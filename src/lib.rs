//! capol compiles Conditional Access policy source into Microsoft Graph JSON.
//!
//! ```text
//! .capol text ──parse──▶ ast::File ──check──▶ ir::PolicySet ──emit──▶ graph::model::Policy ──▶ JSON
//! ```

pub mod diag;
pub mod filter;
pub mod graph;
pub mod source;
pub mod symbols;
pub mod whatif;
