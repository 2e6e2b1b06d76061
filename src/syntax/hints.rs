//! Syntax errors that name their fix: the common mistakes recognised from the text around a
//! pest error (a list ending in a comma, a clause keyword with nothing after it, a missing comma,
//! `mode report only`, a word from another tool such as `state`, a misspelt first word).
//!
//! In: the parsed text, the error position, the offending token and what pest expected. Out: a
//! located `E0001` diagnostic, or `None` when the generic message of `errors` is the best one.

use super::Rule;
use crate::diag::{Diagnostic, did_you_mean, suggestion_text};
use crate::source::{FileId, Span};

/// The words that can start an item: clause keywords, headers, declaration kinds.
const ITEM_WORDS: &[&str] = &[
    "for",
    "exclude",
    "when",
    "require",
    "block",
    "session",
    "mode",
    "description",
    "policy",
    "scenario",
    "emergency",
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

/// The kind words of list items.
const KIND_WORDS: &[&str] = &[
    "user",
    "users",
    "group",
    "groups",
    "role",
    "roles",
    "app",
    "apps",
    "guest",
    "guests",
    "tenant",
    "tenants",
    "action",
    "actions",
    "context",
    "contexts",
    "service-principal",
    "service-principals",
    "platform",
    "platforms",
    "location",
    "locations",
    "client",
    "clients",
    "sign-in-risk",
    "user-risk",
    "service-principal-risk",
    "insider-risk",
    "auth-flow",
    "auth-flows",
    "device",
    "devices",
    "agent-identities",
    "agent-identity",
    "agent-users",
    "agent-user",
    "agent-risk",
    "agent-contexts",
    "agent-context",
    "legacy-device-states",
    "legacy-device-state",
    "legacy-devices",
    "legacy-device",
    "traffic-profiles",
    "traffic-profile",
    "terms",
    "strength",
];

/// Clause keywords that must be followed by something, and how to finish them.
const NEEDS_MORE: &[(&str, &str)] = &[
    (
        "for",
        "say whom or what it targets, such as `for all users` or `for group Admins`",
    ),
    (
        "exclude",
        "say what it excludes, such as `exclude group BreakGlass`, or remove it",
    ),
    (
        "when",
        "give a condition, such as `when platform ios`, or remove it",
    ),
    (
        "require",
        "name the controls, such as `require mfa`, or write `block` instead",
    ),
    (
        "session",
        "name a session control, such as `session sign-in-frequency 4 hours`",
    ),
    ("mode", "write `mode on`, `mode off` or `mode report-only`"),
    (
        "description",
        "write the text in quotes: `description \"Why this policy exists\"`",
    ),
    (
        "expect",
        "write `expect block`, `expect allow`, `expect require mfa` or `expect applies \"NAME\"`",
    ),
    (
        "and",
        "name the next control, such as `and compliant-device`, or remove `and`",
    ),
    (
        "or",
        "name the next control, such as `or compliant-device`, or remove `or`",
    ),
];

/// Words other tools (the portal, Graph, other policy languages) use, and capol's spelling.
const SYNONYMS: &[(&str, &str)] = &[
    ("include", "for"),
    ("includes", "for"),
    ("target", "for"),
    ("targets", "for"),
    ("assign", "for"),
    ("excludes", "exclude"),
    ("except", "exclude"),
    ("grant", "require"),
    ("requires", "require"),
    ("required", "require"),
    ("deny", "block"),
    ("blocked", "block"),
    ("if", "when"),
    ("condition", "when"),
    ("conditions", "when"),
    ("sessions", "session"),
    ("desc", "description"),
];

/// A token of the text before the error, with its byte range.
struct Tok<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

/// The last few tokens before `pos` (words, strings and commas), comments skipped.
fn tokens_before(text: &str, pos: usize) -> Vec<Tok<'_>> {
    let before = text.get(..pos).unwrap_or("");
    // Eight lines back is plenty for "the last three tokens".
    let from = before
        .char_indices()
        .rev()
        .filter(|(_, c)| *c == '\n')
        .nth(8)
        .map_or(0, |(i, _)| i + 1);
    let b = before.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b',' || c == b'=' {
            out.push((i, i + 1));
            i += 1;
        } else if c == b'"' || c == b'\'' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != c && b[i] != b'\n' {
                i += if b[i] == b'\\' && c == b'"' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
            out.push((start, i));
        } else {
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b',' | b'#' | b'"')
            {
                i += 1;
            }
            out.push((start, i));
        }
    }
    out.into_iter()
        .filter_map(|(s, e)| {
            Some(Tok {
                text: before.get(s..e)?,
                start: s,
                end: e,
            })
        })
        .collect()
}

