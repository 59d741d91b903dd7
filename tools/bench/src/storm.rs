//! W8, the Monday-morning storm: many weekly schedules all due at one instant, claimed by one
//! scheduler tick and drained by N concurrent workers, over in-memory ports that each wait a
//! configured per-call latency (as DynamoDB, S3, SQS and SES round trips do).
//!
//! `exports-bench storm [--schedules 100000] [--latency-ms 5] [--concurrency 100,1000]` runs one
//! child process per concurrency (`exports-bench storm-once …`), so each row's peak RSS is its
//! own. The child seeds the schedules, runs `ExportService::run_due_schedules` (the tick), then
//! hands every queued run to `ExportService::execute_run` from N tokio tasks.
//!
//! What is real here: the core's tick and run code, the render pipeline (`AllFormats`: a weekly
//! progress-report PDF per run), the in-memory job store's conditions. What is the bench's own,
//! so that the measure is the service and not the fakes at 100,000 items:
//!
//! - schedules live in [`IndexedSchedules`], whose due index is a sorted set (as the DynamoDB
//!   `due` index is); `InMemorySchedules::due` scans and clones every schedule on each page,
//!   which is fine for tests and quadratic here;
//! - [`OneRecord`] answers every patient id with one small fixed record (a patient seen weekly;
//!   the week's session is in the report), assigned to the therapist the id was made from;
//! - [`SizesOnly`] keeps the count and total size of stored files, not their bytes; the audit log
//!   and the mailer count ([`CountingAudit`], [`CountingMailer`]): the in-memory audit log checks
//!   each new event against every earlier one, and the in-memory mailer keeps every email.
//!
//! Measured (release, 2 shared cores, 5 ms per call, 7 December 2026; docs/capacity.md reads
//! them):
//!
//! | schedules | workers | tick | drain | peak RSS (after seeding) |
//! |---|---|---|---|---|
//! | 100,000 | 100 | 28.6 s (3,500 claims/s) | 143 s (699 runs/s) | 188 MB (53.5 MB) |
//! | 100,000 | 1,000 | 28.6 s | 86 s (1,162 runs/s) | 215 MB (53.5 MB) |
//! | 10,000 | 10 | 2.9 s | 107 s (93 runs/s) | 34.8 MB (12.1 MB) |
//!
//! Delivery is `email_link`, the default: the email links to the export, so no worker reads the
//! file back (an attachment adds one S3 GET per run and holds the file with its base64 encoding).

use std::collections::{BTreeSet, HashMap};
use std::process::Command;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use uuid::Uuid;

use exports_core::audit::{AuditEvent, AuditQuery};
use exports_core::export::{Delivery, ExportFormat, ExportType, ScheduleType};
use exports_core::job::{ExportJob, JobError, JobFile};
use exports_core::ports::{
    AuditLog, ClaimedRun, IdempotencyClaim, IdempotencyRecord, JobCursor, JobPage, JobStore, Lease,
    Mailer, ObjectStore, OutgoingEmail, PortError, RecordSource, RunQueue, ScheduleStore,
    SessionScope, StoredObject,
};
use exports_core::records::{Patient, PatientRecord, Therapist};
use exports_core::recurrence::Recurrence;
use exports_core::scheduled_report::ScheduledReport;
use exports_core::service::{ExportService, Ports, RunOutcome, Settings};
use exports_in_memory::{
    FixedClock, InMemoryJobs, InMemoryQueue, InMemoryRateLimiter, InMemoryRunQueue,
    InMemoryTemplates, NoTemplateBodies, apply_scope,
};

/// What one storm is: how many schedules, how slow each port call is, how many workers.
#[derive(Debug, Clone)]
pub struct Storm {
    pub schedules: usize,
    pub latency: Duration,
    pub concurrency: Vec<usize>,
}

impl Default for Storm {
    fn default() -> Self {
        Self {
            schedules: 100_000,
            latency: Duration::from_millis(5),
            concurrency: vec![100, 1000],
        }
    }
}

