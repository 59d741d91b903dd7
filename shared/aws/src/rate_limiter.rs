//! Exports per user per clock hour, counted in DynamoDB (`CONTROL_TABLE`) with a conditional
//! increment, so the limit holds across every Lambda instance.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, DurationRound, Utc};
use exports_core::ports::{PortError, RateDecision, RateLimiter};

use crate::error::conditional_update;

#[derive(Debug, Clone)]
pub struct DynamoRateLimiter {
    client: Client,
    table: String,
    per_hour: u32,
}

impl DynamoRateLimiter {
    pub fn new(client: Client, table: impl Into<String>, per_hour: u32) -> Self {
        Self {
            client,
            table: table.into(),
            per_hour,
        }
    }
}

fn window_key(user_id: &str, window: DateTime<Utc>) -> AttributeValue {
    AttributeValue::S(format!("RATE#{user_id}#{}", window.format("%Y-%m-%dT%H")))
}

fn hour_of(now: DateTime<Utc>) -> Result<DateTime<Utc>, PortError> {
    now.duration_trunc(Duration::hours(1))
        .map_err(|e| PortError::Corrupt(e.to_string()))
}

#[async_trait]
impl RateLimiter for DynamoRateLimiter {
    async fn release(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), PortError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", window_key(user_id, hour_of(now)?))
            .update_expression("ADD #count :minus_one")
            .condition_expression("#count > :zero")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":minus_one", AttributeValue::N("-1".into()))
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .send()
            .await;
        // Nothing to give back (count already 0) is not an error.
        conditional_update(out).map(|_| ())
    }

    async fn acquire(&self, user_id: &str, now: DateTime<Utc>) -> Result<RateDecision, PortError> {
        let window = hour_of(now)?;
        let window_end = window + Duration::hours(1);
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", window_key(user_id, window))
            .update_expression("ADD #count :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(#count) OR #count < :limit")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(self.per_hour.to_string()))
            .expression_attribute_values(
                ":ttl",
                AttributeValue::N((window_end + Duration::hours(1)).timestamp().to_string()),
            )
            .send()
            .await;
        Ok(match conditional_update(out)? {
            Some(_) => RateDecision::Allowed,
            None => RateDecision::Limited {
                retry_after_seconds: (window_end - now).num_seconds().max(1) as u64,
            },
        })
    }
}
