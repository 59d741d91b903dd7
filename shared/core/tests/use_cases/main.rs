//! Use-case tests: every method of [`ExportService`] over the in-memory ports
//! ([`exports_in_memory`]) and synthetic practice data. No runtime: the in-memory ports never wait,
//! so [`block_on`] polls each future once.

mod audit_exports;
mod paged_records;
mod scheduling;
mod sweeping;

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use exports_core::audit::{AuditAction, AuditEvent};
use exports_core::export::{ExportFormat, ExportType, JobStatus};
use exports_core::identity::{Caller, Role};
use exports_core::job::{ExportJob, FILE_LIFETIME, JobView};
use exports_core::ports::{IdempotencyClaim, JobStore, Lease, PortError};
use exports_core::records::{Patient, PracticeData};
use exports_core::service::requests::{
    AuditExportQuery, ExportRequestBody, ListQuery, PageLimit, hex, validate_export_request,
};
use exports_core::service::{
    Accepted, ExportService, RenderOutcome, RenderResult, ServiceError, Settings,
};
use exports_formats::AUDIT_CSV_COLUMNS;
use exports_in_memory::{FixedClock, InMemoryHandles, in_memory_service};
use exports_synthetic::{DemoParams, generate};

// ---------------------------------------------------------------------------------------------
// Harness.

/// Runs a future of the in-memory ports to completion.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory ports never wait"),
    }
}

/// 2026-11-27 10:15:30 UTC: 44 min 30 s before the next clock hour.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 10, 15, 30).unwrap()
}

pub(crate) fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

pub(crate) struct World {
    pub(crate) svc: ExportService,
    pub(crate) h: InMemoryHandles,
    pub(crate) data: PracticeData,
}

pub(crate) fn world() -> World {
    world_with(Settings::default())
}

pub(crate) fn world_with(settings: Settings) -> World {
    let data = generate(&DemoParams {
        patients: 4,
        sessions_per_patient: 8,
        words_per_note: 12,
        ..DemoParams::default()
    });
    let clock = Arc::new(FixedClock::new(t0()));
    let (svc, h) = in_memory_service(data.clone(), clock, settings);
    World { svc, h, data }
}

pub(crate) fn caller(user_id: impl Into<String>, roles: &[Role]) -> Caller {
    Caller {
        user_id: user_id.into(),
        roles: roles.to_vec(),
        source_ip: Some("203.0.113.7".into()),
        user_agent: Some("portal/1.0".into()),
    }
}

/// A typed request value from JSON. Reading JSON is the API's work (its tests check the refusals of
/// malformed input); these tests give well-formed bodies.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(body: &Value) -> T {
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{body}: {e}"))
}

/// The body of an export request of type `t`.
pub(crate) fn export_body(t: ExportType, body: &Value) -> ExportRequestBody {
    match t {
        ExportType::SessionNotes => ExportRequestBody::SessionNotes(typed(body)),
        ExportType::ProgressReport => ExportRequestBody::ProgressReport(typed(body)),
        ExportType::TreatmentSummary => ExportRequestBody::TreatmentSummary(typed(body)),
        ExportType::FullRecord => ExportRequestBody::FullRecord(typed(body)),
    }
}

/// The field a refusal names, if any (an invalid template body is the `body` field).
pub(crate) fn field_of(e: &ServiceError) -> Option<&str> {
    match e {
        ServiceError::Validation { field, .. } => Some(field),
        ServiceError::InvalidTemplate { .. } => Some("body"),
        _ => None,
    }
}

pub(crate) fn body_for(t: ExportType, patient: Uuid) -> Value {
    match t {
        ExportType::SessionNotes => json!({"patient_id": patient, "format": "csv"}),
        ExportType::ProgressReport => json!({
            "patient_id": patient, "format": "json",
            "start_date": "2026-01-01", "end_date": "2026-10-30"
        }),
        ExportType::TreatmentSummary => json!({
            "patient_id": patient, "format": "csv",
            "include_sections": ["goals", "diagnoses"]
        }),
        ExportType::FullRecord => json!({
            "patient_id": patient, "format": "json", "include_psychotherapy_notes": true
        }),
    }
}

impl World {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        use exports_core::ports::Clock;
        self.h.clock.now()
    }

    pub(crate) fn patient(&self, i: usize) -> &Patient {
        &self.data.patients[i].patient
    }

    /// A therapist assigned to patient `i`.
    pub(crate) fn therapist_of(&self, i: usize) -> Caller {
        caller(
            self.patient(i).assigned_therapist_ids[0].to_string(),
            &[Role::Therapist],
        )
    }

    /// A therapist of the practice who is not assigned to patient `i`.
    pub(crate) fn stranger_to(&self, i: usize) -> Caller {
        let assigned = &self.patient(i).assigned_therapist_ids;
        let t = self
            .data
            .therapists
            .iter()
            .find(|t| !assigned.contains(&t.id))
            .expect("the synthetic practice has a therapist not assigned to this patient");
        caller(t.id.to_string(), &[Role::Therapist])
    }

    pub(crate) fn admin(&self) -> Caller {
        caller("admin-1", &[Role::Admin])
    }

    pub(crate) fn request(
        &self,
        who: &Caller,
        t: ExportType,
        body: &Value,
        key: Option<&str>,
    ) -> Result<Accepted, ServiceError> {
        block_on(self.svc.request_export(who, export_body(t, body), key))
    }

    /// Two audit events by `who` (a therapist of patient 0), a second apart: a full-record export
    /// of patient 0 accepted, then one of an unknown patient refused.
    pub(crate) fn export_and_refusal(&self, who: &Caller) {
        self.request(
            who,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, self.patient(0).id),
            None,
        )
        .unwrap();
        self.h.clock.advance(secs(1));
        self.request(
            who,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, Uuid::new_v4()),
            None,
        )
        .unwrap_err();
        self.h.clock.advance(secs(1));
    }

    /// A fresh accepted export of patient `i` by their therapist.
    pub(crate) fn requested(&self, i: usize, t: ExportType) -> (Caller, JobView) {
        let who = self.therapist_of(i);
        let accepted = self
            .request(&who, t, &body_for(t, self.patient(i).id), None)
            .expect("accepted");
        (who, accepted.job)
    }

    /// Renders every queued message once (first receive).
    pub(crate) fn render_queued(&self) -> Vec<RenderOutcome> {
        self.h
            .queue
            .take()
            .into_iter()
            .map(|id| block_on(self.svc.render_job(id, 1)).expect("render"))
            .collect()
    }

    /// A completed export of patient `i`.
    pub(crate) fn completed(&self, i: usize, t: ExportType) -> (Caller, JobView) {
        let (who, job) = self.requested(i, t);
        assert_eq!(self.render_queued(), vec![RenderOutcome::Done]);
        let job = self.get(&who, job.job_id).expect("own job");
        assert_eq!(job.status, JobStatus::Completed);
        (who, job)
    }

    pub(crate) fn get(&self, who: &Caller, job_id: Uuid) -> Result<JobView, ServiceError> {
        block_on(self.svc.get_job(who, job_id))
    }

    pub(crate) fn list(
        &self,
        who: &Caller,
        q: &[(&str, &str)],
    ) -> Result<exports_core::service::JobList, ServiceError> {
        // Well-formed parameters only: reading query strings is the API's work.
        let mut query = ListQuery::default();
        for (name, value) in q {
            match *name {
                "status" => query.status = Some(value.parse().expect("a status")),
                "patient_id" => query.patient_id = Some(value.parse().expect("a UUID")),
                "limit" => query.limit = PageLimit::new(value.parse().expect("a number"))?,
                "cursor" => query.cursor = Some(value.to_string()),
                other => panic!("no list parameter {other}"),
            }
        }
        block_on(self.svc.list_jobs(who, &query))
    }

    pub(crate) fn download(
        &self,
        who: &Caller,
        job_id: Uuid,
    ) -> Result<exports_core::service::Download, ServiceError> {
        block_on(self.svc.issue_download(who, job_id))
    }

    pub(crate) fn delete(&self, who: &Caller, job_id: Uuid) -> Result<(), ServiceError> {
        block_on(self.svc.delete_job(who, job_id))
    }

    pub(crate) fn render(&self, job_id: Uuid, receive_count: u32) -> RenderOutcome {
        block_on(self.svc.render_job(job_id, receive_count)).expect("render")
    }

    pub(crate) fn audit_csv(
        &self,
        who: &Caller,
        q: &[(&str, &str)],
    ) -> Result<String, ServiceError> {
        // Well-formed parameters only: reading query strings is the API's work. A date is the
        // whole day, as the API reads it.
        let instant = |value: &str, end_of_day: bool| match DateTime::parse_from_rfc3339(value) {
            Ok(t) => t.with_timezone(&Utc),
            Err(_) => {
                let d = exports_core::dates::parse_date(value).expect("a date");
                if end_of_day {
                    exports_core::dates::end_of_day(d)
                } else {
                    exports_core::dates::start_of_day(d)
                }
            }
        };
        let mut query = AuditExportQuery::default();
        for (name, value) in q {
            match *name {
                "from" => query.from = Some(instant(value, false)),
                "to" => query.to = Some(instant(value, true)),
                "patient_id" => query.patient_id = Some(value.parse().expect("a UUID")),
                "actor_id" => query.actor_id = Some(value.to_string()),
                other => panic!("no audit parameter {other}"),
            }
        }
        let events = block_on(self.svc.export_audit_log(who, &query))?;
        let bytes = exports_formats::audit_csv(&events);
        Ok(String::from_utf8(bytes).expect("UTF-8 CSV"))
    }

    pub(crate) fn events(&self, action: AuditAction) -> Vec<AuditEvent> {
        self.h
            .audit
            .events()
            .into_iter()
            .filter(|e| e.action == action)
            .collect()
    }

    pub(crate) fn stored(&self, job_id: Uuid) -> ExportJob {
        self.h.jobs.job(job_id).expect("stored job")
    }

    pub(crate) fn object_bytes(&self, job: &JobView) -> Vec<u8> {
        let key = &self.stored(job.job_id).file.expect("file").key;
        self.h.objects.get(key).expect("object stored").bytes
    }
}

