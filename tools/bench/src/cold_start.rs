//! `exports-bench cold-start [--runs N] [--bin-dir DIR]`: how fast each Lambda function starts.
//!
//! Each release binary (`exports-api`, `exports-renderer`, `exports-scheduler`) is spawned `N` times
//! (default 20) against a stand-in of the Lambda Runtime API that this process serves on
//! 127.0.0.1 (`AWS_LAMBDA_RUNTIME_API`). The stand-in hands out one invocation, the function's
//! sample event from `events/`, and records:
//!
//! - **init**: spawn → the function's first `GET /2018-06-01/runtime/invocation/next`, i.e. its
//!   cold start (configuration, SDK clients, adapters) up to the point it can take work;
//! - **first response**: spawn → the `POST …/response` (or `…/error`) of that invocation.
//!
//! Then the child is killed. Rows give median and p90 (nearest rank) and each binary's size, as
//! a file and gzipped at the default level 6 (about what a deployment zip costs). Binaries are looked up beside this one
//! or in `--bin-dir`. Build each on its own, as `sam build` does, so each links only its own
//! cargo features (built together with the scheduler, the API would link its SES client too):
//! `for p in exports-api exports-renderer exports-scheduler exports-bench; do cargo build --release -p $p; done`.
//!
//! The children get a Lambda-like environment and nothing else from ours (no `HOME`, so no
//! `~/.aws` profile files, as in Lambda): the runtime variables, `AWS_REGION`, test credentials,
//! and `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, `RESOURCE_PREFIX` taken from ours
//! (defaults `http://127.0.0.1:4566`, unset, `practice-exports`). `JOBS_QUEUE_URL` is set (as the
//! SAM template does), so no function calls AWS during init. The first invocations do: the API
//! lists the caller's jobs (DynamoDB), the renderer reads the job of the SQS message, the
//! scheduler queries due schedules. For meaningful first responses run the emulator with the
//! resources provisioned: `scripts/emulator.sh start moto`, then `exports-admin provision`. With
//! nothing listening at the endpoint, init is still measured, but first responses are the SDK's
//! failure path (connection refused, retried with backoff): the "first answer" column says
//! which (an HTTP status for the API, `response`/`error` for the others).
//!
//! Where the time goes (x86_64, `strace -tt`): before `main`, exec and relocation of the
//! 12-23 MB binary; then tokio, the SDK configuration and clients; root certificates are compiled
//! in (`exports_aws::config::https_client`) and parsed on the first request, fonts and templates
//! on first use. A first response also includes one round trip to the (Python) emulator.
//!
//! Size (issue 12, API ≤ 8 MB: not met). Measured on x86_64, each function built on its own:
//! the API 12.7 MB (5.4 MB gzip), the renderer 22.3 MB, the scheduler 24.4 MB (the renderer and
//! scheduler with the script fonts of issue 14, 1.9 MB); they were 24.2, 31.6 and 33.5 MB before
//! SES became the scheduler's alone, TLS moved from aws-lc to ring, and the release profile to
//! fat LTO with the SDK at opt-level "z" (docs/architecture.md). What the API's size is: 6.5 MB of
//! code (std 0.9, tera 0.7, exports-aws 0.4, the DynamoDB and S3 clients 0.3 each, rustls and
//! ring 0.55, the rest of the SDK about 1.2), 2.0 MB of read-only data (0.66 MB of it crc-fast's
//! tables for every CRC variant, which S3's checksums link whole), 1.4 MB of vtables and other
//! relocated data, and, for a position-independent executable that unwinds, relocations and
//! 1.3 MB of unwind tables. Everything at opt-level "z" gives 11.9 MB (not adopted: the
//! rendering crates would be built for size too). `panic = "abort"` gives 11.4 MB (measured;
//! not adopted: lambda_runtime answers a panicking invocation with an error only when panics
//! unwind, otherwise the execution environment dies). A non-PIE executable does not build:
//! crc-fast is also built as a cdylib, which the static relocation model cannot link (and it
//! would give up ASLR).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A function under test: its binary, the event of its first invocation, and its targets.
struct Function {
    bin: &'static str,
    event_name: &'static str,
    event: &'static str,
    init_target_ms: Option<f64>,
    first_target_ms: Option<f64>,
    size_target_mb: Option<f64>,
}

