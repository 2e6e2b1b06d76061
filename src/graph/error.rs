//! The errors of talking to Graph: one value per failure, with a message people can act on.
//!
//! In: HTTP statuses and bodies, transport errors, credential errors. Out: [`GraphError`],
//! whose `Display` reads like `Graph said 400 BadRequest: <message> (request-id …)`. No token,
//! secret or `Authorization` header ever goes into one of these (the client never passes them).

use serde_json::Value;
use std::fmt;

/// Something went wrong talking to a tenant. The CLI maps all of these to exit code 3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// The credential could not produce a token (or the token was refused: 401).
    Auth { message: String },
    /// A bad setting: URL, cloud, missing environment variable.
    Config { message: String },
    /// No answer: connection refused or dropped, timeout (after the retries).
    Network { message: String },
    /// Graph answered with an error status.
    Api(ApiError),
    /// Graph answered, but not in the shape we expected.
    Protocol { message: String },
}

/// An error response from Graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// Graph's error code (`BadRequest`, `Authorization_RequestDenied`, …); the reason phrase
    /// when the body had none.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// `GET /identity/conditionalAccess/policies`: what was asked.
    pub request: String,
}

impl ApiError {
    /// Reads Graph's error body leniently: `error.code`, `error.message`, and the request id from
    /// `innerError`/`innererror` (any case of `request-id`), or the `request-id` header.
    pub fn from_body(
        status: u16,
        request: String,
        body: &str,
        header_request_id: Option<String>,
    ) -> ApiError {
        let json: Option<Value> = serde_json::from_str(body).ok();
        let err = json.as_ref().and_then(|j| j.get("error"));
        let text = |k: &str| {
            err.and_then(|e| e.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let inner = err.and_then(|e| {
            e.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("innererror"))
                .map(|(_, v)| v)
        });
        let inner_id = inner.and_then(Value::as_object).and_then(|o| {
            o.iter()
                .find(|(k, _)| {
                    k.eq_ignore_ascii_case("request-id") || k.eq_ignore_ascii_case("requestId")
                })
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string)
        });
        let code = text("code").unwrap_or_else(|| reason(status).to_string());
        let message = text("message").unwrap_or_else(|| {
            let snippet: String = body.chars().take(300).collect();
            if snippet.trim().is_empty() {
                "(no error body)".to_string()
            } else {
                snippet
            }
        });
        ApiError {
            status,
            code,
            message,
            request_id: inner_id.or(header_request_id),
            request,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "Error",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Graph said {} {}: {}",
            self.status, self.code, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {id})")?;
        }
        write!(f, " [{}]", self.request)?;
        match self.status {
            401 => f.write_str("\nhelp: the token was refused; check --tenant, --cloud and the credential"),
            403 => f.write_str(
                "\nhelp: the identity lacks a permission or role; see docs/deploy.md, \"Permissions\"",
            ),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Auth { message } => write!(f, "authentication failed: {message}"),
            GraphError::Config { message } => f.write_str(message),
            GraphError::Network { message } => write!(f, "could not reach Graph: {message}"),
            GraphError::Api(e) => e.fmt(f),
            GraphError::Protocol { message } => {
                write!(f, "unexpected answer from Graph: {message}")
            }
        }
    }
}

impl std::error::Error for GraphError {}

impl GraphError {
    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Api(e) => Some(e.status),
            _ => None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        GraphError::Config {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_graph_error_bodies_leniently() {
        let body = r#"{"error":{"code":"BadRequest","message":"Invalid group id","innerError":{"date":"x","request-id":"req-1"}}}"#;
        let e = ApiError::from_body(400, "POST /p".into(), body, Some("hdr".into()));
        assert_eq!(
            e.to_string(),
            "Graph said 400 BadRequest: Invalid group id (request-id req-1) [POST /p]"
        );
        let body = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges","innererror":{"Request-Id":"req-2"}}}"#;
        let e = ApiError::from_body(403, "GET /p".into(), body, None);
        assert_eq!(e.request_id.as_deref(), Some("req-2"));
        assert!(e.to_string().contains("help: the identity lacks"));
        let e = ApiError::from_body(
            502,
            "GET /p".into(),
            "<html>bad gateway</html>",
            Some("h-3".into()),
        );
        assert_eq!(e.code, "BadGateway");
        assert_eq!(e.request_id.as_deref(), Some("h-3"));
        assert!(e.message.contains("bad gateway"));
        let e = ApiError::from_body(404, "GET /p".into(), "", None);
        assert_eq!(
            e.to_string(),
            "Graph said 404 NotFound: (no error body) [GET /p]"
        );
    }
}
