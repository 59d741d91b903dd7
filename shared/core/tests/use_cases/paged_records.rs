//! A full record's PDF made from the record without its note texts, the texts read a few
//! sessions at a time as the file asks for them (`FileRenderer::render_paged`).

use std::ops::Range;
use std::sync::{Arc, Mutex};

use exports_core::export::{ExportFormat, ExportType, JobStatus};
use exports_core::ports::{FileRenderer, RenderingFile};
use exports_core::records::{NoteTexts, NoteType, Soap};
use exports_core::report::{Report, ReportContent};
use exports_core::template::DocumentLayout;
use serde_json::json;
use uuid::Uuid;

use super::*;

/// What the paged renderer saw.
#[derive(Default)]
struct Seen {
    /// Notes of the report handed over that had any text.
    texts_in_report: usize,
    /// Every note id given a text.
    given: Vec<Uuid>,
}

/// Renders a full record's "PDF" as lines `session <index>` and `note <id>: <subjective>`, asking for the texts of
/// `group` sessions at a time; `ask_beyond` asks for sessions the report does not have.
struct PagedLines {
    group: usize,
    ask_beyond: bool,
    seen: Arc<Mutex<Seen>>,
}

struct PagedFile {
    /// Each session's exported note ids, in the report's order.
    sessions: Vec<Vec<Uuid>>,
    next: usize,
    group: usize,
    ask_beyond: bool,
    texts: Option<(Range<usize>, NoteTexts)>,
    seen: Arc<Mutex<Seen>>,
}

impl FileRenderer for PagedLines {
    fn formats(&self) -> Vec<ExportFormat> {
        ExportFormat::ALL.to_vec()
    }
    fn render(&self, _: &Report, _: ExportFormat, _: &DocumentLayout) -> Result<Vec<u8>, String> {
        Err("only paged files here".into())
    }
    fn renders_paged(&self, t: ExportType, f: ExportFormat, layout: &DocumentLayout) -> bool {
        t == ExportType::FullRecord && f == ExportFormat::Pdf && layout.body.is_none()
    }
    fn render_paged(
        &self,
        report: Report,
        _: &DocumentLayout,
    ) -> Result<Box<dyn RenderingFile>, String> {
        let ReportContent::FullRecord(full) = report.content else {
            return Err("not a full record".into());
        };
        let sessions = full.sessions.unwrap_or_default();
        self.seen.lock().expect("seen").texts_in_report = sessions
            .iter()
            .flat_map(|s| &s.notes)
            .filter(|n| n.soap != Soap::default())
            .count();
        Ok(Box::new(PagedFile {
            sessions: sessions
                .iter()
                .map(|s| s.notes.iter().map(|n| n.note_id).collect())
                .collect(),
            next: 0,
            group: self.group,
            ask_beyond: self.ask_beyond,
            texts: None,
            seen: self.seen.clone(),
        }))
    }
    fn audit_csv(&self, _: &[AuditEvent]) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
}

impl PagedFile {
    fn group_of(&self, i: usize) -> Range<usize> {
        let start = i / self.group * self.group;
        let end = (start + self.group).min(self.sessions.len());
        if self.ask_beyond {
            start..end + 1
        } else {
            start..end
        }
    }
}

impl RenderingFile for PagedFile {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, String> {
        if self.next >= self.sessions.len() {
            return Ok(None);
        }
        let wanted = self.group_of(self.next);
        let Some((_, texts)) = self.texts.as_ref().filter(|(r, _)| *r == wanted) else {
            return Ok(Some(Vec::new()));
        };
        // Never empty: an empty piece means the file waits for the texts it asks for.
        let mut out = format!("session {}\n", self.next);
        for id in &self.sessions[self.next] {
            let soap = texts
                .iter()
                .find(|(n, _)| n == id)
                .map(|(_, s)| s.clone())
                .ok_or("a note's text was not given")?;
            out.push_str(&format!(
                "note {id}: {}\n",
                soap.subjective.unwrap_or_default()
            ));
        }
        self.next += 1;
        Ok(Some(out.into_bytes()))
    }
    fn pages(&self) -> Option<u32> {
        Some(self.sessions.len() as u32)
    }
    fn unsupported_characters(&self) -> u64 {
        0
    }
    fn wanted_note_texts(&self) -> Option<Range<usize>> {
        let wanted = self.group_of(self.next);
        (self.next < self.sessions.len() && self.texts.as_ref().is_none_or(|(r, _)| *r != wanted))
            .then_some(wanted)
    }
    fn give_note_texts(&mut self, sessions: Range<usize>, texts: NoteTexts) {
        self.seen
            .lock()
            .expect("seen")
            .given
            .extend(texts.iter().map(|(id, _)| *id));
        self.texts = Some((sessions, texts));
    }
}

