//! Builds the core's [`ExportService`] over the AWS adapters, once per cold start.

use std::sync::Arc;

use exports_core::export::ExportFormat;
use exports_core::ports::{FileRenderer, MailedElsewhere, Mailer, SystemClock, TemplateChecker};
use exports_core::service::{ExportService, Ports, Settings};

use crate::audit_exports_store::DynamoAuditExportStore;
use crate::audit_log::DynamoAuditLog;
use crate::config::{AwsClients, ConfigError, ResourceNames, ServiceConfig, Waits};
use crate::jobs_store::DynamoJobStore;
#[cfg(feature = "ses")]
use crate::mailer::SesMailer;
use crate::object_store::S3ObjectStore;
use crate::queue::{SqsJobQueue, SqsRunQueue};
use crate::rate_limiter::DynamoRateLimiter;
use crate::records_store::DynamoRecords;
use crate::schedules_store::DynamoScheduleStore;
use crate::templates_store::DynamoTemplateStore;

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
    rendering: Rendering,
    waits: Waits,
) -> Result<ExportService, StartError> {
    let config = ServiceConfig::from_env()?;
    let clients = AwsClients::from_env_with(waits).await;
    Ok(export_service(&clients, &ResourceNames::from_env(), &config, rendering).await?)
}

/// What each function's `main` chooses: what renders files (the formats it lists are those
/// exports may ask for), what checks custom template bodies, and whether it sends mail. The API
/// renders nothing, so it links no PDF or DOCX code; only the scheduler sends mail.
#[derive(Clone)]
pub struct Rendering {
    pub files: Arc<dyn FileRenderer>,
    pub template_checker: Arc<dyn TemplateChecker>,
    pub mail: Mail,
}

/// How scheduled-report mail goes out from a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mail {
    /// Through SES (the scheduler; tools and tests): needs the `ses` feature.
    #[cfg(feature = "ses")]
    Ses,
    /// Not from this function ([`MailedElsewhere`]: sending fails): the API and the renderer,
    /// which then link no SES client.
    Elsewhere,
}

#[cfg_attr(not(feature = "ses"), allow(unused_variables))]
fn mailer(mail: Mail, clients: &AwsClients) -> Arc<dyn Mailer> {
    match mail {
        #[cfg(feature = "ses")]
        Mail::Ses => Arc::new(SesMailer::new(clients.ses.clone())),
        Mail::Elsewhere => Arc::new(MailedElsewhere),
    }
}

/// Every adapter, wired into the service.
pub async fn export_service(
    clients: &AwsClients,
    names: &ResourceNames,
    config: &ServiceConfig,
    rendering: Rendering,
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
        files: rendering.files.clone(),
        template_checker: rendering.template_checker,
        templates: Arc::new(DynamoTemplateStore::new(
            clients.dynamodb.clone(),
            &names.templates_table,
        )),
        schedules: Arc::new(DynamoScheduleStore::new(
            clients.dynamodb.clone(),
            &names.schedules_table,
        )),
        mailer: mailer(rendering.mail, clients),
        runs: Arc::new(SqsRunQueue::new(clients.sqs.clone(), &names.runs_queue)),
        audit_exports: Arc::new(DynamoAuditExportStore::new(
            clients.dynamodb.clone(),
            &names.control_table,
        )),
    };
    let settings = service_settings(config, names, rendering.files.formats());
    Ok(ExportService::new(ports, settings))
}

/// The service's settings: the configured tunables, the formats files are rendered in, and the
/// SES sender (`SES_SENDER`) as the scheduled reports' `From`.
pub fn service_settings(
    config: &ServiceConfig,
    names: &ResourceNames,
    formats: Vec<ExportFormat>,
) -> Settings {
    let mut settings = config.settings.clone();
    settings.available_formats = formats;
    settings.mail_from = names.ses_sender.clone();
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServiceConfig;

    #[test]
    fn mail_is_sent_from_the_ses_sender() {
        let config = ServiceConfig::from_lookup(|_| None).unwrap();
        let names = ResourceNames::with_prefix("acme");
        let s = service_settings(&config, &names, vec![ExportFormat::Csv, ExportFormat::Pdf]);
        assert_eq!(s.mail_from, "reports@acme.example.com");
        assert_eq!(s.mail_from, names.ses_sender);
        assert_eq!(
            s.available_formats,
            vec![ExportFormat::Csv, ExportFormat::Pdf]
        );
    }
}
