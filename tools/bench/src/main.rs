//! `exports-bench`: the speed and memory targets of the export pipeline, over deterministic
//! synthetic data, as a table. Run in release: `cargo run --release -p exports-bench`.
//!
//! | id | work | target (one core, release) |
//! |---|---|---|
//! | W1 | session-notes PDF, 1 session, 300-word note | ≤ 5 ms render; whole process ≤ 30 ms |
//! | W2 | progress-report PDF, 50 sessions | ≤ 10 ms |
//! | W3 | full-record PDF, 200 sessions × 400-word notes | ≤ 150 ms, peak RSS ≤ 40 MB |
//! | W4 | full-record DOCX, same patient | ≤ 50 ms |
//! | W5 | full-record CSV and JSON | ≤ 10 ms each |
//! | W6 | session-notes PDFs back to back | ≥ 500 per second |
//! | W7 | scheduler tick, 50 due weekly progress-report PDFs (in-memory ports) | ≤ 20 ms per report |
//! | W8 | the storm: 100,000 due weekly progress-report PDFs, in-memory ports waiting 5 ms per call; the tick claims all, N workers drain them (`exports-bench storm`) | tick ≤ 300 s (the scheduler's timeout); drain ≤ 3600 s; peak RSS reported |
//!
//! "Render" is everything after the records are loaded: report data, template, document, file.
//! Whole-process time and peak RSS are measured by running this binary again as a child
//! (`exports-bench --once W1|W3`), which renders one document and exits.
//!
//! `exports-bench cold-start [--runs 20] [--bin-dir DIR]` measures the Lambda functions instead:
//! each release binary spawned against a stand-in Lambda Runtime API, with its init and first
//! response time (median, p90) and its size, file and gzipped (see `cold_start.rs`).
//!
//! | function | target (this machine, release) |
//! |---|---|
//! | `exports-api` | init ≤ 8 ms, first response ≤ 12 ms, ≤ 8 MB |
//! | `exports-renderer` | init ≤ 8 ms |
//!
//! W8 is its own mode, since the full storm takes minutes:
//! `exports-bench storm [--schedules 100000] [--latency-ms 5] [--concurrency 100,1000]` (one
//! child process per concurrency, so each peak RSS is its own; see `storm.rs`). The default table
//! runs a small storm (1,000 schedules, 1 ms per call, 100 workers) to keep the mode working.

mod cold_start;
mod storm;

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use exports_core::export::{ExportFormat, ExportType, ScheduleType};
use exports_core::params::ExportParams;
use exports_core::records::PracticeData;
use exports_core::report::{Report, ReportInput, build_report};
use exports_core::service::requests::CreateScheduleBody;
use exports_synthetic::{DemoParams, generate};

fn practice(sessions: usize, words: usize) -> PracticeData {
    generate(&DemoParams {
        patients: 1,
        sessions_per_patient: sessions,
        words_per_note: words,
        seed: 7,
        end_date: NaiveDate::from_ymd_opt(2026, 10, 30).expect("date"),
    })
}

fn report(data: &PracticeData, export_type: ExportType, params: &ExportParams) -> Report {
    let record = &data.patients[0];
    let requester = data
        .therapists
        .iter()
        .find(|t| t.id == record.patient.assigned_therapist_ids[0])
        .expect("assigned therapist");
    build_report(&ReportInput {
        job_id: uuid::Uuid::from_u128(7),
        export_type,
        params,
        generated_at: Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap(),
        requester,
        record,
        therapists: &data.therapists,
    })
}

/// The whole pipeline from records to bytes.
fn render(
    data: &PracticeData,
    export_type: ExportType,
    params: &ExportParams,
    format: ExportFormat,
) -> Vec<u8> {
    let report = report(data, export_type, params);
    match format {
        ExportFormat::Json => exports_formats::render_json(&report),
        ExportFormat::Csv => exports_formats::render_csv(&report),
        ExportFormat::Pdf | ExportFormat::Docx => {
            let doc = exports_documents::build_document(
                &report,
                &exports_documents::DocumentLayout::default(),
            )
            .expect("document");
            if format == ExportFormat::Pdf {
                exports_pdf::render_pdf(&doc).expect("pdf")
            } else {
                exports_docx::render_docx(&doc).expect("docx")
            }
        }
    }
}

