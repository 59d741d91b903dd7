//! Requesting, listing, reading, downloading and deleting export jobs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::requests::{
    ExportRequest, ExportRequestBody, ListQuery, idempotency_key, validate_export_request,
};
use super::{ExportService, MAX_DOWNLOAD_URL_TTL, ServiceError};
use crate::audit::{AuditAction, AuditEvent};
use crate::export::{ExportFormat, JobStatus};
use crate::identity::{Caller, Role};
use crate::job::{ExportJob, JobView};
use crate::params::ExportParams;
use crate::ports::{IdempotencyClaim, JobCursor, PortError, RateDecision};

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::hours(24);
/// Store pages a filtered listing examines before returning a short page.
const MAX_PAGES_PER_LISTING: usize = 10;

/// An accepted (or replayed) export request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub job: JobView,
    /// True when an `Idempotency-Key` replay returned an earlier job.
    pub replayed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobList {
    pub items: Vec<JobView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Download {
    pub download_url: String,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: String,
}

fn encode_cursor(c: &JobCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", c.created_at.to_rfc3339(), c.job_id))
}

fn decode_cursor(s: &str) -> Result<JobCursor, ServiceError> {
    let bad = || ServiceError::validation("cursor", "is not a cursor this API returned");
    let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (t, id) = raw.split_once('|').ok_or_else(bad)?;
    Ok(JobCursor {
        created_at: DateTime::parse_from_rfc3339(t)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        job_id: id.parse().map_err(|_| bad())?,
    })
}

fn cursor_of(job: &ExportJob) -> JobCursor {
    JobCursor {
        created_at: job.created_at,
        job_id: job.job_id,
    }
}

impl ExportService {
    /// `POST /api/v1/export/{type}`.
    pub async fn request_export(
        &self,
        caller: &Caller,
        body: ExportRequestBody,
        idempotency_header: Option<&str>,
    ) -> Result<Accepted, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let request = validate_export_request(body)?;
        let key = idempotency_header.map(idempotency_key).transpose()?;
        if let Some(format) = request.format
            && !self.settings.available_formats.contains(&format)
        {
            return Err(ServiceError::FormatNotAvailable(format.to_string()));
        }
        let now = self.ports.clock.now();
        let fingerprint = request.fingerprint();

        if let Some(key) = key
            && let Some(replay) = self.replay(caller, key, &fingerprint, now).await?
        {
            return Ok(replay);
        }

        self.check_assigned(caller, request.patient_id, now).await?;
        let (format, params) = self.apply_template(caller, &request, now).await?;

        if let RateDecision::Limited {
            retry_after_seconds,
        } = self.ports.limiter.acquire(&caller.user_id, now).await?
        {
            self.audit(
                AuditEvent::by(caller, "therapist", AuditAction::RateLimited, now)
                    .patient(request.patient_id)
                    .reason("hourly export limit reached"),
            )
            .await?;
            return Err(ServiceError::RateLimited {
                retry_after_seconds,
            });
        }

        let job = ExportJob {
            request_hash: Some(fingerprint.clone()),
            ..ExportJob::new(
                self.ports.ids.new_id(),
                caller.user_id.clone(),
                request.export_type,
                format,
                request.patient_id,
                params,
                now,
            )
        };
        let claim = key.map(|key| IdempotencyClaim {
            user_id: caller.user_id.clone(),
            key: key.to_string(),
            request_hash: fingerprint.clone(),
            expires_at: now + IDEMPOTENCY_WINDOW,
        });
        match self.ports.jobs.create(&job, claim.as_ref()).await {
            Ok(()) => {}
            // A concurrent request with the same key won the race: answer as its replay, which
            // does not count toward the limit.
            Err(PortError::Conflict(_)) if key.is_some() => {
                self.release_rate_slot(caller, now).await;
                let key = key.expect("checked");
                return self
                    .replay(caller, key, &fingerprint, now)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::Unavailable("idempotency record vanished".into())
                    });
            }
            Err(e) => {
                self.release_rate_slot(caller, now).await;
                return Err(e.into());
            }
        }
        // Audited before it is queued: an export never runs unaudited.
        let queued = match self
            .audit(AuditEvent::by(caller, "therapist", AuditAction::Created, now).job(&job))
            .await
        {
            Ok(()) => self
                .ports
                .queue
                .enqueue(job.job_id)
                .await
                .map_err(ServiceError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = queued {
            self.abandon(caller, &job, key, now).await;
            return Err(e);
        }
        Ok(Accepted {
            job: job.view(now),
            replayed: false,
        })
    }

    /// Undoes a request that created its job but could not audit or queue it: the job is failed
    /// visibly (never left pending with nothing to render it), its `Idempotency-Key` is freed so
    /// a retry creates a new export, and the rate-limit slot is given back.
    async fn abandon(
        &self,
        caller: &Caller,
        job: &ExportJob,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let error = crate::job::JobError {
            code: "queue_unavailable".into(),
            message: "the export could not be started; please request it again".into(),
        };
        if let Err(e) = self.ports.jobs.fail(job.job_id, None, &error, now).await {
            tracing::error!(job_id = %job.job_id, error = %e, "could not fail an abandoned job");
        }
        if let Some(key) = key
            && let Err(e) = self
                .ports
                .jobs
                .release_idempotency(&caller.user_id, key, job.job_id)
                .await
        {
            tracing::error!(job_id = %job.job_id, error = %e, "could not release an idempotency key");
        }
        self.release_rate_slot(caller, now).await;
    }

    /// Best effort: a slot not given back only makes the limit a little stricter for an hour.
    async fn release_rate_slot(&self, caller: &Caller, now: DateTime<Utc>) {
        if let Err(e) = self.ports.limiter.release(&caller.user_id, now).await {
            tracing::warn!(error = %e, "could not give back a rate-limit slot");
        }
    }

    /// The earlier job of an `Idempotency-Key`, if this user used it within the window.
    async fn replay(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Accepted>, ServiceError> {
        let Some(record) = self
            .ports
            .jobs
            .idempotency_record(&caller.user_id, key, now)
            .await?
        else {
            return Ok(None);
        };
        if record.request_hash != fingerprint {
            return Err(ServiceError::IdempotencyConflict);
        }
        let job =
            self.ports.jobs.get(record.job_id).await?.ok_or_else(|| {
                ServiceError::Internal("idempotency key names a missing job".into())
            })?;
        Ok(Some(Accepted {
            job: job.view(now),
            replayed: true,
        }))
    }

    /// The format and parameters of a request once its template (if any) fills in what the
    /// request leaves out: the default format and `include_sections`. Someone else's template,
    /// like a missing one, is an audited 404; a template of another export type is a 422.
    async fn apply_template(
        &self,
        caller: &Caller,
        request: &ExportRequest,
        now: DateTime<Utc>,
    ) -> Result<(ExportFormat, ExportParams), ServiceError> {
        let mut params = request.params.clone();
        let Some(template_id) = params.template_id else {
            return Ok((request.format.expect("validated"), params));
        };
        let template = match self.visible_template(&caller.user_id, template_id).await {
            Ok(t) => t,
            Err(e @ ServiceError::NotFound { .. }) => {
                self.audit(
                    AuditEvent::by(caller, "therapist", AuditAction::Denied, now)
                        .patient(request.patient_id)
                        .reason(format!(
                            "template {template_id} not found or not the caller's"
                        )),
                )
                .await?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if template.export_type != request.export_type {
            return Err(ServiceError::validation(
                "template_id",
                format!("the template is for {} exports", template.export_type),
            ));
        }
        if params.include_sections.is_none() {
            params.include_sections = template.include_sections.clone();
        }
        let format = request.format.unwrap_or(template.default_format);
        if !self.settings.available_formats.contains(&format) {
            return Err(ServiceError::FormatNotAvailable(format.to_string()));
        }
        Ok((format, params))
    }

    /// The caller's own job, or (audited) 404.
    async fn own_job(&self, caller: &Caller, job_id: Uuid) -> Result<ExportJob, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        match self.ports.jobs.get(job_id).await? {
            Some(job) if job.user_id == caller.user_id => Ok(job),
            _ => {
                let now = self.ports.clock.now();
                let mut event = AuditEvent::by(caller, "therapist", AuditAction::Denied, now)
                    .reason("job not found or not the caller's");
                event.job_id = Some(job_id);
                self.audit(event).await?;
                Err(super::Resource::Job.not_found())
            }
        }
    }

    /// `GET /api/v1/export/jobs/{job_id}`.
    pub async fn get_job(&self, caller: &Caller, job_id: Uuid) -> Result<JobView, ServiceError> {
        let job = self.own_job(caller, job_id).await?;
        Ok(job.view(self.ports.clock.now()))
    }

    /// `GET /api/v1/export/jobs`: the caller's jobs, newest first.
    pub async fn list_jobs(
        &self,
        caller: &Caller,
        query: &ListQuery,
    ) -> Result<JobList, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let now = self.ports.clock.now();
        let mut after = query.cursor.as_deref().map(decode_cursor).transpose()?;
        let matches = |job: &ExportJob| {
            query.status.is_none_or(|s| job.status_at(now) == s)
                && query.patient_id.is_none_or(|p| job.patient_id == p)
        };
        let mut items = Vec::new();
        let mut next = None;
        for _ in 0..MAX_PAGES_PER_LISTING {
            let page = self
                .ports
                .jobs
                .list_for_user(&caller.user_id, after.as_ref(), query.limit.get())
                .await?;
            let count = page.jobs.len();
            for (i, job) in page.jobs.iter().enumerate() {
                if matches(job) {
                    items.push(job.view(now));
                    if items.len() == query.limit.get() {
                        let more = i + 1 < count || page.next.is_some();
                        next = more.then(|| cursor_of(job));
                        return Ok(JobList {
                            items,
                            next_cursor: next.as_ref().map(encode_cursor),
                        });
                    }
                }
            }
            match page.next {
                Some(c) => {
                    next = Some(c.clone());
                    after = Some(c);
                }
                None => {
                    next = None;
                    break;
                }
            }
        }
        Ok(JobList {
            items,
            next_cursor: next.as_ref().map(encode_cursor),
        })
    }

    /// `GET /api/v1/export/download/{job_id}`: a short-lived URL for the file.
    pub async fn issue_download(
        &self,
        caller: &Caller,
        job_id: Uuid,
    ) -> Result<Download, ServiceError> {
        let job = self.own_job(caller, job_id).await?;
        let now = self.ports.clock.now();
        let status = job.status_at(now);
        match status {
            JobStatus::Completed => {}
            JobStatus::Expired => {
                return Err(ServiceError::Gone {
                    code: "export_expired",
                    message: "this export has expired".into(),
                });
            }
            JobStatus::Deleted => {
                return Err(ServiceError::Gone {
                    code: "export_deleted",
                    message: "this export was deleted".into(),
                });
            }
            other => {
                return Err(ServiceError::JobNotCompleted {
                    status: other.to_string(),
                });
            }
        }
        let file = job
            .file
            .as_ref()
            .ok_or_else(|| ServiceError::Internal("completed job without a file".into()))?;
        // The URL never outlives the export itself.
        let until_expiry = job
            .expires_at
            .map(|e| (e - now).to_std().unwrap_or_default())
            .unwrap_or(MAX_DOWNLOAD_URL_TTL);
        let ttl = self
            .settings
            .download_url_ttl
            .min(MAX_DOWNLOAD_URL_TTL)
            .min(until_expiry)
            .max(std::time::Duration::from_secs(1));
        let url = self
            .ports
            .objects
            .presign_get(&file.key, &file.filename, ttl)
            .await?;
        self.audit(AuditEvent::by(caller, "therapist", AuditAction::Downloaded, now).job(&job))
            .await?;
        Ok(Download {
            download_url: url,
            expires_at: now + Duration::from_std(ttl).unwrap_or_default(),
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            size_bytes: file.size_bytes,
            sha256: file.sha256.clone(),
        })
    }

    /// `DELETE /api/v1/export/jobs/{job_id}`: deletes the file, keeps the job as `deleted`.
    /// Deleting a deleted job succeeds again.
    pub async fn delete_job(&self, caller: &Caller, job_id: Uuid) -> Result<(), ServiceError> {
        let job = self.own_job(caller, job_id).await?;
        if job.status == JobStatus::Deleted {
            return Ok(());
        }
        let now = self.ports.clock.now();
        // File first, then the audit, then the job: until the job is marked, a retry repeats the
        // whole deletion (deleting a missing object succeeds), so no failure leaves a file behind
        // a `deleted` job or a deleted job unaudited.
        if let Some(file) = &job.file {
            self.ports.objects.delete(&file.key).await?;
        }
        self.audit(AuditEvent::by(caller, "therapist", AuditAction::Deleted, now).job(&job))
            .await?;
        self.ports.jobs.mark_deleted(job_id, now).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = JobCursor {
            created_at: Utc::now(),
            job_id: Uuid::new_v4(),
        };
        assert_eq!(decode_cursor(&encode_cursor(&c)).unwrap(), c);
        for garbage in ["%%%".to_string(), URL_SAFE_NO_PAD.encode("x|y")] {
            assert!(
                matches!(decode_cursor(&garbage), Err(ServiceError::Validation { field, .. }) if field == "cursor"),
                "{garbage}"
            );
        }
    }
}
