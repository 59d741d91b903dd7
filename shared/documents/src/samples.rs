//! Sample reports from synthetic data: what [`validate_template`](crate::validate_template)
//! renders templates against, and convenient inputs for tests and benches.

use chrono::{TimeZone, Utc};
use exports_core::export::ExportType;
use exports_core::params::ExportParams;
use exports_core::records::{NoteTexts, PatientRecord, PracticeData};
use exports_core::report::{Report, ReportContent, ReportInput, build_report};
use exports_synthetic::{DemoParams, generate};
use uuid::Uuid;

/// A named sample report.
pub struct Sample {
    /// e.g. `progress_report (no sections)`.
    pub name: String,
    pub report: Report,
}

/// The report of one export type on patient `patient` of `data`, requested by the patient's
/// first assigned therapist. Progress reports cover the intake and every session; full records
/// include the requester's psychotherapy notes.
pub fn report_for(
    data: &PracticeData,
    patient: usize,
    export_type: ExportType,
    include_sections: Option<Vec<String>>,
) -> Report {
    let record = &data.patients[patient];
    report_for_record(data, record, export_type, include_sections)
}

fn report_for_record(
    data: &PracticeData,
    record: &PatientRecord,
    export_type: ExportType,
    include_sections: Option<Vec<String>>,
) -> Report {
    let requester = data
        .therapists
        .iter()
        .find(|t| Some(&t.id) == record.patient.assigned_therapist_ids.first())
        .unwrap_or(&data.therapists[0]);
    let mut params = ExportParams {
        include_sections,
        ..ExportParams::default()
    };
    match export_type {
        ExportType::ProgressReport => {
            let first = record
                .sessions
                .iter()
                .map(|s| s.session.start_time.date_naive())
                .min()
                .unwrap_or(record.patient.intake_date);
            let last = record
                .sessions
                .iter()
                .map(|s| s.session.start_time.date_naive())
                .max()
                .unwrap_or(record.patient.intake_date);
            params.start_date = Some(first.min(record.patient.intake_date));
            params.end_date = Some(last.max(record.patient.intake_date));
        }
        ExportType::FullRecord => params.include_psychotherapy_notes = true,
        _ => {}
    }
    build_report(&ReportInput {
        job_id: JOB_ID,
        export_type,
        params: &params,
        generated_at: Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap(),
        requester,
        record,
        therapists: &data.therapists,
    })
}

/// The job id of every sample.
pub const JOB_ID: Uuid = Uuid::from_u128(0x0199_0000_0000_7000_8000_0000_0000_0001);

/// The samples templates are validated against: for every export type, a record with data and
/// every section (its first patient's intake note holds every hostile string), the same with
/// no sections, and a record with no sessions, diagnoses, plans, assessments or attachments.
pub fn samples() -> Vec<Sample> {
    let data = generate(&DemoParams {
        patients: 1,
        sessions_per_patient: 6,
        words_per_note: 40,
        seed: 7,
        ..DemoParams::default()
    });
    let mut empty = data.patients[0].clone();
    empty.sessions.clear();
    empty.diagnoses.clear();
    empty.treatment_plans.clear();
    empty.assessments.clear();
    empty.attachments.clear();
    let mut out = Vec::new();
    for &t in ExportType::ALL {
        out.push(Sample {
            name: format!("{t}"),
            report: report_for_record(&data, &data.patients[0], t, None),
        });
        out.push(Sample {
            name: format!("{t} (no sections)"),
            report: report_for_record(&data, &data.patients[0], t, Some(Vec::new())),
        });
        out.push(Sample {
            name: format!("{t} (empty record)"),
            report: report_for_record(&data, &empty, t, None),
        });
    }
    out
}

/// Takes the note texts out of a full record's report, each session's in the report's order:
/// the report a paged render starts from (as built from the record's outline) and the texts the
/// records store keeps apart, to give as the document asks for them (`NoteTextFeed`). Other
/// reports: nothing taken.
pub fn take_note_texts(report: &mut Report) -> Vec<NoteTexts> {
    let ReportContent::FullRecord(full) = &mut report.content else {
        return Vec::new();
    };
    full.sessions
        .iter_mut()
        .flatten()
        .map(|s| {
            s.notes
                .iter_mut()
                .map(|n| (n.note_id, std::mem::take(&mut n.soap)))
                .collect()
        })
        .collect()
}
