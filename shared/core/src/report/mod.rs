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
    PatientRecord, PlanStatus, SessionRecord, SessionSetting, SessionType, Therapist,
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
    pub date_of_birth: NaiveDate,
}

impl PatientIdentity {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
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
    pub soap: SoapEntry,
}

/// The SOAP sections of a note that are exported: a section is absent when it was excluded or
/// never written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SoapEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subjective: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
}

impl SoapEntry {
    /// The sections in SOAP order with their field names.
    pub fn sections(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("subjective", self.subjective.as_deref()),
            ("objective", self.objective.as_deref()),
            ("assessment", self.assessment.as_deref()),
            ("plan", self.plan.as_deref()),
        ]
    }
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
                    soap: SoapEntry {
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

/// Shared test data: the synthetic demo practice and a small hand-built record whose every
/// count is known.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::sync::OnceLock;

    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use uuid::Uuid;

    use super::{Report, ReportInput, build_report};
    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::records::*;
    use crate::synthetic::{DemoParams, generate};

    pub const JOB_ID: Uuid = Uuid::from_u128(0x0199_0000_0000_7000_8000_0000_0000_0001);
    pub const THERAPIST: Uuid = Uuid::from_u128(0x7e7e_0001);
    pub const OTHER_THERAPIST: Uuid = Uuid::from_u128(0x7e7e_0002);

    pub fn generated_at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()
    }

    /// The default demo practice (6 patients × 24 sessions, 300-word notes), generated once.
    pub fn demo() -> &'static PracticeData {
        static DATA: OnceLock<PracticeData> = OnceLock::new();
        DATA.get_or_init(|| generate(&DemoParams::default()))
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

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    pub fn therapist(id: Uuid, name: &str, credentials: &str) -> Therapist {
        Therapist {
            id,
            name: name.to_string(),
            credentials: credentials.to_string(),
            email: "clinician@example.com".to_string(),
            practice: Practice {
                name: "Harbour Lights Counselling".to_string(),
                address: Address {
                    line1: "1 Quay Street".to_string(),
                    line2: Some("Suite 4".to_string()),
                    city: "Portland".to_string(),
                    region: "ME".to_string(),
                    postal_code: "04101".to_string(),
                    country: "US".to_string(),
                },
                phone: "+1 207 555 0100".to_string(),
                npi: "1234567893".to_string(),
            },
        }
    }

    pub fn other_therapist() -> Therapist {
        therapist(OTHER_THERAPIST, "Dr Grace Hopper", "PsyD")
    }

    pub fn id(n: u128) -> Uuid {
        Uuid::from_u128(0xa000_0000 + n)
    }

    #[allow(clippy::too_many_arguments)]
    fn session(
        n: u128,
        start: DateTime<Utc>,
        minutes: u16,
        session_type: SessionType,
        modality: &str,
        attendance: Attendance,
        topics: &[&str],
        mood: Option<u8>,
        notes: Vec<Note>,
    ) -> SessionRecord {
        SessionRecord {
            session: Session {
                id: id(100 + n),
                therapist_id: THERAPIST,
                start_time: start,
                duration_minutes: minutes,
                session_type,
                setting: SessionSetting::InPerson,
                modality: modality.to_string(),
                attendance,
                topics: topics.iter().map(|t| t.to_string()).collect(),
                mood,
            },
            notes,
        }
    }

    pub fn note(
        n: u128,
        author: Uuid,
        note_type: NoteType,
        created_at: DateTime<Utc>,
        signed: bool,
    ) -> Note {
        Note {
            id: id(200 + n),
            author_id: author,
            note_type,
            created_at,
            soap: Soap {
                subjective: Some(format!("Subjective of note {n}.")),
                objective: Some(format!("Objective of note {n}.")),
                assessment: Some(format!("Assessment of note {n}.")),
                plan: Some(format!("Plan of note {n}.")),
            },
            signed_at: signed.then(|| created_at + chrono::Duration::hours(1)),
            locked: signed,
        }
    }

    /// The requester (Dr Ada Lovelace, PhD) and a small record with known numbers:
    ///
    /// | session | start (UTC) | min | modality | attendance | topics | mood | notes |
    /// |---|---|---|---|---|---|---|---|
    /// | s1 | 2026-01-06 15:00 | 60 | CBT | attended | anxiety, sleep | 3 | progress 1, psychotherapy 2 (requester) |
    /// | s2 | 2026-01-13 15:00 | 50 | CBT | attended | anxiety, work | 5 | progress 3 |
    /// | s3 | 2026-01-20 15:00 | 50 | CBT | cancelled | – | – | – |
    /// | s4 | 2026-01-27 23:30 | 50 | DBT | no_show | – | – | – |
    /// | s5 | 2026-02-03 15:00 | 50 | DBT | attended | sleep, family, anxiety | 6 | progress 4, psychotherapy 5 (other) |
    /// | s6 | 2026-02-10 15:00 | 45 | CBT | attended | work | – | progress 6 (unsigned) |
    ///
    /// Assessments: PHQ-9 15/10/9 on 01-06, 02-03, 02-10; GAD-7 12/7 on 01-06, 02-03.
    pub fn small_record() -> (Therapist, PatientRecord) {
        use Attendance::*;
        use NoteType::*;
        use SessionType::*;
        let me = therapist(THERAPIST, "Dr Ada Lovelace", "PhD");
        let t = THERAPIST;
        let sessions = vec![
            session(
                1,
                at(2026, 1, 6, 15, 0),
                60,
                Intake,
                "CBT",
                Attended,
                &["anxiety", "sleep"],
                Some(3),
                vec![
                    note(1, t, ProgressNote, at(2026, 1, 6, 16, 10), true),
                    note(2, t, PsychotherapyNote, at(2026, 1, 6, 16, 30), true),
                ],
            ),
            session(
                2,
                at(2026, 1, 13, 15, 0),
                50,
                Individual,
                "CBT",
                Attended,
                &["anxiety", "work"],
                Some(5),
                vec![note(3, t, ProgressNote, at(2026, 1, 13, 16, 0), true)],
            ),
            session(
                3,
                at(2026, 1, 20, 15, 0),
                50,
                Individual,
                "CBT",
                Cancelled,
                &[],
                None,
                vec![],
            ),
            session(
                4,
                at(2026, 1, 27, 23, 30),
                50,
                Individual,
                "DBT",
                NoShow,
                &[],
                None,
                vec![],
            ),
            session(
                5,
                at(2026, 2, 3, 15, 0),
                50,
                Individual,
                "DBT",
                Attended,
                &["sleep", "family", "anxiety"],
                Some(6),
                vec![
                    note(4, t, ProgressNote, at(2026, 2, 3, 16, 0), true),
                    note(
                        5,
                        OTHER_THERAPIST,
                        PsychotherapyNote,
                        at(2026, 2, 3, 16, 20),
                        true,
                    ),
                ],
            ),
            session(
                6,
                at(2026, 2, 10, 15, 0),
                45,
                Individual,
                "CBT",
                Attended,
                &["work"],
                None,
                vec![note(6, t, ProgressNote, at(2026, 2, 10, 16, 0), false)],
            ),
        ];
        let assessment =
            |n: u128, instrument: &str, on: NaiveDate, score: u16, severity: &str| Assessment {
                id: id(300 + n),
                instrument: instrument.to_string(),
                score,
                severity: severity.to_string(),
                administered_on: on,
            };
        let goal = |n: u128, status: GoalStatus, target: Option<NaiveDate>, pct: u8| Goal {
            id: id(400 + n),
            description: format!("Goal {n}"),
            status,
            target_date: target,
            progress_percent: pct,
        };
        let record = PatientRecord {
            patient: Patient {
                id: id(1),
                mrn: "MRN-000042".to_string(),
                first_name: "Zoë".to_string(),
                last_name: "Adebayo-Hart".to_string(),
                date_of_birth: d(1990, 6, 15),
                gender: "female".to_string(),
                pronouns: Some("she/her".to_string()),
                phone: Some("+1 207 555 0199".to_string()),
                email: None,
                address: None,
                insurance: Some(Insurance {
                    payer: "Acme Health".to_string(),
                    member_id: "AH-1".to_string(),
                    group_number: None,
                }),
                emergency_contact: None,
                intake_date: d(2026, 1, 5),
                assigned_therapist_ids: vec![THERAPIST, OTHER_THERAPIST],
            },
            diagnoses: vec![
                Diagnosis {
                    id: id(10),
                    icd10_code: "F41.1".to_string(),
                    description: "Generalized anxiety disorder".to_string(),
                    rank: DiagnosisRank::Secondary,
                    diagnosed_on: d(2026, 1, 5),
                },
                Diagnosis {
                    id: id(11),
                    icd10_code: "F32.1".to_string(),
                    description: "Major depressive disorder, single episode, moderate".to_string(),
                    rank: DiagnosisRank::Primary,
                    diagnosed_on: d(2026, 1, 10),
                },
            ],
            treatment_plans: vec![
                TreatmentPlan {
                    id: id(20),
                    title: "Initial plan".to_string(),
                    status: PlanStatus::Completed,
                    start_date: d(2026, 1, 5),
                    review_date: None,
                    goals: vec![goal(1, GoalStatus::Achieved, None, 100)],
                    interventions: vec![
                        "Psychoeducation".to_string(),
                        "Cognitive restructuring".to_string(),
                    ],
                    prognosis: Some("Fair".to_string()),
                },
                TreatmentPlan {
                    id: id(21),
                    title: "Revised plan".to_string(),
                    status: PlanStatus::Active,
                    start_date: d(2026, 3, 1),
                    review_date: Some(d(2026, 6, 1)),
                    goals: vec![
                        goal(2, GoalStatus::InProgress, Some(d(2026, 6, 1)), 40),
                        goal(3, GoalStatus::NotStarted, None, 0),
                    ],
                    interventions: vec![
                        "Cognitive restructuring".to_string(),
                        "Behavioral activation".to_string(),
                    ],
                    prognosis: Some("Good".to_string()),
                },
            ],
            sessions,
            assessments: vec![
                assessment(1, "GAD-7", d(2026, 1, 6), 12, "moderate"),
                assessment(2, "PHQ-9", d(2026, 1, 6), 15, "moderately severe"),
                assessment(3, "GAD-7", d(2026, 2, 3), 7, "mild"),
                assessment(4, "PHQ-9", d(2026, 2, 3), 10, "moderate"),
                assessment(5, "PHQ-9", d(2026, 2, 10), 9, "mild"),
            ],
            attachments: vec![
                Attachment {
                    id: id(50),
                    file_name: "intake-form.pdf".to_string(),
                    content_type: "application/pdf".to_string(),
                    size_bytes: 12_345,
                    uploaded_at: at(2026, 1, 6, 16, 0),
                },
                Attachment {
                    id: id(51),
                    file_name: "release.pdf".to_string(),
                    content_type: "application/pdf".to_string(),
                    size_bytes: 2_048,
                    uploaded_at: at(2026, 2, 3, 9, 0),
                },
            ],
        };
        (me, record)
    }
}
