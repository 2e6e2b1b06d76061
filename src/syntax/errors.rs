//! pest errors renamed into human phrases ("expected a group name") and located on the
//! offending token.

use super::Rule;
use crate::diag::Diagnostic;
use crate::source::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// What a rule means to someone writing policies.
fn phrase(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::declaration | Rule::decl_kind => "a declaration",
        Rule::emergency | Rule::kw_emergency => "`emergency`",
        Rule::policy_header | Rule::kw_policy => "`policy \"NAME\"`",
        Rule::scenario | Rule::kw_scenario => "`scenario \"NAME\"`",
        Rule::assert | Rule::kw_assert => "`assert \"NAME\"`",
        Rule::clause => {
            "a clause (`for`, `exclude`, `when`, `require`, `block`, `session`, `mode`, `description`)"
        }
        Rule::target_list | Rule::kinded_target | Rule::all_target | Rule::filter_rule => {
            "a list item such as `group Admins` or `all users`"
        }
        Rule::bare_target => "a name",
        Rule::kind_word => {
            "a kind word (`user`, `group`, `role`, `app`, `platform`, `location`, …)"
        }
        Rule::kw_all => "`all`",
        Rule::kw_where => "`where`",
        Rule::kw_trusted => "`trusted`",
        Rule::kw_member_of => "`member-of`",
        Rule::value | Rule::word | Rule::upn | Rule::decl_name => "a name",
        Rule::string | Rule::raw_string | Rule::dq_string => "a quoted string",
        Rule::grant_expr | Rule::control | Rule::strength_control | Rule::terms_control => {
            "a grant control (`mfa`, `compliant-device`, `strength …`, `terms …`)"
        }
        Rule::grant_op | Rule::kw_and | Rule::kw_or => "`and` or `or`",
        Rule::session_item => "a session control (`sign-in-frequency`, `persistent-browser`, …)",
        Rule::number => "a number",
        Rule::expect
        | Rule::expect_require
        | Rule::expect_block
        | Rule::expect_name
        | Rule::expect_session
        | Rule::expect_word => {
            "an expectation (`expect block`, `expect require mfa`, `expect allow`, …)"
        }
        Rule::user_fact
        | Rule::member_of_fact
        | Rule::device_fact
        | Rule::simple_fact
        | Rule::device_attr => "a sign-in fact (`user …`, `app …`, `platform …`, …)",
        Rule::kw_expect => "`expect`",
        Rule::attr_fact | Rule::attr_kw => "`app-attributes` or `service-principal-attributes`",
        Rule::kw_device => "`device`",
        Rule::did_fact | Rule::did_kw | Rule::flag_fact | Rule::flag_kw => {
            "what the sign-in did (`methods …`, `approved-app`, …)"
        }
        Rule::allows | Rule::kw_allows => "`allows`",
        Rule::combination => "an authentication method (`fido2`, `password + sms`, …)",
        Rule::kw_for | Rule::for_clause => "`for`",
        Rule::kw_exclude | Rule::exclude_clause => "`exclude`",
        Rule::kw_when | Rule::when_clause => "`when`",
        Rule::kw_require | Rule::require_clause => "`require`",
        Rule::kw_block | Rule::block_clause => "`block`",
        Rule::kw_session | Rule::session_clause => "`session`",
        Rule::kw_mode | Rule::mode_clause => "`mode`",
        Rule::kw_description | Rule::description_clause => "`description`",
        Rule::kw_allow | Rule::allow_clause => "`allow`",
        Rule::kw_strength => "`strength`",
        Rule::kw_terms => "`terms`",
        Rule::set_decl | Rule::kw_set => "`set NAME = …`",
        Rule::defaults_header | Rule::kw_defaults => "`defaults`",
        Rule::ignore_clause | Rule::kw_ignore => "`ignore defaults`",
        Rule::keyword => "a keyword",
        _ => return None,
    })
}

/// The offending token: from `pos` to the end of the word (or one character).
fn token_end(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    let mut end = 0;
    for (i, ch) in rest.char_indices() {
        if ch.is_whitespace() || (i > 0 && matches!(ch, ',' | '"' | '\'' | '=' | '#')) {
            break;
        }
        end = i + ch.len_utf8();
        if matches!(ch, ',' | '"' | '\'' | '=' | '#') {
            break;
        }
    }
    pos + end
}

