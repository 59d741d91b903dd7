//! SQS-triggered functions locally: long-polls a queue (the jobs queue for the renderer, the
//! scheduled-runs queue for the scheduler's runs) and hands the function real SQS event batches,
//! then deletes what it finished, as Lambda's event source mapping does. Failed messages are
//! left to reappear after the visibility timeout and, after `maxReceiveCount` receives, to move
//! to the dead-letter queue.

use std::collections::HashSet;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};
use exports_core::service::ExportService;

/// Which function consumes the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumer {
    /// `exports_renderer::handle`, on the jobs queue.
    Renderer,
    /// `exports_scheduler::handle_runs`, on the scheduled-runs queue.
    ScheduledRuns,
}

pub struct Worker {
    pub consumer: Consumer,
    /// What the scheduled runs this worker handled did, in total.
    pub runs: std::sync::Mutex<exports_scheduler::RunsSummary>,
    pub service: ExportService,
    pub sqs: Client,
    pub queue_url: String,
    pub queue_arn: String,
    pub region: String,
}

impl Worker {
    /// A worker of `consumer` on the queue named `queue_name`, its URL and ARN looked up once.
    pub async fn connect(
        consumer: Consumer,
        service: ExportService,
        sqs: Client,
        queue_name: &str,
        region: String,
    ) -> anyhow::Result<Self> {
        let queue_url = sqs
            .get_queue_url()
            .queue_name(queue_name)
            .send()
            .await?
            .queue_url
            .unwrap_or_default();
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
            .unwrap_or_default();
        Ok(Self {
            consumer,
            runs: Default::default(),
            service,
            sqs,
            queue_url,
            queue_arn,
            region,
        })
    }

    /// One poll: receive up to 10 messages (waiting up to `wait`), render, delete the finished.
    /// Returns how many messages were received.
    pub async fn poll_once(&self, wait: Duration) -> anyhow::Result<usize> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait.as_secs() as i32)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await?;
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(0);
        }
        let mut event = SqsEvent::default();
        for m in &messages {
            let mut record = SqsMessage::default();
            record.message_id = m.message_id.clone();
            record.receipt_handle = m.receipt_handle.clone();
            record.body = m.body.clone();
            record.md5_of_body = m.md5_of_body.clone();
            record.attributes = m
                .attributes
                .as_ref()
                .map(|a| {
                    a.iter()
                        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            record.event_source = Some("aws:sqs".into());
            record.event_source_arn = Some(self.queue_arn.clone());
            record.aws_region = Some(self.region.clone());
            event.records.push(record);
        }
        let response = match self.consumer {
            Consumer::Renderer => exports_renderer::handle(&self.service, event).await,
            Consumer::ScheduledRuns => {
                let (response, runs) = exports_scheduler::execute_runs(&self.service, event).await;
                let mut total = self.runs.lock().unwrap_or_else(|p| p.into_inner());
                total.emailed += runs.emailed;
                total.failed += runs.failed;
                total.retrying += runs.retrying;
                total.skipped += runs.skipped;
                response
            }
        };
        let failed: HashSet<String> = response
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        let entries: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| m.message_id.as_ref().is_some_and(|id| !failed.contains(id)))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle.clone())
                    .build()
                    .ok()
            })
            .collect();
        if !entries.is_empty() {
            self.sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await?;
        }
        Ok(messages.len())
    }

    /// Polls without waiting until a poll finds the queue empty (what `tick --at` and the tests
    /// do after a tick). Returns how many messages were handled.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.poll_once(Duration::ZERO).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Polls until the process ends; errors are logged and retried after a pause.
    pub async fn run(&self) {
        loop {
            if let Err(e) = self.poll_once(Duration::from_secs(2)).await {
                tracing::warn!(error = %e, "queue poll failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}
