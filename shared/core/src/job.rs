//! Export jobs: what was asked for, where it is in its life, and the file it produced.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::export::{ExportFormat, ExportType, JobStatus};
use crate::params::ExportParams;

/// How long a finished export can be downloaded.
pub const FILE_LIFETIME: Duration = Duration::days(7);
/// How long the job row is kept (DynamoDB TTL) after its file expires, for history and audit.
pub const JOB_ROW_RETENTION: Duration = Duration::days(35);

/// A pending job not picked up this long after it was queued has lost its queue message (never
/// sent, or lost): the sweeper queues it again. Long enough that a queue backlog is not mistaken
/// for a lost message (the queue's age-of-oldest-message alarm watches backlogs).
pub const PENDING_GRACE: Duration = Duration::minutes(30);
/// A processing job whose lease ended this long ago has lost its message too: SQS would have
/// delivered it again within the jobs queue's visibility timeout (6 minutes).
pub const LEASE_GRACE: Duration = Duration::minutes(15);

/// When the sweeper looks at an in-flight job: [`PENDING_GRACE`] after it was queued (created or
/// queued again), [`LEASE_GRACE`] after a renderer's lease ends. Stores index in-flight jobs by
/// this instant; a job that is no longer in flight has none.
pub fn sweep_at_queued(queued_at: DateTime<Utc>) -> DateTime<Utc> {
    queued_at + PENDING_GRACE
}

/// See [`sweep_at_queued`].
pub fn sweep_at_lease_end(lease_until: DateTime<Utc>) -> DateTime<Utc> {
    lease_until + LEASE_GRACE
}

/// The stored job. Its API representation is [`JobView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportJob {
    pub job_id: Uuid,
    /// The requesting user (the token's `sub`).
    pub user_id: String,
    pub export_type: ExportType,
    pub format: ExportFormat,
    pub status: JobStatus,
    pub patient_id: Uuid,
    pub params: ExportParams,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<JobError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<JobFile>,
    /// Render attempts so far.
    #[serde(default)]
    pub attempts: u32,
    /// Who requested it: a user through the API, or a schedule.
    #[serde(default)]
    pub origin: JobOrigin,
    /// Fingerprint of the request, for `Idempotency-Key` replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_hash: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobOrigin {
    #[default]
    Api,
    Schedule {
        schedule_id: Uuid,
    },
}

/// Why a job failed. Never holds PHI: codes and fixed sentences only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    pub code: String,
    pub message: String,
}

/// The rendered file in the object store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    /// Object key: `exports/{user_id}/{job_id}/{filename}`.
    pub key: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
    /// Hex SHA-256 of the bytes stored.
    pub sha256: String,
    /// What the file could not show as the record has it (empty when it shows everything).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<FileWarning>,
}

/// Something the file could not show as the record has it, counted. Never holds PHI: a code,
/// a count and a fixed sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileWarning {
    /// Stable: [`FileWarning::UNSUPPORTED_CHARACTERS`].
    pub code: String,
    pub count: u64,
    pub message: String,
}

impl FileWarning {
    /// Characters no embedded font can draw; each is printed as a visible placeholder.
    pub const UNSUPPORTED_CHARACTERS: &'static str = "unsupported_characters";

    pub fn unsupported_characters(count: u64) -> Self {
        Self {
            code: Self::UNSUPPORTED_CHARACTERS.into(),
            count,
            message: format!(
                "{count} character{} could not be drawn with the document's fonts and {} printed as a placeholder ({}); the JSON and CSV exports hold the text as recorded",
                if count == 1 { "" } else { "s" },
                if count == 1 { "is" } else { "are" },
                char::REPLACEMENT_CHARACTER,
            ),
        }
    }
}