const KEYWORDS: &[&str] = &[
    "policy",
    "set",
    "defaults",
    "ignore",
    "scenario",
    "assert",
    "emergency",
    "for",
    "exclude",
    "when",
    "require",
    "block",
    "session",
    "mode",
    "description",
    "where",
    "and",
    "or",
    "all",
    "expect",
    "member-of",
    "users",
    "user",
    "groups",
    "group",
    "roles",
    "role",
    "apps",
    "app",
    "service-principals",
    "service-principal",
    "guests",
    "guest",
    "actions",
    "action",
    "contexts",
    "context",
    "tenants",
    "tenant",
    "locations",
    "location",
    "platforms",
    "platform",
    "clients",
    "client",
    "sign-in-risk",
    "user-risk",
    "service-principal-risk",
    "insider-risk",
    "auth-flows",
    "auth-flow",
    "devices",
    "device",
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

pub fn syntax_error(file: FileId, text: &str, e: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let end = token_end(text, pos);
    let found = text.get(pos..end).unwrap_or("");
    let positives: &[Rule] = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    if std::env::var_os("CAPOL_DEBUG_PEST").is_some() {
        eprintln!("pest positives at {pos}: {positives:?}");
    }
    let hint = super::hints::refine(
        file,
        text,
        pos,
        end.max(pos),
        found,
        &super::hints::Expected::from(positives),
    );
    if let Some(d) = hint {
        return d;
    }
    let mut expected: Vec<&str> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| phrase(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort();
    expected.dedup();
    let label = match expected.as_slice() {
        [] => "unexpected text here".to_string(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    };
    let message = if found.is_empty() {
        "unexpected end of file".to_string()
    } else if found.starts_with('"') || found.starts_with('\'') {
        if !text[pos + 1..].contains(found.chars().next().unwrap_or('"'))
            || text[pos + 1..].find('\n') < text[pos + 1..].find(&found[..1])
        {
            "unterminated string".to_string()
        } else {
            format!("unexpected {}", &found[..1])
        }
    } else {
        format!("unexpected `{found}`")
    };
    let mut d = Diagnostic::new("E0001", message).at(Span::new(file, pos, end.max(pos)), label);
    let wants_kind = matches!(&e.variant, ErrorVariant::ParsingError { positives, .. } if positives.iter().any(|r| matches!(r, Rule::target_list | Rule::kind_word | Rule::kinded_target | Rule::all_target | Rule::filter_rule)));
    let kinds = KEYWORDS.iter().copied().filter(|k| {
        !matches!(
            *k,
            "policy"
                | "scenario"
                | "assert"
                | "emergency"
                | "for"
                | "exclude"
                | "when"
                | "require"
                | "block"
                | "session"
                | "mode"
                | "description"
                | "where"
                | "and"
                | "or"
                | "all"
                | "expect"
                | "member-of"
        )
    });
    if let (true, Some(s)) = (
        wants_kind && !KEYWORDS.contains(&found),
        crate::diag::suggestion_text(&crate::diag::did_you_mean(found, kinds)),
    ) {
        d.message = format!("unknown kind `{found}`");
        d = d.help(s);
    } else if KEYWORDS.contains(&found) {
        d = d.help(format!(
            "`{found}` is a keyword; quote a name that collides with one: `\"{found}\"`"
        ));
    } else if found.starts_with('"') || found.starts_with('\'') {
        d = d.help("close the string on the same line");
    } else if expected.iter().any(|x| {
        x.starts_with("a sign-in fact") || x.starts_with("an expectation") || *x == "`expect`"
    }) {
        d = d.help(
            "a scenario lists sign-in facts (`user …`, `app …`, `platform …`, `device …`, …) and `expect …` lines; see `docs/what-if.md`",
        );
    } else if expected.iter().any(|x| x.starts_with("a clause")) {
        const CLAUSES: [&str; 11] = [
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
        ];
        let near = crate::diag::did_you_mean(found, CLAUSES);
        d = match crate::diag::suggestion_text(&near) {
            Some(s) => d.help(format!(
                "{s} each policy is a list of clauses; see `docs/language.md`"
            )),
            None => d.help("each policy is a list of clauses; see `docs/language.md`"),
        };
    }
    d
}
