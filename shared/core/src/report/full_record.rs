//! `full_record`: everything recorded about the patient.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{
    AssessmentEntry, ClinicianRef, Ctx, DiagnosisEntry, SessionEntry, assessment_entry,
    diagnosis_entry,
};
use crate::records::{
    Address, Attachment, Attendance, EmergencyContact, GoalStatus, Insurance, NameOrder, Note,
    NoteType, PlanStatus,
};

/// The body of a full-record export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FullRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demographics: Option<FullDemographics>,
    /// By date, then id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnoses: Option<Vec<DiagnosisEntry>>,
    /// By start date, then id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treatment_plans: Option<Vec<PlanEntry>>,
    /// Every session, chronological, every part present. Notes: all progress notes; a
    /// psychotherapy note only when `include_psychotherapy_notes` is set and the requester wrote
    /// it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<SessionEntry>>,
    /// By date, then id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Vec<AssessmentEntry>>,
    /// Metadata only, by upload time, then id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AttachmentEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEvent>>,
}

/// Every patient field (identification is in the report's `patient`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullDemographics {
    pub first_name: String,
    pub last_name: String,
    /// Present when the family name is written first.
    #[serde(skip_serializing_if = "NameOrder::is_given_first")]
    pub name_order: NameOrder,
    /// Present when the record has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurance: Option<Insurance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_contact: Option<EmergencyContact>,
    pub intake_date: NaiveDate,
    /// In the record's order.
    pub assigned_clinicians: Vec<ClinicianRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanEntry {
    pub plan_id: Uuid,
    pub title: String,
    pub status: PlanStatus,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_date: Option<NaiveDate>,
    pub goals: Vec<PlanGoal>,
    pub interventions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prognosis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanGoal {
    pub goal_id: Uuid,
    pub description: String,
    pub status: GoalStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_date: Option<NaiveDate>,
    pub progress_percent: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentEntry {
    pub attachment_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub uploaded_at: DateTime<Utc>,
}

/// One dated event of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// The UTC date of the event.
    pub date: NaiveDate,
    /// The instant, for events that have one (sessions, attachment uploads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    pub kind: TimelineKind,
    /// The record the event is about (the patient for `intake`).
    pub reference_id: Uuid,
    /// A one-line English description built from the record, e.g. `F41.1 Generalized anxiety
    /// disorder (primary)`; see docs/export-json.md for each kind's form.
    pub description: String,
    /// Sessions only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Attendance>,
}

/// What a timeline event is. Within a day, events sort as: intake, diagnoses, plan starts (in
/// this order), then sessions and attachment uploads by instant, then assessments; remaining
/// ties keep the record's order (date or instant, then id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Intake,
    Diagnosis,
    TreatmentPlanStarted,
    Session,
    Assessment,
    AttachmentUploaded,
}

