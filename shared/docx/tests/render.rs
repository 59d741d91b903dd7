//! Checks of the package and its XML that need no reader but the zip crate.

use std::io::{Cursor, Read};

use exports_document_model::{
    Align, Block, Column, Document, PageSize, Run, Table, sample::clinical_document,
};
use exports_docx::{DocxError, render_docx};

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).expect("a zip");
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the package"));
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    s
}

fn small() -> Document {
    clinical_document(3, 80)
}

#[test]
fn same_document_same_bytes() {
    let doc = small();
    let a = render_docx(&doc).unwrap();
    // Render something else on this thread in between, and once on another thread.
    render_docx(&clinical_document(1, 10)).unwrap();
    let b = render_docx(&doc).unwrap();
    let c = std::thread::spawn(move || render_docx(&doc).unwrap())
        .join()
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
}

#[test]
fn zip_entries_have_fixed_timestamps_and_are_compressed() {
    let doc = small();
    let bytes = render_docx(&doc).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    for required in [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "word/document.xml",
        "word/styles.xml",
        "word/numbering.xml",
        "word/header1.xml",
        "word/footer1.xml",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "{required} missing from {names:?}"
        );
    }
    for i in 0..zip.len() {
        let f = zip.by_index(i).unwrap();
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour()),
            (2026, 11, 27, 10),
            "{}",
            f.name()
        );
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
    }
}

#[test]
fn header_rows_repeat_and_nothing_else_does() {
    let bytes = render_docx(&small()).unwrap();
    let xml = part(&bytes, "word/document.xml");
    // Diagnoses and sessions (the chart is a picture now, not a table of values).
    assert_eq!(xml.matches("<w:tblHeader />").count(), 2);
    assert_eq!(
        xml.matches("<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>")
            .count(),
        2
    );
    for table in xml.split("<w:tbl>").skip(1) {
        let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
        for row in &rows[1..] {
            assert!(!row.contains("<w:tblHeader />"), "only first rows repeat");
        }
    }
}

#[test]
fn body_rows_are_never_split_across_pages() {
    let bytes = render_docx(&small()).unwrap();
    let xml = part(&bytes, "word/document.xml");
    let mut body_rows = 0;
    // Key-value, notice, diagnoses and sessions tables (the chart's table of values is the
    // chart's own business).
    for table in xml.split("<w:tbl>").skip(1) {
        if table.contains(">Date</w:t>") && table.contains(">PHQ-9</w:t>") {
            continue;
        }
        for row in table.split("<w:tr>").skip(1) {
            assert!(row.starts_with("<w:trPr><w:cantSplit />"), "{row}");
            body_rows += 1;
        }
    }
    // 4 key-value rows, 1 notice, 2 + 1 diagnosis rows, 40 + 1 session rows.
    assert_eq!(body_rows, 4 + 1 + 3 + 41);
}

#[test]
fn patient_text_is_escaped_not_interpreted() {
    let bytes = render_docx(&small()).unwrap();
    let xml = part(&bytes, "word/document.xml");
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(xml.contains("{{ patient.first_name }}"));
    assert!(xml.contains("&lt;b&gt;bold?&lt;/b&gt; **not bold**"));
    assert!(!xml.contains("<script>"));
    for name in ["Zoë", "Nguyễn", "Øyvind", "Ελένη", "王芳"] {
        assert!(xml.contains(name), "{name}");
    }
}

#[test]
fn control_characters_newlines_and_tabs() {
    let mut doc = small();
    doc.blocks = vec![Block::Paragraph {
        text: vec![Run::plain("a\u{1}b\u{0}c\r\nline two\tcolumn")],
    }];
    let bytes = render_docx(&doc).unwrap();
    let xml = part(&bytes, "word/document.xml");
    assert!(
        xml.contains("a\u{FFFD}b\u{FFFD}c</w:t><w:br w:type=\"textWrapping\" />"),
        "{xml}"
    );
    assert!(xml.contains("line two</w:t><w:tab />"));
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{0}'));
}

