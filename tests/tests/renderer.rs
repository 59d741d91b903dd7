//! The renderer under duplicate, concurrent and crashing delivery, against the emulator.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use exports_aws::config::ServiceConfig;
use exports_core::job::{ExportJob, JobError, JobFile};
use exports_core::ports::{
    IdempotencyClaim, IdempotencyRecord, JobCursor, JobPage, JobStore, Lease, PortError,
    RecordSource, SessionScope,
};
use exports_core::records::{Patient, PatientRecord, Therapist};
use exports_core::service::RenderOutcome;
use exports_tests::api::{Api, As};
use serde_json::json;
use uuid::Uuid;

async fn job_of(api: &Api, kind: &str, index: usize) -> (Uuid, Uuid) {
    let (patient, therapist) = api.patient(index);
    let r = api
        .export(
            kind,
            json!({"patient_id": patient, "format": "csv"}),
            &As::therapist(therapist),
        )
        .await;
    assert_eq!(r.status, 202);
    (
        r.json()["job_id"].as_str().unwrap().parse().unwrap(),
        therapist,
    )
}

#[tokio::test]
async fn duplicate_and_racing_deliveries_make_one_file_and_one_completed_job() {
    let api = Api::default().await;
    let (job_id, therapist) = job_of(&api, "full-record", 0).await;
    // The same job delivered five more times, all at once.
    for _ in 0..5 {
        api.service.ports.queue.enqueue(job_id).await.unwrap();
    }
    let racing = futures_join(&api, job_id).await;
    assert!(racing.contains(&RenderOutcome::Done));
    api.drain().await;
    let job = api.service.ports.jobs.get(job_id).await.unwrap().unwrap();
    assert_eq!(job.status, exports_core::export::JobStatus::Completed);
    // DynamoDB makes the lease claim atomic, so only one delivery renders. moto serves
    // concurrent requests without that guarantee, so two racing claims can both win there; what
    // must hold either way is one file that the completed job describes exactly.
    assert!(job.attempts >= 1);
    let objects = api
        .objects_under(&format!("exports/{therapist}/{job_id}/"))
        .await;
    assert_eq!(objects.len(), 1);
    let file = job.file.clone().expect("completed job has a file");
    assert_eq!(objects[0], file.key);
    assert_stored_bytes_match(&api, &file).await;
    // A completed job is never rendered again.
    assert_eq!(
        api.service.render_job(job_id, 1).await.unwrap(),
        RenderOutcome::Done
    );
    assert_eq!(
        api.service.ports.jobs.get(job_id).await.unwrap().unwrap(),
        job
    );
}

async fn futures_join(api: &Api, job_id: Uuid) -> Vec<RenderOutcome> {
    let a = api.service.render_job(job_id, 1);
    let b = api.service.render_job(job_id, 1);
    let c = api.service.render_job(job_id, 1);
    let (a, b, c) = tokio::join!(a, b, c);
    vec![a.unwrap(), b.unwrap(), c.unwrap()]
}

/// A job store whose first `complete` fails as if the process died right after the S3 put.
struct CrashOnComplete {
    inner: Arc<dyn JobStore>,
    crashes: AtomicUsize,
}

