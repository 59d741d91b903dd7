//! Scheduled reports in DynamoDB (`SCHEDULES_TABLE`, key `schedule_id`).
//!
//! - A schedule item is the [`ScheduledReport`] as serde_dynamo writes it, with `created_at` and
//!   `due_at` in the fixed, sortable format of [`instant`], and `due_shard` on active schedules
//!   only, which puts them in the sparse `due` index (`due_shard`, `due_at`) the scheduler polls.
//!   The index is spread over [`DUE_SHARDS`] partitions (`due#0` … `due#15`, by schedule id), so
//!   the Monday-morning peak of claims is not one partition's writes; the tick reads every shard
//!   at once and merges them in due order.
//! - The (user, template, patient) uniqueness key is a guard item in the same table, keyed
//!   `unique#<key>`, written and deleted in one transaction with its schedule. Guards carry no
//!   `user_id` and no `due_shard`, so neither index sees them.
//! - Every change is conditional on the version read (optimistic concurrency).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use exports_core::ports::{PortError, ScheduleStore};
use exports_core::scheduled_report::ScheduledReport;
use uuid::Uuid;

use crate::attribute::s;
use crate::error::{conditional_put, sdk_message, unavailable};
use crate::jobs_store::instant;
use crate::resources::index;

type Item = HashMap<String, AttributeValue>;

/// Partitions of the `due` index. Every claim, take and finish of a run rewrites the schedule's
/// `due_at` (two index writes each); one partition takes at most 1,000 writes a second, which
/// a Monday-morning peak of 100,000 runs would saturate (docs/capacity.md). Sixteen spread it.
pub const DUE_SHARDS: u128 = 16;

/// The shard value written by an earlier version (one partition): still read, so no schedule
/// written before is missed; rewritten to its own shard at its next change.
pub const LEGACY_DUE_SHARD: &str = "due";

/// The `due` index partition of a schedule.
pub fn due_shard(schedule_id: Uuid) -> String {
    format!("due#{}", schedule_id.as_u128() % DUE_SHARDS)
}

/// Prefix of uniqueness guard items' `schedule_id`.
pub const GUARD_PREFIX: &str = "unique#";

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, PortError> {
    r.map_err(|e| PortError::Corrupt(format!("building request: {e}")))
}

/// Whether a failed transaction was cancelled because a condition did not hold or another
/// transaction held one of its items: the write lost, rather than DynamoDB failing.
fn lost_race<R>(e: &SdkError<TransactWriteItemsError, R>) -> bool {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
            c.cancellation_reasons().iter().any(|r| {
                matches!(
                    r.code(),
                    Some("ConditionalCheckFailed") | Some("TransactionConflict")
                )
            })
        }
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub struct DynamoScheduleStore {
    client: Client,
    table: String,
}

impl DynamoScheduleStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn encode(schedule: &ScheduledReport) -> Result<Item, PortError> {
        let mut item: Item = serde_dynamo::to_item(schedule).map_err(|e| {
            PortError::Corrupt(format!("encoding schedule {}: {e}", schedule.schedule_id))
        })?;
        // Index sort keys in a fixed format, so string order is time order.
        item.insert("created_at".into(), s(instant(&schedule.created_at)));
        item.insert("due_at".into(), s(instant(&schedule.due_at)));
        if schedule.active {
            item.insert("due_shard".into(), s(due_shard(schedule.schedule_id)));
        } else {
            // A put replaces the whole item: without the attribute it leaves the due index.
            item.remove("due_shard");
        }
        Ok(item)
    }

    fn decode(item: Item) -> Result<ScheduledReport, PortError> {
        let id = match item.get("schedule_id") {
            Some(AttributeValue::S(id)) => id.clone(),
            _ => String::new(),
        };
        serde_dynamo::from_item(item).map_err(|e| PortError::Corrupt(format!("schedule {id}: {e}")))
    }

    fn key(schedule_id: Uuid) -> Item {
        HashMap::from([("schedule_id".to_string(), s(schedule_id.to_string()))])
    }

    fn guard_key(schedule: &ScheduledReport) -> Item {
        HashMap::from([(
            "schedule_id".to_string(),
            s(format!("{GUARD_PREFIX}{}", schedule.uniqueness_key())),
        )])
    }

    /// Every item of a query through `index_name`, all pages.
    async fn query_all(
        &self,
        index_name: &str,
        key_condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
        limit: Option<usize>,
    ) -> Result<Vec<ScheduledReport>, PortError> {
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index_name)
                .key_condition_expression(key_condition)
                .scan_index_forward(true)
                .set_exclusive_start_key(start.take());
            for (k, v) in names {
                q = q.expression_attribute_names(*k, *v);
            }
            for (k, v) in values {
                q = q.expression_attribute_values(*k, v.clone());
            }
            if let Some(limit) = limit {
                q = q.limit((limit - found.len()).min(1000) as i32);
            }
            let out = q.send().await.map_err(unavailable("Query"))?;
            for item in out.items.unwrap_or_default() {
                found.push(Self::decode(item)?);
            }
            let enough = limit.is_some_and(|l| found.len() >= l);
            match out.last_evaluated_key {
                Some(key) if !enough => start = Some(key),
                _ => break,
            }
        }
        Ok(found)
    }
}

