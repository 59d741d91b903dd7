//! The clinical records store on DynamoDB (single-table; the layout is in docs/records.md):
//! the [`RecordSource`] adapter and the importer that writes a validated [`PracticeData`].

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest,
};
use exports_core::ports::{PortError, RecordSource, SessionScope};
use exports_core::records::{self, *};
use exports_core::validation::{ValidationErrors, validate_practice};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::attribute::s;
use crate::error::unavailable;

type Item = HashMap<String, AttributeValue>;

/// Sort key of every profile item.
pub const PROFILE: &str = "PROFILE";
/// Sort-key prefix of session items (notes extend their session's key).
pub const SESSION: &str = "SESSION#";
const NOTE_MARK: &str = "#NOTE#";
/// BatchWriteItem takes at most 25 requests, BatchGetItem at most 100 keys.
const WRITE_BATCH: usize = 25;
const GET_BATCH: usize = 100;
const CONCURRENT_BATCHES: usize = 4;
const MAX_ATTEMPTS: u32 = 10;

pub fn patient_pk(id: Uuid) -> String {
    format!("PATIENT#{id}")
}
pub fn therapist_pk(id: Uuid) -> String {
    format!("THERAPIST#{id}")
}

/// The `entity` attribute of each kind of item.
pub mod entity {
    pub const THERAPIST: &str = "therapist";
    pub const ASSIGNMENT: &str = "assignment";
    pub const PATIENT: &str = "patient";
    pub const DIAGNOSIS: &str = "diagnosis";
    pub const TREATMENT_PLAN: &str = "treatment_plan";
    pub const ASSESSMENT: &str = "assessment";
    pub const ATTACHMENT: &str = "attachment";
    pub const SESSION: &str = "session";
    pub const NOTE: &str = "note";
}

/// The sort-key range of everything that sorts before a patient's sessions (profile,
/// diagnoses, plans, assessments, attachments).
const BEFORE_SESSIONS: (&str, &str) = ("A", "SESSION");

/// The lowest sort key of a session starting at `from` or later.
fn session_from(from: &chrono::DateTime<chrono::Utc>) -> String {
    format!("{SESSION}{}", records::order::instant(from))
}

/// A sort key above every session (and its notes) starting at `to` or earlier.
fn session_to(to: &chrono::DateTime<chrono::Utc>) -> String {
    format!("{SESSION}{}#~", records::order::instant(to))
}

fn session_sk(s: &Session) -> String {
    session_key_sk(&SessionKey::of(s))
}

/// The sort key of the session at `k`.
fn session_key_sk(k: &SessionKey) -> String {
    format!("{SESSION}{}", records::order::session_key(k))
}

fn encode<T: Serialize>(pk: &str, sk: &str, entity: &str, value: &T) -> Result<Item, PortError> {
    let mut item: Item = serde_dynamo::to_item(value)
        .map_err(|e| PortError::Corrupt(format!("encoding {entity} {sk}: {e}")))?;
    item.insert("pk".into(), s(pk));
    item.insert("sk".into(), s(sk));
    item.insert("entity".into(), s(entity));
    Ok(item)
}

fn decode<T: DeserializeOwned>(mut item: Item) -> Result<T, PortError> {
    let sk = match item.remove("sk") {
        Some(AttributeValue::S(sk)) => sk,
        _ => String::new(),
    };
    item.remove("pk");
    item.remove("entity");
    // serde_dynamo's error names the field, never its value.
    serde_dynamo::from_item(item).map_err(|e| PortError::Corrupt(format!("item {sk}: {e}")))
}

fn key(pk: &str, sk: &str) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn str_attr<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v,
        _ => "",
    }
}

