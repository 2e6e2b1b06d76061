//! `capol import`: Graph policy JSON (files, directories, or a tenant) → `.capol` files.

use super::Exit;
use super::output::{self, Format};
use crate::check::ApiVersion;
use crate::import::{self, ImportOptions, Imported, NameHints};
use crate::symbols::lock::{LOCK_FILE_NAME, LockFile};
use clap::Args;
use std::path::{Path, PathBuf};

/// The file `--single-file` writes into the output directory.
const SINGLE_FILE: &str = "policies.capol";

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  capol import export.json                    print the policies as .capol source
  capol import exports/ -o policies/          one <slug>.capol per policy, plus names.capol
  capol import exports/ -o policies/ --factor
      the same, with the exclusions every policy shares in `defaults` and repeated lists as sets
  capol import export.json -o policies/ --single-file
  capol import beta-export.json --api beta    keep beta-only controls (session cae)
  capol import --from-tenant --env all -o policies/
      each environment of policies/capol.toml into policies/NAME/, with its own lock file

Policies that cannot be imported are reported (file and JSON path) and left out; the others are
written. Existing files are never overwritten without --force.")]
pub struct ImportArgs {
    /// JSON files or directories of them: a policy, an array of policies, or a Graph list
    /// response (`{"value": [...]}`)
    #[arg(value_name = "PATH", required_unless_present = "from_tenant")]
    pub paths: Vec<PathBuf>,
    /// Write the files into DIR instead of printing them
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write one file (policies.capol: the declarations, then every policy)
    #[arg(long)]
    pub single_file: bool,
    /// Name what the policies share: exclusions that every policy has go to one `defaults`
    /// block, and a list written alike in several policies becomes a `set` (compiles to the
    /// same JSON, checked)
    #[arg(long)]
    pub factor: bool,
    /// Overwrite files that already exist in DIR
    #[arg(long)]
    pub force: bool,
    /// The Graph API version the JSON comes from; beta imports beta-only controls
    #[arg(long, value_enum, default_value = "v1.0")]
    pub api: ApiVersion,
    /// A lock file whose display names name the declarations [default: capol.lock in DIR]
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,
    /// Read the policies from the tenant instead of files (connection options below)
    #[arg(long, conflicts_with = "paths")]
    pub from_tenant: bool,
    #[cfg(feature = "tenant")]
    #[command(flatten)]
    pub tenant: super::tenant::TenantArgs,
    // With --from-tenant: read each environment's tenant, into DIR/NAME/ (one environment: DIR).
    #[cfg(feature = "tenant")]
    #[command(flatten)]
    pub env: super::envs::EnvArgs,
    /// Diagnostics as text for people or JSON for tools
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn import(a: ImportArgs) -> Exit {
    #[cfg(feature = "tenant")]
    if a.env.given() {
        if !a.from_tenant {
            output::error("--env reads each environment's tenant: add --from-tenant");
            return Exit::Usage;
        }
        return super::tenant_envs_read::import(&a);
    }
    let hints = match hints(&a) {
        Ok(h) => h,
        Err(e) => return e,
    };
    #[allow(unused_mut)]
    let mut opts = ImportOptions {
        api: a.api,
        hints,
        factor: a.factor,
    };
    let imported = if a.from_tenant {
        #[cfg(feature = "tenant")]
        {
            let (policies, names) =
                match super::tenant::fetch_for_import(&a.tenant, a.api, a.format.is_machine()) {
                    Ok(x) => x,
                    Err(e) => return e,
                };
            for (kind, id, name) in names {
                opts.hints.insert(kind, &id, &name);
            }
            import::import_values(&policies, &opts)
        }
        #[cfg(not(feature = "tenant"))]
        {
            output::error(
                "this build of capol has no tenant support (the `tenant` feature is off)",
            );
            return Exit::Tenant;
        }
    } else {
        match import::import_paths(&a.paths, &opts) {
            Ok(i) => i,
            Err(e) => {
                output::error(e);
                return Exit::Usage;
            }
        }
    };
    output::emit_diagnostics(&imported.diagnostics.items, &imported.sources, a.format);
    let written = match &a.out {
        None => {
            print!("{}", imported.single);
            None
        }
        Some(dir) => match write(&imported, dir, a.single_file, a.force) {
            Ok(n) => Some(n),
            Err(e) => return e,
        },
    };
    if a.format == Format::Text {
        summary(&imported, a.out.as_deref(), written);
    }
    if imported.has_errors() {
        Exit::SourceErrors
    } else {
        Exit::Ok
    }
}

/// Display names for declarations: `--lock`, or `capol.lock` in the output directory.
fn hints(a: &ImportArgs) -> Result<NameHints, Exit> {
    let path = a.lock.clone().or_else(|| {
        a.out
            .as_ref()
            .map(|d| d.join(LOCK_FILE_NAME))
            .filter(|p| p.is_file())
    });
    let Some(path) = path else {
        return Ok(NameHints::new());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        output::error(format!("cannot read lock file `{}`: {e}", path.display()));
        Exit::Usage
    })?;
    let lock = LockFile::parse(&text).map_err(|e| {
        output::error(format!(
            "lock file `{}` is invalid: {}",
            path.display(),
            e.message
        ));
        Exit::Usage
    })?;
    Ok(NameHints::from_lock(&lock))
}

