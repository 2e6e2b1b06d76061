//! Tests of the filter language: parsing, errors with their offsets, evaluation.

#![allow(clippy::panic)] // a failing test may panic with a message

use super::*;
use std::collections::BTreeMap;

fn device(rule: &str) -> Rule {
    match parse(rule, Subject::Device) {
        Ok(r) => r,
        Err(e) => panic!("{rule}: {e:?}"),
    }
}

fn errors(rule: &str, subject: Subject) -> Vec<(usize, usize, String)> {
    match parse(rule, subject) {
        Ok(r) => panic!("{rule} parsed: {r:?}"),
        Err(e) => e.into_iter().map(|e| (e.start, e.end, e.message)).collect(),
    }
}

/// The single error of a device rule, with the text it points at.
fn one_error(rule: &str) -> (String, String, Option<String>) {
    let errs = match parse(rule, Subject::Device) {
        Ok(r) => panic!("{rule} parsed: {r:?}"),
        Err(e) => e,
    };
    assert_eq!(errs.len(), 1, "{rule}: {errs:?}");
    let e = &errs[0];
    (
        rule[e.start..e.end].to_string(),
        e.message.clone(),
        e.help.clone(),
    )
}

fn matches(rule: &str, attrs: &[(&str, &str)]) -> bool {
    let map: BTreeMap<String, String> = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    eval(&device(rule), &|name| map.get(name).cloned())
}

fn matches_null(rule: &str) -> bool {
    eval(&device(rule), &|_| None)
}

// ---- parsing ----

#[test]
fn the_language_examples_parse() {
    for rule in [
        r#"device.trustType -eq "ServerAD" -and device.isCompliant -eq True"#,
        r#"(device.deviceid -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb")"#,
        r#"(device.displayName -contains "ABC")"#,
        r#"(device.deviceOwnership -eq "Company")"#,
        r#"(device.enrollmentProfileName -startsWith "AutoPilot Profile")"#,
        r#"(device.isCompliant -eq "True")"#,
        r#"(device.manufacturer -startsWith "Microsoft")"#,
        r#"(device.mdmAppId -in ["00001111-aaaa-2222-bbbb-3333cccc4444"])"#,
        r#"(device.model -notContains "Surface")"#,
        r#"(device.operatingSystem -eq "Windows")"#,
        r#"(device.operatingSystemVersion -in ["10.0.18363", "10.0.19041", "10.0.19042", "10.0.22000"])"#,
        r#"(device.physicalIds -contains "[ZTDId]:value")"#,
        r#"(device.profileType -eq "Printer")"#,
        r#"(device.systemLabels -contains "M365Managed")"#,
        r#"(device.trustType -eq "ServerAD")"#,
        r#"(device.extensionAttribute1 -eq "SAW")"#,
        r#"device.extensionAttribute1 -ne "SAW""#,
        r#"device.model EQ 'Surface' -OR -not (device.model -endsWith "Go")"#,
    ] {
        device(rule);
    }
}

