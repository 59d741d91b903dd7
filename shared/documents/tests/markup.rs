//! The markup parser: every construct, errors with line and column, and escaping.

use chrono::NaiveDate;
use exports_document_model::{Align, Block, Column, NoticeKind, Run, plain_text};
use exports_documents::{MarkupBlocks, MarkupError, escape_markup, parse_markup};
use exports_synthetic::HOSTILE_STRINGS;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Parses with both parsers: the whole-input one and the block-at-a-time one the PDF streams
/// from ([`MarkupBlocks`]) must agree on every input of this file.
fn both(markup: &str) -> Result<Vec<Block>, MarkupError> {
    let whole = parse_markup(markup);
    let streamed: Result<Vec<Block>, MarkupError> = MarkupBlocks::new(markup.to_string()).collect();
    assert_eq!(whole, streamed, "{markup:?}: the two parsers disagree");
    whole
}

fn parse(markup: &str) -> Vec<Block> {
    both(markup).unwrap_or_else(|e| panic!("{markup:?}: {e}"))
}

fn err(markup: &str) -> MarkupError {
    match both(markup) {
        Ok(blocks) => panic!("{markup:?} parsed: {blocks:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_long_markup_read_block_by_block_gives_the_same_blocks_and_error_lines() {
    // Several MiB, so the reader gives back what it has read several times on the way.
    let piece = "## Session\n\nFirst line of a paragraph\nand its second line.\n\n- item\n- item two\n\n::table A:1, B:2>\nx | 1\ny | 2\n::end\n::kv\nKey | value\n::end\n";
    let mut markup = piece.repeat(40_000);
    assert!(markup.len() > 4 << 20);
    let blocks = parse(&markup);
    assert_eq!(blocks.len(), 40_000 * 5);
    // An error on the last line is reported on it by both.
    markup.push_str("::kv\nnot a row\n");
    let last = markup.matches('\n').count();
    let e = err(&markup);
    assert_eq!(e.line, last, "{e}");
}

#[test]
fn blocks_are_read_one_step_at_a_time() {
    let mut blocks = MarkupBlocks::new(
        "# A\n\npara one\nstill one\n\n- x\n- y\n\n::kv\nk | v\n::end\n::bogus\n".into(),
    );
    assert!(matches!(blocks.next(), Some(Ok(Block::Heading { .. }))));
    assert!(matches!(blocks.next(), Some(Ok(Block::Paragraph { .. }))));
    assert!(matches!(blocks.next(), Some(Ok(Block::BulletList { .. }))));
    assert!(matches!(blocks.next(), Some(Ok(Block::KeyValue { .. }))));
    // The error where it is met, with its line; then nothing more.
    match blocks.next() {
        Some(Err(e)) => assert_eq!(e.line, 12, "{e}"),
        other => panic!("expected the error of line 12, got {other:?}"),
    }
    assert!(blocks.next().is_none());
}

fn para(runs: Vec<Run>) -> Block {
    Block::Paragraph { text: runs }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn headings() {
    assert_eq!(
        parse("# One\n## Two\n###   Three  \n"),
        vec![
            Block::Heading {
                level: 1,
                text: "One".into()
            },
            Block::Heading {
                level: 2,
                text: "Two".into()
            },
            Block::Heading {
                level: 3,
                text: "Three".into()
            },
        ]
    );
    // Styles are dropped, escapes apply, a line break becomes a space.
    assert_eq!(
        parse("## **Bold** \\# and\\nmore"),
        vec![Block::Heading {
            level: 2,
            text: "Bold # and more".into()
        }]
    );
    // `#` without a space is text.
    assert_eq!(
        parse("#1 priority"),
        vec![para(vec![Run::plain("#1 priority")])]
    );
    let e = err("text\n#### Four");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("1 to 3"), "{e}");
}

#[test]
fn paragraphs_join_lines_and_end_at_blank_lines() {
    assert_eq!(
        parse("  first line\n\tsecond line  \n\n\nthird"),
        vec![
            para(vec![Run::plain("first line second line")]),
            para(vec![Run::plain("third")]),
        ]
    );
    // CRLF input.
    assert_eq!(parse("a\r\nb\r\n"), vec![para(vec![Run::plain("a b")])]);
    assert_eq!(parse(""), vec![]);
    assert_eq!(parse("\n  \n\t\n"), vec![]);
}

#[test]
fn inline_styles() {
    assert_eq!(
        parse("**Subjective:** slept *much* better ***today***"),
        vec![para(vec![
            Run::bold("Subjective:"),
            Run::plain(" slept "),
            Run::italic("much"),
            Run::plain(" better "),
            Run {
                text: "today".into(),
                bold: true,
                italic: true
            },
        ])]
    );
    // A style may span the lines of one paragraph.
    assert_eq!(
        parse("**bold\nstill bold** plain"),
        vec![para(vec![
            Run::bold("bold still bold"),
            Run::plain(" plain")
        ])]
    );
    let e = err("ok\n\nsome **bold never\nclosed");
    assert_eq!((e.line, e.column), (3, 6));
    assert!(e.message.contains("not closed"), "{e}");
    let e = err("- item *open");
    assert_eq!((e.line, e.column), (1, 8));
}

#[test]
fn bullet_lists() {
    assert_eq!(
        parse("- **Type:** CBT\n- Mood: 5/10\n\n- third\nafter\n-5 is text"),
        vec![
            Block::BulletList {
                items: vec![
                    vec![Run::bold("Type:"), Run::plain(" CBT")],
                    vec![Run::plain("Mood: 5/10")],
                    vec![Run::plain("third")],
                ]
            },
            para(vec![Run::plain("after -5 is text")]),
        ]
    );
    // A paragraph before a list ends at the first item.
    assert_eq!(
        parse("intro\n- a"),
        vec![
            para(vec![Run::plain("intro")]),
            Block::BulletList {
                items: vec![vec![Run::plain("a")]]
            }
        ]
    );
}

#[test]
fn key_value() {
    assert_eq!(
        parse("::kv\nPatient | **Zoë**\n\nAddress | 1 Quay St\\nPortland\n::end"),
        vec![Block::KeyValue {
            rows: vec![
                ("Patient".into(), vec![Run::bold("Zoë")]),
                ("Address".into(), vec![Run::plain("1 Quay St\nPortland")]),
            ]
        }]
    );
    let e = err("::kv\nno bar here\n::end");
    assert_eq!((e.line, e.column), (2, 1));
    let e = err("::kv\n  a | b | c\n::end");
    assert_eq!((e.line, e.column), (2, 9));
    let e = err("::kv\n::end");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("no rows"));
    let e = err("::kv extra\n::end");
    assert_eq!((e.line, e.column), (1, 6));
}

#[test]
fn tables() {
    let blocks = parse(
        "::table Date:1.5, Description:4, Score:1>, Mark^, Tail\\>:2\n\
         2026-01-06 | **F41.1** anxiety | 15 | x | a\\|b\n\
         \n\
         2026-02-03 |  | 9 | y | \n\
         ::end",
    );
    let Block::Table(table) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(
        table.columns,
        vec![
            Column {
                title: "Date".into(),
                width: 1.5,
                align: Align::Left
            },
            Column {
                title: "Description".into(),
                width: 4.0,
                align: Align::Left
            },
            Column {
                title: "Score".into(),
                width: 1.0,
                align: Align::Right
            },
            Column {
                title: "Mark".into(),
                width: 1.0,
                align: Align::Center
            },
            Column {
                title: "Tail>".into(),
                width: 2.0,
                align: Align::Left
            },
        ]
    );
    assert_eq!(table.rows.len(), 2);
    assert_eq!(
        table.rows[0][1],
        vec![Run::bold("F41.1"), Run::plain(" anxiety")]
    );
    assert_eq!(table.rows[0][4], vec![Run::plain("a|b")]);
    assert_eq!(table.rows[1][1], vec![]);
    assert_eq!(table.rows[1][4], vec![]);

    // A table may have no rows.
    assert!(matches!(&parse("::table A, B\n::end")[0], Block::Table(t) if t.rows.is_empty()));

    let e = err("::table A:1, B:2\none | two | three\n::end");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(
        e.message.contains("3 cells") && e.message.contains("2 columns"),
        "{e}"
    );
    let e = err("::table A:1, B:wide\n::end");
    assert_eq!((e.line, e.column), (1, 16));
    let e = err("::table A:1, , B\n::end");
    assert_eq!((e.line, e.column), (1, 14));
    let e = err("::table\n::end");
    assert_eq!(e.line, 1);
    let e = err("::table A:0\n::end");
    assert!(e.message.contains("positive"), "{e}");
}

#[test]
fn notices() {
    assert_eq!(
        parse(
            "::notice warning\n**Psychotherapy note.** Kept\napart.\n::end\n::notice info\n- not a bullet\n::end"
        ),
        vec![
            Block::Notice {
                kind: NoticeKind::Warning,
                text: vec![Run::bold("Psychotherapy note."), Run::plain(" Kept apart.")]
            },
            Block::Notice {
                kind: NoticeKind::Info,
                text: vec![Run::plain("- not a bullet")]
            },
        ]
    );
    let e = err("::notice danger\nx\n::end");
    assert_eq!((e.line, e.column), (1, 10));
    let e = err("::notice\nx\n::end");
    assert_eq!(e.line, 1);
    let e = err("::notice info\n::end");
    assert!(e.message.contains("no text"));
}

#[test]
fn charts() {
    let blocks = parse(
        "::chart title=Assessment scores | y_label=score | y_max=27\n\
         PHQ\\-9 | 2026-02-03=10; 2026-01-06=15; 2026-02-10=9;\n\
         GAD\\-7 | 2026\\-01\\-06=12; 2026-02-03=7.5\n\
         ::end",
    );
    let Block::Chart(chart) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(chart.title, "Assessment scores");
    assert_eq!(chart.y_label, "score");
    assert_eq!(chart.y_max, 27.0);
    assert_eq!(chart.series.len(), 2);
    assert_eq!(chart.series[0].name, "PHQ-9");
    // Sorted by date.
    assert_eq!(
        chart.series[0].points,
        vec![
            (d(2026, 1, 6), 15.0),
            (d(2026, 2, 3), 10.0),
            (d(2026, 2, 10), 9.0)
        ]
    );
    assert_eq!(chart.series[1].points[1], (d(2026, 2, 3), 7.5));

    // y_max defaults to the largest value.
    let blocks = parse("::chart\nMood | 2026-01-01=3; 2026-01-08=7.2\n::end");
    assert!(matches!(&blocks[0], Block::Chart(c) if c.y_max == 8.0 && c.title.is_empty()));

    let e = err("::chart title=x\nMood | 2026-13-01=3\n::end");
    assert_eq!((e.line, e.column), (2, 8));
    assert!(e.message.contains("YYYY-MM-DD"), "{e}");
    let e = err("::chart title=x\nMood | 2026-01-01=high\n::end");
    assert_eq!((e.line, e.column), (2, 19));
    let e = err("::chart colour=red\nA | 2026-01-01=1\n::end");
    assert_eq!((e.line, e.column), (1, 9));
    let e = err("::chart y_max=-1\nA | 2026-01-01=1\n::end");
    assert_eq!((e.line, e.column), (1, 15));
    let e = err("::chart\nA | \n::end");
    assert!(e.message.contains("at least one point"), "{e}");
    let e = err("::chart\n::end");
    assert!(e.message.contains("no series"), "{e}");
}

#[test]
fn chart_bands() {
    let blocks = parse(
        "::chart title=PHQ\\-9 scores | y_label=score | y_max=27\n\
         ::band from=0 | to=4 | label=Minimal\n\
         PHQ\\-9 | 2026-01-06=15; 2026-02-03=10\n\
         \t::band   from=5 |to=9.5| label=Mild \\(5–9\\)  \n\
         ::band from=20 | to=27 | label=Moderately\\ severe \\| very \\*bad\\*\n\
         ::end",
    );
    let Block::Chart(chart) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    let bands: Vec<(f32, f32, &str)> = chart
        .bands
        .iter()
        .map(|b| (b.from, b.to, b.label.as_str()))
        .collect();
    // In the order written, before or after series lines; labels are plain escaped text.
    assert_eq!(
        bands,
        [
            (0.0, 4.0, "Minimal"),
            (5.0, 9.5, "Mild (5–9)"),
            (20.0, 27.0, "Moderately severe | very *bad*"),
        ]
    );
    assert_eq!(chart.series.len(), 1);
    assert_eq!(chart.series[0].points.len(), 2);
    // No bands: an empty list, and serialising leaves the key out (older documents stay equal).
    let plain = parse("::chart\nA | 2026-01-01=1\n::end");
    let Block::Chart(c) = &plain[0] else { panic!() };
    assert!(c.bands.is_empty());
    assert!(!serde_json::to_string(c).unwrap().contains("bands"));
    let with = serde_json::to_string(chart).unwrap();
    let back: exports_document_model::LineChart = serde_json::from_str(&with).unwrap();
    assert_eq!(&back, chart);

    let e = err("::chart\n::band from=1 | to=0 | label=x\nA | 2026-01-01=1\n::end");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("must not exceed"), "{e}");
    let e = err("::chart\n::band from=1 | label=x\nA | 2026-01-01=1\n::end");
    assert!(e.message.contains("all of"), "{e}");
    let e = err("::chart\n::band from=one | to=2 | label=x\nA | 2026-01-01=1\n::end");
    assert_eq!((e.line, e.column), (2, 13));
    let e = err("::chart\n::band from=1 | to=2 | colour=red\nA | 2026-01-01=1\n::end");
    assert!(e.message.contains("unknown `::band` setting"), "{e}");
    let e = err("::chart\n::band\nA | 2026-01-01=1\n::end");
    assert!(e.message.contains("needs"), "{e}");
    let e = err("::band from=0 | to=1 | label=x");
    assert!(e.message.contains("inside a `::chart`"), "{e}");
    let e = err("::table A:1\n::band from=0 | to=1 | label=x\n::end");
    assert!(e.message.contains("a directive inside `::table`"), "{e}");
    // `::bandage` is not `::band`.
    let e = err("::chart\n::bandage from=0\nA | 2026-01-01=1\n::end");
    assert!(e.message.contains("a directive inside `::chart`"), "{e}");
}

