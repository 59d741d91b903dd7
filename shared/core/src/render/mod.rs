//! Renderers of a [`Report`] to export files, and the names those files get.
//!
//! - [`render_json`]: the report as pretty-printed UTF-8 JSON (`docs/export-json.md`,
//!   `docs/export.schema.json`).
//! - [`render_csv`]: RFC 4180 CSV with a UTF-8 byte-order mark (`docs/export-csv.md`); every
//!   text cell is neutralised against spreadsheet formula injection ([`neutralize_csv_cell`]).
//! - [`file_name`]: `{export_type}_{MRN}_{YYYY-MM-DD}.{ext}`, never the patient's name.
//!
//! All of them are pure and deterministic: the same report gives the same bytes.

use std::borrow::Cow;

use crate::export::ExportFormat;
use crate::report::Report;

pub mod csv;
pub mod json;

/// The report as JSON: UTF-8 without BOM, pretty-printed with two-space indentation, keys in a
/// fixed order, ending with a newline.
pub fn render_json(report: &Report) -> Vec<u8> {
    json::render(report)
}

/// The report as CSV: UTF-8 with a BOM, CRLF line endings, a header row, RFC 4180 quoting, every
/// text cell neutralised.
pub fn render_csv(report: &Report) -> Vec<u8> {
    csv::render(report)
}

/// `{export_type}_{MRN}_{YYYY-MM-DD}.{ext}` using generated_at's UTC date, e.g.
/// "progress_report_MRN-000001_2026-11-27.csv". Never the patient's name.
///
/// MRNs are validated to `[A-Za-z0-9_-]` on import; any other character is replaced by `_` here
/// anyway, so a name can never carry a path separator.
pub fn file_name(report: &Report, format: ExportFormat) -> String {
    let mrn: String = report
        .mrn()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{}_{}_{}.{}",
        report.export_type().as_str(),
        mrn,
        report.generated_at().date_naive().format("%Y-%m-%d"),
        format.extension()
    )
}

/// OWASP CSV-injection neutralisation of one cell: if it starts with '=', '+', '-', '@', '\t' or
/// '\r', prefix a single quote '\''.
///
/// This is the strict rule for text: it applies to any text, including text that looks like a
/// negative number. Numbers the exporter writes itself are not text and are written as-is
/// (see `docs/export-csv.md`).
pub fn neutralize_csv_cell(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => {
            let mut s = String::with_capacity(cell.len() + 1);
            s.push('\'');
            s.push_str(cell);
            Cow::Owned(s)
        }
        _ => Cow::Borrowed(cell),
    }
}

/// Whether `cell` is a plain decimal number, `^-?[0-9]+(\.[0-9]+)?$`: the only shape of cell the
/// CSV renderer writes without neutralising (and only for numbers it formats itself).
pub fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{ExportFormat, ExportType};
    use crate::params::ExportParams;
    use crate::report::fixtures::*;
    use crate::synthetic::LEADING_PATIENT_NAMES;

    #[test]
    fn neutralises_formula_starts_only() {
        for (input, expected) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+SUM(1,1)", "'+SUM(1,1)"),
            ("-2+3", "'-2+3"),
            ("-5", "'-5"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("plain", "plain"),
            ("", ""),
            ("a=b", "a=b"),
            ("'already", "'already"),
            ("Zoë", "Zoë"),
        ] {
            assert_eq!(neutralize_csv_cell(input), expected, "{input:?}");
        }
        assert!(matches!(neutralize_csv_cell("safe"), Cow::Borrowed(_)));
    }

    #[test]
    fn plain_numbers() {
        for yes in ["0", "12", "-5", "4.7", "-0.25", "100.0"] {
            assert!(is_plain_number(yes), "{yes}");
        }
        for no in [
            "", "-", "1.", ".5", "1e3", "-2+3", "+1", "1,5", "1.2.3", " 1", "--1",
        ] {
            assert!(!is_plain_number(no), "{no}");
        }
    }

    #[test]
    fn file_names_follow_the_pattern_and_never_name_the_patient() {
        let data = demo();
        for (i, record) in data.patients.iter().enumerate() {
            for t in ExportType::ALL {
                let params = ExportParams {
                    start_date: Some(d(2026, 1, 1)),
                    end_date: Some(d(2026, 10, 30)),
                    ..ExportParams::default()
                };
                let report = demo_report(data, record, *t, &params);
                for f in [ExportFormat::Csv, ExportFormat::Json] {
                    let name = file_name(&report, f);
                    assert_eq!(
                        name,
                        format!(
                            "{}_{}_2026-11-27.{}",
                            t.as_str(),
                            record.patient.mrn,
                            f.extension()
                        )
                    );
                    assert!(
                        name.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                    );
                    let (first, last) = LEADING_PATIENT_NAMES[i];
                    assert!(!name.contains(first) && !name.contains(last));
                    assert!(!name.contains(&record.patient.first_name));
                    assert!(!name.contains(&record.patient.last_name));
                }
            }
        }
        let (me, mut record) = small_record();
        record.patient.mrn = "../x y".to_string();
        let params = ExportParams::default();
        let report = crate::report::build_report(&input(
            &me,
            &record,
            ExportType::ProgressReport,
            &params,
            &[],
        ));
        assert_eq!(
            file_name(&report, ExportFormat::Pdf),
            "progress_report____x_y_2026-11-27.pdf"
        );
    }
}

/// `cargo test --release -p exports-core --lib -- --ignored full_record_render_timing --nocapture`
#[cfg(test)]
mod timing {
    use std::time::{Duration, Instant};

    use crate::export::ExportType;
    use crate::params::ExportParams;
    use crate::report::fixtures::input;
    use crate::report::{ReportContent, build_report};
    use crate::synthetic::{DemoParams, generate};

    fn median(mut runs: Vec<Duration>) -> Duration {
        runs.sort();
        runs[runs.len() / 2]
    }

    #[test]
    #[ignore = "timing; meaningful in release only"]
    fn full_record_render_timing() {
        let data = generate(&DemoParams {
            patients: 1,
            sessions_per_patient: 200,
            words_per_note: 400,
            ..DemoParams::default()
        });
        let record = &data.patients[0];
        let requester = data
            .therapists
            .iter()
            .find(|t| t.id == record.patient.assigned_therapist_ids[0])
            .unwrap();
        let params = ExportParams {
            include_psychotherapy_notes: true,
            ..ExportParams::default()
        };
        let input = input(
            requester,
            record,
            ExportType::FullRecord,
            &params,
            &data.therapists,
        );
        let (mut build, mut csv, mut json) = (vec![], vec![], vec![]);
        let (mut csv_len, mut json_len) = (0, 0);
        for _ in 0..15 {
            let t = Instant::now();
            let report = build_report(&input);
            build.push(t.elapsed());
            let t = Instant::now();
            csv_len = super::render_csv(&report).len();
            csv.push(t.elapsed());
            let t = Instant::now();
            json_len = super::render_json(&report).len();
            json.push(t.elapsed());
            let ReportContent::FullRecord(b) = &report.content else {
                unreachable!()
            };
            assert_eq!(b.sessions.as_ref().unwrap().len(), 200);
        }
        let (build, csv, json) = (median(build), median(csv), median(json));
        println!(
            "full record, 200 sessions x 400 words ({} notes): build {build:?}, CSV {csv:?} ({csv_len} bytes), JSON {json:?} ({json_len} bytes)",
            record.note_count()
        );
        if !cfg!(debug_assertions) {
            assert!(build + csv <= Duration::from_millis(10), "CSV too slow");
            assert!(build + json <= Duration::from_millis(10), "JSON too slow");
        }
    }
}
