//! Clinical records: the data exports read.
//!
//! These types are both the import format (`docs/import-format.md`) and what a
//! [`RecordSource`](crate::ports::RecordSource) hands back, so an import can be read back and
//! compared field by field. Every list is kept in *storage order* (see [`PatientRecord::normalize`]),
//! the order the records table returns items in.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version tag of the import file format.
pub const IMPORT_FORMAT_V1: &str = "practice-exports/records/v1";

/// A whole practice's records: the import file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeData {
    /// Must be [`IMPORT_FORMAT_V1`].
    pub format: String,
    #[serde(default)]
    pub therapists: Vec<Therapist>,
    #[serde(default)]
    pub patients: Vec<PatientRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Therapist {
    pub id: Uuid,
    pub name: String,
    /// e.g. "PhD, LCSW".
    pub credentials: String,
    pub email: String,
    pub practice: Practice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    pub name: String,
    pub address: Address,
    pub phone: String,
    /// National Provider Identifier: 10 digits.
    pub npi: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// State, province or region.
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. "US".
    pub country: String,
}

/// One patient with everything recorded about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientRecord {
    pub patient: Patient,
    #[serde(default)]
    pub diagnoses: Vec<Diagnosis>,
    #[serde(default)]
    pub treatment_plans: Vec<TreatmentPlan>,
    #[serde(default)]
    pub sessions: Vec<SessionRecord>,
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    pub id: Uuid,
    /// Medical record number, unique within the practice. Used in export file names.
    pub mrn: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Which part of the name is written first (family first for Chinese, Japanese, Korean,
    /// Vietnamese or Hungarian names, for example).
    #[serde(default, skip_serializing_if = "NameOrder::is_given_first")]
    pub name_order: NameOrder,
    /// The name exactly as the patient writes it, when neither order of the two parts is right
    /// (e.g. a name with a particle or one written in two scripts). Printed instead of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance: Option<Insurance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_contact: Option<EmergencyContact>,
    pub intake_date: NaiveDate,
    /// Therapists treating this patient; only they may export the patient's records.
    pub assigned_therapist_ids: Vec<Uuid>,
}

impl Patient {
    /// The name as its owner writes it: see [`written_name`].
    pub fn full_name(&self) -> String {
        written_name(
            &self.first_name,
            &self.last_name,
            self.name_order,
            self.display_name.as_deref(),
        )
    }

    /// Whether `user_id` (a token's `sub`) is one of the patient's assigned therapists.
    pub fn is_assigned_to(&self, user_id: &str) -> bool {
        self.assigned_therapist_ids
            .iter()
            .any(|t| t.to_string() == user_id)
    }
}

/// Which part of a person's name is written first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameOrder {
    /// `Zoë Adebayo-Hart`.
    #[default]
    GivenFirst,
    /// `王芳`, `김민준`, `Nguyễn Thị Hương`, `Nagy Péter`.
    FamilyFirst,
}

impl NameOrder {
    pub fn is_given_first(&self) -> bool {
        *self == NameOrder::GivenFirst
    }
}

/// A whole name as its owner writes it: the display name when there is one; otherwise the two
/// parts in the name's order, separated by a space, except that a family-first name written
/// wholly in Han, kana or Hangul takes none (`王` + `芳` → `王芳`, as Chinese, Japanese and
/// Korean names are written).
pub fn written_name(given: &str, family: &str, order: NameOrder, display: Option<&str>) -> String {
    if let Some(display) = display.map(str::trim).filter(|d| !d.is_empty()) {
        return display.to_string();
    }
    let (first, second) = match order {
        NameOrder::GivenFirst => (given.trim(), family.trim()),
        NameOrder::FamilyFirst => (family.trim(), given.trim()),
    };
    let unspaced = order == NameOrder::FamilyFirst
        && [first, second]
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(is_cjk_name_char));
    match (first.is_empty(), second.is_empty(), unspaced) {
        (true, _, _) => second.to_string(),
        (_, true, _) => first.to_string(),
        (false, false, true) => format!("{first}{second}"),
        (false, false, false) => format!("{first} {second}"),
    }
}

