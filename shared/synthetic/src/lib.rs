//! Deterministic synthetic practice data for demos, tests and benches.
//!
//! [`generate`] builds a whole [`PracticeData`] from a [`DemoParams`]: therapists sharing one
//! practice, patients with demographics, diagnoses, treatment plans, weekly sessions with SOAP
//! notes, PHQ-9/GAD-7 scores and attachments. Everything comes from a seeded ChaCha8 stream, so
//! the same parameters always give byte-identical output, and no clock is read.
//!
//! Fixed points tests can rely on:
//! - the first patients are [`LEADING_PATIENT_NAMES`], in that order;
//! - patient 0's first attended session (its intake) has a progress note containing every one of
//!   [`HOSTILE_STRINGS`] (unless `words_per_note` is 0, when every SOAP section is `None`); its
//!   `objective` is exactly `=HYPERLINK("http://x","y")`;
//! - patient 0's second attended session has a progress note with `objective: None`;
//! - empty optional text is always `None`, never `Some("")`;
//! - the last session of every patient is attended and its notes are unsigned and unlocked.

pub mod demo;
pub mod fixtures;
pub mod multilingual;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use exports_core::instruments;
use exports_core::records::{
    Address, Assessment, Attachment, Attendance, Diagnosis, DiagnosisRank, EmergencyContact, Goal,
    GoalStatus, IMPORT_FORMAT_V1, Insurance, NameOrder, Note, NoteType, Patient, PatientRecord,
    PlanStatus, Practice, PracticeData, Session, SessionRecord, SessionSetting, SessionType, Soap,
    Therapist, TreatmentPlan,
};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoParams {
    pub patients: usize,
    pub sessions_per_patient: usize,
    /// Target word count of each note's SOAP sections together; 0 leaves every section `None`.
    pub words_per_note: usize,
    pub seed: u64,
    /// No session is later than this day.
    pub end_date: NaiveDate,
}

impl Default for DemoParams {
    fn default() -> Self {
        Self {
            patients: 6,
            sessions_per_patient: 24,
            words_per_note: 300,
            seed: 42,
            end_date: NaiveDate::from_ymd_opt(2026, 10, 30).expect("valid date"),
        }
    }
}

/// A single 300-character word (ASCII letters, no spaces).
pub const LONG_WORD: &str = concat!(
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "Pneumonoultramicroscopicsilico",
);

/// Strings that break naive HTML, template, CSV/spreadsheet, SQL and layout code. All of them
/// are in patient 0's first attended progress note; a few more notes get one each.
pub const HOSTILE_STRINGS: [&str; 10] = [
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://x\",\"y\")",
    LONG_WORD,
    "{{ patient.first_name }}",
    "<b>bold?</b>",
    "+SUM(1,1)",
    "@cmd",
    "-2+3",
    "\"quoted\", with comma",
    "'; DROP TABLE patients; --",
];

/// `(first_name, last_name)` of the first patients, in order.
pub const LEADING_PATIENT_NAMES: [(&str, &str); 6] = [
    ("Zoë", "Adebayo-Hart"),
    ("José", "García-Márquez"),
    ("Øyvind", "Haugland"),
    ("Thị Lan", "Nguyễn"),
    ("Ελένη", "Παπαδοπούλου"),
    ("芳", "王"),
];

/// Severity band of a PHQ-9 score (0–27), from the core's instrument table.
pub fn phq9_severity(score: u16) -> &'static str {
    instruments::PHQ9.severity(score).unwrap_or("severe")
}

/// Severity band of a GAD-7 score (0–21), from the core's instrument table.
pub fn gad7_severity(score: u16) -> &'static str {
    instruments::GAD7.severity(score).unwrap_or("severe")
}

/// Generates a whole practice. Same `params` → same data, down to the byte.
pub fn generate(params: &DemoParams) -> PracticeData {
    let mut master = ChaCha8Rng::seed_from_u64(params.seed);
    let therapist_count = if params.patients > 12 {
        params.patients.div_ceil(4)
    } else {
        3
    };
    let therapists = make_therapists(&mut master, therapist_count);
    let therapist_ids: Vec<Uuid> = therapists.iter().map(|t| t.id).collect();
    let mut patients = Vec::with_capacity(params.patients);
    for idx in 0..params.patients {
        // Each patient gets its own stream, so one patient's size does not shift the next.
        let mut rng = ChaCha8Rng::seed_from_u64(master.next_u64());
        let mut record = make_patient(&mut rng, idx, params, &therapist_ids);
        record.normalize();
        patients.push(record);
    }
    PracticeData {
        format: IMPORT_FORMAT_V1.to_string(),
        therapists,
        patients,
    }
}

/// `words` words of clinical prose (exactly that many, split on whitespace), in SOAP order but
/// as one paragraph, about random topics.
pub fn note_text(rng: &mut ChaCha8Rng, words: usize) -> String {
    let topics = [choose(rng, TOPICS), choose(rng, TOPICS)];
    let ctx = Ctx {
        topics: &topics,
        profile: TOPICS,
        mood: rng.gen_range(3..=8),
        dx: choose(rng, &DX_CODES_FOR_TEXT),
        goals: 3,
        modality: choose(rng, MODALITIES),
        progress: rng.gen_range(0.0..1.0),
        setting: SessionSetting::InPerson,
    };
    let (s, o, a, p) = split_soap(words);
    let mut out = String::with_capacity(words * 8);
    fill_prose(&mut out, rng, &ctx, SUBJECTIVE, s);
    fill_prose(&mut out, rng, &ctx, OBJECTIVE, o);
    fill_prose(&mut out, rng, &ctx, ASSESSMENT, a);
    fill_prose(&mut out, rng, &ctx, PLAN, p);
    out
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const PRACTICE_NAME: &str = "Lakeside Counseling Collective";
const PRACTICE_DOMAIN: &str = "lakesidecounseling.example";
const PRACTICE_PHONE: &str = "(612) 555-0142";

const THERAPIST_FIRST: [&str; 16] = [
    "Amara", "Søren", "Inés", "Marcus", "Priya", "Renée", "Kwame", "Hana", "Siobhán", "Tomás",
    "Leila", "Dmitri", "Aiyana", "Björn", "Mei", "Rafael",
];
const THERAPIST_LAST: [&str; 16] = [
    "Okafor",
    "Lindqvist",
    "Villanueva",
    "Chen",
    "Raman",
    "Dubois",
    "Mensah",
    "Kobayashi",
    "O'Connell",
    "Ferreira",
    "Haddad",
    "Volkov",
    "Begaye",
    "Åkesson",
    "Lin",
    "Ortiz",
];
const CREDENTIALS: [&str; 8] = [
    "PhD, LP", "LCSW", "PsyD", "LMFT", "LPC", "PsyD, LP", "LICSW", "PhD",
];

/// `(first name, 'f' | 'm' | 'u')`: the letter hints the likely gender.
const PATIENT_FIRST: [(&str, char); 24] = [
    ("Emily", 'f'),
    ("Daniel", 'm'),
    ("Aisha", 'f'),
    ("Mateo", 'm'),
    ("Sofia", 'f'),
    ("Liam", 'm'),
    ("Fatima", 'f'),
    ("Noah", 'm'),
    ("Chloé", 'f'),
    ("Ethan", 'm'),
    ("Maya", 'f'),
    ("Oluwaseun", 'u'),
    ("Grace", 'f'),
    ("Hiroshi", 'm'),
    ("Ava", 'f'),
    ("Diego", 'm'),
    ("Nadia", 'f'),
    ("Samuel", 'm'),
    ("Leah", 'f'),
    ("Arjun", 'm'),
    ("Isabella", 'f'),
    ("Kofi", 'm'),
    ("Hannah", 'f'),
    ("François", 'm'),
];
const PATIENT_LAST: [&str; 24] = [
    "Johnson",
    "Nguyen",
    "Patel",
    "Rodriguez",
    "Kim",
    "O'Brien",
    "Williams",
    "Haddad",
    "Kowalski",
    "Okonkwo",
    "Martinez",
    "Schmidt",
    "Rossi",
    "Yamamoto",
    "Brown",
    "Singh",
    "Dubois",
    "Cohen",
    "Murphy",
    "Silva",
    "Andersson",
    "Ahmed",
    "Novak",
    "Thompson",
];
const LEADING_HINTS: [char; 6] = ['f', 'm', 'm', 'f', 'f', 'f'];

const AREA_CODES: [&str; 6] = ["612", "651", "763", "952", "218", "507"];

/// `(city, region, postal code prefix or full code, country)`.
const CITIES: [(&str, &str, &str, &str); 10] = [
    ("Minneapolis", "MN", "554", "US"),
    ("Saint Paul", "MN", "551", "US"),
    ("Bloomington", "MN", "554", "US"),
    ("Edina", "MN", "554", "US"),
    ("Duluth", "MN", "558", "US"),
    ("Rochester", "MN", "559", "US"),
    ("Madison", "WI", "537", "US"),
    ("Eau Claire", "WI", "547", "US"),
    ("Fargo", "ND", "581", "US"),
    ("Winnipeg", "MB", "R3C 4T3", "CA"),
];
const STREETS: [&str; 12] = [
    "Maple Avenue",
    "Cedar Street",
    "Lakeview Drive",
    "Oak Ridge Road",
    "Hennepin Avenue South",
    "Pine Court",
    "Elm Street",
    "Riverside Boulevard",
    "Summit Avenue",
    "Grand Avenue",
    "Minnehaha Parkway",
    "Birch Lane",
];
const PAYERS: [&str; 10] = [
    "Aetna",
    "Blue Cross Blue Shield of Minnesota",
    "Cigna",
    "UnitedHealthcare",
    "HealthPartners",
    "Medica",
    "Medical Assistance (Medicaid)",
    "Medicare",
    "Kaiser Permanente",
    "Humana",
];

pub(crate) const MODALITIES: &[&str] = &[
    "CBT",
    "DBT",
    "ACT",
    "EMDR",
    "Psychodynamic",
    "Motivational Interviewing",
    "IPT",
    "Person-centered",
];
const MODALITY_WEIGHTS: [u32; 8] = [30, 12, 12, 8, 10, 8, 10, 10];

pub(crate) const TOPICS: &[&str] = &[
    "sleep",
    "work stress",
    "family conflict",
    "grief",
    "panic symptoms",
    "medication adherence",
    "self-esteem",
    "relationship conflict",
    "substance use",
    "coping skills",
    "safety planning",
    "avoidance",
    "rumination",
    "boundaries",
    "intrusive memories",
    "body image",
    "attention and focus",
    "social anxiety",
    "perfectionism",
    "parenting stress",
    "loneliness",
    "anger",
    "trauma triggers",
    "compulsive checking",
    "mood swings",
    "cravings",
];

const INTERVENTIONS: [&str; 10] = [
    "Cognitive restructuring",
    "Behavioral activation",
    "Exposure hierarchy",
    "Mindfulness-based stress reduction",
    "Motivational interviewing",
    "Safety planning",
    "Psychoeducation",
    "Sleep hygiene education",
    "DBT skills training",
    "EMDR processing",
];

const PROGNOSES: [&str; 6] = [
    "Good, given strong engagement and social support.",
    "Fair; progress may be limited by ongoing psychosocial stressors.",
    "Good with continued adherence to weekly sessions.",
    "Guarded given the history of recurrent episodes.",
    "Fair to good; client is motivated for change.",
    "Good; early response to treatment has been consistent.",
];

const GENERIC_GOALS: [&str; 6] = [
    "Improve self-reported mood to an average of 7/10 over two consecutive weeks.",
    "Use assertive \"I\" statements in at least two difficult conversations per week.",
    "Develop and rehearse a personal safety plan and share it with one support person.",
    "Establish and hold consistent boundaries with family members.",
    "Practice a chosen coping skill at least five days per week.",
    "Increase weekly contact with supportive friends or family to at least two times.",
];

struct Dx {
    code: &'static str,
    description: &'static str,
    weight: u32,
    depressive: bool,
    anxious: bool,
    topics: &'static [&'static str],
    goals: &'static [&'static str],
}

