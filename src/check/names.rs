//! Name resolution: declarations first, then `capol.lock`, then the built-in catalogues.
//!
//! In: the declarations of every file and the lock file. Out: ids for references, or `E0100`
//! (unknown name, with suggestions of the right kind), `E0101` (wrong kind), `E0102` (malformed
//! GUID), `E0103` (declared twice), `E0107` (a name that needs `capol resolve`).

use crate::ast::{self, Ref};
use crate::diag::{Diagnostic, Diagnostics, did_you_mean, suggestion_text};
use crate::source::{Span, Spanned};
use crate::symbols::lock::LockFile;
use crate::symbols::lock_check;
use crate::symbols::{Kind, catalog};
use std::collections::{BTreeMap, HashMap};

/// A declaration as the table keeps it.
#[derive(Clone, Debug)]
pub struct Declared {
    pub value: Ref,
    pub trusted: bool,
    pub span: Span,
}

/// Every name known to one compilation.
pub struct Names<'l> {
    declared: HashMap<(Kind, String), Declared>,
    lock: Option<&'l LockFile>,
}

/// What a reference resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub id: String,
    /// Named locations: declared or locked as trusted.
    pub trusted: bool,
}

impl<'l> Names<'l> {
    pub fn new(files: &[ast::File], lock: Option<&'l LockFile>, diags: &mut Diagnostics) -> Self {
        let mut declared: HashMap<(Kind, String), Declared> = HashMap::new();
        for file in files {
            for item in &file.items {
                let ast::Item::Declaration(d) = item else {
                    continue;
                };
                let key = (d.kind.node, d.name.text().to_string());
                if let Some(prev) = declared.get(&key) {
                    diags.push(
                        Diagnostic::new(
                            "E0103",
                            format!("{} `{}` is declared twice", d.kind.node, d.name.text()),
                        )
                        .at(d.name.span, "declared again here")
                        .also(prev.span, "first declared here")
                        .help("keep one declaration and remove the other"),
                    );
                    continue;
                }
                if d.trusted.is_some() && d.kind.node != Kind::Location {
                    diags.push(
                        Diagnostic::new(
                            "E0106",
                            format!(
                                "only a location can be `trusted`, not {}",
                                d.kind.node.article()
                            ),
                        )
                        .at(d.trusted.unwrap_or(d.span), "`trusted` does not apply here")
                        .help("remove `trusted`"),
                    );
                }
                check_declared_value(d, diags);
                let reserved: &[&str] = match d.kind.node {
                    Kind::App => &[
                        "Office365",
                        "MicrosoftAdminPortals",
                        "None",
                        "AllAgentIdResources",
                    ],
                    Kind::User => &["None", "GuestsOrExternalUsers", "AllAgentIdUsers"],
                    Kind::Location => &["any", "trusted", "untrusted"],
                    _ => &[],
                };
                if let Ref::Ident(n) = &d.name.node
                    && reserved.contains(&n.as_str())
                {
                    diags.push(
                        Diagnostic::new(
                            "E0106",
                            format!(
                                "`{n}` is a built-in {} value and cannot be declared",
                                d.kind.node
                            ),
                        )
                        .at(d.name.span, "reserved name")
                        .help(format!(
                            "choose another name, or quote the display name: `{} \"{n}\" = …`",
                            d.kind.node
                        )),
                    );
                    continue;
                }
                if d.kind.node == Kind::App
                    && let Ref::Quoted(q) = &d.name.node
                    && let Some(g) = catalog::app_group(q, true)
                {
                    diags.push(
                        Diagnostic::new(
                            "E0106",
                            format!(
                                "\"{q}\" is the portal's name of the built-in app group `{}` and cannot be declared",
                                g.ident
                            ),
                        )
                        .at(d.name.span, "reserved name")
                        .help(format!(
                            "write `app {}` for the group, or declare your app under another name",
                            g.ident
                        )),
                    );
                    continue;
                }
                declared.insert(
                    key,
                    Declared {
                        value: d.value.node.clone(),
                        trusted: d.trusted.is_some(),
                        span: d.name.span,
                    },
                );
            }
        }
        Names { declared, lock }
    }