pub(crate) fn build(ctx: &Ctx) -> FullRecord {
    let requester = ctx.input.requester.id;
    let with_psychotherapy = ctx.params.include_psychotherapy_notes;
    let patient = &ctx.record.patient;
    let mut attachments: Vec<&Attachment> = ctx.record.attachments.iter().collect();
    attachments.sort_by_key(|a| (a.uploaded_at, a.id));

    let demographics = ctx.includes("demographics").then(|| FullDemographics {
        first_name: patient.first_name.clone(),
        last_name: patient.last_name.clone(),
        name_order: patient.name_order,
        display_name: patient.display_name.clone(),
        date_of_birth: patient.date_of_birth,
        gender: patient.gender.clone(),
        pronouns: patient.pronouns.clone(),
        phone: patient.phone.clone(),
        email: patient.email.clone(),
        address: patient.address.clone(),
        insurance: patient.insurance.clone(),
        emergency_contact: patient.emergency_contact.clone(),
        intake_date: patient.intake_date,
        assigned_clinicians: patient
            .assigned_therapist_ids
            .iter()
            .map(|id| ctx.clinician(*id))
            .collect(),
    });

    let treatment_plans = ctx.includes("treatment_plans").then(|| {
        ctx.plans
            .iter()
            .map(|p| PlanEntry {
                plan_id: p.id,
                title: p.title.clone(),
                status: p.status,
                start_date: p.start_date,
                review_date: p.review_date,
                goals: p
                    .goals
                    .iter()
                    .map(|g| PlanGoal {
                        goal_id: g.id,
                        description: g.description.clone(),
                        status: g.status,
                        target_date: g.target_date,
                        progress_percent: g.progress_percent,
                    })
                    .collect(),
                interventions: p.interventions.clone(),
                prognosis: p.prognosis.clone(),
            })
            .collect()
    });

    let sessions = ctx.includes("sessions").then(|| {
        let keep = |n: &Note| exports_note(n, with_psychotherapy, requester);
        let everything = |_: &str| true;
        ctx.sessions
            .iter()
            .map(|s| ctx.session_entry(s, &everything, &keep))
            .collect()
    });

    FullRecord {
        demographics,
        diagnoses: ctx
            .includes("diagnoses")
            .then(|| ctx.diagnoses.iter().map(|d| diagnosis_entry(d)).collect()),
        treatment_plans,
        sessions,
        assessments: ctx.includes("assessments").then(|| {
            ctx.assessments
                .iter()
                .map(|a| assessment_entry(a))
                .collect()
        }),
        attachments: ctx.includes("attachments").then(|| {
            attachments
                .iter()
                .map(|a| AttachmentEntry {
                    attachment_id: a.id,
                    file_name: a.file_name.clone(),
                    content_type: a.content_type.clone(),
                    size_bytes: a.size_bytes,
                    uploaded_at: a.uploaded_at,
                })
                .collect()
        }),
        timeline: ctx
            .includes("timeline")
            .then(|| timeline(ctx, &attachments)),
    }
}

/// Whether a full record exports a note. HIPAA: psychotherapy notes are kept apart from the
/// medical record; only their author may export them, and only on explicit request
/// (`include_psychotherapy_notes`).
pub fn exports_note(note: &Note, include_psychotherapy_notes: bool, requester: Uuid) -> bool {
    match note.note_type {
        NoteType::ProgressNote => true,
        NoteType::PsychotherapyNote => include_psychotherapy_notes && note.author_id == requester,
    }
}

/// Every dated event, sorted by date, then within the day as [`TimelineKind`] describes: a
/// total, stable order.
fn timeline(ctx: &Ctx, attachments: &[&Attachment]) -> Vec<TimelineEvent> {
    let patient = &ctx.record.patient;
    let mut events = Vec::with_capacity(
        1 + ctx.diagnoses.len()
            + ctx.plans.len()
            + ctx.sessions.len()
            + ctx.assessments.len()
            + attachments.len(),
    );
    let event = |date, at, kind, reference_id, description, attendance| TimelineEvent {
        date,
        at,
        kind,
        reference_id,
        description,
        attendance,
    };
    events.push(event(
        patient.intake_date,
        None,
        TimelineKind::Intake,
        patient.id,
        "Intake".to_string(),
        None,
    ));
    for d in &ctx.diagnoses {
        events.push(event(
            d.diagnosed_on,
            None,
            TimelineKind::Diagnosis,
            d.id,
            format!("{} {} ({})", d.icd10_code, d.description, d.rank.as_str()),
            None,
        ));
    }
    for p in &ctx.plans {
        events.push(event(
            p.start_date,
            None,
            TimelineKind::TreatmentPlanStarted,
            p.id,
            format!("{} ({})", p.title, p.status.as_str()),
            None,
        ));
    }
    for s in &ctx.sessions {
        let s = &s.session;
        events.push(event(
            s.start_time.date_naive(),
            Some(s.start_time),
            TimelineKind::Session,
            s.id,
            format!(
                "{} session, {}, {} min: {}",
                session_type_word(s.session_type),
                s.modality,
                s.duration_minutes,
                attendance_word(s.attendance)
            ),
            Some(s.attendance),
        ));
    }
    for a in &ctx.assessments {
        events.push(event(
            a.administered_on,
            None,
            TimelineKind::Assessment,
            a.id,
            format!("{} score {} ({})", a.instrument, a.score, a.severity),
            None,
        ));
    }
    for a in attachments {
        events.push(event(
            a.uploaded_at.date_naive(),
            Some(a.uploaded_at),
            TimelineKind::AttachmentUploaded,
            a.id,
            a.file_name.clone(),
            None,
        ));
    }
    // Stable sort: equal keys keep the push order (each list is already sorted by its own key).
    events.sort_by(|a, b| match a.date.cmp(&b.date) {
        Ordering::Equal => {
            (a.kind.day_phase(), a.at, a.kind).cmp(&(b.kind.day_phase(), b.at, b.kind))
        }
        other => other,
    });
    events
}

