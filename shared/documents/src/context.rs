//! The template context: the report with every string escaped, plus precomputed helpers.
//!
//! - `report`: the report as serde serialises it (the JSON export's shape,
//!   `docs/export-json.md`) with **every string** passed through [`escape_markup`] on the way
//!   ([`Escaped`]); numbers and booleans unchanged.
//! - `doc`: values the templates need that the report does not hold ready-made (all strings
//!   escaped): `title`, `patient_name`, `requested_by`, `generated_on`, `period?`, `selection?`,
//!   `has_psychotherapy_notes`, `assessment_chart?`, `mood_chart?`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use exports_core::export::ExportType;
use exports_core::records::NoteType;
use exports_core::report::{AssessmentEntry, Report, ReportContent, SelectionKind, SessionEntry};
use tera::{Context, Value};

use crate::escaped::Escaped;
use crate::markup::escape_markup;

/// The document title of an export type (the level-1 heading).
pub(crate) fn type_title(export_type: ExportType) -> &'static str {
    match export_type {
        ExportType::SessionNotes => "Session Notes",
        ExportType::ProgressReport => "Progress Report",
        ExportType::TreatmentSummary => "Treatment Summary",
        ExportType::FullRecord => "Full Record",
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Dates as printed everywhere in documents: `6 Jan 2026`.
pub(crate) fn fmt_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// Instants as printed everywhere in documents: `6 Jan 2026, 15:00 UTC`.
pub(crate) fn fmt_instant(at: DateTime<Utc>) -> String {
    format!(
        "{} {} {}, {:02}:{:02} UTC",
        at.day(),
        MONTHS[at.month0() as usize],
        at.year(),
        at.hour(),
        at.minute()
    )
}

/// The context for one report.
pub(crate) fn build_context(report: &Report, title: Option<&str>) -> Context {
    let mut ctx = Context::new();
    ctx.insert_value("report", Value::from_serializable(&Escaped(report)));
    ctx.insert_value("doc", helpers(report, title));
    ctx
}

fn s(text: &str) -> Value {
    Value::from(escape_markup(text))
}

fn helpers(report: &Report, title: Option<&str>) -> Value {
    let mut doc: BTreeMap<&'static str, Value> = BTreeMap::new();
    doc.insert("title", s(title.unwrap_or(type_title(report.export_type))));
    doc.insert("patient_name", s(&report.patient.full_name()));
    doc.insert("requested_by", s(&report.requested_by.display()));
    doc.insert(
        "generated_on",
        s(&fmt_date(report.generated_at.date_naive())),
    );
    let mut psychotherapy = false;
    match &report.content {
        ReportContent::SessionNotes(notes) => {
            let sel = &notes.selection;
            let text = match sel.kind {
                SelectionKind::SessionIds => {
                    let n = sel.session_ids.as_ref().map_or(0, Vec::len);
                    format!("{n} selected session{}", if n == 1 { "" } else { "s" })
                }
                SelectionKind::DateRange => match (sel.start_date, sel.end_date) {
                    (Some(a), Some(b)) => format!("{} – {}", fmt_date(a), fmt_date(b)),
                    (Some(a), None) => format!("From {}", fmt_date(a)),
                    (None, Some(b)) => format!("Up to {}", fmt_date(b)),
                    (None, None) => "All sessions".to_string(),
                },
                SelectionKind::All => "All sessions".to_string(),
            };
            doc.insert("selection", s(&text));
            psychotherapy = has_psychotherapy(&notes.sessions);
        }
        ReportContent::ProgressReport(p) => {
            doc.insert(
                "period",
                s(&format!(
                    "{} – {}",
                    fmt_date(p.period.start_date),
                    fmt_date(p.period.end_date)
                )),
            );
            if let Some(a) = &p.assessments {
                insert_chart(
                    &mut doc,
                    "assessment_chart",
                    assessment_chart("Assessment scores", by_instrument(a)),
                );
            }
            if let Some(m) = &p.mood
                && m.first.date < m.last.date
            {
                insert_chart(
                    &mut doc,
                    "mood_chart",
                    mood_chart(
                        "Mood, first and last session of the period",
                        vec![
                            (m.first.date, f64::from(m.first.mood)),
                            (m.last.date, f64::from(m.last.mood)),
                        ],
                    ),
                );
            }
        }
        ReportContent::TreatmentSummary(t) => {
            if let Some(changes) = &t.assessments {
                let series = changes
                    .iter()
                    .map(|c| {
                        let mut points = vec![(c.first.administered_on, f64::from(c.first.score))];
                        if c.latest.assessment_id != c.first.assessment_id {
                            points.push((c.latest.administered_on, f64::from(c.latest.score)));
                        }
                        (c.instrument.clone(), points)
                    })
                    .collect();
                insert_chart(
                    &mut doc,
                    "assessment_chart",
                    assessment_chart("Assessment scores, first and latest", series),
                );
            }
        }
        ReportContent::FullRecord(f) => {
            if let Some(a) = &f.assessments {
                let mut sorted: Vec<&AssessmentEntry> = a.iter().collect();
                sorted.sort_by(|x, y| x.instrument.cmp(&y.instrument));
                insert_chart(
                    &mut doc,
                    "assessment_chart",
                    assessment_chart("Assessment scores", by_instrument_refs(&sorted)),
                );
            }
            if let Some(sessions) = &f.sessions {
                let points: Vec<(NaiveDate, f64)> = sessions
                    .iter()
                    .filter_map(|s| s.mood.map(|m| (s.date, f64::from(m))))
                    .collect();
                insert_chart(&mut doc, "mood_chart", mood_chart("Mood over time", points));
                psychotherapy = has_psychotherapy(sessions);
            }
        }
    }
    doc.insert("has_psychotherapy_notes", Value::from(psychotherapy));
    Value::from(doc)
}

fn has_psychotherapy(sessions: &[SessionEntry]) -> bool {
    sessions
        .iter()
        .flat_map(|s| &s.notes)
        .any(|n| n.note_type == NoteType::PsychotherapyNote)
}

/// Assessments already grouped by instrument (sorted by instrument, then date).
fn by_instrument(list: &[AssessmentEntry]) -> Vec<(String, Vec<(NaiveDate, f64)>)> {
    let refs: Vec<&AssessmentEntry> = list.iter().collect();
    by_instrument_refs(&refs)
}

fn by_instrument_refs(list: &[&AssessmentEntry]) -> Vec<(String, Vec<(NaiveDate, f64)>)> {
    let mut out: Vec<(String, Vec<(NaiveDate, f64)>)> = Vec::new();
    for a in list {
        match out.last_mut() {
            Some((name, points)) if *name == a.instrument => {
                points.push((a.administered_on, f64::from(a.score)));
            }
            _ => out.push((
                a.instrument.clone(),
                vec![(a.administered_on, f64::from(a.score))],
            )),
        }
    }
    for (_, points) in &mut out {
        points.sort_by_key(|p| p.0);
    }
    out
}

/// A chart as the templates get it: `{title, y_label, y_max, series: [{name, points}]}` where
/// `points` is the escaped `YYYY-MM-DD=value; …` text of a `::chart` series line.
struct ChartData {
    title: &'static str,
    y_label: &'static str,
    y_max: f64,
    series: Vec<(String, Vec<(NaiveDate, f64)>)>,
}

/// PHQ-9 runs to 27 (GAD-7 to 21): one axis for both.
fn assessment_chart(
    title: &'static str,
    series: Vec<(String, Vec<(NaiveDate, f64)>)>,
) -> ChartData {
    let max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.1))
        .fold(0.0, f64::max);
    ChartData {
        title,
        y_label: "score",
        y_max: max.max(27.0).ceil(),
        series,
    }
}

