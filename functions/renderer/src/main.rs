//! Lambda entry point of the renderer (SQS trigger with ReportBatchItemFailures).

use std::sync::Arc;

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let rendering = exports_aws::wiring::Rendering {
        files: Arc::new(exports_render::AllFormats),
        template_checker: Arc::new(exports_documents::DocumentTemplates),
        // Scheduled-report mail goes out from the scheduler: no SES client is linked here.
        mail: exports_aws::wiring::Mail::Elsewhere,
    };
    let service =
        exports_aws::wiring::service_from_env(rendering, exports_aws::config::Waits::WORKER)
            .await?;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(exports_renderer::handle(service, event.payload).await)
    }))
    .await
}
