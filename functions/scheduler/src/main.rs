//! Lambda entry point of the scheduler (EventBridge schedule, every 15 minutes).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let service =
        exports_aws::wiring::service_from_env(std::sync::Arc::new(documents::PrintableDocuments))
            .await?;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        tracing::info!(request_id = %event.context.request_id, "scheduler invoked");
        let summary = export_scheduler::handle(service).await?;
        Ok::<_, Error>(serde_json::to_value(summary)?)
    }))
    .await
}
