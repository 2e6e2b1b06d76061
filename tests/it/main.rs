//! capol's integration tests: one binary. Tenant tests run against a local fake Graph only.

#![cfg(feature = "tenant")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyze;
mod auth;
mod cli;
mod client;
mod deploy;
mod deploy_cli;
mod diagnostics;
mod examples;
mod live;
mod resolve;
mod scenarios;
mod schema;
mod support;
