//! Report data: what an export says, built from a patient's records, before any file format.
//!
//! [`build_report`] turns a [`ReportInput`] (the job's parameters, the requesting clinician, the
//! patient's record and the clinicians it names) into a [`Report`]: common metadata (practice,
//! requester, patient identification, generation time, job id) plus one body per export type
//! ([`ReportContent`]). The renderers in [`crate::render`] write it as JSON or CSV; later ones
//! (PDF, DOCX, HTML) read the same data.
//!
//! The report is presentation-neutral: dates are [`NaiveDate`]s, instants [`DateTime<Utc>`],
//! numbers are numbers and vocabularies are the record enums (serialised as their snake_case
//! wire words). Building is pure and deterministic: no clock is read (`generated_at` comes from
//! the job) and every list has a defined order, so the same input always gives the same report.
//!
//! Rules every body follows:
//! - a section excluded by `include_sections` ([`ExportParams::includes`]) is `None` and absent
//!   from the output; [`Report::sections`] lists the included ones;
//! - absent optional data (a session without mood, a SOAP section that was never written) is
//!   `None` and absent too, never an empty string;
//! - psychotherapy notes never appear in session notes, and in a full record only when
//!   `include_psychotherapy_notes` is set *and* the requester wrote them.
//!
//! The per-type bodies live in submodules: [`session_notes`], [`progress`], [`treatment`],
//! [`full_record`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::export::ExportType;
use crate::params::{ExportParams, known_sections};
use crate::records::{
    Address, Assessment, Attendance, Diagnosis, DiagnosisRank, GoalStatus, Note, NoteType,
    PatientRecord, PlanStatus, SessionRecord, SessionSetting, SessionType, Soap, Therapist,
    TreatmentPlan,
};

pub mod full_record;
pub mod progress;
pub mod session_notes;
pub mod treatment;

pub use full_record::{FullDemographics, FullRecord, PlanEntry, TimelineEvent, TimelineKind};
pub use progress::{
    AttendanceSummary, MoodPoint, MoodSummary, Period, ProgressDemographics, ProgressReport,
    TopicCount,
};
pub use session_notes::{SelectionKind, SessionNotes, SessionSelection};
pub use treatment::{
    AssessmentChange, InterventionCount, Interventions, ModalityCount, PlanSummary,
    SessionStatistics, TreatmentSummary,
};

/// `schema` of every export: names the JSON Schema (`docs/export.schema.json`).
pub const SCHEMA_URI: &str = "https://practice-exports.example/schemas/export/v1";
/// `schema_version` of every export. Bumped on any incompatible change of the output.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a report is built from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub job_id: Uuid,
    pub export_type: ExportType,
    pub params: &'a ExportParams,
    /// When the export was requested: printed as the generation time, so re-rendering a job
    /// gives identical bytes.
    pub generated_at: DateTime<Utc>,
    /// The therapist who requested it (practice header, "exported by", psychotherapy-note
    /// authorship).
    pub requester: &'a Therapist,
    /// The patient's record, lists in storage order (chronological). Sessions may already be
    /// limited to the requested date range, or not; the builders apply `params` themselves.
    pub record: &'a PatientRecord,
    /// Every therapist named by the record's sessions/notes/assignments that could be found (may
    /// lack some ids: the report then shows the id alone).
    pub therapists: &'a [Therapist],
}

/// One export's data: common metadata and the body of its export type.
///
/// Serialises (field order as declared) to exactly the JSON export; see `docs/export-json.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Always [`SCHEMA_URI`].
    pub schema: &'static str,
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub export_type: ExportType,
    pub job_id: Uuid,
    /// The job's request time (never the render time).
    pub generated_at: DateTime<Utc>,
    /// The sections in this export, in [`known_sections`] order.
    pub sections: Vec<&'static str>,
    /// The requester's practice (the report's letterhead).
    pub practice: PracticeInfo,
    /// The clinician who requested the export.
    pub requested_by: Clinician,
    /// Whose record this is. Always present, whatever the sections.
    pub patient: PatientIdentity,
    /// The body; its variant always matches `export_type`.
    pub content: ReportContent,
}

