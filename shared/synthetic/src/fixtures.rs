//! Fixed test data over the core's types: the default demo practice (generated once), a small
//! hand-built record whose every count is known, and reports built from them. For the tests of
//! the format, document and renderer crates, and the benches.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::{DemoParams, generate};
use exports_core::export::ExportType;
use exports_core::params::ExportParams;
use exports_core::records::*;
use exports_core::report::{Report, ReportInput, build_report};

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
            name_order: NameOrder::GivenFirst,
            display_name: None,
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
