//! `progress_report`: how a patient did over a period.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::{
    AssessmentEntry, Ctx, DiagnosisEntry, GoalEntry, assessment_entry, diagnosis_entry,
    ratio_rounded,
};
use crate::records::{Attendance, DiagnosisRank, SessionRecord};

/// How many topics a progress report lists.
pub const TOP_TOPICS: usize = 10;

/// The body of a progress report. Sessions count in the period by the UTC date of their start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressReport {
    pub period: Period,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demographics: Option<ProgressDemographics>,
    /// Every goal of every treatment plan (plans by start date, goals in plan order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goals: Option<Vec<GoalEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance: Option<AttendanceSummary>,
    /// The most discussed topics of attended sessions in the period: at most [`TOP_TOPICS`], by
    /// count descending, ties by topic (Unicode code point order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<TopicCount>>,
    /// Mood of attended sessions in the period; absent when the section is excluded or no such
    /// session has a mood.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mood: Option<MoodSummary>,
    /// Assessment scores administered in the period, by instrument (code point order), then
    /// date, then id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessments: Option<Vec<AssessmentEntry>>,
}

/// An inclusive range of UTC dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

impl Period {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start_date <= date && date <= self.end_date
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressDemographics {
    pub date_of_birth: NaiveDate,
    /// Whole years on the period's last day (absent if that is before the birth date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_at_period_end: Option<u32>,
    pub gender: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    pub intake_date: NaiveDate,
    /// The most recent primary diagnosis (latest `diagnosed_on`, then id); absent if none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_diagnosis: Option<DiagnosisEntry>,
}

/// Sessions scheduled in the period, by attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AttendanceSummary {
    /// Every session in the period, whatever its attendance.
    pub scheduled: u32,
    pub attended: u32,
    pub cancelled: u32,
    pub no_show: u32,
    /// Sum of `duration_minutes` of attended sessions.
    pub minutes_attended: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicCount {
    pub topic: String,
    /// Attended sessions in the period that list the topic.
    pub sessions: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodSummary {
    /// Attended sessions in the period with a recorded mood (at least 1).
    pub sessions_with_mood: u32,
    pub first: MoodPoint,
    pub last: MoodPoint,
    /// Mean mood, rounded half up to one decimal.
    pub average: f64,
    /// Every one of those sessions' moods, in session order (`first` … `last`): the mood
    /// chart draws them all.
    pub points: Vec<MoodPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MoodPoint {
    pub session_id: Uuid,
    pub date: NaiveDate,
    pub mood: u8,
}

/// The period asked for. The API requires both dates for a progress report; if one is missing
/// anyway the period starts at the earlier of the intake date and the first session, and ends on
/// `generated_at`'s UTC date.
fn period(ctx: &Ctx) -> Period {
    let first_session = ctx
        .sessions
        .first()
        .map(|s| s.session.start_time.date_naive());
    let intake = ctx.record.patient.intake_date;
    Period {
        start_date: ctx
            .params
            .start_date
            .unwrap_or_else(|| first_session.map_or(intake, |f| f.min(intake))),
        end_date: ctx
            .params
            .end_date
            .unwrap_or_else(|| ctx.input.generated_at.date_naive()),
    }
}

pub(crate) fn attendance_of<'a>(
    sessions: impl IntoIterator<Item = &'a SessionRecord>,
) -> AttendanceSummary {
    let mut a = AttendanceSummary {
        scheduled: 0,
        attended: 0,
        cancelled: 0,
        no_show: 0,
        minutes_attended: 0,
    };
    for s in sessions {
        a.scheduled += 1;
        match s.session.attendance {
            Attendance::Attended => {
                a.attended += 1;
                a.minutes_attended += u32::from(s.session.duration_minutes);
            }
            Attendance::Cancelled => a.cancelled += 1,
            Attendance::NoShow => a.no_show += 1,
        }
    }
    a
}

pub(crate) fn build(ctx: &Ctx) -> ProgressReport {
    let period = period(ctx);
    let in_period: Vec<&SessionRecord> = ctx
        .sessions
        .iter()
        .copied()
        .filter(|s| period.contains(s.session.start_time.date_naive()))
        .collect();
    let attended = || {
        in_period
            .iter()
            .copied()
            .filter(|s| s.session.attendance == Attendance::Attended)
    };
    let patient = &ctx.record.patient;

    let demographics = ctx.includes("demographics").then(|| ProgressDemographics {
        date_of_birth: patient.date_of_birth,
        age_at_period_end: period.end_date.years_since(patient.date_of_birth),
        gender: patient.gender.clone(),
        pronouns: patient.pronouns.clone(),
        intake_date: patient.intake_date,
        primary_diagnosis: ctx
            .diagnoses
            .iter()
            .rev()
            .find(|d| d.rank == DiagnosisRank::Primary)
            .map(|d| diagnosis_entry(d)),
    });

    let topics = ctx.includes("topics").then(|| {
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for s in attended() {
            let mut seen: Vec<&str> = Vec::with_capacity(s.session.topics.len());
            for t in &s.session.topics {
                if !seen.contains(&t.as_str()) {
                    seen.push(t);
                    *counts.entry(t).or_default() += 1;
                }
            }
        }
        let mut list: Vec<(&str, u32)> = counts.into_iter().collect();
        // Stable sort of an alphabetical list: ties stay alphabetical.
        list.sort_by_key(|x| std::cmp::Reverse(x.1));
        list.truncate(TOP_TOPICS);
        list.into_iter()
            .map(|(topic, sessions)| TopicCount {
                topic: topic.to_string(),
                sessions,
            })
            .collect()
    });

    let mood = if ctx.includes("mood") {
        let points: Vec<MoodPoint> = attended()
            .filter_map(|s| {
                s.session.mood.map(|mood| MoodPoint {
                    session_id: s.session.id,
                    date: s.session.start_time.date_naive(),
                    mood,
                })
            })
            .collect();
        match (points.first(), points.last()) {
            (Some(first), Some(last)) => {
                let sum: u64 = points.iter().map(|p| u64::from(p.mood)).sum();
                Some(MoodSummary {
                    sessions_with_mood: points.len() as u32,
                    first: *first,
                    last: *last,
                    average: ratio_rounded(sum, points.len() as u64, 1),
                    points,
                })
            }
            _ => None,
        }
    } else {
        None
    };

    let assessments = ctx.includes("assessments").then(|| {
        let mut list: Vec<_> = ctx
            .assessments
            .iter()
            .filter(|a| period.contains(a.administered_on))
            .collect();
        list.sort_by(|a, b| {
            (a.instrument.as_str(), a.administered_on, a.id).cmp(&(
                b.instrument.as_str(),
                b.administered_on,
                b.id,
            ))
        });
        list.into_iter().map(|a| assessment_entry(a)).collect()
    });

    ProgressReport {
        period,
        demographics,
        goals: ctx.includes("goals").then(|| ctx.goals()),
        attendance: ctx
            .includes("attendance")
            .then(|| attendance_of(in_period.iter().copied())),
        topics,
        mood,
        assessments,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::records::GoalStatus;
    use crate::report::{Report, ReportContent, build_report};

    fn body(report: &Report) -> &ProgressReport {
        match &report.content {
            ReportContent::ProgressReport(b) => b,
            other => panic!("not a progress report: {other:?}"),
        }
    }

    fn small(params: &ExportParams) -> Report {
        let (me, record) = small_record();
        let others = [other_therapist()];
        build_report(&input(
            &me,
            &record,
            ExportType::ProgressReport,
            params,
            &others,
        ))
    }

    fn range(start: NaiveDate, end: NaiveDate) -> ExportParams {
        ExportParams {
            start_date: Some(start),
            end_date: Some(end),
            ..ExportParams::default()
        }
    }

    #[test]
    fn january_counts_topics_mood_and_assessments() {
        let report = small(&range(d(2026, 1, 1), d(2026, 1, 31)));
        let b = body(&report);
        assert_eq!(
            b.period,
            Period {
                start_date: d(2026, 1, 1),
                end_date: d(2026, 1, 31)
            }
        );
        assert_eq!(
            b.attendance,
            Some(AttendanceSummary {
                scheduled: 4,
                attended: 2,
                cancelled: 1,
                no_show: 1,
                minutes_attended: 110
            })
        );
        let topics: Vec<_> = b
            .topics
            .as_ref()
            .unwrap()
            .iter()
            .map(|t| (t.topic.as_str(), t.sessions))
            .collect();
        assert_eq!(topics, [("anxiety", 2), ("sleep", 1), ("work", 1)]);
        let mood = b.mood.as_ref().unwrap();
        assert_eq!(
            (mood.sessions_with_mood, mood.first.mood, mood.last.mood),
            (2, 3, 5)
        );
        assert_eq!(mood.first.date, d(2026, 1, 6));
        assert_eq!(mood.last.session_id, id(102));
        assert_eq!(mood.average, 4.0);
        let scores: Vec<_> = b
            .assessments
            .as_ref()
            .unwrap()
            .iter()
            .map(|a| (a.instrument.as_str(), a.score))
            .collect();
        assert_eq!(scores, [("GAD-7", 12), ("PHQ-9", 15)]);
    }

    #[test]
    fn two_months_rounds_average_and_orders_ties_alphabetically() {
        let report = small(&range(d(2026, 1, 1), d(2026, 2, 28)));
        let b = body(&report);
        let a = b.attendance.unwrap();
        assert_eq!(
            (a.scheduled, a.attended, a.cancelled, a.no_show),
            (6, 4, 1, 1)
        );
        assert_eq!(a.minutes_attended, 205);
        let topics: Vec<_> = b
            .topics
            .as_ref()
            .unwrap()
            .iter()
            .map(|t| (t.topic.as_str(), t.sessions))
            .collect();
        assert_eq!(
            topics,
            [("anxiety", 3), ("sleep", 2), ("work", 2), ("family", 1)]
        );
        let mood = b.mood.as_ref().unwrap();
        // 3, 5, 6 (the last attended session has no mood): 14 / 3 = 4.67.
        assert_eq!((mood.first.mood, mood.last.mood, mood.average), (3, 6, 4.7));
        // Every session with a mood, not just the first and the last: the chart draws them all.
        let points: Vec<_> = mood.points.iter().map(|p| (p.date, p.mood)).collect();
        assert_eq!(
            points,
            [(d(2026, 1, 6), 3), (d(2026, 1, 13), 5), (d(2026, 2, 3), 6)]
        );
        assert_eq!(mood.points.first(), Some(&mood.first));
        assert_eq!(mood.points.last(), Some(&mood.last));
        let scores: Vec<_> = b
            .assessments
            .as_ref()
            .unwrap()
            .iter()
            .map(|a| (a.instrument.as_str(), a.administered_on, a.score))
            .collect();
        assert_eq!(
            scores,
            [
                ("GAD-7", d(2026, 1, 6), 12),
                ("GAD-7", d(2026, 2, 3), 7),
                ("PHQ-9", d(2026, 1, 6), 15),
                ("PHQ-9", d(2026, 2, 3), 10),
                ("PHQ-9", d(2026, 2, 10), 9),
            ]
        );
    }

    #[test]
    fn demographics_and_goals() {
        let report = small(&range(d(2026, 1, 1), d(2026, 6, 14)));
        let b = body(&report);
        let demo = b.demographics.as_ref().unwrap();
        assert_eq!(demo.age_at_period_end, Some(35));
        assert_eq!(demo.pronouns.as_deref(), Some("she/her"));
        assert_eq!(demo.intake_date, d(2026, 1, 5));
        assert_eq!(demo.primary_diagnosis.as_ref().unwrap().icd10_code, "F32.1");
        let report = small(&range(d(2026, 1, 1), d(2026, 6, 15)));
        assert_eq!(
            body(&report)
                .demographics
                .as_ref()
                .unwrap()
                .age_at_period_end,
            Some(36)
        );
        let goals = b.goals.as_ref().unwrap();
        let g: Vec<_> = goals
            .iter()
            .map(|g| (g.plan_title.as_str(), g.status, g.progress_percent))
            .collect();
        assert_eq!(
            g,
            [
                ("Initial plan", GoalStatus::Achieved, 100),
                ("Revised plan", GoalStatus::InProgress, 40),
                ("Revised plan", GoalStatus::NotStarted, 0),
            ]
        );
        assert_eq!(goals[1].target_date, Some(d(2026, 6, 1)));
    }

    #[test]
    fn empty_period_and_excluded_sections() {
        let report = small(&range(d(2025, 1, 1), d(2025, 12, 31)));
        let b = body(&report);
        assert_eq!(b.attendance.unwrap().scheduled, 0);
        assert_eq!(b.topics.as_deref(), Some(&[][..]));
        assert!(b.mood.is_none(), "no moods: no mood summary");
        assert_eq!(b.assessments.as_deref(), Some(&[][..]));

        let mut params = range(d(2026, 1, 1), d(2026, 1, 31));
        params.include_sections = Some(vec!["attendance".into()]);
        let report = small(&params);
        let b = body(&report);
        assert!(b.attendance.is_some());
        assert!(b.demographics.is_none() && b.goals.is_none() && b.topics.is_none());
        assert!(b.mood.is_none() && b.assessments.is_none());
        assert_eq!(report.sections, ["attendance"]);
    }

    #[test]
    fn missing_dates_fall_back_to_intake_and_generation_day() {
        let report = small(&ExportParams::default());
        let p = body(&report).period;
        assert_eq!(p.start_date, d(2026, 1, 5));
        assert_eq!(p.end_date, generated_at().date_naive());
        assert_eq!(body(&report).attendance.unwrap().scheduled, 6);
    }

    #[test]
    fn demo_patient_top_topics_are_at_most_ten_and_sorted() {
        let data = demo();
        let record = &data.patients[3];
        let params = range(d(2000, 1, 1), d(2030, 1, 1));
        let report = demo_report(data, record, ExportType::ProgressReport, &params);
        let b = body(&report);
        let topics = b.topics.as_ref().unwrap();
        assert!(!topics.is_empty() && topics.len() <= TOP_TOPICS);
        for w in topics.windows(2) {
            assert!(
                w[0].sessions > w[1].sessions
                    || (w[0].sessions == w[1].sessions && w[0].topic < w[1].topic)
            );
        }
        let a = b.attendance.unwrap();
        assert_eq!(a.scheduled as usize, record.sessions.len());
        assert_eq!(a.attended + a.cancelled + a.no_show, a.scheduled);
        let with_mood = record
            .sessions
            .iter()
            .filter(|s| s.session.attendance == Attendance::Attended && s.session.mood.is_some())
            .count();
        let mood = b.mood.as_ref().unwrap();
        assert!(with_mood > 2, "the demo patient has a mood series");
        assert_eq!(
            mood.points.len(),
            with_mood,
            "one point per session with a mood"
        );
        assert_eq!(mood.sessions_with_mood as usize, with_mood);
    }
}
