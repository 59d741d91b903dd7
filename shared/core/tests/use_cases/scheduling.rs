//! Templates, scheduled reports and the scheduler tick, over the in-memory ports with an
//! injected clock.

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{World, block_on, caller, field_of, phi_words, typed, world, world_with};
use exports_core::audit::AuditAction;
use exports_core::export::{ExportFormat, ExportType, JobStatus, RunStatus};
use exports_core::identity::Role;
use exports_core::job::JobOrigin;
use exports_core::ports::{OutgoingEmail, ScheduleStore};
use exports_core::scheduled_report::ScheduleView;
use exports_core::service::{RunOutcome, ServiceError, Settings};
use exports_core::template::{TemplateView, built_in_templates};

/// What a tick and the runs it queued did.
#[derive(Debug, Default)]
struct TickAndRuns {
    due: usize,
    queued: usize,
    emailed: usize,
    failed: usize,
    retrying: usize,
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

impl World {
    fn create_template(
        &self,
        who: &exports_core::identity::Caller,
        body: &Value,
    ) -> Result<TemplateView, ServiceError> {
        block_on(self.svc.create_template(who, typed(body)))
    }

    fn create_schedule(
        &self,
        who: &exports_core::identity::Caller,
        body: &Value,
    ) -> Result<ScheduleView, ServiceError> {
        block_on(self.svc.create_schedule(who, typed(body)))
    }

    fn change_schedule(
        &self,
        who: &exports_core::identity::Caller,
        id: Uuid,
        body: &Value,
    ) -> Result<ScheduleView, ServiceError> {
        block_on(self.svc.change_schedule(who, id, typed(body)))
    }

    /// A tick at `at`, then every run it queued, executed as the scheduler's SQS trigger does.
    fn tick_at(&self, at: DateTime<Utc>) -> TickAndRuns {
        self.h.clock.set(at);
        let tick = block_on(self.svc.run_due_schedules()).expect("tick");
        let mut done = TickAndRuns {
            due: tick.due,
            queued: tick.queued,
            ..TickAndRuns::default()
        };
        for run in self.h.runs.take() {
            match block_on(self.svc.execute_run(&run)).expect("run") {
                RunOutcome::Emailed => done.emailed += 1,
                RunOutcome::Failed => done.failed += 1,
                RunOutcome::Retrying => done.retrying += 1,
                RunOutcome::Skipped | RunOutcome::NotDue => {}
            }
        }
        done
    }

    /// Ticks every 15 minutes (as EventBridge does) from `from` up to `to`, both included.
    fn tick_every_quarter_hour(&self, from: DateTime<Utc>, to: DateTime<Utc>) {
        let mut t = from;
        while t <= to {
            self.tick_at(t);
            t += Duration::minutes(15);
        }
    }

    fn mails(&self) -> Vec<OutgoingEmail> {
        self.h.mailer.sent()
    }

    /// Jobs made by schedules, oldest first.
    fn scheduled_jobs(&self) -> Vec<exports_core::job::ExportJob> {
        let mut jobs: Vec<_> = self
            .h
            .jobs
            .all()
            .into_iter()
            .filter(|j| matches!(j.origin, JobOrigin::Schedule { .. }))
            .collect();
        jobs.sort_by_key(|j| j.created_at);
        jobs
    }

    fn therapist_email(&self, user_id: &str) -> String {
        self.data
            .therapists
            .iter()
            .find(|t| t.id.to_string() == user_id)
            .expect("therapist")
            .email
            .clone()
    }
}

fn daily(patient: Uuid, time: &str, tz: &str) -> Value {
    json!({
        "patient_id": patient, "export_type": "full_record", "format": "json",
        "schedule_type": "daily", "time_of_day": time, "timezone": tz
    })
}

// ---------------------------------------------------------------------------------------------
// Templates

#[test]
fn a_therapist_creates_reads_lists_replaces_and_deletes_their_template() {
    let w = world();
    let who = w.therapist_of(0);
    let t = w
        .create_template(
            &who,
            &json!({
                "name": "  Quarterly review ", "export_type": "treatment_summary",
                "default_format": "csv", "include_sections": ["prognosis", "diagnoses"],
                "title": "Quarterly review", "page_size": "a4"
            }),
        )
        .unwrap();
    assert_eq!(t.name, "Quarterly review");
    assert_eq!(
        t.include_sections,
        Some(vec!["diagnoses".to_string(), "prognosis".to_string()])
    );
    assert!(!t.built_in);
    let got = block_on(w.svc.get_template(&who, t.template_id)).unwrap();
    assert_eq!(got, t);

    let list = block_on(w.svc.list_templates(&who, &Default::default())).unwrap();
    let names: Vec<_> = list.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), built_in_templates().len() + 1);
    assert_eq!(names.last(), Some(&"Quarterly review"));
    assert!(
        list.items.iter().all(|t| t.body.is_none()),
        "listings leave bodies out"
    );

    w.h.clock.advance(Duration::minutes(5));
    let replaced = block_on(w.svc.replace_template(
        &who,
        t.template_id,
        typed(&json!({"name": "Renamed", "export_type": "treatment_summary", "default_format": "json"})),
    ))
    .unwrap();
    assert_eq!(replaced.name, "Renamed");
    assert_eq!(
        replaced.include_sections, None,
        "PUT replaces the whole template"
    );
    assert_eq!(replaced.created_at, t.created_at);
    assert!(replaced.updated_at > t.updated_at);
    let e = block_on(w.svc.replace_template(
        &who,
        t.template_id,
        typed(&json!({"name": "x", "export_type": "full_record", "default_format": "json"})),
    ))
    .unwrap_err();
    assert_eq!(
        (e.code(), field_of(&e)),
        ("validation_failed", Some("export_type"))
    );

    block_on(w.svc.delete_template(&who, t.template_id)).unwrap();
    let e = block_on(w.svc.get_template(&who, t.template_id)).unwrap_err();
    assert_eq!(e.code(), "template_not_found");
}

