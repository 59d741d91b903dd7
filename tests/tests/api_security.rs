//! Gaps found by probing the API as an attacker would, each closed and kept closed: group names
//! matched whole, idempotency keys that are not ASCII refused, dates outside the documented
//! format refused, and the token checked before any detail of the path.

use exports_tests::api::{Api, As};
use serde_json::json;

#[tokio::test]
async fn only_the_admin_group_itself_reads_the_audit_trail() {
    let api = Api::default().await;
    let path = "/api/v1/audit/logs/export";
    // Cognito group names may contain commas: each of these is one group that is not `admin`.
    for groups in [
        r#"["patient,admin"]"#,
        r#"["patient admin"]"#,
        "[patient,admin]",
        "patient,admin",
        "therapist,admin",
        "[Admin]",
    ] {
        let who = As {
            sub: "intruder-1".into(),
            groups,
        };
        let r = api.get(path, &who).await;
        assert_eq!(
            (r.status, r.error_code()),
            (403, "forbidden".into()),
            "{groups}"
        );
    }
    for groups in [
        "[admin]",
        r#"["therapist","admin"]"#,
        "[therapist admin]",
        "admin",
    ] {
        let who = As {
            sub: "admin-1".into(),
            groups,
        };
        assert_eq!(api.get(path, &who).await.status, 200, "{groups}");
    }
}

#[tokio::test]
async fn an_idempotency_key_that_is_not_ascii_is_refused_not_ignored() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let who = As::therapist(therapist);
    let before = api.env.table_snapshot(&api.env.names.jobs_table).await;
    for key in ["ключ", "clé-1", "key\u{a0}1"] {
        let r = api
            .call(
                "POST",
                "/api/v1/export/full-record",
                Some(json!({"patient_id": patient, "format": "json"})),
                Some(&who),
                &[("Idempotency-Key", key)],
            )
            .await;
        assert_eq!(
            (r.status, r.error_code()),
            (422, "validation_failed".into()),
            "{key}"
        );
        assert_eq!(r.json()["error"]["field"], "Idempotency-Key");
    }
    let after = api.env.table_snapshot(&api.env.names.jobs_table).await;
    assert_eq!(before, after, "nothing created");
}

#[tokio::test]
async fn dates_outside_the_documented_format_are_refused() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let who = As::therapist(therapist);
    for (start, end, field) in [
        ("+10000-01-01", "2026-01-01", "start_date"),
        ("2026-01-01", "+10000-01-01", "end_date"),
        ("2026-1-1", "2026-02-01", "start_date"),
        ("1899-12-31", "1900-01-31", "start_date"),
    ] {
        let r = api
            .export(
                "progress-report",
                json!({"patient_id": patient, "format": "json", "start_date": start, "end_date": end}),
                &who,
            )
            .await;
        assert_eq!(
            (r.status, r.error_code()),
            (422, "validation_failed".into()),
            "{start}..{end}"
        );
        assert_eq!(r.json()["error"]["field"], field, "{start}..{end}");
    }
    let r = api
        .get(
            "/api/v1/audit/logs/export?from=%2B10000-01-01",
            &As::admin("admin-1"),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (422, "validation_failed".into())
    );
}

#[tokio::test]
async fn without_a_token_every_route_answers_401_whatever_its_path_id() {
    let api = Api::default().await;
    for (method, path) in [
        ("GET", "/api/v1/export/jobs/not-a-uuid"),
        ("DELETE", "/api/v1/export/jobs/not-a-uuid"),
        ("GET", "/api/v1/export/download/123"),
        ("PUT", "/api/v1/export/templates/x"),
        ("PATCH", "/api/v1/export/scheduled/x"),
        (
            "GET",
            "/api/v1/export/jobs/0b7a3f4e-7f1e-4c55-9d7e-1f2a3b4c5d6e",
        ),
    ] {
        let r = api.call(method, path, None, None, &[]).await;
        assert_eq!(
            (r.status, r.error_code()),
            (401, "unauthenticated".into()),
            "{method} {path}"
        );
    }
}
