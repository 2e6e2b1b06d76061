//! Parser unit tests, one group per grammar section: declarations, each clause, lists that
//! switch kind, strings and escapes, comments, header-less files, and syntax errors.

use super::{Rule, parse};
use crate::ast::{
    Clause, Control, File, GrantOp, Item, Policy, Ref, Target, TargetKind, TargetValue,
};
use crate::diag::Diagnostics;
use crate::source::{FileId, SourceFile};
use crate::symbols::Kind;

fn ok(text: &str) -> File {
    let (ast, diags) = parse(FileId(0), text);
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for {text:?}: {:?}",
        diags.items
    );
    ast.expect("an AST")
}

fn errs(text: &str) -> Diagnostics {
    parse(FileId(0), text).1
}

/// The first diagnostic as `(code, line, column)`.
fn first_error(text: &str) -> (&'static str, usize, usize) {
    let d = errs(text);
    let first = d
        .items
        .first()
        .unwrap_or_else(|| panic!("no diagnostic for {text:?}"));
    let span = first.primary.as_ref().expect("a located diagnostic").span;
    let (line, col) = SourceFile::new("t", text).line_col(span.start);
    (first.code, line, col)
}

fn policies(f: &File) -> Vec<&Policy> {
    f.items
        .iter()
        .filter_map(|i| {
            if let Item::Policy(p) = i {
                Some(p)
            } else {
                None
            }
        })
        .collect()
}

fn only_policy(text: &str) -> Policy {
    let f = ok(text);
    let ps = policies(&f);
    assert_eq!(ps.len(), 1, "{text}");
    ps[0].clone()
}

fn clauses(text: &str) -> Vec<Clause> {
    only_policy(text)
        .clauses
        .into_iter()
        .map(|c| c.node)
        .collect()
}

fn targets(clause: &Clause) -> &[Target] {
    match clause {
        Clause::For(t) | Clause::Exclude(t) | Clause::When(t) => t,
        other => panic!("not a list clause: {other:?}"),
    }
}

/// `(kind, value text or "" / "*all*", kind written)` of every list item.
fn items(clause: &Clause) -> Vec<(TargetKind, String, bool)> {
    targets(clause)
        .iter()
        .map(|t| {
            let v = match &t.value {
                TargetValue::All => "*all*".to_string(),
                TargetValue::Nothing => String::new(),
                TargetValue::Filter(r) => format!("where {}", r.node),
                TargetValue::Ref(r) => r.text().to_string(),
            };
            (t.kind.node, v, t.kind_written)
        })
        .collect()
}

// ------------------------------------------------------------------ declarations

