//! Structured JSON logs for every binary: ids, counts and timings only, never PHI.

use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// JSON lines on stderr at `LOG_LEVEL` (default `info`; e.g. `LOG_LEVEL=debug`).
pub fn init_json_logs() {
    let filter = log_filter(std::env::var("LOG_LEVEL").ok().as_deref());
    // Lambda adds its own timestamp and request id to each line.
    let logs = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .try_init();
}

/// `LOG_LEVEL` as a filter: a level (`debug`), or comma-separated `target=level` directives with
/// an optional default level (`warn,exports_core=debug`); unset or unreadable means `info`.
/// A [`Targets`] filter, not `EnvFilter`: that one's span and field directives bring a regex
/// engine (about 250 KB of the API binary) that these simple filters never need.
fn log_filter(value: Option<&str>) -> Targets {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn a_level_or_directives_and_info_otherwise() {
        let info = log_filter(None);
        assert!(info.would_enable("exports_api", &Level::INFO));
        assert!(!info.would_enable("exports_api", &Level::DEBUG));
        for unreadable in ["", "  ", "exports_core=noisy", "debug=3=4"] {
            let f = log_filter(Some(unreadable));
            assert!(f.would_enable("x", &Level::INFO), "{unreadable:?}");
            assert!(!f.would_enable("x", &Level::DEBUG), "{unreadable:?}");
        }
        let debug = log_filter(Some("debug"));
        assert!(debug.would_enable("aws_config", &Level::DEBUG));
        assert!(!debug.would_enable("aws_config", &Level::TRACE));
        let mixed = log_filter(Some("warn,exports_core=debug"));
        assert!(mixed.would_enable("exports_core::service", &Level::DEBUG));
        assert!(!mixed.would_enable("aws_smithy_runtime", &Level::INFO));
        assert!(mixed.would_enable("aws_smithy_runtime", &Level::WARN));
        assert!(!log_filter(Some("off")).would_enable("x", &Level::ERROR));
    }
}