pub(crate) fn validation_field(r: Result<Accepted, ServiceError>) -> String {
    match r {
        Err(ServiceError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

pub(crate) fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(String::from).collect())
        .collect()
}

/// Names and MRNs of every patient: none may appear in an error message or file name.
pub(crate) fn phi_words(data: &PracticeData) -> Vec<String> {
    data.patients
        .iter()
        .flat_map(|p| {
            [
                p.patient.first_name.clone(),
                p.patient.last_name.clone(),
                p.patient.mrn.clone(),
            ]
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// request_export

#[test]
fn each_export_type_is_accepted_as_a_pending_job_queued_and_audited() {
    let w = world();
    let who = w.therapist_of(0);
    let patient = w.patient(0).id;
    let mut ids = Vec::new();
    for t in ExportType::ALL {
        let accepted = w
            .request(&who, *t, &body_for(*t, patient), None)
            .unwrap_or_else(|e| panic!("{t}: {e:?}"));
        assert!(!accepted.replayed);
        let job = accepted.job;
        assert_eq!(job.status, JobStatus::Pending, "{t}");
        assert_eq!(job.export_type, *t);
        assert_eq!(job.patient_id, patient);
        assert_eq!(job.created_at, w.now());
        assert_eq!(
            (job.started_at, job.completed_at, job.expires_at),
            (None, None, None)
        );
        assert!(job.file.is_none() && job.error.is_none());
        let stored = w.stored(job.job_id);
        assert_eq!(stored.user_id, who.user_id);
        assert_eq!(stored.status, JobStatus::Pending);
        ids.push(job.job_id);
    }
    assert_eq!(w.h.queue.peek(), ids, "one message per job, in order");
    let created = w.events(AuditAction::Created);
    assert_eq!(created.len(), 4);
    for (e, (id, t)) in created.iter().zip(ids.iter().zip(ExportType::ALL)) {
        assert_eq!(e.job_id, Some(*id));
        assert_eq!(e.export_type, Some(*t));
        assert_eq!(e.patient_id, Some(patient));
        assert_eq!(e.actor_id, who.user_id);
        assert_eq!(e.actor_role, "therapist");
        assert_eq!(e.source_ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(e.user_agent.as_deref(), Some("portal/1.0"));
    }
}

#[test]
fn the_job_keeps_the_validated_parameters() {
    let w = world();
    let who = w.therapist_of(0);
    let p = w.patient(0).id;
    let job = w
        .request(
            &who,
            ExportType::TreatmentSummary,
            &json!({"patient_id": p, "format": "csv", "include_sections": ["prognosis", "diagnoses", "prognosis"]}),
            None,
        )
        .unwrap()
        .job;
    assert_eq!(job.format, ExportFormat::Csv);
    assert_eq!(
        job.parameters.include_sections,
        Some(vec!["diagnoses".to_string(), "prognosis".to_string()]),
        "documented order, duplicates dropped"
    );
    let job = w
        .request(
            &who,
            ExportType::ProgressReport,
            &json!({"patient_id": p, "format": "json", "start_date": "2026-09-01", "end_date": "2026-10-30"}),
            None,
        )
        .unwrap()
        .job;
    assert_eq!(
        job.parameters.start_date,
        NaiveDate::from_ymd_opt(2026, 9, 1)
    );
    assert_eq!(
        job.parameters.end_date,
        NaiveDate::from_ymd_opt(2026, 10, 30)
    );
}

#[test]
fn validation_errors_name_the_field_and_create_nothing() {
    let w = world();
    let who = w.therapist_of(0);
    let p = w.patient(0).id;
    // (Bodies of the wrong shape: missing or unknown fields, wrong types, are refused by the API
    // before they reach a use case; its tests check them.)
    let cases: Vec<(ExportType, Value, &str)> = vec![
        (ExportType::FullRecord, json!({"patient_id": p}), "format"),
        (
            ExportType::ProgressReport,
            json!({"patient_id": p, "format": "csv", "start_date": "2026-03-01", "end_date": "2026-01-01"}),
            "end_date",
        ),
        (
            ExportType::SessionNotes,
            json!({"patient_id": p, "format": "csv", "session_ids": [p, p]}),
            "session_ids[1]",
        ),
        (
            ExportType::SessionNotes,
            json!({"patient_id": p, "format": "csv", "session_ids": [], }),
            "session_ids",
        ),
        (
            ExportType::TreatmentSummary,
            json!({"patient_id": p, "format": "csv", "include_sections": ["diagnoses", "gossip"]}),
            "include_sections[1]",
        ),
    ];
    for (t, body, field) in cases {
        let r = w.request(&who, t, &body, None);
        if let Err(e) = &r {
            assert_eq!(e.code(), "validation_failed");
            assert_eq!(field_of(e), Some(field), "{body}");
        }
        assert_eq!(validation_field(r), field, "{body}");
    }
    // A bad Idempotency-Key is refused the same way.
    for key in ["", "has space", &"k".repeat(256), "ключ"] {
        let r = w.request(
            &who,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, p),
            Some(key),
        );
        assert_eq!(validation_field(r), "Idempotency-Key", "{key:?}");
    }
    assert!(w.h.jobs.is_empty(), "nothing created");
    assert!(w.h.queue.peek().is_empty(), "nothing queued");
    assert_eq!(
        w.h.limiter.count(&who.user_id, w.now()),
        0,
        "nothing counted"
    );
    assert!(w.events(AuditAction::Created).is_empty());
}

#[test]
fn pdf_and_docx_are_not_available_with_default_settings() {
    let w = world();
    let who = w.therapist_of(0);
    for format in ["pdf", "docx"] {
        let body = json!({"patient_id": w.patient(0).id, "format": format});
        let e = w
            .request(&who, ExportType::FullRecord, &body, None)
            .unwrap_err();
        assert_eq!(e.code(), "format_not_available");
        assert!(e.to_string().contains(format), "{e}");
    }
    assert!(w.h.jobs.is_empty());
    assert_eq!(w.h.limiter.count(&who.user_id, w.now()), 0);
}

#[test]
fn a_format_enabled_in_settings_but_not_renderable_fails_the_job_for_good() {
    let w = world_with(Settings {
        available_formats: vec![ExportFormat::Json, ExportFormat::Csv, ExportFormat::Pdf],
        ..Settings::default()
    });
    let who = w.therapist_of(0);
    let body = json!({"patient_id": w.patient(0).id, "format": "pdf"});
    let job = w
        .request(&who, ExportType::FullRecord, &body, None)
        .unwrap()
        .job;
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let job = w.get(&who, job.job_id).unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error.unwrap().code, "format_not_available");
    assert!(w.h.objects.keys().is_empty());
}

#[test]
fn callers_without_the_therapist_role_get_403_and_are_audited_denied() {
    let w = world();
    let (_, job) = w.completed(0, ExportType::FullRecord);
    let before = w.h.audit.len();
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    for (who, role) in [(w.admin(), "admin"), (caller("nobody", &[]), "none")] {
        let results: Vec<ServiceError> = vec![
            w.request(&who, ExportType::FullRecord, &body, None)
                .unwrap_err(),
            w.get(&who, job.job_id).unwrap_err(),
            w.list(&who, &[]).unwrap_err(),
            w.download(&who, job.job_id).unwrap_err(),
            w.delete(&who, job.job_id).unwrap_err(),
        ];
        for e in results {
            assert_eq!(
                e,
                ServiceError::Forbidden("the therapist role is required".into()),
                "{who:?}"
            );
        }
        let denied: Vec<_> = w.h.audit.events()[before..]
            .iter()
            .filter(|e| e.actor_id == who.user_id)
            .cloned()
            .collect();
        assert_eq!(denied.len(), 5, "every refusal audited");
        for e in denied {
            assert_eq!(e.action, AuditAction::Denied);
            assert_eq!(e.actor_role, role);
            assert_eq!(e.reason.as_deref(), Some("missing role therapist"));
        }
    }
    assert_eq!(w.h.jobs.len(), 1, "nothing created");
    assert_eq!(
        w.stored(job.job_id).status,
        JobStatus::Completed,
        "not deleted"
    );
}

#[test]
fn unknown_and_unassigned_patients_get_the_same_404_and_are_audited() {
    let w = world();
    let stranger = w.stranger_to(0);
    let unassigned = w
        .request(
            &stranger,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, w.patient(0).id),
            None,
        )
        .unwrap_err();
    let missing_id = Uuid::new_v4();
    let missing = w
        .request(
            &stranger,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, missing_id),
            None,
        )
        .unwrap_err();
    assert_eq!(unassigned.code(), "patient_not_found");
    assert_eq!(unassigned, missing, "indistinguishable");

    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), 2);
    assert_eq!(denied[0].patient_id, Some(w.patient(0).id));
    assert_eq!(denied[1].patient_id, Some(missing_id));
    assert!(denied.iter().all(|e| e.actor_id == stranger.user_id));
    assert!(w.h.jobs.is_empty());
    assert_eq!(w.h.limiter.count(&stranger.user_id, w.now()), 0);
}

