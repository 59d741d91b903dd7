//! The typed request values the use cases take, and their domain validation. Reading them from
//! HTTP (JSON bodies, query strings) is the API's work; the shapes are `Deserialize` so that it can,
//! and so that a field's name and type are written once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::ServiceError;
use crate::export::{Delivery, ExportFormat, ExportType, JobStatus, PageSize, ScheduleType};
use crate::params::{ExportParams, known_sections};

/// Longest date range an export or audit query may span.
pub const MAX_RANGE_DAYS: i64 = 3_660;
pub const MAX_SESSION_IDS: usize = 200;
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;
pub const DEFAULT_PAGE: usize = 20;
pub const MAX_PAGE: usize = 100;

/// A validated export request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub export_type: ExportType,
    pub patient_id: Uuid,
    /// Required unless `params.template_id` names a template (whose default format applies).
    pub format: Option<ExportFormat>,
    pub params: ExportParams,
}

impl ExportRequest {
    /// Fingerprint for `Idempotency-Key` replays: the same validated request gives the same hash.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::json!({
            "export_type": self.export_type,
            "patient_id": self.patient_id,
            "format": self.format,
            "params": self.params,
        });
        hex(&Sha256::digest(canonical.to_string().as_bytes()))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `deserialize_with` helpers for [`parse_date`].
