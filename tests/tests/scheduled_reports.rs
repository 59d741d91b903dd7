//! Templates and scheduled reports end to end on the emulator: the API handler, the scheduler
//! function's handler, DynamoDB, S3 and SES (moto), with the mail read back from moto and parsed
//! by Python's `email` package.

use chrono::{DateTime, Duration, Utc};
use exports_aws::config::ServiceConfig;
use exports_tests::api::{Api, As};
use exports_tests::readers;
use exports_tests::sent_mail::{endpoint, sent_raw_messages};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const APP: &str = "https://app.practice.example";

/// The deployment's configuration: mail links point at [`APP`].
fn config() -> ServiceConfig {
    ServiceConfig::from_lookup(|k| (k == "APP_BASE_URL").then(|| APP.to_string())).unwrap()
}

async fn start() -> Api {
    Api::start(config()).await
}

/// Creates a scheduled report as `who`, which must be accepted (201); the created view.
async fn create_schedule(api: &Api, who: &As, body: Value) -> Value {
    let created = api
        .send("POST", "/api/v1/export/scheduled", Some(body), who)
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    created.json()
}

/// Mails moto holds that mention this export (ids are unique across parallel tests).
async fn mails_about(job_id: Uuid) -> Vec<String> {
    sent_raw_messages(&endpoint())
        .await
        .into_iter()
        // The emulator holds every test's mail: a cheap look first (quoted-printable soft line
        // breaks may split the id), then the independent parser decides.
        .filter(|raw| {
            raw.replace("=\r\n", "")
                .replace("=\n", "")
                .contains(&job_id.to_string())
        })
        .filter(|raw| {
            readers::email(raw.as_bytes())
                .text
                .contains(&job_id.to_string())
        })
        .collect()
}

/// Runs the scheduler's tick as if the time were `at`, then the runs it queued (taken from the
/// scheduled-runs queue on the emulator, as the scheduled-run function takes them): the tick's
/// counts with the runs' outcomes.
async fn tick_at(api: &Api, at: DateTime<Utc>) -> Value {
    let service = api.later(at - Utc::now());
    let tick = exports_scheduler::handle(&service).await.expect("tick");
    let runs = api.drain_runs(service).await;
    let mut summary = serde_json::to_value(tick).unwrap();
    for (k, v) in serde_json::to_value(runs).unwrap().as_object().unwrap() {
        if k != "skipped" {
            summary[k] = v.clone();
        }
    }
    summary
}

