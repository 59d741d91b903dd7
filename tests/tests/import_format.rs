//! The documented import format (docs/import-format.md, its JSON Schema and example) agrees with
//! what the importer accepts.

use exports_core::validation::{parse_practice, validate_practice};
use exports_synthetic::{DemoParams, generate};

fn docs(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../docs/{path}",
        std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test")
    ))
    .expect(path)
}

fn schema() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_slice(&docs("import-format.schema.json")).unwrap();
    jsonschema::draft202012::new(&schema).expect("a valid JSON Schema")
}

#[test]
fn the_documented_example_is_accepted_by_the_schema_and_the_importer() {
    let example = docs("examples/records-example.json");
    let json: serde_json::Value = serde_json::from_slice(&example).unwrap();
    let errors: Vec<String> = schema()
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let data = parse_practice(&example).expect("parses");
    validate_practice(&data, &Default::default()).expect("valid");
}

#[test]
fn generated_practices_match_the_schema() {
    let validator = schema();
    for seed in [1, 2, 3] {
        let data = generate(&DemoParams {
            patients: 8,
            sessions_per_patient: 12,
            words_per_note: 60,
            seed,
            ..Default::default()
        });
        let json = serde_json::to_value(&data).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "seed {seed}: {errors:?}");
    }
}

#[test]
fn the_schema_refuses_what_the_importer_refuses() {
    let validator = schema();
    let good = serde_json::to_value(generate(&DemoParams {
        patients: 2,
        sessions_per_patient: 3,
        words_per_note: 20,
        ..Default::default()
    }))
    .unwrap();
    type Breakage = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Breakage)> = vec![
        (
            "unknown field",
            Box::new(|j| j["patients"][0]["patient"]["favourite_colour"] = "blue".into()),
        ),
        (
            "mood 11",
            Box::new(|j| j["patients"][0]["sessions"][1]["session"]["mood"] = 11.into()),
        ),
        (
            "bad MRN",
            Box::new(|j| j["patients"][1]["patient"]["mrn"] = "MRN 1/2".into()),
        ),
        (
            "empty optional",
            Box::new(|j| j["patients"][0]["patient"]["pronouns"] = "".into()),
        ),
        ("wrong format", Box::new(|j| j["format"] = "v2".into())),
    ];
    for (what, break_it) in cases {
        let mut bad = good.clone();
        break_it(&mut bad);
        assert!(!validator.is_valid(&bad), "schema accepted: {what}");
        let parsed = parse_practice(bad.to_string().as_bytes());
        assert!(
            parsed.is_err() || validate_practice(&parsed.unwrap(), &Default::default()).is_err(),
            "importer accepted: {what}"
        );
    }
}
