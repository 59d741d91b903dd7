//! A full record's document made as its PDF is written, so that a record of thousands of sessions
//! is never in memory at once: not its note texts, not a template context holding all of it.
//!
//! ```text
//! report (notes without text) ─ full_record.md.tera over a context without the long lists
//!   (TERA_ITEM_LINES: each session, sessions-table row and timeline event is a line `::item …`)
//!   → item lines expanded as the PDF's layout reads on: each item rendered alone from TERA,
//!     a session once its group's note texts have been given (NoteTextFeed)
//!   → MarkupBlocks → blocks
//! ```
//!
//! The markup is the same, byte for byte, as [`crate::render_markup`] makes for the same report
//! with its note texts (tested). Only the built-in full-record template is read this way: a custom
//! body may use any field anywhere, so it is rendered from the whole report.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use exports_core::export::ExportType;
use exports_core::records::{NoteTexts, Soap};
use exports_core::report::{Report, ReportContent, SessionEntry, TimelineEvent};
use tera::{Context, Value};
use uuid::Uuid;

use crate::escaped::Escaped;
use crate::markup::{MarkupBlocks, MarkupSource, Piece};
use crate::templates::{self, TERA, TERA_ITEM_LINES};
use crate::{DocumentError, DocumentLayout, DocumentStream, assemble, context};

/// Sessions whose note texts are asked for at once: about 32 pages of a full record, a few
/// hundred KB of text.
pub const SESSIONS_PER_GROUP: usize = 32;

/// Whether [`stream_paged_record`] can make this document: a full record in the built-in
/// template.
pub fn is_paged(export_type: ExportType, layout: &DocumentLayout) -> bool {
    export_type == ExportType::FullRecord && layout.body.is_none()
}

/// Note texts a paged full record asks for and is given, a group of sessions at a time
/// ([`SESSIONS_PER_GROUP`]). The caller looks at [`Self::wanted`] before each pull of the file
/// and answers with [`Self::give`]; the document asks for the next group as soon as it starts
/// on one, so the texts are usually there before they are needed.
#[derive(Clone, Default)]
pub struct NoteTextFeed(Arc<Mutex<Feed>>);

#[derive(Default)]
struct Feed {
    wanted: Option<Range<usize>>,
    given: Vec<(Range<usize>, NoteTexts)>,
}

impl NoteTextFeed {
    /// The sessions (indices into the report's sessions, in its order) whose notes' texts the
    /// document needs next, if it has not been given them.
    pub fn wanted(&self) -> Option<Range<usize>> {
        self.lock().wanted.clone()
    }