impl Storm {
    /// Reads `--schedules N`, `--latency-ms L`, `--concurrency A,B,…` (the rest keep defaults).
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let mut storm = Storm::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let bad = || format!("{flag}: not a number: {value}");
            match flag.as_str() {
                "--schedules" => storm.schedules = value.parse().map_err(|_| bad())?,
                "--latency-ms" => {
                    storm.latency =
                        Duration::from_secs_f64(value.parse::<f64>().map_err(|_| bad())? / 1e3)
                }
                "--concurrency" => {
                    storm.concurrency = value
                        .split(',')
                        .map(|c| c.trim().parse().map_err(|_| bad()))
                        .collect::<Result<_, _>>()?
                }
                other => return Err(format!("unknown flag {other}")),
            }
        }
        if storm.schedules == 0 || storm.concurrency.contains(&0) {
            return Err("--schedules and --concurrency must be at least 1".into());
        }
        Ok(storm)
    }

    fn args(&self, concurrency: usize) -> Vec<String> {
        vec![
            "storm-once".into(),
            "--schedules".into(),
            self.schedules.to_string(),
            "--latency-ms".into(),
            format!("{}", self.latency.as_secs_f64() * 1e3),
            "--concurrency".into(),
            concurrency.to_string(),
        ]
    }
}

/// The tick must claim every due period within the scheduler function's timeout (300 s).
const TICK_TARGET_S: f64 = 300.0;
/// Monday-morning reports should all be mailed within the hour they are due.
const DRAIN_TARGET_S: f64 = 3600.0;

/// What one child measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub schedules: usize,
    pub concurrency: usize,
    pub latency_ms: f64,
    pub tick_s: f64,
    pub drain_s: f64,
    /// Port calls per run while draining (each one waited the latency).
    pub calls_per_run: f64,
    pub bytes_per_file: u64,
    pub rss_seeded_mib: f64,
    pub rss_peak_mib: f64,
}

impl Measured {
    fn line(&self) -> String {
        format!(
            "{} {} {} {} {} {} {} {} {}",
            self.schedules,
            self.concurrency,
            self.latency_ms,
            self.tick_s,
            self.drain_s,
            self.calls_per_run,
            self.bytes_per_file,
            self.rss_seeded_mib,
            self.rss_peak_mib
        )
    }

    fn parse(line: &str) -> Option<Self> {
        let v: Vec<&str> = line.split_whitespace().collect();
        if v.len() != 9 {
            return None;
        }
        Some(Self {
            schedules: v[0].parse().ok()?,
            concurrency: v[1].parse().ok()?,
            latency_ms: v[2].parse().ok()?,
            tick_s: v[3].parse().ok()?,
            drain_s: v[4].parse().ok()?,
            calls_per_run: v[5].parse().ok()?,
            bytes_per_file: v[6].parse().ok()?,
            rss_seeded_mib: v[7].parse().ok()?,
            rss_peak_mib: v[8].parse().ok()?,
        })
    }

    /// Rows of the bench's first table (time) and, with `rss`, of its second (memory).
    pub fn rows(&self, rss: bool) -> Vec<String> {
        let n = self.schedules;
        let lat = self.latency_ms;
        let mut rows = vec![
            format!(
                "| W8 | storm: tick claims {n} due weekly progress-report PDFs, {lat} ms per port call | - | - | {:.1} s ({:.0} claims/s) | ≤ {TICK_TARGET_S:.0} s | {} |",
                self.tick_s,
                n as f64 / self.tick_s,
                ok(self.tick_s <= TICK_TARGET_S)
            ),
            format!(
                "| W8 | storm: {n} runs drained by {} workers, {lat} ms per port call ({:.0} calls per run) | - | {} per file | {:.1} s ({:.0} runs/s) | ≤ {DRAIN_TARGET_S:.0} s | {} |",
                self.concurrency,
                self.calls_per_run,
                self.bytes_per_file,
                self.drain_s,
                n as f64 / self.drain_s,
                ok(self.drain_s <= DRAIN_TARGET_S)
            ),
        ];
        if rss {
            rows.push(format!(
                "| W8 | {n} schedules, {} workers | {:.1} MB ({:.1} MB after seeding) | - |",
                self.concurrency, self.rss_peak_mib, self.rss_seeded_mib
            ));
        }
        rows
    }
}

