//! AWS adapters of the core's ports, configuration from the environment, and provisioning of
//! the resources they use. Clients come from [`config::AwsClients`], built once per cold start.

pub mod config;
pub mod error;
pub mod provision;
pub mod records_store;
pub mod resources;
pub mod telemetry;
