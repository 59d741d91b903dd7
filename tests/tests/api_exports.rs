//! Export jobs end to end against the emulator: API → DynamoDB job → SQS → renderer →
//! KMS-encrypted S3 → presigned URL, with access control, audit, idempotency and rate limits.

use exports_aws::config::ServiceConfig;
use exports_tests::api::{Api, As, http_get};
use exports_tests::sha256_hex;
use serde_json::{Value, json};

fn export_schema() -> jsonschema::Validator {
    let path = format!(
        "{}/../docs/export.schema.json",
        std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test")
    );
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).expect("valid schema")
}

fn body(kind: &str, patient: uuid::Uuid, format: &str, api: &Api, index: usize) -> Value {
    let sessions = &api.data.patients[index].sessions;
    let mut b = json!({"patient_id": patient, "format": format});
    match kind {
        "session-notes" => {
            b["session_ids"] = json!([sessions[0].session.id, sessions[1].session.id])
        }
        "progress-report" => {
            b["start_date"] = json!(sessions[0].session.start_time.date_naive());
            b["end_date"] = json!(sessions.last().unwrap().session.start_time.date_naive());
        }
        "full-record" => b["include_psychotherapy_notes"] = json!(true),
        _ => {}
    }
    b
}

#[tokio::test]
async fn every_type_in_json_and_csv_flows_to_an_encrypted_file_and_a_presigned_url() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let schema = export_schema();
    for kind in [
        "session-notes",
        "progress-report",
        "treatment-summary",
        "full-record",
    ] {
        for format in ["json", "csv"] {
            let r = api
                .export(kind, body(kind, patient, format, &api, 0), &me)
                .await;
            assert_eq!(
                r.status,
                202,
                "{kind} {format}: {}",
                String::from_utf8_lossy(&r.body)
            );
            let job = r.json();
            let job_id = job["job_id"].as_str().unwrap().to_string();
            assert_eq!(
                r.header("location"),
                Some(format!("/api/v1/export/jobs/{job_id}").as_str())
            );
            assert_eq!(job["status"], "pending");
            assert_eq!(job["export_type"], kind.replace('-', "_"));

            let pending = api
                .call(
                    "GET",
                    &format!("/api/v1/export/jobs/{job_id}"),
                    None,
                    Some(&me),
                    &[],
                )
                .await;
            assert_eq!(pending.status, 200);
            assert!(
                pending.header("retry-after").is_some(),
                "Retry-After while pending"
            );

            api.drain().await;
            let done = api
                .call(
                    "GET",
                    &format!("/api/v1/export/jobs/{job_id}"),
                    None,
                    Some(&me),
                    &[],
                )
                .await
                .json();
            assert_eq!(done["status"], "completed", "{kind} {format}: {done}");
            for field in ["started_at", "completed_at", "expires_at"] {
                assert!(done[field].is_string(), "{field} in {done}");
            }

            let dl = api
                .call(
                    "GET",
                    &format!("/api/v1/export/download/{job_id}"),
                    None,
                    Some(&me),
                    &[],
                )
                .await;
            assert_eq!(dl.status, 200);
            let dl = dl.json();
            let url = dl["download_url"].as_str().unwrap();
            assert!(url.contains("X-Amz-Expires=300"), "{url}");
            let filename = dl["filename"].as_str().unwrap();
            let mrn = &api.data.patients[0].patient.mrn;
            assert_eq!(
                filename,
                format!(
                    "{}_{mrn}_{}.{format}",
                    kind.replace('-', "_"),
                    &done["created_at"].as_str().unwrap()[..10]
                )
            );
            let (status, bytes) = http_get(url).await;
            assert_eq!(status, 200);
            assert_eq!(dl["size_bytes"].as_u64(), Some(bytes.len() as u64));
            assert_eq!(dl["sha256"].as_str(), Some(sha256_hex(&bytes).as_str()));

            let key = format!("exports/{therapist}/{job_id}/{filename}");
            let head = api
                .env
                .clients
                .s3
                .head_object()
                .bucket(&api.env.names.exports_bucket)
                .key(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(
                head.server_side_encryption().map(|s| s.as_str()),
                Some("aws:kms")
            );
            // S3 reports the key as given or as its ARN; either must be the configured key.
            let reported = head.ssekms_key_id().expect("a KMS key id");
            let key_meta = api
                .env
                .kms
                .describe_key()
                .key_id(reported)
                .send()
                .await
                .unwrap();
            assert_eq!(
                key_meta.key_metadata.unwrap().arn.as_deref(),
                Some(api.env.provisioned.kms_key_arn.as_str())
            );
            assert_eq!(
                head.content_disposition(),
                Some(format!("attachment; filename=\"{filename}\"").as_str())
            );

            if format == "json" {
                let doc: Value = serde_json::from_slice(&bytes).unwrap();
                let errors: Vec<String> = schema
                    .iter_errors(&doc)
                    .take(5)
                    .map(|e| format!("{e} at {}", e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{kind}: {errors:?}");
                assert_eq!(doc["export_type"], kind.replace('-', "_"));
            } else {
                let text = String::from_utf8(bytes).unwrap();
                let mut reader = csv::ReaderBuilder::new()
                    .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
                let rows: Vec<csv::StringRecord> = reader
                    .records()
                    .collect::<Result<_, _>>()
                    .expect("RFC 4180");
                assert!(!rows.is_empty(), "{kind} csv has rows");
            }
        }
    }
    let name = &api.data.patients[0].patient.last_name;
    for key in api.objects_under("exports/").await {
        assert!(
            !key.contains(name.as_str()),
            "object key {key} names the patient"
        );
    }
}

#[tokio::test]
async fn hostile_note_text_is_literal_in_json_and_neutralised_in_csv() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let first = api.data.patients[0].sessions[0].session.id;
    for format in ["json", "csv"] {
        let r = api
            .export(
                "session-notes",
                json!({"patient_id": patient, "format": format, "session_ids": [first]}),
                &me,
            )
            .await;
        assert_eq!(r.status, 202);
    }
    api.drain().await;
    let list = api
        .call("GET", "/api/v1/export/jobs", None, Some(&me), &[])
        .await
        .json();
    for job in list["items"].as_array().unwrap() {
        let dl = api
            .call(
                "GET",
                &format!(
                    "/api/v1/export/download/{}",
                    job["job_id"].as_str().unwrap()
                ),
                None,
                Some(&me),
                &[],
            )
            .await
            .json();
        let (_, bytes) = http_get(dl["download_url"].as_str().unwrap()).await;
        let text = String::from_utf8(bytes).unwrap();
        if job["format"] == "json" {
            let doc: Value = serde_json::from_str(&text).unwrap();
            let flat = doc.to_string();
            assert!(flat.contains("<script>alert(1)</script>"));
            assert!(flat.contains("=HYPERLINK(\\\"http://x\\\",\\\"y\\\")"));
        } else {
            let mut reader = csv::ReaderBuilder::new()
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            let cells: Vec<String> = reader
                .records()
                .flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
                .collect();
            assert!(
                cells.iter().any(|c| c.starts_with("'=HYPERLINK(")),
                "neutralised formula"
            );
            assert!(
                !cells
                    .iter()
                    .any(|c| c.starts_with('=') || c.starts_with('+') || c.starts_with('@')),
                "no live formula"
            );
        }
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_renders_nothing() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let cases = [
        (
            "progress-report",
            json!({"patient_id": patient, "format": "csv", "start_date": "2026-05-01", "end_date": "2026-04-01"}),
            "end_date",
        ),
        (
            "full-record",
            json!({"patient_id": patient, "format": "csv", "colour": "red"}),
            "colour",
        ),
        (
            "treatment-summary",
            json!({"patient_id": patient, "format": "csv", "include_sections": ["gossip"]}),
            "include_sections[0]",
        ),
        (
            "session-notes",
            json!({"patient_id": "not-a-uuid", "format": "csv"}),
            "patient_id",
        ),
        (
            "session-notes",
            json!({"patient_id": patient, "format": "xlsx"}),
            "format",
        ),
    ];
    for (kind, b, field) in cases {
        let r = api.export(kind, b, &me).await;
        assert_eq!(r.status, 422, "{kind}");
        assert_eq!(
            r.json()["error"]["field"],
            field,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.error_code(), "validation_failed");
    }
    let r = api
        .call_with(
            &api.service,
            "POST",
            "/api/v1/export/full-record",
            Some(b"{nope".to_vec()),
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "invalid_json");
    assert_eq!(
        api.call("GET", "/api/v1/nothing", None, Some(&me), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        api.call("PUT", "/api/v1/export/jobs", None, Some(&me), &[])
            .await
            .status,
        405
    );
    assert!(
        api.objects_under("").await.is_empty(),
        "nothing was rendered"
    );
}

#[tokio::test]
async fn two_therapists_and_an_admin_never_cross_and_every_denial_is_audited() {
    let api = Api::default().await;
    let (patient, mine) = api.patient(0);
    let other = api.unassigned_therapist(0);
    let me = As::therapist(mine);
    let stranger = As::therapist(other);
    let admin = As::admin("admin-1");

    let r = api
        .export(
            "treatment-summary",
            json!({"patient_id": patient, "format": "json"}),
            &me,
        )
        .await;
    let job_id = r.json()["job_id"].as_str().unwrap().to_string();
    api.drain().await;

    // No claims: 401 everywhere.
    assert_eq!(
        api.call("GET", "/api/v1/export/jobs", None, None, &[])
            .await
            .status,
        401
    );
    assert_eq!(
        api.call("GET", "/api/v1/audit/logs/export", None, None, &[])
            .await
            .status,
        401
    );

    // Another therapist's patient and an unknown patient look the same.
    let theirs = api
        .export(
            "full-record",
            json!({"patient_id": patient, "format": "json"}),
            &stranger,
        )
        .await;
    let unknown = api
        .export(
            "full-record",
            json!({"patient_id": uuid::Uuid::new_v4(), "format": "json"}),
            &stranger,
        )
        .await;
    assert_eq!((theirs.status, unknown.status), (404, 404));
    assert_eq!(theirs.json(), unknown.json());

    // Another user's job: 404 on every job endpoint, and not in their list.
    for (method, path) in [
        ("GET", format!("/api/v1/export/jobs/{job_id}")),
        ("GET", format!("/api/v1/export/download/{job_id}")),
        ("DELETE", format!("/api/v1/export/jobs/{job_id}")),
    ] {
        let r = api.call(method, &path, None, Some(&stranger), &[]).await;
        assert_eq!(r.status, 404, "{method} {path}");
        assert_eq!(r.error_code(), "job_not_found");
    }
    let list = api
        .call("GET", "/api/v1/export/jobs", None, Some(&stranger), &[])
        .await
        .json();
    assert_eq!(list["items"], json!([]));

    // The admin cannot export, and therapists cannot read the audit log.
    assert_eq!(
        api.export(
            "full-record",
            json!({"patient_id": patient, "format": "json"}),
            &admin
        )
        .await
        .status,
        403
    );
    assert_eq!(
        api.call("GET", "/api/v1/audit/logs/export", None, Some(&me), &[])
            .await
            .status,
        403
    );

    // The job is intact for its owner.
    let dl = api
        .call(
            "GET",
            &format!("/api/v1/export/download/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(dl.status, 200);

    let audit = api
        .call(
            "GET",
            &format!("/api/v1/audit/logs/export?patient_id={patient}"),
            None,
            Some(&admin),
            &[],
        )
        .await;
    assert_eq!(audit.status, 200);
    assert_eq!(
        audit.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let mut reader = csv::Reader::from_reader(audit.body.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        exports_formats::AUDIT_CSV_COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let actions = |actor: &str, action: &str| {
        rows.iter()
            .filter(|r| &r[3] == actor && &r[2] == action)
            .count()
    };
    assert_eq!(actions(&mine.to_string(), "created"), 1);
    assert_eq!(actions(&mine.to_string(), "downloaded"), 1);
    assert_eq!(
        actions(&other.to_string(), "denied"),
        1,
        "the patient-level denial (the unknown patient is another patient)"
    );
    let admin_denials = api
        .call(
            "GET",
            "/api/v1/audit/logs/export?actor_id=admin-1",
            None,
            Some(&admin),
            &[],
        )
        .await;
    let admin_denials = String::from_utf8(admin_denials.body).unwrap();
    assert_eq!(
        admin_denials.matches(",denied,admin-1,admin,").count(),
        1,
        "{admin_denials}"
    );
    assert!(admin_denials.contains("missing role therapist"));
    assert!(
        rows.iter()
            .all(|r| &r[9] == "203.0.113.7" && &r[10] == "tests/1.0"),
        "source IP and user agent recorded"
    );

    // Job-level denials carry the job id; query them by actor.
    let by_actor = api
        .call(
            "GET",
            &format!("/api/v1/audit/logs/export?actor_id={other}"),
            None,
            Some(&admin),
            &[],
        )
        .await;
    let text = String::from_utf8(by_actor.body).unwrap();
    assert_eq!(
        text.matches(&job_id).count(),
        3,
        "three job denials:\n{text}"
    );
    assert_eq!(text.matches(",denied,").count(), 5, "{text}");
}

#[tokio::test]
async fn idempotency_keys_replay_the_same_job_and_refuse_a_different_body() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(1);
    let me = As::therapist(therapist);
    let b = json!({"patient_id": patient, "format": "csv"});
    let key = [("Idempotency-Key", "abc-123")];
    let first = api
        .call(
            "POST",
            "/api/v1/export/treatment-summary",
            Some(b.clone()),
            Some(&me),
            &key,
        )
        .await;
    let again = api
        .call(
            "POST",
            "/api/v1/export/treatment-summary",
            Some(b.clone()),
            Some(&me),
            &key,
        )
        .await;
    assert_eq!((first.status, again.status), (202, 202));
    assert_eq!(first.json()["job_id"], again.json()["job_id"]);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = api
        .call(
            "POST",
            "/api/v1/export/treatment-summary",
            Some(json!({"patient_id": patient, "format": "json"})),
            Some(&me),
            &key,
        )
        .await;
    assert_eq!(other.status, 409);
    assert_eq!(other.error_code(), "idempotency_key_reused");
    let list = api
        .call("GET", "/api/v1/export/jobs", None, Some(&me), &[])
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_twenty_first_export_in_an_hour_is_refused_but_replays_do_not_count() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(2);
    let me = As::therapist(therapist);
    let b = json!({"patient_id": patient, "format": "json"});
    for i in 0..20 {
        let key = format!("k{i}");
        let r = api
            .call(
                "POST",
                "/api/v1/export/treatment-summary",
                Some(b.clone()),
                Some(&me),
                &[("Idempotency-Key", &key)],
            )
            .await;
        assert_eq!(r.status, 202, "request {i}");
        let replay = api
            .call(
                "POST",
                "/api/v1/export/treatment-summary",
                Some(b.clone()),
                Some(&me),
                &[("Idempotency-Key", &key)],
            )
            .await;
        assert_eq!(replay.status, 202, "replay {i}");
    }
    let r = api.export("treatment-summary", b, &me).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.error_code(), "rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    let audit = api
        .call(
            "GET",
            &format!("/api/v1/audit/logs/export?actor_id={therapist}"),
            None,
            Some(&As::admin("a")),
            &[],
        )
        .await;
    assert_eq!(
        String::from_utf8(audit.body)
            .unwrap()
            .matches(",rate_limited,")
            .count(),
        1
    );
}

#[tokio::test]
async fn listing_is_newest_first_paged_filtered_and_only_the_callers() {
    let api = Api::default().await;
    let (p0, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let mut ids = Vec::new();
    for kind in [
        "treatment-summary",
        "full-record",
        "treatment-summary",
        "full-record",
        "treatment-summary",
    ] {
        let r = api
            .export(kind, json!({"patient_id": p0, "format": "json"}), &me)
            .await;
        ids.push(r.json()["job_id"].as_str().unwrap().to_string());
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/export/jobs?limit=2&cursor={c}"),
            None => "/api/v1/export/jobs?limit=2".to_string(),
        };
        let page = api.call("GET", &path, None, Some(&me), &[]).await.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|j| j["job_id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "newest first, every job once");

    api.drain().await;
    let done = api
        .call(
            "GET",
            "/api/v1/export/jobs?status=completed",
            None,
            Some(&me),
            &[],
        )
        .await
        .json();
    assert_eq!(done["items"].as_array().unwrap().len(), 5);
    let none = api
        .call(
            "GET",
            "/api/v1/export/jobs?status=failed",
            None,
            Some(&me),
            &[],
        )
        .await
        .json();
    assert_eq!(none["items"], json!([]));
    let other_patient = api
        .call(
            "GET",
            &format!("/api/v1/export/jobs?patient_id={}", uuid::Uuid::new_v4()),
            None,
            Some(&me),
            &[],
        )
        .await
        .json();
    assert_eq!(other_patient["items"], json!([]));
    let bad = api
        .call(
            "GET",
            "/api/v1/export/jobs?limit=1000",
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["error"]["field"].as_str()),
        (422, Some("limit"))
    );
    let bad = api
        .call(
            "GET",
            "/api/v1/export/jobs?cursor=zzz",
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn deleting_removes_the_file_keeps_the_job_and_downloads_answer_410() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let job_id = api
        .export(
            "full-record",
            json!({"patient_id": patient, "format": "csv"}),
            &me,
        )
        .await
        .json()["job_id"]
        .as_str()
        .unwrap()
        .to_string();

    let early = api
        .call(
            "GET",
            &format!("/api/v1/export/download/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(
        (early.status, early.error_code().as_str()),
        (409, "job_not_completed")
    );
    api.drain().await;
    assert_eq!(
        api.objects_under(&format!("exports/{therapist}/{job_id}/"))
            .await
            .len(),
        1
    );

    let redirect = api
        .call(
            "GET",
            &format!("/api/v1/export/download/{job_id}?redirect=true"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(redirect.status, 302);
    assert!(
        redirect
            .header("location")
            .unwrap()
            .contains("X-Amz-Signature=")
    );

    assert_eq!(
        api.call(
            "DELETE",
            &format!("/api/v1/export/jobs/{job_id}"),
            None,
            Some(&me),
            &[]
        )
        .await
        .status,
        204
    );
    assert!(
        api.objects_under(&format!("exports/{therapist}/{job_id}/"))
            .await
            .is_empty()
    );
    let job = api
        .call(
            "GET",
            &format!("/api/v1/export/jobs/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await
        .json();
    assert_eq!(job["status"], "deleted");
    assert!(job.get("file").is_none());
    let gone = api
        .call(
            "GET",
            &format!("/api/v1/export/download/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(
        (gone.status, gone.error_code().as_str()),
        (410, "export_deleted")
    );
    assert_eq!(
        api.call(
            "DELETE",
            &format!("/api/v1/export/jobs/{job_id}"),
            None,
            Some(&me),
            &[]
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn an_export_expires_seven_days_after_completion_to_the_second() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(3);
    let me = As::therapist(therapist);
    let job_id = api
        .export(
            "treatment-summary",
            json!({"patient_id": patient, "format": "json"}),
            &me,
        )
        .await
        .json()["job_id"]
        .as_str()
        .unwrap()
        .to_string();
    api.drain().await;
    let job = api
        .call(
            "GET",
            &format!("/api/v1/export/jobs/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await
        .json();
    let completed =
        chrono::DateTime::parse_from_rfc3339(job["completed_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(job["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - completed, chrono::Duration::days(7));

    let later = api.later(chrono::Duration::days(7) + chrono::Duration::seconds(5));
    let r = api
        .call_with(
            &later,
            "GET",
            &format!("/api/v1/export/download/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!((r.status, r.error_code().as_str()), (410, "export_expired"));
    let r = api
        .call_with(
            &later,
            "GET",
            &format!("/api/v1/export/jobs/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(r.json()["status"], "expired");

    // Just before expiry the URL is capped at the time left.
    let almost = api.later(chrono::Duration::days(7) - chrono::Duration::seconds(60));
    let r = api
        .call_with(
            &almost,
            "GET",
            &format!("/api/v1/export/download/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await;
    assert_eq!(r.status, 200);
    let url = r.json()["download_url"].as_str().unwrap().to_string();
    let expires_param: u64 = url
        .split("X-Amz-Expires=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        expires_param <= 60,
        "URL lifetime {expires_param} s outlives the export"
    );
}

#[tokio::test]
async fn the_download_url_lifetime_is_configurable() {
    let api = Api::start(
        ServiceConfig::from_lookup(|k| {
            (k == "DOWNLOAD_URL_TTL_SECONDS").then(|| "900".to_string())
        })
        .unwrap(),
    )
    .await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let job_id = api
        .export(
            "treatment-summary",
            json!({"patient_id": patient, "format": "csv"}),
            &me,
        )
        .await
        .json()["job_id"]
        .as_str()
        .unwrap()
        .to_string();
    api.drain().await;
    let dl = api
        .call(
            "GET",
            &format!("/api/v1/export/download/{job_id}"),
            None,
            Some(&me),
            &[],
        )
        .await
        .json();
    assert!(
        dl["download_url"]
            .as_str()
            .unwrap()
            .contains("X-Amz-Expires=900")
    );
}

#[tokio::test]
async fn psychotherapy_notes_only_on_request_and_only_the_requesters_own() {
    let api = Api::default().await;
    // A patient with psychotherapy notes.
    let (index, author) = api
        .data
        .patients
        .iter()
        .enumerate()
        .find_map(|(i, p)| {
            p.sessions
                .iter()
                .flat_map(|s| &s.notes)
                .find(|n| n.note_type == exports_core::records::NoteType::PsychotherapyNote)
                .map(|n| (i, n.author_id))
        })
        .expect("the demo practice has psychotherapy notes");
    let patient = api.data.patients[index].patient.id;
    let me = As::therapist(author);
    let count = |doc: &Value| doc.to_string().matches("\"psychotherapy_note\"").count();
    let mut docs = Vec::new();
    for flag in [false, true] {
        let job = api.export("full-record", json!({"patient_id": patient, "format": "json", "include_psychotherapy_notes": flag}), &me).await.json();
        api.drain().await;
        let dl = api
            .call(
                "GET",
                &format!(
                    "/api/v1/export/download/{}",
                    job["job_id"].as_str().unwrap()
                ),
                None,
                Some(&me),
                &[],
            )
            .await
            .json();
        let (_, bytes) = http_get(dl["download_url"].as_str().unwrap()).await;
        docs.push(serde_json::from_slice::<Value>(&bytes).unwrap());
    }
    let expected = api.data.patients[index]
        .sessions
        .iter()
        .flat_map(|s| &s.notes)
        .filter(|n| {
            n.note_type == exports_core::records::NoteType::PsychotherapyNote
                && n.author_id == author
        })
        .count();
    assert_eq!(count(&docs[0]), 0);
    assert_eq!(count(&docs[1]), expected);
}

#[tokio::test]
async fn pdf_and_docx_exports_of_every_type_read_back_through_independent_readers() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let p = &api.data.patients[0].patient;
    for kind in [
        "session-notes",
        "progress-report",
        "treatment-summary",
        "full-record",
    ] {
        for format in ["pdf", "docx"] {
            let r = api
                .export(kind, body(kind, patient, format, &api, 0), &me)
                .await;
            assert_eq!(
                r.status,
                202,
                "{kind} {format}: {}",
                String::from_utf8_lossy(&r.body)
            );
            let job_id = r.json()["job_id"].as_str().unwrap().to_string();
            api.drain().await;
            let dl = api
                .call(
                    "GET",
                    &format!("/api/v1/export/download/{job_id}"),
                    None,
                    Some(&me),
                    &[],
                )
                .await;
            assert_eq!(
                dl.status,
                200,
                "{kind} {format}: {}",
                String::from_utf8_lossy(&dl.body)
            );
            let dl = dl.json();
            let (_, bytes) = http_get(dl["download_url"].as_str().unwrap()).await;
            assert_eq!(dl["sha256"].as_str(), Some(sha256_hex(&bytes).as_str()));
            let text = if format == "pdf" {
                let (pages, text) = exports_tests::readers::pdf(&bytes);
                assert!(
                    text.contains(&format!("Page 1 of {pages}")),
                    "{kind}: page numbers"
                );
                text
            } else {
                let text = exports_tests::readers::docx(&bytes);
                assert!(
                    text.contains("[Heading 1]"),
                    "{kind}: real heading styles\n{text}"
                );
                assert!(
                    text.lines().any(|l| l.starts_with("HEADER: ")
                        && l.contains("CONFIDENTIAL - PROTECTED HEALTH INFORMATION")),
                    "{kind}: header\n{text}"
                );
                text
            };
            for wanted in [
                "CONFIDENTIAL - PROTECTED HEALTH INFORMATION",
                &p.mrn,
                &p.first_name,
                "Exported by",
            ] {
                assert!(text.contains(wanted), "{kind} {format} lacks {wanted:?}");
            }
        }
    }
}