fn ok(yes: bool) -> &'static str {
    if yes { "yes" } else { "NO" }
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn mib(kib: Option<u64>) -> f64 {
    kib.unwrap_or(0) as f64 / 1024.0
}

/// `exports-bench storm …`: one child per concurrency, then the rows.
pub fn main(args: &[String]) {
    let storm = match Storm::from_args(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("exports-bench storm: {e}");
            eprintln!(
                "usage: exports-bench storm [--schedules 100000] [--latency-ms 5] [--concurrency 100,1000]"
            );
            std::process::exit(2);
        }
    };
    let exe = std::env::current_exe().expect("own path");
    let mut measured = Vec::new();
    for &c in &storm.concurrency {
        let out = Command::new(&exe)
            .args(storm.args(c))
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        match text.lines().last().and_then(Measured::parse) {
            Some(m) if out.status.success() => measured.push(m),
            _ => {
                eprintln!(
                    "storm child (concurrency {c}) failed: {}\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
                std::process::exit(1);
            }
        }
    }
    println!("| id | work | pages | bytes | median ms | target ms | ok |");
    println!("|---|---|---|---|---|---|---|");
    for m in &measured {
        for row in m.rows(false) {
            println!("{row}");
        }
    }
    println!();
    println!("| id | whole process | peak RSS | target |");
    println!("|---|---|---|---|");
    for m in &measured {
        println!("{}", m.rows(true)[2]);
    }
}

/// `exports-bench storm-once …`: one storm at one concurrency; prints one [`Measured`] line.
pub fn once(args: &[String]) {
    let storm = Storm::from_args(args).expect("arguments from the parent");
    let m = run(&storm.clone(), storm.concurrency[0]);
    println!("{}", m.line());
}

/// Seeds, ticks and drains; measures.
pub fn run(storm: &Storm, concurrency: usize) -> Measured {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .expect("tokio runtime");
    runtime.block_on(storm_async(storm, concurrency))
}

/// Monday 30 November 2026, 08:00 in New York: every schedule's first period.
fn monday_8am() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 13, 0, 0)
        .single()
        .expect("instant")
}

