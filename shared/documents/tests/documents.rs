//! `build_document` for every export type from synthetic data, `validate_template`, HTML.

use std::mem::discriminant;
use std::sync::OnceLock;

use exports_core::export::ExportType;
use exports_core::records::PracticeData;
use exports_core::report::{Report, ReportContent};
use exports_document_model::{Block, Document, NextBlock, PageSize, plain_text};
use exports_documents::{
    DocumentError, DocumentLayout, Escaped, SESSIONS_PER_GROUP, build_document, is_paged,
    render_html, samples, stream_document, stream_paged_record, validate_template,
    validate_template_for,
};
use exports_synthetic::{DemoParams, HOSTILE_STRINGS, generate};

/// The default demo practice: 6 patients × 24 sessions; patient 0's intake note holds every
/// hostile string.
fn demo() -> &'static PracticeData {
    static DATA: OnceLock<PracticeData> = OnceLock::new();
    DATA.get_or_init(|| generate(&DemoParams::default()))
}

fn report(export_type: ExportType) -> Report {
    samples::report_for(demo(), 0, export_type, None)
}

fn sections(export_type: ExportType, sections: &[&str]) -> Report {
    samples::report_for(
        demo(),
        0,
        export_type,
        Some(sections.iter().map(|s| s.to_string()).collect()),
    )
}

/// The document of a report, checked against the streamed one the PDF is written from: the
/// same head, the same blocks in the same order.
fn build(report: &Report) -> Document {
    let layout = DocumentLayout::default();
    let doc = build_document(report, &layout).unwrap_or_else(|e| panic!("{e}"));
    let streamed = stream_document(report.clone(), &layout).unwrap_or_else(|e| panic!("{e}"));
    let blocks: Vec<Block> = streamed
        .blocks
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(blocks, doc.blocks, "streamed blocks differ");
    assert_eq!(
        Document {
            blocks: doc.blocks.clone(),
            ..streamed.head.clone()
        },
        doc,
        "streamed head differs"
    );
    if is_paged(report.export_type, &layout) {
        let (head, blocks, _) = paged(report);
        assert_eq!(blocks, doc.blocks, "paged blocks differ");
        assert_eq!(head, streamed.head, "paged head differs");
    }
    doc
}

/// A full record made a page at a time, as the renderer makes it: the report's notes without
/// their text, each group of texts given when the document asks for it. The head, the blocks,
/// and the groups asked for, in order.
fn paged(report: &Report) -> (Document, Vec<Block>, Vec<std::ops::Range<usize>>) {
    let mut outline = report.clone();
    let texts = samples::take_note_texts(&mut outline);
    let paged =
        stream_paged_record(outline, &DocumentLayout::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut document = paged.document;
    let (mut blocks, mut asked) = (Vec::new(), Vec::new());
    loop {
        // As the renderer's caller does: whatever is asked for is given before the next pull.
        if let Some(range) = paged.note_texts.wanted() {
            asked.push(range.clone());
            let given = texts[range.clone()].iter().flatten().cloned().collect();
            paged.note_texts.give(range, given);
        }
        match document
            .blocks
            .next_block()
            .unwrap_or_else(|e| panic!("{e}"))
        {
            NextBlock::Block(b) => blocks.push(b),
            NextBlock::Later => {
                assert!(paged.note_texts.wanted().is_some(), "waits without asking");
            }
            NextBlock::End => break,
        }
    }
    (document.head, blocks, asked)
}

/// Every text of the document, one string per text piece.
fn texts(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Heading { text, .. } => out.push(text.clone()),
            Block::Paragraph { text } | Block::Notice { text, .. } => out.push(plain_text(text)),
            Block::BulletList { items } => out.extend(items.iter().map(plain_text)),
            Block::KeyValue { rows } => {
                for (k, v) in rows {
                    out.push(k.clone());
                    out.push(plain_text(v));
                }
            }
            Block::Table(t) => {
                out.extend(t.columns.iter().map(|c| c.title.clone()));
                out.extend(t.rows.iter().flatten().map(plain_text));
            }
            Block::Chart(c) => {
                out.push(c.title.clone());
                out.extend(c.series.iter().map(|s| s.name.clone()));
            }
            Block::PageBreak => {}
        }
    }
    out
}

fn all_text(doc: &Document) -> String {
    texts(doc).join("\n")
}

fn headings(doc: &Document, level: u8) -> Vec<&str> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: l, text } if *l == level => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// The table that follows the level-2 heading `section` (first table in that section).
fn table_after<'a>(doc: &'a Document, section: &str) -> &'a exports_document_model::Table {
    let start = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 2, text } if text == section))
        .unwrap_or_else(|| panic!("no section {section}"));
    doc.blocks[start + 1..]
        .iter()
        .take_while(|b| !matches!(b, Block::Heading { level: 2, .. }))
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no table in {section}"))
}