impl ExportJob {
    pub fn new(
        job_id: Uuid,
        user_id: String,
        export_type: ExportType,
        format: ExportFormat,
        patient_id: Uuid,
        params: ExportParams,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            job_id,
            user_id,
            export_type,
            format,
            status: JobStatus::Pending,
            patient_id,
            params,
            created_at: now,
            started_at: None,
            completed_at: None,
            expires_at: None,
            error: None,
            file: None,
            attempts: 0,
            origin: JobOrigin::Api,
            request_hash: None,
        }
    }

    /// The status a caller sees at `now`: a completed job whose file has expired is `expired`,
    /// to the second, whatever the lifecycle rule has or has not deleted yet.
    pub fn status_at(&self, now: DateTime<Utc>) -> JobStatus {
        match (self.status, self.expires_at) {
            (JobStatus::Completed, Some(expires)) if now >= expires => JobStatus::Expired,
            (status, _) => status,
        }
    }

    /// Object key of the file for this job.
    pub fn object_key(&self, filename: &str) -> String {
        format!("exports/{}/{}/{}", self.user_id, self.job_id, filename)
    }

    /// Epoch seconds after which the job row may be deleted (DynamoDB TTL).
    pub fn row_ttl(&self) -> i64 {
        let end = self.expires_at.unwrap_or(self.created_at + FILE_LIFETIME);
        (end + JOB_ROW_RETENTION).timestamp()
    }

    pub fn view(&self, now: DateTime<Utc>) -> JobView {
        JobView {
            job_id: self.job_id,
            export_type: self.export_type,
            format: self.format,
            status: self.status_at(now),
            patient_id: self.patient_id,
            created_at: self.created_at,
            started_at: self.started_at,
            completed_at: self.completed_at,
            expires_at: self.expires_at,
            error: self.error.clone(),
            file: self
                .file
                .as_ref()
                .filter(|_| self.status_at(now) == JobStatus::Completed)
                .map(|f| FileView {
                    filename: f.filename.clone(),
                    content_type: f.content_type.clone(),
                    size_bytes: f.size_bytes,
                    sha256: f.sha256.clone(),
                }),
            warnings: self
                .file
                .as_ref()
                .map(|f| f.warnings.clone())
                .unwrap_or_default(),
            parameters: self.params.clone(),
            schedule_id: match self.origin {
                JobOrigin::Api => None,
                JobOrigin::Schedule { schedule_id } => Some(schedule_id),
            },
        }
    }
}

/// A job as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub job_id: Uuid,
    pub export_type: ExportType,
    pub format: ExportFormat,
    pub status: JobStatus,
    pub patient_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JobError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileView>,
    /// What the file could not show as the record has it, by code (empty when it shows
    /// everything, and until the job completes).
    pub warnings: Vec<FileWarning>,
    /// The validated request parameters.
    pub parameters: ExportParams,
    /// The scheduled report that made it; `null` for exports requested through the API.
    pub schedule_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn job() -> ExportJob {
        let now = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
        ExportJob::new(
            Uuid::nil(),
            "u1".into(),
            ExportType::FullRecord,
            ExportFormat::Json,
            Uuid::nil(),
            ExportParams::default(),
            now,
        )
    }

    #[test]
    fn a_completed_job_expires_to_the_second() {
        let mut j = job();
        let expires = j.created_at + FILE_LIFETIME;
        j.status = JobStatus::Completed;
        j.expires_at = Some(expires);
        assert_eq!(
            j.status_at(expires - Duration::seconds(1)),
            JobStatus::Completed
        );
        assert_eq!(j.status_at(expires), JobStatus::Expired);
        assert_eq!(j.view(expires).status, JobStatus::Expired);
    }

    #[test]
    fn the_row_outlives_the_file_by_weeks() {
        let mut j = job();
        j.expires_at = Some(j.created_at + FILE_LIFETIME);
        assert_eq!(
            j.row_ttl(),
            (j.created_at + FILE_LIFETIME + JOB_ROW_RETENTION).timestamp()
        );
        assert_eq!(
            j.object_key("a.csv"),
            format!("exports/u1/{}/a.csv", Uuid::nil())
        );
    }
}
