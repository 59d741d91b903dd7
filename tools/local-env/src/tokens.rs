//! Local identity: HS256 JWTs signed with `LOCAL_JWT_SECRET`, verified here and turned into the
//! same claims API Gateway's JWT authorizer passes on. In AWS none of this runs.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// The issuer local tokens carry and the runner requires.
pub const LOCAL_ISSUER: &str = "practice-exports-local";

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECONDS: u64 = 5;

/// The claims of a local token (docs/local.md, "Local identity"): `sub`, `iss`, `iat` and `exp`
/// are required, `nbf` and `cognito:groups` optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalClaims {
    pub sub: String,
    #[serde(rename = "cognito:groups", default)]
    pub groups: Vec<String>,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
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
        nbf: None,
    };
    Ok(encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// Verifies signature, issuer and times (`exp` not passed, `nbf` and `iat` not in the future,
/// each within [`LEEWAY_SECONDS`]), and that `sub` and every group name are usable: non-empty,
/// and group names without whitespace (Cognito's rule), since the flattened claim separates names
/// by spaces.
pub fn verify(secret: &str, token: &str) -> Option<LocalClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[LOCAL_ISSUER]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    let claims = decode::<LocalClaims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .ok()?
    .claims;
    let latest_issue = Utc::now().timestamp() + LEEWAY_SECONDS as i64;
    let usable = claims.iat <= latest_issue
        && !claims.sub.trim().is_empty()
        && claims
            .groups
            .iter()
            .all(|g| !g.is_empty() && !g.chars().any(char::is_whitespace));
    usable.then_some(claims)
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

    fn signed(claims: &serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(b"s3cret"),
        )
        .unwrap()
    }

    #[test]
    fn times_are_checked_with_a_small_leeway() {
        let now = Utc::now().timestamp();
        let claims = |iat: i64, exp: i64, nbf: Option<i64>| {
            let mut c = serde_json::json!({
                "sub": "u1", "iss": LOCAL_ISSUER, "iat": iat, "exp": exp,
                "cognito:groups": ["therapist"],
            });
            if let Some(nbf) = nbf {
                c["nbf"] = nbf.into();
            }
            signed(&c)
        };
        assert!(verify("s3cret", &claims(now, now + 60, None)).is_some());
        assert!(verify("s3cret", &claims(now, now + 60, Some(now))).is_some());
        // Within the leeway: a clock a second or two apart.
        assert!(verify("s3cret", &claims(now + 2, now - 2, None)).is_some());
        // Expired 30 s ago; issued or valid only an hour from now.
        assert!(verify("s3cret", &claims(now - 60, now - 30, None)).is_none());
        assert!(verify("s3cret", &claims(now + 3600, now + 7200, None)).is_none());
        assert!(verify("s3cret", &claims(now, now + 7200, Some(now + 3600))).is_none());
        // iat is required.
        let no_iat =
            signed(&serde_json::json!({"sub": "u1", "iss": LOCAL_ISSUER, "exp": now + 60}));
        assert!(verify("s3cret", &no_iat).is_none());
    }

    #[test]
    fn group_names_that_flattening_would_split_are_refused() {
        let t = |groups: &[&str]| {
            let g: Vec<String> = groups.iter().map(|s| s.to_string()).collect();
            mint("s3cret", "u1", &g, Duration::minutes(5)).unwrap()
        };
        assert!(verify("s3cret", &t(&["patient admin"])).is_none());
        assert!(verify("s3cret", &t(&[""])).is_none());
        assert!(verify("s3cret", &t(&["patient,admin"])).is_some());
        assert!(
            verify(
                "s3cret",
                &mint("s3cret", " ", &[], Duration::minutes(5)).unwrap()
            )
            .is_none()
        );
    }
}
