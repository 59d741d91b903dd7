//! `exports-admin`: the operator's command line for practice-exports.
//!
//! Talks to AWS (or the emulator named by `AWS_ENDPOINT_URL`) with the same adapters the Lambda
//! functions use. Documented in docs/cli.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use exports_aws::config::ServiceConfig;
use exports_aws::config::{AwsClients, ResourceNames, WebAppOrigins};
use exports_aws::records_store::{DynamoRecords, ImportError, ImportReport};
use exports_aws::wiring::Rendering;
use exports_aws::wiring::export_service;
use exports_core::records::PracticeData;
use exports_core::validation::parse_practice;
use exports_local_env::provision::provision;
use exports_synthetic::demo::seed_demo_objects;
use exports_synthetic::multilingual::multilingual_practice;
use exports_synthetic::{DemoParams, generate};

/// Exit code of a file that failed validation (nothing was written).
const EXIT_INVALID_FILE: u8 = 3;

#[derive(Parser)]
#[command(
    name = "exports-admin",
    version,
    about = "Operate practice-exports: provision, import, seed"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create every table, queue, key, bucket and sender the system uses (idempotent).
    Provision,
    /// Load clinical records from a JSON file (docs/import-format.md). The whole file is
    /// validated first; an invalid file writes nothing.
    Import {
        /// The records file.
        file: PathBuf,
        /// Only validate; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Generate a deterministic synthetic practice and import it (or write it as an import file);
    /// then create the demo job, template and scheduled report the sample events name.
    SeedDemo {
        #[arg(long, default_value_t = 6)]
        patients: usize,
        /// Sessions per patient.
        #[arg(long, default_value_t = 24)]
        sessions: usize,
        /// Words per progress note.
        #[arg(long, default_value_t = 300)]
        words: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Date of the last session (YYYY-MM-DD).
        #[arg(long, default_value = "2026-10-30")]
        end_date: NaiveDate,
        /// Write the import file here instead of importing it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write a manifest (JSON: therapists with their ids, names and patients' ids and
        /// MRNs) for scripts that drive the demo.
        #[arg(long)]
        manifest: Option<PathBuf>,
        /// The multilingual sample practice: the first nine patients named in nine scripts
        /// (Vietnamese, Greek, Chinese, Korean, Japanese, Arabic, Hebrew, Hindi, Thai), each
        /// progress note opening with a sentence in the patient's script; at least 9 patients.
        #[arg(long)]
        multilingual: bool,
    },
    /// Print a local HS256 JWT (signed with LOCAL_JWT_SECRET) that the local runner accepts.
    MintToken {
        /// The user id (`sub`); for a therapist, their therapist id.
        #[arg(long)]
        sub: String,
        /// Comma-separated groups (`cognito:groups`): therapist, admin.
        #[arg(long, default_value = "therapist", value_delimiter = ',')]
        groups: Vec<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl_seconds: i64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOG_LEVEL")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let names = ResourceNames::from_env();
    match cli.command {
        Command::Provision => {
            let sdk = exports_aws::config::load_sdk_config().await;
            let clients = AwsClients::new(&sdk);
            let kms = aws_sdk_kms::Client::new(&sdk);
            let started = Instant::now();
            let report = provision(&clients, &kms, &names, &WebAppOrigins::from_env()?).await?;
            print!("{report}");
            println!(
                "provisioned in {:.1} s; jobs queue {}",
                started.elapsed().as_secs_f64(),
                report.jobs_queue_url
            );
        }
        Command::Import { file, dry_run } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let data = match parse_practice(&bytes) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!(
                        "{}: invalid import file, nothing written:\n  - {e}",
                        file.display()
                    );
                    return Ok(ExitCode::from(EXIT_INVALID_FILE));
                }
            };
            if dry_run {
                // Without the store, therapists must all be in the file.
                return Ok(
                    match exports_core::validation::validate_practice(&data, &Default::default()) {
                        Ok(()) => {
                            println!(
                                "{}: valid ({} therapists, {} patients)",
                                file.display(),
                                data.therapists.len(),
                                data.patients.len()
                            );
                            ExitCode::SUCCESS
                        }
                        Err(e) => {
                            eprint!("{}: invalid import file:\n{e}", file.display());
                            ExitCode::from(EXIT_INVALID_FILE)
                        }
                    },
                );
            }
            return import(&names, &data, &file.display().to_string()).await;
        }
        Command::MintToken {
            sub,
            groups,
            ttl_seconds,
        } => {
            let secret = std::env::var("LOCAL_JWT_SECRET")
                .ok()
                .filter(|s| !s.is_empty())
                .context("LOCAL_JWT_SECRET must be set to the local runner's secret")?;
            let groups: Vec<String> = groups
                .into_iter()
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect();
            let ttl = chrono::Duration::seconds(ttl_seconds);
            println!(
                "{}",
                exports_local_env::tokens::mint(&secret, &sub, &groups, ttl)?
            );
        }
        Command::SeedDemo {
            patients,
            sessions,
            words,
            seed,
            end_date,
            out,
            manifest,
            multilingual,
        } => {
            let params = DemoParams {
                patients,
                sessions_per_patient: sessions,
                words_per_note: words,
                seed,
                end_date,
            };
            let data = if multilingual {
                multilingual_practice(&params)
            } else {
                generate(&params)
            };
            if let Some(path) = manifest {
                write_manifest(&data, &path)?;
            }
            if let Some(out) = out {
                let json = serde_json::to_vec_pretty(&data)?;
                std::fs::write(&out, &json)
                    .with_context(|| format!("writing {}", out.display()))?;
                println!(
                    "wrote {} ({} bytes): {} therapists, {} patients",
                    out.display(),
                    json.len(),
                    data.therapists.len(),
                    data.patients.len()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let code = import(&names, &data, &format!("demo practice (seed {seed})")).await?;
            if code != ExitCode::SUCCESS {
                return Ok(code);
            }
            return seed_objects(&names, &data, seed).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(
    names: &ResourceNames,
    data: &PracticeData,
    what: &str,
) -> anyhow::Result<ExitCode> {
    let clients = AwsClients::from_env().await;
    let store = DynamoRecords::new(clients.dynamodb, &names.records_table);
    let started = Instant::now();
    match store.import(data).await {
        Ok(r) => {
            print_report(
                what,
                &names.records_table,
                &r,
                started.elapsed().as_secs_f64(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Invalid(errors)) => {
            eprint!("{what}: invalid import file, nothing written:\n{errors}");
            Ok(ExitCode::from(EXIT_INVALID_FILE))
        }
        Err(ImportError::Store(e)) => Err(anyhow::anyhow!(
            "{what}: the store failed part-way ({e}); running the same import again completes it"
        )),
    }
}

/// The demo job, template, scheduled report and audit export the sample events in `events/` name.
async fn seed_objects(
    names: &ResourceNames,
    data: &PracticeData,
    seed: u64,
) -> anyhow::Result<ExitCode> {
    let clients = AwsClients::from_env().await;
    let config = ServiceConfig::from_env()?;
    let service = export_service(
        &clients,
        names,
        &config,
        Rendering {
            files: Arc::new(exports_render::AllFormats),
            template_checker: Arc::new(exports_documents::DocumentTemplates),
            mail: exports_aws::wiring::Mail::Ses,
        },
    )
    .await?;
    let made = seed_demo_objects(&service, data, seed).await.map_err(|e| {
        anyhow::anyhow!("seeding the demo job, template, schedule and audit export: {e}")
    })?;
    println!(
        "demo objects of therapist {}: job {} (completed), template {}, scheduled report {}; audit export {} (completed) of {}",
        made.therapist_id,
        made.job_id,
        made.template_id,
        made.schedule_id,
        made.audit_export_id,
        exports_synthetic::demo::DEMO_ADMIN
    );
    Ok(ExitCode::SUCCESS)
}

fn print_report(what: &str, table: &str, r: &ImportReport, seconds: f64) {
    println!(
        "imported {what} into {table} in {seconds:.1} s: {} therapists, {} patients, {} sessions, {} notes ({} items written, {} stale items deleted)",
        r.therapists, r.patients, r.sessions, r.notes, r.items_written, r.items_deleted
    );
}

/// Ids a demo script needs, without clinical content: therapists and their patients' ids/MRNs.
fn write_manifest(data: &PracticeData, path: &std::path::Path) -> anyhow::Result<()> {
    let therapists: Vec<serde_json::Value> = data
        .therapists
        .iter()
        .map(|t| {
            let patients: Vec<serde_json::Value> = data
                .patients
                .iter()
                .filter(|p| p.patient.assigned_therapist_ids.contains(&t.id))
                .map(|p| {
                    serde_json::json!({
                        "patient_id": p.patient.id,
                        "mrn": p.patient.mrn,
                        "first_session": p.sessions.first().map(|s| s.session.start_time.date_naive()),
                        "last_session": p.sessions.last().map(|s| s.session.start_time.date_naive()),
                        "session_ids": p.sessions.iter().take(3).map(|s| s.session.id).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({ "therapist_id": t.id, "name": t.name, "patients": patients })
        })
        .collect();
    let json = serde_json::to_vec_pretty(&serde_json::json!({ "therapists": therapists }))?;
    std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))
}
