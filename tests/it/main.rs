//! The integration tests: one binary, one module per area.

mod cli;
mod diagnostics;
mod examples;
mod schema;
mod support;
