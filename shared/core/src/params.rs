//! What an export request asks for, as validated by the API and stored on the job.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::export::ExportType;

/// The sections each export type can include (`include_sections`); all of them by default.
pub fn known_sections(export_type: ExportType) -> &'static [&'static str] {
    match export_type {
        ExportType::SessionNotes => &[
            "session_details",
            "clinician",
            "topics",
            "mood",
            "subjective",
            "objective",
            "assessment",
            "plan",
        ],
        ExportType::ProgressReport => &[
            "demographics",
            "goals",
            "attendance",
            "topics",
            "mood",
            "assessments",
        ],
        ExportType::TreatmentSummary => &[
            "diagnoses",
            "treatment_plan",
            "goals",
            "interventions",
            "session_statistics",
            "assessments",
            "prognosis",
        ],
        // A full record is everything; the request has no include_sections.
        ExportType::FullRecord => &[
            "demographics",
            "diagnoses",
            "treatment_plans",
            "sessions",
            "assessments",
            "attachments",
            "timeline",
        ],
    }
}

/// The validated parameters of one export, stored on its job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportParams {
    /// Session notes: exactly these sessions (in chronological order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_ids: Option<Vec<Uuid>>,
    /// Session notes (optional) and progress report (required): sessions whose start falls on
    /// these dates, inclusive, in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// `None`: every section of the export type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_sections: Option<Vec<String>>,
    /// Full record: include psychotherapy notes the requester wrote.
    #[serde(default)]
    pub include_psychotherapy_notes: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Uuid>,
}

impl ExportParams {
    /// Whether `section` (one of [`known_sections`]) is in the export.
    pub fn includes(&self, section: &str) -> bool {
        self.include_sections
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == section))
    }
}