    /// Resolve `r` as a `kind`. Reports and returns `None` when it cannot be resolved.
    pub fn resolve(
        &self,
        kind: Kind,
        r: &Spanned<Ref>,
        diags: &mut Diagnostics,
    ) -> Option<Resolved> {
        match &r.node {
            Ref::Guid(g) => {
                return Some(Resolved {
                    id: g.clone(),
                    trusted: self.locked_trust(kind, g),
                });
            }
            Ref::BadGuid(g) => {
                diags.push(bad_guid(g, r.span));
                return None;
            }
            Ref::Upn(upn) => return self.resolve_upn(kind, upn, r.span, diags),
            Ref::Ident(_) | Ref::Quoted(_) => {}
        }
        let name = r.text();
        if let Some(d) = self.declared.get(&(kind, name.to_string())) {
            return match &d.value {
                Ref::Guid(g) => Some(Resolved {
                    id: g.clone(),
                    trusted: d.trusted || self.locked_trust(kind, g),
                }),
                Ref::Upn(upn) => self.resolve_upn(kind, upn, r.span, diags),
                Ref::Ident(v) if kind == Kind::Context && is_context(v) => Some(Resolved {
                    id: v.clone(),
                    trusted: false,
                }),
                // A bad declared value was reported at the declaration.
                _ => None,
            };
        }
        if let Some(answer) = self.locked(kind, name, r.span, diags) {
            return answer;
        }
        if let Some(id) = builtin(kind, name) {
            return Some(Resolved { id, trusted: false });
        }
        diags.push(self.not_found(kind, r));
        None
    }

    /// The lock file's answer for `name`: `None` when it has no entry; `Some(None)` when the
    /// entry was refused or its id cannot be one (`E0512` here, at the reference: the entry
    /// itself is reported where the file was read).
    fn locked(
        &self,
        kind: Kind,
        name: &str,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<Option<Resolved>> {
        let lock = self.lock?;
        let problem = match lock.get(kind, name) {
            Some(e) => match lock_check::id_problem(kind, &e.id) {
                None => {
                    return Some(Some(Resolved {
                        id: e.id.clone(),
                        trusted: kind == Kind::Location && e.trusted.unwrap_or(false),
                    }));
                }
                Some(p) => p,
            },
            None if lock.is_refused(kind, name) => {
                "its entry in capol.lock was refused".to_string()
            }
            None => return None,
        };
        diags.push(
            Diagnostic::new(
                "E0512",
                format!("{} `{name}` has no usable id in capol.lock: {problem}", kind.keyword()),
            )
            .at(span, "this name's lock entry is refused")
            .help("run `capol resolve` to look it up again, or declare it by object id")
            .note("a lock entry never decides what a policy targets: only a well-formed id of the right kind is used"),
        );
        Some(None)
    }

    fn locked_trust(&self, kind: Kind, id: &str) -> bool {
        kind == Kind::Location
            && (self.lock.is_some_and(|l| {
                l.entries
                    .get(&Kind::Location)
                    .is_some_and(|m| m.values().any(|e| e.id == id && e.trusted == Some(true)))
            }) || self
                .declared
                .iter()
                .any(|((k, _), d)| *k == Kind::Location && d.trusted && d.value.text() == id))
    }

    fn resolve_upn(
        &self,
        kind: Kind,
        upn: &str,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<Resolved> {
        if kind != Kind::User {
            diags.push(
                Diagnostic::new(
                    "E0101",
                    format!("`{upn}` is a user principal name, not {}", kind.article()),
                )
                .at(span, format!("expected {}", kind.article()))
                .help("only users are written by UPN"),
            );
            return None;
        }
        if let Some(answer) = self.locked(Kind::User, upn, span, diags) {
            return answer;
        }
        diags.push(
            Diagnostic::new("E0107", format!("user `{upn}` has no object id yet"))
                .at(span, "not in capol.lock")
                .help("run `capol resolve` against the tenant to pin it in capol.lock, or declare the user by object id")
                .note("Graph takes user object ids; a UPN is looked up in the tenant once and kept in capol.lock"),
        );
        None
    }

    /// The kinds under which `name` is known, for "wrong kind" messages.
    fn kinds_of(&self, name: &str) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|k| {
                self.declared.contains_key(&(*k, name.to_string()))
                    || self.lock.is_some_and(|l| l.get(*k, name).is_some())
                    || builtin(*k, name).is_some()
            })
            .collect()
    }