struct Work {
    id: &'static str,
    what: &'static str,
    data: PracticeData,
    export_type: ExportType,
    params: ExportParams,
    format: ExportFormat,
    target_ms: f64,
}

fn works() -> Vec<Work> {
    let one = practice(1, 300);
    let fifty = practice(50, 300);
    let big = practice(200, 400);
    let period = |d: &PracticeData| ExportParams {
        start_date: d.patients[0]
            .sessions
            .first()
            .map(|s| s.session.start_time.date_naive()),
        end_date: d.patients[0]
            .sessions
            .last()
            .map(|s| s.session.start_time.date_naive()),
        ..Default::default()
    };
    let progress = period(&fifty);
    vec![
        Work {
            id: "W1",
            what: "session-notes PDF, 1 session, 300 words",
            data: one,
            export_type: ExportType::SessionNotes,
            params: ExportParams::default(),
            format: ExportFormat::Pdf,
            target_ms: 5.0,
        },
        Work {
            id: "W2",
            what: "progress-report PDF, 50 sessions",
            data: fifty,
            export_type: ExportType::ProgressReport,
            params: progress,
            format: ExportFormat::Pdf,
            target_ms: 10.0,
        },
        Work {
            id: "W3",
            what: "full-record PDF, 200 sessions x 400 words",
            data: big.clone(),
            export_type: ExportType::FullRecord,
            params: ExportParams::default(),
            format: ExportFormat::Pdf,
            target_ms: 150.0,
        },
        Work {
            id: "W4",
            what: "full-record DOCX, same patient",
            data: big.clone(),
            export_type: ExportType::FullRecord,
            params: ExportParams::default(),
            format: ExportFormat::Docx,
            target_ms: 50.0,
        },
        Work {
            id: "W5",
            what: "full-record CSV",
            data: big.clone(),
            export_type: ExportType::FullRecord,
            params: ExportParams::default(),
            format: ExportFormat::Csv,
            target_ms: 10.0,
        },
        Work {
            id: "W5",
            what: "full-record JSON",
            data: big,
            export_type: ExportType::FullRecord,
            params: ExportParams::default(),
            format: ExportFormat::Json,
            target_ms: 10.0,
        },
    ]
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pdf_pages(bytes: &[u8]) -> usize {
    // Page objects: `/Type /Page` or `/Type/Page`, not followed by `s` (the page tree).
    [&b"/Type /Page"[..], &b"/Type/Page"[..]]
        .iter()
        .map(|pat| {
            bytes
                .windows(pat.len() + 1)
                .filter(|w| &w[..pat.len()] == *pat && w[pat.len()] != b's')
                .count()
        })
        .sum()
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Child mode: render one work item once, print peak RSS, exit.
fn once(id: &str) {
    let work = works()
        .into_iter()
        .find(|w| w.id == id)
        .expect("known work id");
    let bytes = render(&work.data, work.export_type, &work.params, work.format);
    println!("{} {}", bytes.len(), peak_rss_kib().unwrap_or(0));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--once" {
        once(&args[2]);
        return;
    }
    match args.get(1).map(String::as_str) {
        Some("cold-start") => {
            if let Err(e) = cold_start::run(&args[2..]) {
                eprintln!("exports-bench cold-start: {e}");
                std::process::exit(1);
            }
            return;
        }
        Some("storm") => return storm::main(&args[2..]),
        Some("storm-once") => return storm::once(&args[2..]),
        _ => {}
    }
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(21);
    println!("| id | work | pages | bytes | median ms | target ms | ok |");
    println!("|---|---|---|---|---|---|---|");
    for w in works() {
        let _warm = render(&w.data, w.export_type, &w.params, w.format);
        let mut times = Vec::with_capacity(runs);
        let mut bytes = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            bytes = render(&w.data, w.export_type, &w.params, w.format);
            times.push(t.elapsed());
        }
        let ms = median(times).as_secs_f64() * 1e3;
        let pages = if w.format == ExportFormat::Pdf {
            pdf_pages(&bytes).to_string()
        } else {
            "-".into()
        };
        println!(
            "| {} | {} | {} | {} | {:.2} | {} | {} |",
            w.id,
            w.what,
            pages,
            bytes.len(),
            ms,
            w.target_ms,
            if ms <= w.target_ms { "yes" } else { "NO" }
        );
    }

    // W6: back to back, one thread.
    let one = practice(1, 300);
    let params = ExportParams::default();
    let n = 500;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(render(
            &one,
            ExportType::SessionNotes,
            &params,
            ExportFormat::Pdf,
        ));
    }
    let per_second = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "| W6 | session-notes PDFs back to back | - | - | {:.0} per second | ≥ 500 per second | {} |",
        per_second,
        if per_second >= 500.0 { "yes" } else { "NO" }
    );

    scheduler_tick();
    let small = storm::Storm {
        schedules: 1000,
        latency: Duration::from_millis(1),
        concurrency: vec![100],
    };
    for row in storm::run(&small, 100).rows(false) {
        println!("{row}");
    }

    // Whole process and peak RSS, in child processes.
    let exe = std::env::current_exe().expect("own path");
    println!();
    println!("| id | whole process (median of 5) | peak RSS | target |");
    println!("|---|---|---|---|");
    for (id, target) in [("W1", "≤ 30 ms"), ("W3", "≤ 40 MB RSS")] {
        let mut walls = Vec::new();
        let mut rss = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let out = Command::new(&exe)
                .args(["--once", id])
                .output()
                .expect("child");
            walls.push(t.elapsed());
            let text = String::from_utf8_lossy(&out.stdout);
            rss = text
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
                .max(rss);
        }
        println!(
            "| {id} | {:.1} ms | {:.1} MB | {target} |",
            median(walls).as_secs_f64() * 1e3,
            rss as f64 / 1024.0
        );
    }
}

