//! The impact summary: what the sources' policies would do to the sign-ins of a log.
//!
//! In: compiled policies, then one [`Mapped`] sign-in (or [`Skip`]) at a time with its what-if
//! [`Evaluation`]. Out: an [`Impact`]: records read, evaluated and skipped (with reasons); per
//! policy the sign-ins and distinct users it would block or challenge, with samples as
//! scenarios, and the emergency-account sign-ins it would stop; the report-only results the
//! log recorded, per policy; and the sign-ins whose outcome changes. Memory grows with the
//! number of distinct users and policies, never with the number of sign-ins.

use super::map::{Mapped, Outcome, Skip};
use super::scenario;
use crate::graph::model::{BuiltInControl, Policy, PolicyState};
use crate::whatif::judge::Verdict as Judged;
use crate::whatif::{Evaluation, Reason, Verdict};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// What the replay reports besides the counts.
#[derive(Clone, Debug)]
pub struct ImpactOptions {
    /// Samples kept per policy and kind, and changed sign-ins kept.
    pub samples: usize,
    /// Emergency-access users and groups (object ids, lower case).
    pub emergency_users: Vec<String>,
    pub emergency_groups: Vec<String>,
    /// Count report-only policies as enforced when deciding whether an outcome changes
    /// (`--as-on`): "what if every policy were on".
    pub report_only_as_on: bool,
}

impl Default for ImpactOptions {
    fn default() -> Self {
        ImpactOptions {
            samples: 3,
            emergency_users: Vec::new(),
            emergency_groups: Vec::new(),
            report_only_as_on: false,
        }
    }
}

/// What a policy does when it applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grant {
    Block,
    Challenge,
    /// Session controls only.
    Nothing,
}

/// A policy's verdict for one sign-in, as the summary counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Applies,
    Unknown,
    Skipped,
}

#[derive(Clone, Debug, Default)]
struct Tally {
    sign_ins: u64,
    users: HashSet<u32>,
    samples: Vec<Value>,
    /// Challenges only: the sign-ins whose recorded methods already met the grant, and those
    /// they did not (the user would have been interrupted); the rest are not judged.
    satisfied: u64,
    interrupted: u64,
}

/// One sign-in of an emergency account that a policy would stop, or that failed it in
/// report-only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyHit {
    pub user: String,
    pub sign_in: Option<String>,
    pub time: Option<String>,
    /// `would block` (replayed) or `reportOnlyFailure` (recorded).
    pub why: String,
}

#[derive(Clone, Debug)]
struct PolicyImpact {
    name: Arc<str>,
    state: PolicyState,
    grant: Grant,
    needs_memberships: bool,
    needs_guest: bool,
    block: Tally,
    challenge: Tally,
    undetermined: u64,
    emergency: Vec<EmergencyHit>,
}

/// The report-only results a log recorded for one policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedCounts {
    pub success: u64,
    pub failure: u64,
    pub interrupted: u64,
    pub not_applied: u64,
    /// Emergency-account sign-ins recorded as `reportOnlyFailure`.
    pub emergency_failures: Vec<EmergencyHit>,
}

/// The summary of one replay.
#[derive(Clone, Debug)]
pub struct Impact {
    options: ImpactOptions,
    pub records: u64,
    pub evaluated: u64,
    pub skipped: u64,
    pub reasons: BTreeMap<String, u64>,
    policies: Vec<PolicyImpact>,
    by_name: HashMap<Arc<str>, usize>,
    /// Policy index of each `Evaluation::results` entry, from the last evaluation.
    order: Vec<Option<usize>>,
    /// Report-only results by the display name the log recorded.
    pub recorded: BTreeMap<String, RecordedCounts>,
    pub changed_total: u64,
    changed: Vec<Value>,
    users: HashMap<String, u32>,
}

fn grant_of(p: &Policy) -> Grant {
    match &p.grant_controls {
        Some(g) if g.built_in_controls.contains(&BuiltInControl::Block) => Grant::Block,
        Some(g)
            if !g.built_in_controls.is_empty()
                || !g.terms_of_use.is_empty()
                || !g.custom_authentication_factors.is_empty()
                || g.authentication_strength.is_some() =>
        {
            Grant::Challenge
        }
        _ => Grant::Nothing,
    }
}

