//! Benchmark of the what-if evaluator: 10,000 generated sign-ins against 200 generated, varied
//! policies (every condition kind, grants, sessions, states), with the policies prepared once.
//!
//! In: nothing (the data is generated from a fixed seed). Out: criterion timings.

use capol::graph::model::{
    Applications, AuthenticationFlows, BuiltInControl, ClientAppType, ClientApplications,
    Conditions, Devices, Filter, FilterMode, FrequencyInterval, FrequencyUnit, GrantControls,
    Locations, Operator, Platform, Platforms, Policy, PolicyState, RiskLevel, SessionControls,
    SignInFrequency, StrengthRef, Users,
};
use capol::whatif::{
    AuthFlow, DeviceFact, EvalContext, GuestFact, GuestType, InsiderRisk, LocationFact, PolicySet,
    SignIn, Target, check, evaluate,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

/// A small deterministic generator (xorshift), so the data is the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn id(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:08x}-0000-4000-8000-000000000000")
}

const APPS: [&str; 6] = [
    "00000002-0000-0ff1-ce00-000000000000",
    "00000003-0000-0ff1-ce00-000000000000",
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    "11111111-1111-1111-1111-111111111111",
    "22222222-2222-2222-2222-222222222222",
];
const PLATFORMS: [Platform; 6] = [
    Platform::Android,
    Platform::Ios,
    Platform::Windows,
    Platform::MacOs,
    Platform::Linux,
    Platform::WindowsPhone,
];
const CLIENTS: [ClientAppType; 4] = [
    ClientAppType::Browser,
    ClientAppType::MobileAppsAndDesktopClients,
    ClientAppType::ExchangeActiveSync,
    ClientAppType::Other,
];
const RISKS: [RiskLevel; 4] = [
    RiskLevel::Low,
    RiskLevel::Medium,
    RiskLevel::High,
    RiskLevel::None,
];
const RULES: [&str; 4] = [
    r#"device.trustType -eq "ServerAD" -and device.isCompliant -eq True"#,
    r#"device.extensionAttribute1 -ne "SAW""#,
    r#"device.model -startsWith "Surface" -or device.operatingSystem -in ["Windows", "macOS"]"#,
    r#"-not (device.deviceOwnership -eq "Personal")"#,
];