const DIAGNOSES: [Dx; 15] = [
    Dx {
        code: "F41.1",
        description: "Generalized anxiety disorder",
        weight: 20,
        depressive: false,
        anxious: true,
        topics: &["rumination", "work stress", "sleep"],
        goals: &[
            "Reduce GAD-7 score below 10 within 12 weeks.",
            "Decrease time spent worrying to under one hour per day.",
            "Use paced breathing or grounding during most episodes of acute worry.",
        ],
    },
    Dx {
        code: "F32.1",
        description: "Major depressive disorder, single episode, moderate",
        weight: 16,
        depressive: true,
        anxious: false,
        topics: &["self-esteem", "sleep", "loneliness"],
        goals: &[
            "Reduce PHQ-9 score by at least 50% from baseline.",
            "Engage in at least three scheduled pleasant activities per week.",
            "Return to a regular work or school routine at least four days per week.",
        ],
    },
    Dx {
        code: "F33.1",
        description: "Major depressive disorder, recurrent, moderate",
        weight: 10,
        depressive: true,
        anxious: false,
        topics: &["rumination", "medication adherence", "self-esteem"],
        goals: &[
            "Reduce PHQ-9 score by at least 50% from baseline.",
            "Identify early warning signs of relapse and write a relapse prevention plan.",
            "Engage in at least three scheduled pleasant activities per week.",
        ],
    },
    Dx {
        code: "F43.10",
        description: "Post-traumatic stress disorder, unspecified",
        weight: 8,
        depressive: false,
        anxious: true,
        topics: &["intrusive memories", "trauma triggers", "avoidance"],
        goals: &[
            "Reduce frequency of intrusive memories to fewer than two per week.",
            "Complete a trauma narrative with tolerable distress.",
            "Re-engage with avoided places listed on the exposure hierarchy.",
        ],
    },
    Dx {
        code: "F43.23",
        description: "Adjustment disorder with mixed anxiety and depressed mood",
        weight: 12,
        depressive: true,
        anxious: true,
        topics: &["work stress", "relationship conflict", "coping skills"],
        goals: &[
            "Identify and use three adaptive coping strategies for the recent life transition.",
            "Restore daily routine including regular meals and sleep.",
        ],
    },
    Dx {
        code: "F40.10",
        description: "Social phobia, unspecified",
        weight: 6,
        depressive: false,
        anxious: true,
        topics: &["social anxiety", "avoidance", "self-esteem"],
        goals: &[
            "Initiate at least two social interactions per week.",
            "Speak up in team meetings at least once per week.",
        ],
    },
    Dx {
        code: "F42.2",
        description: "Mixed obsessional thoughts and acts",
        weight: 4,
        depressive: false,
        anxious: true,
        topics: &["compulsive checking", "rumination", "perfectionism"],
        goals: &[
            "Reduce time spent on compulsive checking to under 30 minutes per day.",
            "Complete the exposure and response prevention hierarchy through level 6.",
        ],
    },
    Dx {
        code: "F90.0",
        description: "Attention-deficit hyperactivity disorder, predominantly inattentive type",
        weight: 5,
        depressive: false,
        anxious: false,
        topics: &["attention and focus", "work stress", "self-esteem"],
        goals: &[
            "Use a written planner daily to track assignments and deadlines.",
            "Reduce missed deadlines at work to fewer than one per month.",
        ],
    },
    Dx {
        code: "F50.00",
        description: "Anorexia nervosa, unspecified",
        weight: 2,
        depressive: false,
        anxious: true,
        topics: &["body image", "perfectionism", "family conflict"],
        goals: &[
            "Maintain weight within the range set by the medical team.",
            "Complete three structured meals and two snacks daily.",
        ],
    },
    Dx {
        code: "F31.81",
        description: "Bipolar II disorder",
        weight: 3,
        depressive: true,
        anxious: false,
        topics: &["mood swings", "sleep", "medication adherence"],
        goals: &[
            "Maintain a consistent sleep and wake schedule seven days per week.",
            "Identify early warning signs of hypomania and share them with a support person.",
        ],
    },
    Dx {
        code: "F41.0",
        description: "Panic disorder without agoraphobia",
        weight: 6,
        depressive: false,
        anxious: true,
        topics: &["panic symptoms", "avoidance", "coping skills"],
        goals: &[
            "Reduce panic attacks to fewer than one per week.",
            "Ride public transit alone without leaving early.",
        ],
    },
    Dx {
        code: "F10.20",
        description: "Alcohol dependence, uncomplicated",
        weight: 4,
        depressive: false,
        anxious: false,
        topics: &["substance use", "cravings", "boundaries"],
        goals: &[
            "Maintain abstinence from alcohol, confirmed by self-report and a support person.",
            "Attend at least two mutual-support meetings per week.",
        ],
    },
    Dx {
        code: "F34.1",
        description: "Dysthymic disorder",
        weight: 3,
        depressive: true,
        anxious: false,
        topics: &["self-esteem", "loneliness", "rumination"],
        goals: &["Increase weekly valued activities from one to at least four."],
    },
    Dx {
        code: "F43.12",
        description: "Post-traumatic stress disorder, chronic",
        weight: 3,
        depressive: false,
        anxious: true,
        topics: &["intrusive memories", "trauma triggers", "anger"],
        goals: &["Reduce PCL-5 score by at least 10 points from baseline."],
    },
    Dx {
        code: "F51.01",
        description: "Primary insomnia",
        weight: 2,
        depressive: false,
        anxious: false,
        topics: &["sleep", "rumination", "work stress"],
        goals: &["Improve sleep efficiency to above 85% as recorded in a sleep diary."],
    },
];
const DX_CODES_FOR_TEXT: [&str; 4] = ["F41.1", "F32.1", "F43.23", "F43.10"];

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// `(file name, MIME type, smallest size, largest size)`.
const ATTACHMENTS: [(&str, &str, u64, u64); 6] = [
    ("intake-consent.pdf", "application/pdf", 60_000, 400_000),
    (
        "release-of-information.pdf",
        "application/pdf",
        40_000,
        250_000,
    ),
    ("prior-evaluation.docx", DOCX, 18_000, 160_000),
    ("insurance-card.jpg", "image/jpeg", 120_000, 2_400_000),
    (
        "psychiatric-referral.pdf",
        "application/pdf",
        50_000,
        300_000,
    ),
    ("safety-plan.pdf", "application/pdf", 30_000, 120_000),
];

// --- Note prose. Placeholders: {t} session topic, {u} profile topic, {m} mood, {d} primary
// ICD-10 code, {g} goal number, {q} modality, {h} small number word, {s} coping skill,
// {a} progress adjective, {v} "in person"/"by video", {z} hours of sleep. Single spaces only.

