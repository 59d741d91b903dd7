//! Speed of `render_pdf` on one core.
//!
//! ```sh
//! cargo run --release -p exports-pdf --example pdf_bench            # the table
//! cargo run --release -p exports-pdf --example pdf_bench -- --out /tmp/pdfs   # also write the PDFs
//! cargo run --release -p exports-pdf --example pdf_bench -- --once-big        # one big render (for /usr/bin/time -v)
//! ```

use std::time::{Duration, Instant};

use exports_document_model::sample::clinical_document;
use exports_pdf::{render_pdf, render_pdf_with_report};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out_dir = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1).cloned());
    if let Some(n) = args
        .iter()
        .position(|a| a == "--loop")
        .and_then(|i| args.get(i + 1)?.parse::<usize>().ok())
    {
        // For profilers: render the full record (or with --small, the small document) n times.
        let doc = if args.iter().any(|a| a == "--small") {
            clinical_document(1, 300)
        } else {
            clinical_document(200, 400)
        };
        for _ in 0..n {
            render_pdf(&doc).expect("render");
        }
        return;
    }
    if args.iter().any(|a| a == "--once-big") {
        let doc = clinical_document(200, 400);
        let t = Instant::now();
        let (bytes, report) = render_pdf_with_report(&doc).expect("render");
        println!(
            "full record: {} pages, {} bytes, {:.1} ms, peak RSS {} KB",
            report.pages,
            bytes.len(),
            t.elapsed().as_secs_f64() * 1e3,
            vm_hwm_kb().unwrap_or(0)
        );
        return;
    }

    let t = Instant::now();
    exports_pdf::warm_up().expect("fonts");
    println!(
        "font warm-up (parse + glyph caches, once per process): {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let base_rss = vm_hwm_kb().unwrap_or(0);

    let workloads = [
        ("1 session, ~300 words", clinical_document(1, 300), 200),
        ("10 sessions, ~300 words", clinical_document(10, 300), 50),
        (
            "full record (200 sessions, ~400 words)",
            clinical_document(200, 400),
            15,
        ),
    ];
    println!();
    println!("| work | pages | bytes | median ms | runs |");
    println!("|---|---:|---:|---:|---:|");
    let mut big_rss = 0;
    for (name, doc, runs) in &workloads {
        let (bytes, report) = render_pdf_with_report(doc).expect("render");
        if let Some(dir) = &out_dir {
            std::fs::create_dir_all(dir).expect("out dir");
            let file = format!("{dir}/{}.pdf", report.pages);
            std::fs::write(&file, &bytes).expect("write");
        }
        let times: Vec<Duration> = (0..*runs)
            .map(|_| {
                let t = Instant::now();
                let b = render_pdf(doc).expect("render");
                let e = t.elapsed();
                assert_eq!(b.len(), bytes.len(), "deterministic size");
                e
            })
            .collect();
        println!(
            "| {name} | {} | {} | {:.2} | {runs} |",
            report.pages,
            bytes.len(),
            median(times).as_secs_f64() * 1e3
        );
        big_rss = vm_hwm_kb().unwrap_or(0);
    }
    println!();
    println!(
        "peak RSS (VmHWM) after the full record: {:.1} MB (after font warm-up: {:.1} MB)",
        big_rss as f64 / 1024.0,
        base_rss as f64 / 1024.0
    );

    // Throughput: small documents back to back.
    let small = clinical_document(1, 300);
    let n = 1000;
    let t = Instant::now();
    let mut total = 0usize;
    for _ in 0..n {
        total += render_pdf(&small).expect("render").len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "throughput: {n} small documents in {:.2} s = {:.0} documents/s ({} bytes total)",
        secs,
        n as f64 / secs,
        total
    );
}
