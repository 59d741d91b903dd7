//! Builds the core's [`ExportService`] over the AWS adapters, once per cold start.

use std::sync::Arc;
use std::time::Duration;

use exports_core::export::ExportFormat;
use exports_core::ports::{DocumentRenderer, SystemClock};
use exports_core::service::{ExportService, MAX_DOWNLOAD_URL_TTL, Ports, Settings};

use crate::audit_log::DynamoAuditLog;
use crate::config::{AwsClients, ResourceNames};
use crate::jobs_store::DynamoJobStore;
use crate::mailer::SesMailer;
use crate::object_store::S3ObjectStore;
use crate::queue::SqsJobQueue;
use crate::rate_limiter::DynamoRateLimiter;
use crate::records_store::DynamoRecords;
use crate::resources::JOBS_QUEUE;
use crate::schedules_store::DynamoScheduleStore;
use crate::templates_store::DynamoTemplateStore;

/// Default accepted exports per user per hour.
pub const DEFAULT_EXPORTS_PER_HOUR: u32 = 20;
/// Default largest export attached to a scheduled-report email (bigger ones go as a link).
pub const DEFAULT_MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
/// Default time a scheduler invocation holds a claimed run.
pub const DEFAULT_RUN_LEASE: Duration = Duration::from_secs(600);

/// A configuration value that cannot be used; reported at cold start, before any request.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError {
            variable,
            message: format!("not a number: {v:?}"),
        }),
    }
}

/// Tunables from the environment (README, "Configuration").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    pub settings: Settings,
    pub exports_per_hour: u32,
}

impl ServiceConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Settings::default();
        let ttl: u64 = number(
            &get,
            "DOWNLOAD_URL_TTL_SECONDS",
            defaults.download_url_ttl.as_secs(),
        )?;
        if ttl == 0 || ttl > MAX_DOWNLOAD_URL_TTL.as_secs() {
            return Err(ConfigError {
                variable: "DOWNLOAD_URL_TTL_SECONDS",
                message: format!("must be between 1 and {}", MAX_DOWNLOAD_URL_TTL.as_secs()),
            });
        }
        let lease: u64 = number(
            &get,
            "RENDER_LEASE_SECONDS",
            defaults.render_lease.as_secs(),
        )?;
        let exports_per_hour = number(&get, "EXPORTS_PER_HOUR", DEFAULT_EXPORTS_PER_HOUR)?;
        let app_base_url = match get("APP_BASE_URL") {
            None => defaults.app_base_url.clone(),
            Some(url) => {
                let url = url.trim().trim_end_matches('/').to_string();
                let host = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                if host.is_none_or(|h| h.is_empty() || h.chars().any(char::is_whitespace)) {
                    return Err(ConfigError {
                        variable: "APP_BASE_URL",
                        message: format!("not an http(s) URL: {url:?}"),
                    });
                }
                url
            }
        };
        let max_attachment_bytes: u64 =
            number(&get, "MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES)?;
        let run_lease: u64 = number(&get, "RUN_LEASE_SECONDS", DEFAULT_RUN_LEASE.as_secs())?;
        if run_lease == 0 {
            return Err(ConfigError {
                variable: "RUN_LEASE_SECONDS",
                message: "must be at least 1".into(),
            });
        }
        if exports_per_hour == 0 {
            return Err(ConfigError {
                variable: "EXPORTS_PER_HOUR",
                message: "must be at least 1".into(),
            });
        }
        Ok(Self {
            settings: Settings {
                download_url_ttl: Duration::from_secs(ttl),
                render_lease: Duration::from_secs(lease.max(1)),
                max_receive_count: number(&get, "MAX_RECEIVE_COUNT", JOBS_QUEUE.max_receive_count)?,
                app_base_url,
                max_attachment_bytes,
                run_lease: Duration::from_secs(run_lease),
                ..defaults
            },
            exports_per_hour,
        })
    }
}

/// Why a function could not start: bad configuration, or a resource it needs at cold start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cold start: {0}")]
    Port(#[from] exports_core::ports::PortError),
}

/// What every function's `main` does once per cold start: configuration and resource names from
/// the environment, the AWS clients, and the service over them.
pub async fn service_from_env(
    documents: Arc<dyn DocumentRenderer>,
) -> Result<ExportService, StartError> {
    let config = ServiceConfig::from_env()?;
    let clients = AwsClients::from_env().await;
    Ok(export_service(&clients, &ResourceNames::from_env(), &config, documents).await?)
}

