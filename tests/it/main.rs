//! capol's integration tests: one binary. Tenant tests run against a local fake Graph only, and
//! only with the `tenant` feature; the rest runs with `--no-default-features` too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyze;
#[cfg(feature = "tenant")]
mod auth;
mod catalogue;
mod cli;
#[cfg(feature = "tenant")]
mod client;
#[cfg(feature = "tenant")]
mod deploy;
#[cfg(feature = "tenant")]
mod deploy_cli;
mod diagnostics;
mod editors;
#[cfg(feature = "tenant")]
mod environments;
#[cfg(feature = "tenant")]
mod environments_read;
mod examples;
mod examples_sets;
mod known_bad;
#[cfg(feature = "tenant")]
mod live;
mod lsp;
mod machine_output;
mod methods;
#[cfg(feature = "tenant")]
mod plan_impact;
#[cfg(feature = "tenant")]
mod progress;
mod report;
#[cfg(feature = "tenant")]
mod resolve;
mod scenarios;
mod schema;
#[cfg(feature = "tenant")]
mod self_lockout;
#[cfg(feature = "tenant")]
mod signins;
mod starter;
mod support;
mod trust_files;
#[cfg(feature = "tenant")]
mod trust_tenant;