#[async_trait]
impl ScheduleStore for DynamoScheduleStore {
    async fn create(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        let put_schedule = build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(Self::encode(schedule)?))
                .condition_expression("attribute_not_exists(schedule_id)")
                .build(),
        )?;
        let mut guard = Self::guard_key(schedule);
        guard.insert("guard_for".into(), s(schedule.schedule_id.to_string()));
        let put_guard = build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(guard))
                .condition_expression("attribute_not_exists(schedule_id)")
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_schedule).build())
            .transact_items(TransactWriteItem::builder().put(put_guard).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if lost_race(&e) => Err(PortError::Conflict(format!(
                "schedule {} or its (user, template, patient) key exists",
                schedule.schedule_id
            ))),
            Err(e) => Err(PortError::Unavailable(sdk_message(
                "TransactWriteItems",
                &e,
            ))),
        }
    }

    async fn get(&self, schedule_id: Uuid) -> Result<Option<ScheduledReport>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(schedule_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("GetItem"))?;
        out.item.map(Self::decode).transpose()
    }

    async fn list_for_user(&self, user_id: &str) -> Result<Vec<ScheduledReport>, PortError> {
        self.query_all(
            index::SCHEDULES_BY_USER,
            "user_id = :u",
            &[],
            &[(":u", s(user_id))],
            None,
        )
        .await
    }

    async fn update(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        let changed = || {
            PortError::Conflict(format!(
                "schedule {} changed or is gone",
                schedule.schedule_id
            ))
        };
        let Some(expected) = schedule.version.checked_sub(1) else {
            return Err(changed());
        };
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::encode(schedule)?))
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":expected", n(expected))
            .send()
            .await;
        if conditional_put(out)? {
            Ok(())
        } else {
            Err(changed())
        }
    }

    async fn delete(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        let delete_schedule = build(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(Self::key(schedule.schedule_id)))
                .condition_expression("#version = :version")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":version", n(schedule.version))
                .build(),
        )?;
        // The guard is this schedule's for as long as the schedule exists (they are written
        // together), and the condition above holds only then.
        let delete_guard = build(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(Self::guard_key(schedule)))
                .build(),
        )?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete_schedule).build())
            .transact_items(TransactWriteItem::builder().delete(delete_guard).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if lost_race(&e) => match self.get(schedule.schedule_id).await? {
                // Already deleted (its guard with it): nothing left to do.
                None => Ok(()),
                Some(_) => Err(PortError::Conflict(format!(
                    "schedule {} changed",
                    schedule.schedule_id
                ))),
            },
            Err(e) => Err(PortError::Unavailable(sdk_message(
                "TransactWriteItems",
                &e,
            ))),
        }
    }

    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ScheduledReport>, PortError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Each shard's `limit` earliest, all shards at once; the merge keeps the earliest overall.
        let shards: Vec<String> = (0..DUE_SHARDS)
            .map(|n| format!("due#{n}"))
            .chain([LEGACY_DUE_SHARD.to_string()])
            .collect();
        let values: Vec<[(&str, AttributeValue); 2]> = shards
            .iter()
            .map(|shard| [(":shard", s(shard)), (":now", s(instant(&now)))])
            .collect();
        let queries = values.iter().map(|values| {
            self.query_all(
                index::SCHEDULES_DUE,
                "#shard = :shard AND #due_at <= :now",
                &[("#shard", "due_shard"), ("#due_at", "due_at")],
                values,
                Some(limit),
            )
        });
        let mut due = Vec::new();
        for found in futures::future::join_all(queries).await {
            due.extend(found?);
        }
        // The index is sparse by `due_shard`; an item written without it by hand would not be
        // here, but an inactive one must never run.
        due.retain(|s| s.active && s.due_at <= now);
        due.sort_by_key(|s| (s.due_at, s.schedule_id));
        due.truncate(limit);
        Ok(due)
    }
}
