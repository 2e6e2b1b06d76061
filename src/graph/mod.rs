//! The Graph side of capol: the serde model of the policy contract, and (with the `tenant`
//! feature) the HTTP client and authentication.
//!
//! In: compiled policies, connection options. Out: the JSON contract ([`model`]) and, with the
//! feature, a `client::GraphClient` built by `connect::ConnectionArgs::connect`.

pub mod model;

#[cfg(feature = "tenant")]
pub mod auth;
#[cfg(feature = "tenant")]
pub mod client;
#[cfg(feature = "tenant")]
pub mod connect;
#[cfg(feature = "tenant")]
pub mod error;
#[cfg(feature = "tenant")]
pub mod policies;
#[cfg(feature = "tenant")]
pub mod retry;
#[cfg(feature = "tenant")]
pub mod signins;

/// Installs rustls' ring crypto provider. Must run before any `reqwest::Client` is built (ours,
/// or azure_identity's inside a credential constructor); idempotent. `main` calls it first.
#[cfg(feature = "tenant")]
pub fn init_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
