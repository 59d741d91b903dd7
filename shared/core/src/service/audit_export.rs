//! `GET /api/v1/audit/logs/export`: the audit trail for administrators (the API writes it as CSV).

use super::requests::AuditExportQuery;
use super::{ExportService, ServiceError};
use crate::audit::{AuditAction, AuditEvent, AuditQuery};
use crate::identity::{Caller, Role};

impl ExportService {
    /// Events in the range, oldest first. The export itself is audited (after the query, so its
    /// own event is not among them).
    pub async fn export_audit_log(
        &self,
        caller: &Caller,
        query: &AuditExportQuery,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        // Checked before the role, as the query always was: a bad range is refused whoever asks.
        let query = query.resolve(self.ports.clock.now())?;
        self.require(caller, Role::Admin).await?;
        let events = self
            .ports
            .audit
            .query(&AuditQuery {
                from: query.from,
                to: query.to,
                patient_id: query.patient_id,
                actor_id: query.actor_id,
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
        Ok(events)
    }
}
