//! The serde model of one Graph `signIn` record, as `GET /auditLogs/signIns` writes it (v1.0 and
//! beta), holding only what the replay uses.
//!
//! In: one JSON object of a sign-in log. Out: a [`Record`]. Every field is optional and lenient:
//! a value of an unexpected JSON type (an exporter that redacted `location` into a string, a
//! number written as a string) reads as absent instead of failing the whole stream, so that the
//! mapping can count and explain what it could not use. Unknown properties are ignored.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The visitor methods that read a value of another JSON type as absent (consuming it).
/// The word after `!` names the kind the visitor handles itself, which is left out.
macro_rules! other_types {
    () => {
        other_types!(@bool); other_types!(@number); other_types!(@unit);
        other_types!(@seq); other_types!(@map);
    };
    (bool) => {
        other_types!(@number); other_types!(@unit); other_types!(@seq); other_types!(@map);
        other_types!(@str);
    };
    (number) => {
        other_types!(@bool); other_types!(@unit); other_types!(@seq); other_types!(@map);
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok(None) }
    };
    (map) => {
        other_types!(@bool); other_types!(@number); other_types!(@unit); other_types!(@seq);
        other_types!(@str);
    };
    (seq) => {
        other_types!(@bool); other_types!(@number); other_types!(@unit); other_types!(@map);
        other_types!(@str);
    };
    (@bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok(None) }
    };
    (@number) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok(None) }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok(None) }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok(None) }
    };
    (@unit) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok(None) }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok(None) }
    };
    (@str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok(None) }
    };
    (@seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
    (@map) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

/// One sign-in as the log records it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub id: Option<String>,
    pub created_date_time: Option<String>,
    pub user_id: Option<String>,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    /// beta: `member` or `guest`.
    pub user_type: Option<String>,
    /// beta: `none`, `b2bCollaboration`, `b2bDirectConnect`, `microsoftSupport`, `serviceProvider`, …
    pub cross_tenant_access_type: Option<String>,
    pub home_tenant_id: Option<String>,
    pub resource_tenant_id: Option<String>,
    /// The client app; not the target of the sign-in.
    pub app_id: Option<String>,
    pub app_display_name: Option<String>,
    /// The target: the resource the token is for.
    pub resource_id: Option<String>,
    pub resource_display_name: Option<String>,
    /// As the log writes it: `Browser`, `Mobile Apps and Desktop clients`, `Exchange ActiveSync`,
    /// `IMAP4`, `Other clients`, …
    pub client_app_used: Option<String>,
    pub device_detail: Option<DeviceDetail>,
    pub location: Option<Location>,
    pub network_location_details: Option<Vec<NetworkLocation>>,
    pub risk_level_during_sign_in: Option<String>,
    pub risk_level_aggregated: Option<String>,
    /// `oAuth2`, `ropc`, `wsFederation`, `saml20`, `deviceCode`, `none`, …
    pub authentication_protocol: Option<String>,
    /// `deviceCodeFlow`, `authenticationTransfer`, `none`.
    pub original_transfer_method: Option<String>,
    /// beta: `interactiveUser`, `nonInteractiveUser`, `servicePrincipal`, `managedIdentity`.
    pub sign_in_event_types: Option<Vec<String>>,
    pub service_principal_id: Option<String>,
    pub status: Option<Status>,
    /// `success`, `failure`, `notApplied`.
    pub conditional_access_status: Option<String>,
    pub applied_conditional_access_policies: Option<Vec<AppliedPolicy>>,
    /// The authentication steps (beta, and v1.0 since 2024): the methods the user performed.
    pub authentication_details: Option<Vec<AuthenticationDetail>>,
}

