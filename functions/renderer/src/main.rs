//! The SQS-triggered renderer. Rendering lands with the export-jobs issue; until then every
//! message is handed back (batch item failure) so nothing is lost.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        let failures: Vec<BatchItemFailure> = event
            .payload
            .records
            .iter()
            .filter_map(|r| r.message_id.clone())
            .map(|id| {
                let mut f = BatchItemFailure::default();
                f.item_identifier = id;
                f
            })
            .collect();
        tracing::warn!(
            messages = failures.len(),
            "renderer not deployed yet; messages returned to the queue"
        );
        let mut response = SqsBatchResponse::default();
        response.batch_item_failures = failures;
        Ok::<_, Error>(response)
    }))
    .await
}
