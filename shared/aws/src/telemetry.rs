//! Structured JSON logs for every binary: ids, counts and timings only, never PHI.

/// JSON lines on stderr at `LOG_LEVEL` (default `info`; e.g. `LOG_LEVEL=debug`).
pub fn init_json_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOG_LEVEL")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Lambda adds its own timestamp and request id to each line.
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}