/// Write the files; nothing is written if one of them exists and `--force` is not given.
pub(super) fn write(
    imported: &Imported,
    dir: &Path,
    single: bool,
    force: bool,
) -> Result<usize, Exit> {
    let files = if single {
        if imported.policies.is_empty() {
            Vec::new()
        } else {
            vec![(SINGLE_FILE.to_string(), imported.single.clone())]
        }
    } else {
        imported.files()
    };
    if files.is_empty() {
        return Ok(0);
    }
    let existing: Vec<String> = files
        .iter()
        .map(|(n, _)| dir.join(n))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !force && !existing.is_empty() {
        output::error(format!(
            "{} already exist{}: {}",
            if existing.len() == 1 {
                "this file"
            } else {
                "these files"
            },
            if existing.len() == 1 { "s" } else { "" },
            existing.join(", ")
        ));
        eprintln!("help: import into an empty directory, or pass --force to overwrite");
        return Err(Exit::Usage);
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        output::error(format!("cannot create `{}`: {e}", dir.display()));
        return Err(Exit::Usage);
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            output::error(format!("cannot write `{}`: {e}", path.display()));
            return Err(Exit::Usage);
        }
    }
    Ok(files.len())
}

pub(super) fn summary(imported: &Imported, out: Option<&Path>, written: Option<usize>) {
    let n = imported.policies.len();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!("capol: imported {}", plural(n, "policy", "policies"));
    if let (Some(dir), Some(files)) = (out, written) {
        line.push_str(&format!(
            " into {} ({})",
            dir.display(),
            plural(files, "file", "files")
        ));
    }
    if imported.skipped > 0 {
        line.push_str(&format!(
            "; {} not imported",
            plural(imported.skipped, "policy", "policies")
        ));
    }
    eprintln!("{line}");
}

#[cfg(test)]
mod tests {
    use super::super::{Cli, Exit, run};
    use clap::Parser;

    fn capol(args: &[&str]) -> Exit {
        let argv = std::iter::once("capol").chain(args.iter().copied());
        run(Cli::try_parse_from(argv).unwrap())
    }

    #[test]
    fn writes_files_and_never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let out_s = out.to_str().unwrap();
        let corpus = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/corpus/001-graph-v1-exo-mfa-outside-trusted.json"
        );
        assert_eq!(capol(&["import", corpus, "-o", out_s]), Exit::Ok);
        let policy = out.join("access-to-exo-requires-mfa.capol");
        let first = std::fs::read_to_string(&policy).unwrap();
        assert!(first.starts_with("policy \"Access to EXO requires MFA\""));
        assert!(out.join("names.capol").is_file());
        std::fs::write(&policy, "edited").unwrap();
        assert_eq!(capol(&["import", corpus, "-o", out_s]), Exit::Usage);
        assert_eq!(std::fs::read_to_string(&policy).unwrap(), "edited");
        assert_eq!(capol(&["import", corpus, "-o", out_s, "--force"]), Exit::Ok);
        assert_eq!(std::fs::read_to_string(&policy).unwrap(), first);
        assert_eq!(
            capol(&["import", corpus, "-o", out_s, "--single-file", "--force"]),
            Exit::Ok
        );
        let single = std::fs::read_to_string(out.join("policies.capol")).unwrap();
        assert!(single.contains("group Group1 = ") && single.contains("policy \"Access"));
        assert_eq!(
            capol(&["check", out.join("policies.capol").to_str().unwrap()]),
            Exit::Ok
        );
    }

    #[test]
    fn factor_writes_sets_into_names_and_the_project_checks() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let out_s = out.to_str().unwrap();
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
        let code = capol(&["import", corpus, "--api", "beta", "--factor", "-o", out_s]);
        assert_eq!(
            code,
            Exit::SourceErrors,
            "the corpus holds refused policies"
        );
        let names = std::fs::read_to_string(out.join("names.capol")).unwrap();
        assert!(names.contains("\nset ExcludedGroup1To3 = group ExcludedGroup1"));
        let uses = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .filter(|t| t.contains("exclude set ExcludedGroup1To3"))
            .count();
        assert!(uses >= 2, "{uses}");
        // Only the one policy that Graph accepts and capol refuses (E0204) keeps it from checking.
        assert_eq!(
            capol(&["check", "--api", "beta", out_s]),
            Exit::SourceErrors
        );
        let single = dir.path().join("single");
        let s = single.to_str().unwrap();
        let one = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/corpus/001-graph-v1-exo-mfa-outside-trusted.json"
        );
        assert_eq!(
            capol(&["import", one, "--factor", "-o", s, "--single-file"]),
            Exit::Ok
        );
        assert_eq!(
            capol(&["check", single.join("policies.capol").to_str().unwrap()]),
            Exit::Ok
        );
    }

    #[test]
    fn errors_exit_one_and_a_tenant_without_credentials_exits_three() {
        let bad = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/corpus/016-alex-306-block-auth-transfer.json"
        );
        assert_eq!(capol(&["import", bad]), Exit::SourceErrors);
        // Without the tenant feature, `--from-tenant` is a tenant error too.
        #[cfg(not(feature = "tenant"))]
        assert_eq!(capol(&["import", "--from-tenant"]), Exit::Tenant);
        // No credential in the environment of a test: a tenant error, exit 3.
        #[cfg(feature = "tenant")]
        assert_eq!(
            capol(&[
                "import",
                "--from-tenant",
                "--auth",
                "token",
                "--graph-url",
                "http://127.0.0.1:9"
            ]),
            Exit::Tenant
        );
        assert_eq!(capol(&["import", "/nonexistent/x.json"]), Exit::Usage);
    }
}