const SUBJECTIVE: &[&str] = &[
    "Client reported increased difficulty falling asleep, averaging {z} hours per night.",
    "Client described {t} as the main stressor this week.",
    "Client rated mood {m}/10 and stated that {t} has been harder to manage.",
    "Client stated, \"I keep going over it in my head,\" when discussing {t}.",
    "Client reported practicing {s} {h} times since the last session.",
    "Client noted some improvement with {t} but continued concerns about {u}.",
    "Client reported that {t} contributed to missing work on {h} days.",
    "Client endorsed ongoing worry about {t}, rated as moderate in intensity.",
    "Client shared a recent conflict related to {u} and described feeling overwhelmed.",
    "Client denied new stressors apart from {t}.",
    "Client reported appetite is unchanged and energy is low in the afternoons.",
    "Client completed the assigned homework and found {s} helpful for {t}.",
    "Client did not complete homework, citing {t} and limited time.",
    "Client described avoiding social plans this week because of {t}.",
    "Client reported taking medication as prescribed with no side effects noted.",
    "Client said that talking about {t} felt easier than in prior sessions.",
    "Client identified {u} as a recurring trigger for low mood.",
    "Client reported {h} good days this week and linked them to structured routines.",
];

const OBJECTIVE: &[&str] = &[
    "Affect congruent; speech normal rate and volume; denied SI/HI.",
    "Client was alert and oriented to person, place, time and situation.",
    "Appearance well groomed; eye contact appropriate; psychomotor activity within normal limits.",
    "Affect constricted with tearfulness when discussing {t}.",
    "Thought process linear and goal directed; no evidence of psychosis.",
    "Client arrived on time and was engaged throughout the session.",
    "Mood described as \"okay\"; affect mildly anxious.",
    "Insight and judgment fair; client was receptive to feedback.",
    "Speech slightly pressured early in session and normalized after grounding.",
    "Session conducted {v}; client participated fully.",
    "No signs of acute distress observed; fidgeting noted when discussing {t}.",
    "Self-reported mood {m}/10; affect brightened when discussing {s}.",
];

const ASSESSMENT: &[&str] = &[
    "Symptoms consistent with {d}; {a} progress toward goal {g}.",
    "Client continues to meet criteria for {d}.",
    "Client demonstrates {a} progress in identifying cognitive distortions related to {t}.",
    "Risk assessment completed; risk is low and no safety plan changes are indicated.",
    "Mood rating of {m}/10 reflects {a} improvement since intake.",
    "Avoidance related to {t} remains the primary maintaining factor.",
    "Client is benefiting from {q} interventions and shows good engagement.",
    "Rumination about {t} persists but is less intense than last month.",
    "Functional impairment at work and home remains moderate.",
    "Client's use of {s} indicates growing self-efficacy.",
    "Presentation today is consistent with {d}; {u} is a secondary concern.",
];

const PLAN: &[&str] = &[
    "Continue weekly {q}; assign thought record homework.",
    "Next session in one week; review homework on {t}.",
    "Practice {s} daily and track use in a log.",
    "Assign a behavioral activation schedule with {h} pleasant activities.",
    "Coordinate care with the prescribing provider regarding medication adherence.",
    "Review the safety plan at the next session.",
    "Begin the exposure hierarchy targeting {t}.",
    "Continue to monitor sleep and mood with daily ratings.",
    "Administer PHQ-9 and GAD-7 at the next scheduled review.",
    "Client agreed to reach out to a support person when {t} escalates.",
    "Continue {q} with focus on goal {g}.",
];

const PROCESS: &[&str] = &[
    "Therapist noticed a pull to reassure the client when {t} came up.",
    "Client's hesitation around {t} may reflect early attachment patterns.",
    "Hypothesis: {u} serves a protective function for the client.",
    "Strong alliance today; client tested boundaries around scheduling.",
    "Therapist's own frustration noted and to be processed in consultation.",
    "Client's dream imagery connected to themes of {t} and loss of control.",
    "Consider exploring the link between {t} and {u} more directly.",
    "Transference themes evident when client apologized repeatedly for being late.",
    "Client minimized {t} with humor; affect did not match content.",
];

const SKILLS: [&str; 8] = [
    "paced breathing",
    "grounding",
    "thought records",
    "activity scheduling",
    "opposite action",
    "urge surfing",
    "progressive muscle relaxation",
    "values clarification",
];
const SMALL_NUMBERS: [&str; 5] = ["two", "three", "four", "five", "six"];
const SLEEP_HOURS: [&str; 3] = ["four", "five", "six"];
const MOOD_TEXT: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
const GOAL_TEXT: [&str; 5] = ["1", "2", "3", "4", "5"];
const PROGRESS_EARLY: [&str; 3] = ["minimal", "early", "limited"];
const PROGRESS_MID: [&str; 3] = ["some", "gradual", "moderate"];
const PROGRESS_LATE: [&str; 3] = ["steady", "good", "significant"];

/// `FILLERS[n - 1]` are sentences of exactly `n` words, used to land on a word budget.
const FILLERS: [[&str; 2]; 7] = [
    ["Stable.", "Engaged."],
    ["Rapport maintained.", "Session productive."],
    ["Client engaged well.", "Homework reviewed together."],
    [
        "No new concerns reported.",
        "Client participated fully today.",
    ],
    [
        "Client tolerated the session well.",
        "Progress discussed with the client.",
    ],
    [
        "Client was receptive to feedback today.",
        "Session focused on the treatment goals.",
    ],
    [
        "Client agreed with the plan as discussed.",
        "Client asked thoughtful questions about the approach.",
    ],
];

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn new_id(rng: &mut ChaCha8Rng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn choose<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

fn weighted_index(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.gen_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

fn at(date: NaiveDate, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, minute, second)
        .expect("valid time of day")
        .and_utc()
}

/// Lower-case ASCII letters of `s`, with common Latin diacritics removed; other characters
/// (spaces, hyphens, apostrophes, non-Latin scripts) are dropped.
fn ascii_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'a'..='z' => c,
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ă' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ' | 'ẫ'
            | 'ậ' | 'ắ' | 'ằ' | 'ẳ' | 'ẵ' | 'ặ' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể' | 'ễ' | 'ệ' => {
                'e'
            }
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'ĩ' | 'ỉ' | 'ị' | 'ı' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ơ' | 'ọ' | 'ỏ' | 'ố' | 'ồ' | 'ổ' | 'ỗ'
            | 'ộ' | 'ớ' | 'ờ' | 'ở' | 'ỡ' | 'ợ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ũ' | 'ư' | 'ụ' | 'ủ' | 'ứ' | 'ừ' | 'ử' | 'ữ' | 'ự' => {
                'u'
            }
            'ý' | 'ÿ' | 'ỳ' | 'ỵ' | 'ỷ' | 'ỹ' => 'y',
            'ñ' => 'n',
            'ç' => 'c',
            'đ' => 'd',
            'ł' => 'l',
            'ş' | 'š' => 's',
            'ž' => 'z',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            'æ' => {
                out.push_str("ae");
                continue;
            }
            _ => continue,
        };
        out.push(mapped);
    }
    out
}

/// Luhn check digit of a 9-digit NPI body, with the "80840" prefix the NPI standard uses.
fn npi_check_digit(body: &str) -> u32 {
    let digits: Vec<u32> = "80840"
        .chars()
        .chain(body.chars())
        .map(|c| c.to_digit(10).expect("digit"))
        .collect();
    let mut sum = 0;
    for (i, &d) in digits.iter().rev().enumerate() {
        if i % 2 == 0 {
            let dd = d * 2;
            sum += dd / 10 + dd % 10;
        } else {
            sum += d;
        }
    }
    (10 - sum % 10) % 10
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    // 555-0100 to 555-0199 are reserved for fiction.
    format!(
        "({}) 555-01{:02}",
        choose(rng, &AREA_CODES),
        rng.gen_range(0..100)
    )
}

fn address(rng: &mut ChaCha8Rng) -> Address {
    let (city, region, postal, country) = choose(rng, &CITIES);
    let postal_code = if country == "US" {
        format!("{postal}{:02}", rng.gen_range(1..100))
    } else {
        postal.to_string()
    };
    let line2 = rng.gen_bool(0.3).then(|| {
        format!(
            "Apt {}{}",
            rng.gen_range(1..20),
            choose(rng, &['A', 'B', 'C', 'D'])
        )
    });
    Address {
        line1: format!("{} {}", rng.gen_range(10..9800), choose(rng, &STREETS)),
        line2,
        city: city.to_string(),
        region: region.to_string(),
        postal_code,
        country: country.to_string(),
    }
}

fn count_words(sentence: &str) -> usize {
    // Templates and values use single spaces only.
    if sentence.is_empty() {
        0
    } else {
        sentence.bytes().filter(|&b| b == b' ').count() + 1
    }
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

/// 30/20/30/20 split of a word budget into (S, O, A, P).
fn split_soap(total: usize) -> (usize, usize, usize, usize) {
    let s = (total * 3 + 5) / 10;
    let o = (total * 2 + 5) / 10;
    let a = (total * 3 + 5) / 10;
    let p = total.saturating_sub(s + o + a);
    (s, o, a, p)
}

/// The note's actual word budget: the target ±5% (the target itself when it is small).
fn vary(rng: &mut ChaCha8Rng, words: usize) -> usize {
    if words >= 40 {
        let spread = words / 20;
        rng.gen_range(words - spread..=words + spread)
    } else {
        words
    }
}

// ---------------------------------------------------------------------------------------------
// Prose
// ---------------------------------------------------------------------------------------------

struct Ctx<'a> {
    topics: &'a [&'static str],
    profile: &'a [&'static str],
    mood: u8,
    dx: &'static str,
    goals: usize,
    modality: &'static str,
    progress: f64,
    setting: SessionSetting,
}

