//! The handler over the in-memory ports: what the API reads from a request, and in which order it
//! refuses. A request whose body cannot be read is refused as a readable one would be by the
//! checks the use case makes first (the role, audited), and only then for its body.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequestContext,
};
use chrono::{TimeZone, Utc};
use exports_core::audit::AuditAction;
use exports_core::service::{ExportService, Settings};
use exports_in_memory::{FixedClock, InMemoryHandles, in_memory_service};
use exports_synthetic::{DemoParams, generate};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{Value, json};

/// Runs a future of the in-memory ports to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the in-memory ports never wait"),
    }
}

struct World {
    svc: ExportService,
    h: InMemoryHandles,
    /// A therapist and a patient assigned to them.
    therapist: String,
    patient: String,
}

fn world() -> World {
    let data = generate(&DemoParams {
        patients: 2,
        sessions_per_patient: 2,
        words_per_note: 12,
        ..DemoParams::default()
    });
    let patient = &data.patients[0].patient;
    let therapist = patient.assigned_therapist_ids[0].to_string();
    let patient = patient.id.to_string();
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap(),
    ));
    let (svc, h) = in_memory_service(data, clock, Settings::default());
    World {
        svc,
        h,
        therapist,
        patient,
    }
}

/// A request as API Gateway hands it over, from `user` with `groups` (JSON body when given).
fn request(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&str>,
    user: &str,
    groups: &str,
) -> Request {
    let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
    jwt.claims = HashMap::from([
        ("sub".to_string(), user.to_string()),
        ("cognito:groups".to_string(), groups.to_string()),
    ]);
    let mut authorizer = ApiGatewayRequestAuthorizer::default();
    authorizer.jwt = Some(jwt);
    let mut ctx = ApiGatewayV2httpRequestContext::default();
    ctx.authorizer = Some(authorizer);
    let query: HashMap<String, Vec<String>> = query
        .iter()
        .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
        .collect();
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(path);
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    builder
        .body(body.map_or(Body::Empty, |b| Body::Binary(b.as_bytes().to_vec())))
        .expect("a request")
        .with_raw_http_path(path)
        .with_query_string_parameters(query)
        .with_request_context(RequestContext::ApiGatewayV2(ctx))
}

fn send(w: &World, req: Request) -> (u16, Value) {
    let r: Response<Body> = block_on(exports_api::handle(&w.svc, req));
    let body = match r.body() {
        Body::Binary(b) => serde_json::from_slice(b).expect("a JSON body"),
        Body::Text(t) => serde_json::from_str(t).expect("a JSON body"),
        Body::Empty => Value::Null,
        _ => panic!("an unexpected body"),
    };
    (r.status().as_u16(), body)
}

fn denials(w: &World) -> usize {
    w.h.audit
        .events()
        .iter()
        .filter(|e| e.action == AuditAction::Denied)
        .count()
}

const EXPORT: &str = "/api/v1/export/full-record";

#[test]
fn an_unreadable_body_is_400_for_a_therapist_and_403_audited_for_anyone_else() {
    let w = world();
    let (status, body) = send(
        &w,
        request(
            "POST",
            EXPORT,
            &[],
            Some("{nope"),
            &w.therapist,
            "therapist",
        ),
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "invalid_json");
    assert_eq!(denials(&w), 0);

    for path in [
        EXPORT,
        "/api/v1/export/templates",
        "/api/v1/export/scheduled",
    ] {
        let before = denials(&w);
        let (status, body) = send(
            &w,
            request("POST", path, &[], Some("{nope"), "admin-1", "admin"),
        );
        assert_eq!(
            (status, body),
            (
                403,
                json!({"error": {"code": "forbidden", "message": "the therapist role is required"}})
            ),
            "{path}"
        );
        assert_eq!(denials(&w), before + 1, "{path}: the denial is audited");
    }
    // The same for a query string the API cannot read.
    let (status, _) = send(
        &w,
        request(
            "GET",
            "/api/v1/export/templates",
            &[("limit", "0")],
            None,
            "admin-1",
            "admin",
        ),
    );
    assert_eq!(status, 403);
    let (status, body) = send(
        &w,
        request(
            "GET",
            "/api/v1/export/templates",
            &[("limit", "0")],
            None,
            &w.therapist,
            "therapist",
        ),
    );
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("limit"))
    );
    assert!(w.h.jobs.is_empty(), "nothing created");
}

#[test]
fn replacing_a_template_the_caller_cannot_change_is_404_whatever_the_body() {
    let w = world();
    let path = format!("/api/v1/export/templates/{}", uuid::Uuid::new_v4());
    let (status, body) = send(
        &w,
        request("PUT", &path, &[], Some("{nope"), &w.therapist, "therapist"),
    );
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("template_not_found"))
    );
    assert_eq!(denials(&w), 1, "audited");
}

#[test]
fn a_readable_request_reaches_the_use_case_and_its_refusals_keep_their_status() {
    let w = world();
    let ok = json!({"patient_id": w.patient, "format": "csv"}).to_string();
    let (status, body) = send(
        &w,
        request("POST", EXPORT, &[], Some(&ok), &w.therapist, "therapist"),
    );
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "pending");

    let cases = [
        (
            json!({"patient_id": w.patient}),
            422,
            "validation_failed",
            Some("format"),
        ),
        (
            json!({"patient_id": w.patient, "format": "pdf"}),
            422,
            "format_not_available",
            None,
        ),
        (
            json!({"patient_id": w.patient, "format": "csv", "colour": "blue"}),
            422,
            "validation_failed",
            Some("colour"),
        ),
        (
            json!({"patient_id": uuid::Uuid::new_v4(), "format": "csv"}),
            404,
            "patient_not_found",
            None,
        ),
    ];
    for (b, status, code, field) in cases {
        let (s, body) = send(
            &w,
            request(
                "POST",
                EXPORT,
                &[],
                Some(&b.to_string()),
                &w.therapist,
                "therapist",
            ),
        );
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{b}"
        );
        assert_eq!(body["error"]["field"].as_str(), field, "{b}");
    }

    let (status, body) = send(
        &w,
        request(
            "GET",
            "/api/v1/export/jobs",
            &[("status", "done")],
            None,
            &w.therapist,
            "therapist",
        ),
    );
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (422, json!("status"))
    );
    let (status, body) = send(
        &w,
        request(
            "GET",
            "/api/v1/audit/logs/export",
            &[("from", "2026-11-27"), ("to", "2026-11-25")],
            None,
            "admin-1",
            "admin",
        ),
    );
    assert_eq!(
        (status, body),
        (
            422,
            json!({"error": {"code": "validation_failed", "message": "must not be before from", "field": "to"}})
        )
    );
}
