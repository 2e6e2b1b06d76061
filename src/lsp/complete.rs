//! Completion: the words that may stand at the cursor, of the right kind for the position.
//!
//! In: an [`Analysis`] (declared names, lock file), the document text and a byte offset. Out:
//! completion items: keywords and clause words, enum values, built-in apps, roles and
//! strengths, declared and locked names, each replacing the word being typed.

use super::context::{self, Context};
use super::index::Space;
use super::project::Analysis;
use super::text::{self, Word, WordKind};
use crate::check::values;
use crate::symbols::{Kind, catalog};
use crate::vocab::Vocab;
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, TextEdit};

const TOP_LEVEL: &[&str] = &["policy", "scenario", "emergency", "set", "defaults"];
const DECL_KINDS: &[&str] = &[
    "user",
    "group",
    "role",
    "app",
    "service-principal",
    "location",
    "terms",
    "strength",
    "context",
];
const CLAUSES: &[&str] = &[
    "for",
    "exclude",
    "when",
    "require",
    "block",
    "session",
    "mode",
    "description",
    "ignore",
];
const ASSIGNMENT_KINDS: &[&str] = &[
    "user",
    "group",
    "role",
    "guests",
    "app",
    "apps",
    "action",
    "context",
    "service-principal",
    "agent-identity",
    "agent-user",
    "traffic-profile",
    "set",
];
const CONDITION_KINDS: &[&str] = &[
    "platform",
    "location",
    "client",
    "sign-in-risk",
    "user-risk",
    "service-principal-risk",
    "insider-risk",
    "devices",
    "auth-flow",
    "agent-risk",
    "agent-context",
    "legacy-device-state",
    "legacy-device",
];
const FACTS: &[&str] = &[
    "user",
    "member-of",
    "guest",
    "service-principal",
    "app",
    "action",
    "context",
    "platform",
    "client",
    "location",
    "sign-in-risk",
    "user-risk",
    "service-principal-risk",
    "insider-risk",
    "device",
    "auth-flow",
    "expect",
];
const EXPECTS: &[&str] = &[
    "block",
    "allow",
    "require",
    "applies",
    "skips",
    "would-apply",
    "session",
];

/// One candidate before it becomes an LSP item.
struct Candidate {
    label: String,
    kind: CompletionItemKind,
    detail: Option<String>,
}

fn words(list: &[&str], kind: CompletionItemKind) -> Vec<Candidate> {
    list.iter()
        .map(|w| Candidate {
            label: (*w).to_string(),
            kind,
            detail: None,
        })
        .collect()
}

fn table<T: Copy + PartialEq>(v: &Vocab<T>) -> Vec<Candidate> {
    let l: Vec<&str> = v.words().filter(|w| *w != "block").collect();
    words(&l, CompletionItemKind::ENUM_MEMBER)
}

pub fn complete(a: &Analysis, src: &str, offset: usize) -> Vec<CompletionItem> {
    let all = text::words(&src[..offset.min(src.len())]);
    // The word being typed, if the cursor touches one.
    let (partial, before): (Option<&Word>, &[Word]) = match all.last() {
        Some(w) if w.end == offset && matches!(w.kind, WordKind::Bare | WordKind::Quoted) => {
            (Some(w), &all[..all.len() - 1])
        }
        _ => (None, &all[..]),
    };
    let ctx = context::context(src, before, before.len());
    let cands = candidates(a, before, &ctx);
    let start = partial.map_or(offset, |w| w.start);
    let typed = partial.map_or("", |w| w.name()).to_lowercase();
    let range = text::range(src, start, offset);
    let mut out: Vec<CompletionItem> = Vec::new();
    for c in cands {
        if !c.label.to_lowercase().starts_with(&typed) || out.iter().any(|o| o.label == c.label) {
            continue;
        }
        let insert = if c.kind == CompletionItemKind::KEYWORD
            || c.kind == CompletionItemKind::ENUM_MEMBER
            || crate::syntax::is_bare_name(&c.label)
        {
            c.label.clone()
        } else {
            format!("\"{}\"", c.label.replace('\\', "\\\\").replace('"', "\\\""))
        };
        out.push(CompletionItem {
            label: c.label.clone(),
            kind: Some(c.kind),
            detail: c.detail,
            filter_text: Some(insert.clone()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, insert))),
            ..CompletionItem::default()
        });
    }
    out
}