/// Does only white space stand between the start of `pos`'s line and `pos`?
fn at_line_start(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");
    line.trim().is_empty()
}

/// The words on `pos`'s line before it.
fn line_before(text: &str, pos: usize) -> &str {
    let before = text.get(..pos).unwrap_or("");
    before.rsplit('\n').next().unwrap_or("").trim()
}

fn is_word(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// What pest expected, reduced to the few facts the hints need.
pub struct Expected {
    /// A new item (clause, header, declaration) or the end of the file could start here.
    pub item: bool,
    /// A name or a list item.
    pub value: bool,
    /// Only a quoted string.
    pub string_only: bool,
    /// `and` / `or` between grant controls.
    pub grant_op: bool,
    /// The kind word of a declaration.
    pub decl_kind: bool,
    /// The kind word of a list item.
    pub kind_word: bool,
}

impl Expected {
    pub fn from(positives: &[Rule]) -> Self {
        let item = positives.iter().any(|r| {
            matches!(
                r,
                Rule::file
                    | Rule::clause
                    | Rule::declaration
                    | Rule::policy_header
                    | Rule::EOI
                    | Rule::emergency
                    | Rule::scenario
            )
        });
        let value = positives.iter().any(|r| {
            matches!(
                r,
                Rule::word
                    | Rule::string
                    | Rule::upn
                    | Rule::value
                    | Rule::target_list
                    | Rule::kind_word
                    | Rule::kinded_target
                    | Rule::all_target
                    | Rule::bare_target
                    | Rule::grant_expr
                    | Rule::control
                    | Rule::session_item
            )
        });
        let string_only = !positives.is_empty()
            && positives
                .iter()
                .all(|r| matches!(r, Rule::string | Rule::raw_string | Rule::dq_string));
        Expected {
            item,
            value,
            string_only,
            grant_op: positives.contains(&Rule::grant_op),
            decl_kind: positives.contains(&Rule::decl_kind) && !item,
            kind_word: positives.contains(&Rule::kind_word)
                || positives.contains(&Rule::target_list),
        }
    }
}

/// The fix-naming diagnostic for the mistake at `pos`, if it is one capol knows.
pub fn refine(
    file: FileId,
    text: &str,
    pos: usize,
    end: usize,
    found: &str,
    expected: &Expected,
) -> Option<Diagnostic> {
    let span = |s: usize, e: usize| Span::new(file, s, e);
    let toks = tokens_before(text, pos);
    let prev = toks.last();
    let found_item_word = ITEM_WORDS.contains(&found);

    // `for group Admins,` and then the next clause (or the end of the file).
    if let Some(comma) = prev.filter(|t| t.text == ",")
        && (found.is_empty() || found_item_word || at_line_start(text, pos))
    {
        return Some(
            Diagnostic::new("E0001", "the list ends with a comma")
                .at(span(comma.start, comma.end), "nothing follows this comma")
                .help("remove the comma, or write the next item after it"),
        );
    }

    // `exclude` and then the next clause: the clause keyword has nothing after it.
    if let Some(kw) = prev
        && let Some((word, how)) = NEEDS_MORE.iter().find(|(w, _)| *w == kw.text)
        && (found.is_empty() || at_line_start(text, pos))
        && (expected.value || expected.string_only)
    {
        // `for group for`: a kind word before the keyword means a name was meant.
        let named = toks.len() >= 2 && KIND_WORDS.contains(&toks[toks.len() - 2].text);
        let help = if named {
            format!("{how}; a name that is a keyword is quoted: `\"{word}\"`")
        } else {
            how.to_string()
        };
        return Some(
            Diagnostic::new("E0001", format!("`{word}` has nothing after it"))
                .at(span(kw.start, kw.end), "expected more after this keyword")
                .help(help),
        );
    }

    // `mode = on`: clauses take no `=`.
    if found == "="
        && let Some(kw) = prev.filter(|t| NEEDS_MORE.iter().any(|(w, _)| *w == t.text))
    {
        return Some(
            Diagnostic::new("E0001", format!("`{}` takes no `=`", kw.text))
                .at(span(pos, end), "remove this `=`")
                .help(format!(
                    "write the value straight after the keyword: `{} …`",
                    kw.text
                )),
        );
    }

    // `location all`: `all` comes first.
    if found == "all"
        && let Some(kind) = prev.filter(|t| KIND_WORDS.contains(&t.text))
    {
        let plural = if kind.text.ends_with('s') {
            kind.text.to_string()
        } else {
            format!("{}s", kind.text)
        };
        return Some(
            Diagnostic::new("E0001", "`all` is written before the kind word")
                .at(span(pos, end), "`all` after the kind word")
                .help(format!("write `all {plural}`")),
        );
    }

    // `for Admins`: a name without a kind word.
    if expected.kind_word
        && is_word(found)
        && !found_item_word
        && !KIND_WORDS.contains(&found)
        && did_you_mean(found, KIND_WORDS.iter().copied()).is_empty()
    {
        return Some(
            Diagnostic::new("E0001", format!("`{found}` has no kind word"))
                .at(span(pos, end), "expected a kind word before this name")
                .help(format!(
                    "say what it is: `group {found}`, `user {found}`, `role {found}`, `app {found}`, or `all users`"
                )),
        );
    }

    // `group "Break Glass" 0b1d…`: a declaration without its `=`.
    if let Some(d) = missing_equals(text, pos, file) {
        return Some(d);
    }

    // `policy A`, `description Hello`: a name or text in quotes.
    if expected.string_only
        && let Some(kw) = prev.filter(|t| matches!(t.text, "policy" | "scenario" | "description"))
        && is_word(found)
    {
        let what = if kw.text == "description" {
            "a description".to_string()
        } else {
            format!("the name of a {}", kw.text)
        };
        return Some(
            Diagnostic::new("E0001", format!("{what} is quoted"))
                .at(span(pos, end), "expected a quoted string")
                .help(format!("write `{} \"{found}\"`", kw.text)),
        );
    }

    // `require mfa, compliant-device` or `mfa && compliant-device`.
    if expected.grant_op && matches!(found, "," | "&&" | "&" | "||" | "|" | "+" | "/") {
        return Some(
            Diagnostic::new("E0001", format!("grant controls are joined with `and` or `or`, not `{found}`"))
                .at(span(pos, end), "expected `and` or `or`")
                .help("write `require mfa and compliant-device` (both) or `require mfa or compliant-device` (either)"),
        );
    }

    // `emergency BreakGlass`: the kind is missing.
    if expected.decl_kind && prev.is_some_and(|t| t.text == "emergency") {
        return Some(
            Diagnostic::new("E0001", "an emergency declaration names its kind")
                .at(span(pos, end), "expected `group` or `user` before this")
                .help(format!(
                    "write `emergency group {found}` or `emergency user {found}`"
                )),
        );
    }

    if !expected.item || !is_word(found) || found_item_word {
        return None;
    }

    // `mode report only`: a mode is one word.
    let line = line_before(text, pos);
    if line.starts_with("mode ") {
        let help = if line == "mode report" && found == "only" {
            "write `mode report-only`".to_string()
        } else {
            "write `mode on`, `mode off` or `mode report-only`".to_string()
        };
        return Some(
            Diagnostic::new("E0001", "a mode is one word")
                .at(span(pos, end), "one word too many")
                .help(help),
        );
    }

    if at_line_start(text, pos) {
        return Some(first_word(span(pos, end), found));
    }

    // `for group A B`: two names without a comma between them.
    if let Some(p) = prev
        && (is_word(p.text) || p.text.starts_with('"') || p.text.starts_with('\''))
        && !KIND_WORDS.contains(&p.text)
        && in_list(&toks)
    {
        return Some(
            Diagnostic::new("E0001", format!("`{found}` follows `{}` without a comma", p.text))
                .at(span(pos, end), "expected a comma before this")
                .help(format!(
                    "separate the items of a list with commas (`{}, {found}`); a name with spaces is quoted (`\"{} {found}\"`)",
                    p.text,
                    p.text.trim_matches(['"', '\''])
                )),
        );
    }
    None
}

/// A line `KIND NAME VALUE` without the `=` of a declaration (pest stops at the name or the
/// value, depending on the name's quotes): located on the value.
fn missing_equals(text: &str, pos: usize, file: FileId) -> Option<Diagnostic> {
    let start = text.get(..pos)?.rfind('\n').map_or(0, |i| i + 1);
    let end = text.get(pos..)?.find('\n').map_or(text.len(), |i| pos + i);
    let line = text.get(start..end)?;
    let toks = tokens_before(line, line.len());
    let [kind, name, value] = toks.as_slice() else {
        return None;
    };
    if !ITEM_WORDS[11..].contains(&kind.text) || line.contains('=') || value.text.starts_with('#') {
        return None;
    }
    Some(
        Diagnostic::new(
            "E0001",
            "a declaration needs `=` between the name and the value",
        )
        .at(
            Span::new(file, start + value.start, start + value.end),
            "expected `=` before this",
        )
        .help(format!(
            "write `{} {} = {}`",
            kind.text, name.text, value.text
        )),
    )
}

/// Is the last clause before the error a list (`for`, `exclude`, `when`, `member-of`)?
fn in_list(toks: &[Tok]) -> bool {
    toks.iter()
        .rev()
        .map(|t| t.text)
        .find(|w| {
            ITEM_WORDS[..8].contains(w) || *w == "member-of" || *w == "policy" || *w == "scenario"
        })
        .is_some_and(|w| matches!(w, "for" | "exclude" | "when" | "member-of"))
}

/// A word at the start of a line that starts nothing capol knows: a word of another tool, or
/// a misspelt keyword.
fn first_word(at: Span, found: &str) -> Diagnostic {
    let lower = found.to_lowercase();
    if matches!(
        lower.as_str(),
        "state" | "status" | "enabled" | "disabled" | "enable" | "disable" | "reportonly"
    ) {
        return Diagnostic::new("E0001", format!("capol has no `{found}` clause"))
            .at(at, "not a clause")
            .help(
                "a policy's state is its mode: write `mode on`, `mode off` or `mode report-only`",
            );
    }
    if matches!(lower.as_str(), "name" | "displayname" | "title") {
        return Diagnostic::new("E0001", format!("capol has no `{found}` clause"))
            .at(at, "not a clause")
            .help("a policy's display name is its header: write `policy \"CA001 Require MFA\"`");
    }
    if let Some((_, ours)) = SYNONYMS.iter().find(|(w, _)| *w == lower) {
        return Diagnostic::new("E0001", format!("capol has no `{found}` clause"))
            .at(at, "not a clause")
            .help(format!("did you mean `{ours}`?"));
    }
    let near = did_you_mean(found, ITEM_WORDS.iter().copied());
    let d = Diagnostic::new("E0001", format!("unknown keyword `{found}`")).at(
        at,
        "expected a clause, a `policy \"NAME\"` header or a declaration",
    );
    match suggestion_text(&near) {
        Some(s) => d.help(s),
        None => d.help(
            "a line starts with a clause (`for`, `exclude`, `when`, `require`, `block`, `session`, `mode`, `description`), `policy \"NAME\"` or a declaration (`group Admins = <id>`); see `docs/language.md`",
        ),
    }
}