fn render(out: &mut String, template: &str, ctx: &Ctx<'_>, rng: &mut ChaCha8Rng) {
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let value = match rest.as_bytes()[i + 1] {
            b't' => choose(rng, ctx.topics),
            b'u' => choose(rng, ctx.profile),
            b'm' => MOOD_TEXT[usize::from(ctx.mood.min(10))],
            b'd' => ctx.dx,
            b'g' => GOAL_TEXT[rng.gen_range(0..ctx.goals.clamp(1, GOAL_TEXT.len()))],
            b'q' => ctx.modality,
            b'h' => choose(rng, &SMALL_NUMBERS),
            b'z' => choose(rng, &SLEEP_HOURS),
            b's' => choose(rng, &SKILLS),
            b'a' => {
                let words = if ctx.progress < 0.25 {
                    &PROGRESS_EARLY
                } else if ctx.progress < 0.6 {
                    &PROGRESS_MID
                } else {
                    &PROGRESS_LATE
                };
                choose(rng, words)
            }
            b'v' => match ctx.setting {
                SessionSetting::InPerson => "in person",
                SessionSetting::Telehealth => "by video",
            },
            other => unreachable!("unknown placeholder {{{}}}", other as char),
        };
        out.push_str(value);
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
}

/// Appends exactly `target` words of sentences from `pool` (plus short fillers to land on the
/// budget) to `out`, separated by single spaces. A template is not reused within one call until
/// every template of the pool has been used or found too long.
fn fill_prose(out: &mut String, rng: &mut ChaCha8Rng, ctx: &Ctx<'_>, pool: &[&str], target: usize) {
    debug_assert!(!pool.is_empty() && pool.len() <= 64);
    let all: u64 = u64::MAX >> (64 - pool.len());
    let mut used: u64 = 0;
    let mut remaining = target;
    while remaining > 0 {
        if !out.is_empty() {
            out.push(' ');
        }
        let mark = out.len();
        let mut placed = false;
        if remaining >= 5 {
            for _ in 0..3 {
                if used == all {
                    used = 0;
                }
                let mut ti = rng.gen_range(0..pool.len());
                while used & (1 << ti) != 0 {
                    ti = (ti + 1) % pool.len();
                }
                // Either placed now or too long for the rest of this budget: no retry either way.
                used |= 1 << ti;
                render(out, pool[ti], ctx, rng);
                let n = count_words(&out[mark..]);
                if n <= remaining {
                    remaining -= n;
                    placed = true;
                    break;
                }
                out.truncate(mark);
            }
        }
        if !placed {
            let k = remaining.min(FILLERS.len());
            out.push_str(FILLERS[k - 1][rng.gen_range(0..2)]);
            remaining -= k;
        }
    }
}

fn section(rng: &mut ChaCha8Rng, ctx: &Ctx<'_>, pool: &[&str], words: usize) -> Option<String> {
    if words == 0 {
        return None;
    }
    let mut out = String::with_capacity(words * 8);
    fill_prose(&mut out, rng, ctx, pool, words);
    Some(out)
}

/// Prose of `words` words followed by `suffix` (space-separated); `None` when both are empty.
fn section_with(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx<'_>,
    pool: &[&str],
    prefix: &str,
    words: usize,
    suffix: &str,
) -> Option<String> {
    let mut out = String::with_capacity(words * 8 + prefix.len() + suffix.len() + 1);
    out.push_str(prefix);
    fill_prose(&mut out, rng, ctx, pool, words);
    if !suffix.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(suffix);
    }
    non_empty(out)
}

fn progress_soap(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx<'_>,
    words: usize,
    omit_objective: bool,
    sprinkle: Option<&str>,
) -> Soap {
    if words == 0 {
        return Soap::default();
    }
    let (mut s, mut o, a, p) = split_soap(vary(rng, words));
    if omit_objective {
        s += o;
        o = 0;
    }
    let subjective = match sprinkle {
        Some(h) => {
            let suffix = format!("Client wrote: {h}");
            let extra = suffix.split_whitespace().count();
            section_with(rng, ctx, SUBJECTIVE, "", s.saturating_sub(extra), &suffix)
        }
        None => section(rng, ctx, SUBJECTIVE, s),
    };
    Soap {
        subjective,
        objective: section(rng, ctx, OBJECTIVE, o),
        assessment: section(rng, ctx, ASSESSMENT, a),
        plan: section(rng, ctx, PLAN, p),
    }
}

/// The progress note carrying every hostile string; its word total still lands near `words`.
fn hostile_soap(rng: &mut ChaCha8Rng, ctx: &Ctx<'_>, words: usize) -> Soap {
    if words == 0 {
        return Soap::default();
    }
    let [
        script,
        hyperlink,
        long,
        template,
        bold,
        sum,
        cmd,
        minus,
        quoted,
        sql,
    ] = HOSTILE_STRINGS;
    let subjective_tail =
        format!("Client pasted from the portal: {script} {template} {bold} {quoted} {sql}");
    let extra = [subjective_tail.as_str(), hyperlink, minus, long, sum, cmd]
        .iter()
        .map(|s| s.split_whitespace().count())
        .sum::<usize>();
    let prose = vary(rng, words).saturating_sub(extra);
    let (s, o, a, p) = split_soap(prose);
    let mut assessment = String::with_capacity(a * 8 + long.len() + 8);
    assessment.push_str(minus);
    fill_prose(&mut assessment, rng, ctx, ASSESSMENT, a);
    assessment.push(' ');
    assessment.push_str(long);
    Soap {
        subjective: section_with(rng, ctx, SUBJECTIVE, "", s + o, &subjective_tail),
        objective: Some(hyperlink.to_string()),
        assessment: Some(assessment),
        plan: section_with(rng, ctx, PLAN, sum, p, cmd),
    }
}

