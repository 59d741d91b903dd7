//! `GET /api/v1/audit/logs/export`: the audit trail as CSV, for administrators.

use super::requests::AuditExportQuery;
use super::{ExportService, ServiceError};
use crate::audit::{AUDIT_CSV_COLUMNS, AuditAction, AuditEvent, AuditQuery};
use crate::identity::{Caller, Role};
use crate::render::neutralize_csv_cell;

impl ExportService {
    /// Events in the range, oldest first, as RFC 4180 CSV with a header row. The export itself
    /// is audited.
    pub async fn export_audit_log(
        &self,
        caller: &Caller,
        query: &AuditExportQuery,
    ) -> Result<Vec<u8>, ServiceError> {
        self.require(caller, Role::Admin).await?;
        let events = self
            .ports
            .audit
            .query(&AuditQuery {
                from: query.from,
                to: query.to,
                patient_id: query.patient_id,
                actor_id: query.actor_id.clone(),
            })
            .await?;
        let now = self.ports.clock.now();
        let mut event =
            AuditEvent::by(caller, "admin", AuditAction::AuditExported, now).reason(format!(
                "{} events from {} to {}",
                events.len(),
                query.from.to_rfc3339(),
                query.to.to_rfc3339()
            ));
        event.patient_id = query.patient_id;
        self.audit(event).await?;
        Ok(audit_csv(&events))
    }
}

/// The audit CSV: a header of [`AUDIT_CSV_COLUMNS`], then one row per event; text cells are
/// neutralised against spreadsheet formula injection (a user agent can be anything).
pub fn audit_csv(events: &[AuditEvent]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(AUDIT_CSV_COLUMNS)
        .expect("writing to memory");
    for e in events {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let row = [
            e.event_id.to_string(),
            e.occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            e.action.as_str().to_string(),
            e.actor_id.clone(),
            e.actor_role.clone(),
            opt(e.job_id.map(|j| j.to_string())),
            opt(e.patient_id.map(|p| p.to_string())),
            opt(e.export_type.map(|t| t.to_string())),
            opt(e.format.map(|f| f.to_string())),
            opt(e.source_ip.clone()),
            opt(e.user_agent.clone()),
            opt(e.reason.clone()),
        ];
        w.write_record(row.iter().map(|c| neutralize_csv_cell(c).into_owned()))
            .expect("writing to memory");
    }
    w.into_inner().expect("flushing to memory")
}