/// The demo patient's PHQ-9 and GAD-7 charts: one each, one series named after the instrument
/// whose points are `expected(instrument)`, the instrument's range, and its severity bands.
fn assert_instrument_charts(
    charts: &[&exports_document_model::LineChart],
    expected: impl Fn(&str) -> Vec<(chrono::NaiveDate, f32)>,
) {
    let bands = |c: &exports_document_model::LineChart| -> Vec<(f32, f32, String)> {
        c.bands
            .iter()
            .map(|b| (b.from, b.to, b.label.clone()))
            .collect()
    };
    let band = |from: f32, to: f32, label: &str| (from, to, label.to_string());
    for (instrument, y_max, want_bands) in [
        (
            "PHQ-9",
            27.0,
            vec![
                band(0.0, 4.0, "Minimal"),
                band(5.0, 9.0, "Mild"),
                band(10.0, 14.0, "Moderate"),
                band(15.0, 19.0, "Moderately severe"),
                band(20.0, 27.0, "Severe"),
            ],
        ),
        (
            "GAD-7",
            21.0,
            vec![
                band(0.0, 4.0, "Minimal"),
                band(5.0, 9.0, "Mild"),
                band(10.0, 14.0, "Moderate"),
                band(15.0, 21.0, "Severe"),
            ],
        ),
    ] {
        let mine: Vec<_> = charts
            .iter()
            .filter(|c| c.series.len() == 1 && c.series[0].name == instrument)
            .collect();
        assert_eq!(mine.len(), 1, "one {instrument} chart in {charts:?}");
        let c = mine[0];
        assert_eq!(c.title, format!("{instrument} scores"));
        assert_eq!(c.y_max, y_max, "{instrument}");
        assert_eq!(bands(c), want_bands, "{instrument}");
        let points = expected(instrument);
        assert!(points.len() >= 2, "{instrument}: {points:?}");
        assert_eq!(c.series[0].points, points, "{instrument}");
    }
}

fn charts(doc: &Document) -> Vec<&exports_document_model::LineChart> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn session_notes() {
    let r = report(ExportType::SessionNotes);
    let ReportContent::SessionNotes(content) = &r.content else {
        unreachable!()
    };
    let doc = build(&r);
    assert_eq!(doc.outline(), vec![(1, "Session Notes"), (2, "Sessions")]);
    let sessions = headings(&doc, 3);
    assert_eq!(sessions.len(), content.sessions.len());
    assert!(sessions[0].starts_with("Session 1 — "), "{sessions:?}");
    // Identification block first, with the MRN.
    let Block::KeyValue { rows } = &doc.blocks[1] else {
        panic!("{:?}", doc.blocks[1])
    };
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Patient",
            "MRN",
            "Date of birth",
            "Clinician",
            "Sessions",
            "Generated"
        ]
    );
    assert_eq!(plain_text(&rows[1].1), r.patient.mrn);
    let text = all_text(&doc);
    for label in ["Subjective: ", "Objective: ", "Assessment: ", "Plan: "] {
        assert!(text.contains(label), "{label}");
    }
    assert!(!text.contains("Psychotherapy note"));
    assert!(charts(&doc).is_empty());
}

#[test]
fn progress_report() {
    let r = report(ExportType::ProgressReport);
    let ReportContent::ProgressReport(content) = &r.content else {
        unreachable!()
    };
    let doc = build(&r);
    assert_eq!(
        doc.outline(),
        vec![
            (1, "Progress Report"),
            (2, "Demographics"),
            (2, "Goals"),
            (2, "Attendance"),
            (2, "Topics"),
            (2, "Mood"),
            (2, "Assessments"),
        ]
    );
    assert_eq!(
        table_after(&doc, "Goals").rows.len(),
        content.goals.as_ref().unwrap().len()
    );
    assert_eq!(
        table_after(&doc, "Topics").rows.len(),
        content.topics.as_ref().unwrap().len()
    );
    let assessments = content.assessments.as_ref().unwrap();
    let table = table_after(&doc, "Assessments");
    assert_eq!(table.rows.len(), assessments.len());
    assert_eq!(plain_text(&table.rows[0][0]), assessments[0].instrument);
    // Charts: the mood of every session in the period, then one chart per instrument with
    // ≥ 2 administrations, every administration a point, over the instrument's severity bands.
    let charts = charts(&doc);
    let mood = content.mood.as_ref().expect("the demo patient has moods");
    assert!(mood.points.len() > 2, "more than a first and a last mood");
    let mood_chart = charts.iter().find(|c| c.y_max == 10.0).expect("mood chart");
    let expected: Vec<_> = mood
        .points
        .iter()
        .map(|p| (p.date, f32::from(p.mood)))
        .collect();
    assert_eq!(mood_chart.series[0].points, expected);
    assert!(mood_chart.bands.is_empty());
    assert_instrument_charts(&charts, |instrument| {
        assessments
            .iter()
            .filter(|a| a.instrument == instrument)
            .map(|a| (a.administered_on, f32::from(a.score)))
            .collect()
    });
    assert_eq!(charts.len(), 3, "mood, GAD-7, PHQ-9: {charts:?}");
    assert_eq!(
        doc.meta.subject,
        format!(
            "Progress report, {} – {}",
            content.period.start_date.format("%-d %b %Y"),
            content.period.end_date.format("%-d %b %Y")
        )
    );
}

