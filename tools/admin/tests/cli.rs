//! The admin CLI as an operator runs it: a real process against the emulator.

use std::process::{Command, Output};

use exports_core::ports::{RecordSource, SessionScope};
use exports_core::records::PracticeData;
use exports_tests::{DEFAULT_ENDPOINT, TestEnv};

fn admin(prefix: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exports-admin"));
    cmd.args(args).env("RESOURCE_PREFIX", prefix);
    for (k, default) in [
        ("AWS_ENDPOINT_URL", DEFAULT_ENDPOINT),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ] {
        cmd.env(k, std::env::var(k).unwrap_or_else(|_| default.into()));
    }
    cmd.output().expect("run exports-admin")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn prefix() -> String {
    format!("c{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

#[tokio::test]
async fn provision_seed_and_import_through_the_cli() {
    let prefix = prefix();
    let out = admin(&prefix, &["provision"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("created          DynamoDB table {prefix}-records")),
        "{stdout}"
    );
    let again = text(&admin(&prefix, &["provision"]).stdout);
    assert!(
        !again.contains("created "),
        "second provision created something:\n{again}"
    );

    let dir = std::env::temp_dir().join(&prefix);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("practice.json");
    let out = admin(
        &prefix,
        &[
            "seed-demo",
            "--patients",
            "3",
            "--sessions",
            "5",
            "--words",
            "50",
            "--seed",
            "9",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let data: PracticeData = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(data.patients.len(), 3);

    let out = admin(&prefix, &["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 patients, 15 sessions"),
        "{}",
        text(&out.stdout)
    );

    let env = TestEnv::with_names(exports_aws::config::ResourceNames::with_prefix(&prefix)).await;
    let got = env
        .records()
        .patient_record(data.patients[2].patient.id, SessionScope::All)
        .await
        .unwrap();
    assert_eq!(got.as_ref(), Some(&data.patients[2]));
}

#[tokio::test]
async fn a_bad_file_names_record_and_field_exits_3_and_writes_nothing() {
    let prefix = prefix();
    assert!(admin(&prefix, &["provision"]).status.success());
    let dir = std::env::temp_dir().join(&prefix);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    let good = exports_synthetic::generate(&Default::default());
    let mut json = serde_json::to_value(&good).unwrap();
    json["patients"][3]["patient"]["mrn"] = serde_json::json!("MRN 4 / bad");
    std::fs::write(&file, json.to_string()).unwrap();

    let out = admin(&prefix, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "patients[3] (patient {}) patient.mrn",
            good.patients[3].patient.id
        )),
        "{stderr}"
    );
    let env = TestEnv::with_names(exports_aws::config::ResourceNames::with_prefix(&prefix)).await;
    assert!(
        env.table_snapshot(&env.names.records_table)
            .await
            .is_empty()
    );

    std::fs::write(
        &file,
        b"{\"format\": \"practice-exports/records/v1\", \"patients\": [{\"patient\": 7}]}",
    )
    .unwrap();
    let out = admin(&prefix, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("patients[0].patient: invalid type"),
        "{}",
        text(&out.stderr)
    );

    let out = admin(&prefix, &["import", "--dry-run", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
}
