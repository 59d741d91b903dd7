//! The clinical records store against the emulator through the real SDK: import, seed, read back.

use std::collections::HashSet;

use chrono::{NaiveDate, TimeZone, Utc};
use exports_aws::records_store::ImportError;
use exports_core::ports::{RecordSource, SessionScope};
use exports_core::records::{Note, PatientRecord, PracticeData, SessionKey, Soap};
use exports_synthetic::{DemoParams, generate};
use exports_tests::TestEnv;

fn demo(patients: usize, sessions: usize, words: usize, seed: u64) -> PracticeData {
    generate(&DemoParams {
        patients,
        sessions_per_patient: sessions,
        words_per_note: words,
        seed,
        end_date: NaiveDate::from_ymd_opt(2026, 10, 30).unwrap(),
    })
}

async fn assert_reads_back(env: &TestEnv, data: &PracticeData) {
    let store = env.records();
    for expected in &data.patients {
        let mut expected = expected.clone();
        expected.normalize();
        let got = store
            .patient_record(expected.patient.id, SessionScope::All)
            .await
            .unwrap()
            .expect("patient present");
        // Field by field first, for a readable failure; then the whole record.
        assert_eq!(got.patient, expected.patient);
        assert_eq!(got.diagnoses, expected.diagnoses);
        assert_eq!(got.treatment_plans, expected.treatment_plans);
        assert_eq!(got.assessments, expected.assessments);
        assert_eq!(got.attachments, expected.attachments);
        assert_eq!(got.sessions.len(), expected.sessions.len());
        for (g, e) in got.sessions.iter().zip(&expected.sessions) {
            assert_eq!(g, e, "session {}", e.session.id);
        }
        assert_eq!(got, expected);
        assert_eq!(
            store.patient(expected.patient.id).await.unwrap().as_ref(),
            Some(&expected.patient)
        );
    }
    let ids: Vec<_> = data.therapists.iter().map(|t| t.id).collect();
    assert_eq!(store.therapists(&ids).await.unwrap(), data.therapists);
}

#[tokio::test]
async fn an_imported_practice_reads_back_field_by_field() {
    let env = TestEnv::new().await;
    let data = demo(8, 10, 120, 7);
    let report = env.records().import(&data).await.expect("import");
    assert_eq!(report.patients, 8);
    assert_eq!(report.therapists, data.therapists.len());
    assert_eq!(report.items_deleted, 0);
    assert_reads_back(&env, &data).await;

    // Every therapist's patient list is exactly the patients assigned to them.
    for t in &data.therapists {
        let mut listed = env.records().patients_of(t.id).await.unwrap();
        listed.sort();
        let mut expected: Vec<_> = data
            .patients
            .iter()
            .filter(|p| p.patient.assigned_therapist_ids.contains(&t.id))
            .map(|p| p.patient.id)
            .collect();
        expected.sort();
        assert!(!expected.is_empty());
        assert_eq!(listed, expected);
    }
}

#[tokio::test]
async fn hostile_and_non_ascii_text_survives_the_store_unchanged() {
    let env = TestEnv::new().await;
    let data = demo(6, 6, 80, 1);
    env.records().import(&data).await.unwrap();
    let names: Vec<String> = data
        .patients
        .iter()
        .map(|p| p.patient.full_name())
        .collect();
    for wanted in ["Zoë", "José", "Øyvind", "Nguyễn", "Ελένη"] {
        assert!(
            names.iter().any(|n| n.contains(wanted)),
            "{wanted} in {names:?}"
        );
    }
    let zoe = env
        .records()
        .patient_record(data.patients[0].patient.id, SessionScope::All)
        .await
        .unwrap()
        .unwrap();
    let text: String = zoe
        .sessions
        .iter()
        .flat_map(|s| &s.notes)
        .flat_map(|n| n.soap.sections())
        .filter_map(|(_, t)| t)
        .collect();
    for hostile in exports_synthetic::HOSTILE_STRINGS {
        assert!(text.contains(hostile), "{hostile} came back changed");
    }
}

#[tokio::test]
async fn sessions_in_a_date_range_come_with_their_notes_and_the_rest_of_the_record() {
    let env = TestEnv::new().await;
    let data = demo(2, 20, 60, 3);
    env.records().import(&data).await.unwrap();
    let mut full = data.patients[1].clone();
    full.normalize();
    let from = full.sessions[5].session.start_time;
    let to = full.sessions[9].session.start_time;
    let got = env
        .records()
        .patient_record(full.patient.id, SessionScope::Between { from, to })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.sessions, full.sessions[5..=9].to_vec());
    assert_eq!(got.diagnoses, full.diagnoses);
    assert_eq!(got.assessments, full.assessments);
    assert_eq!(got.patient, full.patient);

    let none = Utc.with_ymd_and_hms(1999, 1, 1, 0, 0, 0).unwrap();
    let empty = env
        .records()
        .patient_record(
            full.patient.id,
            SessionScope::Between {
                from: none,
                to: none,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(empty.sessions.is_empty());
}

#[tokio::test]
async fn a_patient_with_a_thousand_long_sessions_pages_back_complete() {
    let env = TestEnv::new().await;
    let data = demo(1, 1000, 400, 11);
    let bytes: usize = data.patients[0]
        .sessions
        .iter()
        .flat_map(|s| &s.notes)
        .flat_map(|n| n.soap.sections())
        .filter_map(|(_, t)| t.map(str::len))
        .sum();
    assert!(
        bytes > 2_000_000,
        "notes hold {bytes} bytes: more than two 1 MB query pages"
    );
    env.records().import(&data).await.unwrap();
    let got = env
        .records()
        .patient_record(data.patients[0].patient.id, SessionScope::All)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.sessions.len(), 1000);
    let mut expected = data.patients[0].clone();
    expected.normalize();
    assert_eq!(got, expected);

    // What a full record's PDF reads instead: the record without note texts (over several
    // query pages), then the notes of a few sessions at a time, with their texts.
    let id = expected.patient.id;
    let outline = env
        .records()
        .patient_record_outline(id, SessionScope::All)
        .await
        .unwrap()
        .unwrap();
    let mut without_texts = expected.clone();
    for s in &mut without_texts.sessions {
        for n in &mut s.notes {
            n.soap = Soap::default();
        }
    }
    assert_eq!(outline, without_texts);
    let from = expected.sessions[100].session.start_time;
    let to = expected.sessions[199].session.start_time;
    let scoped = env
        .records()
        .patient_record_outline(id, SessionScope::Between { from, to })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(scoped.sessions, without_texts.sessions[100..=199].to_vec());
    assert_eq!(scoped.diagnoses, expected.diagnoses);
    for (first, last) in [(0, 31), (32, 63), (990, 999), (500, 500)] {
        let key = |i: usize| SessionKey::of(&expected.sessions[i].session);
        let notes = env
            .records()
            .session_notes(id, key(first), key(last))
            .await
            .unwrap();
        let wanted: Vec<(uuid::Uuid, Note)> = expected.sessions[first..=last]
            .iter()
            .flat_map(|s| s.notes.iter().map(|n| (s.session.id, n.clone())))
            .collect();
        assert_eq!(notes, wanted, "sessions {first}..={last}");
    }
}