/// Targets of issue 12: API init ≤ 8 ms, first response ≤ 12 ms, ≤ 8 MB; renderer init ≤ 8 ms.
const FUNCTIONS: &[Function] = &[
    Function {
        bin: "exports-api",
        event_name: "api-list-jobs.json (GET /api/v1/export/jobs)",
        event: include_str!("../../../events/api-list-jobs.json"),
        init_target_ms: Some(8.0),
        first_target_ms: Some(12.0),
        size_target_mb: Some(8.0),
    },
    Function {
        bin: "exports-renderer",
        event_name: "renderer-sqs-batch.json (SQS, 1 job)",
        event: include_str!("../../../events/renderer-sqs-batch.json"),
        init_target_ms: Some(8.0),
        first_target_ms: None,
        size_target_mb: None,
    },
    Function {
        bin: "exports-scheduler",
        event_name: "scheduler-tick.json (EventBridge schedule)",
        event: include_str!("../../../events/scheduler-tick.json"),
        init_target_ms: None,
        first_target_ms: None,
        size_target_mb: None,
    },
];

/// Longest a single run may take before it counts as hung.
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// What the stand-in Runtime API saw, with when.
enum Seen {
    Next(Instant),
    Answer(Instant, Answer),
    InitError,
}

/// How the first invocation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// `POST …/response`; for the API, the HTTP status of the proxied response.
    Response(Option<u16>),
    Error,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Response(Some(status)) => write!(f, "HTTP {status}"),
            Answer::Response(None) => f.write_str("response"),
            Answer::Error => f.write_str("error"),
        }
    }
}

/// One spawn of one binary.
struct Sample {
    init: Duration,
    first: Duration,
    answer: Answer,
}

/// Entry point of the mode; `args` are those after `cold-start`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut runs = 20usize;
    let mut bin_dir: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--runs takes a positive number")?;
            }
            "--bin-dir" => bin_dir = Some(it.next().ok_or("--bin-dir takes a folder")?.into()),
            other => {
                return Err(format!(
                    "unknown argument {other:?} (usage: exports-bench cold-start [--runs N] [--bin-dir DIR])"
                ));
            }
        }
    }
    let bin_dir = match bin_dir {
        Some(dir) => dir,
        None => std::env::current_exe()
            .map_err(|e| format!("own path: {e}"))?
            .parent()
            .ok_or("own path has no folder")?
            .to_path_buf(),
    };
    let env = child_env();
    let endpoint = &env
        .iter()
        .find(|(k, _)| k == "AWS_ENDPOINT_URL")
        .expect("always set")
        .1;
    println!(
        "cold start: {runs} runs per function, binaries in {}, AWS endpoint {endpoint} ({})",
        bin_dir.display(),
        if endpoint_answers(endpoint) {
            "answers"
        } else {
            "nothing listens: first responses are the failure path"
        }
    );
    println!();
    println!(
        "| function | first event | MB | MB gzip | init median ms | init p90 ms | first response median ms | first response p90 ms | first answer | target | ok |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for function in FUNCTIONS {
        let bin = bin_dir.join(function.bin);
        let (mb, gz_mb) = sizes_mb(&bin)?;
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            samples.push(one_run(&bin, function.event, &env)?);
        }
        let init = stats(samples.iter().map(|s| s.init));
        let first = stats(samples.iter().map(|s| s.first));
        let answers = answers(&samples);
        let mut targets = Vec::new();
        let mut ok = true;
        if let Some(t) = function.init_target_ms {
            targets.push(format!("init ≤ {t} ms"));
            ok &= init.0 <= t;
        }
        if let Some(t) = function.first_target_ms {
            targets.push(format!("first ≤ {t} ms"));
            ok &= first.0 <= t;
        }
        if let Some(t) = function.size_target_mb {
            targets.push(format!("≤ {t} MB"));
            ok &= mb <= t;
        }
        println!(
            "| {} | {} | {mb:.1} | {gz_mb:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {answers} | {} | {} |",
            function.bin,
            function.event_name,
            init.0,
            init.1,
            first.0,
            first.1,
            if targets.is_empty() {
                "-".to_string()
            } else {
                targets.join(", ")
            },
            match (targets.is_empty(), ok) {
                (true, _) => "-",
                (false, true) => "yes",
                (false, false) => "NO",
            }
        );
    }
    Ok(())
}

/// The children's whole environment: what Lambda sets, and the project's configuration.
fn child_env() -> Vec<(String, String)> {
    let ours = |k: &str, default: &str| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let endpoint = ours("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
    let prefix = ours("RESOURCE_PREFIX", DEFAULT_PREFIX);
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024".to_string()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/cold-start".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "cold-start".into()),
        ("AWS_REGION", ours("AWS_REGION", "us-east-1")),
        ("AWS_ACCESS_KEY_ID", ours("AWS_ACCESS_KEY_ID", "test")),
        (
            "AWS_SECRET_ACCESS_KEY",
            ours("AWS_SECRET_ACCESS_KEY", "test"),
        ),
        // moto's form of a queue URL; set like the SAM template sets it, so init looks nothing up.
        (
            "JOBS_QUEUE_URL",
            format!(
                "{}/123456789012/{prefix}-jobs",
                endpoint.trim_end_matches('/')
            ),
        ),
        ("RESOURCE_PREFIX", prefix),
        ("AWS_ENDPOINT_URL", endpoint),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Ok(v) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        env.push(("AWS_ENDPOINT_URL_DYNAMODB".into(), v));
    }
    env
}

