//! Printable documents from report data.
//!
//! The pipeline: [`Report`] → tera template (embedded from `templates/`) → document markup
//! (`docs/markup.md`) → one [`Document`] → PDF, DOCX or HTML. Templates describe the layout once
//! per export type; renderers know nothing about export types. For a PDF the document is not
//! built whole: [`stream_document`] gives its head and a [`MarkupBlocks`] that parses the markup a
//! block at a time as the PDF's layout asks for blocks, and a full record's [`stream_paged_record`]
//! renders its sessions a few at a time, asking for their note texts as it goes.
//!
//! Patient text can never become markup: before the report reaches a template, every string in
//! it goes through [`escape_markup`], so a note containing `<b>`, `**`, `{{`, `::table`, `# x`, a
//! leading `-`, `|` or newlines prints literally. (Tera's own HTML autoescape is off: markup is
//! not HTML.)
//!
//! **Line breaks in [`Run`](exports_document_model::Run) text.** A newline in patient text (and `\n` in
//! markup) arrives as a `'\n'` character inside `Run::text` of a paragraph, list item, notice,
//! key–value value or table cell. Renderers must break the line there (HTML `<br>`, DOCX
//! `<w:br/>`, PDF: a new line). Headings, labels, column titles, chart titles and series names are
//! single-line: their line breaks become spaces. No other control character (tab, CR, …) ever
//! appears in a `Document` built here.

mod body_lines;
mod context;
mod escaped;
mod html;
mod markup;
mod paged;
pub mod samples;
mod template_checks;
mod templates;

use std::sync::LazyLock;

use exports_core::export::ExportType;
use exports_core::report::{Report, ReportContent};
/// How a document looks: page size, title, header and footer text, and a custom body (the
/// layout of an export template).
pub use exports_core::template::DocumentLayout;
use exports_document_model::{Block, Document, Meta, PageFooter, PageHeader, PageSetup, PageSize};

pub use escaped::Escaped;
pub use html::render_html;
pub use markup::{MarkupBlocks, MarkupError, escape_markup, parse_markup};
pub use paged::{NoteTextFeed, PagedDocument, SESSIONS_PER_GROUP, is_paged, stream_paged_record};
pub use template_checks::DocumentTemplates;

/// The confidentiality line printed on every page.
pub const CONFIDENTIALITY: &str = "CONFIDENTIAL - PROTECTED HEALTH INFORMATION";

/// Why a document could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The template does not parse or does not render. `line` and `column` are 1-based positions
    /// in the template (the custom body, or the template named in `message`); 0 when tera gave no
    /// position.
    #[error("template error at line {line}, column {column}: {message}")]
    Template {
        line: usize,
        column: usize,
        message: String,
    },
    /// The template rendered markup that does not parse; positions are in that markup. (When
    /// validating a custom body, an error on a markup line that one body line wrote is reported
    /// as `Template`, at that body line.)
    #[error("markup error: {0}")]
    Markup(#[from] MarkupError),
}

/// Builds the document of a report: its template rendered to markup, parsed, with the page
/// header, footer and metadata (which never come from the template).
pub fn build_document(report: &Report, layout: &DocumentLayout) -> Result<Document, DocumentError> {
    let markup = render_markup(report, layout)?;
    let blocks = parse_markup(&markup)?;
    Ok(assemble(report, layout, blocks))
}

/// A report's document to be read block by block: `head` is the document without its blocks
/// (metadata, page setup, header, footer), `blocks` parses the rendered markup as it is read.
/// What a long record holds while its PDF is written is the markup, not the whole document.
pub struct DocumentStream {
    pub head: Document,
    pub blocks: MarkupBlocks,
}

/// [`build_document`], with the blocks parsed as they are read. The report is taken so that it
/// can be dropped once the template's context is made from it (before the template renders),
/// and the context is dropped before this returns. A markup error surfaces from `blocks` where
/// it is met (the built-in templates make valid markup; custom bodies were checked when saved).
pub fn stream_document(
    report: Report,
    layout: &DocumentLayout,
) -> Result<DocumentStream, DocumentError> {
    let ctx = context::build_context(&report, layout.title.as_deref());
    let head = assemble(&report, layout, Vec::new());
    let export_type = report.export_type;
    drop(report);
    let markup = render_context(&ctx, export_type, layout)?;
    drop(ctx);
    Ok(DocumentStream {
        head,
        blocks: MarkupBlocks::new(markup),
    })
}

/// The markup the template renders for a report (the step before [`parse_markup`]): for
/// debugging templates. It contains patient data.
pub fn render_markup(report: &Report, layout: &DocumentLayout) -> Result<String, DocumentError> {
    let ctx = context::build_context(report, layout.title.as_deref());
    render_context(&ctx, report.export_type, layout)
}

/// The layout's template (its custom body, or the export type's built-in one) over `ctx`.
fn render_context(
    ctx: &tera::Context,
    export_type: ExportType,
    layout: &DocumentLayout,
) -> Result<String, DocumentError> {
    match &layout.body {
        None => templates::render(
            &templates::TERA,
            templates::template_name(export_type),
            ctx,
            true,
        ),
        Some(body) => {
            let tera = templates::with_custom_body(body)?;
            templates::render(&tera, templates::CUSTOM_BODY, ctx, true)
        }
    }
}

