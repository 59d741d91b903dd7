//! A `Document` as one standalone HTML5 page: inline CSS, inline SVG charts, every text escaped.
//! For previews and e-mails; prints cleanly (`@page` size and margins from the document).

use std::fmt::Write;

use chrono::NaiveDate;
use exports_document_model::escape::{self, escape_into};
use exports_document_model::{
    Align, Block, Document, LineChart, NoticeKind, PageSize, Run, Table, Text, band_tint,
    format_date,
};

/// Series colours (colour-blind-safe Okabe–Ito order), cycled.
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

/// Renders the whole page. Text is always escaped: nothing in the document becomes HTML.
pub fn render_html(doc: &Document) -> String {
    let mut out = String::with_capacity(8 * 1024 + estimate(doc));
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>");
    esc(&doc.meta.title, &mut out);
    out.push_str("</title>\n");
    meta(&mut out, "author", &doc.meta.author);
    meta(&mut out, "description", &doc.meta.subject);
    meta(&mut out, "keywords", &doc.meta.keywords.join(", "));
    meta(&mut out, "dcterms.created", &doc.meta.created.to_rfc3339());
    out.push_str("<meta name=\"robots\" content=\"noindex, nofollow\">\n<style>\n");
    let size = match doc.page.size {
        PageSize::Letter => "letter",
        PageSize::A4 => "A4",
    };
    let [top, right, bottom, left] = doc.page.margins_mm;
    let _ = writeln!(
        out,
        "@page {{ size: {size}; margin: {top}mm {right}mm {bottom}mm {left}mm; }}"
    );
    let text_width = doc.page.size.mm().0 - left - right;
    let _ = writeln!(out, "body {{ max-width: {text_width:.0}mm; }}");
    out.push_str(CSS);
    out.push_str(
        "</style>\n</head>\n<body>\n<header class=\"page-header\">\n<div class=\"practice\">",
    );
    esc(&doc.header.title, &mut out);
    out.push_str("</div>\n");
    for line in &doc.header.lines {
        out.push_str("<div class=\"header-line\">");
        esc(line, &mut out);
        out.push_str("</div>\n");
    }
    out.push_str("<div class=\"confidential\">");
    esc(&doc.header.confidentiality, &mut out);
    out.push_str("</div>\n</header>\n<main>\n");
    for block in &doc.blocks {
        render_block(block, &mut out);
    }
    out.push_str("</main>\n<footer class=\"page-footer\">\n");
    if let Some(text) = &doc.footer.text {
        out.push_str("<div>");
        esc(text, &mut out);
        out.push_str("</div>\n");
    }
    out.push_str("<div class=\"watermark\">");
    esc(&doc.footer.watermark, &mut out);
    out.push_str("</div>\n<div class=\"confidential\">");
    esc(&doc.header.confidentiality, &mut out);
    out.push_str("</div>\n</footer>\n</body>\n</html>\n");
    out
}

