//! `capol completions SHELL`: the shell completion script, generated from the command line's
//! own definition by clap_complete.
//!
//! In: a shell. Out: its completion script on stdout.

use super::{Cli, Exit};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Args, Debug)]
#[command(after_help = "\
Install (then open a new shell):
  bash        capol completions bash > ~/.local/share/bash-completion/completions/capol
  zsh         capol completions zsh > ~/.zfunc/_capol   (with `fpath+=~/.zfunc` before compinit)
  fish        capol completions fish > ~/.config/fish/completions/capol.fish
  powershell  capol completions powershell >> $PROFILE
  elvish      capol completions elvish >> ~/.config/elvish/rc.elv")]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn completions(a: CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "capol", &mut std::io::stdout());
    Exit::Ok
}
