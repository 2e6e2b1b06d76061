//! The tenant's sign-in logs and directory memberships, read for `capol impact --from-tenant`,
//! `capol promote --since` and `capol resolve --snapshot`.
//!
//! In: a start time; user ids. Out: sign-in records page by page (`GET /auditLogs/signIns` with
//! `$filter=createdDateTime ge …`, `@odata.nextLink` followed on the same origin, each page
//! handed on before the next is read, so memory holds one page); each user's transitive groups
//! and directory roles (`GET /users/{id}/transitiveMemberOf`, twenty users a `$batch`, further
//! pages followed). Reads are retried and throttling honoured as for every other read
//! ([`super::client`]). Needs `AuditLog.Read.All` (sign-ins) and `Directory.Read.All` or
//! `GroupMember.Read.All` + `RoleManagement.Read.Directory` (memberships).

use super::client::{GraphClient, Mode, encode_query_value};
use super::error::{ApiError, GraphError};
use crate::signin::Record;
use crate::signin::snapshot::Memberships;
use reqwest::Method;
use serde_json::Value;

pub const SIGN_INS: &str = "/auditLogs/signIns";

impl GraphClient {
    /// The first page's URL of every sign-in since `since` (`2026-11-24T00:00:00Z`).
    pub fn sign_ins_url(&self, since: &str) -> String {
        let filter = format!("createdDateTime ge {since}");
        self.url(&format!(
            "{SIGN_INS}?$filter={}",
            encode_query_value(&filter)
        ))
    }

    /// One page of sign-ins (read with the streaming reader) and the next page's URL, checked
    /// to point at this Graph.
    pub async fn sign_ins_page(
        &self,
        url: &str,
    ) -> Result<(Vec<Record>, Option<String>), GraphError> {
        let answer = self.answer(Method::GET, url, None, Mode::Read).await?;
        let mut records = Vec::new();
        let summary = crate::signin::read(answer.body.as_bytes(), &mut |r| records.push(r))
            .map_err(|e| GraphError::Protocol {
                message: format!("GET {SIGN_INS} returned a page that is not a sign-in list: {e}"),
            })?;
        if let Some(next) = &summary.next_link {
            self.check_same_origin(next)?;
        }
        Ok((records, summary.next_link))
    }

    /// The transitive groups and directory roles of each user (object ids), in order: the
    /// memberships, or Graph's error for that user (a deleted user answers 404).
    pub async fn memberships(
        &self,
        users: &[String],
    ) -> Result<Vec<Result<Memberships, ApiError>>, GraphError> {
        let urls: Vec<String> = users
            .iter()
            .map(|u| {
                format!(
                    "/users/{}/transitiveMemberOf?$select=id,roleTemplateId",
                    encode_query_value(u)
                )
            })
            .collect();
        let answers = self.batch_get(&urls).await?;
        let mut out = Vec::with_capacity(answers.len());
        for answer in answers {
            let page = match answer {
                Ok(p) => p,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let mut m = Memberships::default();
            add_members(&mut m, &page);
            let mut next = page
                .get("@odata.nextLink")
                .and_then(Value::as_str)
                .map(str::to_string);
            while let Some(link) = next {
                self.check_same_origin(&link)?;
                let page = self
                    .answer(Method::GET, &link, None, Mode::Read)
                    .await?
                    .json()?;
                add_members(&mut m, &page);
                next = page
                    .get("@odata.nextLink")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            out.push(Ok(m));
        }
        Ok(out)
    }
}

/// Groups by object id; directory roles by template id (what policies name).
fn add_members(m: &mut Memberships, page: &Value) {
    for o in page
        .get("value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = o.get("@odata.type").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("directoryRole") {
            if let Some(t) = o.get("roleTemplateId").and_then(Value::as_str) {
                m.roles.push(t.to_ascii_lowercase());
            }
        } else if kind.ends_with("group")
            && let Some(id) = o.get("id").and_then(Value::as_str)
        {
            m.groups.push(id.to_ascii_lowercase());
        }
    }
}