#[test]
fn a_template_id_answers_404_template_not_found_and_is_audited() {
    let w = world();
    let who = w.therapist_of(0);
    let template = Uuid::new_v4();
    let body = json!({"patient_id": w.patient(0).id, "format": "csv", "template_id": template});
    let e = w
        .request(&who, ExportType::TreatmentSummary, &body, None)
        .unwrap_err();
    assert_eq!(e.code(), "template_not_found");
    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].patient_id, Some(w.patient(0).id));
    assert!(
        denied[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains(&template.to_string()))
    );
    assert!(w.h.jobs.is_empty());
    assert_eq!(w.h.limiter.count(&who.user_id, w.now()), 0);
}

#[test]
fn an_idempotent_replay_returns_the_same_job_and_creates_and_counts_nothing() {
    let w = world();
    let who = w.therapist_of(0);
    let p = w.patient(0).id;
    let first = w
        .request(
            &who,
            ExportType::TreatmentSummary,
            &json!({"patient_id": p, "format": "csv", "include_sections": ["prognosis", "diagnoses"]}),
            Some("key-1"),
        )
        .unwrap();
    assert!(!first.replayed);
    w.h.clock.advance(Duration::minutes(5));
    // Same validated request, fields and sections in another order.
    let again = w
        .request(
            &who,
            ExportType::TreatmentSummary,
            &json!({"include_sections": ["diagnoses", "prognosis"], "format": "csv", "patient_id": p}),
            Some("key-1"),
        )
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.job.job_id, first.job.job_id);
    assert_eq!(w.h.jobs.len(), 1);
    assert_eq!(w.h.queue.peek().len(), 1);
    assert_eq!(w.h.limiter.count(&who.user_id, w.now()), 1);
    assert_eq!(w.events(AuditAction::Created).len(), 1);

    // A replay shows the job as it is now.
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let later = w
        .request(
            &who,
            ExportType::TreatmentSummary,
            &json!({"patient_id": p, "format": "csv", "include_sections": ["diagnoses", "prognosis"]}),
            Some("key-1"),
        )
        .unwrap();
    assert!(later.replayed);
    assert_eq!(later.job.status, JobStatus::Completed);
    assert!(later.job.file.is_some());
}

#[test]
fn the_same_key_with_a_different_request_is_409() {
    let w = world();
    let who = w.therapist_of(0);
    let p = w.patient(0).id;
    w.request(
        &who,
        ExportType::FullRecord,
        &json!({"patient_id": p, "format": "json"}),
        Some("k"),
    )
    .unwrap();
    for (t, body) in [
        (
            ExportType::FullRecord,
            json!({"patient_id": p, "format": "csv"}),
        ),
        (
            ExportType::FullRecord,
            json!({"patient_id": p, "format": "json", "include_psychotherapy_notes": true}),
        ),
        (
            ExportType::TreatmentSummary,
            json!({"patient_id": p, "format": "json"}),
        ),
    ] {
        let e = w.request(&who, t, &body, Some("k")).unwrap_err();
        assert_eq!(e.code(), "idempotency_key_reused", "{body}");
    }
    assert_eq!(w.h.jobs.len(), 1);
    assert_eq!(w.h.limiter.count(&who.user_id, w.now()), 1);
}

#[test]
fn idempotency_keys_belong_to_one_user() {
    let w = world();
    let a = w.therapist_of(0);
    let b = w.therapist_of(1);
    assert_ne!(
        a.user_id, b.user_id,
        "patients 0 and 1 have different therapists"
    );
    let ja = w
        .request(
            &a,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, w.patient(0).id),
            Some("shared"),
        )
        .unwrap();
    let jb = w
        .request(
            &b,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, w.patient(1).id),
            Some("shared"),
        )
        .unwrap();
    assert!(!jb.replayed);
    assert_ne!(ja.job.job_id, jb.job.job_id);
    assert_eq!(w.h.jobs.len(), 2);
}

#[test]
fn an_idempotency_key_is_remembered_for_24_hours() {
    let w = world();
    let who = w.therapist_of(0);
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    let first = w
        .request(&who, ExportType::FullRecord, &body, Some("daily"))
        .unwrap();
    w.h.clock.set(t0() + Duration::hours(24) - secs(1));
    let replay = w
        .request(&who, ExportType::FullRecord, &body, Some("daily"))
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.job.job_id, first.job.job_id);
    w.h.clock.set(t0() + Duration::hours(24) + secs(1));
    let fresh = w
        .request(&who, ExportType::FullRecord, &body, Some("daily"))
        .unwrap();
    assert!(!fresh.replayed);
    assert_ne!(fresh.job.job_id, first.job.job_id);
    assert_eq!(w.h.jobs.len(), 2);
    // And the new claim holds: a different body with the key is now refused.
    let other = body_for(ExportType::SessionNotes, w.patient(0).id);
    let e = w
        .request(&who, ExportType::SessionNotes, &other, Some("daily"))
        .unwrap_err();
    assert_eq!(e.code(), "idempotency_key_reused");
}

/// The job a request that won the race with ours would have written.
fn rival(
    w: &World,
    who: &Caller,
    t: ExportType,
    body: &Value,
    key: &str,
) -> (ExportJob, IdempotencyClaim) {
    let request = validate_export_request(export_body(t, body)).unwrap();
    let mut job = ExportJob::new(
        Uuid::new_v4(),
        who.user_id.clone(),
        t,
        request.format.expect("format given"),
        request.patient_id,
        request.params.clone(),
        w.now(),
    );
    job.request_hash = Some(request.fingerprint());
    let claim = IdempotencyClaim {
        user_id: who.user_id.clone(),
        key: key.into(),
        request_hash: request.fingerprint(),
        expires_at: w.now() + Duration::hours(24),
    };
    (job, claim)
}

#[test]
fn concurrent_requests_with_one_key_create_one_job() {
    let w = world();
    let who = w.therapist_of(0);
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    let (winner, claim) = rival(&w, &who, ExportType::FullRecord, &body, "race");
    w.h.jobs.preempt_next_create(winner.clone(), Some(claim));
    let accepted = w
        .request(&who, ExportType::FullRecord, &body, Some("race"))
        .unwrap();
    assert!(accepted.replayed, "answered as the winner's replay");
    assert_eq!(accepted.job.job_id, winner.job_id);
    assert_eq!(w.h.jobs.len(), 1, "one job");
    assert!(w.h.queue.peek().is_empty(), "the loser queues nothing");
    assert!(w.events(AuditAction::Created).is_empty());
}

#[test]
fn a_concurrent_request_with_the_key_and_another_body_is_409() {
    let w = world();
    let who = w.therapist_of(0);
    let theirs = body_for(ExportType::FullRecord, w.patient(0).id);
    let (winner, claim) = rival(&w, &who, ExportType::FullRecord, &theirs, "race");
    w.h.jobs.preempt_next_create(winner, Some(claim));
    let ours = body_for(ExportType::SessionNotes, w.patient(0).id);
    let e = w
        .request(&who, ExportType::SessionNotes, &ours, Some("race"))
        .unwrap_err();
    assert_eq!(e.code(), "idempotency_key_reused");
    assert_eq!(w.h.jobs.len(), 1);
}

#[test]

fn a_concurrent_replay_does_not_count_toward_the_rate_limit() {
    let w = world();
    let who = w.therapist_of(0);
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    for _ in 0..19 {
        w.request(&who, ExportType::FullRecord, &body, None)
            .unwrap();
    }
    let (winner, claim) = rival(&w, &who, ExportType::FullRecord, &body, "race");
    w.h.jobs.preempt_next_create(winner, Some(claim));
    assert!(
        w.request(&who, ExportType::FullRecord, &body, Some("race"))
            .unwrap()
            .replayed
    );
    // 19 accepted exports and one replay: the 20th export is still allowed.
    let r = w.request(&who, ExportType::FullRecord, &body, None);
    assert!(r.is_ok(), "{r:?}");
}

#[test]
fn the_21st_export_in_a_clock_hour_is_429_until_the_next_hour() {
    let w = world();
    let who = w.therapist_of(0);
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    for i in 0..20 {
        w.request(&who, ExportType::FullRecord, &body, None)
            .unwrap_or_else(|e| panic!("export {}: {e:?}", i + 1));
    }
    let e = w
        .request(&who, ExportType::FullRecord, &body, None)
        .unwrap_err();
    assert_eq!(e.code(), "rate_limited");
    // 10:15:30 → 11:00:00.
    assert_eq!(
        e,
        ServiceError::RateLimited {
            retry_after_seconds: 44 * 60 + 30
        }
    );
    let limited = w.events(AuditAction::RateLimited);
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].actor_id, who.user_id);
    assert_eq!(limited[0].patient_id, Some(w.patient(0).id));
    assert_eq!(w.h.jobs.len(), 20, "the refused export created nothing");

    // Another therapist is not affected.
    let other = w.therapist_of(1);
    assert_ne!(other.user_id, who.user_id);
    w.request(
        &other,
        ExportType::FullRecord,
        &body_for(ExportType::FullRecord, w.patient(1).id),
        None,
    )
    .unwrap();

    w.h.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 27, 10, 59, 59).unwrap());
    assert_eq!(
        w.request(&who, ExportType::FullRecord, &body, None),
        Err(ServiceError::RateLimited {
            retry_after_seconds: 1
        })
    );
    w.h.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 27, 11, 0, 0).unwrap());
    assert!(w.request(&who, ExportType::FullRecord, &body, None).is_ok());
}

