//! The document markup: a small line-based language that templates produce and [`parse_markup`]
//! turns into [`Block`]s. The full description is `docs/markup.md`; in short:
//!
//! - `#`, `##`, `###` + space: headings; `- `: bullet items; other lines: paragraphs (consecutive
//!   lines joined by one space, a blank line ends the paragraph);
//! - inline `**bold**` and `*italic*`;
//! - directives `::kv`, `::table`, `::notice`, `::chart` (each closed by `::end`; a chart may
//!   hold `::band` lines) and `::pagebreak`;
//! - `\` + ASCII punctuation is that character, `\ ` is a space that is never trimmed, `\n` is a
//!   line break (a `'\n'` inside [`Run::text`]).
//!
//! [`escape_markup`] makes any string inert: the parser gives back exactly its text.

use chrono::NaiveDate;
use exports_document_model::{
    Align, Band, Block, Column, LineChart, NextBlock, NoticeKind, Run, Series, Table, Text,
};

/// Where and why markup could not be parsed. `line` and `column` are 1-based; the column counts
/// characters (not bytes) of the line as written, indentation included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct MarkupError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// ASCII characters [`escape_markup`] escapes: those the markup gives a meaning to, or reserves.
/// The parser accepts a backslash before *any* ASCII punctuation, so escaping more is harmless.
const RESERVED: &[u8] = b"\\*`#-+:|,;=<>^~[]{}!";

/// Per byte: 1 = reserved punctuation, 2 = a byte that may start a control character (ASCII
/// controls, DEL, and 0xC2, the lead byte of U+0080–U+009F).
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < RESERVED.len() {
        table[RESERVED[i] as usize] = 1;
        i += 1;
    }
    let mut b = 0;
    while b < 0x20 {
        table[b] = 2;
        b += 1;
    }
    table[0x7f] = 2;
    table[0xc2] = 2;
    table
};

/// Whether [`escape_markup`] would change `text`.
fn needs_escaping(text: &str) -> bool {
    text.bytes().any(|b| CLASS[b as usize] != 0) || text.starts_with(' ') || text.ends_with(' ')
}

/// Makes `text` inert markup: parsed, it gives back exactly `text` as one paragraph (or nothing
/// when `text` is empty), never a heading, list, directive, style or table cell boundary.
///
/// - every reserved character (``\ * ` # - + : | , ; = < > ^ ~ [ ] { } !``) gets a backslash;
/// - a newline becomes `\n` (a line break), so the result is always a single line;
/// - a tab becomes a space; every other control character (`\r`, `\0`, …) is dropped;
/// - leading and trailing spaces become `\ ` so that line trimming cannot remove them.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 2);
    escape_markup_into(text, &mut out);
    out
}

