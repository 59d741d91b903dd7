//! Ports: the small traits the use cases depend on. AWS adapters implement them in
//! `exports-aws`; in-memory adapters in `exports-in-memory` serve fast tests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::audit::{AuditEvent, AuditQuery};
use crate::audit_export::AuditExport;
use crate::job::{ExportJob, JobError, JobFile};
use crate::records::{Note, NoteTexts, Patient, PatientRecord, SessionKey, Soap, Therapist};
use crate::scheduled_report::ScheduledReport;
use crate::template::{DocumentLayout, ExportTemplate};

/// Failure of an adapter. Messages carry ids and AWS error codes, never record contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// A conditional write lost: someone else changed the item first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backing service failed or could not be reached; worth retrying.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded.
    #[error("corrupt item: {0}")]
    Corrupt(String),
}

/// Which of a patient's sessions to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionScope {
    All,
    /// Sessions starting in `[from, to]`, both inclusive.
    Between {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// Read access to the clinical records store.
#[async_trait]
pub trait RecordSource: Send + Sync {
    /// The patient's profile alone: enough to check who may export them.
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError>;

    /// Everything recorded about one patient, with sessions limited to `scope`; lists in storage
    /// order (see [`PatientRecord::normalize`]). `None` if there is no such patient.
    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError>;

    /// The given therapists, in the order asked; unknown ids are left out.
    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError>;

    /// [`Self::patient_record`] with every note's text left out (its `soap` empty): what a file
    /// that reads the texts a few sessions at a time ([`Self::session_notes`]) starts from, so a
    /// record of thousands of sessions is never in memory at once. By default the whole record,
    /// texts dropped (an adapter that holds the record anyway gains nothing by doing better).
    async fn patient_record_outline(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        Ok(self
            .patient_record(patient_id, scope)
            .await?
            .map(|mut record| {
                for s in &mut record.sessions {
                    for n in &mut s.notes {
                        n.soap = Soap::default();
                    }
                }
                record
            }))
    }

    /// The notes, with their texts, of the patient's sessions from `first` to `last` (both
    /// included, in [`SessionKey`] order), each with its session's id; in storage order. By
    /// default read from the whole record.
    async fn session_notes(
        &self,
        patient_id: Uuid,
        first: SessionKey,
        last: SessionKey,
    ) -> Result<Vec<(Uuid, Note)>, PortError> {
        let Some(record) = self.patient_record(patient_id, SessionScope::All).await? else {
            return Ok(Vec::new());
        };
        Ok(record
            .sessions
            .into_iter()
            .filter(|s| (first..=last).contains(&SessionKey::of(&s.session)))
            .flat_map(|s| {
                let id = s.session.id;
                s.notes.into_iter().map(move |n| (id, n))
            })
            .collect())
    }
}

/// The time, injectable so schedules and expiry can be tested.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where new jobs, templates and scheduled reports get their ids.
pub trait IdSource: Send + Sync {
    fn new_id(&self) -> Uuid;
}

/// Random (v4) ids: what every deployment uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn new_id(&self) -> Uuid {
        Uuid::new_v4()
    }
}

/// Always the same id: the demo seeding creates its job, template and scheduled report under the
/// ids the sample events in `events/` name, each through its ordinary use case.
#[derive(Debug, Clone, Copy)]
pub struct FixedId(pub Uuid);

impl IdSource for FixedId {
    fn new_id(&self) -> Uuid {
        self.0
    }
}

/// The real clock moved by a fixed offset: a deployment seen from another time (tests of
/// expiry, `exports-local-runner tick --at`).
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock(pub chrono::Duration);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

/// A claim on an `Idempotency-Key`, written atomically with the job it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim {
    pub user_id: String,
    pub key: String,
    pub request_hash: String,
    pub expires_at: DateTime<Utc>,
}

/// What an earlier request with the same `Idempotency-Key` created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub job_id: Uuid,
    pub request_hash: String,
}

