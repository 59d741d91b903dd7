//! Reads the rendered sample back with an independent reader, python-docx (tests/check_docx.py).
//!
//! The interpreter is `$PYTHON_DOCX` (a python that has python-docx) or else `python3`. The test
//! fails, saying how to install it, when python-docx cannot be imported.

use std::path::PathBuf;
use std::process::Command;

use exports_document_model::{Block, NoticeKind, Run, sample::clinical_document};

#[test]
fn python_docx_reads_the_sample() {
    let python = std::env::var("PYTHON_DOCX").unwrap_or_else(|_| "python3".to_owned());
    let probe = Command::new(&python)
        .args(["-c", "import docx"])
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {python:?} ({e}); set PYTHON_DOCX to a python with python-docx")
        });
    assert!(
        probe.status.success(),
        "python-docx is not importable by {python:?}: pip install python-docx \
         (or set PYTHON_DOCX to a python interpreter that has it)\n{}",
        String::from_utf8_lossy(&probe.stderr)
    );

    let mut doc = clinical_document(200, 400);
    doc.blocks.push(Block::PageBreak);
    doc.blocks.push(Block::Notice {
        kind: NoticeKind::Info,
        text: vec![Run::plain("Info notice.")],
    });
    // Right-to-left and complex scripts, each its own bold paragraph (check_docx.py SCRIPTS).
    for text in [
        "فاطمة الزهراء",
        "נועה כהן",
        "अनन्या शर्मा",
        "สมชาย ใจดี",
        "王芳",
        "Patient: فاطمة الزهراء (MRN-000009)",
    ] {
        doc.blocks.push(Block::Paragraph {
            text: vec![Run::bold(text)],
        });
    }
    let bytes = exports_docx::render_docx(&doc).expect("render");

    let dir = std::env::temp_dir().join(format!("exports-docx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.docx");
    std::fs::write(&path, &bytes).unwrap();

    let script = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .join("tests/check_docx.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&path)
        .output()
        .expect("run check_docx.py");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "check_docx.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
