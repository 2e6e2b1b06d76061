//! `capol.toml` environments: the project's file in, [`Environments`] (tenant, cloud, lock file,
//! name prefix, mode ceiling, Graph URL, sign-in method per environment) out, or located
//! diagnostics (`E0710` the file is not valid TOML or has the wrong shape, `E0711` a value capol
//! does not accept), rendered like source errors.
//!
//! Applying an environment to a compilation is pure: [`Environment::apply`] renames the compiled
//! policies (`name-prefix`) and lowers their state to the ceiling (`max-mode`). Without
//! `capol.toml` nothing here is used.

#[cfg(test)]
mod tests;

use crate::diag::{Diagnostic, Diagnostics, did_you_mean, suggestion_text};
use crate::graph::model::{Policy, PolicyState};
use crate::source::{FileId, Span};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's name, at the project root (beside the first PATH, like `capol.lock`).
pub const FILE_NAME: &str = "capol.toml";

/// The clouds `cloud = "…"` accepts (as `--cloud`).
pub const CLOUDS: &[&str] = &["global", "usgov", "usgov-dod", "china"];
/// The sign-in methods `auth = "…"` accepts (as `--auth`).
pub const AUTH_METHODS: &[&str] = &[
    "auto",
    "azure-cli",
    "client-secret",
    "workload-identity",
    "managed-identity",
    "token",
];

/// The highest state an environment lets a policy have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaxMode {
    Off,
    ReportOnly,
    On,
}

/// A value and where it is written in `capol.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

/// One `[environments.NAME]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Environment {
    pub name: String,
    /// Tenant id or domain, as `--tenant`.
    pub tenant: Option<Located<String>>,
    /// One of [`CLOUDS`].
    pub cloud: Option<Located<String>>,
    /// The lock file, resolved against the directory of `capol.toml`.
    pub lock: Option<Located<PathBuf>>,
    pub name_prefix: Option<String>,
    pub max_mode: Option<MaxMode>,
    pub graph_url: Option<Located<String>>,
    /// One of [`AUTH_METHODS`].
    pub auth: Option<Located<String>>,
    /// The table's header.
    pub span: Span,
}

/// Every environment of the project, in the order `capol.toml` writes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environments {
    pub path: PathBuf,
    pub file: FileId,
    pub envs: Vec<Environment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    environments: BTreeMap<String, toml::Spanned<RawEnv>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEnv {
    tenant: Option<toml::Spanned<String>>,
    cloud: Option<toml::Spanned<String>>,
    lock: Option<toml::Spanned<String>>,
    name_prefix: Option<toml::Spanned<String>>,
    max_mode: Option<toml::Spanned<String>>,
    graph_url: Option<toml::Spanned<String>>,
    auth: Option<toml::Spanned<String>>,
}

/// `capol.toml` in the project root: the first PATH when it is a directory, else beside it.
pub fn find(paths: &[PathBuf]) -> Option<PathBuf> {
    let dir = match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => return None,
    };
    let path = dir.join(FILE_NAME);
    path.is_file().then_some(path)
}