/// The export the scheduled report `schedule` (as created) made on its last run: its id and the
/// job as `GET /api/v1/export/jobs/{id}` shows it to `who`.
async fn last_run_job(api: &Api, who: &As, schedule: &Value) -> (Uuid, Value) {
    let path = format!(
        "/api/v1/export/scheduled/{}",
        schedule["schedule_id"].as_str().unwrap()
    );
    let view = api.get(&path, who).await.json();
    let job_id: Uuid = view["last_run"]["job_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let job = api
        .get(&format!("/api/v1/export/jobs/{job_id}"), who)
        .await
        .json();
    (job_id, job)
}

fn rfc3339(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("a date-time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// Patient names, MRNs and diagnosis descriptions of the seeded practice.
fn phi(api: &Api) -> Vec<String> {
    let mut words = Vec::new();
    for r in &api.data.patients {
        words.push(r.patient.first_name.clone());
        words.push(r.patient.last_name.clone());
        words.push(r.patient.mrn.clone());
        for d in &r.diagnoses {
            words.push(d.description.clone());
        }
    }
    words
}

#[tokio::test]
async fn a_template_is_managed_over_http_and_shapes_the_pdf() {
    let api = start().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let body = json!({
        "name": "Brief summary",
        "export_type": "treatment_summary",
        "default_format": "pdf",
        "title": "Brief Treatment Summary",
        "header_text": "Riverside Counselling Group",
        "footer_text": "For the referring physician",
        "page_size": "a4",
        "body": "# {{ doc.title }}\n\nPrepared for record {{ report.patient.mrn }}.\n\n{% if report.content.diagnoses %}## Diagnoses\n\n{{ <diagnoses list={report.content.diagnoses} /> }}\n{% endif %}"
    });
    let created = api
        .send("POST", "/api/v1/export/templates", Some(body.clone()), &me)
        .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let t = created.json();
    let id = t["template_id"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/export/templates/{id}").as_str())
    );
    assert_eq!(t["built_in"], false);
    assert_eq!(t["page_size"], "a4");

    let list = api
        .get("/api/v1/export/templates?limit=3", &me)
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let cursor = list["next_cursor"]
        .as_str()
        .expect("more pages")
        .to_string();
    let rest = api
        .get(
            &format!("/api/v1/export/templates?limit=3&cursor={cursor}"),
            &me,
        )
        .await
        .json();
    let names: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Standard full record", "Brief summary"]);
    let mine = &rest["items"][1];
    assert_eq!(
        (mine["has_body"].as_bool(), mine["body"].is_null()),
        (Some(true), true)
    );
    let one = api
        .get(&format!("/api/v1/export/templates/{id}"), &me)
        .await
        .json();
    assert_eq!(one["body"], body["body"], "GET by id returns the body");
    assert!(rest["next_cursor"].is_null());

    // Another therapist cannot see it.
    let stranger = As::therapist(api.unassigned_therapist(0));
    let r = api
        .get(&format!("/api/v1/export/templates/{id}"), &stranger)
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "template_not_found")
    );

    // An export with the template: its format, title, header, footer, page size and body.
    let accepted = api
        .export(
            "treatment-summary",
            json!({"patient_id": patient, "template_id": id}),
            &me,
        )
        .await;
    assert_eq!(
        accepted.status,
        202,
        "{}",
        String::from_utf8_lossy(&accepted.body)
    );
    let job_id = accepted.json()["job_id"].as_str().unwrap().to_string();
    assert_eq!(accepted.json()["format"], "pdf");
    assert!(accepted.json()["schedule_id"].is_null());
    api.drain().await;
    let download = api
        .get(&format!("/api/v1/export/download/{job_id}"), &me)
        .await
        .json();
    let (status, bytes) =
        exports_tests::api::http_get(download["download_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (_, text) = readers::pdf(&bytes);
    let mrn = &api.data.patients[0].patient.mrn;
    for expected in [
        "Brief Treatment Summary",
        "Riverside Counselling Group",
        "For the referring physician",
        &format!("Prepared for record {mrn}."),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let info = readers::pdf_info(&bytes);
    assert!(info.contains("(A4)"), "A4 pages: {info}");

    // Replace, then delete.
    let mut changed = body.clone();
    changed["name"] = json!("Brief summary v2");
    let r = api
        .send(
            "PUT",
            &format!("/api/v1/export/templates/{id}"),
            Some(changed),
            &me,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["name"].as_str()),
        (200, Some("Brief summary v2"))
    );
    let r = api
        .send(
            "DELETE",
            &format!("/api/v1/export/templates/{id}"),
            None,
            &me,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .get(&format!("/api/v1/export/templates/{id}"), &me)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn invalid_template_bodies_are_refused_with_their_line_and_column() {
    let api = start().await;
    let (_, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let post = |body: &str| json!({"name": "Broken", "export_type": "progress_report", "default_format": "pdf", "body": body});
    // A malformed expression on line 3.
    let r = api
        .send(
            "POST",
            "/api/v1/export/templates",
            Some(post(
                "# {{ doc.title }}\n\nMRN {{ report.patient.mrn + }}\nText\n",
            )),
            &me,
        )
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (422, "invalid_template"),
        "{}",
        r.json()
    );
    let e = &r.json()["error"];
    assert_eq!(
        (e["field"].as_str(), e["line"].as_u64()),
        (Some("body"), Some(3)),
        "{e}"
    );
    // An unknown filter on line 2: the column points at the filter's name.
    let r = api
        .send(
            "POST",
            "/api/v1/export/templates",
            Some(post("# Title\nPatient: {{ report.patient.mrn | shout }}\n")),
            &me,
        )
        .await;
    let e = &r.json()["error"];
    assert_eq!(r.status, 422);
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(2), Some(34)),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("shout"), "{e}");
    // Markup the body writes wrong (a 3-cell row in a 2-column table, found after tera ran):
    // the body line that wrote it.
    let r = api
        .send(
            "POST",
            "/api/v1/export/templates",
            Some(post(
                "# Title\n\n::table A:1, B:1\n{{ report.patient.mrn }} | one | two\n::end\n",
            )),
            &me,
        )
        .await;
    let e = &r.json()["error"];
    assert_eq!(
        (r.status, e["line"].as_u64(), e["column"].as_u64()),
        (422, Some(4), Some(1)),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("3 cells"), "{e}");
    // Too big.
    let r = api
        .send(
            "POST",
            "/api/v1/export/templates",
            Some(post(&"a".repeat(65_537))),
            &me,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["field"].as_str()),
        (422, Some("body"))
    );
    let list = api.get("/api/v1/export/templates", &me).await.json();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["built_in"] == true)
    );
}