fn mood_chart(title: &'static str, points: Vec<(NaiveDate, f64)>) -> ChartData {
    ChartData {
        title,
        y_label: "mood (1–10)",
        y_max: 10.0,
        series: vec![("Mood".to_string(), points)],
    }
}

/// Inserts the chart when at least one series has two points or more; single-point series are
/// left out (a line needs two points).
fn insert_chart(doc: &mut BTreeMap<&'static str, Value>, key: &'static str, chart: ChartData) {
    let series: Vec<Value> = chart
        .series
        .into_iter()
        .filter(|(_, p)| p.len() >= 2)
        .map(|(name, points)| {
            let mut text = String::with_capacity(points.len() * 18);
            for (i, (date, value)) in points.iter().enumerate() {
                if i > 0 {
                    text.push_str("; ");
                }
                text.push_str(&escape_markup(&date.to_string()));
                text.push('=');
                text.push_str(&number(*value));
            }
            let mut m: BTreeMap<&'static str, Value> = BTreeMap::new();
            m.insert("name", s(&name));
            m.insert("points", Value::from(text));
            Value::from(m)
        })
        .collect();
    if series.is_empty() {
        return;
    }
    let mut m: BTreeMap<&'static str, Value> = BTreeMap::new();
    m.insert("title", s(chart.title));
    m.insert("y_label", s(chart.y_label));
    m.insert("y_max", Value::from(number(chart.y_max)));
    m.insert("series", Value::from(series));
    doc.insert(key, Value::from(m));
}

/// A number without a needless `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
