//! Lambda entry point of the scheduler: the EventBridge tick every 15 minutes, and batches of the
//! scheduled-runs queue (the same binary serves both SAM functions; the event says which).

use std::sync::Arc;

use exports_scheduler::Invocation;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let rendering = exports_aws::wiring::Rendering {
        files: Arc::new(exports_render::AllFormats),
        template_checker: Arc::new(exports_documents::DocumentTemplates),
        mail: exports_aws::wiring::Mail::Ses,
    };
    let service =
        exports_aws::wiring::service_from_env(rendering, exports_aws::config::Waits::WORKER)
            .await?;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        tracing::info!(request_id = %event.context.request_id, "scheduler invoked");
        let answer = match Invocation::of(event.payload)? {
            Invocation::Tick => serde_json::to_value(exports_scheduler::handle(service).await?)?,
            Invocation::Runs(batch) => {
                serde_json::to_value(exports_scheduler::handle_runs(service, batch).await)?
            }
        };
        Ok::<_, Error>(answer)
    }))
    .await
}
