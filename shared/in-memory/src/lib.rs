//! In-memory adapters of the core's ports, for fast tests of the use cases and for benches (test support:
//! no Lambda function links this crate).
//!
//! Each adapter mirrors the semantics of its AWS counterpart in `exports-aws` (conditional job
//! transitions and the render lease, idempotency claims that lapse, the per-clock-hour rate
//! window, audit ordering), keeps its state behind a [`std::sync::Mutex`] so tests can inspect
//! it, and has a switch to make it fail like an unreachable service.
//! [`in_memory_service`] wires them all into an [`ExportService`].

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard};

use async_trait::async_trait;
use chrono::{DateTime, Duration, DurationRound, Utc};
use uuid::Uuid;

use exports_core::audit::{AuditAction, AuditEvent, AuditQuery};
use exports_core::audit_export::AuditExport;
use exports_core::export::JobStatus;
use exports_core::job::{ExportJob, JobError, JobFile, sweep_at_lease_end, sweep_at_queued};
use exports_core::ports::{
    AuditExportStore, AuditLog, ClaimedRun, Clock, IdempotencyClaim, IdempotencyRecord, JobCursor,
    JobPage, JobQueue, JobStore, Lease, ObjectStore, PortError, RateDecision, RateLimiter,
    RecordSource, RunQueue, SessionScope, StoredObject,
};
use exports_core::records::{Note, Patient, PatientRecord, PracticeData, SessionKey, Therapist};
use exports_core::service::{DEFAULT_EXPORTS_PER_HOUR, ExportService, Ports, Settings};

mod scheduling;
pub use scheduling::{InMemoryMailer, InMemorySchedules, InMemoryTemplates};

/// A [`RecordSource`] over a practice held in memory.
#[derive(Debug, Clone, Default)]
pub struct InMemoryRecords {
    therapists: HashMap<Uuid, Therapist>,
    patients: HashMap<Uuid, PatientRecord>,
}

impl InMemoryRecords {
    pub fn new(data: PracticeData) -> Self {
        let therapists = data.therapists.into_iter().map(|t| (t.id, t)).collect();
        let patients = data
            .patients
            .into_iter()
            .map(|mut p| {
                p.normalize();
                (p.patient.id, p)
            })
            .collect();
        Self {
            therapists,
            patients,
        }
    }
}

/// Keeps the sessions that `scope` selects.
pub fn apply_scope(record: &mut PatientRecord, scope: SessionScope) {
    if let SessionScope::Between { from, to } = scope {
        record
            .sessions
            .retain(|s| (from..=to).contains(&s.session.start_time));
    }
}

#[async_trait]
impl RecordSource for InMemoryRecords {
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError> {
        Ok(self.patients.get(&patient_id).map(|p| p.patient.clone()))
    }

    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        Ok(self.patients.get(&patient_id).map(|p| {
            let mut p = p.clone();
            apply_scope(&mut p, scope);
            p
        }))
    }

    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        Ok(ids
            .iter()
            .filter_map(|id| self.therapists.get(id).cloned())
            .collect())
    }

    async fn session_notes(
        &self,
        patient_id: Uuid,
        first: SessionKey,
        last: SessionKey,
    ) -> Result<Vec<(Uuid, Note)>, PortError> {
        Ok(self.notes_between(patient_id, first, last))
    }
}

impl InMemoryRecords {
    /// What `DynamoRecords::session_notes` reads: the notes of the sessions from `first` to
    /// `last` (compared at the store's microsecond precision), in storage order.
    fn notes_between(
        &self,
        patient_id: Uuid,
        first: SessionKey,
        last: SessionKey,
    ) -> Vec<(Uuid, Note)> {
        let key = |k: &SessionKey| (micros(&k.start_time), k.id);
        let range = key(&first)..=key(&last);
        self.patients
            .get(&patient_id)
            .into_iter()
            .flat_map(|p| &p.sessions)
            .filter(|s| range.contains(&key(&SessionKey::of(&s.session))))
            .flat_map(|s| s.notes.iter().map(|n| (s.session.id, n.clone())))
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn unavailable(what: &str) -> PortError {
    PortError::Unavailable(format!("memory: {what} switched off"))
}

/// Stored instants have microsecond precision in DynamoDB; comparisons happen at that precision.
fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

// ---------------------------------------------------------------------------------------------
// Records that can change under a running service.

/// A [`RecordSource`] over an [`InMemoryRecords`] that tests can edit while the service runs
/// (delete a patient, revoke an assignment) or make fail.
#[derive(Debug, Default)]
pub struct SharedRecords {
    inner: RwLock<InMemoryRecords>,
    failure: Mutex<Option<PortError>>,
    notes_failure: Mutex<bool>,
}

impl SharedRecords {
    pub fn new(data: PracticeData) -> Self {
        Self {
            inner: RwLock::new(InMemoryRecords::new(data)),
            failure: Mutex::new(None),
            notes_failure: Mutex::new(false),
        }
    }

    /// Removes a patient and everything about them; `false` if there was none.
    pub fn remove_patient(&self, patient_id: Uuid) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        inner.patients.remove(&patient_id).is_some()
    }

    /// Edits a patient's record in place (and re-sorts it); `false` if there is no such patient.
    pub fn update_patient(&self, patient_id: Uuid, edit: impl FnOnce(&mut PatientRecord)) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        match inner.patients.get_mut(&patient_id) {
            Some(record) => {
                edit(record);
                record.normalize();
                true
            }
            None => false,
        }
    }

    /// Removes a therapist's profile; `false` if there was none.
    pub fn remove_therapist(&self, therapist_id: Uuid) -> bool {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        inner.therapists.remove(&therapist_id).is_some()
    }

    /// Every call fails with `error` until called again with `None`.
    pub fn fail_with(&self, error: Option<PortError>) {
        *lock(&self.failure) = error;
    }

    /// Shorthand for [`SharedRecords::fail_with`] a [`PortError::Unavailable`].
    pub fn set_unavailable(&self, off: bool) {
        self.fail_with(off.then(|| unavailable("records")));
    }

