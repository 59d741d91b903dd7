//! The API's CORS policy, defined once. In AWS the HTTP API applies it (the SAM template's
//! `CorsConfiguration`, checked against this module by a drift test): it answers preflights
//! itself and adds the headers to the function's responses, so the function never sees
//! `OPTIONS`. The local runner applies the same policy the same way through [`CorsPolicy`].

use exports_aws::config::WebAppOrigins;
use lambda_http::http::{HeaderMap, HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};

use crate::routes;

/// Request headers a page may send (lower case, as API Gateway lists them).
pub const ALLOW_HEADERS: &[&str] = &["authorization", "content-type", "idempotency-key"];
/// Response headers a page's script may read.
pub const EXPOSE_HEADERS: &[&str] = &[
    "location",
    "retry-after",
    "idempotent-replayed",
    "content-disposition",
];
/// How long a browser may cache a preflight's answer.
pub const MAX_AGE_SECONDS: u32 = 600;

/// Methods CORS allows: every method a route uses.
pub fn allow_methods() -> Vec<&'static str> {
    routes::methods()
}

/// The policy for the configured origins.
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    origins: WebAppOrigins,
}

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).expect("header names and origins are visible ASCII")
}

impl CorsPolicy {
    pub fn new(origins: WebAppOrigins) -> Self {
        Self { origins }
    }

    /// The request's `Origin` if it is one of the app's.
    fn allowed_origin<'a>(&self, request: &'a HeaderMap) -> Option<&'a str> {
        let origin = request.get(header::ORIGIN)?.to_str().ok()?;
        self.origins.contains(origin).then_some(origin)
    }

    /// The answer to an `OPTIONS` request, as API Gateway gives it: `204`, with the policy's
    /// headers when the origin is the app's and the requested method one the API uses; without
    /// any CORS header otherwise (the browser then refuses the real request).
    pub fn preflight(&self, request: &HeaderMap) -> Response<Body> {
        let mut r = Response::new(Body::Empty);
        *r.status_mut() = StatusCode::NO_CONTENT;
        let method_allowed = request
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|m| m.to_str().ok())
            .is_some_and(|m| allow_methods().contains(&m));
        let h = r.headers_mut();
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = self.allowed_origin(request).filter(|_| method_allowed) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value(origin));
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                value(&allow_methods().join(",")),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                value(&ALLOW_HEADERS.join(",")),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from(MAX_AGE_SECONDS),
            );
        }
        r
    }

    /// Adds the CORS headers to the response of a real (non-preflight) request from the app.
    pub fn decorate(&self, request: &HeaderMap, response: &mut Response<Body>) {
        let h = response.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = self.allowed_origin(request) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value(origin));
            h.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                value(&EXPOSE_HEADERS.join(",")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CorsPolicy {
        CorsPolicy::new(WebAppOrigins(vec!["http://127.0.0.1:3000".into()]))
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn a_preflight_from_the_app_is_answered_with_the_policy() {
        let r = policy().preflight(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("access-control-request-method", "PATCH"),
            (
                "access-control-request-headers",
                "authorization,content-type",
            ),
        ]));
        assert_eq!(r.status(), 204);
        let h = r.headers();
        assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:3000");
        assert_eq!(
            h["access-control-allow-methods"],
            "GET,POST,PUT,PATCH,DELETE"
        );
        assert_eq!(
            h["access-control-allow-headers"],
            "authorization,content-type,idempotency-key"
        );
        assert_eq!(h["access-control-max-age"], "600");
    }

    #[test]
    fn other_origins_and_unused_methods_get_no_cors_headers() {
        for request in [
            headers(&[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "GET"),
            ]),
            headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("access-control-request-method", "TRACE"),
            ]),
            headers(&[("access-control-request-method", "GET")]),
        ] {
            let r = policy().preflight(&request);
            assert_eq!(r.status(), 204);
            assert!(
                r.headers()
                    .keys()
                    .all(|k| !k.as_str().starts_with("access-control-")),
                "{request:?}"
            );
        }
    }

    #[test]
    fn responses_to_the_app_expose_the_headers_it_reads() {
        let mut r = Response::new(Body::Empty);
        policy().decorate(&headers(&[("origin", "http://127.0.0.1:3000")]), &mut r);
        assert_eq!(
            r.headers()["access-control-expose-headers"],
            "location,retry-after,idempotent-replayed,content-disposition"
        );
        let mut r = Response::new(Body::Empty);
        policy().decorate(&headers(&[("origin", "http://127.0.0.1:3001")]), &mut r);
        assert!(r.headers().get("access-control-allow-origin").is_none());
        assert_eq!(r.headers()["vary"], "Origin");
    }
}
