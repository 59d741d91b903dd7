//! Lambda entry point of the request function: clients and adapters are built once per cold
//! start, then every request goes to the thin handler in `lib.rs`.

use std::sync::Arc;

use exports_core::export::ExportFormat;
use exports_core::ports::RenderedElsewhere;
use lambda_http::{Error, Request, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let rendering = exports_aws::wiring::Rendering {
        // The renderer function renders every format; this function only records the jobs.
        files: Arc::new(RenderedElsewhere(ExportFormat::ALL.to_vec())),
        template_checker: Arc::new(exports_documents::DocumentTemplates),
        // Scheduled-report mail goes out from the scheduler: no SES client is linked here.
        mail: exports_aws::wiring::Mail::Elsewhere,
    };
    let service =
        exports_aws::wiring::service_from_env(rendering, exports_aws::config::Waits::API).await?;
    let service = &service;
    run(service_fn(move |req: Request| async move {
        Ok::<_, Error>(exports_api::handle_within(service, req, exports_api::DEADLINE).await)
    }))
    .await
}
