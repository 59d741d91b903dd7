//! Which line of a custom body wrote a given line of the markup it rendered.
//!
//! Markup errors are found after tera has run, so their positions are in the rendered markup,
//! while a therapist fixes the body. A body line is a pattern for the markup lines it can write:
//! its literal text, with each tera tag (`{{ … }}`, `{% … %}`, `{# … #}`) standing for any text.
//! When exactly one body line matches the offending markup line, that is the line to show. Lines
//! written by an `include`d template, or that several body lines could have written, match none
//! or many, and the caller keeps the markup position.

/// One piece of a body line.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Literal(&'a str),
    /// A tera tag: writes any text (or none).
    Any,
}

/// The pieces of one body line, `None` for a line with no literal text of its own to match
/// (only tags and whitespace: whatever it writes, from an `include`, a loop or a lone
/// expression, could be any line). Statements may leave out the text between them (`{% if %}`
/// branches), so everything from the first `{%` to the last `%}` is one `Any`.
fn pieces(line: &str) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    match (line.find("{%"), line.rfind("%}")) {
        (Some(a), Some(b)) if b > a => {
            expressions(&line[..a], &mut out);
            out.push(Piece::Any);
            expressions(&line[b + 2..], &mut out);
        }
        (Some(a), _) => {
            // A statement that goes on past the line: it stands for the rest.
            expressions(&line[..a], &mut out);
            out.push(Piece::Any);
        }
        _ => expressions(line, &mut out),
    }
    out.iter()
        .any(|p| matches!(p, Piece::Literal(l) if !l.trim().is_empty()))
        .then_some(out)
}

/// Splits text without statements at its `{{ … }}` and `{# … #}` tags.
fn expressions<'a>(mut rest: &'a str, out: &mut Vec<Piece<'a>>) {
    while !rest.is_empty() {
        let open = ["{{", "{#"]
            .iter()
            .filter_map(|o| rest.find(o).map(|i| (i, *o)))
            .min();
        let Some((i, o)) = open else {
            out.push(Piece::Literal(rest));
            return;
        };
        if i > 0 {
            out.push(Piece::Literal(&rest[..i]));
        }
        out.push(Piece::Any);
        let close = if o == "{{" { "}}" } else { "#}" };
        rest = match rest[i + 2..].find(close) {
            Some(j) => &rest[i + 2 + j + 2..],
            None => "",
        };
    }
}

/// Whether `text` is exactly the pieces in order, each `Any` taking any text. Both sides are
/// compared without surrounding whitespace (tera's `{%-`/`-%}` may trim it).
fn matches(pieces: &[Piece<'_>], text: &str) -> bool {
    let text = text.trim();
    let mut literals: Vec<&str> = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        if let Piece::Literal(l) = p {
            let l = match (i == 0, i + 1 == pieces.len()) {
                (true, true) => l.trim(),
                (true, false) => l.trim_start(),
                (false, true) => l.trim_end(),
                (false, false) => l,
            };
            if !l.is_empty() {
                literals.push(l);
            }
        }
    }
    // Whether the text may begin (end) with anything: a tag comes before (after) any text.
    let significant: Vec<&Piece<'_>> = pieces.iter().filter(|p| !is_blank(p)).collect();
    let starts_any = matches!(significant.first(), Some(Piece::Any));
    let ends_any = matches!(significant.last(), Some(Piece::Any));
    let mut at = 0;
    for (k, l) in literals.iter().enumerate() {
        let first = k == 0;
        let last = k + 1 == literals.len();
        if first && !starts_any {
            if !text.starts_with(l) {
                return false;
            }
            at = l.len();
        } else if last && !ends_any {
            // The last literal sits at the very end, after what came before.
            if text.len() < at + l.len() || !text.ends_with(l) {
                return false;
            }
            at = text.len();
        } else {
            match text[at..].find(l) {
                Some(i) => at += i + l.len(),
                None => return false,
            }
        }
    }
    ends_any || at == text.len()
}

fn is_blank(p: &Piece<'_>) -> bool {
    matches!(p, Piece::Literal(l) if l.trim().is_empty())
}

/// The 1-based line and column in `body` of the markup error at `column` (1-based, in
/// characters) of `markup_line`, when exactly one body line could have written that line. The
/// column is exact when the body line starts with the literal text the error is in; otherwise
/// it is the body line's first non-blank character.
pub(crate) fn locate(body: &str, markup_line: &str, column: usize) -> Option<(usize, usize)> {
    if markup_line.trim().is_empty() {
        return None;
    }
    let mut found = None;
    for (i, line) in body.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(p) = pieces(line) else { continue };
        if matches(&p, markup_line) {
            if found.is_some() {
                return None;
            }
            found = Some((i + 1, line, p));
        }
    }
    let (number, line, pieces) = found?;
    let body_indent = line.chars().take_while(|c| c.is_whitespace()).count();
    let markup_indent = markup_line
        .chars()
        .take_while(|c| c.is_whitespace())
        .count();
    // Characters into the trimmed markup line where the error is.
    let into = column.saturating_sub(1).saturating_sub(markup_indent);
    let lead: &str = match pieces.as_slice() {
        [Piece::Literal(l), ..] => l.trim_start(),
        _ => "",
    };
    let column = if into < lead.chars().count() {
        body_indent + into + 1
    } else {
        body_indent + 1
    };
    Some((number, column))
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn a_literal_line_is_found_with_its_column() {
        let body = "# Title\n\n  **unclosed bold\nmore\n";
        assert_eq!(locate(body, "**unclosed bold", 1), Some((3, 3)));
        assert_eq!(locate(body, "**unclosed bold", 5), Some((3, 7)));
    }

    #[test]
    fn expressions_stand_for_any_text() {
        let body = "# {{ doc.title }}\n::table A:1, B:1\n{{ r.mrn }} | one | two\n::end\n";
        assert_eq!(locate(body, "MRN-000001 | one | two", 1), Some((3, 1)));
        let body = "Seen {{ n }} times | {{ x }}\n";
        assert_eq!(locate(body, "Seen 4 times | 7", 3), Some((1, 3)));
        // Past the leading text the column is the line's first character.
        assert_eq!(locate(body, "Seen 4 times | 7", 12), Some((1, 1)));
        assert_eq!(locate(body, "Seen 4 times", 1), None);
    }

    #[test]
    fn lines_several_body_lines_could_write_are_not_guessed() {
        let body = "::table A:1\nx\n::end\n::table B:1\ny\n::end\n";
        assert_eq!(locate(body, "::end", 1), None);
        assert_eq!(locate(body, "::table B:1", 1), Some((4, 1)));
    }

    #[test]
    fn tag_only_lines_and_included_text_are_not_claimed() {
        let body = "{% include \"progress_report\" %}\n{% if x %}\n## Closing\n{% endif %}\n";
        assert_eq!(locate(body, "::table Goal:3, Plan:2", 1), None);
        assert_eq!(locate(body, "## Closing", 1), Some((3, 1)));
    }

    #[test]
    fn statements_inside_a_line_match_what_they_write() {
        let body = "Status: {% if a %}open{% else %}closed{% endif %} **x\n";
        assert_eq!(locate(body, "Status: closed **x", 16), Some((1, 1)));
        assert_eq!(locate(body, "Status: closed **x", 3), Some((1, 3)));
    }
}
