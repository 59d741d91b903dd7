//! Configuration from the environment (the one module that reads it) and the AWS clients built
//! from it, once per cold start.
//!
//! Every variable is documented in README.md ("Configuration").

use std::env;
use std::sync::LazyLock;
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
// The SDK crates re-export the smithy runtime's client type.
use aws_sdk_dynamodb::config::SharedHttpClient;
use exports_core::service::{DEFAULT_EXPORTS_PER_HOUR, MAX_DOWNLOAD_URL_TTL, Settings};

use crate::resources::JOBS_QUEUE;

/// Default prefix of every resource name when no variable overrides it.
pub const DEFAULT_PREFIX: &str = "practice-exports";

/// Names of every AWS resource the system uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceNames {
    pub records_table: String,
    pub jobs_table: String,
    pub audit_table: String,
    pub control_table: String,
    pub templates_table: String,
    pub schedules_table: String,
    pub jobs_queue: String,
    pub jobs_dlq: String,
    /// Scheduled runs the tick claimed, waiting for the scheduled-run function.
    pub runs_queue: String,
    pub runs_dlq: String,
    pub exports_bucket: String,
    /// A KMS key id, ARN or `alias/…`.
    pub kms_key: String,
    /// The verified SES sender address.
    pub ses_sender: String,
}

impl ResourceNames {
    /// The names a stack deployed under `prefix` uses (tests use a random prefix each).
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            records_table: format!("{prefix}-records"),
            jobs_table: format!("{prefix}-jobs"),
            audit_table: format!("{prefix}-audit"),
            control_table: format!("{prefix}-control"),
            templates_table: format!("{prefix}-templates"),
            schedules_table: format!("{prefix}-schedules"),
            jobs_queue: format!("{prefix}-jobs"),
            jobs_dlq: format!("{prefix}-jobs-dlq"),
            runs_queue: format!("{prefix}-scheduled-runs"),
            runs_dlq: format!("{prefix}-scheduled-runs-dlq"),
            exports_bucket: format!("{prefix}-exports"),
            kms_key: format!("alias/{prefix}"),
            ses_sender: format!("reports@{prefix}.example.com"),
        }
    }

    /// Names from the environment: `RESOURCE_PREFIX` (default `practice-exports`) gives every
    /// default, and each `*_TABLE`, `JOBS_QUEUE`, `JOBS_DLQ`, `SCHEDULED_RUNS_QUEUE`,
    /// `SCHEDULED_RUNS_DLQ`, `EXPORTS_BUCKET`, `KMS_KEY_ID`, `SES_SENDER` variable overrides one name.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| env::var(k).ok().filter(|v| !v.is_empty()))
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let prefix = get("RESOURCE_PREFIX").unwrap_or_else(|| DEFAULT_PREFIX.to_string());
        let d = Self::with_prefix(&prefix);
        let pick = |key: &str, default: String| get(key).unwrap_or(default);
        Self {
            records_table: pick("RECORDS_TABLE", d.records_table),
            jobs_table: pick("JOBS_TABLE", d.jobs_table),
            audit_table: pick("AUDIT_TABLE", d.audit_table),
            control_table: pick("CONTROL_TABLE", d.control_table),
            templates_table: pick("TEMPLATES_TABLE", d.templates_table),
            schedules_table: pick("SCHEDULES_TABLE", d.schedules_table),
            jobs_queue: pick("JOBS_QUEUE", d.jobs_queue),
            jobs_dlq: pick("JOBS_DLQ", d.jobs_dlq),
            runs_queue: pick("SCHEDULED_RUNS_QUEUE", d.runs_queue),
            runs_dlq: pick("SCHEDULED_RUNS_DLQ", d.runs_dlq),
            exports_bucket: pick("EXPORTS_BUCKET", d.exports_bucket),
            kms_key: pick("KMS_KEY_ID", d.kms_key),
            ses_sender: pick("SES_SENDER", d.ses_sender),
        }
    }
}

/// Origins of the web app, used for CORS by the API (the SAM template's HTTP API, the local
/// runner) and by the exports bucket (downloads with `fetch`).
pub const DEFAULT_WEB_APP_ORIGINS: &[&str] = &["http://127.0.0.1:3000", "http://localhost:3000"];

