//! Rendering one job: claim it, gather the records, render, store, complete. Safe under duplicate
//! and concurrent delivery and under a crash at any step.

use std::time::Instant;

use chrono::Duration;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ExportService;
use super::requests::hex;
use crate::audit::{AuditAction, AuditEvent};
use crate::export::{ExportFormat, ExportType, JobStatus};
use crate::job::{ExportJob, FILE_LIFETIME, FileWarning, JobError, JobFile};
use crate::ports::{Lease, MIN_PART_BYTES, PortError, RenderingFile, SessionScope, StoredObject};
use crate::report::{ReportInput, build_report, file_name};
use crate::template::DocumentLayout;

/// What the queue should do with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderOutcome {
    /// Done with this message (rendered now, already finished, or failed for good).
    Done,
    /// Deliver it again later (lease held elsewhere, or a transient failure).
    Retry,
}

/// What one [`ExportService::render_job_reported`] did, besides what the queue should do: for
/// the renderer's metrics. Pure data, no ids and no PHI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderReport {
    pub outcome: RenderOutcome,
    /// The job's type and format, when the job was found.
    pub export: Option<(ExportType, ExportFormat)>,
    pub result: RenderResult,
}

/// How a render ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderResult {
    /// Nothing rendered here: no such job, finished already, its lease held elsewhere, or
    /// deleted while rendering.
    Skipped,
    /// The file was stored and the job completed.
    Completed(FileStats),
    /// The job was marked failed; `code` is its error code (`access_revoked`, `render_failed`, …).
    Failed { code: String },
    /// A transient failure: the message is delivered again. `code` names the kind of port error.
    Retrying { code: &'static str },
}

/// What a completed render produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStats {
    pub bytes: u64,
    /// Pages of a PDF; `None` for the other formats.
    pub pages: Option<u32>,
    /// Time spent turning the report into the file (the `FileRenderer`), not loading or storing.
    pub render_millis: u64,
}

/// A stable, low-cardinality name of a port error's kind (its message may name resources).
pub fn port_error_code(e: &PortError) -> &'static str {
    match e {
        PortError::Conflict(_) => "conflict",
        PortError::Unavailable(_) => "unavailable",
        PortError::Corrupt(_) => "corrupt",
    }
}

impl RenderReport {
    fn skipped(outcome: RenderOutcome, job: Option<&ExportJob>) -> Self {
        RenderReport {
            outcome,
            export: job.map(|j| (j.export_type, j.format)),
            result: RenderResult::Skipped,
        }
    }
}

/// A failure while producing the file.
enum Failure {
    /// Rendering can never succeed (the patient is gone, access was revoked, …).
    Permanent(JobError),
    /// Worth another attempt.
    Transient(PortError),
}

impl From<PortError> for Failure {
    fn from(e: PortError) -> Self {
        match e {
            PortError::Corrupt(m) => Failure::Permanent(JobError {
                code: "records_unreadable".into(),
                message: format!(
                    "stored records could not be read ({})",
                    m.split(':').next().unwrap_or("decode")
                ),
            }),
            other => Failure::Transient(other),
        }
    }
}

fn permanent(code: &str, message: &str) -> Failure {
    Failure::Permanent(JobError {
        code: code.into(),
        message: message.into(),
    })
}

const RENDERER: &str = "renderer";

impl ExportService {
    /// Renders the job named by a queue message. `receive_count` is the message's
    /// `ApproximateReceiveCount`: on the last allowed receive a failing job is marked failed.
    pub async fn render_job(
        &self,
        job_id: Uuid,
        receive_count: u32,
    ) -> Result<RenderOutcome, PortError> {
        self.render_job_reported(job_id, receive_count)
            .await
            .map(|r| r.outcome)
    }

