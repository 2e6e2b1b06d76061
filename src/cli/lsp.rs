//! `capol lsp`: the language server, over stdio.

use super::Exit;
use super::output;
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = "\
The server speaks the Language Server Protocol on stdin/stdout; an editor starts it. It checks
the whole project each open file belongs to (the nearest directory above it with capol.toml or
capol.lock, else the file's directory) and offers diagnostics, completion, hover, go to
definition, find references, rename, formatting and quick fixes. Setup: docs/editors.md.")]
pub struct LspArgs {
    /// Accepted for editors that pass it; stdio is the only transport
    #[arg(long)]
    pub stdio: bool,
}

pub fn lsp(_a: LspArgs) -> Exit {
    match crate::lsp::run_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            output::error(format!("lsp: {e}"));
            Exit::Usage
        }
    }
}
