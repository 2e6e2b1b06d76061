//! `session …`: one item per session control, each given at most once.

use super::Lowerer;
use crate::ast::{self, Ref};
use crate::check::values::{self, Table, lookup};
use crate::diag::Diagnostic;
use crate::graph::model::FrequencyUnit;
use crate::ir::{self, SignInFrequency};
use crate::source::{Span, Spanned};

impl Lowerer<'_, '_> {
    pub fn session_item(&mut self, s: &mut ir::Session, item: &ast::SessionItem) {
        let name = item.name.node.as_str();
        let span = item.span;
        let args: Vec<&str> = item.args.iter().map(|a| a.node.as_str()).collect();
        let dup = match name {
            "sign-in-frequency" => s.sign_in_frequency.as_ref().map(|x| x.span),
            "persistent-browser" => s.persistent_browser.as_ref().map(|x| x.span),
            "app-enforced-restrictions" => s.app_enforced_restrictions,
            "cloud-app-security" => s.cloud_app_security.as_ref().map(|x| x.span),
            "cae" => s.cae.as_ref().map(|x| x.span),
            "no-resilience-defaults" => s.no_resilience_defaults,
            "token-protection" => s.token_protection,
            "network-access-security" => s.network_access_security.as_ref().map(|x| x.span),
            "filtering-profile" => s.filtering_profile.as_ref().map(|x| x.span),
            _ => None,
        };
        if let Some(first) = dup {
            self.diags.push(
                Diagnostic::new("E0105", format!("session control `{name}` is given twice"))
                    .at(span, "a second one here")
                    .also(first, "the first one is here")
                    .help("keep one of them"),
            );
            return;
        }
        let flag = |this: &mut Self, s: &mut Option<Span>| {
            if let Some(extra) = item.args.first() {
                this.extra_args(
                    name,
                    extra
                        .span
                        .to(item.args.last().map(|a| a.span).unwrap_or(extra.span)),
                );
            } else {
                *s = Some(span);
            }
        };
        match name {
            "sign-in-frequency" => {
                if let Some(f) = self.sign_in_frequency(item, &args) {
                    s.sign_in_frequency = Some(Spanned::new(f, span));
                }
            }
            "persistent-browser" => {
                if let Some(v) =
                    self.one_arg(item, values::PERSISTENT_BROWSER, "persistent-browser mode")
                {
                    s.persistent_browser = Some(Spanned::new(v, span));
                }
            }
            "cloud-app-security" => {
                if let Some(v) =
                    self.one_arg(item, values::CLOUD_APP_SECURITY, "cloud-app-security mode")
                {
                    s.cloud_app_security = Some(Spanned::new(v, span));
                }
            }
            "cae" => {
                if let Some(v) =
                    self.one_arg(item, values::CAE, "continuous access evaluation mode")
                {
                    s.cae = Some(Spanned::new(v, span));
                }
            }
            "app-enforced-restrictions" => flag(self, &mut s.app_enforced_restrictions),
            "no-resilience-defaults" => flag(self, &mut s.no_resilience_defaults),
            "token-protection" => flag(self, &mut s.token_protection),
            "network-access-security" | "filtering-profile" => {
                if let Some(id) = self.profile_id(item) {
                    let slot = if name == "filtering-profile" {
                        &mut s.filtering_profile
                    } else {
                        &mut s.network_access_security
                    };
                    *slot = Some(Spanned::new(id, span));
                }
            }
            other => {
                self.diags.push(values::unknown_value(
                    "session control",
                    other,
                    item.name.span,
                    values::SESSION_CONTROLS.iter().copied(),
                ));
            }
        }
    }

    /// The one id a Global Secure Access session control takes (a security profile's policy
    /// id, a filtering profile's id): a GUID.
    fn profile_id(&mut self, item: &ast::SessionItem) -> Option<String> {
        let name = item.name.node.as_str();
        match item.args.as_slice() {
            [one] if crate::symbols::is_guid(&one.node) => Some(one.node.to_ascii_lowercase()),
            [one] => {
                self.diags.push(
                    Diagnostic::new("E0106", format!("`{}` is not a profile id", one.node))
                        .at(one.span, "expected a GUID")
                        .help(format!(
                            "write `session {name} <id>` with the Global Secure Access profile's id"
                        )),
                );
                None
            }
            [] => {
                self.diags.push(
                    Diagnostic::new("E0106", format!("session control `{name}` needs a value"))
                        .at(item.span, "expected a profile id")
                        .help(format!(
                            "write `session {name} <id>` with the Global Secure Access profile's id"
                        )),
                );
                None
            }
            [_, extra @ ..] => {
                let s = extra[0].span.to(extra[extra.len() - 1].span);
                self.extra_args(name, s);
                None
            }
        }
    }

    pub(super) fn extra_args(&mut self, name: &str, span: Span) {
        self.diags.push(
            Diagnostic::new("E0106", format!("session control `{name}` takes no value"))
                .at(span, "unexpected value")
                .help(format!("write `session {name}` alone")),
        );
    }

    pub(super) fn one_arg<T: Copy, B: Table<T> + ?Sized>(
        &mut self,
        item: &ast::SessionItem,
        table: &B,
        what: &str,
    ) -> Option<T> {
        match item.args.as_slice() {
            [one] => lookup(
                table,
                what,
                &Spanned::new(Ref::Ident(one.node.clone()), one.span),
                self.diags,
            ),
            [] => {
                let choices: Vec<String> =
                    table.all_words().iter().map(|w| format!("`{w}`")).collect();
                self.diags.push(
                    Diagnostic::new(
                        "E0106",
                        format!("session control `{}` needs a value", item.name.node),
                    )
                    .at(item.span, format!("expected a {what}"))
                    .help(format!("write one of {}", choices.join(", "))),
                );
                None
            }
            [_, extra @ ..] => {
                let s = extra[0].span.to(extra[extra.len() - 1].span);
                self.extra_args(&item.name.node, s);
                None
            }
        }
    }

    pub(super) fn sign_in_frequency(
        &mut self,
        item: &ast::SessionItem,
        args: &[&str],
    ) -> Option<SignInFrequency> {
        let bad = |this: &mut Self, span: Span, label: &str| {
            this.diags.push(
                Diagnostic::new("E0110", "malformed sign-in frequency")
                    .at(span, label.to_string())
                    .help("write `sign-in-frequency 4 hours`, `sign-in-frequency 7 days` or `sign-in-frequency every-time`"),
            );
        };
        match args {
            ["every-time"] => Some(SignInFrequency::Every),
            [n, unit] => {
                let Ok(value) = n.parse::<u32>() else {
                    bad(self, item.args[0].span, "expected a whole number");
                    return None;
                };
                if value == 0 {
                    bad(self, item.args[0].span, "the frequency must be at least 1");
                    return None;
                }
                let unit = match *unit {
                    "hour" | "hours" => FrequencyUnit::Hours,
                    "day" | "days" => FrequencyUnit::Days,
                    _ => {
                        bad(self, item.args[1].span, "expected `hours` or `days`");
                        return None;
                    }
                };
                Some(SignInFrequency::Time(value, unit))
            }
            _ => {
                bad(
                    self,
                    item.span,
                    "expected a number and `hours` / `days`, or `every-time`",
                );
                None
            }
        }
    }
}
