//! Parsing and validating API input: export request bodies and query strings.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::ServiceError;
use crate::dates::{self, parse_date};
use crate::export::{ExportFormat, ExportType, JobStatus};
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionNotesBody {
    patient_id: Uuid,
    format: Option<ExportFormat>,
    session_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "strict_date::optional")]
    start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "strict_date::optional")]
    end_date: Option<NaiveDate>,
    template_id: Option<Uuid>,
    include_sections: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressReportBody {
    patient_id: Uuid,
    format: Option<ExportFormat>,
    #[serde(deserialize_with = "strict_date::required")]
    start_date: NaiveDate,
    #[serde(deserialize_with = "strict_date::required")]
    end_date: NaiveDate,
    template_id: Option<Uuid>,
    include_sections: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreatmentSummaryBody {
    patient_id: Uuid,
    format: Option<ExportFormat>,
    template_id: Option<Uuid>,
    include_sections: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullRecordBody {
    patient_id: Uuid,
    format: Option<ExportFormat>,
    include_psychotherapy_notes: Option<bool>,
    template_id: Option<Uuid>,
}

/// Deserializes a body, naming the field at fault. Text that is not JSON is `invalid_json` (400);
/// well-formed JSON of the wrong shape (a number where a string belongs, an unknown or missing
/// field) is `validation_failed` (422) naming the field. The text is read as a JSON value first
/// because serde reports some type mismatches (a number for an enum) as syntax errors.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ServiceError::InvalidJson(
            "a JSON object body is required".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ServiceError::InvalidJson(format!("body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ServiceError::validation("body", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // serde names unknown and missing fields in the message, not the path.
        // The path of an unknown field ends at the field; a missing field is named in the message.
        let field = backticked(&message)
            .filter(|_| message.starts_with("missing field"))
            .map(|f| {
                if path == "." {
                    f.to_string()
                } else {
                    format!("{path}.{f}")
                }
            })
            .unwrap_or(path);
        ServiceError::validation(field, message)
    })
}

fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
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

/// Parses and validates the body of `POST /api/v1/export/{type}`.
pub fn parse_export_request(
    export_type: ExportType,
    body: &[u8],
) -> Result<ExportRequest, ServiceError> {
    let (patient_id, format, params) = match export_type {
        ExportType::SessionNotes => {
            let b: SessionNotesBody = parse_body(body)?;
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
        ExportType::ProgressReport => {
            let b: ProgressReportBody = parse_body(body)?;
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
        ExportType::TreatmentSummary => {
            let b: TreatmentSummaryBody = parse_body(body)?;
            let params = ExportParams {
                include_sections: sections(export_type, b.include_sections)?,
                template_id: b.template_id,
                ..Default::default()
            };
            (b.patient_id, b.format, params)
        }
        ExportType::FullRecord => {
            let b: FullRecordBody = parse_body(body)?;
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

/// `GET /api/v1/export/jobs` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub status: Option<JobStatus>,
    pub patient_id: Option<Uuid>,
    pub limit: usize,
    pub cursor: Option<String>,
}

/// A query parameter's value. Given empty (`?patient_id=`) it is refused rather than taken as
/// absent: a filter that silently matched everything would show more than was asked for.
pub(crate) fn param<'a>(
    q: &'a HashMap<String, String>,
    name: &str,
) -> Result<Option<&'a str>, ServiceError> {
    match q.get(name).map(String::as_str) {
        Some("") => Err(ServiceError::validation(
            name,
            "must not be empty (leave the parameter out instead)",
        )),
        other => Ok(other),
    }
}

pub(crate) fn parse_param<T: std::str::FromStr>(
    q: &HashMap<String, String>,
    name: &str,
    what: &str,
) -> Result<Option<T>, ServiceError> {
    param(q, name)?
        .map(|v| {
            v.parse()
                .map_err(|_| ServiceError::validation(name, format!("must be {what}")))
        })
        .transpose()
}

impl ListQuery {
    pub fn parse(q: &HashMap<String, String>) -> Result<Self, ServiceError> {
        let status = param(q, "status")?
            .map(|v| {
                v.parse::<JobStatus>()
                    .map_err(|e| ServiceError::validation("status", e.to_string()))
            })
            .transpose()?;
        let limit = parse_param::<usize>(q, "limit", &format!("an integer from 1 to {MAX_PAGE}"))?
            .unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ServiceError::validation(
                "limit",
                format!("must be an integer from 1 to {MAX_PAGE}"),
            ));
        }
        Ok(Self {
            status,
            patient_id: parse_param(q, "patient_id", "a UUID")?,
            limit,
            cursor: param(q, "cursor")?.map(String::from),
        })
    }
}

/// `GET /api/v1/audit/logs/export` query: `from`/`to` as dates (whole days, UTC) or RFC 3339
/// instants; by default the 30 days up to now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditExportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub patient_id: Option<Uuid>,
    pub actor_id: Option<String>,
}