/// [`escape_markup`] without allocating when nothing needs escaping.
pub(crate) fn escape_markup_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if needs_escaping(text) {
        std::borrow::Cow::Owned(escape_markup(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// [`escape_markup`] appending to `out`.
pub(crate) fn escape_markup_into(text: &str, out: &mut String) {
    if !needs_escaping(text) {
        out.push_str(text);
        return;
    }
    let start = out.len();
    out.reserve(text.len() + 16);
    let bytes = text.as_bytes();
    // Copy clean stretches in bulk; only special bytes are looked at one by one. Every special
    // byte is ASCII or 0xC2, so slicing at them stays on char boundaries.
    let mut clean = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match CLASS[b as usize] {
            0 => {
                i += 1;
                continue;
            }
            1 => {
                out.push_str(&text[clean..i]);
                out.push('\\');
                out.push(b as char);
                i += 1;
            }
            _ if b == 0xc2 => {
                // U+0080–U+009F (C1 controls) are 0xC2 0x80..=0x9F: drop them; other 0xC2
                // sequences (U+00A0–U+00BF) are ordinary text.
                if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) {
                    out.push_str(&text[clean..i]);
                    i += 2;
                } else {
                    i += 2;
                    continue;
                }
            }
            _ => {
                out.push_str(&text[clean..i]);
                match b {
                    b'\n' => out.push_str("\\n"),
                    b'\t' => out.push(' '),
                    _ => {} // other ASCII controls and DEL are dropped
                }
                i += 1;
            }
        }
        clean = i;
    }
    out.push_str(&text[clean..]);
    // Protect leading and trailing spaces (tabs became spaces above).
    let body = &out[start..];
    let lead = body.len() - body.trim_start_matches(' ').len();
    let trail = if lead == body.len() {
        0
    } else {
        body.len() - body.trim_end_matches(' ').len()
    };
    if lead > 0 || trail > 0 {
        let inner = body[lead..body.len() - trail].to_string();
        out.truncate(start);
        for _ in 0..lead {
            out.push_str("\\ ");
        }
        out.push_str(&inner);
        for _ in 0..trail {
            out.push_str("\\ ");
        }
    }
}

/// The reverse of [`escape_markup`] for text without styles: `\x` → `x`, `\n` → newline.
pub(crate) fn unescape_plain(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Parses markup into blocks. Errors name the first problem's line and column.
pub fn parse_markup(markup: &str) -> Result<Vec<Block>, MarkupError> {
    let mut parser = Parser::new();
    for (idx, raw) in markup.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        parser.line(Line::new(raw, idx + 1))?;
    }
    parser.finish()
}

/// More markup for [`MarkupBlocks`], made as it is read (a long record's items rendered a few
/// at a time: `crate::paged`). Each piece is whole lines, each ending in `'\n'`.
pub(crate) trait MarkupSource: Send {
    /// About `at_least` bytes more (fewer at the end, more when one item is longer), or
    /// [`Piece::Later`] when what comes next needs input the caller has not supplied yet.
    fn next_piece(&mut self, at_least: usize) -> Result<Piece, crate::DocumentError>;
}

/// What a [`MarkupSource`] gives.
pub(crate) enum Piece {
    Text(String),
    Later,
    End,
}

/// Blocks parsed from markup as they are asked for: a long record's document is never held
/// whole, only the markup and the blocks of the step being read (a paragraph, a table, a
/// heading). Gives the same blocks as [`parse_markup`], and the first error, then nothing.
///
/// The markup is either given whole ([`MarkupBlocks::new`]) or read from a source as the blocks
/// are (a long record's PDF); then a block may have to wait for input ([`NextBlock::Later`]).
pub struct MarkupBlocks {
    markup: String,
    /// Byte offset of the first line not read yet, and its 1-based number.
    at: usize,
    line: usize,
    ready: std::collections::VecDeque<Block>,
    /// Where more markup comes from; `None` once it has all been read (or it was given whole).
    source: Option<Box<dyn MarkupSource>>,
    done: bool,
}

impl MarkupBlocks {
    pub fn new(markup: String) -> MarkupBlocks {
        MarkupBlocks {
            markup,
            at: 0,
            line: 1,
            ready: std::collections::VecDeque::new(),
            source: None,
            done: false,
        }
    }

    pub(crate) fn from_source(source: Box<dyn MarkupSource>) -> MarkupBlocks {
        MarkupBlocks {
            source: Some(source),
            ..MarkupBlocks::new(String::new())
        }
    }

    /// The next block, [`NextBlock::Later`] when the source waits for input, or the end. After an
    /// error, the end.
    pub fn next_block(&mut self) -> Result<NextBlock, crate::DocumentError> {
        loop {
            if let Some(block) = self.ready.pop_front() {
                return Ok(NextBlock::Block(block));
            }
            if self.done {
                return Ok(NextBlock::End);
            }
            match self.read_more() {
                Ok(true) => {}
                Ok(false) => return Ok(NextBlock::Later),
                Err(e) => {
                    self.done = true;
                    self.source = None;
                    return Err(e);
                }
            }
        }
    }

    /// Gives back the memory of the markup already read once it is most of the buffer: a long
    /// record's markup shrinks as its PDF is written instead of being held to the end. Each
    /// byte is moved at most a few times (the buffer at least halves each time).
    fn release_read(&mut self) {
        const AT_LEAST: usize = 128 << 10;
        if self.at >= AT_LEAST && self.at * 2 >= self.markup.len() {
            self.markup.drain(..self.at);
            self.markup.shrink_to_fit();
            self.at = 0;
        }
    }

    /// Reads lines until the parser is between blocks with at least one finished (or the input
    /// ends); false when the source must wait for input first. The parser borrows the lines it
    /// holds, so it lives for one attempt only: it is left only where it holds nothing. An attempt
    /// that ends inside a block reads more markup (at least twice what it had, so a long block is
    /// parsed again only a few times) and starts over.
    fn read_more(&mut self) -> Result<bool, crate::DocumentError> {
        loop {
            let ended = self.source.is_none();
            let mut parser = Parser::new();
            let rest = &self.markup[self.at..];
            // Until the source has ended, only whole lines: the last may still be growing.
            let whole = if ended {
                rest.len()
            } else {
                rest.rfind('\n').map_or(0, |i| i + 1)
            };
            let mut read = 0;
            let mut line = self.line;
            // `split('\n')` as `parse_markup` reads: the piece after a final newline is a line
            // too (only once the input has ended).
            for raw in rest[..whole].split('\n') {
                if !ended && read >= whole {
                    // The empty piece after the last whole line's newline.
                    break;
                }
                read += raw.len() + 1;
                let raw = raw.strip_suffix('\r').unwrap_or(raw);
                parser.line(Line::new(raw, line))?;
                line += 1;
                if parser.is_between_blocks()
                    && !parser.blocks.is_empty()
                    && (read < rest.len() || !ended)
                {
                    self.at += read;
                    self.line = line;
                    self.ready.extend(parser.blocks.drain(..));
                    self.release_read();
                    return Ok(true);
                }
            }
            if ended {
                self.ready.extend(parser.finish()?);
                self.at = self.markup.len();
                self.line = line;
                self.done = true;
                return Ok(true);
            }
            drop(parser);
            let unread = self.markup.len() - self.at;
            if !self.pull((2 * unread).max(64 << 10))? {
                return Ok(false);
            }
        }
    }

    /// Appends about `want` bytes from the source; false when it gave nothing and waits for
    /// input. The source is dropped at its end.
    fn pull(&mut self, want: usize) -> Result<bool, crate::DocumentError> {
        let mut got = 0;
        while got < want {
            let Some(source) = self.source.as_mut() else {
                return Ok(true);
            };
            match source.next_piece(want - got)? {
                Piece::Text(text) => {
                    got += text.len();
                    self.markup.push_str(&text);
                }
                Piece::Later => return Ok(got > 0),
                Piece::End => {
                    self.source = None;
                    return Ok(true);
                }
            }
        }
        Ok(true)
    }
}

impl Iterator for MarkupBlocks {
    type Item = Result<Block, MarkupError>;

    /// For markup given whole; a block that has to wait for input is an error here (read such
    /// markup with [`MarkupBlocks::next_block`]).
    fn next(&mut self) -> Option<Self::Item> {
        let unpositioned = |message: String| MarkupError {
            line: 0,
            column: 0,
            message,
        };
        match self.next_block() {
            Ok(NextBlock::Block(block)) => Some(Ok(block)),
            Ok(NextBlock::End) => None,
            Ok(NextBlock::Later) => {
                self.done = true;
                Some(Err(unpositioned(
                    "the markup waits for input; read it with next_block".into(),
                )))
            }
            Err(crate::DocumentError::Markup(e)) => Some(Err(e)),
            Err(e) => Some(Err(unpositioned(e.to_string()))),
        }
    }
}

/// One line of input with its trimmed content and where that content starts.
#[derive(Clone, Copy)]
struct Line<'a> {
    raw: &'a str,
    number: usize,
    /// Byte offset of `content` in `raw`.
    offset: usize,
    content: &'a str,
}

