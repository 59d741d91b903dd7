//! `treatment_summary`: the course of treatment over the whole record.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::progress::attendance_of;
use super::{
    AssessmentEntry, Ctx, DiagnosisEntry, GoalEntry, assessment_entry, diagnosis_entry,
    ratio_rounded,
};
use crate::records::{Assessment, Attendance, DiagnosisRank, PlanStatus};

/// The body of a treatment summary. It covers every session of the record (no date range).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatmentSummary {
    /// Primary diagnoses first, then secondary; each group by date, then id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnoses: Option<Vec<DiagnosisEntry>>,
    /// The current plan: the latest active plan, else the latest plan. Absent without plans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treatment_plan: Option<PlanSummary>,
    /// Every goal of every plan (plans by start date, goals in plan order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goals: Option<Vec<GoalEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interventions: Option<Interventions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_statistics: Option<SessionStatistics>,
    /// One entry per instrument (code point order): first against latest administration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Vec<AssessmentChange>>,
    /// The current plan's prognosis; absent when excluded or not recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prognosis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub plan_id: Uuid,
    pub title: String,
    pub status: PlanStatus,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_date: Option<NaiveDate>,
}

/// Section `interventions`: what was planned and which modalities were delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interventions {
    /// The union of every plan's interventions (exact text), by number of plans descending, ties
    /// by name.
    pub planned: Vec<InterventionCount>,
    /// Modalities of attended sessions, by sessions descending, ties by name.
    pub modalities: Vec<ModalityCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterventionCount {
    pub intervention: String,
    /// Plans that list it.
    pub plans: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModalityCount {
    pub modality: String,
    /// Attended sessions delivered in it.
    pub sessions_attended: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionStatistics {
    pub scheduled: u32,
    pub attended: u32,
    pub cancelled: u32,
    pub no_show: u32,
    /// `attended / scheduled × 100`, rounded half up to one decimal; absent with no sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance_rate_percent: Option<f64>,
    /// UTC date of the first attended session; absent when none was attended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_attended: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attended: Option<NaiveDate>,
    pub minutes_attended: u32,
    /// `minutes_attended / 60`, rounded half up to two decimals.
    pub hours_attended: f64,
}

/// One instrument's first and latest score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentChange {
    pub instrument: String,
    /// How many times it was administered (≥ 1; with 1, first and latest are the same).
    pub administrations: u32,
    pub first: AssessmentEntry,
    pub latest: AssessmentEntry,
    /// `latest.score − first.score` (negative: the score went down).
    pub change: i32,
    /// Whether the severity text differs between first and latest.
    pub severity_changed: bool,
    /// Every administration, oldest first (`first` … `latest`): the score chart draws them all.
    pub scores: Vec<AssessmentEntry>,
}

/// `(name, count)` by count descending, then name.
fn ranked(counts: BTreeMap<&str, u32>) -> Vec<(&str, u32)> {
    let mut list: Vec<(&str, u32)> = counts.into_iter().collect();
    list.sort_by_key(|x| std::cmp::Reverse(x.1));
    list
}

pub(crate) fn build(ctx: &Ctx) -> TreatmentSummary {
    let current = ctx.current_plan();

    let diagnoses = ctx.includes("diagnoses").then(|| {
        let mut list = ctx.diagnoses.clone();
        // Stable: each rank stays chronological.
        list.sort_by_key(|d| d.rank != DiagnosisRank::Primary);
        list.into_iter().map(diagnosis_entry).collect()
    });

    let interventions = ctx.includes("interventions").then(|| {
        let mut planned: BTreeMap<&str, u32> = BTreeMap::new();
        for p in &ctx.plans {
            let mut seen: Vec<&str> = Vec::with_capacity(p.interventions.len());
            for i in &p.interventions {
                if !seen.contains(&i.as_str()) {
                    seen.push(i);
                    *planned.entry(i).or_default() += 1;
                }
            }
        }
        let mut modalities: BTreeMap<&str, u32> = BTreeMap::new();
        for s in &ctx.sessions {
            if s.session.attendance == Attendance::Attended {
                *modalities.entry(&s.session.modality).or_default() += 1;
            }
        }
        Interventions {
            planned: ranked(planned)
                .into_iter()
                .map(|(i, plans)| InterventionCount {
                    intervention: i.to_string(),
                    plans,
                })
                .collect(),
            modalities: ranked(modalities)
                .into_iter()
                .map(|(m, sessions_attended)| ModalityCount {
                    modality: m.to_string(),
                    sessions_attended,
                })
                .collect(),
        }
    });

    let session_statistics = ctx.includes("session_statistics").then(|| {
        let a = attendance_of(ctx.sessions.iter().copied());
        let mut attended = ctx
            .sessions
            .iter()
            .filter(|s| s.session.attendance == Attendance::Attended)
            .map(|s| s.session.start_time.date_naive());
        let first_attended = attended.next();
        let last_attended = attended.next_back().or(first_attended);
        SessionStatistics {
            scheduled: a.scheduled,
            attended: a.attended,
            cancelled: a.cancelled,
            no_show: a.no_show,
            attendance_rate_percent: (a.scheduled > 0)
                .then(|| ratio_rounded(u64::from(a.attended) * 100, u64::from(a.scheduled), 1)),
            first_attended,
            last_attended,
            minutes_attended: a.minutes_attended,
            hours_attended: ratio_rounded(u64::from(a.minutes_attended), 60, 2),
        }
    });

    let assessments = ctx.includes("assessments").then(|| {
        // ctx.assessments is by date then id, so each instrument's list is chronological.
        let mut by_instrument: BTreeMap<&str, Vec<&Assessment>> = BTreeMap::new();
        for a in &ctx.assessments {
            by_instrument.entry(&a.instrument).or_default().push(a);
        }
        by_instrument
            .into_iter()
            .filter_map(|(instrument, list)| {
                let (first, latest) = (list.first()?, list.last()?);
                Some(AssessmentChange {
                    instrument: instrument.to_string(),
                    administrations: list.len() as u32,
                    first: assessment_entry(first),
                    latest: assessment_entry(latest),
                    change: i32::from(latest.score) - i32::from(first.score),
                    severity_changed: first.severity != latest.severity,
                    scores: list.iter().map(|a| assessment_entry(a)).collect(),
                })
            })
            .collect()
    });

    TreatmentSummary {
        diagnoses,
        treatment_plan: if ctx.includes("treatment_plan") {
            current.map(|p| PlanSummary {
                plan_id: p.id,
                title: p.title.clone(),
                status: p.status,
                start_date: p.start_date,
                review_date: p.review_date,
            })
        } else {
            None
        },
        goals: ctx.includes("goals").then(|| ctx.goals()),
        interventions,
        session_statistics,
        assessments,
        prognosis: if ctx.includes("prognosis") {
            current.and_then(|p| p.prognosis.clone())
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::records::PatientRecord;
    use crate::report::{Report, ReportContent, build_report};

    fn body(report: &Report) -> &TreatmentSummary {
        match &report.content {
            ReportContent::TreatmentSummary(b) => b,
            other => panic!("not a treatment summary: {other:?}"),
        }
    }

    fn summary(record: &PatientRecord, params: &ExportParams) -> Report {
        let me = therapist(THERAPIST, "Dr Ada Lovelace", "PhD");
        build_report(&input(
            &me,
            record,
            ExportType::TreatmentSummary,
            params,
            &[],
        ))
    }

    #[test]
    fn small_record_summary() {
        let (_, record) = small_record();
        let report = summary(&record, &ExportParams::default());
        let b = body(&report);

        let dx: Vec<_> = b
            .diagnoses
            .as_ref()
            .unwrap()
            .iter()
            .map(|d| (d.icd10_code.as_str(), d.rank))
            .collect();
        assert_eq!(
            dx,
            [
                ("F32.1", DiagnosisRank::Primary),
                ("F41.1", DiagnosisRank::Secondary)
            ]
        );

        let plan = b.treatment_plan.as_ref().unwrap();
        assert_eq!(
            (plan.title.as_str(), plan.status, plan.review_date),
            ("Revised plan", PlanStatus::Active, Some(d(2026, 6, 1)))
        );
        assert_eq!(b.prognosis.as_deref(), Some("Good"));
        assert_eq!(b.goals.as_ref().unwrap().len(), 3);

        let i = b.interventions.as_ref().unwrap();
        let planned: Vec<_> = i
            .planned
            .iter()
            .map(|x| (x.intervention.as_str(), x.plans))
            .collect();
        assert_eq!(
            planned,
            [
                ("Cognitive restructuring", 2),
                ("Behavioral activation", 1),
                ("Psychoeducation", 1)
            ]
        );
        let modalities: Vec<_> = i
            .modalities
            .iter()
            .map(|x| (x.modality.as_str(), x.sessions_attended))
            .collect();
        assert_eq!(modalities, [("CBT", 3), ("DBT", 1)]);

        let s = b.session_statistics.as_ref().unwrap();
        assert_eq!(
            (s.scheduled, s.attended, s.cancelled, s.no_show),
            (6, 4, 1, 1)
        );
        assert_eq!(s.attendance_rate_percent, Some(66.7));
        assert_eq!(
            (s.first_attended, s.last_attended),
            (Some(d(2026, 1, 6)), Some(d(2026, 2, 10)))
        );
        assert_eq!((s.minutes_attended, s.hours_attended), (205, 3.42));

        let a = b.assessments.as_ref().unwrap();
        let changes: Vec<_> = a
            .iter()
            .map(|c| {
                (
                    c.instrument.as_str(),
                    c.administrations,
                    c.first.score,
                    c.latest.score,
                    c.change,
                    c.severity_changed,
                )
            })
            .collect();
        assert_eq!(
            changes,
            [("GAD-7", 2, 12, 7, -5, true), ("PHQ-9", 3, 15, 9, -6, true)]
        );
        assert_eq!(a[1].latest.administered_on, d(2026, 2, 10));
        assert_eq!(a[1].first.severity, "moderately severe");
        // Every administration, not just the first and the latest: the chart draws them all.
        let series: Vec<Vec<_>> = a
            .iter()
            .map(|c| {
                c.scores
                    .iter()
                    .map(|s| (s.instrument.as_str(), s.administered_on, s.score))
                    .collect()
            })
            .collect();
        assert_eq!(
            series,
            [
                vec![("GAD-7", d(2026, 1, 6), 12), ("GAD-7", d(2026, 2, 3), 7)],
                vec![
                    ("PHQ-9", d(2026, 1, 6), 15),
                    ("PHQ-9", d(2026, 2, 3), 10),
                    ("PHQ-9", d(2026, 2, 10), 9)
                ]
            ]
        );
    }

    #[test]
    fn without_active_plan_the_latest_plan_is_current_and_empty_lists_are_clean() {
        let (_, mut record) = small_record();
        record.treatment_plans[1].status = PlanStatus::Discontinued;
        record.treatment_plans[1].prognosis = None;
        record.assessments.clear();
        record.sessions.clear();
        let report = summary(&record, &ExportParams::default());
        let b = body(&report);
        assert_eq!(b.treatment_plan.as_ref().unwrap().title, "Revised plan");
        assert_eq!(b.prognosis, None);
        assert_eq!(b.assessments.as_deref(), Some(&[][..]));
        let s = b.session_statistics.as_ref().unwrap();
        assert_eq!(s.scheduled, 0);
        assert_eq!(s.attendance_rate_percent, None);
        assert_eq!(s.first_attended, None);
        assert_eq!(s.hours_attended, 0.0);
        assert!(b.interventions.as_ref().unwrap().modalities.is_empty());

        record.treatment_plans[0].status = PlanStatus::Active;
        let report = summary(&record, &ExportParams::default());
        assert_eq!(
            body(&report).treatment_plan.as_ref().unwrap().title,
            "Initial plan",
            "an older active plan beats a newer inactive one"
        );
        record.treatment_plans.clear();
        let report = summary(&record, &ExportParams::default());
        assert!(body(&report).treatment_plan.is_none());
    }

    #[test]
    fn excluded_sections_are_absent() {
        let (_, record) = small_record();
        let params = ExportParams {
            include_sections: Some(vec!["prognosis".into(), "diagnoses".into()]),
            ..ExportParams::default()
        };
        let report = summary(&record, &params);
        let b = body(&report);
        assert!(b.diagnoses.is_some() && b.prognosis.is_some());
        assert!(b.treatment_plan.is_none() && b.goals.is_none() && b.interventions.is_none());
        assert!(b.session_statistics.is_none() && b.assessments.is_none());
        assert_eq!(report.sections, ["diagnoses", "prognosis"]);
    }

    #[test]
    fn demo_patient_statistics_add_up() {
        let data = demo();
        for record in &data.patients {
            let report = demo_report(
                data,
                record,
                ExportType::TreatmentSummary,
                &ExportParams::default(),
            );
            let b = body(&report);
            let s = b.session_statistics.as_ref().unwrap();
            assert_eq!(s.scheduled as usize, record.sessions.len());
            assert_eq!(s.attended + s.cancelled + s.no_show, s.scheduled);
            let modality_total: u32 = b
                .interventions
                .as_ref()
                .unwrap()
                .modalities
                .iter()
                .map(|m| m.sessions_attended)
                .sum();
            assert_eq!(modality_total, s.attended);
            for c in b.assessments.as_ref().unwrap() {
                assert_eq!(
                    c.change,
                    i32::from(c.latest.score) - i32::from(c.first.score)
                );
                assert!(c.first.administered_on <= c.latest.administered_on);
                assert_eq!(c.scores.len() as u32, c.administrations);
                assert_eq!(c.scores.first(), Some(&c.first));
                assert_eq!(c.scores.last(), Some(&c.latest));
                assert!(
                    c.scores
                        .windows(2)
                        .all(|w| w[0].administered_on <= w[1].administered_on)
                );
            }
        }
    }
}
