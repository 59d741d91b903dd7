//! The core's `DocumentRenderer` port: report → template → `Document` → PDF or DOCX.

use exports_core::export::ExportFormat;
use exports_core::ports::DocumentRenderer;
use exports_core::report::Report;

use crate::{DocumentOptions, build_document};

/// PDF and DOCX through the one template pipeline.
#[derive(Debug, Clone, Default)]
pub struct PrintableDocuments {
    pub options: DocumentOptions,
}

impl DocumentRenderer for PrintableDocuments {
    fn formats(&self) -> Vec<ExportFormat> {
        vec![ExportFormat::Pdf, ExportFormat::Docx]
    }

    fn render(&self, report: &Report, format: ExportFormat) -> Result<Vec<u8>, String> {
        let doc = build_document(report, &self.options).map_err(|e| e.to_string())?;
        match format {
            ExportFormat::Pdf => render_pdf::render_pdf(&doc).map_err(|e| e.to_string()),
            ExportFormat::Docx => render_docx::render_docx(&doc).map_err(|e| e.to_string()),
            other => Err(format!("{other} is not a printable format")),
        }
    }
}
