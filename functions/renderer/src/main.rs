//! Lambda entry point of the renderer (SQS trigger with ReportBatchItemFailures).

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let service =
        exports_aws::wiring::service_from_env(std::sync::Arc::new(documents::PrintableDocuments))
            .await?;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(export_renderer::handle(service, event.payload).await)
    }))
    .await
}
