//! The API layer's errors (what only HTTP knows: routes, methods, media types) beside the core's
//! [`ServiceError`], and the one place either becomes an HTTP response.

use exports_core::service::ServiceError;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};

/// Why a request was not answered with success.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("no such route")]
    RouteNotFound,
    /// The path exists with other methods; `allow` lists them (the `Allow` header).
    #[error("method not allowed; this path takes {}", allow.join(", "))]
    MethodNotAllowed { allow: Vec<&'static str> },
    /// A body that is not declared `application/json` (a browser sends `text/plain` bodies
    /// without a preflight, so they are refused rather than read).
    #[error("the request body must be sent as Content-Type: application/json")]
    UnsupportedMediaType,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::RouteNotFound => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::UnsupportedMediaType => 415,
            ApiError::Service(e) => e.status(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::RouteNotFound => "route_not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Service(e) => e.code(),
        }
    }

    /// `{"error":{"code":…,"message":…}}` (and `field`, … for the core's errors).
    pub fn body(&self) -> serde_json::Value {
        match self {
            ApiError::Service(e) => e.body(),
            other => serde_json::json!({
                "error": { "code": other.code(), "message": other.to_string() }
            }),
        }
    }
}

/// The error response: status, JSON body and the headers that go with the status.
pub fn error_response(e: &ApiError) -> Response<Body> {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = crate::json(status, &e.body());
    let headers = r.headers_mut();
    match e {
        ApiError::MethodNotAllowed { allow } => {
            if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                headers.insert(header::ALLOW, v);
            }
        }
        ApiError::UnsupportedMediaType => {
            headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        }
        ApiError::Service(ServiceError::RateLimited {
            retry_after_seconds,
        }) => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
        }
        ApiError::Service(ServiceError::Unavailable(_)) => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        ApiError::Service(ServiceError::Unauthenticated) => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        _ => {}
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_errors_have_their_status_code_and_headers() {
        let r = error_response(&ApiError::MethodNotAllowed {
            allow: vec!["GET", "DELETE"],
        });
        assert_eq!(r.status(), 405);
        assert_eq!(r.headers()["allow"], "GET, DELETE");
        let r = error_response(&ApiError::UnsupportedMediaType);
        assert_eq!(r.status(), 415);
        let body: serde_json::Value = match r.body() {
            Body::Binary(b) => serde_json::from_slice(b).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(body["error"]["code"], "unsupported_media_type");
        let r = error_response(&ServiceError::Unauthenticated.into());
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
    }
}