    /// The texts of the notes of `sessions`, by note id (notes not in the report are ignored).
    pub fn give(&self, sessions: Range<usize>, texts: NoteTexts) {
        let mut feed = self.lock();
        if feed.wanted.as_ref() == Some(&sessions) {
            feed.wanted = None;
        }
        feed.given.push((sessions, texts));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Feed> {
        // A panic elsewhere cannot leave the feed half-changed: every change is one assignment.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ask(&self, sessions: Range<usize>) {
        let mut feed = self.lock();
        if !feed.given.iter().any(|(r, _)| *r == sessions) {
            feed.wanted = Some(sessions);
        }
    }

    fn take(&self, sessions: &Range<usize>) -> Option<NoteTexts> {
        let mut feed = self.lock();
        let at = feed.given.iter().position(|(r, _)| r == sessions)?;
        Some(feed.given.swap_remove(at).1)
    }
}

/// A full record's document read block by block, with the note texts it asks for.
pub struct PagedDocument {
    pub document: DocumentStream,
    pub note_texts: NoteTextFeed,
}

/// The document of a full record whose notes have no text yet (the texts are given through
/// [`PagedDocument::note_texts`] as it asks): its head, and blocks made as they are read, which
/// are [`NextBlock::Later`](exports_document_model::NextBlock::Later) while a session's texts
/// have not been given. Errors when [`is_paged`] is false.
pub fn stream_paged_record(
    mut report: Report,
    layout: &DocumentLayout,
) -> Result<PagedDocument, DocumentError> {
    if !is_paged(report.export_type, layout) {
        return Err(DocumentError::Template {
            line: 0,
            column: 0,
            message: "only a full record in the built-in template is made a page at a time".into(),
        });
    }
    let doc = context::helpers(&report, layout.title.as_deref());
    let head = assemble(&report, layout, Vec::new());
    let (sessions, timeline) = match &mut report.content {
        ReportContent::FullRecord(f) => (f.sessions.take(), f.timeline.take()),
        _ => (None, None),
    };
    let value = with_indices(
        Value::from_serializable(&Escaped(&report)),
        sessions.as_ref().map(Vec::len),
        timeline.as_ref().map(Vec::len),
    )?;
    drop(report);
    let mut ctx = Context::new();
    ctx.insert_value("report", value);
    ctx.insert_value("doc", doc);
    let lines = templates::render(
        &TERA_ITEM_LINES,
        templates::template_name(ExportType::FullRecord),
        &ctx,
        true,
    )?;
    drop(ctx);
    let note_texts = NoteTextFeed::default();
    let sessions = sessions.unwrap_or_default();
    if !sessions.is_empty() {
        note_texts.ask(group(0, sessions.len()));
    }
    let source = Items {
        lines,
        at: 0,
        sessions: sessions.into_iter().map(Some).collect(),
        timeline: timeline.into_iter().flatten().map(Some).collect(),
        feed: note_texts.clone(),
        filled: None,
    };
    Ok(PagedDocument {
        document: DocumentStream {
            head,
            blocks: MarkupBlocks::from_source(Box::new(source)),
        },
        note_texts,
    })
}

/// The report's value with its long lists (the full record's `sessions` and `timeline`, when
/// present) as their indices: the template loops over them and prints an item line each.
fn with_indices(
    report: Value,
    sessions: Option<usize>,
    timeline: Option<usize>,
) -> Result<Value, DocumentError> {
    let content_key = tera::value::Key::from("content");
    let Some(mut top) = report.into_map() else {
        return Err(not_a_record());
    };
    let Some(mut content) = top.get(&content_key).cloned().and_then(Value::into_map) else {
        return Err(not_a_record());
    };
    let indices = |n: usize| Value::from((0..n).collect::<Vec<usize>>());
    if let Some(n) = sessions {
        content.insert("sessions".into(), indices(n));
    }
    if let Some(n) = timeline {
        content.insert("timeline".into(), indices(n));
    }
    top.insert(content_key, Value::from(content));
    Ok(Value::from(top))
}

fn not_a_record() -> DocumentError {
    DocumentError::Template {
        line: 0,
        column: 0,
        message: "the report has no content to page".into(),
    }
}

/// The sessions of the group that session `index` is in.
fn group(index: usize, sessions: usize) -> Range<usize> {
    let start = index / SESSIONS_PER_GROUP * SESSIONS_PER_GROUP;
    start..(start + SESSIONS_PER_GROUP).min(sessions)
}

/// The start of an item line (the markup has no `::item` directive, and patient text cannot make
/// one: it is escaped).
const ITEM: &str = "::item ";

/// What an item line names: `::item session_row 12`, `::item timeline_event 40`,
/// `::item session 12 13` (its index, then the number it prints).
#[derive(Debug, Clone, Copy)]
enum ItemLine {
    SessionRow(usize),
    TimelineEvent(usize),
    Session { index: usize, number: usize },
}

impl ItemLine {
    /// The rest of an item line after [`ITEM`].
    fn parse(line: &str) -> Result<ItemLine, DocumentError> {
        let mut words = line.trim_end().split(' ');
        let kind = words.next().unwrap_or_default();
        let mut next = || words.next().and_then(|w| w.parse::<usize>().ok());
        let item = match (kind, next()) {
            ("session_row", Some(i)) => Some(ItemLine::SessionRow(i)),
            ("timeline_event", Some(i)) => Some(ItemLine::TimelineEvent(i)),
            ("session", Some(index)) => next().map(|number| ItemLine::Session { index, number }),
            _ => None,
        };
        item.ok_or_else(|| unknown_item(line.trim_end()))
    }
}

fn unknown_item(item: &str) -> DocumentError {
    DocumentError::Template {
        line: 0,
        column: 0,
        message: format!("unknown item line `{ITEM}{item}`"),
    }
}

/// The full record's markup with its item lines expanded as it is read.
struct Items {
    lines: String,
    at: usize,
    /// Each taken once its session has been rendered (the last item to need it): a long
    /// record's sessions are let go as its PDF is written.
    sessions: Vec<Option<SessionEntry>>,
    /// Each taken once rendered.
    timeline: Vec<Option<TimelineEvent>>,
    feed: NoteTextFeed,
    /// The group of sessions whose notes hold their texts.
    filled: Option<Range<usize>>,
}

impl MarkupSource for Items {
    fn next_piece(&mut self, at_least: usize) -> Result<Piece, DocumentError> {
        if self.at >= self.lines.len() {
            return Ok(Piece::End);
        }
        let mut out: Vec<u8> = Vec::with_capacity(at_least.min(1 << 20) + 4096);
        while out.len() < at_least && self.at < self.lines.len() {
            let rest = &self.lines[self.at..];
            let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let line = &rest[..end];
            match line.strip_prefix(ITEM) {
                None => out.extend_from_slice(line.as_bytes()),
                Some(item) => {
                    if !self.expand(ItemLine::parse(item)?, &mut out)? {
                        break;
                    }
                    out.push(b'\n');
                }
            }
            self.at += end;
        }
        if out.is_empty() {
            return Ok(if self.at >= self.lines.len() {
                Piece::End
            } else {
                Piece::Later
            });
        }
        String::from_utf8(out)
            .map(Piece::Text)
            .map_err(|_| DocumentError::Template {
                line: 0,
                column: 0,
                message: "a template rendered text that is not UTF-8".into(),
            })
    }
}

impl Items {
    /// Renders one item line's item into `out`; false when it is a session whose note texts
    /// have not been given yet.
    fn expand(&mut self, item: ItemLine, out: &mut Vec<u8>) -> Result<bool, DocumentError> {
        let unknown = || unknown_item(&format!("{item:?}"));
        let mut ctx = Context::new();
        let name = match item {
            ItemLine::SessionRow(i) => {
                let s = self.sessions.get(i).and_then(Option::as_ref);
                ctx.insert_value(
                    "s",
                    Value::from_serializable(&Escaped(s.ok_or_else(unknown)?)),
                );
                "session_row"
            }
            ItemLine::TimelineEvent(i) => {
                let e = self.timeline.get_mut(i).and_then(Option::take);
                let e = e.ok_or_else(unknown)?;
                if i + 1 == self.timeline.len() {
                    self.timeline = Vec::new();
                }
                ctx.insert_value("e", Value::from_serializable(&Escaped(&e)));
                "timeline_event"
            }
            ItemLine::Session { index: i, number } => {
                if i >= self.sessions.len() {
                    return Err(unknown());
                }
                if !self.fill(i) {
                    return Ok(false);
                }
                let s = self.sessions[i].take().ok_or_else(unknown)?;
                if i + 1 == self.sessions.len() {
                    // The last session: the list is done with (the rest of the record's items
                    // are timeline events).
                    self.sessions = Vec::new();
                }
                ctx.insert_value("s", Value::from_serializable(&Escaped(&s)));
                ctx.insert_value("n", Value::from(number));
                "session"
            }
        };
        TERA.render_component_to(name, &ctx, None, false, &mut *out)
            .map_err(|e| templates::rendering_error(&e, true))?;
        Ok(true)
    }

    /// Puts the note texts of session `index`'s group into its notes, if they have been given;
    /// asks for the next group as soon as this one is there.
    fn fill(&mut self, index: usize) -> bool {
        let wanted = group(index, self.sessions.len());
        if self.filled.as_ref() == Some(&wanted) {
            return true;
        }
        let Some(texts) = self.feed.take(&wanted) else {
            self.feed.ask(wanted);
            return false;
        };
        let mut by_id: std::collections::HashMap<Uuid, Soap> = texts.into_iter().collect();
        for s in self.sessions[wanted.clone()].iter_mut().flatten() {
            for note in &mut s.notes {
                if let Some(soap) = by_id.remove(&note.note_id) {
                    note.soap = soap;
                }
            }
        }
        if wanted.end < self.sessions.len() {
            self.feed.ask(group(wanted.end, self.sessions.len()));
        }
        self.filled = Some(wanted);
        true
    }
}
