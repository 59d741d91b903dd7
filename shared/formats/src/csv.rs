//! The CSV export (see `docs/export-csv.md`).
//!
//! - Bytes: a UTF-8 byte-order mark, then RFC 4180 records: CRLF line ends, a field is quoted
//!   when it contains a comma, a double quote, CR or LF, and quotes inside are doubled.
//! - A header row always, even with no data rows.
//! - Session notes are a wide table ([`SESSION_NOTES_COLUMNS`], minus the columns of excluded
//!   sections); the other types share one long table ([`LONG_COLUMNS`]), one fact per row.
//! - Every text cell goes through [`neutralize_csv_cell`]. The only cells written as-is are
//!   numbers the renderer formats itself from numeric fields, which always match
//!   `^-?[0-9]+(\.[0-9]+)?$` and so can never be formulas.

use std::borrow::Cow;
use std::fmt::Display;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use uuid::Uuid;

use super::{is_plain_number, neutralize_csv_cell};
use exports_core::records::{Address, NameOrder};
use exports_core::report::full_record::{FullRecord, TimelineKind};
use exports_core::report::{
    AssessmentEntry, ClinicianRef, DiagnosisEntry, GoalEntry, NoteEntry, ProgressReport, Report,
    ReportContent, SessionEntry, SessionNotes, TreatmentSummary,
};

/// The UTF-8 byte-order mark every CSV export starts with (Excel needs it to read UTF-8).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Every column of the session-notes table, with the section that gates it (`None`: always).
pub const SESSION_NOTES_COLUMNS: &[(&str, Option<&str>)] = &[
    ("mrn", None),
    ("session_id", None),
    ("session_date", None),
    ("start_time_utc", Some("session_details")),
    ("duration_minutes", Some("session_details")),
    ("session_type", Some("session_details")),
    ("setting", Some("session_details")),
    ("modality", Some("session_details")),
    ("attendance", Some("session_details")),
    ("clinician", Some("clinician")),
    ("topics", Some("topics")),
    ("mood", Some("mood")),
    ("note_id", None),
    ("note_type", None),
    ("author", None),
    ("created_at_utc", None),
    ("signed_at_utc", None),
    ("locked", None),
    ("subjective", Some("subjective")),
    ("objective", Some("objective")),
    ("assessment", Some("assessment")),
    ("plan", Some("plan")),
];

/// The columns of progress reports, treatment summaries and full records.
pub const LONG_COLUMNS: [&str; 8] = [
    "section",
    "date",
    "item",
    "value",
    "status",
    "detail",
    "reference_id",
    "parent_id",
];

/// How topics are joined into one cell.
pub const TOPIC_SEPARATOR: &str = "; ";

pub fn render(report: &Report) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * 1024);
    out.extend_from_slice(BOM);
    let writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .has_headers(false)
        .flexible(false)
        .from_writer(out);
    let mut w = Out { w: writer };
    match &report.content {
        ReportContent::SessionNotes(b) => session_notes(&mut w, report, b),
        ReportContent::ProgressReport(b) => {
            w.header(&LONG_COLUMNS);
            report_rows(&mut w, report);
            progress(&mut w, b);
        }
        ReportContent::TreatmentSummary(b) => {
            w.header(&LONG_COLUMNS);
            report_rows(&mut w, report);
            treatment(&mut w, b);
        }
        ReportContent::FullRecord(b) => {
            w.header(&LONG_COLUMNS);
            report_rows(&mut w, report);
            full_record(&mut w, b);
        }
    }
    w.w.into_inner()
        .unwrap_or_else(|_| unreachable!("writing to memory cannot fail"))
}

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

/// One cell: text (neutralised) or a number the renderer formatted (written as-is).
enum Cell<'a> {
    Text(Cow<'a, str>),
    Num(String),
}

impl Cell<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Cell::Text(t) => t.as_bytes(),
            Cell::Num(n) => n.as_bytes(),
        }
    }
}

const EMPTY: Cell<'static> = Cell::Text(Cow::Borrowed(""));

fn text(s: &str) -> Cell<'_> {
    Cell::Text(neutralize_csv_cell(s))
}

fn owned<'a>(s: String) -> Cell<'a> {
    let neutralized = match neutralize_csv_cell(&s) {
        Cow::Borrowed(_) => None,
        Cow::Owned(n) => Some(n),
    };
    Cell::Text(Cow::Owned(neutralized.unwrap_or(s)))
}

fn opt_text(s: Option<&str>) -> Cell<'_> {
    s.map_or(EMPTY, text)
}

/// An integer the renderer formats: never a formula.
fn num(n: impl Display) -> Cell<'static> {
    let s = n.to_string();
    debug_assert!(is_plain_number(&s), "{s} is not a plain number");
    Cell::Num(s)
}

/// A rounded decimal: shortest form, always with a fraction (`4.0`, `4.7`, `3.42`) as in JSON.
fn decimal(x: f64) -> Cell<'static> {
    let s = if x.fract() == 0.0 {
        format!("{x:.1}")
    } else {
        x.to_string()
    };
    if is_plain_number(&s) {
        Cell::Num(s)
    } else {
        owned(s)
    }
}

fn date(d: NaiveDate) -> Cell<'static> {
    owned(d.to_string())
}

fn opt_date(d: Option<NaiveDate>) -> Cell<'static> {
    d.map_or(EMPTY, date)
}

/// RFC 3339 in UTC with `Z`, fractional seconds only when present: the JSON form.
fn instant(t: DateTime<Utc>) -> Cell<'static> {
    owned(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn uuid(u: Uuid) -> Cell<'static> {
    Cell::Text(Cow::Owned(u.to_string()))
}