fn candidates(a: &Analysis, before: &[Word], ctx: &Context) -> Vec<Candidate> {
    use CompletionItemKind as K;
    let next_item = || {
        let mut v = if ctx.in_scenario {
            words(FACTS, K::KEYWORD)
        } else {
            words(CLAUSES, K::KEYWORD)
        };
        v.extend(words(TOP_LEVEL, K::KEYWORD));
        v
    };
    let Some(last) = before.last() else {
        let mut v = words(TOP_LEVEL, K::KEYWORD);
        v.extend(words(DECL_KINDS, K::KEYWORD));
        v.extend(words(CLAUSES, K::KEYWORD));
        return v;
    };
    match (last.kind, last.text) {
        (WordKind::Equals, _) if ctx.kind == Some("set") => {
            let mut v = words(ASSIGNMENT_KINDS, K::KEYWORD);
            v.extend(words(CONDITION_KINDS, K::KEYWORD));
            v
        }
        (WordKind::Equals, _) => Vec::new(),
        (WordKind::Comma, _) => match (ctx.clause, ctx.kind) {
            (Some("session"), _) => words(values::SESSION_CONTROLS, K::KEYWORD),
            (Some("emergency"), Some(k)) => values_of(a, k, ctx),
            (_, Some(k)) => {
                let mut v = values_of(a, k, ctx);
                v.extend(words(ASSIGNMENT_KINDS, K::KEYWORD));
                v.extend(words(CONDITION_KINDS, K::KEYWORD));
                v
            }
            _ => Vec::new(),
        },
        (WordKind::Quoted, _) => next_item(),
        (_, "all") => words(&["users", "apps", "service-principals"], K::KEYWORD),
        (_, "for") => {
            let mut v = words(&["all"], K::KEYWORD);
            v.extend(words(ASSIGNMENT_KINDS, K::KEYWORD));
            v
        }
        (_, "exclude") => {
            let mut v = words(ASSIGNMENT_KINDS, K::KEYWORD);
            v.extend(words(CONDITION_KINDS, K::KEYWORD));
            v
        }
        (_, "when") => words(CONDITION_KINDS, K::KEYWORD),
        (_, "member-of") => words(&["group", "role", "set"], K::KEYWORD),
        (_, "ignore") => words(&["defaults"], K::KEYWORD),
        (_, "emergency") => words(&["group", "user"], K::KEYWORD),
        (_, "require") => controls(),
        (_, "and" | "or") if ctx.clause == Some("require") => controls(),
        (_, "strength") if ctx.clause == Some("require") => names(a, Kind::Strength),
        (_, "terms") if ctx.clause == Some("require") => names(a, Kind::Terms),
        (_, "session") if ctx.clause == Some("session") => {
            words(values::SESSION_CONTROLS, K::KEYWORD)
        }
        (_, "mode") => table(values::MODES),
        (_, "expect") => words(EXPECTS, K::KEYWORD),
        (_, "policy" | "scenario" | "description") => Vec::new(),
        (_, "set") if ctx.clause == Some("declaration") || before.len() == 1 => Vec::new(),
        (_, "sign-in-frequency") => words(&["every-time"], K::ENUM_MEMBER),
        (_, "persistent-browser") => table(values::PERSISTENT_BROWSER),
        (_, "cloud-app-security") => table(values::CLOUD_APP_SECURITY),
        (_, "cae") => table(values::CAE),
        (_, w) if ctx.clause == Some("session") && w.bytes().all(|b| b.is_ascii_digit()) => {
            words(&["hours", "days"], K::ENUM_MEMBER)
        }
        _ if before.len() >= 2 && before[before.len() - 2].text == "all" => next_item(),
        (_, w) if context::is_kind_word(w) && ctx.kind_at == Some(before.len() - 1) => {
            if ctx.clause == Some("declaration") {
                return Vec::new();
            }
            let mut v = values_of(a, w, ctx);
            if matches!(w, "apps" | "devices" | "service-principals") {
                v.extend(words(&["where"], K::KEYWORD));
            }
            v
        }
        _ if ctx.clause == Some("require") => {
            let mut v = words(&["and", "or"], K::KEYWORD);
            v.extend(next_item());
            v
        }
        _ => next_item(),
    }
}

