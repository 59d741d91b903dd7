//! Who is calling: the verified claims API Gateway's JWT authorizer (or the local runner) passes on.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Therapist,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Therapist => "therapist",
            Role::Admin => "admin",
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `sub`: for therapists, their therapist id in the records store.
    pub user_id: String,
    pub roles: Vec<Role>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Caller {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The role recorded in the audit log: the most specific one that applies to the action.
    pub fn audit_role(&self, wanted: Role) -> &'static str {
        if self.has(wanted) {
            wanted.as_str()
        } else {
            self.roles.first().map_or("none", |r| r.as_str())
        }
    }
}

/// Roles from a `cognito:groups` claim as API Gateway's JWT authorizer presents it: an array
/// claim flattened to `[therapist admin]` (names separated by spaces, which Cognito group names
/// cannot contain), a JSON array (`["therapist","admin"]`), or one group name. Each name is matched
/// whole: Cognito group names may contain commas, so `patient,admin` is one (unknown) group, not
/// two. Unknown groups are ignored.
pub fn parse_groups(claim: &str) -> Vec<Role> {
    let claim = claim.trim();
    let names: Vec<String> = match serde_json::from_str::<Vec<String>>(claim) {
        Ok(list) => list,
        Err(_) => match claim.strip_prefix('[').and_then(|c| c.strip_suffix(']')) {
            Some(flattened) => flattened.split_whitespace().map(String::from).collect(),
            None => vec![claim.to_string()],
        },
    };
    let mut roles = Vec::new();
    for name in names {
        let role = match name.as_str() {
            "therapist" => Role::Therapist,
            "admin" => Role::Admin,
            _ => continue,
        };
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_every_shape_api_gateway_and_cognito_produce() {
        let both = vec![Role::Therapist, Role::Admin];
        assert_eq!(parse_groups("[therapist admin]"), both);
        assert_eq!(parse_groups(r#"["therapist","admin"]"#), both);
        assert_eq!(parse_groups(r#"["admin"]"#), vec![Role::Admin]);
        assert_eq!(parse_groups("therapist"), vec![Role::Therapist]);
        assert_eq!(parse_groups("[billing]"), vec![]);
        assert_eq!(parse_groups(""), vec![]);
        assert_eq!(parse_groups("[admin admin]"), vec![Role::Admin]);
        assert_eq!(parse_groups("admin"), vec![Role::Admin]);
    }

    #[test]
    fn group_names_are_matched_whole() {
        // Cognito group names may contain commas; none of these is the admin group.
        for claim in [
            r#"["patient,admin"]"#,
            r#"["patient admin"]"#,
            "[patient,admin]",
            "patient,admin",
            "patient admin",
            "therapist,admin",
            r#"["Admin"]"#,
            "[admins]",
            r#"[" admin"]"#,
        ] {
            assert!(
                !parse_groups(claim).contains(&Role::Admin),
                "{claim} is not the admin group"
            );
        }
    }
}
