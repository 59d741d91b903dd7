//! Rendering one job: claim it, gather the records, render, store, complete. Safe under duplicate
//! and concurrent delivery and under a crash at any step.

use std::ops::Range;
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
use crate::records::{NoteTexts, SessionKey};
use crate::report::full_record::exports_note;
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
        // A file that reads its notes' texts a few sessions at a time (a full record's PDF)
        // starts from the record without them: a record of thousands of sessions is never in
        // memory at once.
        let paged = self
            .ports
            .files
            .renders_paged(job.export_type, format, &layout);
        let scope = match (job.export_type, job.params.start_date, job.params.end_date) {
            (ExportType::SessionNotes | ExportType::ProgressReport, Some(start), Some(end)) => {
                SessionScope::Between {
                    from: crate::dates::start_of_day(start),
                    to: crate::dates::end_of_day(end),
                }
            }
            _ => SessionScope::All,
        };
        let record = if paged {
            records
                .patient_record_outline(job.patient_id, scope)
                .await?
        } else {
            records.patient_record(job.patient_id, scope).await?
        };
        let Some(record) = record else {
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
        let note_texts = paged.then(|| {
            let mut sessions: Vec<SessionKey> = record
                .sessions
                .iter()
                .map(|s| SessionKey::of(&s.session))
                .collect();
            // The report's order (`Report`'s sessions are by start time, then id).
            sessions.sort_unstable();
            NoteTextSource {
                patient_id: job.patient_id,
                sessions,
                requester: requester_id,
                include_psychotherapy_notes: job.params.include_psychotherapy_notes,
            }
        });
        // The report holds what the file needs; a long record is not held twice while the file
        // is made.
        drop(record);
        drop(therapists);
        let started = Instant::now();
        let render_failed = |message: String| {
            tracing::error!(job_id = %job.job_id, format = %format, error = %message, "rendering failed");
            permanent("render_failed", "the document could not be rendered")
        };
        let filename = file_name(&report, job.format);
        // The report is handed over: the renderer keeps only what it still needs (a PDF the
        // markup of its document), not the report's copy of the record's text.
        let files = &self.ports.files;
        let mut rendering = if paged {
            files.render_paged(report, &layout)
        } else {
            files.render_stream(report, format, &layout)
        }
        .map_err(render_failed)?;
        let mut render_time = started.elapsed();
        let key = job.object_key(&filename);
        let content_type = job.format.content_type();
        let target = Target {
            key: &key,
            content_type,
            filename: &filename,
        };
        let mut source = Pieces {
            rendering: rendering.as_mut(),
            note_texts: note_texts.as_ref(),
            digest: Sha256::new(),
            size: 0,
            render_time: &mut render_time,
        };
        self.upload(&target, &mut source)
            .await
            .map_err(|e| match e {
                Upload::Render(message) => render_failed(message),
                Upload::Store(e) => Failure::from(e),
            })?;
        let (size, sha256) = (source.size, hex(&source.digest.finalize()));
        let unsupported = rendering.unsupported_characters();
        let file = JobFile {
            key,
            filename,
            content_type: content_type.to_string(),
            size_bytes: size,
            sha256,
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
    /// so no parts are left behind (the bucket's lifecycle rule is the backstop).
    async fn upload(&self, target: &Target<'_>, source: &mut Pieces<'_>) -> Result<(), Upload> {
        let objects = &self.ports.objects;
        // Room for a part and a piece or two: the buffer never grows by doubling (a large
        // allocation's untouched pages take no memory, so a small file costs nothing more).
        let mut part = Vec::with_capacity(MIN_PART_BYTES + (1 << 20));
        if !self.fill(source, &mut part).await? {
            return objects
                .put(StoredObject {
                    key: target.key,
                    bytes: &part,
                    content_type: target.content_type,
                    filename: target.filename,
                })
                .await
                .map_err(Upload::Store);
        }
        let upload_id = objects
            .start_upload(target.key, target.content_type, target.filename)
            .await
            .map_err(Upload::Store)?;
        let mut etags = Vec::new();
        let parts = async {
            loop {
                let more = self.fill(source, &mut part).await?;
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
        Ok(())
    }

    /// Fills `part` to at least a part's size from the file being rendered, giving it the note
    /// texts it asks for on the way; false once the file is complete.
    async fn fill(&self, source: &mut Pieces<'_>, part: &mut Vec<u8>) -> Result<bool, Upload> {
        while part.len() < MIN_PART_BYTES {
            let asked = source.rendering.wanted_note_texts();
            if let Some(sessions) = asked.clone() {
                let texts = self.note_texts(source.note_texts, sessions.clone()).await?;
                source.rendering.give_note_texts(sessions, texts);
            }
            let t = Instant::now();
            let chunk = source.rendering.next_chunk().map_err(Upload::Render)?;
            *source.render_time += t.elapsed();
            match chunk {
                Some(chunk) if chunk.is_empty() && asked.is_none() => {
                    // It waits for texts it does not ask for: it would never finish.
                    if source.rendering.wanted_note_texts().is_none() {
                        return Err(Upload::Render(
                            "the renderer waits for input it does not ask for".into(),
                        ));
                    }
                }
                Some(chunk) => {
                    source.digest.update(&chunk);
                    source.size += chunk.len() as u64;
                    part.extend_from_slice(&chunk);
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    /// The texts of the notes a paged file exports, for `sessions` (indices into the report's
    /// sessions), read from the records now.
    async fn note_texts(
        &self,
        source: Option<&NoteTextSource>,
        sessions: Range<usize>,
    ) -> Result<NoteTexts, Upload> {
        let asked = source.and_then(|s| {
            let keys = s.sessions.get(sessions.clone())?;
            Some((s, keys.first()?, keys.last()?))
        });
        let Some((source, first, last)) = asked else {
            return Err(Upload::Render(format!(
                "the renderer asked for the note texts of sessions {sessions:?}, which the report does not have"
            )));
        };
        let notes = self
            .ports
            .records
            .session_notes(source.patient_id, *first, *last)
            .await
            .map_err(Upload::Store)?;
        Ok(notes
            .into_iter()
            .filter(|(_, n)| exports_note(n, source.include_psychotherapy_notes, source.requester))
            .map(|(_, n)| (n.id, n.soap))
            .collect())
    }
}

/// What a paged file's note texts are read with: the patient, the report's sessions in its
/// order, and who may see which notes.
struct NoteTextSource {
    patient_id: Uuid,
    sessions: Vec<SessionKey>,
    requester: Uuid,
    include_psychotherapy_notes: bool,
}

/// The file being rendered, as the upload pulls it: its digest and size so far, and the time
/// spent rendering.
struct Pieces<'a> {
    rendering: &'a mut dyn RenderingFile,
    note_texts: Option<&'a NoteTextSource>,
    digest: Sha256,
    size: u64,
    render_time: &'a mut std::time::Duration,
}

/// Where a file goes.
struct Target<'a> {
    key: &'a str,
    content_type: &'a str,
    filename: &'a str,
}

/// Why storing a file failed.
enum Upload {
    /// The renderer failed (a message without PHI).
    Render(String),
    Store(PortError),
}