#[test]
fn templates_are_private_and_built_ins_are_shared_and_read_only() {
    let w = world();
    let owner = w.therapist_of(0);
    let other = w.stranger_to(0);
    let t = w
        .create_template(
            &owner,
            &json!({"name": "Mine", "export_type": "full_record", "default_format": "json"}),
        )
        .unwrap();
    for e in [
        block_on(w.svc.get_template(&other, t.template_id)).unwrap_err(),
        block_on(w.svc.delete_template(&other, t.template_id)).unwrap_err(),
    ] {
        assert_eq!(e.code(), "template_not_found");
    }
    let others = block_on(w.svc.list_templates(&other, &Default::default())).unwrap();
    assert!(others.items.iter().all(|v| v.built_in));

    let built_in = built_in_templates()[0].template_id;
    assert!(
        block_on(w.svc.get_template(&other, built_in))
            .unwrap()
            .built_in
    );
    let e = block_on(w.svc.delete_template(&other, built_in)).unwrap_err();
    assert_eq!(e.code(), "forbidden");

    let admin_only = caller("admin-1", &[Role::Admin]);
    assert_eq!(
        block_on(w.svc.list_templates(&admin_only, &Default::default()))
            .unwrap_err()
            .code(),
        "forbidden"
    );
}

#[test]
fn template_bodies_are_refused_with_a_clear_422() {
    let w = world();
    let who = w.therapist_of(0);
    let too_big = "x".repeat(64 * 1024 + 1);
    let e = w
        .create_template(&who, &json!({"name": "Big", "export_type": "full_record", "default_format": "json", "body": too_big}))
        .unwrap_err();
    assert_eq!(
        (e.code(), field_of(&e)),
        ("validation_failed", Some("body"))
    );
    // The in-memory world has no document renderer to check bodies with: refused, not accepted.
    let e = w
        .create_template(&who, &json!({"name": "B", "export_type": "full_record", "default_format": "json", "body": "# {{ doc.title }}"}))
        .unwrap_err();
    assert_eq!(e.code(), "invalid_template");
    assert_eq!(field_of(&e), Some("body"));
    for (body, field) in [
        (
            json!({"name": " ", "export_type": "full_record", "default_format": "json"}),
            "name",
        ),
        (
            json!({"name": "x", "export_type": "full_record", "default_format": "json", "include_sections": ["timeline"]}),
            "include_sections",
        ),
        (
            json!({"name": "x", "export_type": "progress_report", "default_format": "json", "include_sections": ["gossip"]}),
            "include_sections[0]",
        ),
        (
            json!({"name": "x", "export_type": "progress_report", "default_format": "json", "title": "a\nb"}),
            "title",
        ),
    ] {
        let e = w.create_template(&who, &body).unwrap_err();
        assert_eq!(field_of(&e), Some(field), "{body}");
    }
    // PDF is not renderable in this world, so a PDF default is refused.
    let e = w
        .create_template(&who, &json!({"name": "x", "export_type": "full_record"}))
        .unwrap_err();
    assert_eq!(e.code(), "format_not_available");
    assert_eq!(w.h.templates.count(), 0);
}

#[test]
fn exports_take_format_and_sections_from_their_template() {
    let w = world();
    let who = w.therapist_of(0);
    let t = w
        .create_template(
            &who,
            &json!({"name": "Short", "export_type": "treatment_summary", "default_format": "csv", "include_sections": ["goals"]}),
        )
        .unwrap();
    let body = json!({"patient_id": w.patient(0).id, "template_id": t.template_id});
    let job = w
        .request(&who, ExportType::TreatmentSummary, &body, None)
        .unwrap()
        .job;
    assert_eq!(job.format, ExportFormat::Csv);
    assert_eq!(
        job.parameters.include_sections,
        Some(vec!["goals".to_string()])
    );
    assert_eq!(job.parameters.template_id, Some(t.template_id));
    // The request's own choices win.
    let body = json!({"patient_id": w.patient(0).id, "template_id": t.template_id, "format": "json", "include_sections": ["prognosis"]});
    let job = w
        .request(&who, ExportType::TreatmentSummary, &body, None)
        .unwrap()
        .job;
    assert_eq!(job.format, ExportFormat::Json);
    assert_eq!(
        job.parameters.include_sections,
        Some(vec!["prognosis".to_string()])
    );
    assert_eq!(w.render_queued().len(), 2);

    // Another type's template is a 422; someone else's is a 404; no format and no template a 422.
    let e = w
        .request(
            &who,
            ExportType::FullRecord,
            &json!({"patient_id": w.patient(0).id, "template_id": t.template_id}),
            None,
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), field_of(&e)),
        ("validation_failed", Some("template_id"))
    );
    let i_other = (0..w.data.patients.len())
        .find(|&i| w.therapist_of(i).user_id != who.user_id)
        .expect("a patient of another therapist");
    let stranger = w.therapist_of(i_other);
    let e = w
        .request(
            &stranger,
            ExportType::TreatmentSummary,
            &json!({"patient_id": w.patient(i_other).id, "template_id": t.template_id}),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "template_not_found");
    let e = w
        .request(
            &who,
            ExportType::FullRecord,
            &json!({"patient_id": w.patient(0).id}),
            None,
        )
        .unwrap_err();
    assert_eq!(field_of(&e), Some("format"));

    // A built-in template works for anyone; its PDF default is not renderable here.
    let built_in = built_in_templates()[3].template_id;
    let e = w
        .request(
            &stranger,
            ExportType::FullRecord,
            &json!({"patient_id": w.patient(i_other).id, "template_id": built_in}),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code(), "format_not_available");
    assert!(w
        .request(&stranger, ExportType::FullRecord, &json!({"patient_id": w.patient(i_other).id, "template_id": built_in, "format": "json"}), None)
        .is_ok());
}

