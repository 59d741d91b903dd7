//! The use cases, each one method of [`ExportService`] over the ports. The API and renderer
//! functions are thin shells around these; in-memory ports make them unit-testable.

mod audit_export;
mod audit_exports;
mod error;
mod jobs;
mod render;
pub mod requests;
mod scheduled_reports;
mod scheduler_tick;
mod sweeper;
mod templates;

use std::sync::Arc;
use std::time::Duration;

pub use error::ServiceError;
pub use jobs::{Accepted, Download, JobList};
pub use render::{FileStats, RenderOutcome, RenderReport, RenderResult, port_error_code};
pub use scheduled_reports::ScheduleList;
pub use scheduler_tick::{
    CLAIM_CONCURRENCY, DUE_PAGE, MAX_RUN_ATTEMPTS, RunOutcome, RunReport, TickSummary,
};
pub use sweeper::{SWEEP_PAGE, SWEEPER, SweepSummary};
pub use templates::TemplateList;

use crate::audit::AuditEvent;
use crate::export::ExportFormat;
use crate::identity::{Caller, Role};
use crate::ports::{
    AuditExportStore, AuditLog, Clock, FileRenderer, IdSource, JobQueue, JobStore, Mailer,
    ObjectStore, RateLimiter, RecordSource, RunQueue, ScheduleStore, TemplateChecker,
    TemplateStore,
};

/// Accepted exports per user per clock hour unless configured (`EXPORTS_PER_HOUR`).
pub const DEFAULT_EXPORTS_PER_HOUR: u32 = 20;

/// Longest presigned download URL lifetime allowed.
pub const MAX_DOWNLOAD_URL_TTL: Duration = Duration::from_secs(3600);

/// Tunables, from the environment in the functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Lifetime of presigned download URLs (default 5 minutes, at most 1 hour).
    pub download_url_ttl: Duration,
    /// How long a renderer holds a job before another may take it over.
    pub render_lease: Duration,
    /// SQS receives after which a failing job is marked failed (the queue's maxReceiveCount).
    pub max_receive_count: u32,
    /// Formats that can be rendered.
    pub available_formats: Vec<ExportFormat>,
    /// `Retry-After` suggested while a job is pending or processing, in seconds.
    pub poll_after_seconds: u64,
    /// The web app's address; emails link to `{app_base_url}/exports/{job_id}`.
    pub app_base_url: String,
    /// The sender of scheduled-report emails (an SES-verified identity).
    pub mail_from: String,
    /// Largest file attached to an email; bigger ones are sent as a link.
    pub max_attachment_bytes: u64,
    /// Largest whole message the mail service accepts (SES `SendRawEmail`: 10 MB, counted after
    /// base64); a file whose encoding would not fit is sent as a link too.
    pub max_message_bytes: u64,
    /// How long a scheduler invocation holds a claimed run before another may take it over.
    pub run_lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            download_url_ttl: Duration::from_secs(300),
            render_lease: Duration::from_secs(120),
            max_receive_count: 5,
            available_formats: vec![ExportFormat::Json, ExportFormat::Csv],
            poll_after_seconds: 2,
            app_base_url: "http://localhost:3000".into(),
            mail_from: "reports@practice-exports.invalid".into(),
            max_attachment_bytes: 10 * 1024 * 1024,
            max_message_bytes: 10 * 1024 * 1024,
            run_lease: Duration::from_secs(600),
        }
    }
}

/// The ports the use cases need, built once per cold start.
#[derive(Clone)]
pub struct Ports {
    pub records: Arc<dyn RecordSource>,
    pub jobs: Arc<dyn JobStore>,
    pub queue: Arc<dyn JobQueue>,
    pub objects: Arc<dyn ObjectStore>,
    pub audit: Arc<dyn AuditLog>,
    pub limiter: Arc<dyn RateLimiter>,
    pub clock: Arc<dyn Clock>,
    /// Ids of new jobs, templates and scheduled reports.
    pub ids: Arc<dyn IdSource>,
    /// Report → file, in every format the deployment offers.
    pub files: Arc<dyn FileRenderer>,
    /// Checks custom template bodies.
    pub template_checker: Arc<dyn TemplateChecker>,
    pub templates: Arc<dyn TemplateStore>,
    pub schedules: Arc<dyn ScheduleStore>,
    pub mailer: Arc<dyn Mailer>,
    /// Scheduled runs the tick claimed, waiting for a worker.
    pub runs: Arc<dyn RunQueue>,
    /// Audit exports requested through the API and produced by the renderer.
    pub audit_exports: Arc<dyn AuditExportStore>,
}

