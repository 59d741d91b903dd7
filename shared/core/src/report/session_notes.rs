//! `session_notes`: chosen sessions with their progress notes.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::{Ctx, SessionEntry};
use crate::records::NoteType;

/// The body of a session-notes export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionNotes {
    /// How the sessions were chosen.
    pub selection: SessionSelection,
    /// The chosen sessions, chronological (start time, then id). Each carries its progress notes
    /// only: psychotherapy notes are never part of session notes.
    pub sessions: Vec<SessionEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionSelection {
    pub kind: SelectionKind,
    /// `kind == session_ids`: the ids asked for (ids not in the record are simply not exported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_ids: Option<Vec<Uuid>>,
    /// `kind == date_range`: first day (UTC), absent for an open start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    /// `kind == date_range`: last day (UTC, inclusive), absent for an open end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectionKind {
    /// Exactly the sessions in `params.session_ids` (dates are then ignored).
    SessionIds,
    /// Sessions whose start time's UTC date is within `start_date..=end_date`.
    DateRange,
    /// Neither ids nor dates were given: every session.
    All,
}

pub(crate) fn build(ctx: &Ctx) -> SessionNotes {
    let params = ctx.params;
    let selection = match (&params.session_ids, params.start_date, params.end_date) {
        (Some(ids), _, _) => SessionSelection {
            kind: SelectionKind::SessionIds,
            session_ids: Some(ids.clone()),
            start_date: None,
            end_date: None,
        },
        (None, None, None) => SessionSelection {
            kind: SelectionKind::All,
            session_ids: None,
            start_date: None,
            end_date: None,
        },
        (None, start_date, end_date) => SessionSelection {
            kind: SelectionKind::DateRange,
            session_ids: None,
            start_date,
            end_date,
        },
    };
    let wanted: Option<BTreeSet<Uuid>> = params
        .session_ids
        .as_ref()
        .map(|ids| ids.iter().copied().collect());
    let include = |section: &str| ctx.includes(section);
    let progress_only = |n: &crate::records::Note| n.note_type == NoteType::ProgressNote;
    let sessions = ctx
        .sessions
        .iter()
        .filter(|s| match &wanted {
            Some(ids) => ids.contains(&s.session.id),
            None => {
                let d = s.session.start_time.date_naive();
                params.start_date.is_none_or(|start| d >= start)
                    && params.end_date.is_none_or(|end| d <= end)
            }
        })
        .map(|s| ctx.session_entry(s, &include, &progress_only))
        .collect();
    SessionNotes {
        selection,
        sessions,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::super::fixtures::*;
    use super::*;
    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::records::NoteType;
    use crate::report::{ReportContent, build_report};

    fn body(report: &crate::report::Report) -> &SessionNotes {
        match &report.content {
            ReportContent::SessionNotes(b) => b,
            other => panic!("not session notes: {other:?}"),
        }
    }

    #[test]
    fn all_sessions_when_no_ids_or_dates_and_never_psychotherapy_notes() {
        let data = demo();
        let record = &data.patients[0];
        let params = ExportParams::default();
        let report = demo_report(data, record, ExportType::SessionNotes, &params);
        let b = body(&report);
        assert_eq!(b.selection.kind, SelectionKind::All);
        assert_eq!(b.sessions.len(), record.sessions.len());
        let ids: Vec<_> = b.sessions.iter().map(|s| s.session_id).collect();
        let expected: Vec<_> = record.sessions.iter().map(|s| s.session.id).collect();
        assert_eq!(ids, expected, "chronological storage order");
        // The record has psychotherapy notes somewhere; none is exported.
        assert!(
            data.patients
                .iter()
                .flat_map(|p| &p.sessions)
                .flat_map(|s| &s.notes)
                .any(|n| n.note_type == NoteType::PsychotherapyNote)
        );
        let progress_notes = record
            .sessions
            .iter()
            .flat_map(|s| &s.notes)
            .filter(|n| n.note_type == NoteType::ProgressNote)
            .count();
        let exported: Vec<_> = b.sessions.iter().flat_map(|s| &s.notes).collect();
        assert_eq!(exported.len(), progress_notes);
        assert!(
            exported
                .iter()
                .all(|n| n.note_type == NoteType::ProgressNote)
        );
    }

    #[test]
    fn psychotherapy_notes_excluded_even_when_flag_set_and_requester_wrote_them() {
        let (therapist, record) = small_record();
        let params = ExportParams {
            include_psychotherapy_notes: true,
            ..ExportParams::default()
        };
        let report = build_report(&input(
            &therapist,
            &record,
            ExportType::SessionNotes,
            &params,
            &[],
        ));
        let notes: Vec<_> = body(&report)
            .sessions
            .iter()
            .flat_map(|s| &s.notes)
            .collect();
        assert!(!notes.is_empty());
        assert!(notes.iter().all(|n| n.note_type == NoteType::ProgressNote));
    }

    #[test]
    fn selection_by_ids_is_exact_and_chronological() {
        let data = demo();
        let record = &data.patients[1];
        let s = &record.sessions;
        let missing = Uuid::from_u128(42);
        // Asked in reverse order, with an id that is not in the record.
        let params = ExportParams {
            session_ids: Some(vec![s[5].session.id, missing, s[2].session.id]),
            // Dates are ignored when ids are given.
            start_date: Some(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()),
            end_date: Some(NaiveDate::from_ymd_opt(2000, 1, 2).unwrap()),
            ..ExportParams::default()
        };
        let report = demo_report(data, record, ExportType::SessionNotes, &params);
        let b = body(&report);
        assert_eq!(b.selection.kind, SelectionKind::SessionIds);
        let ids: Vec<_> = b.sessions.iter().map(|x| x.session_id).collect();
        assert_eq!(ids, vec![s[2].session.id, s[5].session.id]);
    }

    #[test]
    fn selection_by_dates_is_inclusive_on_utc_dates() {
        let data = demo();
        let record = &data.patients[2];
        let s = &record.sessions;
        let start = s[3].session.start_time.date_naive();
        let end = s[8].session.start_time.date_naive();
        let params = ExportParams {
            start_date: Some(start),
            end_date: Some(end),
            ..ExportParams::default()
        };
        let report = demo_report(data, record, ExportType::SessionNotes, &params);
        let b = body(&report);
        assert_eq!(b.selection.kind, SelectionKind::DateRange);
        let expected: Vec<_> = s
            .iter()
            .filter(|x| {
                let d = x.session.start_time.date_naive();
                d >= start && d <= end
            })
            .map(|x| x.session.id)
            .collect();
        let ids: Vec<_> = b.sessions.iter().map(|x| x.session_id).collect();
        assert_eq!(ids, expected);
        assert!(ids.contains(&s[3].session.id) && ids.contains(&s[8].session.id));
        assert!(!ids.contains(&s[2].session.id) && !ids.contains(&s[9].session.id));

        // Open-ended: only a start date.
        let params = ExportParams {
            start_date: Some(end + Duration::days(1)),
            ..ExportParams::default()
        };
        let report = demo_report(data, record, ExportType::SessionNotes, &params);
        assert!(
            body(&report)
                .sessions
                .iter()
                .all(|x| x.date > end && x.session_id != s[8].session.id)
        );
    }

    #[test]
    fn include_sections_gate_every_part_and_none_sections_are_absent() {
        let data = demo();
        let record = &data.patients[0];
        let params = ExportParams {
            include_sections: Some(vec!["mood".into(), "subjective".into(), "plan".into()]),
            ..ExportParams::default()
        };
        let report = demo_report(data, record, ExportType::SessionNotes, &params);
        assert_eq!(report.sections, vec!["mood", "subjective", "plan"]);
        for s in &body(&report).sessions {
            assert!(s.details.is_none() && s.clinician.is_none() && s.topics.is_none());
            for n in &s.notes {
                assert!(n.soap.objective.is_none() && n.soap.assessment.is_none());
            }
        }
        let first = &body(&report).sessions.iter().find(|s| !s.notes.is_empty());
        let n = &first.unwrap().notes[0];
        assert!(n.soap.subjective.is_some() && n.soap.plan.is_some());

        // Everything by default; the record's None objective stays None.
        let report = demo_report(
            data,
            record,
            ExportType::SessionNotes,
            &ExportParams::default(),
        );
        let with_notes: Vec<_> = body(&report)
            .sessions
            .iter()
            .filter(|s| !s.notes.is_empty())
            .collect();
        let hostile = &with_notes[0].notes[0];
        assert_eq!(
            hostile.soap.objective.as_deref(),
            Some("=HYPERLINK(\"http://x\",\"y\")")
        );
        assert!(with_notes[1].notes[0].soap.objective.is_none());
        let s0 = with_notes[0];
        assert!(s0.details.is_some() && s0.clinician.is_some() && s0.topics.is_some());
        assert!(s0.clinician.as_ref().unwrap().name.is_some());
    }

    #[test]
    fn unknown_clinicians_are_shown_by_id() {
        let (therapist, mut record) = small_record();
        let stranger = Uuid::from_u128(7);
        record.sessions[0].session.therapist_id = stranger;
        record.sessions[0].notes[0].author_id = stranger;
        let params = ExportParams::default();
        let report = build_report(&input(
            &therapist,
            &record,
            ExportType::SessionNotes,
            &params,
            &[],
        ));
        let s = &body(&report).sessions[0];
        let c = s.clinician.as_ref().unwrap();
        assert_eq!((c.id, c.name.as_deref()), (stranger, None));
        assert_eq!(c.display(), stranger.to_string());
        assert_eq!(s.notes[0].author.display(), stranger.to_string());
        // The requester is known even when absent from `therapists`.
        let other = &body(&report).sessions[1];
        assert_eq!(
            other.clinician.as_ref().unwrap().display(),
            "Dr Ada Lovelace, PhD"
        );
    }
}