#[test]
fn a_template_a_schedule_uses_cannot_be_deleted() {
    let w = world();
    let who = w.therapist_of(0);
    let t = w
        .create_template(
            &who,
            &json!({"name": "Weekly", "export_type": "progress_report", "default_format": "json"}),
        )
        .unwrap();
    let s = w
        .create_schedule(
            &who,
            &json!({"patient_id": w.patient(0).id, "template_id": t.template_id, "schedule_type": "weekly",
                    "day_of_week": "friday", "time_of_day": "17:30", "timezone": "Europe/London"}),
        )
        .unwrap();
    assert_eq!(s.export_type, ExportType::ProgressReport);
    assert_eq!(
        s.format,
        ExportFormat::Json,
        "the template's default format"
    );
    let e = block_on(w.svc.delete_template(&who, t.template_id)).unwrap_err();
    assert_eq!(e.code(), "template_in_use");
    block_on(w.svc.delete_schedule(&who, s.schedule_id)).unwrap();
    block_on(w.svc.delete_template(&who, t.template_id)).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Scheduled reports: CRUD

#[test]
fn creating_a_schedule_computes_the_next_run_in_its_time_zone() {
    let w = world();
    let who = w.therapist_of(0);
    // t0 is 2026-11-27 10:15 UTC = 05:15 in New York.
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "07:30", "America/New_York"))
        .unwrap();
    assert_eq!(s.next_run_at, Some(utc("2026-11-27T12:30:00Z")));
    assert_eq!(s.delivery, exports_core::export::Delivery::EmailLink);
    assert!(s.active);
    let list = block_on(w.svc.list_schedules(&who)).unwrap();
    assert_eq!(list.items, vec![s.clone()]);
    assert_eq!(
        block_on(w.svc.get_schedule(&who, s.schedule_id)).unwrap(),
        s
    );
}

#[test]
fn one_schedule_per_therapist_template_and_patient() {
    let w = world();
    let who = w.therapist_of(0);
    let body = daily(w.patient(0).id, "08:00", "UTC");
    w.create_schedule(&who, &body).unwrap();
    let e = w.create_schedule(&who, &body).unwrap_err();
    assert_eq!(e.code(), "schedule_exists");
    // Without a template, each export type is its own slot.
    let mut other_type = body.clone();
    other_type["export_type"] = json!("treatment_summary");
    w.create_schedule(&who, &other_type).unwrap();
    // Another template for the same patient is another schedule.
    let mut with_template = body.clone();
    with_template["template_id"] = json!(built_in_templates()[3].template_id);
    w.create_schedule(&who, &with_template).unwrap();
}

