//! In-memory adapters of the ports, for fast unit tests of the core and for benches.

use std::collections::HashMap;

use async_trait::async_trait;
use uuid::Uuid;

use crate::ports::{PortError, RecordSource, SessionScope};
use crate::records::{Patient, PatientRecord, PracticeData, Therapist};

/// A [`RecordSource`] over a practice held in memory.
#[derive(Debug, Clone, Default)]
pub struct InMemoryRecords {
    therapists: HashMap<Uuid, Therapist>,
    patients: HashMap<Uuid, PatientRecord>,
}

impl InMemoryRecords {
    pub fn new(data: PracticeData) -> Self {
        let therapists = data.therapists.into_iter().map(|t| (t.id, t)).collect();
        let patients = data
            .patients
            .into_iter()
            .map(|mut p| {
                p.normalize();
                (p.patient.id, p)
            })
            .collect();
        Self {
            therapists,
            patients,
        }
    }
}

/// Keeps the sessions that `scope` selects.
pub fn apply_scope(record: &mut PatientRecord, scope: SessionScope) {
    if let SessionScope::Between { from, to } = scope {
        record
            .sessions
            .retain(|s| (from..=to).contains(&s.session.start_time));
    }
}

#[async_trait]
impl RecordSource for InMemoryRecords {
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError> {
        Ok(self.patients.get(&patient_id).map(|p| p.patient.clone()))
    }

    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        Ok(self.patients.get(&patient_id).map(|p| {
            let mut p = p.clone();
            apply_scope(&mut p, scope);
            p
        }))
    }

    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        Ok(ids
            .iter()
            .filter_map(|id| self.therapists.get(id).cloned())
            .collect())
    }
}