    /// Reading note texts ([`RecordSource::session_notes`]) fails while `off`; the rest works.
    pub fn fail_note_texts(&self, off: bool) {
        *lock(&self.notes_failure) = off;
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, InMemoryRecords>, PortError> {
        if let Some(e) = lock(&self.failure).clone() {
            return Err(e);
        }
        Ok(self.inner.read().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl RecordSource for SharedRecords {
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError> {
        let records = self.read()?;
        Ok(records.patients.get(&patient_id).map(|p| p.patient.clone()))
    }

    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        let records = self.read()?;
        Ok(records.patients.get(&patient_id).map(|p| {
            let mut p = p.clone();
            apply_scope(&mut p, scope);
            p
        }))
    }

    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        let records = self.read()?;
        Ok(ids
            .iter()
            .filter_map(|id| records.therapists.get(id).cloned())
            .collect())
    }

    async fn session_notes(
        &self,
        patient_id: Uuid,
        first: SessionKey,
        last: SessionKey,
    ) -> Result<Vec<(Uuid, Note)>, PortError> {
        if *lock(&self.notes_failure) {
            return Err(unavailable("note texts"));
        }
        Ok(self.read()?.notes_between(patient_id, first, last))
    }
}

// ---------------------------------------------------------------------------------------------
// Jobs.

/// Code run by [`InMemoryJobs`] at a chosen point, to interleave another actor's work.
pub type Hook = Box<dyn FnOnce() + Send>;

/// The render lease as stored on the job item (`lease_token`, `lease_until_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredLease {
    pub token: Uuid,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct StoredJob {
    job: ExportJob,
    lease: Option<StoredLease>,
    /// The DynamoDB adapter's `sweep_at`: set while the job is in flight.
    sweep_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct StoredClaim {
    job_id: Uuid,
    request_hash: String,
    expires_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct JobsState {
    jobs: HashMap<Uuid, StoredJob>,
    claims: HashMap<(String, String), StoredClaim>,
}

impl JobsState {
    /// Both writes of `create` under its conditions (the DynamoDB transaction).
    fn create(
        &mut self,
        job: &ExportJob,
        claim: Option<&IdempotencyClaim>,
    ) -> Result<(), PortError> {
        if self.jobs.contains_key(&job.job_id) {
            return Err(PortError::Conflict(format!("job {} exists", job.job_id)));
        }
        if let Some(c) = claim {
            let key = (c.user_id.clone(), c.key.clone());
            // An expired claim may linger; it no longer counts (ms precision, as stored).
            let taken = self.claims.get(&key).is_some_and(|old| {
                old.expires_at.timestamp_millis() >= job.created_at.timestamp_millis()
            });
            if taken {
                return Err(PortError::Conflict(
                    "idempotency key already claimed".into(),
                ));
            }
            self.claims.insert(
                key,
                StoredClaim {
                    job_id: job.job_id,
                    request_hash: c.request_hash.clone(),
                    expires_at: c.expires_at,
                },
            );
        }
        self.jobs.insert(
            job.job_id,
            StoredJob {
                job: job.clone(),
                lease: None,
                sweep_at: job
                    .status
                    .is_in_flight()
                    .then(|| sweep_at_queued(job.created_at)),
            },
        );
        Ok(())
    }
}

/// A [`JobStore`] in memory with the DynamoDB adapter's conditions:
///
/// - `create` refuses an existing job id and an unexpired idempotency claim (checked against the
///   job's `created_at`), writing nothing;
/// - `claim` takes a pending job, or a processing one whose lease ended strictly before
///   `lease.now` (millisecond precision); it sets `started_at` once and counts `attempts`;
/// - `complete` needs status processing under the same lease token (an ended lease that nobody
///   took over still completes); `fail` the same with a token, else pending or processing;
///   both clear the lease;
/// - `mark_deleted` deletes in any state (the file stays on the row) and returns the job as it
///   was; a missing job is `None`;
/// - `list_for_user` is newest first by `(created_at, job_id)` and, like a DynamoDB query with a
///   `Limit`, returns a cursor whenever the page is full, even when nothing follows;
/// - an in-flight job carries a sweep instant (`job::sweep_at_queued` on create and requeue,
///   `job::sweep_at_lease_end` on claim; none once completed, failed or deleted); `stuck` lists
///   those due, oldest first; `requeued` moves it only for a pending job or one whose lease ended.
#[derive(Default)]
pub struct InMemoryJobs {
    state: Mutex<JobsState>,
    unavailable: AtomicBool,
    fail_next_complete: AtomicBool,
    before_next_complete: Mutex<Option<Hook>>,
    preempt_next_create: Mutex<Option<(ExportJob, Option<IdempotencyClaim>)>>,
    list_calls: AtomicUsize,
}

impl std::fmt::Debug for InMemoryJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryJobs")
            .field("state", &*lock(&self.state))
            .finish_non_exhaustive()
    }
}

impl InMemoryJobs {
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored job, as `get` would return it.
    pub fn job(&self, job_id: Uuid) -> Option<ExportJob> {
        lock(&self.state).jobs.get(&job_id).map(|s| s.job.clone())
    }

    /// Every stored job, oldest first.
    pub fn all(&self) -> Vec<ExportJob> {
        let mut jobs: Vec<ExportJob> = lock(&self.state)
            .jobs
            .values()
            .map(|s| s.job.clone())
            .collect();
        jobs.sort_by_key(|j| (j.created_at, j.job_id));
        jobs
    }

    pub fn len(&self) -> usize {
        lock(&self.state).jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lease currently stored on the job, if any.
    pub fn lease(&self, job_id: Uuid) -> Option<StoredLease> {
        lock(&self.state).jobs.get(&job_id).and_then(|s| s.lease)
    }

    /// Writes a job as is, replacing any job with its id and clearing its lease (seeding tests).
    /// An in-flight job is due for the sweeper as if it had been queued when it was created.
    pub fn insert(&self, job: ExportJob) {
        let sweep_at = job
            .status
            .is_in_flight()
            .then(|| sweep_at_queued(job.created_at));
        lock(&self.state).jobs.insert(
            job.job_id,
            StoredJob {
                job,
                lease: None,
                sweep_at,
            },
        );
    }

    /// How many times `list_for_user` was called.
    pub fn list_calls(&self) -> usize {
        self.list_calls.load(Ordering::SeqCst)
    }

    /// Every call fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }

    /// The next `complete` fails with [`PortError::Unavailable`] and changes nothing (a renderer
    /// that crashed after storing its file).
    pub fn fail_next_complete(&self) {
        self.fail_next_complete.store(true, Ordering::SeqCst);
    }

    /// Runs `hook` at the start of the next `complete`, before its condition is checked and with
    /// no lock held: another actor's work landing while a renderer finishes.
    pub fn before_next_complete(&self, hook: impl FnOnce() + Send + 'static) {
        *lock(&self.before_next_complete) = Some(Box::new(hook));
    }

    /// At the start of the next `create`, writes `job` (and `claim`) as if a concurrent request
    /// had committed just before: the race between two requests with one `Idempotency-Key`.
    pub fn preempt_next_create(&self, job: ExportJob, claim: Option<IdempotencyClaim>) {
        *lock(&self.preempt_next_create) = Some((job, claim));
    }

    fn check(&self) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(unavailable("jobs table"))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl JobStore for InMemoryJobs {
    async fn create(
        &self,
        job: &ExportJob,
        idempotency: Option<&IdempotencyClaim>,
    ) -> Result<(), PortError> {
        self.check()?;
        let preempt = lock(&self.preempt_next_create).take();
        let mut state = lock(&self.state);
        if let Some((rival, claim)) = preempt {
            state.create(&rival, claim.as_ref())?;
        }
        state.create(job, idempotency)
    }

    async fn release_idempotency(
        &self,
        user_id: &str,
        key: &str,
        job_id: Uuid,
    ) -> Result<(), PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        let k = (user_id.to_string(), key.to_string());
        if state.claims.get(&k).is_some_and(|c| c.job_id == job_id) {
            state.claims.remove(&k);
        }
        Ok(())
    }

    async fn idempotency_record(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>, PortError> {
        self.check()?;
        let state = lock(&self.state);
        Ok(state
            .claims
            .get(&(user_id.to_string(), key.to_string()))
            .filter(|c| c.expires_at.timestamp_millis() >= now.timestamp_millis())
            .map(|c| IdempotencyRecord {
                job_id: c.job_id,
                request_hash: c.request_hash.clone(),
            }))
    }

    async fn get(&self, job_id: Uuid) -> Result<Option<ExportJob>, PortError> {
        self.check()?;
        Ok(self.job(job_id))
    }

    async fn list_for_user(
        &self,
        user_id: &str,
        after: Option<&JobCursor>,
        limit: usize,
    ) -> Result<JobPage, PortError> {
        self.check()?;
        self.list_calls.fetch_add(1, Ordering::SeqCst);
        let limit = limit.clamp(1, 1000);
        let state = lock(&self.state);
        let position = |j: &ExportJob| (micros(&j.created_at), j.job_id);
        let mut mine: Vec<&ExportJob> = state
            .jobs
            .values()
            .map(|s| &s.job)
            .filter(|j| j.user_id == user_id)
            .filter(|j| after.is_none_or(|c| position(j) < (micros(&c.created_at), c.job_id)))
            .collect();
        mine.sort_by_key(|j| std::cmp::Reverse(position(j)));
        let jobs: Vec<ExportJob> = mine.into_iter().take(limit).cloned().collect();
        let next = (jobs.len() == limit).then(|| {
            let last = jobs.last().expect("a full page is not empty");
            JobCursor {
                created_at: last.created_at,
                job_id: last.job_id,
            }
        });
        Ok(JobPage { jobs, next })
    }

    async fn claim(&self, job_id: Uuid, lease: Lease) -> Result<Option<ExportJob>, PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        let Some(stored) = state.jobs.get_mut(&job_id) else {
            return Ok(None);
        };
        let claimable = match stored.job.status {
            JobStatus::Pending => true,
            JobStatus::Processing => stored
                .lease
                .is_none_or(|l| l.until.timestamp_millis() < lease.now.timestamp_millis()),
            _ => false,
        };
        if !claimable {
            return Ok(None);
        }
        stored.job.status = JobStatus::Processing;
        stored.lease = Some(StoredLease {
            token: lease.token,
            until: lease.until,
        });
        stored.job.started_at.get_or_insert(lease.now);
        stored.job.attempts += 1;
        stored.sweep_at = Some(sweep_at_lease_end(lease.until));
        Ok(Some(stored.job.clone()))
    }

    async fn complete(
        &self,
        job_id: Uuid,
        lease_token: Uuid,
        completed_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        file: &JobFile,
    ) -> Result<(), PortError> {
        let hook = lock(&self.before_next_complete).take();
        if let Some(hook) = hook {
            hook();
        }
        self.check()?;
        if self.fail_next_complete.swap(false, Ordering::SeqCst) {
            return Err(unavailable("jobs table (complete)"));
        }
        let mut state = lock(&self.state);
        let conflict = || {
            PortError::Conflict(format!(
                "job {job_id} is no longer processing under this lease"
            ))
        };
        let stored = state.jobs.get_mut(&job_id).ok_or_else(conflict)?;
        if stored.job.status != JobStatus::Processing
            || stored.lease.map(|l| l.token) != Some(lease_token)
        {
            return Err(conflict());
        }
        stored.job.status = JobStatus::Completed;
        stored.job.completed_at = Some(completed_at);
        stored.job.expires_at = Some(expires_at);
        stored.job.file = Some(file.clone());
        stored.lease = None;
        stored.sweep_at = None;
        Ok(())
    }

    async fn fail(
        &self,
        job_id: Uuid,
        lease_token: Option<Uuid>,
        error: &JobError,
        _now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        let conflict =
            || PortError::Conflict(format!("job {job_id} is not in flight under this lease"));
        let stored = state.jobs.get_mut(&job_id).ok_or_else(conflict)?;
        let allowed = match lease_token {
            Some(token) => {
                stored.job.status == JobStatus::Processing
                    && stored.lease.map(|l| l.token) == Some(token)
            }
            None => stored.job.status.is_in_flight(),
        };
        if !allowed {
            return Err(conflict());
        }
        stored.job.status = JobStatus::Failed;
        stored.job.error = Some(error.clone());
        stored.lease = None;
        stored.sweep_at = None;
        Ok(())
    }

    async fn mark_deleted(
        &self,
        job_id: Uuid,
        _now: DateTime<Utc>,
    ) -> Result<Option<ExportJob>, PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        let Some(stored) = state.jobs.get_mut(&job_id) else {
            return Ok(None);
        };
        let before = stored.job.clone();
        stored.job.status = JobStatus::Deleted;
        stored.lease = None;
        stored.sweep_at = None;
        Ok(Some(before))
    }

    async fn stuck(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ExportJob>, PortError> {
        self.check()?;
        let state = lock(&self.state);
        let mut due: Vec<(DateTime<Utc>, &ExportJob)> = state
            .jobs
            .values()
            .filter_map(|s| s.sweep_at.filter(|at| *at <= now).map(|at| (at, &s.job)))
            .collect();
        due.sort_by_key(|(at, j)| (*at, j.job_id));
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(_, j)| j.clone())
            .collect())
    }

    async fn requeued(&self, job_id: Uuid, now: DateTime<Utc>) -> Result<bool, PortError> {
        self.check()?;
        let mut state = lock(&self.state);
        let Some(stored) = state.jobs.get_mut(&job_id) else {
            return Ok(false);
        };
        let idle = match stored.job.status {
            JobStatus::Pending => true,
            JobStatus::Processing => stored
                .lease
                .is_none_or(|l| l.until.timestamp_millis() < now.timestamp_millis()),
            _ => false,
        };
        if idle {
            stored.sweep_at = Some(sweep_at_queued(now));
        }
        Ok(idle)
    }
}

// ---------------------------------------------------------------------------------------------
// Queue.

/// A [`JobQueue`] that keeps the enqueued job ids (and audit export ids, apart) for tests to
/// take.
#[derive(Debug, Default)]
pub struct InMemoryQueue {
    messages: Mutex<Vec<Uuid>>,
    audit_exports: Mutex<Vec<Uuid>>,
    unavailable: AtomicBool,
}

impl InMemoryQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// The ids enqueued so far, oldest first, removing them from the queue.
    pub fn take(&self) -> Vec<Uuid> {
        std::mem::take(&mut *lock(&self.messages))
    }