#[test]
fn schedule_requests_are_validated_field_by_field() {
    let w = world();
    let who = w.therapist_of(0);
    let p = w.patient(0).id;
    let cases = [
        (
            json!({"patient_id": p, "export_type": "full_record", "format": "json", "schedule_type": "weekly", "time_of_day": "08:00", "timezone": "UTC"}),
            "day_of_week",
        ),
        (
            json!({"patient_id": p, "export_type": "full_record", "format": "json", "schedule_type": "daily", "time_of_day": "8am", "timezone": "UTC"}),
            "time_of_day",
        ),
        (
            json!({"patient_id": p, "export_type": "full_record", "format": "json", "schedule_type": "daily", "time_of_day": "08:00", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
        (
            json!({"patient_id": p, "export_type": "full_record", "format": "json", "schedule_type": "monthly", "day_of_month": 32, "time_of_day": "08:00", "timezone": "UTC"}),
            "day_of_month",
        ),
        (
            json!({"patient_id": p, "export_type": "full_record", "format": "json", "schedule_type": "weekly", "day_of_week": "caturday", "time_of_day": "08:00", "timezone": "UTC"}),
            "day_of_week",
        ),
        (
            json!({"patient_id": p, "format": "json", "schedule_type": "daily", "time_of_day": "08:00", "timezone": "UTC"}),
            "export_type",
        ),
        (
            json!({"patient_id": p, "export_type": "full_record", "schedule_type": "daily", "time_of_day": "08:00", "timezone": "UTC"}),
            "format",
        ),
    ];
    for (body, field) in cases {
        let e = w.create_schedule(&who, &body).unwrap_err();
        assert_eq!(
            (e.code(), field_of(&e)),
            ("validation_failed", Some(field)),
            "{body}"
        );
    }
    // Someone else's patient: 404, audited.
    let stranger = w.stranger_to(0);
    let e = w
        .create_schedule(&stranger, &daily(p, "08:00", "UTC"))
        .unwrap_err();
    assert_eq!(e.code(), "patient_not_found");
    assert_eq!(w.events(AuditAction::Denied).len(), 1);
}

#[test]
fn another_therapists_schedule_is_not_found() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "08:00", "UTC"))
        .unwrap();
    let other = w.stranger_to(0);
    for e in [
        block_on(w.svc.get_schedule(&other, s.schedule_id)).unwrap_err(),
        w.change_schedule(&other, s.schedule_id, &json!({"active": false}))
            .unwrap_err(),
        block_on(w.svc.delete_schedule(&other, s.schedule_id)).unwrap_err(),
    ] {
        assert_eq!(e.code(), "schedule_not_found");
    }
    assert!(
        block_on(w.svc.list_schedules(&other))
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn pausing_stops_runs_and_resuming_does_not_make_up_missed_periods() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let paused = w
        .change_schedule(&who, s.schedule_id, &json!({"active": false}))
        .unwrap();
    assert!(!paused.active);
    assert_eq!(paused.next_run_at, None);
    w.tick_every_quarter_hour(utc("2026-11-27T11:00:00Z"), utc("2026-11-30T11:00:00Z"));
    assert!(w.mails().is_empty(), "a paused schedule never runs");

    let resumed = w
        .change_schedule(&who, s.schedule_id, &json!({"active": true}))
        .unwrap();
    assert_eq!(resumed.next_run_at, Some(utc("2026-11-30T12:00:00Z")));
    w.tick_every_quarter_hour(utc("2026-11-30T11:15:00Z"), utc("2026-11-30T13:00:00Z"));
    assert_eq!(w.mails().len(), 1);
    assert_eq!(w.scheduled_jobs().len(), 1);
}

#[test]
fn setting_up_changing_and_deleting_a_schedule_is_audited_without_phi() {
    let w = world();
    let who = w.therapist_of(0);
    let patient = w.patient(0).id;
    let s = w
        .create_schedule(&who, &daily(patient, "12:00", "UTC"))
        .unwrap();
    w.change_schedule(&who, s.schedule_id, &json!({"active": false}))
        .unwrap();
    w.change_schedule(&who, s.schedule_id, &json!({"active": true}))
        .unwrap();
    w.change_schedule(&who, s.schedule_id, &json!({"format": "csv"}))
        .unwrap();
    block_on(w.svc.delete_schedule(&who, s.schedule_id)).unwrap();

    let trail: Vec<(AuditAction, String)> =
        w.h.audit
            .events()
            .into_iter()
            .map(|e| {
                assert_eq!(e.actor_id, who.user_id);
                assert_eq!(e.actor_role, "therapist");
                assert_eq!(e.patient_id, Some(patient));
                assert_eq!(e.export_type, Some(ExportType::FullRecord));
                (e.action, e.reason.unwrap())
            })
            .collect();
    let id = s.schedule_id;
    assert_eq!(
        trail,
        [
            (
                AuditAction::ScheduleCreated,
                format!("schedule {id}: created, daily email_link")
            ),
            (
                AuditAction::ScheduleChanged,
                format!("schedule {id}: paused")
            ),
            (
                AuditAction::ScheduleChanged,
                format!("schedule {id}: resumed")
            ),
            (
                AuditAction::ScheduleChanged,
                format!("schedule {id}: changed")
            ),
            (
                AuditAction::ScheduleDeleted,
                format!("schedule {id}: deleted")
            ),
        ]
    );
    let trail = format!("{:?}", w.h.audit.events());
    for word in phi_words(&w.data) {
        assert!(!trail.contains(&word), "{word} in the audit trail");
    }
}

#[test]
fn a_schedule_the_audit_log_cannot_record_is_not_kept() {
    let w = world();
    let who = w.therapist_of(0);
    w.h.audit.set_writes_unavailable(true);
    let e = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap_err();
    assert_eq!(e.code(), "service_unavailable");
    assert!(
        block_on(w.svc.list_schedules(&who))
            .unwrap()
            .items
            .is_empty(),
        "an unaudited schedule would mail PHI with no record of who set it up"
    );
    w.h.audit.set_writes_unavailable(false);
    // The client's retry works: nothing is left behind to conflict with.
    w.create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    w.tick_at(utc("2026-11-27T12:00:00Z"));
    assert_eq!(w.mails().len(), 1);

    // A deletion the trail cannot record does not happen.
    let s = block_on(w.svc.list_schedules(&who)).unwrap().items[0].clone();
    w.h.audit.set_writes_unavailable(true);
    assert_eq!(
        block_on(w.svc.delete_schedule(&who, s.schedule_id))
            .unwrap_err()
            .code(),
        "service_unavailable"
    );
    w.h.audit.set_writes_unavailable(false);
    assert!(block_on(w.svc.get_schedule(&who, s.schedule_id)).is_ok());
}

#[test]
fn template_changes_are_audited() {
    let w = world();
    let who = w.therapist_of(0);
    let body = json!({"name": "Mine", "export_type": "progress_report", "default_format": "json"});
    let t = w.create_template(&who, &body).unwrap();
    block_on(w.svc.replace_template(
        &who,
        t.template_id,
        typed(
            &json!({"name": "Mine 2", "export_type": "progress_report", "default_format": "csv"}),
        ),
    ))
    .unwrap();
    block_on(w.svc.delete_template(&who, t.template_id)).unwrap();
    let trail: Vec<_> =
        w.h.audit
            .events()
            .into_iter()
            .map(|e| (e.action, e.format, e.reason.unwrap(), e.actor_id))
            .collect();
    let reason = format!("template {}", t.template_id);
    let me = who.user_id.clone();
    assert_eq!(
        trail,
        [
            (
                AuditAction::TemplateCreated,
                Some(ExportFormat::Json),
                reason.clone(),
                me.clone()
            ),
            (
                AuditAction::TemplateChanged,
                Some(ExportFormat::Csv),
                reason.clone(),
                me.clone()
            ),
            (
                AuditAction::TemplateDeleted,
                Some(ExportFormat::Csv),
                reason,
                me
            ),
        ]
    );

    // A template the trail cannot record is not kept.
    w.h.audit.set_writes_unavailable(true);
    assert_eq!(
        w.create_template(&who, &body).unwrap_err().code(),
        "service_unavailable"
    );
    w.h.audit.set_writes_unavailable(false);
    let list = block_on(w.svc.list_templates(&who, &Default::default())).unwrap();
    assert!(list.items.iter().all(|t| t.built_in));
}

#[test]
fn changing_the_type_drops_day_fields_it_does_not_use() {
    let w = world();
    let who = w.therapist_of(0);
    let mut body = daily(w.patient(0).id, "08:00", "America/New_York");
    body["schedule_type"] = json!("weekly");
    body["day_of_week"] = json!("Monday");
    let s = w.create_schedule(&who, &body).unwrap();
    assert_eq!(s.day_of_week.as_deref(), Some("monday"));
    let e = w
        .change_schedule(&who, s.schedule_id, &json!({"schedule_type": "monthly"}))
        .unwrap_err();
    assert_eq!(field_of(&e), Some("day_of_month"));
    let m = w
        .change_schedule(&who, s.schedule_id, &json!({"schedule_type": "monthly", "day_of_month": 31, "delivery": "email_attachment"}))
        .unwrap();
    assert_eq!((m.day_of_week, m.day_of_month), (None, Some(31)));
    // 2026-11-30 is the last day of November: 08:00 EST = 13:00 UTC.
    assert_eq!(m.next_run_at, Some(utc("2026-11-30T13:00:00Z")));
}

// ---------------------------------------------------------------------------------------------
// The scheduler

/// A Monday-morning peak: more due schedules than a page of the due index (and than the old
/// per-tick cap of 100) are all claimed by one tick and queued once each; the runs then make one
/// export and one email each.
#[test]
fn one_tick_claims_every_due_schedule_and_queues_each_run_once() {
    let w = world();
    let who = w.therapist_of(0);
    let first = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let stored = w.h.schedules.stored(first.schedule_id).unwrap();
    let total = exports_core::service::DUE_PAGE * 2 + 7;
    for n in 1..total {
        let mut copy = stored.clone();
        copy.schedule_id = Uuid::from_u128(0x5c4e_d000_0000 + n as u128);
        // One scheduled report per therapist and patient: the copies belong to other users.
        copy.user_id = format!("{}-{n}", stored.user_id);
        block_on(ScheduleStore::create(&*w.h.schedules, &copy)).unwrap();
    }
    let tick = block_on(async {
        w.h.clock.set(utc("2026-11-27T12:00:00Z"));
        w.svc.run_due_schedules().await
    })
    .unwrap();
    assert_eq!((tick.due, tick.queued, tick.skipped), (total, total, 0));
    let runs = w.h.runs.take();
    let distinct: std::collections::HashSet<Uuid> = runs.iter().map(|r| r.schedule_id).collect();
    assert_eq!(
        (runs.len(), distinct.len()),
        (total, total),
        "each run queued once"
    );
    // A second tick at the same instant finds nothing left to claim.
    let again = block_on(w.svc.run_due_schedules()).unwrap();
    assert_eq!((again.due, again.queued), (0, 0));
    let own = runs
        .iter()
        .find(|r| r.schedule_id == first.schedule_id)
        .unwrap();
    assert_eq!(
        block_on(w.svc.execute_run(own)).unwrap(),
        RunOutcome::Emailed
    );
    assert_eq!(w.mails().len(), 1);
}

/// A run whose message is lost (or whose worker stops) stays `running` until its lease lapses;
/// the next tick then claims it again, once, and audits that it took it up again. The old
/// message, if it ever arrives, is stale.
#[test]
fn a_run_whose_message_was_lost_is_claimed_again_after_its_lease_and_audited() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let due = utc("2026-11-27T12:00:00Z");
    w.h.clock.set(due);
    assert_eq!(block_on(w.svc.run_due_schedules()).unwrap().queued, 1);
    let lost = w.h.runs.take();
    assert_eq!(lost.len(), 1);

    // Within the lease the run is someone's: nothing to claim, nothing audited.
    w.h.clock.set(due + Duration::minutes(9));
    assert_eq!(block_on(w.svc.run_due_schedules()).unwrap().queued, 0);
    assert!(w.events(AuditAction::Requeued).is_empty());

    w.h.clock
        .set(due + Duration::minutes(10) + Duration::seconds(1));
    assert_eq!(block_on(w.svc.run_due_schedules()).unwrap().queued, 1);
    let again = w.h.runs.take();
    assert_eq!(again[0].attempt, 2);
    let events = w.events(AuditAction::Requeued);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].actor_id, format!("schedule:{}", s.schedule_id));
    assert_eq!(events[0].job_id, Some(again[0].job_id));

    assert_eq!(
        block_on(w.svc.execute_run(&lost[0])).unwrap(),
        RunOutcome::Skipped
    );
    assert_eq!(
        block_on(w.svc.execute_run(&again[0])).unwrap(),
        RunOutcome::Emailed
    );
    assert_eq!(w.mails().len(), 1);
    assert_eq!(w.scheduled_jobs().len(), 1);
}