/// `exports_aws::config::DEFAULT_PREFIX`, written out: the bench does not link the AWS adapters.
const DEFAULT_PREFIX: &str = "practice-exports";

/// Whether something accepts TCP connections at an `http://host:port` endpoint.
fn endpoint_answers(endpoint: &str) -> bool {
    let Some(authority) = endpoint
        .strip_prefix("http://")
        .map(|rest| rest.split('/').next().unwrap_or(rest))
    else {
        return false;
    };
    use std::net::ToSocketAddrs;
    let Some(addr) = authority.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        return false;
    };
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// File size and gzip size (default level) in MB (10^6 bytes).
fn sizes_mb(bin: &Path) -> Result<(f64, f64), String> {
    let bytes = std::fs::read(bin).map_err(|e| {
        format!(
            "{}: {e} (build each on its own: cargo build --release -p <function>)",
            bin.display()
        )
    })?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    Ok((bytes.len() as f64 / 1e6, gz.len() as f64 / 1e6))
}

/// Median and p90 in milliseconds (nearest rank).
fn stats(times: impl Iterator<Item = Duration>) -> (f64, f64) {
    let mut v: Vec<Duration> = times.collect();
    v.sort();
    let rank = |q: f64| {
        let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
        v[i].as_secs_f64() * 1e3
    };
    (rank(0.5), rank(0.9))
}

/// The first answers over all runs, e.g. `HTTP 200 ×20` or `response ×19, error ×1`.
fn answers(samples: &[Sample]) -> String {
    let mut counts: Vec<(Answer, usize)> = Vec::new();
    for s in samples {
        match counts.iter_mut().find(|(a, _)| *a == s.answer) {
            Some((_, n)) => *n += 1,
            None => counts.push((s.answer.clone(), 1)),
        }
    }
    counts
        .iter()
        .map(|(a, n)| format!("{a} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Spawns `bin` once against a fresh stand-in Runtime API and times its first invocation.
fn one_run(bin: &Path, event: &'static str, env: &[(String, String)]) -> Result<Sample, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("listen: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let stop = stop.clone();
        thread::spawn(move || serve(listener, event, tx, stop))
    };

    let start = Instant::now();
    let mut child = Command::new(bin)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env(
            "AWS_LAMBDA_FUNCTION_NAME",
            bin.file_name().unwrap_or_default(),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let outcome = wait_for_first_answer(&rx, start);
    // Whatever happened, the child goes (it would wait on the next `/next` forever).
    let _ = child.kill();
    let _ = child.wait();
    stop.store(true, Ordering::SeqCst);
    // Wakes the accept loop so it sees `stop`.
    let _ = TcpStream::connect(addr);
    let _ = server.join();
    outcome.map_err(|e| format!("{}: {e}", bin.display()))
}

fn wait_for_first_answer(rx: &Receiver<Seen>, start: Instant) -> Result<Sample, String> {
    let deadline = start + RUN_TIMEOUT;
    let mut init = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Seen::Next(at)) => {
                init.get_or_insert(at - start);
            }
            Ok(Seen::Answer(at, answer)) => {
                return Ok(Sample {
                    init: init.ok_or("answered before asking for an invocation")?,
                    first: at - start,
                    answer,
                });
            }
            Ok(Seen::InitError) => return Err("reported an init error".into()),
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!("no answer within {RUN_TIMEOUT:?}"));
            }
            Err(RecvTimeoutError::Disconnected) => return Err("stand-in server stopped".into()),
        }
    }
}

/// Accepts connections until `stop`; one thread per connection (the runtime keeps one alive).
fn serve(listener: TcpListener, event: &'static str, tx: Sender<Seen>, stop: Arc<AtomicBool>) {
    let handed_out = Arc::new(AtomicBool::new(false));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let tx = tx.clone();
        let handed_out = handed_out.clone();
        thread::spawn(move || {
            let _ = connection(stream, event, &tx, &handed_out);
        });
    }
}