impl Report {
    pub fn export_type(&self) -> ExportType {
        self.export_type
    }
    pub fn job_id(&self) -> Uuid {
        self.job_id
    }
    pub fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }
    pub fn mrn(&self) -> &str {
        &self.patient.mrn
    }
    /// Whether `section` is in this export.
    pub fn includes(&self, section: &str) -> bool {
        self.sections.contains(&section)
    }
}

/// The body of a report, one variant per [`ExportType`]. Serialised untagged: the JSON key is
/// `content` and `export_type` says which shape it has. Boxed: the bodies differ much in size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ReportContent {
    SessionNotes(Box<SessionNotes>),
    ProgressReport(Box<ProgressReport>),
    TreatmentSummary(Box<TreatmentSummary>),
    FullRecord(Box<FullRecord>),
}

/// The practice as printed on the report header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PracticeInfo {
    pub name: String,
    pub address: Address,
    pub phone: String,
    /// National Provider Identifier (10 digits).
    pub npi: String,
}

/// A clinician known to the report (the requester).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clinician {
    pub id: Uuid,
    pub name: String,
    /// e.g. "PhD, LCSW"; may be empty.
    pub credentials: String,
}

impl Clinician {
    /// "Name, Credentials" (or just the name when there are no credentials).
    pub fn display(&self) -> String {
        display_name(&self.name, &self.credentials)
    }
}

/// A clinician named by the record (session clinician, note author, assigned clinician). `name`
/// and `credentials` are absent when the clinician's profile could not be found; show the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClinicianRef {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
}

impl ClinicianRef {
    /// "Name, Credentials", or the id when the clinician is unknown.
    pub fn display(&self) -> String {
        match &self.name {
            Some(name) => display_name(name, self.credentials.as_deref().unwrap_or("")),
            None => self.id.to_string(),
        }
    }
}

fn display_name(name: &str, credentials: &str) -> String {
    if credentials.trim().is_empty() {
        name.to_string()
    } else {
        format!("{name}, {credentials}")
    }
}

/// Who the record belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatientIdentity {
    pub id: Uuid,
    pub mrn: String,
    pub first_name: String,
    pub last_name: String,
    /// The whole name as the patient writes it (`records::written_name`: their display name, or
    /// the two parts in their name order). Documents print this.
    pub display_name: String,
    pub date_of_birth: NaiveDate,
}

impl PatientIdentity {
    /// The name documents print: [`PatientIdentity::display_name`].
    pub fn full_name(&self) -> String {
        self.display_name.clone()
    }
}

/// One session as exported (session notes and full record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionEntry {
    pub session_id: Uuid,
    /// UTC date of the start time. Always present (it identifies the session).
    pub date: NaiveDate,
    /// Section `session_details`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<SessionDetails>,
    /// Section `clinician`: who held the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinician: Option<ClinicianRef>,
    /// Section `topics`, in the record's order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// Section `mood` (1–10); absent when not recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mood: Option<u8>,
    /// The exported notes, by `created_at` then id.
    pub notes: Vec<NoteEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionDetails {
    pub start_time: DateTime<Utc>,
    pub duration_minutes: u16,
    pub session_type: SessionType,
    pub setting: SessionSetting,
    pub modality: String,
    pub attendance: Attendance,
}

/// One clinical note as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteEntry {
    pub note_id: Uuid,
    pub note_type: NoteType,
    pub author: ClinicianRef,
    pub created_at: DateTime<Utc>,
    /// Absent: the note is unsigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    pub locked: bool,
    /// The SOAP sections exported: a section is absent when it was excluded or never written.
    pub soap: Soap,
}

/// A diagnosis as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiagnosisEntry {
    pub diagnosis_id: Uuid,
    pub icd10_code: String,
    pub description: String,
    pub rank: DiagnosisRank,
    pub diagnosed_on: NaiveDate,
}

/// A treatment goal with the plan it belongs to (progress report, treatment summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalEntry {
    pub goal_id: Uuid,
    pub plan_id: Uuid,
    pub plan_title: String,
    pub plan_status: PlanStatus,
    pub description: String,
    pub status: GoalStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_date: Option<NaiveDate>,
    /// 0–100.
    pub progress_percent: u8,
}

/// One administration of an assessment instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentEntry {
    pub assessment_id: Uuid,
    pub instrument: String,
    pub administered_on: NaiveDate,
    pub score: u16,
    pub severity: String,
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