#[test]
fn a_due_schedule_makes_one_export_and_one_email_without_phi() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    assert_eq!(w.tick_at(utc("2026-11-27T11:45:00Z")).due, 0);
    let summary = w.tick_at(utc("2026-11-27T12:00:00Z"));
    assert_eq!((summary.due, summary.queued, summary.emailed), (1, 1, 1));

    let jobs = w.scheduled_jobs();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.status, JobStatus::Completed);
    assert_eq!(job.user_id, who.user_id);
    assert_eq!(
        job.origin,
        JobOrigin::Schedule {
            schedule_id: s.schedule_id
        }
    );
    assert!(
        w.h.queue.peek().is_empty(),
        "the scheduler renders it itself"
    );

    let mails = w.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, w.therapist_email(&who.user_id));
    assert_eq!(mail.from, Settings::default().mail_from);
    assert_eq!(mail.subject, "Your scheduled daily full record is ready");
    assert!(mail.attachment.is_none());
    let link = format!("http://localhost:3000/exports/{}", job.job_id);
    assert!(mail.text.contains(&link) && mail.html.contains(&job.job_id.to_string()));
    for word in phi_words(&w.data) {
        for part in [&mail.subject, &mail.text, &mail.html] {
            assert!(!part.contains(&word), "the email holds PHI: {word}");
        }
    }

    let created = w.events(AuditAction::Created);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].actor_id, format!("schedule:{}", s.schedule_id));
    assert_eq!(created[0].actor_role, "schedule");
    assert_eq!(created[0].job_id, Some(job.job_id));
    let emailed = w.events(AuditAction::Emailed);
    assert_eq!(emailed.len(), 1);
    assert_eq!(emailed[0].reason.as_deref(), Some("email_link"));

    let view = block_on(w.svc.get_schedule(&who, s.schedule_id)).unwrap();
    let last = view.last_run.expect("last run");
    assert_eq!(
        (last.status, last.job_id),
        (RunStatus::Emailed, Some(job.job_id))
    );
    assert_eq!(view.next_run_at, Some(utc("2026-11-28T12:00:00Z")));

    // The same tick again, and the next quarter hour: nothing more.
    assert_eq!(w.tick_at(utc("2026-11-27T12:00:00Z")).emailed, 0);
    assert_eq!(w.tick_at(utc("2026-11-27T12:15:00Z")).due, 0);
    assert_eq!(w.mails().len(), 1);
}

