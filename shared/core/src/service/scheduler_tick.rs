//! Scheduled reports at scale: the tick claims each due schedule's period exactly once and hands
//! the run to the run queue; workers take runs from the queue concurrently, make each export
//! through the same pipeline as API exports, and email it.
//!
//! A period is claimed by a version-conditional write that advances `next_run_at` past *now*
//! (so after an outage a schedule runs once, not once per missed period) and records the run
//! with a lease. A worker takes a queued run once (a second version-conditional write, which a
//! duplicate delivery loses). The run's job id is derived from the schedule and the period, so a
//! retried run (render or email failed, or the worker died and the lease lapsed, and a later
//! tick claimed it again) finds its export again instead of making a second one.

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use serde::Serialize;
use uuid::Uuid;

use super::{ExportService, RenderOutcome};
use crate::audit::{AuditAction, AuditEvent};
use crate::export::{Delivery, JobStatus, RunStatus};
use crate::job::{ExportJob, JobOrigin};
use crate::mail::ReportReady;
use crate::ports::{ClaimedRun, EmailAttachment, PortError};
use crate::scheduled_report::{LastRun, ScheduleRun, ScheduledReport};

/// Due schedules read per page of the due index; the tick pages until none is left.
pub const DUE_PAGE: usize = 500;
/// Claims the tick has in flight at once (each is one conditional write).
pub const CLAIM_CONCURRENCY: usize = 32;
/// Ticks a run is retried on before it is given up (12 × 15 min = 3 hours).
pub const MAX_RUN_ATTEMPTS: u32 = 12;

/// What one tick did, for the logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickSummary {
    /// Due schedules read from the index.
    pub due: usize,
    /// Runs claimed and handed to the run queue.
    pub queued: usize,
    /// Schedules another invocation holds or changed first.
    pub skipped: usize,
}

/// What happened to one schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    Emailed,
    Failed,
    Retrying,
    /// Another invocation claimed it first, or holds its run's lease.
    Skipped,
    /// Nothing to do (the due index was stale, or the schedule is paused).
    NotDue,
}

/// What one [`ExportService::execute_run_reported`] did: for the scheduler's metrics. No ids,
/// no PHI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub outcome: RunOutcome,
    /// Why a `Failed` or `Retrying` run did not end in an email: a stable code
    /// (`email_failed`, `export_not_ready`, `access_revoked`, `export_failed`, …).
    pub code: Option<&'static str>,
}

/// Why a run did not end in an email.
enum RunFailure {
    /// The next tick tries again (same export).
    Retry(&'static str),
    /// This period's report will never be sent.
    Permanent(String),
}

impl From<PortError> for RunFailure {
    fn from(_: PortError) -> Self {
        RunFailure::Retry("service_unavailable")
    }
}

/// The stable code of a permanent run failure, without the detail some carry
/// (`export_failed: render_failed` is `export_failed`).
fn permanent_code(code: &str) -> &'static str {
    const CODES: &[&str] = &[
        "access_revoked",
        "template_not_found",
        "export_missing",
        "export_failed",
        "export_no_longer_available",
        "recipient_unknown",
        "export_file_missing",
    ];
    let bare = code.split(':').next().unwrap_or(code);
    CODES
        .iter()
        .copied()
        .find(|c| *c == bare)
        .unwrap_or("other")
}

fn by_schedule(schedule: &ScheduledReport, action: AuditAction, now: DateTime<Utc>) -> AuditEvent {
    let mut event = AuditEvent::system(&format!("schedule:{}", schedule.schedule_id), action, now);
    event.actor_role = "schedule".into();
    event.patient_id = Some(schedule.patient_id);
    event
}

