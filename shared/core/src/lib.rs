//! The pure core of practice-exports: domain types, validation, report data and the ports
//! (small traits) the functions depend on. No AWS SDK and no async runtime live here, so it
//! compiles fast, unit-tests with in-memory ports and benches alone.

pub mod audit;
pub mod audit_export;
pub mod dates;
pub mod export;
pub mod identity;
pub mod instruments;
pub mod job;
pub mod mail;
pub mod params;
pub mod ports;
pub mod records;
pub mod recurrence;
pub mod report;
pub mod scheduled_report;
pub mod service;
pub mod template;
pub mod validation;
