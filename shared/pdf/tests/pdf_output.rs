//! End-to-end checks of the PDF bytes with the poppler and qpdf command-line tools
//! (`apt-get install -y qpdf poppler-utils`; CI installs them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use exports_document_model::sample::clinical_document;
use exports_document_model::{
    Align, Block, Column, Document, LineChart, NoticeKind, PageSize, Run, Series, Table,
};
use exports_pdf::{render_pdf, render_pdf_with_report};

mod common;
use common::{p, para, qpdf_check, stdout, write};

/// `pdftotext -layout` of pages `first..=last`.
fn text(path: &Path, first: usize, last: usize) -> String {
    stdout(
        "pdftotext",
        &[
            "-layout",
            "-f",
            &first.to_string(),
            "-l",
            &last.to_string(),
            p(path),
            "-",
        ],
    )
}

fn info(path: &Path) -> String {
    stdout("pdfinfo", &[p(path)])
}

fn pages(path: &Path) -> usize {
    info(path)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("Pages: line")
        .trim()
        .parse()
        .unwrap()
}

/// The full-record sample, rendered once for all tests that read it.
static SAMPLE: LazyLock<(PathBuf, usize)> = LazyLock::new(|| {
    let doc = clinical_document(200, 400);
    let (bytes, report) = render_pdf_with_report(&doc).expect("sample renders");
    assert_eq!(report.missing_glyphs, 0);
    let path = write("tests", "sample.pdf", &bytes);
    (path, report.pages)
});

fn doc_with(blocks: Vec<Block>) -> Document {
    let mut doc = clinical_document(1, 10);
    doc.blocks = blocks;
    doc
}

#[test]
fn sample_is_valid_and_paginated() {
    let (path, n) = &*SAMPLE;
    qpdf_check(path);
    assert_eq!(pages(path), *n);
    assert!(*n > 100, "{n} pages");
    let inf = info(path);
    assert!(
        inf.contains("Page size:       612 x 792 pts (letter)"),
        "{inf}"
    );
    assert!(
        inf.contains("Title:           Full Record — MRN-000001"),
        "{inf}"
    );
    assert!(
        inf.contains("Author:          Amara Okafor, PhD, LP"),
        "{inf}"
    );
    assert!(inf.contains("Subject:         Full record export"), "{inf}");
    assert!(
        inf.contains("Keywords:        full_record,MRN-000001"),
        "{inf}"
    );
    assert!(
        inf.contains("CreationDate:    Fri Nov 27 10:00:00 2026"),
        "{inf}"
    );
}

#[test]
fn every_page_has_header_banner_and_footer() {
    let (path, n) = &*SAMPLE;
    let first = text(path, 1, 1);
    let last = text(path, *n, *n);
    for (page, t) in [(1, &first), (*n, &last)] {
        assert!(
            t.contains("Lakeside Counseling Collective"),
            "page {page}:\n{t}"
        );
        assert!(
            t.contains("2200 Lyndale Avenue South, Suite 310"),
            "page {page}"
        );
        assert!(
            t.contains("CONFIDENTIAL - PROTECTED HEALTH INFORMATION"),
            "page {page}"
        );
        assert!(
            t.contains("Exported by Amara Okafor, PhD, LP on 2026-11-27 · job 5aab0375-5cec-4d70-a34f-bdbb077c354f"),
            "page {page}:\n{t}"
        );
        assert!(
            t.contains(&format!("Page {page} of {n}")),
            "page {page}:\n{t}"
        );
    }
    // And on every page in between.
    let all = text(path, 1, *n);
    assert_eq!(
        all.matches("CONFIDENTIAL - PROTECTED HEALTH INFORMATION")
            .count(),
        *n
    );
    assert_eq!(all.matches("Lakeside Counseling Collective").count(), *n);
    // Whose record it is, on every page (issue 14: a loose page must say whose it is).
    let pages_text: Vec<&str> = all
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages_text.len(), *n);
    for (i, page) in pages_text.iter().enumerate() {
        assert!(
            page.contains("Zoë Adebayo-Hart (MRN-000001)"),
            "page {} has no name and MRN:\n{page}",
            i + 1
        );
    }
    assert_eq!(all.matches("Exported by Amara Okafor").count(), *n);
    for page in 1..=*n {
        assert!(
            all.contains(&format!("Page {page} of {n}")),
            "no Page {page} of {n}"
        );
    }
    // Reading order: header, body, footer.
    let conf = first.find("CONFIDENTIAL").unwrap();
    let title = first.find("Full Record — Zoë").unwrap();
    let footer = first.find("Exported by").unwrap();
    assert!(conf < title && title < footer, "{first}");
}

