//! A document read block by block ([`PdfStream::from_blocks`], as the renderer writes a long
//! record) makes the same file as the whole document, and a block that cannot be read stops
//! the file instead of leaving a part of it looking complete.

use exports_document_model::sample::clinical_document;
use exports_document_model::{Align, Block, Column, Document, NextBlock, Run, Table};
use exports_pdf::{BlockSource, Blocks, PdfError, PdfStream, render_pdf_with_report};

fn heading(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        text: text.into(),
    }
}

fn table(title: &str, rows: usize) -> Block {
    Block::Table(Table {
        columns: vec![
            Column {
                title: title.into(),
                width: 3.0,
                align: Align::Left,
            },
            Column {
                title: "Count".into(),
                width: 1.0,
                align: Align::Right,
            },
        ],
        rows: (0..rows)
            .map(|i| {
                vec![
                    vec![Run::plain(format!(
                        "{title} row {i} with a longer description"
                    ))],
                    vec![Run::plain(i.to_string())],
                ]
            })
            .collect(),
    })
}

/// The sample record, then what keep-with-next reads furthest ahead: headings in a row before a
/// table (each table measured before it is laid out, from a window of a few blocks), twice, with
/// different columns, so a measurement kept for one table must not be used for the other.
fn long_document() -> Document {
    let mut doc = clinical_document(120, 200);
    for round in 0..2 {
        doc.blocks.push(heading(1, "Appendix"));
        doc.blocks.push(heading(2, "Tables"));
        doc.blocks.push(heading(3, "First"));
        doc.blocks
            .push(table(if round == 0 { "Item" } else { "Entry" }, 70));
        doc.blocks.push(heading(3, "Second"));
        doc.blocks.push(table("Other", 3));
        // Two tables in a row: the second is measured afresh, not given the first's columns.
        doc.blocks.push(table("Wide", 4));
        doc.blocks.push(Block::Table(Table {
            columns: ["A", "B", "C"]
                .into_iter()
                .map(|title| Column {
                    title: title.into(),
                    width: 1.0,
                    align: Align::Left,
                })
                .collect(),
            rows: vec![vec![
                vec![Run::plain("x")],
                vec![Run::plain("y")],
                vec![Run::plain("z")],
            ]],
        }));
    }
    doc
}

fn pieces(mut stream: PdfStream) -> Result<Vec<u8>, PdfError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next_chunk()? {
        assert!(!chunk.is_empty() || bytes.is_empty(), "an empty piece");
        assert!(
            chunk.len() <= PdfStream::CHUNK,
            "a piece of {} bytes",
            chunk.len()
        );
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[test]
fn blocks_read_as_needed_make_the_same_file_as_the_whole_document() {
    let doc = long_document();
    let (whole, report) = render_pdf_with_report(&doc).expect("renders");
    assert!(report.pages > 60, "{} pages", report.pages);

    let mut head = doc.clone();
    let blocks = std::mem::take(&mut head.blocks);
    let source: BlockSource = Box::new(blocks.into_iter().map(Ok));
    let stream = PdfStream::from_blocks(head, source).expect("starts");
    assert_eq!(pieces(stream).expect("renders"), whole);

    // The document's own blocks first, then the source's.
    let mut head = doc.clone();
    let rest = head.blocks.split_off(40);
    let source: BlockSource = Box::new(rest.into_iter().map(Ok));
    let stream = PdfStream::from_blocks(head, source).expect("starts");
    assert_eq!(pieces(stream).expect("renders"), whole);

    assert_eq!(
        pieces(PdfStream::new(doc).expect("starts")).expect("renders"),
        whole
    );
}

#[test]
fn a_block_that_cannot_be_read_fails_the_file() {
    let mut head = long_document();
    let mut blocks: Vec<Result<Block, String>> = std::mem::take(&mut head.blocks)
        .into_iter()
        .map(Ok)
        .collect();
    let at = blocks.len() - 5;
    blocks.insert(at, Err("line 9000, column 1: `::kv` is not closed".into()));
    let stream = PdfStream::from_blocks(head, Box::new(blocks.into_iter())).expect("starts");
    match pieces(stream) {
        Err(PdfError::Blocks(message)) => assert!(message.contains("line 9000"), "{message}"),
        Err(other) => panic!("another error: {other}"),
        Ok(bytes) => panic!("a file of {} bytes was finished", bytes.len()),
    }
}

/// Blocks that are not ready every other time they are asked for, as a long record's are while
/// its note texts are fetched.
struct Hesitant {
    blocks: std::vec::IntoIter<Block>,
    ready: bool,
    waits: usize,
}

impl Blocks for Hesitant {
    fn next_block(&mut self) -> Result<NextBlock, String> {
        self.ready = !self.ready;
        if !self.ready {
            self.waits += 1;
            return Ok(NextBlock::Later);
        }
        Ok(self.blocks.next().map_or(NextBlock::End, NextBlock::Block))
    }
}

#[test]
fn blocks_that_wait_for_input_make_the_same_file() {
    let doc = long_document();
    let (whole, _) = render_pdf_with_report(&doc).expect("renders");
    let mut head = doc.clone();
    let blocks = std::mem::take(&mut head.blocks);
    let count = blocks.len();
    let source = Hesitant {
        blocks: blocks.into_iter(),
        ready: false,
        waits: 0,
    };
    let mut stream = PdfStream::from_blocks(head, Box::new(source)).expect("starts");
    let (mut bytes, mut pulls) = (Vec::new(), 0);
    while let Some(chunk) = stream.next_chunk().expect("renders") {
        bytes.extend_from_slice(&chunk);
        pulls += 1;
    }
    // Every wait hands out what there is and returns: at least one pull per block.
    assert!(pulls > count, "{pulls} pulls for {count} blocks");
    assert_eq!(bytes, whole);
}

/// A block whose pages alone are more than a piece (a long record's sessions table) leaves in
/// pieces no bigger than [`PdfStream::CHUNK`], so a caller gathering them into upload parts
/// never has to grow its buffer.
#[test]
fn no_piece_is_bigger_than_a_chunk() {
    let mut doc = clinical_document(1, 10);
    doc.blocks = vec![heading(1, "Sessions"), table("Date", 6000)];
    let (whole, report) = render_pdf_with_report(&doc).expect("renders");
    assert!(whole.len() > 2 * PdfStream::CHUNK, "{} bytes", whole.len());
    assert!(report.pages > 50, "{} pages", report.pages);
    assert_eq!(
        pieces(PdfStream::new(doc).expect("starts")).expect("renders"),
        whole
    );
}