    /// [`Self::render_job`], reporting what happened (for metrics).
    pub async fn render_job_reported(
        &self,
        job_id: Uuid,
        receive_count: u32,
    ) -> Result<RenderReport, PortError> {
        let jobs = &self.ports.jobs;
        let Some(job) = jobs.get(job_id).await? else {
            tracing::warn!(job_id = %job_id, "no such job; message dropped");
            return Ok(RenderReport::skipped(RenderOutcome::Done, None));
        };
        if !job.status.is_in_flight() {
            return Ok(RenderReport::skipped(RenderOutcome::Done, Some(&job)));
        }
        let export = Some((job.export_type, job.format));
        let report = |outcome, result| RenderReport {
            outcome,
            export,
            result,
        };
        let now = self.ports.clock.now();
        let lease = Lease {
            token: Uuid::new_v4(),
            now,
            until: now
                + Duration::from_std(self.settings.render_lease).unwrap_or(Duration::minutes(2)),
        };
        let Some(job) = jobs.claim(job_id, lease).await? else {
            // Someone else holds the lease, or it finished in between.
            let finished = jobs
                .get(job_id)
                .await?
                .is_none_or(|j| !j.status.is_in_flight());
            let outcome = if finished {
                RenderOutcome::Done
            } else {
                RenderOutcome::Retry
            };
            return Ok(report(outcome, RenderResult::Skipped));
        };

        match self.produce(&job).await {
            Ok((file, stats)) => {
                let completed_at = self.ports.clock.now();
                match jobs
                    .complete(
                        job_id,
                        lease.token,
                        completed_at,
                        completed_at + FILE_LIFETIME,
                        &file,
                    )
                    .await
                {
                    Ok(()) => Ok(report(RenderOutcome::Done, RenderResult::Completed(stats))),
                    Err(PortError::Conflict(_)) => {
                        // Deleted while rendering: the file must not outlive the job.
                        if jobs
                            .get(job_id)
                            .await?
                            .is_some_and(|j| j.status == JobStatus::Deleted)
                        {
                            self.ports.objects.delete(&file.key).await?;
                        }
                        Ok(report(RenderOutcome::Done, RenderResult::Skipped))
                    }
                    Err(e) => Err(e),
                }
            }
            Err(Failure::Permanent(error)) => {
                self.fail_job(&job, lease.token, &error).await?;
                Ok(report(
                    RenderOutcome::Done,
                    RenderResult::Failed { code: error.code },
                ))
            }
            Err(Failure::Transient(e)) if receive_count >= self.settings.max_receive_count => {
                let error = JobError {
                    code: "render_failed".into(),
                    message: format!(
                        "rendering failed after {receive_count} attempts; please request the export again"
                    ),
                };
                self.fail_job(&job, lease.token, &error).await?;
                tracing::error!(job_id = %job_id, receive_count, error = %e, "render failed on the last attempt");
                // Still a failure for the queue, so the message moves to the dead-letter queue.
                Ok(report(
                    RenderOutcome::Retry,
                    RenderResult::Failed { code: error.code },
                ))
            }
            Err(Failure::Transient(e)) => {
                tracing::warn!(job_id = %job_id, receive_count, error = %e, "render failed; will retry");
                Ok(report(
                    RenderOutcome::Retry,
                    RenderResult::Retrying {
                        code: port_error_code(&e),
                    },
                ))
            }
        }
    }