#[test]
fn names_in_every_script_extract() {
    let (path, _) = &*SAMPLE;
    let t = text(path, 1, 1);
    for name in [
        "Zoë Adebayo-Hart",
        "Nguyễn Thị Lan",
        "Øyvind Haugland",
        "Ελένη Παπαδοπούλου",
        "王芳",
    ] {
        assert!(t.contains(name), "{name} missing from page 1:\n{t}");
    }
}

#[test]
fn hostile_strings_print_literally() {
    let (path, n) = &*SAMPLE;
    let t = text(path, 1, (*n).min(12)).replace('\n', " ");
    for s in [
        "<script>alert(1)</script>",
        "{{ patient.first_name }}",
        "**not bold**",
        "<b>bold?</b>",
    ] {
        assert!(t.contains(s), "{s} missing");
    }
}

#[test]
fn table_header_repeats_on_every_page_it_spans() {
    let (path, n) = &*SAMPLE;
    let mut continued = 0;
    for page in 1..=*n {
        let t = text(path, page, page);
        if !t.contains("Individual · CBT") {
            if page > 1 {
                break;
            }
            continue;
        }
        let header = t
            .lines()
            .position(|l| l.contains("Attendance") && l.contains("Mood"))
            .unwrap_or_else(|| panic!("page {page} continues the table without its header:\n{t}"));
        let first_row = t
            .lines()
            .position(|l| l.contains("Individual · CBT"))
            .unwrap();
        assert!(header < first_row, "page {page}: header after rows");
        if page > 1 {
            continued += 1;
        }
    }
    assert!(
        continued >= 2,
        "the sessions table should span several pages"
    );
}

#[test]
fn table_rows_are_not_split_across_pages() {
    let rows = (0..80)
        .map(|i| {
            vec![
                vec![Run::plain(format!("row-{i}"))],
                vec![Run::plain(format!(
                    "row-{i}-first\nrow-{i}-second\nrow-{i}-last"
                ))],
            ]
        })
        .collect();
    let doc = doc_with(vec![
        para("A table of three-line rows."),
        Block::Table(Table {
            columns: vec![
                Column {
                    title: "Row".into(),
                    width: 1.0,
                    align: Align::Left,
                },
                Column {
                    title: "Lines".into(),
                    width: 3.0,
                    align: Align::Left,
                },
            ],
            rows,
        }),
    ]);
    let path = write("tests", "rows.pdf", &render_pdf(&doc).unwrap());
    qpdf_check(&path);
    let n = pages(&path);
    assert!(n >= 3, "{n} pages");
    for page in 1..=n {
        let t = text(&path, page, page);
        assert!(t.contains("Lines"), "page {page} lacks the table header");
        for i in 0..80 {
            let parts = [
                format!("row-{i}-first"),
                format!("row-{i}-second"),
                format!("row-{i}-last"),
            ];
            let found = parts.iter().filter(|p| t.contains(p.as_str())).count();
            assert!(found == 0 || found == 3, "row {i} is split on page {page}");
        }
    }
}

