//! capol's integration tests: one binary. Tenant tests run against a local fake Graph only.

#![cfg(feature = "tenant")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod client;
mod deploy;
mod deploy_cli;
mod resolve;
mod scenarios;
mod support;