#[test]
fn refused_requests_and_replays_do_not_count_toward_the_limit() {
    let w = world();
    let who = w.therapist_of(0);
    let p = w.patient(0).id;
    let body = body_for(ExportType::FullRecord, p);
    w.request(&who, ExportType::FullRecord, &body, Some("once"))
        .unwrap();
    for _ in 0..10 {
        assert!(
            w.request(&who, ExportType::FullRecord, &body, Some("once"))
                .unwrap()
                .replayed
        );
        w.request(
            &who,
            ExportType::FullRecord,
            &json!({"patient_id": p}),
            None,
        )
        .unwrap_err();
        w.request(
            &who,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, Uuid::new_v4()),
            None,
        )
        .unwrap_err();
        w.request(
            &who,
            ExportType::FullRecord,
            &json!({"patient_id": p, "format": "json", "template_id": Uuid::new_v4()}),
            None,
        )
        .unwrap_err();
        w.request(
            &who,
            ExportType::FullRecord,
            &json!({"patient_id": p, "format": "pdf"}),
            None,
        )
        .unwrap_err();
    }
    for i in 1..20 {
        w.request(&who, ExportType::FullRecord, &body, None)
            .unwrap_or_else(|e| panic!("export {}: {e:?}", i + 1));
    }
    assert_eq!(
        w.request(&who, ExportType::FullRecord, &body, None)
            .unwrap_err()
            .code(),
        "rate_limited"
    );
}

#[test]
fn a_queue_failure_fails_the_job_visibly_and_answers_503() {
    let w = world();
    let who = w.therapist_of(0);
    w.h.queue.set_unavailable(true);
    let e = w
        .request(
            &who,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, w.patient(0).id),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "service_unavailable");
    let jobs = w.list(&who, &[]).unwrap().items;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Failed, "not pending forever");
    let error = jobs[0].error.clone().unwrap();
    assert_eq!(error.code, "queue_unavailable");
    for word in phi_words(&w.data) {
        assert!(!error.message.contains(&word));
    }
}

#[test]

fn retrying_with_the_same_key_after_a_queue_outage_gets_an_export() {
    let w = world();
    let who = w.therapist_of(0);
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    w.h.queue.set_unavailable(true);
    assert_eq!(
        w.request(&who, ExportType::FullRecord, &body, Some("retry-me"))
            .unwrap_err()
            .code(),
        "service_unavailable"
    );
    w.h.queue.set_unavailable(false);
    w.h.clock.advance(secs(5));
    let retry = w
        .request(&who, ExportType::FullRecord, &body, Some("retry-me"))
        .unwrap();
    w.render_queued();
    let job = w.get(&who, retry.job.job_id).unwrap();
    assert_eq!(job.status, JobStatus::Completed, "{:?}", job.error);
}

#[test]

fn an_audit_outage_while_requesting_leaves_no_job_stuck_pending() {
    let w = world();
    let who = w.therapist_of(0);
    let body = body_for(ExportType::FullRecord, w.patient(0).id);
    w.h.audit.set_unavailable(true);
    assert_eq!(
        w.request(&who, ExportType::FullRecord, &body, Some("k"))
            .unwrap_err()
            .code(),
        "service_unavailable"
    );
    w.h.audit.set_unavailable(false);
    let queued = w.h.queue.peek();
    for job in w.list(&who, &[]).unwrap().items {
        assert!(
            job.status != JobStatus::Pending || queued.contains(&job.job_id),
            "job {} is pending with no message to render it",
            job.job_id
        );
    }
    let retry = w
        .request(&who, ExportType::FullRecord, &body, Some("k"))
        .unwrap();
    w.render_queued();
    assert_eq!(
        w.get(&who, retry.job.job_id).unwrap().status,
        JobStatus::Completed
    );
}

#[test]
fn a_jobs_table_outage_is_503_and_queues_nothing() {
    let w = world();
    let who = w.therapist_of(0);
    w.h.jobs.set_unavailable(true);
    let e = w
        .request(
            &who,
            ExportType::FullRecord,
            &body_for(ExportType::FullRecord, w.patient(0).id),
            Some("k"),
        )
        .unwrap_err();
    assert_eq!(e.code(), "service_unavailable");
    assert!(!e.to_string().contains("memory"), "details stay in logs");
    assert!(w.h.queue.peek().is_empty());
    w.h.jobs.set_unavailable(false);
    assert!(w.h.jobs.is_empty());
}

// ---------------------------------------------------------------------------------------------
// get_job

#[test]
fn get_job_follows_the_job_through_its_life() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::ProgressReport);
    let seen = w.get(&who, job.job_id).unwrap();
    assert_eq!(seen.status, JobStatus::Pending);
    assert_eq!(seen.parameters, job.parameters);

    w.h.clock.advance(secs(3));
    let started = w.now();
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let done = w.get(&who, job.job_id).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(done.started_at, Some(started));
    assert_eq!(done.completed_at, Some(started));
    assert_eq!(done.expires_at, Some(started + FILE_LIFETIME));
    assert_eq!(FILE_LIFETIME, Duration::days(7));
    let file = done.file.expect("file on a completed job");
    assert!(file.filename.ends_with(".json"));

    w.h.clock.set(started + Duration::days(7));
    let expired = w.get(&who, job.job_id).unwrap();
    assert_eq!(expired.status, JobStatus::Expired);
    assert!(expired.file.is_none(), "no file offered once expired");
}

#[test]
fn another_users_job_is_404_like_a_missing_one_and_audited() {
    let w = world();
    let (owner, job) = w.completed(0, ExportType::FullRecord);
    let other = w.stranger_to(0);
    let missing = Uuid::new_v4();
    let theirs = w.get(&other, job.job_id).unwrap_err();
    let nothing = w.get(&other, missing).unwrap_err();
    assert_eq!(theirs.code(), "job_not_found");
    assert_eq!(theirs, nothing, "indistinguishable");
    for e in [
        w.download(&other, job.job_id).unwrap_err(),
        w.delete(&other, job.job_id).unwrap_err(),
    ] {
        assert_eq!(e, nothing);
    }
    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), 4);
    assert!(denied.iter().all(|e| e.actor_id == other.user_id));
    assert_eq!(denied[0].job_id, Some(job.job_id));
    assert_eq!(denied[1].job_id, Some(missing));
    // Nothing happened to the owner's export.
    assert_eq!(
        w.get(&owner, job.job_id).unwrap().status,
        JobStatus::Completed
    );
    assert!(w.events(AuditAction::Downloaded).is_empty());
    assert!(w.events(AuditAction::Deleted).is_empty());
    assert_eq!(w.h.objects.keys().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// list_jobs

/// `n` jobs by one therapist, a minute apart, alternating patients 0 and `other`, all of them
/// assigned to `who`. Returns the job ids oldest first.
fn many_jobs(w: &World, who: &Caller, n: usize) -> Vec<Uuid> {
    let patients: Vec<Uuid> = w
        .data
        .patients
        .iter()
        .filter(|p| {
            p.patient
                .assigned_therapist_ids
                .iter()
                .any(|t| t.to_string() == who.user_id)
        })
        .map(|p| p.patient.id)
        .collect();
    (0..n)
        .map(|i| {
            w.h.clock.advance(Duration::minutes(1));
            let p = patients[i % patients.len()];
            w.request(
                who,
                ExportType::FullRecord,
                &body_for(ExportType::FullRecord, p),
                None,
            )
            .unwrap()
            .job
            .job_id
        })
        .collect()
}

fn ids(items: &[JobView]) -> Vec<Uuid> {
    items.iter().map(|j| j.job_id).collect()
}

#[test]
fn the_list_is_newest_first_and_holds_only_the_callers_jobs() {
    let w = world();
    let who = w.therapist_of(0);
    let mine = many_jobs(&w, &who, 4);
    let other = w.therapist_of(1);
    many_jobs(&w, &other, 2);
    let list = w.list(&who, &[]).unwrap();
    let mut newest_first = mine.clone();
    newest_first.reverse();
    assert_eq!(ids(&list.items), newest_first);
    assert_eq!(list.next_cursor, None);
    assert_eq!(w.list(&other, &[]).unwrap().items.len(), 2);
    assert!(w.list(&w.stranger_to(0), &[]).is_ok());
}

#[test]
fn paging_with_the_cursor_visits_every_job_once() {
    let w = world();
    let who = w.therapist_of(0);
    let mut all = many_jobs(&w, &who, 7);
    all.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let mut q = vec![("limit", "3")];
        if let Some(c) = &cursor {
            q.push(("cursor", c.as_str()));
        }
        let page = w.list(&who, &q).unwrap();
        pages.push(page.items.len());
        seen.extend(ids(&page.items));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages.len() < 10, "paging ends");
    }
    assert_eq!(pages, vec![3, 3, 1]);
    assert_eq!(seen, all, "every job once, newest first");

    let e = w.list(&who, &[("cursor", "not-a-cursor")]).unwrap_err();
    assert_eq!(e.code(), "validation_failed");
    assert_eq!(field_of(&e), Some("cursor"));
    let e = w.list(&who, &[("limit", "101")]).unwrap_err();
    assert_eq!(field_of(&e), Some("limit"));
}