fn assemble(report: &Report, layout: &DocumentLayout, blocks: Vec<Block>) -> Document {
    let practice = &report.practice;
    let a = &practice.address;
    let mut address = a.line1.clone();
    if let Some(line2) = a.line2.as_deref().filter(|l| !l.trim().is_empty()) {
        address.push_str(", ");
        address.push_str(line2);
    }
    address.push_str(&format!(", {}, {} {}", a.city, a.region, a.postal_code));
    if a.country != "US" {
        address.push_str(&format!(", {}", a.country));
    }
    let header_line = format!("{address} · {} · NPI {}", practice.phone, practice.npi);
    let title = layout
        .title
        .clone()
        .unwrap_or_else(|| context::type_title(report.export_type).to_string());
    let requester = report.requested_by.display();
    let generated = context::fmt_date(report.generated_at.date_naive());
    Document {
        meta: Meta {
            // Never the patient's name: viewers show the title in title bars and tabs.
            title: single_line(&format!("{title} — {}", report.patient.mrn)),
            author: single_line(&requester),
            subject: subject(report),
            keywords: vec![
                report.export_type.as_str().to_string(),
                single_line(&report.patient.mrn),
            ],
            created: report.generated_at,
            // The templates and the words they add are US English.
            lang: exports_document_model::default_lang(),
        },
        page: PageSetup {
            size: match layout.page_size {
                exports_core::export::PageSize::Letter => PageSize::Letter,
                exports_core::export::PageSize::A4 => PageSize::A4,
            },
            ..PageSetup::default()
        },
        header: PageHeader {
            title: single_line(layout.header_text.as_deref().unwrap_or(&practice.name)),
            lines: vec![single_line(&header_line)],
            confidentiality: CONFIDENTIALITY.to_string(),
            identity: Some(single_line(&identity(&report.patient))),
        },
        footer: PageFooter {
            watermark: single_line(&format!(
                "Exported by {requester} on {generated} · job {}",
                report.job_id
            )),
            text: layout.footer_text.as_deref().map(single_line),
            page_numbers: true,
        },
        blocks,
    }
}

/// Whose record, for every page: `Zoë Adebayo-Hart (MRN-000001)`, as the predecessor printed
/// it. A bare record number is labelled (`(MRN 7078673)`).
fn identity(patient: &exports_core::report::PatientIdentity) -> String {
    let mrn = &patient.mrn;
    if mrn.len() >= 3 && mrn[..3].eq_ignore_ascii_case("mrn") {
        format!("{} ({mrn})", patient.full_name())
    } else {
        format!("{} (MRN {mrn})", patient.full_name())
    }
}

/// Header, footer and metadata strings are single lines of plain text.
fn single_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The metadata subject: what the export is, without patient data.
fn subject(report: &Report) -> String {
    match &report.content {
        ReportContent::SessionNotes(n) => {
            let count = n.sessions.len();
            format!(
                "Session notes, {count} session{}",
                if count == 1 { "" } else { "s" }
            )
        }
        ReportContent::ProgressReport(p) => format!(
            "Progress report, {} – {}",
            context::fmt_date(p.period.start_date),
            context::fmt_date(p.period.end_date)
        ),
        ReportContent::TreatmentSummary(_) => "Treatment summary".to_string(),
        ReportContent::FullRecord(_) => "Full clinical record".to_string(),
    }
}

/// Checks a custom body template: it must parse, and render to valid markup for the sample
/// reports of every export type (all sections, no sections, and a record with no data), so a
/// template that only works for one type must test `report.export_type`. Errors carry line and
/// column (template positions for template errors; markup positions, with the offending sample
/// and markup line in the message, for markup errors).
pub fn validate_template(body: &str) -> Result<(), DocumentError> {
    validate(body, ExportType::ALL)
}

/// [`validate_template`] against the sample reports of one export type only.
pub fn validate_template_for(body: &str, export_type: ExportType) -> Result<(), DocumentError> {
    validate(body, &[export_type])
}

fn validate(body: &str, types: &[ExportType]) -> Result<(), DocumentError> {
    let tera = templates::with_custom_body(body)?;
    static SAMPLES: LazyLock<Vec<samples::Sample>> = LazyLock::new(samples::samples);
    for sample in SAMPLES
        .iter()
        .filter(|s| types.contains(&s.report.export_type))
    {
        let ctx = context::build_context(&sample.report, None);
        let markup = templates::render(&tera, templates::CUSTOM_BODY, &ctx, false)?;
        if let Err(e) = parse_markup(&markup) {
            // Sample data holds no PHI, so the offending markup line may be quoted.
            let line = markup
                .split('\n')
                .nth(e.line.saturating_sub(1))
                .unwrap_or("");
            let shown: String = line.chars().take(120).collect();
            let message = format!(
                "{} (rendering the {} sample; markup line {}: `{shown}`)",
                e.message, sample.name, e.line
            );
            // Point at the body line that wrote it, when only one could have.
            return Err(match body_lines::locate(body, line, e.column) {
                Some((line, column)) => DocumentError::Template {
                    line,
                    column,
                    message: format!("the body renders invalid markup: {message}"),
                },
                None => DocumentError::Markup(MarkupError { message, ..e }),
            });
        }
    }
    Ok(())
}
