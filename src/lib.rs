//! capol compiles Conditional Access policy source into Microsoft Graph JSON.
//!
//! ```text
//! .capol text ──parse──▶ ast::File ──check──▶ ir::PolicySet ──emit──▶ graph::model::Policy ──▶ JSON
//!  (syntax)                ▲   │      (check)       │ scenarios   (emit)          │
//!    Graph JSON ──import───┘   │                    ▼                             ▼
//!                              └──fmt──▶ .capol   whatif::evaluate ◀──────────────┤
//!                                                                                 ▼
//!                       tenant policies ──▶ deploy::plan (canonical form) ──▶ deploy::apply ──▶ Graph
//!
//!   sign-in log ──signin::read──▶ signin::Record ──signin::map──▶ whatif::SignIn ──▶ signin::Impact
//! ```
//!
//! Each arrow is one public function: [`syntax::parse`], [`check::check`], [`emit::emit`],
//! [`whatif::evaluate`], [`import::import_values`], [`fmt::format`], [`deploy::plan()`],
//! and (with the `tenant` feature) `deploy::apply`. [`driver`] runs the compiler end to end;
//! [`cli`] is the command line.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod analyze;
pub mod ast;
pub mod check;
pub mod cli;
pub mod deploy;
pub mod diag;
pub mod driver;
pub mod emit;
pub mod env;
pub mod files;
pub mod filter;
pub mod fmt;
pub mod graph;
pub mod import;
pub mod ir;
pub mod lsp;
pub mod report;
pub mod signin;
pub mod source;
pub mod suite;
pub mod symbols;
pub mod syntax;
pub mod vocab;
pub mod whatif;