#[test]
fn treatment_summary() {
    let r = report(ExportType::TreatmentSummary);
    let ReportContent::TreatmentSummary(content) = &r.content else {
        unreachable!()
    };
    let doc = build(&r);
    let mut expected = vec![
        (1, "Treatment Summary"),
        (2, "Diagnoses"),
        (2, "Treatment Plan"),
        (2, "Goals"),
        (2, "Interventions"),
        (2, "Session Statistics"),
        (2, "Assessments"),
    ];
    if content.prognosis.is_some() {
        expected.push((2, "Prognosis"));
    }
    assert_eq!(doc.outline(), expected);
    let diagnoses = content.diagnoses.as_ref().unwrap();
    let table = table_after(&doc, "Diagnoses");
    assert_eq!(table.columns[0].title, "ICD-10");
    assert_eq!(table.rows.len(), diagnoses.len());
    assert_eq!(plain_text(&table.rows[0][0]), diagnoses[0].icd10_code);
    assert_eq!(
        table_after(&doc, "Assessments").rows.len(),
        content.assessments.as_ref().unwrap().len()
    );
    // One chart per instrument, every administration a point (not just first and latest).
    let charts = charts(&doc);
    let changes = content.assessments.as_ref().unwrap();
    assert!(changes.iter().any(|c| c.administrations > 2));
    assert_instrument_charts(&charts, |instrument| {
        changes
            .iter()
            .find(|c| c.instrument == instrument)
            .map(|c| {
                c.scores
                    .iter()
                    .map(|a| (a.administered_on, f32::from(a.score)))
                    .collect()
            })
            .unwrap_or_default()
    });
    assert_eq!(charts.len(), 2, "GAD-7, PHQ-9: {charts:?}");
    if let Some(prognosis) = &content.prognosis {
        assert!(all_text(&doc).contains(prognosis.as_str()));
    }

    // With a prognosis, it is the last section.
    let with_prognosis = (0..demo().patients.len())
        .map(|p| samples::report_for(demo(), p, ExportType::TreatmentSummary, None))
        .find(|r| matches!(&r.content, ReportContent::TreatmentSummary(t) if t.prognosis.is_some()))
        .expect("a demo patient with a prognosis");
    let doc = build(&with_prognosis);
    assert_eq!(doc.outline().last(), Some(&(2, "Prognosis")));
}

#[test]
fn full_record() {
    let r = report(ExportType::FullRecord);
    let ReportContent::FullRecord(content) = &r.content else {
        unreachable!()
    };
    let doc = build(&r);
    assert_eq!(
        doc.outline(),
        vec![
            (1, "Full Record"),
            (2, "Demographics"),
            (2, "Diagnoses"),
            (2, "Treatment Plans"),
            (2, "Sessions"),
            (2, "Assessments"),
            (2, "Attachments"),
            (2, "Timeline"),
        ]
    );
    let sessions = content.sessions.as_ref().unwrap();
    assert_eq!(table_after(&doc, "Sessions").rows.len(), sessions.len());
    assert_eq!(
        table_after(&doc, "Attachments").rows.len(),
        content.attachments.as_ref().unwrap().len()
    );
    assert_eq!(
        table_after(&doc, "Timeline").rows.len(),
        content.timeline.as_ref().unwrap().len()
    );
    let plans = content.treatment_plans.as_ref().unwrap();
    let h3 = headings(&doc, 3);
    assert_eq!(h3.len(), plans.len() + sessions.len());
    // Psychotherapy notes (the requester's) are in, marked by notices.
    let psychotherapy = sessions
        .iter()
        .flat_map(|s| &s.notes)
        .filter(|n| n.note_type == exports_core::records::NoteType::PsychotherapyNote)
        .count();
    assert!(psychotherapy > 0, "the demo record has psychotherapy notes");
    let warnings = doc
        .blocks
        .iter()
        .filter(|b| {
            matches!(
                b,
                Block::Notice {
                    kind: exports_document_model::NoticeKind::Warning,
                    ..
                }
            )
        })
        .count();
    assert_eq!(warnings, psychotherapy + 1);
    // Three charts: mood per session, then each instrument's scores.
    let charts = charts(&doc);
    assert_eq!(charts.len(), 3);
    let assessments = content.assessments.as_ref().unwrap();
    assert_instrument_charts(&charts, |instrument| {
        let mut points: Vec<_> = assessments
            .iter()
            .filter(|a| a.instrument == instrument)
            .map(|a| (a.administered_on, f32::from(a.score)))
            .collect();
        points.sort_by_key(|p| p.0);
        points
    });
    let mood = charts.iter().find(|c| c.y_max == 10.0).unwrap();
    assert_eq!(
        mood.series[0].points.len(),
        sessions.iter().filter(|s| s.mood.is_some()).count()
    );
    assert!(
        charts
            .iter()
            .all(|c| c.series.iter().all(|s| s.points.len() >= 2))
    );
}

