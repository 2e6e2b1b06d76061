//! The registry of diagnostic codes: one line each, with the long explanation that
//! `capol explain CODE` prints (from `docs/errors/CODE.md`, compiled in).

pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

macro_rules! registry {
    ($($code:literal => $title:literal,)*) => {
        /// Every code capol can emit.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, title: $title, explanation: include_str!(concat!("../../docs/errors/", $code, ".md")) },)*
        ];
    };
}

registry! {
    "E0001" => "syntax error",
    "E0002" => "source file cannot be read",
    "E0003" => "source file too large",
}

/// The registered entry of a code (case-insensitive).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}