    /// The ids waiting, oldest first, leaving them queued.
    pub fn peek(&self) -> Vec<Uuid> {
        lock(&self.messages).clone()
    }

    /// The audit export ids enqueued so far, oldest first, removing them from the queue.
    pub fn take_audit_exports(&self) -> Vec<Uuid> {
        std::mem::take(&mut *lock(&self.audit_exports))
    }

    /// `enqueue` fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }
}

#[async_trait]
impl JobQueue for InMemoryQueue {
    async fn enqueue(&self, job_id: Uuid) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("queue"));
        }
        lock(&self.messages).push(job_id);
        Ok(())
    }

    async fn enqueue_audit_export(&self, export_id: Uuid) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("queue"));
        }
        lock(&self.audit_exports).push(export_id);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Audit exports.

/// An [`AuditExportStore`]: records by id, as the control table keeps them.
#[derive(Debug, Default)]
pub struct InMemoryAuditExports {
    exports: Mutex<HashMap<Uuid, AuditExport>>,
    unavailable: AtomicBool,
}

impl InMemoryAuditExports {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn export(&self, export_id: Uuid) -> Option<AuditExport> {
        lock(&self.exports).get(&export_id).cloned()
    }

    /// Every call fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("audit exports"));
        }
        Ok(())
    }
}

