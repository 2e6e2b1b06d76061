//! The canonical layout: a syntax tree and its comments in, text out (rules in `fmt`'s
//! module documentation).

use super::comments::{Leading, Notes};
use super::{Node, is_member_of};
use crate::ast::{
    self, Clause, Control, Expect, Fact, GrantExpr, GrantOp, Item, Ref, SessionItem, Target,
    TargetKind, TargetValue,
};

/// Lines longer than this are broken (strings are never broken).
pub const WIDTH: usize = 100;
/// Clauses a one-line policy may have.
const ONE_LINE_CLAUSES: usize = 4;

pub(crate) fn print(file: &ast::File, notes: &Notes) -> String {
    let mut p = Printer {
        lines: Vec::new(),
        notes,
    };
    let widths = columns(file, notes);
    for (i, item) in file.items.iter().enumerate() {
        if i > 0 {
            let block = |it: &Item| {
                matches!(
                    it,
                    Item::Policy(_) | Item::Scenario(_) | Item::Assert(_) | Item::Defaults(_)
                )
            };
            if notes.blank_before.contains(&i) || block(item) || block(&file.items[i - 1]) {
                p.lines.push(String::new());
            }
        }
        p.leading(notes.leading(Node::Item(i)), 0, true);
        match item {
            Item::Declaration(d) => {
                let (kw, nw) = widths[i];
                let mut line = format!(
                    "{:<kw$} {:<nw$} = {}",
                    d.kind.node.keyword(),
                    ref_text(&d.name.node),
                    ref_text(&d.value.node)
                );
                if d.trusted.is_some() {
                    line.push_str(" trusted");
                }
                if !d.allows.is_empty() {
                    let combinations: Vec<String> = d
                        .allows
                        .iter()
                        .map(|c| {
                            let words: Vec<&str> = c.node.iter().map(|w| w.node.as_str()).collect();
                            words.join(" + ")
                        })
                        .collect();
                    line.push_str(" allows ");
                    line.push_str(&combinations.join(", "));
                }
                p.push(line, notes.trailing(Node::Item(i)));
            }
            Item::Emergency(e) => {
                let (kw, _) = widths[i];
                let refs: Vec<String> = e.principals.iter().map(|r| ref_text(&r.node)).collect();
                let line = format!(
                    "emergency {:<kw$} {}",
                    e.kind.node.keyword(),
                    refs.join(", ")
                );
                p.push(line, notes.trailing(Node::Item(i)));
            }
            Item::Policy(pol) => p.policy(i, pol),
            Item::Scenario(s) => p.scenario(i, s, "scenario"),
            Item::Assert(s) => p.scenario(i, s, "assert"),
            Item::Set(set) => {
                p.leading(notes.leading(Node::Clause(i, 0)), 0, false);
                let head = format!("set {} =", ref_text(&set.name.node));
                p.list(i, 0, &head, &set.items, 0, notes.trailing(Node::Item(i)));
            }
            Item::Defaults(d) => p.defaults(i, d),
        }
    }
    if !notes.dangling.is_empty() {
        if !p.lines.is_empty() && (notes.dangling_blank_before || ends_with_block(file)) {
            p.lines.push(String::new());
        }
        p.leading(&notes.dangling, 0, true);
        while p.lines.last().is_some_and(String::is_empty) {
            p.lines.pop();
        }
    }
    let mut out = String::new();
    for l in &p.lines {
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

fn ends_with_block(file: &ast::File) -> bool {
    matches!(
        file.items.last(),
        Some(Item::Policy(_) | Item::Scenario(_) | Item::Assert(_) | Item::Defaults(_))
    )
}

/// Column widths of each declaration or `emergency` line: the kind keyword and the name, the
/// widest of the run it belongs to (a run ends at a blank line or another kind of item).
fn columns(file: &ast::File, notes: &Notes) -> Vec<(usize, usize)> {
    let mut widths = vec![(0, 0); file.items.len()];
    let mut i = 0;
    while i < file.items.len() {
        let is_decl = matches!(file.items[i], Item::Declaration(_));
        let mut j = i + 1;
        while j < file.items.len()
            && !notes.blank_before.contains(&j)
            && matches!(file.items[j], Item::Declaration(_)) == is_decl
            && matches!(file.items[j], Item::Declaration(_) | Item::Emergency(_))
        {
            j += 1;
        }
        let mut kw = 0;
        let mut nw = 0;
        for item in &file.items[i..j] {
            match item {
                Item::Declaration(d) => {
                    kw = kw.max(d.kind.node.keyword().len());
                    nw = nw.max(ref_text(&d.name.node).chars().count());
                }
                Item::Emergency(e) => kw = kw.max(e.kind.node.keyword().len()),
                _ => {}
            }
        }
        for w in &mut widths[i..j] {
            *w = (kw, nw);
        }
        i = j;
    }
    widths
}

struct Printer<'n> {
    lines: Vec<String>,
    notes: &'n Notes,
}

impl Printer<'_> {
    fn push(&mut self, line: String, comment: Option<String>) {
        match comment {
            Some(c) => self.lines.push(format!("{line}  {c}")),
            None => self.lines.push(line),
        }
    }

    fn leading(&mut self, list: &[Leading], indent: usize, blanks: bool) {
        for l in list {
            self.lines.push(format!("{}{}", " ".repeat(indent), l.text));
            if blanks && l.blank_after {
                self.lines.push(String::new());
            }
        }
    }

    fn policy(&mut self, i: usize, p: &ast::Policy) {
        let indent = if p.name.is_some() { 4 } else { 0 };
        let mut item_comment = self.notes.trailing(Node::Item(i));
        if let Some(n) = &p.name {
            self.push(format!("policy {}", quote(&n.node)), item_comment.take());
        }
        let mut order: Vec<usize> = (0..p.clauses.len()).collect();
        order.sort_by_key(|&c| rank(&p.clauses[c].node));
        let flat: Vec<String> = order
            .iter()
            .map(|&c| clause_flat(&p.clauses[c].node))
            .collect();
        let mut keywords: Vec<&str> = p.clauses.iter().map(|c| c.node.keyword()).collect();
        keywords.sort_unstable();
        keywords.dedup();
        let commented = (0..p.clauses.len()).any(|c| {
            self.notes.has_any(Node::Clause(i, c))
                || clause_targets(&p.clauses[c].node)
                    .iter()
                    .enumerate()
                    .any(|(t, _)| self.notes.has_any(Node::Target(i, c, t)))
        });
        let one_line = flat.join(" ");
        if !p.clauses.is_empty()
            && p.clauses.len() <= ONE_LINE_CLAUSES
            && keywords.len() == p.clauses.len()
            && !commented
            && indent + width(&one_line) <= WIDTH
        {
            self.push(format!("{}{one_line}", " ".repeat(indent)), item_comment);
            return;
        }
        for (k, &c) in order.iter().enumerate() {
            let node = Node::Clause(i, c);
            self.leading(self.notes.leading(node), indent, false);
            let start = self.lines.len();
            self.clause(i, c, &p.clauses[c].node, indent);
            if k == 0
                && let (Some(extra), Some(first)) = (item_comment.take(), self.lines.get_mut(start))
            {
                first.push_str("  ");
                first.push_str(&extra);
            }
        }
    }

    /// The `defaults` block: its header, then one clause per line in the canonical order.
    fn defaults(&mut self, i: usize, d: &ast::Defaults) {
        self.push("defaults".to_string(), self.notes.trailing(Node::Item(i)));
        let mut order: Vec<usize> = (0..d.clauses.len()).collect();
        order.sort_by_key(|&c| rank(&d.clauses[c].node));
        for &c in &order {
            self.leading(self.notes.leading(Node::Clause(i, c)), 4, false);
            self.clause(i, c, &d.clauses[c].node, 4);
        }
    }

    /// `set NAME = …`: a list after `head`, like a clause's.
    fn list(
        &mut self,
        i: usize,
        c: usize,
        head: &str,
        ts: &[Target],
        indent: usize,
        own: Option<String>,
    ) {
        let own = join_comments(self.notes.trailing(Node::Clause(i, c)), own);
        let parts = target_texts(ts);
        let flat = format!("{head} {}", parts.join(", "));
        self.broken(i, c, head, parts, ",", ts, flat, indent, own);
    }

    /// One clause at `indent`, broken over lines when it is too long or carries comments.
    fn clause(&mut self, i: usize, c: usize, clause: &Clause, indent: usize) {
        let pad = " ".repeat(indent);
        let own = self.notes.trailing(Node::Clause(i, c));
        let flat = clause_flat(clause);
        let (head, parts, sep): (&str, Vec<String>, &str) = match clause {
            Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) => {
                (clause.keyword(), target_texts(ts), ",")
            }
            Clause::Require(g) => ("require", grant_parts(g), ""),
            Clause::Session(items) => ("session", items.iter().map(session_text).collect(), ","),
            _ => {
                self.push(format!("{pad}{flat}"), own);
                return;
            }
        };
        let targets = clause_targets(clause);
        self.broken(i, c, head, parts, sep, targets, flat, indent, own);
    }

    /// A list of `parts` after `head`: on one line when it fits and carries no inner comment,
    /// otherwise one part per line, indented 4 more.
    #[allow(clippy::too_many_arguments)]
    fn broken(
        &mut self,
        i: usize,
        c: usize,
        head: &str,
        parts: Vec<String>,
        sep: &str,
        targets: &[Target],
        flat: String,
        indent: usize,
        own: Option<String>,
    ) {
        let pad = " ".repeat(indent);
        let more = " ".repeat(indent + 4);
        let last = targets.len().saturating_sub(1);
        let inner_comments = (0..targets.len()).any(|t| {
            (t > 0 && !self.notes.leading(Node::Target(i, c, t)).is_empty())
                || (t < last && self.notes.trailing(Node::Target(i, c, t)).is_some())
        });
        let last_comment = if targets.is_empty() {
            None
        } else {
            self.notes.trailing(Node::Target(i, c, last))
        };
        let tail = join_comments(last_comment, own);
        if !inner_comments && indent + width(&flat) <= WIDTH {
            self.push(format!("{pad}{flat}"), tail);
            return;
        }
        let n = parts.len();
        for (k, part) in parts.iter().enumerate() {
            let comma = if k + 1 < n { sep } else { "" };
            let mut comment = if k < targets.len() && k < last {
                self.notes.trailing(Node::Target(i, c, k))
            } else {
                None
            };
            if k + 1 == n {
                comment = join_comments(comment, tail.clone());
            }
            if k == 0 {
                self.push(format!("{pad}{head} {part}{comma}"), comment);
            } else {
                if k < targets.len() {
                    self.leading(self.notes.leading(Node::Target(i, c, k)), indent + 4, false);
                }
                self.push(format!("{more}{part}{comma}"), comment);
            }
        }
    }

    fn scenario(&mut self, i: usize, s: &ast::Scenario, keyword: &str) {
        self.push(
            format!("{keyword} {}", quote(&s.name.node)),
            self.notes.trailing(Node::Item(i)),
        );
        let mut f = 0;
        while f < s.facts.len() {
            let node = Node::Fact(i, f);
            self.leading(self.notes.leading(node), 4, false);
            let mut text = fact_text(&s.facts[f].node);
            let mut comment = self.notes.trailing(node);
            let joins = matches!(s.facts[f].node, Fact::User(_))
                && s.facts.get(f + 1).is_some_and(|n| is_member_of(&n.node))
                && self.notes.leading(Node::Fact(i, f + 1)).is_empty();
            if joins {
                text.push(' ');
                text.push_str(&fact_text(&s.facts[f + 1].node));
                comment = join_comments(comment, self.notes.trailing(Node::Fact(i, f + 1)));
                f += 1;
            }
            self.push(format!("    {text}"), comment);
            f += 1;
        }
    }
}