/// Position after the last job of a page (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCursor {
    pub created_at: DateTime<Utc>,
    pub job_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPage {
    pub jobs: Vec<ExportJob>,
    /// Where the next page starts; `None` at the end.
    pub next: Option<JobCursor>,
}

/// The renderer's exclusive, time-limited right to work on a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub token: Uuid,
    pub now: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// Export jobs. Every state change is a conditional write.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Creates a pending job. With `idempotency`, claims the key in the same transaction; if the
    /// key is already claimed (and not expired) nothing is written and the answer is
    /// [`PortError::Conflict`].
    async fn create(
        &self,
        job: &ExportJob,
        idempotency: Option<&IdempotencyClaim>,
    ) -> Result<(), PortError>;

    /// Forgets a claimed `Idempotency-Key` if it still names `job_id`, so a retry after a failed
    /// request creates a new job instead of replaying the failed one.
    async fn release_idempotency(
        &self,
        user_id: &str,
        key: &str,
        job_id: Uuid,
    ) -> Result<(), PortError>;

    /// The job an unexpired `Idempotency-Key` of this user names.
    async fn idempotency_record(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>, PortError>;

    async fn get(&self, job_id: Uuid) -> Result<Option<ExportJob>, PortError>;

    /// A user's jobs, newest first, `limit` at most, starting after `after`.
    async fn list_for_user(
        &self,
        user_id: &str,
        after: Option<&JobCursor>,
        limit: usize,
    ) -> Result<JobPage, PortError>;

    /// Takes the processing lease when the job is pending, or processing under an expired lease.
    /// Returns the job as claimed (status processing, attempts counted), or `None` when it is not
    /// claimable (finished, deleted, or leased to someone else).
    /// In-flight jobs whose sweep instant (`job::sweep_at_*`) is at or before `now`, oldest
    /// first, at most `limit`, read through an index (never a scan).
    async fn stuck(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ExportJob>, PortError>;
    /// Records that a stuck job was queued again at `now` (its sweep instant moves to
    /// `job::sweep_at_queued(now)`), if it is still in flight and not under a live lease;
    /// `false` when it moved on meanwhile.
    async fn requeued(&self, job_id: Uuid, now: DateTime<Utc>) -> Result<bool, PortError>;
    async fn claim(&self, job_id: Uuid, lease: Lease) -> Result<Option<ExportJob>, PortError>;

    /// Marks a job completed, if it is still processing under this lease; otherwise
    /// [`PortError::Conflict`].
    async fn complete(
        &self,
        job_id: Uuid,
        lease_token: Uuid,
        completed_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        file: &JobFile,
    ) -> Result<(), PortError>;

    /// Marks a pending or processing job failed (under this lease, when given); a job in any
    /// other state is left alone and the answer is [`PortError::Conflict`].
    async fn fail(
        &self,
        job_id: Uuid,
        lease_token: Option<Uuid>,
        error: &JobError,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// Marks a job deleted whatever its state and returns it as it was before.
    async fn mark_deleted(
        &self,
        job_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<ExportJob>, PortError>;
}

/// The queue between the API and the renderer. Messages carry an id only: an export job's, or an
/// audit export's.
#[async_trait]
pub trait JobQueue: Send + Sync {
    async fn enqueue(&self, job_id: Uuid) -> Result<(), PortError>;
    /// Queues the production of an audit export's file.
    async fn enqueue_audit_export(&self, export_id: Uuid) -> Result<(), PortError>;
}

/// Audit exports. Plain writes suffice: producing one is deterministic (audit events are
/// append-only and stamped when written, so a range that ended before the request is fixed), so
/// two producers racing write the same file and the same record.
#[async_trait]
pub trait AuditExportStore: Send + Sync {
    /// Writes a new record; [`PortError::Conflict`] if the id exists.
    async fn create(&self, export: &AuditExport) -> Result<(), PortError>;
    async fn get(&self, export_id: Uuid) -> Result<Option<AuditExport>, PortError>;
    /// Overwrites the record.
    async fn put(&self, export: &AuditExport) -> Result<(), PortError>;
}

/// A scheduled run the tick claimed, handed to whichever worker executes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClaimedRun {
    pub schedule_id: Uuid,
    /// The run's export job (derived from the schedule and the period).
    pub job_id: Uuid,
    /// The claim's attempt number: a message of an earlier claim is stale.
    pub attempt: u32,
}

/// Where claimed scheduled runs wait for a worker (SQS in AWS). Delivery is at least once.
#[async_trait]
pub trait RunQueue: Send + Sync {
    /// Sends every run, in as few requests as the queue allows.
    async fn send(&self, runs: &[ClaimedRun]) -> Result<(), PortError>;
}

/// A file to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject<'a> {
    pub key: &'a str,
    pub bytes: &'a [u8],
    pub content_type: &'a str,
    /// Offered to browsers as `Content-Disposition: attachment; filename=…`.
    pub filename: &'a str,
}

/// The smallest part of an upload in parts but the last (S3's limit).
pub const MIN_PART_BYTES: usize = 5 * 1024 * 1024;

/// Encrypted storage of export files.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Writes (or overwrites) an object, encrypted under the configured key.
    async fn put(&self, object: StoredObject<'_>) -> Result<(), PortError>;
    /// Deletes an object; deleting a missing object succeeds.
    async fn delete(&self, key: &str) -> Result<(), PortError>;
    /// Starts an upload in parts (S3 multipart) of the object at `key`, for a file too large to
    /// hold whole; returns the upload's id. Encryption, content type and filename are as
    /// [`Self::put`] sets them.
    async fn start_upload(
        &self,
        key: &str,
        content_type: &str,
        filename: &str,
    ) -> Result<String, PortError>;
    /// Uploads part `number` (from 1) of an upload; every part but the last must hold at least
    /// [`MIN_PART_BYTES`]. Returns the part's entity tag, for [`Self::complete_upload`].
    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        bytes: Vec<u8>,
    ) -> Result<String, PortError>;
    /// Makes the object from parts `1..=etags.len()`, in order.
    async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), PortError>;
    /// Discards an upload and the parts stored so far.
    async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<(), PortError>;
    /// The object's bytes; `None` if there is no such object.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError>;
    /// A URL that downloads the object without credentials until `expires_in` has passed, saved
    /// by a browser as `filename` (`Content-Disposition: attachment`) whether it follows a link or
    /// fetches it.
    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        expires_in: std::time::Duration,
    ) -> Result<String, PortError>;
}

