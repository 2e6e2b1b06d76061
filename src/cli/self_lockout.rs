//! Before `deploy` writes: would the plan lock out the identity that runs it?
//!
//! In: the connection (whose token's claims say who is signed in: `oid`, `idtyp`; the token
//! itself is never shown), the compiled sources, the tenant's policies, the prune setting and
//! `--allow-self-lockout`. Out: nothing when the identity keeps a way in; `E0252` (deploy
//! refused, exit 3) when every browser and modern-client sign-in of it to Microsoft Graph and
//! the admin portals would be blocked; `W0041` for each control newly required of it there;
//! `W0043` when `--allow-self-lockout` lets such a deploy through; `W0042` when who is signed in, or what they are a member of, cannot be known (not checked).

use super::Exit;
use super::output;
use crate::analyze::self_access::{self, Identity, SelfAccess};
use crate::driver::Compilation;
use crate::graph::connect::Connection;
use serde_json::Value;

fn warn(code: &str, msg: impl std::fmt::Display) {
    eprintln!("warning: [{code}] {msg}");
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("      {l}\n")).collect()
}

fn not_checked(why: impl std::fmt::Display) {
    warn(
        "W0042",
        format!("self-lockout not checked: {why}; make sure you keep a way into the tenant"),
    );
}

/// Who is signed in, with the memberships the policies can name. `Err(why)` when it cannot be
/// known.
fn identity(rt: &tokio::runtime::Runtime, conn: &Connection) -> Result<Identity, String> {
    let who = rt
        .block_on(conn.client.token_identity())
        .map_err(|e| format!("the access token could not be read ({e})"))?
        .ok_or("the access token names no object (`oid`), so who is signed in is unknown")?;
    if who.app {
        return Ok(Identity::ServicePrincipal { id: who.object_id });
    }
    let id = who.object_id;
    let answers = rt
        .block_on(conn.client.memberships(std::slice::from_ref(&id)))
        .map_err(|e| format!("the signed-in user's groups and roles could not be read ({e})"))?;
    let m = match answers.into_iter().next() {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            return Err(format!(
                "the signed-in user's groups and roles could not be read ({e})"
            ));
        }
        None => return Err("Graph gave no answer for the signed-in user's groups".into()),
    };
    let user = rt
        .block_on(
            conn.client
                .get_optional(&format!("/users/{id}?$select=id,userType")),
        )
        .ok()
        .flatten();
    let guest = user
        .as_ref()
        .and_then(|u| u.get("userType"))
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("guest"));
    Ok(Identity::User {
        id,
        groups: m.groups,
        roles: m.roles,
        guest,
    })
}

/// Refuses (`Err(Exit::Tenant)`) a deploy that would lock the signed-in identity out, unless
/// `allow`; warns about every control newly required of it.
pub fn check(
    rt: &tokio::runtime::Runtime,
    conn: &Connection,
    c: &Compilation,
    tenant: &[Value],
    prune: bool,
    allow: bool,
) -> Result<(), Exit> {
    let who = match identity(rt, conn) {
        Ok(w) => w,
        Err(why) => {
            not_checked(why);
            return Ok(());
        }
    };
    let (before, after) = match super::plan_impact::before_after(c, tenant, prune) {
        Ok(x) => x,
        Err((name, e)) => {
            not_checked(format!("the tenant policy `{name}` cannot be read ({e})"));
            return Ok(());
        }
    };
    let ctx = crate::suite::context(c);
    let result: SelfAccess = match self_access::check(&before, &after, &ctx, &who) {
        Ok(r) => r,
        Err(e) => {
            not_checked(format!("the policies cannot be analysed exactly ({})", e.0));
            return Ok(());
        }
    };
    let me = who.describe(&ctx);
    if let Some(l) = &result.lockout {
        let names: Vec<String> = l.policies.iter().map(|p| format!("`{p}`")).collect();
        let msg = format!(
            "this deploy would lock you ({me}, who is signed in) out: every browser and modern-client sign-in to Microsoft Graph and the admin portals would be blocked, by {}",
            names.join(", ")
        );
        if allow {
            warn(
                "W0043",
                format!("{msg}; deploying anyway (--allow-self-lockout)"),
            );
            eprint!("{}", indent(&l.scenario));
        } else {
            output::error(format!("[E0252] {msg}; nothing was written"));
            eprintln!("  a sign-in that would be blocked:");
            eprint!("{}", indent(&l.scenario));
            eprintln!(
                "help: exclude yourself or an emergency-access group from the blocking policy, deploy it in report-only mode first, or pass --allow-self-lockout if this is intended"
            );
            return Err(Exit::Tenant);
        }
    }
    for r in &result.new_requirements {
        warn(
            "W0041",
            format!(
                "`{}` newly requires {} of you ({me}, who is signed in) in sign-ins to Microsoft Graph or the admin portals, such as:",
                r.policy, r.requires
            ),
        );
        eprint!("{}", indent(&r.scenario));
    }
    Ok(())
}
