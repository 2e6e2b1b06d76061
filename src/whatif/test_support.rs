//! Builders for the what-if tests: policies as the compiler emits them, and sign-ins.

use super::*;
use crate::graph::model::{
    Applications, BuiltInControl, Conditions, GrantControls, Operator, Policy, PolicyState,
    SessionControls, StrengthRef, Users,
};

pub const APP: &str = "11111111-1111-1111-1111-111111111111";
pub const EXO: &str = "00000002-0000-0ff1-ce00-000000000000";
pub const USER: &str = "aaaaaaaa-0000-0000-0000-000000000001";
pub const OTHER_USER: &str = "aaaaaaaa-0000-0000-0000-000000000002";
pub const GROUP: &str = "bbbbbbbb-0000-0000-0000-000000000001";
pub const BREAK_GLASS: &str = "bbbbbbbb-0000-0000-0000-000000000002";
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const HQ: &str = "cccccccc-0000-0000-0000-000000000001";
pub const BRANCH: &str = "cccccccc-0000-0000-0000-000000000002";
pub const SP: &str = "dddddddd-0000-0000-0000-000000000001";
pub const PHISH: &str = "00000000-0000-0000-0000-000000000004";
pub const PASSWORDLESS: &str = "00000000-0000-0000-0000-000000000003";

/// A policy under construction: enforced, all users, all apps, requires MFA.
pub struct B(pub Policy);

impl B {
    pub fn new(name: &str) -> B {
        B(Policy {
            display_name: name.into(),
            description: None,
            state: PolicyState::Enabled,
            conditions: Conditions {
                users: Some(Users {
                    include_users: vec!["All".into()],
                    ..Users::default()
                }),
                applications: Applications {
                    include_applications: vec!["All".into()],
                    ..Applications::default()
                },
                client_app_types: vec![ClientAppType::All],
                ..Conditions::default()
            },
            grant_controls: Some(GrantControls {
                operator: Operator::Or,
                built_in_controls: vec![BuiltInControl::Mfa],
                ..GrantControls::default()
            }),
            session_controls: None,
        })
    }
    pub fn state(mut self, state: PolicyState) -> B {
        self.0.state = state;
        self
    }
    pub fn report_only(self) -> B {
        self.state(PolicyState::ReportOnly)
    }
    pub fn users(mut self, f: impl FnOnce(&mut Users)) -> B {
        f(self.0.conditions.users.get_or_insert_with(Users::default));
        self
    }
    pub fn apps(mut self, f: impl FnOnce(&mut Applications)) -> B {
        f(&mut self.0.conditions.applications);
        self
    }
    pub fn cond(mut self, f: impl FnOnce(&mut Conditions)) -> B {
        f(&mut self.0.conditions);
        self
    }
    pub fn grant(mut self, operator: Operator, controls: &[BuiltInControl]) -> B {
        self.0.grant_controls = Some(GrantControls {
            operator,
            built_in_controls: controls.to_vec(),
            ..GrantControls::default()
        });
        self
    }
    pub fn block(self) -> B {
        self.grant(Operator::Or, &[BuiltInControl::Block])
    }
    pub fn strength(mut self, id: &str) -> B {
        self.0.grant_controls = Some(GrantControls {
            authentication_strength: Some(StrengthRef { id: id.into() }),
            ..GrantControls::default()
        });
        self
    }
    pub fn session(mut self, s: SessionControls) -> B {
        self.0.grant_controls = None;
        self.0.session_controls = Some(s);
        self
    }
    pub fn build(self) -> Policy {
        self.0
    }
}

/// A member user signing in to `app` with nothing else known.
pub fn sign_in(app: &str) -> SignIn {
    SignIn {
        user: Some(USER.into()),
        target: Some(Target::App(app.into())),
        ..SignIn::default()
    }
}

pub fn eval(policies: &[Policy], s: &SignIn) -> Evaluation {
    evaluate(policies, &EvalContext::default(), s)
}

/// The verdict of the only policy.
pub fn verdict_of(policy: B, s: &SignIn) -> Verdict {
    let ev = eval(&[policy.build()], s);
    ev.results
        .into_iter()
        .next()
        .map(|r| r.verdict)
        .unwrap_or(Verdict::Applies)
}

/// The reason of a skipped verdict, or `None`.
pub fn reason(v: &Verdict) -> Option<Reason> {
    match v {
        Verdict::Skipped { reason, .. } => Some(*reason),
        _ => None,
    }
}

pub fn missing(v: &Verdict) -> Vec<Fact> {
    match v {
        Verdict::Unknown { missing, .. } => missing.clone(),
        _ => Vec::new(),
    }
}

pub fn detail(v: &Verdict) -> String {
    match v {
        Verdict::Skipped { detail, .. } => detail.to_string(),
        Verdict::Unknown { detail, .. } => detail.clone(),
        Verdict::Applies => String::new(),
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