#[test]
fn page_breaks_and_directive_errors() {
    assert_eq!(
        parse("a\n::pagebreak\nb"),
        vec![
            para(vec![Run::plain("a")]),
            Block::PageBreak,
            para(vec![Run::plain("b")]),
        ]
    );
    let e = err("x\n  ::tabel A\n");
    assert_eq!((e.line, e.column), (2, 3));
    assert!(e.message.contains("unknown directive"), "{e}");
    let e = err("::end");
    assert_eq!((e.line, e.column), (1, 1));
    let e = err("one\n::table A\nx\n");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("not closed"), "{e}");
    let e = err("::kv\na | b\n::table A\n::end");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("opened at line 1"), "{e}");
    let e = err("::\n");
    assert_eq!((e.line, e.column), (1, 1));
    let e = err("::pagebreak now");
    assert_eq!((e.line, e.column), (1, 13));
}

#[test]
fn escapes() {
    assert_eq!(
        parse("\\*\\*not bold\\*\\* \\\\ \\# \\- \\| a\\nb"),
        vec![para(vec![Run::plain("**not bold** \\ # - | a\nb")])]
    );
    // An escaped space survives trimming, at both ends.
    assert_eq!(
        parse("\\  padded \\ "),
        vec![para(vec![Run::plain("  padded  ")])]
    );
    // Escaped markers at the start of a line are text.
    assert_eq!(
        parse("\\# not a heading\n\\- not a bullet\n\\::table not a directive"),
        vec![para(vec![Run::plain(
            "# not a heading - not a bullet ::table not a directive"
        )])]
    );
    let e = err("ok\nbad \\q escape");
    assert_eq!((e.line, e.column), (2, 5));
    assert!(e.message.contains("unknown escape"), "{e}");
    let e = err("trailing \\");
    assert_eq!((e.line, e.column), (1, 10));
}