#[test]
fn page_size_and_margins() {
    let mut doc = small();
    let letter = part(&render_docx(&doc).unwrap(), "word/document.xml");
    assert!(letter.contains(r#"<w:pgSz w:w="12240" w:h="15840" />"#));
    // 25 mm top, 19 mm right, 22 mm bottom, 19 mm left.
    assert!(
        letter.contains(r#"w:top="1417" w:right="1077" w:bottom="1247" w:left="1077""#),
        "{}",
        &letter[letter.find("<w:pgMar").unwrap()..][..200]
    );
    doc.page.size = PageSize::A4;
    let a4 = part(&render_docx(&doc).unwrap(), "word/document.xml");
    assert!(a4.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#));
}

#[test]
fn core_properties() {
    let core = part(&render_docx(&small()).unwrap(), "docProps/core.xml");
    assert!(core.contains("<dc:title>Full Record — MRN-000001</dc:title>"));
    assert!(core.contains("<dc:creator>Amara Okafor, PhD, LP</dc:creator>"));
    assert!(core.contains("<dc:subject>Full record export</dc:subject>"));
    assert!(core.contains("<cp:keywords>full_record, MRN-000001</cp:keywords>"));
    assert!(core.contains(">2026-11-27T10:00:00Z</dcterms:created>"));
}

#[test]
fn header_and_footer() {
    let bytes = render_docx(&small()).unwrap();
    let header = part(&bytes, "word/header1.xml");
    assert!(header.contains("CONFIDENTIAL - PROTECTED HEALTH INFORMATION"));
    assert!(header.contains(r#"<w:pStyle w:val="Confidentiality" />"#));
    let footer = part(&bytes, "word/footer1.xml");
    assert!(footer.contains("<w:instrText>PAGE</w:instrText>"));
    assert!(footer.contains("<w:instrText>NUMPAGES</w:instrText>"));
    assert!(footer.contains("Exported by Amara Okafor"));

    let mut doc = small();
    doc.footer.page_numbers = false;
    doc.footer.text = Some("Template footer".into());
    let footer = part(&render_docx(&doc).unwrap(), "word/footer1.xml");
    assert!(!footer.contains("PAGE"));
    assert!(footer.contains("Template footer"));
}

#[test]
fn ragged_table_is_an_error() {
    let mut doc = small();
    doc.blocks = vec![Block::Table(Table {
        columns: vec![
            Column {
                title: "A".into(),
                width: 1.0,
                align: Align::Left,
            },
            Column {
                title: "B".into(),
                width: 1.0,
                align: Align::Left,
            },
        ],
        rows: vec![vec![vec![Run::plain("only one")]]],
    })];
    assert!(matches!(
        render_docx(&doc),
        Err(DocxError::RaggedTable {
            block: 0,
            row: 0,
            expected: 2,
            found: 1
        })
    ));
}

#[test]
fn empty_document_renders() {
    let mut doc = small();
    doc.blocks.clear();
    doc.header.lines.clear();
    let bytes = render_docx(&doc).unwrap();
    assert!(part(&bytes, "word/document.xml").contains("<w:body>"));
}

/// The raw bytes of a part.
fn part_bytes(docx: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).expect("a zip");
    let mut file = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the package"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn each_chart_is_a_png_picture_with_its_description_as_alt_text() {
    use exports_document_model::{Band, LineChart, Series};
    let chart = |title: &str, n: i64| LineChart {
        title: title.into(),
        y_label: "score".into(),
        y_max: 27.0,
        series: vec![Series {
            name: "PHQ-9".into(),
            points: (0..n)
                .map(|i| {
                    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
                        + chrono::Duration::weeks(i);
                    (d, (18 - i % 10) as f32)
                })
                .collect(),
        }],
        bands: vec![Band {
            from: 0.0,
            to: 4.0,
            label: "Minimal".into(),
        }],
    };
    let mut doc = small();
    doc.blocks.retain(|b| !matches!(b, Block::Chart(_)));
    let charts = [chart("PHQ-9 scores", 8), chart("Mood & \"more\" <x>", 22)];
    doc.blocks.extend(charts.iter().cloned().map(Block::Chart));
    let bytes = render_docx(&doc).unwrap();

    let xml = part(&bytes, "word/document.xml");
    let rels = part(&bytes, "word/_rels/document.xml.rels");
    let types = part(&bytes, "[Content_Types].xml");
    assert!(types.contains(r#"<Default ContentType="image/png" Extension="png" />"#));
    assert_eq!(xml.matches("<w:drawing>").count(), 2);
    for (i, c) in charts.iter().enumerate() {
        let n = i + 1;
        let png = part_bytes(&bytes, &format!("word/media/chart{n}.png"));
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "chart {n} is a PNG");
        assert!(rels.contains(&format!(
            r#"Id="rIdChart{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart{n}.png""#
        )));
        assert!(xml.contains(&format!(r#"<a:blip r:embed="rIdChart{n}" />"#)));
        // Alt text: the model's description, XML-escaped, with document-format dates.
        let mut alt = String::new();
        exports_document_model::escape::escape_into(
            &mut alt,
            &c.describe(),
            exports_document_model::escape::docx_text,
        );
        assert!(!alt.is_empty() && alt.contains("10 Mar 2026"), "{alt}");
        assert!(
            xml.contains(&format!(
                r#"<wp:docPr id="{n}" name="Chart {n}" descr="{alt}" />"#
            )),
            "chart {n} alt text"
        );
    }
    assert!(xml.contains("Mood &amp; &quot;more&quot; &lt;x&gt;. PHQ-9 from 18 on 10 Mar 2026"));
    // No ISO dates from the charts anywhere in the text.
    assert!(!xml.contains(">2026-03-10<"));
}
