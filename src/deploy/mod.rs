//! Deploying compiled policies to a tenant.
//!
//! In: compiled policy bodies (JSON) and, with the `tenant` feature, a connected
//! `GraphClient`. Out: a canonical form for comparisons
//! ([`canon`]), a pure plan ([`plan()`], rendered by [`render`]), and with the feature, the safe
//! apply (`apply()`) and the name look-ups that write `capol.lock` (`resolve()`).
//!
//! ```text
//! compiled bodies ─┐
//!                  ├─ plan() ─▶ Plan ─(render / SavedPlan)─▶ apply() ─▶ ApplyReport
//! tenant listing ──┘
//! ```

#[cfg(feature = "tenant")]
pub mod apply;
pub mod canon;
#[cfg(feature = "tenant")]
pub mod lease;
pub mod plan;
pub mod render;
#[cfg(feature = "tenant")]
pub mod resolve;
pub mod trust;

#[cfg(feature = "tenant")]
pub use apply::{
    ApplyError, ApplyOptions, ApplyReport, EmergencyPrincipal, PrincipalKind, SavedCheck, apply,
    apply_saved, connected_tenant,
};
pub use canon::canonical;
pub use plan::{Action, FieldChange, Fingerprint, Plan, PlanError, PlanOptions, plan};
pub use render::{SavedPlan, render_json, render_text, render_text_named};
#[cfg(feature = "tenant")]
pub use resolve::{ResolveError, ResolveProblem, resolve};
pub use trust::PlanDigest;
