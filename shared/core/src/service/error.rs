//! The one error type of the use cases, and its mapping to HTTP status and stable codes.

use crate::ports::PortError;

/// Why a use case refused or failed. Messages never contain PHI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    /// A patient, job, template or schedule that does not exist *or* that the caller may not see:
    /// the two are indistinguishable on purpose.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// The body is not JSON at all.
    #[error("{0}")]
    InvalidJson(String),
    /// A field (or query parameter) is missing, unknown or out of bounds.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{0} exports are not available yet")]
    FormatNotAvailable(String),
    /// A custom template body that does not parse or render; 1-based position in the body.
    #[error("the template body is invalid at line {line}, column {column}: {message}")]
    InvalidTemplate {
        line: usize,
        column: usize,
        message: String,
    },
    /// The request contradicts stored state (a template in use, a duplicate schedule).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyConflict,
    #[error("the export is {status}, not completed")]
    JobNotCompleted { status: String },
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    #[error("export rate limit reached; retry in {retry_after_seconds} s")]
    RateLimited { retry_after_seconds: u64 },
    #[error("service temporarily unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

impl ServiceError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: &str) -> Self {
        ServiceError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: &str) -> Self {
        ServiceError::NotFound {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status, decided here and nowhere else.
    pub fn status(&self) -> u16 {
        match self {
            ServiceError::Unauthenticated => 401,
            ServiceError::Forbidden(_) => 403,
            ServiceError::NotFound { .. } => 404,
            ServiceError::InvalidJson(_) => 400,
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
        }
    }

    /// The stable machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::Forbidden(_) => "forbidden",
            ServiceError::NotFound { code, .. }
            | ServiceError::Gone { code, .. }
            | ServiceError::Conflict { code, .. } => code,
            ServiceError::InvalidTemplate { .. } => "invalid_template",
            ServiceError::InvalidJson(_) => "invalid_json",
            ServiceError::Validation { .. } => "validation_failed",
            ServiceError::FormatNotAvailable(_) => "format_not_available",
            ServiceError::IdempotencyConflict => "idempotency_key_reused",
            ServiceError::JobNotCompleted { .. } => "job_not_completed",
            ServiceError::RateLimited { .. } => "rate_limited",
            ServiceError::Unavailable(_) => "service_unavailable",
            ServiceError::Internal(_) => "internal_error",
        }
    }

    /// `{"error":{"code":…,"message":…}}`, plus `field` for validation errors. Internal details of
    /// 5xx errors are logged, not returned.
    pub fn body(&self) -> serde_json::Value {
        let message = match self {
            ServiceError::Unavailable(_) => {
                "service temporarily unavailable; retry shortly".to_string()
            }
            ServiceError::Internal(_) => "internal error".to_string(),
            ServiceError::Validation { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let mut error = serde_json::json!({ "code": self.code(), "message": message });
        match self {
            ServiceError::Validation { field, .. } => {
                error["field"] = serde_json::Value::String(field.clone());
            }
            ServiceError::InvalidTemplate { line, column, .. } => {
                error["field"] = "body".into();
                error["line"] = (*line).into();
                error["column"] = (*column).into();
            }
            _ => {}
        }
        serde_json::json!({ "error": error })
    }
}

impl From<PortError> for ServiceError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Conflict(m) | PortError::Unavailable(m) => ServiceError::Unavailable(m),
            PortError::Corrupt(m) => ServiceError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_status_code_and_body() {
        let e = ServiceError::validation("end_date", "must not be before start_date");
        assert_eq!(e.status(), 422);
        assert_eq!(
            e.body(),
            serde_json::json!({"error": {"code": "validation_failed", "message": "must not be before start_date", "field": "end_date"}})
        );
        let e = ServiceError::Unavailable("DynamoDB: throttled on table x".into());
        assert_eq!(e.status(), 503);
        assert!(
            !e.body().to_string().contains("DynamoDB"),
            "internal details stay in logs"
        );
        assert_eq!(
            ServiceError::RateLimited {
                retry_after_seconds: 5
            }
            .status(),
            429
        );
        assert_eq!(
            ServiceError::not_found("job_not_found", "no such job").code(),
            "job_not_found"
        );
    }
}