impl<'a> Line<'a> {
    fn new(raw: &'a str, number: usize) -> Self {
        let start = raw.len() - raw.trim_start_matches([' ', '\t']).len();
        let end = escape_aware_trim_end(raw, start);
        Line {
            raw,
            number,
            offset: start,
            content: &raw[start..end],
        }
    }

    /// A sub-slice of this line (it must point into `raw`).
    fn sub(&self, part: &'a str) -> Span<'a> {
        let offset = part.as_ptr() as usize - self.raw.as_ptr() as usize;
        Span {
            text: part,
            line: *self,
            offset,
        }
    }

    fn span(&self) -> Span<'a> {
        Span {
            text: self.content,
            line: *self,
            offset: self.offset,
        }
    }

    /// 1-based character column of a byte offset.
    fn column(&self, byte: usize) -> usize {
        let byte = byte.min(self.raw.len());
        self.raw[..floor_char_boundary(self.raw, byte)]
            .chars()
            .count()
            + 1
    }

    fn error_at(&self, byte: usize, message: impl Into<String>) -> MarkupError {
        MarkupError {
            line: self.number,
            column: self.column(byte),
            message: message.into(),
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// End of `raw` without trailing spaces and tabs, keeping an escaped space (`\ `).
fn escape_aware_trim_end(raw: &str, start: usize) -> usize {
    let bytes = raw.as_bytes();
    let mut end = raw.len();
    while end > start && matches!(bytes[end - 1], b' ' | b'\t') {
        // Is the whitespace at end-1 escaped? Count the backslashes before it.
        let mut k = end - 1;
        let mut backslashes = 0;
        while k > start && bytes[k - 1] == b'\\' {
            backslashes += 1;
            k -= 1;
        }
        if backslashes % 2 == 1 {
            break;
        }
        end -= 1;
    }
    end
}

/// A piece of a line, remembering where it is for error columns.
#[derive(Clone, Copy)]
struct Span<'a> {
    text: &'a str,
    line: Line<'a>,
    offset: usize,
}

impl<'a> Span<'a> {
    fn error(&self, at: usize, message: impl Into<String>) -> MarkupError {
        self.line.error_at(self.offset + at, message)
    }

    /// Trimmed like a line (escape-aware at the end).
    fn trim(&self) -> Span<'a> {
        let start = self.text.len() - self.text.trim_start_matches([' ', '\t']).len();
        let end = escape_aware_trim_end(self.text, start);
        Span {
            text: &self.text[start..end],
            line: self.line,
            offset: self.offset + start,
        }
    }

    /// Splits on every unescaped `sep`.
    fn split(&self, sep: u8) -> Vec<Span<'a>> {
        let bytes = self.text.as_bytes();
        let mut parts = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b if b == sep => {
                    parts.push(self.slice(start, i));
                    start = i + 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        parts.push(self.slice(start, bytes.len()));
        parts
    }

    /// The byte position of the last unescaped `sep`.
    fn rfind_unescaped(&self, sep: u8) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut found = None;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b if b == sep => {
                    found = Some(i);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        found
    }

    fn slice(&self, from: usize, to: usize) -> Span<'a> {
        let to = to.min(self.text.len());
        Span {
            text: &self.text[from..to],
            line: self.line,
            offset: self.offset + from,
        }
    }
}