fn paged_world(group: usize, ask_beyond: bool) -> (World, Arc<Mutex<Seen>>) {
    let mut w = world_with(Settings {
        available_formats: ExportFormat::ALL.to_vec(),
        ..Settings::default()
    });
    let seen = Arc::new(Mutex::new(Seen::default()));
    w.svc.ports.files = Arc::new(PagedLines {
        group,
        ask_beyond,
        seen: seen.clone(),
    });
    (w, seen)
}

fn full_record_pdf(w: &World, i: usize, psychotherapy: bool) -> (Caller, JobView) {
    let who = w.therapist_of(i);
    let body = json!({
        "patient_id": w.patient(i).id, "format": "pdf",
        "include_psychotherapy_notes": psychotherapy
    });
    let accepted = w
        .request(&who, ExportType::FullRecord, &body, None)
        .expect("accepted");
    (who, accepted.job)
}

#[test]
fn a_full_record_pdf_reads_its_note_texts_a_few_sessions_at_a_time() {
    let (w, seen) = paged_world(3, false);
    let i = 0;
    let (who, job) = full_record_pdf(&w, i, true);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let done = w.get(&who, job.job_id).expect("own job");
    assert_eq!(done.status, JobStatus::Completed);
    let file = w.stored(job.job_id).file.expect("file");
    let text = String::from_utf8(w.h.objects.get(&file.key).expect("stored").bytes).expect("text");

    // The renderer got the report without texts, and every exported note's text on the way, in
    // the record's order.
    let requester: Uuid = who.user_id.parse().expect("uuid");
    let record = &w.data.patients[i];
    let mut sessions: Vec<_> = record.sessions.iter().collect();
    sessions.sort_by_key(|s| (s.session.start_time, s.session.id));
    let mut expected = String::new();
    for (index, s) in sessions.iter().enumerate() {
        expected.push_str(&format!("session {index}\n"));
        let mut notes: Vec<_> = s
            .notes
            .iter()
            .filter(|n| n.note_type == NoteType::ProgressNote || n.author_id == requester)
            .collect();
        notes.sort_by_key(|n| (n.created_at, n.id));
        for n in notes {
            expected.push_str(&format!(
                "note {}: {}\n",
                n.id,
                n.soap.subjective.clone().unwrap_or_default()
            ));
        }
    }
    assert!(expected.len() > 200, "the record has notes with text");
    assert_eq!(text, expected);
    let seen = seen.lock().expect("seen");
    assert_eq!(seen.texts_in_report, 0, "the report had no note text");
    assert_eq!(file.size_bytes, text.len() as u64);
}

#[test]
fn psychotherapy_notes_are_not_read_for_a_file_that_does_not_export_them() {
    let (w, seen) = paged_world(2, false);
    let psychotherapy: Vec<Uuid> = w
        .data
        .patients
        .iter()
        .flat_map(|p| &p.sessions)
        .flat_map(|s| &s.notes)
        .filter(|n| n.note_type == NoteType::PsychotherapyNote)
        .map(|n| n.id)
        .collect();
    assert!(!psychotherapy.is_empty(), "the demo data has some");
    for i in 0..w.data.patients.len() {
        let (who, job) = full_record_pdf(&w, i, false);
        assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
        assert_eq!(
            w.get(&who, job.job_id).expect("job").status,
            JobStatus::Completed
        );
    }
    let seen = seen.lock().expect("seen");
    assert!(!seen.given.is_empty());
    assert!(
        seen.given.iter().all(|id| !psychotherapy.contains(id)),
        "a psychotherapy note's text reached the renderer"
    );
}

#[test]
fn a_renderer_asking_for_sessions_the_report_lacks_fails_the_job() {
    let (w, _) = paged_world(3, true);
    let (who, job) = full_record_pdf(&w, 0, false);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Done]);
    let failed = w.get(&who, job.job_id).expect("job");
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(failed.error.expect("error").code, "render_failed");
    assert!(w.h.objects.keys().is_empty(), "no object");
}

#[test]
fn records_failing_while_texts_are_read_retry_the_render() {
    let (w, _) = paged_world(3, false);
    let (who, job) = full_record_pdf(&w, 0, false);
    // The outline is read, then reading the texts fails (a throttled table): the message is
    // delivered again, and nothing is stored.
    w.h.records.fail_note_texts(true);
    assert_eq!(w.render_queued(), vec![RenderOutcome::Retry]);
    assert!(w.h.objects.keys().is_empty(), "no object");
    w.h.records.fail_note_texts(false);
    // Delivered again once the queue's visibility timeout (longer than the lease) has passed.
    w.h.clock.advance(Duration::minutes(10));
    assert_eq!(
        block_on(w.svc.render_job(job.job_id, 2)).expect("render"),
        RenderOutcome::Done
    );
    assert_eq!(
        w.get(&who, job.job_id).expect("job").status,
        JobStatus::Completed
    );
}