#[test]
fn app_and_service_principal_filters() {
    for subject in [Subject::Application, Subject::ServicePrincipal] {
        let r = parse(
            r#"CustomSecurityAttribute.Engineering_Project -eq "Baker""#,
            subject,
        );
        assert!(r.is_ok(), "{r:?}");
    }
    let errs = errors(r#"device.model -eq "x""#, Subject::Application);
    assert_eq!(
        errs,
        [(
            0,
            12,
            "`device.model` is not a custom security attribute".to_string()
        )]
    );
}

#[test]
fn precedence_not_binds_tighter_than_and_which_binds_tighter_than_or() {
    let r =
        device(r#"device.model -eq "a" -or device.model -eq "b" -and -not device.model -eq "c""#);
    let Expr::Or(alternatives) = r.expr else {
        panic!("{:?}", r.expr)
    };
    let [a, b_and_not_c] = alternatives.as_slice() else {
        panic!("{alternatives:?}")
    };
    assert!(matches!(a, Expr::Compare(_)));
    let Expr::And(conditions) = b_and_not_c else {
        panic!("{b_and_not_c:?}")
    };
    assert!(matches!(
        conditions.as_slice(),
        [Expr::Compare(_), Expr::Not(_)]
    ));
}

#[test]
fn parentheses_override_precedence() {
    let r = device(r#"(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c""#);
    assert!(matches!(&r.expr, Expr::And(items) if items.len() == 2));
    // a, not b, not c: true without parentheses (a -or ...), false with them.
    assert!(matches(
        r#"device.model -eq "a" -or device.model -eq "b" -and device.model -eq "c""#,
        &[("model", "a")]
    ));
    assert!(!matches(
        r#"(device.model -eq "a" -or device.model -eq "b") -and device.model -eq "c""#,
        &[("model", "a")]
    ));
}

#[test]
fn comparisons_are_listed_with_canonical_names() {
    let r = device(r#"device.TRUSTTYPE -eq "azuread" -and device.extensionattribute3 -eq "x""#);
    let names: Vec<&str> = r
        .comparisons()
        .iter()
        .map(|c| c.attribute.as_str())
        .collect();
    assert_eq!(names, ["trustType", "extensionAttribute3"]);
    assert_eq!((r.comparisons()[0].start, r.comparisons()[0].end), (0, 30));
}

#[test]
fn quoted_booleans_become_booleans() {
    let r = device(r#"device.isCompliant -eq "true""#);
    assert_eq!(r.comparisons()[0].value, Value::Bool(true));
}

// ---- errors, with what they point at ----

#[test]
fn unknown_attribute_with_suggestion() {
    let (at, msg, help) = one_error(r#"device.isCompliantt -eq True"#);
    assert_eq!(at, "device.isCompliantt");
    assert_eq!(msg, "unknown device attribute `device.isCompliantt`");
    assert_eq!(help.as_deref(), Some("did you mean `device.isCompliant`?"));
}

#[test]
fn attribute_of_another_object() {
    let (at, msg, _) = one_error(r#"user.department -eq "Sales""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "user.department",
            "`user.department` is not a device attribute"
        )
    );
}

#[test]
fn unknown_operator_with_suggestion() {
    let (at, msg, help) = one_error(r#"device.model -equals "x""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("-equals", "unknown operator `-equals`")
    );
    assert_eq!(help.as_deref(), Some("did you mean `-eq`?"));
    let (at, _, help) = one_error(r#"device.model -startWith "x""#);
    assert_eq!(at, "-startWith");
    assert_eq!(help.as_deref(), Some("did you mean `-startsWith`?"));
}

#[test]
fn dynamic_group_operators_are_not_supported() {
    let (at, msg, _) = one_error(r#"device.model -match "^Surf""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "-match",
            "`-match` is not supported in Conditional Access filters"
        )
    );
}

#[test]
fn operator_not_allowed_for_attribute() {
    let (at, msg, help) = one_error(r#"device.trustType -contains "Azure""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "-contains",
            "`-contains` cannot be used with `device.trustType`"
        )
    );
    assert_eq!(
        help.as_deref(),
        Some("`device.trustType` takes `-eq` or `-ne`")
    );
    let (at, _, _) = one_error(r#"device.physicalIds -eq "x""#);
    assert_eq!(at, "-eq");
    let (at, _, _) = one_error(r#"device.isCompliant -in ["True"]"#);
    assert_eq!(at, "-in");
}

#[test]
fn wrong_value_types() {
    let (at, msg, _) = one_error(r#"device.isCompliant -eq "yes""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            r#""yes""#,
            "`device.isCompliant` is `True` or `False`, not `yes`"
        )
    );
    let (at, msg, _) = one_error(r#"device.model -eq True"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("True", "`device.model` holds text, not a boolean")
    );
    let (at, msg, _) = one_error(r#"device.deviceId -eq "abc""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            r#""abc""#,
            "`device.deviceId` holds a GUID, and `abc` is not one"
        )
    );
    let (at, msg, help) = one_error(r#"device.trustType -eq "AzureADJoined""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            r#""AzureADJoined""#,
            "`AzureADJoined` is not a value of `device.trustType`"
        )
    );
    assert_eq!(help.as_deref(), Some("did you mean `AzureAD`?"));
    let (at, msg, _) = one_error(r#"device.model -eq Surface"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("Surface", "text values are quoted, `Surface` is not")
    );
}

#[test]
fn lists_and_single_values() {
    let (at, msg, _) = one_error(r#"device.model -in "a""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (r#""a""#, "`-in` takes a list")
    );
    let (at, msg, _) = one_error(r#"device.model -eq ["a"]"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (r#"["a"]"#, "`-eq` takes a single value, not a list")
    );
    let (at, msg, _) = one_error(r#"device.model -in []"#);
    assert_eq!((at.as_str(), msg.as_str()), ("[]", "empty list"));
    let (at, msg, _) = one_error(r#"device.model -in ["a" "b"]"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (r#""b""#, "expected `,` or `]`, found `\"b\"`")
    );
    let (at, msg, _) = one_error(r#"device.model -in ["a","#);
    assert_eq!((at.as_str(), msg.as_str()), ("[", "unclosed `[`"));
    let (at, msg, _) = one_error(r#"device.model -startsWith null"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("null", "`null` can only be compared with `-eq` or `-ne`")
    );
}

#[test]
fn unterminated_string_is_reported_once() {
    let (at, msg, _) = one_error(r#"device.model -eq "Surface"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (r#""Surface"#, "unterminated string")
    );
}

#[test]
fn unbalanced_parentheses() {
    let (at, msg, _) = one_error(r#"(device.model -eq "a""#);
    assert_eq!((at.as_str(), msg.as_str()), ("(", "unclosed `(`"));
    let (at, msg, _) = one_error(r#"device.model -eq "a")"#);
    assert_eq!((at.as_str(), msg.as_str()), (")", "unmatched `)`"));
    let (at, msg, _) = one_error(r#"(device.model -eq "a" device.model -eq "b")"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "device.model",
            "expected `-and`, `-or` or `)` before `device.model`"
        )
    );
    let (at, msg, _) = one_error("()");
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (")", "expected a condition before `)`")
    );
}

#[test]
fn dangling_and_or() {
    let (at, msg, _) = one_error(r#"device.model -eq "a" -and"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("-and", "dangling `-and`: no condition after it")
    );
    let (at, msg, _) = one_error(r#"-or device.model -eq "a""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("-or", "the rule starts with `-or`")
    );
    let (at, msg, _) = one_error(r#"device.model -eq "a" -and -or device.model -eq "b""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("-or", "expected a condition before `-or`")
    );
    let (at, msg, _) = one_error(r#"-not"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("-not", "dangling `-not`: no condition after it")
    );
}

#[test]
fn missing_parts_of_a_comparison() {
    let (at, msg, _) = one_error("device.model");
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "device.model",
            "`device.model` needs an operator and a value"
        )
    );
    let (at, msg, _) = one_error("device.model -eq");
    assert_eq!(
        (at.as_str(), msg.as_str()),
        ("-eq", "expected a value after `-eq`")
    );
    let (at, msg, _) = one_error(r#"device.model "x""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            r#""x""#,
            "expected an operator after `device.model`, found `\"x\"`"
        )
    );
    let (at, msg, _) = one_error(r#"device.model -eq "a" device.model -eq "b""#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (
            "device.model",
            "expected `-and` or `-or` before `device.model`"
        )
    );
    let (at, msg, _) = one_error(r#""Windows" -eq device.operatingSystem"#);
    assert_eq!(
        (at.as_str(), msg.as_str()),
        (r#""Windows""#, "expected an attribute, found a string")
    );
}

#[test]
fn chains_stay_flat_and_nesting_is_bounded() {
    let chain = vec![r#"device.model -eq "a""#; 100].join(" -and ");
    assert!(matches!(device(&chain).expr, Expr::And(items) if items.len() == 100));
    let deep = format!("{}device.model -eq \"a\"{}", "(".repeat(64), ")".repeat(64));
    assert!(matches(&deep, &[("model", "A")]));
    let too_deep = format!("{}device.model -eq \"a\"{}", "(".repeat(65), ")".repeat(65));
    let expected = (
        64,
        65,
        "the rule nests more than 64 levels deep".to_string(),
    );
    assert_eq!(errors(&too_deep, Subject::Device), [expected]);
    let nots = format!("{}device.model -eq \"a\"", "-not ".repeat(65));
    assert_eq!(
        errors(&nots, Subject::Device)[0].2,
        "the rule nests more than 64 levels deep"
    );
    // Huge rules are reported, not a crash.
    let huge = format!(
        "{}device.model -eq \"a\"{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_eq!(errors(&huge, Subject::Device).len(), 2);
    let long = vec![r#"device.model -eq "a""#; 10_000].join(" -or ");
    assert_eq!(errors(&long, Subject::Device).len(), 1);
}

#[test]
fn empty_rule() {
    assert_eq!(
        errors("", Subject::Device),
        [(0, 0, "the rule is empty".to_string())]
    );
    assert_eq!(
        errors("   ", Subject::Device),
        [(0, 3, "the rule is empty".to_string())]
    );
}

#[test]
fn rule_over_3072_characters() {
    let one = r#"device.extensionAttribute1 -eq "xxxxxxxxxx" -or "#;
    let mut rule = one.repeat(3100 / one.len() + 1);
    rule.push_str(r#"device.model -eq "a""#);
    let errs = errors(&rule, Subject::Device);
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].0, errs[0].1), (3072, rule.len()));
    assert!(
        errs[0]
            .2
            .starts_with(&format!("the rule is {} characters long", rule.len())),
        "{}",
        errs[0].2
    );
    // Exactly at the limit is fine; characters are counted, not bytes.
    let at_limit = format!(r#"device.model -eq "{}""#, "é".repeat(3072 - 19));
    assert_eq!(at_limit.chars().count(), 3072);
    assert!(parse(&at_limit, Subject::Device).is_ok());
}

#[test]
fn several_independent_errors_are_all_reported() {
    let rule = r#"device.modle -eq "a" -and device.trustType -eq "Hybrid" -and device.isCompliant -eq "yes""#;
    let errs = errors(rule, Subject::Device);
    let at: Vec<&str> = errs.iter().map(|(s, e, _)| &rule[*s..*e]).collect();
    assert_eq!(at, ["device.modle", r#""Hybrid""#, r#""yes""#]);
}

#[test]
fn offsets_count_bytes_before_multibyte_text() {
    let rule = r#"device.model -eq "Überbook" -and device.modl -eq "x""#;
    let errs = errors(rule, Subject::Device);
    assert_eq!(&rule[errs[0].0..errs[0].1], "device.modl");
}

// ---- evaluation ----

#[test]
fn every_operator_on_a_string_attribute() {
    let m = |rule: &str| matches(rule, &[("model", "Surface Pro 9")]);
    assert!(m(r#"device.model -eq "surface pro 9""#));
    assert!(!m(r#"device.model -ne "SURFACE PRO 9""#));
    assert!(m(r#"device.model -startsWith "surface""#));
    assert!(!m(r#"device.model -notStartsWith "Surface""#));
    assert!(m(r#"device.model -endsWith "PRO 9""#));
    assert!(m(r#"device.model -notEndsWith "Go""#));
    assert!(m(r#"device.model -contains "pro""#));
    assert!(!m(r#"device.model -notContains "Pro""#));
    assert!(m(r#"device.model -in ["Surface Go", "surface pro 9"]"#));
    assert!(m(r#"device.model -notIn ["Surface Go", "Surface Laptop"]"#));
    assert!(!m(r#"device.model -eq "Surface""#));
}

#[test]
fn boolean_enum_and_guid_attributes() {
    assert!(matches(
        r#"device.isCompliant -eq True"#,
        &[("isCompliant", "True")]
    ));
    assert!(matches(
        r#"device.isCompliant -eq true"#,
        &[("isCompliant", "TRUE")]
    ));
    assert!(matches(
        r#"device.isCompliant -ne True"#,
        &[("isCompliant", "False")]
    ));
    assert!(matches(
        r#"device.trustType -eq "serverad""#,
        &[("trustType", "ServerAD")]
    ));
    assert!(matches(
        r#"device.deviceOwnership -ne "Personal""#,
        &[("deviceOwnership", "Company")]
    ));
    let id = "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb";
    assert!(matches(
        &format!(r#"device.deviceId -in ["{}"]"#, id.to_uppercase()),
        &[("deviceId", id)]
    ));
}

#[test]
fn collection_attributes_match_whole_items() {
    let attrs = [
        ("systemLabels", "AzureResource, M365Managed"),
        ("physicalIds", "[ZTDId]:abc,[OrderId]:1"),
    ];
    assert!(matches(
        r#"device.systemLabels -contains "m365managed""#,
        &attrs
    ));
    assert!(!matches(r#"device.systemLabels -contains "M365""#, &attrs));
    assert!(matches(
        r#"device.systemLabels -notContains "MultiUser""#,
        &attrs
    ));
    assert!(matches(
        r#"device.physicalIds -contains "[ZTDId]:abc""#,
        &attrs
    ));
}

#[test]
fn null_attributes_match_only_negative_operators() {
    for rule in [
        r#"device.model -ne "x""#,
        r#"device.model -notStartsWith "x""#,
        r#"device.model -notEndsWith "x""#,
        r#"device.model -notContains "x""#,
        r#"device.model -notIn ["x"]"#,
        r#"device.isCompliant -ne True"#,
        r#"device.extensionAttribute1 -ne "SAW""#,
        r#"device.model -eq null"#,
    ] {
        assert!(matches_null(rule), "{rule}");
    }
    for rule in [
        r#"device.model -eq "x""#,
        r#"device.model -startsWith "x""#,
        r#"device.model -endsWith "x""#,
        r#"device.model -contains "x""#,
        r#"device.model -in ["x"]"#,
        r#"device.isCompliant -eq False"#,
        r#"device.model -ne null"#,
    ] {
        assert!(!matches_null(rule), "{rule}");
    }
    // A registered device without the attribute set behaves the same for that attribute.
    assert!(matches(
        r#"device.extensionAttribute1 -ne "SAW""#,
        &[("model", "x")]
    ));
}

#[test]
fn logical_operators() {
    let attrs = [("trustType", "ServerAD"), ("isCompliant", "False")];
    assert!(!matches(
        r#"device.trustType -eq "ServerAD" -and device.isCompliant -eq True"#,
        &attrs
    ));
    assert!(matches(
        r#"device.trustType -eq "ServerAD" -or device.isCompliant -eq True"#,
        &attrs
    ));
    assert!(matches(r#"-not device.isCompliant -eq True"#, &attrs));
    assert!(matches(
        r#"-not (device.isCompliant -eq True -or device.trustType -eq "AzureAD")"#,
        &attrs
    ));
}

#[test]
fn custom_security_attributes_evaluate_per_item() {
    let rule = match parse(
        r#"CustomSecurityAttribute.ConditionalAccessTest_policyRequirement -contains "requireMFA""#,
        Subject::Application,
    ) {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    let with = |v: Option<&str>| {
        eval(&rule, &|name| {
            (name == "ConditionalAccessTest_policyRequirement")
                .then(|| v.map(str::to_string))
                .flatten()
        })
    };
    assert!(with(Some("requireMFA,blockGuestUsers")));
    assert!(with(Some("requiremfa")));
    assert!(!with(Some("blockGuestUsers")));
    assert!(!with(None));
}