fn opt_id(u: Option<Uuid>) -> Cell<'static> {
    u.map_or(EMPTY, uuid)
}

fn word(w: &'static str) -> Cell<'static> {
    Cell::Text(Cow::Borrowed(w))
}

fn boolean(b: bool) -> Cell<'static> {
    word(if b { "true" } else { "false" })
}

fn clinician(c: &ClinicianRef) -> Cell<'static> {
    owned(c.display())
}

struct Out {
    w: ::csv::Writer<Vec<u8>>,
}

impl Out {
    fn header(&mut self, columns: &[&str]) {
        self.write(columns.iter().map(|c| c.as_bytes()));
    }

    fn row(&mut self, cells: &[Cell]) {
        self.write(cells.iter().map(Cell::bytes));
    }

    fn write<'b>(&mut self, fields: impl Iterator<Item = &'b [u8]>) {
        self.w
            .write_record(fields)
            .unwrap_or_else(|e| unreachable!("writing to memory cannot fail: {e}"));
    }

    fn long(&mut self, r: Row) {
        self.row(&[
            word(r.section),
            r.date,
            r.item,
            r.value,
            r.status,
            r.detail,
            r.reference_id,
            r.parent_id,
        ]);
    }
}

/// One row of the long table, built field by field.
struct Row<'a> {
    section: &'static str,
    date: Cell<'a>,
    item: Cell<'a>,
    value: Cell<'a>,
    status: Cell<'a>,
    detail: Cell<'a>,
    reference_id: Cell<'a>,
    parent_id: Cell<'a>,
}

fn row<'a>(section: &'static str, item: Cell<'a>) -> Row<'a> {
    Row {
        section,
        date: EMPTY,
        item,
        value: EMPTY,
        status: EMPTY,
        detail: EMPTY,
        reference_id: EMPTY,
        parent_id: EMPTY,
    }
}

