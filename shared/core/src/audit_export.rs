//! Audit exports: the audit trail for a range, written as a CSV file by the renderer and
//! downloaded like any export (encrypted in S3, a short-lived presigned URL, expiring after
//! [`FILE_LIFETIME`]). The record is what the API shows while the file is being made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::AuditQuery;
use crate::export::JobStatus;
use crate::job::{FILE_LIFETIME, FileView, JobError, JobFile};

/// How long the record is kept while its file is still being made: a producer that never ran
/// leaves a record that expires on its own.
pub const IN_FLIGHT_RETENTION: chrono::Duration = chrono::Duration::days(8);
/// How long the record outlives the file (DynamoDB TTL), so a late poll still sees `expired`.
pub const RECORD_RETENTION: chrono::Duration = chrono::Duration::days(1);

/// One requested audit export, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExport {
    pub export_id: Uuid,
    /// The administrator who asked (the token's `sub`); only they see it.
    pub requested_by: String,
    /// The range and filters, resolved when it was requested.
    pub query: AuditQuery,
    /// `pending` until the file is written, then `completed` (or `failed`).
    pub status: JobStatus,
    pub created_at: DateTime<Utc>,
    /// When it was last put on the queue again because its message was lost (see
    /// `ExportService::get_audit_export`); `None`: queued once, when it was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requeued_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<JobFile>,
    /// Events in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<JobError>,
}

impl AuditExport {
    pub fn new(
        export_id: Uuid,
        requested_by: String,
        query: AuditQuery,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            export_id,
            requested_by,
            query,
            status: JobStatus::Pending,
            created_at: now,
            requeued_at: None,
            completed_at: None,
            expires_at: None,
            file: None,
            events: None,
            error: None,
        }
    }

    /// The status a caller sees at `now`: a completed export whose file has expired is
    /// `expired`, to the second, as for export jobs.
    pub fn status_at(&self, now: DateTime<Utc>) -> JobStatus {
        match (self.status, self.expires_at) {
            (JobStatus::Completed, Some(expires)) if now >= expires => JobStatus::Expired,
            (status, _) => status,
        }
    }

    /// The file's name: `audit-log_{from}_{to}.csv` (dates, UTC).
    pub fn filename(&self) -> String {
        format!(
            "audit-log_{}_{}.csv",
            self.query.from.format("%Y-%m-%d"),
            self.query.to.format("%Y-%m-%d")
        )
    }

    /// Object key: `exports/audit/{requested_by}/{export_id}/{filename}`, under the `exports/`
    /// prefix whose lifecycle rule deletes files after [`FILE_LIFETIME`].
    pub fn object_key(&self) -> String {
        format!(
            "exports/audit/{}/{}/{}",
            self.requested_by,
            self.export_id,
            self.filename()
        )
    }

    /// When a file completed at `completed_at` stops being downloadable.
    pub fn expiry(completed_at: DateTime<Utc>) -> DateTime<Utc> {
        completed_at + FILE_LIFETIME
    }

    /// Epoch seconds after which the record may be deleted (DynamoDB TTL): a day after the file
    /// expires, or after [`IN_FLIGHT_RETENTION`] while none was made.
    pub fn record_ttl(&self) -> i64 {
        let end = self
            .expires_at
            .unwrap_or(self.created_at + IN_FLIGHT_RETENTION);
        (end + RECORD_RETENTION).timestamp()
    }

    /// The API's view at `now`, without a download URL (the use case adds it).
    pub fn view(&self, now: DateTime<Utc>) -> AuditExportView {
        let status = self.status_at(now);
        AuditExportView {
            export_id: self.export_id,
            status,
            from: self.query.from,
            to: self.query.to,
            patient_id: self.query.patient_id,
            actor_id: self.query.actor_id.clone(),
            created_at: self.created_at,
            completed_at: self.completed_at,
            expires_at: self.expires_at,
            events: self.events,
            error: self.error.clone(),
            file: self
                .file
                .as_ref()
                .filter(|_| status == JobStatus::Completed)
                .map(|f| FileView {
                    filename: f.filename.clone(),
                    content_type: f.content_type.clone(),
                    size_bytes: f.size_bytes,
                    sha256: f.sha256.clone(),
                }),
            download_url: None,
            download_url_expires_at: None,
        }
    }
}

/// An audit export as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditExportView {
    pub export_id: Uuid,
    pub status: JobStatus,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub patient_id: Option<Uuid>,
    pub actor_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// When the file stops being downloadable.
    pub expires_at: Option<DateTime<Utc>>,
    /// Events in the file, once it is written.
    pub events: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JobError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileView>,
    /// While completed: a short-lived URL that downloads the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// When `download_url` stops working.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url_expires_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn export() -> AuditExport {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        AuditExport::new(
            Uuid::nil(),
            "admin-1".into(),
            AuditQuery {
                from: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                to: Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 59).unwrap(),
                patient_id: None,
                actor_id: None,
            },
            now,
        )
    }

    #[test]
    fn the_file_is_named_by_its_range_under_the_expiring_prefix() {
        let e = export();
        assert_eq!(e.filename(), "audit-log_2026-01-01_2026-11-30.csv");
        assert_eq!(
            e.object_key(),
            format!(
                "exports/audit/admin-1/{}/audit-log_2026-01-01_2026-11-30.csv",
                Uuid::nil()
            )
        );
    }

    #[test]
    fn a_completed_export_expires_and_its_record_a_day_later() {
        let mut e = export();
        assert_eq!(
            e.record_ttl(),
            (e.created_at + IN_FLIGHT_RETENTION + RECORD_RETENTION).timestamp()
        );
        let done = e.created_at + chrono::Duration::minutes(1);
        e.status = JobStatus::Completed;
        e.completed_at = Some(done);
        e.expires_at = Some(AuditExport::expiry(done));
        assert_eq!(e.expires_at, Some(done + FILE_LIFETIME));
        assert_eq!(
            e.record_ttl(),
            (done + FILE_LIFETIME + RECORD_RETENTION).timestamp()
        );
        let expires = done + FILE_LIFETIME;
        assert_eq!(
            e.status_at(expires - chrono::Duration::seconds(1)),
            JobStatus::Completed
        );
        assert_eq!(e.view(expires).status, JobStatus::Expired);
    }
}