/// The append-only audit log.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError>;
    /// Events in `[from, to]` matching the filters, oldest first.
    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, PortError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    Limited { retry_after_seconds: u64 },
}

/// Accepted exports per user per window, shared by every instance.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one export for `user_id` if under the limit.
    async fn acquire(&self, user_id: &str, now: DateTime<Utc>) -> Result<RateDecision, PortError>;
    /// Gives back a slot taken at `now` by a request that did not become an export.
    async fn release(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), PortError>;
}

/// A custom template body that does not work; positions are 1-based (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TemplateProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Renders a report as a file in one of the export formats. Pure and synchronous: no I/O.
pub trait FileRenderer: Send + Sync {
    /// The formats the deployment renders (those an export may ask for).
    fn formats(&self) -> Vec<crate::export::ExportFormat>;
    /// The file's bytes; printable formats are laid out as `layout` says (the data formats ignore
    /// it). The error is a message without PHI.
    fn render(
        &self,
        report: &crate::report::Report,
        format: crate::export::ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<Vec<u8>, String>;

    /// [`Self::render`], with what the renderer knows of the file besides its bytes (for
    /// metrics). By default nothing: only a renderer that lays pages out knows their number.
    fn render_file(
        &self,
        report: &crate::report::Report,
        format: crate::export::ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<RenderedFile, String> {
        self.render(report, format, layout)
            .map(|bytes| RenderedFile {
                bytes,
                pages: None,
                unsupported_characters: 0,
            })
    }

    /// [`Self::render_file`] handed out in pieces as the file is made, so a large file is
    /// never held whole (a PDF is written page by page). The report is handed over, so that a
    /// renderer can drop it as soon as it has taken what it needs. By default the whole file as
    /// one piece.
    fn render_stream(
        &self,
        report: crate::report::Report,
        format: crate::export::ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<Box<dyn RenderingFile>, String> {
        self.render_file(&report, format, layout)
            .map(|file| Box::new(WholeFile(Some(file), None, 0)) as Box<dyn RenderingFile>)
    }

    /// Whether [`Self::render_paged`] makes this file: by default no renderer reads note texts
    /// as it goes.
    fn renders_paged(
        &self,
        _export_type: crate::export::ExportType,
        _format: crate::export::ExportFormat,
        _layout: &DocumentLayout,
    ) -> bool {
        false
    }

    /// [`Self::render_stream`] for a report whose notes have no text yet (built from
    /// [`RecordSource::patient_record_outline`]): the file asks for the texts of a few sessions
    /// at a time ([`RenderingFile::wanted_note_texts`]) as it is written. Only called when
    /// [`Self::renders_paged`] said so.
    fn render_paged(
        &self,
        _report: crate::report::Report,
        _layout: &DocumentLayout,
    ) -> Result<Box<dyn RenderingFile>, String> {
        Err("this renderer does not read note texts as it goes".into())
    }

    /// The audit trail as CSV (`exports_formats::audit_csv`), for an audit export's file.
    fn audit_csv(&self, events: &[AuditEvent]) -> Result<Vec<u8>, String>;
}

/// A file being rendered ([`FileRenderer::render_stream`]): each call to
/// [`Self::next_chunk`] makes some more of it. No thread or runtime is involved: the caller
/// pulls, and uploads what it got before pulling again.
pub trait RenderingFile: Send {
    /// The next piece of the file; `None` once the file is complete. The error is a message
    /// without PHI.
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String>;
    /// Pages of a PDF, once complete (`None` for the other formats).
    fn pages(&self) -> Option<u32>;
    /// Characters drawn as placeholders, once complete.
    fn unsupported_characters(&self) -> u64;

    /// For a file made by [`FileRenderer::render_paged`]: the sessions (indices into the
    /// report's sessions, in its order) whose notes' texts it needs next, until given them. A
    /// piece may be empty while it waits for them. Other files need nothing.
    fn wanted_note_texts(&self) -> Option<std::ops::Range<usize>> {
        None
    }

    /// The texts of the exported notes of `sessions` (note id, SOAP sections), as asked for.
    fn give_note_texts(&mut self, _sessions: std::ops::Range<usize>, _texts: NoteTexts) {}
}

/// A file rendered whole, handed out as one piece.
struct WholeFile(Option<RenderedFile>, Option<u32>, u64);

impl RenderingFile for WholeFile {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.take().map(|file| {
            self.1 = file.pages;
            self.2 = file.unsupported_characters;
            file.bytes
        }))
    }

    fn pages(&self) -> Option<u32> {
        self.1
    }

    fn unsupported_characters(&self) -> u64 {
        self.2
    }
}

/// A rendered file: its bytes and, for a paginated format, its page count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub bytes: Vec<u8>,
    /// Pages of a PDF (from its layout); `None` where the format has no fixed pages (DOCX is
    /// paginated by the word processor; JSON and CSV have none).
    pub pages: Option<u32>,
    /// Characters no embedded font could draw, each printed as a placeholder (printable
    /// formats; 0 for the data formats, which hold text as it is).
    pub unsupported_characters: u64,
}

