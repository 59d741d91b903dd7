//! Dates print as the document prints them (`6 Jan 2026`), never as ISO dates the renderer made
//! up: the DOCX shows the model's text, as the PDF does. Charts are left out here: their DOCX
//! rendering is a separate piece of work.

use std::io::{Cursor, Read};

use exports_core::export::ExportType;
use exports_document_model::Block;
use exports_documents::{DocumentLayout, build_document, samples};
use exports_synthetic::{DemoParams, generate};

/// The text of every `<w:t>` in a part.
fn texts(xml: &str) -> String {
    let mut out = String::new();
    for piece in xml.split("<w:t").skip(1) {
        if let Some(start) = piece.find('>')
            && let Some(end) = piece.find("</w:t>")
            && start < end
        {
            out.push_str(&piece[start + 1..end]);
            out.push('\n');
        }
    }
    out
}

/// ISO dates (`2026-03-10`) in `text`.
fn iso_dates(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (0..b.len().saturating_sub(9))
        .filter(|&i| {
            digits(i..i + 4)
                && b[i + 4] == b'-'
                && digits(i + 5..i + 7)
                && b[i + 7] == b'-'
                && digits(i + 8..i + 10)
        })
        .map(|i| &text[i..i + 10])
        .collect()
}

#[test]
fn no_iso_dates_outside_charts() {
    assert_eq!(iso_dates("on 2026-03-10."), vec!["2026-03-10"]);
    let data = generate(&DemoParams::default());
    for export_type in ExportType::ALL {
        let report = samples::report_for(&data, 0, *export_type, None);
        let mut doc = build_document(&report, &DocumentLayout::default()).expect("document");
        doc.blocks.retain(|b| !matches!(b, Block::Chart(_)));
        let bytes = exports_docx::render_docx(&doc).expect("render");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        let mut shown = String::new();
        for part in ["word/document.xml", "word/header1.xml", "word/footer1.xml"] {
            let mut xml = String::new();
            zip.by_name(part)
                .expect("part")
                .read_to_string(&mut xml)
                .expect("read");
            shown.push_str(&texts(&xml));
        }
        assert_eq!(
            iso_dates(&shown),
            Vec::<&str>::new(),
            "{export_type:?} prints ISO dates"
        );
        // The dates it does print are the document's: the export date in the footer.
        assert!(
            shown.contains(" on 27 Nov 2026 · job "),
            "{export_type:?}: {shown}"
        );
    }
}
