//! capol compiles Conditional Access policy source into Microsoft Graph JSON.
//!
//! ```text
//! .capol text ──parse──▶ ast::File ──check──▶ ir::PolicySet ──emit──▶ graph::model::Policy ──▶ JSON
//!                            ▲   │
//!    Graph JSON ──import─────┘   └──fmt──▶ .capol text (canonical layout, comments kept)
//! ```

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod ast;
pub mod check;
pub mod cli;
pub mod deploy;
pub mod diag;
pub mod driver;
pub mod emit;
pub mod filter;
pub mod fmt;
pub mod graph;
pub mod import;
pub mod ir;
pub mod source;
pub mod symbols;
pub mod syntax;
pub mod whatif;