#[test]
fn a_file_with_placeholders_is_emailed_with_a_note_saying_so() {
    let mut w = world_with(Settings {
        available_formats: ExportFormat::ALL.to_vec(),
        ..Settings::default()
    });
    // A daily PDF of patient `i` at `time`, mailed at that time on 27 Nov 2026.
    let mailed_daily_pdf = |w: &World, i: usize, time: &str| {
        let mut body = daily(w.patient(i).id, time, "UTC");
        body["format"] = json!("pdf");
        w.create_schedule(&w.therapist_of(i), &body).unwrap();
        let at = utc(&format!("2026-11-27T{time}:00Z"));
        assert_eq!(w.tick_at(at).emailed, 1);
    };
    w.svc.ports.files = std::sync::Arc::new(crate::DrawsPlaceholders(2));
    mailed_daily_pdf(&w, 0, "12:00");
    let mail = &w.mails()[0];
    let job = &w.scheduled_jobs()[0];
    let warning = &job.file.as_ref().expect("a file").warnings[0];
    assert_eq!(warning.count, 2);
    assert!(
        mail.text.contains(&format!("Note: {}.", warning.message)),
        "the email does not pass the warning on:\n{}",
        mail.text
    );
    // The HTML part escapes the apostrophe of "document's".
    assert!(
        mail.html
            .contains("Note: 2 characters could not be drawn with the document&#39;s fonts"),
        "{}",
        mail.html
    );

    // A file that shows everything: no note.
    w.svc.ports.files = std::sync::Arc::new(crate::DrawsPlaceholders(0));
    mailed_daily_pdf(&w, 1, "13:00");
    let mail = w.mails().pop().expect("a second email");
    assert!(!mail.text.contains("Note:"), "{}", mail.text);
}

#[test]
fn two_invocations_at_once_make_one_job_and_one_email() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let now = utc("2026-11-27T12:00:00Z");
    w.h.clock.set(now);
    // Both invocations read the due index before either claims.
    let first = block_on(ScheduleStore::due(&*w.h.schedules, now, 100)).unwrap();
    let second = block_on(ScheduleStore::due(&*w.h.schedules, now, 100)).unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    let a = block_on(w.svc.claim_run(first[0].clone(), now)).unwrap();
    let b = block_on(w.svc.claim_run(second[0].clone(), now)).unwrap();
    assert!(a.is_some() && b.is_none(), "one claim wins");
    let run = a.unwrap();
    // The run is delivered twice (SQS is at least once): one worker takes it.
    assert_eq!(
        block_on(w.svc.execute_run(&run)).unwrap(),
        RunOutcome::Emailed
    );
    assert_eq!(
        block_on(w.svc.execute_run(&run)).unwrap(),
        RunOutcome::Skipped
    );
    assert_eq!(w.scheduled_jobs().len(), 1);
    assert_eq!(w.mails().len(), 1);
    assert_eq!(w.events(AuditAction::Created).len(), 1);
    let stored = w.h.schedules.stored(s.schedule_id).unwrap();
    assert_eq!(
        stored.version, 4,
        "created, claimed, taken, finished: the losing claim and the duplicate delivery wrote nothing"
    );
}

#[test]
fn after_an_outage_a_schedule_runs_once_not_once_per_missed_period() {
    let w = world();
    let who = w.therapist_of(0);
    w.create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    // No tick for four days.
    let summary = w.tick_at(utc("2026-12-01T09:00:00Z"));
    assert_eq!(summary.emailed, 1);
    assert_eq!(w.tick_at(utc("2026-12-01T09:15:00Z")).due, 0);
    assert_eq!(w.scheduled_jobs().len(), 1);
    let s = &block_on(w.svc.list_schedules(&who)).unwrap().items[0];
    assert_eq!(s.next_run_at, Some(utc("2026-12-01T12:00:00Z")));
    // The export is of the missed period it ran for (the first one).
    assert_eq!(
        s.last_run.as_ref().unwrap().period_at,
        utc("2026-11-27T12:00:00Z")
    );
}

#[test]
fn an_email_failure_is_audited_and_retried_next_tick_without_a_second_export() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    w.h.mailer.set_failing(true);
    let summary = w.tick_at(utc("2026-11-27T12:00:00Z"));
    assert_eq!((summary.emailed, summary.retrying), (0, 1));
    let view = block_on(w.svc.get_schedule(&who, s.schedule_id)).unwrap();
    let last = view.last_run.unwrap();
    assert_eq!(last.status, RunStatus::Failed);
    assert_eq!(last.error.as_deref(), Some("email_failed"));
    let failed = w.events(AuditAction::Failed);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].reason.as_deref(), Some("email_failed"));

    w.h.mailer.set_failing(false);
    let summary = w.tick_at(utc("2026-11-27T12:15:00Z"));
    assert_eq!(summary.emailed, 1);
    assert_eq!(w.scheduled_jobs().len(), 1, "the retry reuses the export");
    assert_eq!(w.events(AuditAction::Created).len(), 1);
    assert_eq!(w.mails().len(), 1);
    assert_eq!(w.h.mailer.attempts(), 2);
    let view = block_on(w.svc.get_schedule(&who, s.schedule_id)).unwrap();
    assert_eq!(view.last_run.unwrap().status, RunStatus::Emailed);
    assert_eq!(view.next_run_at, Some(utc("2026-11-28T12:00:00Z")));
}

#[test]
fn a_function_wired_to_send_no_mail_fails_a_run_instead_of_dropping_its_email() {
    // The API and the renderer wire `MailedElsewhere`: should a run ever reach one of them, it
    // must end as a retryable email failure, never as "emailed".
    let mut w = world();
    w.svc.ports.mailer = std::sync::Arc::new(exports_core::ports::MailedElsewhere);
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let summary = w.tick_at(utc("2026-11-27T12:00:00Z"));
    assert_eq!((summary.emailed, summary.retrying), (0, 1));
    let view = block_on(w.svc.get_schedule(&who, s.schedule_id)).unwrap();
    assert_eq!(
        view.last_run.unwrap().error.as_deref(),
        Some("email_failed")
    );
    assert!(w.mails().is_empty());
}

