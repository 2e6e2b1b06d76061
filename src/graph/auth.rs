//! Authentication: which credential to use, for which cloud.
//!
//! In: the `--auth` choice, the cloud, the tenant, and a snapshot of the environment
//! ([`AuthEnv`]). Out: a [`ChosenCredential`]: an azure_identity credential (or the small
//! [`StaticTokenCredential`] for `--auth token`) with a one-line description for `-v`. Tokens
//! never appear in `Debug` output or errors.

use super::error::GraphError;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, HttpClient, Transport};
use azure_core::time::{Duration, OffsetDateTime};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, Executor, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The national cloud: picks the Graph host and the login authority (reference §12.10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Cloud {
    #[default]
    Global,
    /// US Government L4 (GCC High).
    Usgov,
    /// US Government L5 (DoD).
    UsgovDod,
    /// China (21Vianet).
    China,
}

impl Cloud {
    /// The Graph root, without a trailing slash.
    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::Usgov => "https://graph.microsoft.us",
            Cloud::UsgovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::Usgov | Cloud::UsgovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The token scope: `{graph}/.default`.
    pub fn scope(self) -> String {
        format!("{}/.default", self.graph_root())
    }

    fn configuration(self) -> CloudConfiguration {
        match self {
            Cloud::Global => CloudConfiguration::AzurePublic,
            Cloud::Usgov | Cloud::UsgovDod => CloudConfiguration::AzureGovernment,
            Cloud::China => CloudConfiguration::AzureChina,
        }
    }
}

/// `--auth`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMethod {
    /// CAPOL_ACCESS_TOKEN, client secret, workload identity, managed identity, Azure CLI: the
    /// first whose environment is set.
    #[default]
    Auto,
    AzureCli,
    ClientSecret,
    WorkloadIdentity,
    ManagedIdentity,
    /// A bearer token from CAPOL_ACCESS_TOKEN.
    Token,
}

pub const ENV_ACCESS_TOKEN: &str = "CAPOL_ACCESS_TOKEN";
const ENV_NAMES: [&str; 7] = [
    ENV_ACCESS_TOKEN,
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
];

/// The environment variables authentication reads, captured once (tests build one by hand
/// instead of changing the process environment).
#[derive(Clone, Default)]
pub struct AuthEnv {
    vars: BTreeMap<String, String>,
}

impl fmt::Debug for AuthEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: values may be secrets.
        f.debug_struct("AuthEnv")
            .field("set", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl AuthEnv {
    pub fn from_process() -> Self {
        Self::from_pairs(
            ENV_NAMES
                .iter()
                .filter_map(|k| Some((*k, std::env::var(k).ok()?))),
        )
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        AuthEnv {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable, when set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// Test hooks: a transport for the credential pipelines (to reach a local fake STS through an
/// `https://` authority), an executor for `az`, an authority host. Production passes
/// `CredentialHooks::default()`.
#[derive(Clone, Default)]
pub struct CredentialHooks {
    pub transport: Option<Arc<dyn HttpClient>>,
    pub executor: Option<Arc<dyn Executor>>,
    pub authority_host: Option<String>,
}

impl fmt::Debug for CredentialHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialHooks")
            .field("transport", &self.transport.is_some())
            .field("executor", &self.executor.is_some())
            .field("authority_host", &self.authority_host)
            .finish()
    }
}

/// A credential and what it is, for `-v`.
#[derive(Clone)]
pub struct ChosenCredential {
    pub credential: Arc<dyn TokenCredential>,
    pub method: AuthMethod,
    /// "client secret for app 1b2c… in tenant contoso.onmicrosoft.com"; never a secret.
    pub description: String,
}

impl fmt::Debug for ChosenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChosenCredential")
            .field("method", &self.method)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// A bearer token handed over as is (`--auth token`, CAPOL_ACCESS_TOKEN).
#[derive(Clone)]
pub struct StaticTokenCredential {
    token: Secret,
}

impl fmt::Debug for StaticTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticTokenCredential { token: <redacted> }")
    }
}

impl StaticTokenCredential {
    pub fn new(token: impl Into<String>) -> Arc<Self> {
        Arc::new(StaticTokenCredential {
            token: Secret::new(token.into().trim().to_string()),
        })
    }
}

#[async_trait::async_trait]
impl TokenCredential for StaticTokenCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            self.token.clone(),
            OffsetDateTime::now_utc() + Duration::hours(1),
        ))
    }
}

fn client_options(cloud: Cloud, hooks: &CredentialHooks) -> ClientOptions {
    let cloud = Some(Arc::new(match &hooks.authority_host {
        Some(host) => {
            let mut custom = CustomConfiguration::default();
            custom.authority_host = host.clone();
            CloudConfiguration::Custom(custom)
        }
        None => cloud.configuration(),
    }));
    ClientOptions {
        cloud,
        transport: hooks.transport.clone().map(Transport::new),
        ..Default::default()
    }
}

