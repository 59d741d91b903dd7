//! Validation of an import file before anything is written.
//!
//! Every problem is reported with the record it is in and the field, e.g.
//! `patients[2] (patient 6f1c…) sessions[14].mood: must be between 1 and 10, got 11`.
//! Messages name ids and field paths, never the values of PHI fields.

use std::collections::HashSet;
use std::fmt;

use uuid::Uuid;

use crate::records::*;

/// Limits that keep every stored item well under DynamoDB's 400 KB item size.
pub mod limits {
    pub const SHORT_TEXT: usize = 200;
    pub const LONG_TEXT: usize = 2_000;
    /// One SOAP section, in bytes of UTF-8.
    pub const NOTE_SECTION_BYTES: usize = 60_000;
    /// All SOAP sections of one note together.
    pub const NOTE_BYTES: usize = 160_000;
    pub const LIST_ITEMS: usize = 50;
    pub const MAX_SESSION_MINUTES: u16 = 600;
}

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The record, e.g. `patients[2] (patient 6f1c…)`; empty for top-level fields.
    pub record: String,
    /// Path of the field inside the record, e.g. `sessions[14].mood`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.record.is_empty() {
            write!(f, "{}: {}", self.field, self.message)
        } else {
            write!(f, "{} {}: {}", self.record, self.field, self.message)
        }
    }
}

/// All problems found in a file (at most [`ValidationErrors::MAX`] are kept).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors {
    pub errors: Vec<FieldError>,
    /// How many were found in all, including those not kept.
    pub total: usize,
}

impl ValidationErrors {
    pub const MAX: usize = 100;
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) found:", self.total)?;
        for e in &self.errors {
            writeln!(f, "  - {e}")?;
        }
        if self.total > self.errors.len() {
            writeln!(f, "  … and {} more", self.total - self.errors.len())?;
        }
        Ok(())
    }
}

/// Collects errors while walking the file.
struct Collector {
    errors: Vec<FieldError>,
    total: usize,
    record: String,
}

impl Collector {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.total += 1;
        if self.errors.len() < ValidationErrors::MAX {
            self.errors.push(FieldError {
                record: self.record.clone(),
                field: field.into(),
                message: message.into(),
            });
        }
    }

    fn text(&mut self, field: &str, value: &str, max_chars: usize) {
        if value.trim().is_empty() {
            self.push(field, "must not be empty");
        } else {
            self.opt_text(field, Some(value), max_chars);
        }
    }

    fn opt_text(&mut self, field: &str, value: Option<&str>, max_chars: usize) {
        let Some(v) = value else { return };
        if v.is_empty() {
            self.push(field, "must be omitted rather than empty");
        } else if v.chars().count() > max_chars {
            self.push(field, format!("must be at most {max_chars} characters"));
        } else if v
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            self.push(field, "must not contain control characters");
        }
    }

    fn list_len(&mut self, field: &str, len: usize) {
        if len > limits::LIST_ITEMS {
            self.push(
                field,
                format!("must have at most {} items", limits::LIST_ITEMS),
            );
        }
    }

    fn unique(&mut self, seen: &mut HashSet<Uuid>, field: &str, id: Uuid) {
        if !seen.insert(id) {
            self.push(field, format!("duplicate id {id}"));
        }
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 254
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
}

/// ICD-10-CM shape: letter, digit, digit-or-letter, then optionally a dot and 1–4 more.
pub fn is_icd10(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() < 3 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_digit() {
        return false;
    }
    if !(b[2].is_ascii_digit() || b[2].is_ascii_uppercase()) {
        return false;
    }
    match &b[3..] {
        [] => true,
        [b'.', rest @ ..] => {
            (1..=4).contains(&rest.len())
                && rest
                    .iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        }
        _ => false,
    }
}