#[test]
fn a_run_that_keeps_failing_is_given_up_and_the_next_period_still_runs() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    w.h.mailer.set_failing(true);
    w.tick_every_quarter_hour(utc("2026-11-27T12:00:00Z"), utc("2026-11-28T06:00:00Z"));
    assert_eq!(
        w.h.mailer.attempts() as u32,
        exports_core::service::MAX_RUN_ATTEMPTS
    );
    let last = block_on(w.svc.get_schedule(&who, s.schedule_id))
        .unwrap()
        .last_run
        .unwrap();
    assert!(last.error.unwrap().contains("gave up"));
    w.h.mailer.set_failing(false);
    w.tick_every_quarter_hour(utc("2026-11-28T06:15:00Z"), utc("2026-11-28T12:00:00Z"));
    assert_eq!(w.mails().len(), 1);
    assert_eq!(w.scheduled_jobs().len(), 2);
}

#[test]
fn attachment_mode_attaches_the_file_and_falls_back_to_a_link_when_too_big() {
    let w = world();
    let who = w.therapist_of(0);
    let mut body = daily(w.patient(0).id, "12:00", "UTC");
    body["delivery"] = json!("email_attachment");
    w.create_schedule(&who, &body).unwrap();
    w.tick_at(utc("2026-11-27T12:00:00Z"));
    let mail = &w.mails()[0];
    let job = &w.scheduled_jobs()[0];
    let attachment = mail.attachment.as_ref().expect("attached");
    let stored = w.h.objects.get(&job.file.as_ref().unwrap().key).unwrap();
    assert_eq!(attachment.bytes, stored.bytes);
    assert_eq!(attachment.filename, "full_record_2026-11-27.json");
    assert_eq!(attachment.content_type, "application/json");
    assert_eq!(
        w.events(AuditAction::Emailed)[0].reason.as_deref(),
        Some("email_attachment")
    );

    // A file that fits the attachment limit but whose base64 would not fit the message limit.
    let w2 = world_with(Settings {
        max_message_bytes: attachment.bytes.len() as u64,
        ..Settings::default()
    });
    let who2 = w2.therapist_of(0);
    let mut body2 = daily(w2.patient(0).id, "12:00", "UTC");
    body2["delivery"] = json!("email_attachment");
    w2.create_schedule(&who2, &body2).unwrap();
    w2.tick_at(utc("2026-11-27T12:00:00Z"));
    assert!(w2.mails()[0].attachment.is_none());

    // The same with a 1 KB limit: a link instead.
    let w = world_with(Settings {
        max_attachment_bytes: 1024,
        ..Settings::default()
    });
    let who = w.therapist_of(0);
    let mut body = daily(w.patient(0).id, "12:00", "UTC");
    body["delivery"] = json!("email_attachment");
    w.create_schedule(&who, &body).unwrap();
    w.tick_at(utc("2026-11-27T12:00:00Z"));
    let mail = &w.mails()[0];
    assert!(mail.attachment.is_none());
    assert!(mail.text.contains("larger than email allows"));
    assert!(
        w.events(AuditAction::Emailed)[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("email_link")
    );
}

#[test]
fn the_recipient_is_the_therapists_registered_address() {
    let w = world();
    let who = w.therapist_of(0);
    w.create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let therapist: Uuid = who.user_id.parse().unwrap();
    w.h.records.remove_therapist(therapist);
    let summary = w.tick_at(utc("2026-11-27T12:00:00Z"));
    assert_eq!(summary.failed, 1);
    assert!(w.mails().is_empty());
}

#[test]
fn a_revoked_assignment_fails_the_run_and_is_audited() {
    let w = world();
    let who = w.therapist_of(0);
    let s = w
        .create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let patient = w.patient(0).id;
    w.h.records
        .update_patient(patient, |r| r.patient.assigned_therapist_ids.clear());
    assert_eq!(w.tick_at(utc("2026-11-27T12:00:00Z")).failed, 1);
    assert!(w.scheduled_jobs().is_empty());
    let denied = w.events(AuditAction::Denied);
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].actor_id, format!("schedule:{}", s.schedule_id));
    let last = block_on(w.svc.get_schedule(&who, s.schedule_id))
        .unwrap()
        .last_run
        .unwrap();
    assert_eq!(last.error.as_deref(), Some("access_revoked"));
}

#[test]
fn progress_reports_cover_the_period_before_the_run_and_use_the_template() {
    let w = world();
    let who = w.therapist_of(0);
    let t = w
        .create_template(&who, &json!({"name": "Goals only", "export_type": "progress_report", "default_format": "csv", "include_sections": ["goals"]}))
        .unwrap();
    w.create_schedule(
        &who,
        &json!({"patient_id": w.patient(0).id, "template_id": t.template_id, "schedule_type": "monthly",
                "day_of_month": 1, "time_of_day": "06:00", "timezone": "Europe/London"}),
    )
    .unwrap();
    w.tick_every_quarter_hour(utc("2026-11-30T23:00:00Z"), utc("2026-12-01T07:00:00Z"));
    let jobs = w.scheduled_jobs();
    assert_eq!(jobs.len(), 1);
    let p = &jobs[0].params;
    assert_eq!(p.start_date, Some("2026-11-01".parse().unwrap()));
    assert_eq!(p.end_date, Some("2026-11-30".parse().unwrap()));
    assert_eq!(p.include_sections, Some(vec!["goals".to_string()]));
    assert_eq!(jobs[0].format, ExportFormat::Csv);
    assert!(
        w.mails()[0]
            .text
            .contains("covers 1 Nov 2026 to 30 Nov 2026")
    );
}

// ---------------------------------------------------------------------------------------------
// Runs across DST changes and month ends, ticking every 15 minutes.

