//! Lambda entry point of the scheduler (EventBridge schedule, every 15 minutes).

use std::sync::Arc;

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let rendering = exports_aws::wiring::Rendering {
        files: Arc::new(exports_render::AllFormats),
        template_checker: Arc::new(exports_documents::DocumentTemplates),
    };
    let service = exports_aws::wiring::service_from_env(rendering).await?;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        tracing::info!(request_id = %event.context.request_id, "scheduler invoked");
        let summary = exports_scheduler::handle(service).await?;
        Ok::<_, Error>(serde_json::to_value(summary)?)
    }))
    .await
}