fn auth_error(what: &str) -> impl FnOnce(azure_core::Error) -> GraphError + '_ {
    move |e| GraphError::Auth {
        message: format!("{what}: {e}"),
    }
}

/// Picks and builds the credential. `tenant` is `--tenant` (clap already falls back to
/// AZURE_TENANT_ID). `auto` tries, in order: CAPOL_ACCESS_TOKEN; AZURE_CLIENT_ID +
/// AZURE_CLIENT_SECRET + a tenant; AZURE_FEDERATED_TOKEN_FILE; IDENTITY_ENDPOINT (managed
/// identity); the Azure CLI.
pub fn choose_credential(
    method: AuthMethod,
    cloud: Cloud,
    tenant: Option<&str>,
    env: &AuthEnv,
    hooks: &CredentialHooks,
) -> Result<ChosenCredential, GraphError> {
    let tenant = tenant
        .filter(|t| !t.trim().is_empty())
        .or_else(|| env.get("AZURE_TENANT_ID"));
    let method = match method {
        AuthMethod::Auto => {
            if env.get(ENV_ACCESS_TOKEN).is_some() {
                AuthMethod::Token
            } else if env.get("AZURE_CLIENT_ID").is_some()
                && env.get("AZURE_CLIENT_SECRET").is_some()
                && tenant.is_some()
            {
                AuthMethod::ClientSecret
            } else if env.get("AZURE_FEDERATED_TOKEN_FILE").is_some() {
                AuthMethod::WorkloadIdentity
            } else if env.get("IDENTITY_ENDPOINT").is_some() {
                AuthMethod::ManagedIdentity
            } else {
                AuthMethod::AzureCli
            }
        }
        m => m,
    };
    let missing =
        |what: &str| GraphError::config(format!("--auth {}: {what}", method_name(method)));
    let (credential, description): (Arc<dyn TokenCredential>, String) = match method {
        AuthMethod::Auto | AuthMethod::Token => {
            let token = env
                .get(ENV_ACCESS_TOKEN)
                .ok_or_else(|| missing("CAPOL_ACCESS_TOKEN is not set"))?;
            (
                StaticTokenCredential::new(token),
                "access token from CAPOL_ACCESS_TOKEN".to_string(),
            )
        }
        AuthMethod::ClientSecret => {
            let tenant = tenant.ok_or_else(|| missing("needs --tenant or AZURE_TENANT_ID"))?;
            let client_id = env
                .get("AZURE_CLIENT_ID")
                .ok_or_else(|| missing("AZURE_CLIENT_ID is not set"))?;
            let secret = env
                .get("AZURE_CLIENT_SECRET")
                .ok_or_else(|| missing("AZURE_CLIENT_SECRET is not set"))?;
            let options = ClientSecretCredentialOptions {
                client_options: client_options(cloud, hooks),
            };
            let c = ClientSecretCredential::new(
                tenant,
                client_id.to_string(),
                Secret::new(secret.to_string()),
                Some(options),
            )
            .map_err(auth_error("client secret credential"))?;
            (
                c,
                format!("client secret for app {client_id} in tenant {tenant}"),
            )
        }
        AuthMethod::WorkloadIdentity => {
            let tenant = tenant.ok_or_else(|| missing("needs --tenant or AZURE_TENANT_ID"))?;
            let client_id = env
                .get("AZURE_CLIENT_ID")
                .ok_or_else(|| missing("AZURE_CLIENT_ID is not set"))?;
            let file = env
                .get("AZURE_FEDERATED_TOKEN_FILE")
                .ok_or_else(|| missing("AZURE_FEDERATED_TOKEN_FILE is not set"))?;
            let mut options = WorkloadIdentityCredentialOptions::default();
            options.credential_options.client_options = client_options(cloud, hooks);
            options.client_id = Some(client_id.to_string());
            options.tenant_id = Some(tenant.to_string());
            options.token_file_path = Some(file.into());
            let c = WorkloadIdentityCredential::new(Some(options))
                .map_err(auth_error("workload identity credential"))?;
            (
                c,
                format!(
                    "workload identity federation for app {client_id} in tenant {tenant} (token file {file})"
                ),
            )
        }
        AuthMethod::ManagedIdentity => {
            let mut options = ManagedIdentityCredentialOptions {
                client_options: client_options(cloud, hooks),
                ..Default::default()
            };
            let mut description = match env.get("IDENTITY_ENDPOINT") {
                Some(_) => "managed identity (App Service endpoint IDENTITY_ENDPOINT)".to_string(),
                None => "managed identity (instance metadata service)".to_string(),
            };
            if let Some(id) = env.get("AZURE_CLIENT_ID") {
                options.user_assigned_id = Some(UserAssignedId::ClientId(id.to_string()));
                description.push_str(&format!(", user-assigned client id {id}"));
            }
            let c = ManagedIdentityCredential::new(Some(options))
                .map_err(auth_error("managed identity credential"))?;
            (c, description)
        }
        AuthMethod::AzureCli => {
            let options = AzureCliCredentialOptions {
                tenant_id: tenant.map(str::to_string),
                executor: hooks.executor.clone(),
                ..Default::default()
            };
            let c = AzureCliCredential::new(Some(options))
                .map_err(auth_error("Azure CLI credential"))?;
            let mut d = "Azure CLI (az account get-access-token)".to_string();
            if let Some(t) = tenant {
                d.push_str(&format!(" for tenant {t}"));
            }
            (c, d)
        }
    };
    Ok(ChosenCredential {
        credential,
        method,
        description,
    })
}