#[async_trait]
impl JobStore for CrashOnComplete {
    async fn create(&self, job: &ExportJob, i: Option<&IdempotencyClaim>) -> Result<(), PortError> {
        self.inner.create(job, i).await
    }
    async fn release_idempotency(&self, u: &str, k: &str, j: Uuid) -> Result<(), PortError> {
        self.inner.release_idempotency(u, k, j).await
    }
    async fn idempotency_record(
        &self,
        u: &str,
        k: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>, PortError> {
        self.inner.idempotency_record(u, k, now).await
    }
    async fn get(&self, id: Uuid) -> Result<Option<ExportJob>, PortError> {
        self.inner.get(id).await
    }
    async fn list_for_user(
        &self,
        u: &str,
        a: Option<&JobCursor>,
        l: usize,
    ) -> Result<JobPage, PortError> {
        self.inner.list_for_user(u, a, l).await
    }
    async fn claim(&self, id: Uuid, lease: Lease) -> Result<Option<ExportJob>, PortError> {
        self.inner.claim(id, lease).await
    }
    async fn complete(
        &self,
        id: Uuid,
        t: Uuid,
        c: DateTime<Utc>,
        e: DateTime<Utc>,
        f: &JobFile,
    ) -> Result<(), PortError> {
        if self.crashes.fetch_sub(1, Ordering::SeqCst) > 0 {
            return Err(PortError::Unavailable(
                "simulated crash after the S3 put".into(),
            ));
        }
        self.inner.complete(id, t, c, e, f).await
    }
    async fn fail(
        &self,
        id: Uuid,
        t: Option<Uuid>,
        e: &JobError,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.inner.fail(id, t, e, now).await
    }
    async fn mark_deleted(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<ExportJob>, PortError> {
        self.inner.mark_deleted(id, now).await
    }
    async fn stuck(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<ExportJob>, PortError> {
        self.inner.stuck(now, limit).await
    }
    async fn requeued(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool, PortError> {
        self.inner.requeued(id, now).await
    }
}

#[tokio::test]
async fn a_crash_between_the_put_and_the_job_update_ends_with_one_file_and_a_consistent_job() {
    let api = Api::start(
        ServiceConfig::from_lookup(|k| (k == "RENDER_LEASE_SECONDS").then(|| "1".to_string()))
            .unwrap(),
    )
    .await;
    let (job_id, therapist) = job_of(&api, "treatment-summary", 1).await;
    let mut crashing = api.service.clone();
    crashing.ports.jobs = Arc::new(CrashOnComplete {
        inner: api.service.ports.jobs.clone(),
        crashes: AtomicUsize::new(1),
    });

    let first = crashing.render_job(job_id, 1).await;
    assert!(
        first.is_err(),
        "the crash surfaces as an error, so the message is retried"
    );
    let prefix = format!("exports/{therapist}/{job_id}/");
    assert_eq!(
        api.objects_under(&prefix).await.len(),
        1,
        "the file was written before the crash"
    );
    let stuck = api.service.ports.jobs.get(job_id).await.unwrap().unwrap();
    assert_eq!(stuck.status, exports_core::export::JobStatus::Processing);

    // While the dead renderer's lease lasts, nobody else takes the job.
    assert_eq!(
        api.service.render_job(job_id, 2).await.unwrap(),
        RenderOutcome::Retry
    );
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        api.service.render_job(job_id, 3).await.unwrap(),
        RenderOutcome::Done
    );

    let job = api.service.ports.jobs.get(job_id).await.unwrap().unwrap();
    assert_eq!(job.status, exports_core::export::JobStatus::Completed);
    assert_eq!(job.attempts, 2);
    let objects = api.objects_under(&prefix).await;
    assert_eq!(objects.len(), 1, "one file, overwritten in place");
    let file = job.file.unwrap();
    assert_eq!(objects[0], file.key);
    assert_stored_bytes_match(&api, &file).await;
}

/// A records store that is down.
struct RecordsDown;

#[async_trait]
impl RecordSource for RecordsDown {
    async fn patient(&self, _: Uuid) -> Result<Option<Patient>, PortError> {
        Err(PortError::Unavailable("records store down".into()))
    }
    async fn patient_record(
        &self,
        _: Uuid,
        _: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        Err(PortError::Unavailable("records store down".into()))
    }
    async fn therapists(&self, _: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        Err(PortError::Unavailable("records store down".into()))
    }
}

#[tokio::test]
async fn after_the_last_retry_the_job_fails_without_phi_and_the_message_reaches_the_dlq() {
    let mut api = Api::start(
        ServiceConfig::from_lookup(|k| (k == "RENDER_LEASE_SECONDS").then(|| "1".to_string()))
            .unwrap(),
    )
    .await;
    let (job_id, therapist) = job_of(&api, "full-record", 0).await;
    api.worker.service.ports.records = Arc::new(RecordsDown);
    let sqs = &api.env.clients.sqs;
    let queue = api.env.provisioned.jobs_queue_url.clone();

    // Failed messages come back after the visibility timeout: one second here, not six minutes.
    sqs.set_queue_attributes()
        .queue_url(&queue)
        .attributes(QueueAttributeName::VisibilityTimeout, "1")
        .send()
        .await
        .unwrap();
    for attempt in 1..=5 {
        if attempt > 1 {
            tokio::time::sleep(Duration::from_millis(1_200)).await; // message visible, lease lapsed
        }
        let received = api.worker.poll_once(Duration::from_secs(1)).await.unwrap();
        assert_eq!(received, 1, "attempt {attempt}");
        let job = api.service.ports.jobs.get(job_id).await.unwrap().unwrap();
        let expected = if attempt < 5 { "processing" } else { "failed" };
        assert_eq!(job.status.as_str(), expected, "attempt {attempt}");
    }
    let job = api.service.ports.jobs.get(job_id).await.unwrap().unwrap();
    let error = job.error.unwrap();
    assert_eq!(error.code, "render_failed");
    let patient = &api.data.patients[0].patient;
    for phi in [&patient.first_name, &patient.last_name, &patient.mrn] {
        assert!(!error.message.contains(phi.as_str()));
    }

    // The sixth receive moves it to the dead-letter queue.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let _ = api.worker.poll_once(Duration::from_secs(1)).await.unwrap();
    let dlq = sqs
        .get_queue_url()
        .queue_name(&api.env.names.jobs_dlq)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs[&QueueAttributeName::ApproximateNumberOfMessages], "1");
    let dead = sqs
        .receive_message()
        .queue_url(&dlq)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap();
    assert_eq!(
        dead[0].body(),
        Some(json!({"job_id": job_id}).to_string().as_str()),
        "job id only, no PHI"
    );
    assert!(
        api.objects_under(&format!("exports/{therapist}/"))
            .await
            .is_empty()
    );
    let audit = api
        .call(
            "GET",
            &format!("/api/v1/audit/logs/export?patient_id={}", patient.id),
            None,
            Some(&As::admin("a")),
            &[],
        )
        .await;
    assert!(
        String::from_utf8(audit.body)
            .unwrap()
            .contains(",failed,renderer,system,")
    );
}

/// The object under the job's key has exactly the SHA-256 the job records.
async fn assert_stored_bytes_match(api: &Api, file: &JobFile) {
    let stored = api
        .env
        .clients
        .s3
        .get_object()
        .bucket(&api.env.names.exports_bucket)
        .key(&file.key)
        .send()
        .await
        .unwrap();
    let bytes = stored.body.collect().await.unwrap().into_bytes();
    let sha: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sha, file.sha256, "the job describes the stored bytes");
}

/// The sweeper over DynamoDB and SQS: an export whose queue message is lost is found through the
/// sparse in-flight index once overdue, queued again, rendered, and then out of the index.
#[tokio::test]
async fn an_export_whose_message_was_lost_is_swept_back_onto_the_queue_and_finishes() {
    use exports_core::job::PENDING_GRACE;
    let api = Api::default().await;
    let (job_id, _) = job_of(&api, "treatment-summary", 1).await;
    // The message is lost: taken off the queue and never handed to a renderer.
    let queue = api.env.provisioned.jobs_queue_url.clone();
    let lost = api
        .env
        .clients
        .sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    for m in lost.messages.unwrap_or_default() {
        api.env
            .clients
            .sqs
            .delete_message()
            .queue_url(&queue)
            .set_receipt_handle(m.receipt_handle)
            .send()
            .await
            .unwrap();
    }

    let soon = api.later(chrono::Duration::minutes(5));
    assert_eq!(
        soon.sweep_stuck_jobs().await.unwrap().requeued,
        0,
        "not overdue yet"
    );
    let overdue = api.later(PENDING_GRACE + chrono::Duration::minutes(1));
    let stuck = overdue
        .ports
        .jobs
        .stuck(overdue.ports.clock.now(), 10)
        .await
        .unwrap();
    assert!(stuck.iter().any(|j| j.job_id == job_id), "{stuck:?}");
    assert_eq!(overdue.sweep_stuck_jobs().await.unwrap().requeued, 1);
    // Queued again just now: a second sweep at the same time leaves it alone.
    assert_eq!(overdue.sweep_stuck_jobs().await.unwrap().requeued, 0);

    api.drain().await;
    let job = api.service.ports.jobs.get(job_id).await.unwrap().unwrap();
    assert_eq!(job.status, exports_core::export::JobStatus::Completed);
    let later = api.later(chrono::Duration::days(2));
    let stuck = later
        .ports
        .jobs
        .stuck(later.ports.clock.now(), 10)
        .await
        .unwrap();
    assert!(
        stuck.iter().all(|j| j.job_id != job_id),
        "a completed job leaves the in-flight index"
    );
}

/// Words of `text` with runs of whitespace made one space (pdftotext wraps lines and pads
/// columns).
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A full record of more sessions than the renderer reads note texts for at once: read from
/// DynamoDB a group at a time, the PDF still has every exported note, in order, and no
/// psychotherapy note that was not asked for. The JSON export of the same record (made whole)
/// is the reference.
#[tokio::test]
async fn a_long_full_record_pdf_has_every_note_read_a_group_at_a_time() {
    use exports_core::records::NoteType;
    use exports_synthetic::{DemoParams, generate};
    let sessions = 2 * exports_documents::SESSIONS_PER_GROUP + 11;
    let data = generate(&DemoParams {
        patients: 1,
        sessions_per_patient: sessions,
        words_per_note: 24,
        seed: 11,
        ..Default::default()
    });
    let api = Api::start_with(ServiceConfig::from_lookup(|_| None).unwrap(), data).await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let mut files = Vec::new();
    for format in ["pdf", "json"] {
        let r = api
            .export(
                "full-record",
                json!({"patient_id": patient, "format": format}),
                &me,
            )
            .await;
        assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
        let job_id = r.json()["job_id"].as_str().unwrap().to_string();
        api.drain().await;
        let dl = api
            .get(&format!("/api/v1/export/download/{job_id}"), &me)
            .await;
        assert_eq!(dl.status, 200, "{}", String::from_utf8_lossy(&dl.body));
        let (status, bytes) =
            exports_tests::api::http_get(dl.json()["download_url"].as_str().unwrap()).await;
        assert_eq!(status, 200);
        files.push(bytes);
    }
    let (pages, text) = exports_tests::readers::pdf(&files[0]);
    let text = words(&text);
    let json: serde_json::Value = serde_json::from_slice(&files[1]).expect("json");
    let exported = json["content"]["sessions"].as_array().expect("sessions");
    assert_eq!(exported.len(), sessions);
    assert!(
        text.contains(&format!("Page {pages} of {pages}")),
        "the last page is numbered"
    );
    // Every exported note's subjective section, in the order of the JSON export.
    let mut at = 0;
    let mut notes = 0;
    for (i, s) in exported.iter().enumerate() {
        let heading = format!("Session {} —", i + 1);
        let found = text[at..].find(&heading).map(|p| at + p);
        at = found.unwrap_or_else(|| panic!("{heading:?} missing or out of order"));
        for n in s["notes"].as_array().expect("notes") {
            let subjective = words(n["soap"]["subjective"].as_str().unwrap_or_default());
            let start: String = subjective.split(' ').take(8).collect::<Vec<_>>().join(" ");
            if start.is_empty() {
                continue;
            }
            let found = text[at..].find(&start).map(|p| at + p);
            at = found.unwrap_or_else(|| panic!("session {}: note text missing", i + 1));
            notes += 1;
        }
    }
    assert!(notes > sessions / 2, "{notes} notes checked");
    // Psychotherapy notes were not asked for: none is in the record's PDF.
    let record = &api.data.patients[0];
    assert!(
        record
            .sessions
            .iter()
            .flat_map(|s| &s.notes)
            .any(|n| n.note_type == NoteType::PsychotherapyNote),
        "the record has psychotherapy notes"
    );
    assert!(!text.contains("Psychotherapy note."));
    assert!(!text.contains("This record includes psychotherapy notes"));
}