/// Inline style state carried across the lines of one paragraph or notice.
#[derive(Default)]
struct Inline<'a> {
    runs: Text,
    buf: String,
    bold: bool,
    italic: bool,
    /// Where the currently open `**` / `*` started: (line, column) for errors.
    /// Where the open `**` / `*` is: its line and byte offset (columns are counted only for an
    /// error, so many marks on a long line stay linear).
    bold_open: Option<(Line<'a>, usize)>,
    italic_open: Option<(Line<'a>, usize)>,
}

impl<'a> Inline<'a> {
    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        if let Some(last) = self.runs.last_mut()
            && last.bold == self.bold
            && last.italic == self.italic
        {
            last.text.push_str(&self.buf);
            self.buf.clear();
            return;
        }
        // Most texts are one run (a table cell): room for exactly one, not the four a first
        // push makes room for (a long record's tables hold tens of thousands of cells).
        if self.runs.capacity() == 0 {
            self.runs.reserve_exact(1);
        }
        self.runs.push(Run {
            text: std::mem::take(&mut self.buf),
            bold: self.bold,
            italic: self.italic,
        });
    }

    /// Parses one span of inline text, appending to the runs.
    fn push(&mut self, span: Span<'a>) -> Result<(), MarkupError> {
        let text = span.text;
        let bytes = text.as_bytes();
        self.buf.reserve(text.len());
        let mut i = 0;
        let mut plain_start = 0;
        while i < bytes.len() {
            // Skip ordinary text quickly.
            match bytes[i..]
                .iter()
                .position(|&b| b == b'\\' || b == b'*' || CLASS[b as usize] == 2)
            {
                Some(p) => i += p,
                None => break,
            }
            match bytes[i] {
                b'\\' => {
                    self.buf.push_str(&text[plain_start..i]);
                    let Some(next) = text[i + 1..].chars().next() else {
                        return Err(span.error(
                            i,
                            "a backslash at the end of a line escapes nothing (write `\\\\` for a backslash)",
                        ));
                    };
                    match next {
                        'n' => self.buf.push('\n'),
                        c if c == ' ' || c.is_ascii_punctuation() => self.buf.push(c),
                        _ => {
                            return Err(span.error(
                                i,
                                "unknown escape: a backslash escapes ASCII punctuation or a space, and `\\n` is a line break",
                            ));
                        }
                    }
                    i += 1 + next.len_utf8();
                    plain_start = i;
                }
                b'*' => {
                    self.buf.push_str(&text[plain_start..i]);
                    self.flush();
                    let at = (span.line, span.offset + i);
                    if bytes.get(i + 1) == Some(&b'*') {
                        self.bold = !self.bold;
                        self.bold_open = self.bold.then_some(at);
                        i += 2;
                    } else {
                        self.italic = !self.italic;
                        self.italic_open = self.italic.then_some(at);
                        i += 1;
                    }
                    plain_start = i;
                }
                0xc2 if !matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => i += 2,
                b => {
                    // Control characters never reach the document: a tab is a space, the rest
                    // (NUL, C1 controls, …) are dropped.
                    self.buf.push_str(&text[plain_start..i]);
                    if b == b'\t' {
                        self.buf.push(' ');
                    }
                    i += if b == 0xc2 { 2 } else { 1 };
                    plain_start = i;
                }
            }
        }
        self.buf.push_str(&text[plain_start..]);
        Ok(())
    }

    /// A space between two joined lines.
    fn push_space(&mut self) {
        self.buf.push(' ');
    }

    fn finish(mut self) -> Result<Text, MarkupError> {
        if let Some((line, at)) = self.bold_open {
            return Err(line.error_at(at, "`**` (bold) is not closed"));
        }
        if let Some((line, at)) = self.italic_open {
            return Err(line.error_at(at, "`*` (italic) is not closed"));
        }
        self.flush();
        Ok(self.runs)
    }
}

