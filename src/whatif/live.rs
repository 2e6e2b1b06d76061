//! Graph's own what-if, side by side with the offline evaluator (`capol what-if --live`).
//!
//! In: a [`SignIn`] (for the request) and, afterwards, the offline [`Evaluation`] and Graph's
//! answer to `POST /identity/conditionalAccess/evaluate` (one `whatIfAnalysisResult` per tenant
//! policy: the policy plus `policyApplies` and `analysisReasons`). Out: the request body with
//! notes on what could not be sent ([`request`]), and per policy whether both sides agree
//! ([`compare`], [`comparison`]). Pure: the HTTP call is the caller's (`GraphClient::evaluate`).
//!
//! Policies are matched by display name. Only policies the offline evaluator decided (applies or
//! skipped) are compared; an unknown offline verdict has nothing to disagree with.

use super::signin::{DeviceFact, LocationFact, Platform, SignIn, Target};
use super::verdict::{PolicyResult, Verdict, state_word};
use super::{Evaluation, quoted};
use crate::graph::model::PolicyState;
use crate::symbols::is_guid;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::fmt;

/// The body for `POST /identity/conditionalAccess/evaluate`, and what of the sign-in it leaves
/// out (each a sentence for people).
#[derive(Clone, Debug, PartialEq)]
pub struct LiveRequest {
    pub body: Value,
    pub notes: Vec<String>,
}

/// Builds Graph's what-if request from a sign-in. Graph needs a real identity and a target:
/// a user or service principal by object id, and an app, user action or authentication context.
/// The error says what to give instead. Facts Graph cannot take as capol states them are left
/// out with a note: a location (Graph takes an IP address or a country, not a named location),
/// memberships and custom security attributes (Graph reads the tenant's), an unrecognised
/// platform.
pub fn request(sign_in: &SignIn) -> Result<LiveRequest, String> {
    let mut notes = Vec::new();
    let identity = identity(sign_in, &mut notes)?;
    let context = context(sign_in)?;
    let conditions = conditions(sign_in, &mut notes);
    let body = json!({
        "signInIdentity": identity,
        "signInContext": context,
        "signInConditions": conditions,
        "appliedPoliciesOnly": false,
    });
    Ok(LiveRequest { body, notes })
}

fn identity(s: &SignIn, notes: &mut Vec<String>) -> Result<Value, String> {
    if let Some(sp) = &s.service_principal {
        if !is_guid(sp) {
            return Err(format!(
                "Graph's what-if needs the service principal's object id, and `{sp}` is not one: \
                 declare it (`service-principal NAME = <object id>`) or run `capol resolve`"
            ));
        }
        return Ok(json!({
            "@odata.type": "#microsoft.graph.servicePrincipalSignIn",
            "servicePrincipalId": sp,
        }));
    }
    let Some(user) = &s.user else {
        return Err(
            "Graph's what-if needs who signs in: give `--user` (a declared user, one in \
             capol.lock, or an object id) or `--service-principal`"
                .into(),
        );
    };
    if !is_guid(user) {
        let written = user.strip_prefix("user:").unwrap_or(user);
        return Err(format!(
            "Graph's what-if needs the user's object id, and `{written}` is neither declared nor \
             in capol.lock: name a resolved user (declare `user NAME = <object id>`, or run \
             `capol resolve`), or pass the object id"
        ));
    }
    let mut id = Map::new();
    id.insert("@odata.type".into(), json!("#microsoft.graph.userSignIn"));
    id.insert("userId".into(), json!(user));
    if let Some(g) = &s.guest {
        if !g.types.is_empty() {
            let types: Vec<&str> = g.types.iter().map(|t| t.graph_name()).collect();
            id.insert("externalUserType".into(), json!(types.join(",")));
        }
        if let Some(t) = &g.external_tenant {
            id.insert("externalTenantId".into(), json!(t));
        }
    }
    if !s.groups.is_empty() || !s.roles.is_empty() {
        notes.push(
            "`member-of` is not sent: Graph uses the user's groups and roles in the tenant".into(),
        );
    }
    Ok(Value::Object(id))
}