#[test]
fn control_characters_never_reach_the_document() {
    assert_eq!(
        parse("a\tb\u{0}c\u{85}d\u{a0}e\u{7f}f"),
        vec![para(vec![Run::plain("a bcd\u{a0}ef")])]
    );
    assert_eq!(
        parse("::kv\nL | x\ty\u{1b}\n::end"),
        vec![Block::KeyValue {
            rows: vec![("L".into(), vec![Run::plain("x y")])]
        }]
    );
}

#[test]
fn many_marks_on_one_long_line() {
    let line = "*a* **b** ".repeat(20_000) + "**open";
    let e = err(&line);
    assert_eq!((e.line, e.column), (1, 200_001));
}

#[test]
fn columns_count_characters() {
    // Multi-byte characters before the error count as one column each.
    let e = err("Zoë Ελένη 王芳 **x");
    assert_eq!((e.line, e.column), (1, 14));
}

/// What `s` must come back as: tabs as spaces, other control characters (but newlines) gone.
fn normalized(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

fn assert_round_trip(s: &str) {
    let escaped = escape_markup(s);
    assert!(
        !escaped.contains('\n'),
        "escaped text is one line: {escaped:?}"
    );
    let expected = normalized(s);
    let blocks = both(&escaped).unwrap_or_else(|e| panic!("{s:?} → {escaped:?}: {e}"));
    if expected.is_empty() {
        assert_eq!(blocks, vec![], "{s:?}");
        return;
    }
    match blocks.as_slice() {
        [Block::Paragraph { text }] => {
            assert_eq!(plain_text(text), expected, "{s:?} → {escaped:?}");
            assert!(
                text.iter().all(|r| !r.bold && !r.italic),
                "{s:?} got styles"
            );
        }
        other => panic!("{s:?} → {escaped:?} gave {other:?}"),
    }

    // Inert in every other context too. (A heading needs text and a notice needs content.)
    let single_line = expected.replace('\n', " ");
    let mut markup = String::new();
    let mut want = Vec::new();
    if !single_line.trim().is_empty() {
        markup.push_str(&format!("## {escaped}\n"));
        want.push("heading");
    }
    markup.push_str(&format!(
        "- {escaped}\n::kv\n{escaped} | {escaped}\n::end\n::table {escaped}:2, B:1>\n{escaped} | x\n::end\n"
    ));
    want.extend(["list", "kv", "table"]);
    if !expected.is_empty() {
        markup.push_str(&format!("::notice info\n{escaped}\n::end\n"));
        want.push("notice");
    }
    markup.push_str(&format!(
        "::chart title={escaped} | y_label={escaped}\n::band from=0 | to=1 | label={escaped}\n{escaped} | 2026-01-01=1\n::end\n"
    ));
    want.push("chart");
    let blocks = both(&markup).unwrap_or_else(|e| panic!("{s:?} in contexts: {e}"));
    let expected_text = |t: &Vec<Run>| {
        if expected.is_empty() {
            assert!(t.is_empty(), "{t:?}");
        } else {
            assert_eq!(plain_text(t), expected);
        }
    };
    let mut kinds = Vec::new();
    for block in &blocks {
        match block {
            Block::Heading { text, .. } => {
                kinds.push("heading");
                assert_eq!(*text, single_line);
            }
            Block::BulletList { items } => {
                kinds.push("list");
                assert_eq!(items.len(), 1);
                expected_text(&items[0]);
            }
            Block::KeyValue { rows } => {
                kinds.push("kv");
                assert_eq!(rows.len(), 1);
                assert_eq!(rows[0].0, single_line);
                expected_text(&rows[0].1);
            }
            Block::Table(t) => {
                kinds.push("table");
                assert_eq!(t.columns.len(), 2);
                assert_eq!(t.columns[0].title, single_line);
                assert_eq!(t.columns[0].width, 2.0);
                assert_eq!(t.rows.len(), 1);
                expected_text(&t.rows[0][0]);
            }
            Block::Notice { text, .. } => {
                kinds.push("notice");
                expected_text(text);
            }
            Block::Chart(c) => {
                kinds.push("chart");
                assert_eq!(c.title, single_line);
                assert_eq!(c.y_label, single_line);
                assert_eq!(c.series.len(), 1);
                assert_eq!(c.series[0].name, single_line);
                assert_eq!(c.bands.len(), 1);
                assert_eq!(c.bands[0].label, single_line);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(kinds, want, "{s:?}");
}

#[test]
fn escaping_round_trips_hostile_strings() {
    let fixed = [
        "",
        " ",
        "  leading and trailing  ",
        "\t tab",
        "<b>bold?</b> **not bold** *nor italic* __under__",
        "{{ patient.first_name }} {% if x %}",
        "::table A:1, B:2>",
        "::end",
        "# not a heading",
        "### nor this",
        "- not a bullet",
        "-",
        "| a | b |",
        "line one\nline two\n\nparagraph?\n- bullet?\n# heading?",
        "back\\slash \\n not a break \\",
        "trailing backslash \\",
        "\\",
        "\\ ",
        "ends with escaped-looking \\\\ ",
        "title=x | y_max=3",
        "2026-01-01=12; 2026-02-01=9",
        "\r\nwindows\r\nlines\r\n",
        "nul\0 bell\u{7} del\u{7f} c1\u{85}\u{9f} nbsp\u{a0} ¢",
        "Zoë Ελένη 王芳 Nguyễn Øyvind 🙂",
        "a\u{2028}b\u{2029}c",
        "*",
        "**",
        "***",
        "`code` ~strike~ [link](x) !img {brace} ^caret <lt> >gt = eq ; semi , comma + plus",
    ];
    for s in fixed.iter().chain(HOSTILE_STRINGS.iter()) {
        assert_round_trip(s);
    }
}

#[test]
fn escaping_round_trips_random_strings() {
    let alphabet: Vec<char> = "\\*_`#-+:|,;=<>^~[]{}!.()\"'/ \t\n\r\0\u{7}\u{85}\u{a0}aZ9éΕ王🙂n"
        .chars()
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(20261127);
    for _ in 0..5000 {
        let len = rng.gen_range(0..24);
        let s: String = (0..len)
            .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
            .collect();
        assert_round_trip(&s);
    }
}

#[test]
fn escape_is_a_single_line_and_idempotent_in_meaning() {
    assert_eq!(escape_markup("a\nb"), "a\\nb");
    assert_eq!(escape_markup("x"), "x");
    assert_eq!(escape_markup(" x "), "\\ x\\ ");
    assert_eq!(escape_markup("a\tb\rc"), "a bc");
    assert_eq!(escape_markup("no_show"), "no_show");
    // Escaping escaped text escapes the backslashes: the markup shows the escaped form.
    let twice = escape_markup(&escape_markup("**"));
    let blocks = both(&twice).unwrap();
    assert_eq!(blocks, vec![para(vec![Run::plain("\\*\\*")])]);
}
