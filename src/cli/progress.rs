//! The progress indicator of long tenant work (resolve, import --from-tenant, deploy): an
//! indicatif spinner or bar on stderr, only when stderr is a terminal and the output is for
//! people.
//!
//! In: phases begun by the tenant commands, and the Graph client's [`ProgressEvent`]s. Out: a
//! bar drawn on a terminal's stderr (event lines printed above it); anywhere else the event
//! lines alone, as plain text, and never a control character.

use crate::graph::retry::ProgressEvent;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// The bar of the phase under way, if one is drawn.
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Whether a bar is drawn: stderr is a terminal, the output is text, and TERM is not `dumb`.
pub fn visible(stderr_is_terminal: bool, machine: bool, term: Option<&str>) -> bool {
    stderr_is_terminal && !machine && term != Some("dumb")
}

/// One stretch of tenant work; the bar is cleared when it is dropped.
pub struct Phase {
    bar: Option<ProgressBar>,
}

/// Begin a phase: a spinner with `message`, or a bar of `total` steps (counted by the client's
/// write events). `machine`: JSON or SARIF output, where nothing is drawn.
pub fn phase(message: &str, total: Option<u64>, machine: bool) -> Phase {
    let term = std::env::var("TERM").ok();
    if !visible(std::io::stderr().is_terminal(), machine, term.as_deref()) {
        return Phase { bar: None };
    }
    // `stderr()` also hides itself when stderr is not a terminal: two guards, one rule.
    let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    let template = if total.is_some() {
        "{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}"
    } else {
        "{spinner} {msg} {elapsed}"
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    if let Ok(mut current) = CURRENT.lock() {
        *current = Some(bar.clone());
    }
    Phase { bar: Some(bar) }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            if let Ok(mut current) = CURRENT.lock() {
                *current = None;
            }
        }
    }
}

/// Show one event of the Graph client: a line on stderr (above the bar when one is drawn); a
/// write advances the bar.
pub fn event(e: &ProgressEvent) {
    let bar = CURRENT.lock().ok().and_then(|c| c.clone());
    match bar {
        Some(bar) => {
            bar.println(format!("  {e}"));
            if matches!(e, ProgressEvent::Write(_)) {
                bar.inc(1);
            }
        }
        None => eprintln!("  {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_only_on_a_terminal_for_people() {
        assert!(visible(true, false, Some("xterm-256color")));
        assert!(visible(true, false, None));
        assert!(!visible(false, false, Some("xterm")), "not a terminal");
        assert!(!visible(true, true, Some("xterm")), "JSON or SARIF output");
        assert!(!visible(true, false, Some("dumb")));
    }

    #[test]
    fn a_hidden_target_draws_nothing() {
        // What `ProgressDrawTarget::stderr()` becomes when stderr is not a terminal.
        let bar = ProgressBar::with_draw_target(Some(3), ProgressDrawTarget::hidden());
        assert!(bar.is_hidden());
        bar.inc(3);
        bar.finish_and_clear();
    }
}