#[test]
fn the_limit_defaults_to_20() {
    let w = world();
    let who = w.therapist_of(0);
    // 25 jobs over two clock hours, under the rate limit.
    let mut all = Vec::new();
    for _ in 0..5 {
        all.extend(many_jobs(&w, &who, 5));
        w.h.clock.advance(Duration::minutes(20));
    }
    let first = w.list(&who, &[]).unwrap();
    assert_eq!(first.items.len(), 20);
    let cursor = first.next_cursor.expect("more follow");
    let rest = w.list(&who, &[("cursor", &cursor)]).unwrap();
    assert_eq!(rest.items.len(), 5);
    assert_eq!(rest.next_cursor, None);
    let limited = w.list(&who, &[("limit", "2")]).unwrap();
    assert_eq!(limited.items.len(), 2);
}

#[test]
fn the_status_filter_includes_expired_computed_from_the_clock() {
    let w = world();
    let (who, done) = w.completed(0, ExportType::FullRecord);
    w.h.clock.advance(Duration::hours(1));
    let (_, failed) = w.requested(0, ExportType::FullRecord);
    w.h.records.remove_patient(w.patient(0).id);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let (_, pending) = w.requested(1, ExportType::FullRecord);
    let pending_owner = w.therapist_of(1);

    let by = |who: &Caller, status: &str| ids(&w.list(who, &[("status", status)]).unwrap().items);
    assert_eq!(by(&who, "completed"), vec![done.job_id]);
    assert_eq!(by(&who, "failed"), vec![failed.job_id]);
    assert!(by(&who, "expired").is_empty());
    assert_eq!(by(&pending_owner, "pending"), vec![pending.job_id]);

    // One second before expiry it is still completed; at expires_at it is expired.
    let expires = done.expires_at.unwrap();
    w.h.clock.set(expires - secs(1));
    assert_eq!(by(&who, "completed"), vec![done.job_id]);
    w.h.clock.set(expires);
    assert!(by(&who, "completed").is_empty());
    assert_eq!(by(&who, "expired"), vec![done.job_id]);
    let listed = w.list(&who, &[]).unwrap().items;
    let shown = listed.iter().find(|j| j.job_id == done.job_id).unwrap();
    assert_eq!(shown.status, JobStatus::Expired);
}

#[test]
fn the_patient_filter_pages_through_sparse_matches() {
    let w = world();
    let who = w.therapist_of(0);
    // Jobs for patient 0 only every few jobs: give the therapist a second patient.
    let p0 = w.patient(0).id;
    let p1 = w.patient(1).id;
    let me: Uuid = who.user_id.parse().unwrap();
    w.h.records.update_patient(p1, |r| {
        r.patient.assigned_therapist_ids.push(me);
    });
    let mut wanted = Vec::new();
    for i in 0..9 {
        w.h.clock.advance(Duration::minutes(1));
        let p = if i % 3 == 0 { p0 } else { p1 };
        let id = w
            .request(
                &who,
                ExportType::FullRecord,
                &body_for(ExportType::FullRecord, p),
                None,
            )
            .unwrap()
            .job
            .job_id;
        if p == p0 {
            wanted.push(id);
        }
    }
    wanted.reverse();
    let pid = p0.to_string();
    let first = w
        .list(&who, &[("patient_id", &pid), ("limit", "2")])
        .unwrap();
    assert_eq!(ids(&first.items), wanted[..2]);
    assert!(first.items.iter().all(|j| j.patient_id == p0));
    let cursor = first.next_cursor.expect("a third job follows");
    let second = w
        .list(
            &who,
            &[("patient_id", &pid), ("limit", "2"), ("cursor", &cursor)],
        )
        .unwrap();
    assert_eq!(ids(&second.items), wanted[2..]);
    assert_eq!(second.next_cursor, None);
}

// ---------------------------------------------------------------------------------------------
// issue_download

#[test]
fn download_before_completion_is_409_job_not_completed() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    let e = w.download(&who, job.job_id).unwrap_err();
    assert_eq!(e.code(), "job_not_completed");
    assert!(e.to_string().contains("pending"), "{e}");

    // Processing: another renderer holds it.
    let now = w.now();
    block_on(w.h.jobs.claim(
        job.job_id,
        Lease {
            token: Uuid::new_v4(),
            now,
            until: now + secs(120),
        },
    ))
    .unwrap()
    .unwrap();
    let e = w.download(&who, job.job_id).unwrap_err();
    assert!(e.to_string().contains("processing"), "{e}");

    // Failed.
    let (_, failed) = w.requested(0, ExportType::SessionNotes);
    w.h.records.remove_patient(w.patient(0).id);
    w.render_queued();
    let e = w.download(&who, failed.job_id).unwrap_err();
    assert_eq!(e.code(), "job_not_completed");
    assert!(e.to_string().contains("failed"), "{e}");
    assert!(w.events(AuditAction::Downloaded).is_empty());
}

#[test]
fn a_download_url_lives_for_the_configured_ttl_and_is_audited() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::ProgressReport);
    w.h.clock.advance(Duration::hours(2));
    let d = w.download(&who, job.job_id).unwrap();
    let stored = w.stored(job.job_id);
    let file = stored.file.as_ref().unwrap();
    assert_eq!(
        d.download_url,
        format!(
            "memory://{}?expires=300&filename={}",
            file.key, file.filename
        )
    );
    assert_eq!(d.expires_at, w.now() + secs(300));
    assert_eq!(d.filename, file.filename);
    assert_eq!(d.content_type, "application/json");
    assert_eq!(d.size_bytes, file.size_bytes);
    assert_eq!(d.sha256, file.sha256);
    let downloaded = w.events(AuditAction::Downloaded);
    assert_eq!(downloaded.len(), 1);
    assert_eq!(downloaded[0].job_id, Some(job.job_id));
    assert_eq!(downloaded[0].patient_id, Some(job.patient_id));
    assert_eq!(downloaded[0].actor_id, who.user_id);
}

#[test]
fn the_url_ttl_follows_settings_up_to_an_hour() {
    for (configured, expected) in [(60, 60), (3600, 3600), (7200, 3600)] {
        let w = world_with(Settings {
            download_url_ttl: std::time::Duration::from_secs(configured),
            ..Settings::default()
        });
        let (who, job) = w.completed(0, ExportType::FullRecord);
        let d = w.download(&who, job.job_id).unwrap();
        assert!(
            d.download_url.contains(&format!("?expires={expected}&")),
            "{configured}: {}",
            d.download_url
        );
        assert_eq!(d.expires_at, w.now() + secs(expected));
    }
}

#[test]
fn a_download_url_never_outlives_the_export() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    let expires = job.expires_at.unwrap();
    w.h.clock.set(expires - secs(100));
    let d = w.download(&who, job.job_id).unwrap();
    assert!(
        d.download_url.contains("?expires=100&"),
        "{}",
        d.download_url
    );
    assert_eq!(d.expires_at, expires);
}

#[test]
fn a_download_is_410_expired_at_expires_at_and_not_a_second_before() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    let expires = job.expires_at.unwrap();
    w.h.clock.set(expires - secs(1));
    let d = w.download(&who, job.job_id).unwrap();
    assert_eq!(d.expires_at, expires);
    w.h.clock.set(expires);
    let e = w.download(&who, job.job_id).unwrap_err();
    assert_eq!(e.code(), "export_expired");
    assert_eq!(w.events(AuditAction::Downloaded).len(), 1);
}

#[test]
fn a_download_of_a_deleted_export_is_410_export_deleted() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    w.delete(&who, job.job_id).unwrap();
    let e = w.download(&who, job.job_id).unwrap_err();
    assert_eq!(e.code(), "export_deleted");
    assert!(w.events(AuditAction::Downloaded).is_empty());
}

#[test]
fn no_url_is_handed_out_unaudited() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    w.h.audit.set_writes_unavailable(true);
    let e = w.download(&who, job.job_id).unwrap_err();
    assert_eq!(
        e.code(),
        "service_unavailable",
        "no URL without its audit event"
    );
}

// ---------------------------------------------------------------------------------------------
// delete_job

#[test]
fn delete_removes_the_file_keeps_the_job_as_deleted_and_is_audited() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    let key = w.stored(job.job_id).file.unwrap().key;
    assert!(w.h.objects.get(&key).is_some());
    w.delete(&who, job.job_id).unwrap();
    assert!(w.h.objects.get(&key).is_none(), "the file is gone");
    let seen = w.get(&who, job.job_id).unwrap();
    assert_eq!(seen.status, JobStatus::Deleted);
    assert!(seen.file.is_none());
    let listed = w.list(&who, &[("status", "deleted")]).unwrap().items;
    assert_eq!(ids(&listed), vec![job.job_id]);
    let deleted = w.events(AuditAction::Deleted);
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].job_id, Some(job.job_id));
    assert_eq!(deleted[0].patient_id, Some(job.patient_id));
}

#[test]
fn deleting_twice_succeeds() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    w.delete(&who, job.job_id).unwrap();
    w.delete(&who, job.job_id).unwrap();
    assert_eq!(w.get(&who, job.job_id).unwrap().status, JobStatus::Deleted);
    assert!(w.h.objects.keys().is_empty());
}

#[test]
fn a_deleted_pending_job_is_never_rendered() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    w.delete(&who, job.job_id).unwrap();
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    assert_eq!(w.h.objects.put_count(), 0);
    assert_eq!(w.get(&who, job.job_id).unwrap().status, JobStatus::Deleted);
}

