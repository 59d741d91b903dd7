//! Lambda entry point of the request function: clients and adapters are built once per cold
//! start, then every request goes to the thin handler in `lib.rs`.

use lambda_http::{Error, Request, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let service =
        exports_aws::wiring::service_from_env(std::sync::Arc::new(documents::PrintableDocuments))
            .await?;
    let service = &service;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(export_api::handle(service, req).await)
    }))
    .await
}
