//! Independent readers of exported files: qpdf and poppler for PDF, python-docx for DOCX.

use std::process::Command;

fn temp_file(bytes: &[u8], ext: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("export-{}.{ext}", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what} could not run ({e}); scripts/test.sh installs it (apt-get install qpdf poppler-utils, pip install python-docx)")
    });
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A checked PDF: `qpdf --check` passes; its page count (pdfinfo) and text in reading order
/// (`pdftotext -layout`).
pub fn pdf(bytes: &[u8]) -> (usize, String) {
    let path = temp_file(bytes, "pdf");
    run(
        Command::new("qpdf").arg("--check").arg(&path),
        "qpdf --check",
    );
    let info = run(Command::new("pdfinfo").arg(&path), "pdfinfo");
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    let text = run(
        Command::new("pdftotext").arg("-layout").arg(&path).arg("-"),
        "pdftotext",
    );
    let _ = std::fs::remove_file(path);
    (pages, text)
}

/// Everything python-docx reads from a DOCX: paragraphs with their style names, table cells,
/// header and footer text, as lines.
pub fn docx(bytes: &[u8]) -> String {
    let path = temp_file(bytes, "docx");
    let python = std::env::var("PYTHON_DOCX").unwrap_or_else(|_| "python3".into());
    let script = r#"
import sys, docx
d = docx.Document(sys.argv[1])
for p in d.paragraphs:
    print(f"[{p.style.name}] {p.text}")
for t in d.tables:
    for r in t.rows:
        print("| " + " | ".join(c.text for c in r.cells))
s = d.sections[0]
print("HEADER: " + " / ".join(p.text for p in s.header.paragraphs))
print("FOOTER: " + " / ".join(p.text for p in s.footer.paragraphs))
print("TITLE: " + (d.core_properties.title or ""))
"#;
    let text = run(
        Command::new(python).arg("-c").arg(script).arg(&path),
        "python-docx",
    );
    let _ = std::fs::remove_file(path);
    text
}
