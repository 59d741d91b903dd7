//! The sweeper: exports that stalled because their queue message was lost (never sent after the
//! job was written, or gone after a renderer died holding it) are queued again, or failed once
//! they have used up their attempts. The scheduler's tick runs it every 15 minutes.
//!
//! Stores index in-flight jobs by their sweep instant (`job::sweep_at_queued`,
//! `job::sweep_at_lease_end`), so a sweep reads only what is overdue. Queuing again is safe: a
//! renderer claims a job once per lease, and a message for a job no longer in flight is dropped.

use serde::Serialize;

use super::ExportService;
use crate::audit::{AuditAction, AuditEvent};
use crate::export::JobStatus;
use crate::job::JobError;
use crate::ports::PortError;

/// Stuck jobs read per page; the sweep pages until nothing overdue is left.
pub const SWEEP_PAGE: usize = 100;
/// The actor of the sweeper's audit events.
pub const SWEEPER: &str = "sweeper";

/// What one sweep did, for the logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SweepSummary {
    /// Stalled exports queued again.
    pub requeued: usize,
    /// Stalled exports failed, their attempts used up (`abandoned`).
    pub abandoned: usize,
}

impl ExportService {
    /// Queues again, or fails, every export whose sweep instant has passed.
    pub async fn sweep_stuck_jobs(&self) -> Result<SweepSummary, PortError> {
        let now = self.ports.clock.now();
        let mut summary = SweepSummary::default();
        let mut seen = std::collections::HashSet::new();
        loop {
            let page = self.ports.jobs.stuck(now, SWEEP_PAGE).await?;
            let fresh: Vec<_> = page.into_iter().filter(|j| seen.insert(j.job_id)).collect();
            if fresh.is_empty() {
                return Ok(summary);
            }
            for job in fresh {
                let used_up = job.status == JobStatus::Processing
                    && job.attempts >= self.settings.max_receive_count;
                if used_up {
                    let error = JobError {
                        code: "abandoned".into(),
                        message: format!(
                            "the export was not finished after {} attempts; please request it again",
                            job.attempts
                        ),
                    };
                    match self.ports.jobs.fail(job.job_id, None, &error, now).await {
                        Ok(()) => {}
                        // Finished or failed meanwhile.
                        Err(PortError::Conflict(_)) => continue,
                        Err(e) => return Err(e),
                    }
                    self.ports
                        .audit
                        .record(
                            &AuditEvent::system(SWEEPER, AuditAction::Failed, now)
                                .job(&job)
                                .reason("abandoned: stalled after its last attempt"),
                        )
                        .await?;
                    tracing::warn!(job_id = %job.job_id, attempts = job.attempts, "stalled export abandoned");
                    summary.abandoned += 1;
                    continue;
                }
                if !self.ports.jobs.requeued(job.job_id, now).await? {
                    continue;
                }
                // Recorded before it is sent: if the send fails, the job is overdue again after
                // the grace and the next sweep retries.
                self.ports.queue.enqueue(job.job_id).await?;
                let reason = match job.status {
                    JobStatus::Pending => {
                        "queued again: not picked up (its queue message was lost)"
                    }
                    _ => "queued again: its renderer stopped and the message was lost",
                };
                self.ports
                    .audit
                    .record(
                        &AuditEvent::system(SWEEPER, AuditAction::Requeued, now)
                            .job(&job)
                            .reason(reason),
                    )
                    .await?;
                tracing::info!(job_id = %job.job_id, status = job.status.as_str(), "stalled export queued again");
                summary.requeued += 1;
            }
        }
    }
}