/// `WEB_APP_ORIGIN`: the web app's origins, comma-separated (default [`DEFAULT_WEB_APP_ORIGINS`]).
/// Each is `http(s)://host[:port]` with no path: exactly what a browser sends as `Origin`. `*` is
/// refused: exports are PHI and only the practice's own app may read them from a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAppOrigins(pub Vec<String>);

impl Default for WebAppOrigins {
    fn default() -> Self {
        Self(
            DEFAULT_WEB_APP_ORIGINS
                .iter()
                .map(|o| o.to_string())
                .collect(),
        )
    }
}

impl WebAppOrigins {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::parse(env::var("WEB_APP_ORIGIN").ok().as_deref())
    }

    pub fn parse(value: Option<&str>) -> Result<Self, ConfigError> {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            return Ok(Self::default());
        };
        let mut origins = Vec::new();
        for origin in value.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let origin = origin.trim_end_matches('/').to_ascii_lowercase();
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let valid = host.is_some_and(|h| {
                !h.is_empty()
                    && !h.contains(['/', '?', '#', '*', '@'])
                    && !h.chars().any(char::is_whitespace)
            });
            if !valid {
                return Err(ConfigError {
                    variable: "WEB_APP_ORIGIN",
                    message: format!(
                        "not an origin (http(s)://host[:port], no path, no wildcard): {origin:?}"
                    ),
                });
            }
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        Ok(Self(origins))
    }

    pub fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

/// The shared SDK configuration: region, credentials and `AWS_ENDPOINT_URL` from the standard
/// AWS environment and profile chain, over [`https_client`].
pub async fn load_sdk_config() -> SdkConfig {
    load_sdk_config_with(Waits::WORKER).await
}

/// [`load_sdk_config`] with the function's [`Waits`].
pub async fn load_sdk_config_with(waits: Waits) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .timeout_config(waits.timeout_config())
        .retry_config(waits.retry_config())
        .load()
        .await
}

/// How long a function waits for AWS, chosen per function so that a dependency that hangs (a
/// connection that opens but never answers, a throttled or unreachable service) ends in an error
/// the function can answer, within its own budget, instead of in its Lambda timeout.
///
/// Every SDK call: `connect` to open a connection, `attempt` per try, `max_attempts` tries
/// (standard retry mode: exponential backoff with jitter, only retryable errors and timeouts),
/// and `operation` for the whole call, retries and backoff included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waits {
    pub connect: Duration,
    pub attempt: Duration,
    pub operation: Duration,
    pub max_attempts: u32,
}

impl Waits {
    /// The API answers within a few seconds: a call gives up after 2.5 s (two tries of at most
    /// 1 s each, and the backoff between them); the handler's own deadline
    /// (`exports_api::DEADLINE`) bounds a request that makes several calls.
    pub const API: Waits = Waits {
        connect: Duration::from_millis(500),
        attempt: Duration::from_secs(1),
        operation: Duration::from_millis(2500),
        max_attempts: 2,
    };

    /// The renderer (60 s timeout) and the scheduler (300 s): a call gives up after 20 s (three
    /// tries of at most 6 s each: a large S3 upload fits), well inside either timeout, so a
    /// failed message is reported and retried by SQS instead of the invocation timing out.
    pub const WORKER: Waits = Waits {
        connect: Duration::from_secs(2),
        attempt: Duration::from_secs(6),
        operation: Duration::from_secs(20),
        max_attempts: 3,
    };

