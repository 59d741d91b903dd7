//! The audit CSV (`GET /api/v1/audit/logs/export`): one row per audit event, text cells
//! neutralised against spreadsheet formula injection (a user agent can be anything).

use exports_core::audit::AuditEvent;

use crate::neutralize_csv_cell;

/// The audit CSV's columns, in order.
pub const AUDIT_CSV_COLUMNS: [&str; 12] = [
    "event_id",
    "occurred_at",
    "action",
    "actor_id",
    "actor_role",
    "job_id",
    "patient_id",
    "export_type",
    "format",
    "source_ip",
    "user_agent",
    "reason",
];

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
