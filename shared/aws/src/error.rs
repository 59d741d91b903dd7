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

type UpdateResult = Result<
    aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
    SdkError<
        aws_sdk_dynamodb::operation::update_item::UpdateItemError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
>;

/// A conditional `UpdateItem`'s answer: `Some(output)` when it was applied, `None` when its
/// condition did not hold, [`PortError::Unavailable`] when DynamoDB failed.
pub fn conditional_update(
    result: UpdateResult,
) -> Result<Option<aws_sdk_dynamodb::operation::update_item::UpdateItemOutput>, PortError> {
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(PortError::Unavailable(sdk_message("UpdateItem", &e))),
    }
}

type PutResult = Result<
    aws_sdk_dynamodb::operation::put_item::PutItemOutput,
    SdkError<
        aws_sdk_dynamodb::operation::put_item::PutItemError,
        aws_sdk_dynamodb::config::http::HttpResponse,
    >,
>;

/// A conditional `PutItem`'s answer: `true` when it was written, `false` when its condition did
/// not hold, [`PortError::Unavailable`] when DynamoDB failed.
pub fn conditional_put(result: PutResult) -> Result<bool, PortError> {
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(PortError::Unavailable(sdk_message("PutItem", &e))),
    }
}