/// Every item one patient's record is stored as, in no particular order.
pub fn patient_items(r: &PatientRecord) -> Result<Vec<Item>, PortError> {
    let pk = patient_pk(r.patient.id);
    let mut items = Vec::with_capacity(
        1 + r.diagnoses.len()
            + r.treatment_plans.len()
            + r.sessions.len() * 2
            + r.assessments.len()
            + r.attachments.len(),
    );
    items.push(encode(&pk, PROFILE, entity::PATIENT, &r.patient)?);
    for d in &r.diagnoses {
        let sk = format!("DIAGNOSIS#{}", records::order::diagnosis(d));
        items.push(encode(&pk, &sk, entity::DIAGNOSIS, d)?);
    }
    for p in &r.treatment_plans {
        let sk = format!("PLAN#{}", records::order::plan(p));
        items.push(encode(&pk, &sk, entity::TREATMENT_PLAN, p)?);
    }
    for a in &r.assessments {
        let sk = format!("ASSESSMENT#{}", records::order::assessment(a));
        items.push(encode(&pk, &sk, entity::ASSESSMENT, a)?);
    }
    for a in &r.attachments {
        let sk = format!("ATTACHMENT#{}", records::order::attachment(a));
        items.push(encode(&pk, &sk, entity::ATTACHMENT, a)?);
    }
    for sr in &r.sessions {
        let ssk = session_sk(&sr.session);
        items.push(encode(&pk, &ssk, entity::SESSION, &sr.session)?);
        for n in &sr.notes {
            let sk = format!("{ssk}{NOTE_MARK}{}", records::order::note(n));
            items.push(encode(&pk, &sk, entity::NOTE, n)?);
        }
    }
    for t in &r.patient.assigned_therapist_ids {
        items.push(assignment_item(*t, r.patient.id));
    }
    Ok(items)
}

/// Lets a therapist's patients be listed with one query of the therapist's partition.
fn assignment_item(therapist: Uuid, patient: Uuid) -> Item {
    let mut item = key(&therapist_pk(therapist), &patient_pk(patient));
    item.insert("entity".into(), s(entity::ASSIGNMENT));
    item.insert("patient_id".into(), s(patient.to_string()));
    item
}

/// Rebuilds a record from a patient partition's items, which arrive in sort-key order.
fn assemble(items: Vec<Item>) -> Result<Option<PatientRecord>, PortError> {
    let mut record = Assembler::default();
    for item in items {
        record.push(item)?;
    }
    Ok(record.finish())
}

/// A record rebuilt item by item, as a partition's items arrive in sort-key order.
struct Assembler {
    patient: Option<Patient>,
    record: PatientRecord,
    current_session_sk: String,
}

impl Default for Assembler {
    fn default() -> Self {
        Assembler {
            patient: None,
            record: PatientRecord {
                patient: placeholder_patient(),
                diagnoses: Vec::new(),
                treatment_plans: Vec::new(),
                sessions: Vec::new(),
                assessments: Vec::new(),
                attachments: Vec::new(),
            },
            current_session_sk: String::new(),
        }
    }
}

impl Assembler {
    fn push(&mut self, item: Item) -> Result<(), PortError> {
        let r = &mut self.record;
        let sk = str_attr(&item, "sk").to_string();
        match str_attr(&item, "entity") {
            entity::PATIENT => self.patient = Some(decode(item)?),
            entity::DIAGNOSIS => r.diagnoses.push(decode(item)?),
            entity::TREATMENT_PLAN => r.treatment_plans.push(decode(item)?),
            entity::ASSESSMENT => r.assessments.push(decode(item)?),
            entity::ATTACHMENT => r.attachments.push(decode(item)?),
            entity::SESSION => {
                self.current_session_sk = sk;
                r.sessions.push(SessionRecord {
                    session: decode(item)?,
                    notes: Vec::new(),
                });
            }
            entity::NOTE => {
                let session_part = sk.split(NOTE_MARK).next().unwrap_or_default();
                match r.sessions.last_mut() {
                    Some(last) if session_part == self.current_session_sk => {
                        last.notes.push(decode(item)?)
                    }
                    _ => return Err(PortError::Corrupt(format!("note {sk} has no session"))),
                }
            }
            other => {
                return Err(PortError::Corrupt(format!(
                    "item {sk} has unknown entity {other:?}"
                )));
            }
        }
        Ok(())
    }