#[test]
fn header_footer_and_metadata_come_from_rust() {
    let r = report(ExportType::ProgressReport);
    let doc = build(&r);
    assert_eq!(doc.header.title, r.practice.name);
    assert_eq!(
        doc.header.confidentiality,
        "CONFIDENTIAL - PROTECTED HEALTH INFORMATION"
    );
    assert!(doc.header.lines[0].contains(&format!("NPI {}", r.practice.npi)));
    assert!(doc.header.lines[0].contains(&r.practice.phone));
    assert_eq!(
        doc.footer.watermark,
        format!(
            "Exported by {} on 27 Nov 2026 · job {}",
            r.requested_by.display(),
            r.job_id
        )
    );
    assert!(doc.footer.page_numbers);
    assert_eq!(doc.footer.text, None);
    assert_eq!(
        doc.meta.title,
        format!("Progress Report — {}", r.patient.mrn)
    );
    assert!(!doc.meta.title.contains(&r.patient.first_name));
    assert!(!doc.meta.title.contains(&r.patient.last_name));
    assert_eq!(doc.meta.author, r.requested_by.display());
    assert_eq!(
        doc.meta.keywords,
        vec!["progress_report".to_string(), r.patient.mrn.clone()]
    );
    assert_eq!(doc.meta.created, r.generated_at);
    assert_eq!(doc.page.size, PageSize::Letter);

    let options = DocumentLayout {
        page_size: exports_core::export::PageSize::A4,
        title: Some("Quarterly review".into()),
        header_text: Some("Harbour Lights".into()),
        footer_text: Some("For the referring physician".into()),
        body: None,
    };
    let doc = build_document(&r, &options).unwrap();
    assert_eq!(doc.page.size, PageSize::A4);
    assert_eq!(doc.outline()[0], (1, "Quarterly review"));
    assert_eq!(
        doc.meta.title,
        format!("Quarterly review — {}", r.patient.mrn)
    );
    assert_eq!(doc.header.title, "Harbour Lights");
    assert_eq!(
        doc.footer.text.as_deref(),
        Some("For the referring physician")
    );
}

/// Replaces every hostile string in patient 0's notes with a harmless word.
fn defused() -> PracticeData {
    let mut data = demo().clone();
    for s in &mut data.patients[0].sessions {
        for n in &mut s.notes {
            for text in [
                &mut n.soap.subjective,
                &mut n.soap.objective,
                &mut n.soap.assessment,
                &mut n.soap.plan,
            ]
            .into_iter()
            .flatten()
            {
                for h in HOSTILE_STRINGS {
                    *text = text.replace(h, "harmless");
                }
            }
        }
    }
    data
}

#[test]
fn hostile_strings_print_literally_and_create_no_blocks() {
    let clean = defused();
    for t in [ExportType::SessionNotes, ExportType::FullRecord] {
        let doc = build(&report(t));
        let text = all_text(&doc);
        for h in HOSTILE_STRINGS {
            assert!(text.contains(h), "{t}: {h:?} missing");
        }
        // Same structure as the same record without them.
        let plain = build(&samples::report_for(&clean, 0, t, None));
        assert_eq!(doc.blocks.len(), plain.blocks.len(), "{t}");
        for (a, b) in doc.blocks.iter().zip(&plain.blocks) {
            assert_eq!(discriminant(a), discriminant(b), "{t}");
            match (a, b) {
                (Block::Table(x), Block::Table(y)) => assert_eq!(x.rows.len(), y.rows.len()),
                (Block::BulletList { items: x }, Block::BulletList { items: y }) => {
                    assert_eq!(x.len(), y.len())
                }
                (Block::Heading { text: x, .. }, Block::Heading { text: y, .. }) => {
                    assert_eq!(x, y)
                }
                (Block::Paragraph { text: x }, Block::Paragraph { text: y }) => {
                    // Only the label is bold; the patient's text is one plain run.
                    let styled = |t: &Vec<exports_document_model::Run>| {
                        t.iter().filter(|r| r.bold || r.italic).count()
                    };
                    assert_eq!(styled(x), styled(y));
                }
                _ => {}
            }
        }
        // And the hostile markup did not reach any structural text.
        for b in &doc.blocks {
            if let Block::Heading { text, .. } = b {
                assert!(!text.contains("<script>"));
            }
        }
    }
}

