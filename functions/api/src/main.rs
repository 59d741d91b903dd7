//! The request function behind API Gateway. Routes grow with the export-jobs issue; until then
//! every request gets the API's stable JSON error body.

use exports_aws::config::{AwsClients, ResourceNames};
use lambda_http::{Body, Error, Request, Response, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    exports_aws::telemetry::init_json_logs();
    let _clients = AwsClients::from_env().await;
    let _names = ResourceNames::from_env();
    run(service_fn(|req: Request| async move {
        tracing::info!(method = %req.method(), path = req.uri().path(), status = 404, "request");
        let body =
            serde_json::json!({"error": {"code": "route_not_found", "message": "no such route"}});
        Ok::<_, Error>(
            Response::builder()
                .status(404)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))?,
        )
    }))
    .await
}