/// Local times of the runs a schedule made between `from` and `to`.
fn run_times(w: &World, tz: Tz, from: &str, to: &str) -> Vec<String> {
    w.tick_every_quarter_hour(utc(from), utc(to));
    w.scheduled_jobs()
        .iter()
        .map(|j| {
            j.created_at
                .with_timezone(&tz)
                .format("%a %Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .collect()
}

#[test]
fn daily_in_new_york_runs_at_nine_local_across_dst_start_and_end() {
    for (from, to, expect) in [
        (
            "2026-03-06T12:00:00Z",
            "2026-03-09T23:00:00Z",
            [
                "Fri 2026-03-06 09:00 EST",
                "Sat 2026-03-07 09:00 EST",
                "Sun 2026-03-08 09:00 EDT",
                "Mon 2026-03-09 09:00 EDT",
            ],
        ),
        (
            "2026-10-30T12:00:00Z",
            "2026-11-02T23:00:00Z",
            [
                "Fri 2026-10-30 09:00 EDT",
                "Sat 2026-10-31 09:00 EDT",
                "Sun 2026-11-01 09:00 EST",
                "Mon 2026-11-02 09:00 EST",
            ],
        ),
    ] {
        let w = world();
        w.h.clock.set(utc(from));
        let who = w.therapist_of(0);
        w.create_schedule(&who, &daily(w.patient(0).id, "09:00", "America/New_York"))
            .unwrap();
        assert_eq!(
            run_times(&w, chrono_tz::America::New_York, from, to),
            expect
        );
        assert_eq!(w.mails().len(), 4);
    }
}

#[test]
fn a_run_time_inside_the_dst_gap_runs_once_that_day() {
    let w = world();
    let from = "2026-03-07T12:00:00Z";
    w.h.clock.set(utc(from));
    let who = w.therapist_of(0);
    // 02:30 does not exist in New York on 8 March 2026.
    w.create_schedule(&who, &daily(w.patient(0).id, "02:30", "America/New_York"))
        .unwrap();
    let times = run_times(
        &w,
        chrono_tz::America::New_York,
        from,
        "2026-03-09T12:00:00Z",
    );
    assert_eq!(
        times,
        ["Sun 2026-03-08 03:30 EDT", "Mon 2026-03-09 02:30 EDT"]
    );
}

#[test]
fn weekly_in_london_keeps_its_local_time_across_both_changes() {
    for (from, to, expect) in [
        (
            "2026-03-20T00:00:00Z",
            "2026-04-07T00:00:00Z",
            [
                "Mon 2026-03-23 08:00 GMT",
                "Mon 2026-03-30 08:00 BST",
                "Mon 2026-04-06 08:00 BST",
            ],
        ),
        (
            "2026-10-16T00:00:00Z",
            "2026-11-03T00:00:00Z",
            [
                "Mon 2026-10-19 08:00 BST",
                "Mon 2026-10-26 08:00 GMT",
                "Mon 2026-11-02 08:00 GMT",
            ],
        ),
    ] {
        let w = world();
        w.h.clock.set(utc(from));
        let who = w.therapist_of(0);
        let mut body = daily(w.patient(0).id, "08:00", "Europe/London");
        body["schedule_type"] = json!("weekly");
        body["day_of_week"] = json!("monday");
        w.create_schedule(&who, &body).unwrap();
        assert_eq!(run_times(&w, chrono_tz::Europe::London, from, to), expect);
    }
}

#[test]
fn monthly_on_the_31st_runs_on_the_last_day_of_short_months() {
    let w = world();
    let from = "2026-01-15T00:00:00Z";
    w.h.clock.set(utc(from));
    let who = w.therapist_of(0);
    let mut body = daily(w.patient(0).id, "18:00", "America/New_York");
    body["schedule_type"] = json!("monthly");
    body["day_of_month"] = json!(31);
    w.create_schedule(&who, &body).unwrap();
    // Tick hourly to keep the test quick: runs are on the hour, so none is missed.
    let mut t = utc(from);
    while t <= utc("2026-05-02T00:00:00Z") {
        w.tick_at(t);
        t += Duration::hours(1);
    }
    let times: Vec<String> = w
        .scheduled_jobs()
        .iter()
        .map(|j| {
            j.created_at
                .with_timezone(&chrono_tz::America::New_York)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .collect();
    assert_eq!(
        times,
        [
            "2026-01-31 18:00",
            "2026-02-28 18:00",
            "2026-03-31 18:00",
            "2026-04-30 18:00"
        ]
    );
    assert!(
        w.scheduled_jobs()
            .iter()
            .all(|j| j.created_at.minute() == 0)
    );
}

#[test]
fn a_run_reports_why_it_did_not_end_in_an_email() {
    let w = world();
    let who = w.therapist_of(0);
    w.create_schedule(&who, &daily(w.patient(0).id, "12:00", "UTC"))
        .unwrap();
    let run_all = |at: &str| {
        w.h.clock.set(utc(at));
        block_on(w.svc.run_due_schedules()).expect("tick");
        w.h.runs
            .take()
            .iter()
            .map(|run| block_on(w.svc.execute_run_reported(run)).expect("run"))
            .map(|r| (r.outcome, r.code))
            .collect::<Vec<_>>()
    };
    w.h.mailer.set_failing(true);
    assert_eq!(
        run_all("2026-11-27T12:00:00Z"),
        [(RunOutcome::Retrying, Some("email_failed"))]
    );
    w.h.mailer.set_failing(false);
    assert_eq!(
        run_all("2026-11-27T12:15:00Z"),
        [(RunOutcome::Emailed, None)]
    );
    // The next period, after the therapist lost the patient: failed for good, by its code.
    w.h.records.update_patient(w.patient(0).id, |r| {
        r.patient.assigned_therapist_ids.clear()
    });
    assert_eq!(
        run_all("2026-11-28T12:00:00Z"),
        [(RunOutcome::Failed, Some("access_revoked"))]
    );
}
