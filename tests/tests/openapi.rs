//! `docs/openapi.yaml` against what the API really serves: every route of `exports_api::ROUTES`
//! is an operation of the spec and every operation a route; the error codes are those of
//! docs/api.md's error table, at the statuses it gives, and those `ServiceError` produces; the
//! request bodies have the fields docs/api.md lists for each export type. Reads files only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use exports_api::ApiError;
use exports_core::export::ExportType;
use exports_core::params::known_sections;
use exports_core::service::ServiceError;
use serde_json::Value;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn repo_root() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

fn read(relative: &str) -> String {
    let path = repo_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn spec() -> Value {
    serde_yaml_ng::from_str(&read("docs/openapi.yaml")).expect("docs/openapi.yaml is YAML")
}

/// Follows a local `$ref` (`#/components/…`), once or more.
fn resolve<'a>(spec: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        // A $ref with siblings (OpenAPI 3.1 schemas) narrows the referenced schema: keep it.
        if v.as_object().is_some_and(|o| o.len() > 1) {
            break;
        }
        let pointer = r.strip_prefix('#').expect("a local $ref");
        v = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{r} points at nothing"));
    }
    v
}

/// Every operation: (METHOD, path) → operation object.
fn operations(spec: &Value) -> BTreeMap<(String, String), &Value> {
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                out.insert((method.to_ascii_uppercase(), path.clone()), op);
            }
        }
    }
    out
}

fn enum_strings(v: &Value) -> BTreeSet<String> {
    v["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("an enum: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// The error codes an error response's body may carry (its narrowed `error.code` enum).
fn codes_of(spec: &Value, schema: &Value) -> BTreeSet<String> {
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        return alternatives
            .iter()
            .flat_map(|s| codes_of(spec, s))
            .collect();
    }
    let schema = resolve(spec, schema);
    match schema.pointer("/properties/error/properties/code") {
        Some(code) if code.get("enum").is_some() => enum_strings(code),
        // Not narrowed: any code of the Error schema.
        Some(_) => enum_strings(&spec["components"]["schemas"]["ErrorCode"]),
        // Not the Error schema (API Gateway's own answers).
        None => BTreeSet::new(),
    }
}

/// docs/api.md's error table: (status, code).
fn documented_errors() -> BTreeSet<(u16, String)> {
    let docs = read("docs/api.md");
    let section = docs
        .split("\n## Errors")
        .nth(1)
        .expect("docs/api.md has an Errors section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let rows: BTreeSet<(u16, String)> = section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let status = cells.get(1)?.parse::<u16>().ok()?;
            let code = cells.get(2)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((status, code.to_string()))
        })
        .collect();
    assert!(rows.len() >= 10, "the error table parsed: {rows:?}");
    rows
}

#[test]
fn every_route_the_api_serves_is_in_the_spec_and_every_operation_is_served() {
    let spec = spec();
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1"
    );
    let in_spec: BTreeSet<(String, String)> = operations(&spec).into_keys().collect();
    let served: BTreeSet<(String, String)> = exports_api::ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let missing: Vec<_> = served.difference(&in_spec).collect();
    let unserved: Vec<_> = in_spec.difference(&served).collect();
    assert!(
        missing.is_empty() && unserved.is_empty(),
        "served but not in docs/openapi.yaml: {missing:?}; in the spec but not served: {unserved:?}"
    );
}

