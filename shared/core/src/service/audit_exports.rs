//! Audit exports as files: `POST /api/v1/audit/logs/exports` records the request and queues it,
//! the renderer writes the CSV to the object store, and `GET /api/v1/audit/logs/exports/{id}`
//! shows it with a short-lived download URL once it is written. Any range the synchronous
//! export accepts works here, however many events it holds.

use chrono::Duration;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::render::RenderOutcome;
use super::requests::{AuditExportQuery, hex};
use super::{ExportService, MAX_DOWNLOAD_URL_TTL, Resource, SWEEPER, ServiceError};
use crate::audit::{AuditAction, AuditEvent, AuditQuery};
use crate::audit_export::{AuditExport, AuditExportView};
use crate::export::JobStatus;
use crate::identity::{Caller, Role};
use crate::job::{JobError, JobFile, PENDING_GRACE};
use crate::ports::{PortError, StoredObject};

/// The actor of the renderer's audit events.
const RENDERER: &str = "renderer";
const CSV: &str = "text/csv; charset=utf-8";

/// Why a file could not be written.
enum Failure {
    /// Writing it again cannot help.
    Permanent(JobError),
    /// Worth another delivery of the message.
    Transient(PortError),
}

impl ExportService {
    /// `POST /api/v1/audit/logs/exports`: records the export `pending` and queues it. The range
    /// is resolved and checked as for the synchronous export, and the request is audited
    /// (`audit_exported`) before it is queued.
    pub async fn request_audit_export(
        &self,
        caller: &Caller,
        query: &AuditExportQuery,
    ) -> Result<AuditExportView, ServiceError> {
        // As for the synchronous export: a bad range is refused whoever asks.
        let range = query.resolve(self.ports.clock.now())?;
        self.require(caller, Role::Admin).await?;
        let now = self.ports.clock.now();
        let export = AuditExport::new(
            self.ports.ids.new_id(),
            caller.user_id.clone(),
            AuditQuery {
                from: range.from,
                to: range.to,
                patient_id: range.patient_id,
                actor_id: range.actor_id,
            },
            now,
        );
        self.ports.audit_exports.create(&export).await?;
        let mut event =
            AuditEvent::by(caller, "admin", AuditAction::AuditExported, now).reason(format!(
                "audit export {} requested: {} to {}",
                export.export_id,
                export.query.from.to_rfc3339(),
                export.query.to.to_rfc3339()
            ));
        event.patient_id = export.query.patient_id;
        let queued = match self.audit(event).await {
            Ok(()) => self
                .ports
                .queue
                .enqueue_audit_export(export.export_id)
                .await
                .map_err(ServiceError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = queued {
            // Never left pending with nothing to produce it: failed, visibly.
            let failed = AuditExport {
                status: JobStatus::Failed,
                error: Some(JobError {
                    code: "queue_unavailable".into(),
                    message: "the export could not be started; please request it again".into(),
                }),
                ..export
            };
            if let Err(put) = self.ports.audit_exports.put(&failed).await {
                tracing::error!(export_id = %failed.export_id, error = %put, "could not fail an abandoned audit export");
            }
            return Err(e);
        }
        Ok(export.view(now))
    }

    /// Writes the file of the audit export a queue message names (the renderer). `Done` when it
    /// is written, failed for good, or was finished already; a transient failure is an error
    /// (the message is delivered again) until `receive_count` reaches the queue's
    /// `max_receive_count`, when the export is marked failed.
    pub async fn produce_audit_export(
        &self,
        export_id: Uuid,
        receive_count: u32,
    ) -> Result<RenderOutcome, PortError> {
        let Some(export) = self.ports.audit_exports.get(export_id).await? else {
            tracing::warn!(export_id = %export_id, "no such audit export; message dropped");
            return Ok(RenderOutcome::Done);
        };
        if !export.status.is_in_flight() {
            return Ok(RenderOutcome::Done);
        }
        let error = match self.write_audit_file(&export).await {
            Ok(done) => {
                self.ports.audit_exports.put(&done).await?;
                tracing::info!(export_id = %export_id, events = done.events, "audit export written");
                return Ok(RenderOutcome::Done);
            }
            Err(Failure::Permanent(error)) => error,
            Err(Failure::Transient(e)) if receive_count < self.settings.max_receive_count => {
                return Err(e);
            }
            Err(Failure::Transient(e)) => JobError {
                code: "audit_export_failed".into(),
                message: format!(
                    "the audit export could not be written after {receive_count} attempts ({})",
                    super::port_error_code(&e)
                ),
            },
        };
        let now = self.ports.clock.now();
        let code = error.code.clone();
        let failed = AuditExport {
            status: JobStatus::Failed,
            completed_at: Some(now),
            error: Some(error),
            ..export
        };
        self.ports
            .audit
            .record(
                &AuditEvent::system(RENDERER, AuditAction::Failed, now)
                    .reason(format!("audit export {export_id}: {code}")),
            )
            .await?;
        self.ports.audit_exports.put(&failed).await?;
        tracing::warn!(export_id = %export_id, code, "audit export failed");
        Ok(RenderOutcome::Done)
    }

    /// Queries the range, writes the CSV and gives back the export as completed.
    async fn write_audit_file(&self, export: &AuditExport) -> Result<AuditExport, Failure> {
        let events = self
            .ports
            .audit
            .query(&export.query)
            .await
            .map_err(|e| match e {
                PortError::Corrupt(_) => Failure::Permanent(JobError {
                    code: "audit_unreadable".into(),
                    message: "stored audit events could not be read".into(),
                }),
                other => Failure::Transient(other),
            })?;
        let bytes = self.ports.files.audit_csv(&events).map_err(|m| {
            Failure::Permanent(JobError {
                code: "render_failed".into(),
                message: m,
            })
        })?;
        let key = export.object_key();
        let filename = export.filename();
        self.ports
            .objects
            .put(StoredObject {
                key: &key,
                bytes: &bytes,
                content_type: CSV,
                filename: &filename,
            })
            .await
            .map_err(Failure::Transient)?;
        let now = self.ports.clock.now();
        Ok(AuditExport {
            status: JobStatus::Completed,
            completed_at: Some(now),
            expires_at: Some(AuditExport::expiry(now)),
            events: Some(events.len() as u64),
            error: None,
            file: Some(JobFile {
                key,
                filename,
                content_type: CSV.into(),
                size_bytes: bytes.len() as u64,
                sha256: hex(&Sha256::digest(&bytes)),
                warnings: Vec::new(),
            }),
            ..export.clone()
        })
    }

    /// A pending audit export not picked up [`PENDING_GRACE`] after it was queued lost its queue
    /// message (never sent, or gone): polling it queues it again, audited `requeued` (actor
    /// `sweeper`), as the sweeper does for export jobs. Producing the file twice is harmless.
    async fn requeue_if_lost(
        &self,
        export: AuditExport,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<AuditExport, ServiceError> {
        let queued_at = export.requeued_at.unwrap_or(export.created_at);
        if export.status != JobStatus::Pending || queued_at + PENDING_GRACE > now {
            return Ok(export);
        }
        let again = AuditExport {
            requeued_at: Some(now),
            ..export
        };
        // Recorded before it is sent: if the send fails, the next poll after the grace retries.
        self.ports.audit_exports.put(&again).await?;
        self.ports
            .queue
            .enqueue_audit_export(again.export_id)
            .await?;
        let mut event = AuditEvent::system(SWEEPER, AuditAction::Requeued, now).reason(format!(
            "audit export {}: queued again, not picked up (its queue message was lost)",
            again.export_id
        ));
        event.patient_id = again.query.patient_id;
        self.audit(event).await?;
        tracing::info!(export_id = %again.export_id, "stalled audit export queued again");
        Ok(again)
    }

    /// `GET /api/v1/audit/logs/exports/{id}`: the caller's own audit export; once completed,
    /// with a short-lived download URL (audited as `downloaded`). Another administrator's, like
    /// an unknown one, is an audited 404.
    pub async fn get_audit_export(
        &self,
        caller: &Caller,
        export_id: Uuid,
    ) -> Result<AuditExportView, ServiceError> {
        self.require(caller, Role::Admin).await?;
        let export = match self.ports.audit_exports.get(export_id).await? {
            Some(e) if e.requested_by == caller.user_id => e,
            _ => {
                let reason = format!("audit export {export_id} not found or not the caller's");
                return Err(self
                    .denied_as(
                        caller,
                        Role::Admin,
                        &reason,
                        Resource::AuditExport.not_found(),
                    )
                    .await);
            }
        };
        let now = self.ports.clock.now();
        let export = self.requeue_if_lost(export, now).await?;
        let mut view = export.view(now);
        let (Some(file), Some(expires_at)) = (&export.file, export.expires_at) else {
            return Ok(view);
        };
        if view.status != JobStatus::Completed {
            return Ok(view);
        }
        // The URL never outlives the export itself.
        let ttl = self
            .settings
            .download_url_ttl
            .min(MAX_DOWNLOAD_URL_TTL)
            .min((expires_at - now).to_std().unwrap_or_default())
            .max(std::time::Duration::from_secs(1));
        let url = self
            .ports
            .objects
            .presign_get(&file.key, &file.filename, ttl)
            .await?;
        let mut event = AuditEvent::by(caller, "admin", AuditAction::Downloaded, now)
            .reason(format!("audit export {export_id}"));
        event.patient_id = export.query.patient_id;
        self.audit(event).await?;
        view.download_url = Some(url);
        view.download_url_expires_at = Some(now + Duration::from_std(ttl).unwrap_or_default());
        Ok(view)
    }
}