impl ExportService {
    /// One scheduler tick (EventBridge, every 15 minutes): claims every due period, page after
    /// page of the due index, [`CLAIM_CONCURRENCY`] claims at a time, and sends the claimed runs
    /// to the run queue. A claim moves the schedule's `due_at` past now, so the next page holds
    /// the rest. The runs themselves are [`Self::execute_run`]'s, concurrently, elsewhere.
    pub async fn run_due_schedules(&self) -> Result<TickSummary, PortError> {
        let now = self.ports.clock.now();
        let mut summary = TickSummary::default();
        let mut seen = std::collections::HashSet::new();
        loop {
            let page = self.ports.schedules.due(now, DUE_PAGE).await?;
            let fresh: Vec<ScheduledReport> = page
                .into_iter()
                .filter(|s| seen.insert(s.schedule_id))
                .collect();
            if fresh.is_empty() {
                break;
            }
            summary.due += fresh.len();
            let claims: Vec<Result<Option<ClaimedRun>, PortError>> =
                futures::stream::iter(fresh.into_iter().map(|s| self.claim_run(s, now)))
                    .buffer_unordered(CLAIM_CONCURRENCY)
                    .collect()
                    .await;
            let mut claimed = Vec::with_capacity(claims.len());
            for claim in claims {
                match claim? {
                    Some(run) => claimed.push(run),
                    None => summary.skipped += 1,
                }
            }
            // Claimed runs not sent (the queue failed) keep their lease; when it lapses a later
            // tick claims them again, so nothing is lost.
            self.ports.runs.send(&claimed).await?;
            summary.queued += claimed.len();
        }
        Ok(summary)
    }

    /// Claims one schedule read from the due index at `now`: its due period, or a run whose
    /// lease lapsed (a retry). `None` when there is nothing to claim or another claim won.
    pub async fn claim_run(
        &self,
        schedule: ScheduledReport,
        now: DateTime<Utc>,
    ) -> Result<Option<ClaimedRun>, PortError> {
        if !schedule.active {
            return Ok(None);
        }
        let lease = Duration::from_std(self.settings.run_lease).unwrap_or(Duration::minutes(10));
        let mut claimed = schedule.clone();
        let run = match &schedule.run {
            Some(run) if run.lease_until > now => return Ok(None),
            Some(run) => ScheduleRun {
                attempts: run.attempts + 1,
                lease_until: now + lease,
                started_at: None,
                ..run.clone()
            },
            None if schedule.next_run_at <= now => {
                let period_at = schedule.next_run_at;
                claimed.next_run_at = schedule.recurrence.next_after(now);
                ScheduleRun {
                    period_at,
                    job_id: schedule.job_id_for(period_at),
                    attempts: 1,
                    lease_until: now + lease,
                    started_at: None,
                }
            }
            None => return Ok(None),
        };
        claimed.run = Some(run.clone());
        claimed.due_at = run.lease_until;
        claimed.last_run = Some(LastRun {
            period_at: run.period_at,
            job_id: Some(run.job_id),
            status: RunStatus::Running,
            at: now,
            error: None,
        });
        claimed.updated_at = now;
        claimed.version = schedule.version + 1;
        match self.ports.schedules.update(&claimed).await {
            Ok(()) => {}
            Err(PortError::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e),
        }
        // A run still `running` whose lease lapsed stalled (its worker stopped, or its message
        // was lost): taking it up again is audited. A run that failed and waits for its retry
        // is not stalled (its failure was audited).
        let stalled = schedule.run.is_some()
            && schedule
                .last_run
                .as_ref()
                .is_some_and(|l| l.status == RunStatus::Running);
        if stalled {
            let detail = format!(
                "run of {} claimed again after its lease lapsed (attempt {})",
                run.period_at.to_rfc3339(),
                run.attempts
            );
            let mut event =
                by_schedule(&schedule, AuditAction::Requeued, now).schedule(&schedule, &detail);
            event.job_id = Some(run.job_id);
            self.ports.audit.record(&event).await?;
        }
        tracing::info!(schedule_id = %schedule.schedule_id, job_id = %run.job_id, attempt = run.attempts, stalled, "schedule run claimed");
        Ok(Some(ClaimedRun {
            schedule_id: schedule.schedule_id,
            job_id: run.job_id,
            attempt: run.attempts,
        }))
    }

