//! What only an S3 that checks signatures shows: a download URL works when fetched in time, and
//! a URL with a tampered signature, another object key or a passed expiry is refused.
//!
//! moto serves any presigned URL, tampered or expired, so these tests are `#[ignore]`d with that
//! reason and run under the LocalStack profile (`EMULATOR=localstack scripts/test.sh` passes
//! `--include-ignored`; LocalStack runs with `S3_SKIP_SIGNATURE_VALIDATION=0`). Run against moto
//! anyway, they stop at once saying so instead of failing on an assertion.

use std::time::Duration;

use exports_aws::config::ServiceConfig;
use exports_tests::api::{Api, As, http_get};
use exports_tests::sent_mail::{Emulator, emulator, endpoint};

const NEEDS_FAITHFUL_S3: &str = "moto serves any presigned URL; run with EMULATOR=localstack";

async fn require_signature_checks() {
    assert_eq!(
        emulator(&endpoint()).await,
        Emulator::LocalStack,
        "this test needs an S3 that checks presigned URLs: {NEEDS_FAITHFUL_S3}"
    );
}

/// Exports a treatment summary as JSON, renders it and returns its download URL.
async fn download_url(api: &Api) -> (String, u64) {
    let (patient, therapist) = api.patient(0);
    let me = As::therapist(therapist);
    let created = api
        .export(
            "treatment-summary",
            serde_json::json!({"patient_id": patient, "format": "json"}),
            &me,
        )
        .await;
    assert_eq!(created.status, 202, "{}", created.json());
    let job_id = created.json()["job_id"].as_str().unwrap().to_string();
    api.drain().await;
    let dl = api
        .get(&format!("/api/v1/export/download/{job_id}"), &me)
        .await;
    assert_eq!(dl.status, 200, "{}", dl.json());
    let dl = dl.json();
    (
        dl["download_url"].as_str().unwrap().to_string(),
        dl["size_bytes"].as_u64().unwrap(),
    )
}

/// The S3 error code of an error body (`<Code>…</Code>`).
fn s3_error(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split("<Code>")
        .nth(1)
        .and_then(|rest| rest.split("</Code>").next())
        .unwrap_or(&text)
        .to_string()
}

#[tokio::test]
#[ignore = "moto serves any presigned URL; run with EMULATOR=localstack"]
async fn a_download_url_works_in_time_and_refuses_a_tampered_signature_or_another_key() {
    require_signature_checks().await;
    let api = Api::default().await;
    let (url, size) = download_url(&api).await;

    let (status, bytes) = http_get(&url).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(bytes.len() as u64, size);

    // One character of the signature changed.
    let at = url.find("X-Amz-Signature=").expect("a SigV4 URL") + "X-Amz-Signature=".len();
    let mut tampered = url.clone().into_bytes();
    tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
    let (status, body) = http_get(&String::from_utf8(tampered).unwrap()).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(s3_error(&body), "SignatureDoesNotMatch");

    // The same signature for another object: the file name's extension changed.
    let (path, query) = url.split_once('?').unwrap();
    let other = format!("{}.csv?{query}", path.trim_end_matches(".json"));
    assert_ne!(other, url);
    let (status, body) = http_get(&other).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(s3_error(&body), "SignatureDoesNotMatch");
}

#[tokio::test]
#[ignore = "moto serves any presigned URL; run with EMULATOR=localstack"]
async fn an_expired_download_url_is_refused() {
    require_signature_checks().await;
    let ttl = 3;
    let config = ServiceConfig::from_lookup(|name| {
        (name == "DOWNLOAD_URL_TTL_SECONDS").then(|| ttl.to_string())
    })
    .unwrap();
    let api = Api::start(config).await;
    let (url, _) = download_url(&api).await;
    assert!(url.contains(&format!("X-Amz-Expires={ttl}")), "{url}");
    let (status, body) = http_get(&url).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    tokio::time::sleep(Duration::from_secs(ttl + 2)).await;
    let (status, body) = http_get(&url).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(s3_error(&body), "AccessDenied");
    assert!(
        String::from_utf8_lossy(&body).contains("Request has expired"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}