async fn storm_async(storm: &Storm, concurrency: usize) -> Measured {
    let n = storm.schedules;
    let latency = storm.latency;
    let calls = Arc::new(AtomicU64::new(0));
    let slow = Latency {
        latency,
        calls: calls.clone(),
    };
    let created = Utc
        .with_ymd_and_hms(2026, 11, 27, 10, 0, 0)
        .single()
        .expect("instant");
    let clock = Arc::new(FixedClock::new(created));
    let schedules = Arc::new(IndexedSchedules::default());
    let objects = Arc::new(SizesOnly::default());
    let audit = Arc::new(CountingAudit::default());
    let mailer = Arc::new(CountingMailer::default());
    let runs = Arc::new(InMemoryRunQueue::new());
    let ports = Ports {
        records: Arc::new(slow.wrap(Arc::new(OneRecord::new()))),
        jobs: Arc::new(slow.wrap(Arc::new(InMemoryJobs::new()))),
        queue: Arc::new(InMemoryQueue::new()),
        objects: Arc::new(slow.wrap(objects.clone())),
        audit: Arc::new(slow.wrap(audit.clone())),
        limiter: Arc::new(InMemoryRateLimiter::default()),
        clock: clock.clone(),
        ids: Arc::new(exports_core::ports::RandomIds),
        files: Arc::new(exports_render::AllFormats),
        template_checker: Arc::new(NoTemplateBodies),
        templates: Arc::new(InMemoryTemplates::new()),
        schedules: Arc::new(slow.wrap(schedules.clone())),
        mailer: Arc::new(slow.wrap(mailer.clone())),
        runs: Arc::new(slow.wrap(runs.clone())),
        audit_exports: Arc::new(exports_in_memory::InMemoryAuditExports::new()),
    };
    let settings = Settings {
        available_formats: ExportFormat::ALL.to_vec(),
        ..Settings::default()
    };
    let svc = Arc::new(ExportService::new(ports, settings));

    // Seeding writes the store directly, without latency: it is not what is measured.
    for i in 0..n {
        schedules.insert(weekly_schedule(i as u128, created));
    }
    let rss_seeded_mib = mib(status_kib("VmRSS:"));

    clock.set(monday_8am());
    let t = Instant::now();
    let summary = svc.run_due_schedules().await.expect("tick");
    let tick_s = t.elapsed().as_secs_f64();
    assert_eq!(summary.queued, n, "every due schedule claimed");

    let queued = Arc::new(Mutex::new(runs.take()));
    let before = calls.load(Ordering::SeqCst);
    let outcomes = Arc::new(AtomicUsize::new(0));
    let t = Instant::now();
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let svc = svc.clone();
        let queued = queued.clone();
        let outcomes = outcomes.clone();
        workers.push(tokio::spawn(async move {
            loop {
                // An SQS receive per run is the event source mapping's work, outside the function:
                // taking a run costs nothing here.
                let next = queued.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let Some(run) = next else { break };
                let outcome = svc.execute_run(&run).await.expect("run");
                assert_eq!(outcome, RunOutcome::Emailed);
                outcomes.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    for w in workers {
        w.await.expect("worker");
    }
    let drain_s = t.elapsed().as_secs_f64();
    assert_eq!(outcomes.load(Ordering::SeqCst), n);
    assert_eq!(mailer.sent.load(Ordering::SeqCst), n, "one email per run");
    assert_eq!(objects.count.load(Ordering::SeqCst), n, "one file per run");
    assert_eq!(
        audit.count.load(Ordering::SeqCst),
        2 * n,
        "created and emailed, per run"
    );
    let calls_per_run = (calls.load(Ordering::SeqCst) - before) as f64 / n as f64;
    Measured {
        schedules: n,
        concurrency,
        latency_ms: latency.as_secs_f64() * 1e3,
        tick_s,
        drain_s,
        calls_per_run,
        bytes_per_file: objects.bytes.load(Ordering::SeqCst) / n as u64,
        rss_seeded_mib,
        rss_peak_mib: mib(status_kib("VmHWM:")),
    }
}

/// Therapist `i`'s id, and that of their one scheduled patient: the same number under two tags,
/// so [`OneRecord`] can tell whose patient an id is.
fn therapist_id(i: u128) -> Uuid {
    Uuid::from_u128(0x7000_0000_0000_0000_0000_0000_0000_0000 | i)
}

fn patient_id(i: u128) -> Uuid {
    Uuid::from_u128(0x5000_0000_0000_0000_0000_0000_0000_0000 | i)
}

const TAG: u128 = 0xf000_0000_0000_0000_0000_0000_0000_0000;

/// A weekly progress report, Monday 08:00 in New York, as `create_schedule` would store it.
fn weekly_schedule(i: u128, created: DateTime<Utc>) -> ScheduledReport {
    let next = monday_8am();
    ScheduledReport {
        schedule_id: Uuid::from_u128(0x5c00_0000_0000_0000_0000_0000_0000_0000 | i),
        user_id: therapist_id(i).to_string(),
        patient_id: patient_id(i),
        export_type: ExportType::ProgressReport,
        format: ExportFormat::Pdf,
        template_id: None,
        recurrence: Recurrence {
            schedule_type: ScheduleType::Weekly,
            time_of_day: NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
            day_of_week: Some(Weekday::Mon),
            day_of_month: None,
            timezone: chrono_tz::America::New_York,
        },
        delivery: Delivery::EmailLink,
        active: true,
        next_run_at: next,
        due_at: next,
        run: None,
        last_run: None,
        created_at: created,
        updated_at: created,
        version: 1,
    }
}

// ---------------------------------------------------------------------------------------------
// Latency.

/// A port that waits `latency` before each call (a round trip), then asks `inner`.
pub struct Slow<T> {
    inner: Arc<T>,
    latency: Duration,
    calls: Arc<AtomicU64>,
}

/// Makes [`Slow`] ports that share one latency and one call counter.
struct Latency {
    latency: Duration,
    calls: Arc<AtomicU64>,
}

impl Latency {
    fn wrap<T>(&self, inner: Arc<T>) -> Slow<T> {
        Slow {
            inner,
            latency: self.latency,
            calls: self.calls.clone(),
        }
    }
}

impl<T> Slow<T> {
    async fn wait(&self, round_trips: u32) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency * round_trips).await;
        }
    }
}

#[async_trait]
impl<T: RecordSource> RecordSource for Slow<T> {
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError> {
        self.wait(1).await;
        self.inner.patient(patient_id).await
    }

    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        self.wait(1).await;
        self.inner.patient_record(patient_id, scope).await
    }

    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        self.wait(1).await;
        self.inner.therapists(ids).await
    }
}

