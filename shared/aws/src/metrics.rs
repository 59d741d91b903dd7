//! CloudWatch metrics in the Embedded Metric Format (EMF): each function writes one JSON line per
//! event to stderr, beside its logs, and CloudWatch Logs turns the line into metrics of the
//! `PracticeExports` namespace; no API call, no extra latency, no IAM permission.
//!
//! A line is one JSON object whose `_aws` member says which of its members are metrics (with
//! their units) and which are dimensions; the values are members of the same object:
//!
//! ```json
//! {"_aws":{"Timestamp":1764244800000,"CloudWatchMetrics":[{"Namespace":"PracticeExports",
//!   "Dimensions":[["Function"],["Function","ExportType","Format"]],
//!   "Metrics":[{"Name":"ExportsCompleted","Unit":"Count"},{"Name":"ExportBytes","Unit":"Bytes"}]}]},
//!  "Function":"renderer","ExportType":"progress_report","Format":"pdf",
//!  "ExportsCompleted":1,"ExportBytes":48213}
//! ```
//!
//! Dimensions are low-cardinality words only: the function, the export type and format, and a
//! stable error code. Never an id or anything of a patient: a dimension value is either one of
//! the core's vocabulary (`&'static str`) or a code that passes [`code_value`]. The metric names
//! are the constants of [`name`]: the SAM template's alarms and dashboard use the same names
//! (`tests/tests/infra_drift.rs` checks them).

use exports_core::export::{ExportFormat, ExportType};
use exports_core::service::{
    RenderReport, RenderResult, RunOutcome, RunReport, SweepSummary, TickSummary,
};
use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "PracticeExports";

/// Every metric name the functions emit.
pub mod name {
    /// API: an export accepted (a new job; idempotent replays are not counted).
    pub const EXPORTS_REQUESTED: &str = "ExportsRequested";
    /// API: a request to an export endpoint refused (by `Code`).
    pub const EXPORTS_REJECTED: &str = "ExportsRejected";
    /// Renderer: a job rendered, stored and completed.
    pub const EXPORTS_COMPLETED: &str = "ExportsCompleted";
    /// Renderer: a job marked failed (by `Code`, the job's error code).
    pub const EXPORTS_FAILED: &str = "ExportsFailed";
    /// Renderer: a message given back to the queue after a transient failure (by `Code`).
    pub const EXPORTS_RETRIED: &str = "ExportsRetried";
    /// Renderer: time spent turning the report into the file (milliseconds).
    pub const RENDER_MILLIS: &str = "RenderMillis";
    /// Renderer: time of the whole job: claim, records, render, S3, completion (milliseconds).
    pub const EXPORT_MILLIS: &str = "ExportMillis";
    /// Renderer: size of a completed export's file (bytes).
    pub const EXPORT_BYTES: &str = "ExportBytes";
    /// Renderer: pages of a completed PDF export.
    pub const EXPORT_PAGES: &str = "ExportPages";
    /// Scheduler tick: due schedules read, runs queued, schedules skipped; its duration.
    pub const TICK_DUE: &str = "TickDue";
    pub const TICK_QUEUED: &str = "TickQueued";
    pub const TICK_SKIPPED: &str = "TickSkipped";
    pub const TICK_MILLIS: &str = "TickMillis";
    /// Scheduler tick's sweep: stalled exports queued again, and failed as `abandoned`.
    pub const EXPORTS_REQUEUED: &str = "ExportsRequeued";
    pub const EXPORTS_ABANDONED: &str = "ExportsAbandoned";
    /// Scheduled runs by how they ended (failed and retrying ones by `Code`); their duration.
    pub const RUNS_EMAILED: &str = "RunsEmailed";
    pub const RUNS_FAILED: &str = "RunsFailed";
    pub const RUNS_RETRYING: &str = "RunsRetrying";
    pub const RUNS_SKIPPED: &str = "RunsSkipped";
    pub const RUN_MILLIS: &str = "RunMillis";
    /// Report e-mails handed to SES, and those SES refused or that could not be sent.
    pub const EMAILS_SENT: &str = "EmailsSent";
    pub const EMAILS_FAILED: &str = "EmailsFailed";