    /// Executes one claimed run taken from the run queue: takes it (once), makes or finds its
    /// export, renders it through the same pipeline as API exports, emails it, and records the
    /// outcome on the schedule. A stale or duplicate message is `Skipped`.
    pub async fn execute_run(&self, message: &ClaimedRun) -> Result<RunOutcome, PortError> {
        self.execute_run_reported(message).await.map(|r| r.outcome)
    }

    /// [`Self::execute_run`], reporting why a run failed (for metrics).
    pub async fn execute_run_reported(&self, message: &ClaimedRun) -> Result<RunReport, PortError> {
        let plain = |outcome| RunReport {
            outcome,
            code: None,
        };
        let Some(schedule) = self.ports.schedules.get(message.schedule_id).await? else {
            return Ok(plain(RunOutcome::NotDue));
        };
        let Some(run) = schedule.run.clone() else {
            // Finished already (a duplicate delivery), or the schedule changed.
            return Ok(plain(RunOutcome::Skipped));
        };
        if run.job_id != message.job_id
            || run.attempts != message.attempt
            || run.started_at.is_some()
        {
            return Ok(plain(RunOutcome::Skipped));
        }
        let now = self.ports.clock.now();
        let lease = Duration::from_std(self.settings.run_lease).unwrap_or(Duration::minutes(10));
        let run = ScheduleRun {
            started_at: Some(now),
            lease_until: now + lease,
            ..run
        };
        let mut taken = schedule.clone();
        taken.run = Some(run.clone());
        taken.due_at = run.lease_until;
        taken.version = schedule.version + 1;
        match self.ports.schedules.update(&taken).await {
            Ok(()) => {}
            Err(PortError::Conflict(_)) => return Ok(plain(RunOutcome::Skipped)),
            Err(e) => return Err(e),
        }

        let result = self.make_and_send(&taken, &run, now).await;
        let code = match &result {
            Ok(()) => None,
            Err(RunFailure::Retry(code)) => Some(*code),
            Err(RunFailure::Permanent(code)) => Some(permanent_code(code)),
        };
        let finished_at = self.ports.clock.now();
        let (outcome, status, error, keep) = match result {
            Ok(()) => (RunOutcome::Emailed, RunStatus::Emailed, None, false),
            Err(RunFailure::Retry(code)) if run.attempts < MAX_RUN_ATTEMPTS => (
                RunOutcome::Retrying,
                RunStatus::Failed,
                Some(code.to_string()),
                true,
            ),
            Err(RunFailure::Retry(code)) => (
                RunOutcome::Failed,
                RunStatus::Failed,
                Some(format!("{code} (gave up after {} attempts)", run.attempts)),
                false,
            ),
            Err(RunFailure::Permanent(code)) => {
                (RunOutcome::Failed, RunStatus::Failed, Some(code), false)
            }
        };
        let last = LastRun {
            period_at: run.period_at,
            job_id: Some(run.job_id),
            status,
            at: finished_at,
            error,
        };
        let kept = keep.then(|| ScheduleRun {
            // Free for the next tick at once.
            lease_until: finished_at,
            started_at: None,
            ..run.clone()
        });
        self.finish_run(taken, kept, last).await?;
        tracing::info!(schedule_id = %schedule.schedule_id, job_id = %run.job_id, outcome = ?outcome, "schedule run finished");
        Ok(RunReport { outcome, code })
    }