#[tokio::test]
async fn a_malformed_import_leaves_the_table_exactly_as_it_was() {
    let env = TestEnv::new().await;
    let good = demo(3, 4, 40, 5);
    env.records().import(&good).await.unwrap();
    let before = env.table_snapshot(&env.names.records_table).await;

    // A new, valid patient first and a broken one last: nothing of either may be written.
    let mut bad = demo(5, 4, 40, 99);
    bad.therapists = good.therapists.clone();
    for p in &mut bad.patients {
        p.patient.assigned_therapist_ids = vec![good.therapists[0].id];
        for s in &mut p.sessions {
            s.session.therapist_id = good.therapists[0].id;
            for n in &mut s.notes {
                n.author_id = good.therapists[0].id;
            }
        }
    }
    bad.patients[4].sessions[2].session.mood = Some(11);
    let err = env.records().import(&bad).await.unwrap_err();
    let ImportError::Invalid(errors) = err else {
        panic!("expected a validation error, got {err}")
    };
    let message = errors.to_string();
    assert!(message.contains("patients[4]"), "{message}");
    assert!(
        message.contains(&bad.patients[4].patient.id.to_string()),
        "{message}"
    );
    assert!(message.contains("sessions[2].session.mood"), "{message}");
    assert_eq!(env.table_snapshot(&env.names.records_table).await, before);
}

#[tokio::test]
async fn re_importing_a_patient_replaces_their_record_and_assignments() {
    let env = TestEnv::new().await;
    let mut data = demo(2, 6, 40, 8);
    env.records().import(&data).await.unwrap();

    let record: &mut PatientRecord = &mut data.patients[0];
    record.sessions.truncate(3);
    record.attachments.clear();
    let old_therapists: HashSet<_> = record
        .patient
        .assigned_therapist_ids
        .iter()
        .copied()
        .collect();
    let other = data
        .therapists
        .iter()
        .find(|t| !old_therapists.contains(&t.id))
        .expect("an unassigned therapist")
        .id;
    record.patient.assigned_therapist_ids = vec![other];
    for s in &mut record.sessions {
        s.session.therapist_id = other;
        for n in &mut s.notes {
            n.author_id = other;
        }
    }
    let report = env.records().import(&data).await.unwrap();
    assert!(
        report.items_deleted >= 3,
        "deleted {}",
        report.items_deleted
    );
    assert_reads_back(&env, &data).await;
    for old in old_therapists {
        assert!(
            !env.records()
                .patients_of(old)
                .await
                .unwrap()
                .contains(&data.patients[0].patient.id)
        );
    }
    assert!(
        env.records()
            .patients_of(other)
            .await
            .unwrap()
            .contains(&data.patients[0].patient.id)
    );
}

#[tokio::test]
async fn patients_may_reference_therapists_already_in_the_store_but_not_unknown_ones() {
    let env = TestEnv::new().await;
    let first = demo(1, 2, 20, 21);
    env.records().import(&first).await.unwrap();

    let mut later = demo(1, 2, 20, 22);
    later.therapists.clear();
    let t = first.therapists[0].id;
    for p in &mut later.patients {
        p.patient.assigned_therapist_ids = vec![t];
        for s in &mut p.sessions {
            s.session.therapist_id = t;
            for n in &mut s.notes {
                n.author_id = t;
            }
        }
    }
    env.records()
        .import(&later)
        .await
        .expect("therapist known from the store");

    later.patients[0].patient.assigned_therapist_ids = vec![uuid::Uuid::new_v4()];
    let err = env.records().import(&later).await.unwrap_err().to_string();
    assert!(
        err.contains("patient.assigned_therapist_ids[0]: unknown therapist"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_patient_is_none() {
    let env = TestEnv::new().await;
    let id = uuid::Uuid::new_v4();
    assert_eq!(env.records().patient(id).await.unwrap(), None);
    assert_eq!(
        env.records()
            .patient_record(id, SessionScope::All)
            .await
            .unwrap(),
        None
    );
    assert!(env.records().therapists(&[id]).await.unwrap().is_empty());
}
