//! Renders the demo practice's printable exports (patient 0 of the default synthetic practice,
//! requested by its first assigned therapist) to PDF and DOCX, for looking at the output:
//!
//! ```text
//! cargo run -p exports-render --example render_samples -- /tmp/samples
//! pdftoppm -png -r 70 -f 3 -l 3 /tmp/samples/full_record.pdf /tmp/samples/full_record
//! ```
//!
//! The data is synthetic (no real patient), so the files may be kept and shared.

use std::path::PathBuf;

use exports_core::export::{ExportFormat, ExportType};
use exports_core::ports::FileRenderer;
use exports_core::template::DocumentLayout;
use exports_documents::samples::report_for;
use exports_render::AllFormats;
use exports_synthetic::{DemoParams, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "samples".into()));
    std::fs::create_dir_all(&dir)?;
    let data = generate(&DemoParams::default());
    for (name, export_type) in [
        ("session_notes", ExportType::SessionNotes),
        ("progress_report", ExportType::ProgressReport),
        ("treatment_summary", ExportType::TreatmentSummary),
        ("full_record", ExportType::FullRecord),
    ] {
        let report = report_for(&data, 0, export_type, None);
        for (ext, format) in [("pdf", ExportFormat::Pdf), ("docx", ExportFormat::Docx)] {
            let bytes = AllFormats.render(&report, format, &DocumentLayout::default())?;
            let path = dir.join(format!("{name}.{ext}"));
            std::fs::write(&path, bytes)?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
