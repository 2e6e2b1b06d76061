//! Known-bad inputs and the exact first diagnostic each must give: code, line and column of
//! its primary label, and message. The table pins the wording of capol's most common mistakes
//! (a newcomer's typos, words from the portal, missing commas and quotes, cascades), so that a
//! message that names its fix never silently regresses into a generic one. Every case also
//! proves the ordering rule: no warning is printed before an error.
//!
//! To add a case, append a row; the failure message prints what capol said instead.

use crate::support::compile::{self as support};

struct Case {
    what: &'static str,
    source: &'static str,
    code: &'static str,
    at: (usize, usize),
    message: &'static str,
}

const fn case(
    what: &'static str,
    source: &'static str,
    code: &'static str,
    at: (usize, usize),
    message: &'static str,
) -> Case {
    Case {
        what,
        source,
        code,
        at,
        message,
    }
}

const CASES: &[Case] = &[
    case(
        "a typo in the first word",
        "polcy \"A\"\n  for all users\n",
        "E0001",
        (1, 1),
        "unknown keyword `polcy`",
    ),
    case(
        "a typo in a clause keyword",
        "policy \"A\"\n  requre mfa\n  for all apps\n",
        "E0001",
        (2, 3),
        "unknown keyword `requre`",
    ),
    case(
        "a word from the portal: state",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  state enabled\n",
        "E0001",
        (8, 3),
        "capol has no `state` clause",
    ),
    case(
        "a word from the portal: include",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  include all users\n",
        "E0001",
        (4, 3),
        "capol has no `include` clause",
    ),
    case(
        "a word from Graph: grant",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  grant mfa\n",
        "E0001",
        (7, 3),
        "capol has no `grant` clause",
    ),
    case(
        "requires for require",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  requires mfa\n",
        "E0001",
        (7, 3),
        "capol has no `requires` clause",
    ),
    case(
        "deny for block",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  deny\n",
        "E0001",
        (7, 3),
        "capol has no `deny` clause",
    ),
    case(
        "if for when",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  if platform ios\n  block\n",
        "E0001",
        (7, 3),
        "capol has no `if` clause",
    ),
    case(
        "name as a clause",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  name \"x\"\n",
        "E0001",
        (7, 3),
        "capol has no `name` clause",
    ),
    case(
        "a typo after a declaration",
        "group A = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\ngroupp B = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d12\n",
        "E0001",
        (2, 1),
        "unknown keyword `groupp`",
    ),
    case(
        "missing comma in a list",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for group BreakGlass Admins\n  for all apps\n  require mfa\n",
        "E0001",
        (4, 24),
        "`Admins` follows `BreakGlass` without a comma",
    ),
    case(
        "a list ending with a comma",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users,\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0001",
        (4, 16),
        "the list ends with a comma",
    ),
    case(
        "a comma before the end of the file",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  when platform ios,",
        "E0001",
        (8, 20),
        "the list ends with a comma",
    ),
    case(
        "exclude with nothing after it",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude\n  for all apps\n  require mfa\n",
        "E0001",
        (5, 3),
        "`exclude` has nothing after it",
    ),
    case(
        "for with nothing after it",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for\n  for all apps\n  require mfa\n",
        "E0001",
        (4, 3),
        "`for` has nothing after it",
    ),
    case(
        "require with nothing after it",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require\n  mode report-only\n",
        "E0001",
        (7, 3),
        "`require` has nothing after it",
    ),
    case(
        "mode with nothing after it",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  mode\n",
        "E0001",
        (8, 3),
        "`mode` has nothing after it",
    ),
    case(
        "mode report only",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  mode report only\n",
        "E0001",
        (8, 15),
        "a mode is one word",
    ),
    case(
        "mode enabled",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  mode enabled\n",
        "E0106",
        (8, 8),
        "unknown mode `enabled`",
    ),
    case(
        "mode reportonly",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  mode reportonly\n",
        "E0106",
        (8, 8),
        "unknown mode `reportonly`",
    ),
    case(
        "for users All",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for users All\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0100",
        (4, 13),
        "unknown user `All`",
    ),
    case(
        "for apps all",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for apps All\n  require mfa\n",
        "E0100",
        (6, 12),
        "unknown app `All`",
    ),
    case(
        "an unquoted policy name",
        "policy A\n  for all users\n",
        "E0001",
        (1, 8),
        "the name of a policy is quoted",
    ),
    case(
        "an unquoted description",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  description Hello\n",
        "E0001",
        (8, 15),
        "a description is quoted",
    ),
    case(
        "an unterminated string",
        "policy \"A\n  for all users\n",
        "E0001",
        (1, 8),
        "unterminated string",
    ),
    case(
        "an unknown escape",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  description \"C:\\docs\"\n",
        "E0005",
        (8, 18),
        "unknown escape `\\d` in a string",
    ),
    case(
        "a comma between grant controls",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa, compliant-device\n",
        "E0001",
        (7, 14),
        "grant controls are joined with `and` or `or`, not `,`",
    ),
    case(
        "&& between grant controls",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa && compliant-device\n",
        "E0001",
        (7, 15),
        "grant controls are joined with `and` or `or`, not `&&`",
    ),
    case(
        "or at the end",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa or\n",
        "E0001",
        (7, 15),
        "`or` has nothing after it",
    ),
    case(
        "require plus block",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  block\n",
        "E0105",
        (8, 3),
        "a policy takes one grant clause (`block` or `require`)",
    ),
    case(
        "two require clauses",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  require compliant-device\n",
        "E0105",
        (8, 3),
        "a policy takes one grant clause (`block` or `require`)",
    ),
    case(
        "require mfa and block",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa and block\n",
        "E0200",
        (7, 19),
        "`block` cannot be required together with other controls",
    ),
    case(
        "mixed and and or",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa and compliant-device or domain-joined-device\n",
        "E0201",
        (7, 36),
        "`and` and `or` are mixed in one grant clause",
    ),
    case(
        "mfa with a strength",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa and strength phishing-resistant-mfa\n",
        "E0202",
        (7, 11),
        "`mfa` and an authentication strength are required together",
    ),
    case(
        "a typo in a grant control",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfaa\n",
        "E0106",
        (7, 11),
        "unknown grant control `mfaa`",
    ),
    case(
        "a typo in a kind word",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude gorup BreakGlass\n  for all apps\n  require mfa\n",
        "E0001",
        (5, 11),
        "unknown kind `gorup`",
    ),
    case(
        "a typo in an app",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for app AzureServiceManagment\n  require mfa\n",
        "E0100",
        (6, 11),
        "unknown app `AzureServiceManagment`",
    ),
    case(
        "a typo in a group",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlas\n  for all apps\n  require mfa\n",
        "E0100",
        (5, 17),
        "unknown group `BreakGlas`",
    ),
    case(
        "a typo in a role",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for role GlobalAdministator\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0100",
        (4, 12),
        "unknown role `GlobalAdministator`",
    ),
    case(
        "an app named as a role",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for role AzureServiceManagement\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0101",
        (4, 12),
        "`AzureServiceManagement` is an app, not a role",
    ),
    case(
        "a typo in a platform",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  when platform windos\n  require mfa\n",
        "E0106",
        (7, 17),
        "unknown platform `windos`",
    ),
    case(
        "a typo in a risk level",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  when sign-in-risk hihg\n  require mfa\n",
        "E0106",
        (7, 21),
        "unknown risk level `hihg`",
    ),
    case(
        "a platform without a value",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  when platform\n  require mfa\n",
        "E0001",
        (7, 8),
        "`platform` needs a value",
    ),
    case(
        "a group without a name",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users exclude group\n  for all apps\n  require mfa\n",
        "E0001",
        (4, 25),
        "`group` needs a value",
    ),
    case(
        "a name without a kind",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for Admins\n  for all apps\n  require mfa\n",
        "E0001",
        (4, 7),
        "`Admins` has no kind word",
    ),
    case(
        "no target resources",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  require mfa\n",
        "E0203",
        (3, 8),
        "policy `A` targets no resources",
    ),
    case(
        "no grant",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  mode report-only\n",
        "E0204",
        (3, 8),
        "policy `A` has no grant and no session control",
    ),
    case(
        "included and excluded",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for group BreakGlass\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0205",
        (5, 11),
        "the same target is both included and excluded",
    ),
    case(
        "emergency not excluded",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  for all apps\n  require mfa\n  mode on\n",
        "E0208",
        (3, 8),
        "policy `A` could lock everyone out of all apps",
    ),
    case(
        "emergency without a kind",
        "emergency BreakGlass\n",
        "E0001",
        (1, 11),
        "an emergency declaration names its kind",
    ),
    case(
        "emergency as a role",
        "emergency role GlobalAdministrator\n",
        "E0106",
        (1, 11),
        "an emergency principal is a user or a group, not a role",
    ),
    case(
        "a declaration without =",
        "group BreakGlass 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n",
        "E0001",
        (1, 18),
        "a declaration needs `=` between the name and the value",
    ),
    case(
        "a quoted name declaration without =",
        "group \"Break Glass\" 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\n",
        "E0001",
        (1, 21),
        "a declaration needs `=` between the name and the value",
    ),
    case(
        "a quoted GUID",
        "group BreakGlass = \"0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\"\n",
        "E0106",
        (1, 20),
        "group `BreakGlass` cannot be declared as `0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11`",
    ),
    case(
        "a GUID without dashes",
        "group BreakGlass = 0b1d2b8e6f554a1c9a3e3f6f1b0c9d11\n",
        "E0102",
        (1, 20),
        "`0b1d2b8e6f554a1c9a3e3f6f1b0c9d11` is not a well-formed GUID",
    ),
    case(
        "a short GUID",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d1\n",
        "E0102",
        (1, 20),
        "`0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d1` is not a well-formed GUID",
    ),
    case(
        "a name declared twice",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\ngroup BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d12\n",
        "E0103",
        (2, 7),
        "group `BreakGlass` is declared twice",
    ),
    case(
        "two policies with one name",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0104",
        (8, 8),
        "two policies are named `A`",
    ),
    case(
        "a clause before the first header",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\nrequire mfa\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0004",
        (3, 1),
        "clauses stand before the first `policy` header",
    ),
    case(
        "a clause after a scenario",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  app ExchangeOnline\n  expect require mfa\nblock\n",
        "E0004",
        (11, 1),
        "`block` clause after a scenario",
    ),
    case(
        "a malformed sign-in frequency",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  session sign-in-frequency 4 weeks\n",
        "E0110",
        (7, 31),
        "malformed sign-in frequency",
    ),
    case(
        "a session control without a value",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  session persistent-browser\n",
        "E0106",
        (7, 11),
        "session control `persistent-browser` needs a value",
    ),
    case(
        "an unknown session control",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  session sign-in-frequence 4 hours\n",
        "E0106",
        (7, 11),
        "unknown session control `sign-in-frequence`",
    ),
    case(
        "a bad filter rule",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for apps where \"app.id -eq\"\n  require mfa\n",
        "E0206",
        (6, 19),
        "invalid filter rule: `app.id` is not a custom security attribute",
    ),
    case(
        "an unknown expectation",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  app ExchangeOnline\n  expect blocked\n",
        "E0501",
        (10, 10),
        "unknown expectation `blocked`",
    ),
    case(
        "a scenario naming an unknown policy",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  app ExchangeOnline\n  expect applies \"B\"\n",
        "E0501",
        (10, 18),
        "no policy is named `B`",
    ),
    case(
        "two users in a scenario",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  user alice@contoso.com, bob@contoso.com\n  app ExchangeOnline\n  expect require mfa\n",
        "E0500",
        (9, 27),
        "a sign-in has one user",
    ),
    case(
        "a group of apps in a scenario",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  app Office365\n  expect require mfa\n",
        "E0106",
        (9, 7),
        "a sign-in is to one app, and `Office365` is a group of apps",
    ),
    case(
        "an unknown device attribute",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  app ExchangeOnline\n  device compliant true\n  expect require mfa\n",
        "E0106",
        (10, 10),
        "invalid attribute fact: unknown device attribute `device.compliant`",
    ),
    case(
        "a scenario with a syntax error",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\nscenario \"s\"\n  app ExchangeOnline\n  expect\n",
        "E0001",
        (10, 3),
        "`expect` has nothing after it",
    ),
    case(
        "a policy keyword as a name",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for group for\n  for all apps\n  require mfa\n",
        "E0001",
        (4, 13),
        "`for` has nothing after it",
    ),
    case(
        "a stray equals sign",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  mode = on\n",
        "E0001",
        (7, 8),
        "`mode` takes no `=`",
    ),
    case(
        "a location typo",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  when location all-trusted\n  require mfa\n",
        "E0100",
        (7, 17),
        "unknown location `all-trusted`",
    ),
    case(
        "a client app typo",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  when client browsr\n  require mfa\n",
        "E0106",
        (7, 15),
        "unknown client app type `browsr`",
    ),
    case(
        "policy name empty",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n",
        "E0106",
        (3, 8),
        "a policy needs a display name",
    ),
    case(
        "every location excluded cascades not",
        "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  when location all\n  exclude location all\n  require mfa\n",
        "E0001",
        (7, 17),
        "`all` is written before the kind word",
    ),
];

