//! Differential test of the analysis against the what-if evaluator, on generated policy sets
//! (a deterministic seeded generator): every counterexample fails its assert under the
//! evaluator, and every assert that holds also holds on 2000 random sign-ins of its region.

use super::tests::{compile, run};
use crate::whatif::{
    self, ClientAppType, EvalContext, Expectation, GuestFact, GuestType, LocationFact, Outcome,
    Platform, RiskLevel, SignIn, Target,
};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// A non-empty random subset.
    fn some<T: Clone>(&mut self, xs: &[T]) -> Vec<T> {
        let mut out: Vec<T> = xs.iter().filter(|_| self.chance(50)).cloned().collect();
        if out.is_empty() {
            out.push(self.pick(xs).clone());
        }
        out
    }
}

const GROUPS: [(&str, &str); 3] = [
    ("BreakGlass", "0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
    ("Sales", "1b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
    ("Pilot", "2b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11"),
];
const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const HQ: &str = "8c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10";
const BRANCH: &str = "9c6a1f02-3d4e-4a6b-9f11-2b9a0c7d5e10";
const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";
const AZURE: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
const OTHER_APP: &str = "5f1d0c3a-2b4e-4f8a-9c1d-7e2f3a4b5c99";
const PLATFORMS: [(&str, Platform); 4] = [
    ("windows", Platform::Windows),
    ("ios", Platform::Ios),
    ("android", Platform::Android),
    ("linux", Platform::Linux),
];
const CLIENTS: [(&str, ClientAppType); 4] = [
    ("browser", ClientAppType::Browser),
    ("mobile-desktop", ClientAppType::MobileAppsAndDesktopClients),
    ("exchange-activesync", ClientAppType::ExchangeActiveSync),
    ("other", ClientAppType::Other),
];

fn policy(r: &mut Rng, i: usize) -> String {
    let who = match r.below(4) {
        0 => "for all users".to_string(),
        1 => format!("for group {}", r.pick(&GROUPS[1..]).0),
        2 => "for role GlobalAdministrator".to_string(),
        _ => "for guests".to_string(),
    };
    let apps = *r.pick(&[
        "for all apps",
        "for app Office365",
        "for app AzureServiceManagement",
    ]);
    let mut text =
        format!("policy \"P{i}\"\n    {who}\n    {apps}\n    exclude group BreakGlass\n");
    if r.chance(40) {
        let ps: Vec<&str> = r.some(&PLATFORMS).iter().map(|p| p.0).collect();
        text += &format!("    when platform {}\n", ps.join(", "));
    }
    if r.chance(40) {
        let cs: Vec<&str> = r.some(&CLIENTS).iter().map(|c| c.0).collect();
        text += &format!("    when client {}\n", cs.join(", "));
    }
    if r.chance(25) {
        text += "    when location any\n    exclude location HQ\n";
    }
    if r.chance(20) {
        text += "    when sign-in-risk medium, high\n";
    }
    text += *r.pick(&[
        "    block\n",
        "    require mfa\n",
        "    require compliant-device\n",
        "    require mfa and compliant-device\n",
        "    require mfa or compliant-device\n",
        "    require strength phishing-resistant-mfa\n",
    ]);
    text += if r.chance(80) {
        "    mode on\n"
    } else {
        "    mode report-only\n"
    };
    text
}

/// An assert and what its region is, for sampling.
struct Region {
    groups: Vec<usize>,
    not_groups: Vec<usize>,
    admin: bool,
    platforms: Option<Vec<Platform>>,
    clients: Option<Vec<ClientAppType>>,
    member: bool,
    expect: Option<Expectation>,
}

fn assert_text(r: &mut Rng, i: usize) -> (String, Region) {
    let mut reg = Region {
        groups: Vec::new(),
        not_groups: Vec::new(),
        admin: r.chance(30),
        platforms: None,
        clients: None,
        member: r.chance(50),
        expect: None,
    };
    let mut text = format!("assert \"A{i}\"\n");
    if r.chance(40) {
        let g = r.below(GROUPS.len());
        reg.groups.push(g);
        text += &format!("    member-of group {}\n", GROUPS[g].0);
    }
    if reg.admin {
        text += "    member-of role GlobalAdministrator\n";
    }
    if r.chance(60) {
        let g = r.below(GROUPS.len());
        if !reg.groups.contains(&g) {
            reg.not_groups.push(g);
            text += &format!("    not member-of group {}\n", GROUPS[g].0);
        }
    }
    if reg.member {
        text += "    member\n";
    }
    if r.chance(40) {
        let ps = r.some(&PLATFORMS);
        text += &format!(
            "    platform {}\n",
            ps.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
        );
        reg.platforms = Some(ps.iter().map(|p| p.1).collect());
    }
    if r.chance(50) {
        let cs = r.some(&CLIENTS);
        text += &format!(
            "    client {}\n",
            cs.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
        );
        reg.clients = Some(cs.iter().map(|c| c.1).collect());
    }
    let (line, e) = match r.below(5) {
        0 => ("expect allow", Some(Expectation::Allow)),
        1 => ("expect block", Some(Expectation::Block)),
        2 => ("expect not block", None),
        3 => (
            "expect require mfa",
            Some(Expectation::Require(whatif::ControlExpr::single(
                whatif::Control::Mfa,
            ))),
        ),
        _ => (
            "expect require compliant-device",
            Some(Expectation::Require(whatif::ControlExpr::single(
                whatif::Control::CompliantDevice,
            ))),
        ),
    };
    text += &format!("    {line}\n");
    reg.expect = e;
    (text, reg)
}

fn sample(r: &mut Rng, reg: &Region) -> SignIn {
    let mut s = SignIn {
        user: Some("someone@example.com".into()),
        ..Default::default()
    };
    for (g, (_, id)) in GROUPS.iter().enumerate() {
        let on = reg.groups.contains(&g) || !reg.not_groups.contains(&g) && r.chance(30);
        if on {
            s.groups.push(id.to_string());
        }
    }
    if reg.admin || r.chance(20) {
        s.roles.push(GA.into());
    }
    if !reg.member && r.chance(50) {
        s.guest = Some(GuestFact {
            types: vec![*r.pick(&GuestType::ALL)],
            external_tenant: None,
        });
    }
    s.target = Some(Target::App(
        r.pick(&[EXCHANGE, AZURE, OTHER_APP]).to_string(),
    ));
    let all_p: Vec<Platform> = PLATFORMS
        .iter()
        .map(|p| p.1)
        .chain([Platform::MacOs, Platform::WindowsPhone, Platform::All])
        .collect();
    s.platform = Some(*r.pick(reg.platforms.as_deref().unwrap_or(&all_p)));
    let all_c: Vec<ClientAppType> = CLIENTS.iter().map(|c| c.1).collect();
    s.client = Some(*r.pick(reg.clients.as_deref().unwrap_or(&all_c)));
    s.location = Some(match r.below(3) {
        0 => LocationFact::Named(HQ.into()),
        1 => LocationFact::Named(BRANCH.into()),
        _ => LocationFact::Untrusted,
    });
    s.sign_in_risk = Some(*r.pick(&[
        RiskLevel::None,
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
    ]));
    s
}

fn holds_on(ev: &whatif::Evaluation, e: &Option<Expectation>) -> bool {
    match e {
        None => !matches!(ev.outcome, Outcome::Block { .. }),
        Some(x) => whatif::check(ev, x).is_ok(),
    }
}

#[test]
fn counterexamples_fail_and_proved_asserts_hold_on_random_sign_ins() {
    let mut checked = (0usize, 0usize);
    for seed in 1..=12u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let n = 3 + r.below(6);
        let mut src = String::from("group Sales2 = 4b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n");
        for i in 0..n {
            src += &policy(&mut r, i);
        }
        let mut regions = Vec::new();
        for i in 0..6 {
            let (text, reg) = assert_text(&mut r, i);
            src += &text;
            regions.push(reg);
        }
        let report = run(&src);
        let c = compile(&src);
        let policies = c.evaluable().unwrap_or_default();
        let ctx = EvalContext {
            trusted_locations: c.set.trusted_locations.clone(),
            names: c.set.names_by_id.clone(),
            ..Default::default()
        };
        for (i, a) in report.asserts.iter().enumerate() {
            assert!(a.error.is_none(), "seed {seed} {a:?}");
            if let Some(cx) = &a.counterexample {
                // The scenario, compiled beside the sources, fails under the evaluator.
                let with = compile(&format!("{src}\n{}", cx.scenario));
                let sc = with.set.scenarios.last();
                let Some(sc) = sc else {
                    panic!("seed {seed}: no scenario in {}", cx.scenario)
                };
                let ev = whatif::evaluate(&policies, &ctx, &sc.sign_in);
                assert!(
                    sc.expects
                        .iter()
                        .any(|e| whatif::check(&ev, &e.node).is_err()),
                    "seed {seed}: counterexample passes:\n{src}\n{}",
                    cx.scenario
                );
                checked.0 += 1;
            } else {
                assert!(a.holds, "seed {seed} {a:?}");
                for _ in 0..2000 {
                    let s = sample(&mut r, &regions[i]);
                    let ev = whatif::evaluate(&policies, &ctx, &s);
                    assert!(
                        holds_on(&ev, &regions[i].expect),
                        "seed {seed}: `{}` holds, but not for {s:?}: {}\n{src}",
                        a.name,
                        ev.outcome
                    );
                }
                checked.1 += 1;
            }
        }
    }
    // Both sides were exercised.
    assert!(checked.0 >= 10 && checked.1 >= 5, "{checked:?}");
}