/// Builds the report of one export. Pure: same input, same report.
pub fn build_report(input: &ReportInput) -> Report {
    let ctx = Ctx::new(input);
    let content = match input.export_type {
        ExportType::SessionNotes => {
            ReportContent::SessionNotes(Box::new(session_notes::build(&ctx)))
        }
        ExportType::ProgressReport => {
            ReportContent::ProgressReport(Box::new(progress::build(&ctx)))
        }
        ExportType::TreatmentSummary => {
            ReportContent::TreatmentSummary(Box::new(treatment::build(&ctx)))
        }
        ExportType::FullRecord => ReportContent::FullRecord(Box::new(full_record::build(&ctx))),
    };
    let requester = input.requester;
    let patient = &input.record.patient;
    Report {
        schema: SCHEMA_URI,
        schema_version: SCHEMA_VERSION,
        export_type: input.export_type,
        job_id: input.job_id,
        generated_at: input.generated_at,
        sections: known_sections(input.export_type)
            .iter()
            .copied()
            .filter(|s| input.params.includes(s))
            .collect(),
        practice: PracticeInfo {
            name: requester.practice.name.clone(),
            address: requester.practice.address.clone(),
            phone: requester.practice.phone.clone(),
            npi: requester.practice.npi.clone(),
        },
        requested_by: Clinician {
            id: requester.id,
            name: requester.name.clone(),
            credentials: requester.credentials.clone(),
        },
        patient: PatientIdentity {
            id: patient.id,
            mrn: patient.mrn.clone(),
            first_name: patient.first_name.clone(),
            last_name: patient.last_name.clone(),
            display_name: patient.full_name(),
            date_of_birth: patient.date_of_birth,
        },
        content,
    }
}

/// What every builder needs: the input, a clinician lookup and the record's lists in a
/// guaranteed chronological order (storage order is relied on, but re-established cheaply over
/// references so a hand-built record cannot break the report's ordering promises).
pub(crate) struct Ctx<'a> {
    pub input: &'a ReportInput<'a>,
    pub params: &'a ExportParams,
    pub record: &'a PatientRecord,
    clinicians: BTreeMap<Uuid, &'a Therapist>,
    /// By start time, then id.
    pub sessions: Vec<&'a SessionRecord>,
    /// By diagnosis date, then id.
    pub diagnoses: Vec<&'a Diagnosis>,
    /// By start date, then id.
    pub plans: Vec<&'a TreatmentPlan>,
    /// By administration date, then id.
    pub assessments: Vec<&'a Assessment>,
}

impl<'a> Ctx<'a> {
    fn new(input: &'a ReportInput<'a>) -> Self {
        let record = input.record;
        let mut clinicians: BTreeMap<Uuid, &Therapist> =
            input.therapists.iter().map(|t| (t.id, t)).collect();
        clinicians.insert(input.requester.id, input.requester);
        let mut sessions: Vec<&SessionRecord> = record.sessions.iter().collect();
        sessions.sort_by_key(|s| (s.session.start_time, s.session.id));
        let mut diagnoses: Vec<&Diagnosis> = record.diagnoses.iter().collect();
        diagnoses.sort_by_key(|d| (d.diagnosed_on, d.id));
        let mut plans: Vec<&TreatmentPlan> = record.treatment_plans.iter().collect();
        plans.sort_by_key(|p| (p.start_date, p.id));
        let mut assessments: Vec<&Assessment> = record.assessments.iter().collect();
        assessments.sort_by_key(|a| (a.administered_on, a.id));
        Ctx {
            input,
            params: input.params,
            record,
            clinicians,
            sessions,
            diagnoses,
            plans,
            assessments,
        }
    }

    pub fn includes(&self, section: &str) -> bool {
        self.params.includes(section)
    }

    pub fn clinician(&self, id: Uuid) -> ClinicianRef {
        match self.clinicians.get(&id) {
            Some(t) => ClinicianRef {
                id,
                name: Some(t.name.clone()),
                credentials: Some(t.credentials.clone()),
            },
            None => ClinicianRef {
                id,
                name: None,
                credentials: None,
            },
        }
    }

