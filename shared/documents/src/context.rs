//! The template context: the report with every string escaped, plus precomputed helpers.
//!
//! - `report`: the report as serde serialises it (the JSON export's shape,
//!   `docs/export-json.md`) with **every string** passed through [`escape_markup`] on the way
//!   ([`Escaped`]); numbers and booleans unchanged.
//! - `doc`: values the templates need that the report does not hold ready-made (all strings
//!   escaped): `title`, `patient_name`, `requested_by`, `generated_on`, `period?`, `selection?`,
//!   `has_psychotherapy_notes`, `assessment_chart?`, `assessment_charts?`, `mood_chart?`.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use exports_core::export::ExportType;
use exports_core::instruments;
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

/// Dates as printed everywhere in documents: `6 Jan 2026` (the model's format, which chart
/// descriptions use too).
pub(crate) fn fmt_date(date: NaiveDate) -> String {
    exports_document_model::format_date(date)
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

pub(crate) fn helpers(report: &Report, title: Option<&str>) -> Value {
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
                let series = by_instrument(a);
                insert_instrument_charts(&mut doc, &series);
                insert_chart(
                    &mut doc,
                    "assessment_chart",
                    assessment_chart("Assessment scores", series),
                );
            }
            if let Some(m) = &p.mood {
                let points = m
                    .points
                    .iter()
                    .map(|p| (p.date, f64::from(p.mood)))
                    .collect();
                insert_chart(&mut doc, "mood_chart", mood_chart("Mood", points));
            }
        }
        ReportContent::TreatmentSummary(t) => {
            if let Some(changes) = &t.assessments {
                let series: Vec<_> = changes
                    .iter()
                    .map(|c| {
                        let points = c
                            .scores
                            .iter()
                            .map(|a| (a.administered_on, f64::from(a.score)))
                            .collect();
                        (c.instrument.clone(), points)
                    })
                    .collect();
                insert_instrument_charts(&mut doc, &series);
                insert_chart(
                    &mut doc,
                    "assessment_chart",
                    assessment_chart("Assessment scores", series),
                );
            }
        }
        ReportContent::FullRecord(f) => {
            if let Some(a) = &f.assessments {
                let mut sorted: Vec<&AssessmentEntry> = a.iter().collect();
                sorted.sort_by(|x, y| x.instrument.cmp(&y.instrument));
                let series = by_instrument_refs(&sorted);
                insert_instrument_charts(&mut doc, &series);
                insert_chart(
                    &mut doc,
                    "assessment_chart",
                    assessment_chart("Assessment scores", series),
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

/// A chart as the templates get it: `{title, y_label, y_max, bands: [{from, to, label}],
/// series: [{name, points}]}` where `points` is the escaped `YYYY-MM-DD=value; …` text of a
/// `::chart` series line.
struct ChartData {
    title: String,
    y_label: &'static str,
    y_max: f64,
    /// `(from, to, label)`: an instrument's severity bands, inclusive score ranges.
    bands: Vec<(u16, u16, String)>,
    series: Vec<(String, Vec<(NaiveDate, f64)>)>,
}

/// All instruments on one axis (`doc.assessment_chart`, kept for custom templates; the built-in
/// ones draw `doc.assessment_charts`). PHQ-9 runs to 27 (GAD-7 to 21): one axis for both.
fn assessment_chart(title: &str, series: Vec<(String, Vec<(NaiveDate, f64)>)>) -> ChartData {
    let max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.1))
        .fold(0.0, f64::max);
    ChartData {
        title: title.to_string(),
        y_label: "score",
        y_max: max.max(27.0).ceil(),
        bands: Vec::new(),
        series,
    }
}

/// `doc.assessment_charts`: one chart per instrument (instruments have different ranges and
/// bands, so they cannot share an axis), with the instrument's full range and severity bands
/// when the core knows the instrument ([`instruments`]), else an axis up to the highest score.
/// Instruments with fewer than two scores get no chart; the list is absent when none has one.
fn insert_instrument_charts(
    doc: &mut BTreeMap<&'static str, Value>,
    series: &[(String, Vec<(NaiveDate, f64)>)],
) {
    let charts: Vec<Value> = series
        .iter()
        .filter_map(|(name, points)| {
            let known = instruments::instrument(name);
            let highest = points.iter().map(|p| p.1).fold(0.0, f64::max);
            let chart = ChartData {
                title: format!("{name} scores"),
                y_label: "score",
                y_max: known
                    .map_or(1.0, |i| f64::from(i.max_score))
                    .max(highest)
                    .ceil(),
                bands: known.map_or_else(Vec::new, |i| {
                    i.bands
                        .iter()
                        .map(|b| (b.from, b.to, capitalized(b.label)))
                        .collect()
                }),
                series: vec![(name.clone(), points.clone())],
            };
            chart_value(chart)
        })
        .collect();
    if !charts.is_empty() {
        doc.insert("assessment_charts", Value::from(charts));
    }
}

/// `moderately severe` → `Moderately severe`.
fn capitalized(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn mood_chart(title: &str, points: Vec<(NaiveDate, f64)>) -> ChartData {
    ChartData {
        title: title.to_string(),
        y_label: "mood (1–10)",
        y_max: 10.0,
        bands: Vec::new(),
        series: vec![("Mood".to_string(), points)],
    }
}

/// Inserts the chart when at least one series has two points or more; single-point series are
/// left out (a line needs two points).
fn insert_chart(doc: &mut BTreeMap<&'static str, Value>, key: &'static str, chart: ChartData) {
    if let Some(value) = chart_value(chart) {
        doc.insert(key, value);
    }
}

/// The chart as a template value; `None` when no series has two points.
fn chart_value(chart: ChartData) -> Option<Value> {
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
        return None;
    }
    let bands: Vec<Value> = chart
        .bands
        .iter()
        .map(|(from, to, label)| {
            let mut m: BTreeMap<&'static str, Value> = BTreeMap::new();
            m.insert("from", Value::from(*from));
            m.insert("to", Value::from(*to));
            m.insert("label", s(label));
            Value::from(m)
        })
        .collect();
    let mut m: BTreeMap<&'static str, Value> = BTreeMap::new();
    m.insert("title", s(&chart.title));
    m.insert("y_label", s(chart.y_label));
    m.insert("y_max", Value::from(number(chart.y_max)));
    m.insert("bands", Value::from(bands));
    m.insert("series", Value::from(series));
    Some(Value::from(m))
}

/// A number without a needless `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
