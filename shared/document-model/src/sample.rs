//! A realistic document exercising every block, for renderer tests and benches.

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use crate::*;

/// A full-record-like document with `sessions` session sections of about `words` words each.
/// Holds non-Latin names (Zoë, Nguyễn, Øyvind, Ελένη, 王芳), hostile strings, a table long enough
/// to span pages, a chart and every block kind.
pub fn clinical_document(sessions: usize, words: usize) -> Document {
    let filler = [
        "Client",
        "reported",
        "improved",
        "sleep",
        "and",
        "fewer",
        "intrusive",
        "thoughts;",
        "practised",
        "paced",
        "breathing",
        "daily.",
        "Affect",
        "congruent,",
        "speech",
        "normal",
        "rate.",
        "Continue",
        "weekly",
        "CBT",
        "with",
        "exposure",
        "hierarchy",
        "homework.",
    ];
    let text = |n: usize, offset: usize| -> String {
        (0..n)
            .map(|i| filler[(i + offset) % filler.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut blocks = vec![
        Block::Heading {
            level: 1,
            text: "Full Record — Zoë Adebayo-Hart (MRN-000001)".into(),
        },
        Block::KeyValue {
            rows: vec![
                ("Patient".into(), vec![Run::bold("Zoë Adebayo-Hart")]),
                ("Date of birth".into(), vec![Run::plain("1991-05-30")]),
                (
                    "Emergency contact".into(),
                    vec![Run::plain("Nguyễn Thị Lan (sister), Øyvind Haugland")],
                ),
                (
                    "Also known as".into(),
                    vec![Run::plain("Ελένη Παπαδοπούλου · 王芳")],
                ),
            ],
        },
        Block::Notice {
            kind: NoticeKind::Warning,
            text: vec![
                Run::bold("Psychotherapy notes "),
                Run::plain("are excluded from this export."),
            ],
        },
        Block::Heading {
            level: 2,
            text: "Diagnoses".into(),
        },
        Block::Table(Table {
            columns: vec![
                Column {
                    title: "ICD-10".into(),
                    width: 1.0,
                    align: Align::Left,
                },
                Column {
                    title: "Description".into(),
                    width: 4.0,
                    align: Align::Left,
                },
                Column {
                    title: "Rank".into(),
                    width: 1.2,
                    align: Align::Left,
                },
                Column {
                    title: "Date".into(),
                    width: 1.5,
                    align: Align::Right,
                },
            ],
            rows: vec![
                vec![
                    vec![Run::plain("F41.1")],
                    vec![Run::plain("Generalized anxiety disorder")],
                    vec![Run::plain("primary")],
                    vec![Run::plain("2026-01-05")],
                ],
                vec![
                    vec![Run::plain("F32.1")],
                    vec![Run::plain(
                        "Major depressive disorder, single episode, moderate",
                    )],
                    vec![Run::plain("secondary")],
                    vec![Run::plain("2026-01-05")],
                ],
            ],
        }),
        Block::Heading {
            level: 2,
            text: "Assessment scores".into(),
        },
        Block::Chart(LineChart {
            title: "PHQ-9, GAD-7 and mood over time".into(),
            y_label: "score".into(),
            y_max: 27.0,
            bands: Vec::new(),
            series: ["PHQ-9", "GAD-7", "Mood"]
                .iter()
                .enumerate()
                .map(|(k, name)| Series {
                    name: (*name).into(),
                    points: (0..12)
                        .map(|i| {
                            let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
                                + Duration::weeks(i * 2);
                            (d, (20.0 - i as f32 * 1.2 - k as f32 * 3.0).max(1.0))
                        })
                        .collect(),
                })
                .collect(),
        }),
        Block::Heading {
            level: 2,
            text: "Sessions".into(),
        },
    ];
    let mut rows = Vec::new();
    for i in 0..sessions.max(40) {
        rows.push(vec![
            vec![Run::plain(format!(
                "2026-{:02}-{:02}",
                1 + (i / 28) % 12,
                1 + i % 28
            ))],
            vec![Run::plain("Individual · CBT")],
            vec![Run::plain(if i % 9 == 4 { "no_show" } else { "attended" })],
            vec![Run::plain(format!("{}", 1 + i % 10))],
        ]);
    }
    blocks.push(Block::Table(Table {
        columns: vec![
            Column {
                title: "Date".into(),
                width: 1.5,
                align: Align::Left,
            },
            Column {
                title: "Type".into(),
                width: 2.5,
                align: Align::Left,
            },
            Column {
                title: "Attendance".into(),
                width: 1.5,
                align: Align::Left,
            },
            Column {
                title: "Mood".into(),
                width: 0.8,
                align: Align::Right,
            },
        ],
        rows,
    }));
    for i in 0..sessions {
        blocks.push(Block::Heading {
            level: 3,
            text: format!(
                "Session {} — 2026-{:02}-{:02}",
                i + 1,
                1 + (i / 28) % 12,
                1 + i % 28
            ),
        });
        blocks.push(Block::BulletList {
            items: vec![
                vec![Run::bold("Topics: "), Run::plain("sleep; work stress")],
                vec![Run::bold("Mood: "), Run::plain("6/10")],
            ],
        });
        let quarter = words / 4;
        for (k, section) in ["Subjective", "Objective", "Assessment", "Plan"]
            .iter()
            .enumerate()
        {
            let mut body = text(quarter.max(1), i + k);
            if i == 0 && k == 0 {
                body.push_str(" <script>alert(1)</script> {{ patient.first_name }} <b>bold?</b> **not bold** =HYPERLINK(\"http://x\",\"y\")");
            }
            blocks.push(Block::Paragraph {
                text: vec![Run::bold(format!("{section}: ")), Run::plain(body)],
            });
        }
    }
    Document {
        meta: Meta {
            title: "Full Record — MRN-000001".into(),
            author: "Amara Okafor, PhD, LP".into(),
            subject: "Full record export".into(),
            keywords: vec!["full_record".into(), "MRN-000001".into()],
            created: Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap(),
            lang: default_lang(),
        },
        page: PageSetup::default(),
        header: PageHeader {
            title: "Lakeside Counseling Collective".into(),
            lines: vec!["2200 Lyndale Avenue South, Suite 310, Minneapolis, MN 55405 · (612) 555-0142 · NPI 1681896191".into()],
            confidentiality: "CONFIDENTIAL - PROTECTED HEALTH INFORMATION".into(),
            identity: Some("Zoë Adebayo-Hart (MRN-000001)".into()),
        },
        footer: PageFooter {
            watermark: "Exported by Amara Okafor, PhD, LP on 2026-11-27 · job 5aab0375-5cec-4d70-a34f-bdbb077c354f".into(),
            text: None,
            page_numbers: true,
        },
        blocks,
    }
}
