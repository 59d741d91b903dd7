//! Every script a practice meets renders and extracts: names in nine scripts plus emoji in
//! paragraphs, table cells and header lines come back from `pdftotext` as the logical text,
//! the fonts are embedded and subsetted, right-to-left text is set right to left and aligned
//! right, Arabic is joined, bold CJK is emboldened, and a character no font has is counted.
//! Checked with poppler's and qpdf's command-line tools (`apt-get install -y qpdf
//! poppler-utils`).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use exports_document_model::sample::clinical_document;
use exports_document_model::{Align, Block, Column, Document, Run, Table};
use exports_pdf::{render_pdf, render_pdf_with_report};

mod common;
use common::{p, para, qpdf_check, run, stdout, write};

/// `pdftotext` of the whole file (reading order, not `-layout`: right-to-left lines come back
/// in logical order either way, but without the column padding).
fn text(path: &Path) -> String {
    stdout("pdftotext", &[p(path), "-"])
}

/// The names of the issue, one per script, and an emoji.
const NAMES: [&str; 9] = [
    "Nguyễn Thị Hương",
    "Γιώργος Παπαδόπουλος",
    "王芳",
    "김민준",
    "佐藤花子",
    "فاطمة الزهراء",
    "נועה כהן",
    "अनन्या शर्मा",
    "สมชาย ใจดี",
];
const EMOJI: &str = "🙂";

/// A document with every name in a header line, a paragraph of its own, a table cell, a mixed
/// line, and a bold run.
fn all_scripts() -> Document {
    let mut doc = clinical_document(1, 10);
    doc.header.lines = NAMES.iter().map(|n| format!("Clinician: {n}")).collect();
    let mut blocks = vec![Block::Heading {
        level: 1,
        text: "Scripts".into(),
    }];
    for name in NAMES {
        blocks.push(para(name));
    }
    blocks.push(para(&format!("Note: feeling better today {EMOJI} thanks")));
    blocks.push(Block::Table(Table {
        columns: vec![
            Column {
                title: "Patient".into(),
                width: 2.0,
                align: Align::Left,
            },
            Column {
                title: "Status".into(),
                width: 1.0,
                align: Align::Left,
            },
        ],
        rows: NAMES
            .iter()
            .map(|n| vec![vec![Run::plain(*n)], vec![Run::plain("active")]])
            .collect(),
    }));
    doc.blocks = blocks;
    doc
}

static ALL: LazyLock<(PathBuf, usize)> = LazyLock::new(|| {
    let (bytes, report) = render_pdf_with_report(&all_scripts()).expect("renders");
    (
        write("scripts", "all-scripts.pdf", &bytes),
        report.missing_glyphs,
    )
});

/// Drops the directional embedding marks (U+202A–202E) pdftotext puts around right-to-left
/// stretches.
fn plain(t: &str) -> String {
    t.chars()
        .filter(|c| !('\u{202A}'..='\u{202E}').contains(c))
        .collect()
}

/// The file with its streams uncompressed (content streams, to look for operators).
fn uncompressed(path: &Path) -> String {
    let out = path.with_extension("qdf.pdf");
    let status = run(
        "qpdf",
        &["--qdf", "--object-streams=disable", p(path), p(&out)],
    );
    assert!(status.status.success(), "qpdf --qdf failed");
    String::from_utf8_lossy(&std::fs::read(out).unwrap()).into_owned()
}

/// `pdftotext -bbox` words of page 1: (text as stored, in visual order, xMin, xMax, yMax).
fn words(path: &Path) -> Vec<(String, f32, f32, f32)> {
    let html = stdout("pdftotext", &["-bbox", "-f", "1", "-l", "1", p(path), "-"]);
    let attr = |line: &str, name: &str| -> f32 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|l| {
            let text = &l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()];
            (
                text.to_owned(),
                attr(l, "xMin"),
                attr(l, "xMax"),
                attr(l, "yMax"),
            )
        })
        .collect()
}

