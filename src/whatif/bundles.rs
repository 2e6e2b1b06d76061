//! The app keyword groupings of Conditional Access, as data.
//!
//! In: an app id. Out: whether it belongs to the `Office365` or `MicrosoftAdminPortals` keyword,
//! or to the Windows Azure Service Management API grouping. Microsoft's pages ("Conditional Access:
//! Target resources" and "Apps included in Conditional Access Office 365 app suite") list the
//! members by display name only; the ids below are those of `symbols/data/well-known-apps.json`
//! whose names match an entry of those lists. Members without a known id are described in
//! `docs/what-if.md`; a sign-in to one of them is not matched by the keyword here.

/// Members of `Office365` with a known app id.
pub const OFFICE_365: &[(&str, &str)] = &[
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (
        "00000004-0000-0ff1-ce00-000000000000",
        "Skype for Business Online",
    ),
    ("00000005-0000-0ff1-ce00-000000000000", "Viva Engage"),
    (
        "00000006-0000-0ff1-ce00-000000000000",
        "Microsoft Office 365 Portal",
    ),
    (
        "00000007-0000-0ff1-ce00-000000000000",
        "Microsoft Exchange Online Protection",
    ),
    (
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
        "Microsoft Teams Services",
    ),
    ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    ("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"),
    ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"),
    ("c9a559d2-7aab-4f13-a6ed-e7e9c52aec87", "Microsoft Forms"),
    (
        "2634dd23-5e5a-431c-81ca-11710d9079f4",
        "Microsoft Stream Service",
    ),
    (
        "09abbdfd-ed23-44ee-a2d9-a627aa1c90f3",
        "ProjectWorkManagement",
    ),
    ("2d4d3d8e-2be3-4bef-9f87-7875a61c29de", "OneNote"),
    (
        "66a88757-258c-4c72-893c-3e8bed4d6899",
        "Office 365 Search Service",
    ),
    ("475226c6-020e-4fb2-8a90-7a972cbfc1d4", "PowerApps Service"),
    ("905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba", "Sway"),
];

/// Members of `MicrosoftAdminPortals` with a known app id. The Azure portal app also covers the
/// Microsoft Entra admin center.
pub const ADMIN_PORTALS: &[(&str, &str)] = &[
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure portal"),
    (
        "618dd325-23f6-4b6f-8380-4df78026e39b",
        "Microsoft 365 admin center",
    ),
    (
        "2ddfbe71-ed12-4123-b99b-d5fc8a062a79",
        "Microsoft Teams admin center",
    ),
    (
        "80ccca67-54bd-44ab-8625-4b79c4dc7775",
        "Microsoft Defender portal",
    ),
];

/// The Windows Azure Service Management API app id, which Microsoft documents as a grouping too.
pub const AZURE_MANAGEMENT: &str = crate::symbols::catalog::AZURE_SERVICE_MANAGEMENT;

/// Members of the Windows Azure Service Management API grouping with a known app id, besides the
/// app itself (Azure Resource Manager).
pub const AZURE_MANAGEMENT_MEMBERS: &[(&str, &str)] = &[
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure portal"),
    ("e9f49c6b-5ce5-44c8-925d-015017e9f7ad", "Azure Data Lake"),
];

fn member(list: &[(&str, &str)], app_id: &str) -> bool {
    list.iter().any(|(id, _)| id.eq_ignore_ascii_case(app_id))
}

/// Does the policy entry `entry` (an app id or keyword from `include/excludeApplications`)
/// cover a sign-in to `app_id`? `All` and `None` are handled by the caller.
pub fn covers(entry: &str, app_id: &str) -> bool {
    if entry.eq_ignore_ascii_case(app_id) {
        return true;
    }
    match entry {
        "Office365" => member(OFFICE_365, app_id),
        "MicrosoftAdminPortals" => member(ADMIN_PORTALS, app_id),
        // Agent resources are not apps a person signs in to.
        "AllAgentIdResources" => false,
        e if e.eq_ignore_ascii_case(AZURE_MANAGEMENT) => member(AZURE_MANAGEMENT_MEMBERS, app_id),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundles_hold_the_members_microsoft_lists() {
        // "Apps included in Conditional Access Office 365 app suite" lists Sway; the Defender
        // portal signs in as its own app, one of the Microsoft Admin Portals.
        assert!(super::covers(
            "Office365",
            "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba"
        ));
        assert!(super::covers(
            "MicrosoftAdminPortals",
            "80ccca67-54bd-44ab-8625-4b79c4dc7775"
        ));
        assert!(!super::covers(
            "AllAgentIdResources",
            "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba"
        ));
    }

    use super::*;
    use crate::symbols::catalog;

    #[test]
    fn every_member_is_in_the_app_catalogue() {
        let raw: serde_json::Value =
            serde_json::from_str(include_str!("../symbols/data/well-known-apps.json"))
                .unwrap_or_default();
        let known: Vec<String> = raw
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["appId"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for (id, name) in OFFICE_365
            .iter()
            .chain(ADMIN_PORTALS)
            .chain(AZURE_MANAGEMENT_MEMBERS)
        {
            assert!(known.iter().any(|k| k == id), "{name} {id}");
        }
        assert!(catalog::app_by_id(AZURE_MANAGEMENT).is_some());
    }

    #[test]
    fn keywords_cover_their_members() {
        assert!(covers("Office365", "00000002-0000-0ff1-ce00-000000000000"));
        assert!(covers("Office365", "CC15FD57-2C6C-4117-A88C-83B1D56B4BBE"));
        assert!(!covers("Office365", AZURE_MANAGEMENT));
        assert!(covers(
            "MicrosoftAdminPortals",
            "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
        ));
        assert!(!covers(
            "MicrosoftAdminPortals",
            "00000002-0000-0ff1-ce00-000000000000"
        ));
        assert!(covers(
            AZURE_MANAGEMENT,
            "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
        ));
        assert!(covers(AZURE_MANAGEMENT, AZURE_MANAGEMENT));
        assert!(
            !covers(AZURE_MANAGEMENT, "499b84ac-1321-427f-aa17-267ca6975798"),
            "Azure DevOps is no longer covered"
        );
        assert!(covers("Office365", "Office365"));
    }
}