/// Checks custom template bodies before they are stored.
pub trait TemplateChecker: Send + Sync {
    /// The body parses and renders valid markup for sample reports of `export_type` (sample data
    /// only, so problems may quote it).
    fn check_body(
        &self,
        body: &str,
        export_type: crate::export::ExportType,
    ) -> Result<(), TemplateProblem>;
}

/// The [`FileRenderer`] of a function that never renders (the API): files are rendered by the
/// renderer function, so this one only says which formats the deployment offers.
#[derive(Debug, Clone)]
pub struct RenderedElsewhere(pub Vec<crate::export::ExportFormat>);

impl FileRenderer for RenderedElsewhere {
    fn formats(&self) -> Vec<crate::export::ExportFormat> {
        self.0.clone()
    }

    fn render(
        &self,
        _: &crate::report::Report,
        format: crate::export::ExportFormat,
        _: &DocumentLayout,
    ) -> Result<Vec<u8>, String> {
        Err(format!(
            "{format} files are rendered by the renderer function, not here"
        ))
    }

    fn audit_csv(&self, _: &[AuditEvent]) -> Result<Vec<u8>, String> {
        Err("audit export files are written by the renderer function, not here".into())
    }
}

/// Position after the last template of a page (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateCursor {
    pub created_at: DateTime<Utc>,
    pub template_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePage {
    pub templates: Vec<ExportTemplate>,
    pub next: Option<TemplateCursor>,
}