/// Han ideographs, kana and Hangul: the scripts whose names are written without a space.
fn is_cjk_name_char(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x1100..=0x11FF    // Hangul jamo
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x20000..=0x3134F  // CJK extensions B–G
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    pub payer: String,
    pub member_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    pub name: String,
    pub relationship: String,
    pub phone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisRank {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnosis {
    pub id: Uuid,
    /// ICD-10-CM code, e.g. "F41.1".
    pub icd10_code: String,
    pub description: String,
    pub rank: DiagnosisRank,
    pub diagnosed_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Active,
    Completed,
    Discontinued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreatmentPlan {
    pub id: Uuid,
    pub title: String,
    pub status: PlanStatus,
    pub start_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_date: Option<NaiveDate>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// Planned interventions, e.g. "Cognitive restructuring".
    #[serde(default)]
    pub interventions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prognosis: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Achieved,
    Discontinued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub id: Uuid,
    pub description: String,
    pub status: GoalStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_date: Option<NaiveDate>,
    /// 0–100.
    pub progress_percent: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionType {
    Intake,
    Individual,
    Couples,
    Family,
    Group,
    Crisis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionSetting {
    InPerson,
    Telehealth,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Attended,
    Cancelled,
    NoShow,
}

/// A session and the notes written about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRecord {
    pub session: Session,
    #[serde(default)]
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: Uuid,
    /// The clinician who held the session.
    pub therapist_id: Uuid,
    pub start_time: DateTime<Utc>,
    pub duration_minutes: u16,
    pub session_type: SessionType,
    pub setting: SessionSetting,
    /// Therapeutic modality, e.g. "CBT", "DBT", "EMDR".
    pub modality: String,
    pub attendance: Attendance,
    #[serde(default)]
    pub topics: Vec<String>,
    /// Patient-reported mood, 1 (worst) to 10 (best).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<u8>,
}

/// Where a session sorts in its patient's record: by start time, then id (storage order, and
/// the order of every export's sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionKey {
    pub start_time: DateTime<Utc>,
    pub id: Uuid,
}

impl SessionKey {
    pub fn of(s: &Session) -> SessionKey {
        SessionKey {
            start_time: s.start_time,
            id: s.id,
        }
    }
}

/// Notes' texts by note id: what a file made a page at a time is given as it asks
/// (`RenderingFile::give_note_texts`).
pub type NoteTexts = Vec<(Uuid, Soap)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteType {
    ProgressNote,
    /// Kept apart from the medical record under HIPAA; exported only on explicit request by its author.
    PsychotherapyNote,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub id: Uuid,
    pub author_id: Uuid,
    pub note_type: NoteType,
    pub created_at: DateTime<Utc>,
    /// SOAP sections; any may be absent.
    #[serde(default)]
    pub soap: Soap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub locked: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Soap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
}

impl Soap {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub id: Uuid,
    /// e.g. "PHQ-9", "GAD-7", "PCL-5".
    pub instrument: String,
    pub score: u16,
    /// e.g. "moderate".
    pub severity: String,
    pub administered_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub uploaded_at: DateTime<Utc>,
}

/// The wire spelling of each vocabulary enum (what `rename_all = "snake_case"` serializes), for
/// renderers that write words rather than serialize: one list, checked against serde in a test.
macro_rules! wire_words {
    ($($name:ident { $($variant:ident => $text:literal),+ $(,)? })+) => {
        $(
            impl $name {
                pub const ALL: &'static [$name] = &[$($name::$variant),+];
                pub fn as_str(self) -> &'static str {
                    match self { $($name::$variant => $text),+ }
                }
            }
        )+
    };
}

wire_words! {
    DiagnosisRank { Primary => "primary", Secondary => "secondary" }
    PlanStatus { Active => "active", Completed => "completed", Discontinued => "discontinued" }
    GoalStatus {
        NotStarted => "not_started",
        InProgress => "in_progress",
        Achieved => "achieved",
        Discontinued => "discontinued",
    }
    SessionType {
        Intake => "intake",
        Individual => "individual",
        Couples => "couples",
        Family => "family",
        Group => "group",
        Crisis => "crisis",
    }
    SessionSetting { InPerson => "in_person", Telehealth => "telehealth" }
    Attendance { Attended => "attended", Cancelled => "cancelled", NoShow => "no_show" }
    NoteType { ProgressNote => "progress_note", PsychotherapyNote => "psychotherapy_note" }
}

/// Keys that order a patient's items; the records table's sort keys are built from them, so
/// [`PatientRecord::normalize`] and a table query agree on order.
pub mod order {
    use super::*;

    pub fn instant(t: &DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
    pub fn diagnosis(d: &Diagnosis) -> String {
        format!("{}#{}", d.diagnosed_on, d.id)
    }
    pub fn plan(p: &TreatmentPlan) -> String {
        format!("{}#{}", p.start_date, p.id)
    }
    pub fn session(s: &Session) -> String {
        session_key(&SessionKey::of(s))
    }
    pub fn session_key(k: &SessionKey) -> String {
        format!("{}#{}", instant(&k.start_time), k.id)
    }
    pub fn note(n: &Note) -> String {
        n.id.to_string()
    }
    pub fn assessment(a: &Assessment) -> String {
        format!("{}#{}", a.administered_on, a.id)
    }
    pub fn attachment(a: &Attachment) -> String {
        format!("{}#{}", instant(&a.uploaded_at), a.id)
    }
}

impl PatientRecord {
    /// Sorts every list into storage order: chronological, ties broken by id.
    pub fn normalize(&mut self) {
        self.diagnoses.sort_by_cached_key(order::diagnosis);
        self.treatment_plans.sort_by_cached_key(order::plan);
        self.sessions
            .sort_by_cached_key(|s| order::session(&s.session));
        for s in &mut self.sessions {
            s.notes.sort_by_cached_key(order::note);
        }
        self.assessments.sort_by_cached_key(order::assessment);
        self.attachments.sort_by_cached_key(order::attachment);
    }

    pub fn note_count(&self) -> usize {
        self.sessions.iter().map(|s| s.notes.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_word<T: Serialize>(v: T) -> String {
        serde_json::to_value(v)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn names_are_written_as_their_owners_write_them() {
        use NameOrder::*;
        assert_eq!(
            written_name("Zoë", "Adebayo-Hart", GivenFirst, None),
            "Zoë Adebayo-Hart"
        );
        // Chinese, Japanese and Korean names: family first, no space.
        assert_eq!(written_name("芳", "王", FamilyFirst, None), "王芳");
        assert_eq!(written_name("花子", "佐藤", FamilyFirst, None), "佐藤花子");
        assert_eq!(written_name("민준", "김", FamilyFirst, None), "김민준");
        // Family first in a spaced script keeps the space.
        assert_eq!(
            written_name("Thị Hương", "Nguyễn", FamilyFirst, None),
            "Nguyễn Thị Hương"
        );
        // A romanised CJK name is spaced.
        assert_eq!(written_name("Fang", "Wang", FamilyFirst, None), "Wang Fang");
        // The display name wins; a blank one does not.
        assert_eq!(
            written_name("Fatima", "Al-Zahra", GivenFirst, Some("فاطمة الزهراء")),
            "فاطمة الزهراء"
        );
        assert_eq!(written_name("A", "B", GivenFirst, Some("  ")), "A B");
    }

    #[test]
    fn name_order_is_read_and_written_only_when_family_first() {
        let data = exports_test_record();
        let mut patient: Patient = serde_json::from_value(data).unwrap();
        assert_eq!(patient.name_order, NameOrder::GivenFirst);
        let written = serde_json::to_value(&patient).unwrap();
        assert!(written.get("name_order").is_none());
        assert!(written.get("display_name").is_none());
        patient.name_order = NameOrder::FamilyFirst;
        let written = serde_json::to_value(&patient).unwrap();
        assert_eq!(written["name_order"], "family_first");
    }

    fn exports_test_record() -> serde_json::Value {
        serde_json::json!({
            "id": "00000000-0000-0000-0000-0000000000a1",
            "mrn": "MRN-1",
            "first_name": "芳",
            "last_name": "王",
            "date_of_birth": "1990-01-02",
            "gender": "female",
            "intake_date": "2026-01-02",
            "assigned_therapist_ids": []
        })
    }

    #[test]
    fn wire_words_are_the_serde_spellings() {
        for v in DiagnosisRank::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
        for v in PlanStatus::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
        for v in GoalStatus::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
        for v in SessionType::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
        for v in SessionSetting::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
        for v in Attendance::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
        for v in NoteType::ALL {
            assert_eq!(v.as_str(), serde_word(v));
        }
    }
}