fn context(s: &SignIn) -> Result<Value, String> {
    match &s.target {
        Some(Target::App(app)) => Ok(json!({
            "@odata.type": "#microsoft.graph.applicationContext",
            "includeApplications": [app],
        })),
        Some(Target::Action(urn)) => {
            let action = match urn.as_str() {
                "urn:user:registersecurityinfo" => "registerSecurityInformation",
                "urn:user:registerdevice" => "registerOrJoinDevices",
                other => return Err(format!("Graph's what-if does not take the action `{other}`")),
            };
            Ok(json!({
                "@odata.type": "#microsoft.graph.userActionContext",
                "userAction": action,
            }))
        }
        Some(Target::Context(c)) => Ok(json!({
            "@odata.type": "#microsoft.graph.authContext",
            "authenticationContextValue": c,
        })),
        None => Err(
            "Graph's what-if needs what the sign-in is for: give `--app`, `--action` or `--context`"
                .into(),
        ),
    }
}

fn conditions(s: &SignIn, notes: &mut Vec<String>) -> Value {
    let mut c = Map::new();
    let mut put = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            c.insert(key.into(), v);
        }
    };
    match s.platform {
        Some(Platform::All) => notes.push(
            "`platform unknown` is not sent: Graph's what-if has no value for a platform it does \
             not recognise"
                .into(),
        ),
        p => put("devicePlatform", p.and_then(to_json)),
    }
    put("clientAppType", s.client.and_then(to_json));
    put("signInRiskLevel", s.sign_in_risk.and_then(to_json));
    put("userRiskLevel", s.user_risk.and_then(to_json));
    put(
        "servicePrincipalRiskLevel",
        s.service_principal_risk.and_then(to_json),
    );
    put(
        "insiderRiskLevel",
        s.insider_risk.map(|r| json!(r.graph_name())),
    );
    put(
        "authenticationFlow",
        s.auth_flow
            .map(|f| json!({"transferMethod": f.graph_name()})),
    );
    put("deviceInfo", s.device.as_ref().map(|d| device(d, notes)));
    if let Some(l) = &s.location {
        let what = match l {
            LocationFact::Named(id) => format!("the named location `{id}`"),
            LocationFact::Untrusted => "`location untrusted`".to_string(),
        };
        notes.push(format!(
            "{what} is not sent: Graph's what-if takes an IP address or a country, not a named \
             location, so policies with a location condition may disagree"
        ));
    }
    if s.app_attributes.is_some() || s.service_principal_attributes.is_some() {
        notes.push(
            "custom security attributes are not sent: Graph reads them from the tenant".into(),
        );
    }
    Value::Object(c)
}

fn to_json<T: Serialize>(v: T) -> Option<Value> {
    serde_json::to_value(v).ok()
}

/// Graph's `deviceInfo` from the filter attributes of the sign-in. An unregistered device is a
/// device with every attribute null: an empty `deviceInfo`.
fn device(d: &DeviceFact, notes: &mut Vec<String>) -> Value {
    let DeviceFact::Attributes(attrs) = d else {
        return json!({});
    };
    let mut info = Map::new();
    for (name, value) in attrs {
        let lower = name.to_ascii_lowercase();
        let (key, v) = match lower.as_str() {
            "iscompliant" => match value.trim().to_ascii_lowercase().as_str() {
                "true" => ("isCompliant".to_string(), json!(true)),
                "false" => ("isCompliant".to_string(), json!(false)),
                _ => {
                    notes.push(format!(
                        "device `isCompliant {value}` is not sent: not a boolean"
                    ));
                    continue;
                }
            },
            "physicalids" | "systemlabels" => {
                let items: Vec<&str> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|i| !i.is_empty())
                    .collect();
                let key = if lower == "physicalids" {
                    "physicalIds"
                } else {
                    "systemLabels"
                };
                (key.to_string(), json!(items))
            }
            "deviceownership" => ("ownership".to_string(), json!(value)),
            _ => match device_string_property(&lower) {
                Some(key) => (key, json!(value)),
                None => {
                    notes.push(format!(
                        "device attribute `{name}` is not sent: Graph's deviceInfo has no such property"
                    ));
                    continue;
                }
            },
        };
        info.insert(key, v);
    }
    Value::Object(info)
}