fn policy(g: &mut Gen, n: usize) -> Policy {
    let mut users = Users::default();
    match g.below(5) {
        0 | 1 => users.include_users = vec!["All".into()],
        2 => users.include_groups = (0..1 + g.below(3)).map(|_| id("a", g.below(20))).collect(),
        3 => users.include_roles = vec!["62e90394-69f5-4237-9190-012177145e10".into()],
        _ => users.include_users = (0..2).map(|_| id("u", g.below(50))).collect(),
    }
    if g.chance(60) {
        users.exclude_groups = vec![id("a", 0)];
    }
    let mut c = Conditions {
        users: Some(users),
        ..Conditions::default()
    };
    c.applications = match g.below(8) {
        0 => Applications {
            include_user_actions: vec!["urn:user:registersecurityinfo".into()],
            ..Applications::default()
        },
        1 => Applications {
            include_authentication_context_class_references: vec![format!("c{}", 1 + g.below(3))],
            ..Applications::default()
        },
        2 => Applications {
            include_applications: vec!["Office365".into()],
            ..Applications::default()
        },
        3 | 4 => Applications {
            include_applications: vec![g.pick(&APPS).to_string()],
            exclude_applications: Vec::new(),
            ..Applications::default()
        },
        _ => Applications {
            include_applications: vec!["All".into()],
            exclude_applications: if g.chance(30) {
                vec![APPS[5].into()]
            } else {
                Vec::new()
            },
            ..Applications::default()
        },
    };
    if n.is_multiple_of(25) {
        c.users = None;
        c.applications = Applications {
            include_applications: vec!["All".into()],
            ..Applications::default()
        };
        c.client_applications = Some(ClientApplications {
            include_service_principals: vec!["ServicePrincipalsInMyTenant".into()],
            ..ClientApplications::default()
        });
    }
    c.client_app_types = if g.chance(25) {
        vec![*g.pick(&CLIENTS), *g.pick(&CLIENTS)]
    } else {
        vec![ClientAppType::All]
    };
    if g.chance(30) {
        c.platforms = Some(if g.chance(50) {
            Platforms {
                include_platforms: vec![Platform::All],
                exclude_platforms: vec![*g.pick(&PLATFORMS)],
            }
        } else {
            Platforms {
                include_platforms: vec![*g.pick(&PLATFORMS), *g.pick(&PLATFORMS)],
                ..Platforms::default()
            }
        });
    }
    if g.chance(30) {
        c.locations = Some(if g.chance(50) {
            Locations {
                include_locations: vec!["All".into()],
                exclude_locations: vec!["AllTrusted".into()],
            }
        } else {
            Locations {
                include_locations: vec![id("l", g.below(4))],
                ..Locations::default()
            }
        });
    }
    if g.chance(20) {
        let mode = if g.chance(50) {
            FilterMode::Include
        } else {
            FilterMode::Exclude
        };
        c.devices = Some(Devices {
            device_filter: Some(Filter {
                mode,
                rule: g.pick(&RULES).to_string(),
            }),
            ..Devices::default()
        });
    }
    if g.chance(15) {
        c.sign_in_risk_levels = vec![RiskLevel::High, RiskLevel::Medium];
    }
    if g.chance(10) {
        c.user_risk_levels = vec![RiskLevel::High];
    }
    if g.chance(5) {
        c.insider_risk_levels = Some("elevated".into());
    }
    if g.chance(5) {
        c.authentication_flows = Some(AuthenticationFlows {
            transfer_methods: "deviceCodeFlow".into(),
        });
    }
    let grant = match g.below(6) {
        0 => GrantControls {
            built_in_controls: vec![BuiltInControl::Block],
            ..GrantControls::default()
        },
        1 => GrantControls {
            operator: Operator::Or,
            built_in_controls: vec![
                BuiltInControl::CompliantDevice,
                BuiltInControl::DomainJoinedDevice,
                BuiltInControl::Mfa,
            ],
            ..GrantControls::default()
        },
        2 => GrantControls {
            operator: Operator::And,
            built_in_controls: vec![BuiltInControl::Mfa, BuiltInControl::CompliantDevice],
            ..GrantControls::default()
        },
        3 => GrantControls {
            authentication_strength: Some(StrengthRef {
                id: format!("00000000-0000-0000-0000-00000000000{}", 2 + g.below(3)),
            }),
            ..GrantControls::default()
        },
        _ => GrantControls {
            built_in_controls: vec![BuiltInControl::Mfa],
            ..GrantControls::default()
        },
    };
    let session = g.chance(20).then(|| SessionControls {
        sign_in_frequency: Some(SignInFrequency {
            is_enabled: true,
            value: Some(1 + g.below(24) as u32),
            kind: Some(FrequencyUnit::Hours),
            frequency_interval: FrequencyInterval::TimeBased,
            authentication_type: None,
        }),
        ..SessionControls::default()
    });
    Policy {
        display_name: format!("CA{n:03} generated"),
        description: None,
        state: *g.pick(&[
            PolicyState::Enabled,
            PolicyState::Enabled,
            PolicyState::ReportOnly,
            PolicyState::Disabled,
        ]),
        conditions: c,
        grant_controls: Some(grant),
        session_controls: session,
    }
}