    /// All of them.
    pub const ALL: &[&str] = &[
        EXPORTS_REQUESTED,
        EXPORTS_REJECTED,
        EXPORTS_COMPLETED,
        EXPORTS_FAILED,
        EXPORTS_RETRIED,
        RENDER_MILLIS,
        EXPORT_MILLIS,
        EXPORT_BYTES,
        EXPORT_PAGES,
        TICK_DUE,
        TICK_QUEUED,
        TICK_SKIPPED,
        TICK_MILLIS,
        EXPORTS_REQUEUED,
        EXPORTS_ABANDONED,
        RUNS_EMAILED,
        RUNS_FAILED,
        RUNS_RETRYING,
        RUNS_SKIPPED,
        RUN_MILLIS,
        EMAILS_SENT,
        EMAILS_FAILED,
    ];
}

/// The metrics `function` emits (each carries `Function` = `function.as_str()`).
pub fn emitted_by(function: Function) -> &'static [&'static str] {
    use name::*;
    match function {
        Function::Api => &[EXPORTS_REQUESTED, EXPORTS_REJECTED],
        Function::Renderer => &[
            EXPORTS_COMPLETED,
            EXPORTS_FAILED,
            EXPORTS_RETRIED,
            RENDER_MILLIS,
            EXPORT_MILLIS,
            EXPORT_BYTES,
            EXPORT_PAGES,
        ],
        Function::Scheduler => &[
            TICK_DUE,
            TICK_QUEUED,
            TICK_SKIPPED,
            TICK_MILLIS,
            EXPORTS_REQUEUED,
            EXPORTS_ABANDONED,
            RUNS_EMAILED,
            RUNS_FAILED,
            RUNS_RETRYING,
            RUNS_SKIPPED,
            RUN_MILLIS,
            EMAILS_SENT,
            EMAILS_FAILED,
        ],
    }
}

/// Dimension names.
pub mod dimension {
    /// `api`, `renderer` or `scheduler`.
    pub const FUNCTION: &str = "Function";
    /// `session_notes`, `progress_report`, `treatment_summary`, `full_record`.
    pub const EXPORT_TYPE: &str = "ExportType";
    /// `pdf`, `docx`, `json`, `csv`.
    pub const FORMAT: &str = "Format";
    /// A stable error code (`access_revoked`, `rate_limited`, `email_failed`, …).
    pub const CODE: &str = "Code";
}

/// Which function emits (the `Function` dimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Api,
    Renderer,
    Scheduler,
}

impl Function {
    pub const ALL: [Function; 3] = [Function::Api, Function::Renderer, Function::Scheduler];

    pub fn as_str(self) -> &'static str {
        match self {
            Function::Api => "api",
            Function::Renderer => "renderer",
            Function::Scheduler => "scheduler",
        }
    }
}

/// CloudWatch units used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    Bytes,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::Bytes => "Bytes",
        }
    }
}

/// An error code as a dimension value: a snake_case word of at most 48 characters, or `other`.
/// Codes are such words; anything else (a message, an id) never becomes a dimension.
pub fn code_value(code: &str) -> &str {
    let word = !code.is_empty()
        && code.len() <= 48
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if word { code } else { "other" }
}

/// One EMF line: dimensions, the dimension sets metrics are aggregated by, and the values.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    dimensions: Vec<(&'static str, String)>,
    sets: Vec<Vec<&'static str>>,
    values: Vec<(&'static str, Unit, u64)>,
}

impl Metrics {
    /// Metrics of `function`, aggregated at least by `Function` alone.
    pub fn new(function: Function) -> Self {
        Metrics {
            dimensions: vec![(dimension::FUNCTION, function.as_str().to_string())],
            sets: vec![vec![dimension::FUNCTION]],
            values: Vec::new(),
        }
    }

    /// The export's type and format as dimensions, and a set `Function`, `ExportType`, `Format`.
    pub fn by_export(mut self, export_type: ExportType, format: ExportFormat) -> Self {
        self.dimensions
            .push((dimension::EXPORT_TYPE, export_type.as_str().to_string()));
        self.dimensions
            .push((dimension::FORMAT, format.as_str().to_string()));
        self.sets.push(vec![
            dimension::FUNCTION,
            dimension::EXPORT_TYPE,
            dimension::FORMAT,
        ]);
        self
    }

