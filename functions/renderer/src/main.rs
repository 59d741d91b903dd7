//! Lambda entry point of the renderer (SQS trigger with ReportBatchItemFailures).

use aws_lambda_events::sqs::SqsEvent;
use exports_aws::config::{AwsClients, ResourceNames};
use exports_aws::wiring::{ServiceConfig, export_service};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let config = ServiceConfig::from_env()?;
    let clients = AwsClients::from_env().await;
    let service = export_service(
        &clients,
        &ResourceNames::from_env(),
        &config,
        std::sync::Arc::new(documents::PrintableDocuments),
    )
    .await?;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(export_renderer::handle(service, event.payload).await)
    }))
    .await
}