#[test]
fn known_bad_inputs_give_their_fix_naming_first_diagnostic() {
    assert!(
        CASES.len() >= 60,
        "the table keeps at least 60 known-bad inputs"
    );
    let mut failures = Vec::new();
    for c in CASES {
        let comp = support::compile(&[("t.capol", c.source)]);
        let items = &comp.diagnostics.items;
        let first = items.first().map(|d| {
            let at = support::located(&comp)
                .first()
                .map(|(_, l, col)| (*l, *col));
            (d.code, at, d.message.as_str())
        });
        if first != Some((c.code, Some(c.at), c.message)) {
            failures.push(format!(
                "{}: expected {} at {}:{} `{}`, got {first:?}\n{}",
                c.what,
                c.code,
                c.at.0,
                c.at.1,
                c.message,
                support::rendered(&comp)
            ));
        }
        if items
            .iter()
            .any(|d| d.help.as_deref().is_none_or(str::is_empty))
            && c.code == "E0001"
        {
            failures.push(format!("{}: a syntax error without help", c.what));
        }
        let first_warning = items.iter().position(|d| !d.is_error());
        let last_error = items.iter().rposition(|d| d.is_error());
        if let (Some(w), Some(e)) = (first_warning, last_error)
            && w < e
        {
            failures.push(format!("{}: a warning is printed before an error", c.what));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// One mistyped name in an exclusion gives one error: the safety rules do not judge the policy
/// as if the exclusion were empty (no W0003 or E0209 for the emergency group it names).
#[test]
fn a_failed_name_causes_no_safety_cascade() {
    for mode in ["report-only", "on"] {
        let source = format!(
            "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlass\npolicy \"A\"\n  for all users\n  exclude group BreakGlas\n  for all apps\n  require mfa\n  mode {mode}\n"
        );
        let comp = support::compile(&[("t.capol", &source)]);
        assert_eq!(
            support::located(&comp),
            [("E0100", 5, 17)],
            "{}",
            support::rendered(&comp)
        );
    }
    // An emergency declaration whose name does not resolve does not make every policy
    // "enforced with no emergency access declared" (W0002).
    let source = "group BreakGlass = 0b1d2b8e-6f55-4a1c-9a3e-3f6f1b0c9d11\nemergency group BreakGlas\npolicy \"A\"\n  for all users\n  exclude group BreakGlass\n  for all apps\n  require mfa\n  mode on\n";
    let comp = support::compile(&[("t.capol", source)]);
    assert_eq!(
        support::codes(&comp),
        ["E0100"],
        "{}",
        support::rendered(&comp)
    );
}

/// Errors come before warnings whatever their position in the file.
#[test]
fn errors_are_printed_before_warnings() {
    // An empty file (W0001) sorts before the other file, but its warning comes after the error.
    let bad = "policy \"B\"\n  for all users\n  for app AzureServiceManagment\n  require mfa\n";
    let comp = support::compile(&[("a.capol", ""), ("b.capol", bad)]);
    let codes = support::codes(&comp);
    assert_eq!(
        codes.first(),
        Some(&"E0100"),
        "{}",
        support::rendered(&comp)
    );
    assert!(
        codes.iter().skip(1).all(|c| c.starts_with('W')),
        "{codes:?}"
    );
    assert!(
        codes.len() > 1,
        "the warning of a.capol is still reported: {codes:?}"
    );
}