    /// A code as a dimension ([`code_value`]), and a set `Function`, `Code`.
    pub fn by_code(mut self, code: &str) -> Self {
        self.dimensions
            .push((dimension::CODE, code_value(code).to_string()));
        self.sets.push(vec![dimension::FUNCTION, dimension::CODE]);
        self
    }

    pub fn count(self, name: &'static str, n: u64) -> Self {
        self.value(name, Unit::Count, n)
    }

    pub fn millis(self, name: &'static str, ms: u64) -> Self {
        self.value(name, Unit::Milliseconds, ms)
    }

    pub fn bytes(self, name: &'static str, bytes: u64) -> Self {
        self.value(name, Unit::Bytes, bytes)
    }

    fn value(mut self, name: &'static str, unit: Unit, v: u64) -> Self {
        self.values.push((name, unit, v));
        self
    }

    /// The EMF document, with its timestamp in milliseconds since the epoch.
    pub fn to_json(&self, timestamp_millis: i64) -> Value {
        let metrics: Vec<Value> = self
            .values
            .iter()
            .map(|(name, unit, _)| json!({ "Name": name, "Unit": unit.as_str() }))
            .collect();
        let mut root = Map::new();
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_millis,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": self.sets,
                    "Metrics": metrics,
                }],
            }),
        );
        for (k, v) in &self.dimensions {
            root.insert((*k).into(), Value::String(v.clone()));
        }
        for (name, _, v) in &self.values {
            root.insert((*name).into(), json!(v));
        }
        Value::Object(root)
    }

    /// Writes the line to stderr (Lambda sends it to CloudWatch Logs, which extracts the
    /// metrics). One `eprintln!` is one write under stderr's lock, so a line is never split by
    /// a log line; stdout stays free for the local runner's output.
    pub fn emit(&self) {
        if self.values.is_empty() {
            return;
        }
        eprintln!("{}", self.to_json(chrono::Utc::now().timestamp_millis()));
    }
}

/// API: a new export accepted.
pub fn export_requested(export_type: ExportType, format: ExportFormat) -> Metrics {
    Metrics::new(Function::Api)
        .by_export(export_type, format)
        .count(name::EXPORTS_REQUESTED, 1)
}

/// API: a request to an export endpoint refused with `code` (the response's error code).
pub fn export_rejected(code: &str) -> Metrics {
    Metrics::new(Function::Api)
        .by_code(code)
        .count(name::EXPORTS_REJECTED, 1)
}

/// Renderer: what one message's `render_job` did; `export_millis` is the whole job's time.
/// `None` for a message that rendered nothing (finished already, lease held elsewhere).
pub fn rendered(report: &RenderReport, export_millis: u64) -> Option<Metrics> {
    let m = Metrics::new(Function::Renderer);
    let by_export = |m: Metrics| match report.export {
        Some((t, f)) => m.by_export(t, f),
        None => m,
    };
    Some(match &report.result {
        RenderResult::Skipped => return None,
        RenderResult::Completed(stats) => {
            let m = by_export(m)
                .count(name::EXPORTS_COMPLETED, 1)
                .millis(name::RENDER_MILLIS, stats.render_millis)
                .millis(name::EXPORT_MILLIS, export_millis)
                .bytes(name::EXPORT_BYTES, stats.bytes);
            match stats.pages {
                Some(pages) => m.count(name::EXPORT_PAGES, u64::from(pages)),
                None => m,
            }
        }
        RenderResult::Failed { code } => by_export(m)
            .by_code(code)
            .count(name::EXPORTS_FAILED, 1)
            .millis(name::EXPORT_MILLIS, export_millis),
        RenderResult::Retrying { code } => {
            by_export(m).by_code(code).count(name::EXPORTS_RETRIED, 1)
        }
    })
}

/// Renderer: a message whose `render_job` failed with a port error (`code`:
/// [`exports_core::service::port_error_code`]); it is delivered again.
pub fn render_errored(code: &str) -> Metrics {
    Metrics::new(Function::Renderer)
        .by_code(code)
        .count(name::EXPORTS_RETRIED, 1)
}

