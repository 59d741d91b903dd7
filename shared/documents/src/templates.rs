//! The tera side: the embedded templates, the filters they use, and tera errors → line/column.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate};
use exports_core::export::ExportType;
use tera::{Context, ErrorKind, Kwargs, State, Tera, TeraResult, Value};

use crate::DocumentError;
use crate::context::{fmt_date, fmt_instant};
use crate::markup::{escape_markup, unescape_plain};

/// Embedded templates, by the name templates use to include each other.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    (
        "_components.md.tera",
        include_str!("../../../templates/_components.md.tera"),
    ),
    (
        RECORD_ITEMS,
        include_str!("../../../templates/_record_items.md.tera"),
    ),
    (
        "_identification.md.tera",
        include_str!("../../../templates/_identification.md.tera"),
    ),
    (
        "session_notes.md.tera",
        include_str!("../../../templates/session_notes.md.tera"),
    ),
    (
        "progress_report.md.tera",
        include_str!("../../../templates/progress_report.md.tera"),
    ),
    (
        "treatment_summary.md.tera",
        include_str!("../../../templates/treatment_summary.md.tera"),
    ),
    (
        "full_record.md.tera",
        include_str!("../../../templates/full_record.md.tera"),
    ),
];

/// The components that print one item of a long list (a session, a sessions-table row, a
/// timeline event): a full record's PDF renders them a few at a time (`paged`).
pub(crate) const RECORD_ITEMS: &str = "_record_items.md.tera";

/// The name a custom body template is registered under (error messages name it).
pub(crate) const CUSTOM_BODY: &str = "body";

/// The built-in template of an export type.
pub(crate) fn template_name(export_type: ExportType) -> &'static str {
    match export_type {
        ExportType::SessionNotes => "session_notes.md.tera",
        ExportType::ProgressReport => "progress_report.md.tera",
        ExportType::TreatmentSummary => "treatment_summary.md.tera",
        ExportType::FullRecord => "full_record.md.tera",
    }
}

/// Built once: the embedded templates, parsed, with the filters registered.
pub(crate) static TERA: LazyLock<Tera> = LazyLock::new(|| embedded(TEMPLATES.iter().copied()));

/// The embedded templates with [`RECORD_ITEMS`] replaced by components that print a line naming
/// the item (`::item session_row 12`): a full record rendered from a context without its long
/// lists, whose items are rendered later from [`TERA`], a few at a time (`crate::paged`).
pub(crate) static TERA_ITEM_LINES: LazyLock<Tera> = LazyLock::new(|| {
    embedded(TEMPLATES.iter().map(|&(name, text)| {
        if name == RECORD_ITEMS {
            (name, ITEM_LINES)
        } else {
            (name, text)
        }
    }))
});

/// What [`TERA_ITEM_LINES`] has for [`RECORD_ITEMS`]: the same components, each printing the
/// item's index (the template loops over indices there) and, for a session, its number.
const ITEM_LINES: &str = "\
{% component session_row(s) -%}
::item session_row {{ s }}
{%- endcomponent session_row %}
{% component timeline_event(e) -%}
::item timeline_event {{ e }}
{%- endcomponent timeline_event %}
{% component session(s, n) -%}
::item session {{ s }} {{ n }}
{%- endcomponent session %}
";

fn embedded<'a>(templates: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tera {
    let mut tera = Tera::new();
    // Never HTML-escape: every string in the context is already markup-escaped.
    tera.autoescape_on(Vec::<&str>::new());
    register_filters(&mut tera);
    tera.add_raw_templates(templates)
        .unwrap_or_else(|e| panic!("embedded templates are invalid: {e}"));
    tera
}

/// The embedded templates plus `body` as [`CUSTOM_BODY`] (so it can use the shared components
/// and includes).
pub(crate) fn with_custom_body(body: &str) -> Result<Tera, DocumentError> {
    let mut tera = TERA.clone();
    tera.add_raw_template(CUSTOM_BODY, body).map_err(|e| {
        let error = template_error(&e);
        // tera reports a block left open where the input ends; the fix is where it opened.
        match (&error, unclosed_block(body)) {
            (DocumentError::Template { message, .. }, Some((line, column, tag)))
                if message == "Unexpected end of input" =>
            {
                DocumentError::Template {
                    line,
                    column,
                    message: format!(
                        "`{{% {tag} %}}` is never closed: `{{% end{tag} %}}` is missing \
                         (tera: unexpected end of input)"
                    ),
                }
            }
            _ => error,
        }
    })?;
    Ok(tera)
}

/// Tags that open a block closed by `end<tag>`.
const BLOCK_TAGS: [&str; 6] = ["if", "for", "filter", "block", "macro", "component"];

