//! Conditional Access policy operations on [`GraphClient`], and `$batch`.
//!
//! In: policy bodies, ids, display names; relative URLs for `$batch`. Out: policies as Graph
//! returns them. A create whose answer is lost (timeout, dropped connection, 5xx) is never
//! repeated blindly: the policy is looked up by display name (twice, with a pause, to give
//! Graph time), and only POSTed again when it is absent.

use super::client::{GraphClient, Mode, Sent, encode_query_value, odata_string};
use super::error::{ApiError, GraphError};
use super::retry::ProgressEvent;
use reqwest::Method;
use serde_json::{Value, json};

pub const POLICIES: &str = "/identity/conditionalAccess/policies";

/// The what-if action: how the tenant's policies treat a described sign-in.
pub const EVALUATE: &str = "/identity/conditionalAccess/evaluate";

/// Most policies a listing may hold: Entra allows 195 Conditional Access policies per tenant;
/// twice that leaves room for a raised limit. A longer answer is refused, not read on.
pub const POLICY_CAPACITY: usize = 400;

/// Most requests `$batch` takes at once.
pub const BATCH_LIMIT: usize = 20;

impl GraphClient {
    /// Every policy in the tenant (paged, `@odata.nextLink` followed, at most
    /// [`POLICY_CAPACITY`]), but the deploy lease markers (`deploy::lease`).
    pub async fn list_policies(&self) -> Result<Vec<Value>, GraphError> {
        let mut all = self
            .get_collection_bounded(POLICIES, POLICY_CAPACITY)
            .await?;
        all.retain(|p| !crate::deploy::lease::is_marker(p));
        Ok(all)
    }

    /// The deploy lease markers only.
    pub async fn list_markers(&self) -> Result<Vec<Value>, GraphError> {
        let mut all = self
            .get_collection_bounded(POLICIES, POLICY_CAPACITY)
            .await?;
        all.retain(crate::deploy::lease::is_marker);
        Ok(all)
    }

    /// One policy; `None` when there is no such id.
    pub async fn get_policy(&self, id: &str) -> Result<Option<Value>, GraphError> {
        self.get_optional(&format!("{POLICIES}/{}", encode_query_value(id)))
            .await
    }

    /// Policies whose display name is `name` (`$filter=displayName eq '…'`).
    pub async fn find_policies_by_name(&self, name: &str) -> Result<Vec<Value>, GraphError> {
        let filter = format!("displayName eq {}", odata_string(name));
        let found = match self
            .get_collection(&format!(
                "{POLICIES}?$filter={}",
                encode_query_value(&filter)
            ))
            .await
        {
            Ok(found) => found,
            // A service (or proxy) that refuses the filter: read every policy instead.
            Err(GraphError::Api(e)) if matches!(e.status, 400 | 405 | 501) => {
                self.list_policies().await?
            }
            Err(e) => return Err(e),
        };
        // Graph compares case-insensitively; we match exactly, like the plan.
        Ok(found
            .into_iter()
            .filter(|p| p.get("displayName").and_then(Value::as_str) == Some(name))
            .collect())
    }

    /// Graph's what-if (`POST /identity/conditionalAccess/evaluate`, body as built by
    /// `whatif::live::request`): one `whatIfAnalysisResult` per tenant policy, each the policy
    /// with `policyApplies` and `analysisReasons`. It only reads, so it is retried like a GET.
    pub async fn evaluate(&self, body: &Value) -> Result<Vec<Value>, GraphError> {
        let url = self.url(EVALUATE);
        let mut answer = self
            .answer(Method::POST, &url, Some(body), Mode::Read)
            .await?
            .json()?;
        let mut results = match answer.get_mut("value").map(Value::take) {
            Some(Value::Array(results)) => results,
            _ => {
                return Err(GraphError::Protocol {
                    message: format!("POST {EVALUATE} returned no `value` list"),
                });
            }
        };
        // Should Graph page the answer, the other pages are read like any list.
        if let Some(next) = answer.get("@odata.nextLink").and_then(Value::as_str) {
            self.check_same_origin(next)?;
            let mut url = next.to_string();
            let mut seen = std::collections::BTreeSet::new();
            for _page in 0..=POLICY_CAPACITY {
                if !seen.insert(url.clone()) || results.len() > POLICY_CAPACITY {
                    return Err(GraphError::Protocol {
                        message: format!(
                            "[E0533] POST {EVALUATE}: the answer's pages repeat or exceed {POLICY_CAPACITY} policies; not reading on"
                        ),
                    });
                }
                let page = self
                    .answer(Method::GET, &url, None, Mode::Read)
                    .await?
                    .json()?;
                if let Some(Value::Array(v)) = page.get("value") {
                    results.extend(v.iter().cloned());
                }
                match page.get("@odata.nextLink").and_then(Value::as_str) {
                    Some(n) => {
                        self.check_same_origin(n)?;
                        url = n.to_string();
                    }
                    None => break,
                }
            }
        }
        Ok(results)
    }