#[async_trait]
impl<T: JobStore> JobStore for Slow<T> {
    async fn create(
        &self,
        job: &ExportJob,
        idempotency: Option<&IdempotencyClaim>,
    ) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.create(job, idempotency).await
    }

    async fn release_idempotency(
        &self,
        user_id: &str,
        key: &str,
        job_id: Uuid,
    ) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.release_idempotency(user_id, key, job_id).await
    }

    async fn idempotency_record(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>, PortError> {
        self.wait(1).await;
        self.inner.idempotency_record(user_id, key, now).await
    }

    async fn get(&self, job_id: Uuid) -> Result<Option<ExportJob>, PortError> {
        self.wait(1).await;
        self.inner.get(job_id).await
    }

    async fn list_for_user(
        &self,
        user_id: &str,
        after: Option<&JobCursor>,
        limit: usize,
    ) -> Result<JobPage, PortError> {
        self.wait(1).await;
        self.inner.list_for_user(user_id, after, limit).await
    }

    async fn stuck(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ExportJob>, PortError> {
        self.wait(1).await;
        self.inner.stuck(now, limit).await
    }

    async fn requeued(&self, job_id: Uuid, now: DateTime<Utc>) -> Result<bool, PortError> {
        self.wait(1).await;
        self.inner.requeued(job_id, now).await
    }

    async fn claim(&self, job_id: Uuid, lease: Lease) -> Result<Option<ExportJob>, PortError> {
        self.wait(1).await;
        self.inner.claim(job_id, lease).await
    }

    async fn complete(
        &self,
        job_id: Uuid,
        lease_token: Uuid,
        completed_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        file: &JobFile,
    ) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner
            .complete(job_id, lease_token, completed_at, expires_at, file)
            .await
    }

    async fn fail(
        &self,
        job_id: Uuid,
        lease_token: Option<Uuid>,
        error: &JobError,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.fail(job_id, lease_token, error, now).await
    }

    async fn mark_deleted(
        &self,
        job_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<ExportJob>, PortError> {
        self.wait(1).await;
        self.inner.mark_deleted(job_id, now).await
    }
}

#[async_trait]
impl<T: ObjectStore> ObjectStore for Slow<T> {
    async fn put(&self, object: StoredObject<'_>) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.put(object).await
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.delete(key).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        self.wait(1).await;
        self.inner.get(key).await
    }

    async fn start_upload(
        &self,
        key: &str,
        content_type: &str,
        filename: &str,
    ) -> Result<String, PortError> {
        self.wait(1).await;
        self.inner.start_upload(key, content_type, filename).await
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        bytes: Vec<u8>,
    ) -> Result<String, PortError> {
        self.wait(1).await;
        self.inner.upload_part(key, upload_id, number, bytes).await
    }

    async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.complete_upload(key, upload_id, etags).await
    }

    async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.abort_upload(key, upload_id).await
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        expires_in: Duration,
    ) -> Result<String, PortError> {
        // Presigning is local signing, no round trip.
        self.inner.presign_get(key, filename, expires_in).await
    }
}

#[async_trait]
impl<T: AuditLog> AuditLog for Slow<T> {
    async fn record(&self, event: &AuditEvent) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.record(event).await
    }

    async fn query(&self, query: &AuditQuery) -> Result<Vec<AuditEvent>, PortError> {
        self.wait(1).await;
        self.inner.query(query).await
    }
}

#[async_trait]
impl<T: ScheduleStore> ScheduleStore for Slow<T> {
    async fn create(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.create(schedule).await
    }

    async fn get(&self, schedule_id: Uuid) -> Result<Option<ScheduledReport>, PortError> {
        self.wait(1).await;
        self.inner.get(schedule_id).await
    }

