//! What a browser meets, over real HTTP: the local runner answering CORS preflights as API
//! Gateway does and refusing what a page could send without one; the exports bucket's CORS rule
//! on the emulator (started with `MOTO_DISABLE_GLOBAL_CORS=true`, so it applies the bucket's own
//! rules as S3 does); presigned URLs that make the browser save the file under its name; and the
//! JSON errors a page shows (`415`, `422` with `field`, `405` with `Allow`).

use std::sync::Arc;

use exports_api::cors::CorsPolicy;
use exports_aws::config::WebAppOrigins;
use exports_local_runner::http::{LocalApi, serve_listener};
use exports_tests::api::{Api, As, HttpReply, http_request};
use serde_json::{Value, json};

const APP: &str = "http://127.0.0.1:3000";
const SECRET: &str = "web-app-test-secret";

/// The local runner's HTTP front (CORS, local tokens) over the test's deployment, on a free port.
async fn runner(api: &Api) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let local = Arc::new(LocalApi {
        service: api.service.clone(),
        jwt_secret: Some(SECRET.into()),
        cors: CorsPolicy::new(WebAppOrigins::default()),
    });
    tokio::spawn(serve_listener(local, listener));
    base
}

fn token(therapist: uuid::Uuid) -> String {
    exports_local_env::tokens::mint(
        SECRET,
        &therapist.to_string(),
        &["therapist".into()],
        chrono::Duration::minutes(10),
    )
    .unwrap()
}

fn json_of(r: &HttpReply) -> Value {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&r.body)))
}

fn cors_headers(r: &HttpReply) -> Vec<&str> {
    r.headers
        .iter()
        .filter(|(k, _)| k.starts_with("access-control-"))
        .map(|(k, _)| k.as_str())
        .collect()
}

