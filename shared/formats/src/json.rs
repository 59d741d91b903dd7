//! The JSON export: the [`Report`] serialised as is (see `docs/export-json.md`).
//!
//! The report holds no maps (only structs, whose fields serialise in declaration order, and
//! lists in defined orders), so the bytes are a function of the report alone.

use exports_core::report::Report;

/// Pretty-printed (two-space indent) UTF-8 JSON, no BOM, with a trailing newline. Non-ASCII text
/// is written as UTF-8, not escaped.
pub fn render(report: &Report) -> Vec<u8> {
    // Roughly the size of the text it carries; avoids most regrowth on large records.
    let mut out = Vec::with_capacity(16 * 1024);
    serde_json::to_writer_pretty(&mut out, report)
        .expect("a Report always serialises: no maps with non-string keys, no fallible fields");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use exports_core::export::ExportType;
    use exports_core::params::ExportParams;
    use exports_core::report::{SCHEMA_URI, build_report};
    use exports_synthetic::fixtures::*;
    use exports_synthetic::{HOSTILE_STRINGS, LEADING_PATIENT_NAMES};

    fn params_for(t: ExportType) -> ExportParams {
        match t {
            ExportType::ProgressReport => ExportParams {
                start_date: Some(d(2026, 1, 1)),
                end_date: Some(d(2026, 10, 30)),
                ..ExportParams::default()
            },
            _ => ExportParams::default(),
        }
    }

    fn parse(bytes: &[u8]) -> Value {
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM in JSON");
        assert!(bytes.ends_with(b"}\n"));
        serde_json::from_slice(bytes).expect("valid JSON")
    }

    #[test]
    fn deterministic_and_parses_back_to_the_report() {
        let data = demo();
        for t in ExportType::ALL {
            let record = &data.patients[0];
            let params = params_for(*t);
            let a = render(&demo_report(data, record, *t, &params));
            let b = render(&demo_report(data, record, *t, &params));
            assert_eq!(a, b, "{t}: same input, same bytes");
            let v = parse(&a);
            assert_eq!(v["schema"], SCHEMA_URI);
            assert_eq!(v["schema_version"], 1);
            assert_eq!(v["export_type"], t.as_str());
            assert_eq!(v["job_id"], JOB_ID.to_string());
            assert_eq!(v["generated_at"], "2026-11-27T10:00:00Z");
            assert_eq!(v["patient"]["mrn"], record.patient.mrn);
            // The Value is exactly the report's serde form.
            assert_eq!(
                v,
                serde_json::to_value(demo_report(data, record, *t, &params)).unwrap()
            );
            // Top-level keys in declaration order (serde_json's Value sorts keys; read the text).
            let raw = std::str::from_utf8(&a).unwrap();
            let keys: Vec<&str> = raw
                .lines()
                .filter_map(|l| l.strip_prefix("  \""))
                .filter_map(|l| l.split_once('"').map(|(k, _)| k))
                .collect();
            assert_eq!(
                keys,
                [
                    "schema",
                    "schema_version",
                    "export_type",
                    "job_id",
                    "generated_at",
                    "sections",
                    "practice",
                    "requested_by",
                    "patient",
                    "content"
                ]
            );
        }
    }

    #[test]
    fn hostile_and_non_ascii_text_survives_exactly() {
        let data = demo();
        let record = &data.patients[0];
        let bytes = render(&demo_report(
            data,
            record,
            ExportType::SessionNotes,
            &ExportParams::default(),
        ));
        let v = parse(&bytes);
        let sessions = v["content"]["sessions"].as_array().unwrap();
        let first = sessions
            .iter()
            .find(|s| !s["notes"].as_array().unwrap().is_empty())
            .unwrap();
        let soap = &first["notes"][0]["soap"];
        assert_eq!(soap["objective"], HOSTILE_STRINGS[1]);
        let text: String = ["subjective", "objective", "assessment", "plan"]
            .iter()
            .map(|k| soap[k].as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        for h in HOSTILE_STRINGS {
            assert!(text.contains(h), "{h:?}");
        }
        // Non-ASCII is UTF-8 in the bytes, not \u-escaped.
        let (first_name, last_name) = LEADING_PATIENT_NAMES[0];
        assert_eq!(v["patient"]["first_name"], first_name);
        assert_eq!(v["patient"]["last_name"], last_name);
        let raw = std::str::from_utf8(&bytes).unwrap();
        assert!(raw.contains("\"first_name\": \"Zoë\""));
        for (i, (f, l)) in LEADING_PATIENT_NAMES.iter().enumerate() {
            let r = demo_report(
                data,
                &data.patients[i],
                ExportType::FullRecord,
                &ExportParams::default(),
            );
            let v = parse(&render(&r));
            assert_eq!(v["content"]["demographics"]["first_name"], *f);
            assert_eq!(v["content"]["demographics"]["last_name"], *l);
        }
    }

    #[test]
    fn excluded_sections_are_absent_keys_not_empty_values() {
        let data = demo();
        let record = &data.patients[1];
        let params = ExportParams {
            include_sections: Some(vec!["topics".into(), "assessment".into()]),
            ..ExportParams::default()
        };
        let v = parse(&render(&demo_report(
            data,
            record,
            ExportType::SessionNotes,
            &params,
        )));
        assert_eq!(v["sections"], serde_json::json!(["topics", "assessment"]));
        for s in v["content"]["sessions"].as_array().unwrap() {
            let s = s.as_object().unwrap();
            assert!(s.contains_key("topics"));
            for k in ["details", "clinician", "mood"] {
                assert!(!s.contains_key(k), "{k} present");
            }
            for n in s["notes"].as_array().unwrap() {
                let soap = n["soap"].as_object().unwrap();
                for k in ["subjective", "objective", "plan"] {
                    assert!(!soap.contains_key(k), "{k} present");
                }
            }
        }

        let params = ExportParams {
            include_sections: Some(vec!["timeline".into()]),
            ..ExportParams::default()
        };
        let v = parse(&render(&demo_report(
            data,
            record,
            ExportType::FullRecord,
            &params,
        )));
        let content: Vec<_> = v["content"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(content, ["timeline"]);

        let params = ExportParams {
            start_date: Some(d(2026, 1, 1)),
            end_date: Some(d(2026, 12, 31)),
            include_sections: Some(vec![]),
            ..ExportParams::default()
        };
        let v = parse(&render(&demo_report(
            data,
            record,
            ExportType::ProgressReport,
            &params,
        )));
        let content: Vec<_> = v["content"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            content,
            ["period"],
            "only the period when nothing is included"
        );
        assert_eq!(v["sections"], serde_json::json!([]));
    }

    #[test]
    fn numbers_are_numbers_and_empty_lists_are_empty() {
        let (me, mut record) = small_record();
        record.assessments.clear();
        let params = ExportParams::default();
        let others = [other_therapist()];
        let v = parse(&render(&build_report(&input(
            &me,
            &record,
            ExportType::TreatmentSummary,
            &params,
            &others,
        ))));
        let stats = &v["content"]["session_statistics"];
        assert_eq!(stats["attendance_rate_percent"], 66.7);
        assert_eq!(stats["hours_attended"], 3.42);
        assert_eq!(stats["scheduled"], 6);
        assert_eq!(v["content"]["assessments"], serde_json::json!([]));

        let v = parse(&render(&build_report(&input(
            &me,
            &record,
            ExportType::ProgressReport,
            &ExportParams {
                start_date: Some(d(2026, 1, 1)),
                end_date: Some(d(2026, 1, 31)),
                ..ExportParams::default()
            },
            &others,
        ))));
        assert_eq!(v["content"]["mood"]["average"], 4.0);
        let raw = serde_json::to_string(&v["content"]["mood"]["average"]).unwrap();
        assert_eq!(raw, "4.0");
    }
}
