//! The multilingual sample practice: the demo practice whose first nine patients are named in
//! nine scripts, each with a sentence in that script (and an emoji) in every progress note, so
//! one export per patient shows how every script prints (`seed-demo --multilingual`).

use exports_core::records::{NameOrder, NoteType, PracticeData};

use crate::{DemoParams, generate};

/// One patient of the multilingual practice.
#[derive(Debug, Clone, Copy)]
pub struct ScriptPatient {
    /// The script, in English: `Arabic`.
    pub script: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub name_order: NameOrder,
    /// The whole name as the patient writes it (what printable exports print).
    pub written: &'static str,
    pub gender: &'static str,
    pub pronouns: &'static str,
    /// "The patient feels better this week." in the patient's language, opening every progress
    /// note's subjective section.
    pub sentence: &'static str,
}

const fn patient(
    script: &'static str,
    (first_name, last_name, name_order): (&'static str, &'static str, NameOrder),
    written: &'static str,
    (gender, pronouns): (&'static str, &'static str),
    sentence: &'static str,
) -> ScriptPatient {
    ScriptPatient {
        script,
        first_name,
        last_name,
        name_order,
        written,
        gender,
        pronouns,
        sentence,
    }
}

const FAMILY: NameOrder = NameOrder::FamilyFirst;
const GIVEN: NameOrder = NameOrder::GivenFirst;
const SHE: (&str, &str) = ("female", "she/her");
const HE: (&str, &str) = ("male", "he/him");

/// The nine patients, in order: patient `i` of the practice is `SCRIPT_PATIENTS[i]`.
pub const SCRIPT_PATIENTS: [ScriptPatient; 9] = [
    patient(
        "Vietnamese (Latin)",
        ("Thị Hương", "Nguyễn", FAMILY),
        "Nguyễn Thị Hương",
        SHE,
        "Bệnh nhân cảm thấy khá hơn trong tuần này.",
    ),
    patient(
        "Greek",
        ("Γιώργος", "Παπαδόπουλος", GIVEN),
        "Γιώργος Παπαδόπουλος",
        HE,
        "Ο ασθενής αισθάνεται καλύτερα αυτή την εβδομάδα.",
    ),
    patient(
        "Chinese",
        ("芳", "王", FAMILY),
        "王芳",
        SHE,
        "患者本周感觉好多了。",
    ),
    patient(
        "Korean",
        ("민준", "김", FAMILY),
        "김민준",
        HE,
        "환자는 이번 주에 기분이 나아졌다고 말했다.",
    ),
    patient(
        "Japanese",
        ("花子", "佐藤", FAMILY),
        "佐藤花子",
        SHE,
        "患者は今週、気分が良くなったと話した。",
    ),
    patient(
        "Arabic",
        ("فاطمة", "الزهراء", GIVEN),
        "فاطمة الزهراء",
        SHE,
        "تشعر المريضة بتحسن هذا الأسبوع.",
    ),
    patient(
        "Hebrew",
        ("נועה", "כהן", GIVEN),
        "נועה כהן",
        SHE,
        "המטופלת מרגישה טוב יותר השבוע.",
    ),
    patient(
        "Hindi (Devanagari)",
        ("अनन्या", "शर्मा", GIVEN),
        "अनन्या शर्मा",
        SHE,
        "मरीज़ इस सप्ताह बेहतर महसूस कर रही है।",
    ),
    patient(
        "Thai",
        ("สมชาย", "ใจดี", GIVEN),
        "สมชาย ใจดี",
        HE,
        "ผู้ป่วยรู้สึกดีขึ้นในสัปดาห์นี้",
    ),
];

/// The demo practice (at least nine patients) with [`SCRIPT_PATIENTS`] as its first nine: their
/// names, name order, gender and pronouns, and every progress note's subjective section opening
/// with the patient's sentence and `🙂`. Deterministic like [`generate`].
pub fn multilingual_practice(params: &DemoParams) -> PracticeData {
    let mut data = generate(&DemoParams {
        patients: params.patients.max(SCRIPT_PATIENTS.len()),
        ..params.clone()
    });
    for (record, who) in data.patients.iter_mut().zip(SCRIPT_PATIENTS) {
        let p = &mut record.patient;
        p.first_name = who.first_name.into();
        p.last_name = who.last_name.into();
        p.name_order = who.name_order;
        p.gender = who.gender.into();
        p.pronouns = Some(who.pronouns.into());
        for session in &mut record.sessions {
            for note in &mut session.notes {
                if note.note_type != NoteType::ProgressNote {
                    continue;
                }
                let opening = format!("{} 🙂", who.sentence);
                note.soap.subjective = Some(match note.soap.subjective.take() {
                    Some(rest) => format!("{opening} {rest}"),
                    None => opening,
                });
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use exports_core::validation::validate_practice;

    #[test]
    fn nine_scripts_written_as_their_owners_write_them_and_valid_to_import() {
        let data = multilingual_practice(&DemoParams {
            patients: 3,
            sessions_per_patient: 4,
            words_per_note: 20,
            ..DemoParams::default()
        });
        assert_eq!(data.patients.len(), 9, "at least one patient per script");
        for (record, who) in data.patients.iter().zip(SCRIPT_PATIENTS) {
            assert_eq!(record.patient.full_name(), who.written, "{}", who.script);
            let progress = record
                .sessions
                .iter()
                .flat_map(|s| &s.notes)
                .filter(|n| n.note_type == NoteType::ProgressNote)
                .collect::<Vec<_>>();
            assert!(!progress.is_empty(), "{}", who.script);
            for note in progress {
                let subjective = note.soap.subjective.as_deref().unwrap_or("");
                assert!(subjective.starts_with(who.sentence), "{}", who.script);
            }
        }
        validate_practice(&data, &Default::default()).expect("imports");
        let again = multilingual_practice(&DemoParams {
            patients: 3,
            sessions_per_patient: 4,
            words_per_note: 20,
            ..DemoParams::default()
        });
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            serde_json::to_string(&again).unwrap()
        );
    }
}
