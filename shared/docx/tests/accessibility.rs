//! What a screen-reader user of a DOCX export relies on (issue 15): the document's language, a
//! description on every chart picture, table header rows marked as such, and headings whose
//! levels never skip. Read from the package's XML of the demo practice's exports.

use std::io::Read;

use exports_core::export::ExportType;
use exports_core::template::DocumentLayout;
use exports_documents::build_document;
use exports_documents::samples::report_for;
use exports_docx::render_docx;
use exports_synthetic::{DemoParams, generate};

/// The shading of a key-value table's label cells.
const LABEL_FILL: &str = r#"w:fill="F2F2F2""#;

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no {name}"))
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

#[test]
fn language_chart_descriptions_header_rows_and_heading_order() {
    let demo = generate(&DemoParams {
        patients: 1,
        sessions_per_patient: 8,
        words_per_note: 30,
        ..DemoParams::default()
    });
    let mut charts = 0;
    let mut header_rows = 0;
    for &export_type in ExportType::ALL {
        let mut doc = build_document(
            &report_for(&demo, 0, export_type, None),
            &DocumentLayout::default(),
        )
        .expect("document");
        doc.meta.lang = "en-GB".into();
        let docx = render_docx(&doc).expect("docx");
        let what = export_type.as_str();

        // The language: every run's default, and the package's.
        let styles = part(&docx, "word/styles.xml");
        assert!(
            styles.contains(r#"<w:lang w:val="en-GB""#),
            "{what}: {styles}"
        );
        assert!(
            part(&docx, "docProps/core.xml").contains("<dc:language>en-GB</dc:language>"),
            "{what}"
        );

        let body = part(&docx, "word/document.xml");
        // Every chart picture is described.
        for drawing in body.split("<wp:docPr ").skip(1) {
            charts += 1;
            let descr = drawing
                .split("descr=\"")
                .nth(1)
                .and_then(|d| d.split('"').next())
                .unwrap_or("");
            assert!(descr.len() > 20, "{what}: a chart without a description");
        }
        // Every data table's first row is a header row (repeated on each page, read as
        // headers); the other tables are key-value tables, whose every row starts with its
        // label cell.
        for table in body.split("<w:tbl>").skip(1) {
            let table = table.split("</w:tbl>").next().unwrap_or("");
            let rows: Vec<&str> = table
                .split("</w:tr>")
                .filter(|r| r.contains("<w:tc>"))
                .collect();
            if rows.len() == 1 && rows[0].matches("<w:tc>").count() == 1 {
                continue; // a notice: a box drawn as a one-cell table, no data
            }
            if rows[0].contains("<w:tblHeader") {
                header_rows += 1;
            } else {
                assert!(
                    rows.iter().all(|r| r
                        .split("</w:tc>")
                        .next()
                        .unwrap_or("")
                        .contains(LABEL_FILL)),
                    "{what}: a table with neither a header row nor row labels"
                );
            }
        }
        // Heading levels start at 1 and never skip one going down.
        let mut previous = 0;
        for level in body
            .split(r#"<w:pStyle w:val="Heading"#)
            .skip(1)
            .filter_map(|rest| rest.chars().next()?.to_digit(10))
        {
            assert!(
                level <= previous + 1,
                "{what}: Heading{level} after Heading{previous}"
            );
            previous = level;
        }
        assert!(previous > 0, "{what}: no headings");
    }
    assert!(charts > 0, "the demo exports have charts");
    assert!(header_rows > 0, "the demo exports have data tables");
}