#[test]
fn every_operation_needs_a_bearer_jwt_and_documents_its_answers() {
    let spec = spec();
    let scheme = &spec["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    assert_eq!(spec["security"][0]["bearerAuth"], serde_json::json!([]));

    for ((method, path), op) in operations(&spec) {
        let at = format!("{method} {path}");
        assert!(
            op.get("security").is_none(),
            "{at}: no per-operation override"
        );
        let responses = op["responses"].as_object().expect("responses");
        for status in ["401", "403", "500", "503"] {
            assert!(responses.contains_key(status), "{at}: {status}");
        }
        let route = exports_api::ROUTES
            .iter()
            .find(|r| r.method == method && r.path == path)
            .unwrap_or_else(|| panic!("{at} is served"));
        let takes_body = route.endpoint.takes_json_body();
        assert_eq!(
            op.get("requestBody").is_some(),
            takes_body,
            "{at}: a request body exactly where the API reads one"
        );
        assert_eq!(
            responses.contains_key("415"),
            takes_body,
            "{at}: 415 unsupported_media_type where a body is read"
        );
        let unavailable = resolve(&spec, &responses["503"]);
        assert!(
            unavailable["headers"].get("Retry-After").is_some(),
            "{at}: 503 has Retry-After"
        );
        if path.contains("{job_id}") {
            let declared = op
                .get("parameters")
                .into_iter()
                .chain(spec["paths"][&path].get("parameters"))
                .flat_map(|p| p.as_array().expect("parameters"))
                .map(|p| resolve(&spec, p))
                .any(|p| p["name"] == "job_id" && p["in"] == "path" && p["required"] == true);
            assert!(declared, "{at}: the job_id path parameter");
        }
    }
}

#[test]
fn export_requests_take_the_documented_bodies_and_answer_202_with_a_location() {
    let spec = spec();
    let fields = documented_request_fields();
    for t in ExportType::ALL {
        let path = format!("/api/v1/export/{}", t.path_segment());
        let op = &spec["paths"][&path]["post"];
        let at = format!("POST {path}");

        let body = resolve(&spec, &op["requestBody"]);
        assert_eq!(body["required"], true, "{at}");
        let schema = resolve(&spec, &body["content"]["application/json"]["schema"]);
        assert_eq!(
            schema["additionalProperties"], false,
            "{at}: unknown fields refused"
        );
        let properties: BTreeSet<String> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        let required: BTreeSet<String> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .map(|r| r.as_str().expect("a field").to_string())
            .collect();
        let (doc_required, doc_optional) = &fields[t.path_segment()];
        assert_eq!(
            &required, doc_required,
            "{at}: required fields (docs/api.md)"
        );
        let documented: BTreeSet<String> = doc_required.union(doc_optional).cloned().collect();
        assert_eq!(properties, documented, "{at}: fields (docs/api.md)");

        if properties.contains("include_sections") {
            let items = resolve(&spec, &schema["properties"]["include_sections"]["items"]);
            let known: BTreeSet<String> =
                known_sections(*t).iter().map(|s| s.to_string()).collect();
            assert_eq!(enum_strings(items), known, "{at}: include_sections");
        }

        let has_idempotency_key = op["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .map(|p| resolve(&spec, p))
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header");
        assert!(has_idempotency_key, "{at}: Idempotency-Key");

        let accepted = resolve(&spec, &op["responses"]["202"]);
        assert!(
            accepted["headers"].get("Location").is_some(),
            "{at}: Location"
        );
        let limited = resolve(&spec, &op["responses"]["429"]);
        assert!(
            limited["headers"].get("Retry-After").is_some(),
            "{at}: Retry-After"
        );
    }
}

/// docs/api.md's "Requesting an export" table: per type (path segment), required and optional
/// fields.
fn documented_request_fields() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let docs = read("docs/api.md");
    let section = docs
        .split("\n## Requesting an export")
        .nth(1)
        .expect("docs/api.md documents export requests");
    let mut lines = section.lines().filter(|l| l.starts_with('|'));
    let header: Vec<String> = lines
        .next()
        .expect("the fields table")
        .split('|')
        .map(|c| c.trim().to_string())
        .collect();
    let mut out: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for line in lines {
        // `pdf` \| `docx`: an escaped bar is no cell border.
        let line = line.replace("\\|", "/");
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.get(1).is_some_and(|c| c.starts_with("---")) {
            continue;
        }
        // The table ends where the next one (the sections) begins.
        if cells.len() != header.len() {
            break;
        }
        let names: Vec<String> = cells[1]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect();
        for (column, cell) in header.iter().zip(&cells).skip(3) {
            if column.is_empty() {
                continue;
            }
            let entry = out.entry(column.clone()).or_default();
            for name in &names {
                if cell.starts_with("required") {
                    entry.0.insert(name.clone());
                } else if cell.starts_with("optional") {
                    entry.1.insert(name.clone());
                }
            }
        }
    }
    for t in ExportType::ALL {
        assert!(
            out.get(t.path_segment())
                .is_some_and(|(required, _)| required.contains("patient_id")),
            "the fields table has a column for {}: {out:?}",
            t.path_segment()
        );
    }
    out
}

#[test]
fn the_error_codes_are_those_of_the_docs_and_of_service_error() {
    let spec = spec();
    let documented = documented_errors();

    // The Error schema's code enum is the docs' list of codes.
    let error = &spec["components"]["schemas"]["Error"];
    assert_eq!(
        error.pointer("/properties/error/properties/code/$ref"),
        Some(&Value::from("#/components/schemas/ErrorCode"))
    );
    let codes = enum_strings(&spec["components"]["schemas"]["ErrorCode"]);
    let documented_codes: BTreeSet<String> = documented.iter().map(|(_, c)| c.clone()).collect();
    assert_eq!(codes, documented_codes, "ErrorCode is docs/api.md's list");

    // Each operation's error responses carry codes at the status the docs give them.
    let mut answered: BTreeSet<(u16, String)> = BTreeSet::new();
    for ((method, path), op) in operations(&spec) {
        for (status, response) in op["responses"].as_object().expect("responses") {
            let status: u16 = status.parse().expect("a status code");
            if status < 400 {
                continue;
            }
            let response = resolve(&spec, response);
            let schema = &response["content"]["application/json"]["schema"];
            let codes = codes_of(&spec, schema);
            assert!(
                !codes.is_empty(),
                "{method} {path} {status}: the Error schema"
            );
            for code in codes {
                assert!(
                    documented.contains(&(status, code.clone())),
                    "{method} {path}: {status} {code} is not in docs/api.md's error table"
                );
                answered.insert((status, code));
            }
        }
    }
    // Every documented code is answered somewhere, except those only requests outside every
    // operation get (unknown paths and methods; API Gateway answers those itself).
    let outside: BTreeSet<(u16, String)> = [
        (404, "route_not_found".to_string()),
        (405, "method_not_allowed".to_string()),
    ]
    .into();
    let unanswered: Vec<_> = documented
        .difference(&answered)
        .filter(|e| !outside.contains(*e))
        .collect();
    assert!(
        unanswered.is_empty(),
        "documented but in no operation: {unanswered:?}"
    );
    // No operation answers them, so they are in ErrorCode (checked above) and the description.
    let description = spec["info"]["description"].as_str().expect("a description");
    for (status, code) in &outside {
        assert!(documented.contains(&(*status, code.clone())));
        assert!(
            description.contains(&format!("`{code}` ({status}")),
            "the description explains {code}"
        );
    }

    // ServiceError's own codes, at the statuses the API gives them, are documented. (NotFound, Conflict and
    // Gone take their code from the caller: the list below names those, and every code literal
    // the API and the core pass to `not_found(…)` / `conflict(…)` must be documented too.)
    for e in service_errors() {
        let e = ApiError::from(e);
        assert!(
            documented.contains(&(e.status(), e.code().to_string())),
            "{e:?} answers {} {}, not in docs/api.md",
            e.status(),
            e.code()
        );
    }
    // The API layer's own errors too (also a match that stops compiling on a new variant).
    for e in [
        ApiError::RouteNotFound,
        ApiError::MethodNotAllowed { allow: vec!["GET"] },
        ApiError::UnsupportedMediaType,
        ApiError::InvalidJson("x".into()),
    ] {
        match e {
            ApiError::RouteNotFound
            | ApiError::MethodNotAllowed { .. }
            | ApiError::UnsupportedMediaType
            | ApiError::InvalidJson(_)
            | ApiError::Service(_) => {}
        }
        assert!(
            documented.contains(&(e.status(), e.code().to_string())),
            "ApiError {e:?} answers {} {}, not in docs/api.md",
            e.status(),
            e.code()
        );
    }
    let in_code = caller_supplied_codes();
    assert!(
        in_code.contains(&(404, "job_not_found".to_string())),
        "the source scan found the codes: {in_code:?}"
    );
    for (status, code) in &in_code {
        assert!(
            documented.contains(&(*status, code.clone())),
            "the code answers {status} {code}, not in docs/api.md"
        );
    }
}

/// `(status, code)` of every `not_found("…", …)` (404) and `conflict("…", …)` (409) call in the
/// API function and the core.
fn caller_supplied_codes() -> BTreeSet<(u16, String)> {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in ["shared/core/src", "functions/api/src"] {
        rust_files(&repo_root().join(dir), &mut files);
    }
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (call, status) in [("not_found(", 404), ("conflict(", 409)] {
            for (i, _) in text.match_indices(call) {
                let before = text[..i].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let Some(literal) = text[i + call.len()..].trim_start().strip_prefix('"') else {
                    continue;
                };
                if let Some(end) = literal.find('"') {
                    out.insert((status, literal[..end].to_string()));
                }
            }
        }
    }
    out
}

