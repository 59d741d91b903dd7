//! Render time of the DOCX renderer on documents of several sizes, on one core.
//!
//! `cargo run --release -p exports-docx --example docx_bench [OUT.docx]`
//! prints `work | bytes | median ms` (wall clock, 21 renders each after a warm-up) and, on Linux,
//! the median CPU time of the rendering thread (`/proc/thread-self/schedstat`), which other
//! processes on a busy machine do not inflate. With an argument it also writes the full-record
//! DOCX there. Rendering is single-threaded; `taskset -c 0` pins it to one core.

use std::time::Instant;

use exports_document_model::sample::clinical_document;

fn main() {
    let works: [(&str, usize, usize); 4] = [
        ("session note (1 × 300 words)", 1, 300),
        ("progress report (12 × 300 words)", 12, 300),
        ("treatment summary (50 × 400 words)", 50, 400),
        ("full record (200 × 400 words)", 200, 400),
    ];
    println!("| work | bytes | median ms | median CPU ms |");
    println!("|---|---:|---:|---:|");
    for (name, sessions, words) in works {
        let doc = clinical_document(sessions, words);
        // Warm up, and check determinism while at it.
        let first = exports_docx::render_docx(&doc).expect("render");
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut bytes = 0;
        for _ in 0..21 {
            let cpu_start = thread_cpu_ns();
            let start = Instant::now();
            let out = exports_docx::render_docx(&doc).expect("render");
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            if let (Some(a), Some(b)) = (cpu_start, thread_cpu_ns()) {
                cpu.push((b - a) as f64 / 1e6);
            }
            assert_eq!(out, first, "rendering is not deterministic");
            bytes = out.len();
        }
        times.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let cpu = cpu
            .get(cpu.len() / 2)
            .map_or_else(|| "n/a".to_owned(), |ms| format!("{ms:.2}"));
        println!(
            "| {name} | {bytes} | {:.2} | {cpu} |",
            times[times.len() / 2]
        );
    }
    if let Some(path) = std::env::args().nth(1) {
        let doc = clinical_document(200, 400);
        std::fs::write(&path, exports_docx::render_docx(&doc).expect("render")).expect("write");
        eprintln!("wrote {path}");
    }
}

/// CPU time this thread has run, in nanoseconds (Linux).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}