impl<'a> Row<'a> {
    fn date(mut self, d: Cell<'a>) -> Self {
        self.date = d;
        self
    }
    fn value(mut self, v: Cell<'a>) -> Self {
        self.value = v;
        self
    }
    fn status(mut self, s: Cell<'a>) -> Self {
        self.status = s;
        self
    }
    fn detail(mut self, d: Cell<'a>) -> Self {
        self.detail = d;
        self
    }
    fn reference(mut self, u: Uuid) -> Self {
        self.reference_id = uuid(u);
        self
    }
    fn parent(mut self, u: Uuid) -> Self {
        self.parent_id = uuid(u);
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary words (the JSON spellings)
// ---------------------------------------------------------------------------------------------

fn timeline_kind(k: TimelineKind) -> &'static str {
    match k {
        TimelineKind::Intake => "intake",
        TimelineKind::Diagnosis => "diagnosis",
        TimelineKind::TreatmentPlanStarted => "treatment_plan_started",
        TimelineKind::Session => "session",
        TimelineKind::Assessment => "assessment",
        TimelineKind::AttachmentUploaded => "attachment_uploaded",
    }
}

// ---------------------------------------------------------------------------------------------
// Session notes: the wide table
// ---------------------------------------------------------------------------------------------

fn session_notes(w: &mut Out, report: &Report, body: &SessionNotes) {
    let columns: Vec<&str> = SESSION_NOTES_COLUMNS
        .iter()
        .filter(|(_, section)| section.is_none_or(|s| report.includes(s)))
        .map(|(c, _)| *c)
        .collect();
    w.header(&columns);
    let has = |column: &str| columns.contains(&column);
    let (details, with_clinician, topics, mood) = (
        has("start_time_utc"),
        has("clinician"),
        has("topics"),
        has("mood"),
    );
    let soap_columns: Vec<usize> = ["subjective", "objective", "assessment", "plan"]
        .iter()
        .enumerate()
        .filter(|(_, c)| has(c))
        .map(|(i, _)| i)
        .collect();
    let mrn = report.mrn();
    let mut cells: Vec<Cell> = Vec::with_capacity(columns.len());
    for s in &body.sessions {
        let notes: Vec<Option<&NoteEntry>> = if s.notes.is_empty() {
            vec![None]
        } else {
            s.notes.iter().map(Some).collect()
        };
        for note in notes {
            cells.clear();
            cells.push(text(mrn));
            cells.push(uuid(s.session_id));
            cells.push(date(s.date));
            if details {
                match &s.details {
                    Some(d) => {
                        cells.push(instant(d.start_time));
                        cells.push(num(d.duration_minutes));
                        cells.push(word(d.session_type.as_str()));
                        cells.push(word(d.setting.as_str()));
                        cells.push(text(&d.modality));
                        cells.push(word(d.attendance.as_str()));
                    }
                    None => cells.extend(std::iter::repeat_with(|| EMPTY).take(6)),
                }
            }
            if with_clinician {
                cells.push(s.clinician.as_ref().map_or(EMPTY, clinician));
            }
            if topics {
                cells.push(
                    s.topics
                        .as_ref()
                        .map_or(EMPTY, |t| owned(t.join(TOPIC_SEPARATOR))),
                );
            }
            if mood {
                cells.push(s.mood.map_or(EMPTY, num));
            }
            match note {
                Some(n) => {
                    cells.push(uuid(n.note_id));
                    cells.push(word(n.note_type.as_str()));
                    cells.push(clinician(&n.author));
                    cells.push(instant(n.created_at));
                    cells.push(n.signed_at.map_or(EMPTY, instant));
                    cells.push(boolean(n.locked));
                    let sections = n.soap.sections();
                    for &i in &soap_columns {
                        cells.push(opt_text(sections[i].1));
                    }
                }
                None => cells.extend(std::iter::repeat_with(|| EMPTY).take(6 + soap_columns.len())),
            }
            w.row(&cells);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The long table
// ---------------------------------------------------------------------------------------------

fn report_rows(w: &mut Out, report: &Report) {
    let r = "report";
    w.long(row(r, word("schema")).value(word(exports_core::report::SCHEMA_URI)));
    w.long(row(r, word("schema_version")).value(num(report.schema_version)));
    w.long(row(r, word("export_type")).value(word(report.export_type.as_str())));
    w.long(row(r, word("job_id")).value(uuid(report.job_id)));
    w.long(row(r, word("generated_at")).value(instant(report.generated_at)));
    w.long(row(r, word("sections")).value(owned(report.sections.join(TOPIC_SEPARATOR))));
    let p = &report.practice;
    w.long(row(r, word("practice_name")).value(text(&p.name)));
    address_rows(w, r, "practice_address", &p.address, None);
    w.long(row(r, word("practice_phone")).value(text(&p.phone)));
    w.long(row(r, word("practice_npi")).value(text(&p.npi)));
    let c = &report.requested_by;
    w.long(
        row(r, word("requested_by"))
            .value(owned(c.display()))
            .reference(c.id),
    );
    let pt = &report.patient;
    w.long(
        row(r, word("patient_id"))
            .value(uuid(pt.id))
            .reference(pt.id),
    );
    w.long(row(r, word("mrn")).value(text(&pt.mrn)));
    w.long(row(r, word("patient_first_name")).value(text(&pt.first_name)));
    w.long(row(r, word("patient_last_name")).value(text(&pt.last_name)));
    w.long(row(r, word("patient_display_name")).value(text(&pt.display_name)));
    w.long(
        row(r, word("patient_date_of_birth"))
            .date(date(pt.date_of_birth))
            .value(date(pt.date_of_birth)),
    );
}

fn address_rows(
    w: &mut Out,
    section: &'static str,
    prefix: &str,
    a: &Address,
    reference: Option<Uuid>,
) {
    let fields = [
        ("line1", Some(a.line1.as_str())),
        ("line2", a.line2.as_deref()),
        ("city", Some(a.city.as_str())),
        ("region", Some(a.region.as_str())),
        ("postal_code", Some(a.postal_code.as_str())),
        ("country", Some(a.country.as_str())),
    ];
    for (field, v) in fields {
        if let Some(v) = v {
            let mut r = row(section, owned(format!("{prefix}_{field}"))).value(text(v));
            r.reference_id = opt_id(reference);
            w.long(r);
        }
    }
}

fn diagnosis_row(w: &mut Out, d: &DiagnosisEntry) {
    w.long(
        row("diagnosis", text(&d.icd10_code))
            .date(date(d.diagnosed_on))
            .status(word(d.rank.as_str()))
            .detail(text(&d.description))
            .reference(d.diagnosis_id),
    );
}

fn goal_row(w: &mut Out, g: &GoalEntry) {
    w.long(
        row("goal", text(&g.description))
            .date(opt_date(g.target_date))
            .value(num(g.progress_percent))
            .status(word(g.status.as_str()))
            .detail(text(&g.plan_title))
            .reference(g.goal_id)
            .parent(g.plan_id),
    );
}

fn assessment_row(w: &mut Out, section: &'static str, a: &AssessmentEntry) {
    w.long(
        row(section, text(&a.instrument))
            .date(date(a.administered_on))
            .value(num(a.score))
            .status(text(&a.severity))
            .reference(a.assessment_id),
    );
}

fn progress(w: &mut Out, b: &ProgressReport) {
    let p = b.period;
    w.long(
        row("period", word("start_date"))
            .date(date(p.start_date))
            .value(date(p.start_date)),
    );
    w.long(
        row("period", word("end_date"))
            .date(date(p.end_date))
            .value(date(p.end_date)),
    );
    if let Some(d) = &b.demographics {
        let s = "demographics";
        w.long(
            row(s, word("date_of_birth"))
                .date(date(d.date_of_birth))
                .value(date(d.date_of_birth)),
        );
        if let Some(age) = d.age_at_period_end {
            w.long(
                row(s, word("age_at_period_end"))
                    .date(date(p.end_date))
                    .value(num(age)),
            );
        }
        w.long(row(s, word("gender")).value(text(&d.gender)));
        if let Some(pronouns) = &d.pronouns {
            w.long(row(s, word("pronouns")).value(text(pronouns)));
        }
        w.long(
            row(s, word("intake_date"))
                .date(date(d.intake_date))
                .value(date(d.intake_date)),
        );
        if let Some(dx) = &d.primary_diagnosis {
            w.long(
                row(s, word("primary_diagnosis"))
                    .date(date(dx.diagnosed_on))
                    .value(text(&dx.icd10_code))
                    .status(word(dx.rank.as_str()))
                    .detail(text(&dx.description))
                    .reference(dx.diagnosis_id),
            );
        }
    }
    for g in b.goals.iter().flatten() {
        goal_row(w, g);
    }
    if let Some(a) = &b.attendance {
        for (item, n) in [
            ("scheduled", a.scheduled),
            ("attended", a.attended),
            ("cancelled", a.cancelled),
            ("no_show", a.no_show),
            ("minutes_attended", a.minutes_attended),
        ] {
            w.long(row("attendance", word(item)).value(num(n)));
        }
    }
    for t in b.topics.iter().flatten() {
        w.long(row("topic", text(&t.topic)).value(num(t.sessions)));
    }
    if let Some(m) = &b.mood {
        w.long(row("mood", word("sessions_with_mood")).value(num(m.sessions_with_mood)));
        for (item, point) in [("first", m.first), ("last", m.last)] {
            w.long(
                row("mood", word(item))
                    .date(date(point.date))
                    .value(num(point.mood))
                    .reference(point.session_id),
            );
        }
        w.long(row("mood", word("average")).value(decimal(m.average)));
    }
    for a in b.assessments.iter().flatten() {
        assessment_row(w, "assessment", a);
    }
}

fn treatment(w: &mut Out, b: &TreatmentSummary) {
    for d in b.diagnoses.iter().flatten() {
        diagnosis_row(w, d);
    }
    if let Some(p) = &b.treatment_plan {
        let s = "treatment_plan";
        let start = || date(p.start_date);
        w.long(
            row(s, word("title"))
                .date(start())
                .value(text(&p.title))
                .reference(p.plan_id),
        );
        w.long(
            row(s, word("status"))
                .date(start())
                .value(word(p.status.as_str()))
                .reference(p.plan_id),
        );
        w.long(
            row(s, word("start_date"))
                .date(start())
                .value(start())
                .reference(p.plan_id),
        );
        if let Some(review) = p.review_date {
            w.long(
                row(s, word("review_date"))
                    .date(start())
                    .value(date(review))
                    .reference(p.plan_id),
            );
        }
    }
    for g in b.goals.iter().flatten() {
        goal_row(w, g);
    }
    if let Some(i) = &b.interventions {
        for x in &i.planned {
            w.long(row("intervention", text(&x.intervention)).value(num(x.plans)));
        }
        for m in &i.modalities {
            w.long(row("modality", text(&m.modality)).value(num(m.sessions_attended)));
        }
    }
    if let Some(st) = &b.session_statistics {
        let s = "session_statistics";
        for (item, n) in [
            ("scheduled", st.scheduled),
            ("attended", st.attended),
            ("cancelled", st.cancelled),
            ("no_show", st.no_show),
        ] {
            w.long(row(s, word(item)).value(num(n)));
        }
        if let Some(rate) = st.attendance_rate_percent {
            w.long(row(s, word("attendance_rate_percent")).value(decimal(rate)));
        }
        for (item, d) in [
            ("first_attended", st.first_attended),
            ("last_attended", st.last_attended),
        ] {
            if let Some(d) = d {
                w.long(row(s, word(item)).date(date(d)).value(date(d)));
            }
        }
        w.long(row(s, word("minutes_attended")).value(num(st.minutes_attended)));
        w.long(row(s, word("hours_attended")).value(decimal(st.hours_attended)));
    }
    for c in b.assessments.iter().flatten() {
        w.long(row("assessment_count", text(&c.instrument)).value(num(c.administrations)));
        assessment_row(w, "assessment_first", &c.first);
        assessment_row(w, "assessment_latest", &c.latest);
        w.long(
            row("assessment_change", text(&c.instrument))
                .value(num(c.change))
                .status(word(if c.severity_changed {
                    "changed"
                } else {
                    "unchanged"
                })),
        );
    }
    if let Some(p) = &b.prognosis {
        let mut r = row("prognosis", word("prognosis")).detail(text(p));
        if let Some(plan) = &b.treatment_plan {
            r = r.reference(plan.plan_id);
        }
        w.long(r);
    }
}

fn session_rows(w: &mut Out, s: &SessionEntry) {
    let sec = "session";
    let base = |item: &'static str| {
        row(sec, word(item))
            .date(date(s.date))
            .reference(s.session_id)
    };
    if let Some(d) = &s.details {
        w.long(base("start_time").value(instant(d.start_time)));
        w.long(base("duration_minutes").value(num(d.duration_minutes)));
        w.long(base("session_type").value(word(d.session_type.as_str())));
        w.long(base("setting").value(word(d.setting.as_str())));
        w.long(base("modality").value(text(&d.modality)));
        w.long(base("attendance").value(word(d.attendance.as_str())));
    }
    if let Some(c) = &s.clinician {
        w.long(base("clinician").value(clinician(c)));
    }
    if let Some(t) = s.topics.as_ref().filter(|t| !t.is_empty()) {
        w.long(base("topics").value(owned(t.join(TOPIC_SEPARATOR))));
    }
    if let Some(m) = s.mood {
        w.long(base("mood").value(num(m)));
    }
    for n in &s.notes {
        let base = |item: &'static str| {
            row("note", word(item))
                .date(date(s.date))
                .reference(n.note_id)
                .parent(s.session_id)
        };
        w.long(base("note_type").value(word(n.note_type.as_str())));
        w.long(base("author").value(clinician(&n.author)));
        w.long(base("created_at").value(instant(n.created_at)));
        if let Some(t) = n.signed_at {
            w.long(base("signed_at").value(instant(t)));
        }
        w.long(base("locked").value(boolean(n.locked)));
        for (field, body) in n.soap.sections() {
            if let Some(body) = body {
                w.long(base(field).detail(text(body)));
            }
        }
    }
}

fn full_record(w: &mut Out, b: &FullRecord) {
    if let Some(d) = &b.demographics {
        let s = "demographics";
        w.long(row(s, word("first_name")).value(text(&d.first_name)));
        w.long(row(s, word("last_name")).value(text(&d.last_name)));
        if d.name_order == NameOrder::FamilyFirst {
            w.long(row(s, word("name_order")).value(word("family_first")));
        }
        if let Some(name) = &d.display_name {
            w.long(row(s, word("display_name")).value(text(name)));
        }
        w.long(
            row(s, word("date_of_birth"))
                .date(date(d.date_of_birth))
                .value(date(d.date_of_birth)),
        );
        w.long(row(s, word("gender")).value(text(&d.gender)));
        for (item, v) in [
            ("pronouns", &d.pronouns),
            ("phone", &d.phone),
            ("email", &d.email),
        ] {
            if let Some(v) = v {
                w.long(row(s, word(item)).value(text(v)));
            }
        }
        if let Some(a) = &d.address {
            address_rows(w, s, "address", a, None);
        }
        if let Some(i) = &d.insurance {
            w.long(row(s, word("insurance_payer")).value(text(&i.payer)));
            w.long(row(s, word("insurance_member_id")).value(text(&i.member_id)));
            if let Some(g) = &i.group_number {
                w.long(row(s, word("insurance_group_number")).value(text(g)));
            }
        }
        if let Some(e) = &d.emergency_contact {
            w.long(row(s, word("emergency_contact_name")).value(text(&e.name)));
            w.long(row(s, word("emergency_contact_relationship")).value(text(&e.relationship)));
            w.long(row(s, word("emergency_contact_phone")).value(text(&e.phone)));
        }
        w.long(
            row(s, word("intake_date"))
                .date(date(d.intake_date))
                .value(date(d.intake_date)),
        );
        for c in &d.assigned_clinicians {
            w.long(
                row(s, word("assigned_clinician"))
                    .value(clinician(c))
                    .reference(c.id),
            );
        }
    }
    for d in b.diagnoses.iter().flatten() {
        diagnosis_row(w, d);
    }
    for p in b.treatment_plans.iter().flatten() {
        let s = "treatment_plan";
        let base = |item: &'static str| {
            row(s, word(item))
                .date(date(p.start_date))
                .reference(p.plan_id)
        };
        w.long(base("title").value(text(&p.title)));
        w.long(base("status").value(word(p.status.as_str())));
        w.long(base("start_date").value(date(p.start_date)));
        if let Some(r) = p.review_date {
            w.long(base("review_date").value(date(r)));
        }
        for i in &p.interventions {
            w.long(base("intervention").value(text(i)));
        }
        if let Some(prognosis) = &p.prognosis {
            w.long(base("prognosis").detail(text(prognosis)));
        }
        for g in &p.goals {
            w.long(
                row("goal", text(&g.description))
                    .date(opt_date(g.target_date))
                    .value(num(g.progress_percent))
                    .status(word(g.status.as_str()))
                    .detail(text(&p.title))
                    .reference(g.goal_id)
                    .parent(p.plan_id),
            );
        }
    }
    for s in b.sessions.iter().flatten() {
        session_rows(w, s);
    }
    for a in b.assessments.iter().flatten() {
        assessment_row(w, "assessment", a);
    }
    for a in b.attachments.iter().flatten() {
        let base = |item: &'static str| {
            row("attachment", word(item))
                .date(date(a.uploaded_at.date_naive()))
                .reference(a.attachment_id)
        };
        w.long(base("file_name").value(text(&a.file_name)));
        w.long(base("content_type").value(text(&a.content_type)));
        w.long(base("size_bytes").value(num(a.size_bytes)));
        w.long(base("uploaded_at").value(instant(a.uploaded_at)));
    }
    for e in b.timeline.iter().flatten() {
        w.long(
            row("timeline", word(timeline_kind(e.kind)))
                .date(date(e.date))
                .value(e.at.map_or(EMPTY, instant))
                .status(e.attendance.map_or(EMPTY, |a| word(a.as_str())))
                .detail(text(&e.description))
                .reference(e.reference_id),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exports_core::export::ExportType;
    use exports_core::params::ExportParams;
    use exports_core::records::{NoteType, PatientRecord};
    use exports_core::report::build_report;
    use exports_synthetic::fixtures::*;
    use exports_synthetic::{HOSTILE_STRINGS, LEADING_PATIENT_NAMES};

    /// Parses a CSV export with the csv crate: checks the BOM and CRLF endings, returns the
    /// header and the records.
    fn parse(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        let body = bytes.strip_prefix(BOM).expect("starts with a UTF-8 BOM");
        assert!(!body.starts_with(BOM), "one BOM only");
        std::str::from_utf8(body).expect("UTF-8");
        assert!(body.ends_with(b"\r\n"), "CRLF after the last record");
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(body);
        let header: Vec<String> = reader
            .headers()
            .expect("a header row")
            .iter()
            .map(str::to_string)
            .collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| {
                r.expect("a well-formed record")
                    .iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        for r in &rows {
            assert_eq!(r.len(), header.len());
        }
        (header, rows)
    }

    /// Every line break outside quoted fields is CRLF.
    fn assert_crlf_only(bytes: &[u8]) {
        let mut in_quotes = false;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' if !in_quotes => assert_eq!(bytes[i - 1], b'\r', "bare LF at {i}"),
                b'\r' if !in_quotes => assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
                _ => {}
            }
        }
    }

    /// No cell can be read as a formula: the only cells starting with '-' are plain numbers.
    fn assert_no_formula(rows: &[Vec<String>]) {
        for cell in rows.iter().flatten() {
            match cell.as_bytes().first() {
                Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => panic!("formula cell {cell:?}"),
                Some(b'-') => assert!(is_plain_number(cell), "formula cell {cell:?}"),
                _ => {}
            }
        }
    }

    fn col<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        &row[i]
    }

