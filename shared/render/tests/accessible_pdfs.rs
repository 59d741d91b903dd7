//! Every sample export is a tagged PDF/UA-1 and PDF/A-2u file, as the independent checker
//! (`tests/pdf_checks/check_pdf_ua.py`, pikepdf; `PYTHON_PDF_CHECK` names a python that has it,
//! as `scripts/test.sh` sets) reads it: every export type of the demo practice, and the session
//! notes of each patient of the multilingual sample practice (nine scripts). Its reading-order
//! check compares the text read through each file's structure tree with the document's own
//! text in order (`Document::reading_text`).

use std::path::{Path, PathBuf};
use std::process::Command;

use exports_core::export::ExportType;
use exports_core::report::Report;
use exports_core::template::DocumentLayout;
use exports_documents::build_document;
use exports_documents::samples::report_for;
use exports_synthetic::multilingual::{SCRIPT_PATIENTS, multilingual_practice};
use exports_synthetic::{DemoParams, generate};

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exports-render-a11y-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The checker's findings on the PDF of `report` (empty when it conforms), named `name`.
fn problems(report: &Report, name: &str) -> Vec<String> {
    let doc = build_document(report, &DocumentLayout::default()).expect("document");
    let (bytes, made) = exports_pdf::render_pdf_with_report(&doc).expect("pdf");
    assert_eq!(made.missing_glyphs, 0, "{name}: every character drawn");
    let dir = dir();
    let pdf = dir.join(format!("{name}.pdf"));
    let expected = dir.join(format!("{name}.txt"));
    std::fs::write(&pdf, &bytes).expect("write pdf");
    std::fs::write(&expected, doc.reading_text()).expect("write text");
    let python = std::env::var("PYTHON_PDF_CHECK").unwrap_or_else(|_| "python3".to_owned());
    let checker =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pdf_checks/check_pdf_ua.py");
    let out = Command::new(&python)
        .arg(&checker)
        .arg(&pdf)
        .arg("--expect-text")
        .arg(&expected)
        .args(["--claim", "2u", "--all"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; set PYTHON_PDF_CHECK"));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "the checker could not run; set PYTHON_PDF_CHECK to a python with pikepdf \
         (scripts/test.sh does):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| format!("{name}: {l}"))
        .collect()
}

#[test]
fn every_export_type_of_the_demo_practice_is_tagged_and_archival() {
    let demo = generate(&DemoParams {
        patients: 1,
        sessions_per_patient: 10,
        words_per_note: 60,
        ..DemoParams::default()
    });
    let mut found = Vec::new();
    for &export_type in ExportType::ALL {
        found.extend(problems(
            &report_for(&demo, 0, export_type, None),
            export_type.as_str(),
        ));
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn every_script_of_the_multilingual_practice_is_tagged_and_reads_in_order() {
    let practice = multilingual_practice(&DemoParams {
        patients: SCRIPT_PATIENTS.len(),
        sessions_per_patient: 3,
        words_per_note: 30,
        ..DemoParams::default()
    });
    let mut found = Vec::new();
    for (i, who) in SCRIPT_PATIENTS.iter().enumerate() {
        let report = report_for(&practice, i, ExportType::SessionNotes, None);
        found.extend(problems(
            &report,
            &format!("{:02}-{}", i + 1, who.script.replace(' ', "_")),
        ));
    }
    assert!(found.is_empty(), "{found:#?}");
}