    async fn list_for_user(&self, user_id: &str) -> Result<Vec<ScheduledReport>, PortError> {
        self.wait(1).await;
        self.inner.list_for_user(user_id).await
    }

    async fn update(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.update(schedule).await
    }

    async fn delete(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        self.wait(1).await;
        self.inner.delete(schedule).await
    }

    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ScheduledReport>, PortError> {
        // One query of one shard: a page of 500 schedules (~1 KB each) is under DynamoDB's 1 MB.
        self.wait(1).await;
        self.inner.due(now, limit).await
    }
}

#[async_trait]
impl<T: Mailer> Mailer for Slow<T> {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, PortError> {
        self.wait(1).await;
        self.inner.send(email).await
    }
}

/// The SQS adapter's batching: `SendMessageBatch` of 10, 8 batches in flight.
const SQS_BATCH: usize = 10;
const SQS_BATCHES_IN_FLIGHT: usize = 8;

#[async_trait]
impl<T: RunQueue> RunQueue for Slow<T> {
    async fn send(&self, runs: &[ClaimedRun]) -> Result<(), PortError> {
        let batches = runs.len().div_ceil(SQS_BATCH);
        let rounds = batches.div_ceil(SQS_BATCHES_IN_FLIGHT).max(1);
        self.wait(u32::try_from(rounds).unwrap_or(u32::MAX)).await;
        self.inner.send(runs).await
    }
}

// ---------------------------------------------------------------------------------------------
// The bench's own stores.

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug, Default)]
struct IndexState {
    schedules: HashMap<Uuid, ScheduledReport>,
    /// The sparse due index: active schedules by `(due_at, schedule_id)`.
    due: BTreeSet<(DateTime<Utc>, Uuid)>,
}

/// Schedules with the in-memory store's conditions (version-conditional update, inactive ones
/// leave the index) and a due index kept sorted, as DynamoDB keeps the `due` index.
#[derive(Debug, Default)]
pub struct IndexedSchedules {
    state: Mutex<IndexState>,
}

impl IndexedSchedules {
    fn insert(&self, schedule: ScheduledReport) {
        let mut state = lock(&self.state);
        if schedule.active {
            state.due.insert((schedule.due_at, schedule.schedule_id));
        }
        state.schedules.insert(schedule.schedule_id, schedule);
    }
}

#[async_trait]
impl ScheduleStore for IndexedSchedules {
    async fn create(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        if lock(&self.state)
            .schedules
            .contains_key(&schedule.schedule_id)
        {
            return Err(PortError::Conflict("schedule exists".into()));
        }
        self.insert(schedule.clone());
        Ok(())
    }

    async fn get(&self, schedule_id: Uuid) -> Result<Option<ScheduledReport>, PortError> {
        Ok(lock(&self.state).schedules.get(&schedule_id).cloned())
    }