    fn params_for(t: ExportType) -> ExportParams {
        match t {
            ExportType::ProgressReport => ExportParams {
                start_date: Some(d(2026, 1, 1)),
                end_date: Some(d(2026, 10, 30)),
                ..ExportParams::default()
            },
            ExportType::FullRecord => ExportParams {
                include_psychotherapy_notes: true,
                ..ExportParams::default()
            },
            _ => ExportParams::default(),
        }
    }

    #[test]
    fn every_demo_export_is_valid_deterministic_and_formula_free() {
        let data = demo();
        for record in &data.patients {
            for t in ExportType::ALL {
                let report = demo_report(data, record, *t, &params_for(*t));
                let bytes = render(&report);
                assert_eq!(bytes, render(&report.clone()), "deterministic");
                assert_crlf_only(&bytes);
                let (header, rows) = parse(&bytes);
                assert!(!rows.is_empty());
                assert_no_formula(&rows);
                if *t == ExportType::SessionNotes {
                    let expected: Vec<&str> =
                        SESSION_NOTES_COLUMNS.iter().map(|(c, _)| *c).collect();
                    assert_eq!(header, expected);
                } else {
                    assert_eq!(header, LONG_COLUMNS);
                    assert_eq!(
                        rows[0][..4],
                        ["report", "", "schema", exports_core::report::SCHEMA_URI]
                    );
                }
            }
        }
    }

