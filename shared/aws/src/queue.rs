//! The jobs queue on SQS. Messages carry `{"job_id": "…"}` and nothing else.

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use exports_core::ports::{JobQueue, PortError};
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
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("job_id")?.as_str()?.parse().ok()
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

#[async_trait]
impl JobQueue for SqsJobQueue {
    async fn enqueue(&self, job_id: Uuid) -> Result<(), PortError> {
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(message_body(job_id))
            .send()
            .await
            .map_err(unavailable("SendMessage"))?;
        Ok(())
    }
}
