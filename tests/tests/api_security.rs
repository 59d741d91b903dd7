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

#[tokio::test]
async fn every_authenticated_denial_is_audited() {
    let api = Api::default().await;
    let (_, owner) = api.patient(0);
    let intruder = api.unassigned_therapist(0);
    let me = As::therapist(owner);
    let them = As::therapist(intruder);
    let template = api
        .send(
            "POST",
            "/api/v1/export/templates",
            Some(json!({"name": "Mine", "export_type": "treatment_summary"})),
            &me,
        )
        .await;
    assert_eq!(template.status, 201);
    let template_id = template.json()["template_id"].as_str().unwrap().to_string();

    // Someone else's template, an unknown scheduled report and malformed ids of each kind: the
    // same 404 as any unknown id, and each one in the audit trail.
    let probes = [
        (
            "GET",
            format!("/api/v1/export/templates/{template_id}"),
            "template_not_found",
        ),
        (
            "DELETE",
            format!("/api/v1/export/templates/{template_id}"),
            "template_not_found",
        ),
        (
            "GET",
            "/api/v1/export/scheduled/0b7a3f4e-7f1e-4c55-9d7e-1f2a3b4c5d6e".into(),
            "schedule_not_found",
        ),
        (
            "GET",
            "/api/v1/export/jobs/not-a-uuid".into(),
            "job_not_found",
        ),
        (
            "PUT",
            "/api/v1/export/templates/not-a-uuid".into(),
            "template_not_found",
        ),
        (
            "PATCH",
            "/api/v1/export/scheduled/not-a-uuid".into(),
            "schedule_not_found",
        ),
    ];
    for (method, path, code) in &probes {
        let body = matches!(*method, "PUT" | "PATCH").then(|| json!({"name": "x"}));
        let r = api.send(method, path, body, &them).await;
        assert_eq!(
            (r.status, r.error_code()),
            (404, code.to_string()),
            "{method} {path}"
        );
    }
    let trail = api
        .get(
            &format!("/api/v1/audit/logs/export?actor_id={intruder}"),
            &As::admin("admin-1"),
        )
        .await;
    let text = String::from_utf8(trail.body).unwrap();
    assert_eq!(text.matches(",denied,").count(), probes.len(), "{text}");
    assert_eq!(
        text.matches(&format!("template {template_id} not found"))
            .count(),
        2
    );
    for kind in ["job", "template", "scheduled report"] {
        assert!(
            text.contains(&format!("malformed {kind} id")),
            "{kind}: {text}"
        );
    }
    // The owner still has it.
    let mine = api
        .get(&format!("/api/v1/export/templates/{template_id}"), &me)
        .await;
    assert_eq!(mine.status, 200);
}