#[test]
fn outline_has_level_1_and_2_headings_in_order() {
    let (path, n) = &*SAMPLE;
    let json = stdout("qpdf", &["--json", "--json-key=outlines", p(path)]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let outlines = json["outlines"].as_array().unwrap();
    let tree: Vec<(String, Vec<String>, u64)> = outlines
        .iter()
        .map(|o| {
            (
                o["title"].as_str().unwrap().to_owned(),
                o["kids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k["title"].as_str().unwrap().to_owned())
                    .collect(),
                o["destpageposfrom1"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tree.len(), 1, "{tree:?}");
    let (title, kids, page) = &tree[0];
    assert_eq!(title, "Full Record — Zoë Adebayo-Hart (MRN-000001)");
    assert_eq!(kids, &["Diagnoses", "Assessment scores", "Sessions"]);
    assert_eq!(*page, 1);
    // "Sessions" points at the page its heading is on.
    let sessions = outlines[0]["kids"][2]["destpageposfrom1"].as_u64().unwrap() as usize;
    assert!(sessions < *n);
    assert!(text(path, sessions, sessions).contains("Sessions"));
}

#[test]
fn page_size_follows_the_document() {
    let mut doc = clinical_document(2, 50);
    doc.page.size = PageSize::A4;
    let a4 = write("tests", "a4.pdf", &render_pdf(&doc).unwrap());
    qpdf_check(&a4);
    assert!(info(&a4).contains("x 841.89 pts (A4)"), "{}", info(&a4));
    doc.page.size = PageSize::Letter;
    let letter = write("tests", "letter.pdf", &render_pdf(&doc).unwrap());
    assert!(info(&letter).contains("Page size:       612 x 792 pts (letter)"));
}

#[test]
fn output_is_deterministic() {
    let doc = clinical_document(3, 120);
    assert_eq!(render_pdf(&doc).unwrap(), render_pdf(&doc).unwrap());
}

#[test]
fn korean_cjk_and_unknown_characters() {
    let doc = doc_with(vec![
        para("Korean: 김민준, Chinese: 王芳, Japanese: さくら"),
        para("Hieroglyph: 𓀀 end"),
    ]);
    let (bytes, report) = render_pdf_with_report(&doc).unwrap();
    assert_eq!(report.missing_glyphs, 1, "the hieroglyph has no glyph");
    let path = write("tests", "cjk.pdf", &bytes);
    qpdf_check(&path);
    let t = text(&path, 1, 1);
    assert!(
        t.contains("Korean: 김민준, Chinese: 王芳, Japanese: さくら"),
        "{t}"
    );
    assert!(
        t.contains("Hieroglyph: \u{FFFD} end"),
        "the replacement must be visible:\n{t}"
    );
    let fonts = stdout("pdffonts", &[p(&path)]);
    assert!(fonts.contains("WenQuanYiMicroHei"), "{fonts}");
    for line in fonts.lines().skip(2) {
        assert!(
            line.contains(" yes yes yes "),
            "embedded, subset, ToUnicode: {line}"
        );
    }
}

#[test]
fn long_words_wrap_inside_the_text_width() {
    let word = "x".repeat(300);
    let doc = doc_with(vec![
        para(&format!("Before {word} after")),
        Block::Table(Table {
            columns: vec![
                Column {
                    title: "A".into(),
                    width: 1.0,
                    align: Align::Left,
                },
                Column {
                    title: "B".into(),
                    width: 1.0,
                    align: Align::Right,
                },
            ],
            rows: vec![vec![vec![Run::plain(word.as_str())], vec![Run::plain("1")]]],
        }),
    ]);
    let path = write("tests", "long-word.pdf", &render_pdf(&doc).unwrap());
    qpdf_check(&path);
    let bbox = stdout("pdftotext", &["-bbox", p(&path), "-"]);
    // Every word box lies inside the page's text area (19 mm margins: 53.86..558.14 pt).
    for l in bbox.lines().filter(|l| l.contains("<word")) {
        let attr = |k: &str| -> f32 {
            let s = l.split(&format!("{k}=\"")).nth(1).unwrap();
            s[..s.find('"').unwrap()].parse().unwrap()
        };
        assert!(
            attr("xMin") >= 53.0 && attr("xMax") <= 559.0,
            "overflows: {l}"
        );
    }
    let flat: String = text(&path, 1, 1).split_whitespace().collect();
    assert!(
        flat.contains(&format!("Before{word}after")),
        "the word must survive intact"
    );
}

#[test]
fn narrow_columns_widen_to_keep_their_words_whole() {
    // Relative widths 6 : 1 : 1 would give the status column about 63 pt, narrower than
    // "Discontinued" and "Status" in bold; the column takes the room from the wide one.
    let column = |title: &str, width: f32| Column {
        title: title.into(),
        width,
        align: Align::Left,
    };
    let cell = |s: &str| vec![Run::plain(s)];
    let doc = doc_with(vec![Block::Table(Table {
        columns: vec![
            column("Goal", 6.0),
            column("Status", 1.0),
            column("Due", 1.0),
        ],
        rows: vec![
            vec![
                cell("Reduce avoidance of social situations to fewer than two per week"),
                cell("Discontinued"),
                cell("2026-12-31"),
            ],
            vec![cell("Sleep"), cell("Achieved"), cell("2027-01-15")],
        ],
    })]);
    let path = write("tests", "narrow-columns.pdf", &render_pdf(&doc).unwrap());
    qpdf_check(&path);
    let bbox = stdout("pdftotext", &["-bbox", p(&path), "-"]);
    let words: Vec<&str> = bbox
        .lines()
        .filter(|l| l.contains("<word"))
        .filter_map(|l| l.split('>').nth(1)?.split('<').next())
        .collect();
    for whole in [
        "Discontinued",
        "2026-12-31",
        "2027-01-15",
        "Achieved",
        "Status",
    ] {
        assert!(
            words.contains(&whole),
            "{whole} is broken across lines: {words:?}"
        );
    }
}

#[test]
fn hyphenated_words_stay_whole_when_other_columns_have_slack() {
    // The full record's sessions overview: seven columns, Modality at 1.1 of 7.3. Its share is
    // narrower than "Person-centered"; breaking after the hyphen would double every row.
    let column = |title: &str, width: f32| Column {
        title: title.into(),
        width,
        align: Align::Left,
    };
    let cell = |s: &str| vec![Run::plain(s)];
    let row = || {
        vec![
            cell("10 Mar 2026"),
            cell("Individual"),
            cell("Telehealth"),
            cell("Person-centered"),
            cell("53 min"),
            cell("Attended"),
            cell("5"),
        ]
    };
    let doc = doc_with(vec![Block::Table(Table {
        columns: vec![
            column("Date", 1.3),
            column("Type", 1.1),
            column("Setting", 1.1),
            column("Modality", 1.1),
            column("Length", 0.9),
            column("Attendance", 1.1),
            column("Mood", 0.7),
        ],
        rows: (0..5).map(|_| row()).collect(),
    })]);
    let path = write(
        "tests",
        "hyphenated-columns.pdf",
        &render_pdf(&doc).unwrap(),
    );
    let bbox = stdout("pdftotext", &["-bbox", p(&path), "-"]);
    let words: Vec<&str> = bbox
        .lines()
        .filter(|l| l.contains("<word"))
        .filter_map(|l| l.split('>').nth(1)?.split('<').next())
        .collect();
    assert_eq!(
        words.iter().filter(|w| **w == "Person-centered").count(),
        5,
        "Person-centered is broken across lines: {words:?}"
    );
}

#[test]
fn headings_are_kept_with_the_next_block() {
    // Paragraphs of varying length push headings to every possible position on the page.
    let mut blocks = Vec::new();
    for i in 0..60 {
        blocks.push(Block::Heading {
            level: 2 + (i % 2) as u8,
            text: format!("Heading {i}"),
        });
        blocks.push(para(
            &"Lorem ipsum dolor sit amet. ".repeat(3 + (i * 7) % 17),
        ));
    }
    let path = write("tests", "keep.pdf", &render_pdf(&doc_with(blocks)).unwrap());
    qpdf_check(&path);
    for page in 1..=pages(&path) {
        let t = text(&path, page, page);
        let body: Vec<&str> = t
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("Exported by"))
            .collect();
        let last = body.last().unwrap();
        assert!(
            !last.starts_with("Heading"),
            "page {page} ends with a heading:\n{t}"
        );
    }
}

#[test]
fn every_block_kind_and_edge_cases_render() {
    let tall_cell = "A line of a very tall cell. ".repeat(400);
    let doc = doc_with(vec![
        Block::PageBreak,
        Block::Heading {
            level: 1,
            text: "Edge cases".into(),
        },
        Block::Paragraph { text: vec![] },
        Block::BulletList {
            items: vec![
                vec![
                    Run::bold("Bold "),
                    Run::italic("italic "),
                    Run {
                        text: "bold italic".into(),
                        bold: true,
                        italic: true,
                    },
                ],
                vec![],
                vec![Run::plain("second\nline")],
            ],
        },
        Block::KeyValue { rows: vec![] },
        Block::Notice {
            kind: NoticeKind::Info,
            text: vec![Run::plain("An info notice. ".repeat(300))],
        },
        Block::Chart(LineChart {
            title: "Empty".into(),
            y_label: "".into(),
            y_max: 0.0,
            series: vec![],
            bands: vec![],
        }),
        Block::Chart(LineChart {
            title: "One point".into(),
            y_label: "score".into(),
            y_max: f32::NAN,
            series: vec![Series {
                name: "A".into(),
                points: vec![(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 4.0)],
            }],
            bands: vec![],
        }),
        Block::Table(Table {
            columns: vec![],
            rows: vec![],
        }),
        Block::Table(Table {
            columns: vec![Column {
                title: "Tall".into(),
                width: 0.0,
                align: Align::Center,
            }],
            rows: vec![vec![vec![Run::plain(tall_cell.as_str())]], vec![]],
        }),
        Block::PageBreak,
        Block::PageBreak,
    ]);
    let (bytes, report) = render_pdf_with_report(&doc).unwrap();
    let path = write("tests", "edge.pdf", &bytes);
    qpdf_check(&path);
    assert_eq!(pages(&path), report.pages);
    let t = text(&path, 1, report.pages);
    assert!(t.contains("Bold italic bold italic"), "{t}");
    assert!(t.contains("No data"));
    // The table taller than a page is split, with its header on each page.
    let with_header = (1..=report.pages)
        .filter(|p| {
            let t = text(&path, *p, *p);
            t.contains("A line of a very tall cell") && t.contains("Tall")
        })
        .count();
    assert!(with_header >= 2, "{with_header}");
}

#[test]
fn bad_margins_are_an_error() {
    let mut doc = clinical_document(1, 10);
    doc.page.margins_mm = [25.0, 120.0, 22.0, 120.0];
    assert!(render_pdf(&doc).is_err());
    doc.page.margins_mm = [f32::NAN, 19.0, 22.0, 19.0];
    assert!(render_pdf(&doc).is_err());
}

/// Runs the independent PDF/UA + PDF/A checker (`tests/pdf_checks/check_pdf_ua.py`, pikepdf)
/// on `pdf`, reading it through its structure tree against `doc`'s logical text. Returns the
/// problems it reports, one per line.
fn checker_problems(pdf: &Path, doc: &Document, claim: &str) -> Vec<String> {
    let python = std::env::var("PYTHON_PDF_CHECK").unwrap_or_else(|_| "python3".to_owned());
    let expected = pdf.with_extension("expected.txt");
    std::fs::write(&expected, doc.reading_text()).unwrap();
    let checker =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pdf_checks/check_pdf_ua.py");
    let out = Command::new(&python)
        .arg(&checker)
        .arg(pdf)
        .args(["--expect-text", p(&expected), "--claim", claim, "--all"])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python:?} ({e}); set PYTHON_PDF_CHECK to a python with pikepdf")
        });
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "the checker could not run (status {:?}); set PYTHON_PDF_CHECK to a python with pikepdf \
         (scripts/test.sh does):\n{stdout}\n{stderr}",
        out.status.code()
    );
    stdout.lines().map(str::to_owned).collect()
}

