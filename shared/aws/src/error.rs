//! Turning SDK errors into the core's [`PortError`] without leaking request contents.

use std::error::Error;
use std::fmt::Debug;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use exports_core::ports::PortError;

/// `"{operation}: {error chain}"`: the service's error code and message, never the request.
pub fn sdk_message<E, R>(operation: &str, err: &SdkError<E, R>) -> String
where
    E: Error + Send + Sync + 'static,
    R: Debug,
{
    format!("{operation}: {}", DisplayErrorContext(err))
}

/// An SDK failure as a retryable [`PortError::Unavailable`].
pub fn unavailable<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> PortError
where
    E: Error + Send + Sync + 'static,
    R: Debug,
{
    move |e| PortError::Unavailable(sdk_message(operation, &e))
}