    pub fn timeout_config(&self) -> aws_config::timeout::TimeoutConfig {
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    pub fn retry_config(&self) -> aws_config::retry::RetryConfig {
        aws_config::retry::RetryConfig::standard().with_max_attempts(self.max_attempts)
    }
}

/// The HTTP client of every SDK client: the SDK's default one (hyper 1, rustls, the SDK's
/// timeouts, a proxy from the environment) except for its crypto and where its root certificates
/// come from. No SDK crate enables `default-https-client`, so every client must be given this one
/// (`aws_config::defaults(…).http_client(https_client())`); one without it fails its first call.
///
/// rustls' crypto is ring, not the SDK default aws-lc: the same TLS 1.2/1.3 cipher suites and
/// certificate verification for a fraction of the binary (aws-lc is a C library of megabytes; the
/// API function's size budget is 8 MB). What ring lacks is aws-lc's post-quantum hybrid key
/// exchange (X25519MLKEM768); key exchange is X25519 or ECDHE over P-256/P-384, as AWS endpoints
/// negotiated before post-quantum TLS.
///
/// The default reads every file of the system certificate store (`/etc/ssl/certs`) at cold start:
/// several milliseconds. These roots are Mozilla's, compiled in (`webpki-root-certs`; Amazon's
/// roots are among them), and every TLS connection still verifies the server's certificate
/// against them. A new root needs a rebuild. Where `SSL_CERT_FILE` or `SSL_CERT_DIR` is set (a
/// TLS-inspecting proxy, a private CA), the system store is trusted as well, as before. `http://`
/// endpoints (the emulator) use no TLS.
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};

    Builder::new().build_with_connector_fn(|settings, components| {
        // Requests always come with settings and components. Without both, this is the call the
        // SDK makes as each client is built, only to load the system store early, and it drops
        // the connector: it gets one that trusts nothing (nothing to load here, and should it
        // ever carry a request, TLS fails closed) instead of parsing every root once per client.
        let warm_up = settings.is_none() && components.is_none();
        let context = if warm_up {
            tls_context(tls::TrustStore::empty())
        } else {
            ROOTS.clone()
        };
        // What the SDK's `default_https_client` does, with ring and that TLS context.
        let mut connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .tls_context(context);
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The trusted roots, made on the first request (one connector per timeout setting is built and
/// cached by the SDK, each parsing these).
static ROOTS: LazyLock<aws_smithy_http_client::tls::TlsContext> = LazyLock::new(|| {
    let native = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .any(|k| env::var_os(k).is_some_and(|v| !v.is_empty()));
    tls_context(
        aws_smithy_http_client::tls::TrustStore::empty()
            .with_native_roots(native)
            .with_pem_certificate(compiled_in_roots_pem()),
    )
});

fn tls_context(
    trust: aws_smithy_http_client::tls::TrustStore,
) -> aws_smithy_http_client::tls::TlsContext {
    use aws_smithy_http_client::tls::TlsContext;
    match TlsContext::builder().with_trust_store(trust).build() {
        Ok(context) => context,
        // `build` cannot fail in this SDK version; should a later one, trust the system store.
        Err(e) => {
            tracing::warn!(error = %e, "TLS trust store unusable; using the system store");
            TlsContext::default()
        }
    }
}

/// Mozilla's root certificates as one PEM bundle, the form the SDK's trust store takes.
fn compiled_in_roots_pem() -> Vec<u8> {
    use base64::Engine;
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
    let mut pem = Vec::with_capacity(roots.iter().map(|c| c.len() * 4 / 3 + 80).sum());
    for cert in roots {
        pem.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        let body = base64::engine::general_purpose::STANDARD.encode(cert.as_ref());
        for line in body.as_bytes().chunks(64) {
            pem.extend_from_slice(line);
            pem.push(b'\n');
        }
        pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    }
    pem
}

/// One client per service the functions call, built once per cold start and cloned (cheaply)
/// into handlers. (KMS is not among them: S3 encrypts with the key; only provisioning manages it.)
/// SES only with the `ses` feature: only the scheduler sends mail.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
    #[cfg(feature = "ses")]
    pub ses: aws_sdk_ses::Client,
}

impl AwsClients {
    pub fn new(sdk: &SdkConfig) -> Self {
        // Emulators serve buckets by path (`http://host/bucket/key`), not by virtual host.
        let s3 = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .build();
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(sdk),
            s3: aws_sdk_s3::Client::from_conf(s3),
            sqs: aws_sdk_sqs::Client::new(sdk),
            #[cfg(feature = "ses")]
            ses: aws_sdk_ses::Client::new(sdk),
        }
    }

    /// The clients of a tool or test (the workers' [`Waits`]).
    pub async fn from_env() -> Self {
        Self::new(&load_sdk_config().await)
    }

    /// The clients of a function, with its [`Waits`].
    pub async fn from_env_with(waits: Waits) -> Self {
        Self::new(&load_sdk_config_with(waits).await)
    }
}

/// A configuration value that cannot be used; reported at cold start, before any request.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError {
            variable,
            message: format!("not a number: {v:?}"),
        }),
    }
}