    async fn fail_job(
        &self,
        job: &ExportJob,
        token: Uuid,
        error: &JobError,
    ) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        match self
            .ports
            .jobs
            .fail(job.job_id, Some(token), error, now)
            .await
        {
            Ok(()) | Err(PortError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        self.ports
            .audit
            .record(
                &AuditEvent::system(RENDERER, AuditAction::Failed, now)
                    .job(job)
                    .reason(&error.code),
            )
            .await
    }

    /// The layout of the job's template (the standard one without a template).
    async fn layout_of(&self, job: &ExportJob) -> Result<DocumentLayout, Failure> {
        let Some(template_id) = job.params.template_id else {
            return Ok(DocumentLayout::default());
        };
        match self.template(template_id).await? {
            Some(t) if t.visible_to(&job.user_id) => Ok(t.layout),
            _ => Err(permanent(
                "template_not_found",
                "the export's template was deleted",
            )),
        }
    }

    /// Gathers, renders and stores the file. The bytes depend only on the job and the records,
    /// so a repeated render overwrites the object with the same content.
    async fn produce(&self, job: &ExportJob) -> Result<(JobFile, FileStats), Failure> {
        let records = &self.ports.records;
        let scope = match (job.export_type, job.params.start_date, job.params.end_date) {
            (ExportType::SessionNotes | ExportType::ProgressReport, Some(start), Some(end)) => {
                SessionScope::Between {
                    from: crate::dates::start_of_day(start),
                    to: crate::dates::end_of_day(end),
                }
            }
            _ => SessionScope::All,
        };
        let Some(record) = records.patient_record(job.patient_id, scope).await? else {
            return Err(permanent(
                "patient_not_found",
                "the patient no longer exists",
            ));
        };
        let requester_id: Option<Uuid> = job.user_id.parse().ok();
        if !requester_id.is_some_and(|r| record.patient.assigned_therapist_ids.contains(&r)) {
            return Err(permanent(
                "access_revoked",
                "the requester is no longer assigned to this patient",
            ));
        }
        let requester_id = requester_id.expect("checked");
        let mut ids: Vec<Uuid> = vec![requester_id];
        ids.extend(record.patient.assigned_therapist_ids.iter().copied());
        for s in &record.sessions {
            ids.push(s.session.therapist_id);
            ids.extend(s.notes.iter().map(|n| n.author_id));
        }
        ids.sort_unstable();
        ids.dedup();
        let therapists = records.therapists(&ids).await?;
        let Some(requester) = therapists.iter().find(|t| t.id == requester_id) else {
            return Err(permanent(
                "clinician_not_found",
                "the requesting clinician has no profile",
            ));
        };

        let report = build_report(&ReportInput {
            job_id: job.job_id,
            export_type: job.export_type,
            params: &job.params,
            generated_at: job.created_at,
            requester,
            record: &record,
            therapists: &therapists,
        });
        // The report holds what the file needs; a long record is not held twice while the file
        // is made.
        drop(record);
        drop(therapists);
        let format = job.format;
        if !self.ports.files.formats().contains(&format) {
            return Err(permanent(
                "format_not_available",
                &format!("{format} exports are not available yet"),
            ));
        }
        // Only printable formats have a layout (and only they may read a template for it).
        let layout = if format.is_printable() {
            self.layout_of(job).await?
        } else {
            DocumentLayout::default()
        };
        let started = Instant::now();
        let render_failed = |message: String| {
            tracing::error!(job_id = %job.job_id, format = %format, error = %message, "rendering failed");
            permanent("render_failed", "the document could not be rendered")
        };
        let filename = file_name(&report, job.format);
        // The report is handed over: the renderer keeps only what it still needs (a PDF the
        // markup of its document), not the report's copy of the record's text.
        let mut rendering = self
            .ports
            .files
            .render_stream(report, format, &layout)
            .map_err(render_failed)?;
        let mut render_time = started.elapsed();
        let key = job.object_key(&filename);
        let content_type = job.format.content_type();
        let target = Target {
            key: &key,
            content_type,
            filename: &filename,
        };
        let stored = self
            .upload(&target, rendering.as_mut(), &mut render_time)
            .await
            .map_err(|e| match e {
                Upload::Render(message) => render_failed(message),
                Upload::Store(e) => Failure::from(e),
            })?;
        let unsupported = rendering.unsupported_characters();
        let file = JobFile {
            key,
            filename,
            content_type: content_type.to_string(),
            size_bytes: stored.size,
            sha256: stored.sha256,
            warnings: match unsupported {
                0 => Vec::new(),
                n => vec![FileWarning::unsupported_characters(n)],
            },
        };
        if !file.warnings.is_empty() {
            // Counts only: the characters themselves would be patient text.
            tracing::warn!(
                job_id = %job.job_id,
                format = %format,
                unsupported_characters = unsupported,
                "the file shows some characters as placeholders"
            );
        }
        let stats = FileStats {
            bytes: file.size_bytes,
            pages: rendering.pages(),
            render_millis: u64::try_from(render_time.as_millis()).unwrap_or(u64::MAX),
        };
        Ok((file, stats))
    }

    /// Stores the file as it is rendered: pieces are gathered into parts of at least
    /// [`MIN_PART_BYTES`], and only a file larger than one part is uploaded in parts (the
    /// others with one put). At most one part is held. The upload is aborted on any failure,
    /// so no parts are left behind (the bucket's lifecycle rule is the backstop). `render_time`
    /// gets the time spent rendering.
    async fn upload(
        &self,
        target: &Target<'_>,
        rendering: &mut dyn RenderingFile,
        render_time: &mut std::time::Duration,
    ) -> Result<Stored, Upload> {
        let objects = &self.ports.objects;
        let mut digest = Sha256::new();
        let mut size = 0u64;
        // Room for a part and a piece or two: the buffer never grows by doubling (a large
        // allocation's untouched pages take no memory, so a small file costs nothing more).
        let mut part = Vec::with_capacity(MIN_PART_BYTES + (1 << 20));
        let mut next = |part: &mut Vec<u8>, time: &mut std::time::Duration| {
            // Fills `part` to at least a part's size; false once the file is complete.
            while part.len() < MIN_PART_BYTES {
                let t = Instant::now();
                let chunk = rendering.next_chunk().map_err(Upload::Render)?;
                *time += t.elapsed();
                match chunk {
                    Some(chunk) => {
                        digest.update(&chunk);
                        size += chunk.len() as u64;
                        part.extend_from_slice(&chunk);
                    }
                    None => return Ok(false),
                }
            }
            Ok(true)
        };
        if !next(&mut part, render_time)? {
            objects
                .put(StoredObject {
                    key: target.key,
                    bytes: &part,
                    content_type: target.content_type,
                    filename: target.filename,
                })
                .await
                .map_err(Upload::Store)?;
        } else {
            let upload_id = objects
                .start_upload(target.key, target.content_type, target.filename)
                .await
                .map_err(Upload::Store)?;
            let mut etags = Vec::new();
            let parts = async {
                loop {
                    let more = next(&mut part, render_time)?;
                    // The last part may be short; an empty one is only sent as the first.
                    if !part.is_empty() || etags.is_empty() {
                        let number = etags.len() as u32 + 1;
                        let bytes = std::mem::replace(
                            &mut part,
                            Vec::with_capacity(MIN_PART_BYTES + (1 << 20)),
                        );
                        etags.push(
                            objects
                                .upload_part(target.key, &upload_id, number, bytes)
                                .await
                                .map_err(Upload::Store)?,
                        );
                    }
                    if !more {
                        break;
                    }
                }
                objects
                    .complete_upload(target.key, &upload_id, &etags)
                    .await
                    .map_err(Upload::Store)
            };
            if let Err(e) = parts.await {
                if let Err(abort) = objects.abort_upload(target.key, &upload_id).await {
                    tracing::warn!(error = %abort, "aborting an upload in parts failed; the lifecycle rule removes its parts");
                }
                return Err(e);
            }
        }
        Ok(Stored {
            size,
            sha256: hex(&digest.finalize()),
        })
    }
}

/// Where a file goes.
struct Target<'a> {
    key: &'a str,
    content_type: &'a str,
    filename: &'a str,
}

/// What was stored.
struct Stored {
    size: u64,
    sha256: String,
}

/// Why storing a file failed.
enum Upload {
    /// The renderer failed (a message without PHI).
    Render(String),
    Store(PortError),
}
