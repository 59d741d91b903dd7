//! Local identity: HS256 JWTs signed with `LOCAL_JWT_SECRET`, verified here and turned into the
//! same claims API Gateway's JWT authorizer passes on. In AWS none of this runs.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// The issuer local tokens carry and the runner requires.
pub const LOCAL_ISSUER: &str = "practice-exports-local";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalClaims {
    pub sub: String,
    #[serde(rename = "cognito:groups", default)]
    pub groups: Vec<String>,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// A token for `sub` in `groups`, valid for `ttl`.
pub fn mint(secret: &str, sub: &str, groups: &[String], ttl: Duration) -> anyhow::Result<String> {
    let now = Utc::now();
    let claims = LocalClaims {
        sub: sub.to_string(),
        groups: groups.to_vec(),
        iss: LOCAL_ISSUER.into(),
        iat: now.timestamp(),
        exp: (now + ttl).timestamp(),
    };
    Ok(encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// Verifies signature, expiry and issuer.
pub fn verify(secret: &str, token: &str) -> Option<LocalClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[LOCAL_ISSUER]);
    validation.set_required_spec_claims(&["exp", "sub", "iss"]);
    decode::<LocalClaims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .ok()
    .map(|d| d.claims)
}

/// Groups as API Gateway flattens an array claim: `[therapist admin]`.
pub fn flatten_groups(groups: &[String]) -> String {
    format!("[{}]", groups.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_with_their_secret_only() {
        let t = mint(
            "s3cret",
            "u1",
            &["therapist".into(), "admin".into()],
            Duration::minutes(5),
        )
        .unwrap();
        let c = verify("s3cret", &t).unwrap();
        assert_eq!(c.sub, "u1");
        assert_eq!(flatten_groups(&c.groups), "[therapist admin]");
        assert!(verify("other", &t).is_none());
        let expired = mint("s3cret", "u1", &[], Duration::minutes(-10)).unwrap();
        assert!(verify("s3cret", &expired).is_none());
    }
}