#[async_trait]
impl AuditExportStore for InMemoryAuditExports {
    async fn create(&self, export: &AuditExport) -> Result<(), PortError> {
        self.check()?;
        let mut exports = lock(&self.exports);
        if exports.contains_key(&export.export_id) {
            return Err(PortError::Conflict(format!(
                "audit export {} exists",
                export.export_id
            )));
        }
        exports.insert(export.export_id, export.clone());
        Ok(())
    }

    async fn get(&self, export_id: Uuid) -> Result<Option<AuditExport>, PortError> {
        self.check()?;
        Ok(self.export(export_id))
    }

    async fn put(&self, export: &AuditExport) -> Result<(), PortError> {
        self.check()?;
        lock(&self.exports).insert(export.export_id, export.clone());
        Ok(())
    }
}

/// The scheduled-run queue: claimed runs in order, for a test (or bench) to hand to
/// `ExportService::execute_run` as the scheduler's SQS trigger does.
#[derive(Debug, Default)]
pub struct InMemoryRunQueue {
    messages: Mutex<Vec<ClaimedRun>>,
    unavailable: AtomicBool,
}

impl InMemoryRunQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// The runs sent so far, oldest first, removing them from the queue.
    pub fn take(&self) -> Vec<ClaimedRun> {
        std::mem::take(&mut *lock(&self.messages))
    }

    /// `send` fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }
}

#[async_trait]
impl RunQueue for InMemoryRunQueue {
    async fn send(&self, runs: &[ClaimedRun]) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("run queue"));
        }
        lock(&self.messages).extend_from_slice(runs);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Objects.

/// Longest presigned URL lifetime S3 allows (SigV4): seven days.
pub const MAX_PRESIGN: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryObject {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub filename: String,
}

/// An [`ObjectStore`] in memory. `presign_get` answers `memory://{key}?expires={seconds}&filename={filename}`
/// without checking that the object exists (as S3 presigning does not). Uploads in parts are
/// checked as S3 checks them: every part but the last at least `MIN_PART_BYTES`, completed with
/// the parts' entity tags in order.
#[derive(Debug, Default)]
pub struct InMemoryObjects {
    objects: Mutex<BTreeMap<String, MemoryObject>>,
    puts: AtomicUsize,
    unavailable: AtomicBool,
    uploads: Mutex<BTreeMap<String, PartUpload>>,
    started_uploads: AtomicUsize,
    completed_uploads: AtomicUsize,
    aborted_uploads: AtomicUsize,
    /// Upload of part number N fails (0: none).
    failing_part: AtomicUsize,
}

/// An upload in parts in progress.
#[derive(Debug)]
struct PartUpload {
    key: String,
    content_type: String,
    filename: String,
    parts: BTreeMap<u32, Vec<u8>>,
}

