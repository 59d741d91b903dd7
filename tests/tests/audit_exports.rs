//! Audit exports as files against the emulator: an admin's request → control table → jobs queue
//! → renderer → KMS-encrypted S3 → presigned URL, and the file is the synchronous export's CSV.

use chrono::SecondsFormat;
use exports_tests::api::{Api, As, http_get};
use exports_tests::sha256_hex;
use serde_json::json;

#[tokio::test]
async fn an_audit_export_file_is_the_synchronous_csv_of_its_range() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let admin = As::admin("admin-1");
    // Some activity to export: an export, rendered and downloaded, and a refusal.
    let r = api
        .export(
            "treatment-summary",
            json!({"patient_id": patient, "format": "json"}),
            &me,
        )
        .await;
    assert_eq!(r.status, 202);
    api.drain().await;
    let refused = api
        .export(
            "full-record",
            json!({"patient_id": uuid::Uuid::new_v4(), "format": "json"}),
            &me,
        )
        .await;
    assert_eq!(refused.status, 404);

    // A range that ended before either export is asked for, so both see the same events.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let to = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let from = to - chrono::Duration::days(1);
    let (from, to) = (
        from.to_rfc3339_opts(SecondsFormat::Micros, true),
        to.to_rfc3339_opts(SecondsFormat::Micros, true),
    );
    let sync = api
        .get(
            &format!("/api/v1/audit/logs/export?from={from}&to={to}"),
            &admin,
        )
        .await;
    assert_eq!(sync.status, 200);
    let sync_csv = String::from_utf8(sync.body).unwrap();
    assert!(sync_csv.lines().count() >= 3, "{sync_csv}");

    // Only admins may ask.
    let denied = api
        .send("POST", "/api/v1/audit/logs/exports", Some(json!({})), &me)
        .await;
    assert_eq!(denied.status, 403);

    let r = api
        .send(
            "POST",
            "/api/v1/audit/logs/exports",
            Some(json!({"from": from, "to": to})),
            &admin,
        )
        .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
    let accepted = r.json();
    let id = accepted["export_id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/audit/logs/exports/{id}");
    assert_eq!(r.header("location"), Some(path.as_str()));
    assert_eq!(accepted["status"], "pending");

    let pending = api.get(&path, &admin).await;
    assert_eq!(pending.status, 200);
    assert_eq!(pending.json()["status"], "pending");
    assert_eq!(pending.header("retry-after"), Some("2"));
    // Another admin's: not found.
    let other = api.get(&path, &As::admin("admin-2")).await;
    assert_eq!(other.status, 404);
    assert_eq!(other.error_code(), "audit_export_not_found");

    // The renderer takes it off the jobs queue.
    api.drain().await;
    let done = api.get(&path, &admin).await;
    assert_eq!(done.status, 200);
    assert_eq!(done.header("retry-after"), None);
    let done = done.json();
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["events"].as_u64(),
        Some(sync_csv.lines().count() as u64 - 1)
    );
    let file = &done["file"];
    let filename = file["filename"].as_str().unwrap();
    assert_eq!(
        filename,
        format!("audit-log_{}_{}.csv", &from[..10], &to[..10])
    );
    let (status, bytes) = http_get(done["download_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), sync_csv);
    assert_eq!(file["size_bytes"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(file["sha256"].as_str(), Some(sha256_hex(&bytes).as_str()));
    // Under the exports prefix the lifecycle rule expires.
    assert_eq!(
        api.objects_under("exports/audit/admin-1/").await,
        vec![format!("exports/audit/admin-1/{id}/{filename}")]
    );
}