fn join_comments(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The rank of a clause in the canonical order: what the policy does, to whom and what, under
/// which conditions, then session and mode, as LANGUAGE.md writes it
/// (`require mfa for app AzureServiceManagement exclude group BreakGlass mode report-only`).
fn rank(c: &Clause) -> u8 {
    match c {
        Clause::Description(_) => 0,
        Clause::Block | Clause::Require(_) => 1,
        Clause::For(_) => 2,
        Clause::Exclude(ts) => match ts.first().map(|t| t.kind.node) {
            Some(k) if is_condition(k) => 5,
            _ => 3,
        },
        Clause::When(_) => 4,
        Clause::Session(_) => 6,
        Clause::Mode(_) => 7,
        Clause::Allow { .. } => 8,
        Clause::IgnoreDefaults => 8,
    }
}

fn is_condition(k: TargetKind) -> bool {
    matches!(
        k,
        TargetKind::Platform
            | TargetKind::Location
            | TargetKind::Client
            | TargetKind::SignInRisk
            | TargetKind::UserRisk
            | TargetKind::ServicePrincipalRisk
            | TargetKind::InsiderRisk
            | TargetKind::AuthFlow
            | TargetKind::Device
            | TargetKind::AgentRisk
            | TargetKind::AgentContext
            | TargetKind::LegacyDeviceState
            | TargetKind::LegacyDevice
    )
}

fn clause_targets(c: &Clause) -> &[Target] {
    match c {
        Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) => ts,
        _ => &[],
    }
}