/// Every adapter, wired into the service. `documents` renders PDF and DOCX (the formats it
/// lists become available through the API); JSON and CSV are always available.
pub async fn export_service(
    clients: &AwsClients,
    names: &ResourceNames,
    config: &ServiceConfig,
    documents: Arc<dyn DocumentRenderer>,
) -> Result<ExportService, exports_core::ports::PortError> {
    let queue_url = SqsJobQueue::resolve_url(&clients.sqs, &names.jobs_queue).await?;
    let ports = Ports {
        records: Arc::new(DynamoRecords::new(
            clients.dynamodb.clone(),
            &names.records_table,
        )),
        jobs: Arc::new(DynamoJobStore::new(
            clients.dynamodb.clone(),
            &names.jobs_table,
            &names.control_table,
        )),
        queue: Arc::new(SqsJobQueue::new(clients.sqs.clone(), queue_url)),
        ids: Arc::new(exports_core::ports::RandomIds),
        objects: Arc::new(S3ObjectStore::new(
            clients.s3.clone(),
            &names.exports_bucket,
            &names.kms_key,
        )),
        audit: Arc::new(DynamoAuditLog::new(
            clients.dynamodb.clone(),
            &names.audit_table,
        )),
        limiter: Arc::new(DynamoRateLimiter::new(
            clients.dynamodb.clone(),
            &names.control_table,
            config.exports_per_hour,
        )),
        clock: Arc::new(SystemClock),
        documents: documents.clone(),
        templates: Arc::new(DynamoTemplateStore::new(
            clients.dynamodb.clone(),
            &names.templates_table,
        )),
        schedules: Arc::new(DynamoScheduleStore::new(
            clients.dynamodb.clone(),
            &names.schedules_table,
        )),
        mailer: Arc::new(SesMailer::new(clients.ses.clone())),
    };
    let settings = service_settings(config, names, documents.formats());
    Ok(ExportService::new(ports, settings))
}

/// The service's settings: the configured tunables, the formats the renderer offers besides
/// JSON and CSV, and the SES sender (`SES_SENDER`) as the scheduled reports' `From`.
pub fn service_settings(
    config: &ServiceConfig,
    names: &ResourceNames,
    document_formats: Vec<ExportFormat>,
) -> Settings {
    let mut settings = config.settings.clone();
    settings.available_formats = vec![ExportFormat::Json, ExportFormat::Csv];
    settings.available_formats.extend(document_formats);
    settings.mail_from = names.ses_sender.clone();
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_lifetime_is_bounded_to_an_hour() {
        let cfg = |k: &'static str, v: &'static str| {
            ServiceConfig::from_lookup(move |x| (x == k).then(|| v.to_string()))
        };
        assert_eq!(
            cfg("X", "1").unwrap().settings.download_url_ttl,
            Duration::from_secs(300)
        );
        assert_eq!(
            cfg("DOWNLOAD_URL_TTL_SECONDS", "3600")
                .unwrap()
                .settings
                .download_url_ttl,
            Duration::from_secs(3600)
        );
        assert!(cfg("DOWNLOAD_URL_TTL_SECONDS", "3601").is_err());
        assert!(cfg("DOWNLOAD_URL_TTL_SECONDS", "five").is_err());
        assert_eq!(cfg("EXPORTS_PER_HOUR", "3").unwrap().exports_per_hour, 3);
    }

    fn one(k: &'static str, v: &'static str) -> Result<ServiceConfig, ConfigError> {
        ServiceConfig::from_lookup(move |x| (x == k).then(|| v.to_string()))
    }

    #[test]
    fn scheduling_settings_have_defaults() {
        let s = ServiceConfig::from_lookup(|_| None).unwrap().settings;
        assert_eq!(s.app_base_url, Settings::default().app_base_url);
        assert_eq!(s.max_attachment_bytes, 10_485_760);
        assert_eq!(s.run_lease, Duration::from_secs(600));
    }

    #[test]
    fn app_base_url_is_an_http_url_without_trailing_slash() {
        assert_eq!(
            one("APP_BASE_URL", "https://app.example.com/")
                .unwrap()
                .settings
                .app_base_url,
            "https://app.example.com"
        );
        assert_eq!(
            one("APP_BASE_URL", "http://localhost:3000")
                .unwrap()
                .settings
                .app_base_url,
            "http://localhost:3000"
        );
        for bad in [
            "app.example.com",
            "ftp://app.example.com",
            "https://",
            "https://a b",
        ] {
            let e = one("APP_BASE_URL", bad).unwrap_err();
            assert_eq!(e.variable, "APP_BASE_URL", "{bad}");
        }
    }

    #[test]
    fn attachment_limit_and_run_lease_are_numbers() {
        assert_eq!(
            one("MAX_ATTACHMENT_BYTES", "1000")
                .unwrap()
                .settings
                .max_attachment_bytes,
            1000
        );
        assert_eq!(
            one("MAX_ATTACHMENT_BYTES", "ten").unwrap_err().variable,
            "MAX_ATTACHMENT_BYTES"
        );
        assert_eq!(
            one("RUN_LEASE_SECONDS", "90").unwrap().settings.run_lease,
            Duration::from_secs(90)
        );
        assert_eq!(
            one("RUN_LEASE_SECONDS", "0").unwrap_err().variable,
            "RUN_LEASE_SECONDS"
        );
        assert_eq!(
            one("RUN_LEASE_SECONDS", "-5").unwrap_err().variable,
            "RUN_LEASE_SECONDS"
        );
    }

    #[test]
    fn mail_is_sent_from_the_ses_sender() {
        let config = ServiceConfig::from_lookup(|_| None).unwrap();
        let names = ResourceNames::with_prefix("acme");
        let s = service_settings(&config, &names, vec![ExportFormat::Pdf]);
        assert_eq!(s.mail_from, "reports@acme.example.com");
        assert_eq!(s.mail_from, names.ses_sender);
        assert_eq!(
            s.available_formats,
            vec![ExportFormat::Json, ExportFormat::Csv, ExportFormat::Pdf]
        );
    }
}