/// Scheduler: one tick.
pub fn tick(summary: &TickSummary, sweep: &SweepSummary, millis: u64) -> Metrics {
    Metrics::new(Function::Scheduler)
        .count(name::TICK_DUE, summary.due as u64)
        .count(name::TICK_QUEUED, summary.queued as u64)
        .count(name::TICK_SKIPPED, summary.skipped as u64)
        .count(name::EXPORTS_REQUEUED, sweep.requeued as u64)
        .count(name::EXPORTS_ABANDONED, sweep.abandoned as u64)
        .millis(name::TICK_MILLIS, millis)
}

/// Scheduler: one run taken from the scheduled-runs queue.
pub fn run(report: &RunReport, millis: u64) -> Metrics {
    let m = Metrics::new(Function::Scheduler);
    let m = match report.code {
        Some(code) => m.by_code(code),
        None => m,
    };
    let m = match report.outcome {
        RunOutcome::Emailed => m.count(name::RUNS_EMAILED, 1).count(name::EMAILS_SENT, 1),
        RunOutcome::Failed => m.count(name::RUNS_FAILED, 1),
        RunOutcome::Retrying => m.count(name::RUNS_RETRYING, 1),
        RunOutcome::Skipped | RunOutcome::NotDue => m.count(name::RUNS_SKIPPED, 1),
    };
    let m = if report.code == Some(EMAIL_FAILED) {
        m.count(name::EMAILS_FAILED, 1)
    } else {
        m
    };
    m.millis(name::RUN_MILLIS, millis)
}

/// Scheduler: a run message that could not be handled (a port error); it is delivered again.
pub fn run_errored(code: &str, millis: u64) -> Metrics {
    Metrics::new(Function::Scheduler)
        .by_code(code)
        .count(name::RUNS_RETRYING, 1)
        .millis(name::RUN_MILLIS, millis)
}

/// The run code of an e-mail SES refused or that could not be sent.
const EMAIL_FAILED: &str = "email_failed";

#[cfg(test)]
mod tests {
    use exports_core::service::FileStats;

    use super::*;

    const AT: i64 = 1_764_244_800_000;

    /// The line as CloudWatch reads it: parsed back from its text.
    fn parsed(m: &Metrics) -> Value {
        let text = m.to_json(AT).to_string();
        assert!(!text.contains('\n'), "one line");
        serde_json::from_str(&text).expect("JSON")
    }

