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

use exports_core::export::{ExportFormat, ExportType};
use exports_core::ports::{FileRenderer, RenderedFile, RenderingFile};
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
        self.render_file(report, format, layout).map(|f| f.bytes)
    }

    /// PDF pages come from the layout that made them (`render_pdf_with_report`): exact, and
    /// free, where counting them from the bytes would parse the file again.
    fn render_file(
        &self,
        report: &Report,
        format: ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<RenderedFile, String> {
        let document =
            |layout| exports_documents::build_document(report, layout).map_err(|e| e.to_string());
        let unpaged = |bytes| RenderedFile {
            bytes,
            pages: None,
            unsupported_characters: 0,
        };
        match format {
            ExportFormat::Pdf => {
                let (bytes, made) = exports_pdf::render_pdf_with_report(&document(layout)?)
                    .map_err(|e| e.to_string())?;
                Ok(RenderedFile {
                    bytes,
                    pages: u32::try_from(made.pages).ok(),
                    unsupported_characters: made.missing_glyphs as u64,
                })
            }
            ExportFormat::Docx => exports_docx::render_docx(&document(layout)?)
                .map(unpaged)
                .map_err(|e| e.to_string()),
            ExportFormat::Json | ExportFormat::Csv => {
                DataFormats.render(report, format, layout).map(unpaged)
            }
        }
    }

    /// A PDF is written as it is laid out ([`exports_pdf::PdfStream`]): pieces of a few
    /// hundred KB, never the whole file, and its blocks are read from the markup as the layout
    /// reaches them, never the whole document. The other formats are made whole.
    fn render_stream(
        &self,
        report: Report,
        format: ExportFormat,
        layout: &DocumentLayout,
    ) -> Result<Box<dyn RenderingFile>, String> {
        if format != ExportFormat::Pdf {
            let file = self.render_file(&report, format, layout)?;
            return Ok(Box::new(Whole(Some(file.bytes))));
        }
        // The report is dropped once the template's context is made, the context once the
        // template has rendered; blocks are parsed from the markup as the layout reaches them,
        // so the whole document is never held.
        let document =
            exports_documents::stream_document(report, layout).map_err(|e| e.to_string())?;
        let blocks = document
            .blocks
            .map(|block| block.map_err(|e| e.to_string()));
        let stream = exports_pdf::PdfStream::from_blocks(document.head, Box::new(blocks))
            .map_err(|e| e.to_string())?;
        Ok(Box::new(PdfPieces(stream)))
    }

    /// A full record's PDF in the built-in template: its sessions are rendered a few at a time
    /// as the pages are written, their notes' texts asked for a group at a time.
    fn renders_paged(
        &self,
        export_type: ExportType,
        format: ExportFormat,
        layout: &DocumentLayout,
    ) -> bool {
        format == ExportFormat::Pdf && exports_documents::is_paged(export_type, layout)
    }

    fn render_paged(
        &self,
        report: Report,
        layout: &DocumentLayout,
    ) -> Result<Box<dyn RenderingFile>, String> {
        let paged =
            exports_documents::stream_paged_record(report, layout).map_err(|e| e.to_string())?;
        let blocks = PagedBlocks(paged.document.blocks);
        let stream = exports_pdf::PdfStream::from_blocks(paged.document.head, Box::new(blocks))
            .map_err(|e| e.to_string())?;
        Ok(Box::new(PagedPdf {
            pdf: PdfPieces(stream),
            note_texts: paged.note_texts,
        }))
    }

    fn audit_csv(&self, events: &[exports_core::audit::AuditEvent]) -> Result<Vec<u8>, String> {
        DataFormats.audit_csv(events)
    }
}

/// A paged full record's blocks, as the PDF reads them.
struct PagedBlocks(exports_documents::MarkupBlocks);

impl exports_pdf::Blocks for PagedBlocks {
    fn next_block(&mut self) -> Result<exports_document_model::NextBlock, String> {
        self.0.next_block().map_err(|e| e.to_string())
    }
}

/// A paged full record's PDF being written, with the note texts it asks for.
struct PagedPdf {
    pdf: PdfPieces,
    note_texts: exports_documents::NoteTextFeed,
}

impl RenderingFile for PagedPdf {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        self.pdf.next_chunk()
    }

    fn pages(&self) -> Option<u32> {
        self.pdf.pages()
    }

    fn unsupported_characters(&self) -> u64 {
        self.pdf.unsupported_characters()
    }

    fn wanted_note_texts(&self) -> Option<std::ops::Range<usize>> {
        self.note_texts.wanted()
    }

    fn give_note_texts(
        &mut self,
        sessions: std::ops::Range<usize>,
        texts: exports_core::records::NoteTexts,
    ) {
        self.note_texts.give(sessions, texts);
    }
}

/// A PDF being written, as the core pulls it.
struct PdfPieces(exports_pdf::PdfStream);

impl RenderingFile for PdfPieces {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        self.0.next_chunk().map_err(|e| e.to_string())
    }

    fn pages(&self) -> Option<u32> {
        u32::try_from(self.0.report().pages).ok()
    }

    fn unsupported_characters(&self) -> u64 {
        self.0.report().missing_glyphs as u64
    }
}

/// A file made whole (DOCX, JSON, CSV), handed out as one piece.
struct Whole(Option<Vec<u8>>);