/// Tunables from the environment (README, "Configuration").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    pub settings: Settings,
    pub exports_per_hour: u32,
}

impl ServiceConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Settings::default();
        let ttl: u64 = number(
            &get,
            "DOWNLOAD_URL_TTL_SECONDS",
            defaults.download_url_ttl.as_secs(),
        )?;
        if ttl == 0 || ttl > MAX_DOWNLOAD_URL_TTL.as_secs() {
            return Err(ConfigError {
                variable: "DOWNLOAD_URL_TTL_SECONDS",
                message: format!("must be between 1 and {}", MAX_DOWNLOAD_URL_TTL.as_secs()),
            });
        }
        let lease: u64 = number(
            &get,
            "RENDER_LEASE_SECONDS",
            defaults.render_lease.as_secs(),
        )?;
        let exports_per_hour = number(&get, "EXPORTS_PER_HOUR", DEFAULT_EXPORTS_PER_HOUR)?;
        let app_base_url = match get("APP_BASE_URL") {
            None => defaults.app_base_url.clone(),
            Some(url) => {
                let url = url.trim().trim_end_matches('/').to_string();
                let host = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                if host.is_none_or(|h| h.is_empty() || h.chars().any(char::is_whitespace)) {
                    return Err(ConfigError {
                        variable: "APP_BASE_URL",
                        message: format!("not an http(s) URL: {url:?}"),
                    });
                }
                url
            }
        };
        let max_attachment_bytes: u64 =
            number(&get, "MAX_ATTACHMENT_BYTES", defaults.max_attachment_bytes)?;
        let run_lease: u64 = number(&get, "RUN_LEASE_SECONDS", defaults.run_lease.as_secs())?;
        if run_lease == 0 {
            return Err(ConfigError {
                variable: "RUN_LEASE_SECONDS",
                message: "must be at least 1".into(),
            });
        }
        if exports_per_hour == 0 {
            return Err(ConfigError {
                variable: "EXPORTS_PER_HOUR",
                message: "must be at least 1".into(),
            });
        }
        Ok(Self {
            settings: Settings {
                download_url_ttl: Duration::from_secs(ttl),
                render_lease: Duration::from_secs(lease.max(1)),
                max_receive_count: number(&get, "MAX_RECEIVE_COUNT", JOBS_QUEUE.max_receive_count)?,
                app_base_url,
                max_attachment_bytes,
                run_lease: Duration::from_secs(run_lease),
                ..defaults
            },
            exports_per_hour,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_lifetime_is_bounded_to_an_hour() {
        let cfg = |k: &'static str, v: &'static str| {
            ServiceConfig::from_lookup(move |x| (x == k).then(|| v.to_string()))
        };
        assert_eq!(
            cfg("X", "1").unwrap().settings.download_url_ttl,
            Duration::from_secs(300)
        );
        assert_eq!(
            cfg("DOWNLOAD_URL_TTL_SECONDS", "3600")
                .unwrap()
                .settings
                .download_url_ttl,
            Duration::from_secs(3600)
        );
        assert!(cfg("DOWNLOAD_URL_TTL_SECONDS", "3601").is_err());
        assert!(cfg("DOWNLOAD_URL_TTL_SECONDS", "five").is_err());
        assert_eq!(cfg("EXPORTS_PER_HOUR", "3").unwrap().exports_per_hour, 3);
    }

    fn one(k: &'static str, v: &'static str) -> Result<ServiceConfig, ConfigError> {
        ServiceConfig::from_lookup(move |x| (x == k).then(|| v.to_string()))
    }

    #[test]
    fn scheduling_settings_have_defaults() {
        let s = ServiceConfig::from_lookup(|_| None).unwrap().settings;
        assert_eq!(s.app_base_url, Settings::default().app_base_url);
        assert_eq!(s.max_attachment_bytes, 10_485_760);
        assert_eq!(s.run_lease, Duration::from_secs(600));
    }

    #[test]
    fn app_base_url_is_an_http_url_without_trailing_slash() {
        assert_eq!(
            one("APP_BASE_URL", "https://app.example.com/")
                .unwrap()
                .settings
                .app_base_url,
            "https://app.example.com"
        );
        assert_eq!(
            one("APP_BASE_URL", "http://localhost:3000")
                .unwrap()
                .settings
                .app_base_url,
            "http://localhost:3000"
        );
        for bad in [
            "app.example.com",
            "ftp://app.example.com",
            "https://",
            "https://a b",
        ] {
            let e = one("APP_BASE_URL", bad).unwrap_err();
            assert_eq!(e.variable, "APP_BASE_URL", "{bad}");
        }
    }

    #[test]
    fn compiled_in_roots_are_every_mozilla_root_including_amazons() {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject;
        let pem = compiled_in_roots_pem();
        let back: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .expect("valid PEM");
        assert_eq!(back, webpki_root_certs::TLS_SERVER_ROOT_CERTS);
        assert!(back.len() > 100, "{} roots", back.len());
        // The roots AWS endpoints chain to.
        for name in [
            "Amazon Root CA 1",
            "Starfield Services Root Certificate Authority - G2",
        ] {
            assert!(
                back.iter()
                    .any(|c| c.windows(name.len()).any(|w| w == name.as_bytes())),
                "{name} missing"
            );
        }
    }

    #[test]
    fn attachment_limit_and_run_lease_are_numbers() {
        assert_eq!(
            one("MAX_ATTACHMENT_BYTES", "1000")
                .unwrap()
                .settings
                .max_attachment_bytes,
            1000
        );
        assert_eq!(
            one("MAX_ATTACHMENT_BYTES", "ten").unwrap_err().variable,
            "MAX_ATTACHMENT_BYTES"
        );
        assert_eq!(
            one("RUN_LEASE_SECONDS", "90").unwrap().settings.run_lease,
            Duration::from_secs(90)
        );
        assert_eq!(
            one("RUN_LEASE_SECONDS", "0").unwrap_err().variable,
            "RUN_LEASE_SECONDS"
        );
        assert_eq!(
            one("RUN_LEASE_SECONDS", "-5").unwrap_err().variable,
            "RUN_LEASE_SECONDS"
        );
    }

    #[test]
    fn prefix_sets_every_default_and_variables_override_one_name() {
        let names = ResourceNames::from_lookup(|k| match k {
            "RESOURCE_PREFIX" => Some("acme".into()),
            "JOBS_TABLE" => Some("custom-jobs".into()),
            _ => None,
        });
        assert_eq!(names.records_table, "acme-records");
        assert_eq!(names.jobs_table, "custom-jobs");
        assert_eq!(names.exports_bucket, "acme-exports");
        assert_eq!(names.kms_key, "alias/acme");
    }

    #[test]
    fn defaults_without_any_variable() {
        let names = ResourceNames::from_lookup(|_| None);
        assert_eq!(names, ResourceNames::with_prefix(DEFAULT_PREFIX));
        assert_eq!(names.jobs_dlq, "practice-exports-jobs-dlq");
    }

    #[test]
    fn web_app_origins_are_browser_origins() {
        assert_eq!(
            WebAppOrigins::parse(None).unwrap(),
            WebAppOrigins::default()
        );
        assert_eq!(
            WebAppOrigins::parse(Some(" https://app.example.com/, http://localhost:3000 ,"))
                .unwrap()
                .0,
            vec!["https://app.example.com", "http://localhost:3000"]
        );
        assert_eq!(
            WebAppOrigins::parse(Some("HTTPS://App.Example.com"))
                .unwrap()
                .0,
            vec!["https://app.example.com"]
        );
        for bad in [
            "*",
            "app.example.com",
            "https://app.example.com/path",
            "https://*.example.com",
            "ftp://x",
        ] {
            let e = WebAppOrigins::parse(Some(bad)).expect_err(bad);
            assert_eq!(e.variable, "WEB_APP_ORIGIN");
        }
    }
}