    /// Checks the document against the EMF specification and returns
    /// `(dimension sets, [(metric, unit)])`.
    fn structure(doc: &Value) -> (Vec<Vec<String>>, Vec<(String, String)>) {
        let aws = &doc["_aws"];
        assert_eq!(aws["Timestamp"], json!(AT));
        let directives = aws["CloudWatchMetrics"].as_array().expect("directives");
        assert_eq!(directives.len(), 1);
        let d = &directives[0];
        assert_eq!(d["Namespace"], NAMESPACE);
        let sets: Vec<Vec<String>> =
            serde_json::from_value(d["Dimensions"].clone()).expect("arrays of names");
        for set in &sets {
            assert!(!set.is_empty() && set.len() <= 30, "{set:?}");
            for dim in set {
                assert!(doc[dim].is_string(), "dimension {dim} is a string member");
            }
        }
        let metrics: Vec<(String, String)> = d["Metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .map(|m| {
                let name = m["Name"].as_str().expect("Name").to_string();
                assert!(doc[&name].is_u64(), "{name} has a number value");
                assert!(name::ALL.contains(&name.as_str()), "{name} is a known name");
                (name, m["Unit"].as_str().expect("Unit").to_string())
            })
            .collect();
        assert!(!metrics.is_empty() && metrics.len() <= 100);
        (sets, metrics)
    }

    /// Every member of the document: `_aws`, the dimensions, the metrics, nothing else.
    fn members(doc: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = doc
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    fn completed(pages: Option<u32>) -> RenderReport {
        RenderReport {
            outcome: exports_core::service::RenderOutcome::Done,
            export: Some((ExportType::ProgressReport, ExportFormat::Pdf)),
            result: RenderResult::Completed(FileStats {
                bytes: 48_213,
                pages,
                render_millis: 153,
            }),
        }
    }

    #[test]
    fn a_completed_export_is_one_emf_line_with_units_and_type_and_format_dimensions() {
        let doc = parsed(&rendered(&completed(Some(12)), 410).expect("metrics"));
        let (sets, metrics) = structure(&doc);
        assert_eq!(
            sets,
            [vec!["Function"], vec!["Function", "ExportType", "Format"]]
        );
        assert_eq!(
            metrics,
            [
                ("ExportsCompleted", "Count"),
                ("RenderMillis", "Milliseconds"),
                ("ExportMillis", "Milliseconds"),
                ("ExportBytes", "Bytes"),
                ("ExportPages", "Count"),
            ]
            .map(|(n, u)| (n.to_string(), u.to_string()))
        );
        assert_eq!(
            (&doc["Function"], &doc["ExportType"], &doc["Format"]),
            (&json!("renderer"), &json!("progress_report"), &json!("pdf"))
        );
        assert_eq!(
            (
                &doc["ExportsCompleted"],
                &doc["RenderMillis"],
                &doc["ExportMillis"],
                &doc["ExportBytes"],
                &doc["ExportPages"]
            ),
            (
                &json!(1),
                &json!(153),
                &json!(410),
                &json!(48_213),
                &json!(12)
            )
        );
    }

    #[test]
    fn a_file_without_pages_declares_no_pages_metric() {
        let doc = parsed(&rendered(&completed(None), 410).expect("metrics"));
        let (_, metrics) = structure(&doc);
        assert!(!metrics.iter().any(|(n, _)| n == name::EXPORT_PAGES));
        assert!(doc.get(name::EXPORT_PAGES).is_none());
    }

    #[test]
    fn failures_carry_their_code_as_a_dimension_and_skips_emit_nothing() {
        let failed = RenderReport {
            outcome: exports_core::service::RenderOutcome::Done,
            export: Some((ExportType::FullRecord, ExportFormat::Docx)),
            result: RenderResult::Failed {
                code: "access_revoked".into(),
            },
        };
        let doc = parsed(&rendered(&failed, 90).expect("metrics"));
        let (sets, metrics) = structure(&doc);
        assert!(sets.contains(&vec!["Function".to_string(), "Code".to_string()]));
        assert_eq!(metrics[0], ("ExportsFailed".into(), "Count".into()));
        assert_eq!(doc["Code"], "access_revoked");
        let skipped = RenderReport {
            result: RenderResult::Skipped,
            ..failed
        };
        assert_eq!(rendered(&skipped, 5), None);
        let doc = parsed(&render_errored("unavailable"));
        assert_eq!(
            (&doc["ExportsRetried"], &doc["Code"]),
            (&json!(1), &json!("unavailable"))
        );
    }

    #[test]
    fn only_words_become_codes() {
        assert_eq!(code_value("rate_limited"), "rate_limited");
        for not_a_code in [
            "",
            "Jane Doe",
            "0199a1b2-0000-7000-8000-000000000001",
            "patient 42",
            "export_failed: render_failed",
            &"a".repeat(49),
        ] {
            assert_eq!(code_value(not_a_code), "other", "{not_a_code:?}");
        }
        let doc = parsed(&export_rejected("Jane Doe, MRN 12345"));
        assert_eq!(doc["Code"], "other");
    }

    #[test]
    fn lines_hold_only_the_namespace_s_members_never_ids_or_names() {
        let run_failed = RunReport {
            outcome: RunOutcome::Retrying,
            code: Some("email_failed"),
        };
        let lines = [
            export_requested(ExportType::SessionNotes, ExportFormat::Csv),
            export_rejected("rate_limited"),
            rendered(&completed(Some(3)), 1).expect("metrics"),
            tick(
                &TickSummary {
                    due: 3,
                    queued: 2,
                    skipped: 1,
                },
                &SweepSummary {
                    requeued: 2,
                    abandoned: 1,
                },
                40,
            ),
            run(&run_failed, 700),
            run_errored("unavailable", 3),
        ];
        let allowed: Vec<&str> = ["_aws", "Function", "ExportType", "Format", "Code"]
            .into_iter()
            .chain(name::ALL.iter().copied())
            .collect();
        for line in &lines {
            let doc = parsed(line);
            structure(&doc);
            for member in members(&doc) {
                assert!(allowed.contains(&member), "{member} in {doc}");
            }
            let mut outside_aws = doc.clone();
            outside_aws.as_object_mut().expect("object").remove("_aws");
            let text = outside_aws.to_string().to_lowercase();
            for forbidden in ["patient", "job_id", "schedule_id", "mrn", "@"] {
                assert!(!text.contains(forbidden), "{forbidden} in {doc}");
            }
            // Dimension values are words, never ids.
            for (k, v) in outside_aws.as_object().expect("object") {
                if let Value::String(v) = v {
                    assert_eq!(code_value(v), v, "{k}: {v}");
                }
            }
        }
    }

    #[test]
    fn a_tick_and_runs_count_what_they_did_and_emails_sent_or_failed() {
        let doc = parsed(&tick(
            &TickSummary {
                due: 7,
                queued: 5,
                skipped: 2,
            },
            &SweepSummary {
                requeued: 3,
                abandoned: 1,
            },
            40,
        ));
        let (sets, metrics) = structure(&doc);
        assert_eq!(sets, [vec!["Function"]]);
        assert_eq!(doc["Function"], "scheduler");
        assert_eq!(
            metrics.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            [
                "TickDue",
                "TickQueued",
                "TickSkipped",
                "ExportsRequeued",
                "ExportsAbandoned",
                "TickMillis"
            ]
        );
        assert_eq!(
            (&doc["TickDue"], &doc["TickQueued"], &doc["TickSkipped"]),
            (&json!(7), &json!(5), &json!(2))
        );
        assert_eq!(
            (&doc["ExportsRequeued"], &doc["ExportsAbandoned"]),
            (&json!(3), &json!(1))
        );

        let emailed = parsed(&run(
            &RunReport {
                outcome: RunOutcome::Emailed,
                code: None,
            },
            900,
        ));
        assert_eq!(
            (&emailed["RunsEmailed"], &emailed["EmailsSent"]),
            (&json!(1), &json!(1))
        );
        assert!(emailed.get("EmailsFailed").is_none() && emailed.get("Code").is_none());

        let mail_failed = parsed(&run(
            &RunReport {
                outcome: RunOutcome::Retrying,
                code: Some("email_failed"),
            },
            900,
        ));
        assert_eq!(
            (
                &mail_failed["RunsRetrying"],
                &mail_failed["EmailsFailed"],
                &mail_failed["Code"]
            ),
            (&json!(1), &json!(1), &json!("email_failed"))
        );
        assert!(mail_failed.get("EmailsSent").is_none());

        let revoked = parsed(&run(
            &RunReport {
                outcome: RunOutcome::Failed,
                code: Some("access_revoked"),
            },
            30,
        ));
        assert_eq!(revoked["RunsFailed"], 1);
        assert!(revoked.get("EmailsFailed").is_none(), "no mail was tried");
    }

    #[test]
    fn every_metric_name_is_unique_and_emitted_by_one_function() {
        let mut names = name::ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), name::ALL.len());
        let mut by_function: Vec<&str> = Function::ALL
            .iter()
            .flat_map(|f| emitted_by(*f).iter().copied())
            .collect();
        by_function.sort_unstable();
        assert_eq!(by_function, names);
    }

    #[test]
    fn each_builder_emits_its_function_s_metrics_only() {
        let lines = [
            export_requested(ExportType::SessionNotes, ExportFormat::Csv),
            export_rejected("rate_limited"),
            rendered(&completed(Some(3)), 1).expect("metrics"),
            render_errored("unavailable"),
            tick(&TickSummary::default(), &SweepSummary::default(), 1),
            run(
                &RunReport {
                    outcome: RunOutcome::Emailed,
                    code: None,
                },
                1,
            ),
            run_errored("conflict", 1),
        ];
        for line in &lines {
            let doc = parsed(line);
            let function = Function::ALL
                .into_iter()
                .find(|f| doc["Function"] == f.as_str())
                .expect("a function");
            for (metric, _) in structure(&doc).1 {
                assert!(emitted_by(function).contains(&metric.as_str()), "{metric}");
            }
        }
    }
}