#[test]
fn the_sample_is_tagged_archival_and_reads_in_document_order() {
    let (path, _) = &*SAMPLE;
    let inf = info(path);
    assert!(inf.contains("Tagged:          yes"), "{inf}");
    assert!(inf.contains("PDF version:     1.7"), "{inf}");
    let json = stdout("qpdf", &["--json", "--json-key=qpdf", p(path)]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let objects = json["qpdf"][1].as_object().unwrap();
    let catalog = objects
        .values()
        .find(|o| o["value"]["/Type"] == "/Catalog")
        .expect("a catalog")["value"]
        .clone();
    assert_eq!(catalog["/MarkInfo"]["/Marked"], true, "{catalog}");
    assert_eq!(catalog["/Lang"], "u:en-US", "{catalog}");
    assert_eq!(catalog["/ViewerPreferences"]["/DisplayDocTitle"], true);
    assert!(catalog["/StructTreeRoot"].is_string(), "{catalog}");
    // PDF/A-2: XMP metadata (uncompressed) and an sRGB output intent with its profile.
    assert!(catalog["/Metadata"].is_string(), "{catalog}");
    let intents = catalog["/OutputIntents"]
        .as_array()
        .expect("output intents");
    assert_eq!(intents.len(), 1);
    let xmp = stdout("qpdf", &["--show-object=trailer", p(path)]);
    assert!(xmp.contains("/ID"), "{xmp}");
    let raw = std::fs::read(path).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("%PDF-1.7\n%"), "header");
    for needle in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>U</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        "<rdf:li xml:lang=\"x-default\">Full Record — MRN-000001</rdf:li>",
        "<xmp:CreateDate>2026-11-27T10:00:00+00:00</xmp:CreateDate>",
        "/S/GTS_PDFA1/OutputConditionIdentifier(sRGB IEC61966-2.1)",
    ] {
        assert!(raw.contains(needle), "no {needle}");
    }
    for page in objects.values().filter(|o| o["value"]["/Type"] == "/Page") {
        assert_eq!(page["value"]["/Tabs"], "/S");
        assert!(page["value"]["/StructParents"].is_number());
    }
    let problems = checker_problems(path, &clinical_document(200, 400), "2u");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn right_to_left_text_reads_in_logical_order_through_the_tree() {
    // Drawn in visual order; each element with right-to-left runs carries its logical text.
    let doc = doc_with(vec![
        Block::Heading {
            level: 1,
            text: "מרים כהן — רשומה".into(),
        },
        para("Referred by Dr. مريم الحسيني on 3 March; she said שלום עליכם twice."),
        Block::Table(Table {
            columns: vec![
                Column {
                    title: "Name".into(),
                    width: 1.0,
                    align: Align::Left,
                },
                Column {
                    title: "Note".into(),
                    width: 2.0,
                    align: Align::Left,
                },
            ],
            rows: vec![vec![
                vec![Run::plain("يوسف")],
                vec![Run::plain("Prefers Arabic: العربية, then English.")],
            ]],
        }),
    ]);
    let path = write("tests", "rtl.pdf", &render_pdf(&doc).unwrap());
    qpdf_check(&path);
    let problems = checker_problems(&path, &doc, "2u");
    assert!(problems.is_empty(), "{problems:#?}");
}
