//! AWS adapters of the core's ports and configuration from the environment. Clients come from
//! [`config::AwsClients`], built once per cold start; resources are described in [`resources`]
//! (and created on an emulator by `exports-local-env`).

mod attribute;
pub mod audit_exports_store;
pub mod audit_log;
pub mod config;
pub mod error;
pub mod jobs_store;
#[cfg(feature = "ses")]
pub mod mailer;
pub mod metrics;
pub mod object_store;
pub mod queue;
pub mod rate_limiter;
pub mod records_store;
pub mod resources;
pub mod schedules_store;
pub mod telemetry;
pub mod templates_store;
pub mod wiring;
