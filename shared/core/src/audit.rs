//! The audit trail: one append-only event per action on PHI, with who, what, when and from where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::export::{ExportFormat, ExportType};
use crate::identity::Caller;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// An export job was accepted.
    Created,
    /// A download URL was issued.
    Downloaded,
    Deleted,
    /// A job failed for good.
    Failed,
    /// A request was refused: no role, or a patient or job the caller may not see.
    Denied,
    RateLimited,
    /// A scheduled report was emailed.
    Emailed,
    /// Work that had stalled was taken up again: an export whose queue message was lost, queued
    /// again by the sweeper; a scheduled run whose lease lapsed, claimed again by the tick.
    Requeued,
    /// An administrator exported the audit log.
    AuditExported,
    /// A scheduled report was set up: from now on a patient's report is made and emailed.
    ScheduleCreated,
    /// A scheduled report was paused, resumed or changed (the reason says which).
    ScheduleChanged,
    ScheduleDeleted,
    /// A therapist's own export template was created, replaced or deleted.
    TemplateCreated,
    TemplateChanged,
    TemplateDeleted,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Downloaded => "downloaded",
            AuditAction::Deleted => "deleted",
            AuditAction::Failed => "failed",
            AuditAction::Denied => "denied",
            AuditAction::RateLimited => "rate_limited",
            AuditAction::Emailed => "emailed",
            AuditAction::Requeued => "requeued",
            AuditAction::AuditExported => "audit_exported",
            AuditAction::ScheduleCreated => "schedule_created",
            AuditAction::ScheduleChanged => "schedule_changed",
            AuditAction::ScheduleDeleted => "schedule_deleted",
            AuditAction::TemplateCreated => "template_created",
            AuditAction::TemplateChanged => "template_changed",
            AuditAction::TemplateDeleted => "template_deleted",
        }
    }
}

/// One audit event. `reason` is a code or fixed sentence, never PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub event_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub action: AuditAction,
    pub actor_id: String,
    pub actor_role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_type: Option<ExportType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ExportFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl AuditEvent {
    /// An event by an API caller.
    pub fn by(
        caller: &Caller,
        role: &'static str,
        action: AuditAction,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: Uuid::new_v4(),
            occurred_at: now,
            action,
            actor_id: caller.user_id.clone(),
            actor_role: role.to_string(),
            job_id: None,
            patient_id: None,
            export_type: None,
            format: None,
            source_ip: caller.source_ip.clone(),
            user_agent: caller.user_agent.clone(),
            reason: None,
        }
    }

    /// An event by the system itself (renderer, scheduler).
    pub fn system(actor: &str, action: AuditAction, now: DateTime<Utc>) -> Self {
        Self {
            event_id: Uuid::new_v4(),
            occurred_at: now,
            action,
            actor_id: actor.to_string(),
            actor_role: "system".into(),
            job_id: None,
            patient_id: None,
            export_type: None,
            format: None,
            source_ip: None,
            user_agent: None,
            reason: None,
        }
    }

    pub fn job(mut self, job: &crate::job::ExportJob) -> Self {
        self.job_id = Some(job.job_id);
        self.patient_id = Some(job.patient_id);
        self.export_type = Some(job.export_type);
        self.format = Some(job.format);
        self
    }

    /// The scheduled report acted on: its patient, export type and format, and a reason naming
    /// it (`schedule {id}: ` followed by `detail`), since the trail has no schedule column.
    pub fn schedule(mut self, s: &crate::scheduled_report::ScheduledReport, detail: &str) -> Self {
        self.patient_id = Some(s.patient_id);
        self.export_type = Some(s.export_type);
        self.format = Some(s.format);
        self.reason = Some(format!("schedule {}: {detail}", s.schedule_id));
        self
    }

    /// The template acted on: its export type and default format, and a reason naming it.
    pub fn template(mut self, t: &crate::template::ExportTemplate) -> Self {
        self.export_type = Some(t.export_type);
        self.format = Some(t.default_format);
        self.reason = Some(format!("template {}", t.template_id));
        self
    }

    pub fn patient(mut self, patient_id: Uuid) -> Self {
        self.patient_id = Some(patient_id);
        self
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// Which events an audit export covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub patient_id: Option<Uuid>,
    pub actor_id: Option<String>,
}
