//! The target index: `evaluate_applying` decides exactly as the full evaluation, over a grid of
//! policies (every kind of target, every state) and sign-ins (every kind of target, none).

use super::test_support::*;
use super::*;
use crate::graph::model::{Applications, Filter, FilterMode, PolicyState};

const ADMIN_PORTAL: &str = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c";
const AZURE: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const SECURITY_INFO: &str = "urn:user:registersecurityinfo";

/// A named way of setting a policy's target resources.
type TargetSetter = (&'static str, Box<dyn Fn(&mut Applications)>);

fn policies() -> Vec<Policy> {
    let targets: Vec<TargetSetter> = vec![
        ("all", Box::new(|_| {})),
        (
            "app",
            Box::new(|a| a.include_applications = strings(&[APP])),
        ),
        (
            "app-upper",
            Box::new(|a| a.include_applications = strings(&[&APP.to_uppercase()])),
        ),
        (
            "office",
            Box::new(|a| a.include_applications = strings(&["Office365"])),
        ),
        (
            "portals",
            Box::new(|a| a.include_applications = strings(&["MicrosoftAdminPortals"])),
        ),
        (
            "azure",
            Box::new(|a| a.include_applications = strings(&[AZURE])),
        ),
        (
            "none",
            Box::new(|a| a.include_applications = strings(&["None"])),
        ),
        (
            "filter",
            Box::new(|a| {
                a.include_applications = Vec::new();
                a.application_filter = Some(Filter {
                    mode: FilterMode::Include,
                    rule: "CustomSecurityAttribute.Eng_Project -eq \"Baker\"".into(),
                });
            }),
        ),
        (
            "action",
            Box::new(|a| {
                a.include_applications = Vec::new();
                a.include_user_actions = strings(&[SECURITY_INFO]);
            }),
        ),
        (
            "context",
            Box::new(|a| {
                a.include_applications = Vec::new();
                a.include_authentication_context_class_references = strings(&["c1"]);
            }),
        ),
    ];
    let mut out = Vec::new();
    for (name, f) in &targets {
        for state in [
            PolicyState::Enabled,
            PolicyState::ReportOnly,
            PolicyState::Disabled,
        ] {
            for block in [false, true] {
                let mut b = B::new(&format!("{name} {state:?} {block}"))
                    .state(state)
                    .apps(f);
                if block {
                    b = b.block().users(|u| u.exclude_groups = strings(&[GROUP]));
                }
                out.push(b.build());
            }
        }
    }
    out
}

fn sign_ins() -> Vec<SignIn> {
    let mut out = Vec::new();
    let targets = [
        None,
        Some(Target::App(APP.into())),
        Some(Target::App(APP.to_uppercase())),
        Some(Target::App(EXO.into())),
        Some(Target::App(ADMIN_PORTAL.into())),
        Some(Target::App(AZURE.into())),
        Some(Target::App("99999999-9999-9999-9999-999999999999".into())),
        Some(Target::Action(SECURITY_INFO.into())),
        Some(Target::Action("urn:user:registerdevice".into())),
        Some(Target::Context("C1".into())),
        Some(Target::Context("c2".into())),
    ];
    for target in targets {
        for groups in [vec![], strings(&[GROUP])] {
            out.push(SignIn {
                target: target.clone(),
                groups,
                ..sign_in(APP)
            });
        }
    }
    out
}

#[test]
fn applying_only_decides_like_the_full_evaluation() {
    let policies = policies();
    let ctx = EvalContext::default();
    let set = PolicySet::new(&policies, &ctx);
    for s in sign_ins() {
        let full = set.evaluate(&s);
        let lean = set.evaluate_applying(&s);
        assert_eq!(lean.outcome, full.outcome, "{s:?}");
        assert_eq!(lean.session, full.session, "{s:?}");
        assert_eq!(lean.undetermined, full.undetermined, "{s:?}");
        let kept: Vec<&PolicyResult> = full
            .results
            .iter()
            .filter(|r| !matches!(r.verdict, Verdict::Skipped { .. }))
            .collect();
        let lean_results: Vec<&PolicyResult> = lean.results.iter().collect();
        assert_eq!(lean_results, kept, "{s:?}");
        for e in [Expectation::Block, Expectation::Allow] {
            assert_eq!(check(&lean, &e).is_ok(), check(&full, &e).is_ok(), "{s:?}");
        }
    }
}

#[test]
fn the_index_leaves_out_what_cannot_apply() {
    let policies = policies();
    let ctx = EvalContext::default();
    let set = PolicySet::new(&policies, &ctx);
    let mut candidates = Vec::new();
    set.index.candidates(
        &sign_in("99999999-9999-9999-9999-999999999999"),
        &mut candidates,
    );
    // `all` and `filter`, on and report-only, granting and blocking: 2 × 2 × 2.
    assert_eq!(candidates.len(), 8);
    let action = SignIn {
        target: Some(Target::Action(SECURITY_INFO.into())),
        ..SignIn::default()
    };
    set.index.candidates(&action, &mut candidates);
    // Only enforced action policies: report-only ones are never evaluated.
    assert_eq!(candidates.len(), 2);
}

#[test]
fn a_policy_set_can_serve_several_threads() {
    fn sync<T: Sync + Send>(_: &T) {}
    let policies = policies();
    let ctx = EvalContext::default();
    sync(&PolicySet::new(&policies, &ctx));
}
