//! Every sample event in `events/` works as shipped: fed to its function's handler, against
//! resources seeded as `exports-admin seed-demo --seed 42` seeds them (the demo practice, then
//! its job, template and scheduled report), each one succeeds. The events run in the order a
//! person trying them would: reads and new exports first, then changes, then deletions.

use std::path::{Path, PathBuf};

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sqs::SqsEvent;
use exports_aws::config::ServiceConfig;
use exports_aws::wiring::export_service;
use exports_core::service::ExportService;
use exports_synthetic::demo::{DemoObjects, seed_demo_objects};
use exports_synthetic::{DemoParams, generate};
use exports_tests::TestEnv;
use serde_json::Value;

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// 0: reads, exports, the renderer and the scheduler; 1: changes; 2: deletions.
fn phase(event: &Value) -> u8 {
    match event["requestContext"]["http"]["method"].as_str() {
        Some("DELETE") => 2,
        Some("PUT" | "PATCH") => 1,
        _ => 0,
    }
}

/// Feeds one event to its handler; `Err` says what went wrong.
async fn invoke(service: &ExportService, name: &str, text: &str) -> Result<String, String> {
    if name.starts_with("api-") {
        let request =
            lambda_http::request::from_str(text).map_err(|e| format!("not an API event: {e}"))?;
        let response = exports_api::handle(service, request).await;
        let status = response.status().as_u16();
        let body = match response.into_body() {
            lambda_http::Body::Text(t) => t,
            lambda_http::Body::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        };
        if !(200..300).contains(&status) {
            return Err(format!("HTTP {status}: {body}"));
        }
        if name == "api-audit-export.json" && body.trim_end().lines().count() < 2 {
            return Err(format!("the audit export has no entry: {body}"));
        }
        Ok(format!("HTTP {status}"))
    } else if name.starts_with("renderer-") {
        let event: SqsEvent =
            serde_json::from_str(text).map_err(|e| format!("not an SQS event: {e}"))?;
        let response = exports_renderer::handle(service, event).await;
        if response.batch_item_failures.is_empty() {
            Ok("no batch item failures".into())
        } else {
            Err(format!(
                "{} batch item failures",
                response.batch_item_failures.len()
            ))
        }
    } else if name.starts_with("scheduler-runs-") {
        let event: SqsEvent =
            serde_json::from_str(text).map_err(|e| format!("not an SQS event: {e}"))?;
        let (response, runs) = exports_scheduler::execute_runs(service, event).await;
        if !response.batch_item_failures.is_empty() || runs.failed > 0 {
            return Err(format!("{runs:?}, {response:?}"));
        }
        Ok(format!("{runs:?}"))
    } else if name.starts_with("scheduler-") {
        serde_json::from_str::<EventBridgeEvent<Value>>(text)
            .map_err(|e| format!("not an EventBridge event: {e}"))?;
        let summary = exports_scheduler::handle(service)
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!("{summary:?}"))
    } else {
        Err("no function takes events named like this (api-, renderer-, scheduler-)".into())
    }
}

#[tokio::test]
async fn every_sample_event_succeeds_against_its_handler_after_seeding() {
    let env = TestEnv::new().await;
    let params = DemoParams::default();
    assert_eq!(
        params.seed, 42,
        "the events name the practice of seed-demo's default seed"
    );
    let data = generate(&params);
    env.records().import(&data).await.expect("seed the records");
    let service = export_service(
        &env.clients,
        &env.names,
        &ServiceConfig::from_lookup(|_| None).unwrap(),
        exports_aws::wiring::Rendering {
            files: std::sync::Arc::new(exports_render::AllFormats),
            template_checker: std::sync::Arc::new(exports_documents::DocumentTemplates),
            mail: exports_aws::wiring::Mail::Ses,
        },
    )
    .await
    .expect("service");
    let made = seed_demo_objects(&service, &data, params.seed)
        .await
        .expect("seed the demo objects");
    assert_eq!(
        (made.job_id, made.template_id, made.schedule_id),
        DemoObjects::ids(params.seed)
    );
    // Seeding again finds what it made.
    assert_eq!(
        seed_demo_objects(&service, &data, params.seed)
            .await
            .expect("seed again"),
        made
    );

    let mut events: Vec<(String, String, Value)> = std::fs::read_dir(events_dir())
        .expect("events/")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("read event");
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
            (name, text, json)
        })
        .collect();
    assert!(events.len() >= 21, "{} events", events.len());
    events.sort_by(|a, b| (phase(&a.2), &a.0).cmp(&(phase(&b.2), &b.0)));

    let mut failures = Vec::new();
    for (name, text, _) in &events {
        if let Err(e) = invoke(&service, name, text).await {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "events that failed:\n{}",
        failures.join("\n")
    );
}