/// The word whose logical text is `logical` (`-bbox` gives right-to-left words as drawn, that
/// is reversed).
fn word<'w>(words: &'w [(String, f32, f32, f32)], logical: &str) -> &'w (String, f32, f32, f32) {
    let reversed: String = logical.chars().rev().collect();
    words
        .iter()
        .find(|w| w.0 == logical || w.0 == reversed)
        .unwrap_or_else(|| panic!("no word {logical} in {words:?}"))
}

#[test]
fn names_in_nine_scripts_and_emoji_extract_from_header_paragraphs_and_cells() {
    let (path, missing) = &*ALL;
    assert_eq!(*missing, 0);
    qpdf_check(path);
    let t = plain(&text(path));
    for name in NAMES {
        let n = t.matches(name).count();
        // A header line, a paragraph, a table cell.
        assert_eq!(n, 3, "{name} found {n} times in:\n{t}");
    }
    assert!(t.contains("Note: feeling better today 🙂 thanks"), "{t}");
    assert!(!t.contains('\u{FFFD}'), "{t}");
}

#[test]
fn every_face_is_embedded_subsetted_and_mapped_to_unicode() {
    let (path, _) = &*ALL;
    let fonts = stdout("pdffonts", &[p(path)]);
    for face in [
        "DejaVuSans",
        "WenQuanYiMicroHei",
        "NotoSansArabic-Regular",
        "NotoSansHebrew-Regular",
        "NotoSansDevanagari-Regular",
        "NotoSansThai-Regular",
        "Symbola",
    ] {
        assert!(
            fonts.contains(&format!("+{face} ")),
            "{face} missing:\n{fonts}"
        );
    }
    for line in fonts.lines().skip(2) {
        assert!(
            line.contains("CID TrueType      Identity-H       yes yes yes"),
            "embedded, subset, ToUnicode: {line}"
        );
        let tag = line.split('+').next().unwrap();
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
            "{line}"
        );
    }
    // Subsets: the whole document is far smaller than one of its fonts.
    let size = std::fs::metadata(path).unwrap().len();
    assert!(size < 120_000, "{size} bytes");
}

#[test]
fn output_is_deterministic() {
    let doc = all_scripts();
    assert_eq!(render_pdf(&doc).unwrap(), render_pdf(&doc).unwrap());
}

#[test]
fn shaped_scripts_come_back_whole() {
    // Conjuncts, a vowel sign drawn before its consonant, a reph; Thai tone marks stacked on
    // vowels; Arabic marks and the lam-alef ligature; Hebrew points.
    let lines = [
        "किताब हिंदी क्षत्रिय द्वितीय शर्मा",
        "ผู้ป่วยรู้สึกดีขึ้นมาก น้ำ ที่นี่",
        "بِسْمِ اللَّهِ لا إله",
        "שָׁלוֹם",
    ];
    let mut doc = clinical_document(1, 10);
    doc.blocks = lines.iter().map(|l| para(l)).collect();
    let (bytes, report) = render_pdf_with_report(&doc).unwrap();
    assert_eq!(report.missing_glyphs, 0);
    let path = write("scripts", "shaped.pdf", &bytes);
    qpdf_check(&path);
    let t = plain(&text(&path));
    for line in lines {
        assert!(t.contains(line), "{line} missing from:\n{t}");
    }
}

#[test]
fn a_character_no_font_has_is_counted_and_drawn_visibly() {
    let mut doc = clinical_document(1, 10);
    // An Egyptian hieroglyph and Ethiopic (no embedded font covers either).
    doc.blocks = vec![para("Glyph: 𓀀 and ሰላም end")];
    let (bytes, report) = render_pdf_with_report(&doc).unwrap();
    assert_eq!(report.missing_glyphs, 4);
    let path = write("scripts", "missing.pdf", &bytes);
    let t = text(&path);
    assert!(
        t.contains("Glyph: \u{FFFD} and \u{FFFD}\u{FFFD}\u{FFFD} end"),
        "the placeholders must be visible:\n{t}"
    );
}

#[test]
fn emoji_sequences_count_nothing_missing() {
    let mut doc = clinical_document(1, 10);
    // Skin tone, variation selector, ZWJ family, flag, keycap.
    doc.blocks = vec![para("Mood: 👍🏽 ❤️ 👨‍👩‍👧 🇺🇸 1️⃣ 🙂")];
    let (bytes, report) = render_pdf_with_report(&doc).unwrap();
    assert_eq!(report.missing_glyphs, 0);
    let t = text(&write("scripts", "emoji.pdf", &bytes));
    assert!(t.contains("Mood: 👍 ❤ 👨👩👧 🇺🇸 1⃣ 🙂"), "{t}");
}