/// One of each `ServiceError` variant with a fixed code.
fn service_errors() -> Vec<ServiceError> {
    let all = vec![
        ServiceError::Unauthenticated,
        ServiceError::Forbidden("x".into()),
        ServiceError::not_found("job_not_found", "x"),
        ServiceError::validation("x", "x"),
        ServiceError::FormatNotAvailable("pdf".into()),
        ServiceError::InvalidTemplate {
            line: 1,
            column: 1,
            message: "x".into(),
        },
        ServiceError::not_found("patient_not_found", "x"),
        ServiceError::not_found("template_not_found", "x"),
        ServiceError::not_found("schedule_not_found", "x"),
        ServiceError::conflict("template_in_use", "x"),
        ServiceError::conflict("schedule_exists", "x"),
        ServiceError::IdempotencyConflict,
        ServiceError::JobNotCompleted {
            status: "pending".into(),
        },
        ServiceError::Gone {
            code: "export_expired",
            message: "x".into(),
        },
        ServiceError::RateLimited {
            retry_after_seconds: 1,
        },
        ServiceError::Unavailable("x".into()),
        ServiceError::Internal("x".into()),
    ];
    // A new variant stops this compiling: give it a row in docs/api.md and the spec.
    for e in &all {
        match e {
            ServiceError::Unauthenticated
            | ServiceError::Forbidden(_)
            | ServiceError::NotFound { .. }
            | ServiceError::Validation { .. }
            | ServiceError::FormatNotAvailable(_)
            | ServiceError::InvalidTemplate { .. }
            | ServiceError::Conflict { .. }
            | ServiceError::IdempotencyConflict
            | ServiceError::JobNotCompleted { .. }
            | ServiceError::Gone { .. }
            | ServiceError::RateLimited { .. }
            | ServiceError::Unavailable(_)
            | ServiceError::Internal(_) => {}
        }
    }
    all
}