mod strict_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        crate::dates::parse_date(&text).map_err(D::Error::custom)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| crate::dates::parse_date(&text).map_err(D::Error::custom))
            .transpose()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionNotesBody {
    pub patient_id: Uuid,
    pub format: Option<ExportFormat>,
    pub session_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "strict_date::optional")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "strict_date::optional")]
    pub end_date: Option<NaiveDate>,
    pub template_id: Option<Uuid>,
    pub include_sections: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressReportBody {
    pub patient_id: Uuid,
    pub format: Option<ExportFormat>,
    #[serde(deserialize_with = "strict_date::required")]
    pub start_date: NaiveDate,
    #[serde(deserialize_with = "strict_date::required")]
    pub end_date: NaiveDate,
    pub template_id: Option<Uuid>,
    pub include_sections: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreatmentSummaryBody {
    pub patient_id: Uuid,
    pub format: Option<ExportFormat>,
    pub template_id: Option<Uuid>,
    pub include_sections: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullRecordBody {
    pub patient_id: Uuid,
    pub format: Option<ExportFormat>,
    pub include_psychotherapy_notes: Option<bool>,
    pub template_id: Option<Uuid>,
}

fn date_range(start: NaiveDate, end: NaiveDate) -> Result<(), ServiceError> {
    if end < start {
        return Err(ServiceError::validation(
            "end_date",
            "must not be before start_date",
        ));
    }
    if (end - start).num_days() > MAX_RANGE_DAYS {
        return Err(ServiceError::validation(
            "end_date",
            format!("the range may span at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok(())
}

pub(crate) fn sections(
    export_type: ExportType,
    requested: Option<Vec<String>>,
) -> Result<Option<Vec<String>>, ServiceError> {
    let Some(requested) = requested else {
        return Ok(None);
    };
    let known = known_sections(export_type);
    if requested.is_empty() {
        return Err(ServiceError::validation(
            "include_sections",
            "must name at least one section (omit it for all)",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, s) in requested.into_iter().enumerate() {
        if !known.contains(&s.as_str()) {
            return Err(ServiceError::validation(
                format!("include_sections[{i}]"),
                format!(
                    "unknown section for {export_type}; known: {}",
                    known.join(", ")
                ),
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    // Stored in the documented order so equal requests fingerprint equally.
    out.sort_by_key(|s| known.iter().position(|k| k == s));
    Ok(Some(out))
}

/// The body of `POST /api/v1/export/{type}`: its shape depends on the export type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportRequestBody {
    SessionNotes(SessionNotesBody),
    ProgressReport(ProgressReportBody),
    TreatmentSummary(TreatmentSummaryBody),
    FullRecord(FullRecordBody),
}

impl ExportRequestBody {
    pub fn export_type(&self) -> ExportType {
        match self {
            ExportRequestBody::SessionNotes(_) => ExportType::SessionNotes,
            ExportRequestBody::ProgressReport(_) => ExportType::ProgressReport,
            ExportRequestBody::TreatmentSummary(_) => ExportType::TreatmentSummary,
            ExportRequestBody::FullRecord(_) => ExportType::FullRecord,
        }
    }
}

/// Validates the body of `POST /api/v1/export/{type}` into a request.
pub fn validate_export_request(body: ExportRequestBody) -> Result<ExportRequest, ServiceError> {
    let export_type = body.export_type();
    let (patient_id, format, params) = match body {
        ExportRequestBody::SessionNotes(b) => {
            match (&b.session_ids, b.start_date, b.end_date) {
                (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                    return Err(ServiceError::validation(
                        "session_ids",
                        "give session_ids or start_date and end_date, not both",
                    ));
                }
                (Some(ids), None, None) => {
                    if ids.is_empty() || ids.len() > MAX_SESSION_IDS {
                        return Err(ServiceError::validation(
                            "session_ids",
                            format!("must list 1 to {MAX_SESSION_IDS} sessions"),
                        ));
                    }
                    if let Some(i) = (1..ids.len()).find(|&i| ids[..i].contains(&ids[i])) {
                        return Err(ServiceError::validation(
                            format!("session_ids[{i}]"),
                            "duplicate session id",
                        ));
                    }
                }
                (None, Some(_), None) => {
                    return Err(ServiceError::validation(
                        "end_date",
                        "required with start_date",
                    ));
                }
                (None, None, Some(_)) => {
                    return Err(ServiceError::validation(
                        "start_date",
                        "required with end_date",
                    ));
                }
                (None, Some(s), Some(e)) => date_range(s, e)?,
                (None, None, None) => {}
            }
            let params = ExportParams {
                session_ids: b.session_ids,
                start_date: b.start_date,
                end_date: b.end_date,
                include_sections: sections(export_type, b.include_sections)?,
                include_psychotherapy_notes: false,
                template_id: b.template_id,
            };
            (b.patient_id, b.format, params)
        }
        ExportRequestBody::ProgressReport(b) => {
            date_range(b.start_date, b.end_date)?;
            let params = ExportParams {
                start_date: Some(b.start_date),
                end_date: Some(b.end_date),
                include_sections: sections(export_type, b.include_sections)?,
                template_id: b.template_id,
                ..Default::default()
            };
            (b.patient_id, b.format, params)
        }
        ExportRequestBody::TreatmentSummary(b) => {
            let params = ExportParams {
                include_sections: sections(export_type, b.include_sections)?,
                template_id: b.template_id,
                ..Default::default()
            };
            (b.patient_id, b.format, params)
        }
        ExportRequestBody::FullRecord(b) => {
            let params = ExportParams {
                include_psychotherapy_notes: b.include_psychotherapy_notes.unwrap_or(false),
                template_id: b.template_id,
                ..Default::default()
            };
            (b.patient_id, b.format, params)
        }
    };
    if format.is_none() && params.template_id.is_none() {
        return Err(ServiceError::validation(
            "format",
            "required unless template_id is given",
        ));
    }
    Ok(ExportRequest {
        export_type,
        patient_id,
        format,
        params,
    })
}

/// Validates an `Idempotency-Key` header value.
pub fn idempotency_key(value: &str) -> Result<&str, ServiceError> {
    let ok = !value.is_empty()
        && value.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && value.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(value)
    } else {
        Err(ServiceError::validation(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"),
        ))
    }
}

/// How many items a page of a listing holds: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] when not asked.
/// Only a valid limit can be made, so the use cases need not check it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(usize);

impl PageLimit {
    pub fn new(limit: usize) -> Result<Self, ServiceError> {
        if (1..=MAX_PAGE).contains(&limit) {
            Ok(Self(limit))
        } else {
            Err(ServiceError::validation(
                "limit",
                format!("must be an integer from 1 to {MAX_PAGE}"),
            ))
        }
    }

    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for PageLimit {
    fn default() -> Self {
        Self(DEFAULT_PAGE)
    }
}

/// `GET /api/v1/export/jobs` query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub status: Option<JobStatus>,
    pub patient_id: Option<Uuid>,
    pub limit: PageLimit,
    pub cursor: Option<String>,
}

/// `GET /api/v1/export/templates` query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateListQuery {
    pub export_type: Option<ExportType>,
    pub limit: PageLimit,
    pub cursor: Option<String>,
}

/// `GET /api/v1/audit/logs/export` query: the instants `from` and `to` (a date given for either is
/// the whole day, UTC); by default the 30 days up to now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditExportQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub patient_id: Option<Uuid>,
    pub actor_id: Option<String>,
}

/// An [`AuditExportQuery`] with its defaults resolved and its bounds checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRange {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub patient_id: Option<Uuid>,
    pub actor_id: Option<String>,
}

/// Longest `actor_id` an audit query may filter by.
pub const MAX_ACTOR_ID_LEN: usize = 256;

impl AuditExportQuery {
    /// Resolves the defaults (`to` now, `from` 30 days before `to`) and checks the range.
    pub fn resolve(&self, now: DateTime<Utc>) -> Result<AuditRange, ServiceError> {
        let to = self.to.unwrap_or(now);
        let from = self.from.unwrap_or(to - chrono::Duration::days(30));
        if to < from {
            return Err(ServiceError::validation("to", "must not be before from"));
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err(ServiceError::validation(
                "to",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
            ));
        }
        if self
            .actor_id
            .as_ref()
            .is_some_and(|a| a.len() > MAX_ACTOR_ID_LEN)
        {
            return Err(ServiceError::validation(
                "actor_id",
                format!("must be at most {MAX_ACTOR_ID_LEN} characters"),
            ));
        }
        Ok(AuditRange {
            from,
            to,
            patient_id: self.patient_id,
            actor_id: self.actor_id.clone(),
        })
    }
}

/// `POST` and `PUT` body of `/api/v1/export/templates`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub name: String,
    pub export_type: ExportType,
    pub default_format: Option<ExportFormat>,
    pub include_sections: Option<Vec<String>>,
    pub title: Option<String>,
    pub header_text: Option<String>,
    pub footer_text: Option<String>,
    pub page_size: Option<PageSize>,
    pub body: Option<String>,
}

/// `POST /api/v1/export/scheduled` body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateScheduleBody {
    pub patient_id: Uuid,
    pub export_type: Option<ExportType>,
    pub format: Option<ExportFormat>,
    pub template_id: Option<Uuid>,
    pub schedule_type: ScheduleType,
    pub time_of_day: String,
    pub day_of_week: Option<String>,
    pub day_of_month: Option<u8>,
    pub timezone: String,
    pub delivery: Option<Delivery>,
    pub active: Option<bool>,
}

/// `PATCH /api/v1/export/scheduled/{id}` body: every field optional; `null` clears `day_of_week` /
/// `day_of_month`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeScheduleBody {
    pub format: Option<ExportFormat>,
    pub schedule_type: Option<ScheduleType>,
    pub time_of_day: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub day_of_week: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub day_of_month: Option<Option<u8>>,
    pub timezone: Option<String>,
    pub delivery: Option<Delivery>,
    pub active: Option<bool>,
}

/// Present-and-null → `Some(None)`; absent → `None` (with `#[serde(default)]`).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{EARLIEST_DATE, parse_date};
    use chrono::TimeZone;
    use serde::de::DeserializeOwned;

    const P: &str = "6f1c0c6e-2d7b-4c4e-9a0e-3b5d8f2a9c41";

    /// A typed body from JSON (reading JSON is the API's work; its errors are tested there).
    fn typed<T: DeserializeOwned>(body: serde_json::Value) -> T {
        serde_json::from_value(body).expect("a body of the right shape")
    }

    fn body(t: ExportType, body: serde_json::Value) -> ExportRequestBody {
        match t {
            ExportType::SessionNotes => ExportRequestBody::SessionNotes(typed(body)),
            ExportType::ProgressReport => ExportRequestBody::ProgressReport(typed(body)),
            ExportType::TreatmentSummary => ExportRequestBody::TreatmentSummary(typed(body)),
            ExportType::FullRecord => ExportRequestBody::FullRecord(typed(body)),
        }
    }

    fn req(t: ExportType, b: serde_json::Value) -> Result<ExportRequest, ServiceError> {
        validate_export_request(body(t, b))
    }

    fn field_of<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> String {
        match r {
            Err(ServiceError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn each_export_type_accepts_its_documented_body() {
        let r = req(ExportType::SessionNotes, serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01", "end_date": "2026-03-31"})).unwrap();
        assert_eq!(r.export_type, ExportType::SessionNotes);
        assert_eq!(r.params.start_date, NaiveDate::from_ymd_opt(2026, 1, 1));
        let r = req(ExportType::FullRecord, serde_json::json!({"patient_id": P, "format": "json", "include_psychotherapy_notes": true})).unwrap();
        assert!(r.params.include_psychotherapy_notes);
        let r = req(ExportType::TreatmentSummary, serde_json::json!({"patient_id": P, "format": "pdf", "include_sections": ["prognosis", "diagnoses", "prognosis"]})).unwrap();
        assert_eq!(
            r.params.include_sections,
            Some(vec!["diagnoses".into(), "prognosis".into()])
        );
        assert!(
            req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "json"})
            )
            .is_ok()
        );
    }

    /// The date rule is the core's, applied while a body is read: a date outside it cannot be in a
    /// typed request. (The API's tests check that the refusal names the field.)
    #[test]
    fn dates_are_yyyy_mm_dd_from_1900() {
        for bad in [
            "+10000-01-01",
            "10000-01-01",
            "-0001-01-01",
            "2026-1-05",
            "2026-01-5",
            "20260105",
            "2026-02-30",
            "1899-12-31",
            "2026-01-05T00:00:00Z",
            " 2026-01-05",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
            let r = serde_json::from_value::<ProgressReportBody>(
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": bad, "end_date": "2026-12-31"}),
            );
            assert!(r.is_err(), "{bad}");
            let r = serde_json::from_value::<SessionNotesBody>(
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01", "end_date": bad}),
            );
            assert!(r.is_err(), "{bad}");
        }
        assert_eq!(parse_date("1900-01-01"), Ok(EARLIEST_DATE));
        assert!(parse_date("9999-12-31").is_ok());
    }

    #[test]
    fn refusals_name_the_field() {
        assert_eq!(
            field_of(req(
                ExportType::ProgressReport,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-03-01", "end_date": "2026-01-01"})
            )),
            "end_date"
        );
        assert_eq!(
            field_of(req(
                ExportType::TreatmentSummary,
                serde_json::json!({"patient_id": P, "format": "csv", "include_sections": ["diagnoses", "gossip"]})
            )),
            "include_sections[1]"
        );
        assert_eq!(
            field_of(req(
                ExportType::TreatmentSummary,
                serde_json::json!({"patient_id": P, "format": "csv", "include_sections": []})
            )),
            "include_sections"
        );
        assert_eq!(
            field_of(req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "csv", "session_ids": [P], "start_date": "2026-01-01", "end_date": "2026-01-02"})
            )),
            "session_ids"
        );
        assert_eq!(
            field_of(req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "csv", "session_ids": [P, P]})
            )),
            "session_ids[1]"
        );
        assert_eq!(
            field_of(req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2000-01-01", "end_date": "2026-01-02"})
            )),
            "end_date"
        );
        assert_eq!(
            field_of(req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01"})
            )),
            "end_date"
        );
        assert_eq!(
            field_of(req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "csv", "end_date": "2026-01-01"})
            )),
            "start_date"
        );
        assert_eq!(
            field_of(req(
                ExportType::FullRecord,
                serde_json::json!({"patient_id": P})
            )),
            "format"
        );
    }

    #[test]
    fn equal_requests_fingerprint_equally() {
        let a = req(ExportType::TreatmentSummary, serde_json::json!({"patient_id": P, "format": "csv", "include_sections": ["prognosis", "diagnoses"]})).unwrap();
        let b = req(ExportType::TreatmentSummary, serde_json::json!({"include_sections": ["diagnoses", "prognosis"], "format": "csv", "patient_id": P})).unwrap();
        let c = req(
            ExportType::TreatmentSummary,
            serde_json::json!({"patient_id": P, "format": "json"}),
        )
        .unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn page_limits_and_audit_ranges() {
        assert_eq!(PageLimit::default().get(), DEFAULT_PAGE);
        assert_eq!(PageLimit::new(MAX_PAGE).map(PageLimit::get), Ok(MAX_PAGE));
        for bad in [0, MAX_PAGE + 1] {
            assert_eq!(field_of(PageLimit::new(bad)), "limit", "{bad}");
        }
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let all = AuditExportQuery::default().resolve(now).unwrap();
        assert_eq!((all.from, all.to), (now - chrono::Duration::days(30), now));
        let from = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let backwards = AuditExportQuery {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        };
        assert_eq!(field_of(backwards.resolve(now)), "to");
        let too_long = AuditExportQuery {
            from: Some(to - chrono::Duration::days(MAX_RANGE_DAYS + 1)),
            to: Some(to),
            ..Default::default()
        };
        assert_eq!(field_of(too_long.resolve(now)), "to");
        let long_actor = AuditExportQuery {
            actor_id: Some("a".repeat(MAX_ACTOR_ID_LEN + 1)),
            ..Default::default()
        };
        assert_eq!(field_of(long_actor.resolve(now)), "actor_id");
    }
}