/// What [`InMemoryObjects`] saw of uploads in parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadCounts {
    pub started: usize,
    pub completed: usize,
    pub aborted: usize,
    /// Still neither completed nor aborted.
    pub open: usize,
}

impl InMemoryObjects {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<MemoryObject> {
        lock(&self.objects).get(key).cloned()
    }

    /// Keys of the stored objects, sorted.
    pub fn keys(&self) -> Vec<String> {
        lock(&self.objects).keys().cloned().collect()
    }

    /// Uploads in parts started, completed, aborted, still open.
    pub fn upload_counts(&self) -> UploadCounts {
        UploadCounts {
            started: self.started_uploads.load(Ordering::SeqCst),
            completed: self.completed_uploads.load(Ordering::SeqCst),
            aborted: self.aborted_uploads.load(Ordering::SeqCst),
            open: lock(&self.uploads).len(),
        }
    }

    /// Uploading part `number` (from 1) of any upload fails with [`PortError::Unavailable`];
    /// 0 turns it off.
    pub fn fail_part(&self, number: usize) {
        self.failing_part.store(number, Ordering::SeqCst);
    }

    /// How many `put` calls succeeded (overwrites included).
    pub fn put_count(&self) -> usize {
        self.puts.load(Ordering::SeqCst)
    }

    /// Every call fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(unavailable("object store"))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl ObjectStore for InMemoryObjects {
    async fn put(&self, object: StoredObject<'_>) -> Result<(), PortError> {
        self.check()?;
        lock(&self.objects).insert(
            object.key.to_string(),
            MemoryObject {
                bytes: object.bytes.to_vec(),
                content_type: object.content_type.to_string(),
                filename: object.filename.to_string(),
            },
        );
        self.puts.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.check()?;
        lock(&self.objects).remove(key);
        Ok(())
    }

