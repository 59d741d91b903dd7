//! The data formats: a [`Report`] as JSON or CSV, and the audit trail as CSV. (Printable formats
//! go through `exports-documents` to PDF and DOCX; `exports-render` puts all four behind the
//! core's `FileRenderer` port.)
//!
//! - [`render_json`]: the report as pretty-printed UTF-8 JSON (`docs/export-json.md`,
//!   `docs/export.schema.json`).
//! - [`render_csv`]: RFC 4180 CSV with a UTF-8 byte-order mark (`docs/export-csv.md`); every
//!   text cell is neutralised against spreadsheet formula injection ([`neutralize_csv_cell`]).
//! - [`audit_csv`]: the audit events an administrator exports, as CSV with the same neutralisation.
//!
//! All of them are pure and deterministic: the same report gives the same bytes.

use std::borrow::Cow;

use exports_core::export::ExportFormat;
use exports_core::ports::FileRenderer;
use exports_core::report::Report;
use exports_core::template::DocumentLayout;

mod audit;
pub mod csv;
pub mod json;

pub use audit::{AUDIT_CSV_COLUMNS, audit_csv};

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

/// The data formats behind the core's [`FileRenderer`] port: JSON and CSV, no printable ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct DataFormats;

impl FileRenderer for DataFormats {
    fn formats(&self) -> Vec<ExportFormat> {
        vec![ExportFormat::Json, ExportFormat::Csv]
    }

    fn render(
        &self,
        report: &Report,
        format: ExportFormat,
        _: &DocumentLayout,
    ) -> Result<Vec<u8>, String> {
        match format {
            ExportFormat::Json => Ok(render_json(report)),
            ExportFormat::Csv => Ok(render_csv(report)),
            printable => Err(format!("{printable} is not a data format")),
        }
    }

    fn audit_csv(&self, events: &[exports_core::audit::AuditEvent]) -> Result<Vec<u8>, String> {
        Ok(audit_csv(events))
    }
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
}

/// `cargo test --release -p exports-formats --lib -- --ignored full_record_render_timing --nocapture`
#[cfg(test)]
mod timing {
    use std::time::{Duration, Instant};

    use exports_core::export::ExportType;
    use exports_core::params::ExportParams;
    use exports_core::report::{ReportContent, build_report};
    use exports_synthetic::fixtures::input;
    use exports_synthetic::{DemoParams, generate};

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
