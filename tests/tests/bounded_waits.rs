//! A dependency that hangs: the API still answers, `503 service_unavailable` with `Retry-After`
//! and the JSON error body, within the documented bound, instead of waiting for its Lambda
//! timeout. The hung dependency is a frozen endpoint: it accepts TCP connections and never
//! answers, as an emulator stopped with SIGSTOP (or an AWS endpoint that stalls) does. Only the
//! service's stores are pointed at it; the rest of the world is the real emulator.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use exports_aws::audit_log::DynamoAuditLog;
use exports_aws::config::{AwsClients, Waits};
use exports_aws::jobs_store::DynamoJobStore;
use exports_aws::rate_limiter::DynamoRateLimiter;
use exports_aws::records_store::DynamoRecords;
use exports_core::service::ExportService;
use exports_tests::api::{Api, As};
use serde_json::json;

/// Accepts connections and never reads or answers; the sockets stay open as long as the test.
async fn frozen_endpoint() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    (url, held)
}

/// The API's clients (its waits) pointed at `url`.
async fn clients_at(url: &str) -> AwsClients {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .http_client(exports_aws::config::https_client())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(url)
        .timeout_config(Waits::API.timeout_config())
        .retry_config(Waits::API.retry_config())
        .load()
        .await;
    AwsClients::new(&sdk)
}

/// `api`'s service with every DynamoDB-backed port behind the frozen endpoint.
fn frozen(api: &Api, clients: &AwsClients) -> ExportService {
    let names = &api.env.names;
    let db = clients.dynamodb.clone();
    let mut service = api.service.clone();
    service.ports.jobs = Arc::new(DynamoJobStore::new(
        db.clone(),
        &names.jobs_table,
        &names.control_table,
    ));
    service.ports.records = Arc::new(DynamoRecords::new(db.clone(), &names.records_table));
    service.ports.audit = Arc::new(DynamoAuditLog::new(db.clone(), &names.audit_table));
    service.ports.limiter = Arc::new(DynamoRateLimiter::new(db, &names.control_table, 20));
    service
}

/// Waits::API: at most 2.5 s per call. `exports_api::DEADLINE` (6 s) bounds a request.
const ONE_CALL: Duration = Duration::from_millis(2500);
const SLACK: Duration = Duration::from_millis(750);

#[tokio::test]
async fn a_hung_dependency_gives_503_with_retry_after_within_the_bound() {
    let api = Api::default().await;
    let (url, _held) = frozen_endpoint().await;
    let clients = clients_at(&url).await;
    let service = frozen(&api, &clients);
    let (patient, therapist) = api.patient(0);
    let who = As::therapist(therapist);

    // One call (the job list): bounded by the API's waits alone.
    let started = Instant::now();
    let r = api
        .call_within(
            &service,
            exports_api::DEADLINE,
            "GET",
            "/api/v1/export/jobs",
            None,
            &who,
        )
        .await;
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.error_code(), "service_unavailable");
    assert_eq!(r.header("retry-after"), Some("5"));
    assert!(took <= ONE_CALL + SLACK, "answered after {took:?}");
    assert!(
        took >= Duration::from_millis(900),
        "it did wait for the dependency ({took:?})"
    );

    // An export request makes several calls (audit, record, rate limit, job): each hangs, and
    // the request deadline answers for all of them.
    let started = Instant::now();
    let r = api
        .call_within(
            &service,
            exports_api::DEADLINE,
            "POST",
            "/api/v1/export/full-record",
            Some(json!({"patient_id": patient, "format": "csv"})),
            &who,
        )
        .await;
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.error_code(), "service_unavailable");
    assert_eq!(r.header("retry-after"), Some("5"));
    assert!(
        took <= exports_api::DEADLINE + SLACK,
        "answered after {took:?}"
    );

    // With the dependency back, the same request goes through.
    let r = api
        .call_within(
            &api.service,
            exports_api::DEADLINE,
            "POST",
            "/api/v1/export/full-record",
            Some(json!({"patient_id": patient, "format": "csv"})),
            &who,
        )
        .await;
    assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
}