#[tokio::test]
async fn the_web_app_passes_the_preflight_and_reads_the_answer_other_origins_do_not() {
    let api = Api::default().await;
    let base = runner(&api).await;
    let (patient, therapist) = api.patient(0);
    let url = format!("{base}/api/v1/export/full-record");

    // Chromium's preflight of fetch(url, {method: "POST", headers: {Authorization, Content-Type}}).
    let preflight = http_request(
        "OPTIONS",
        &url,
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ),
        ],
        None,
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(APP));
    let methods = preflight.header("access-control-allow-methods").unwrap();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.split(',').any(|x| x == m), "{m} in {methods}");
    }
    let headers = preflight.header("access-control-allow-headers").unwrap();
    for h in ["authorization", "content-type", "idempotency-key"] {
        assert!(headers.split(',').any(|x| x == h), "{h} in {headers}");
    }
    assert_eq!(preflight.header("access-control-max-age"), Some("600"));

    // The preflight of a PATCH (pausing a scheduled report) passes too.
    let patch = http_request(
        "OPTIONS",
        &format!("{base}/api/v1/export/scheduled/0b7a3f4e-7f1e-4c55-9d7e-1f2a3b4c5d6e"),
        &[("Origin", APP), ("Access-Control-Request-Method", "PATCH")],
        None,
    )
    .await;
    assert_eq!(patch.header("access-control-allow-origin"), Some(APP));

    // Another site's page gets no CORS header: its browser refuses to send the request.
    let foreign = http_request(
        "OPTIONS",
        &url,
        &[
            ("Origin", "https://elsewhere.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    )
    .await;
    assert_eq!(foreign.status, 204);
    assert!(cors_headers(&foreign).is_empty(), "{:?}", foreign.headers);

    // The real request: accepted, and the page may read Location.
    let body = json!({"patient_id": patient, "format": "json"}).to_string();
    let bearer = format!("Bearer {}", token(therapist));
    let accepted = http_request(
        "POST",
        &url,
        &[
            ("Origin", APP),
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        Some(body.as_bytes()),
    )
    .await;
    assert_eq!(
        accepted.status,
        202,
        "{}",
        String::from_utf8_lossy(&accepted.body)
    );
    assert_eq!(accepted.header("access-control-allow-origin"), Some(APP));
    let exposed = accepted.header("access-control-expose-headers").unwrap();
    for h in [
        "location",
        "retry-after",
        "idempotent-replayed",
        "content-disposition",
    ] {
        assert!(exposed.split(',').any(|x| x == h), "{h} in {exposed}");
    }
    let job = json_of(&accepted);
    assert_eq!(
        accepted.header("location"),
        Some(format!("/api/v1/export/jobs/{}", job["job_id"].as_str().unwrap()).as_str())
    );

    // Errors carry the headers too, so the page can show the API's message.
    let unauthenticated = http_request(
        "GET",
        &format!("{base}/api/v1/export/jobs"),
        &[("Origin", APP)],
        None,
    )
    .await;
    assert_eq!(unauthenticated.status, 401);
    assert_eq!(
        unauthenticated.header("access-control-allow-origin"),
        Some(APP)
    );
    assert_eq!(
        json_of(&unauthenticated)["error"]["code"],
        "unauthenticated"
    );
}

#[tokio::test]
async fn a_body_a_page_could_send_without_a_preflight_creates_nothing() {
    let api = Api::default().await;
    let base = runner(&api).await;
    let (patient, therapist) = api.patient(0);
    let bearer = format!("Bearer {}", token(therapist));
    let before = api.env.table_snapshot(&api.env.names.jobs_table).await;
    let body = json!({"patient_id": patient, "format": "json"}).to_string();
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut headers = vec![("Origin", APP), ("Authorization", bearer.as_str())];
        if let Some(ct) = content_type {
            headers.push(("Content-Type", ct));
        }
        let r = http_request(
            "POST",
            &format!("{base}/api/v1/export/full-record"),
            &headers,
            Some(body.as_bytes()),
        )
        .await;
        assert_eq!(r.status, 415, "{content_type:?}");
        assert_eq!(
            json_of(&r)["error"]["code"],
            "unsupported_media_type",
            "{content_type:?}"
        );
        assert_eq!(r.header("access-control-allow-origin"), Some(APP));
    }
    // Declared JSON with a charset is JSON.
    let r = http_request(
        "POST",
        &format!("{base}/api/v1/export/full-record"),
        &[
            ("Authorization", bearer.as_str()),
            ("Content-Type", "Application/JSON; charset=utf-8"),
        ],
        Some(body.as_bytes()),
    )
    .await;
    assert_eq!(r.status, 202);
    let after = api.env.table_snapshot(&api.env.names.jobs_table).await;
    assert_eq!(
        after.len(),
        before.len() + 1,
        "only the JSON request made a job"
    );
}

#[tokio::test]
async fn wrong_json_types_name_the_field_and_wrong_methods_say_what_is_allowed() {
    let api = Api::default().await;
    let (patient, therapist) = api.patient(0);
    let who = As::therapist(therapist);

    for (body, field) in [
        (json!({"patient_id": patient, "format": 5}), "format"),
        (json!({"patient_id": 7, "format": "pdf"}), "patient_id"),
        (
            json!({"patient_id": patient, "format": "pdf", "include_psychotherapy_notes": "yes"}),
            "include_psychotherapy_notes",
        ),
        (json!([patient]), "body"),
    ] {
        let r = api.export("full-record", body.clone(), &who).await;
        assert_eq!(r.status, 422, "{body}");
        assert_eq!(r.error_code(), "validation_failed", "{body}");
        assert_eq!(r.json()["error"]["field"], field, "{body}");
    }
    let r = api
        .send(
            "POST",
            "/api/v1/export/scheduled",
            Some(json!({"patient_id": patient, "export_type": "progress_report", "format": "pdf", "schedule_type": 3})),
            &who,
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (422, "validation_failed".into())
    );
    assert_eq!(r.json()["error"]["field"], "schedule_type");

    // Not JSON at all stays a 400.
    let r = api
        .call_with(
            &api.service,
            "POST",
            "/api/v1/export/full-record",
            Some(b"{\"patient_id\": ".to_vec()),
            Some(&who),
            &[],
        )
        .await;
    assert_eq!((r.status, r.error_code()), (400, "invalid_json".into()));

    let r = api
        .send("PATCH", "/api/v1/export/full-record", None, &who)
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (405, "method_not_allowed".into())
    );
    assert_eq!(r.header("allow"), Some("POST"));
    let r = api
        .send(
            "POST",
            &format!("/api/v1/export/templates/{patient}"),
            None,
            &who,
        )
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, PUT, DELETE"));
}

/// Completes one export and returns its download answer.
async fn completed_download(api: &Api, redirect: &str) -> (Value, exports_tests::api::Reply) {
    let (patient, therapist) = api.patient(1);
    let who = As::therapist(therapist);
    let accepted = api
        .export(
            "treatment-summary",
            json!({"patient_id": patient, "format": "csv"}),
            &who,
        )
        .await;
    assert_eq!(accepted.status, 202);
    api.drain().await;
    let job_id = accepted.json()["job_id"].as_str().unwrap().to_string();
    let job = api
        .get(&format!("/api/v1/export/jobs/{job_id}"), &who)
        .await
        .json();
    assert_eq!(job["status"], "completed");
    let reply = api
        .get(&format!("/api/v1/export/download/{job_id}{redirect}"), &who)
        .await;
    (job, reply)
}

#[tokio::test]
async fn the_download_url_saves_the_file_under_its_name_and_the_app_may_fetch_it() {
    let api = Api::default().await;
    let (job, reply) = completed_download(&api, "").await;
    assert_eq!(reply.status, 200);
    let download = reply.json();
    let url = download["download_url"].as_str().unwrap();
    let filename = download["filename"].as_str().unwrap();
    assert!(
        url.contains("response-content-disposition="),
        "the disposition is signed into the URL: {url}"
    );

    // A link or navigation: no Origin; saved as an attachment under its name.
    let plain = http_request("GET", url, &[], None).await;
    assert_eq!(plain.status, 200);
    assert_eq!(
        plain.header("content-disposition"),
        Some(format!("attachment; filename=\"{filename}\"").as_str())
    );
    assert_eq!(
        exports_tests::sha256_hex(&plain.body),
        job["file"]["sha256"].as_str().unwrap()
    );

    // fetch(download_url) from the app: the bucket's preflight and response admit its origin
    // and expose the file's name. (A fetch with no extra headers is "simple" and not
    // preflighted; a HEAD or a Range request may be.)
    let preflight = http_request(
        "OPTIONS",
        url,
        &[("Origin", APP), ("Access-Control-Request-Method", "GET")],
        None,
    )
    .await;
    assert_eq!(preflight.status, 200, "{:?}", preflight.headers);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(APP));
    let fetched = http_request("GET", url, &[("Origin", APP)], None).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.header("access-control-allow-origin"), Some(APP));
    let exposed = fetched
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("content-disposition"), "{exposed}");
    assert_eq!(fetched.body, plain.body);

    // Another site's page may not read the file.
    let foreign = http_request("GET", url, &[("Origin", "https://elsewhere.example")], None).await;
    assert!(
        foreign.header("access-control-allow-origin").is_none(),
        "{:?}",
        foreign.headers
    );
    let foreign_preflight = http_request(
        "OPTIONS",
        url,
        &[
            ("Origin", "https://elsewhere.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        None,
    )
    .await;
    assert!(
        foreign_preflight
            .header("access-control-allow-origin")
            .is_none(),
        "{:?}",
        foreign_preflight.headers
    );
}

#[tokio::test]
async fn redirect_is_for_clients_that_follow_it_and_refuses_other_values() {
    let api = Api::default().await;
    let (_, reply) = completed_download(&api, "?redirect=true").await;
    assert_eq!(reply.status, 302);
    let location = reply.header("location").unwrap().to_string();
    let followed = http_request("GET", &location, &[], None).await;
    assert_eq!(followed.status, 200);
    assert!(
        followed
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment;"))
    );
    let (_, reply) = completed_download(&api, "?redirect=yes").await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (422, "validation_failed".into())
    );
    assert_eq!(reply.json()["error"]["field"], "redirect");
    let (_, reply) = completed_download(&api, "?redirect=false").await;
    assert_eq!(reply.status, 200);
}