fn sign_in(g: &mut Gen) -> SignIn {
    let mut s = SignIn {
        user: g.chance(90).then(|| id("u", g.below(50))),
        groups: (0..g.below(4)).map(|_| id("a", g.below(20))).collect(),
        roles: if g.chance(10) {
            vec!["62e90394-69f5-4237-9190-012177145e10".into()]
        } else {
            Vec::new()
        },
        guest: g.chance(10).then(|| GuestFact {
            types: vec![GuestType::B2bCollaborationGuest],
            external_tenant: None,
        }),
        target: Some(match g.below(10) {
            0 => Target::Action("urn:user:registersecurityinfo".into()),
            1 => Target::Context(format!("c{}", 1 + g.below(3))),
            _ => Target::App(g.pick(&APPS).to_string()),
        }),
        platform: g.chance(85).then(|| *g.pick(&PLATFORMS)),
        client: g.chance(85).then(|| *g.pick(&CLIENTS)),
        location: g.chance(85).then(|| {
            if g.chance(50) {
                LocationFact::Untrusted
            } else {
                LocationFact::Named(id("l", g.below(4)))
            }
        }),
        sign_in_risk: g.chance(80).then(|| *g.pick(&RISKS)),
        user_risk: g.chance(80).then(|| *g.pick(&RISKS)),
        insider_risk: g
            .chance(80)
            .then(|| *g.pick(&[InsiderRisk::None, InsiderRisk::Minor, InsiderRisk::Elevated])),
        auth_flow: g
            .chance(80)
            .then(|| *g.pick(&[AuthFlow::None, AuthFlow::DeviceCodeFlow])),
        ..SignIn::default()
    };
    s.device = match g.below(4) {
        0 => None,
        1 => Some(DeviceFact::Unregistered),
        _ => Some(DeviceFact::Attributes(
            [
                ("trustType", *g.pick(&["AzureAD", "ServerAD", "Workplace"])),
                ("isCompliant", *g.pick(&["True", "False"])),
                ("model", *g.pick(&["Surface Pro", "ThinkPad", "iPhone"])),
                ("operatingSystem", *g.pick(&["Windows", "iOS", "macOS"])),
                ("extensionAttribute1", *g.pick(&["SAW", "laptop"])),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        )),
    };
    if g.chance(5) {
        s = SignIn {
            service_principal: Some(id("s", g.below(5))),
            target: Some(Target::App(APPS[4].into())),
            ..SignIn::default()
        };
    }
    s
}

fn data() -> (Vec<Policy>, Vec<SignIn>, EvalContext) {
    let mut g = Gen(0x5eed_cafe_f00d_d00d);
    let policies: Vec<Policy> = (0..200).map(|n| policy(&mut g, n)).collect();
    let sign_ins: Vec<SignIn> = (0..10_000).map(|_| sign_in(&mut g)).collect();
    let ctx = EvalContext {
        trusted_locations: [id("l", 0), id("l", 1)].into(),
        ..EvalContext::default()
    };
    (policies, sign_ins, ctx)
}

fn bench(c: &mut Criterion) {
    let (policies, sign_ins, ctx) = data();
    let mut group = c.benchmark_group("whatif");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("10k sign-ins x 200 policies (prepared once)", |b| {
        b.iter(|| {
            let set = PolicySet::new(&policies, &ctx);
            let mut applying = 0usize;
            for s in &sign_ins {
                let ev = set.evaluate(black_box(s));
                applying += ev.results.iter().filter(|r| r.applies()).count();
            }
            applying
        })
    });
    group.bench_function("10k sign-ins x 200 policies + expect require mfa", |b| {
        let expected = capol::whatif::Expectation::Require(capol::whatif::ControlExpr::single(
            capol::whatif::Control::Mfa,
        ));
        b.iter(|| {
            let set = PolicySet::new(&policies, &ctx);
            sign_ins
                .iter()
                .filter(|s| check(&set.evaluate(black_box(s)), &expected).is_ok())
                .count()
        })
    });
    group.bench_function(
        "1k sign-ins x 200 policies (evaluate, preparing every time)",
        |b| {
            b.iter(|| {
                sign_ins
                    .iter()
                    .take(1000)
                    .map(|s| evaluate(&policies, &ctx, black_box(s)).results.len())
                    .sum::<usize>()
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
