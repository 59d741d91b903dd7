//! Speed of `render_pdf` on one core.
//!
//! ```sh
//! cargo run --release -p exports-pdf --example pdf_bench            # the table
//! cargo run --release -p exports-pdf --example pdf_bench -- --out /tmp/pdfs   # also write the PDFs
//! cargo run --release -p exports-pdf --example pdf_bench -- --once-big        # one big render (for /usr/bin/time -v)
//! ```
//!
//! Besides the table: the full record at 1,000 and 5,000 sessions (time per page, and the peak
//! RSS of one streamed render in a child process, `--once-big SESSIONS`), and the first render
//! of a fresh process (`--cold`, in children: fonts parsed on first use).

use std::time::{Duration, Instant};

use exports_document_model::sample::clinical_document;
use exports_pdf::{
    PdfOptions, render_pdf, render_pdf_to, render_pdf_with_options, render_pdf_with_report,
};

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
    if let Some(i) = args.iter().position(|a| a == "--once-big") {
        // One streamed render of the full record (200 sessions unless given), into a sink that
        // only counts: peak RSS is the document plus what the renderer holds.
        let sessions = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(200);
        let doc = clinical_document(sessions, 400);
        let t = Instant::now();
        let mut sink = Counting(0);
        let report = render_pdf_to(&doc, &mut sink).expect("render");
        println!(
            "{} {} {:.1} {}",
            report.pages,
            sink.0,
            t.elapsed().as_secs_f64() * 1e3,
            vm_hwm_kb().unwrap_or(0)
        );
        return;
    }
    if args.iter().any(|a| a == "--cold") {
        // The first render of this process: fonts parsed on first use.
        let doc = clinical_document(1, 300);
        let t = Instant::now();
        render_pdf(&doc).expect("render");
        println!("{:.3}", t.elapsed().as_secs_f64() * 1e3);
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

    tagging();
    scale();
    cold();

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

/// A sink that counts the bytes it is given.
struct Counting(u64);

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn child(args: &[&str]) -> String {
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .args(args)
        .output()
        .expect("child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The full record at 200, 1,000 and 5,000 sessions: warm time per page (median of 3 in this
/// process) and the peak RSS of one streamed render in a fresh process.
fn scale() {
    println!();
    println!(
        "| full record | pages | bytes | warm ms | ms per page | peak RSS of a streamed render (child) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for sessions in [200, 1000, 5000] {
        let doc = clinical_document(sessions, 400);
        let mut sink = Counting(0);
        let report = render_pdf_to(&doc, &mut sink).expect("render");
        let times: Vec<Duration> = (0..3)
            .map(|_| {
                let t = Instant::now();
                render_pdf_to(&doc, &mut Counting(0)).expect("render");
                t.elapsed()
            })
            .collect();
        drop(doc);
        let ms = median(times).as_secs_f64() * 1e3;
        let kb: f64 = child(&["--once-big", &sessions.to_string()])
            .split_whitespace()
            .nth(3)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        println!(
            "| {sessions} sessions x 400 words | {} | {} | {ms:.1} | {:.3} | {:.1} MiB |",
            report.pages,
            sink.0,
            ms / report.pages as f64,
            kb / 1024.0
        );
    }
}

/// The first render of a fresh process (1 session, 300 words), median of 5 children.
fn cold() {
    let times: Vec<Duration> = (0..5)
        .map(|_| {
            let ms: f64 = child(&["--cold"]).parse().unwrap_or(f64::NAN);
            Duration::from_secs_f64(ms / 1e3)
        })
        .collect();
    println!();
    println!(
        "first render in a fresh process (1 session, ~300 words; fonts parsed on first use): {:.2} ms (median of 5)",
        median(times).as_secs_f64() * 1e3
    );
}

/// What tagging (PDF/UA-1) and PDF/A-2 cost the renderer: the sample documents with and
/// without (issue 15 item 5: at most 20 % slower).
fn tagging() {
    println!();
    println!(
        "| work | untagged ms | tagged + PDF/A ms | slower by | untagged bytes | tagged bytes |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, doc, runs) in [
        ("1 session, ~300 words", clinical_document(1, 300), 200),
        (
            "full record (200 sessions)",
            clinical_document(200, 400),
            15,
        ),
    ] {
        let time = |accessible: bool| {
            let options = PdfOptions { accessible };
            let mut sink = Counting(0);
            render_pdf_with_options(&doc, &mut sink, options).expect("render");
            let times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    render_pdf_with_options(&doc, &mut Counting(0), options).expect("render");
                    t.elapsed()
                })
                .collect();
            (median(times).as_secs_f64() * 1e3, sink.0)
        };
        let (plain, plain_bytes) = time(false);
        let (tagged, tagged_bytes) = time(true);
        println!(
            "| {name} | {plain:.2} | {tagged:.2} | {:.0} % | {plain_bytes} | {tagged_bytes} |",
            (tagged / plain - 1.0) * 100.0
        );
    }
}