#[test]
fn names_with_markup_characters_stay_literal() {
    let mut data = demo().clone();
    let p = &mut data.patients[0].patient;
    p.first_name = "**Zoë** # | ::end".into();
    p.last_name = "- <b>x</b>\nnew line".into();
    let r = samples::report_for(&data, 0, ExportType::ProgressReport, None);
    let doc = build(&r);
    let Block::KeyValue { rows } = &doc.blocks[1] else {
        panic!()
    };
    assert_eq!(rows[0].0, "Patient");
    assert_eq!(
        plain_text(&rows[0].1),
        "**Zoë** # | ::end - <b>x</b>\nnew line"
    );
    assert!(
        rows[0].1.iter().all(|r| r.bold),
        "the template's bold, nothing else"
    );
}

#[test]
fn include_sections_are_honoured() {
    let doc = build(&sections(ExportType::ProgressReport, &["goals", "mood"]));
    assert_eq!(
        doc.outline(),
        vec![(1, "Progress Report"), (2, "Goals"), (2, "Mood")]
    );

    let doc = build(&sections(
        ExportType::TreatmentSummary,
        &["goals", "diagnoses"],
    ));
    assert_eq!(
        doc.outline(),
        vec![(1, "Treatment Summary"), (2, "Diagnoses"), (2, "Goals")]
    );

    // Session notes: only the subjective part of each note, no session details.
    let doc = build(&sections(ExportType::SessionNotes, &["subjective"]));
    let text = all_text(&doc);
    assert!(text.contains("Subjective: "));
    for absent in [
        "Objective: ",
        "Assessment: ",
        "Plan: ",
        "Time: ",
        "Clinician: ",
        "Topics: ",
        "Mood: ",
    ] {
        assert!(!text.contains(absent), "{absent}");
    }
    assert!(
        !doc.blocks
            .iter()
            .any(|b| matches!(b, Block::BulletList { .. }))
    );

    // No sections at all: title and identification only.
    let doc = build(&sections(ExportType::ProgressReport, &[]));
    assert_eq!(doc.outline(), vec![(1, "Progress Report")]);
    assert_eq!(doc.blocks.len(), 2);
}

#[test]
fn empty_sections_are_omitted() {
    let mut data = demo().clone();
    let record = &mut data.patients[0];
    record.diagnoses.clear();
    record.attachments.clear();
    record.assessments.truncate(1);
    let doc = build(&samples::report_for(&data, 0, ExportType::FullRecord, None));
    let outline = doc.outline();
    assert!(
        !outline
            .iter()
            .any(|h| h.1 == "Diagnoses" || h.1 == "Attachments")
    );
    // One assessment: the table, but no chart (a line needs two points).
    assert!(outline.iter().any(|h| h.1 == "Assessments"));
    assert_eq!(table_after(&doc, "Assessments").rows.len(), 1);
    assert_eq!(charts(&doc).len(), 1, "only the mood chart");
    // No table anywhere is empty.
    for b in &doc.blocks {
        if let Block::Table(t) = b {
            assert!(!t.rows.is_empty());
        }
    }

    let doc = build(&samples::report_for(
        &data,
        0,
        ExportType::TreatmentSummary,
        None,
    ));
    assert!(!doc.outline().iter().any(|h| h.1 == "Diagnoses"));
    assert!(charts(&doc).is_empty());

    // A record with nothing in it.
    for sample in samples::samples() {
        let doc = build(&sample.report);
        for b in &doc.blocks {
            if let Block::Table(t) = b {
                assert!(!t.rows.is_empty(), "{}", sample.name);
            }
        }
        if sample.name.ends_with("(empty record)")
            && sample.report.export_type != ExportType::SessionNotes
        {
            let h2 = headings(&doc, 2);
            // Only what an empty record still has: demographics, and the intake on the timeline.
            assert!(
                h2.iter().all(|h| *h == "Demographics" || *h == "Timeline"),
                "{}: {h2:?}",
                sample.name
            );
        }
    }
}

