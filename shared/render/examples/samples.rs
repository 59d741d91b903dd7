//! Renders the sample exports documented in `docs/samples/` (run by `scripts/samples.sh`, which
//! turns pages into PNGs):
//!
//! - every export type of the demo practice's first patient (`seed-demo` defaults), as PDF and
//!   DOCX: `{export_type}.pdf`, `{export_type}.docx`;
//! - the session notes of each of the nine patients of the multilingual sample practice
//!   (`seed-demo --multilingual`), one per script: `scripts/{nn}-{script}.pdf` and `.docx`.
//!
//! ```sh
//! cargo run --release -p exports-render --example samples -- --out /tmp/samples
//! ```

use std::path::{Path, PathBuf};

use exports_core::export::{ExportFormat, ExportType};
use exports_core::ports::FileRenderer;
use exports_core::template::DocumentLayout;
use exports_documents::samples::report_for;
use exports_render::AllFormats;
use exports_synthetic::multilingual::{SCRIPT_PATIENTS, multilingual_practice};
use exports_synthetic::{DemoParams, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .ok_or("usage: samples --out DIR")?;
    std::fs::create_dir_all(out.join("scripts"))?;
    let layout = DocumentLayout::default();

    let demo = generate(&DemoParams::default());
    for &export_type in ExportType::ALL {
        let report = report_for(&demo, 0, export_type, None);
        for format in [ExportFormat::Pdf, ExportFormat::Docx] {
            let file = AllFormats.render_file(&report, format, &layout)?;
            write(&out.join(format!("{export_type}.{format}")), &file.bytes)?;
        }
    }

    let multilingual = multilingual_practice(&DemoParams {
        patients: SCRIPT_PATIENTS.len(),
        sessions_per_patient: 4,
        words_per_note: 60,
        ..DemoParams::default()
    });
    for (i, who) in SCRIPT_PATIENTS.iter().enumerate() {
        let report = report_for(&multilingual, i, ExportType::SessionNotes, None);
        let slug: String = who
            .script
            .split(' ')
            .next()
            .unwrap_or("script")
            .to_lowercase();
        for format in [ExportFormat::Pdf, ExportFormat::Docx] {
            let file = AllFormats.render_file(&report, format, &layout)?;
            if file.unsupported_characters > 0 {
                eprintln!(
                    "{}: {} characters drawn as placeholders",
                    who.script, file.unsupported_characters
                );
            }
            let name = format!("{:02}-{slug}.{format}", i + 1);
            write(&out.join("scripts").join(name), &file.bytes)?;
        }
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)?;
    println!("{} ({} bytes)", path.display(), bytes.len());
    Ok(())
}
