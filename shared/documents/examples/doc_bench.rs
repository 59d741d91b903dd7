//! Median (and minimum) `build_document` and `render_html` times per export size.
//!
//! ```sh
//! cargo run --release -p exports-documents --example doc_bench
//! ```

use std::time::Instant;

use exports_core::export::ExportType;
use exports_core::report::Report;
use exports_documents::{DocumentLayout, build_document, render_html, samples};
use exports_synthetic::{DemoParams, generate};

fn report(export_type: ExportType, sessions: usize, words: usize) -> Report {
    let data = generate(&DemoParams {
        patients: 1,
        sessions_per_patient: sessions,
        words_per_note: words,
        ..DemoParams::default()
    });
    samples::report_for(&data, 0, export_type, None)
}

/// (median, minimum) wall time in ms. The minimum shows the cost without interference from
/// other processes on a shared machine.
fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[0])
}

fn main() {
    let options = DocumentLayout::default();
    let cases = [
        (
            "session notes, 1 session × 300 words",
            ExportType::SessionNotes,
            1,
            300,
            2000,
        ),
        (
            "progress report, 50 sessions",
            ExportType::ProgressReport,
            50,
            300,
            500,
        ),
        (
            "treatment summary, 50 sessions",
            ExportType::TreatmentSummary,
            50,
            300,
            500,
        ),
        (
            "full record, 200 sessions × 400 words",
            ExportType::FullRecord,
            200,
            400,
            50,
        ),
    ];
    // Build the template set once before timing (it is built once per process).
    build_document(&report(ExportType::SessionNotes, 1, 10), &options).expect("warm-up");
    for (name, export_type, sessions, words, runs) in cases {
        let report = report(export_type, sessions, words);
        let doc = build_document(&report, &options).expect("document");
        let (build, build_min) = time_ms(runs, || {
            std::hint::black_box(build_document(&report, &options).expect("document"));
        });
        let (html, _) = time_ms(runs, || {
            std::hint::black_box(render_html(&doc));
        });
        println!(
            "{name:<40} build_document median {build:>7.3} ms (min {build_min:.3})   render_html median {html:>6.3} ms   ({} blocks)",
            doc.blocks.len()
        );
    }
}
