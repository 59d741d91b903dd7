//! Ports: the small traits the use cases depend on. AWS adapters implement them in
//! `exports-aws`; in-memory adapters in [`crate::memory`] serve fast unit tests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::records::{Patient, PatientRecord, Therapist};

/// Failure of an adapter. Messages carry ids and AWS error codes, never record contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// A conditional write lost: someone else changed the item first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backing service failed or could not be reached; worth retrying.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be decoded.
    #[error("corrupt item: {0}")]
    Corrupt(String),
}

/// Which of a patient's sessions to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionScope {
    All,
    /// Sessions starting in `[from, to]`, both inclusive.
    Between {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// Read access to the clinical records store.
#[async_trait]
pub trait RecordSource: Send + Sync {
    /// The patient's profile alone: enough to check who may export them.
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError>;

    /// Everything recorded about one patient, with sessions limited to `scope`; lists in storage
    /// order (see [`PatientRecord::normalize`]). `None` if there is no such patient.
    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError>;

    /// The given therapists, in the order asked; unknown ids are left out.
    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError>;
}

/// The time, injectable so schedules and expiry can be tested.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