/// The `deviceInfo` string property for a lower-cased filter attribute name.
fn device_string_property(lower: &str) -> Option<String> {
    const STRINGS: [&str; 9] = [
        "deviceId",
        "displayName",
        "enrollmentProfileName",
        "manufacturer",
        "mdmAppId",
        "model",
        "operatingSystem",
        "operatingSystemVersion",
        "profileType",
    ];
    if let Some(k) = STRINGS.iter().find(|k| k.eq_ignore_ascii_case(lower)) {
        return Some(k.to_string());
    }
    if lower == "trusttype" {
        return Some("trustType".into());
    }
    let n: u8 = lower.strip_prefix("extensionattribute")?.parse().ok()?;
    (1..=15)
        .contains(&n)
        .then(|| format!("extensionAttribute{n}"))
}

/// A policy both sides decided, differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disagreement {
    /// The display name.
    pub policy: String,
    /// capol's verdict: `applies`, `would apply` (report-only) or `skipped`.
    pub offline: String,
    /// capol's reason (`clientApps: …`); empty when the policy applies.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub offline_reason: String,
    /// Graph's `policyApplies`.
    pub policy_applies: bool,
    /// Graph's `analysisReasons` as Graph wrote them (`notSet` when the policy applies).
    pub analysis_reasons: String,
    /// The policy's state in the tenant (`on`, `off`, `report-only`) when it is not the state
    /// in the sources: Graph evaluates the tenant's copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_state: Option<String>,
    /// The state in the sources, as the language writes it.
    pub source_state: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\": capol says {}", self.policy, self.offline)?;
        if !self.offline_reason.is_empty() {
            write!(f, " ({})", self.offline_reason)?;
        }
        let graph = if self.policy_applies {
            "applies"
        } else {
            "does not apply"
        };
        let reasons = if self.analysis_reasons.is_empty() {
            "none given"
        } else {
            &self.analysis_reasons
        };
        write!(f, "; Graph says it {graph} (analysisReasons: {reasons})")?;
        if let Some(t) = &self.tenant_state {
            write!(
                f,
                "; the tenant's copy is `mode {t}`, the sources say `mode {}`: deploy first",
                self.source_state
            )?;
        }
        Ok(())
    }
}

/// Every policy of either side, sorted into what was compared and what was not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Compared, and Graph agrees (display names).
    pub agree: Vec<String>,
    /// Compared, and Graph does not agree.
    pub disagreements: Vec<Disagreement>,
    /// In the sources, with an unknown offline verdict: not compared.
    pub unknown_offline: Vec<String>,
    /// In the sources, not in the tenant.
    pub only_in_sources: Vec<String>,
    /// In the tenant, not in the sources.
    pub only_in_tenant: Vec<String>,
    /// Display names the tenant holds more than once: not compared.
    pub ambiguous: Vec<String>,
}

/// The policies whose offline verdict (applies or skipped) Graph contradicts.
pub fn compare(offline: &Evaluation, live: &[Value]) -> Vec<Disagreement> {
    comparison(offline, live).disagreements
}

/// Compares every policy of the offline evaluation with Graph's results, by display name.
pub fn comparison(offline: &Evaluation, live: &[Value]) -> Comparison {
    let name = |v: &Value| {
        v.get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut c = Comparison::default();
    for r in &offline.results {
        let matches: Vec<&Value> = live.iter().filter(|v| name(v) == *r.policy).collect();
        match matches.as_slice() {
            [] => c.only_in_sources.push(r.policy.to_string()),
            [_, _, ..] => c.ambiguous.push(r.policy.to_string()),
            [tenant] => compare_one(r, tenant, &mut c),
        }
    }
    for v in live {
        let n = name(v);
        if offline.result(&n).is_none() && !c.only_in_tenant.contains(&n) {
            c.only_in_tenant.push(n);
        }
    }
    c
}

fn compare_one(r: &PolicyResult, tenant: &Value, c: &mut Comparison) {
    if matches!(r.verdict, Verdict::Unknown { .. }) {
        c.unknown_offline.push(r.policy.to_string());
        return;
    }
    let policy_applies = tenant
        .get("policyApplies")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if policy_applies == r.applies() {
        c.agree.push(r.policy.to_string());
        return;
    }
    let analysis_reasons = match tenant.get("analysisReasons") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    };
    let tenant_state = tenant
        .get("state")
        .and_then(|s| serde_json::from_value::<PolicyState>(s.clone()).ok())
        .filter(|s| *s != r.state)
        .map(|s| state_word(s).to_string());
    c.disagreements.push(Disagreement {
        policy: r.policy.to_string(),
        offline: r.verdict_word().to_string(),
        offline_reason: match r.verdict {
            Verdict::Applies => String::new(),
            _ => r.reason_text(),
        },
        policy_applies,
        analysis_reasons,
        tenant_state,
        source_state: r.state_word().to_string(),
    });
}