/// Parse `capol.toml` (`text`, registered as `file`, found at `path`). Every problem is
/// reported; environments with a problem are left out.
pub fn parse(path: &Path, file: FileId, text: &str) -> (Environments, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut out = Environments {
        path: path.to_path_buf(),
        file,
        envs: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let (start, end) = e.span().map_or((0, 0), |r| (r.start, r.end));
            let message = e.message().trim().to_string();
            let first = message.lines().next().unwrap_or("").to_string();
            diags.push(
                Diagnostic::new("E0710", format!("`{FILE_NAME}` cannot be read: {first}"))
                    .at(Span::new(file, start, end), label(&message))
                    .help(
                        "each environment is a table: `[environments.test]` with `tenant`, `cloud`, `lock`, \
                         `name-prefix`, `max-mode`, `graph-url` and `auth`; see docs/environments.md",
                    ),
            );
            return (out, diags);
        }
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (name, env) in raw.environments {
        let span = Span::new(file, env.span().start, env.span().start);
        let env = env.into_inner();
        let at = |s: &toml::Spanned<String>| Span::new(file, s.span().start, s.span().end);
        let mut ok = true;
        if name == "all" || name.trim().is_empty() {
            diags.push(
                Diagnostic::new("E0711", format!("`{name}` cannot name an environment"))
                    .at(span, "reserved name")
                    .help("`--env all` means every environment; give this one another name"),
            );
            ok = false;
        }
        let mut check_one_of = |v: &Option<toml::Spanned<String>>, what: &str, allowed: &[&str]| {
            if let Some(v) = v
                && !allowed.contains(&v.get_ref().as_str())
            {
                let found = did_you_mean(v.get_ref(), allowed.iter().copied());
                let choices: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
                let mut help = format!("{what} is one of {}", choices.join(", "));
                if let Some(s) = suggestion_text(&found) {
                    help = format!("{s} {help}");
                }
                diags.push(
                    Diagnostic::new("E0711", format!("unknown {what} `{}`", v.get_ref()))
                        .at(at(v), format!("not a {what}"))
                        .help(help),
                );
                ok = false;
            }
        };
        check_one_of(&env.cloud, "cloud", CLOUDS);
        check_one_of(&env.auth, "sign-in method", AUTH_METHODS);
        check_one_of(&env.max_mode, "mode", &["on", "off", "report-only"]);
        if let Some(u) = &env.graph_url
            && let Err(why) = check_url(u.get_ref())
        {
            diags.push(
                Diagnostic::new("E0711", format!("graph-url `{}` is not accepted", u.get_ref()))
                    .at(at(u), why)
                    .help("write an https:// URL (a national cloud's Graph, a proxy), or http:// to 127.0.0.1 or localhost for tests"),
            );
            ok = false;
        }
        for (key, v) in [("tenant", &env.tenant), ("lock", &env.lock)] {
            if let Some(v) = v
                && v.get_ref().trim().is_empty()
            {
                diags.push(
                    Diagnostic::new("E0711", format!("`{key}` is empty"))
                        .at(at(v), "empty value")
                        .help(format!("give the {key}, or leave the key out")),
                );
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        let located = |v: &Option<toml::Spanned<String>>| {
            v.as_ref().map(|s| Located {
                value: s.get_ref().clone(),
                span: at(s),
            })
        };
        out.envs.push(Environment {
            name,
            tenant: located(&env.tenant),
            cloud: located(&env.cloud),
            lock: env.lock.as_ref().map(|s| Located {
                value: dir.join(s.get_ref()),
                span: at(s),
            }),
            name_prefix: env.name_prefix.map(|s| s.into_inner()),
            max_mode: env
                .max_mode
                .as_ref()
                .and_then(|m| match m.get_ref().as_str() {
                    "on" => Some(MaxMode::On),
                    "off" => Some(MaxMode::Off),
                    "report-only" => Some(MaxMode::ReportOnly),
                    _ => None,
                }),
            graph_url: located(&env.graph_url),
            auth: located(&env.auth),
            span,
        });
    }
    // In the order the file writes them (a rollout order: test before production).
    out.envs.sort_by_key(|e| e.span.start);
    (out, diags)
}

/// The first line of a TOML error as the label; the rest (the crate's caret drawing) is dropped.
fn label(message: &str) -> String {
    let l = message.lines().next().unwrap_or("invalid TOML").trim();
    if l.is_empty() {
        "invalid TOML".into()
    } else {
        l.to_string()
    }
}

/// Plain http only to loopback, as `--graph-url`.
fn check_url(u: &str) -> Result<(), &'static str> {
    if let Some(rest) = u.strip_prefix("http://") {
        let host = rest.split(['/', ':']).next().unwrap_or("");
        return if matches!(host, "127.0.0.1" | "localhost") || rest.starts_with("[::1]") {
            Ok(())
        } else {
            Err("plain http only to loopback")
        };
    }
    if u.starts_with("https://") && u.len() > "https://".len() {
        Ok(())
    } else {
        Err("expected an https:// URL")
    }
}

impl Environments {
    /// The environments `--env` names, in the order given (`all`: every one, in the file's order). An
    /// unknown name is a usage error that lists the known ones.
    pub fn select(&self, wanted: &[String]) -> Result<Vec<&Environment>, String> {
        let mut out: Vec<&Environment> = Vec::new();
        for w in wanted {
            if w == "all" {
                for e in &self.envs {
                    if !out.iter().any(|o| o.name == e.name) {
                        out.push(e);
                    }
                }
                continue;
            }
            match self.envs.iter().find(|e| &e.name == w) {
                Some(e) => {
                    if !out.iter().any(|o| o.name == e.name) {
                        out.push(e);
                    }
                }
                None => {
                    let names: Vec<&str> = self.envs.iter().map(|e| e.name.as_str()).collect();
                    let found = did_you_mean(w, names.iter().copied());
                    let known = if names.is_empty() {
                        "it names none".to_string()
                    } else {
                        format!(
                            "it names {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    let hint = suggestion_text(&found)
                        .map(|s| format!("; {s}"))
                        .unwrap_or_default();
                    return Err(format!(
                        "no environment `{w}` in `{}` ({known}){hint}",
                        self.path.display()
                    ));
                }
            }
        }
        Ok(out)
    }
}

impl Environment {
    /// The compiled policies as this environment deploys them: display names prefixed, states
    /// lowered to the ceiling (`max-mode`). Pure.
    pub fn apply(&self, policies: &mut [Policy]) {
        for p in policies {
            if let Some(prefix) = &self.name_prefix {
                p.display_name = format!("{prefix}{}", p.display_name);
            }
            if let Some(max) = self.max_mode {
                p.state = ceiling(p.state, max);
            }
        }
    }
}

/// `state`, or the ceiling when the state is higher (off < report-only < on).
pub fn ceiling(state: PolicyState, max: MaxMode) -> PolicyState {
    let rank = match state {
        PolicyState::Disabled => MaxMode::Off,
        PolicyState::ReportOnly => MaxMode::ReportOnly,
        PolicyState::Enabled => MaxMode::On,
    };
    if rank <= max {
        return state;
    }
    match max {
        MaxMode::Off => PolicyState::Disabled,
        MaxMode::ReportOnly => PolicyState::ReportOnly,
        MaxMode::On => PolicyState::Enabled,
    }
}
