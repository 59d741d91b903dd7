//! The renderer: an SQS batch in, one `render_job` per message (or `produce_audit_export` for an
//! audit export's message), partial batch failures out, and per job message an EMF metrics line
//! (`exports_aws::metrics`: completed, failed or retried exports by type, format and code; render
//! and job time, bytes, pages).

use std::time::Instant;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use exports_aws::metrics;
use exports_aws::queue::{parse_audit_export_message, parse_message};
use exports_core::service::{ExportService, RenderOutcome, port_error_code};
use futures::StreamExt;

/// Messages of one batch rendered at the same time.
const CONCURRENCY: usize = 4;

fn receive_count(m: &SqsMessage) -> u32 {
    m.attributes
        .get("ApproximateReceiveCount")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Writes an audit export's file; the message id comes back when it is to be retried.
async fn audit_export(
    service: &ExportService,
    message_id: String,
    export_id: uuid::Uuid,
    receive_count: u32,
) -> Option<String> {
    let started = Instant::now();
    let outcome = service.produce_audit_export(export_id, receive_count).await;
    let millis = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(RenderOutcome::Done) => {
            tracing::info!(message_id, audit_export_id = %export_id, millis, outcome = "done", "message");
            None
        }
        Ok(RenderOutcome::Retry) => {
            tracing::info!(message_id, audit_export_id = %export_id, millis, outcome = "retry", "message");
            Some(message_id)
        }
        Err(e) => {
            tracing::warn!(message_id, audit_export_id = %export_id, millis, error = %e, outcome = "retry", "message");
            Some(message_id)
        }
    }
}

/// Renders every message of the batch; the ones to retry come back as `batchItemFailures`.
pub async fn handle(service: &ExportService, event: SqsEvent) -> SqsBatchResponse {
    let outcomes: Vec<Option<String>> = futures::stream::iter(event.records)
        .map(|m| async move {
            let message_id = m.message_id.clone().unwrap_or_default();
            if let Some(export_id) = m.body.as_deref().and_then(parse_audit_export_message) {
                return audit_export(service, message_id, export_id, receive_count(&m)).await;
            }
            let Some(job_id) = m.body.as_deref().and_then(parse_message) else {
                // Not a job message: retrying cannot help, so let it go (and say so).
                tracing::error!(message_id, "message is not a job message; dropped");
                return None;
            };
            let started = Instant::now();
            let outcome = service
                .render_job_reported(job_id, receive_count(&m))
                .await;
            let millis = started.elapsed().as_millis() as u64;
            match outcome {
                Ok(report) => {
                    if let Some(m) = metrics::rendered(&report, millis) {
                        m.emit();
                    }
                    match report.outcome {
                        RenderOutcome::Done => {
                            tracing::info!(message_id, job_id = %job_id, millis, outcome = "done", "message");
                            None
                        }
                        RenderOutcome::Retry => {
                            tracing::info!(message_id, job_id = %job_id, millis, outcome = "retry", "message");
                            Some(message_id)
                        }
                    }
                }
                Err(e) => {
                    metrics::render_errored(port_error_code(&e)).emit();
                    tracing::warn!(message_id, job_id = %job_id, millis, error = %e, outcome = "retry", "message");
                    Some(message_id)
                }
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = outcomes
        .into_iter()
        .flatten()
        .map(|id| {
            let mut f = BatchItemFailure::default();
            f.item_identifier = id;
            f
        })
        .collect();
    response
}