fn method_name(m: AuthMethod) -> &'static str {
    match m {
        AuthMethod::Auto => "auto",
        AuthMethod::AzureCli => "azure-cli",
        AuthMethod::ClientSecret => "client-secret",
        AuthMethod::WorkloadIdentity => "workload-identity",
        AuthMethod::ManagedIdentity => "managed-identity",
        AuthMethod::Token => "token",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(
        method: AuthMethod,
        tenant: Option<&str>,
        pairs: &[(&str, &str)],
    ) -> Result<ChosenCredential, GraphError> {
        crate::graph::init_crypto();
        choose_credential(
            method,
            Cloud::Global,
            tenant,
            &AuthEnv::from_pairs(pairs.iter().copied()),
            &CredentialHooks::default(),
        )
    }

    #[test]
    fn auto_picks_in_order() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("token");
        std::fs::write(&path, "federated-jwt").unwrap_or_else(|e| panic!("{e}"));
        let token_file = path.display().to_string();
        let all = [
            ("CAPOL_ACCESS_TOKEN", "tok-very-secret"),
            ("AZURE_CLIENT_ID", "app-1"),
            ("AZURE_CLIENT_SECRET", "s3cret"),
            ("AZURE_FEDERATED_TOKEN_FILE", token_file.as_str()),
        ];
        let m = |pairs: &[(&str, &str)], tenant| {
            pick(AuthMethod::Auto, tenant, pairs).map(|c| c.method)
        };
        assert_eq!(m(&all, Some("t")), Ok(AuthMethod::Token));
        assert_eq!(m(&all[1..], Some("t")), Ok(AuthMethod::ClientSecret));
        // No tenant: the client secret is skipped; workload identity then needs one too.
        assert!(m(&all[1..], None).is_err());
        assert_eq!(
            m(&[all[1], all[2], ("AZURE_TENANT_ID", "t")], None),
            Ok(AuthMethod::ClientSecret)
        );
        assert_eq!(
            m(&[all[1], all[3]], Some("t")),
            Ok(AuthMethod::WorkloadIdentity)
        );
        assert_eq!(
            m(
                &[
                    ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/x"),
                    ("IDENTITY_HEADER", "h")
                ],
                None
            ),
            Ok(AuthMethod::ManagedIdentity)
        );
        assert_eq!(m(&[], None), Ok(AuthMethod::AzureCli));
    }

    #[test]
    fn descriptions_and_debug_never_show_secrets() {
        let c = pick(
            AuthMethod::Auto,
            Some("t"),
            &[
                ("AZURE_CLIENT_ID", "app-1"),
                ("AZURE_CLIENT_SECRET", "s3cret-value"),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.description, "client secret for app app-1 in tenant t");
        assert!(!format!("{c:?}").contains("s3cret-value"));
        let c = pick(
            AuthMethod::Token,
            None,
            &[("CAPOL_ACCESS_TOKEN", "tok-very-secret")],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!format!("{c:?} {:?}", c.credential).contains("tok-very-secret"));
        let env = AuthEnv::from_pairs([("AZURE_CLIENT_SECRET", "s3cret-value")]);
        assert!(!format!("{env:?}").contains("s3cret-value"));
    }

    #[test]
    fn explicit_methods_say_what_is_missing() {
        let e = pick(AuthMethod::Token, None, &[]).unwrap_err();
        assert_eq!(e.to_string(), "--auth token: CAPOL_ACCESS_TOKEN is not set");
        let e = pick(
            AuthMethod::ClientSecret,
            Some("t"),
            &[("AZURE_CLIENT_ID", "a")],
        )
        .unwrap_err();
        assert!(e.to_string().contains("AZURE_CLIENT_SECRET"));
        let e = pick(AuthMethod::WorkloadIdentity, None, &[]).unwrap_err();
        assert!(e.to_string().contains("--tenant"));
    }

    #[test]
    fn clouds_map_hosts_and_scopes() {
        assert_eq!(
            Cloud::UsgovDod.scope(),
            "https://dod-graph.microsoft.us/.default"
        );
        assert_eq!(
            Cloud::UsgovDod.authority_host(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            Cloud::China.graph_root(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
        use clap::ValueEnum;
        assert_eq!(Cloud::from_str("usgov-dod", false), Ok(Cloud::UsgovDod));
        assert_eq!(
            AuthMethod::from_str("workload-identity", false),
            Ok(AuthMethod::WorkloadIdentity)
        );
    }
}