/// The properties of a record the replay reads; every other one is skipped unread.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum Key {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "createdDateTime")]
    CreatedDateTime,
    #[serde(rename = "userId")]
    UserId,
    #[serde(rename = "userPrincipalName")]
    UserPrincipalName,
    #[serde(rename = "userDisplayName")]
    UserDisplayName,
    #[serde(rename = "userType")]
    UserType,
    #[serde(rename = "crossTenantAccessType")]
    CrossTenantAccessType,
    #[serde(rename = "homeTenantId")]
    HomeTenantId,
    #[serde(rename = "resourceTenantId")]
    ResourceTenantId,
    #[serde(rename = "appId")]
    AppId,
    #[serde(rename = "appDisplayName")]
    AppDisplayName,
    #[serde(rename = "resourceId")]
    ResourceId,
    #[serde(rename = "resourceDisplayName")]
    ResourceDisplayName,
    #[serde(rename = "clientAppUsed")]
    ClientAppUsed,
    #[serde(rename = "deviceDetail")]
    DeviceDetail,
    #[serde(rename = "location")]
    Location,
    #[serde(rename = "networkLocationDetails")]
    NetworkLocationDetails,
    #[serde(rename = "riskLevelDuringSignIn")]
    RiskLevelDuringSignIn,
    #[serde(rename = "riskLevelAggregated")]
    RiskLevelAggregated,
    #[serde(rename = "authenticationProtocol")]
    AuthenticationProtocol,
    #[serde(rename = "originalTransferMethod")]
    OriginalTransferMethod,
    #[serde(rename = "signInEventTypes")]
    SignInEventTypes,
    #[serde(rename = "servicePrincipalId")]
    ServicePrincipalId,
    #[serde(rename = "status")]
    Status,
    #[serde(rename = "conditionalAccessStatus")]
    ConditionalAccessStatus,
    #[serde(rename = "appliedConditionalAccessPolicies")]
    AppliedConditionalAccessPolicies,
    #[serde(rename = "authenticationDetails")]
    AuthenticationDetails,
    #[serde(other)]
    Other,
}

/// Read by hand rather than derived: Graph's own examples repeat a property in one record
/// (`homeTenantId`, `uniqueTokenIdentifier`), which a derived reader rejects; here the last
/// one wins, as in most JSON readers. Keys are matched without allocating.
impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a signIn object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let mut r = Record::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Id => r.id = map.next_value::<Text>()?.0,
                        Key::CreatedDateTime => r.created_date_time = map.next_value::<Text>()?.0,
                        Key::UserId => r.user_id = map.next_value::<Text>()?.0,
                        Key::UserPrincipalName => {
                            r.user_principal_name = map.next_value::<Text>()?.0
                        }
                        Key::UserDisplayName => r.user_display_name = map.next_value::<Text>()?.0,
                        Key::UserType => r.user_type = map.next_value::<Text>()?.0,
                        Key::CrossTenantAccessType => {
                            r.cross_tenant_access_type = map.next_value::<Text>()?.0
                        }
                        Key::HomeTenantId => r.home_tenant_id = map.next_value::<Text>()?.0,
                        Key::ResourceTenantId => r.resource_tenant_id = map.next_value::<Text>()?.0,
                        Key::AppId => r.app_id = map.next_value::<Text>()?.0,
                        Key::AppDisplayName => r.app_display_name = map.next_value::<Text>()?.0,
                        Key::ResourceId => r.resource_id = map.next_value::<Text>()?.0,
                        Key::ResourceDisplayName => {
                            r.resource_display_name = map.next_value::<Text>()?.0
                        }
                        Key::ClientAppUsed => r.client_app_used = map.next_value::<Text>()?.0,
                        Key::DeviceDetail => r.device_detail = map.next_value::<Object<_>>()?.0,
                        Key::Location => r.location = map.next_value::<Object<_>>()?.0,
                        Key::NetworkLocationDetails => {
                            r.network_location_details = map.next_value::<Objects<_>>()?.0
                        }
                        Key::RiskLevelDuringSignIn => {
                            r.risk_level_during_sign_in = map.next_value::<Text>()?.0
                        }
                        Key::RiskLevelAggregated => {
                            r.risk_level_aggregated = map.next_value::<Text>()?.0
                        }
                        Key::AuthenticationProtocol => {
                            r.authentication_protocol = map.next_value::<Text>()?.0
                        }
                        Key::OriginalTransferMethod => {
                            r.original_transfer_method = map.next_value::<Text>()?.0
                        }
                        Key::SignInEventTypes => {
                            r.sign_in_event_types = map.next_value::<Texts>()?.0
                        }
                        Key::ServicePrincipalId => {
                            r.service_principal_id = map.next_value::<Text>()?.0
                        }
                        Key::Status => r.status = map.next_value::<Object<_>>()?.0,
                        Key::ConditionalAccessStatus => {
                            r.conditional_access_status = map.next_value::<Text>()?.0
                        }
                        Key::AppliedConditionalAccessPolicies => {
                            r.applied_conditional_access_policies =
                                map.next_value::<Objects<_>>()?.0
                        }
                        Key::AuthenticationDetails => {
                            r.authentication_details = map.next_value::<Objects<_>>()?.0
                        }
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(r)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceDetail {
    #[serde(deserialize_with = "text")]
    pub device_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub display_name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub operating_system: Option<String>,
    #[serde(deserialize_with = "text")]
    pub browser: Option<String>,
    #[serde(deserialize_with = "flag")]
    pub is_compliant: Option<bool>,
    #[serde(deserialize_with = "flag")]
    pub is_managed: Option<bool>,
    /// `Azure AD joined`, `Hybrid Azure AD joined`, `Azure AD registered` (or the Microsoft Entra
    /// wording of the same).
    #[serde(deserialize_with = "text")]
    pub trust_type: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    #[serde(deserialize_with = "text")]
    pub city: Option<String>,
    #[serde(deserialize_with = "text")]
    pub country_or_region: Option<String>,
}

