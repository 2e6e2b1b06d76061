//! Properties of the whole policy set, decided exactly: asserts, gaps, redundant policies,
//! emergency access, lockout, and the sign-ins whose outcome a change alters.
//!
//! In: compiled Graph policies, the evaluation context, the asserts of the sources. Out: plain
//! data ([`report::Report`]) with a ready-to-paste `scenario` for every finding. The method and
//! the sign-in model are written up in `docs/analyze.md`: the sign-in space is cut into the
//! classes the policies tell apart ([`space`]), each policy becomes the BDD of the sign-ins it
//! applies to ([`encode`]), and every question is a BDD operation ([`model`]). Every
//! counterexample is checked once more by the what-if evaluator.

pub mod attrs;
pub mod cubes;
pub mod encode;
pub mod impact;
pub mod model;
pub mod region;
pub mod render;
pub mod report;
pub mod self_access;
pub mod space;

pub use model::{Expect, Model};
pub use space::{Extra, Space, TooLarge};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_diff;
#[cfg(test)]
mod tests_impact;
#[cfg(test)]
mod tests_self;