/// Psychotherapy (process) notes: subjective and assessment only.
fn psychotherapy_soap(rng: &mut ChaCha8Rng, ctx: &Ctx<'_>, words: usize) -> Soap {
    if words == 0 {
        return Soap::default();
    }
    let total = vary(rng, words);
    let s = (total * 6 + 5) / 10;
    Soap {
        subjective: section(rng, ctx, PROCESS, s),
        objective: None,
        assessment: section(rng, ctx, ASSESSMENT, total - s),
        plan: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

fn make_therapists(rng: &mut ChaCha8Rng, count: usize) -> Vec<Therapist> {
    let practice_address = Address {
        line1: "2200 Lyndale Avenue South".to_string(),
        line2: Some("Suite 310".to_string()),
        city: "Minneapolis".to_string(),
        region: "MN".to_string(),
        postal_code: "55405".to_string(),
        country: "US".to_string(),
    };
    let npi_base: u64 = rng.gen_range(0..100_000_000);
    (0..count)
        .map(|i| {
            let n = THERAPIST_FIRST.len();
            let first = THERAPIST_FIRST[i % n];
            let last = THERAPIST_LAST[(i / n + i) % n];
            let mut local = format!("{}.{}", ascii_fold(first), ascii_fold(last));
            if i >= n * n {
                local.push_str(&(i / (n * n)).to_string());
            }
            // 7919 is prime, so bodies differ for every therapist.
            let body = format!("1{:08}", (npi_base + i as u64 * 7919) % 100_000_000);
            let npi = format!("{body}{}", npi_check_digit(&body));
            Therapist {
                id: new_id(rng),
                name: format!("{first} {last}"),
                credentials: CREDENTIALS[i % CREDENTIALS.len()].to_string(),
                email: format!("{local}@{PRACTICE_DOMAIN}"),
                practice: Practice {
                    name: PRACTICE_NAME.to_string(),
                    address: practice_address.clone(),
                    phone: PRACTICE_PHONE.to_string(),
                    npi,
                },
            }
        })
        .collect()
}

fn patient_name(idx: usize) -> (&'static str, &'static str, char) {
    if idx < LEADING_PATIENT_NAMES.len() {
        let (first, last) = LEADING_PATIENT_NAMES[idx];
        return (first, last, LEADING_HINTS[idx]);
    }
    let j = idx - LEADING_PATIENT_NAMES.len();
    let nf = PATIENT_FIRST.len();
    let (first, hint) = PATIENT_FIRST[j % nf];
    let last = PATIENT_LAST[(j / nf + j) % PATIENT_LAST.len()];
    (first, last, hint)
}

fn gender_and_pronouns(rng: &mut ChaCha8Rng, hint: char) -> (&'static str, Option<&'static str>) {
    let (gender, pronouns): (&str, &[&str]) = if rng.gen_bool(0.9) && hint != 'u' {
        if hint == 'f' {
            ("female", &["she/her"])
        } else {
            ("male", &["he/him"])
        }
    } else {
        match rng.gen_range(0..6) {
            0 | 1 => ("non-binary", &["they/them", "she/they", "he/they"]),
            2 => ("genderqueer", &["they/them", "ze/zir"]),
            3 => ("agender", &["they/them"]),
            4 if hint == 'm' => ("transgender man", &["he/him"]),
            4 => ("transgender woman", &["she/her"]),
            _ if hint == 'f' => ("female", &["she/her"]),
            _ => ("male", &["he/him"]),
        }
    };
    let pronouns = rng.gen_bool(0.75).then(|| choose(rng, pronouns));
    (gender, pronouns)
}

/// Session dates: weekly on the patient's usual weekday, a few skipped weeks and moved days,
/// the last on or before `end_date`.
fn session_dates(rng: &mut ChaCha8Rng, n: usize, end_date: NaiveDate) -> Vec<NaiveDate> {
    let mut dates = Vec::with_capacity(n);
    if n == 0 {
        return dates;
    }
    let weekday = rng.gen_range(0..5u32);
    let mut last = end_date - days(rng.gen_range(0..=4));
    while last.weekday().num_days_from_monday() != weekday {
        last -= days(1);
    }
    dates.resize(n, last);
    for k in (0..n - 1).rev() {
        let gap = match rng.gen_range(0..100) {
            0..=89 => 7,
            90..=97 => 14,
            _ => 21,
        };
        dates[k] = dates[k + 1] - days(gap);
    }
    for date in dates.iter_mut().take(n - 1) {
        if rng.gen_bool(0.08) {
            let moved = *date + days(if rng.gen_bool(0.5) { 1 } else { -1 });
            if moved.weekday().num_days_from_monday() < 5 {
                *date = moved;
            }
        }
    }
    dates
}

fn pick_diagnoses(rng: &mut ChaCha8Rng) -> Vec<&'static Dx> {
    let weights: Vec<u32> = DIAGNOSES.iter().map(|d| d.weight).collect();
    let count = match rng.gen_range(0..10) {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    let mut chosen: Vec<&'static Dx> = Vec::with_capacity(count);
    while chosen.len() < count {
        let dx = &DIAGNOSES[weighted_index(rng, &weights)];
        if !chosen.iter().any(|c| c.code == dx.code) {
            chosen.push(dx);
        }
    }
    chosen
}

fn make_goals(
    rng: &mut ChaCha8Rng,
    dxs: &[&Dx],
    start: NaiveDate,
    completed: bool,
    progress: f64,
) -> Vec<Goal> {
    let count = rng.gen_range(2..=4);
    let mut pool: Vec<&'static str> = Vec::with_capacity(16);
    for goal in dxs
        .iter()
        .flat_map(|d| d.goals.iter().copied())
        .chain(GENERIC_GOALS)
    {
        if !pool.contains(&goal) {
            pool.push(goal);
        }
    }
    let texts: Vec<&str> = pool.choose_multiple(rng, count).copied().collect();
    texts
        .into_iter()
        .map(|description| {
            let roll = rng.gen_range(0..100);
            let (status, progress_percent) = if completed {
                if roll < 75 {
                    (GoalStatus::Achieved, 100)
                } else {
                    (GoalStatus::Discontinued, rng.gen_range(20..=70))
                }
            } else if roll < 15 {
                (GoalStatus::Achieved, 100)
            } else if roll < 25 {
                (GoalStatus::NotStarted, 0)
            } else if roll < 30 {
                (GoalStatus::Discontinued, rng.gen_range(10..=50))
            } else {
                let base = (10.0 + 75.0 * progress) as u8;
                let p = base.saturating_add(rng.gen_range(0..=10)).clamp(5, 95);
                (GoalStatus::InProgress, p)
            };
            Goal {
                id: new_id(rng),
                description: description.to_string(),
                status,
                target_date: rng
                    .gen_bool(0.85)
                    .then(|| start + days(rng.gen_range(90..=180))),
                progress_percent,
            }
        })
        .collect()
}

fn make_plan(
    rng: &mut ChaCha8Rng,
    dxs: &[&Dx],
    title: String,
    start: NaiveDate,
    completed: bool,
    progress: f64,
) -> TreatmentPlan {
    let goals = make_goals(rng, dxs, start, completed, progress);
    let count = rng.gen_range(3..=5);
    let interventions = INTERVENTIONS
        .choose_multiple(rng, count)
        .map(|s| s.to_string())
        .collect();
    TreatmentPlan {
        id: new_id(rng),
        title,
        status: if completed {
            PlanStatus::Completed
        } else {
            PlanStatus::Active
        },
        start_date: start,
        review_date: Some(start + days(rng.gen_range(84..=120))),
        goals,
        interventions,
        prognosis: rng
            .gen_bool(0.8)
            .then(|| choose(rng, &PROGNOSES).to_string()),
    }
}

fn make_patient(
    rng: &mut ChaCha8Rng,
    idx: usize,
    params: &DemoParams,
    therapists: &[Uuid],
) -> PatientRecord {
    let n = params.sessions_per_patient;
    let end_date = params.end_date;

    // --- Schedule first: everything else hangs off it.
    let dates = session_dates(rng, n, end_date);
    let first_date = dates
        .first()
        .copied()
        .unwrap_or_else(|| end_date - days(rng.gen_range(0..=30)));
    let intake_date = first_date - days(rng.gen_range(2..=21));

    // --- Therapists: round-robin primary, sometimes a second one.
    let t = therapists.len();
    let primary = therapists[idx % t];
    let mut assigned = vec![primary];
    if params.patients < t {
        assigned.push(therapists[(idx + params.patients) % t]);
    } else if rng.gen_bool(0.3) {
        assigned.push(therapists[(idx + 1 + rng.gen_range(0..t - 1)) % t]);
    }

    // --- Demographics.
    let (first, last, hint) = patient_name(idx);
    let (gender, pronouns) = gender_and_pronouns(rng, hint);
    let dob_lo = NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date");
    let dob_hi = NaiveDate::from_ymd_opt(2008, 12, 31)
        .expect("valid date")
        .min(intake_date - days(13 * 365 + 3))
        .max(dob_lo);
    let date_of_birth = dob_lo + days(rng.gen_range(0..=(dob_hi - dob_lo).num_days()));
    let email = rng.gen_bool(0.85).then(|| {
        let (f, l) = (ascii_fold(first), ascii_fold(last));
        let domain = choose(rng, &["example.com", "example.org", "example.net"]);
        if f.is_empty() || l.is_empty() {
            format!("client{:06}@{domain}", idx + 1)
        } else if rng.gen_bool(0.5) {
            format!("{f}.{l}@{domain}")
        } else {
            format!("{}{l}@{domain}", &f[..1])
        }
    });
    let patient_phone = rng.gen_bool(0.9).then(|| phone(rng));
    let patient_address = rng.gen_bool(0.85).then(|| address(rng));
    let insurance = rng.gen_bool(0.75).then(|| {
        let prefix: String = (0..3)
            .map(|_| char::from(b'A' + rng.gen_range(0..26u8)))
            .collect();
        Insurance {
            payer: choose(rng, &PAYERS).to_string(),
            member_id: format!("{prefix}{:09}", rng.gen_range(0..1_000_000_000u32)),
            group_number: rng
                .gen_bool(0.7)
                .then(|| format!("{:06}", rng.gen_range(0..1_000_000u32))),
        }
    });
    let emergency_contact = rng.gen_bool(0.8).then(|| {
        let relationship = choose(
            rng,
            &[
                "spouse", "partner", "mother", "father", "sister", "brother", "friend", "daughter",
                "son",
            ],
        );
        let family = !matches!(relationship, "partner" | "friend");
        let contact_first = choose(rng, &PATIENT_FIRST).0;
        let contact_last = if family && rng.gen_bool(0.7) {
            last
        } else {
            choose(rng, &PATIENT_LAST)
        };
        EmergencyContact {
            name: format!("{contact_first} {contact_last}"),
            relationship: relationship.to_string(),
            phone: phone(rng),
        }
    });

    let patient = Patient {
        id: new_id(rng),
        mrn: format!("MRN-{:06}", idx + 1),
        first_name: first.to_string(),
        last_name: last.to_string(),
        // Nguyễn Thị Lan and 王芳 write their family name first.
        name_order: if matches!(idx, 3 | 5) {
            NameOrder::FamilyFirst
        } else {
            NameOrder::GivenFirst
        },
        display_name: None,
        date_of_birth,
        gender: gender.to_string(),
        pronouns: pronouns.map(str::to_string),
        phone: patient_phone,
        email,
        address: patient_address,
        insurance,
        emergency_contact,
        intake_date,
        assigned_therapist_ids: assigned.clone(),
    };

    // --- Diagnoses.
    let dxs = pick_diagnoses(rng);
    let diagnoses: Vec<Diagnosis> = dxs
        .iter()
        .enumerate()
        .map(|(i, dx)| Diagnosis {
            id: new_id(rng),
            icd10_code: dx.code.to_string(),
            description: dx.description.to_string(),
            rank: if i == 0 {
                DiagnosisRank::Primary
            } else {
                DiagnosisRank::Secondary
            },
            diagnosed_on: if i == 0 || dates.is_empty() || rng.gen_bool(0.6) {
                first_date
            } else {
                dates[rng.gen_range(0..dates.len())]
            },
        })
        .collect();

    // --- Treatment plans.
    let primary_dx = dxs[0];
    let mut treatment_plans = Vec::with_capacity(2);
    if n >= 12 && rng.gen_bool(0.35) {
        let mid = dates[rng.gen_range(n / 3..=n / 2)];
        treatment_plans.push(make_plan(
            rng,
            &dxs,
            format!("Initial treatment plan: {}", primary_dx.description),
            first_date,
            true,
            1.0,
        ));
        treatment_plans.push(make_plan(
            rng,
            &dxs,
            format!("Revised treatment plan: {}", primary_dx.description),
            mid,
            false,
            0.5,
        ));
    } else {
        treatment_plans.push(make_plan(
            rng,
            &dxs,
            format!("Treatment plan: {}", primary_dx.description),
            first_date,
            false,
            0.6,
        ));
    }
    let goal_count = treatment_plans.last().map_or(1, |p| p.goals.len());

    // --- Per-patient tendencies.
    let mut profile: Vec<&'static str> = Vec::with_capacity(12);
    for dx in &dxs {
        for topic in dx.topics {
            if !profile.contains(topic) {
                profile.push(topic);
            }
        }
    }
    while profile.len() < 6 {
        let topic = choose(rng, TOPICS);
        if !profile.contains(&topic) {
            profile.push(topic);
        }
    }
    let dominant = MODALITIES[weighted_index(rng, &MODALITY_WEIGHTS)];
    let telehealth = choose(rng, &[0.15, 0.5, 0.85]);
    let usual_duration = choose(rng, &[45u16, 50, 53, 60]);
    let usual_hour = rng.gen_range(8..=16u32);
    let usual_minute = choose(rng, &[0u32, 0, 0, 15, 30, 30, 45]);
    let mood_start = rng.gen_range(2.5..5.0);
    let mood_end = mood_start + rng.gen_range(1.5..4.0);
    let depressive = dxs.iter().any(|d| d.depressive);
    let anxious = dxs.iter().any(|d| d.anxious);
    let phq_start = if depressive {
        rng.gen_range(13.0..22.0)
    } else {
        rng.gen_range(5.0..13.0)
    };
    let phq_end = phq_start * rng.gen_range(0.3..0.65);
    let gad_start = if anxious {
        rng.gen_range(11.0..19.0)
    } else {
        rng.gen_range(4.0..11.0)
    };
    let gad_end = gad_start * rng.gen_range(0.3..0.65);
    let unsigned_tail = rng.gen_range(1..=2usize);

    // --- Sessions, notes and assessments.
    let mut sessions = Vec::with_capacity(n);
    let mut assessments = Vec::with_capacity(n / 2 + 2);
    let mut attended = 0usize;
    let mut assessment_due = true;
    for (k, &date) in dates.iter().enumerate() {
        let is_first = k == 0;
        let is_last = k + 1 == n;
        let progress = if n > 1 {
            k as f64 / (n - 1) as f64
        } else {
            0.0
        };
        if k % 4 == 0 {
            assessment_due = true;
        }
        let session_type = if is_first {
            SessionType::Intake
        } else {
            match rng.gen_range(0..100) {
                0..=87 => SessionType::Individual,
                88..=92 => SessionType::Couples,
                93..=96 => SessionType::Family,
                _ => SessionType::Group,
            }
        };
        let duration_minutes = match session_type {
            SessionType::Intake => 90,
            SessionType::Individual if rng.gen_bool(0.85) => usual_duration,
            SessionType::Individual => choose(rng, &[45, 50, 53, 60]),
            _ => 60,
        };
        let (hour, minute) = if rng.gen_bool(0.8) {
            (usual_hour, usual_minute)
        } else {
            (rng.gen_range(8..=16), choose(rng, &[0, 15, 30, 45]))
        };
        let start_time = at(date, hour, minute, 0);
        let setting = if rng.gen_bool(telehealth) {
            SessionSetting::Telehealth
        } else {
            SessionSetting::InPerson
        };
        let modality = if rng.gen_bool(0.8) {
            dominant
        } else {
            choose(rng, MODALITIES)
        };
        let attendance = if is_first || is_last {
            Attendance::Attended
        } else {
            match rng.gen_range(0..100) {
                0..=84 => Attendance::Attended,
                85..=94 => Attendance::Cancelled,
                _ => Attendance::NoShow,
            }
        };
        let therapist_id = if is_first || assigned.len() == 1 || rng.gen_bool(0.8) {
            assigned[0]
        } else {
            assigned[1]
        };
        let topic_count = match rng.gen_range(0..100) {
            0..=24 => 1,
            25..=64 => 2,
            65..=89 => 3,
            _ => 4,
        };
        let topics: Vec<&'static str> =
            profile.choose_multiple(rng, topic_count).copied().collect();
        let is_attended = attendance == Attendance::Attended;
        let mood = is_attended.then(|| {
            let m = mood_start + (mood_end - mood_start) * progress + rng.gen_range(-1.5..1.5);
            m.round().clamp(1.0, 10.0) as u8
        });
        let id = new_id(rng);

        let mut notes = Vec::new();
        if is_attended {
            let ctx = Ctx {
                topics: &topics,
                profile: &profile,
                mood: mood.unwrap_or(5),
                dx: primary_dx.code,
                goals: goal_count,
                modality,
                progress,
                setting,
            };
            let unsigned = k + unsigned_tail >= n;
            let end = start_time + Duration::minutes(i64::from(duration_minutes));
            let created_at = end
                + Duration::minutes(rng.gen_range(3..=150))
                + Duration::seconds(rng.gen_range(0..60));
            let signed_at = (!unsigned).then(|| {
                let delay = if rng.gen_bool(0.7) {
                    rng.gen_range(1..=180)
                } else {
                    rng.gen_range(180..=4_320)
                };
                created_at + Duration::minutes(delay) + Duration::seconds(rng.gen_range(0..60))
            });

            let words = params.words_per_note;
            let soap = if idx == 0 && attended == 0 {
                hostile_soap(rng, &ctx, words)
            } else {
                let omit_objective = (idx == 0 && attended == 1) || rng.gen_bool(0.04);
                let sprinkle =
                    (words >= 40 && rng.gen_bool(0.02)).then(|| choose(rng, &HOSTILE_STRINGS));
                progress_soap(rng, &ctx, words, omit_objective, sprinkle)
            };
            notes.push(Note {
                id: new_id(rng),
                author_id: therapist_id,
                note_type: NoteType::ProgressNote,
                created_at,
                soap,
                signed_at,
                locked: signed_at.is_some(),
            });
            if !is_first && rng.gen_bool(0.125) {
                let created = created_at + Duration::minutes(rng.gen_range(2..=30));
                let signed = signed_at.map(|s| s.max(created) + Duration::minutes(1));
                notes.push(Note {
                    id: new_id(rng),
                    author_id: therapist_id,
                    note_type: NoteType::PsychotherapyNote,
                    created_at: created,
                    soap: psychotherapy_soap(rng, &ctx, words),
                    signed_at: signed,
                    locked: signed.is_some(),
                });
            }

            if assessment_due {
                assessment_due = false;
                let phq = (phq_start + (phq_end - phq_start) * progress + rng.gen_range(-2.5..2.5))
                    .round()
                    .clamp(0.0, 27.0) as u16;
                let gad = (gad_start + (gad_end - gad_start) * progress + rng.gen_range(-2.0..2.0))
                    .round()
                    .clamp(0.0, 21.0) as u16;
                assessments.push(Assessment {
                    id: new_id(rng),
                    instrument: "PHQ-9".to_string(),
                    score: phq,
                    severity: phq9_severity(phq).to_string(),
                    administered_on: date,
                });
                assessments.push(Assessment {
                    id: new_id(rng),
                    instrument: "GAD-7".to_string(),
                    score: gad,
                    severity: gad7_severity(gad).to_string(),
                    administered_on: date,
                });
            }
            attended += 1;
        }

        sessions.push(SessionRecord {
            session: Session {
                id,
                therapist_id,
                start_time,
                duration_minutes,
                session_type,
                setting,
                modality: modality.to_string(),
                attendance,
                topics: topics.iter().map(|s| s.to_string()).collect(),
                mood,
            },
            notes,
        });
    }

    // --- Attachments.
    let attachment_count = match rng.gen_range(0..100) {
        0..=14 => 0,
        15..=49 => 1,
        50..=79 => 2,
        _ => 3,
    };
    let span = (end_date - intake_date).num_days().max(0);
    let attachments = ATTACHMENTS
        .choose_multiple(rng, attachment_count)
        .map(|&(file_name, content_type, lo, hi)| {
            let day = if file_name == "intake-consent.pdf" {
                intake_date
            } else {
                intake_date + days(rng.gen_range(0..=span))
            };
            Attachment {
                id: new_id(rng),
                file_name: file_name.to_string(),
                content_type: content_type.to_string(),
                size_bytes: rng.gen_range(lo..=hi),
                uploaded_at: at(
                    day,
                    rng.gen_range(8..=18),
                    rng.gen_range(0..60),
                    rng.gen_range(0..60),
                ),
            }
        })
        .collect();

    PatientRecord {
        patient,
        diagnoses,
        treatment_plans,
        sessions,
        assessments,
        attachments,
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn words_of(soap: &Soap) -> usize {
        soap.sections()
            .iter()
            .filter_map(|(_, t)| *t)
            .map(|t| t.split_whitespace().count())
            .sum()
    }

    fn all_ids(data: &PracticeData) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = data.therapists.iter().map(|t| t.id).collect();
        for r in &data.patients {
            ids.push(r.patient.id);
            ids.extend(r.diagnoses.iter().map(|d| d.id));
            for p in &r.treatment_plans {
                ids.push(p.id);
                ids.extend(p.goals.iter().map(|g| g.id));
            }
            for s in &r.sessions {
                ids.push(s.session.id);
                ids.extend(s.notes.iter().map(|n| n.id));
            }
            ids.extend(r.assessments.iter().map(|a| a.id));
            ids.extend(r.attachments.iter().map(|a| a.id));
        }
        ids
    }

    fn first_attended_progress_note(r: &PatientRecord) -> &Note {
        let s = r
            .sessions
            .iter()
            .find(|s| s.session.attendance == Attendance::Attended)
            .expect("an attended session");
        s.notes
            .iter()
            .find(|n| n.note_type == NoteType::ProgressNote)
            .expect("a progress note")
    }

    fn is_icd10(code: &str) -> bool {
        // ^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$
        let b = code.as_bytes();
        let alnum = |c: &u8| c.is_ascii_digit() || c.is_ascii_uppercase();
        b.len() >= 3
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_digit()
            && alnum(&b[2])
            && match &b[3..] {
                [] => true,
                [b'.', rest @ ..] => (1..=4).contains(&rest.len()) && rest.iter().all(alnum),
                _ => false,
            }
    }

    #[test]
    fn same_params_give_identical_json() {
        let params = DemoParams::default();
        let a = serde_json::to_string(&generate(&params)).unwrap();
        let b = serde_json::to_string(&generate(&params)).unwrap();
        assert_eq!(a, b);
        let back: PracticeData = serde_json::from_str(&a).unwrap();
        assert_eq!(back, generate(&params));
    }

    #[test]
    fn different_seed_gives_different_data() {
        let a = generate(&DemoParams::default());
        let b = generate(&DemoParams {
            seed: 43,
            ..DemoParams::default()
        });
        assert_ne!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_ne!(a.patients[0].patient.id, b.patients[0].patient.id);
        // Names are fixed by position, not by seed.
        assert_eq!(
            a.patients[0].patient.first_name,
            b.patients[0].patient.first_name
        );
    }

    #[test]
    fn format_and_normalized() {
        let data = generate(&DemoParams::default());
        assert_eq!(data.format, IMPORT_FORMAT_V1);
        for r in &data.patients {
            let mut copy = r.clone();
            copy.normalize();
            assert_eq!(&copy, r);
        }
    }

    #[test]
    fn required_names_come_first_in_order() {
        let data = generate(&DemoParams {
            patients: 40,
            sessions_per_patient: 3,
            words_per_note: 20,
            ..DemoParams::default()
        });
        for (i, (first, last)) in LEADING_PATIENT_NAMES.iter().enumerate() {
            let p = &data.patients[i].patient;
            assert_eq!(
                (p.first_name.as_str(), p.last_name.as_str()),
                (*first, *last)
            );
        }
        assert_eq!(data.patients[5].patient.first_name, "芳");
        assert_eq!(data.patients[5].patient.last_name, "王");
        assert_eq!(data.patients[0].patient.full_name(), "Zoë Adebayo-Hart");
        let mut mrns = HashSet::new();
        for (i, r) in data.patients.iter().enumerate() {
            let p = &r.patient;
            assert!(!p.first_name.chars().any(|c| c.is_ascii_digit()));
            assert!(!p.last_name.chars().any(|c| c.is_ascii_digit()));
            assert_eq!(p.mrn, format!("MRN-{:06}", i + 1));
            assert!(
                p.mrn
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            );
            assert!(mrns.insert(p.mrn.clone()));
        }
    }

    #[test]
    fn hostile_strings_in_patient_zero_first_attended_note() {
        assert_eq!(LONG_WORD.len(), 300);
        assert!(LONG_WORD.bytes().all(|b| b.is_ascii_alphabetic()));
        let data = generate(&DemoParams::default());
        let zoe = &data.patients[0];
        assert_eq!(zoe.patient.first_name, "Zoë");
        let note = first_attended_progress_note(zoe);
        let text: Vec<&str> = note
            .soap
            .sections()
            .iter()
            .filter_map(|(_, t)| *t)
            .collect();
        for h in HOSTILE_STRINGS {
            assert!(
                text.iter().any(|t| t.contains(h)),
                "{h:?} missing from the hostile note"
            );
        }
        assert_eq!(
            note.soap.objective.as_deref(),
            Some("=HYPERLINK(\"http://x\",\"y\")")
        );
        assert!(note.soap.assessment.as_deref().unwrap().starts_with("-2+3"));
        assert!(note.soap.plan.as_deref().unwrap().starts_with("+SUM(1,1)"));
        assert!(note.soap.plan.as_deref().unwrap().ends_with("@cmd"));
        // Still near the word budget.
        let w = words_of(&note.soap) as f64;
        assert!((w - 300.0).abs() <= 30.0, "hostile note has {w} words");
    }

    #[test]
    fn hostile_strings_sprinkled_elsewhere() {
        let data = generate(&DemoParams {
            patients: 20,
            sessions_per_patient: 40,
            words_per_note: 60,
            ..DemoParams::default()
        });
        let first = first_attended_progress_note(&data.patients[0]).id;
        let others = data
            .patients
            .iter()
            .flat_map(|r| &r.sessions)
            .flat_map(|s| &s.notes)
            .filter(|n| n.id != first)
            .filter(|n| {
                n.soap
                    .subjective
                    .as_deref()
                    .is_some_and(|t| HOSTILE_STRINGS.iter().any(|h| t.contains(h)))
            })
            .count();
        assert!(
            others >= 3,
            "only {others} other notes carry hostile strings"
        );
    }

    #[test]
    fn empty_sections_are_none_and_patient_zero_has_a_note_without_objective() {
        let data = generate(&DemoParams::default());
        for r in &data.patients {
            for s in &r.sessions {
                for n in &s.notes {
                    for (_, t) in n.soap.sections() {
                        assert_ne!(t, Some(""));
                    }
                }
            }
        }
        let zoe = &data.patients[0];
        assert!(
            zoe.sessions
                .iter()
                .flat_map(|s| &s.notes)
                .any(|n| n.note_type == NoteType::ProgressNote
                    && n.soap.objective.is_none()
                    && n.soap.subjective.is_some())
        );
    }

    #[test]
    fn word_counts_within_tolerance() {
        for words in [40, 120, 300, 400, 1_000] {
            let data = generate(&DemoParams {
                patients: 8,
                sessions_per_patient: 30,
                words_per_note: words,
                ..DemoParams::default()
            });
            let target = words as f64;
            for n in data
                .patients
                .iter()
                .flat_map(|r| &r.sessions)
                .flat_map(|s| &s.notes)
            {
                let got = words_of(&n.soap) as f64;
                assert!(
                    (got - target).abs() <= target * 0.1,
                    "{got} words for target {target}"
                );
            }
        }
        let none = generate(&DemoParams {
            words_per_note: 0,
            ..DemoParams::default()
        });
        for n in none
            .patients
            .iter()
            .flat_map(|r| &r.sessions)
            .flat_map(|s| &s.notes)
        {
            assert_eq!(n.soap, Soap::default());
        }
    }

    #[test]
    fn note_text_has_exact_word_count() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for words in [0, 1, 2, 5, 13, 40, 300, 2_000] {
            let text = note_text(&mut rng, words);
            assert_eq!(text.split_whitespace().count(), words);
            assert!(!text.contains('{') && !text.contains('}'));
        }
        for (i, pair) in FILLERS.iter().enumerate() {
            for f in pair {
                assert_eq!(count_words(f), i + 1, "{f}");
            }
        }
    }

    #[test]
    fn sessions_and_notes_belong_to_assigned_therapists() {
        for patients in [1, 2, 6, 13, 40] {
            let data = generate(&DemoParams {
                patients,
                sessions_per_patient: 12,
                words_per_note: 20,
                ..DemoParams::default()
            });
            let expected = if patients > 12 {
                patients.div_ceil(4)
            } else {
                3
            };
            assert_eq!(data.therapists.len(), expected);
            let therapist_ids: HashSet<Uuid> = data.therapists.iter().map(|t| t.id).collect();
            let mut used = HashSet::new();
            for r in &data.patients {
                let assigned = &r.patient.assigned_therapist_ids;
                assert!((1..=2).contains(&assigned.len()));
                assert_eq!(
                    assigned.iter().collect::<HashSet<_>>().len(),
                    assigned.len()
                );
                for t in assigned {
                    assert!(therapist_ids.contains(t));
                    used.insert(*t);
                }
                for s in &r.sessions {
                    assert!(assigned.contains(&s.session.therapist_id));
                    for n in &s.notes {
                        assert_eq!(n.author_id, s.session.therapist_id);
                    }
                }
            }
            if patients >= 2 {
                assert_eq!(used.len(), data.therapists.len(), "{patients} patients");
            }
        }
    }

    #[test]
    fn therapists_and_practice_look_real() {
        let data = generate(&DemoParams {
            patients: 1_100,
            sessions_per_patient: 0,
            ..DemoParams::default()
        });
        let mut emails = HashSet::new();
        for t in &data.therapists {
            assert_eq!(t.practice.npi.len(), 10);
            assert!(t.practice.npi.bytes().all(|b| b.is_ascii_digit()));
            let (body, check) = t.practice.npi.split_at(9);
            assert_eq!(npi_check_digit(body).to_string(), check);
            let (local, domain) = t.email.split_once('@').unwrap();
            assert_eq!(domain, PRACTICE_DOMAIN);
            assert!(local.contains('.') && local.is_ascii());
            assert!(emails.insert(t.email.clone()), "duplicate {}", t.email);
            assert_eq!(t.practice.name, PRACTICE_NAME);
        }
        assert!(data.therapists.iter().any(|t| !t.name.is_ascii()));
        assert_eq!(data.therapists[0].credentials, "PhD, LP");
        // The NPI standard's own example.
        assert_eq!(npi_check_digit("123456789"), 3);
    }

    #[test]
    fn values_are_in_range() {
        let params = DemoParams {
            patients: 30,
            sessions_per_patient: 40,
            words_per_note: 30,
            ..DemoParams::default()
        };
        let data = generate(&params);
        let dob_lo = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
        let dob_hi = NaiveDate::from_ymd_opt(2008, 12, 31).unwrap();
        let (mut total, mut present, mut psych, mut attended_notes) = (0, 0, 0, 0);
        for r in &data.patients {
            let p = &r.patient;
            assert!(p.date_of_birth >= dob_lo && p.date_of_birth <= dob_hi);
            assert!(p.intake_date < r.sessions[0].session.start_time.date_naive());
            total += 1;
            if p.phone.is_some() && p.insurance.is_some() {
                present += 1;
            }
            for (i, s) in r.sessions.iter().enumerate() {
                let sess = &s.session;
                assert!(sess.start_time.date_naive() <= params.end_date);
                assert_eq!(sess.start_time.timestamp() % 60, 0);
                assert!((8..=17).contains(&chrono::Timelike::hour(&sess.start_time)));
                if i == 0 {
                    assert_eq!(sess.session_type, SessionType::Intake);
                    assert_eq!(sess.duration_minutes, 90);
                } else {
                    assert!([45, 50, 53, 60].contains(&sess.duration_minutes));
                    assert_ne!(sess.session_type, SessionType::Intake);
                }
                assert!(MODALITIES.contains(&sess.modality.as_str()));
                assert!((1..=4).contains(&sess.topics.len()));
                match sess.attendance {
                    Attendance::Attended => {
                        assert!(sess.mood.is_some_and(|m| (1..=10).contains(&m)));
                        attended_notes += 1;
                        let progress = s
                            .notes
                            .iter()
                            .filter(|n| n.note_type == NoteType::ProgressNote)
                            .count();
                        assert_eq!(progress, 1);
                        psych += s.notes.len() - 1;
                    }
                    _ => {
                        assert_eq!(sess.mood, None);
                        assert!(s.notes.is_empty());
                    }
                }
                let end = sess.start_time + Duration::minutes(i64::from(sess.duration_minutes));
                for n in &s.notes {
                    assert!(n.created_at > end);
                    assert!(n.created_at < end + Duration::hours(4));
                    assert_eq!(n.locked, n.signed_at.is_some());
                    assert!(n.signed_at.is_none_or(|t| t >= n.created_at));
                }
            }
            let last = r.sessions.last().unwrap();
            assert_eq!(last.session.attendance, Attendance::Attended);
            assert!(
                last.notes
                    .iter()
                    .all(|n| n.signed_at.is_none() && !n.locked)
            );
            let signed = r
                .sessions
                .iter()
                .flat_map(|s| &s.notes)
                .filter(|n| n.signed_at.is_some())
                .count();
            assert!(signed as f64 >= 0.8 * r.note_count() as f64);
            for a in &r.assessments {
                match a.instrument.as_str() {
                    "PHQ-9" => {
                        assert!(a.score <= 27);
                        assert_eq!(a.severity, phq9_severity(a.score));
                    }
                    "GAD-7" => {
                        assert!(a.score <= 21);
                        assert_eq!(a.severity, gad7_severity(a.score));
                    }
                    other => panic!("unexpected instrument {other}"),
                }
                assert!(
                    r.sessions
                        .iter()
                        .any(|s| s.session.start_time.date_naive() == a.administered_on)
                );
            }
            assert!(r.assessments.len() >= 2 * 8);
            for a in &r.attachments {
                assert!(a.uploaded_at.date_naive() >= p.intake_date);
                assert!(a.uploaded_at.date_naive() <= params.end_date);
                assert!(a.size_bytes > 0 && a.content_type.contains('/'));
            }
            assert!(r.attachments.len() <= 3);
        }
        assert!(present > total / 2 && present < total, "{present}/{total}");
        let expected_psych = attended_notes / 8;
        assert!(psych > expected_psych / 3 && psych < expected_psych * 3);
    }

    #[test]
    fn mood_improves_and_scores_fall_on_average() {
        let data = generate(&DemoParams {
            patients: 30,
            sessions_per_patient: 40,
            words_per_note: 0,
            ..DemoParams::default()
        });
        let (mut early_mood, mut late_mood, mut early_phq, mut late_phq) = (0.0, 0.0, 0.0, 0.0);
        for r in &data.patients {
            let moods: Vec<f64> = r
                .sessions
                .iter()
                .filter_map(|s| s.session.mood)
                .map(f64::from)
                .collect();
            early_mood += moods[..5].iter().sum::<f64>();
            late_mood += moods[moods.len() - 5..].iter().sum::<f64>();
            let phq: Vec<f64> = r
                .assessments
                .iter()
                .filter(|a| a.instrument == "PHQ-9")
                .map(|a| f64::from(a.score))
                .collect();
            early_phq += phq[0];
            late_phq += phq[phq.len() - 1];
        }
        assert!(late_mood > early_mood);
        assert!(late_phq < early_phq);
    }

    #[test]
    fn severity_bands() {
        let phq = [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "moderately severe"),
            (19, "moderately severe"),
            (20, "severe"),
            (27, "severe"),
        ];
        for (score, band) in phq {
            assert_eq!(phq9_severity(score), band, "PHQ-9 {score}");
        }
        let gad = [
            (0, "minimal"),
            (4, "minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "severe"),
            (21, "severe"),
        ];
        for (score, band) in gad {
            assert_eq!(gad7_severity(score), band, "GAD-7 {score}");
        }
    }

    #[test]
    fn ids_are_unique() {
        let data = generate(&DemoParams {
            patients: 25,
            sessions_per_patient: 30,
            words_per_note: 10,
            ..DemoParams::default()
        });
        let ids = all_ids(&data);
        let unique: HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn diagnoses_and_plans_are_consistent() {
        let data = generate(&DemoParams {
            patients: 60,
            sessions_per_patient: 24,
            words_per_note: 0,
            ..DemoParams::default()
        });
        let mut two_plans = 0;
        for r in &data.patients {
            assert!((1..=3).contains(&r.diagnoses.len()));
            let primaries = r
                .diagnoses
                .iter()
                .filter(|d| d.rank == DiagnosisRank::Primary)
                .count();
            assert_eq!(primaries, 1);
            let codes: HashSet<_> = r.diagnoses.iter().map(|d| &d.icd10_code).collect();
            assert_eq!(codes.len(), r.diagnoses.len());
            for d in &r.diagnoses {
                assert!(is_icd10(&d.icd10_code), "{}", d.icd10_code);
                let known = DIAGNOSES.iter().find(|x| x.code == d.icd10_code).unwrap();
                assert_eq!(d.description, known.description);
            }
            assert!((1..=2).contains(&r.treatment_plans.len()));
            if r.treatment_plans.len() == 2 {
                two_plans += 1;
                assert_eq!(r.treatment_plans[0].status, PlanStatus::Completed);
                assert_eq!(r.treatment_plans[1].status, PlanStatus::Active);
            } else {
                assert_eq!(r.treatment_plans[0].status, PlanStatus::Active);
            }
            for plan in &r.treatment_plans {
                assert!(plan.review_date.unwrap() > plan.start_date);
                assert!((2..=4).contains(&plan.goals.len()));
                assert!((3..=5).contains(&plan.interventions.len()));
                assert_ne!(plan.prognosis.as_deref(), Some(""));
                for g in &plan.goals {
                    assert!(g.progress_percent <= 100);
                    match g.status {
                        GoalStatus::Achieved => assert_eq!(g.progress_percent, 100),
                        GoalStatus::NotStarted => assert_eq!(g.progress_percent, 0),
                        _ => assert!(g.progress_percent < 100),
                    }
                }
            }
        }
        assert!(two_plans > 0 && two_plans < data.patients.len());
    }

    #[test]
    fn one_patient_with_a_thousand_sessions() {
        let params = DemoParams {
            patients: 1,
            sessions_per_patient: 1_000,
            words_per_note: 50,
            ..DemoParams::default()
        };
        let data = generate(&params);
        assert_eq!(data.patients.len(), 1);
        let r = &data.patients[0];
        assert_eq!(r.sessions.len(), 1_000);
        assert!(r.patient.intake_date < r.sessions[0].session.start_time.date_naive());
        assert!(r.patient.date_of_birth < r.patient.intake_date);
        assert!(
            r.sessions
                .windows(2)
                .all(|w| w[0].session.start_time < w[1].session.start_time)
        );
        assert!(r.sessions.last().unwrap().session.start_time.date_naive() <= params.end_date);
        let ids = all_ids(&data);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    }

    #[test]
    fn degenerate_params_work() {
        let zero = generate(&DemoParams {
            patients: 0,
            ..DemoParams::default()
        });
        assert!(zero.patients.is_empty());
        assert_eq!(zero.therapists.len(), 3);
        let no_sessions = generate(&DemoParams {
            patients: 3,
            sessions_per_patient: 0,
            ..DemoParams::default()
        });
        for r in &no_sessions.patients {
            assert!(r.sessions.is_empty() && r.assessments.is_empty());
            assert!(r.patient.intake_date <= DemoParams::default().end_date);
        }
        let one = generate(&DemoParams {
            patients: 1,
            sessions_per_patient: 1,
            words_per_note: 3,
            ..DemoParams::default()
        });
        assert_eq!(one.patients[0].sessions.len(), 1);
        assert_eq!(one.patients[0].sessions[0].notes.len(), 1);
    }

    /// `cargo test --release -p exports-core --lib synthetic -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run in release"]
    fn large_dataset_is_fast() {
        let start = std::time::Instant::now();
        let data = generate(&DemoParams {
            patients: 200,
            sessions_per_patient: 200,
            words_per_note: 400,
            ..DemoParams::default()
        });
        let elapsed = start.elapsed();
        let notes: usize = data.patients.iter().map(PatientRecord::note_count).sum();
        eprintln!("200 x 200 x 400: {notes} notes in {elapsed:?}");
        assert!(elapsed < std::time::Duration::from_secs(1));
    }
}