    /// Records the end of a run on the schedule as claimed, re-reading it only if the therapist
    /// changed it meanwhile. A schedule deleted (or a run taken over) in between is left alone.
    async fn finish_run(
        &self,
        claimed: ScheduledReport,
        kept: Option<ScheduleRun>,
        last: LastRun,
    ) -> Result<(), PortError> {
        let job_id = claimed.run.as_ref().map(|r| r.job_id);
        let mut current = Some(claimed);
        for _ in 0..3 {
            let Some(schedule) = current.take() else {
                return Ok(());
            };
            if schedule.run.as_ref().map(|r| r.job_id) != job_id {
                return Ok(());
            }
            let mut done = schedule.clone();
            done.due_at = match &kept {
                Some(run) => run.lease_until,
                None => schedule.next_run_at,
            };
            done.run = kept.clone();
            done.last_run = Some(last.clone());
            done.updated_at = last.at;
            done.version = schedule.version + 1;
            match self.ports.schedules.update(&done).await {
                Ok(()) => return Ok(()),
                Err(PortError::Conflict(_)) => {
                    current = self.ports.schedules.get(done.schedule_id).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(PortError::Conflict(
            "schedule kept changing while finishing a run".into(),
        ))
    }

    /// Makes (or finds) the period's export, renders it if needed, and emails it.
    async fn make_and_send(
        &self,
        schedule: &ScheduledReport,
        run: &ScheduleRun,
        now: DateTime<Utc>,
    ) -> Result<(), RunFailure> {
        let mut job = match self.ports.jobs.get(run.job_id).await? {
            Some(job) => job,
            None => self.create_run_job(schedule, run, now).await?,
        };
        if job.status.is_in_flight() {
            match self.render_job(job.job_id, run.attempts).await? {
                RenderOutcome::Done => {}
                RenderOutcome::Retry => return Err(RunFailure::Retry("export_not_ready")),
            }
            // Rendering changed it: read what it became.
            job = self
                .ports
                .jobs
                .get(run.job_id)
                .await?
                .ok_or_else(|| RunFailure::Permanent("export_missing".into()))?;
        }
        match job.status_at(self.ports.clock.now()) {
            JobStatus::Completed => {}
            JobStatus::Failed => {
                let code = job.error.as_ref().map_or("failed", |e| e.code.as_str());
                return Err(RunFailure::Permanent(format!("export_failed: {code}")));
            }
            JobStatus::Pending | JobStatus::Processing => {
                return Err(RunFailure::Retry("export_not_ready"));
            }
            JobStatus::Expired | JobStatus::Deleted => {
                return Err(RunFailure::Permanent("export_no_longer_available".into()));
            }
        }
        self.email(schedule, run, &job).await
    }

    async fn create_run_job(
        &self,
        schedule: &ScheduledReport,
        run: &ScheduleRun,
        now: DateTime<Utc>,
    ) -> Result<ExportJob, RunFailure> {
        let assigned = self
            .ports
            .records
            .patient(schedule.patient_id)
            .await?
            .is_some_and(|p| p.is_assigned_to(&schedule.user_id));
        if !assigned {
            self.ports
                .audit
                .record(
                    &by_schedule(schedule, AuditAction::Denied, now)
                        .reason("patient not found or no longer assigned to the therapist"),
                )
                .await?;
            return Err(RunFailure::Permanent("access_revoked".into()));
        }
        let sections = match schedule.template_id {
            None => None,
            Some(id) => match self.template(id).await? {
                Some(t) if t.visible_to(&schedule.user_id) => t.include_sections,
                _ => return Err(RunFailure::Permanent("template_not_found".into())),
            },
        };
        let job = ExportJob {
            origin: JobOrigin::Schedule {
                schedule_id: schedule.schedule_id,
            },
            ..ExportJob::new(
                run.job_id,
                schedule.user_id.clone(),
                schedule.export_type,
                schedule.format,
                schedule.patient_id,
                schedule.params_for(run.period_at, sections),
                now,
            )
        };
        // Audited first: a crash after the audit repeats it; one after the create would lose it.
        self.ports
            .audit
            .record(
                &by_schedule(schedule, AuditAction::Created, now)
                    .job(&job)
                    .reason(format!(
                        "scheduled report for therapist {}",
                        schedule.user_id
                    )),
            )
            .await?;
        match self.ports.jobs.create(&job, None).await {
            Ok(()) => Ok(job),
            // Made by an invocation that died before recording it: carry on with that one.
            Err(PortError::Conflict(_)) => self
                .ports
                .jobs
                .get(run.job_id)
                .await?
                .ok_or(RunFailure::Retry("service_unavailable")),
            Err(e) => Err(e.into()),
        }
    }

    async fn email(
        &self,
        schedule: &ScheduledReport,
        run: &ScheduleRun,
        job: &ExportJob,
    ) -> Result<(), RunFailure> {
        let file = job
            .file
            .as_ref()
            .ok_or_else(|| RunFailure::Permanent("export_missing".into()))?;
        // The recipient is the therapist's registered address, never one from a request.
        let therapist_id: Option<Uuid> = schedule.user_id.parse().ok();
        let therapist = match therapist_id {
            Some(id) => self.ports.records.therapists(&[id]).await?.pop(),
            None => None,
        };
        let Some(therapist) = therapist.filter(|t| t.email.contains('@')) else {
            return Err(RunFailure::Permanent("recipient_unknown".into()));
        };

        let mut attachment = None;
        let mut too_large = None;
        if schedule.delivery == Delivery::EmailAttachment {
            // Base64 grows a file by 4/3 plus a line break per 76 characters; the text and
            // HTML parts and headers take a few more kilobytes.
            let encoded = file.size_bytes.div_ceil(3) * 4 * 78 / 76 + 64 * 1024;
            if file.size_bytes > self.settings.max_attachment_bytes
                || encoded > self.settings.max_message_bytes
            {
                too_large = Some(file.size_bytes);
            } else {
                let bytes = self
                    .ports
                    .objects
                    .get(&file.key)
                    .await?
                    .ok_or_else(|| RunFailure::Permanent("export_file_missing".into()))?;
                let local_day = run
                    .period_at
                    .with_timezone(&schedule.recurrence.timezone)
                    .date_naive();
                attachment = Some(EmailAttachment {
                    // No MRN or name: mail clients show attachment names in listings.
                    filename: format!(
                        "{}_{}.{}",
                        job.export_type,
                        local_day.format("%Y-%m-%d"),
                        job.format.extension()
                    ),
                    content_type: file.content_type.clone(),
                    bytes,
                });
            }
        }
        let mode = match (&attachment, too_large) {
            (Some(_), _) => "email_attachment",
            (None, Some(_)) => "email_link: attachment over the size limit",
            (None, None) => "email_link",
        };
        let email = ReportReady {
            from: self.settings.mail_from.clone(),
            to: therapist.email.clone(),
            export_type: schedule.export_type,
            schedule_type: schedule.recurrence.schedule_type,
            schedule_id: schedule.schedule_id,
            job_id: job.job_id,
            period: job.params.start_date.zip(job.params.end_date),
            link: format!(
                "{}/exports/{}",
                self.settings.app_base_url.trim_end_matches('/'),
                job.job_id
            ),
            expires_at: job.expires_at.unwrap_or(job.created_at),
            attachment,
            too_large,
            warnings: file.warnings.iter().map(|w| w.message.clone()).collect(),
        }
        .into_email();

        let now = self.ports.clock.now();
        match self.ports.mailer.send(&email).await {
            Ok(message_id) => {
                tracing::info!(schedule_id = %schedule.schedule_id, job_id = %job.job_id, message_id = %message_id, mode, "scheduled report emailed");
                self.ports
                    .audit
                    .record(
                        &by_schedule(schedule, AuditAction::Emailed, now)
                            .job(job)
                            .reason(mode),
                    )
                    .await?;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(schedule_id = %schedule.schedule_id, job_id = %job.job_id, error = %e, "sending the scheduled report failed");
                self.ports
                    .audit
                    .record(
                        &by_schedule(schedule, AuditAction::Failed, now)
                            .job(job)
                            .reason("email_failed"),
                    )
                    .await?;
                Err(RunFailure::Retry("email_failed"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::permanent_code;

    #[test]
    fn a_permanent_failure_code_drops_its_detail_and_stays_in_a_fixed_set() {
        assert_eq!(
            permanent_code("export_failed: render_failed"),
            "export_failed"
        );
        assert_eq!(permanent_code("recipient_unknown"), "recipient_unknown");
        // Anything unforeseen (it may carry detail) is not passed on as a metric dimension.
        assert_eq!(permanent_code("patient 123 said no"), "other");
    }
}