    #[test]
    fn session_notes_rows_match_the_report_cell_for_cell() {
        let data = demo();
        let record = &data.patients[0];
        let report = demo_report(
            data,
            record,
            ExportType::SessionNotes,
            &ExportParams::default(),
        );
        let ReportContent::SessionNotes(body) = &report.content else {
            unreachable!()
        };
        let (header, rows) = parse(&render(&report));
        // One row per (session, progress note); a session without notes gets one row.
        let expected_rows: usize = body.sessions.iter().map(|s| s.notes.len().max(1)).sum();
        assert_eq!(rows.len(), expected_rows);
        let mut i = 0;
        for s in &body.sessions {
            let d = s.details.as_ref().unwrap();
            for k in 0..s.notes.len().max(1) {
                let row = &rows[i];
                i += 1;
                assert_eq!(col(&header, row, "mrn"), record.patient.mrn);
                assert_eq!(col(&header, row, "session_id"), s.session_id.to_string());
                assert_eq!(col(&header, row, "session_date"), s.date.to_string());
                assert_eq!(
                    col(&header, row, "start_time_utc"),
                    d.start_time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
                );
                assert_eq!(
                    col(&header, row, "duration_minutes"),
                    d.duration_minutes.to_string()
                );
                assert_eq!(col(&header, row, "attendance"), d.attendance.as_str());
                assert_eq!(
                    col(&header, row, "clinician"),
                    neutralize_csv_cell(&s.clinician.as_ref().unwrap().display())
                );
                assert_eq!(
                    col(&header, row, "topics"),
                    neutralize_csv_cell(&s.topics.as_ref().unwrap().join("; "))
                );
                assert_eq!(
                    col(&header, row, "mood"),
                    s.mood.map(|m| m.to_string()).unwrap_or_default()
                );
                match s.notes.get(k) {
                    Some(n) => {
                        assert_eq!(col(&header, row, "note_id"), n.note_id.to_string());
                        assert_eq!(col(&header, row, "note_type"), "progress_note");
                        assert_eq!(col(&header, row, "locked"), n.locked.to_string());
                        for (field, text) in n.soap.sections() {
                            assert_eq!(
                                col(&header, row, field),
                                text.map(neutralize_csv_cell).unwrap_or_default()
                            );
                        }
                    }
                    None => {
                        for c in [
                            "note_id",
                            "note_type",
                            "author",
                            "signed_at_utc",
                            "subjective",
                            "plan",
                        ] {
                            assert_eq!(col(&header, row, c), "", "{c}");
                        }
                    }
                }
            }
        }
        assert!(
            rows.iter().any(|r| col(&header, r, "note_id").is_empty()),
            "the demo patient has sessions without notes"
        );
    }