/// Polls a future of the in-memory ports, which never wait.
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("in-memory ports never wait"),
    }
}

/// W7: one scheduler tick over in-memory ports, then each run it queued: claim, take, make the
/// job, gather the records, render the PDF, store it, compose the two-part email, record the
/// run, per due schedule. What the
/// real tick adds is DynamoDB, S3 and SES round trips.
fn scheduler_tick() {
    use exports_core::identity::{Caller, Role};
    use exports_core::service::Settings;
    use exports_in_memory::{FixedClock, in_memory_service};
    use std::sync::Arc;

    let n = 50;
    let data = generate(&DemoParams {
        patients: n,
        sessions_per_patient: 30,
        words_per_note: 200,
        seed: 7,
        end_date: NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
    });
    let created = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
    let clock = Arc::new(FixedClock::new(created));
    let (mut svc, handles) = in_memory_service(data.clone(), clock.clone(), Settings::default());
    svc.ports.files = Arc::new(exports_render::AllFormats);
    svc.settings.available_formats = ExportFormat::ALL.to_vec();
    for r in &data.patients {
        let who = Caller {
            user_id: r.patient.assigned_therapist_ids[0].to_string(),
            roles: vec![Role::Therapist],
            source_ip: None,
            user_agent: None,
        };
        let body = CreateScheduleBody {
            patient_id: r.patient.id,
            export_type: Some(ExportType::ProgressReport),
            format: Some(ExportFormat::Pdf),
            template_id: None,
            schedule_type: ScheduleType::Weekly,
            time_of_day: "08:00".into(),
            day_of_week: Some("monday".into()),
            day_of_month: None,
            timezone: "America/New_York".into(),
            delivery: None,
            active: None,
        };
        ready(svc.create_schedule(&who, body)).expect("schedule");
    }
    // Monday 30 November 2026, 08:00 in New York.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 30, 13, 0, 0).unwrap());
    let t = Instant::now();
    let summary = ready(svc.run_due_schedules()).expect("tick");
    assert_eq!(summary.queued, n, "every due schedule claimed");
    for run in handles.runs.take() {
        let outcome = ready(svc.execute_run(&run)).expect("run");
        assert_eq!(outcome, exports_core::service::RunOutcome::Emailed);
    }
    let per = t.elapsed().as_secs_f64() * 1e3 / n as f64;
    assert_eq!(handles.mailer.sent().len(), n);
    println!(
        "| W7 | scheduler tick, {n} due weekly progress-report PDFs, in-memory ports | - | - | {per:.2} per report | ≤ 20 per report | {} |",
        if per <= 20.0 { "yes" } else { "NO" }
    );
}