    fn not_found(&self, kind: Kind, r: &Spanned<Ref>) -> Diagnostic {
        let name = r.text();
        // As it would be written in a declaration: quoted unless it is a bare name.
        let written = if crate::syntax::is_bare_name(name) {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
        };
        let other: Vec<Kind> = self
            .kinds_of(name)
            .into_iter()
            .filter(|k| *k != kind)
            .collect();
        if let Some(real) = other.first() {
            return Diagnostic::new(
                "E0101",
                format!("`{name}` is {}, not {}", real.article(), kind.article()),
            )
            .at(r.span, format!("expected {}", kind.article()))
            .help(format!(
                "write `{} {name}` if you meant the {}, or name {} here",
                real.keyword(),
                real.keyword(),
                kind.article()
            ));
        }
        if name.eq_ignore_ascii_case("all") {
            return Diagnostic::new("E0100", format!("unknown {} `{name}`", kind.keyword()))
                .at(r.span, "`all` is written before the kind word")
                .help(format!("write `all {}s`", kind.keyword()));
        }
        let candidates = self.candidates(kind);
        let found = did_you_mean(name, candidates.iter().map(String::as_str));
        let mut d = Diagnostic::new("E0100", format!("unknown {} `{name}`", kind.keyword())).at(
            r.span,
            format!(
                "no {} of this name is declared, locked or built in",
                kind.keyword()
            ),
        );
        let how = match kind {
            Kind::App | Kind::Role | Kind::Strength => format!(
                "declare it (`{} {written} = <id>`) or run `capol resolve` to look it up in the tenant",
                kind.keyword()
            ),
            Kind::Context => "authentication contexts are `c1` … `c99`, or declare a name: `context Finance = c3`".to_string(),
            _ => format!("declare it (`{} {written} = <id>`) or run `capol resolve` to look it up in the tenant", kind.keyword()),
        };
        d = match suggestion_text(&found) {
            Some(s) => d.help(format!("{s} otherwise {how}")),
            None => d.help(how),
        };
        d
    }

    /// Every name of `kind`, for suggestions.
    fn candidates(&self, kind: Kind) -> Vec<String> {
        let mut out: Vec<String> = self
            .declared
            .keys()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n.clone())
            .collect();
        if let Some(l) = self.lock {
            out.extend(l.names(kind).map(str::to_string));
        }
        match kind {
            Kind::App => {
                out.extend(catalog::apps().iter().map(|a| a.ident.clone()));
                out.extend(catalog::APP_KEYWORDS.iter().map(|s| s.to_string()));
            }
            Kind::Role => out.extend(catalog::roles().iter().map(|r| r.ident.clone())),
            Kind::Strength => out.extend(catalog::STRENGTHS.iter().map(|s| s.ident.to_string())),
            _ => {}
        }
        out
    }

    /// Whether a declaration or a built-in catalogue answers `name` as a `kind`, the lock file
    /// aside: the names `capol resolve` leaves alone.
    pub fn answered_without_lock(&self, kind: Kind, name: &str) -> bool {
        self.declared.contains_key(&(kind, name.to_string())) || builtin(kind, name).is_some()
    }

    /// The declared names of a kind (for `emergency` checks and what-if).
    pub fn declared_of(&self, kind: Kind) -> impl Iterator<Item = (&String, &Declared)> {
        self.declared
            .iter()
            .filter(move |((k, _), _)| *k == kind)
            .map(|((_, n), d)| (n, d))
    }
}

/// Is `s` an authentication context class reference `c1` … `c99`?
/// The app-group keyword (`Office365`) a reference names: the bare keyword, or the portal's
/// spelling quoted (`"Office 365"`).
pub fn app_group(r: &Ref) -> Option<&'static str> {
    match r {
        Ref::Ident(w) => catalog::app_group(w, false),
        Ref::Quoted(q) => catalog::app_group(q, true),
        _ => None,
    }
    .map(|g| g.ident)
}

pub fn is_context(s: &str) -> bool {
    s.strip_prefix('c')
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=99).contains(&n))
        && !s.starts_with("c0")
}

fn builtin(kind: Kind, name: &str) -> Option<String> {
    match kind {
        Kind::App => catalog::app(name).map(|a| a.app_id.clone()),
        Kind::Role => catalog::role(name).map(|r| r.template_id.clone()),
        Kind::Strength => catalog::strength(name).map(|s| s.id.to_string()),
        Kind::Context => is_context(name).then(|| name.to_string()),
        _ => None,
    }
}

pub fn bad_guid(text: &str, span: Span) -> Diagnostic {
    Diagnostic::new("E0102", format!("`{text}` is not a well-formed GUID"))
        .at(span, "malformed GUID")
        .help("an object id has 32 hexadecimal digits in groups of 8-4-4-4-12, such as `0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11`")
}

fn check_declared_value(d: &ast::Declaration, diags: &mut Diagnostics) {
    let ok = match (&d.value.node, d.kind.node) {
        (Ref::Guid(_), Kind::Context) => false,
        (Ref::Guid(_), _) => true,
        (Ref::Upn(_), Kind::User) => true,
        (Ref::Ident(v), Kind::Context) => is_context(v),
        (Ref::BadGuid(g), _) => {
            diags.push(bad_guid(g, d.value.span));
            return;
        }
        _ => false,
    };
    if !ok {
        let want = match d.kind.node {
            Kind::User => "an object id (GUID) or a user principal name",
            Kind::Context => "an authentication context id, `c1` … `c99`",
            Kind::App => "an app id (GUID)",
            Kind::Role => "a role template id (GUID)",
            _ => "an object id (GUID)",
        };
        diags.push(
            Diagnostic::new(
                "E0106",
                format!(
                    "{} `{}` cannot be declared as `{}`",
                    d.kind.node,
                    d.name.text(),
                    d.value.text()
                ),
            )
            .at(d.value.span, format!("expected {want}"))
            .help(match &d.value.node {
                // `group Admins = "0b1d…"`: the id is right, the quotes are not.
                Ref::Quoted(q) if crate::symbols::is_guid(q.trim()) => format!(
                    "write the id without quotes: `{} {} = {}`",
                    d.kind.node,
                    d.name.text(),
                    q.trim()
                ),
                _ => format!(
                    "write `{} {} = <{}>`",
                    d.kind.node,
                    d.name.text(),
                    if d.kind.node == Kind::Context {
                        "c1…c99"
                    } else {
                        "id"
                    }
                ),
            }),
        );
    }
}

