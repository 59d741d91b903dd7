//! The scheduler, two triggers in one binary:
//! - the tick (EventBridge, every 15 minutes): every due scheduled report's period claimed and
//!   handed to the scheduled-runs queue (`ExportService::run_due_schedules`), then stalled
//!   exports swept (`ExportService::sweep_stuck_jobs`), a summary out;
//! - the runs (SQS, the scheduled-runs queue): one claimed run per message exported and emailed
//!   (`ExportService::execute_run`), partial batch failures out. Lambda runs as many of these at
//!   once as the event source's maximum concurrency allows.
//!
//! Each tick and each run also writes an EMF metrics line (`exports_aws::metrics`): due, queued
//! and skipped schedules; runs emailed, failed, retrying or skipped; e-mails sent and failed.

use std::time::Instant;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use exports_aws::metrics;
use exports_aws::queue::parse_run_message;
use exports_core::ports::PortError;
use exports_core::service::{
    ExportService, RunOutcome, SweepSummary, TickSummary, port_error_code,
};

/// What an invocation carries: an SQS batch has `Records`; anything else is a tick (its
/// contents do not matter, the clock decides what is due).
#[derive(Debug)]
pub enum Invocation {
    Tick,
    Runs(SqsEvent),
}

impl Invocation {
    pub fn of(payload: serde_json::Value) -> Result<Self, serde_json::Error> {
        if payload.get("Records").is_some() {
            Ok(Invocation::Runs(serde_json::from_value(payload)?))
        } else {
            Ok(Invocation::Tick)
        }
    }
}

/// What a tick did: its claims and its sweep, as one flat JSON object.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TickReport {
    #[serde(flatten)]
    pub claims: TickSummary,
    #[serde(flatten)]
    pub sweep: SweepSummary,
}

/// Runs one tick: claims every due period, then sweeps stalled exports. An error (the due
/// index, the jobs table or a queue could not be reached) fails the invocation so Lambda retries
/// it; runs claimed before it keep their lease and are claimed again once it lapses, and a
/// second sweep finds only what is still overdue.
pub async fn handle(service: &ExportService) -> Result<TickReport, PortError> {
    let started = Instant::now();
    let claims = service.run_due_schedules().await?;
    let sweep = service.sweep_stuck_jobs().await?;
    let millis = started.elapsed().as_millis() as u64;
    metrics::tick(&claims, &sweep, millis).emit();
    tracing::info!(
        due = claims.due,
        queued = claims.queued,
        skipped = claims.skipped,
        requeued = sweep.requeued,
        abandoned = sweep.abandoned,
        millis,
        "scheduler tick"
    );
    Ok(TickReport { claims, sweep })
}

/// What a batch of runs did, for the logs and the local runner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunsSummary {
    pub emailed: usize,
    pub failed: usize,
    /// Failed in a way a later tick retries.
    pub retrying: usize,
    /// Stale or duplicate messages, and runs of schedules gone or changed.
    pub skipped: usize,
}

impl RunsSummary {
    /// Counts one run's outcome; its name for the logs.
    pub fn add(&mut self, outcome: RunOutcome) -> &'static str {
        match outcome {
            RunOutcome::Emailed => {
                self.emailed += 1;
                "emailed"
            }
            RunOutcome::Failed => {
                self.failed += 1;
                "failed"
            }
            RunOutcome::Retrying => {
                self.retrying += 1;
                "retrying"
            }
            RunOutcome::Skipped | RunOutcome::NotDue => {
                self.skipped += 1;
                "skipped"
            }
        }
    }
}

/// Executes every run of the batch, one after another (the event source's concurrency, not the
/// batch, is what runs them in parallel); the ones to retry come back as `batchItemFailures`.
/// A run that fails is recorded on its schedule and retried by a later tick, so only a run that
/// could not even be read is retried through SQS.
pub async fn handle_runs(service: &ExportService, event: SqsEvent) -> SqsBatchResponse {
    execute_runs(service, event).await.0
}

/// [`handle_runs`], with a summary of the outcomes.
pub async fn execute_runs(
    service: &ExportService,
    event: SqsEvent,
) -> (SqsBatchResponse, RunsSummary) {
    let mut response = SqsBatchResponse::default();
    let mut summary = RunsSummary::default();
    for m in event.records {
        let message_id = m.message_id.clone().unwrap_or_default();
        let Some(run) = m.body.as_deref().and_then(parse_run_message) else {
            tracing::error!(message_id, "message is not a scheduled run; dropped");
            continue;
        };
        let started = Instant::now();
        let outcome = service.execute_run_reported(&run).await;
        let millis = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(report) => {
                metrics::run(&report, millis).emit();
                let outcome = summary.add(report.outcome);
                tracing::info!(message_id, schedule_id = %run.schedule_id, job_id = %run.job_id, attempt = run.attempt, millis, outcome, "scheduled run");
            }
            Err(e) => {
                metrics::run_errored(port_error_code(&e), millis).emit();
                tracing::warn!(message_id, schedule_id = %run.schedule_id, millis, error = %e, outcome = "retry", "scheduled run");
                let mut f = BatchItemFailure::default();
                f.item_identifier = message_id;
                response.batch_item_failures.push(f);
            }
        }
    }
    (response, summary)
}