/// Styled text of one span (a cell, a list item, a value).
fn inline(span: Span) -> Result<Text, MarkupError> {
    let mut state = Inline::default();
    state.push(span)?;
    state.finish()
}

/// Plain text of one span (headings, labels, titles): styles dropped, line breaks → spaces.
fn plain(span: Span) -> Result<String, MarkupError> {
    let text = inline(span)?;
    let mut out = String::with_capacity(span.text.len());
    for run in &text {
        out.push_str(&run.text);
    }
    if out.contains('\n') {
        out = out.replace('\n', " ");
    }
    Ok(out)
}

struct Para<'a> {
    inline: Inline<'a>,
}

struct List {
    items: Vec<Text>,
}

enum Open<'a> {
    Kv {
        at: usize,
        rows: Vec<(String, Text)>,
    },
    Table {
        at: usize,
        table: Table,
    },
    Notice {
        at: usize,
        kind: NoticeKind,
        text: Option<Inline<'a>>,
    },
    Chart {
        at: usize,
        chart: LineChart,
        y_max_given: bool,
    },
}

impl Open<'_> {
    fn name(&self) -> &'static str {
        match self {
            Open::Kv { .. } => "::kv",
            Open::Table { .. } => "::table",
            Open::Notice { .. } => "::notice",
            Open::Chart { .. } => "::chart",
        }
    }
    fn at(&self) -> usize {
        match self {
            Open::Kv { at, .. }
            | Open::Table { at, .. }
            | Open::Notice { at, .. }
            | Open::Chart { at, .. } => *at,
        }
    }
}

struct Parser<'a> {
    blocks: Vec<Block>,
    para: Option<Para<'a>>,
    list: Option<List>,
    open: Option<Open<'a>>,
}

