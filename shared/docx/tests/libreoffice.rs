//! What a reader sees: LibreOffice lays the demo practice's DOCX files out (converts them to
//! PDF), and pdftotext reads every page. Whose record it is must be on every page, and table
//! columns must be wide enough that no word breaks inside ("Discontinued" in the goals table,
//! "Person-centered" in the sessions table).
//!
//! Needs `libreoffice` (Debian `libreoffice-writer-nogui`) and `pdftotext`/`pdfinfo` (Debian
//! `poppler-utils`); `scripts/test.sh` installs them. The test fails, saying so, when they are
//! missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use exports_core::export::ExportType;
use exports_documents::{DocumentLayout, build_document, samples};
use exports_synthetic::{DemoParams, generate};

const IDENTITY: &str = "Zoë Adebayo-Hart (MRN-000001)";

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("--version").output();
    assert!(
        probe.is_ok(),
        "{name} is not installed: apt-get install libreoffice-writer-nogui poppler-utils \
         (scripts/test.sh does)"
    );
    Command::new(name)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of each page of a PDF.
fn pages(pdf: &Path) -> Vec<String> {
    let info = run(tool("pdfinfo").arg(pdf));
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    (1..=count)
        .map(|p| {
            let p = p.to_string();
            run(tool("pdftotext")
                .args(["-f", &p, "-l", &p])
                .arg(pdf)
                .arg("-"))
        })
        .collect()
}

/// Every occurrence of `head` (the start of `word`) in `text` continues as `word` on the same
/// line; and the word occurs at all.
fn never_broken(text: &str, word: &str, head: &str, what: &str) {
    let mut found = 0;
    for (at, _) in text.match_indices(head) {
        let rest = &text[at..];
        assert!(
            rest.starts_with(word),
            "{what}: {word:?} is broken: {:?}",
            &rest[..rest.len().min(40)]
        );
        found += 1;
    }
    assert!(found > 0, "{what}: {word:?} does not occur");
}

#[test]
fn identity_on_every_page_and_words_unbroken_in_libreoffice() {
    let soffice = if Command::new("soffice").arg("--version").output().is_ok() {
        "soffice"
    } else {
        "libreoffice"
    };
    let dir = std::env::temp_dir().join(format!("exports-docx-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let data = generate(&DemoParams::default());
    let mut files: Vec<PathBuf> = Vec::new();
    for export_type in [ExportType::FullRecord, ExportType::TreatmentSummary] {
        let report = samples::report_for(&data, 0, export_type, None);
        let doc = build_document(&report, &DocumentLayout::default()).expect("document");
        assert_eq!(doc.header.identity.as_deref(), Some(IDENTITY));
        let path = dir.join(format!("{}.docx", export_type.as_str()));
        std::fs::write(&path, exports_docx::render_docx(&doc).expect("render")).expect("write");
        files.push(path);
    }

    // A profile of its own, so a LibreOffice the developer has open does not take the job.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    run(tool(soffice)
        .arg(&profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .args(&files));

    let mut all = String::new();
    for file in &files {
        let pdf = file.with_extension("pdf");
        let pages = pages(&pdf);
        assert!(!pages.is_empty(), "{}: no pages", pdf.display());
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.contains(IDENTITY),
                "{} page {}: no identity in {page}",
                pdf.display(),
                i + 1
            );
        }
        all.push_str(&pages.concat());
    }
    // The full record spans many pages (the identity is checked on each).
    assert!(all.matches(IDENTITY).count() > 10);
    let _ = std::fs::remove_dir_all(&dir);

    never_broken(&all, "Discontinued", "Discontinue", "goals table");
    never_broken(&all, "Person-centered", "Person-", "sessions table");
}
