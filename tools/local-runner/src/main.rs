//! `local-runner`: serves the API on 127.0.0.1:8080 and renders queued jobs, against whatever
//! AWS endpoint the environment names (the emulator, locally). Documented in docs/local.md.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use exports_aws::config::{AwsClients, ResourceNames, load_sdk_config};
use exports_aws::queue::SqsJobQueue;
use exports_aws::wiring::{ServiceConfig, export_service};
use local_runner::http::{LocalApi, serve};
use local_runner::worker::Worker;

#[derive(Parser)]
#[command(
    name = "local-runner",
    version,
    about = "Run the export API and renderer locally"
)]
struct Args {
    /// Address the API listens on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "LOCAL_API_ADDR")]
    bind: SocketAddr,
    /// Serve the API only; do not poll the queue.
    #[arg(long)]
    no_worker: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    exports_aws::telemetry::init_json_logs();
    let args = Args::parse();
    let config = ServiceConfig::from_env()?;
    let names = ResourceNames::from_env();
    let sdk = load_sdk_config().await;
    let clients = AwsClients::new(&sdk);
    let service = export_service(
        &clients,
        &names,
        &config,
        std::sync::Arc::new(documents::PrintableDocuments::default()),
    )
    .await?;
    let jwt_secret = std::env::var("LOCAL_JWT_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    if jwt_secret.is_none() {
        tracing::warn!(
            "LOCAL_JWT_SECRET is not set: no request will carry claims, every route answers 401"
        );
    }
    if !args.no_worker {
        let queue_url = SqsJobQueue::resolve_url(&clients.sqs, &names.jobs_queue).await?;
        let queue_arn = clients
            .sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await?
            .attributes
            .and_then(|mut a| a.remove(&aws_sdk_sqs::types::QueueAttributeName::QueueArn))
            .unwrap_or_default();
        let worker = Worker {
            service: service.clone(),
            sqs: clients.sqs.clone(),
            queue_url,
            queue_arn,
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
        };
        tokio::spawn(async move { worker.run().await });
    }
    serve(
        Arc::new(LocalApi {
            service,
            jwt_secret,
        }),
        args.bind,
    )
    .await
}
