//! The export vocabulary kept from the predecessor system (its ENUMs), so the web app keeps working.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire and storage spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownVariant {
                        kind: stringify!($name),
                        allowed: &[$($text),+],
                    }),
                }
            }
        }
    };
}

/// A string that is not one of a vocabulary's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: {}", allowed.join(", "))]
pub struct UnknownVariant {
    pub kind: &'static str,
    pub allowed: &'static [&'static str],
}

vocabulary!(
    /// What is exported.
    ExportType {
        SessionNotes => "session_notes",
        ProgressReport => "progress_report",
        TreatmentSummary => "treatment_summary",
        FullRecord => "full_record",
    }
);

vocabulary!(
    /// The file format of an export.
    ExportFormat {
        Pdf => "pdf",
        Docx => "docx",
        Json => "json",
        Csv => "csv",
    }
);

vocabulary!(
    /// Where an export job is in its life.
    JobStatus {
        Pending => "pending",
        Processing => "processing",
        Completed => "completed",
        Failed => "failed",
        Expired => "expired",
        Deleted => "deleted",
    }
);

vocabulary!(
    /// How often a scheduled report runs.
    ScheduleType {
        Daily => "daily",
        Weekly => "weekly",
        Monthly => "monthly",
    }
);

vocabulary!(
    /// Paper size of printable exports.
    PageSize {
        Letter => "letter",
        A4 => "a4",
    }
);

vocabulary!(
    /// How a scheduled report reaches the therapist: `email_link` (the default) is an email with
    /// no PHI linking to the job's page in the app; `email_attachment` (explicit opt-in) attaches
    /// the file, or links when it is over the attachment limit.
    Delivery {
        EmailLink => "email_link",
        EmailAttachment => "email_attachment",
    }
);

vocabulary!(
    /// The outcome of a scheduled report's latest run: `running` (claimed, being made or sent),
    /// `emailed`, or `failed` (its `error` says why; email failures are retried next tick).
    RunStatus {
        Running => "running",
        Emailed => "emailed",
        Failed => "failed",
    }
);

impl ExportType {
    /// The API path segment, e.g. `session-notes`.
    pub fn path_segment(self) -> &'static str {
        match self {
            ExportType::SessionNotes => "session-notes",
            ExportType::ProgressReport => "progress-report",
            ExportType::TreatmentSummary => "treatment-summary",
            ExportType::FullRecord => "full-record",
        }
    }
}

impl ExportFormat {
    /// PDF and DOCX: laid out on pages from a template. JSON and CSV carry the data only.
    pub fn is_printable(self) -> bool {
        matches!(self, ExportFormat::Pdf | ExportFormat::Docx)
    }

    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "application/pdf",
            ExportFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl JobStatus {
    /// A job in this state will change without anyone asking.
    pub fn is_in_flight(self) -> bool {
        matches!(self, JobStatus::Pending | JobStatus::Processing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spellings_match_the_predecessor_enums() {
        let types: Vec<_> = ExportType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            types,
            [
                "session_notes",
                "progress_report",
                "treatment_summary",
                "full_record"
            ]
        );
        let formats: Vec<_> = ExportFormat::ALL.iter().map(|t| t.to_string()).collect();
        assert_eq!(formats, ["pdf", "docx", "json", "csv"]);
        assert_eq!(
            serde_json::to_string(&JobStatus::Completed).unwrap(),
            "\"completed\""
        );
        assert_eq!("monthly".parse::<ScheduleType>(), Ok(ScheduleType::Monthly));
    }

    #[test]
    fn unknown_words_are_refused_with_the_allowed_list() {
        let err = "xlsx".parse::<ExportFormat>().unwrap_err();
        assert_eq!(err.to_string(), "must be one of: pdf, docx, json, csv");
        assert!(serde_json::from_str::<ExportType>("\"Full_Record\"").is_err());
    }

    #[test]
    fn every_format_has_a_content_type_and_extension() {
        assert_eq!(ExportFormat::Docx.extension(), "docx");
        assert!(ExportFormat::Csv.content_type().starts_with("text/csv"));
        assert_eq!(ExportType::FullRecord.path_segment(), "full-record");
    }
}