/// Therapists' own templates (built-in ones live in code, not here).
#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// Writes a new template; [`PortError::Conflict`] if the id exists.
    async fn create(&self, template: &ExportTemplate) -> Result<(), PortError>;
    /// Replaces an existing template; [`PortError::Conflict`] if it no longer exists.
    async fn replace(&self, template: &ExportTemplate) -> Result<(), PortError>;
    async fn get(&self, template_id: Uuid) -> Result<Option<ExportTemplate>, PortError>;
    /// An owner's templates, oldest first, `limit` at most, starting after `after`.
    async fn list_for_owner(
        &self,
        owner_id: &str,
        after: Option<&TemplateCursor>,
        limit: usize,
    ) -> Result<TemplatePage, PortError>;
    /// Deleting a missing template succeeds.
    async fn delete(&self, template_id: Uuid) -> Result<(), PortError>;
}

/// Scheduled reports. Writes are conditional on the version read (optimistic concurrency), so
/// two scheduler invocations can never both claim a period.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Writes a new schedule and claims its (user, template, patient) key in one transaction;
    /// [`PortError::Conflict`] if the key is taken.
    async fn create(&self, schedule: &ScheduledReport) -> Result<(), PortError>;
    async fn get(&self, schedule_id: Uuid) -> Result<Option<ScheduledReport>, PortError>;
    /// All of a user's schedules, oldest first.
    async fn list_for_user(&self, user_id: &str) -> Result<Vec<ScheduledReport>, PortError>;
    /// Writes `schedule` if the stored one still has version `schedule.version - 1`; otherwise
    /// [`PortError::Conflict`]. Inactive schedules leave the due index.
    async fn update(&self, schedule: &ScheduledReport) -> Result<(), PortError>;
    /// Deletes the schedule (if still at its version) and frees its uniqueness key.
    async fn delete(&self, schedule: &ScheduledReport) -> Result<(), PortError>;
    /// Active schedules with `due_at <= now`, earliest first, at most `limit`, read through an
    /// index (never a scan; the index's shards are read in parallel).
    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ScheduledReport>, PortError>;
}

/// A file attached to an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An email to send: both a plain-text and an HTML part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachment: Option<EmailAttachment>,
}

/// Sends email (SES in AWS).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends the email; the answer is the provider's message id.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, PortError>;
}

/// The [`Mailer`] of a function that never sends mail (the API, the renderer): scheduled-report
/// mail goes out from the scheduler function, so these link no mail client. Sending here is a
/// wiring mistake and fails rather than dropping the mail silently.
#[derive(Debug, Clone, Copy, Default)]
pub struct MailedElsewhere;

#[async_trait]
impl Mailer for MailedElsewhere {
    async fn send(&self, _: &OutgoingEmail) -> Result<String, PortError> {
        Err(PortError::Unavailable(
            "scheduled-report mail is sent by the scheduler function, not here".into(),
        ))
    }
}