impl<'a> Parser<'a> {
    fn new() -> Parser<'a> {
        Parser {
            blocks: Vec::new(),
            para: None,
            list: None,
            open: None,
        }
    }

    /// Nothing open: no paragraph, list or directive is being gathered.
    fn is_between_blocks(&self) -> bool {
        self.para.is_none() && self.list.is_none() && self.open.is_none()
    }

    fn close_para(&mut self) -> Result<(), MarkupError> {
        if let Some(p) = self.para.take() {
            let text = p.inline.finish()?;
            if !text.is_empty() {
                self.blocks.push(Block::Paragraph { text });
            }
        }
        Ok(())
    }

    fn close_list(&mut self) {
        if let Some(l) = self.list.take() {
            self.blocks.push(Block::BulletList { items: l.items });
        }
    }

    fn close_flow(&mut self) -> Result<(), MarkupError> {
        self.close_para()?;
        self.close_list();
        Ok(())
    }

    fn line(&mut self, line: Line<'a>) -> Result<(), MarkupError> {
        if self.open.is_some() {
            return self.directive_body(line);
        }
        let c = line.content;
        if c.is_empty() {
            // A blank line ends a paragraph; a list continues over blank lines.
            return self.close_para();
        }
        if let Some(rest) = c.strip_prefix("::") {
            self.close_flow()?;
            return self.directive(line, rest);
        }
        if c.starts_with('#') {
            let hashes = c.bytes().take_while(|&b| b == b'#').count();
            let after = &c[hashes..];
            if after.is_empty() || after.starts_with([' ', '\t']) {
                if hashes > 3 {
                    return Err(
                        line.error_at(line.offset, "headings have levels 1 to 3 (`#` to `###`)")
                    );
                }
                self.close_flow()?;
                let text = plain(line.sub(after).trim())?;
                if text.trim().is_empty() {
                    return Err(line.error_at(line.offset, "a heading needs text"));
                }
                self.blocks.push(Block::Heading {
                    level: hashes as u8,
                    text,
                });
                return Ok(());
            }
        }
        if c == "-" || c.starts_with("- ") || c.starts_with("-\t") {
            self.close_para()?;
            let item = inline(line.sub(&c[1..]).trim())?;
            self.list
                .get_or_insert_with(|| List { items: Vec::new() })
                .items
                .push(item);
            return Ok(());
        }
        // Paragraph text.
        self.close_list();
        match &mut self.para {
            Some(p) => {
                p.inline.push_space();
                p.inline.push(line.span())?;
            }
            None => {
                let mut inline = Inline::default();
                inline.push(line.span())?;
                self.para = Some(Para { inline });
            }
        }
        Ok(())
    }

    fn directive(&mut self, line: Line, rest: &str) -> Result<(), MarkupError> {
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let name = &rest[..name_len];
        let args = line.sub(&rest[name_len..]).trim();
        let at = line.number;
        let no_args = |what: &str| -> Result<(), MarkupError> {
            if args.text.is_empty() {
                Ok(())
            } else {
                Err(args.error(0, format!("`::{what}` takes no arguments")))
            }
        };
        match name {
            "kv" => {
                no_args("kv")?;
                self.open = Some(Open::Kv {
                    at,
                    rows: Vec::new(),
                });
            }
            "table" => {
                let columns = table_columns(args)?;
                self.open = Some(Open::Table {
                    at,
                    table: Table {
                        columns,
                        rows: Vec::new(),
                    },
                });
            }
            "notice" => {
                let kind = match args.text {
                    "info" => NoticeKind::Info,
                    "warning" => NoticeKind::Warning,
                    "" => return Err(args.error(0, "`::notice` needs a kind: `info` or `warning`")),
                    _ => {
                        return Err(args.error(0, "unknown notice kind: use `info` or `warning`"));
                    }
                };
                self.open = Some(Open::Notice {
                    at,
                    kind,
                    text: None,
                });
            }
            "chart" => {
                let (chart, y_max_given) = chart_header(args)?;
                self.open = Some(Open::Chart {
                    at,
                    chart,
                    y_max_given,
                });
            }
            "band" => {
                return Err(line.error_at(line.offset, "`::band` belongs inside a `::chart` block"));
            }
            "pagebreak" => {
                no_args("pagebreak")?;
                self.blocks.push(Block::PageBreak);
            }
            "end" => {
                return Err(line.error_at(
                    line.offset,
                    "`::end` without an open `::kv`, `::table`, `::notice` or `::chart`",
                ));
            }
            "" => {
                return Err(line.error_at(
                    line.offset,
                    "`::` must be followed by a directive name (write `\\:` for a literal colon)",
                ));
            }
            _ => {
                return Err(line.error_at(
                    line.offset,
                    "unknown directive (known: kv, table, notice, chart, pagebreak, end)",
                ));
            }
        }
        Ok(())
    }

    fn directive_body(&mut self, line: Line<'a>) -> Result<(), MarkupError> {
        let c = line.content;
        if c.is_empty() {
            return Ok(());
        }
        let open = self.open.as_mut().expect("checked by caller");
        if let Some(rest) = c.strip_prefix("::") {
            if rest.trim() == "end" {
                let open = self.open.take().expect("open");
                return self.end(open, line);
            }
            // A chart's bands are the one directive allowed inside a block: they belong to it.
            if let (Open::Chart { chart, .. }, Some(args)) = (&mut *open, band_args(rest)) {
                chart.bands.push(chart_band(line.sub(args).trim())?);
                return Ok(());
            }
            return Err(line.error_at(
                line.offset,
                format!(
                    "a directive inside `{}` (opened at line {}): close it with `::end` first",
                    open.name(),
                    open.at()
                ),
            ));
        }
        match open {
            Open::Kv { rows, .. } => {
                let parts = line.span().split(b'|');
                if parts.len() != 2 {
                    let at = if parts.len() > 2 {
                        parts[2].offset - line.offset - 1
                    } else {
                        0
                    };
                    return Err(line.span().error(
                        at,
                        "a `::kv` row is `Label | value`, with exactly one unescaped `|`",
                    ));
                }
                let label = plain(parts[0].trim())?;
                let value = inline(parts[1].trim())?;
                rows.push((label, value));
            }
            Open::Table { table, .. } => {
                let parts = line.span().split(b'|');
                if parts.len() != table.columns.len() {
                    return Err(line.error_at(
                        line.offset,
                        format!(
                            "this row has {} cells but the table has {} columns (cells are separated by `|`; write `\\|` for a literal bar)",
                            parts.len(),
                            table.columns.len()
                        ),
                    ));
                }
                let mut row = Vec::with_capacity(parts.len());
                for p in parts {
                    row.push(inline(p.trim())?);
                }
                table.rows.push(row);
            }
            Open::Notice { text, .. } => match text {
                Some(inline) => {
                    inline.push_space();
                    inline.push(line.span())?;
                }
                None => {
                    let mut inline = Inline::default();
                    inline.push(line.span())?;
                    *text = Some(inline);
                }
            },
            Open::Chart { chart, .. } => {
                chart.series.push(chart_series(line.span())?);
            }
        }
        Ok(())
    }

    fn end(&mut self, open: Open, line: Line) -> Result<(), MarkupError> {
        match open {
            Open::Kv { rows, at } => {
                if rows.is_empty() {
                    return Err(line.error_at(
                        line.offset,
                        format!("the `::kv` opened at line {at} has no rows"),
                    ));
                }
                self.blocks.push(Block::KeyValue { rows });
            }
            Open::Table { table, .. } => self.blocks.push(Block::Table(table)),
            Open::Notice { kind, text, at } => {
                let text = match text {
                    Some(inline) => inline.finish()?,
                    None => Vec::new(),
                };
                if text.is_empty() {
                    return Err(line.error_at(
                        line.offset,
                        format!("the `::notice` opened at line {at} has no text"),
                    ));
                }
                self.blocks.push(Block::Notice { kind, text });
            }
            Open::Chart {
                mut chart,
                y_max_given,
                at,
            } => {
                if chart.series.is_empty() {
                    return Err(line.error_at(
                        line.offset,
                        format!("the `::chart` opened at line {at} has no series"),
                    ));
                }
                if !y_max_given {
                    let max = chart
                        .series
                        .iter()
                        .flat_map(|s| s.points.iter().map(|p| p.1))
                        .fold(0.0f32, f32::max);
                    chart.y_max = if max > 0.0 { max.ceil() } else { 1.0 };
                }
                self.blocks.push(Block::Chart(chart));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Block>, MarkupError> {
        if let Some(open) = &self.open {
            return Err(MarkupError {
                line: open.at(),
                column: 1,
                message: format!("`{}` is not closed with `::end`", open.name()),
            });
        }
        self.close_flow()?;
        Ok(self.blocks)
    }
}

/// `Title:width` columns separated by commas; an alignment mark `<` `>` `^` may end each.
fn table_columns(args: Span) -> Result<Vec<Column>, MarkupError> {
    if args.text.is_empty() {
        return Err(args.error(
            0,
            "`::table` needs its columns: `Title:width, Title:width>` (`<` left, `>` right, `^` centre)",
        ));
    }
    let mut columns = Vec::new();
    for part in args.split(b',') {
        let mut part = part.trim();
        if part.text.is_empty() {
            return Err(part.error(0, "empty column in the `::table` header"));
        }
        let mut align = Align::Left;
        let bytes = part.text.as_bytes();
        let last = bytes[bytes.len() - 1];
        let escaped = bytes.len() >= 2 && bytes[bytes.len() - 2] == b'\\' && {
            // An odd number of backslashes before the mark escapes it.
            let n = bytes[..bytes.len() - 1]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            n % 2 == 1
        };
        if !escaped && matches!(last, b'<' | b'>' | b'^') {
            align = match last {
                b'<' => Align::Left,
                b'>' => Align::Right,
                _ => Align::Center,
            };
            part = part.slice(0, part.text.len() - 1).trim();
        }
        let (title, width) = match part.rfind_unescaped(b':') {
            Some(colon) => {
                let w = part.slice(colon + 1, part.text.len()).trim();
                let width: f32 = w
                    .text
                    .parse()
                    .map_err(|_| w.error(0, "a column width must be a number"))?;
                if !(width.is_finite() && width > 0.0) {
                    return Err(w.error(0, "a column width must be a positive number"));
                }
                (part.slice(0, colon).trim(), width)
            }
            None => (part, 1.0),
        };
        let title = plain(title)?;
        columns.push(Column {
            title,
            width,
            align,
        });
    }
    Ok(columns)
}

/// `title=… | y_label=… | y_max=…`, each optional.
fn chart_header(args: Span) -> Result<(LineChart, bool), MarkupError> {
    let mut chart = LineChart {
        title: String::new(),
        y_label: String::new(),
        y_max: 0.0,
        series: Vec::new(),
        bands: Vec::new(),
    };
    let mut y_max_given = false;
    if args.text.is_empty() {
        return Ok((chart, y_max_given));
    }
    for part in args.split(b'|') {
        let part = part.trim();
        let Some(eq) = part.text.find('=') else {
            return Err(part.error(
                0,
                "a `::chart` setting is `key=value` (title, y_label, y_max)",
            ));
        };
        let key = part.slice(0, eq).trim();
        let value = part.slice(eq + 1, part.text.len()).trim();
        match key.text {
            "title" => chart.title = plain(value)?,
            "y_label" => chart.y_label = plain(value)?,
            "y_max" => {
                let v: f32 = value
                    .text
                    .parse()
                    .map_err(|_| value.error(0, "y_max must be a number"))?;
                if !(v.is_finite() && v > 0.0) {
                    return Err(value.error(0, "y_max must be a positive number"));
                }
                chart.y_max = v;
                y_max_given = true;
            }
            _ => {
                return Err(key.error(
                    0,
                    "unknown `::chart` setting (known: title, y_label, y_max)",
                ));
            }
        }
    }
    Ok((chart, y_max_given))
}

/// The settings after `::band` (`None` when the directive is not `band`).
fn band_args(rest: &str) -> Option<&str> {
    let after = rest.strip_prefix("band")?;
    (after.is_empty() || after.starts_with([' ', '\t'])).then_some(after)
}

/// `from=5 | to=9 | label=Mild`: all three required, `from ≤ to`.
fn chart_band(args: Span) -> Result<Band, MarkupError> {
    let (mut from, mut to, mut label) = (None, None, None);
    if args.text.is_empty() {
        return Err(args.error(0, "`::band` needs `from=number | to=number | label=text`"));
    }
    for part in args.split(b'|') {
        let part = part.trim();
        let Some(eq) = part.text.find('=') else {
            return Err(part.error(0, "a `::band` setting is `key=value` (from, to, label)"));
        };
        let key = part.slice(0, eq).trim();
        let value = part.slice(eq + 1, part.text.len()).trim();
        let number = || -> Result<f32, MarkupError> {
            value
                .text
                .parse()
                .ok()
                .filter(|v: &f32| v.is_finite())
                .ok_or_else(|| value.error(0, "a band's `from` and `to` must be numbers"))
        };
        match key.text {
            "from" => from = Some(number()?),
            "to" => to = Some(number()?),
            "label" => label = Some(plain(value)?),
            _ => {
                return Err(key.error(0, "unknown `::band` setting (known: from, to, label)"));
            }
        }
    }
    let (Some(from), Some(to), Some(label)) = (from, to, label) else {
        return Err(args.error(0, "`::band` needs all of `from`, `to` and `label`"));
    };
    if from > to {
        return Err(args.error(0, "a band's `from` must not exceed its `to`"));
    }
    Ok(Band { from, to, label })
}

/// `Name | 2026-01-01=12; 2026-02-01=9`.
fn chart_series(span: Span) -> Result<Series, MarkupError> {
    let parts = span.split(b'|');
    if parts.len() != 2 {
        return Err(span.error(
            0,
            "a chart series is `Name | YYYY-MM-DD=value; YYYY-MM-DD=value`",
        ));
    }
    let name = plain(parts[0].trim())?;
    let mut points = Vec::new();
    for p in parts[1].split(b';') {
        let p = p.trim();
        if p.text.is_empty() {
            continue;
        }
        let Some(eq) = p.rfind_unescaped(b'=') else {
            return Err(p.error(0, "a chart point is `YYYY-MM-DD=value`"));
        };
        let date_span = p.slice(0, eq).trim();
        let date_text = unescape_plain(date_span.text);
        let date = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d")
            .map_err(|_| date_span.error(0, "a chart point's date must be YYYY-MM-DD"))?;
        let value_span = p.slice(eq + 1, p.text.len()).trim();
        let value: f32 = value_span
            .text
            .parse()
            .ok()
            .filter(|v: &f32| v.is_finite())
            .ok_or_else(|| value_span.error(0, "a chart point's value must be a number"))?;
        points.push((date, value));
    }
    if points.is_empty() {
        return Err(parts[1].error(0, "a chart series needs at least one point"));
    }
    points.sort_by_key(|p| p.0);
    Ok(Series { name, points })
}