#[test]
fn declarations_of_every_kind() {
    let f = ok("user Emergency1 = 6f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c61
user Alice = alice@contoso.com
group \"Break Glass\" = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11
role Custom = 62e90394-69f5-4237-9190-012177145e10
app HRPortal = 3f2f9a55-1b6e-4c7a-8a1d-6d3f0e9b2c44
service-principal Payroll = 7d3c1b2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d
location HQ = 8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10 trusted
terms ContosoToU = 5d4e3c2b-1a09-4f8e-b7d6-c5b4a3928170
strength ContosoFido = 7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d
context Finance = c3
");
    let decls: Vec<_> = f
        .items
        .iter()
        .map(|i| match i {
            Item::Declaration(d) => (
                d.kind.node,
                d.name.text().to_string(),
                d.value.node.clone(),
                d.trusted.is_some(),
            ),
            other => panic!("not a declaration: {other:?}"),
        })
        .collect();
    assert_eq!(decls.len(), 10);
    assert_eq!(decls[0].0, Kind::User);
    assert_eq!(decls[1].2, Ref::Upn("alice@contoso.com".into()));
    assert_eq!(
        (decls[2].0, decls[2].1.as_str()),
        (Kind::Group, "Break Glass")
    );
    assert_eq!(decls[5].0, Kind::ServicePrincipal);
    assert_eq!((decls[6].0, decls[6].3), (Kind::Location, true));
    assert!(decls.iter().filter(|d| d.0 != Kind::Location).all(|d| !d.3));
    assert_eq!(decls[9].2, Ref::Ident("c3".into()));
}

#[test]
fn guids_are_lower_cased_and_near_misses_kept_for_the_checker() {
    let f = ok(
        "group A = 0B1D2B8E-6F55-4A1C-9A3E-3F6F1B0C9D11\ngroup B = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d1\n",
    );
    let values: Vec<Ref> = f
        .items
        .iter()
        .filter_map(|i| {
            if let Item::Declaration(d) = i {
                Some(d.value.node.clone())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        values[0],
        Ref::Guid("0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11".into())
    );
    assert_eq!(
        values[1],
        Ref::BadGuid("0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d1".into())
    );
}

#[test]
fn emergency_lines() {
    let f = ok("emergency group BreakGlass\nemergency user  Emergency1, Emergency2\n");
    let e: Vec<_> = f
        .items
        .iter()
        .map(|i| match i {
            Item::Emergency(e) => (
                e.kind.node,
                e.principals
                    .iter()
                    .map(|p| p.text().to_string())
                    .collect::<Vec<_>>(),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        e,
        vec![
            (Kind::Group, vec!["BreakGlass".to_string()]),
            (Kind::User, vec!["Emergency1".into(), "Emergency2".into()])
        ]
    );
}

#[test]
fn a_declaration_needs_a_value() {
    assert_eq!(first_error("group BreakGlass =\n").0, "E0001");
    assert_eq!(
        first_error("group = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n").0,
        "E0001"
    );
}

// ------------------------------------------------------------------ policies and headers

#[test]
fn header_less_file_is_one_unnamed_policy() {
    let p = only_policy(
        "require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only\n",
    );
    assert!(p.name.is_none());
    let kw: Vec<&str> = p.clauses.iter().map(|c| c.node.keyword()).collect();
    assert_eq!(kw, ["require", "for", "exclude", "mode"]);
}

#[test]
fn headers_split_policies_and_newlines_are_white_space() {
    let f =
        ok("policy \"A\" for all apps require mfa\npolicy \"B\"\n  for\n  all\n  apps\n  block\n");
    let ps = policies(&f);
    assert_eq!(
        ps.iter()
            .map(|p| p.name.as_ref().map(|n| n.node.clone()))
            .collect::<Vec<_>>(),
        [Some("A".into()), Some("B".into())]
    );
    assert_eq!(ps[1].clauses.len(), 2);
}

#[test]
fn clauses_before_the_first_header_are_e0004() {
    assert_eq!(
        first_error("for all apps\nrequire mfa\npolicy \"A\"\n  for all apps\n  require mfa\n"),
        ("E0004", 1, 1)
    );
}

#[test]
fn clauses_after_a_scenario_are_e0004() {
    let text = "policy \"A\"\n  for all apps\n  require mfa\nscenario \"s\"\n  app Office365\n  expect allow\nrequire mfa\n";
    assert_eq!(first_error(text), ("E0004", 7, 1));
}

// ------------------------------------------------------------------ clauses

#[test]
fn for_exclude_and_when() {
    let cs = clauses(
        "policy \"A\"\n for all users, all apps\n exclude group BreakGlass\n when platform any\n exclude platform ios\n block\n",
    );
    assert_eq!(
        items(&cs[0]),
        [
            (TargetKind::User, "*all*".into(), true),
            (TargetKind::App, "*all*".into(), true)
        ]
    );
    assert!(matches!(cs[1], Clause::Exclude(_)));
    assert!(matches!(cs[2], Clause::When(_)));
    assert_eq!(items(&cs[3]), [(TargetKind::Platform, "ios".into(), true)]);
    assert_eq!(cs[4], Clause::Block);
}

#[test]
fn lists_switch_kind_and_bare_items_inherit_it() {
    let cs = clauses(
        "block for all apps exclude group BreakGlass, Emergency, role DirectorySynchronizationAccounts, \"Global Administrator\"\n",
    );
    assert_eq!(
        items(&cs[2]),
        [
            (TargetKind::Group, "BreakGlass".into(), true),
            (TargetKind::Group, "Emergency".into(), false),
            (
                TargetKind::Role,
                "DirectorySynchronizationAccounts".into(),
                true
            ),
            (TargetKind::Role, "Global Administrator".into(), false),
        ]
    );
}

#[test]
fn plural_kind_words_are_singular_kinds() {
    let cs = clauses("block for groups A, B, roles C, apps X\n");
    let kinds: Vec<TargetKind> = items(&cs[1]).into_iter().map(|i| i.0).collect();
    assert_eq!(
        kinds,
        [
            TargetKind::Group,
            TargetKind::Group,
            TargetKind::Role,
            TargetKind::App
        ]
    );
}

#[test]
fn a_list_must_start_with_a_kind() {
    assert_eq!(first_error("require mfa for BreakGlass\n").0, "E0001");
}

#[test]
fn guests_tenants_and_kind_words_alone() {
    let cs = clauses(
        "require mfa for guests, all apps exclude guests internal-guest, b2b-collaboration-guest, tenant 11111111-2222-4333-8444-555555555555\n",
    );
    assert_eq!(items(&cs[1])[0], (TargetKind::Guests, String::new(), true));
    assert_eq!(
        items(&cs[2]),
        [
            (TargetKind::Guests, "internal-guest".into(), true),
            (TargetKind::Guests, "b2b-collaboration-guest".into(), false),
            (
                TargetKind::Tenant,
                "11111111-2222-4333-8444-555555555555".into(),
                true
            ),
        ]
    );
}

#[test]
fn every_condition_kind_word() {
    let cs = clauses(
        "block for all apps
 when platform android, ios
 when location any
 exclude location trusted, HQ
 when client browser, mobile-desktop, exchange-activesync, other
 when sign-in-risk high, medium
 when user-risk high
 when service-principal-risk low
 when insider-risk elevated
 when auth-flow device-code, authentication-transfer
 when devices where 'device.isCompliant -ne True'
",
    );
    let kinds: Vec<TargetKind> = cs[2..].iter().map(|c| items(c)[0].0).collect();
    assert_eq!(
        kinds,
        [
            TargetKind::Platform,
            TargetKind::Location,
            TargetKind::Location,
            TargetKind::Client,
            TargetKind::SignInRisk,
            TargetKind::UserRisk,
            TargetKind::ServicePrincipalRisk,
            TargetKind::InsiderRisk,
            TargetKind::AuthFlow,
            TargetKind::Device,
        ]
    );
    // `trusted` ends a location declaration, and is also a location value.
    assert_eq!(items(&cs[4])[0].1, "trusted");
    assert_eq!(items(&cs[11])[0].1, "where device.isCompliant -ne True");
}

#[test]
fn resources_actions_contexts_and_filters() {
    let cs = clauses("require mfa for action register-security-info\n");
    assert_eq!(
        items(&cs[1]),
        [(TargetKind::Action, "register-security-info".into(), true)]
    );
    let cs = clauses("require mfa for context c1\n");
    assert_eq!(items(&cs[1]), [(TargetKind::Context, "c1".into(), true)]);
    let cs =
        clauses("require mfa for apps where 'CustomSecurityAttribute.Project -eq \"Baker\"'\n");
    assert_eq!(
        items(&cs[1])[0].1,
        "where CustomSecurityAttribute.Project -eq \"Baker\""
    );
    let cs = clauses("block for all service-principals, service-principal Payroll\n");
    assert_eq!(
        items(&cs[1])[1],
        (TargetKind::ServicePrincipal, "Payroll".into(), true)
    );
}

#[test]
fn grant_expressions() {
    let grant = |text: &str| match clauses(text)
        .into_iter()
        .find(|c| matches!(c, Clause::Require(_)))
    {
        Some(Clause::Require(g)) => g,
        _ => panic!("no require in {text}"),
    };
    let g = grant("for all apps require mfa\n");
    assert_eq!(
        g.controls
            .iter()
            .map(|c| c.node.clone())
            .collect::<Vec<_>>(),
        [Control::Builtin("mfa".into())]
    );
    assert!(g.ops.is_empty());
    let g = grant("for all apps require compliant-device or hybrid-joined-device or mfa\n");
    assert_eq!(g.controls.len(), 3);
    assert!(g.ops.iter().all(|o| o.node == GrantOp::Or));
    let g = grant(
        "for all apps require password-change and strength phishing-resistant-mfa and terms ContosoToU\n",
    );
    assert!(
        matches!(&g.controls[1].node, Control::Strength(r) if r.text() == "phishing-resistant-mfa")
    );
    assert!(matches!(&g.controls[2].node, Control::Terms(r) if r.text() == "ContosoToU"));
    assert!(g.ops.iter().all(|o| o.node == GrantOp::And));
    // `block` is reserved but parses as a control, so the checker can explain it (E0200).
    let g = grant("for all apps require mfa and block\n");
    assert_eq!(g.controls[1].node, Control::Builtin("block".into()));
}

#[test]
fn block_then_require_are_two_clauses() {
    let cs = clauses("policy \"A\"\n for all apps\n require mfa\n block\n");
    assert!(matches!(cs[1], Clause::Require(_)));
    assert_eq!(cs[2], Clause::Block);
}

#[test]
fn session_items_and_their_arguments() {
    let cs = clauses(
        "for all apps session sign-in-frequency 4 hours, persistent-browser never, app-enforced-restrictions, cae strict-location\n",
    );
    let Clause::Session(items) = &cs[1] else {
        panic!("{cs:?}")
    };
    let got: Vec<(String, Vec<String>)> = items
        .iter()
        .map(|i| {
            (
                i.name.node.clone(),
                i.args.iter().map(|a| a.node.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "sign-in-frequency".to_string(),
                vec!["4".to_string(), "hours".to_string()]
            ),
            ("persistent-browser".into(), vec!["never".into()]),
            ("app-enforced-restrictions".into(), vec![]),
            ("cae".into(), vec!["strict-location".into()]),
        ]
    );
}

#[test]
fn mode_and_description() {
    let cs = clauses("for all apps require mfa mode on description \"Baseline\"\n");
    assert!(matches!(&cs[2], Clause::Mode(m) if m.node == "on"));
    assert!(matches!(&cs[3], Clause::Description(d) if d.node == "Baseline"));
}

// ------------------------------------------------------------------ words and keywords

#[test]
fn keywords_need_a_word_boundary() {
    // `format`, `formal` and `blocked` are names, not `for` / `block` followed by something.
    let cs = clauses("block for group format, formal, blocked, mode-x\n");
    assert_eq!(
        items(&cs[1])
            .iter()
            .map(|i| i.1.as_str())
            .collect::<Vec<_>>(),
        ["format", "formal", "blocked", "mode-x"]
    );
}

#[test]
fn words_that_begin_with_a_kind_word() {
    // `user-risk` and `service-principal-risk` begin with `user` / `service-principal`.
    let cs = clauses("block for all apps when user-risk high when service-principal-risk high\n");
    assert_eq!(items(&cs[2])[0].0, TargetKind::UserRisk);
    assert_eq!(items(&cs[3])[0].0, TargetKind::ServicePrincipalRisk);
}

#[test]
fn quoted_names_escape_keywords() {
    let cs = clauses("block for all apps exclude group \"users\", app \"policy\"\n");
    assert_eq!(
        items(&cs[2])
            .iter()
            .map(|i| i.1.as_str())
            .collect::<Vec<_>>(),
        ["users", "policy"]
    );
    let d = errs("block for all apps exclude group users\n");
    assert!(
        d.items[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("quote")),
        "{:?}",
        d.items
    );
}

#[test]
fn upns_are_users_by_principal_name() {
    let cs = clauses("block for all apps exclude user o'brien+ops@contoso.co.uk\n");
    assert_eq!(items(&cs[2])[0].1, "o'brien+ops@contoso.co.uk");
}

// ------------------------------------------------------------------ strings and comments

#[test]
fn double_quoted_strings_take_escapes() {
    let p = only_policy("policy \"say \\\"hi\\\" to C:\\\\\"\n for all apps\n require mfa\n");
    assert_eq!(
        p.name.map(|n| n.node),
        Some("say \"hi\" to C:\\".to_string())
    );
    // `\n`, `\r` and `\t` too (descriptions imported from Graph may hold line breaks).
    let p =
        only_policy("policy \"A\" for all apps require mfa description \"one\\ntwo\\tthree\"\n");
    assert!(matches!(&p.clauses[2].node, Clause::Description(d) if d.node == "one\ntwo\tthree"));
}

#[test]
fn single_quoted_strings_are_raw() {
    let cs = clauses("block for all apps when devices where 'device.model -eq \"a\\b\"'\n");
    assert_eq!(items(&cs[2])[0].1, "where device.model -eq \"a\\b\"");
}

#[test]
fn unknown_escapes_are_e0005_at_the_backslash() {
    let (ast, d) = parse(
        FileId(0),
        "policy \"C:\\docs\"\n for all apps\n require mfa\n",
    );
    assert!(ast.is_some(), "the file still parses");
    assert_eq!(
        d.items.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["E0005"]
    );
    assert_eq!(first_error("policy \"C:\\docs\"\n"), ("E0005", 1, 11));
}

#[test]
fn strings_do_not_span_lines() {
    let d = errs("policy \"A\n\" for all apps require mfa\n");
    assert_eq!(d.items[0].code, "E0001");
    assert_eq!(d.items[0].message, "unterminated string");
}

#[test]
fn comments_run_to_the_end_of_the_line() {
    let p = only_policy(
        "# header comment\npolicy \"A # not a comment\" # trailing\n  for all apps # apps\n  # a whole line\n  require mfa#tight\n",
    );
    assert_eq!(
        p.name.map(|n| n.node),
        Some("A # not a comment".to_string())
    );
    assert_eq!(p.clauses.len(), 2);
}

#[test]
fn comments_only_and_empty_files_parse_to_nothing() {
    assert!(ok("").items.is_empty());
    assert!(ok("# nothing here\n\n   \n").items.is_empty());
    assert!(
        ok("\u{feff}# a byte-order mark is white space\n")
            .items
            .is_empty()
    );
}

// ------------------------------------------------------------------ errors

#[test]
fn syntax_errors_point_at_the_offending_token() {
    assert_eq!(
        first_error("require mfa for app X exclude gorup BreakGlass\n"),
        ("E0001", 1, 31)
    );
    assert_eq!(first_error("policy \"A\"\n  requre mfa\n"), ("E0001", 2, 3));
    assert_eq!(first_error("\""), ("E0001", 1, 1));
    assert_eq!(first_error("policy"), ("E0001", 1, 7));
}

#[test]
fn a_typo_in_a_kind_word_gets_a_suggestion() {
    let d = errs("require mfa for all apps exclude gorup BreakGlass\n");
    assert_eq!(d.items[0].message, "unknown kind `gorup`");
    assert!(
        d.items[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`group`"))
    );
}

#[test]
fn oversized_sources_are_refused_before_parsing() {
    let text = "#".repeat(super::MAX_SOURCE_BYTES + 1);
    let (ast, d) = parse(FileId(0), &text);
    assert!(ast.is_none());
    assert_eq!(
        d.items.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["E0003"]
    );
}

#[test]
fn spans_end_at_the_last_token() {
    let text = "policy \"A\"\n  for all apps   # trailing comment\n\n  require mfa\n";
    let p = only_policy(text);
    let first = &p.clauses[0];
    assert_eq!(&text[first.span.start..first.span.end], "for all apps");
}

#[test]
fn thirty_two_hex_digits_without_dashes_are_a_malformed_guid() {
    assert!(matches!(
        super::values::classify_word("0b1d2b8e6f554a1c9a3e3f6f1b0c9d11"),
        crate::ast::Ref::BadGuid(_)
    ));
    assert!(matches!(
        super::values::classify_word("Admins"),
        crate::ast::Ref::Ident(_)
    ));
}

/// A parse tree of a shape the visitors do not expect is capol's bug: it becomes the located
/// internal error E0006 (never a skip, never a panic), and the rest of the file is still read.
#[test]
fn a_grammar_mismatch_is_an_internal_error_not_a_silent_skip() {
    use pest::Parser as _;
    let text = "group A = B";
    let pair = super::CapolParser::parse(Rule::declaration, text)
        .ok()
        .and_then(|mut p| p.next())
        .expect("a declaration parses");
    let mut diags = Diagnostics::new();
    let mut state = super::FileState {
        items: Vec::new(),
        open: super::Open::None,
    };
    let mut v = super::Visitor {
        file: FileId(0),
        diags: &mut diags,
        offset: 100,
    };
    // A declaration handed to the clause visitor: a clause has one child, this one three.
    let m = v.visit_clause(pair.clone()).expect_err("a mismatch");
    v.internal(m);
    // The item visitor accepts it, but not as an item of another rule.
    assert!(v.visit_item(pair.clone(), &mut state).is_ok());
    let kind = pair.into_inner().next().expect("a kind");
    let m = v.visit_item(kind, &mut state).expect_err("a mismatch");
    v.internal(m);
    let got: Vec<_> = diags
        .items
        .iter()
        .map(|d| {
            let l = d.primary.as_ref().expect("located");
            (
                d.code,
                d.message.as_str(),
                l.message.as_str(),
                l.span.start,
                l.span.end,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "E0006",
                "internal error: the parser cannot read this `declaration`",
                "`decl_name` was not expected here",
                106,
                107
            ),
            (
                "E0006",
                "internal error: the parser cannot read this `file`",
                "`decl_kind` was not expected here",
                100,
                105
            ),
        ]
    );
    assert_eq!(state.items.len(), 1, "the declaration was read");
}