#[test]
fn bold_cjk_is_emboldened_regular_cjk_is_not() {
    let render = |name: &str, run: Run| {
        let mut doc = clinical_document(1, 10);
        doc.blocks = vec![Block::Paragraph { text: vec![run] }];
        let path = write("scripts", name, &render_pdf(&doc).unwrap());
        (text(&path), uncompressed(&path))
    };
    let (t, bold) = render("cjk-bold.pdf", Run::bold("王芳 김민준"));
    assert!(t.contains("王芳 김민준"), "{t}");
    // Fill and stroke (mode 2) with a stroke of size / 30 in the text colour, then back to
    // plain fill for the (bold DejaVu) space.
    let cjk = bold.find("/F5 9.5 Tf").expect("the CJK face is set");
    let after = &bold[cjk..];
    let mode2 = after.find("2 Tr").expect("render mode 2");
    assert!(after[..mode2].contains("0.32 w"), "{:.300}", after);
    assert!(after[mode2..].contains("0 Tr"), "{:.300}", after);
    let (_, regular) = render("cjk.pdf", Run::plain("王芳 김민준"));
    assert!(regular.contains("/F5 9.5 Tf") && !regular.contains("2 Tr"));
}

#[test]
fn arabic_is_joined() {
    // Three beh: initial, medial and final forms, three glyphs that each stand for U+0628 in
    // the font's /ToUnicode (one glyph, the isolated form, if the letters were not joined).
    let mut doc = clinical_document(1, 10);
    doc.blocks = vec![para("ببب")];
    let path = write("scripts", "beh.pdf", &render_pdf(&doc).unwrap());
    let beh = uncompressed(&path).matches("> <0628>\n").count();
    assert_eq!(beh, 3, "three glyphs map to beh");
    assert!(plain(&text(&path)).contains("ببب"));
}

#[test]
fn right_to_left_paragraphs_align_right() {
    let mut doc = clinical_document(1, 10);
    doc.blocks = vec![
        para("Nguyễn"),
        para("فاطمة"),
        para("נועה"),
        Block::BulletList {
            items: vec![vec![Run::plain("سارة")], vec![Run::plain("Sarah")]],
        },
    ];
    let path = write("scripts", "align.pdf", &render_pdf(&doc).unwrap());
    let w = words(&path);
    // The bullet of a right-to-left item is on its right, that of a left-to-right one on its
    // left.
    let bullet = |item: &(String, f32, f32, f32)| {
        w.iter()
            .find(|b| b.0 == "•" && (b.3 - item.3).abs() < 5.0)
            .unwrap_or_else(|| panic!("no bullet on the line of {item:?}: {w:?}"))
    };
    let sara = word(&w, "سارة");
    let sarah = word(&w, "Sarah");
    assert!(bullet(sara).1 > sara.2, "{:?} {sara:?}", bullet(sara));
    assert!(bullet(sarah).2 < sarah.1, "{:?} {sarah:?}", bullet(sarah));
    let latin = word(&w, "Nguyễn");
    let arabic = word(&w, "فاطمة");
    let hebrew = word(&w, "נועה");
    // The right margin: 0.75 in on a 612 pt letter page (the sample's margins).
    let right = 612.0 - doc.page.margins_mm[1] * 72.0 / 25.4;
    for rtl in [arabic, hebrew] {
        assert!(rtl.1 > latin.1 + 300.0, "{rtl:?} vs {latin:?}");
        assert!(
            (rtl.2 - right).abs() < 1.0,
            "{rtl:?} ends at the right margin {right}"
        );
    }
}