#[tokio::test]
async fn a_scheduled_report_fires_once_and_mails_a_link_without_phi() {
    let api = start().await;
    let (patient, therapist) = api.patient(1);
    let me = As::therapist(therapist);
    let s = create_schedule(
        &api,
        &me,
        json!({
            "patient_id": patient, "export_type": "progress_report", "format": "pdf",
            "schedule_type": "weekly", "day_of_week": "monday", "time_of_day": "08:00",
            "timezone": "America/New_York"
        }),
    )
    .await;
    let id = s["schedule_id"].as_str().unwrap().to_string();
    assert_eq!(s["delivery"], "email_link");
    let next = rfc3339(&s["next_run_at"]);
    // The same (therapist, template, patient) again: 409.
    let again = api
        .send(
            "POST",
            "/api/v1/export/scheduled",
            Some(json!({
            "patient_id": patient, "export_type": "progress_report", "format": "csv",
            "schedule_type": "daily", "time_of_day": "09:00", "timezone": "UTC"})),
            &me,
        )
        .await;
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (409, "schedule_exists")
    );

    // Not due a minute early; due at its time.
    assert_eq!(
        tick_at(&api, next - Duration::minutes(1)).await["emailed"],
        0
    );
    let summary = tick_at(&api, next).await;
    assert_eq!(summary["emailed"], 1, "{summary}");

    let view = api
        .get(&format!("/api/v1/export/scheduled/{id}"), &me)
        .await
        .json();
    assert_eq!(view["last_run"]["status"], "emailed", "{view}");
    assert_eq!(rfc3339(&view["next_run_at"]), next + Duration::days(7));
    let job_id: Uuid = view["last_run"]["job_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let job = api
        .get(&format!("/api/v1/export/jobs/{job_id}"), &me)
        .await
        .json();
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["format"], "pdf");
    assert_eq!(
        job["schedule_id"].as_str(),
        Some(id.as_str()),
        "the job names its schedule"
    );

    let raw = mails_about(job_id).await;
    assert_eq!(raw.len(), 1, "one email");
    let mail = readers::email(raw[0].as_bytes());
    let registered = &api
        .data
        .therapists
        .iter()
        .find(|t| t.id == therapist)
        .unwrap()
        .email;
    assert_eq!(&mail.to, registered);
    assert_eq!(
        mail.subject,
        "Your scheduled weekly progress report is ready"
    );
    assert!(mail.attachments.is_empty());
    assert!(mail.structure.contains(&"text/plain".to_string()));
    assert!(mail.structure.contains(&"text/html".to_string()));
    let link = format!("{APP}/exports/{job_id}");
    assert!(mail.text.contains(&link), "{}", mail.text);
    assert!(mail.html.contains(&link), "{}", mail.html);
    for word in phi(&api) {
        for part in [&mail.subject, &mail.text, &mail.html] {
            assert!(!part.contains(&word), "PHI in the email: {word}");
        }
    }

    // The same tick again does nothing more.
    assert_eq!(tick_at(&api, next).await["due"], 0);
    assert_eq!(mails_about(job_id).await.len(), 1);

    // Paused: never due; deleted: gone.
    let paused = api
        .send(
            "PATCH",
            &format!("/api/v1/export/scheduled/{id}"),
            Some(json!({"active": false})),
            &me,
        )
        .await;
    assert_eq!(
        (paused.status, paused.json()["next_run_at"].is_null()),
        (200, true)
    );
    assert_eq!(tick_at(&api, next + Duration::days(7)).await["due"], 0);
    let r = api
        .send(
            "DELETE",
            &format!("/api/v1/export/scheduled/{id}"),
            None,
            &me,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .get(&format!("/api/v1/export/scheduled/{id}"), &me)
        .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (404, "schedule_not_found")
    );

    // The patient's audit trail tells the whole story, read back as an auditor would.
    let audit = api
        .get(
            // The runs happened on the scheduler's shifted clock, up to a week ahead.
            &format!(
                "/api/v1/audit/logs/export?patient_id={patient}&to={}",
                (next + Duration::days(8)).date_naive()
            ),
            &As::admin("auditor-1"),
        )
        .await;
    assert_eq!(audit.status, 200);
    let trail: Vec<(String, String, String, String)> =
        csv::Reader::from_reader(audit.body.as_slice())
            .records()
            .map(|r| {
                let r = r.unwrap();
                (
                    r[2].to_string(),
                    r[3].to_string(),
                    r[5].to_string(),
                    r[11].to_string(),
                )
            })
            .collect();
    let me_id = therapist.to_string();
    let run_actor = format!("schedule:{id}");
    let job = job_id.to_string();
    // Oldest first: the runs happened on the scheduler's clock, after the pause and delete.
    assert_eq!(
        trail,
        [
            (
                "schedule_created".into(),
                me_id.clone(),
                String::new(),
                format!("schedule {id}: created, weekly email_link")
            ),
            (
                "schedule_changed".into(),
                me_id.clone(),
                String::new(),
                format!("schedule {id}: paused")
            ),
            (
                "schedule_deleted".into(),
                me_id,
                String::new(),
                format!("schedule {id}: deleted")
            ),
            (
                "created".into(),
                run_actor.clone(),
                job.clone(),
                format!("scheduled report for therapist {therapist}")
            ),
            ("emailed".into(), run_actor, job, "email_link".into()),
        ]
    );
}