#[test]
fn deleting_while_rendering_leaves_no_file_and_the_job_deleted() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    let svc = w.svc.clone();
    let (hook_who, id) = (who.clone(), job.job_id);
    // The user deletes the export after the renderer stored the file, before it completes.
    w.h.jobs
        .before_next_complete(move || block_on(svc.delete_job(&hook_who, id)).unwrap());
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    assert_eq!(w.h.objects.put_count(), 1, "the renderer did store a file");
    assert!(w.h.objects.keys().is_empty(), "and removed it again");
    let seen = w.get(&who, job.job_id).unwrap();
    assert_eq!(seen.status, JobStatus::Deleted);
    assert!(seen.file.is_none());
    assert_eq!(
        w.download(&who, job.job_id).unwrap_err().code(),
        "export_deleted"
    );
    assert_eq!(w.events(AuditAction::Deleted).len(), 1);
}

#[test]

fn a_delete_retried_after_a_storage_outage_removes_the_file() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    w.h.objects.set_unavailable(true);
    assert_eq!(
        w.delete(&who, job.job_id).unwrap_err().code(),
        "service_unavailable"
    );
    w.h.objects.set_unavailable(false);
    w.delete(&who, job.job_id).unwrap();
    assert!(w.h.objects.keys().is_empty(), "the file is gone");
    assert_eq!(
        w.events(AuditAction::Deleted).len(),
        1,
        "the deletion is audited"
    );
}

// ---------------------------------------------------------------------------------------------
// render_job

#[test]
fn rendering_stores_the_file_under_its_key_with_a_matching_sha256() {
    let w = world();
    let mrn = w.patient(0).mrn.clone();
    for t in ExportType::ALL {
        w.h.clock.advance(secs(10));
        let (who, job) = w.requested(0, *t);
        w.h.clock.advance(secs(2));
        let rendered_at = w.now();
        assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
        let stored = w.stored(job.job_id);
        let file = stored.file.clone().expect("file");
        let format = job.format;
        assert_eq!(
            file.filename,
            format!("{}_{}_2026-11-27.{}", t.as_str(), mrn, format.extension())
        );
        assert_eq!(
            file.key,
            format!("exports/{}/{}/{}", who.user_id, job.job_id, file.filename)
        );
        let object = w.h.objects.get(&file.key).expect("stored object");
        assert_eq!(file.sha256, hex(&Sha256::digest(&object.bytes)));
        assert_eq!(file.size_bytes, object.bytes.len() as u64);
        assert_eq!(file.content_type, format.content_type());
        assert_eq!(object.content_type, format.content_type());
        assert_eq!(object.filename, file.filename);
        assert_eq!(stored.completed_at, Some(rendered_at));
        assert_eq!(stored.expires_at, Some(rendered_at + Duration::days(7)));
        assert_eq!(stored.started_at, Some(rendered_at));
        assert_eq!(stored.attempts, 1);
        assert!(w.h.jobs.lease(job.job_id).is_none(), "lease released");
        match format {
            ExportFormat::Json => {
                let v: Value = serde_json::from_slice(&object.bytes).expect("JSON");
                assert_eq!(v["job_id"], job.job_id.to_string());
                assert_eq!(v["export_type"], t.as_str());
            }
            ExportFormat::Csv => assert!(object.bytes.starts_with(b"\xEF\xBB\xBF")),
            other => panic!("{other}"),
        }
        let view = w.get(&who, job.job_id).unwrap().file.unwrap();
        assert_eq!(view.sha256, file.sha256);
    }
    for key in w.h.objects.keys() {
        let p = &w.patient(0);
        assert!(!key.contains(&p.first_name) && !key.contains(&p.last_name));
    }
}

#[test]
fn the_file_name_carries_the_request_date_not_the_render_date() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    w.h.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap());
    w.render_queued();
    let job = w.get(&who, job.job_id).unwrap();
    let file = job.file.unwrap();
    assert!(file.filename.contains("_2026-11-27."), "{}", file.filename);
    assert_eq!(
        job.expires_at,
        Some(Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).unwrap())
    );
}

#[test]
fn session_notes_cover_only_the_requested_dates() {
    let w = world();
    let who = w.therapist_of(0);
    let record = &w.data.patients[0];
    let sessions: Vec<_> = record.sessions.iter().map(|s| &s.session).collect();
    assert!(sessions.len() >= 4);
    let (from, to) = (
        sessions[1].start_time.date_naive(),
        sessions[2].start_time.date_naive(),
    );
    let body = json!({
        "patient_id": record.patient.id, "format": "json",
        "start_date": from.to_string(), "end_date": to.to_string()
    });
    let job = w
        .request(&who, ExportType::SessionNotes, &body, None)
        .unwrap()
        .job;
    w.render_queued();
    let text = String::from_utf8(w.object_bytes(&job)).unwrap();
    for s in &sessions {
        let day = s.start_time.date_naive();
        let inside = (from..=to).contains(&day);
        assert_eq!(
            text.contains(&s.id.to_string()),
            inside,
            "session on {day} (range {from}..={to})"
        );
    }
}

#[test]
fn a_second_renderer_waits_while_the_lease_is_held_and_takes_over_after_it_ends() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    let first_start = w.now();
    // The first renderer claims the job and goes quiet.
    block_on(w.h.jobs.claim(
        job.job_id,
        Lease {
            token: Uuid::new_v4(),
            now: first_start,
            until: first_start + secs(120),
        },
    ))
    .unwrap()
    .expect("claimable");
    assert_eq!(w.render(job.job_id, 2), RenderOutcome::Retry);
    w.h.clock.set(first_start + secs(120));
    assert_eq!(
        w.render(job.job_id, 2),
        RenderOutcome::Retry,
        "lease still held at its end"
    );
    assert_eq!(w.h.objects.put_count(), 0);
    assert_eq!(
        w.get(&who, job.job_id).unwrap().status,
        JobStatus::Processing
    );

    w.h.clock.set(first_start + secs(121));
    assert_eq!(w.render(job.job_id, 3), RenderOutcome::Done);
    let stored = w.stored(job.job_id);
    assert_eq!(stored.status, JobStatus::Completed);
    assert_eq!(stored.attempts, 2);
    assert_eq!(stored.started_at, Some(first_start), "first start kept");
    assert_eq!(stored.completed_at, Some(first_start + secs(121)));
}

#[test]
fn a_renderer_that_stopped_before_completing_is_taken_over_after_its_lease() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::SessionNotes);
    w.h.jobs.fail_next_complete();
    let e = block_on(w.svc.render_job(job.job_id, 1)).unwrap_err();
    assert!(matches!(e, PortError::Unavailable(_)), "{e:?}");
    assert_eq!(
        w.get(&who, job.job_id).unwrap().status,
        JobStatus::Processing
    );
    assert_eq!(w.render(job.job_id, 2), RenderOutcome::Retry);
    w.h.clock.advance(secs(121));
    assert_eq!(w.render(job.job_id, 3), RenderOutcome::Done);
    let done = w.get(&who, job.job_id).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(w.h.objects.keys().len(), 1, "the same key, overwritten");
    let bytes = w.object_bytes(&done);
    assert_eq!(done.file.unwrap().sha256, hex(&Sha256::digest(&bytes)));
}

#[test]
fn a_completed_job_is_never_rendered_again() {
    let w = world();
    let (who, job) = w.completed(0, ExportType::FullRecord);
    let puts = w.h.objects.put_count();
    w.h.clock.advance(Duration::hours(1));
    assert_eq!(w.render(job.job_id, 2), RenderOutcome::Done);
    assert_eq!(w.h.objects.put_count(), puts);
    let again = w.get(&who, job.job_id).unwrap();
    assert_eq!(again.completed_at, job.completed_at);
    assert_eq!(w.stored(job.job_id).attempts, 1);
}

#[test]
fn a_message_for_an_unknown_job_is_dropped() {
    let w = world();
    assert_eq!(w.render(Uuid::new_v4(), 1), RenderOutcome::Done);
    assert!(w.h.objects.keys().is_empty());
}

fn assert_failed_for_good(w: &World, who: &Caller, job_id: Uuid, code: &str) {
    let job = w.get(who, job_id).unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    let error = job.error.expect("error on a failed job");
    assert_eq!(error.code, code);
    for word in phi_words(&w.data) {
        assert!(
            !error.message.contains(&word),
            "{word:?} in {:?}",
            error.message
        );
    }
    assert!(job.file.is_none());
    assert!(w.h.objects.keys().is_empty());
    let failed = w.events(AuditAction::Failed);
    assert_eq!(failed.len(), 1, "audited once");
    assert_eq!(failed[0].job_id, Some(job_id));
    assert_eq!(failed[0].actor_id, "renderer");
    assert_eq!(failed[0].actor_role, "system");
    assert_eq!(failed[0].reason.as_deref(), Some(code));
    assert!(w.h.jobs.lease(job_id).is_none());
    // A later delivery changes nothing.
    assert_eq!(w.render(job_id, 2), RenderOutcome::Done);
    assert_eq!(w.events(AuditAction::Failed).len(), 1);
}

#[test]
fn a_patient_deleted_after_the_request_fails_the_job_with_patient_not_found() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    assert!(w.h.records.remove_patient(w.patient(0).id));
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    assert_failed_for_good(&w, &who, job.job_id, "patient_not_found");
}

#[test]
fn a_therapist_unassigned_after_the_request_fails_the_job_with_access_revoked() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::ProgressReport);
    let me: Uuid = who.user_id.parse().unwrap();
    w.h.records.update_patient(w.patient(0).id, |r| {
        r.patient.assigned_therapist_ids.retain(|t| *t != me);
    });
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    assert_failed_for_good(&w, &who, job.job_id, "access_revoked");
}

