//! The impact of a change: the sign-ins whose outcome differs between two policy sets.

use super::impact::{self, Change};
use super::tests::compile;
use crate::whatif::EvalContext;

fn changes(before: &str, after: &str) -> Vec<Change> {
    let (b, a) = (compile(before), compile(after));
    for c in [&b, &a] {
        let errors: Vec<&str> = c
            .diagnostics
            .items
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
    let ctx = EvalContext {
        trusted_locations: a.set.trusted_locations.clone(),
        names: a.set.names_by_id.clone(),
        ..Default::default()
    };
    let mut internal = Vec::new();
    let out = impact::impact(&b.policies, &a.policies, &ctx, &mut internal).unwrap_or_default();
    assert!(internal.is_empty(), "{internal:?}");
    out
}

const MFA: &str = "
policy \"CA001 MFA\"
    for all users, all apps
    exclude group BreakGlass
    require mfa
    mode on
";

#[test]
fn the_same_set_changes_nothing() {
    assert!(changes(MFA, MFA).is_empty());
    // A report-only policy changes no outcome.
    let ro = format!(
        "{MFA}\npolicy \"CA002 Block iOS\"\n    for all users, all apps\n    exclude group BreakGlass\n    when platform ios\n    block\n    mode report-only\n"
    );
    assert!(changes(MFA, &ro).is_empty());
}

#[test]
fn a_new_block_is_allow_or_require_to_block_only_where_it_applies() {
    let after = format!(
        "{MFA}\npolicy \"CA002 Block guests on iOS\"\n    for guests, all apps\n    when platform ios\n    block\n    mode on\n"
    );
    let ch = changes(MFA, &after);
    assert!(!ch.is_empty());
    for c in &ch {
        assert!(c.summary.starts_with("guests"), "{}", c.summary);
        assert!(c.summary.contains("ios"), "{}", c.summary);
        assert!(c.summary.ends_with("→ block"), "{}", c.summary);
        assert!(c.after.starts_with("block"), "{c:?}");
        assert!(c.scenario.contains("expect block"), "{c:?}");
    }
    // Guests outside the emergency group were asked for MFA; those in it were allowed.
    assert!(
        ch.iter()
            .any(|c| c.summary.ends_with("require mfa → block"))
    );
    assert!(ch.iter().any(|c| c.summary.ends_with("allow → block")));
}

#[test]
fn a_changed_requirement_is_reported_with_both_sides() {
    let after = MFA.replace("require mfa", "require mfa and compliant-device");
    let ch = changes(MFA, &after);
    assert!(!ch.is_empty());
    for c in &ch {
        assert!(
            c.summary
                .ends_with("require mfa → require mfa and compliant-device"),
            "{}",
            c.summary
        );
        assert!(
            c.scenario
                .contains("expect require mfa and compliant-device"),
            "{c:?}"
        );
    }
    // Weakening it the other way round is the mirror image.
    let back = changes(&after, MFA);
    assert!(back.iter().all(|c| c.summary.ends_with("→ require mfa")));
    assert_eq!(back.len(), ch.len());
}

#[test]
fn removing_a_policy_allows_what_it_required() {
    let ch = changes(MFA, "");
    assert!(!ch.is_empty());
    assert!(
        ch.iter()
            .all(|c| c.summary.ends_with("require mfa → allow"))
    );
    assert!(ch.iter().all(|c| c.scenario.contains("expect allow")));
    // Nobody in BreakGlass is named: they were never asked.
    assert!(
        ch.iter()
            .all(|c| !c.scenario.contains("member-of group BreakGlass"))
    );
}