    /// POSTs a new policy and returns it as created (with its `id`). A lost answer is recovered
    /// by looking the policy up by display name before trying again.
    pub async fn create_policy(&self, body: &Value) -> Result<Value, GraphError> {
        let name = body
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let url = self.url(POLICIES);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let lost = match self
                .send(Method::POST, &url, Some(body), Mode::Create)
                .await?
            {
                Sent::Answered(a) => {
                    let created = a.json()?;
                    if created.get("id").and_then(Value::as_str).is_some() {
                        return Ok(created);
                    }
                    // Answered without an id: find it.
                    return match self.find_policies_by_name(&name).await?.as_slice() {
                        [one] => Ok(one.clone()),
                        _ => Err(GraphError::Protocol {
                            message: format!(
                                "the create of `{name}` returned no id and it cannot be found by name"
                            ),
                        }),
                    };
                }
                Sent::Lost(e) => e,
            };
            self.report(ProgressEvent::LostResponse {
                display_name: name.clone(),
                reason: lost.to_string(),
            });
            for look in 0..2 {
                tokio::time::sleep(self.retry.backoff(attempt + look)).await;
                match self.find_policies_by_name(&name).await?.as_slice() {
                    [] => {}
                    [one] => {
                        let id = one
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        self.report(ProgressEvent::Recovered {
                            display_name: name.clone(),
                            id,
                        });
                        return Ok(one.clone());
                    }
                    many => {
                        let ids: Vec<&str> =
                            many.iter().filter_map(|p| p.get("id")?.as_str()).collect();
                        return Err(GraphError::Protocol {
                            message: format!(
                                "after a lost answer the tenant has {} policies named `{name}` ({})",
                                many.len(),
                                ids.join(", ")
                            ),
                        });
                    }
                }
            }
            if attempt >= self.retry.max_attempts {
                return Err(lost);
            }
        }
    }

    /// PATCHes the given top-level properties (Graph answers 204).
    pub async fn update_policy(&self, id: &str, patch: &Value) -> Result<(), GraphError> {
        let url = self.url(&format!("{POLICIES}/{}", encode_query_value(id)));
        self.answer(Method::PATCH, &url, Some(patch), Mode::Write)
            .await
            .map(|_| ())
    }

    /// DELETEs a policy (Graph answers 204). Already gone (404) counts as deleted: a retried
    /// DELETE whose first answer was lost sees exactly that.
    pub async fn delete_policy(&self, id: &str) -> Result<(), GraphError> {
        let url = self.url(&format!("{POLICIES}/{}", encode_query_value(id)));
        match self.answer(Method::DELETE, &url, None, Mode::Write).await {
            Ok(_) => Ok(()),
            Err(GraphError::Api(e)) if e.status == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// GETs many relative URLs (`/groups?$filter=…`) through `$batch`, twenty at a time.
    /// Items throttled or failing with 5xx inside a batch are sent again in the next round.
    /// One result per URL, in order: the body, or Graph's error for that item.
    pub async fn batch_get(
        &self,
        urls: &[String],
    ) -> Result<Vec<Result<Value, ApiError>>, GraphError> {
        let mut results: Vec<Option<Result<Value, ApiError>>> = vec![None; urls.len()];
        let mut pending: Vec<usize> = (0..urls.len()).collect();
        let mut round = 0;
        while !pending.is_empty() {
            round += 1;
            let mut again = Vec::new();
            let mut retry_after = None;
            for chunk in pending.chunks(BATCH_LIMIT) {
                let requests: Vec<Value> = chunk
                    .iter()
                    .map(|i| {
                        json!({"id": i.to_string(), "method": "GET", "url": urls[*i],
                               "headers": {"Prefer": "include-unknown-enum-members"}})
                    })
                    .collect();
                let body = json!({ "requests": requests });
                let answer = self
                    .answer(Method::POST, &self.url("/$batch"), Some(&body), Mode::Read)
                    .await?
                    .json()?;
                let responses = answer
                    .get("responses")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut seen = Vec::new();
                for r in responses {
                    let Some(i) = r
                        .get("id")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse::<usize>().ok())
                    else {
                        continue;
                    };
                    if !chunk.contains(&i) {
                        continue;
                    }
                    seen.push(i);
                    let status = r.get("status").and_then(Value::as_u64).unwrap_or(0) as u16;
                    let item_body = r.get("body").cloned().unwrap_or(Value::Null);
                    match status {
                        200..=299 => results[i] = Some(Ok(item_body)),
                        429 | 500 | 502 | 503 | 504 => {
                            let ra = r
                                .pointer("/headers/Retry-After")
                                .or_else(|| r.pointer("/headers/retry-after"))
                                .and_then(|v| {
                                    v.as_str()
                                        .map(str::to_string)
                                        .or_else(|| v.as_u64().map(|n| n.to_string()))
                                })
                                .and_then(|v| super::retry::parse_retry_after(&v));
                            retry_after = retry_after.max(ra);
                            results[i] = Some(Err(ApiError::from_body(
                                status,
                                format!("GET {}", urls[i]),
                                &item_body.to_string(),
                                None,
                            )));
                            again.push(i);
                        }
                        _ => {
                            results[i] = Some(Err(ApiError::from_body(
                                status,
                                format!("GET {}", urls[i]),
                                &item_body.to_string(),
                                None,
                            )))
                        }
                    }
                }
                again.extend(chunk.iter().filter(|i| !seen.contains(i)));
            }
            pending = again;
            if pending.is_empty() || round >= self.retry.max_attempts {
                break;
            }
            let delay = self.retry.delay_for(round, retry_after);
            self.report(ProgressEvent::Retrying {
                request: format!("{} batched look-ups", pending.len()),
                retry: round,
                delay,
                reason: "throttled or failed inside $batch".into(),
            });
            tokio::time::sleep(delay).await;
        }
        Ok(results
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.unwrap_or_else(|| {
                    Err(ApiError::from_body(
                        0,
                        format!("GET {}", urls[i]),
                        "$batch returned no answer for this request",
                        None,
                    ))
                })
            })
            .collect())
    }
}