/// The names ids have in the sources, the lock file and the built-in catalogues, for showing ids
/// to people (`capol plan`): `0b1d…` → ``group BreakGlass``. Declarations come before the lock,
/// the lock before the catalogues.
#[derive(Clone, Debug, Default)]
pub struct IdNames {
    by_id: BTreeMap<String, String>,
}

impl IdNames {
    pub fn new(files: &[ast::File], lock: Option<&LockFile>) -> IdNames {
        let mut by_id = BTreeMap::new();
        let mut ignored = Diagnostics::new();
        let names = Names::new(files, None, &mut ignored);
        let mut declared: Vec<(&(Kind, String), &Declared)> = names.declared.iter().collect();
        declared.sort_by(|a, b| a.0.cmp(b.0));
        for ((kind, name), d) in declared {
            if let Ref::Guid(g) = &d.value {
                by_id
                    .entry(g.to_ascii_lowercase())
                    .or_insert_with(|| shown(*kind, name));
            }
        }
        for (kind, entries) in lock.map(|l| &l.entries).into_iter().flatten() {
            for (name, e) in entries {
                by_id
                    .entry(e.id.to_ascii_lowercase())
                    .or_insert_with(|| shown(*kind, name));
            }
        }
        IdNames { by_id }
    }

    /// `group BreakGlass`, `app AzureServiceManagement`, `role GlobalAdministrator`, …
    pub fn get(&self, id: &str) -> Option<String> {
        if let Some(n) = self.by_id.get(&id.to_ascii_lowercase()) {
            return Some(n.clone());
        }
        if let Some(a) = catalog::app_by_id(id) {
            return Some(shown(Kind::App, &a.ident));
        }
        if let Some(r) = catalog::role_by_id(id) {
            return Some(shown(Kind::Role, &r.ident));
        }
        catalog::strength_by_id(id).map(|s| shown(Kind::Strength, s.ident))
    }
}

/// `group BreakGlass`, or `group "Break Glass Accounts"` for a name that is not an identifier.
fn shown(kind: Kind, name: &str) -> String {
    let bare = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'))
        && !name.is_empty();
    if bare {
        format!("{kind} {name}")
    } else {
        format!("{kind} {name:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Options;
    use crate::driver::compile_str;
    use crate::symbols::lock::LockEntry;

    #[test]
    fn ids_are_named_by_declarations_then_the_lock_then_the_catalogues() {
        let c = compile_str(
            &[(
                "a.capol",
                "group BreakGlass = 0B1D2B8E-6F55-4A1C-9A3E-3F6F1B0C9D11\n\
                 location \"Head office\" = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10",
            )],
            None,
            &Options::default(),
        );
        let mut lock = LockFile::new("t");
        for (name, id) in [
            ("Locked", "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
            ("Finance", "11111111-2222-4333-8444-555555555555"),
        ] {
            let entry = LockEntry {
                id: id.into(),
                ..Default::default()
            };
            lock.insert(Kind::Group, name, entry);
        }
        let n = IdNames::new(&c.files, Some(&lock));
        let get = |id: &str| n.get(id);
        assert_eq!(
            get("0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11").as_deref(),
            Some("group BreakGlass")
        );
        assert_eq!(
            get("8C6A1F02-3D4E-4A6B-9F11-2B9A0C7D5E10").as_deref(),
            Some("location \"Head office\"")
        );
        assert_eq!(
            get("11111111-2222-4333-8444-555555555555").as_deref(),
            Some("group Finance")
        );
        assert_eq!(
            get(catalog::AZURE_SERVICE_MANAGEMENT).as_deref(),
            Some("app AzureServiceManagement")
        );
        assert_eq!(
            get(catalog::GLOBAL_ADMINISTRATOR).as_deref(),
            Some("role GlobalAdministrator")
        );
        assert_eq!(
            get("00000000-0000-0000-0000-000000000004").as_deref(),
            Some("strength phishing-resistant-mfa")
        );
        assert_eq!(get("99999999-2222-4333-8444-555555555555"), None);
    }
}
