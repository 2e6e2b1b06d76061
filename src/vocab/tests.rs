use super::*;
use serde_json::{Value, json};

/// Each table's words and Graph strings are unique, and Graph strings are what serde writes.
fn check<T: Copy + PartialEq + serde::Serialize + std::fmt::Debug>(v: &Vocab<T>) {
    for (i, a) in v.terms.iter().enumerate() {
        for b in &v.terms[i + 1..] {
            assert!(
                a.word.is_none() || a.word != b.word,
                "{}: {:?}",
                v.what,
                a.word
            );
            assert_ne!(a.graph, b.graph, "{}", v.what);
        }
        assert_eq!(
            serde_json::to_value(a.value).unwrap(),
            Value::String(a.graph.to_string()),
            "{}: {:?}",
            v.what,
            a.value
        );
        assert_eq!(v.by_graph(a.graph), Some(a.value));
        if let Some(w) = a.word {
            assert_eq!(v.by_word(w), Some(a.value));
            assert_eq!(v.word(a.value), Some(w));
        }
    }
}

#[test]
fn tables_agree_with_the_graph_model() {
    check(&STATE);
    check(&PLATFORM);
    check(&CLIENT_APP);
    check(&RISK);
    check(&CONTROL);
    check(&OPERATOR);
    check(&PERSISTENT_BROWSER);
    check(&CLOUD_APP_SECURITY);
    check(&CAE);
    check(&FREQUENCY_UNIT);
    check(&FILTER_MODE);
    check(&GUEST_TYPE);
    check(&USER_ACTION);
}

#[test]
fn flags_follow_the_table_order() {
    use crate::ir::InsiderRisk;
    assert_eq!(
        flags(&INSIDER_RISK, &[InsiderRisk::Elevated, InsiderRisk::Minor]),
        "minor,elevated"
    );
}

#[test]
fn members_of_an_object_come_from_the_descriptors() {
    let (known, unexpressed) = members_of("conditions.platforms");
    assert_eq!(known, ["includePlatforms", "excludePlatforms"]);
    assert!(unexpressed.is_empty());
    let (known, _) = members_of("");
    assert!(known.contains(&"displayName") && known.contains(&"id"));
    assert!(!known.contains(&"users"));
}

#[test]
fn plan_paths_speak_the_language() {
    assert_eq!(clause_for_path("state"), Some("mode"));
    assert_eq!(
        clause_for_path("sessionControls.signInFrequency.value"),
        Some("session sign-in-frequency")
    );
    assert_eq!(
        clause_for_path("conditions.nothingHere"),
        Some("for/exclude/when")
    );
    assert_eq!(clause_for_path("nothing"), None);
    assert_eq!(
        words_for_path("state", &json!("enabledForReportingButNotEnforced")).as_deref(),
        Some("report-only")
    );
    assert_eq!(
        words_for_path(
            "conditions.platforms.includePlatforms",
            &json!(["iOS", "all"])
        )
        .as_deref(),
        Some("ios, any")
    );
    assert_eq!(
        words_for_path("conditions.insiderRiskLevels", &json!("minor,elevated")).as_deref(),
        Some("minor, elevated")
    );
    // A member without a word: the renderer keeps Graph's JSON.
    assert_eq!(
        words_for_path("conditions.clientAppTypes", &json!(["all"])),
        None
    );
    assert_eq!(words_for_path("displayName", &json!("x")), None);
}