fn instant(
    q: &HashMap<String, String>,
    name: &str,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, ServiceError> {
    let Some(v) = param(q, name)? else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let d = parse_date(v).map_err(|_| {
        ServiceError::validation(name, "must be a date (YYYY-MM-DD) or an RFC 3339 date-time")
    })?;
    Ok(Some(if end_of_day {
        dates::end_of_day(d)
    } else {
        dates::start_of_day(d)
    }))
}

impl AuditExportQuery {
    pub fn parse(q: &HashMap<String, String>, now: DateTime<Utc>) -> Result<Self, ServiceError> {
        let to = instant(q, "to", true)?.unwrap_or(now);
        let from = instant(q, "from", false)?.unwrap_or(to - chrono::Duration::days(30));
        if to < from {
            return Err(ServiceError::validation("to", "must not be before from"));
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err(ServiceError::validation(
                "to",
                format!("the range may span at most {MAX_RANGE_DAYS} days"),
            ));
        }
        let actor_id = param(q, "actor_id")?.map(String::from);
        if actor_id.as_ref().is_some_and(|a| a.len() > 256) {
            return Err(ServiceError::validation(
                "actor_id",
                "must be at most 256 characters",
            ));
        }
        Ok(Self {
            from,
            to,
            patient_id: parse_param(q, "patient_id", "a UUID")?,
            actor_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::EARLIEST_DATE;
    use chrono::TimeZone;

    fn req(t: ExportType, body: serde_json::Value) -> Result<ExportRequest, ServiceError> {
        parse_export_request(t, body.to_string().as_bytes())
    }

    const P: &str = "6f1c0c6e-2d7b-4c4e-9a0e-3b5d8f2a9c41";

    fn field_of(r: Result<ExportRequest, ServiceError>) -> String {
        match r {
            Err(ServiceError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn each_export_type_accepts_its_documented_body() {
        let r = req(ExportType::SessionNotes, serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01", "end_date": "2026-03-31"})).unwrap();
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
            let r = req(
                ExportType::ProgressReport,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": bad, "end_date": "2026-12-31"}),
            );
            assert_eq!(field_of(r), "start_date", "{bad}");
            let r = req(
                ExportType::SessionNotes,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01", "end_date": bad}),
            );
            assert_eq!(field_of(r), "end_date", "{bad}");
        }
        assert_eq!(parse_date("1900-01-01"), Ok(EARLIEST_DATE));
        assert!(parse_date("9999-12-31").is_ok());
        let q = HashMap::from([("from".to_string(), "+10000-01-01".to_string())]);
        assert!(AuditExportQuery::parse(&q, Utc::now()).is_err());
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
                ExportType::ProgressReport,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-03-01"})
            )),
            "end_date"
        );
        assert_eq!(
            field_of(req(
                ExportType::ProgressReport,
                serde_json::json!({"patient_id": P, "format": "csv", "start_date": "2026-13-01", "end_date": "2026-12-01"})
            )),
            "start_date"
        );
        assert_eq!(
            field_of(req(
                ExportType::FullRecord,
                serde_json::json!({"patient_id": "nope", "format": "csv"})
            )),
            "patient_id"
        );
        assert_eq!(
            field_of(req(
                ExportType::FullRecord,
                serde_json::json!({"patient_id": P, "format": "xlsx"})
            )),
            "format"
        );
        assert_eq!(
            field_of(req(
                ExportType::FullRecord,
                serde_json::json!({"patient_id": P, "format": "csv", "include_sections": ["timeline"]})
            )),
            "include_sections"
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
                serde_json::json!({"format": "csv"})
            )),
            "patient_id"
        );
    }

    #[test]
    fn non_json_is_a_400_not_a_422() {
        let e = parse_export_request(ExportType::FullRecord, b"{not json").unwrap_err();
        assert_eq!(e.status(), 400);
        assert_eq!(
            parse_export_request(ExportType::FullRecord, b"")
                .unwrap_err()
                .status(),
            400
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
    fn list_and_audit_queries() {
        let q = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        };
        assert_eq!(ListQuery::parse(&q(&[])).unwrap().limit, DEFAULT_PAGE);
        assert!(
            matches!(ListQuery::parse(&q(&[("limit", "0")])), Err(ServiceError::Validation { field, .. }) if field == "limit")
        );
        assert!(
            matches!(ListQuery::parse(&q(&[("status", "done")])), Err(ServiceError::Validation { field, .. }) if field == "status")
        );
        assert_eq!(
            ListQuery::parse(&q(&[("status", "expired")]))
                .unwrap()
                .status,
            Some(JobStatus::Expired)
        );
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let a = AuditExportQuery::parse(&q(&[("from", "2026-11-01"), ("to", "2026-11-02")]), now)
            .unwrap();
        assert_eq!(a.from, Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
        assert_eq!(
            a.to.date_naive(),
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
        );
        assert_eq!(
            AuditExportQuery::parse(&q(&[]), now).unwrap().from,
            now - chrono::Duration::days(30)
        );
        assert!(AuditExportQuery::parse(&q(&[("from", "yesterday")]), now).is_err());
    }
}
