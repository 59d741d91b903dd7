//! The scheduler: one EventBridge tick in, every due scheduled report claimed, exported and
//! emailed (see `ExportService::run_due_schedules`), a summary out.

use std::time::Instant;

use exports_core::ports::PortError;
use exports_core::service::{ExportService, TickSummary};

/// Runs one tick. The event's contents do not matter: the clock decides what is due. An error
/// (the due index could not be read) fails the invocation so Lambda retries it.
pub async fn handle(service: &ExportService) -> Result<TickSummary, PortError> {
    let started = Instant::now();
    let summary = service.run_due_schedules().await?;
    tracing::info!(
        due = summary.due,
        emailed = summary.emailed,
        failed = summary.failed,
        retrying = summary.retrying,
        skipped = summary.skipped,
        millis = started.elapsed().as_millis() as u64,
        "scheduler tick"
    );
    Ok(summary)
}