const CSS: &str = r#"* { box-sizing: border-box; }
body { margin: 0 auto; padding: 16px; font-family: "Helvetica Neue", Helvetica, Arial, "Noto Sans", sans-serif; font-size: 10.5pt; line-height: 1.4; color: #111; background: #fff; }
.page-header { border-bottom: 1px solid #888; padding-bottom: 6px; margin-bottom: 14px; }
.practice { font-weight: bold; font-size: 13pt; }
.header-line { font-size: 8.5pt; color: #444; }
.confidential { color: #b00000; font-weight: bold; font-size: 8.5pt; letter-spacing: .03em; margin-top: 2px; }
h1 { font-size: 18pt; margin: 4px 0 10px; }
h2 { font-size: 13.5pt; margin: 18px 0 6px; padding-bottom: 2px; border-bottom: 1px solid #ccc; }
h3 { font-size: 11.5pt; margin: 14px 0 4px; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
p { margin: 4px 0 8px; overflow-wrap: anywhere; }
ul { margin: 4px 0 8px; padding-left: 20px; }
li { overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 9.5pt; table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
thead { display: table-header-group; }
thead th { background: #eef1f5; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.kv th { width: 32%; background: #f6f7f9; font-weight: 600; }
.notice { border: 1px solid; border-left-width: 4px; padding: 6px 10px; margin: 8px 0 10px; break-inside: avoid; overflow-wrap: anywhere; }
.notice.info { border-color: #2b6cb0; background: #ebf4ff; }
.notice.warning { border-color: #c05621; background: #fff7ed; }
figure.chart { margin: 8px 0 14px; break-inside: avoid; page-break-inside: avoid; }
figure.chart figcaption { font-weight: 600; font-size: 10pt; margin-bottom: 2px; }
figure.chart svg { width: 100%; height: auto; max-width: 170mm; }
.legend { font-size: 8.5pt; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 4px; }
.page-break { break-after: page; page-break-after: always; }
.page-footer { border-top: 1px solid #888; margin-top: 20px; padding-top: 4px; font-size: 8pt; color: #555; }
@media print { body { max-width: none; padding: 0; } }
"#;

fn estimate(doc: &Document) -> usize {
    // Roughly the text size; tags add a bit on top.
    doc.blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph { text } | Block::Notice { text, .. } => text_len(text) + 16,
            Block::BulletList { items } => items.iter().map(|t| text_len(t) + 12).sum(),
            Block::Table(t) => t.rows.iter().flatten().map(|c| text_len(c) + 10).sum(),
            Block::KeyValue { rows } => rows.iter().map(|(k, v)| k.len() + text_len(v) + 30).sum(),
            Block::Heading { text, .. } => text.len() + 12,
            Block::Chart(_) => 4096,
            Block::PageBreak => 32,
        })
        .sum()
}

fn text_len(text: &Text) -> usize {
    text.iter().map(|r| r.text.len()).sum()
}

fn meta(out: &mut String, name: &str, content: &str) {
    out.push_str("<meta name=\"");
    out.push_str(name);
    out.push_str("\" content=\"");
    esc(content, out);
    out.push_str("\">\n");
}

/// HTML-escapes `text` (`& < > " '`) into `out`.
fn esc(text: &str, out: &mut String) {
    escape_into(out, text, escape::html);
}

/// Escaped text with `'\n'` as `<br>`.
fn esc_breaks(text: &str, out: &mut String) {
    let mut first = true;
    for line in text.split('\n') {
        if !first {
            out.push_str("<br>");
        }
        first = false;
        esc(line, out);
    }
}

fn runs(text: &Text, out: &mut String) {
    for Run { text, bold, italic } in text {
        if *bold {
            out.push_str("<strong>");
        }
        if *italic {
            out.push_str("<em>");
        }
        esc_breaks(text, out);
        if *italic {
            out.push_str("</em>");
        }
        if *bold {
            out.push_str("</strong>");
        }
    }
}

fn render_block(block: &Block, out: &mut String) {
    match block {
        Block::Heading { level, text } => {
            let level = (*level).clamp(1, 3);
            let _ = write!(out, "<h{level}>");
            esc(text, out);
            let _ = writeln!(out, "</h{level}>");
        }
        Block::Paragraph { text } => {
            out.push_str("<p>");
            runs(text, out);
            out.push_str("</p>\n");
        }
        Block::BulletList { items } => {
            out.push_str("<ul>\n");
            for item in items {
                out.push_str("<li>");
                runs(item, out);
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        Block::KeyValue { rows } => {
            out.push_str("<table class=\"kv\">\n<tbody>\n");
            for (label, value) in rows {
                out.push_str("<tr><th scope=\"row\">");
                esc(label, out);
                out.push_str("</th><td>");
                runs(value, out);
                out.push_str("</td></tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Table(table) => render_table(table, out),
        Block::Notice { kind, text } => {
            let class = match kind {
                NoticeKind::Info => "info",
                NoticeKind::Warning => "warning",
            };
            let _ = write!(out, "<div class=\"notice {class}\" role=\"note\">");
            runs(text, out);
            out.push_str("</div>\n");
        }
        Block::Chart(chart) => render_chart(chart, out),
        Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
    }
}

fn align_style(align: Align) -> &'static str {
    match align {
        Align::Left => "",
        Align::Right => " style=\"text-align:right\"",
        Align::Center => " style=\"text-align:center\"",
    }
}

fn render_table(table: &Table, out: &mut String) {
    let total: f32 = table.columns.iter().map(|c| c.width.max(0.0)).sum();
    out.push_str("<table>\n<colgroup>");
    for c in &table.columns {
        let pct = if total > 0.0 {
            c.width.max(0.0) / total * 100.0
        } else {
            100.0 / table.columns.len().max(1) as f32
        };
        let _ = write!(out, "<col style=\"width:{pct:.2}%\">");
    }
    out.push_str("</colgroup>\n<thead><tr>");
    for c in &table.columns {
        let _ = write!(out, "<th scope=\"col\"{}>", align_style(c.align));
        esc(&c.title, out);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let align = table.columns.get(i).map_or(Align::Left, |c| c.align);
            let _ = write!(out, "<td{}>", align_style(align));
            runs(cell, out);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// An inline SVG line chart: dates on x (proportional), 0..y_max on y.
fn render_chart(chart: &LineChart, out: &mut String) {
    const W: f32 = 640.0;
    const H: f32 = 260.0;
    const L: f32 = 52.0;
    const R: f32 = 16.0;
    const T: f32 = 12.0;
    const B: f32 = 34.0;
    let (pw, ph) = (W - L - R, H - T - B);
    let dates: Vec<NaiveDate> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let min = dates.iter().min().copied();
    let max = dates.iter().max().copied();
    let span_days = match (min, max) {
        (Some(a), Some(b)) => (b - a).num_days() as f32,
        _ => 0.0,
    };
    let y_max = if chart.y_max.is_finite() && chart.y_max > 0.0 {
        chart.y_max
    } else {
        1.0
    };
    let x_of = |d: NaiveDate| -> f32 {
        match min {
            Some(m) if span_days > 0.0 => L + (d - m).num_days() as f32 / span_days * pw,
            _ => L + pw / 2.0,
        }
    };
    let y_of = |v: f32| -> f32 { T + ph - (v.clamp(0.0, y_max) / y_max) * ph };

    out.push_str("<figure class=\"chart\">\n<figcaption>");
    esc(&chart.title, out);
    out.push_str("</figcaption>\n");
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\""
    );
    esc(&chart.describe(), out);
    out.push_str("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"10\">\n");
    // Bands behind everything, labelled at the right edge when tall enough for the text.
    let extents = chart.band_extents();
    for (i, e) in extents.iter().enumerate() {
        let [r, g, b] = band_tint(i, extents.len());
        let (top, bottom) = (y_of(e.high), y_of(e.low));
        let _ = writeln!(
            out,
            "<rect x=\"{L}\" y=\"{top:.1}\" width=\"{pw:.1}\" height=\"{:.1}\" fill=\"#{r:02x}{g:02x}{b:02x}\"/>",
            bottom - top
        );
        if bottom - top >= 10.0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#777\" font-size=\"8\">",
                L + pw - 4.0,
                top + 9.0
            );
            esc(&e.band.label, out);
            out.push_str("</text>\n");
        }
    }
    // Grid and y ticks at a round step.
    let step = nice_step(y_max);
    let mut v = 0.0f32;
    while v <= y_max + step * 1e-3 {
        let y = y_of(v);
        let _ = writeln!(
            out,
            "<line x1=\"{L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#444\">{}</text>",
            L + pw,
            L - 6.0,
            y + 3.5,
            tick(v)
        );
        v += step;
    }
    // Axes.
    let _ = writeln!(
        out,
        "<line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{:.1}\" stroke=\"#555\"/><line x1=\"{L}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\"/>",
        T + ph,
        T + ph,
        L + pw,
        T + ph
    );
    // Y label, rotated.
    let _ = write!(
        out,
        "<text transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">",
        T + ph / 2.0
    );
    esc(&chart.y_label, out);
    out.push_str("</text>\n");
    // X labels: first, middle and last date.
    if let (Some(a), Some(b)) = (min, max) {
        let mut labels = vec![a];
        if span_days >= 2.0 {
            labels.push(a + chrono::Duration::days((span_days / 2.0).round() as i64));
        }
        if b != a {
            labels.push(b);
        }
        let last = labels.len() - 1;
        for (k, d) in labels.into_iter().enumerate() {
            // Edge labels are anchored inside the plot so they are never clipped.
            let anchor = match k {
                0 if span_days > 0.0 => "start",
                k if k == last && span_days > 0.0 => "end",
                _ => "middle",
            };
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" fill=\"#444\">{}</text>",
                x_of(d),
                T + ph + 16.0,
                format_date(d)
            );
        }
    }
    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        if series.points.len() > 1 {
            out.push_str("<polyline fill=\"none\" stroke=\"");
            out.push_str(color);
            out.push_str("\" stroke-width=\"2\" points=\"");
            for (k, (d, v)) in series.points.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{:.1},{:.1}", x_of(*d), y_of(*v));
            }
            out.push_str("\"/>\n");
        }
        for (d, v) in &series.points {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{color}\"/>",
                x_of(*d),
                y_of(*v)
            );
        }
    }
    out.push_str("</svg>\n<div class=\"legend\">");
    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let _ = write!(out, "<span><i style=\"background:{color}\"></i>");
        esc(&series.name, out);
        out.push_str("</span>");
    }
    out.push_str("</div>\n</figure>\n");
}

/// A round grid step giving at most six intervals up to `max`: 1, 2, 2.5 or 5 × 10ⁿ.
fn nice_step(max: f32) -> f32 {
    let raw = max / 6.0;
    let magnitude = 10f32.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn tick(v: f32) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(27.0), 5.0);
        assert_eq!(nice_step(10.0), 2.0);
        assert_eq!(nice_step(1.0), 0.2);
        assert_eq!(nice_step(100.0), 20.0);
        assert_eq!(nice_step(14.0), 2.5);
    }
}
