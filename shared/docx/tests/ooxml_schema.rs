//! Every part of every DOCX we render is valid WordprocessingML, as an independent validator
//! judges it: the Open XML SDK's validator (the .NET SDK compiled to WebAssembly, npm package
//! `@ooxml-tools/validate`, pinned in `tests/ooxml-validator/package-lock.json`), which checks
//! each part against the SDK's schemas for ECMA-376 / ISO/IEC 29500 transitional (child order,
//! declared attributes, value types) and the Office extensions, as Office 2007 and as Microsoft
//! 365 read them. Word refuses or "repairs" files that break these rules, where LibreOffice is
//! lenient, so LibreOffice opening a file proves little.
//!
//! Why not `xmllint --schema wml.xsd`: no package on the registries this project installs from
//! (Debian, PyPI, npm, crates.io) ships the ECMA-376 XSD files; the SDK's schema data is the
//! installable equivalent.
//!
//! `scripts/test.sh` installs the validator (`npm ci` in `tests/ooxml-validator`); run by hand,
//! the test says how when it is missing. Node.js 20 or later is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use exports_core::export::ExportType;
use exports_document_model::{Block, Document, NoticeKind, Run, sample::clinical_document};
use exports_documents::{DocumentLayout, build_document, samples};
use exports_synthetic::{DemoParams, generate};

fn validator_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ooxml-validator")
}

/// The documents the validator sees: the renderer's sample with every block kind, the demo
/// practice's four export types, right-to-left and complex-script text, and edge cases.
fn documents() -> Vec<(String, Document)> {
    let mut docs = Vec::new();

    let mut sample = clinical_document(3, 80);
    sample.blocks.push(Block::PageBreak);
    sample.blocks.push(Block::Notice {
        kind: NoticeKind::Info,
        text: vec![Run::plain("Info notice.")],
    });
    sample.blocks.push(Block::Paragraph {
        text: vec![
            Run::bold("Patient: "),
            Run::plain("فاطمة الزهراء (MRN-000009)"),
        ],
    });
    sample.blocks.push(Block::Paragraph {
        text: vec![Run::bold("נועה כהן"), Run::italic(" אנונימי")],
    });
    sample.blocks.push(Block::BulletList {
        items: vec![
            vec![Run::plain("अनन्या शर्मा")],
            vec![Run::plain("สมชาย ใจดี")],
            vec![Run::bold("王芳")],
        ],
    });
    sample.header.identity = Some("فاطمة الزهراء (MRN-000009)".into());
    docs.push(("sample".to_owned(), sample));

    let data = generate(&DemoParams::default());
    for export_type in ExportType::ALL {
        let report = samples::report_for(&data, 0, *export_type, None);
        let doc = build_document(&report, &DocumentLayout::default())
            .unwrap_or_else(|e| panic!("{export_type:?}: {e}"));
        docs.push((export_type.as_str().to_owned(), doc));
    }

    let mut empty = clinical_document(1, 10);
    empty.blocks.clear();
    empty.header.title.clear();
    empty.header.lines.clear();
    empty.header.confidentiality.clear();
    empty.header.identity = None;
    empty.footer.watermark.clear();
    empty.footer.page_numbers = false;
    docs.push(("empty".to_owned(), empty));
    docs
}

#[test]
fn every_part_is_schema_valid() {
    let dir = validator_dir();
    assert!(
        dir.join("node_modules/@ooxml-tools/validate").is_dir(),
        "the DOCX validator is not installed: run `npm ci` in {} (scripts/test.sh does)",
        dir.display()
    );

    let out_dir = std::env::temp_dir().join(format!("exports-docx-schema-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("temp dir");
    let mut files = Vec::new();
    for (name, doc) in documents() {
        let bytes = exports_docx::render_docx(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = out_dir.join(format!("{name}.docx"));
        std::fs::write(&path, bytes).expect("write docx");
        files.push(path);
    }

    let out = run_validator(&dir, &files);
    let _ = std::fs::remove_dir_all(&out_dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schema violations (or the validator failed):\n{}{}",
        truncate(&stdout, 20_000),
        String::from_utf8_lossy(&out.stderr)
    );
    // The validator ran on every file (a silent no-op must not pass).
    for file in &files {
        assert!(
            stdout.contains(&format!("{}: 0 error(s)", file.display())),
            "no verdict for {}:\n{stdout}",
            file.display()
        );
    }
}

/// The validator must find what it is here to find: a DOCX with a `w:pPr` out of order fails.
#[test]
fn the_validator_rejects_a_known_violation() {
    let dir = validator_dir();
    assert!(
        dir.join("node_modules/@ooxml-tools/validate").is_dir(),
        "the DOCX validator is not installed: run `npm ci` in {} (scripts/test.sh does)",
        dir.display()
    );
    let good = exports_docx::render_docx(&clinical_document(1, 10)).expect("render");
    let bad = rewrite_part(&good, "word/document.xml", |xml| {
        // `w:jc` must come after `w:pStyle` in `w:pPr`.
        xml.replacen(
            "<w:pPr><w:pStyle w:val=\"Heading1\" />",
            "<w:pPr><w:jc w:val=\"center\" /><w:pStyle w:val=\"Heading1\" />",
            1,
        )
    });
    let out_dir = std::env::temp_dir().join(format!("exports-docx-bad-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("temp dir");
    let path = out_dir.join("bad.docx");
    std::fs::write(&path, bad).expect("write docx");
    let out = run_validator(&dir, std::slice::from_ref(&path));
    let _ = std::fs::remove_dir_all(&out_dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("pStyle"), "{stdout}");
}

fn run_validator(dir: &Path, files: &[PathBuf]) -> std::process::Output {
    Command::new("node")
        .current_dir(dir)
        .arg("validate.mjs")
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}); Node.js 20 or later is needed"))
}

/// The package with one part's text replaced (which must change it).
fn rewrite_part(docx: &[u8], name: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("entry");
        let entry = file.name().to_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("read entry");
        if entry == name {
            let text = std::str::from_utf8(&bytes).expect("utf-8");
            let changed = f(text);
            assert_ne!(changed, text, "{name} was not changed");
            bytes = changed.into_bytes();
        }
        out.start_file(entry, zip::write::SimpleFileOptions::default())
            .expect("start entry");
        out.write_all(&bytes).expect("write entry");
    }
    out.finish().expect("finish zip").into_inner()
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}
