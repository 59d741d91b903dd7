//! Export jobs in DynamoDB (`JOBS_TABLE`), with `Idempotency-Key` claims in `CONTROL_TABLE`.
//! Every state change is a conditional write; the lease lives on the job item.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, SecondsFormat, Utc};
use exports_core::export::JobStatus;
use exports_core::job::{
    ExportJob, JOB_ROW_RETENTION, JobError, JobFile, sweep_at_lease_end, sweep_at_queued,
};
use exports_core::ports::{
    IdempotencyClaim, IdempotencyRecord, JobCursor, JobPage, JobStore, Lease, PortError,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::attribute::s;
use crate::error::{conditional_put, conditional_update, sdk_message, unavailable};
use crate::resources::index;

type Item = HashMap<String, AttributeValue>;

/// The sparse `jobs_in_flight` index: only in-flight jobs carry `in_flight` (one of
/// [`IN_FLIGHT_SHARDS`] values, so no single partition takes every write) and `sweep_at` (when
/// the sweeper looks at the job; see `exports_core::job::sweep_at_queued`). Completing, failing
/// or deleting a job removes both.
const IN_FLIGHT: &str = "in_flight";
const SWEEP_AT: &str = "sweep_at";
pub const IN_FLIGHT_SHARDS: u128 = 8;

fn in_flight_shard(job_id: Uuid) -> String {
    format!("in-flight#{}", job_id.as_u128() % IN_FLIGHT_SHARDS)
}

/// Timestamps that sort: fixed microsecond precision, UTC. Used for every stored instant so the
/// `created_at` index orders correctly and values round-trip exactly.
pub fn instant(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

#[derive(Debug, Clone)]
pub struct DynamoJobStore {
    client: Client,
    jobs_table: String,
    control_table: String,
}

impl DynamoJobStore {
    pub fn new(
        client: Client,
        jobs_table: impl Into<String>,
        control_table: impl Into<String>,
    ) -> Self {
        Self {
            client,
            jobs_table: jobs_table.into(),
            control_table: control_table.into(),
        }
    }

    fn encode(job: &ExportJob) -> Result<Item, PortError> {
        let mut item: Item = serde_dynamo::to_item(job)
            .map_err(|e| PortError::Corrupt(format!("encoding job {}: {e}", job.job_id)))?;
        item.insert("created_at".into(), s(instant(&job.created_at)));
        item.insert("ttl".into(), n(job.row_ttl()));
        if job.status.is_in_flight() {
            item.insert(IN_FLIGHT.into(), s(in_flight_shard(job.job_id)));
            item.insert(
                SWEEP_AT.into(),
                s(instant(&sweep_at_queued(job.created_at))),
            );
        }
        Ok(item)
    }

    fn decode(item: Item) -> Result<ExportJob, PortError> {
        let id = match item.get("job_id") {
            Some(AttributeValue::S(id)) => id.clone(),
            _ => String::new(),
        };
        serde_dynamo::from_item(item).map_err(|e| PortError::Corrupt(format!("job {id}: {e}")))
    }

    /// Keys of idempotency claims hash user and key, so neither can forge the other's.
    fn idempotency_pk(user_id: &str, key: &str) -> String {
        let digest = Sha256::digest(format!("{user_id}\0{key}").as_bytes());
        format!(
            "IDEMPOTENCY#{}",
            exports_core::service::requests::hex(&digest)
        )
    }

    fn job_key(job_id: Uuid) -> Item {
        HashMap::from([("job_id".to_string(), s(job_id.to_string()))])
    }
}

#[async_trait]
impl JobStore for DynamoJobStore {
    async fn create(
        &self,
        job: &ExportJob,
        idempotency: Option<&IdempotencyClaim>,
    ) -> Result<(), PortError> {
        let item = Self::encode(job)?;
        let Some(claim) = idempotency else {
            let put = self
                .client
                .put_item()
                .table_name(&self.jobs_table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(job_id)")
                .send()
                .await;
            return if conditional_put(put)? {
                Ok(())
            } else {
                Err(PortError::Conflict(format!("job {} exists", job.job_id)))
            };
        };
        let put_job = Put::builder()
            .table_name(&self.jobs_table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(job_id)")
            .build()
            .map_err(|e| PortError::Corrupt(e.to_string()))?;
        let now_ms = job.created_at.timestamp_millis();
        let claim_item: Item = HashMap::from([
            (
                "pk".to_string(),
                s(Self::idempotency_pk(&claim.user_id, &claim.key)),
            ),
            ("job_id".to_string(), s(job.job_id.to_string())),
            ("request_hash".to_string(), s(&claim.request_hash)),
            (
                "expires_at_ms".to_string(),
                n(claim.expires_at.timestamp_millis()),
            ),
            ("ttl".to_string(), n(claim.expires_at.timestamp())),
        ]);
        let put_claim = Put::builder()
            .table_name(&self.control_table)
            .set_item(Some(claim_item))
            // An expired claim may linger until TTL removes it; it no longer counts.
            .condition_expression("attribute_not_exists(pk) OR expires_at_ms < :now")
            .expression_attribute_values(":now", n(now_ms))
            .build()
            .map_err(|e| PortError::Corrupt(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_job).build())
            .transact_items(TransactWriteItem::builder().put(put_claim).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let cancelled = e.as_service_error().and_then(|s| match s {
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(c) => Some(c),
                    _ => None,
                });
                match cancelled {
                    Some(c)
                        if c.cancellation_reasons()
                            .iter()
                            .any(|r| r.code() == Some("ConditionalCheckFailed")) =>
                    {
                        Err(PortError::Conflict(
                            "idempotency key already claimed".into(),
                        ))
                    }
                    _ => Err(PortError::Unavailable(sdk_message(
                        "TransactWriteItems",
                        &e,
                    ))),
                }
            }
        }
    }

    async fn release_idempotency(
        &self,
        user_id: &str,
        key: &str,
        job_id: Uuid,
    ) -> Result<(), PortError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.control_table)
            .key("pk", s(Self::idempotency_pk(user_id, key)))
            .condition_expression("job_id = :j")
            .expression_attribute_values(":j", s(job_id.to_string()))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            // Already gone, or claimed by another job since: nothing of ours to release.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(PortError::Unavailable(sdk_message("DeleteItem", &e))),
        }
    }

    async fn idempotency_record(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.control_table)
            .key("pk", s(Self::idempotency_pk(user_id, key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("GetItem"))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let get = |k: &str| match item.get(k) {
            Some(AttributeValue::S(v)) | Some(AttributeValue::N(v)) => Some(v.clone()),
            _ => None,
        };
        let expires: i64 = get("expires_at_ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if expires < now.timestamp_millis() {
            return Ok(None);
        }
        let job_id = get("job_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| PortError::Corrupt("idempotency claim without job_id".into()))?;
        Ok(Some(IdempotencyRecord {
            job_id,
            request_hash: get("request_hash").unwrap_or_default(),
        }))
    }

    async fn get(&self, job_id: Uuid) -> Result<Option<ExportJob>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::job_key(job_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("GetItem"))?;
        out.item.map(Self::decode).transpose()
    }

    async fn list_for_user(
        &self,
        user_id: &str,
        after: Option<&JobCursor>,
        limit: usize,
    ) -> Result<JobPage, PortError> {
        let mut q = self
            .client
            .query()
            .table_name(&self.jobs_table)
            .index_name(index::JOBS_BY_USER)
            .key_condition_expression("user_id = :u")
            .expression_attribute_values(":u", s(user_id))
            .scan_index_forward(false)
            .limit(limit.clamp(1, 1000) as i32);
        if let Some(c) = after {
            q = q.set_exclusive_start_key(Some(HashMap::from([
                ("job_id".to_string(), s(c.job_id.to_string())),
                ("user_id".to_string(), s(user_id)),
                ("created_at".to_string(), s(instant(&c.created_at))),
            ])));
        }
        let out = q.send().await.map_err(unavailable("Query"))?;
        let jobs: Vec<ExportJob> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(Self::decode)
            .collect::<Result<_, _>>()?;
        let next = match (out.last_evaluated_key, jobs.last()) {
            (Some(_), Some(last)) => Some(JobCursor {
                created_at: last.created_at,
                job_id: last.job_id,
            }),
            _ => None,
        };
        Ok(JobPage { jobs, next })
    }

    async fn claim(&self, job_id: Uuid, lease: Lease) -> Result<Option<ExportJob>, PortError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::job_key(job_id)))
            .update_expression(
                "SET #status = :processing, lease_token = :token, lease_until_ms = :until, \
                 started_at = if_not_exists(started_at, :now), attempts = if_not_exists(attempts, :zero) + :one, \
                 in_flight = :shard, sweep_at = :sweep_at",
            )
            .condition_expression(
                "#status = :pending OR (#status = :processing AND (attribute_not_exists(lease_until_ms) OR lease_until_ms < :now_ms))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":processing", s(JobStatus::Processing.as_str()))
            .expression_attribute_values(":pending", s(JobStatus::Pending.as_str()))
            .expression_attribute_values(":token", s(lease.token.to_string()))
            .expression_attribute_values(":until", n(lease.until.timestamp_millis()))
            .expression_attribute_values(":now", s(instant(&lease.now)))
            .expression_attribute_values(":now_ms", n(lease.now.timestamp_millis()))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":shard", s(in_flight_shard(job_id)))
            .expression_attribute_values(
                ":sweep_at",
                s(instant(&sweep_at_lease_end(lease.until))),
            )
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        conditional_update(out)?
            .and_then(|out| out.attributes)
            .map(Self::decode)
            .transpose()
    }

    async fn complete(
        &self,
        job_id: Uuid,
        lease_token: Uuid,
        completed_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        file: &JobFile,
    ) -> Result<(), PortError> {
        let file = serde_dynamo::to_attribute_value(file)
            .map_err(|e| PortError::Corrupt(e.to_string()))?;
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::job_key(job_id)))
            .update_expression(
                "SET #status = :completed, completed_at = :completed_at, expires_at = :expires_at, #file = :file, #ttl = :ttl \
                 REMOVE lease_token, lease_until_ms, in_flight, sweep_at",
            )
            .condition_expression("#status = :processing AND lease_token = :token")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#file", "file")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":completed", s(JobStatus::Completed.as_str()))
            .expression_attribute_values(":processing", s(JobStatus::Processing.as_str()))
            .expression_attribute_values(":token", s(lease_token.to_string()))
            .expression_attribute_values(":completed_at", s(instant(&completed_at)))
            .expression_attribute_values(":expires_at", s(instant(&expires_at)))
            .expression_attribute_values(":file", file)
            .expression_attribute_values(":ttl", n((expires_at + JOB_ROW_RETENTION).timestamp()))
            .send()
            .await;
        conditional_update(out)?.map(|_| ()).ok_or_else(|| {
            PortError::Conflict(format!(
                "job {job_id} is no longer processing under this lease"
            ))
        })
    }

    async fn fail(
        &self,
        job_id: Uuid,
        lease_token: Option<Uuid>,
        error: &JobError,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let error = serde_dynamo::to_attribute_value(error)
            .map_err(|e| PortError::Corrupt(e.to_string()))?;
        let mut req = self
            .client
            .update_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::job_key(job_id)))
            .update_expression("SET #status = :failed, #error = :error, failed_at = :now REMOVE lease_token, lease_until_ms, in_flight, sweep_at")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#error", "error")
            .expression_attribute_values(":failed", s(JobStatus::Failed.as_str()))
            .expression_attribute_values(":processing", s(JobStatus::Processing.as_str()))
            .expression_attribute_values(":error", error)
            .expression_attribute_values(":now", s(instant(&now)));
        req = match lease_token {
            Some(token) => req
                .condition_expression("#status = :processing AND lease_token = :token")
                .expression_attribute_values(":token", s(token.to_string())),
            None => req
                .condition_expression("#status IN (:pending, :processing)")
                .expression_attribute_values(":pending", s(JobStatus::Pending.as_str())),
        };
        conditional_update(req.send().await)?
            .map(|_| ())
            .ok_or_else(|| {
                PortError::Conflict(format!("job {job_id} is not in flight under this lease"))
            })
    }

    async fn stuck(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ExportJob>, PortError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // Every shard at once; each returns its `limit` oldest, the merge keeps the oldest overall.
        let queries = (0..IN_FLIGHT_SHARDS).map(|shard| {
            self.client
                .query()
                .table_name(&self.jobs_table)
                .index_name(index::JOBS_IN_FLIGHT)
                .key_condition_expression("#shard = :shard AND #sweep_at <= :now")
                .expression_attribute_names("#shard", IN_FLIGHT)
                .expression_attribute_names("#sweep_at", SWEEP_AT)
                .expression_attribute_values(":shard", s(format!("in-flight#{shard}")))
                .expression_attribute_values(":now", s(instant(&now)))
                .limit(limit.min(1000) as i32)
                .send()
        });
        let mut stuck: Vec<(String, ExportJob)> = Vec::new();
        for out in futures::future::join_all(queries).await {
            let out = out.map_err(unavailable("Query"))?;
            for item in out.items.unwrap_or_default() {
                let at = match item.get(SWEEP_AT) {
                    Some(AttributeValue::S(at)) => at.clone(),
                    _ => String::new(),
                };
                stuck.push((at, Self::decode(item)?));
            }
        }
        stuck.sort_by(|(a, x), (b, y)| (a, x.job_id).cmp(&(b, y.job_id)));
        Ok(stuck.into_iter().take(limit).map(|(_, job)| job).collect())
    }

    async fn requeued(&self, job_id: Uuid, now: DateTime<Utc>) -> Result<bool, PortError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::job_key(job_id)))
            .update_expression("SET sweep_at = :sweep_at")
            .condition_expression(
                "#status = :pending OR (#status = :processing AND (attribute_not_exists(lease_until_ms) OR lease_until_ms < :now_ms))",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(JobStatus::Pending.as_str()))
            .expression_attribute_values(":processing", s(JobStatus::Processing.as_str()))
            .expression_attribute_values(":now_ms", n(now.timestamp_millis()))
            .expression_attribute_values(":sweep_at", s(instant(&sweep_at_queued(now))))
            .send()
            .await;
        Ok(conditional_update(out)?.is_some())
    }

    async fn mark_deleted(
        &self,
        job_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<ExportJob>, PortError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.jobs_table)
            .set_key(Some(Self::job_key(job_id)))
            .update_expression(
                "SET #status = :deleted, deleted_at = :now REMOVE lease_token, lease_until_ms, in_flight, sweep_at",
            )
            .condition_expression("attribute_exists(job_id)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":deleted", s(JobStatus::Deleted.as_str()))
            .expression_attribute_values(":now", s(instant(&now)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        conditional_update(out)?
            .and_then(|out| out.attributes)
            .map(Self::decode)
            .transpose()
    }
}