    #[test]
    fn hostile_note_is_neutralised_and_otherwise_intact() {
        let data = demo();
        let report = demo_report(
            data,
            &data.patients[0],
            ExportType::SessionNotes,
            &ExportParams::default(),
        );
        let (header, rows) = parse(&render(&report));
        let hostile = rows
            .iter()
            .find(|r| !col(&header, r, "note_id").is_empty())
            .unwrap();
        assert_eq!(
            col(&header, hostile, "objective"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        assert!(col(&header, hostile, "assessment").starts_with("'-2+3"));
        assert!(col(&header, hostile, "plan").starts_with("'+SUM(1,1)"));
        assert!(col(&header, hostile, "plan").ends_with("@cmd"));
        let all = [
            col(&header, hostile, "subjective"),
            col(&header, hostile, "objective"),
            col(&header, hostile, "assessment"),
            col(&header, hostile, "plan"),
        ]
        .join("\n");
        for h in HOSTILE_STRINGS {
            assert!(all.contains(h), "{h:?} lost");
        }
        // The same text in the long table (full record): one row per SOAP section.
        let report = demo_report(
            data,
            &data.patients[0],
            ExportType::FullRecord,
            &ExportParams::default(),
        );
        let (header, rows) = parse(&render(&report));
        assert!(rows.iter().any(|r| col(&header, r, "section") == "note"
            && col(&header, r, "item") == "objective"
            && col(&header, r, "detail") == "'=HYPERLINK(\"http://x\",\"y\")"));
    }

    #[test]
    fn quotes_commas_and_line_breaks_round_trip() {
        let (me, mut record) = small_record();
        let tricky = "Line one, with comma\r\nline \"two\"\nline three\rend";
        record.sessions[0].notes[0].soap.subjective = Some(tricky.to_string());
        record.sessions[0].notes[0].soap.plan = Some("@SUM(A1)\t".to_string());
        record.sessions[0].session.topics = vec!["-anger".to_string(), "grief".to_string()];
        let params = ExportParams::default();
        let bytes = render(&build_report(&input(
            &me,
            &record,
            ExportType::SessionNotes,
            &params,
            &[],
        )));
        assert_crlf_only(&bytes);
        let (header, rows) = parse(&bytes);
        assert_eq!(col(&header, &rows[0], "subjective"), tricky);
        assert_eq!(col(&header, &rows[0], "plan"), "'@SUM(A1)\t");
        assert_eq!(col(&header, &rows[0], "topics"), "'-anger; grief");
        let raw = std::str::from_utf8(&bytes).unwrap();
        assert!(raw.contains("\"Line one, with comma\r\nline \"\"two\"\"\nline three\rend\""));
    }

    #[test]
    fn excluded_sections_drop_their_columns_and_rows() {
        let data = demo();
        let record = &data.patients[2];
        let params = ExportParams {
            include_sections: Some(vec!["mood".into(), "plan".into()]),
            ..ExportParams::default()
        };
        let (header, rows) = parse(&render(&demo_report(
            data,
            record,
            ExportType::SessionNotes,
            &params,
        )));
        assert_eq!(
            header,
            [
                "mrn",
                "session_id",
                "session_date",
                "mood",
                "note_id",
                "note_type",
                "author",
                "created_at_utc",
                "signed_at_utc",
                "locked",
                "plan"
            ]
        );
        assert_eq!(
            rows.len(),
            record
                .sessions
                .iter()
                .map(|s| {
                    s.notes
                        .iter()
                        .filter(|n| n.note_type == NoteType::ProgressNote)
                        .count()
                        .max(1)
                })
                .sum::<usize>()
        );

        let params = ExportParams {
            start_date: Some(d(2026, 1, 1)),
            end_date: Some(d(2026, 12, 31)),
            include_sections: Some(vec!["topics".into()]),
            ..ExportParams::default()
        };
        let (_, rows) = parse(&render(&demo_report(
            data,
            record,
            ExportType::ProgressReport,
            &params,
        )));
        let sections: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            sections,
            ["period", "report", "topic"].into_iter().collect()
        );

        let params = ExportParams {
            include_sections: Some(vec!["attachments".into()]),
            ..ExportParams::default()
        };
        let (_, rows) = parse(&render(&demo_report(
            data,
            record,
            ExportType::FullRecord,
            &params,
        )));
        let sections: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r[0].as_str()).collect();
        assert!(sections.is_subset(&["attachment", "report"].into_iter().collect()));
    }