#[test]
fn mixed_direction_lines_are_in_visual_order() {
    let mut doc = clinical_document(1, 10);
    doc.blocks = vec![
        para("Patient: فاطمة الزهراء (MRN 100234)"),
        para("المريضة فاطمة، العمر 42 سنة، تتناول Sertraline يومياً."),
    ];
    let path = write("scripts", "mixed.pdf", &render_pdf(&doc).unwrap());
    let w = words(&path);
    let x = |logical: &str| word(&w, logical).1;
    // Left to right: the Latin start, the Arabic name right to left (its first word on the
    // right), then the MRN.
    assert!(x("Patient:") < x("الزهراء"));
    assert!(x("الزهراء") < x("فاطمة"));
    assert!(x("فاطمة") < x("(MRN"));
    // An Arabic paragraph: right to left, the number and the Latin word left to right inside.
    let y = word(&w, "Sertraline").3;
    let on_line = |logical: &str| {
        let reversed: String = logical.chars().rev().collect();
        w.iter()
            .find(|w| (w.0 == logical || w.0 == reversed) && (w.3 - y).abs() < 5.0)
            .unwrap_or_else(|| panic!("{logical} not on the line of Sertraline"))
            .1
    };
    assert!(on_line("يومياً") < on_line("Sertraline"));
    assert!(on_line("Sertraline") < on_line("تتناول"));
    assert!(on_line("تتناول") < on_line("سنة،"));
    assert!(on_line("سنة،") < on_line("42"));
    assert!(on_line("42") < on_line("العمر"));
    assert!(on_line("العمر") < on_line("المريضة"));
    // The page is mostly left to right, so poppler reads each right-to-left stretch in
    // logical order but the stretches of the mixed line left to right.
    let t = plain(&text(&path));
    assert!(t.contains("فاطمة الزهراء"), "{t}");
}

#[test]
fn a_right_to_left_page_extracts_in_logical_order() {
    // Poppler takes a page's direction from its letters: here the page is Arabic, and whole
    // lines come back in logical order, numbers and Latin words in place (on a mostly Latin
    // page it reads each right-to-left stretch in logical order, the stretches left to right).
    let mut doc = clinical_document(1, 10);
    doc.header.confidentiality = "سري".into();
    doc.header.title = "عيادة البحيرة".into();
    doc.header.lines = vec![];
    doc.footer.text = None;
    doc.footer.watermark = String::new();
    doc.footer.page_numbers = false;
    let lines = [
        "المريضة فاطمة، العمر 42 سنة، تتناول Sertraline يومياً.",
        "שָׁלוֹם (הערה) 123",
        "ملاحظة: المريضة فاطمة الزهراء تشعر بتحسن.",
    ];
    doc.blocks = lines.iter().map(|l| para(l)).collect();
    let path = write("scripts", "arabic-page.pdf", &render_pdf(&doc).unwrap());
    // Poppler marks the left-to-right stretches with embeddings and puts the spaces next to
    // them inside; the characters themselves are in logical order.
    let letters = |t: &str| -> String { plain(t).chars().filter(|c| !c.is_whitespace()).collect() };
    let t = letters(&text(&path));
    for line in lines {
        assert!(t.contains(&letters(line)), "{line} missing from:\n{t}");
    }
}

#[test]
fn thai_without_spaces_wraps_between_clusters() {
    // Longer than the line: broken between grapheme clusters (no spaces to break at), and the
    // lines read back as the text.
    let thai = "ผู้ป่วยรู้สึกดีขึ้นมากหลังจากการบำบัดครั้งที่สามและนอนหลับได้ดีขึ้น".repeat(3);
    let mut doc = clinical_document(1, 10);
    doc.blocks = vec![para(&thai)];
    let (bytes, report) = render_pdf_with_report(&doc).unwrap();
    assert_eq!(report.missing_glyphs, 0);
    let path = write("scripts", "thai-wrap.pdf", &bytes);
    let w = words(&path);
    let pieces: Vec<&str> = w
        .iter()
        .filter(|w| w.0.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)))
        .map(|w| w.0.as_str())
        .collect();
    assert!(pieces.len() >= 2, "wrapped: {pieces:?}");
    assert_eq!(pieces.concat(), thai);
    // No line starts with a vowel sign or tone mark cut off its consonant.
    for piece in &pieces {
        let first = piece.chars().next().unwrap();
        assert!(
            !matches!(first, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}'),
            "{pieces:?}"
        );
    }
}