/// MRNs appear in export file names, so they are restricted to a file-name-safe alphabet.
pub fn is_mrn(mrn: &str) -> bool {
    (1..=32).contains(&mrn.len())
        && mrn
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// Score range of instruments whose range is known ([`crate::instruments`]); others are
/// accepted as given.
pub fn instrument_max_score(instrument: &str) -> Option<u16> {
    crate::instruments::instrument(instrument).map(|i| i.max_score)
}

fn address(c: &mut Collector, field: &str, a: &Address) {
    c.text(&format!("{field}.line1"), &a.line1, limits::SHORT_TEXT);
    c.opt_text(
        &format!("{field}.line2"),
        a.line2.as_deref(),
        limits::SHORT_TEXT,
    );
    c.text(&format!("{field}.city"), &a.city, limits::SHORT_TEXT);
    c.text(&format!("{field}.region"), &a.region, limits::SHORT_TEXT);
    c.text(&format!("{field}.postal_code"), &a.postal_code, 20);
    if a.country.len() != 2 || !a.country.bytes().all(|b| b.is_ascii_uppercase()) {
        c.push(
            format!("{field}.country"),
            "must be an ISO 3166-1 alpha-2 code such as \"US\"",
        );
    }
}

/// Validates a whole import file. `known_therapists` are therapists already in the store, which
/// patients in the file may be assigned to without repeating them in the file.
pub fn validate_practice(
    data: &PracticeData,
    known_therapists: &HashSet<Uuid>,
) -> Result<(), ValidationErrors> {
    let mut c = Collector {
        errors: Vec::new(),
        total: 0,
        record: String::new(),
    };
    if data.format != IMPORT_FORMAT_V1 {
        c.push("format", format!("must be \"{IMPORT_FORMAT_V1}\""));
    }

    let mut therapist_ids = HashSet::new();
    for (i, t) in data.therapists.iter().enumerate() {
        c.record = format!("therapists[{i}] (therapist {})", t.id);
        c.unique(&mut therapist_ids, "id", t.id);
        therapist(&mut c, t);
    }
    let all_therapists: HashSet<Uuid> = therapist_ids.union(known_therapists).copied().collect();

    let mut patient_ids = HashSet::new();
    let mut mrns = HashSet::new();
    let mut child_ids = HashSet::new();
    for (i, p) in data.patients.iter().enumerate() {
        c.record = format!("patients[{i}] (patient {})", p.patient.id);
        c.unique(&mut patient_ids, "patient.id", p.patient.id);
        if !mrns.insert(p.patient.mrn.as_str()) {
            c.push("patient.mrn", "duplicate MRN in this file");
        }
        patient_record(&mut c, p, &all_therapists, &mut child_ids);
    }

    if c.total == 0 {
        Ok(())
    } else {
        Err(ValidationErrors {
            errors: c.errors,
            total: c.total,
        })
    }
}

fn therapist(c: &mut Collector, t: &Therapist) {
    c.text("name", &t.name, limits::SHORT_TEXT);
    c.text("credentials", &t.credentials, limits::SHORT_TEXT);
    if !is_email(&t.email) {
        c.push("email", "must be an email address");
    }
    c.text("practice.name", &t.practice.name, limits::SHORT_TEXT);
    address(c, "practice.address", &t.practice.address);
    c.text("practice.phone", &t.practice.phone, 40);
    if t.practice.npi.len() != 10 || !t.practice.npi.bytes().all(|b| b.is_ascii_digit()) {
        c.push("practice.npi", "must be 10 digits");
    }
}

fn patient_record(
    c: &mut Collector,
    r: &PatientRecord,
    therapists: &HashSet<Uuid>,
    ids: &mut HashSet<Uuid>,
) {
    let p = &r.patient;
    if !is_mrn(&p.mrn) {
        c.push(
            "patient.mrn",
            "must be 1–32 characters of letters, digits, '-' or '_'",
        );
    }
    c.text("patient.first_name", &p.first_name, limits::SHORT_TEXT);
    c.text("patient.last_name", &p.last_name, limits::SHORT_TEXT);
    c.opt_text(
        "patient.display_name",
        p.display_name.as_deref(),
        limits::SHORT_TEXT,
    );
    c.text("patient.gender", &p.gender, 60);
    c.opt_text("patient.pronouns", p.pronouns.as_deref(), 60);
    c.opt_text("patient.phone", p.phone.as_deref(), 40);
    if let Some(e) = &p.email
        && !is_email(e)
    {
        c.push("patient.email", "must be an email address");
    }
    if let Some(a) = &p.address {
        address(c, "patient.address", a);
    }
    if let Some(ins) = &p.insurance {
        c.text("patient.insurance.payer", &ins.payer, limits::SHORT_TEXT);
        c.text("patient.insurance.member_id", &ins.member_id, 60);
        c.opt_text(
            "patient.insurance.group_number",
            ins.group_number.as_deref(),
            60,
        );
    }
    if let Some(ec) = &p.emergency_contact {
        c.text(
            "patient.emergency_contact.name",
            &ec.name,
            limits::SHORT_TEXT,
        );
        c.text(
            "patient.emergency_contact.relationship",
            &ec.relationship,
            60,
        );
        c.text("patient.emergency_contact.phone", &ec.phone, 40);
    }
    if p.date_of_birth > p.intake_date {
        c.push("patient.date_of_birth", "must not be after intake_date");
    }
    if p.assigned_therapist_ids.is_empty() {
        c.push(
            "patient.assigned_therapist_ids",
            "must name at least one therapist",
        );
    }
    c.list_len(
        "patient.assigned_therapist_ids",
        p.assigned_therapist_ids.len(),
    );
    for (j, t) in p.assigned_therapist_ids.iter().enumerate() {
        if p.assigned_therapist_ids[..j].contains(t) {
            c.push(
                format!("patient.assigned_therapist_ids[{j}]"),
                format!("duplicate therapist {t}"),
            );
        } else if !therapists.contains(t) {
            c.push(
                format!("patient.assigned_therapist_ids[{j}]"),
                format!("unknown therapist {t}"),
            );
        }
    }

    for (j, d) in r.diagnoses.iter().enumerate() {
        let f = format!("diagnoses[{j}]");
        c.unique(ids, &format!("{f}.id"), d.id);
        if !is_icd10(&d.icd10_code) {
            c.push(
                format!("{f}.icd10_code"),
                "must be an ICD-10-CM code such as \"F41.1\"",
            );
        }
        c.text(
            &format!("{f}.description"),
            &d.description,
            limits::SHORT_TEXT,
        );
    }

    for (j, plan) in r.treatment_plans.iter().enumerate() {
        let f = format!("treatment_plans[{j}]");
        c.unique(ids, &format!("{f}.id"), plan.id);
        c.text(&format!("{f}.title"), &plan.title, limits::SHORT_TEXT);
        if plan.review_date.is_some_and(|d| d < plan.start_date) {
            c.push(format!("{f}.review_date"), "must not be before start_date");
        }
        c.list_len(&format!("{f}.goals"), plan.goals.len());
        for (k, g) in plan.goals.iter().enumerate() {
            let gf = format!("{f}.goals[{k}]");
            c.unique(ids, &format!("{gf}.id"), g.id);
            c.text(
                &format!("{gf}.description"),
                &g.description,
                limits::LONG_TEXT,
            );
            if g.progress_percent > 100 {
                c.push(
                    format!("{gf}.progress_percent"),
                    "must be between 0 and 100",
                );
            }
        }
        c.list_len(&format!("{f}.interventions"), plan.interventions.len());
        for (k, i) in plan.interventions.iter().enumerate() {
            c.text(&format!("{f}.interventions[{k}]"), i, limits::SHORT_TEXT);
        }
        c.opt_text(
            &format!("{f}.prognosis"),
            plan.prognosis.as_deref(),
            limits::LONG_TEXT,
        );
    }

    for (j, s) in r.sessions.iter().enumerate() {
        session_record(
            c,
            &format!("sessions[{j}]"),
            s,
            &p.assigned_therapist_ids,
            therapists,
            ids,
        );
    }

    for (j, a) in r.assessments.iter().enumerate() {
        let f = format!("assessments[{j}]");
        c.unique(ids, &format!("{f}.id"), a.id);
        c.text(&format!("{f}.instrument"), &a.instrument, 40);
        if let Some(max) = instrument_max_score(&a.instrument)
            && a.score > max
        {
            c.push(
                format!("{f}.score"),
                format!("must be between 0 and {max} for {}", a.instrument),
            );
        }
        c.text(&format!("{f}.severity"), &a.severity, 60);
    }

    for (j, a) in r.attachments.iter().enumerate() {
        let f = format!("attachments[{j}]");
        c.unique(ids, &format!("{f}.id"), a.id);
        c.text(&format!("{f}.file_name"), &a.file_name, 255);
        if !a.content_type.contains('/') || a.content_type.len() > 255 {
            c.push(
                format!("{f}.content_type"),
                "must be a MIME type such as \"application/pdf\"",
            );
        }
    }
}

fn session_record(
    c: &mut Collector,
    f: &str,
    r: &SessionRecord,
    assigned: &[Uuid],
    therapists: &HashSet<Uuid>,
    ids: &mut HashSet<Uuid>,
) {
    let s = &r.session;
    c.unique(ids, &format!("{f}.session.id"), s.id);
    if !therapists.contains(&s.therapist_id) {
        c.push(
            format!("{f}.session.therapist_id"),
            format!("unknown therapist {}", s.therapist_id),
        );
    } else if !assigned.contains(&s.therapist_id) {
        c.push(
            format!("{f}.session.therapist_id"),
            "must be one of the patient's assigned_therapist_ids",
        );
    }
    if s.duration_minutes == 0 || s.duration_minutes > limits::MAX_SESSION_MINUTES {
        c.push(
            format!("{f}.session.duration_minutes"),
            format!("must be between 1 and {}", limits::MAX_SESSION_MINUTES),
        );
    }
    c.text(&format!("{f}.session.modality"), &s.modality, 100);
    c.list_len(&format!("{f}.session.topics"), s.topics.len());
    for (k, t) in s.topics.iter().enumerate() {
        c.text(&format!("{f}.session.topics[{k}]"), t, 100);
    }
    if let Some(m) = s.mood
        && !(1..=10).contains(&m)
    {
        c.push(
            format!("{f}.session.mood"),
            format!("must be between 1 and 10, got {m}"),
        );
    }

    c.list_len(&format!("{f}.notes"), r.notes.len());
    for (k, n) in r.notes.iter().enumerate() {
        let nf = format!("{f}.notes[{k}]");
        c.unique(ids, &format!("{nf}.id"), n.id);
        if !therapists.contains(&n.author_id) {
            c.push(
                format!("{nf}.author_id"),
                format!("unknown therapist {}", n.author_id),
            );
        }
        let mut total = 0;
        for (name, text) in n.soap.sections() {
            let field = format!("{nf}.soap.{name}");
            let Some(text) = text else { continue };
            total += text.len();
            if text.trim().is_empty() {
                c.push(field, "must be omitted rather than empty");
            } else if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
            {
                c.push(field, "must not contain control characters");
            } else if text.len() > limits::NOTE_SECTION_BYTES {
                c.push(
                    field,
                    format!("must be at most {} bytes", limits::NOTE_SECTION_BYTES),
                );
            }
        }
        if total > limits::NOTE_BYTES {
            c.push(
                format!("{nf}.soap"),
                format!("must be at most {} bytes in all", limits::NOTE_BYTES),
            );
        }
        if n.locked && n.signed_at.is_none() {
            c.push(format!("{nf}.locked"), "a locked note must have signed_at");
        }
        if n.signed_at.is_some_and(|t| t < n.created_at) {
            c.push(format!("{nf}.signed_at"), "must not be before created_at");
        }
    }
}

/// Parses an import file, naming the JSON path of the first syntax or type error.
pub fn parse_practice(json: &[u8]) -> Result<PracticeData, FieldError> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    let data = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        FieldError {
            record: String::new(),
            field: if path == "." { "(file)".into() } else { path },
            message: format!("{inner}"),
        }
    })?;
    // Anything after the top-level object is a mistake, not something to ignore.
    de.end().map_err(|e| FieldError {
        record: String::new(),
        field: "(file)".into(),
        message: format!("unexpected data after the top-level object: {e}"),
    })?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::synthetic as generate;
    use exports_synthetic::DemoParams;

    fn sample() -> PracticeData {
        generate(&DemoParams {
            patients: 4,
            sessions_per_patient: 6,
            words_per_note: 40,
            ..Default::default()
        })
    }

    fn errors_of(data: &PracticeData) -> Vec<String> {
        match validate_practice(data, &HashSet::new()) {
            Ok(()) => Vec::new(),
            Err(e) => e.errors.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn generated_practice_is_valid() {
        assert_eq!(errors_of(&sample()), Vec::<String>::new());
    }

    #[test]
    fn errors_name_the_record_and_the_field() {
        let mut data = sample();
        let id = data.patients[2].patient.id;
        data.patients[2].sessions[1].session.mood = Some(11);
        assert_eq!(
            errors_of(&data),
            [format!(
                "patients[2] (patient {id}) sessions[1].session.mood: must be between 1 and 10, got 11"
            )]
        );
    }

    #[test]
    fn references_to_unknown_therapists_are_refused_unless_known_to_the_store() {
        let mut data = sample();
        let stranger = Uuid::new_v4();
        data.patients[0]
            .patient
            .assigned_therapist_ids
            .push(stranger);
        let errs = errors_of(&data);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].ends_with(&format!(
                "patient.assigned_therapist_ids[1]: unknown therapist {stranger}"
            )),
            "{errs:?}"
        );
        assert!(validate_practice(&data, &HashSet::from([stranger])).is_ok());
    }

    #[test]
    fn each_rule_reports_its_field() {
        let mut data = sample();
        data.format = "v0".into();
        data.therapists[0].practice.npi = "12345".into();
        data.therapists[1].email = "not an email".into();
        let p = &mut data.patients[0];
        p.patient.mrn = "MRN 1/..".into();
        p.patient.first_name = "  ".into();
        p.patient.pronouns = Some(String::new());
        p.diagnoses[0].icd10_code = "F41.12345".into();
        p.treatment_plans[0].goals[0].progress_percent = 101;
        p.sessions[0].session.duration_minutes = 0;
        let first_note = &mut p.sessions[0].notes[0];
        first_note.locked = true;
        first_note.signed_at = None;
        first_note.soap.plan = Some(String::new());
        let again = p.patient.assigned_therapist_ids[0];
        p.patient.assigned_therapist_ids.push(again);
        p.sessions[1].notes[0].soap.subjective = Some("  \n ".into());
        let dup = data.patients[1].clone();
        data.patients.push(dup);
        let all = errors_of(&data).join("\n");
        for field in [
            "format: must be",
            "therapists[0] (therapist",
            "practice.npi: must be 10 digits",
            "email: must be an email address",
            "patient.mrn: must be 1–32 characters",
            "patient.first_name: must not be empty",
            "patient.pronouns: must be omitted rather than empty",
            "diagnoses[0].icd10_code",
            "goals[0].progress_percent",
            "sessions[0].session.duration_minutes",
            "sessions[0].notes[0].locked: a locked note must have signed_at",
            "sessions[0].notes[0].soap.plan: must be omitted rather than empty",
            "patient.id: duplicate id",
            "assigned_therapist_ids[1]: duplicate therapist",
            "sessions[1].notes[0].soap.subjective: must be omitted rather than empty",
            "patient.mrn: duplicate MRN",
        ] {
            assert!(all.contains(field), "missing {field:?} in\n{all}");
        }
    }

    #[test]
    fn at_most_a_hundred_errors_are_kept_but_all_are_counted() {
        let mut data = generate(&DemoParams {
            patients: 2,
            sessions_per_patient: 150,
            words_per_note: 0,
            ..Default::default()
        });
        for s in &mut data.patients[0].sessions {
            s.session.duration_minutes = 0;
        }
        let err = validate_practice(&data, &HashSet::new()).unwrap_err();
        assert_eq!(err.errors.len(), ValidationErrors::MAX);
        assert_eq!(err.total, 150);
        assert!(err.to_string().contains("… and 50 more"));
    }

    #[test]
    fn parse_errors_name_the_json_path() {
        let mut json = serde_json::to_value(sample()).unwrap();
        json["patients"][1]["sessions"][0]["session"]["mood"] = serde_json::json!("happy");
        let err = parse_practice(json.to_string().as_bytes()).unwrap_err();
        assert_eq!(err.field, "patients[1].sessions[0].session.mood");

        json["patients"][1]["sessions"][0]["session"]["mood"] = serde_json::json!(5);
        json["patients"][0]["patient"]["favourite_colour"] = serde_json::json!("blue");
        let err = parse_practice(json.to_string().as_bytes()).unwrap_err();
        assert!(
            err.message.contains("unknown field `favourite_colour`"),
            "{err}"
        );
        assert!(err.field.starts_with("patients[0].patient"), "{err}");

        let err = parse_practice(
            format!("{} {{}}", serde_json::to_string(&sample()).unwrap()).as_bytes(),
        )
        .unwrap_err();
        assert!(
            err.message
                .starts_with("unexpected data after the top-level object"),
            "{err}"
        );

        let err = parse_practice(b"{\"format\": ").unwrap_err();
        assert!(err.message.contains("EOF"), "{err}");
    }

    #[test]
    fn icd10_and_mrn_shapes() {
        for ok in ["F41.1", "F43.10", "Z63.0", "F32.A", "F90.0"] {
            assert!(is_icd10(ok), "{ok}");
        }
        for bad in ["f41.1", "F4", "F41.", "F41.12345", "41.1", "F41-1"] {
            assert!(!is_icd10(bad), "{bad}");
        }
        assert!(is_mrn("MRN-000001"));
        assert!(!is_mrn("../etc"));
        assert!(!is_mrn(""));
    }
}