impl TimelineKind {
    /// Where in its day an event sorts: undated-in-the-day record events first (intake,
    /// diagnoses, plan starts), then timed events by instant (sessions, uploads), then
    /// assessments (administered during the day's sessions).
    fn day_phase(self) -> u8 {
        match self {
            TimelineKind::Intake | TimelineKind::Diagnosis | TimelineKind::TreatmentPlanStarted => {
                0
            }
            TimelineKind::Session | TimelineKind::AttachmentUploaded => 1,
            TimelineKind::Assessment => 2,
        }
    }
}

fn session_type_word(t: crate::records::SessionType) -> &'static str {
    use crate::records::SessionType::*;
    match t {
        Intake => "Intake",
        Individual => "Individual",
        Couples => "Couples",
        Family => "Family",
        Group => "Group",
        Crisis => "Crisis",
    }
}

fn attendance_word(a: Attendance) -> &'static str {
    match a {
        Attendance::Attended => "attended",
        Attendance::Cancelled => "cancelled",
        Attendance::NoShow => "no-show",
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::records::Therapist;
    use crate::report::{Report, ReportContent, build_report};

    fn body(report: &Report) -> &FullRecord {
        match &report.content {
            ReportContent::FullRecord(b) => b,
            other => panic!("not a full record: {other:?}"),
        }
    }

    fn full(requester: &Therapist, include_psychotherapy_notes: bool) -> Report {
        let (_, record) = small_record();
        let params = ExportParams {
            include_psychotherapy_notes,
            ..ExportParams::default()
        };
        let all = [
            therapist(THERAPIST, "Dr Ada Lovelace", "PhD"),
            other_therapist(),
        ];
        build_report(&input(
            requester,
            &record,
            ExportType::FullRecord,
            &params,
            &all,
        ))
    }

    fn note_ids(report: &Report) -> Vec<(Uuid, NoteType)> {
        body(report)
            .sessions
            .as_ref()
            .unwrap()
            .iter()
            .flat_map(|s| &s.notes)
            .map(|n| (n.note_id, n.note_type))
            .collect()
    }

    #[test]
    fn psychotherapy_notes_only_for_their_author_on_request() {
        use NoteType::*;
        let me = therapist(THERAPIST, "Dr Ada Lovelace", "PhD");
        let progress = [
            (id(201), ProgressNote),
            (id(203), ProgressNote),
            (id(204), ProgressNote),
            (id(206), ProgressNote),
        ];
        // Flag off: progress notes only.
        assert_eq!(note_ids(&full(&me, false)), progress);
        // Flag on: the requester's own psychotherapy note (2), never the other author's (5).
        assert_eq!(
            note_ids(&full(&me, true)),
            [
                (id(201), ProgressNote),
                (id(202), PsychotherapyNote),
                (id(203), ProgressNote),
                (id(204), ProgressNote),
                (id(206), ProgressNote),
            ]
        );
        // The other therapist asking: only their own (5).
        let other = other_therapist();
        assert_eq!(
            note_ids(&full(&other, true)),
            [
                (id(201), ProgressNote),
                (id(203), ProgressNote),
                (id(204), ProgressNote),
                (id(205), PsychotherapyNote),
                (id(206), ProgressNote),
            ]
        );
        assert_eq!(note_ids(&full(&other, false)), progress);
    }

    #[test]
    fn everything_is_there() {
        let me = therapist(THERAPIST, "Dr Ada Lovelace", "PhD");
        let report = full(&me, false);
        let b = body(&report);
        let demo = b.demographics.as_ref().unwrap();
        assert_eq!(demo.insurance.as_ref().unwrap().payer, "Acme Health");
        let names: Vec<_> = demo
            .assigned_clinicians
            .iter()
            .map(|c| c.display())
            .collect();
        assert_eq!(names, ["Dr Ada Lovelace, PhD", "Dr Grace Hopper, PsyD"]);
        assert_eq!(b.diagnoses.as_ref().unwrap()[0].icd10_code, "F41.1");
        let plans = b.treatment_plans.as_ref().unwrap();
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[1].goals.len(), 2);
        assert_eq!(plans[0].interventions.len(), 2);
        let sessions = b.sessions.as_ref().unwrap();
        assert_eq!(sessions.len(), 6);
        assert!(
            sessions
                .iter()
                .all(|s| s.details.is_some() && s.clinician.is_some() && s.topics.is_some())
        );
        assert_eq!(b.assessments.as_ref().unwrap().len(), 5);
        assert_eq!(b.attachments.as_ref().unwrap().len(), 2);
        assert_eq!(report.sections.len(), 7);
    }

    #[test]
    fn timeline_is_chronological_with_a_stable_tie_order() {
        let me = therapist(THERAPIST, "Dr Ada Lovelace", "PhD");
        let report = full(&me, false);
        let t = body(&report).timeline.as_ref().unwrap();
        // 1 intake + 2 diagnoses + 2 plans + 6 sessions + 5 assessments + 2 attachments.
        assert_eq!(t.len(), 18);
        let head: Vec<_> = t
            .iter()
            .take(8)
            .map(|e| (e.date, e.kind, e.reference_id))
            .collect();
        use TimelineKind::*;
        assert_eq!(
            head,
            [
                (d(2026, 1, 5), Intake, id(1)),
                (d(2026, 1, 5), Diagnosis, id(10)),
                (d(2026, 1, 5), TreatmentPlanStarted, id(20)),
                (d(2026, 1, 6), Session, id(101)),
                (d(2026, 1, 6), AttachmentUploaded, id(50)),
                (d(2026, 1, 6), Assessment, id(301)),
                (d(2026, 1, 6), Assessment, id(302)),
                (d(2026, 1, 10), Diagnosis, id(11)),
            ]
        );
        assert_eq!(
            t[1].description,
            "F41.1 Generalized anxiety disorder (secondary)"
        );
        assert_eq!(t[3].description, "Intake session, CBT, 60 min: attended");
        assert_eq!(t[3].attendance, Some(Attendance::Attended));
        assert_eq!(t[5].description, "GAD-7 score 12 (moderate)");
        assert_eq!(t[4].description, "intake-form.pdf");
        // Timed events by instant: the 09:00 upload before the 15:00 session, then assessments.
        let feb3: Vec<_> = t
            .iter()
            .filter(|e| e.date == d(2026, 2, 3))
            .map(|e| e.kind)
            .collect();
        assert_eq!(feb3, [AttachmentUploaded, Session, Assessment, Assessment]);
        assert_eq!(t.last().unwrap().kind, TreatmentPlanStarted);
        for w in t.windows(2) {
            assert!(w[0].date <= w[1].date);
        }
    }

    #[test]
    fn demo_full_record_keeps_hostile_text_verbatim() {
        let data = demo();
        let record = &data.patients[0];
        let report = demo_report(
            data,
            record,
            ExportType::FullRecord,
            &ExportParams::default(),
        );
        let sessions = body(&report).sessions.as_ref().unwrap();
        let first = sessions.iter().find(|s| !s.notes.is_empty()).unwrap();
        let soap = &first.notes[0].soap;
        let all: String = soap
            .sections()
            .iter()
            .filter_map(|(_, t)| *t)
            .collect::<Vec<_>>()
            .join("\n");
        for h in exports_synthetic::HOSTILE_STRINGS {
            assert!(all.contains(h), "{h:?} lost");
        }
    }
}
