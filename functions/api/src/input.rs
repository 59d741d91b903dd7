//! Reading a request's input into the typed values the use cases take: JSON bodies and query
//! strings. A body that is not JSON is `invalid_json` (400); JSON of the wrong shape, and a query
//! parameter that does not parse, is `validation_failed` (422) naming the field. The bounds of the
//! values (date ranges, sections, page limits) are the core's to check.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use exports_core::dates::{self, parse_date};
use exports_core::export::{ExportType, JobStatus};
use exports_core::service::ServiceError;
use exports_core::service::requests::{
    AuditExportQuery, ExportRequestBody, ListQuery, MAX_PAGE, PageLimit, TemplateListQuery,
};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The query string: one value per name.
pub type Query = HashMap<String, String>;

/// Deserializes a JSON body, naming the field at fault. The text is read as a JSON value first
/// because serde reports some type mismatches (a number for an enum) as syntax errors.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::InvalidJson(
            "a JSON object body is required".into(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidJson(format!("body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ServiceError::validation("body", "must be a JSON object").into());
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
        ServiceError::validation(field, message).into()
    })
}

fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// The body of `POST /api/v1/export/{type}`, in the shape of its export type.
pub fn export_request(export_type: ExportType, body: &[u8]) -> Result<ExportRequestBody, ApiError> {
    Ok(match export_type {
        ExportType::SessionNotes => ExportRequestBody::SessionNotes(json_body(body)?),
        ExportType::ProgressReport => ExportRequestBody::ProgressReport(json_body(body)?),
        ExportType::TreatmentSummary => ExportRequestBody::TreatmentSummary(json_body(body)?),
        ExportType::FullRecord => ExportRequestBody::FullRecord(json_body(body)?),
    })
}

/// A query parameter's value. Given empty (`?patient_id=`) it is refused rather than taken as
/// absent: a filter that silently matched everything would show more than was asked for.
fn param<'a>(q: &'a Query, name: &str) -> Result<Option<&'a str>, ServiceError> {
    match q.get(name).map(String::as_str) {
        Some("") => Err(ServiceError::validation(
            name,
            "must not be empty (leave the parameter out instead)",
        )),
        other => Ok(other),
    }
}