/// A clause on one line.
fn clause_flat(c: &Clause) -> String {
    match c {
        Clause::For(ts) | Clause::Exclude(ts) | Clause::When(ts) => {
            format!("{} {}", c.keyword(), target_texts(ts).join(", "))
        }
        Clause::Block => "block".into(),
        Clause::Require(g) => format!("require {}", grant_parts(g).join(" ")),
        Clause::Session(items) => format!(
            "session {}",
            items
                .iter()
                .map(session_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Clause::Mode(m) => format!("mode {}", m.node),
        Clause::Description(d) => format!("description {}", quote(&d.node)),
        Clause::Allow { what, reason } => format!("allow {} {}", what.node, quote(&reason.node)),
        Clause::IgnoreDefaults => "ignore defaults".into(),
    }
}

/// The items of a list; the kind word is written where the kind changes.
pub(crate) fn target_texts(ts: &[Target]) -> Vec<String> {
    let mut out = Vec::with_capacity(ts.len());
    for (k, t) in ts.iter().enumerate() {
        let kind = t.kind.node;
        // `set` is written before every set (`set Admins, set Emergency`): a bare name after a
        // set reads as a group or a role.
        let inherits = k > 0
            && kind != TargetKind::Set
            && matches!(t.value, TargetValue::Ref(_))
            && matches!(ts[k - 1].value, TargetValue::Ref(_))
            && ts[k - 1].kind.node == kind;
        out.push(match &t.value {
            TargetValue::All => format!("all {}", kind.plural()),
            TargetValue::Filter(rule) => format!("{} where {}", kind.plural(), rule_literal(rule)),
            TargetValue::Ref(r) if inherits => ref_text(&r.node),
            TargetValue::Ref(r) => format!("{} {}", kind.word(), ref_text(&r.node)),
            TargetValue::Nothing => kind.word().to_string(),
        });
    }
    out
}

/// The controls of a grant expression, each after the operator before it.
fn grant_parts(g: &GrantExpr) -> Vec<String> {
    let mut out = Vec::with_capacity(g.controls.len());
    for (k, c) in g.controls.iter().enumerate() {
        let text = match &c.node {
            Control::Builtin(w) => w.clone(),
            Control::Strength(r) => format!("strength {}", ref_text(&r.node)),
            Control::Terms(r) => format!("terms {}", ref_text(&r.node)),
        };
        match k.checked_sub(1).and_then(|o| g.ops.get(o)) {
            Some(op) => {
                let word = if op.node == GrantOp::And { "and" } else { "or" };
                out.push(format!("{word} {text}"));
            }
            None => out.push(text),
        }
    }
    out
}

fn session_text(s: &SessionItem) -> String {
    let mut out = s.name.node.clone();
    for a in &s.args {
        out.push(' ');
        out.push_str(&a.node);
    }
    out
}

fn fact_text(f: &Fact) -> String {
    match f {
        Fact::User(r) => format!("user {}", ref_text(&r.node)),
        Fact::MemberOf(ts) => format!("member-of {}", target_texts(ts).join(", ")),
        Fact::Simple { kind, values } => {
            let word = match kind.node {
                TargetKind::Guests => "guest",
                k => k.word(),
            };
            let vs: Vec<String> = values
                .iter()
                .map(|v| match (&v.node, kind.node) {
                    // A guest's home tenant, written as in policies.
                    (crate::ast::Ref::Guid(_), TargetKind::Guests) => {
                        format!("tenant {}", ref_text(&v.node))
                    }
                    _ => ref_text(&v.node),
                })
                .collect();
            format!("{word} {}", vs.join(", "))
        }
        Fact::Device(attrs) => {
            let vs: Vec<String> = attrs
                .iter()
                .map(|(k, v)| format!("{} {}", k.node, ref_text(&v.node)))
                .collect();
            format!("device {}", vs.join(", "))
        }
        Fact::Attributes {
            service_principal,
            attrs,
        } => {
            let vs: Vec<String> = attrs
                .iter()
                .map(|(k, v)| format!("{} {}", k.node, ref_text(&v.node)))
                .collect();
            let kw = if *service_principal {
                "service-principal-attributes"
            } else {
                "app-attributes"
            };
            format!("{kw} {}", vs.join(", "))
        }
        Fact::Did { what, values } if values.is_empty() => what.node.clone(),
        Fact::Did { what, values } => {
            let vs: Vec<String> = values.iter().map(|v| ref_text(&v.node)).collect();
            format!("{} {}", what.node, vs.join(", "))
        }
        Fact::Expect(e) => format!("expect {}", expect_text(e)),
        Fact::NotMemberOf(ts) => format!("not member-of {}", target_texts(ts).join(", ")),
        Fact::Member => "member".into(),
        Fact::AnyOtherApp => "app any other".into(),
    }
}

fn expect_text(e: &Expect) -> String {
    match e {
        Expect::Block => "block".into(),
        Expect::Allow => "allow".into(),
        Expect::Satisfied => "satisfied".into(),
        Expect::Interrupt => "interrupt".into(),
        Expect::Require(g) => format!("require {}", grant_parts(g).join(" ")),
        Expect::Applies(n) => format!("applies {}", quote(&n.node)),
        Expect::Skips(n) => format!("skips {}", quote(&n.node)),
        Expect::WouldApply(n) => format!("would-apply {}", quote(&n.node)),
        Expect::Session(s) => format!("session {}", session_text(s)),
        Expect::NotBlock => "not block".into(),
        Expect::Unknown(w) => w.node.clone(),
    }
}

/// A reference as written: bare words as they are, display names quoted.
pub(crate) fn ref_text(r: &Ref) -> String {
    match r {
        Ref::Quoted(s) => quote(s),
        Ref::Ident(s) | Ref::Guid(s) | Ref::BadGuid(s) | Ref::Upn(s) => s.clone(),
    }
}

/// A double-quoted string with `\"`, `\\`, `\n`, `\r` and `\t` escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A filter rule: single-quoted (raw) unless it holds a `'` or a line break.
pub(crate) fn rule_literal(s: &str) -> String {
    if s.contains(['\'', '\n', '\r']) {
        quote(s)
    } else {
        format!("'{s}'")
    }
}
