//! Unit tests of the formatter: layout, comments, idempotence.

use super::format;

fn fmt(s: &str) -> String {
    match format(s) {
        Ok(t) => t,
        Err(d) => panic!("{:?}", d.items),
    }
}

#[test]
fn smoke() {
    let out = fmt("policy \"A\" require mfa for all users mode on # done\n");
    println!("{out}");
}