    /// The plan a summary describes: the latest active plan, else the latest plan.
    pub fn current_plan(&self) -> Option<&'a TreatmentPlan> {
        self.plans
            .iter()
            .rev()
            .find(|p| p.status == PlanStatus::Active)
            .or_else(|| self.plans.last())
            .copied()
    }

    /// Every goal of every plan, plans by start date, goals in plan order.
    pub fn goals(&self) -> Vec<GoalEntry> {
        self.plans
            .iter()
            .flat_map(|p| {
                p.goals.iter().map(move |g| GoalEntry {
                    goal_id: g.id,
                    plan_id: p.id,
                    plan_title: p.title.clone(),
                    plan_status: p.status,
                    description: g.description.clone(),
                    status: g.status,
                    target_date: g.target_date,
                    progress_percent: g.progress_percent,
                })
            })
            .collect()
    }

    /// A session with the notes `keep` accepts, every part gated by `include`.
    pub fn session_entry(
        &self,
        s: &SessionRecord,
        include: &dyn Fn(&str) -> bool,
        keep: &dyn Fn(&Note) -> bool,
    ) -> SessionEntry {
        let session = &s.session;
        let mut notes: Vec<&Note> = s.notes.iter().filter(|n| keep(n)).collect();
        notes.sort_by_key(|n| (n.created_at, n.id));
        SessionEntry {
            session_id: session.id,
            date: session.start_time.date_naive(),
            details: include("session_details").then(|| SessionDetails {
                start_time: session.start_time,
                duration_minutes: session.duration_minutes,
                session_type: session.session_type,
                setting: session.setting,
                modality: session.modality.clone(),
                attendance: session.attendance,
            }),
            clinician: include("clinician").then(|| self.clinician(session.therapist_id)),
            topics: include("topics").then(|| session.topics.clone()),
            mood: if include("mood") { session.mood } else { None },
            notes: notes
                .into_iter()
                .map(|n| NoteEntry {
                    note_id: n.id,
                    note_type: n.note_type,
                    author: self.clinician(n.author_id),
                    created_at: n.created_at,
                    signed_at: n.signed_at,
                    locked: n.locked,
                    soap: Soap {
                        subjective: gated(include("subjective"), &n.soap.subjective),
                        objective: gated(include("objective"), &n.soap.objective),
                        assessment: gated(include("assessment"), &n.soap.assessment),
                        plan: gated(include("plan"), &n.soap.plan),
                    },
                })
                .collect(),
        }
    }
}

fn gated(include: bool, text: &Option<String>) -> Option<String> {
    if include { text.clone() } else { None }
}

pub(crate) fn diagnosis_entry(d: &Diagnosis) -> DiagnosisEntry {
    DiagnosisEntry {
        diagnosis_id: d.id,
        icd10_code: d.icd10_code.clone(),
        description: d.description.clone(),
        rank: d.rank,
        diagnosed_on: d.diagnosed_on,
    }
}

pub(crate) fn assessment_entry(a: &Assessment) -> AssessmentEntry {
    AssessmentEntry {
        assessment_id: a.id,
        instrument: a.instrument.clone(),
        administered_on: a.administered_on,
        score: a.score,
        severity: a.severity.clone(),
    }
}

/// `numerator / denominator` rounded half up to `decimals` places, exactly (integer arithmetic),
/// as the nearest f64 (so it prints as e.g. `6.3`).
pub(crate) fn ratio_rounded(numerator: u64, denominator: u64, decimals: u32) -> f64 {
    let scale = 10u64.pow(decimals);
    let scaled = (numerator * scale * 2 + denominator) / (denominator * 2);
    scaled as f64 / scale as f64
}

/// `{export_type}_{MRN}_{YYYY-MM-DD}.{ext}` using generated_at's UTC date, e.g.
/// "progress_report_MRN-000001_2026-11-27.csv". Never the patient's name.
///
/// MRNs are validated to `[A-Za-z0-9_-]` on import; any other character is replaced by `_` here
/// anyway, so a name can never carry a path separator.
pub fn file_name(report: &Report, format: crate::export::ExportFormat) -> String {
    let mrn: String = report
        .mrn()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}_{}_{}.{}",
        report.export_type().as_str(),
        mrn,
        report.generated_at().date_naive().format("%Y-%m-%d"),
        format.extension()
    )
}

