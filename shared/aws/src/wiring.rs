//! Builds the core's [`ExportService`] over the AWS adapters, once per cold start.

use std::sync::Arc;
use std::time::Duration;

use exports_core::export::ExportFormat;
use exports_core::ports::{DocumentRenderer, SystemClock};
use exports_core::service::{ExportService, MAX_DOWNLOAD_URL_TTL, Ports, Settings};

use crate::audit_log::DynamoAuditLog;
use crate::config::{AwsClients, ResourceNames};
use crate::jobs_store::DynamoJobStore;
use crate::object_store::S3ObjectStore;
use crate::queue::SqsJobQueue;
use crate::rate_limiter::DynamoRateLimiter;
use crate::records_store::DynamoRecords;
use crate::resources::JOBS_QUEUE;

/// Default accepted exports per user per hour.
pub const DEFAULT_EXPORTS_PER_HOUR: u32 = 20;

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
                ..defaults
            },
            exports_per_hour,
        })
    }
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
    };
    let mut settings = config.settings.clone();
    settings.available_formats = vec![ExportFormat::Json, ExportFormat::Csv];
    settings.available_formats.extend(documents.formats());
    Ok(ExportService::new(ports, settings))
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
}