#[test]
fn failed_job_codes_are_those_of_the_docs() {
    let spec = spec();
    let in_spec = enum_strings(&spec["components"]["schemas"]["JobError"]["properties"]["code"]);
    let docs = read("docs/api.md");
    let row = docs
        .lines()
        .find(|l| l.starts_with("| `error` |"))
        .expect("docs/api.md describes a job's error");
    let listed = row.split("Codes:").nth(1).expect("the row lists the codes");
    let documented: BTreeSet<String> = listed
        .split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect();
    assert_eq!(in_spec, documented);
}

#[test]
fn the_time_zones_are_exactly_those_the_service_knows() {
    let spec = spec();
    let listed = enum_strings(&spec["components"]["schemas"]["TimeZone"]);
    let known: BTreeSet<String> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name().to_string())
        .collect();
    assert_eq!(listed, known, "TimeZone's enum is chrono-tz's tz database");
    for name in &listed {
        assert!(name.parse::<chrono_tz::Tz>().is_ok(), "{name} parses");
    }
}

#[test]
fn single_line_texts_state_their_rule_in_the_schema() {
    let spec = spec();
    let template = &spec["components"]["schemas"]["TemplateRequest"]["properties"];
    for (field, max) in [
        ("name", 200),
        ("title", 200),
        ("header_text", 200),
        ("footer_text", 500),
    ] {
        let p = &template[field];
        assert_eq!(p["maxLength"], max, "{field}");
        let pattern = p["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: a pattern"));
        assert!(
            pattern.contains("\\x00-\\x1F\\x7F-\\x9F"),
            "{field}: no control characters"
        );
    }
}
