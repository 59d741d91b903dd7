//! The append-only audit log in DynamoDB (`AUDIT_TABLE`): partitioned by UTC day, with indexes
//! by patient and by actor. Writes are conditional puts that never overwrite; nothing updates
//! or deletes.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use exports_core::audit::{AuditEvent, AuditQuery};
use exports_core::ports::{AuditLog, PortError};
use futures::{StreamExt, TryStreamExt};

use crate::attribute::s;
use crate::error::{sdk_message, unavailable};
use crate::jobs_store::instant;
use crate::resources::index;

type Item = HashMap<String, AttributeValue>;

#[derive(Debug, Clone)]
pub struct DynamoAuditLog {
    client: Client,
    table: String,
}

/// Sort key: the instant (fixed precision, so it sorts) then the event id.
fn event_key(e: &AuditEvent) -> String {
    format!("{}#{}", instant(&e.occurred_at), e.event_id)
}

impl DynamoAuditLog {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn query_partition(
        &self,
        index_name: Option<&str>,
        partition_attr: &str,
        partition: String,
        from: &DateTime<Utc>,
        to: &DateTime<Utc>,
    ) -> Result<Vec<AuditEvent>, PortError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(index_name.map(String::from))
            .key_condition_expression("#p = :p AND event_key BETWEEN :lo AND :hi")
            .expression_attribute_names("#p", partition_attr)
            .expression_attribute_values(":p", s(partition))
            .expression_attribute_values(":lo", s(instant(from)))
            .expression_attribute_values(":hi", s(format!("{}#~", instant(to))))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(unavailable("Query"))?;
        items
            .into_iter()
            .map(|i| {
                serde_dynamo::from_item(i)
                    .map_err(|e| PortError::Corrupt(format!("audit event: {e}")))
            })
            .collect()
    }
}

#[async_trait]
impl AuditLog for DynamoAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        let mut item: Item =
            serde_dynamo::to_item(event).map_err(|e| PortError::Corrupt(e.to_string()))?;
        item.insert("day".into(), s(event.occurred_at.date_naive().to_string()));
        item.insert("event_key".into(), s(event_key(event)));
        item.insert("occurred_at".into(), s(instant(&event.occurred_at)));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(event_key)")
            .send()
            .await
            .map_err(|e| PortError::Unavailable(sdk_message("PutItem", &e)))?;
        Ok(())
    }

    async fn query(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>, PortError> {
        let mut events = match (&q.patient_id, &q.actor_id) {
            (Some(p), _) => {
                self.query_partition(
                    Some(index::AUDIT_BY_PATIENT),
                    "patient_id",
                    p.to_string(),
                    &q.from,
                    &q.to,
                )
                .await?
            }
            (None, Some(a)) => {
                self.query_partition(
                    Some(index::AUDIT_BY_ACTOR),
                    "actor_id",
                    a.clone(),
                    &q.from,
                    &q.to,
                )
                .await?
            }
            (None, None) => {
                // One partition per day in the range, a few at a time.
                let days: Vec<String> = q
                    .from
                    .date_naive()
                    .iter_days()
                    .take_while(|d| *d <= q.to.date_naive())
                    .map(|d| d.to_string())
                    .collect();
                let pages: Vec<Vec<AuditEvent>> = futures::stream::iter(days)
                    .map(|day| self.query_partition(None, "day", day, &q.from, &q.to))
                    .buffered(8)
                    .try_collect()
                    .await?;
                pages.into_iter().flatten().collect()
            }
        };
        if let (Some(_), Some(actor)) = (&q.patient_id, &q.actor_id) {
            events.retain(|e| &e.actor_id == actor);
        }
        events.sort_by_key(|e| (e.occurred_at, e.event_id));
        Ok(events)
    }
}