#[tokio::test]
async fn attachment_mode_mails_the_pdf_itself() {
    let api = start().await;
    let (patient, therapist) = api.patient(2);
    let me = As::therapist(therapist);
    let s = create_schedule(
        &api,
        &me,
        json!({
            "patient_id": patient, "template_id": "00000000-0000-4000-8000-000000000004",
            "schedule_type": "monthly", "day_of_month": 31, "time_of_day": "18:00",
            "timezone": "Europe/London", "delivery": "email_attachment"
        }),
    )
    .await;
    assert_eq!(
        (s["export_type"].as_str(), s["format"].as_str()),
        (Some("full_record"), Some("pdf"))
    );
    let next = rfc3339(&s["next_run_at"]);
    assert_eq!(
        tick_at(&api, next + Duration::minutes(3)).await["emailed"],
        1
    );

    let (job_id, job) = last_run_job(&api, &me, &s).await;
    let raw = mails_about(job_id).await;
    assert_eq!(raw.len(), 1);
    let mail = readers::email(raw[0].as_bytes());
    assert_eq!(mail.subject, "Your scheduled monthly full record is ready");
    assert_eq!(mail.attachments.len(), 1);
    let (name, content_type, bytes) = &mail.attachments[0];
    assert!(
        name.starts_with("full_record_") && name.ends_with(".pdf"),
        "{name}"
    );
    assert!(!name.contains(&api.data.patients[2].patient.mrn));
    assert_eq!(content_type, "application/pdf");
    assert_eq!(
        job["file"]["sha256"].as_str().unwrap(),
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let (pages, text) = readers::pdf(bytes);
    assert!(pages >= 1);
    assert!(text.contains(&api.data.patients[2].patient.mrn));
}

#[tokio::test]
async fn a_pdf_with_characters_no_font_draws_is_mailed_with_a_note_saying_so() {
    let mut data = Api::practice();
    // Egyptian hieroglyphs: no embedded font has them. Pronouns print once, in the full
    // record's demographics.
    data.patients[3].patient.pronouns = Some("they/𓀀𓀁".into());
    let api = Api::start_with(config(), data).await;
    let (patient, therapist) = api.patient(3);
    let me = As::therapist(therapist);
    let s = create_schedule(
        &api,
        &me,
        json!({
            "patient_id": patient, "export_type": "full_record", "format": "pdf",
            "schedule_type": "daily", "time_of_day": "07:30", "timezone": "UTC",
            "delivery": "email_attachment"
        }),
    )
    .await;
    let next = rfc3339(&s["next_run_at"]);
    assert_eq!(
        tick_at(&api, next + Duration::minutes(1)).await["emailed"],
        1
    );

    let (job_id, job) = last_run_job(&api, &me, &s).await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(
        job["warnings"][0]["code"], "unsupported_characters",
        "{job}"
    );
    assert_eq!(job["warnings"][0]["count"], 2, "{job}");

    let raw = mails_about(job_id).await;
    assert_eq!(raw.len(), 1);
    let mail = readers::email(raw[0].as_bytes());
    assert!(
        mail.text
            .contains("Note: 2 characters could not be drawn with the document's fonts"),
        "{}",
        mail.text
    );
    // What the note is about, in the attached file itself.
    let (_, bytes) = mail
        .attachments
        .iter()
        .map(|(name, _, bytes)| (name, bytes))
        .next()
        .expect("the PDF attached");
    let (_, text) = readers::pdf(bytes);
    assert!(text.contains("they/\u{FFFD}\u{FFFD}"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_scheduler_invocations_send_a_period_once() {
    let api = start().await;
    let (patient, therapist) = api.patient(3);
    let me = As::therapist(therapist);
    let s = create_schedule(
        &api,
        &me,
        json!({
            "patient_id": patient, "export_type": "treatment_summary", "format": "json",
            "schedule_type": "daily", "time_of_day": "07:00", "timezone": "Europe/London"
        }),
    )
    .await;
    let next = rfc3339(&s["next_run_at"]);
    // Two invocations at once (EventBridge retries and overlapping ticks look like this).
    let (a, b) = tokio::join!(tick_at(&api, next), tick_at(&api, next));
    let emailed = a["emailed"].as_u64().unwrap() + b["emailed"].as_u64().unwrap();
    assert_eq!(emailed, 1, "{a} {b}");
    let (job_id, _) = last_run_job(&api, &me, &s).await;
    assert_eq!(mails_about(job_id).await.len(), 1);
    let jobs = api.get("/api/v1/export/jobs", &me).await.json();
    assert_eq!(jobs["items"].as_array().unwrap().len(), 1, "one export");
}
