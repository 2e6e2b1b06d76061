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
    "E0004" => "clause outside a policy",
    "E0005" => "unknown escape in a string",
    "E0006" => "internal error in the parser",
    "E0100" => "unknown name",
    "E0101" => "name of the wrong kind",
    "E0102" => "malformed GUID",
    "E0103" => "name declared twice",
    "E0104" => "duplicate display name",
    "E0105" => "duplicate clause",
    "E0106" => "unknown value",
    "E0107" => "user needs resolving",
    "E0108" => "item in the wrong clause",
    "E0110" => "malformed sign-in frequency",
    "E0200" => "block combined with other controls",
    "E0201" => "mixed `and` and `or`",
    "E0202" => "mfa together with an authentication strength",
    "E0203" => "no target resources",
    "E0204" => "no grant and no session control",
    "E0205" => "included and excluded",
    "E0206" => "invalid filter rule",
    "E0207" => "beta-only clause",
    "E0208" => "policy could lock everyone out",
    "E0209" => "emergency access not excluded",
    "E0210" => "more than one kind of resource",
    "E0211" => "password change or risk remediation without its requirements",
    "E0212" => "persistent browser without all apps",
    "E0213" => "workload-identity policy rules",
    "E0214" => "users and service principals mixed",
    "E0215" => "register-device restrictions",
    "E0216" => "app controls on unsupported platforms",
    "E0217" => "device control on a device-code flow",
    "E0219" => "CAE disabled with narrowed conditions",
    "E0220" => "`allow no-exclusion` without a reason",
    "E0250" => "attribute facts in an assert",
    "E0300" => "invalid lock file",
    "E0310" => "unknown authentication method",
    "E0311" => "`allows` where no combinations can be given",
    "E0500" => "contradictory sign-in facts",
    "E0501" => "unknown expectation",
    "E0700" => "set declared twice",
    "E0701" => "unknown set",
    "E0702" => "sets contain each other",
    "E0703" => "more than one defaults block",
    "E0704" => "ignore defaults inside the defaults block",
    "E0705" => "set without a name, or where no list stands",
    "E0710" => "capol.toml cannot be read",
    "E0711" => "a value capol.toml cannot use",
    "E0400" => "import input cannot be read",
    "E0401" => "import input has the wrong shape",
    "E0402" => "imported value Graph would reject",
    "E0403" => "imported property capol cannot express",
    "E0404" => "beta-only property imported for v1.0",
    "E0405" => "unknown property in imported policy",
    "E0406" => "required property missing in imported policy",
    "E0407" => "two imported policies share a display name",
    "E0408" => "import would change a policy",
    "E0420" => "formatter would change the program",
    "W0001" => "empty file",
    "W0002" => "no emergency access declared",
    "W0003" => "report-only policy would reach emergency access",
    "W0004" => "user-action policy in report-only",
    "W0005" => "sign-in frequency outside the portal's range",
    "W0006" => "every-time sign-in frequency outside documented scenarios",
    "W0007" => "every location excluded",
    "W0008" => "approved client app alone is retired",
    "W0009" => "Microsoft Graph targeted alone",
    "W0010" => "token protection on an unsupported app",
    "W0011" => "keyword together with other targets",
    "W0012" => "scenario without expectations",
    "W0013" => "client app targeted",
    "W0020" => "`allow no-exclusion` allows nothing",
    "W0040" => "assert without expectations",
    "W0700" => "ignore defaults, but no defaults block",
    "W0400" => "empty unknown property ignored",
    "W0401" => "value read as Graph normalises it",
    "W0402" => "imported policy fails capol check",
    "W0403" => "list response has more pages",
    "W0404" => "property given twice",
}

/// The registered entry of a code (case-insensitive).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}