impl RenderingFile for Whole {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.take())
    }

    fn pages(&self) -> Option<u32> {
        None
    }

    fn unsupported_characters(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_reports_its_pages_and_the_other_formats_none() {
        let samples = exports_documents::samples::samples();
        let report = &samples.first().expect("a sample report").report;
        let layout = DocumentLayout::default();
        let pdf = AllFormats
            .render_file(report, ExportFormat::Pdf, &layout)
            .expect("renders");
        // What the file itself declares: its page tree's `/Count`.
        let text = String::from_utf8_lossy(&pdf.bytes);
        let declared: u32 = text
            .split("/Type/Pages/Count ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .expect("the PDF's page tree declares its count");
        assert_eq!(pdf.pages, Some(declared));
        assert_eq!(
            AllFormats.render(report, ExportFormat::Pdf, &layout),
            Ok(pdf.bytes.clone()),
            "render and render_file make the same file"
        );
        for format in [ExportFormat::Docx, ExportFormat::Json, ExportFormat::Csv] {
            let file = AllFormats
                .render_file(report, format, &layout)
                .expect("renders");
            assert_eq!(file.pages, None, "{format}");
            assert!(!file.bytes.is_empty(), "{format}");
        }
    }

    #[test]
    fn a_streamed_pdf_is_the_rendered_file_in_pieces() {
        let samples = exports_documents::samples::samples();
        let report = &samples.first().expect("a sample report").report;
        let layout = DocumentLayout::default();
        let whole = AllFormats
            .render_file(report, ExportFormat::Pdf, &layout)
            .expect("renders");
        let mut stream = AllFormats
            .render_stream(report.clone(), ExportFormat::Pdf, &layout)
            .expect("renders");
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next_chunk().expect("renders") {
            bytes.extend_from_slice(&chunk);
        }
        assert_eq!(bytes, whole.bytes);
        assert_eq!(stream.pages(), whole.pages);
        assert_eq!(stream.unsupported_characters(), 0);
        let mut csv = AllFormats
            .render_stream(report.clone(), ExportFormat::Csv, &layout)
            .expect("renders");
        let first = csv.next_chunk().expect("renders").expect("one piece");
        assert!(!first.is_empty());
        assert_eq!(csv.next_chunk().expect("renders"), None);
    }

    /// A full record longer than two groups of sessions, made as the renderer makes it from a
    /// record without note texts (each group's texts given when asked for), is the same file as
    /// the one made from the whole report.
    #[test]
    fn a_full_record_made_a_page_at_a_time_is_the_same_pdf() {
        let data = exports_synthetic::generate(&exports_synthetic::DemoParams {
            patients: 1,
            sessions_per_patient: 2 * exports_documents::SESSIONS_PER_GROUP + 5,
            words_per_note: 60,
            ..exports_synthetic::DemoParams::default()
        });
        let report = exports_documents::samples::report_for(&data, 0, ExportType::FullRecord, None);
        let layout = DocumentLayout::default();
        let whole = AllFormats
            .render_file(&report, ExportFormat::Pdf, &layout)
            .expect("renders");
        let mut outline = report.clone();
        let texts = exports_documents::samples::take_note_texts(&mut outline);
        assert!(AllFormats.renders_paged(ExportType::FullRecord, ExportFormat::Pdf, &layout));
        assert!(!AllFormats.renders_paged(ExportType::FullRecord, ExportFormat::Docx, &layout));
        let mut file = AllFormats.render_paged(outline, &layout).expect("renders");
        let (mut bytes, mut asked) = (Vec::new(), 0);
        loop {
            if let Some(sessions) = file.wanted_note_texts() {
                asked += 1;
                let given = texts[sessions.clone()].iter().flatten().cloned().collect();
                file.give_note_texts(sessions, given);
            }
            match file.next_chunk().expect("renders") {
                Some(chunk) => bytes.extend_from_slice(&chunk),
                None => break,
            }
        }
        assert_eq!(asked, 3, "one request per group of sessions");
        assert!(bytes == whole.bytes, "the paged PDF differs");
        assert_eq!(file.pages(), whole.pages);
    }

    #[test]
    fn characters_no_font_draws_are_counted_in_the_pdf_only() {
        let samples = exports_documents::samples::samples();
        let mut report = samples.first().expect("a sample report").report.clone();
        // Egyptian hieroglyphs: no embedded font has them. The name is printed on every page
        // header and in the identification table.
        report.patient.display_name = "𓀀𓀁 Test".into();
        let layout = DocumentLayout::default();
        let pdf = AllFormats
            .render_file(&report, ExportFormat::Pdf, &layout)
            .expect("still renders");
        assert!(
            pdf.unsupported_characters >= 2,
            "{}",
            pdf.unsupported_characters
        );
        for format in [ExportFormat::Docx, ExportFormat::Json, ExportFormat::Csv] {
            let file = AllFormats
                .render_file(&report, format, &layout)
                .expect("renders");
            assert_eq!(file.unsupported_characters, 0, "{format} keeps the text");
        }
        let plain = samples.first().expect("a sample report").report.clone();
        let pdf = AllFormats
            .render_file(&plain, ExportFormat::Pdf, &layout)
            .expect("renders");
        assert_eq!(pdf.unsupported_characters, 0);
    }
}