    async fn list_for_user(&self, user_id: &str) -> Result<Vec<ScheduledReport>, PortError> {
        Ok(lock(&self.state)
            .schedules
            .values()
            .filter(|s| s.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn update(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        let mut state = lock(&self.state);
        let old = match state.schedules.get(&schedule.schedule_id) {
            Some(stored) if stored.version + 1 == schedule.version => {
                (stored.active, stored.due_at)
            }
            _ => return Err(PortError::Conflict("schedule changed".into())),
        };
        if old.0 {
            state.due.remove(&(old.1, schedule.schedule_id));
        }
        if schedule.active {
            state.due.insert((schedule.due_at, schedule.schedule_id));
        }
        state
            .schedules
            .insert(schedule.schedule_id, schedule.clone());
        Ok(())
    }

    async fn delete(&self, schedule: &ScheduledReport) -> Result<(), PortError> {
        let mut state = lock(&self.state);
        if let Some(stored) = state.schedules.remove(&schedule.schedule_id) {
            state.due.remove(&(stored.due_at, stored.schedule_id));
        }
        Ok(())
    }

    async fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ScheduledReport>, PortError> {
        let state = lock(&self.state);
        Ok(state
            .due
            .range(..=(now, Uuid::max()))
            .take(limit)
            .filter_map(|(_, id)| state.schedules.get(id).cloned())
            .collect())
    }
}

/// One patient record, answered for every patient id made by [`patient_id`]: a patient seen
/// weekly, whose latest session falls in the week the Monday report covers.
pub struct OneRecord {
    record: PatientRecord,
    therapist: Therapist,
}

impl OneRecord {
    fn new() -> Self {
        let mut data = exports_synthetic::generate(&exports_synthetic::DemoParams {
            patients: 1,
            sessions_per_patient: 12,
            words_per_note: 200,
            seed: 7,
            end_date: NaiveDate::from_ymd_opt(2026, 11, 29).expect("date"),
        });
        let mut record = data.patients.remove(0);
        let therapist_id = record.patient.assigned_therapist_ids[0];
        let therapist = data
            .therapists
            .into_iter()
            .find(|t| t.id == therapist_id)
            .expect("assigned therapist");
        // The week before Monday 30 November: Wednesday the 25th.
        if let Some(last) = record.sessions.last_mut() {
            last.session.start_time = Utc
                .with_ymd_and_hms(2026, 11, 25, 15, 0, 0)
                .single()
                .expect("instant");
        }
        record.normalize();
        Self { record, therapist }
    }
}

#[async_trait]
impl RecordSource for OneRecord {
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError> {
        Ok(self
            .patient_record(patient_id, SessionScope::All)
            .await?
            .map(|r| r.patient))
    }

    async fn patient_record(
        &self,
        id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        let n = id.as_u128();
        if n & TAG != patient_id(0).as_u128() {
            return Ok(None);
        }
        let mut record = self.record.clone();
        record.patient.id = id;
        record.patient.assigned_therapist_ids = vec![therapist_id(n & !TAG)];
        apply_scope(&mut record, scope);
        Ok(Some(record))
    }

    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        Ok(ids
            .iter()
            .map(|&id| Therapist {
                id,
                ..self.therapist.clone()
            })
            .collect())
    }
}

/// Keeps how many files were stored and their total size; never their bytes.
#[derive(Debug, Default)]
pub struct SizesOnly {
    count: AtomicUsize,
    bytes: AtomicU64,
}

#[async_trait]
impl ObjectStore for SizesOnly {
    async fn put(&self, object: StoredObject<'_>) -> Result<(), PortError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.bytes
            .fetch_add(object.bytes.len() as u64, Ordering::SeqCst);
        Ok(())
    }

    async fn delete(&self, _: &str) -> Result<(), PortError> {
        Ok(())
    }

    async fn start_upload(&self, key: &str, _: &str, _: &str) -> Result<String, PortError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        Ok(format!("bench-upload:{key}"))
    }

    async fn upload_part(
        &self,
        _: &str,
        _: &str,
        number: u32,
        bytes: Vec<u8>,
    ) -> Result<String, PortError> {
        self.bytes.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        Ok(number.to_string())
    }

    async fn complete_upload(&self, _: &str, _: &str, _: &[String]) -> Result<(), PortError> {
        Ok(())
    }

    async fn abort_upload(&self, _: &str, _: &str) -> Result<(), PortError> {
        Ok(())
    }

    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, PortError> {
        Err(PortError::Unavailable(
            "the storm bench keeps sizes only (link delivery reads no file)".into(),
        ))
    }

    async fn presign_get(&self, key: &str, _: &str, _: Duration) -> Result<String, PortError> {
        Ok(format!("bench://{key}"))
    }
}

/// Counts audit events.
#[derive(Debug, Default)]
pub struct CountingAudit {
    count: AtomicUsize,
}

#[async_trait]
impl AuditLog for CountingAudit {
    async fn record(&self, _: &AuditEvent) -> Result<(), PortError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn query(&self, _: &AuditQuery) -> Result<Vec<AuditEvent>, PortError> {
        Ok(Vec::new())
    }
}

/// Counts emails.
#[derive(Debug, Default)]
pub struct CountingMailer {
    sent: AtomicUsize,
}

#[async_trait]
impl Mailer for CountingMailer {
    async fn send(&self, _: &OutgoingEmail) -> Result<String, PortError> {
        let n = self.sent.fetch_add(1, Ordering::SeqCst);
        Ok(format!("bench-{n}"))
    }
}