    /// The record; `None` when no profile arrived.
    fn finish(self) -> Option<PatientRecord> {
        let mut record = self.record;
        self.patient.map(|p| {
            record.patient = p;
            record
        })
    }
}

// Replaced by the decoded profile before the record is handed out; `assemble` returns `None`
// when there is no profile, so this value is never seen.
fn placeholder_patient() -> Patient {
    Patient {
        id: Uuid::nil(),
        mrn: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        name_order: NameOrder::GivenFirst,
        display_name: None,
        date_of_birth: chrono::NaiveDate::MIN,
        gender: String::new(),
        pronouns: None,
        phone: None,
        email: None,
        address: None,
        insurance: None,
        emergency_contact: None,
        intake_date: chrono::NaiveDate::MIN,
        assigned_therapist_ids: Vec::new(),
    }
}

/// Why an import wrote nothing or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is wrong; nothing was written.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The store failed part-way. Every write is a whole-item put or delete, so running the same
    /// import again completes it.
    #[error("store: {0}")]
    Store(#[from] PortError),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub therapists: usize,
    pub patients: usize,
    pub sessions: usize,
    pub notes: usize,
    pub items_written: usize,
    /// Items of re-imported patients that the new file no longer has.
    pub items_deleted: usize,
}

/// The records table.
#[derive(Debug, Clone)]
pub struct DynamoRecords {
    client: Client,
    table: String,
}

impl DynamoRecords {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Queries a partition (optionally a sort-key range) to the end, page after page.
    async fn query_all(
        &self,
        pk: &str,
        range: Option<(&str, &str)>,
        keys_only: bool,
    ) -> Result<Vec<Item>, PortError> {
        self.query(pk, range, keys_only)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(unavailable("Query"))
    }