/// The comparison for people: a count line, each disagreement, what was not compared, then the
/// notes of the request.
pub fn render_text(c: &Comparison, notes: &[String]) -> String {
    let (n, m) = (c.agree.len(), c.disagreements.len());
    let mut out = format!(
        "live: {n} {} {}, {m} {}\n",
        if n == 1 { "policy" } else { "policies" },
        if n == 1 { "agrees" } else { "agree" },
        if m == 1 { "disagrees" } else { "disagree" },
    );
    for d in &c.disagreements {
        out.push_str(&format!("  disagree: {d}\n"));
    }
    let mut list = |label: &str, names: &[String]| {
        if !names.is_empty() {
            out.push_str(&format!("  {label}: {}\n", quoted(names)));
        }
    };
    list(
        "not compared, capol's verdict is unknown",
        &c.unknown_offline,
    );
    list(
        "not compared, the tenant has several policies with this name",
        &c.ambiguous,
    );
    list("only in the sources (not deployed)", &c.only_in_sources);
    list("only in the tenant", &c.only_in_tenant);
    for note in notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatif::signin::{AuthFlow, GuestFact, GuestType, InsiderRisk};
    use crate::whatif::{ClientAppType, Reason, RiskLevel};
    use std::collections::BTreeMap;

    const USER: &str = "7c1e9a2b-3d4f-4a5b-8c6d-9e0f1a2b3c4d";
    const APP: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

    fn sign_in() -> SignIn {
        SignIn {
            user: Some(USER.into()),
            target: Some(Target::App(APP.into())),
            ..SignIn::default()
        }
    }

    fn ok(s: &SignIn) -> LiveRequest {
        request(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_user_signing_in_to_an_app() {
        let r = ok(&sign_in());
        assert_eq!(
            r.body,
            json!({
                "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": USER},
                "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                    "includeApplications": [APP]},
                "signInConditions": {},
                "appliedPoliciesOnly": false,
            })
        );
        assert!(r.notes.is_empty());
    }

    #[test]
    fn every_condition_in_graphs_spelling() {
        let mut attrs = BTreeMap::new();
        for (k, v) in [
            ("trustType", "AzureAD"),
            ("isCompliant", "True"),
            ("deviceOwnership", "Company"),
            ("extensionAttribute3", "kiosk"),
            ("physicalIds", "[OrderId]:A1, [USER-GID]:x"),
            ("operatingsystem", "Windows"),
        ] {
            attrs.insert(k.to_string(), v.to_string());
        }
        let s = SignIn {
            platform: Some(Platform::Ios),
            client: Some(ClientAppType::MobileAppsAndDesktopClients),
            sign_in_risk: Some(RiskLevel::High),
            user_risk: Some(RiskLevel::None),
            service_principal_risk: Some(RiskLevel::Medium),
            insider_risk: Some(InsiderRisk::Elevated),
            auth_flow: Some(AuthFlow::DeviceCodeFlow),
            device: Some(DeviceFact::Attributes(attrs)),
            ..sign_in()
        };
        let r = ok(&s);
        assert_eq!(
            r.body["signInConditions"],
            json!({
                "devicePlatform": "iOS",
                "clientAppType": "mobileAppsAndDesktopClients",
                "signInRiskLevel": "high",
                "userRiskLevel": "none",
                "servicePrincipalRiskLevel": "medium",
                "insiderRiskLevel": "elevated",
                "authenticationFlow": {"transferMethod": "deviceCodeFlow"},
                "deviceInfo": {"trustType": "AzureAD", "isCompliant": true, "ownership": "Company",
                    "extensionAttribute3": "kiosk", "physicalIds": ["[OrderId]:A1", "[USER-GID]:x"],
                    "operatingSystem": "Windows"},
            })
        );
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        let unregistered = SignIn {
            device: Some(DeviceFact::Unregistered),
            ..sign_in()
        };
        assert_eq!(
            ok(&unregistered).body["signInConditions"]["deviceInfo"],
            json!({})
        );
    }

    #[test]
    fn actions_contexts_guests_and_service_principals() {
        let s = SignIn {
            target: Some(Target::Action("urn:user:registerdevice".into())),
            guest: Some(GuestFact {
                types: vec![GuestType::InternalGuest, GuestType::B2bCollaborationGuest],
                external_tenant: Some("6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c".into()),
            }),
            ..sign_in()
        };
        let b = ok(&s).body;
        assert_eq!(
            b["signInContext"],
            json!({"@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerOrJoinDevices"})
        );
        assert_eq!(
            b["signInIdentity"]["externalUserType"],
            json!("internalGuest,b2bCollaborationGuest")
        );
        assert_eq!(
            b["signInIdentity"]["externalTenantId"],
            json!("6f1c0a5e-2b7d-4c1e-9a3f-1d2e3f4a5b6c")
        );
        let s = SignIn {
            target: Some(Target::Action("urn:user:registersecurityinfo".into())),
            ..sign_in()
        };
        assert_eq!(
            ok(&s).body["signInContext"]["userAction"],
            json!("registerSecurityInformation")
        );
        let s = SignIn {
            target: Some(Target::Context("c7".into())),
            ..sign_in()
        };
        assert_eq!(
            ok(&s).body["signInContext"],
            json!({"@odata.type": "#microsoft.graph.authContext", "authenticationContextValue": "c7"})
        );
        let s = SignIn {
            user: None,
            service_principal: Some(USER.into()),
            ..sign_in()
        };
        assert_eq!(
            ok(&s).body["signInIdentity"],
            json!({"@odata.type": "#microsoft.graph.servicePrincipalSignIn", "servicePrincipalId": USER})
        );
    }

    #[test]
    fn an_unresolved_user_or_a_missing_target_is_an_error() {
        let s = SignIn {
            user: Some("user:alice@contoso.com".into()),
            ..sign_in()
        };
        let e = request(&s).err().unwrap_or_default();
        assert!(e.contains("`alice@contoso.com`"), "{e}");
        assert!(e.contains("name a resolved user"), "{e}");
        assert!(!e.contains("user:alice"), "{e}");
        let e = request(&SignIn {
            user: None,
            ..sign_in()
        })
        .err()
        .unwrap_or_default();
        assert!(e.contains("--user"), "{e}");
        let e = request(&SignIn {
            target: None,
            ..sign_in()
        })
        .err()
        .unwrap_or_default();
        assert!(e.contains("--app"), "{e}");
        let e = request(&SignIn {
            user: None,
            service_principal: Some("Deployer".into()),
            ..sign_in()
        })
        .err()
        .unwrap_or_default();
        assert!(e.contains("`Deployer`"), "{e}");
    }

    #[test]
    fn what_cannot_be_sent_is_left_out_with_a_note() {
        let s = SignIn {
            location: Some(LocationFact::Named("loc-1".into())),
            groups: vec!["g1".into()],
            platform: Some(Platform::All),
            ..sign_in()
        };
        let r = ok(&s);
        let cond = &r.body["signInConditions"];
        assert_eq!(cond, &json!({}), "{cond}");
        assert_eq!(r.notes.len(), 3, "{:?}", r.notes);
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("`loc-1`") && n.contains("IP address or a country"))
        );
        assert!(r.notes.iter().any(|n| n.contains("member-of")));
        assert!(r.notes.iter().any(|n| n.contains("platform unknown")));
        let untrusted = SignIn {
            location: Some(LocationFact::Untrusted),
            ..sign_in()
        };
        assert!(ok(&untrusted).notes[0].contains("`location untrusted` is not sent"));
    }

    fn result(name: &str, state: PolicyState, verdict: Verdict) -> PolicyResult {
        PolicyResult {
            policy: name.into(),
            state,
            verdict,
        }
    }

    fn skipped(reason: Reason, detail: &str) -> Verdict {
        Verdict::Skipped {
            reason,
            detail: detail.into(),
        }
    }

    fn evaluation(results: Vec<PolicyResult>) -> Evaluation {
        Evaluation {
            results,
            ..Evaluation::default()
        }
    }

    fn graph(name: &str, state: &str, applies: bool, reasons: &str) -> Value {
        json!({"id": "x", "displayName": name, "state": state, "policyApplies": applies,
            "analysisReasons": reasons, "conditions": {}})
    }

    #[test]
    fn compares_by_display_name() {
        let ev = evaluation(vec![
            result("A agrees", PolicyState::Enabled, Verdict::Applies),
            result(
                "B differs",
                PolicyState::Enabled,
                skipped(Reason::ClientApps, "client browser is not among other"),
            ),
            result(
                "C unknown",
                PolicyState::Enabled,
                Verdict::Unknown {
                    missing: vec![crate::whatif::Fact::Platform],
                    detail: "d".into(),
                },
            ),
            result("D only here", PolicyState::ReportOnly, Verdict::Applies),
            result("E report-only", PolicyState::ReportOnly, Verdict::Applies),
            result("F twice", PolicyState::Enabled, Verdict::Applies),
        ]);
        let live = vec![
            graph("A agrees", "enabled", true, "notSet"),
            graph("B differs", "enabled", true, "notSet"),
            graph("C unknown", "enabled", false, "devicePlatform"),
            graph("E report-only", "disabled", false, "policyNotEnabled"),
            graph("F twice", "enabled", true, "notSet"),
            graph("F twice", "enabled", false, "users"),
            graph("G tenant only", "enabled", true, "notSet"),
        ];
        let c = comparison(&ev, &live);
        assert_eq!(c.agree, vec!["A agrees".to_string()]);
        assert_eq!(c.unknown_offline, vec!["C unknown".to_string()]);
        assert_eq!(c.only_in_sources, vec!["D only here".to_string()]);
        assert_eq!(c.only_in_tenant, vec!["G tenant only".to_string()]);
        assert_eq!(c.ambiguous, vec!["F twice".to_string()]);
        assert_eq!(c.disagreements.len(), 2, "{:?}", c.disagreements);
        assert_eq!(compare(&ev, &live), c.disagreements);

        let b = &c.disagreements[0];
        assert_eq!(b.policy, "B differs");
        assert!(b.policy_applies);
        assert_eq!(b.tenant_state, None);
        assert_eq!(
            b.to_string(),
            "\"B differs\": capol says skipped (clientApps: client browser is not among other); \
             Graph says it applies (analysisReasons: notSet)"
        );
        let e = &c.disagreements[1];
        assert_eq!(e.tenant_state.as_deref(), Some("off"));
        assert_eq!(
            e.to_string(),
            "\"E report-only\": capol says would apply; Graph says it does not apply \
             (analysisReasons: policyNotEnabled); the tenant's copy is `mode off`, the sources \
             say `mode report-only`: deploy first"
        );
        let json = serde_json::to_value(b).unwrap_or_default();
        assert_eq!(
            json,
            json!({"policy": "B differs", "offline": "skipped",
                "offlineReason": "clientApps: client browser is not among other",
                "policyApplies": true, "analysisReasons": "notSet", "sourceState": "on"})
        );

        let text = render_text(&c, &["location is not sent".into()]);
        assert!(
            text.starts_with("live: 1 policy agrees, 2 disagree\n"),
            "{text}"
        );
        assert!(text.contains("  disagree: \"B differs\""), "{text}");
        assert!(
            text.contains("only in the tenant: \"G tenant only\""),
            "{text}"
        );
        assert!(text.contains("  note: location is not sent\n"), "{text}");
    }

    #[test]
    fn agreement_when_graph_says_the_same() {
        let ev = evaluation(vec![
            result(
                "Off",
                PolicyState::Disabled,
                skipped(Reason::PolicyNotEnabled, "the policy is off"),
            ),
            result("On", PolicyState::Enabled, Verdict::Applies),
        ]);
        let live = vec![
            graph("On", "enabled", true, "notSet"),
            graph("Off", "disabled", false, "policyNotEnabled"),
        ];
        let c = comparison(&ev, &live);
        assert!(c.disagreements.is_empty());
        assert_eq!(c.agree.len(), 2);
        assert_eq!(render_text(&c, &[]), "live: 2 policies agree, 0 disagree\n");
    }
}
