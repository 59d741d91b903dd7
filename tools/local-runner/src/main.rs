//! `exports-local-runner`: serves the API on 127.0.0.1:8080 and the reference web client on
//! 127.0.0.1:3000, renders queued jobs and ticks the scheduler every 15 minutes, against whatever
//! AWS endpoint the environment names (the emulator, locally); `exports-local-runner tick [--at …]` runs
//! one scheduler tick and exits. Documented in docs/local.md.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use exports_api::cors::CorsPolicy;
use exports_aws::config::ServiceConfig;
use exports_aws::config::{AwsClients, ResourceNames, Waits, WebAppOrigins, load_sdk_config_with};
use exports_aws::wiring::export_service;
use exports_core::ports::ShiftedClock;
use exports_in_memory::InMemoryRunQueue;
use exports_local_runner::http::{LocalApi, serve};
use exports_local_runner::web::{self, WebSite};
use exports_local_runner::worker::{Consumer, Worker};

#[derive(Parser)]
#[command(
    name = "exports-local-runner",
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
    /// Address the reference web client (`--web-dir`) is served on: its own origin, as in
    /// production. Must be one of `WEB_APP_ORIGIN`'s origins for its calls to pass CORS.
    #[arg(long, default_value = "127.0.0.1:3000", env = "LOCAL_WEB_ADDR")]
    web_addr: SocketAddr,
    /// Folder of the reference web client.
    #[arg(long, default_value = "web", env = "LOCAL_WEB_DIR")]
    web_dir: PathBuf,
    /// Do not serve the web client.
    #[arg(long)]
    no_web: bool,
    /// Seconds between scheduler ticks while serving, as EventBridge's 15-minute schedule
    /// (0: no ticks).
    #[arg(long, default_value_t = 900, env = "LOCAL_TICK_SECONDS")]
    tick_every: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scheduler tick (what the EventBridge-triggered function does), print its summary
    /// as JSON and exit.
    Tick {
        /// Run as if the time were this RFC 3339 instant (the clock then moves on from it), to
        /// fire a schedule without waiting for it.
        #[arg(long)]
        at: Option<DateTime<Utc>>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    exports_aws::telemetry::init_json_logs();
    let args = Args::parse();
    let config = ServiceConfig::from_env()?;
    let names = ResourceNames::from_env();
    // The workers' waits: an emulator can take seconds to start a service on its first request
    // (LocalStack loads them lazily), which the API's waits would turn into 503s.
    let sdk = load_sdk_config_with(Waits::WORKER).await;
    let clients = AwsClients::new(&sdk);
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    let mut service = export_service(
        &clients,
        &names,
        &config,
        exports_aws::wiring::Rendering {
            files: std::sync::Arc::new(exports_render::AllFormats),
            template_checker: std::sync::Arc::new(exports_documents::DocumentTemplates),
            mail: exports_aws::wiring::Mail::Ses,
        },
    )
    .await?;
    if let Some(Command::Tick { at }) = args.command {
        if let Some(at) = at {
            service.ports.clock = Arc::new(ShiftedClock(at - Utc::now()));
        }
        // The tick's runs stay in this process and run here, at the tick's time, one after
        // another: a runner serving in the background polls the same SQS queue and would
        // otherwise take them at its own time.
        let runs_here = Arc::new(InMemoryRunQueue::new());
        service.ports.runs = runs_here.clone();
        let summary = exports_scheduler::handle(&service).await?;
        let mut runs = exports_scheduler::RunsSummary::default();
        for run in runs_here.take() {
            runs.add(service.execute_run(&run).await?);
        }
        println!("{}", serde_json::json!({"tick": summary, "runs": runs}));
        return Ok(());
    }
    if args.tick_every > 0 {
        let ticker = service.clone();
        let every = std::time::Duration::from_secs(args.tick_every);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            loop {
                interval.tick().await;
                if let Err(e) = exports_scheduler::handle(&ticker).await {
                    tracing::warn!(error = %e, "scheduler tick failed; next tick retries");
                }
            }
        });
    }
    let jwt_secret = std::env::var("LOCAL_JWT_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    if jwt_secret.is_none() {
        tracing::warn!(
            "LOCAL_JWT_SECRET is not set: no request will carry claims, every route answers 401"
        );
    }
    let web_origins = WebAppOrigins::from_env()?;
    if !args.no_web {
        if args.web_dir.join("index.html").is_file() {
            let site = Arc::new(WebSite {
                root: args.web_dir.clone(),
                api_base_url: format!("http://{}", args.bind),
                download_origins: vec![download_origin()],
            });
            let addr = args.web_addr;
            tokio::spawn(async move {
                if let Err(e) = web::serve(site, addr).await {
                    tracing::error!(error = %e, address = %addr, "web client not served");
                }
            });
        } else {
            tracing::warn!(
                dir = %args.web_dir.display(),
                "no index.html in the web client folder (--web-dir); not serving it"
            );
        }
    }
    if !args.no_worker {
        // The renderer on the jobs queue, the scheduler's runs on the scheduled-runs queue.
        for (consumer, queue) in [
            (Consumer::Renderer, &names.jobs_queue),
            (Consumer::ScheduledRuns, &names.runs_queue),
        ] {
            let worker = Worker::connect(
                consumer,
                service.clone(),
                clients.sqs.clone(),
                queue,
                region.clone(),
            )
            .await?;
            tokio::spawn(async move { worker.run().await });
        }
    }
    serve(
        Arc::new(LocalApi {
            service,
            jwt_secret,
            cors: CorsPolicy::new(web_origins),
        }),
        args.bind,
    )
    .await
}

/// Where presigned download URLs point: the emulator's origin locally, S3 in AWS.
fn download_origin() -> String {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.is_empty() => {
            let scheme_end = url.find("://").map_or(0, |i| i + 3);
            match url[scheme_end..].find('/') {
                Some(i) => url[..scheme_end + i].to_string(),
                None => url,
            }
        }
        _ => "https://*.amazonaws.com".into(),
    }
}
