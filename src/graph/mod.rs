//! The Graph side of capol: the serde model of the policy contract, and (with the `tenant`
//! feature) the HTTP client and authentication.

pub mod model;