/// The innermost block tag of `body` left open at its end: its 1-based line and column, and
/// its name. A plain scan of `{% … %}` tags (contents of `{% raw %}` and `{# … #}` skipped):
/// enough to point at the opener once tera has said the input ended inside a block.
fn unclosed_block(body: &str) -> Option<(usize, usize, &str)> {
    let mut open: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    while let Some(i) = body[at..].find(['{']).map(|i| at + i) {
        let rest = &body[i..];
        if rest.starts_with("{#") {
            at = rest.find("#}").map_or(body.len(), |j| i + j + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            at = i + 1;
            continue;
        }
        let Some(end) = rest.find("%}") else { break };
        let inner = rest[2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()?;
        at = i + end + 2;
        if word == "raw" {
            match body[at..].find("endraw") {
                Some(j) => at += j,
                None => open.push((i, "raw")),
            }
        } else if BLOCK_TAGS.contains(&word) {
            open.push((i, word));
        } else if let Some(tag) = word.strip_prefix("end")
            && open.last().is_some_and(|(_, t)| *t == tag)
        {
            open.pop();
        }
    }
    let (offset, tag) = open.pop()?;
    let line = body[..offset].matches('\n').count() + 1;
    let line_start = body[..offset].rfind('\n').map_or(0, |n| n + 1);
    let column = body[line_start..offset].chars().count() + 1;
    Some((line, column, tag))
}

/// Renders a template. With `redact`, rendering-error messages that may quote values of the
/// context (tera's filter errors do, e.g. "The string `…` cannot be converted") are replaced by a
/// generic text: those errors come from real records and may end up in logs. Positions are kept.
pub(crate) fn render(
    tera: &Tera,
    name: &str,
    ctx: &Context,
    redact: bool,
) -> Result<String, DocumentError> {
    tera.render(name, ctx)
        .map_err(|e| rendering_error(&e, redact))
}

/// A tera error as a [`DocumentError`]; with `redact`, a rendering error's details are withheld
/// unless they quote only names (they may quote record data).
pub(crate) fn rendering_error(e: &tera::Error, redact: bool) -> DocumentError {
    let mut error = template_error(e);
    if redact
        && matches!(e.kind(), ErrorKind::RenderingError(_))
        && let DocumentError::Template { message, .. } = &mut error
        && !quotes_only_names(message)
    {
        let template = message
            .rfind(" (in template `")
            .map(|i| message[i..].to_string())
            .unwrap_or_default();
        *message = format!(
            "the template failed to render for this record (details withheld: they may quote \
             record data; validate_template shows them on sample data){template}"
        );
    }
    error
}

/// Rendering errors whose quoted parts are names from the template or the report schema.
fn quotes_only_names(message: &str) -> bool {
    (message.starts_with("Field `") && message.contains("is not defined"))
        || message.starts_with("Tried to render a variable that is undefined")
        || message.starts_with("`date`:")
        || message.starts_with("`datetime`:")
        || message.starts_with("`clinician`:")
}

fn register_filters(tera: &mut Tera) {
    tera.register_filter(
        "date",
        |v: &str, _: Kwargs, _: &State| -> TeraResult<String> {
            // The report's dates arrive escaped, `2026\-01\-06`; `6 Jan 2026` needs no escaping.
            if let Some(date) = parse_escaped_date(v) {
                return Ok(fmt_date(date));
            }
            let text = unescape_plain(v);
            let date = parse_date(&text)
                .or_else(|| parse_instant(&text).map(|d| d.date_naive()))
                .ok_or_else(|| {
                    tera::Error::message(
                        "`date`: the value is not a date (YYYY-MM-DD or an RFC 3339 instant)",
                    )
                })?;
            Ok(escape_markup(&fmt_date(date)))
        },
    );
    tera.register_filter(
        "datetime",
        |v: &str, _: Kwargs, _: &State| -> TeraResult<String> {
            let text = unescape_plain(v);
            let at = parse_instant(&text).ok_or_else(|| {
                tera::Error::message("`datetime`: the value is not an RFC 3339 instant")
            })?;
            Ok(escape_markup(&fmt_instant(at)))
        },
    );
    tera.register_filter("label", |v: &str, _: Kwargs, _: &State| -> Value {
        match known_label(v) {
            // Vocabulary words contain no escapes and their labels need none: no allocation.
            Some(l) => Value::from(l),
            None => Value::from(escape_markup(&label(&unescape_plain(v)))),
        }
    });
    tera.register_filter(
        "clinician",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> {
            let field = |k: &str| {
                v.get_from_path(k)
                    .and_then(Value::as_str)
                    .map(unescape_plain)
            };
            let Some(id) = field("id") else {
                return Err(tera::Error::message(
                    "`clinician`: expects a clinician object (with `id`, `name`, `credentials`)",
                ));
            };
            let display = match field("name") {
                Some(name) => match field("credentials") {
                    Some(c) if !c.trim().is_empty() => format!("{name}, {c}"),
                    _ => name,
                },
                None => format!("clinician {id}"),
            };
            Ok(escape_markup(&display))
        },
    );
    tera.register_filter("duration", |minutes: i64, _: Kwargs, _: &State| -> String {
        let (h, m) = (minutes / 60, minutes % 60);
        escape_markup(&match (h, m) {
            (0, m) => format!("{m} min"),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        })
    });
    tera.register_filter("filesize", |bytes: u64, _: Kwargs, _: &State| -> String {
        escape_markup(&filesize(bytes))
    });
}

/// `YYYY-MM-DD` (the report's date form), quickly.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        text.get(r)?.bytes().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// `YYYY\-MM\-DD`: a report date as it is in the context.
fn parse_escaped_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 12 || &b[4..6] != b"\\-" || &b[8..10] != b"\\-" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(6..8)?, num(10..12)?)
}