/// `networkLocationDetails`: the named networks the address was in.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NetworkLocation {
    /// `namedNetwork`, `trustedNamedLocation`, `intranet`, `extranet`, `trusted`, …
    #[serde(deserialize_with = "text")]
    pub network_type: Option<String>,
    #[serde(deserialize_with = "texts")]
    pub network_names: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    #[serde(deserialize_with = "number")]
    pub error_code: Option<i64>,
    #[serde(deserialize_with = "text")]
    pub failure_reason: Option<String>,
}

/// One entry of `appliedConditionalAccessPolicies`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppliedPolicy {
    #[serde(deserialize_with = "text")]
    pub id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub display_name: Option<String>,
    /// `success`, `failure`, `notApplied`, `notEnabled`, `unknown`, `reportOnlySuccess`,
    /// `reportOnlyFailure`, `reportOnlyNotApplied`, `reportOnlyInterrupted`.
    #[serde(deserialize_with = "text")]
    pub result: Option<String>,
    #[serde(deserialize_with = "texts")]
    pub enforced_grant_controls: Option<Vec<String>>,
}

/// One entry of `authenticationDetails`: a step of the sign-in's authentication.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationDetail {
    /// As the log writes it: `Password`, `Mobile app notification`, `FIDO2 security key`, …
    #[serde(deserialize_with = "text")]
    pub authentication_method: Option<String>,
    #[serde(deserialize_with = "flag")]
    pub succeeded: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Lenient field readers: the expected JSON type, or absent.

struct Text(Option<String>);
struct Texts(Option<Vec<String>>);
struct Object<T>(Option<T>);
struct Objects<T>(Option<Vec<T>>);

macro_rules! newtype_reader {
    ($name:ident, $f:ident) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $f(d).map($name)
            }
        }
    };
}
newtype_reader!(Text, text);
newtype_reader!(Texts, texts);
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Object)
    }
}
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Objects<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        objects(d).map(Objects)
    }
}

/// A string (an empty one reads as absent); any other JSON value reads as absent.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| v.to_string()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok((!v.is_empty()).then_some(v))
        }
        other_types!();
    }
    d.deserialize_any(V)
}

/// `true` / `false`; anything else absent.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        other_types!(bool);
    }
    d.deserialize_any(V)
}

/// An integer, or a string holding one; anything else absent.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(i64::try_from(v).ok())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.trim().parse().ok())
        }
        other_types!(number);
    }
    d.deserialize_any(V)
}

/// An object read as `T`; anything else absent.
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
        }
        other_types!(map);
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// A list of objects read as `T` (items of another type left out); anything else absent.
fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    struct Item<T>(Option<T>);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Item<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            object(d).map(Item)
        }
    }
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(Item(item)) = seq.next_element::<Item<T>>()? {
                out.extend(item);
            }
            Ok(Some(out))
        }
        other_types!(seq);
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// A list of strings (other items left out); anything else absent.
fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct Item(Option<String>);
    impl<'de> Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            text(d).map(Item)
        }
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(Item(item)) = seq.next_element::<Item>()? {
                out.extend(item);
            }
            Ok(Some(out))
        }
        other_types!(seq);
    }
    d.deserialize_any(V)
}
