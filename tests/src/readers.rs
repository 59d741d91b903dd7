//! Independent readers of exported files: qpdf and poppler for PDF, python-docx for DOCX,
//! Python's `email` package for MIME.

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

/// `pdfinfo`'s report (page size, producer, …).
pub fn pdf_info(bytes: &[u8]) -> String {
    let path = temp_file(bytes, "pdf");
    let info = run(Command::new("pdfinfo").arg(&path), "pdfinfo");
    let _ = std::fs::remove_file(path);
    info
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

/// An email as Python's `email` package (an independent MIME parser) reads it.
#[derive(Debug, Clone)]
pub struct ParsedEmail {
    pub from: String,
    pub to: String,
    pub subject: String,
    /// Content types of every part, in walk order (`multipart/mixed`, `text/plain`, …).
    pub structure: Vec<String>,
    pub text: String,
    pub html: String,
    /// File name, content type and decoded bytes of each attachment.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

/// Parses a raw MIME message with Python's `email` package.
pub fn email(raw: &[u8]) -> ParsedEmail {
    let path = temp_file(raw, "eml");
    let script = r#"
import sys, json, email
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
out = {"from": str(m["From"]), "to": str(m["To"]), "subject": str(m["Subject"]),
       "structure": [], "text": "", "html": "", "attachments": []}
for p in m.walk():
    ct = p.get_content_type()
    out["structure"].append(ct)
    if p.get_content_disposition() == "attachment":
        out["attachments"].append([p.get_filename(), ct, p.get_payload(decode=True).hex()])
    elif ct == "text/plain":
        out["text"] += p.get_content()
    elif ct == "text/html":
        out["html"] += p.get_content()
print(json.dumps(out))
"#;
    let text = run(
        Command::new("python3").arg("-c").arg(script).arg(&path),
        "python3 email",
    );
    let _ = std::fs::remove_file(path);
    let v: serde_json::Value = serde_json::from_str(&text).expect("parser output");
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let hex = |h: &str| -> Vec<u8> {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
            .collect()
    };
    ParsedEmail {
        from: s("from"),
        to: s("to"),
        subject: s("subject"),
        structure: v["structure"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        text: s("text"),
        html: s("html"),
        attachments: v["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a[0].as_str().unwrap_or_default().to_string(),
                    a[1].as_str().unwrap_or_default().to_string(),
                    hex(a[2].as_str().unwrap_or_default()),
                )
            })
            .collect(),
    }
}
