//! The queues on SQS: the jobs queue (export jobs, `{"job_id": "…"}`, and audit exports,
//! `{"audit_export_id": "…"}`) and claimed scheduled runs.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use exports_core::ports::{ClaimedRun, JobQueue, PortError, RunQueue};
use futures::StreamExt;
use uuid::Uuid;

use crate::error::unavailable;

#[derive(Debug, Clone)]
pub struct SqsJobQueue {
    client: Client,
    queue_url: String,
}

/// The body of a jobs-queue message.
pub fn message_body(job_id: Uuid) -> String {
    serde_json::json!({ "job_id": job_id }).to_string()
}

/// The job id in a jobs-queue message body, if it is one.
pub fn parse_message(body: &str) -> Option<Uuid> {
    id_field(body, "job_id")
}

/// The body of a jobs-queue message asking for an audit export's file.
pub fn audit_export_message_body(export_id: Uuid) -> String {
    serde_json::json!({ "audit_export_id": export_id }).to_string()
}

/// The audit export id in a jobs-queue message body, if it is one.
pub fn parse_audit_export_message(body: &str) -> Option<Uuid> {
    id_field(body, "audit_export_id")
}

fn id_field(body: &str, field: &str) -> Option<Uuid> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get(field)?.as_str()?.parse().ok()
}

impl SqsJobQueue {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// The queue URL: `JOBS_QUEUE_URL` if set, else looked up by name once (cold start).
    pub async fn resolve_url(client: &Client, name: &str) -> Result<String, PortError> {
        if let Ok(url) = std::env::var("JOBS_QUEUE_URL")
            && !url.is_empty()
        {
            return Ok(url);
        }
        client
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .map_err(unavailable("GetQueueUrl"))?
            .queue_url
            .ok_or_else(|| PortError::Unavailable(format!("queue {name} has no URL")))
    }

    pub fn url(&self) -> &str {
        &self.queue_url
    }
}

impl SqsJobQueue {
    async fn send(&self, body: String) -> Result<(), PortError> {
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(unavailable("SendMessage"))?;
        Ok(())
    }
}

#[async_trait]
impl JobQueue for SqsJobQueue {
    async fn enqueue(&self, job_id: Uuid) -> Result<(), PortError> {
        self.send(message_body(job_id)).await
    }

    async fn enqueue_audit_export(&self, export_id: Uuid) -> Result<(), PortError> {
        self.send(audit_export_message_body(export_id)).await
    }
}

/// The scheduled-runs queue on SQS. Messages carry a [`ClaimedRun`] as JSON. Only the tick sends
/// to it, so its URL is looked up on the first send (`SCHEDULED_RUNS_QUEUE_URL` if set), not at
/// every function's cold start.
#[derive(Debug)]
pub struct SqsRunQueue {
    client: Client,
    name: String,
    url: tokio::sync::OnceCell<String>,
}

/// SQS takes at most ten messages per `SendMessageBatch`.
const SQS_BATCH: usize = 10;
/// Batches in flight at once while a tick hands over its claimed runs.
const SEND_CONCURRENCY: usize = 8;

/// The body of a scheduled-runs message.
pub fn run_message_body(run: &ClaimedRun) -> String {
    serde_json::to_string(run).unwrap_or_default()
}

/// The claimed run in a scheduled-runs message body, if it is one.
pub fn parse_run_message(body: &str) -> Option<ClaimedRun> {
    serde_json::from_str(body).ok()
}

impl SqsRunQueue {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        let url = tokio::sync::OnceCell::new();
        if let Ok(preset) = std::env::var("SCHEDULED_RUNS_QUEUE_URL")
            && !preset.is_empty()
        {
            let _ = url.set(preset);
        }
        Self {
            client,
            name: name.into(),
            url,
        }
    }

    async fn url(&self) -> Result<&str, PortError> {
        self.url
            .get_or_try_init(|| async {
                self.client
                    .get_queue_url()
                    .queue_name(&self.name)
                    .send()
                    .await
                    .map_err(unavailable("GetQueueUrl"))?
                    .queue_url
                    .ok_or_else(|| {
                        PortError::Unavailable(format!("queue {} has no URL", self.name))
                    })
            })
            .await
            .map(String::as_str)
    }

    async fn send_batch(&self, url: &str, runs: &[ClaimedRun]) -> Result<(), PortError> {
        let entries = runs
            .iter()
            .enumerate()
            .map(|(i, run)| {
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(run_message_body(run))
                    .build()
                    .map_err(|e| PortError::Corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let out = self
            .client
            .send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(unavailable("SendMessageBatch"))?;
        // A batch succeeds per entry: any entry refused fails the send (its run's lease lapses
        // and a later tick claims it again).
        match out.failed.first() {
            None => Ok(()),
            Some(f) => Err(PortError::Unavailable(format!(
                "SendMessageBatch: {} of {} entries failed ({})",
                out.failed.len(),
                runs.len(),
                f.code
            ))),
        }
    }
}

#[async_trait]
impl RunQueue for SqsRunQueue {
    async fn send(&self, runs: &[ClaimedRun]) -> Result<(), PortError> {
        if runs.is_empty() {
            return Ok(());
        }
        let url = self.url().await?;
        let batches: Vec<_> = runs
            .chunks(SQS_BATCH)
            .map(|b| self.send_batch(url, b))
            .collect();
        let results: Vec<Result<(), PortError>> = futures::stream::iter(batches)
            .buffer_unordered(SEND_CONCURRENCY)
            .collect()
            .await;
        results.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_kinds_of_jobs_queue_message_are_told_apart() {
        let id = Uuid::new_v4();
        assert_eq!(parse_message(&message_body(id)), Some(id));
        assert_eq!(parse_audit_export_message(&message_body(id)), None);
        let audit = audit_export_message_body(id);
        assert_eq!(parse_audit_export_message(&audit), Some(id));
        assert_eq!(parse_message(&audit), None);
        assert_eq!(parse_audit_export_message("{\"audit_export_id\": 1}"), None);
    }
}