/// An RFC 3339 instant, in UTC.
fn parse_instant(text: &str) -> Option<DateTime<chrono::Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|d| d.to_utc())
}

/// Labels of the report's vocabulary words (each inert as markup).
fn known_label(word: &str) -> Option<&'static str> {
    Some(match word {
        "intake" => "Intake",
        "individual" => "Individual",
        "couples" => "Couples",
        "family" => "Family",
        "group" => "Group",
        "crisis" => "Crisis",
        "in_person" => "In person",
        "telehealth" => "Telehealth",
        "attended" => "Attended",
        "cancelled" => "Cancelled",
        "progress_note" => "Progress note",
        "psychotherapy_note" => "Psychotherapy note",
        "primary" => "Primary",
        "secondary" => "Secondary",
        "active" => "Active",
        "completed" => "Completed",
        "discontinued" => "Discontinued",
        "not_started" => "Not started",
        "in_progress" => "In progress",
        "achieved" => "Achieved",
        "diagnosis" => "Diagnosis",
        "treatment_plan_started" => "Treatment plan started",
        "session" => "Session",
        "assessment" => "Assessment",
        "attachment_uploaded" => "Attachment uploaded",
        "minimal" => "Minimal",
        "mild" => "Mild",
        "moderate" => "Moderate",
        "severe" => "Severe",
        _ => return None,
    })
}

/// Human label of a vocabulary word: `no_show` → `No-show`, `in_person` → `In person`.
pub(crate) fn label(word: &str) -> String {
    match word {
        "no_show" => "No-show".to_string(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

fn filesize(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A tera error with its line and column (1-based; 0 when tera gives no position).
pub(crate) fn template_error(e: &tera::Error) -> DocumentError {
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let mut message = r.message().to_string();
            if let Some(source) = std::error::Error::source(e) {
                message = format!("{message}: {source}");
            }
            if r.filename() != CUSTOM_BODY && !r.filename().is_empty() {
                message = format!("{message} (in template `{}`)", r.filename());
            }
            DocumentError::Template {
                line: r.span().start_line,
                column: r.span().start_col + 1,
                message,
            }
        }
        ErrorKind::Msg(text) => {
            // Reference errors (unknown filter, test, function, component, include) arrive as
            // rendered reports: "error: <message>\n --> <template>:<line>:<col>\n…".
            let (line, column, template) = locus(text).unwrap_or((0, 0, String::new()));
            let first = text.lines().next().unwrap_or(text);
            let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
            if !template.is_empty() && template != CUSTOM_BODY {
                message = format!("{message} (in template `{template}`)");
            }
            DocumentError::Template {
                line,
                column,
                message,
            }
        }
        _ => DocumentError::Template {
            line: 0,
            column: 0,
            message: e.to_string(),
        },
    }
}

/// `(line, column, template)` from the first ` --> name:line:col` of a tera report.
fn locus(report: &str) -> Option<(usize, usize, String)> {
    let arrow = report
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))?;
    let mut parts = arrow.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let template = parts.next().unwrap_or("").to_string();
    Some((line, column, template))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(label("no_show"), "No-show");
        assert_eq!(label("in_person"), "In person");
        assert_eq!(label("progress_note"), "Progress note");
        assert_eq!(label("treatment_plan_started"), "Treatment plan started");
        assert_eq!(label(""), "");
        for word in [
            "in_person",
            "treatment_plan_started",
            "moderate",
            "not_started",
        ] {
            assert_eq!(known_label(word), Some(label(word).as_str()));
        }
    }

    #[test]
    fn escaped_dates() {
        assert_eq!(
            parse_escaped_date(&escape_markup("2026-01-06")),
            NaiveDate::from_ymd_opt(2026, 1, 6)
        );
        assert_eq!(parse_escaped_date("2026-01-06"), None);
        assert_eq!(parse_escaped_date("2026\\-13\\-06"), None);
        assert_eq!(
            fmt_date(NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()),
            "6 Jan 2026"
        );
        assert_eq!(escape_markup("6 Jan 2026"), "6 Jan 2026");
    }

    #[test]
    fn file_sizes() {
        assert_eq!(filesize(512), "512 B");
        assert_eq!(filesize(12_345), "12.1 KB");
        assert_eq!(filesize(5 * 1024 * 1024), "5.0 MB");
    }

    #[test]
    fn locus_of_a_report() {
        let r = "error: Unknown filter `x`\n --> body:2:12\n  |\n2 | {{ a | x }}";
        assert_eq!(locus(r), Some((2, 12, "body".to_string())));
    }
}