fn controls() -> Vec<Candidate> {
    let mut v = table(values::CONTROLS);
    v.extend(words(&["strength", "terms"], CompletionItemKind::KEYWORD));
    v
}

/// The values a kind word takes.
fn values_of(a: &Analysis, kind_word: &str, ctx: &Context) -> Vec<Candidate> {
    use crate::ast::TargetKind as T;
    let tk = crate::ast::TargetKind::from_word(kind_word);
    match tk {
        Some(T::Platform) => table(values::PLATFORMS),
        Some(T::Client) => table(values::CLIENTS),
        Some(T::SignInRisk | T::UserRisk | T::ServicePrincipalRisk) => table(values::RISKS),
        Some(T::InsiderRisk) => table(values::INSIDER_RISKS),
        Some(T::AgentRisk) => table(values::AGENT_RISKS),
        Some(T::AgentContext) => table(values::AGENT_CONTEXTS),
        Some(T::TrafficProfile) => table(values::TRAFFIC_PROFILES),
        Some(T::LegacyDeviceState | T::LegacyDevice) => table(values::DEVICE_STATES),
        Some(T::AuthFlow) => table(values::AUTH_FLOWS),
        Some(T::Action) => table(values::ACTIONS),
        Some(T::Guests) => table(values::GUEST_TYPES),
        Some(T::Location) => {
            let mut v = words(&["any", "trusted"], CompletionItemKind::ENUM_MEMBER);
            if ctx.in_scenario {
                v.extend(words(&["untrusted"], CompletionItemKind::ENUM_MEMBER));
            }
            v.extend(names(a, Kind::Location));
            v
        }
        Some(T::Set) => a
            .index
            .declared(Space::Set)
            .into_iter()
            .map(|o| Candidate {
                label: o.name.clone(),
                kind: CompletionItemKind::VARIABLE,
                detail: Some("set".into()),
            })
            .collect(),
        Some(t) => match t.object_kind() {
            Some(k) => names(a, k),
            None => Vec::new(),
        },
        None if kind_word == "service-principal" => names(a, Kind::ServicePrincipal),
        None => Vec::new(),
    }
}

/// Declared names first, then the lock file's, then the built-in catalogue's.
fn names(a: &Analysis, kind: Kind) -> Vec<Candidate> {
    let mut v: Vec<Candidate> = a
        .index
        .declared(Space::Object(kind))
        .into_iter()
        .map(|o| Candidate {
            label: o.name.clone(),
            kind: CompletionItemKind::VARIABLE,
            detail: Some(format!("declared {}", kind.keyword())),
        })
        .collect();
    if let Some(lock) = &a.lock {
        for (name, e) in lock.entries.get(&kind).into_iter().flatten() {
            v.push(Candidate {
                label: name.clone(),
                kind: CompletionItemKind::REFERENCE,
                detail: Some(format!("capol.lock: {}", e.id)),
            });
        }
    }
    match kind {
        Kind::App => {
            v.extend(catalog::APP_KEYWORDS.iter().map(|k| Candidate {
                label: (*k).to_string(),
                kind: CompletionItemKind::CONSTANT,
                detail: Some("built-in app group".into()),
            }));
            v.extend(catalog::apps().iter().map(|app| Candidate {
                label: app.ident.clone(),
                kind: CompletionItemKind::CONSTANT,
                detail: Some(format!("{} ({})", app.display_name, app.app_id)),
            }));
        }
        Kind::Role => v.extend(catalog::roles().iter().map(|r| Candidate {
            label: r.ident.clone(),
            kind: CompletionItemKind::CONSTANT,
            detail: Some(format!("{} ({})", r.display_name, r.template_id)),
        })),
        Kind::Strength => v.extend(catalog::STRENGTHS.iter().map(|s| Candidate {
            label: s.ident.to_string(),
            kind: CompletionItemKind::CONSTANT,
            detail: Some(format!("{} ({})", s.display_name, s.id)),
        })),
        _ => {}
    }
    v
}
