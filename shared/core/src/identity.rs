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

/// Roles from a `cognito:groups` claim in any of the shapes it arrives in: a JSON array
/// (`["therapist","admin"]`), API Gateway's flattening of an array (`[therapist admin]`), or a
/// comma/space separated list. Unknown groups are ignored.
pub fn parse_groups(claim: &str) -> Vec<Role> {
    let parsed: Vec<String> = match serde_json::from_str::<Vec<String>>(claim) {
        Ok(list) => list,
        Err(_) => claim
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split([' ', ','])
            .map(|s| s.trim().trim_matches('"').to_string())
            .collect(),
    };
    let mut roles = Vec::new();
    for g in parsed {
        let role = match g.as_str() {
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
        assert_eq!(parse_groups("therapist,admin"), both);
        assert_eq!(parse_groups("therapist"), vec![Role::Therapist]);
        assert_eq!(parse_groups("[billing]"), vec![]);
        assert_eq!(parse_groups(""), vec![]);
        assert_eq!(parse_groups("[admin admin]"), vec![Role::Admin]);
    }
}
