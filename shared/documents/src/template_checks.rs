//! The core's `TemplateChecker` port: a custom body must parse and render valid markup for the
//! sample reports of its export type.

use exports_core::export::ExportType;
use exports_core::ports::{TemplateChecker, TemplateProblem};

use crate::{DocumentError, validate_template_for};

/// Checks custom bodies against this crate's templates and markup.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentTemplates;

impl TemplateChecker for DocumentTemplates {
    fn check_body(&self, body: &str, export_type: ExportType) -> Result<(), TemplateProblem> {
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