/// What a path id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Job,
    Template,
    Schedule,
    AuditExport,
}

impl Resource {
    fn name(self) -> &'static str {
        match self {
            Resource::Job => "job",
            Resource::Template => "template",
            Resource::Schedule => "scheduled report",
            Resource::AuditExport => "audit export",
        }
    }

    /// The role that may see resources of this kind.
    fn role(self) -> Role {
        match self {
            Resource::AuditExport => Role::Admin,
            _ => Role::Therapist,
        }
    }

    /// The answer for an id of this resource the caller may not see: the same whether it is
    /// unknown, someone else's or malformed.
    pub fn not_found(self) -> ServiceError {
        match self {
            Resource::Job => ServiceError::not_found("job_not_found", "no such job"),
            Resource::Template => ServiceError::not_found("template_not_found", "no such template"),
            Resource::Schedule => {
                ServiceError::not_found("schedule_not_found", "no such scheduled report")
            }
            Resource::AuditExport => {
                ServiceError::not_found("audit_export_not_found", "no such audit export")
            }
        }
    }
}

#[derive(Clone)]
pub struct ExportService {
    pub ports: Ports,
    pub settings: Settings,
}

impl ExportService {
    pub fn new(ports: Ports, settings: Settings) -> Self {
        Self { ports, settings }
    }

    /// Records an audit event. The audit trail is part of the contract: if it cannot be written
    /// the action fails rather than happening unaudited.
    async fn audit(&self, event: AuditEvent) -> Result<(), ServiceError> {
        self.ports
            .audit
            .record(&event)
            .await
            .map_err(ServiceError::from)
    }

    /// Audits a refusal (`denied`, with `reason`; never PHI) and gives back the error to answer.
    /// If the audit log cannot record it, the answer is `503` instead: a denial is not answered
    /// unaudited.
    async fn denied(&self, caller: &Caller, reason: &str, error: ServiceError) -> ServiceError {
        self.denied_as(caller, Role::Therapist, reason, error).await
    }

    /// [`Self::denied`] of a caller acting in `role` (recorded as the event's role).
    async fn denied_as(
        &self,
        caller: &Caller,
        role: Role,
        reason: &str,
        error: ServiceError,
    ) -> ServiceError {
        let event = AuditEvent::by(
            caller,
            caller.audit_role(role),
            crate::audit::AuditAction::Denied,
            self.ports.clock.now(),
        )
        .reason(reason);
        match self.audit(event).await {
            Ok(()) => error,
            Err(unrecorded) => unrecorded,
        }
    }

    /// A path id that is not a UUID names nothing the caller may see: refused and audited like an
    /// unknown id of that resource (after the role check, as for any id).
    pub async fn refuse_malformed_id(&self, caller: &Caller, resource: Resource) -> ServiceError {
        if let Err(e) = self.require(caller, resource.role()).await {
            return e;
        }
        let reason = format!("malformed {} id", resource.name());
        self.denied_as(caller, resource.role(), &reason, resource.not_found())
            .await
    }

    /// Refuses (and audits) a caller without `role`. Every use case starts with it; the API calls
    /// it too before answering a request whose input it could not read, so that a caller without
    /// the role is refused (and audited) whatever they sent.
    pub async fn require(&self, caller: &Caller, role: Role) -> Result<(), ServiceError> {
        if caller.has(role) {
            return Ok(());
        }
        let now = self.ports.clock.now();
        let reason = format!("missing role {}", role.as_str());
        self.audit(
            AuditEvent::by(
                caller,
                caller.audit_role(role),
                crate::audit::AuditAction::Denied,
                now,
            )
            .reason(&reason),
        )
        .await?;
        Err(ServiceError::Forbidden(format!(
            "the {} role is required",
            role.as_str()
        )))
    }
}