impl Impact {
    pub fn new(policies: &[Policy], options: ImpactOptions) -> Impact {
        let mut out = Impact {
            options,
            records: 0,
            evaluated: 0,
            skipped: 0,
            reasons: BTreeMap::new(),
            policies: Vec::new(),
            by_name: HashMap::new(),
            order: Vec::new(),
            recorded: BTreeMap::new(),
            changed_total: 0,
            changed: Vec::new(),
            users: HashMap::new(),
        };
        for p in policies {
            let users = p.conditions.users.as_ref();
            let name: Arc<str> = Arc::from(p.display_name.as_str());
            out.by_name.insert(name.clone(), out.policies.len());
            out.policies.push(PolicyImpact {
                name,
                state: p.state,
                grant: grant_of(p),
                needs_memberships: users.is_some_and(|u| {
                    !(u.include_groups.is_empty()
                        && u.exclude_groups.is_empty()
                        && u.include_roles.is_empty()
                        && u.exclude_roles.is_empty())
                }),
                needs_guest: users.is_some_and(|u| {
                    u.include_guests_or_external_users.is_some()
                        || u.exclude_guests_or_external_users.is_some()
                }),
                block: Tally::default(),
                challenge: Tally::default(),
                undetermined: 0,
                emergency: Vec::new(),
            });
        }
        out
    }

    /// A record that could not be replayed.
    pub fn skip(&mut self, why: Skip) {
        self.records += 1;
        self.skipped += 1;
        *self.reasons.entry(why.0).or_default() += 1;
    }

    fn user_index(&mut self, who: &str) -> u32 {
        let n = self.users.len() as u32;
        *self.users.entry(who.to_lowercase()).or_insert(n)
    }

    fn is_emergency(&self, m: &Mapped) -> bool {
        let s = &m.sign_in;
        s.user
            .as_ref()
            .is_some_and(|u| self.options.emergency_users.contains(u))
            || s.groups
                .iter()
                .any(|g| self.options.emergency_groups.contains(g))
    }

    /// The policy index of result `i`, from the cached order or by name.
    fn policy_of(&mut self, i: usize, name: &Arc<str>) -> Option<usize> {
        if let Some(Some(k)) = self.order.get(i)
            && self
                .policies
                .get(*k)
                .is_some_and(|p| Arc::ptr_eq(&p.name, name) || p.name == *name)
        {
            return Some(*k);
        }
        let k = self.by_name.get(name).copied();
        if self.order.len() <= i {
            self.order.resize(i + 1, None);
        }
        self.order[i] = k;
        k
    }

    /// A replayed sign-in and its evaluation against the policies given to [`Impact::new`].
    pub fn add(&mut self, m: &Mapped, ev: &Evaluation) {
        self.records += 1;
        self.evaluated += 1;
        let user = self.user_index(&m.who);
        let emergency = self.is_emergency(m);
        let samples = self.options.samples;
        let as_on = self.options.report_only_as_on;
        let (mut blocks, mut unknown, mut challenges) = (Vec::new(), false, Vec::new());
        for (i, r) in ev.results.iter().enumerate() {
            let Some(k) = self.policy_of(i, &r.policy) else {
                continue;
            };
            let Some(p) = self.policies.get_mut(k) else {
                continue;
            };
            let mut class = match &r.verdict {
                Verdict::Applies => Class::Applies,
                Verdict::Unknown { .. } => Class::Unknown,
                Verdict::Skipped { .. } => Class::Skipped,
            };
            // Without the memberships (or the guest status), a policy that names groups or
            // roles (or guests) is undecided, unless a later condition rules it out anyway.
            let user_dependent =
                (p.needs_memberships && !m.memberships_known) || (p.needs_guest && !m.guest_known);
            if user_dependent
                && match &r.verdict {
                    Verdict::Skipped { reason, .. } => *reason == Reason::Users,
                    _ => true,
                }
            {
                class = Class::Unknown;
            }
            let enforced =
                p.state == PolicyState::Enabled || (as_on && p.state == PolicyState::ReportOnly);
            match (class, p.grant) {
                (Class::Unknown, _) => {
                    p.undetermined += 1;
                    unknown |= enforced;
                }
                (Class::Applies, Grant::Block) => {
                    p.block.sign_ins += 1;
                    p.block.users.insert(user);
                    if p.block.samples.len() < samples {
                        p.block.samples.push(sample(m, &p.name));
                    }
                    if emergency {
                        p.emergency.push(EmergencyHit {
                            user: m.who.clone(),
                            sign_in: m.id.clone(),
                            time: m.time.clone(),
                            why: "would block".into(),
                        });
                    }
                    if enforced {
                        blocks.push(p.name.to_string());
                    }
                }
                (Class::Applies, Grant::Challenge) => {
                    p.challenge.sign_ins += 1;
                    match ev
                        .grants
                        .iter()
                        .find(|g| Arc::ptr_eq(&g.policy, &r.policy) || g.policy == r.policy)
                        .map(|g| g.judgement.outcome)
                    {
                        Some(Judged::Satisfied) => p.challenge.satisfied += 1,
                        Some(Judged::Interrupt) => p.challenge.interrupted += 1,
                        Some(Judged::Unknown) | None => {}
                    }
                    p.challenge.users.insert(user);
                    if p.challenge.samples.len() < samples {
                        p.challenge.samples.push(sample(m, &p.name));
                    }
                    if enforced {
                        challenges.push(p.name.to_string());
                    }
                }
                _ => {}
            }
        }
        self.record_applied(m, emergency);
        let now = if !blocks.is_empty() {
            Some(Outcome::Block)
        } else if unknown {
            None
        } else if !challenges.is_empty() {
            Some(Outcome::Challenge)
        } else {
            Some(Outcome::Allow)
        };
        if let (Some(before), Some(now)) = (m.recorded, now)
            && before != now
        {
            self.changed_total += 1;
            if self.changed.len() < samples.max(1) * 10 {
                let by = if now == Outcome::Block {
                    blocks
                } else {
                    challenges
                };
                let expect = match (now, by.first()) {
                    (Outcome::Block, _) => "block".to_string(),
                    (Outcome::Allow, _) => "allow".to_string(),
                    (Outcome::Challenge, Some(p)) => format!("applies {}", scenario::quote(p)),
                    (Outcome::Challenge, None) => "allow".to_string(),
                };
                self.changed.push(json!({
                    "sign_in": m.id, "time": m.time, "user": m.who,
                    "recorded": before.word(), "now": now.word(), "by": by,
                    "scenario": scenario::render(m, &expect),
                }));
            }
        }
    }

