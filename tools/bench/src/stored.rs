//! A work item's records kept outside the process, as DynamoDB keeps them for the renderer: the
//! record without its note texts (what `RecordSource::patient_record_outline` reads) in one file,
//! and each session's note texts (what `RecordSource::session_notes` reads) a line each, in the
//! sessions' order. A child process measuring a full record's PDF reads these, so that its peak
//! memory is the renderer's, not that of a generator holding the whole record.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Lines, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use exports_core::records::{NoteTexts, PracticeData, SessionKey};

/// The stored records of one practice's first patient; removed when dropped.
pub struct StoredRecords {
    dir: PathBuf,
}

const OUTLINE: &str = "outline.json";
const NOTES: &str = "notes.jsonl";

impl StoredRecords {
    /// Writes `data` (its first patient's note texts apart) under a new temporary directory.
    pub fn write(data: &PracticeData, name: &str) -> StoredRecords {
        let dir = std::env::temp_dir().join(format!("exports-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("bench records directory");
        let mut outline = data.clone();
        let mut notes = BufWriter::new(File::create(dir.join(NOTES)).expect("notes file"));
        if let Some(record) = outline.patients.first_mut() {
            record.sessions.sort_by_key(|s| SessionKey::of(&s.session));
            for s in &mut record.sessions {
                let texts: NoteTexts = s
                    .notes
                    .iter_mut()
                    .map(|n| (n.id, std::mem::take(&mut n.soap)))
                    .collect();
                serde_json::to_writer(&mut notes, &texts).expect("notes line");
                notes.write_all(b"\n").expect("notes line");
            }
        }
        notes.flush().expect("notes file");
        let file = File::create(dir.join(OUTLINE)).expect("outline file");
        serde_json::to_writer(BufWriter::new(file), &outline).expect("outline");
        StoredRecords { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for StoredRecords {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The records without note texts, read from `dir`.
pub fn outline(dir: &Path) -> PracticeData {
    let file = File::open(dir.join(OUTLINE)).expect("outline file");
    serde_json::from_reader(BufReader::new(file)).expect("outline")
}

/// Note texts read from `dir` a group of sessions at a time, front to back (as the renderer asks
/// for them).
pub struct NoteFile {
    lines: Lines<BufReader<File>>,
    next: usize,
}

impl NoteFile {
    pub fn open(dir: &Path) -> NoteFile {
        let file = File::open(dir.join(NOTES)).expect("notes file");
        NoteFile {
            lines: BufReader::new(file).lines(),
            next: 0,
        }
    }

    /// The texts of the notes of `sessions` (indices in the sessions' order).
    pub fn read(&mut self, sessions: Range<usize>) -> NoteTexts {
        assert!(
            sessions.start >= self.next,
            "texts are asked for front to back"
        );
        let mut out = Vec::new();
        while self.next < sessions.end {
            let line = self
                .lines
                .next()
                .expect("a line per session")
                .expect("notes file");
            if self.next >= sessions.start {
                let texts: NoteTexts = serde_json::from_str(&line).expect("notes line");
                out.extend(texts);
            }
            self.next += 1;
        }
        out
    }
}
