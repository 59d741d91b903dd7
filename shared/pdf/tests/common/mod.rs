//! What the PDF tests share: running poppler's and qpdf's command-line tools (`apt-get install
//! -y qpdf poppler-utils`; CI installs them), writing rendered files to a per-process folder,
//! and small document builders.

#![allow(dead_code)] // each test binary uses its own part of these

use std::path::{Path, PathBuf};
use std::process::Command;

use exports_document_model::{Block, Run};

pub fn run(tool: &str, args: &[&str]) -> std::process::Output {
    match Command::new(tool).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{tool}` is not installed; these tests need it: apt-get install -y qpdf poppler-utils"
        ),
        Err(e) => panic!("running {tool}: {e}"),
    }
}

pub fn stdout(tool: &str, args: &[&str]) -> String {
    let out = run(tool, args);
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Writes `bytes` as `name` in this test binary's folder (`exports-pdf-{suite}-{pid}`).
pub fn write(suite: &str, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exports-pdf-{suite}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

pub fn qpdf_check(path: &Path) {
    let out = run("qpdf", &["--check", p(path)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No syntax or stream encoding errors"),
        "qpdf --check {}:\n{text}\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn para(s: &str) -> Block {
    Block::Paragraph {
        text: vec![Run::plain(s)],
    }
}