#[test]
fn render_job_reports_what_it_did_with_the_file_s_size_and_no_pages_for_data_formats() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::ProgressReport);
    let report = block_on(w.svc.render_job_reported(job.job_id, 1)).expect("render");
    let stored = w.get(&who, job.job_id).unwrap();
    let file = stored.file.expect("completed");
    let RenderResult::Completed(stats) = report.result else {
        panic!("{report:?}");
    };
    assert_eq!(report.outcome, RenderOutcome::Done);
    assert_eq!(
        report.export,
        Some((ExportType::ProgressReport, stored.format))
    );
    assert_eq!(stats.bytes, file.size_bytes);
    assert!(stats.bytes > 0);
    assert_eq!(
        stats.pages, None,
        "the in-memory world renders data formats"
    );
    // Rendered already: nothing done, and said so.
    let again = block_on(w.svc.render_job_reported(job.job_id, 2)).expect("render");
    assert_eq!(again.result, RenderResult::Skipped);
    assert_eq!(again.outcome, RenderOutcome::Done);
    let unknown = block_on(w.svc.render_job_reported(Uuid::new_v4(), 1)).expect("render");
    assert_eq!(
        (unknown.export, unknown.result),
        (None, RenderResult::Skipped)
    );
}

/// A renderer that, like the PDF renderer on a script it has no font for, draws some characters
/// as placeholders.
pub(crate) struct DrawsPlaceholders(pub(crate) u64);

impl exports_core::ports::FileRenderer for DrawsPlaceholders {
    fn formats(&self) -> Vec<ExportFormat> {
        ExportFormat::ALL.to_vec()
    }
    fn render(
        &self,
        _: &exports_core::report::Report,
        _: ExportFormat,
        _: &exports_core::template::DocumentLayout,
    ) -> Result<Vec<u8>, String> {
        Ok(b"%PDF-1.7 placeholder".to_vec())
    }
    fn render_file(
        &self,
        report: &exports_core::report::Report,
        format: ExportFormat,
        layout: &exports_core::template::DocumentLayout,
    ) -> Result<exports_core::ports::RenderedFile, String> {
        Ok(exports_core::ports::RenderedFile {
            bytes: self.render(report, format, layout)?,
            pages: Some(1),
            unsupported_characters: self.0,
        })
    }
    fn audit_csv(&self, _: &[AuditEvent]) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
}

#[test]
fn characters_drawn_as_placeholders_are_reported_on_the_job_by_code_and_count() {
    let mut w = world();
    w.svc.ports.files = Arc::new(DrawsPlaceholders(3));
    let (who, job) = w.requested(0, ExportType::ProgressReport);
    assert!(
        job.warnings.is_empty(),
        "nothing to report before rendering"
    );
    block_on(w.svc.render_job(job.job_id, 1)).expect("render");
    let done = w.get(&who, job.job_id).unwrap();
    assert_eq!(done.status, JobStatus::Completed, "still a usable file");
    assert_eq!(done.warnings.len(), 1, "{:?}", done.warnings);
    let warning = &done.warnings[0];
    assert_eq!(
        (warning.code.as_str(), warning.count),
        ("unsupported_characters", 3)
    );
    assert!(
        warning.message.starts_with("3 characters"),
        "{}",
        warning.message
    );
    let listed = serde_json::to_value(&done).unwrap();
    assert_eq!(listed["warnings"][0]["code"], "unsupported_characters");

    // A file that shows everything says so with an empty list.
    w.svc.ports.files = Arc::new(DrawsPlaceholders(0));
    let (who, job) = w.requested(1, ExportType::ProgressReport);
    block_on(w.svc.render_job(job.job_id, 1)).expect("render");
    let done = w.get(&who, job.job_id).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(serde_json::to_value(&done).unwrap()["warnings"], json!([]));
}

#[test]
fn render_job_reports_a_failed_job_by_its_code_and_a_transient_failure_as_retrying() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::ProgressReport);
    let me: Uuid = who.user_id.parse().unwrap();
    w.h.records.update_patient(w.patient(0).id, |r| {
        r.patient.assigned_therapist_ids.retain(|t| *t != me);
    });
    let report = block_on(w.svc.render_job_reported(job.job_id, 1)).expect("render");
    assert_eq!(
        (report.outcome, report.result),
        (
            RenderOutcome::Done,
            RenderResult::Failed {
                code: "access_revoked".into()
            }
        )
    );

    let (_, job) = w.requested(1, ExportType::SessionNotes);
    w.h.records
        .fail_with(Some(PortError::Unavailable("throttled".into())));
    let report = block_on(w.svc.render_job_reported(job.job_id, 1)).expect("render");
    assert_eq!(
        (report.outcome, report.result),
        (
            RenderOutcome::Retry,
            RenderResult::Retrying {
                code: "unavailable"
            }
        )
    );
}

#[test]
fn a_missing_clinician_profile_fails_the_job_with_clinician_not_found() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::TreatmentSummary);
    w.h.records.remove_therapist(who.user_id.parse().unwrap());
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    assert_failed_for_good(&w, &who, job.job_id, "clinician_not_found");
}

#[test]
fn unreadable_records_fail_the_job_without_repeating_the_records() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    let p = w.patient(0).clone();
    w.h.records.fail_with(Some(PortError::Corrupt(format!(
        "patient {}: invalid value: string \"{} {}\", MRN {}",
        p.id, p.first_name, p.last_name, p.mrn
    ))));
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    w.h.records.fail_with(None);
    assert_failed_for_good(&w, &who, job.job_id, "records_unreadable");
}

#[test]
fn transient_failures_retry_until_the_last_receive_then_fail_with_render_failed() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::FullRecord);
    w.h.records.set_unavailable(true);
    for receive in 1..5 {
        assert_eq!(
            w.render(job.job_id, receive),
            RenderOutcome::Retry,
            "receive {receive}"
        );
        let seen = w.get(&who, job.job_id).unwrap();
        assert_eq!(seen.status, JobStatus::Processing, "receive {receive}");
        assert!(seen.error.is_none());
        // The queue redelivers after its visibility timeout, well after the lease.
        w.h.clock.advance(Duration::minutes(6));
    }
    assert!(w.events(AuditAction::Failed).is_empty());
    assert_eq!(
        w.render(job.job_id, 5),
        RenderOutcome::Retry,
        "still a failure for the queue (dead-letter)"
    );
    w.h.records.set_unavailable(false);
    assert_eq!(w.stored(job.job_id).attempts, 5);
    assert_failed_for_good(&w, &who, job.job_id, "render_failed");
}

#[test]
fn a_transient_failure_of_the_object_store_is_retried_and_recovers() {
    let w = world();
    let (who, job) = w.requested(0, ExportType::SessionNotes);
    w.h.objects.set_unavailable(true);
    assert_eq!(w.render(job.job_id, 1), RenderOutcome::Retry);
    w.h.objects.set_unavailable(false);
    w.h.clock.advance(Duration::minutes(6));
    assert_eq!(w.render(job.job_id, 2), RenderOutcome::Done);
    assert_eq!(
        w.get(&who, job.job_id).unwrap().status,
        JobStatus::Completed
    );
    assert!(w.events(AuditAction::Failed).is_empty());
}

// ---------------------------------------------------------------------------------------------
// export_audit_log

#[test]
fn only_admins_export_the_audit_log() {
    let w = world();
    let therapist = w.therapist_of(0);
    let e = w.audit_csv(&therapist, &[]).unwrap_err();
    assert_eq!(e.code(), "forbidden");
    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].actor_id, therapist.user_id);
    assert_eq!(denied[0].actor_role, "therapist");
    assert_eq!(denied[0].reason.as_deref(), Some("missing role admin"));
    assert!(w.events(AuditAction::AuditExported).is_empty());
    // Both roles: allowed.
    let both = caller("boss", &[Role::Therapist, Role::Admin]);
    assert!(w.audit_csv(&both, &[]).is_ok());
}

#[test]
fn the_audit_csv_has_the_documented_header_and_neutralised_cells() {
    let w = world();
    let mut who = w.therapist_of(0);
    who.user_agent = Some("=cmd|' /C calc'!A0".into());
    w.export_and_refusal(&who);
    let text = w.audit_csv(&w.admin(), &[]).unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends");
    assert!(!text.replace("\r\n", "").contains('\n'));
    let rows = csv_rows(&text);
    assert_eq!(rows[0], AUDIT_CSV_COLUMNS.map(String::from).to_vec());
    assert_eq!(
        rows[0].join(","),
        "event_id,occurred_at,action,actor_id,actor_role,job_id,patient_id,export_type,format,source_ip,user_agent,reason"
    );
    assert_eq!(rows.len(), 3, "two events, oldest first");
    let col = |name: &str| AUDIT_CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(rows[1][col("action")], "created");
    assert_eq!(rows[2][col("action")], "denied");
    assert_eq!(rows[1][col("user_agent")], "'=cmd|' /C calc'!A0");
    assert_eq!(rows[1][col("actor_role")], "therapist");
    assert_eq!(rows[1][col("export_type")], "full_record");
    assert_eq!(rows[1][col("format")], "json");
    assert_eq!(rows[1][col("source_ip")], "203.0.113.7");
    assert_eq!(rows[1][col("occurred_at")], "2026-11-27T10:15:30.000Z");
    assert!(
        rows.iter()
            .skip(1)
            .all(|r| r.len() == AUDIT_CSV_COLUMNS.len())
    );
}