    /// The report-only results the record carries, by policy name.
    fn record_applied(&mut self, m: &Mapped, emergency: bool) {
        for a in &m.applied {
            let slot = match a.result.as_str() {
                "reportOnlySuccess"
                | "reportOnlyFailure"
                | "reportOnlyInterrupted"
                | "reportOnlyNotApplied" => self.recorded.entry(a.name.clone()).or_default(),
                _ => continue,
            };
            match a.result.as_str() {
                "reportOnlySuccess" => slot.success += 1,
                "reportOnlyFailure" => {
                    slot.failure += 1;
                    if emergency {
                        slot.emergency_failures.push(EmergencyHit {
                            user: m.who.clone(),
                            sign_in: m.id.clone(),
                            time: m.time.clone(),
                            why: "reportOnlyFailure".into(),
                        });
                    }
                }
                "reportOnlyInterrupted" => slot.interrupted += 1,
                _ => slot.not_applied += 1,
            }
        }
    }

    /// Only what the log recorded (no sources, or `--from-tenant` without replay): a record
    /// counted and its report-only results read.
    pub fn add_recorded_only(&mut self, m: &Mapped) {
        self.records += 1;
        let emergency = self.is_emergency(m);
        self.record_applied(m, emergency);
    }

    /// The emergency-account evidence against a policy: replayed blocks and recorded failures.
    pub fn emergency_evidence(&self, policy: &str) -> Vec<EmergencyHit> {
        let mut out: Vec<EmergencyHit> = self
            .policies
            .iter()
            .filter(|p| &*p.name == policy)
            .flat_map(|p| p.emergency.iter().cloned())
            .collect();
        if let Some(r) = self.recorded.get(policy) {
            out.extend(r.emergency_failures.iter().cloned());
        }
        out
    }