#[test]
fn the_context_is_the_report_escaped() {
    let r = report(ExportType::FullRecord);
    let plain = serde_json::to_value(&r).unwrap();
    let escaped = serde_json::to_value(Escaped(&r)).unwrap();
    fn walk(a: &serde_json::Value, b: &serde_json::Value) {
        match (a, b) {
            (serde_json::Value::String(x), serde_json::Value::String(y)) => {
                assert_eq!(*y, exports_documents::escape_markup(x))
            }
            (serde_json::Value::Array(x), serde_json::Value::Array(y)) => {
                assert_eq!(x.len(), y.len());
                x.iter().zip(y).for_each(|(x, y)| walk(x, y));
            }
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
                x.iter().for_each(|(k, v)| walk(v, &y[k]));
            }
            (x, y) => assert_eq!(x, y),
        }
    }
    walk(&plain, &escaped);
}

#[test]
fn html_is_escaped_standalone_and_complete() {
    let doc = build(&report(ExportType::FullRecord));
    let html = render_html(&doc);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(
        !html.contains("<script>"),
        "patient text must not become HTML"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;bold?&lt;/b&gt;"));
    assert!(html.contains("CONFIDENTIAL - PROTECTED HEALTH INFORMATION"));
    assert!(html.contains("<svg"));
    // Charts: three (mood, GAD-7, PHQ-9), each described for screen readers, the instruments'
    // severity bands shaded (4 + 5 rectangles) and labelled.
    assert_eq!(html.matches("<svg").count(), 3);
    for c in charts(&doc) {
        let mut described = String::new();
        exports_document_model::escape::escape_into(
            &mut described,
            &c.describe(),
            exports_document_model::escape::html,
        );
        assert!(
            html.contains(&format!("aria-label=\"{described}\"")),
            "{described}"
        );
    }
    assert_eq!(html.matches("<rect ").count(), 9);
    assert!(html.contains(">Moderately severe</text>"));
    assert!(html.contains("<br>"), "line breaks in values");
    assert!(
        !html.contains("<link") && !html.contains(" src="),
        "no external resources"
    );
    assert_eq!(html.matches("<h2>").count(), 7);
    // The <title> is the metadata title: no patient name.
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(title.contains("Full Record — MRN"));
    assert!(!title.contains("Zo"));
}

#[test]
fn html_escapes_every_text_field() {
    let mut doc = exports_document_model::sample::clinical_document(2, 40);
    doc.meta.title = "<script>t</script>".into();
    doc.header.title = "<script>h</script>".into();
    doc.footer.text = Some("<script>f</script>".into());
    doc.blocks.push(Block::Heading {
        level: 2,
        text: "<script>x</script>".into(),
    });
    let html = render_html(&doc);
    assert!(!html.contains("<script>"));
    // Title, header, footer, heading, and the sample's own hostile paragraph.
    assert_eq!(html.matches("&lt;script&gt;").count(), 5);
}

// ---------------------------------------------------------------------------------------------
// Custom templates
// ---------------------------------------------------------------------------------------------

fn template_error(result: Result<(), DocumentError>) -> (usize, usize, String) {
    match result {
        Err(DocumentError::Template {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn a_custom_body_may_chart_without_bands_or_use_the_combined_chart() {
    // A body written before bands existed, and one passing a chart it builds itself (no
    // `bands` key) to the `chart` component.
    let body = "# {{ doc.title }}\n\
                {% if doc.assessment_chart %}{{ <chart c={doc.assessment_chart} /> }}{% endif %}\n\
                {% set c = {\"title\": \"Mine\", \"y_label\": \"s\", \"y_max\": 3, \
                \"series\": [{\"name\": \"A\", \"points\": \"2026\\\\-01\\\\-01=1; 2026\\\\-01\\\\-02=2\"}]} %}\
                {{ <chart c={c} /> }}\n";
    exports_documents::validate_template(body).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_valid_custom_body_validates_and_is_used() {
    let body = "# Letter for {{ doc.patient_name }}\n\n\
                {% if report.content.diagnoses %}{{ <diagnoses list={report.content.diagnoses} /> }}{% endif %}\n\
                Dear colleague, this concerns MRN {{ report.patient.mrn }}.\n";
    validate_template(body).unwrap();
    let r = report(ExportType::TreatmentSummary);
    let doc = build_document(
        &r,
        &DocumentLayout {
            body: Some(body.into()),
            ..DocumentLayout::default()
        },
    )
    .unwrap();
    assert_eq!(
        doc.outline()[0].1,
        format!("Letter for {}", r.patient.full_name())
    );
    assert!(matches!(doc.blocks[1], Block::Table(_)));
    assert!(all_text(&doc).contains(&format!("MRN {}.", r.patient.mrn)));
}

#[test]
fn an_unclosed_block_is_reported_where_it_opens() {
    let (line, column, message) = template_error(validate_template(
        "# Title\n{% if report.sections %}\nno end\n",
    ));
    assert_eq!((line, column), (2, 1), "{message}");
    assert!(message.contains("`{% endif %}` is missing"), "{message}");
    // The innermost open one, past closed blocks, comments and raw text.
    let body = "# T\n{% for s in report.sections %}\n  {%- if s %}{{ s }}{% endif %}\n\
                {# {% if %} #}{% raw %}{% if %}{% endraw %}\n  x {% if s == \"a\" %}\nA\n";
    let (line, column, message) = template_error(validate_template(body));
    assert_eq!((line, column), (5, 5), "{message}");
    assert!(message.contains("`{% if %}` is never closed"), "{message}");
    // An unclosed expression keeps tera's position.
    let (line, column_expr, message) = template_error(validate_template("# T\n{{ doc.title \n"));
    assert_eq!((line, column_expr), (2, 13), "{message}");
}

#[test]
fn unknown_filter_reports_line_and_column() {
    let (line, column, message) = template_error(validate_template(
        "# Title\n\nName: {{ doc.patient_name | shout }}\n",
    ));
    assert_eq!((line, column), (3, 29), "{message}");
    assert!(message.contains("Unknown filter `shout`"), "{message}");
}

#[test]
fn unknown_field_reports_line_and_column() {
    let (line, column, message) = template_error(validate_template(
        "# Title\n{{ report.patient.nickname }}\n",
    ));
    assert_eq!((line, column), (2, 19), "{message}");
    assert!(message.contains("nickname"), "{message}");
}

#[test]
fn bad_markup_from_a_template_reports_the_body_line_that_wrote_it() {
    // Line 4 writes a row with 3 cells into a 2-column table (the MRN is only known at run time).
    let body = "# Title\n\n::table A:1, B:1\n{{ report.patient.mrn }} | one | two\n::end\n";
    let (line, column, message) = template_error(validate_template(body));
    assert_eq!((line, column), (4, 1), "{message}");
    assert!(message.contains("3 cells"), "{message}");
    assert!(message.contains("sample"), "{message}");
    // Indented, after an expression: the line, and the column of the error in it.
    let (line, column, message) = template_error(validate_template(
        "# {{ doc.title }}\n\n   Notes: **unclosed\n",
    ));
    assert_eq!((line, column), (3, 11), "{message}");
    assert!(message.contains("not closed"), "{message}");
    // Two body lines could have written the bad line: no guess, the position stays in the
    // markup (the API answers line 0 and quotes the markup line).
    match validate_template("# T\n\n**open\n\n**open\n") {
        Err(DocumentError::Markup(e)) => {
            assert_eq!((e.line, e.column), (3, 1), "{e}");
            assert!(e.message.contains("`**open`"), "{e}");
        }
        other => panic!("expected a markup error, got {other:?}"),
    }
}

#[test]
fn type_specific_bodies_validate_for_their_type() {
    let body = "# {{ doc.title }}\n\nPeriod: {{ report.content.period.start_date | date }}\n";
    validate_template_for(body, ExportType::ProgressReport).unwrap();
    let (line, _, message) = template_error(validate_template(body));
    assert_eq!(line, 3, "{message}");
    // Guarded, it validates for every type.
    let guarded = "# {{ doc.title }}\n\n{% if report.export_type == \"progress_report\" %}Period: {{ report.content.period.start_date | date }}{% endif %}\n";
    validate_template(guarded).unwrap();
}

#[test]
fn built_in_templates_validate_for_their_type() {
    let root = format!(
        "{}/../../templates/",
        std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test")
    );
    for t in ExportType::ALL {
        let body = std::fs::read_to_string(format!("{root}{t}.md.tera")).unwrap();
        validate_template_for(&body, *t).unwrap_or_else(|e| panic!("{t}: {e}"));
    }
}

#[test]
fn a_broken_custom_body_fails_build_document_too() {
    let r = report(ExportType::SessionNotes);
    let e = build_document(
        &r,
        &DocumentLayout {
            body: Some("{% for x in %}".into()),
            ..DocumentLayout::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, DocumentError::Template { line: 1, .. }), "{e}");
}

#[test]
fn build_errors_never_quote_document_text() {
    let r = report(ExportType::ProgressReport);
    let name = &r.patient.first_name;
    for body in [
        "::{{ report.patient.last_name }}\n",
        "Born {{ report.patient.first_name | date }}\n",
        "Born\n{{ report.patient.first_name | int }}\n",
        "::table A:{{ report.patient.first_name }}\n::end\n",
        "::chart title=x\nA | 2026-01-01={{ report.patient.first_name }}\n::end\n",
        "::chart {{ report.patient.first_name }}=1\nA | 2026-01-01=1\n::end\n",
    ] {
        let e = build_document(
            &r,
            &DocumentLayout {
                body: Some(body.into()),
                ..DocumentLayout::default()
            },
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(!text.contains(name.as_str()), "{body:?}: {text}");
        assert!(
            !text.contains(r.patient.last_name.as_str()),
            "{body:?}: {text}"
        );
        match e {
            DocumentError::Template { line, column, .. } => {
                assert!(line >= 1 && column >= 1, "{text}")
            }
            DocumentError::Markup(m) => assert!(m.line >= 1 && m.column >= 1, "{text}"),
        }
    }
}

/// A record longer than one group of sessions, with psychotherapy notes: made a page at a time,
/// it has the same blocks as made whole, and asks for each group's texts once, in order.
#[test]
fn a_long_full_record_made_a_page_at_a_time_is_the_same_document() {
    let data = generate(&DemoParams {
        patients: 1,
        sessions_per_patient: 2 * SESSIONS_PER_GROUP + 7,
        words_per_note: 40,
        ..DemoParams::default()
    });
    let record = &data.patients[0];
    let report = samples::report_for(&data, 0, ExportType::FullRecord, None);
    let sessions = match &report.content {
        ReportContent::FullRecord(f) => f.sessions.as_ref().map_or(0, Vec::len),
        _ => 0,
    };
    assert_eq!(sessions, record.sessions.len());
    let doc = build(&report);
    let (_, blocks, asked) = paged(&report);
    assert_eq!(blocks, doc.blocks);
    let g = SESSIONS_PER_GROUP;
    assert_eq!(asked, [0..g, g..2 * g, 2 * g..sessions]);
    // The texts are in it: every note's subjective paragraph.
    let all = texts(&doc).join("\n");
    let firsts = record.sessions.iter().flat_map(|s| &s.notes).count();
    assert!(firsts > sessions / 2, "{firsts}");
    let last_note = record
        .sessions
        .iter()
        .rev()
        .flat_map(|s| &s.notes)
        .find_map(|n| n.soap.subjective.clone())
        .expect("a note with a subjective section");
    assert!(all.contains(last_note.lines().next().unwrap_or_default()));
}

/// Without its texts a session is not written: the document waits, and goes on once given them.
#[test]
fn a_paged_record_waits_for_note_texts_it_was_not_given() {
    let report = report(ExportType::FullRecord);
    let mut outline = report.clone();
    let texts: Vec<_> = samples::take_note_texts(&mut outline)
        .into_iter()
        .flatten()
        .collect();
    let paged = stream_paged_record(outline, &DocumentLayout::default()).expect("pages");
    let mut blocks = paged.document.blocks;
    let mut before = 0;
    loop {
        match blocks.next_block().expect("blocks") {
            NextBlock::Block(_) => before += 1,
            NextBlock::Later => break,
            NextBlock::End => panic!("ended without the note texts"),
        }
    }
    assert!(before > 3, "the head comes first: {before} blocks");
    let wanted = paged.note_texts.wanted().expect("asks for the first group");
    assert_eq!(wanted.start, 0);
    // Asking again gives nothing new until the texts are given.
    assert_eq!(blocks.next_block().expect("blocks"), NextBlock::Later);
    paged.note_texts.give(wanted, texts);
    let rest: Vec<Block> = std::iter::from_fn(|| match blocks.next_block().expect("blocks") {
        NextBlock::Block(b) => Some(b),
        _ => None,
    })
    .collect();
    let whole = build(&report);
    assert_eq!(before + rest.len(), whole.blocks.len());
    assert_eq!(rest[..], whole.blocks[before..]);
}

/// Only the built-in full record is made a page at a time.
#[test]
fn only_the_built_in_full_record_is_paged() {
    let layout = DocumentLayout::default();
    assert!(is_paged(ExportType::FullRecord, &layout));
    for t in [
        ExportType::SessionNotes,
        ExportType::ProgressReport,
        ExportType::TreatmentSummary,
    ] {
        assert!(!is_paged(t, &layout), "{t}");
        assert!(stream_paged_record(report(t), &layout).is_err(), "{t}");
    }
    let custom = DocumentLayout {
        body: Some("# {{ doc.title }}\n".into()),
        ..DocumentLayout::default()
    };
    assert!(!is_paged(ExportType::FullRecord, &custom));
}
