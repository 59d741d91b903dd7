//! The core's `DocumentRenderer` port: report → template → `Document` → PDF or DOCX.

use exports_core::export::{ExportFormat, ExportType};
use exports_core::ports::{DocumentRenderer, TemplateProblem};
use exports_core::report::Report;
use exports_core::template::DocumentLayout;

use crate::{DocumentError, build_document, validate_template_for};

/// PDF and DOCX through the one template pipeline.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrintableDocuments;

impl DocumentRenderer for PrintableDocuments {
    fn formats(&self) -> Vec<ExportFormat> {
        vec![ExportFormat::Pdf, ExportFormat::Docx]
    }

    fn render(
        &self,
        report: &Report,
        format: ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<Vec<u8>, String> {
        let doc = build_document(report, layout).map_err(|e| e.to_string())?;
        match format {
            ExportFormat::Pdf => render_pdf::render_pdf(&doc).map_err(|e| e.to_string()),
            ExportFormat::Docx => render_docx::render_docx(&doc).map_err(|e| e.to_string()),
            other => Err(format!("{other} is not a printable format")),
        }
    }

    fn validate_body(&self, body: &str, export_type: ExportType) -> Result<(), TemplateProblem> {
        validate_template_for(body, export_type).map_err(|e| match e {
            DocumentError::Template {
                line,
                column,
                message,
            } => TemplateProblem {
                line,
                column,
                message,
            },
            DocumentError::Markup(m) => TemplateProblem {
                line: 0,
                column: 0,
                message: format!("the body renders invalid markup: {m}"),
            },
        })
    }
}