    /// `{"records", "evaluated", "skipped": {"count", "reasons"}, "policies": [...],
    /// "changed": [...]}`.
    pub fn to_json(&self) -> Value {
        let recorded = |name: &str| {
            let r = self.recorded.get(name).cloned().unwrap_or_default();
            json!({
                "reportOnlySuccess": r.success,
                "reportOnlyFailure": r.failure,
                "reportOnlyInterrupted": r.interrupted,
                "reportOnlyNotApplied": r.not_applied,
            })
        };
        let tally = |t: &Tally| json!({"sign_ins": t.sign_ins, "users": t.users.len(), "samples": t.samples});
        let challenged = |t: &Tally| {
            json!({"sign_ins": t.sign_ins, "users": t.users.len(), "samples": t.samples,
                "satisfied": t.satisfied, "interrupted": t.interrupted})
        };
        let mut policies: Vec<Value> = self
            .policies
            .iter()
            .map(|p| {
                let mut emergency: Vec<Value> = p
                    .emergency
                    .iter()
                    .take(self.options.samples.max(1) * 10)
                    .map(hit)
                    .collect();
                if let Some(r) = self.recorded.get(&*p.name) {
                    emergency.extend(r.emergency_failures.iter().map(hit));
                }
                json!({
                    "policy": &*p.name,
                    "state": state_word(p.state),
                    "would_block": tally(&p.block),
                    "would_challenge": challenged(&p.challenge),
                    "undetermined": p.undetermined,
                    "recorded": recorded(&p.name),
                    "emergency": emergency,
                })
            })
            .collect();
        for (name, r) in &self.recorded {
            if self.by_name.contains_key(name.as_str()) {
                continue;
            }
            policies.push(json!({
                "policy": name,
                "state": "recorded",
                "would_block": null,
                "would_challenge": null,
                "recorded": recorded(name),
                "emergency": r.emergency_failures.iter().map(hit).collect::<Vec<_>>(),
            }));
        }
        json!({
            "records": self.records,
            "evaluated": self.evaluated,
            "skipped": {"count": self.skipped, "reasons": self.reasons},
            "policies": policies,
            "changed": self.changed,
            "changed_total": self.changed_total,
        })
    }

    /// The summary for people.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} sign-in record{}: {} evaluated, {} skipped\n",
            self.records,
            plural(self.records),
            self.evaluated,
            self.skipped
        );
        for (why, n) in &self.reasons {
            out.push_str(&format!("  skipped {n}: {why}\n"));
        }
        for p in &self.policies {
            out.push_str(&format!("\n{} ({})\n", p.name, state_word(p.state)));
            out.push_str(&format!(
                "  would block      {} sign-in{} of {} user{}\n",
                p.block.sign_ins,
                plural(p.block.sign_ins),
                p.block.users.len(),
                plural(p.block.users.len() as u64)
            ));
            out.push_str(&format!(
                "  would challenge  {} sign-in{} of {} user{}\n",
                p.challenge.sign_ins,
                plural(p.challenge.sign_ins),
                p.challenge.users.len(),
                plural(p.challenge.users.len() as u64)
            ));
            if p.challenge.satisfied + p.challenge.interrupted > 0 {
                out.push_str(&format!(
                    "    by the methods the log records: {} already satisfied, {} interrupted\n",
                    p.challenge.satisfied, p.challenge.interrupted
                ));
            }
            if p.undetermined > 0 {
                out.push_str(&format!(
                    "  undetermined     {} sign-in{} (facts the log does not give; `--snapshot` gives memberships)\n",
                    p.undetermined,
                    plural(p.undetermined)
                ));
            }
            if let Some(r) = self.recorded.get(&*p.name) {
                out.push_str(&recorded_text(r));
            }
            for e in self.emergency_evidence(&p.name) {
                out.push_str(&format!("  EMERGENCY ACCOUNT {}: {}\n", e.user, e.why));
            }
        }
        for (name, r) in &self.recorded {
            if !self.by_name.contains_key(name.as_str()) {
                out.push_str(&format!(
                    "\n{name} (recorded in the log, not in the sources)\n"
                ));
                out.push_str(&recorded_text(r));
                for e in &r.emergency_failures {
                    out.push_str(&format!("  EMERGENCY ACCOUNT {}: {}\n", e.user, e.why));
                }
            }
        }
        if self.changed_total > 0 {
            out.push_str(&format!(
                "\n{} sign-in{} change outcome against the log; the first as scenarios:\n",
                self.changed_total,
                plural(self.changed_total)
            ));
            for c in &self.changed {
                out.push('\n');
                out.push_str(c["scenario"].as_str().unwrap_or_default());
            }
        }
        out
    }
}

fn recorded_text(r: &RecordedCounts) -> String {
    format!(
        "  recorded         reportOnlySuccess {}, reportOnlyFailure {}, reportOnlyInterrupted {}, reportOnlyNotApplied {}\n",
        r.success, r.failure, r.interrupted, r.not_applied
    )
}

fn hit(e: &EmergencyHit) -> Value {
    json!({"user": e.user, "sign_in": e.sign_in, "time": e.time, "why": e.why})
}

fn sample(m: &Mapped, policy: &str) -> Value {
    json!({
        "sign_in": m.id, "time": m.time, "user": m.who,
        "scenario": scenario::render(m, &format!("applies {}", scenario::quote(policy))),
    })
}

fn state_word(s: PolicyState) -> &'static str {
    match s {
        PolicyState::Enabled => "on",
        PolicyState::Disabled => "off",
        PolicyState::ReportOnly => "report-only",
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
