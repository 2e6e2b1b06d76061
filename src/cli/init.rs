//! `capol init [DIR]`: a starter project that checks, compiles and tests cleanly.
//!
//! In: a directory (created when missing). Out: `names.capol` (the break-glass group, declared
//! emergency), `azure-management.capol` (the seed policy) and `scenarios.capol`; next steps on
//! stdout. Nothing is written when any of the files exists (exit 2, the paths named).

use super::Exit;
use super::output;
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(after_help = "\
Writes three files, and never overwrites one (if any exists, nothing is written):
  names.capol              the break-glass group, declared `emergency`
  azure-management.capol   the seed policy: MFA for Azure management, report-only
  scenarios.capol          two sign-ins and what must happen to them

Examples:
  capol init policies      start a project in ./policies
  capol init               in the current directory
  capol check policies && capol test policies")]
pub struct InitArgs {
    /// The project directory (created when missing)
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

const NAMES: &str = "\
# names.capol: the directory objects the policies refer to, declared once for the project.
# Replace the id below with your own break-glass group's object id (Entra admin center >
# Groups > the group > Object ID) before you plan or deploy.

# Emergency access (\"break-glass\"): two or more cloud-only accounts that hold Global
# Administrator, use phishing-resistant credentials kept offline, and are members of this group.
group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11

# Declared once, checked everywhere: a policy in `mode on` that could reach the group must
# exclude it, or capol refuses to compile it (`capol explain E0209`).
emergency group BreakGlass
";

const SEED: &str = "\
# The seed policy of Microsoft's \"Require MFA for Azure management\" guide: every user but the
# break-glass group signs in to Azure management (portal, CLI, PowerShell) with MFA. It starts
# report-only; write `mode on` once the sign-in logs show whom it reaches. Its display name is
# the file's name, `azure-management`. `capol list apps` shows the apps a policy can target.
require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only
";

const SCENARIOS: &str = "\
# Sign-ins and what must happen to them: `capol test` evaluates them offline, as Entra would.
# A report-only policy never changes the outcome; `expect applies` counts it when it would apply.

scenario \"An ordinary account on Azure management is asked for MFA\"
    user alice@contoso.com
    app AzureServiceManagement
    expect applies \"azure-management\"

scenario \"Break-glass accounts are never challenged\"
    user breakglass1@contoso.com member-of group BreakGlass
    app AzureServiceManagement
    expect skips \"azure-management\"
    expect allow
";

/// The starter files, by name.
pub const FILES: [(&str, &str); 3] = [
    ("names.capol", NAMES),
    ("azure-management.capol", SEED),
    ("scenarios.capol", SCENARIOS),
];

pub fn init(a: InitArgs) -> Exit {
    let dir = &a.dir;
    let existing: Vec<PathBuf> = FILES
        .iter()
        .map(|(n, _)| dir.join(n))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        for p in &existing {
            output::error(format!("`{}` already exists", p.display()));
        }
        eprintln!(
            "help: nothing was written; run `capol init` in a new directory (`capol init policies`), \
             or move the existing files away"
        );
        return Exit::Usage;
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        output::error(format!("cannot create `{}`: {e}", dir.display()));
        return Exit::Usage;
    }
    for (name, text) in FILES {
        if let Err(e) = create_new(&dir.join(name), text) {
            output::error(format!("cannot write `{}`: {e}", dir.join(name).display()));
            return Exit::Usage;
        }
    }
    print!("{}", next_steps(dir));
    Exit::Ok
}

/// Write a file that must not exist yet (a file created meanwhile is not overwritten).
fn create_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

fn next_steps(dir: &Path) -> String {
    let d = dir.display();
    let names: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
    format!(
        "capol: created {} in {d}\n\n\
         Next steps:\n  \
         1. Put your break-glass group's object id in {}\n  \
         2. capol check {d}      no errors, no warnings\n  \
         3. capol test {d}       the two scenarios pass\n  \
         4. capol compile {d}    the policy as Microsoft Graph JSON\n  \
         5. capol resolve {d} && capol plan {d}    against your tenant (sign in with `az login`)\n\n\
         `capol list apps` lists the apps a policy can target; README.md has a ten-minute walkthrough.\n",
        names.join(", "),
        dir.join("names.capol").display(),
    )
}
