//! The one error type of the use cases and its stable machine-readable codes. What each becomes in
//! HTTP (status, body, headers) is the API's decision (`exports_api::error`).

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

    /// The stable machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::Forbidden(_) => "forbidden",
            ServiceError::NotFound { code, .. }
            | ServiceError::Gone { code, .. }
            | ServiceError::Conflict { code, .. } => code,
            ServiceError::InvalidTemplate { .. } => "invalid_template",
            ServiceError::Validation { .. } => "validation_failed",
            ServiceError::FormatNotAvailable(_) => "format_not_available",
            ServiceError::IdempotencyConflict => "idempotency_key_reused",
            ServiceError::JobNotCompleted { .. } => "job_not_completed",
            ServiceError::RateLimited { .. } => "rate_limited",
            ServiceError::Unavailable(_) => "service_unavailable",
            ServiceError::Internal(_) => "internal_error",
        }
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
    fn every_error_has_a_stable_code_and_a_message_without_internals() {
        let e = ServiceError::validation("end_date", "must not be before start_date");
        assert_eq!(e.code(), "validation_failed");
        assert_eq!(e.to_string(), "end_date: must not be before start_date");
        let e = ServiceError::from(PortError::Unavailable(
            "DynamoDB: throttled on table x".into(),
        ));
        assert_eq!(e.code(), "service_unavailable");
        assert!(
            !e.to_string().contains("DynamoDB"),
            "internal details stay in logs"
        );
        assert_eq!(
            ServiceError::from(PortError::Corrupt("row 7".into())).code(),
            "internal_error"
        );
        assert_eq!(
            ServiceError::RateLimited {
                retry_after_seconds: 5
            }
            .code(),
            "rate_limited"
        );
        assert_eq!(
            ServiceError::not_found("job_not_found", "no such job").code(),
            "job_not_found"
        );
    }
}
