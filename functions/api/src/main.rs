//! Lambda entry point of the request function: clients and adapters are built once per cold
//! start, then every request goes to the thin handler in `lib.rs`.

use exports_aws::config::{AwsClients, ResourceNames};
use exports_aws::wiring::{ServiceConfig, export_service};
use lambda_http::{Error, Request, run, service_fn};

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
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(export_api::handle(service, req).await)
    }))
    .await
}