    async fn start_upload(
        &self,
        key: &str,
        content_type: &str,
        filename: &str,
    ) -> Result<String, PortError> {
        self.check()?;
        let n = self.started_uploads.fetch_add(1, Ordering::SeqCst) + 1;
        let id = format!("upload-{n}");
        lock(&self.uploads).insert(
            id.clone(),
            PartUpload {
                key: key.to_string(),
                content_type: content_type.to_string(),
                filename: filename.to_string(),
                parts: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        bytes: Vec<u8>,
    ) -> Result<String, PortError> {
        self.check()?;
        if self.failing_part.load(Ordering::SeqCst) == number as usize {
            return Err(unavailable("object store (part upload)"));
        }
        let mut uploads = lock(&self.uploads);
        let upload = uploads
            .get_mut(upload_id)
            .filter(|u| u.key == key)
            .ok_or_else(|| PortError::Conflict(format!("no upload {upload_id} of {key}")))?;
        let etag = format!("\"{number}-{}\"", bytes.len());
        upload.parts.insert(number, bytes);
        Ok(etag)
    }

    async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), PortError> {
        self.check()?;
        let mut uploads = lock(&self.uploads);
        let Some(upload) = uploads.get(upload_id).filter(|u| u.key == key) else {
            return Err(PortError::Conflict(format!(
                "no upload {upload_id} of {key}"
            )));
        };
        // As S3: the parts named, in order, each but the last at least the minimum.
        let mut bytes = Vec::new();
        for (i, etag) in etags.iter().enumerate() {
            let number = i as u32 + 1;
            let part = upload
                .parts
                .get(&number)
                .filter(|p| *etag == format!("\"{number}-{}\"", p.len()));
            let Some(part) = part else {
                return Err(PortError::Conflict(format!("part {number} is not {etag}")));
            };
            if i + 1 < etags.len() && part.len() < exports_core::ports::MIN_PART_BYTES {
                return Err(PortError::Conflict(format!(
                    "part {number} is {} bytes, below the minimum",
                    part.len()
                )));
            }
            bytes.extend_from_slice(part);
        }
        let Some(upload) = uploads.remove(upload_id) else {
            return Err(PortError::Conflict(format!("no upload {upload_id}")));
        };
        lock(&self.objects).insert(
            upload.key,
            MemoryObject {
                bytes,
                content_type: upload.content_type,
                filename: upload.filename,
            },
        );
        self.completed_uploads.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<(), PortError> {
        self.check()?;
        let mut uploads = lock(&self.uploads);
        if uploads.get(upload_id).is_some_and(|u| u.key == key) {
            uploads.remove(upload_id);
            self.aborted_uploads.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        self.check()?;
        Ok(lock(&self.objects).get(key).map(|o| o.bytes.clone()))
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        expires_in: std::time::Duration,
    ) -> Result<String, PortError> {
        self.check()?;
        if expires_in > MAX_PRESIGN {
            return Err(PortError::Unavailable(
                "presigning: expiry longer than a week".into(),
            ));
        }
        Ok(format!(
            "memory://{key}?expires={}&filename={filename}",
            expires_in.as_secs()
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Audit.

/// An append-only [`AuditLog`] in memory. Like the DynamoDB table, an event is keyed by its
/// instant (microseconds) and id and never overwritten; `query` includes both ends of the range,
/// filters by patient and/or actor and answers oldest first, ties by event id.
#[derive(Debug, Default)]
pub struct InMemoryAudit {
    events: Mutex<Vec<AuditEvent>>,
    unavailable: AtomicBool,
    writes_unavailable: AtomicBool,
}

impl InMemoryAudit {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every event recorded, in the order recorded.
    pub fn events(&self) -> Vec<AuditEvent> {
        lock(&self.events).clone()
    }

    /// The actions recorded, in the order recorded.
    pub fn actions(&self) -> Vec<AuditAction> {
        lock(&self.events).iter().map(|e| e.action).collect()
    }

    /// The most recent event.
    pub fn last(&self) -> Option<AuditEvent> {
        lock(&self.events).last().cloned()
    }

    pub fn len(&self) -> usize {
        lock(&self.events).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every call fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }

    /// `record` fails with [`PortError::Unavailable`] while on; `query` still answers.
    pub fn set_writes_unavailable(&self, off: bool) {
        self.writes_unavailable.store(off, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(unavailable("audit table"))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl AuditLog for InMemoryAudit {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        self.check()?;
        if self.writes_unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("audit table (writes)"));
        }
        let mut events = lock(&self.events);
        let key = (micros(&event.occurred_at), event.event_id);
        if events
            .iter()
            .any(|e| (micros(&e.occurred_at), e.event_id) == key)
        {
            return Err(PortError::Conflict(format!(
                "audit event {} exists",
                event.event_id
            )));
        }
        events.push(event.clone());
        Ok(())
    }

    async fn query(&self, q: &AuditQuery) -> Result<Vec<AuditEvent>, PortError> {
        self.check()?;
        let (from, to) = (micros(&q.from), micros(&q.to));
        let mut out: Vec<AuditEvent> = lock(&self.events)
            .iter()
            .filter(|e| (from..=to).contains(&micros(&e.occurred_at)))
            .filter(|e| q.patient_id.is_none_or(|p| e.patient_id == Some(p)))
            .filter(|e| q.actor_id.as_ref().is_none_or(|a| &e.actor_id == a))
            .cloned()
            .collect();
        out.sort_by_key(|e| (e.occurred_at, e.event_id));
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limiter.

/// A [`RateLimiter`] counting per user per UTC clock hour, like the DynamoDB counter: an export
/// under the limit is counted, one at the limit is refused (and not counted) with the seconds
/// to the next hour (at least 1).
#[derive(Debug)]
pub struct InMemoryRateLimiter {
    per_hour: AtomicU32,
    counts: Mutex<HashMap<(String, DateTime<Utc>), u32>>,
    unavailable: AtomicBool,
}

impl Default for InMemoryRateLimiter {
    fn default() -> Self {
        Self::new(DEFAULT_EXPORTS_PER_HOUR)
    }
}

impl InMemoryRateLimiter {
    pub fn new(per_hour: u32) -> Self {
        Self {
            per_hour: AtomicU32::new(per_hour),
            counts: Mutex::new(HashMap::new()),
            unavailable: AtomicBool::new(false),
        }
    }

    pub fn set_limit(&self, per_hour: u32) {
        self.per_hour.store(per_hour, Ordering::SeqCst);
    }

    /// Exports counted for `user_id` in the clock hour holding `at`.
    pub fn count(&self, user_id: &str, at: DateTime<Utc>) -> u32 {
        let window = hour_of(at);
        lock(&self.counts)
            .get(&(user_id.to_string(), window))
            .copied()
            .unwrap_or(0)
    }

    /// `acquire` fails with [`PortError::Unavailable`] while on.
    pub fn set_unavailable(&self, off: bool) {
        self.unavailable.store(off, Ordering::SeqCst);
    }
}

fn hour_of(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::hours(1))
        .expect("an hour fits any instant")
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn acquire(&self, user_id: &str, now: DateTime<Utc>) -> Result<RateDecision, PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("rate limiter"));
        }
        let window = hour_of(now);
        let mut counts = lock(&self.counts);
        let count = counts.entry((user_id.to_string(), window)).or_insert(0);
        if *count < self.per_hour.load(Ordering::SeqCst) {
            *count += 1;
            Ok(RateDecision::Allowed)
        } else {
            let window_end = window + Duration::hours(1);
            Ok(RateDecision::Limited {
                retry_after_seconds: (window_end - now).num_seconds().max(1) as u64,
            })
        }
    }

    async fn release(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), PortError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(unavailable("rate limiter"));
        }
        let mut counts = lock(&self.counts);
        if let Some(count) = counts.get_mut(&(user_id.to_string(), hour_of(now))) {
            *count = count.saturating_sub(1);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Clock.

/// A [`Clock`] that stands still until told otherwise.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *lock(&self.now) = now;
    }

    /// Moves the clock by `by` (backwards if negative) and returns the new time.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut now = lock(&self.now);
        *now += by;
        *now
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.now)
    }
}

// ---------------------------------------------------------------------------------------------
// Wiring.

/// The in-memory ports behind a service built by [`in_memory_service`], to inspect and steer.
#[derive(Debug, Clone)]
pub struct InMemoryHandles {
    pub records: Arc<SharedRecords>,
    pub jobs: Arc<InMemoryJobs>,
    pub queue: Arc<InMemoryQueue>,
    pub objects: Arc<InMemoryObjects>,
    pub audit: Arc<InMemoryAudit>,
    pub limiter: Arc<InMemoryRateLimiter>,
    pub clock: Arc<FixedClock>,
    pub templates: Arc<InMemoryTemplates>,
    pub schedules: Arc<InMemorySchedules>,
    pub mailer: Arc<InMemoryMailer>,
    pub runs: Arc<InMemoryRunQueue>,
    pub audit_exports: Arc<InMemoryAuditExports>,
}

/// An [`ExportService`] over fresh in-memory ports holding `data`, with the default rate limit
/// ([`DEFAULT_EXPORTS_PER_HOUR`]; change it through the handles).
pub fn in_memory_service(
    data: PracticeData,
    clock: Arc<FixedClock>,
    settings: Settings,
) -> (ExportService, InMemoryHandles) {
    let handles = InMemoryHandles {
        records: Arc::new(SharedRecords::new(data)),
        jobs: Arc::new(InMemoryJobs::new()),
        queue: Arc::new(InMemoryQueue::new()),
        objects: Arc::new(InMemoryObjects::new()),
        audit: Arc::new(InMemoryAudit::new()),
        limiter: Arc::new(InMemoryRateLimiter::default()),
        clock,
        templates: Arc::new(InMemoryTemplates::new()),
        schedules: Arc::new(InMemorySchedules::new()),
        mailer: Arc::new(InMemoryMailer::new()),
        runs: Arc::new(InMemoryRunQueue::new()),
        audit_exports: Arc::new(InMemoryAuditExports::new()),
    };
    let ports = Ports {
        records: handles.records.clone(),
        jobs: handles.jobs.clone(),
        queue: handles.queue.clone(),
        objects: handles.objects.clone(),
        audit: handles.audit.clone(),
        limiter: handles.limiter.clone(),
        clock: handles.clock.clone(),
        ids: Arc::new(exports_core::ports::RandomIds),
        files: Arc::new(exports_formats::DataFormats),
        template_checker: Arc::new(NoTemplateBodies),
        templates: handles.templates.clone(),
        schedules: handles.schedules.clone(),
        mailer: handles.mailer.clone(),
        runs: handles.runs.clone(),
        audit_exports: handles.audit_exports.clone(),
    };
    (ExportService::new(ports, settings), handles)
}

/// A [`TemplateChecker`](exports_core::ports::TemplateChecker) for services without the
/// document pipeline (as the in-memory one is by default): every custom body is refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTemplateBodies;

impl exports_core::ports::TemplateChecker for NoTemplateBodies {
    fn check_body(
        &self,
        _: &str,
        _: exports_core::export::ExportType,
    ) -> Result<(), exports_core::ports::TemplateProblem> {
        Err(exports_core::ports::TemplateProblem {
            line: 0,
            column: 0,
            message: "custom bodies need the document renderer, which is not available".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The fakes must behave like the DynamoDB adapters, or the use-case tests prove nothing.

    use std::task::{Context, Poll, Waker};

    use chrono::TimeZone;

    use super::*;
    use exports_core::export::{ExportFormat, ExportType};
    use exports_core::params::ExportParams;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("in-memory ports never wait"),
        }
    }

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, h, m, s).unwrap()
    }

    fn job(user: &str, at: DateTime<Utc>) -> ExportJob {
        ExportJob::new(
            Uuid::new_v4(),
            user.into(),
            ExportType::FullRecord,
            ExportFormat::Json,
            Uuid::new_v4(),
            ExportParams::default(),
            at,
        )
    }

    fn lease(now: DateTime<Utc>, secs: i64) -> Lease {
        Lease {
            token: Uuid::new_v4(),
            now,
            until: now + Duration::seconds(secs),
        }
    }

    fn file() -> JobFile {
        JobFile {
            key: "k".into(),
            filename: "f.json".into(),
            content_type: "application/json".into(),
            size_bytes: 1,
            sha256: "00".into(),
            warnings: Vec::new(),
        }
    }

    fn error() -> JobError {
        JobError {
            code: "x".into(),
            message: "x".into(),
        }
    }

    #[test]
    fn the_lease_is_exclusive_until_it_has_ended() {
        let jobs = InMemoryJobs::new();
        let j = job("u", t(10, 0, 0));
        block_on(jobs.create(&j, None)).unwrap();
        let first = lease(t(10, 0, 0), 120);
        let claimed = block_on(jobs.claim(j.job_id, first)).unwrap().unwrap();
        assert_eq!(claimed.status, JobStatus::Processing);
        assert_eq!(
            (claimed.attempts, claimed.started_at),
            (1, Some(t(10, 0, 0)))
        );
        assert!(
            block_on(jobs.claim(j.job_id, lease(t(10, 2, 0), 120)))
                .unwrap()
                .is_none(),
            "held up to and including its end"
        );
        let second = lease(t(10, 2, 1), 120);
        let taken = block_on(jobs.claim(j.job_id, second)).unwrap().unwrap();
        assert_eq!((taken.attempts, taken.started_at), (2, Some(t(10, 0, 0))));
        // The first holder lost: it can neither complete nor fail the job.
        let done = |l: &Lease| {
            block_on(jobs.complete(j.job_id, l.token, t(10, 3, 0), t(10, 3, 0), &file()))
        };
        assert!(matches!(done(&first), Err(PortError::Conflict(_))));
        assert!(matches!(
            block_on(jobs.fail(j.job_id, Some(first.token), &error(), t(10, 3, 0))),
            Err(PortError::Conflict(_))
        ));
        done(&second).unwrap();
        assert_eq!(jobs.job(j.job_id).unwrap().status, JobStatus::Completed);
        assert!(jobs.lease(j.job_id).is_none());
        // Finished jobs are not claimable, failable or completable again.
        assert!(
            block_on(jobs.claim(j.job_id, lease(t(11, 0, 0), 1)))
                .unwrap()
                .is_none()
        );
        assert!(block_on(jobs.fail(j.job_id, None, &error(), t(11, 0, 0))).is_err());
        assert!(done(&second).is_err());
    }

    #[test]
    fn deleting_works_in_any_state_and_blocks_completion() {
        let jobs = InMemoryJobs::new();
        let j = job("u", t(10, 0, 0));
        block_on(jobs.create(&j, None)).unwrap();
        let l = lease(t(10, 0, 0), 120);
        block_on(jobs.claim(j.job_id, l)).unwrap().unwrap();
        let before = block_on(jobs.mark_deleted(j.job_id, t(10, 0, 5)))
            .unwrap()
            .unwrap();
        assert_eq!(before.status, JobStatus::Processing);
        assert!(
            block_on(jobs.complete(j.job_id, l.token, t(10, 1, 0), t(10, 1, 0), &file())).is_err()
        );
        assert_eq!(jobs.job(j.job_id).unwrap().status, JobStatus::Deleted);
        assert!(
            block_on(jobs.mark_deleted(Uuid::new_v4(), t(10, 0, 5)))
                .unwrap()
                .is_none()
        );
        // Without a lease token, only an in-flight job can fail.
        let p = job("u", t(10, 0, 0));
        block_on(jobs.create(&p, None)).unwrap();
        block_on(jobs.fail(p.job_id, None, &error(), t(10, 0, 0))).unwrap();
        assert_eq!(jobs.job(p.job_id).unwrap().status, JobStatus::Failed);
        assert!(block_on(jobs.create(&p, None)).is_err(), "ids are unique");
    }

    #[test]
    fn an_idempotency_claim_holds_until_it_expires() {
        let jobs = InMemoryJobs::new();
        let claim = |expires_at| IdempotencyClaim {
            user_id: "u".into(),
            key: "k".into(),
            request_hash: "h".into(),
            expires_at,
        };
        let a = job("u", t(10, 0, 0));
        block_on(jobs.create(&a, Some(&claim(t(11, 0, 0))))).unwrap();
        let rec = block_on(jobs.idempotency_record("u", "k", t(11, 0, 0)))
            .unwrap()
            .unwrap();
        assert_eq!((rec.job_id, rec.request_hash.as_str()), (a.job_id, "h"));
        assert!(
            block_on(jobs.idempotency_record("other", "k", t(10, 0, 0)))
                .unwrap()
                .is_none()
        );
        assert!(
            block_on(jobs.idempotency_record("u", "k", t(11, 0, 1)))
                .unwrap()
                .is_none()
        );
        let b = job("u", t(10, 30, 0));
        assert!(matches!(
            block_on(jobs.create(&b, Some(&claim(t(12, 0, 0))))),
            Err(PortError::Conflict(_))
        ));
        assert!(jobs.job(b.job_id).is_none(), "nothing written");
        let c = job("u", t(11, 0, 1));
        block_on(jobs.create(&c, Some(&claim(t(12, 0, 0))))).unwrap();
        let rec = block_on(jobs.idempotency_record("u", "k", t(11, 0, 1)))
            .unwrap()
            .unwrap();
        assert_eq!(rec.job_id, c.job_id);
    }

    #[test]
    fn listing_is_newest_first_with_a_cursor_on_every_full_page() {
        let jobs = InMemoryJobs::new();
        let mine: Vec<ExportJob> = (0..5).map(|i| job("u", t(10, i, 0))).collect();
        for j in &mine {
            block_on(jobs.create(j, None)).unwrap();
        }
        block_on(jobs.create(&job("v", t(10, 9, 0)), None)).unwrap();
        let ids = |p: &JobPage| p.jobs.iter().map(|j| j.job_id).collect::<Vec<_>>();
        let p1 = block_on(jobs.list_for_user("u", None, 3)).unwrap();
        assert_eq!(ids(&p1), [mine[4].job_id, mine[3].job_id, mine[2].job_id]);
        let p2 = block_on(jobs.list_for_user("u", p1.next.as_ref(), 3)).unwrap();
        assert_eq!(ids(&p2), [mine[1].job_id, mine[0].job_id]);
        assert_eq!(p2.next, None);
        // Like DynamoDB, a page that fills the limit carries a cursor even at the end.
        let p = block_on(jobs.list_for_user("u", None, 5)).unwrap();
        assert!(p.next.is_some());
        assert!(
            block_on(jobs.list_for_user("u", p.next.as_ref(), 5))
                .unwrap()
                .jobs
                .is_empty()
        );
    }

    #[test]
    fn the_rate_window_is_the_clock_hour() {
        let limiter = InMemoryRateLimiter::new(2);
        let acquire = |at| block_on(limiter.acquire("u", at)).unwrap();
        assert_eq!(acquire(t(10, 59, 0)), RateDecision::Allowed);
        assert_eq!(acquire(t(10, 59, 0)), RateDecision::Allowed);
        assert_eq!(
            acquire(t(10, 59, 30)),
            RateDecision::Limited {
                retry_after_seconds: 30
            }
        );
        assert_eq!(
            limiter.count("u", t(10, 0, 0)),
            2,
            "refusals are not counted"
        );
        assert_eq!(
            block_on(limiter.acquire("v", t(10, 59, 30))).unwrap(),
            RateDecision::Allowed
        );
        assert_eq!(acquire(t(11, 0, 0)), RateDecision::Allowed);
    }

    #[test]
    fn audit_queries_include_both_ends_and_answer_oldest_first() {
        let audit = InMemoryAudit::new();
        let patient = Uuid::new_v4();
        let event = |actor: &str, at, p: Option<Uuid>| {
            let mut e = AuditEvent::system(actor, AuditAction::Created, at);
            e.patient_id = p;
            e
        };
        let events = [
            event("b", t(10, 0, 2), Some(patient)),
            event("a", t(10, 0, 0), None),
            event("a", t(10, 0, 1), Some(patient)),
            event("a", t(10, 0, 3), Some(patient)),
        ];
        for e in &events {
            block_on(audit.record(e)).unwrap();
        }
        assert!(block_on(audit.record(&events[0])).is_err(), "append-only");
        let q = |patient_id, actor_id: Option<&str>| {
            block_on(audit.query(&AuditQuery {
                from: t(10, 0, 0),
                to: t(10, 0, 2),
                patient_id,
                actor_id: actor_id.map(String::from),
            }))
            .unwrap()
            .iter()
            .map(|e| e.occurred_at)
            .collect::<Vec<_>>()
        };
        assert_eq!(q(None, None), [t(10, 0, 0), t(10, 0, 1), t(10, 0, 2)]);
        assert_eq!(q(Some(patient), None), [t(10, 0, 1), t(10, 0, 2)]);
        assert_eq!(q(None, Some("a")), [t(10, 0, 0), t(10, 0, 1)]);
        assert_eq!(q(Some(patient), Some("a")), [t(10, 0, 1)]);
    }

    #[test]
    fn objects_are_kept_and_presigned_urls_name_the_key_and_lifetime() {
        let objects = InMemoryObjects::new();
        block_on(objects.put(StoredObject {
            key: "exports/u/j/f.csv",
            bytes: b"a,b",
            content_type: "text/csv",
            filename: "f.csv",
        }))
        .unwrap();
        assert_eq!(objects.get("exports/u/j/f.csv").unwrap().bytes, b"a,b");
        let url = block_on(objects.presign_get(
            "exports/u/j/f.csv",
            "f.csv",
            std::time::Duration::from_secs(300),
        ))
        .unwrap();
        assert_eq!(url, "memory://exports/u/j/f.csv?expires=300&filename=f.csv");
        block_on(objects.delete("exports/u/j/f.csv")).unwrap();
        block_on(objects.delete("exports/u/j/f.csv")).unwrap();
        assert!(objects.keys().is_empty());
        objects.set_unavailable(true);
        assert!(matches!(
            block_on(objects.delete("x")),
            Err(PortError::Unavailable(_))
        ));
    }

    #[test]
    fn the_fixed_clock_moves_only_when_told() {
        let clock = FixedClock::new(t(10, 0, 0));
        assert_eq!(clock.now(), t(10, 0, 0));
        assert_eq!(clock.advance(Duration::seconds(90)), t(10, 1, 30));
        clock.set(t(9, 0, 0));
        assert_eq!(clock.now(), t(9, 0, 0));
    }
}