#[test]
fn the_audit_export_filters_by_range_patient_and_actor() {
    let w = world();
    let a = w.therapist_of(0);
    let b = w.therapist_of(1);
    assert_ne!(a.user_id, b.user_id);
    // 2026-11-25 … 2026-11-27, one export a day by each.
    let mut days = Vec::new();
    for day in [25, 26, 27] {
        w.h.clock
            .set(Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap());
        days.push(w.now());
        w.requested(0, ExportType::FullRecord);
        w.h.clock.advance(secs(1));
        w.requested(1, ExportType::FullRecord);
    }
    let admin = w.admin();
    let col = |name: &str| AUDIT_CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let rows = |q: &[(&str, &str)]| {
        let rows = csv_rows(&w.audit_csv(&admin, q).unwrap());
        rows[1..].to_vec()
    };

    let all = rows(&[("from", "2026-11-25"), ("to", "2026-11-27")]);
    assert_eq!(all.len(), 6);
    let times: Vec<&String> = all.iter().map(|r| &r[col("occurred_at")]).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest first");

    let one_day = rows(&[("from", "2026-11-26"), ("to", "2026-11-26")]);
    assert_eq!(one_day.len(), 2);
    assert!(
        one_day
            .iter()
            .all(|r| r[col("occurred_at")].starts_with("2026-11-26"))
    );

    // RFC 3339 bounds include both ends.
    let exact = days[1].to_rfc3339();
    let edge = rows(&[("from", &exact), ("to", &exact)]);
    assert_eq!(edge.len(), 1);
    assert_eq!(edge[0][col("actor_id")], a.user_id);

    let p1 = w.patient(1).id.to_string();
    let by_patient = rows(&[
        ("from", "2026-11-25"),
        ("to", "2026-11-27"),
        ("patient_id", &p1),
    ]);
    assert_eq!(by_patient.len(), 3);
    assert!(by_patient.iter().all(|r| r[col("patient_id")] == p1));

    let by_actor = rows(&[
        ("from", "2026-11-25"),
        ("to", "2026-11-27"),
        ("actor_id", &a.user_id),
    ]);
    assert_eq!(by_actor.len(), 3);
    assert!(by_actor.iter().all(|r| r[col("actor_id")] == a.user_id));

    let both = rows(&[
        ("from", "2026-11-25"),
        ("to", "2026-11-27"),
        ("patient_id", &p1),
        ("actor_id", &a.user_id),
    ]);
    assert!(both.is_empty(), "a's events are about patient 0");

    let e = w
        .audit_csv(&admin, &[("from", "2026-11-27"), ("to", "2026-11-25")])
        .unwrap_err();
    assert_eq!(field_of(&e), Some("to"));
}

#[test]
fn the_audit_export_is_itself_audited() {
    let w = world();
    w.requested(0, ExportType::FullRecord);
    w.h.clock.advance(secs(1));
    let admin = w.admin();
    let p = w.patient(0).id.to_string();
    let first = csv_rows(&w.audit_csv(&admin, &[("patient_id", &p)]).unwrap());
    assert_eq!(first.len(), 2);
    let exported = w.events(AuditAction::AuditExported);
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].actor_id, "admin-1");
    assert_eq!(exported[0].actor_role, "admin");
    assert_eq!(exported[0].patient_id, Some(w.patient(0).id));
    assert!(
        exported[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("1 events")
    );
    // The next export shows the first one.
    w.h.clock.advance(secs(1));
    let second = csv_rows(&w.audit_csv(&admin, &[]).unwrap());
    let col = |name: &str| AUDIT_CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let actions: Vec<&str> = second[1..]
        .iter()
        .map(|r| r[col("action")].as_str())
        .collect();
    assert_eq!(actions, ["created", "audit_exported"], "oldest first");
    assert_eq!(second[2][col("actor_role")], "admin");
}

#[test]
fn an_audit_export_is_refused_when_it_cannot_be_audited() {
    let w = world();
    w.requested(0, ExportType::FullRecord);
    w.h.audit.set_writes_unavailable(true);
    let e = w.audit_csv(&w.admin(), &[]).unwrap_err();
    assert_eq!(
        e.code(),
        "service_unavailable",
        "no CSV without its audit event"
    );
}

/// A renderer whose file comes in pieces: `size` bytes in pieces of `piece` bytes (a counting
/// pattern, so misordered parts show), failing at piece `fail_at` when set.
struct Pieces {
    size: usize,
    piece: usize,
    fail_at: Option<usize>,
}

/// The bytes [`Pieces`] makes.
fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i / 7 % 251) as u8).collect()
}

struct PiecesStream {
    bytes: Vec<u8>,
    at: usize,
    piece: usize,
    index: usize,
    fail_at: Option<usize>,
}

impl exports_core::ports::RenderingFile for PiecesStream {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        if Some(self.index) == self.fail_at {
            return Err("the renderer gave up".into());
        }
        self.index += 1;
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let end = (self.at + self.piece).min(self.bytes.len());
        let chunk = self.bytes[self.at..end].to_vec();
        self.at = end;
        Ok(Some(chunk))
    }
    fn pages(&self) -> Option<u32> {
        Some(7)
    }
    fn unsupported_characters(&self) -> u64 {
        0
    }
}

impl exports_core::ports::FileRenderer for Pieces {
    fn formats(&self) -> Vec<ExportFormat> {
        ExportFormat::ALL.to_vec()
    }
    fn render(
        &self,
        _: &exports_core::report::Report,
        _: ExportFormat,
        _: &exports_core::template::DocumentLayout,
    ) -> Result<Vec<u8>, String> {
        Ok(pattern(self.size))
    }
    fn render_stream(
        &self,
        _: exports_core::report::Report,
        _: ExportFormat,
        _: &exports_core::template::DocumentLayout,
    ) -> Result<Box<dyn exports_core::ports::RenderingFile>, String> {
        Ok(Box::new(PiecesStream {
            bytes: pattern(self.size),
            at: 0,
            piece: self.piece,
            index: 0,
            fail_at: self.fail_at,
        }))
    }
    fn audit_csv(&self, _: &[AuditEvent]) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
}

const MIB: usize = 1024 * 1024;

#[test]
fn a_file_larger_than_a_part_is_uploaded_in_parts_and_a_small_one_in_one_put() {
    let mut w = world();
    // 12 MiB in pieces of 700 KiB: parts of at least 5 MiB, then the rest.
    w.svc.ports.files = Arc::new(Pieces {
        size: 12 * MIB,
        piece: 700 * 1024,
        fail_at: None,
    });
    let (who, job) = w.requested(0, ExportType::FullRecord);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let done = w.get(&who, job.job_id).unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    let file = w.stored(job.job_id).file.expect("file");
    let object = w.h.objects.get(&file.key).expect("stored object");
    assert!(object.bytes == pattern(12 * MIB), "the parts in order");
    assert_eq!(file.size_bytes, (12 * MIB) as u64);
    assert_eq!(file.sha256, hex(&Sha256::digest(&object.bytes)));
    assert_eq!(object.filename, file.filename);
    let counts = w.h.objects.upload_counts();
    assert_eq!((counts.started, counts.completed, counts.open), (1, 1, 0));
    assert_eq!(w.h.objects.put_count(), 0, "no single put");

    // A file that fits in one part: one put, no upload in parts.
    w.svc.ports.files = Arc::new(Pieces {
        size: 3 * MIB,
        piece: 700 * 1024,
        fail_at: None,
    });
    let (_, small) = w.requested(1, ExportType::FullRecord);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let file = w.stored(small.job_id).file.expect("file");
    assert!(w.h.objects.get(&file.key).expect("stored").bytes == pattern(3 * MIB));
    assert_eq!(
        w.h.objects.upload_counts().started,
        1,
        "still the one before"
    );
    assert_eq!(w.h.objects.put_count(), 1);
}

#[test]
fn a_failed_part_or_renderer_aborts_the_upload_and_leaves_no_object() {
    let mut w = world();
    // The store fails part 2: a transient failure, retried later; the upload is aborted.
    w.svc.ports.files = Arc::new(Pieces {
        size: 12 * MIB,
        piece: MIB,
        fail_at: None,
    });
    w.h.objects.fail_part(2);
    let (_, job) = w.requested(0, ExportType::FullRecord);
    let report = block_on(w.svc.render_job_reported(job.job_id, 1)).expect("render");
    assert_eq!(report.outcome, RenderOutcome::Retry);
    let counts = w.h.objects.upload_counts();
    assert_eq!((counts.started, counts.aborted, counts.open), (1, 1, 0));
    assert!(w.h.objects.keys().is_empty(), "no object");

    // The renderer fails after the first part went up: the job fails, the upload is aborted.
    w.h.objects.fail_part(0);
    w.svc.ports.files = Arc::new(Pieces {
        size: 12 * MIB,
        piece: MIB,
        fail_at: Some(8),
    });
    let (who, job) = w.requested(1, ExportType::FullRecord);
    let report = block_on(w.svc.render_job_reported(job.job_id, 1)).expect("render");
    assert_eq!(report.outcome, RenderOutcome::Done);
    assert_eq!(w.get(&who, job.job_id).unwrap().status, JobStatus::Failed);
    let counts = w.h.objects.upload_counts();
    assert_eq!((counts.started, counts.aborted, counts.open), (2, 2, 0));
    assert!(w.h.objects.keys().is_empty(), "no object");
}