/// One HTTP/1.1 keep-alive connection of the function's runtime client.
fn connection(
    stream: TcpStream,
    event: &str,
    tx: &Sender<Seen>,
    handed_out: &AtomicBool,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some((method, path, body)) = read_request(&mut reader)? else {
            return Ok(());
        };
        let at = Instant::now();
        const BASE: &str = "/2018-06-01/runtime";
        match (method.as_str(), path.as_str()) {
            ("GET", p) if p == format!("{BASE}/invocation/next") => {
                let _ = tx.send(Seen::Next(at));
                if handed_out.swap(true, Ordering::SeqCst) {
                    // One invocation per run: later `/next` calls wait until the child is killed.
                    continue;
                }
                let deadline_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_millis() + 900_000)
                    .unwrap_or_default();
                write!(
                    writer,
                    "HTTP/1.1 200 OK\r\n\
                     Content-Type: application/json\r\n\
                     Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\r\n\
                     Lambda-Runtime-Deadline-Ms: {deadline_ms}\r\n\
                     Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:cold-start\r\n\
                     Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n\
                     Content-Length: {}\r\n\r\n{event}",
                    event.len()
                )?;
            }
            ("POST", p) if p.starts_with(&format!("{BASE}/invocation/")) => {
                let answer = if p.ends_with("/response") {
                    Answer::Response(http_status(&body))
                } else {
                    Answer::Error
                };
                let _ = tx.send(Seen::Answer(at, answer));
                accepted(&mut writer)?;
            }
            ("POST", p) if p == format!("{BASE}/init/error") => {
                let _ = tx.send(Seen::InitError);
                accepted(&mut writer)?;
            }
            _ => write!(
                writer,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
            )?,
        }
        writer.flush()?;
    }
}

fn accepted(writer: &mut impl Write) -> std::io::Result<()> {
    write!(
        writer,
        "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{{\"status\":\"OK\"}}"
    )
}

/// The `statusCode` of an API Gateway proxy response, if the body is one.
fn http_status(body: &[u8]) -> Option<u16> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("statusCode")?.as_u64()?.try_into().ok()
}

/// One request: method, path and body (`Content-Length` or chunked). `None` at end of stream.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<(String, String, Vec<u8>)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            if size == 0 {
                // Trailers, then the blank line.
                loop {
                    let mut trailer = String::new();
                    if reader.read_line(&mut trailer)? == 0 || trailer.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Some((method, path, body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::SocketAddr;

    #[test]
    fn reads_sized_and_chunked_requests_on_one_connection() {
        let wire = b"POST /a HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc\
                     POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n\
                     GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
        let mut r = BufReader::new(&wire[..]);
        let (m, p, b) = read_request(&mut r).unwrap().unwrap();
        assert_eq!(
            (m.as_str(), p.as_str(), &b[..]),
            ("POST", "/a", &b"abc"[..])
        );
        let (_, p, b) = read_request(&mut r).unwrap().unwrap();
        assert_eq!((p.as_str(), &b[..]), ("/b", &b"def"[..]));
        let (m, p, b) = read_request(&mut r).unwrap().unwrap();
        assert_eq!((m.as_str(), p.as_str(), b.len()), ("GET", "/c", 0));
        assert!(read_request(&mut r).unwrap().is_none());
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let ms = |v: &[u64]| stats(v.iter().map(|&m| Duration::from_millis(m)));
        assert_eq!(ms(&[5, 1, 4, 2, 3]), (3.0, 5.0));
        let twenty: Vec<u64> = (1..=20).collect();
        assert_eq!(ms(&twenty), (10.0, 18.0));
    }

    #[test]
    fn api_status_is_read_from_the_proxy_response() {
        assert_eq!(http_status(br#"{"statusCode":200,"body":"{}"}"#), Some(200));
        assert_eq!(http_status(br#"{"batchItemFailures":[]}"#), None);
        assert_eq!(Answer::Response(Some(503)).to_string(), "HTTP 503");
    }

    /// The stand-in serves a real client: a child process is not needed to check the protocol.
    #[test]
    fn stand_in_hands_out_one_invocation_and_records_the_answer() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let server = {
            let stop = stop.clone();
            thread::spawn(move || serve(listener, "{\"x\":1}", tx, stop))
        };
        let start = Instant::now();
        let mut conn = TcpStream::connect(addr).unwrap();
        write!(
            conn,
            "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(conn.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
        for h in [
            "Lambda-Runtime-Aws-Request-Id:",
            "Lambda-Runtime-Deadline-Ms:",
            "Lambda-Runtime-Invoked-Function-Arn:",
            "Lambda-Runtime-Trace-Id:",
        ] {
            assert!(head.contains(h), "{h} missing from {head}");
        }
        let mut event = [0u8; 7];
        reader.read_exact(&mut event).unwrap();
        assert_eq!(&event, b"{\"x\":1}");
        let body = r#"{"statusCode":404}"#;
        write!(
            conn,
            "POST /2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let sample = wait_for_first_answer(&rx, start).unwrap();
        assert_eq!(sample.answer, Answer::Response(Some(404)));
        assert!(sample.init <= sample.first);
        drop((conn, reader));
        stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(addr);
        server.join().unwrap();
    }
}