    fn small_long(
        record: &PatientRecord,
        t: ExportType,
        params: &ExportParams,
    ) -> Vec<Vec<String>> {
        let me = therapist(THERAPIST, "Dr Ada Lovelace", "PhD");
        let others = [other_therapist()];
        let (header, rows) = parse(&render(&build_report(&input(
            &me, record, t, params, &others,
        ))));
        assert_eq!(header, LONG_COLUMNS);
        assert_no_formula(&rows);
        rows
    }

    fn find<'a>(rows: &'a [Vec<String>], section: &str, item: &str) -> Vec<&'a Vec<String>> {
        rows.iter()
            .filter(|r| r[0] == section && r[2] == item)
            .collect()
    }

    #[test]
    fn progress_report_rows() {
        let (_, record) = small_record();
        let params = ExportParams {
            start_date: Some(d(2026, 1, 1)),
            end_date: Some(d(2026, 1, 31)),
            ..ExportParams::default()
        };
        let rows = small_long(&record, ExportType::ProgressReport, &params);
        let value = |s: &str, i: &str| find(&rows, s, i)[0][3].clone();
        assert_eq!(value("report", "export_type"), "progress_report");
        assert_eq!(value("report", "patient_first_name"), "Zoë");
        assert_eq!(value("report", "requested_by"), "Dr Ada Lovelace, PhD");
        assert_eq!(value("report", "generated_at"), "2026-11-27T10:00:00Z");
        assert_eq!(value("period", "start_date"), "2026-01-01");
        assert_eq!(value("attendance", "attended"), "2");
        assert_eq!(value("attendance", "no_show"), "1");
        assert_eq!(value("attendance", "minutes_attended"), "110");
        assert_eq!(value("topic", "anxiety"), "2");
        assert_eq!(value("mood", "average"), "4.0");
        let first = &find(&rows, "mood", "first")[0];
        assert_eq!((first[1].as_str(), first[3].as_str()), ("2026-01-06", "3"));
        assert_eq!(first[6], id(101).to_string());
        let goals = rows.iter().filter(|r| r[0] == "goal").collect::<Vec<_>>();
        assert_eq!(goals.len(), 3);
        assert_eq!(
            goals[1][1..],
            [
                "2026-06-01",
                "Goal 2",
                "40",
                "in_progress",
                "Revised plan",
                &id(402).to_string(),
                &id(21).to_string()
            ]
        );
        let scores: Vec<_> = rows
            .iter()
            .filter(|r| r[0] == "assessment")
            .map(|r| (r[2].as_str(), r[3].as_str(), r[4].as_str()))
            .collect();
        assert_eq!(
            scores,
            [
                ("GAD-7", "12", "moderate"),
                ("PHQ-9", "15", "moderately severe")
            ]
        );
        assert_eq!(value("demographics", "age_at_period_end"), "35");
        let dx = &find(&rows, "demographics", "primary_diagnosis")[0];
        assert_eq!(
            dx[3..6],
            [
                "F32.1",
                "primary",
                "Major depressive disorder, single episode, moderate"
            ]
        );
    }

    #[test]
    fn treatment_summary_rows_keep_negative_changes_numeric() {
        let (_, record) = small_record();
        let rows = small_long(
            &record,
            ExportType::TreatmentSummary,
            &ExportParams::default(),
        );
        let change = &find(&rows, "assessment_change", "GAD-7")[0];
        assert_eq!((change[3].as_str(), change[4].as_str()), ("-5", "changed"));
        assert_eq!(find(&rows, "assessment_change", "PHQ-9")[0][3], "-6");
        assert_eq!(find(&rows, "assessment_count", "PHQ-9")[0][3], "3");
        let first = &find(&rows, "assessment_first", "PHQ-9")[0];
        assert_eq!(
            first[1..5],
            ["2026-01-06", "PHQ-9", "15", "moderately severe"]
        );
        let latest = &find(&rows, "assessment_latest", "PHQ-9")[0];
        assert_eq!(latest[1..5], ["2026-02-10", "PHQ-9", "9", "mild"]);
        assert_eq!(
            find(&rows, "session_statistics", "attendance_rate_percent")[0][3],
            "66.7"
        );
        assert_eq!(
            find(&rows, "session_statistics", "hours_attended")[0][3],
            "3.42"
        );
        assert_eq!(
            find(&rows, "session_statistics", "last_attended")[0][3],
            "2026-02-10"
        );
        assert_eq!(
            find(&rows, "intervention", "Cognitive restructuring")[0][3],
            "2"
        );
        assert_eq!(find(&rows, "modality", "CBT")[0][3], "3");
        assert_eq!(find(&rows, "treatment_plan", "title")[0][3], "Revised plan");
        assert_eq!(find(&rows, "prognosis", "prognosis")[0][5], "Good");
        let dx: Vec<_> = rows
            .iter()
            .filter(|r| r[0] == "diagnosis")
            .map(|r| r[2].as_str())
            .collect();
        assert_eq!(dx, ["F32.1", "F41.1"], "primary first");
    }

    #[test]
    fn full_record_rows_and_psychotherapy_rule() {
        let (_, record) = small_record();
        let note_types = |flag: bool| -> Vec<String> {
            let params = ExportParams {
                include_psychotherapy_notes: flag,
                ..ExportParams::default()
            };
            let rows = small_long(&record, ExportType::FullRecord, &params);
            find(&rows, "note", "note_type")
                .iter()
                .map(|r| r[3].clone())
                .collect()
        };
        assert_eq!(note_types(false), ["progress_note"; 4]);
        assert_eq!(
            note_types(true),
            [
                "progress_note",
                "psychotherapy_note",
                "progress_note",
                "progress_note",
                "progress_note"
            ]
        );
        let rows = small_long(&record, ExportType::FullRecord, &ExportParams::default());
        // Notes link to their session; SOAP text is in `detail`.
        let subjective = &find(&rows, "note", "subjective")[0];
        assert_eq!(subjective[5], "Subjective of note 1.");
        assert_eq!(subjective[6], id(201).to_string());
        assert_eq!(subjective[7], id(101).to_string());
        // The unsigned note has no signed_at row.
        let signed: Vec<_> = find(&rows, "note", "signed_at")
            .iter()
            .map(|r| r[6].clone())
            .collect();
        assert!(!signed.contains(&id(206).to_string()));
        assert_eq!(
            find(&rows, "demographics", "insurance_payer")[0][3],
            "Acme Health"
        );
        assert_eq!(
            find(&rows, "demographics", "assigned_clinician")[1][3],
            "Dr Grace Hopper, PsyD"
        );
        assert_eq!(find(&rows, "attachment", "size_bytes")[0][3], "12345");
        let timeline: Vec<_> = rows.iter().filter(|r| r[0] == "timeline").collect();
        assert_eq!(timeline.len(), 18);
        assert_eq!(
            timeline[3][2..5],
            ["session", "2026-01-06T15:00:00Z", "attended"]
        );
        assert_eq!(find(&rows, "session", "topics")[0][3], "anxiety; sleep");
        assert_eq!(find(&rows, "treatment_plan", "intervention").len(), 4);
    }

    #[test]
    fn empty_lists_and_empty_selections_give_header_and_metadata_only() {
        let (me, mut record) = small_record();
        record.assessments.clear();
        record.attachments.clear();
        let rows = small_long(&record, ExportType::FullRecord, &ExportParams::default());
        assert!(
            !rows
                .iter()
                .any(|r| r[0] == "assessment" || r[0] == "attachment")
        );
        let rows = small_long(
            &record,
            ExportType::TreatmentSummary,
            &ExportParams::default(),
        );
        assert!(!rows.iter().any(|r| r[0].starts_with("assessment")));

        let params = ExportParams {
            session_ids: Some(vec![]),
            ..ExportParams::default()
        };
        let bytes = render(&build_report(&input(
            &me,
            &record,
            ExportType::SessionNotes,
            &params,
            &[],
        )));
        let (header, rows) = parse(&bytes);
        assert_eq!(header.len(), SESSION_NOTES_COLUMNS.len());
        assert!(rows.is_empty());
    }

    #[test]
    fn non_ascii_names_survive() {
        let data = demo();
        for (i, (first, last)) in LEADING_PATIENT_NAMES.iter().enumerate() {
            let report = demo_report(
                data,
                &data.patients[i],
                ExportType::FullRecord,
                &ExportParams::default(),
            );
            let rows = parse(&render(&report)).1;
            assert_eq!(&find(&rows, "report", "patient_first_name")[0][3], first);
            assert_eq!(&find(&rows, "demographics", "last_name")[0][3], last);
        }
    }
}