/// Test data: [`exports_synthetic::fixtures`], which is built against this crate as a library,
/// so its record types are not this test build's. Records cross over as the import format (JSON),
/// which is what these types are; reports are built here, from this build's types.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::sync::OnceLock;

    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use uuid::Uuid;

    use super::{Report, ReportInput, build_report};
    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::records::{PatientRecord, PracticeData, Therapist};
    use exports_synthetic::DemoParams;
    pub use exports_synthetic::fixtures::{JOB_ID, THERAPIST, d, generated_at, id};

    fn crossover<T: Serialize, U: DeserializeOwned>(value: &T) -> U {
        let json = serde_json::to_value(value).expect("test data serializes");
        serde_json::from_value(json).expect("test data is valid import format")
    }

    /// Synthetic practice data for `params`.
    pub fn synthetic(params: &DemoParams) -> PracticeData {
        crossover(&exports_synthetic::generate(params))
    }

    /// The default demo practice (6 patients × 24 sessions, 300-word notes), generated once.
    pub fn demo() -> &'static PracticeData {
        static DATA: OnceLock<PracticeData> = OnceLock::new();
        DATA.get_or_init(|| synthetic(&DemoParams::default()))
    }

    /// See [`exports_synthetic::fixtures::small_record`].
    pub fn small_record() -> (Therapist, PatientRecord) {
        crossover(&exports_synthetic::fixtures::small_record())
    }

    pub fn therapist(id: Uuid, name: &str, credentials: &str) -> Therapist {
        crossover(&exports_synthetic::fixtures::therapist(
            id,
            name,
            credentials,
        ))
    }

    pub fn other_therapist() -> Therapist {
        crossover(&exports_synthetic::fixtures::other_therapist())
    }

    pub fn input<'a>(
        requester: &'a Therapist,
        record: &'a PatientRecord,
        export_type: ExportType,
        params: &'a ExportParams,
        therapists: &'a [Therapist],
    ) -> ReportInput<'a> {
        ReportInput {
            job_id: JOB_ID,
            export_type,
            params,
            generated_at: generated_at(),
            requester,
            record,
            therapists,
        }
    }

    /// A report on a demo patient, requested by the patient's first assigned therapist.
    pub fn demo_report(
        data: &PracticeData,
        record: &PatientRecord,
        export_type: ExportType,
        params: &ExportParams,
    ) -> Report {
        let requester = data
            .therapists
            .iter()
            .find(|t| t.id == record.patient.assigned_therapist_ids[0])
            .expect("assigned therapist");
        build_report(&input(
            requester,
            record,
            export_type,
            params,
            &data.therapists,
        ))
    }
}

#[cfg(test)]
mod file_name_tests {
    use super::fixtures::*;
    use super::{build_report, file_name};
    use crate::export::{ExportFormat, ExportType};
    use crate::params::ExportParams;
    use exports_synthetic::LEADING_PATIENT_NAMES;

    #[test]
    fn file_names_follow_the_pattern_and_never_name_the_patient() {
        let data = demo();
        for (i, record) in data.patients.iter().enumerate() {
            for t in ExportType::ALL {
                let params = ExportParams {
                    start_date: Some(d(2026, 1, 1)),
                    end_date: Some(d(2026, 10, 30)),
                    ..ExportParams::default()
                };
                let report = demo_report(data, record, *t, &params);
                for f in [ExportFormat::Csv, ExportFormat::Json] {
                    let name = file_name(&report, f);
                    assert_eq!(
                        name,
                        format!(
                            "{}_{}_2026-11-27.{}",
                            t.as_str(),
                            record.patient.mrn,
                            f.extension()
                        )
                    );
                    assert!(
                        name.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                    );
                    let (first, last) = LEADING_PATIENT_NAMES[i];
                    assert!(!name.contains(first) && !name.contains(last));
                    assert!(!name.contains(&record.patient.first_name));
                    assert!(!name.contains(&record.patient.last_name));
                }
            }
        }
        let (me, mut record) = small_record();
        record.patient.mrn = "../x y".to_string();
        let params = ExportParams::default();
        let report = build_report(&input(
            &me,
            &record,
            ExportType::ProgressReport,
            &params,
            &[],
        ));
        assert_eq!(
            file_name(&report, ExportFormat::Pdf),
            "progress_report____x_y_2026-11-27.pdf"
        );
    }
}
