//! The API layer's errors (what only HTTP knows: routes, methods, media types, unreadable bodies)
//! beside the core's [`ServiceError`], and the one place either becomes an HTTP response: status,
//! `{"error":{…}}` body and headers. The core decides the stable codes and messages; the statuses
//! are decided here.

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
    /// The body is not JSON at all (or could not be read).
    #[error("{0}")]
    InvalidJson(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl ApiError {
    /// The HTTP status, decided here and nowhere else.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::RouteNotFound => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::UnsupportedMediaType => 415,
            ApiError::InvalidJson(_) => 400,
            ApiError::Service(e) => match e {
                ServiceError::Unauthenticated => 401,
                ServiceError::Forbidden(_) => 403,
                ServiceError::NotFound { .. } => 404,
                ServiceError::Validation { .. }
                | ServiceError::FormatNotAvailable(_)
                | ServiceError::InvalidTemplate { .. } => 422,
                ServiceError::IdempotencyConflict
                | ServiceError::JobNotCompleted { .. }
                | ServiceError::Conflict { .. } => 409,
                ServiceError::Gone { .. } => 410,
                ServiceError::RateLimited { .. } => 429,
                ServiceError::Unavailable(_) => 503,
                ServiceError::Internal(_) => 500,
            },
        }
    }

    /// The stable machine-readable code clients branch on (the core's, for its errors).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::RouteNotFound => "route_not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::Service(e) => e.code(),
        }
    }

    /// `{"error":{"code":…,"message":…}}`, plus `field` for validation errors and `field`, `line`
    /// and `column` for an invalid template body. Internal details of 5xx errors are logged, not
    /// returned.
    pub fn body(&self) -> serde_json::Value {
        let message = match self {
            ApiError::Service(ServiceError::Unavailable(_)) => {
                "service temporarily unavailable; retry shortly".to_string()
            }
            ApiError::Service(ServiceError::Internal(_)) => "internal error".to_string(),
            ApiError::Service(ServiceError::Validation { message, .. }) => message.clone(),
            other => other.to_string(),
        };
        let mut error = serde_json::json!({ "code": self.code(), "message": message });
        match self {
            ApiError::Service(ServiceError::Validation { field, .. }) => {
                error["field"] = serde_json::Value::String(field.clone());
            }
            ApiError::Service(ServiceError::InvalidTemplate { line, column, .. }) => {
                error["field"] = "body".into();
                error["line"] = (*line).into();
                error["column"] = (*column).into();
            }
            _ => {}
        }
        serde_json::json!({ "error": error })
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
        let r = error_response(&ApiError::InvalidJson("body is not valid JSON".into()));
        assert_eq!(r.status(), 400);
        assert_eq!(
            body_of(&r),
            serde_json::json!({"error": {"code": "invalid_json", "message": "body is not valid JSON"}})
        );
    }

    fn body_of(r: &Response<Body>) -> serde_json::Value {
        match r.body() {
            Body::Binary(b) => serde_json::from_slice(b).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    fn api(e: ServiceError) -> ApiError {
        e.into()
    }

    #[test]
    fn every_service_error_has_its_status_and_body() {
        let e = api(ServiceError::validation(
            "end_date",
            "must not be before start_date",
        ));
        assert_eq!(e.status(), 422);
        assert_eq!(
            e.body(),
            serde_json::json!({"error": {"code": "validation_failed", "message": "must not be before start_date", "field": "end_date"}})
        );
        let e = api(ServiceError::Unavailable(
            "DynamoDB: throttled on table x".into(),
        ));
        assert_eq!(e.status(), 503);
        assert_eq!(
            e.body(),
            serde_json::json!({"error": {"code": "service_unavailable", "message": "service temporarily unavailable; retry shortly"}})
        );
        assert!(
            !e.body().to_string().contains("DynamoDB"),
            "internal details stay in logs"
        );
        let e = api(ServiceError::Internal("row 7 is corrupt".into()));
        assert_eq!(
            (e.status(), e.body()),
            (
                500,
                serde_json::json!({"error": {"code": "internal_error", "message": "internal error"}})
            )
        );
        let e = api(ServiceError::InvalidTemplate {
            line: 3,
            column: 7,
            message: "unexpected `}`".into(),
        });
        assert_eq!(
            (e.status(), e.body()),
            (
                422,
                serde_json::json!({"error": {"code": "invalid_template", "message": "the template body is invalid at line 3, column 7: unexpected `}`", "field": "body", "line": 3, "column": 7}})
            )
        );
        let e = api(ServiceError::RateLimited {
            retry_after_seconds: 5,
        });
        assert_eq!(e.status(), 429);
        let r = error_response(&e);
        assert_eq!(r.headers()["retry-after"], "5");
        assert_eq!(
            body_of(&r),
            serde_json::json!({"error": {"code": "rate_limited", "message": "export rate limit reached; retry in 5 s"}})
        );
        let e = api(ServiceError::not_found("job_not_found", "no such job"));
        assert_eq!(
            (e.status(), e.body()),
            (
                404,
                serde_json::json!({"error": {"code": "job_not_found", "message": "no such job"}})
            )
        );
        for (e, status) in [
            (ServiceError::Forbidden("x".into()), 403),
            (ServiceError::FormatNotAvailable("pdf".into()), 422),
            (ServiceError::conflict("template_in_use", "x"), 409),
            (ServiceError::IdempotencyConflict, 409),
            (
                ServiceError::JobNotCompleted {
                    status: "pending".into(),
                },
                409,
            ),
            (
                ServiceError::Gone {
                    code: "export_expired",
                    message: "x".into(),
                },
                410,
            ),
        ] {
            let code = e.code();
            let e = api(e);
            assert_eq!(e.status(), status, "{e:?}");
            assert_eq!(e.body()["error"]["code"], code, "{e:?}");
        }
    }
}