fn parse_param<T: std::str::FromStr>(
    q: &Query,
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

/// `?limit=`: an integer, within the core's bounds.
fn limit(q: &Query) -> Result<PageLimit, ServiceError> {
    match parse_param::<usize>(q, "limit", &format!("an integer from 1 to {MAX_PAGE}"))? {
        Some(n) => PageLimit::new(n),
        None => Ok(PageLimit::default()),
    }
}

/// `GET /api/v1/export/jobs`: `status`, `patient_id`, `limit`, `cursor`.
pub fn list_query(q: &Query) -> Result<ListQuery, ApiError> {
    let status = param(q, "status")?
        .map(|v| {
            v.parse::<JobStatus>()
                .map_err(|e| ServiceError::validation("status", e.to_string()))
        })
        .transpose()?;
    let limit = limit(q)?;
    Ok(ListQuery {
        status,
        patient_id: parse_param(q, "patient_id", "a UUID")?,
        limit,
        cursor: param(q, "cursor")?.map(String::from),
    })
}

/// `GET /api/v1/export/templates`: `limit`, `export_type`, `cursor`.
pub fn template_list_query(q: &Query) -> Result<TemplateListQuery, ApiError> {
    let limit = limit(q)?;
    let export_type = param(q, "export_type")?
        .map(|v| {
            v.parse::<ExportType>()
                .map_err(|e| ServiceError::validation("export_type", e.to_string()))
        })
        .transpose()?;
    Ok(TemplateListQuery {
        export_type,
        limit,
        cursor: param(q, "cursor")?.map(String::from),
    })
}

/// `from`/`to` as a date (the whole day, UTC: its first instant for `from`, its last for `to`) or
/// an RFC 3339 instant.
fn instant(q: &Query, name: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ServiceError> {
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

/// `GET /api/v1/audit/logs/export`: `from`, `to`, `patient_id`, `actor_id`. The defaults (the 30
/// days up to now) and the range's bounds are the core's.
pub fn audit_query(q: &Query) -> Result<AuditExportQuery, ApiError> {
    let to = instant(q, "to", true)?;
    let from = instant(q, "from", false)?;
    let actor_id = param(q, "actor_id")?.map(String::from);
    Ok(AuditExportQuery {
        from,
        to,
        patient_id: parse_param(q, "patient_id", "a UUID")?,
        actor_id,
    })
}

/// The body of `POST /api/v1/audit/logs/exports`: the `GET`'s query parameters as JSON strings.
/// Each field absent (the default) or a string: `null` is refused, as the schema says.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditExportBody {
    #[serde(default, deserialize_with = "present_string")]
    from: Option<String>,
    #[serde(default, deserialize_with = "present_string")]
    to: Option<String>,
    #[serde(default, deserialize_with = "present_string")]
    patient_id: Option<String>,
    #[serde(default, deserialize_with = "present_string")]
    actor_id: Option<String>,
}

/// A field that, when present, must be a string (`null` is not "absent").
fn present_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    <String as serde::Deserialize>::deserialize(d).map(Some)
}

/// `POST /api/v1/audit/logs/exports`: `{from?, to?, patient_id?, actor_id?}`, each meaning what
/// the query parameter of `GET /api/v1/audit/logs/export` means (read by [`audit_query`], so the
/// two cannot drift apart). An empty body asks for the defaults, as `{}` does.
pub fn audit_export_body(body: &[u8]) -> Result<AuditExportQuery, ApiError> {
    let body: AuditExportBody = if body.iter().all(u8::is_ascii_whitespace) {
        AuditExportBody::default()
    } else {
        json_body(body)?
    };
    let q: Query = [
        ("from", body.from),
        ("to", body.to),
        ("patient_id", body.patient_id),
        ("actor_id", body.actor_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
    .collect();
    audit_query(&q)
}

/// `?redirect=`: `true`/`1` answers the download with a `302` to the file.
pub fn redirect_param(q: &Query) -> Result<bool, ApiError> {
    match q.get("redirect").map(String::as_str) {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(ServiceError::validation("redirect", "must be true, false, 1 or 0").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use exports_core::service::requests::{
        ChangeScheduleBody, CreateScheduleBody, DEFAULT_PAGE, TemplateBody,
    };
    use serde_json::json;

    const P: &str = "6f1c0c6e-2d7b-4c4e-9a0e-3b5d8f2a9c41";

    fn export(t: ExportType, body: serde_json::Value) -> Result<ExportRequestBody, ApiError> {
        export_request(t, body.to_string().as_bytes())
    }

    /// The field a `validation_failed` refusal names.
    fn field_of<T: std::fmt::Debug>(r: Result<T, ApiError>) -> String {
        match r {
            Err(ApiError::Service(ServiceError::Validation { field, .. })) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn query(pairs: &[(&str, &str)]) -> Query {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn non_json_is_a_400_not_a_422() {
        for body in [&b"{not json"[..], b"", b"  \n"] {
            let e = export_request(ExportType::FullRecord, body).unwrap_err();
            assert_eq!((e.status(), e.code()), (400, "invalid_json"), "{body:?}");
        }
        assert_eq!(
            export_request(ExportType::FullRecord, b"")
                .unwrap_err()
                .body(),
            json!({"error": {"code": "invalid_json", "message": "a JSON object body is required"}})
        );
        let e = export_request(ExportType::FullRecord, b"{nope").unwrap_err();
        assert!(e.to_string().starts_with("body is not valid JSON: "), "{e}");
        // JSON, but not an object: 422 naming the body.
        for body in ["[]", "42", "\"x\"", "null"] {
            let e = export_request(ExportType::FullRecord, body.as_bytes()).unwrap_err();
            assert_eq!(
                e.body(),
                json!({"error": {"code": "validation_failed", "message": "must be a JSON object", "field": "body"}}),
                "{body}"
            );
        }
    }

    #[test]
    fn each_export_type_reads_its_documented_body() {
        let b = export(ExportType::SessionNotes, json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01", "end_date": "2026-03-31"})).unwrap();
        match b {
            ExportRequestBody::SessionNotes(b) => {
                assert_eq!(b.start_date, NaiveDate::from_ymd_opt(2026, 1, 1));
            }
            other => panic!("{other:?}"),
        }
        for &t in ExportType::ALL {
            let mut body = json!({"patient_id": P, "format": "json"});
            if t == ExportType::ProgressReport {
                body["start_date"] = json!("2026-01-01");
                body["end_date"] = json!("2026-03-31");
            }
            let b = export(t, body).unwrap();
            assert_eq!(b.export_type(), t);
        }
    }

    #[test]
    fn bodies_of_the_wrong_shape_name_the_field() {
        let cases = [
            (
                ExportType::FullRecord,
                json!({"format": "json"}),
                "patient_id",
            ),
            (
                ExportType::SessionNotes,
                json!({"format": "csv"}),
                "patient_id",
            ),
            (
                ExportType::FullRecord,
                json!({"patient_id": "nope", "format": "csv"}),
                "patient_id",
            ),
            (
                ExportType::FullRecord,
                json!({"patient_id": P, "format": "xlsx"}),
                "format",
            ),
            (
                ExportType::FullRecord,
                json!({"patient_id": P, "format": 3}),
                "format",
            ),
            (
                ExportType::FullRecord,
                json!({"patient_id": P, "format": "csv", "include_sections": ["timeline"]}),
                "include_sections",
            ),
            (
                ExportType::FullRecord,
                json!({"patient_id": P, "format": "csv", "colour": "blue"}),
                "colour",
            ),
            (
                ExportType::ProgressReport,
                json!({"patient_id": P, "format": "csv", "start_date": "2026-03-01"}),
                "end_date",
            ),
            (
                ExportType::ProgressReport,
                json!({"patient_id": P, "format": "csv", "start_date": "2026-13-01", "end_date": "2026-12-01"}),
                "start_date",
            ),
            (
                ExportType::SessionNotes,
                json!({"patient_id": P, "format": "csv", "session_ids": ["x"]}),
                "session_ids[0]",
            ),
        ];
        for (t, body, field) in cases {
            let r = export(t, body.clone());
            if let Err(e) = &r {
                assert_eq!((e.status(), e.code()), (422, "validation_failed"), "{body}");
                assert_eq!(e.body()["error"]["field"], field, "{body}");
            }
            assert_eq!(field_of(r), field, "{body}");
        }
        let e = export(ExportType::FullRecord, json!({"format": "json"})).unwrap_err();
        assert_eq!(
            e.body(),
            json!({"error": {"code": "validation_failed", "message": "missing field `patient_id`", "field": "patient_id"}})
        );
    }

    #[test]
    fn dates_are_yyyy_mm_dd_from_1900_and_named() {
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
            let r = export(
                ExportType::ProgressReport,
                json!({"patient_id": P, "format": "csv", "start_date": bad, "end_date": "2026-12-31"}),
            );
            assert_eq!(field_of(r), "start_date", "{bad}");
            let r = export(
                ExportType::SessionNotes,
                json!({"patient_id": P, "format": "csv", "start_date": "2026-01-01", "end_date": bad}),
            );
            assert_eq!(field_of(r), "end_date", "{bad}");
        }
        assert!(audit_query(&query(&[("from", "+10000-01-01")])).is_err());
    }

    #[test]
    fn template_and_schedule_bodies_name_the_field() {
        let r = json_body::<TemplateBody>(
            json!({"name": "x", "export_type": "progress_report", "default_format": "json", "colour": "red"})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(field_of(r), "colour");
        let base = json!({"patient_id": P, "export_type": "full_record", "format": "json", "schedule_type": "daily", "time_of_day": "08:00", "timezone": "UTC"});
        assert!(json_body::<CreateScheduleBody>(base.to_string().as_bytes()).is_ok());
        let mut hourly = base.clone();
        hourly["schedule_type"] = json!("hourly");
        let r = json_body::<CreateScheduleBody>(hourly.to_string().as_bytes());
        assert_eq!(field_of(r), "schedule_type");
        let mut recipient = base.clone();
        recipient["recipient"] = json!("x@example.org");
        let r = json_body::<CreateScheduleBody>(recipient.to_string().as_bytes());
        assert_eq!(field_of(r), "recipient");
        let r = json_body::<ChangeScheduleBody>(json!({"patient_id": P}).to_string().as_bytes());
        assert_eq!(field_of(r), "patient_id");
        // `null` clears a day field; leaving it out keeps it.
        let c: ChangeScheduleBody = json_body(br#"{"day_of_week": null}"#).unwrap();
        assert_eq!((c.day_of_week, c.day_of_month), (Some(None), None));
    }

    #[test]
    fn list_queries() {
        let q = list_query(&query(&[])).unwrap();
        assert_eq!(
            (q.limit.get(), q.status, q.cursor),
            (DEFAULT_PAGE, None, None)
        );
        for limit in ["0", "101", "ten", "-1"] {
            let r = list_query(&query(&[("limit", limit)]));
            assert_eq!(field_of(r), "limit", "{limit}");
        }
        let e = list_query(&query(&[("limit", "ten")])).unwrap_err();
        assert_eq!(
            e.body()["error"]["message"],
            "must be an integer from 1 to 100"
        );
        assert_eq!(
            list_query(&query(&[("limit", "100")])).unwrap().limit.get(),
            100
        );
        assert_eq!(
            field_of(list_query(&query(&[("status", "done")]))),
            "status"
        );
        assert_eq!(
            list_query(&query(&[("status", "expired")])).unwrap().status,
            Some(JobStatus::Expired)
        );
        assert_eq!(
            field_of(list_query(&query(&[("patient_id", "x")]))),
            "patient_id"
        );
        let e = list_query(&query(&[("patient_id", "")])).unwrap_err();
        assert_eq!(
            e.body(),
            json!({"error": {"code": "validation_failed", "message": "must not be empty (leave the parameter out instead)", "field": "patient_id"}})
        );
        // The first fault in the documented order is the one named.
        assert_eq!(
            field_of(list_query(&query(&[("limit", "0"), ("status", "done")]))),
            "status"
        );

        let t = template_list_query(&query(&[
            ("export_type", "progress_report"),
            ("cursor", "c"),
        ]))
        .unwrap();
        assert_eq!(
            (t.export_type, t.limit.get(), t.cursor.as_deref()),
            (Some(ExportType::ProgressReport), DEFAULT_PAGE, Some("c"))
        );
        assert_eq!(
            field_of(template_list_query(&query(&[("export_type", "x")]))),
            "export_type"
        );
        assert_eq!(
            field_of(template_list_query(&query(&[("limit", "0")]))),
            "limit"
        );
        assert_eq!(
            field_of(template_list_query(&query(&[("cursor", "")]))),
            "cursor"
        );
    }

    #[test]
    fn audit_queries_read_dates_as_whole_days() {
        let a = audit_query(&query(&[("from", "2026-11-01"), ("to", "2026-11-02")])).unwrap();
        assert_eq!(
            a.from,
            Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(
            a.to,
            Some(dates::end_of_day(
                NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
            ))
        );
        let exact = "2026-11-02T09:30:00+01:00";
        let a = audit_query(&query(&[("from", exact), ("to", exact)])).unwrap();
        assert_eq!(
            a.from,
            Some(Utc.with_ymd_and_hms(2026, 11, 2, 8, 30, 0).unwrap())
        );
        assert_eq!(a.from, a.to);
        assert_eq!(
            audit_query(&query(&[])).unwrap(),
            AuditExportQuery::default()
        );
        assert_eq!(
            field_of(audit_query(&query(&[("from", "yesterday")]))),
            "from"
        );
        assert_eq!(field_of(audit_query(&query(&[("to", "2026-13-01")]))), "to");
        assert_eq!(
            field_of(audit_query(&query(&[("actor_id", "")]))),
            "actor_id"
        );
        assert_eq!(
            field_of(audit_query(&query(&[("patient_id", "x")]))),
            "patient_id"
        );
    }

    #[test]
    fn the_audit_export_body_means_what_the_query_parameters_mean() {
        let body =
            json!({"from": "2026-11-01", "to": "2026-11-02", "actor_id": "t-1", "patient_id": P});
        let q = &[
            ("from", "2026-11-01"),
            ("to", "2026-11-02"),
            ("actor_id", "t-1"),
            ("patient_id", P),
        ];
        assert_eq!(
            audit_export_body(body.to_string().as_bytes()).unwrap(),
            audit_query(&query(q)).unwrap()
        );
        assert_eq!(audit_export_body(b"").unwrap(), AuditExportQuery::default());
        assert_eq!(
            field_of(audit_export_body(br#"{"actor_id": null}"#)),
            "actor_id",
            "null is not absent"
        );
        assert_eq!(
            audit_export_body(b"{}").unwrap(),
            AuditExportQuery::default()
        );
        assert_eq!(
            field_of(audit_export_body(br#"{"from": "yesterday"}"#)),
            "from"
        );
        assert_eq!(
            field_of(audit_export_body(br#"{"patient_id": "x"}"#)),
            "patient_id"
        );
        assert!(matches!(
            audit_export_body(br#"{"until": "2026-11-01"}"#),
            Err(ApiError::Service(ServiceError::Validation { .. }))
        ));
        assert!(matches!(
            audit_export_body(b"not json"),
            Err(ApiError::InvalidJson(_))
        ));
    }

    #[test]
    fn redirect_is_a_boolean() {
        for (v, want) in [("true", true), ("1", true), ("false", false), ("0", false)] {
            assert_eq!(redirect_param(&query(&[("redirect", v)])).unwrap(), want);
        }
        assert!(!redirect_param(&query(&[])).unwrap());
        assert_eq!(
            field_of(redirect_param(&query(&[("redirect", "yes")]))),
            "redirect"
        );
    }
}
