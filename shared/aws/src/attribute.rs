//! Building DynamoDB attribute values, shared by the stores.

use aws_sdk_dynamodb::types::AttributeValue;

/// A string attribute.
pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}
