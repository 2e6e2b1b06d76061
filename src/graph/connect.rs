//! Connection options shared by `resolve`, `plan` and `deploy`, and building a client from them.
//!
//! In: [`ConnectionArgs`] (flags and their environment variables) and the process environment.
//! Out: a [`Connection`]: a ready [`GraphClient`], a line saying which credential was chosen
//! (for `-v`), and the tenant when it was given.

use super::auth::{
    AuthEnv, AuthMethod, ChosenCredential, Cloud, CredentialHooks, choose_credential,
};
use super::client::{ApiVersion, GraphClient};
use super::error::GraphError;
use super::retry::{ProgressFn, RetryPolicy};

/// `--tenant`, `--cloud`, `--graph-url`, `--auth`, `--max-writes-per-second`. Flatten it into
/// each subcommand that talks to a tenant, and set [`Self::api_version`] from `--api`.
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct ConnectionArgs {
    /// Tenant id or domain (for client secret, workload identity and Azure CLI sign-in, and the lock file)
    #[arg(
        long,
        env = "AZURE_TENANT_ID",
        hide_env_values = true,
        value_name = "TENANT"
    )]
    pub tenant: Option<String>,

    /// National cloud: picks the Graph host and the sign-in authority
    #[arg(
        long,
        value_enum,
        env = "CAPOL_CLOUD",
        hide_env_values = true,
        default_value = "global"
    )]
    pub cloud: Cloud,

    /// Graph base URL, overriding the cloud's (proxies, tests); must be https unless loopback
    #[arg(
        long,
        env = "CAPOL_GRAPH_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub graph_url: Option<String>,

    /// How to sign in
    #[arg(
        long,
        value_enum,
        env = "CAPOL_AUTH",
        hide_env_values = true,
        default_value = "auto"
    )]
    pub auth: AuthMethod,

    /// Graph API version. Not a flag of its own: the commands set it from `--api` (the sources'
    /// API version), so that one option picks both what is compiled and where it is sent.
    #[arg(skip)]
    pub api_version: ApiVersion,

    /// Pace writes to at most this many per second (Conditional Access allows about one per tenant)
    #[arg(long, default_value_t = 1.0, value_name = "N")]
    pub max_writes_per_second: f64,
}

impl Default for ConnectionArgs {
    fn default() -> Self {
        ConnectionArgs {
            tenant: None,
            cloud: Cloud::Global,
            graph_url: None,
            auth: AuthMethod::Auto,
            api_version: ApiVersion::V1,
            max_writes_per_second: 1.0,
        }
    }
}

/// A connected client and what it is connected with.
#[derive(Debug)]
pub struct Connection {
    pub client: GraphClient,
    /// Which credential was chosen, e.g. "workload identity federation for app … in tenant …".
    pub auth_description: String,
    /// `--tenant` (or AZURE_TENANT_ID), when given.
    pub tenant: Option<String>,
    /// The Graph base URL in use.
    pub graph_url: String,
}

impl ConnectionArgs {
    /// The options that can be wrong on their own (the Graph URL, the write rate), checked
    /// before any credential is asked or any connection made.
    pub fn check(&self) -> Result<(), GraphError> {
        if !(self.max_writes_per_second.is_finite() && self.max_writes_per_second >= 0.0) {
            return Err(GraphError::config(
                "--max-writes-per-second must be a number ≥ 0",
            ));
        }
        if let Some(url) = &self.graph_url {
            super::client::check_base_url(url)?;
        }
        Ok(())
    }

    /// Builds the client from these options and the process environment.
    pub fn connect(&self, progress: Option<ProgressFn>) -> Result<Connection, GraphError> {
        self.connect_with(
            &AuthEnv::from_process(),
            &CredentialHooks::default(),
            RetryPolicy::default(),
            progress,
        )
    }

    /// [`Self::connect`] with an explicit environment, credential hooks and retry policy (tests).
    pub fn connect_with(
        &self,
        env: &AuthEnv,
        hooks: &CredentialHooks,
        retry: RetryPolicy,
        progress: Option<ProgressFn>,
    ) -> Result<Connection, GraphError> {
        super::init_crypto();
        if !(self.max_writes_per_second.is_finite() && self.max_writes_per_second >= 0.0) {
            return Err(GraphError::config(
                "--max-writes-per-second must be a number ≥ 0",
            ));
        }
        let graph_url = self
            .graph_url
            .clone()
            .unwrap_or_else(|| self.cloud.graph_root().to_string());
        let ChosenCredential {
            credential,
            description,
            ..
        } = choose_credential(self.auth, self.cloud, self.tenant.as_deref(), env, hooks)?;
        let mut client =
            GraphClient::new(&graph_url, self.api_version, credential, self.cloud.scope())?
                .with_retry(retry)
                .with_write_rate(self.max_writes_per_second);
        if let Some(p) = progress {
            client = client.with_progress(p);
        }
        Ok(Connection {
            graph_url: client.base_url().to_string(),
            client,
            auth_description: description,
            tenant: self.tenant.clone().filter(|t| !t.trim().is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        conn: ConnectionArgs,
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "capol",
            "--tenant",
            "t1",
            "--cloud",
            "usgov-dod",
            "--graph-url",
            "http://127.0.0.1:9",
            "--auth",
            "token",
            "--max-writes-per-second",
            "0.5",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cli.conn.tenant.as_deref(), Some("t1"));
        assert_eq!(cli.conn.cloud, Cloud::UsgovDod);
        assert_eq!(cli.conn.auth, AuthMethod::Token);
        assert_eq!(cli.conn.api_version, ApiVersion::V1);
        assert!(Cli::try_parse_from(["capol", "--api-version", "beta"]).is_err());
        assert_eq!(cli.conn.max_writes_per_second, 0.5);
    }

    #[test]
    fn connect_checks_the_url_and_reports_the_credential() {
        let env = AuthEnv::from_pairs([("CAPOL_ACCESS_TOKEN", "tok-secret-1")]);
        let args = ConnectionArgs {
            graph_url: Some("http://graph.example".into()),
            ..Default::default()
        };
        let e = args
            .connect_with(
                &env,
                &CredentialHooks::default(),
                RetryPolicy::default(),
                None,
            )
            .unwrap_err();
        assert!(e.to_string().contains("refusing plain http"), "{e}");
        let args = ConnectionArgs {
            graph_url: Some("http://127.0.0.1:1/".into()),
            ..Default::default()
        };
        let c = args
            .connect_with(
                &env,
                &CredentialHooks::default(),
                RetryPolicy::default(),
                None,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.auth_description, "access token from CAPOL_ACCESS_TOKEN");
        assert_eq!(c.graph_url, "http://127.0.0.1:1");
        assert!(!format!("{c:?}").contains("tok-secret-1"));
        let args = ConnectionArgs {
            cloud: Cloud::China,
            ..Default::default()
        };
        let c = args
            .connect_with(
                &env,
                &CredentialHooks::default(),
                RetryPolicy::default(),
                None,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.graph_url, "https://microsoftgraph.chinacloudapi.cn");
    }
}