    /// A query of one partition (a sort-key range of it), read consistently.
    fn query(
        &self,
        pk: &str,
        range: Option<(&str, &str)>,
        keys_only: bool,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let mut q = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", s(pk));
        q = match range {
            Some((lo, hi)) => q
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":lo", s(lo))
                .expression_attribute_values(":hi", s(hi)),
            None => q.key_condition_expression("#pk = :pk"),
        };
        if keys_only {
            q = q.projection_expression("pk, sk, entity, assigned_therapist_ids");
        }
        q
    }

    /// The items of `range` of a partition added to `record` as they arrive, each note's text
    /// dropped first: a partition of thousands of notes is never held whole, nor with its texts.
    async fn outline_into(
        &self,
        record: &mut Assembler,
        pk: &str,
        range: Option<(&str, &str)>,
    ) -> Result<(), PortError> {
        let mut stream = self.query(pk, range, false).into_paginator().items().send();
        while let Some(item) = stream.next().await {
            let mut item = item.map_err(unavailable("Query"))?;
            if str_attr(&item, "entity") == entity::NOTE {
                item.remove("soap");
            }
            record.push(item)?;
        }
        Ok(())
    }

    /// The items of a patient's record, sessions limited to `scope`.
    async fn record_items(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Vec<Item>, PortError> {
        let pk = patient_pk(patient_id);
        match scope {
            SessionScope::All => self.query_all(&pk, None, false).await,
            SessionScope::Between { from, to } => {
                let (lo, hi) = (session_from(&from), session_to(&to));
                let (before, sessions) = futures::try_join!(
                    self.query_all(&pk, Some(BEFORE_SESSIONS), false),
                    self.query_all(&pk, Some((&lo, &hi)), false),
                )?;
                Ok(before.into_iter().chain(sessions).collect())
            }
        }
    }

    /// Ids of the patients assigned to a therapist.
    pub async fn patients_of(&self, therapist_id: Uuid) -> Result<Vec<Uuid>, PortError> {
        let items = self
            .query_all(
                &therapist_pk(therapist_id),
                Some(("PATIENT#", "PATIENT#~")),
                false,
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|i| str_attr(i, "patient_id").parse().ok())
            .collect())
    }

    /// Validates the whole file, then writes it. Each patient in the file is replaced whole:
    /// items of that patient the file no longer has are deleted.
    pub async fn import(&self, data: &PracticeData) -> Result<ImportReport, ImportError> {
        let in_file: HashSet<Uuid> = data.therapists.iter().map(|t| t.id).collect();
        let referenced: Vec<Uuid> = data
            .patients
            .iter()
            .flat_map(|p| {
                p.patient
                    .assigned_therapist_ids
                    .iter()
                    .chain(p.sessions.iter().map(|s| &s.session.therapist_id))
                    .chain(
                        p.sessions
                            .iter()
                            .flat_map(|s| s.notes.iter().map(|n| &n.author_id)),
                    )
            })
            .filter(|id| !in_file.contains(id))
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let known: HashSet<Uuid> = self
            .therapists(&referenced)
            .await?
            .iter()
            .map(|t| t.id)
            .collect();
        validate_practice(data, &known).map_err(ImportError::Invalid)?;

        let mut report = ImportReport {
            therapists: data.therapists.len(),
            patients: data.patients.len(),
            sessions: data.patients.iter().map(|p| p.sessions.len()).sum(),
            notes: data.patients.iter().map(PatientRecord::note_count).sum(),
            ..Default::default()
        };
        let mut puts = Vec::new();
        for t in &data.therapists {
            puts.push(encode(&therapist_pk(t.id), PROFILE, entity::THERAPIST, t)?);
        }
        let mut deletes = Vec::new();
        let patient_items: Vec<Vec<Item>> = data
            .patients
            .iter()
            .map(patient_items)
            .collect::<Result<_, _>>()?;
        let stale: Vec<Vec<Item>> = futures::stream::iter(data.patients.iter().zip(&patient_items))
            .map(|(p, items)| self.stale_items(p, items))
            .buffered(CONCURRENT_BATCHES)
            .try_collect()
            .await?;
        for (items, stale) in patient_items.into_iter().zip(stale) {
            puts.extend(items);
            deletes.extend(stale);
        }
        report.items_written = puts.len();
        report.items_deleted = deletes.len();

        // Deletes first: until the new profile is written, the old one still names the
        // therapists whose assignments are stale, so an interrupted import re-run finds them.
        let deletes = deletes
            .into_iter()
            .map(|k| {
                WriteRequest::builder()
                    .delete_request(
                        DeleteRequest::builder()
                            .set_key(Some(k))
                            .build()
                            .expect("key set"),
                    )
                    .build()
            })
            .collect();
        self.batch_write(deletes).await?;
        let puts = puts
            .into_iter()
            .map(|item| {
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(item))
                            .build()
                            .expect("item set"),
                    )
                    .build()
            })
            .collect();
        self.batch_write(puts).await?;
        Ok(report)
    }

    /// Keys of items a re-import of this patient must delete: children the file no longer has,
    /// and assignments to therapists no longer assigned.
    async fn stale_items(
        &self,
        p: &PatientRecord,
        new_items: &[Item],
    ) -> Result<Vec<Item>, PortError> {
        let pk = patient_pk(p.patient.id);
        let existing = self.query_all(&pk, None, true).await?;
        if existing.is_empty() {
            return Ok(Vec::new());
        }
        let keep: HashSet<(&str, &str)> = new_items
            .iter()
            .map(|i| (str_attr(i, "pk"), str_attr(i, "sk")))
            .collect();
        let mut stale: Vec<Item> = existing
            .iter()
            .filter(|i| !keep.contains(&(str_attr(i, "pk"), str_attr(i, "sk"))))
            .map(|i| key(str_attr(i, "pk"), str_attr(i, "sk")))
            .collect();
        if let Some(profile) = existing.iter().find(|i| str_attr(i, "sk") == PROFILE)
            && let Some(AttributeValue::L(old)) = profile.get("assigned_therapist_ids")
        {
            for t in old
                .iter()
                .filter_map(|v| v.as_s().ok()?.parse::<Uuid>().ok())
            {
                if !p.patient.assigned_therapist_ids.contains(&t) {
                    stale.push(key(&therapist_pk(t), &pk));
                }
            }
        }
        Ok(stale)
    }

    /// Writes in batches of 25, a few at a time, retrying unprocessed items with backoff.
    async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), PortError> {
        let chunks: Vec<Vec<WriteRequest>> =
            requests.chunks(WRITE_BATCH).map(<[_]>::to_vec).collect();
        futures::stream::iter(chunks)
            .map(|chunk| self.write_chunk(chunk))
            .buffer_unordered(CONCURRENT_BATCHES)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    async fn write_chunk(&self, mut chunk: Vec<WriteRequest>) -> Result<(), PortError> {
        for attempt in 0..MAX_ATTEMPTS {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, chunk)
                .send()
                .await
                .map_err(unavailable("BatchWriteItem"))?;
            chunk = out
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if chunk.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
        Err(PortError::Unavailable(format!(
            "BatchWriteItem: {} items still unprocessed after {MAX_ATTEMPTS} attempts",
            chunk.len()
        )))
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((25u64 << attempt.min(7)).min(2_000))
}

#[async_trait]
impl RecordSource for DynamoRecords {
    async fn patient(&self, patient_id: Uuid) -> Result<Option<Patient>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(&patient_pk(patient_id), PROFILE)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("GetItem"))?;
        out.item.map(decode).transpose()
    }

    async fn patient_record(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        assemble(self.record_items(patient_id, scope).await?)
    }

    /// Read one page of items at a time (the pages in order: everything that sorts before
    /// sessions, then the sessions), each item decoded as it arrives.
    async fn patient_record_outline(
        &self,
        patient_id: Uuid,
        scope: SessionScope,
    ) -> Result<Option<PatientRecord>, PortError> {
        let pk = patient_pk(patient_id);
        let mut record = Assembler::default();
        match scope {
            SessionScope::All => self.outline_into(&mut record, &pk, None).await?,
            SessionScope::Between { from, to } => {
                self.outline_into(&mut record, &pk, Some(BEFORE_SESSIONS))
                    .await?;
                let (lo, hi) = (session_from(&from), session_to(&to));
                self.outline_into(&mut record, &pk, Some((&lo, &hi)))
                    .await?;
            }
        }
        Ok(record.finish())
    }

    /// One query of the sessions' sort-key range, notes only.
    async fn session_notes(
        &self,
        patient_id: Uuid,
        first: SessionKey,
        last: SessionKey,
    ) -> Result<Vec<(Uuid, Note)>, PortError> {
        let (lo, hi) = (
            session_key_sk(&first),
            format!("{}#~", session_key_sk(&last)),
        );
        let items: Vec<Item> = self
            .query(&patient_pk(patient_id), Some((&lo, &hi)), false)
            .filter_expression("#entity = :note")
            .expression_attribute_names("#entity", "entity")
            .expression_attribute_values(":note", s(entity::NOTE))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(unavailable("Query"))?;
        items
            .into_iter()
            .map(|item| {
                // `SESSION#<start>#<session id>#NOTE#<note id>`
                let sk = str_attr(&item, "sk");
                let session = sk
                    .split(NOTE_MARK)
                    .next()
                    .and_then(|s| s.rsplit('#').next())
                    .and_then(|id| id.parse::<Uuid>().ok())
                    .ok_or_else(|| PortError::Corrupt(format!("note {sk} has no session")))?;
                Ok((session, decode(item)?))
            })
            .collect()
    }

    async fn therapists(&self, ids: &[Uuid]) -> Result<Vec<Therapist>, PortError> {
        let mut unique: Vec<Uuid> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut found: HashMap<Uuid, Therapist> = HashMap::with_capacity(unique.len());
        for chunk in unique.chunks(GET_BATCH) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|id| key(&therapist_pk(*id), PROFILE))
                .collect();
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .expect("keys set"),
            );
            let mut attempt = 0;
            while let Some(request) = pending.take() {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(unavailable("BatchGetItem"))?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let t: Therapist = decode(item)?;
                    found.insert(t.id, t);
                }
                pending = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .filter(|k| !k.keys().is_empty());
                if pending.is_some() {
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        return Err(PortError::Unavailable(
                            "BatchGetItem: keys still unprocessed".into(),
                        ));
                    }
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }
}
