//! Report → file, in every export format: the one place the pipeline branches by format.
//!
//! ```text
//! Report ─┬─ JSON, CSV ──────────────────────────────────────────── exports-formats
//!         └─ PDF, DOCX ── template → markup → Document (exports-documents) ─┬─ exports-pdf
//!                                                                          └─ exports-docx
//! ```
//!
//! [`AllFormats`] is the core's `FileRenderer` for the functions that render (the renderer and
//! the scheduler); the API links none of this.

use exports_core::export::ExportFormat;
use exports_core::ports::FileRenderer;
use exports_core::report::Report;
use exports_core::template::DocumentLayout;
use exports_formats::DataFormats;

/// Every format: the data formats as they are, printable ones through one document.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllFormats;

impl FileRenderer for AllFormats {
    fn formats(&self) -> Vec<ExportFormat> {
        ExportFormat::ALL.to_vec()
    }

    fn render(
        &self,
        report: &Report,
        format: ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<Vec<u8>, String> {
        let document =
            |layout| exports_documents::build_document(report, layout).map_err(|e| e.to_string());
        match format {
            ExportFormat::Pdf => {
                exports_pdf::render_pdf(&document(layout)?).map_err(|e| e.to_string())
            }
            ExportFormat::Docx => {
                exports_docx::render_docx(&document(layout)?).map_err(|e| e.to_string())
            }
            ExportFormat::Json | ExportFormat::Csv => DataFormats.render(report, format, layout),
        }
    }
}
