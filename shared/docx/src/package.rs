//! Turns the parts docx-rs built into a deterministic, compressed DOCX (a ZIP file).
//!
//! We pack ourselves instead of calling `XMLDocx::pack` because docx-rs stores every part
//! uncompressed with the writer's default timestamp; and because some parts are ours:
//! `word/styles.xml` and `word/settings.xml` (see [`crate::styles`]), `docProps/core.xml`
//! (docx-rs has no API for the title, creator, subject or keywords) and `word/document.xml`,
//! which gets `<w:tblHeader/>`.

use std::io::{Cursor, Write};

use docx_rs::XMLDocx;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use exports_document_model::escape::{self, escape_into};

use crate::DocxError;

/// The marker the body writer puts on data-table header rows only (the bytes docx-rs writes for
/// `TableRow::cant_split()`), so it marks exactly the rows that must repeat on every page.
pub(crate) const HEADER_ROW_MARKER: &str = "<w:trPr><w:cantSplit />";
const HEADER_ROW_PATCHED: &str = "<w:trPr><w:cantSplit /><w:tblHeader />";

/// Adds `<w:tblHeader/>` to every header row (`w:trPr` children are an unordered choice in
/// ECMA-376, so the position inside `w:trPr` is free). Patient text cannot forge the marker:
/// docx-rs escapes `<` in text. The count is checked against the rows the renderer marked.
pub(crate) fn mark_header_rows(document_xml: &[u8], expected: usize) -> Result<Vec<u8>, DocxError> {
    let xml = std::str::from_utf8(document_xml)
        .map_err(|_| DocxError::Internal("document.xml is not UTF-8"))?;
    let mut out = String::with_capacity(
        xml.len() + expected * (HEADER_ROW_PATCHED.len() - HEADER_ROW_MARKER.len()),
    );
    let mut found = 0;
    let mut rest = 0;
    for (at, _) in xml.match_indices(HEADER_ROW_MARKER) {
        out.push_str(&xml[rest..at]);
        out.push_str(HEADER_ROW_PATCHED);
        rest = at + HEADER_ROW_MARKER.len();
        found += 1;
    }
    out.push_str(&xml[rest..]);
    if found != expected {
        return Err(DocxError::Internal(
            "header-row marker count differs from the header rows rendered",
        ));
    }
    Ok(out.into_bytes())
}

/// Puts `body` (the body's children before `<w:sectPr>`) into the `<w:body>` of the
/// `word/document.xml` docx-rs wrote for an empty body.
pub(crate) fn splice_body(document_xml: &[u8], body: &str) -> Result<Vec<u8>, DocxError> {
    const OPEN: &[u8] = b"<w:body>";
    let at = document_xml
        .windows(OPEN.len())
        .position(|w| w == OPEN)
        .ok_or(DocxError::Internal("document.xml has no <w:body>"))?
        + OPEN.len();
    let mut out = Vec::with_capacity(document_xml.len() + body.len());
    out.extend_from_slice(&document_xml[..at]);
    out.extend_from_slice(body.as_bytes());
    out.extend_from_slice(&document_xml[at..]);
    Ok(out)
}

/// Document core properties (`docProps/core.xml`).
pub(crate) struct CoreProps<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub creator: &'a str,
    pub keywords: &'a str,
    /// W3CDTF, e.g. `2026-11-27T10:00:00Z`.
    pub created: &'a str,
}

pub(crate) fn core_xml(p: &CoreProps<'_>) -> Vec<u8> {
    let mut s = String::with_capacity(1024);
    s.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
    s.push_str(concat!(
        r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
        r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
    ));
    element(&mut s, "dc:title", p.title);
    element(&mut s, "dc:subject", p.subject);
    element(&mut s, "dc:creator", p.creator);
    element(&mut s, "cp:keywords", p.keywords);
    element(&mut s, "cp:lastModifiedBy", p.creator);
    s.push_str("<cp:revision>1</cp:revision>");
    s.push_str(r#"<dcterms:created xsi:type="dcterms:W3CDTF">"#);
    s.push_str(p.created);
    s.push_str("</dcterms:created>");
    s.push_str(r#"<dcterms:modified xsi:type="dcterms:W3CDTF">"#);
    s.push_str(p.created);
    s.push_str("</dcterms:modified>");
    s.push_str("</cp:coreProperties>");
    s.into_bytes()
}

fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text, escape::xml_text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// The parts of the package, in the order they are written.
pub(crate) struct Parts {
    pub xml: XMLDocx,
    pub document: Vec<u8>,
    pub styles: &'static [u8],
    pub settings: &'static [u8],
    pub core: Vec<u8>,
}

/// Writes the package. Every entry has the same fixed timestamp and permissions, and entries are
/// written in a fixed order, so equal input gives equal bytes.
pub(crate) fn zip(parts: Parts, timestamp: DateTime) -> Result<Vec<u8>, DocxError> {
    let Parts {
        xml,
        document,
        styles,
        settings,
        core,
    } = parts;
    let capacity = document.len() / 4 + 64 * 1024;
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    // Level 1: the XML still shrinks about 6×, at a fraction of level 6's time.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(timestamp)
        .unix_permissions(0o644);

    let mut put = |name: &str, bytes: &[u8]| -> Result<(), DocxError> {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    put("[Content_Types].xml", &xml.content_type)?;
    put("_rels/.rels", &xml.rels)?;
    put("docProps/app.xml", &xml.doc_props.app)?;
    put("docProps/core.xml", &core)?;
    put("docProps/custom.xml", &xml.doc_props.custom)?;
    put("word/_rels/document.xml.rels", &xml.document_rels)?;
    put("word/document.xml", &document)?;
    put("word/styles.xml", styles)?;
    put("word/settings.xml", settings)?;
    put("word/fontTable.xml", &xml.font_table)?;
    put("word/comments.xml", &xml.comments)?;
    put("word/numbering.xml", &xml.numberings)?;
    put("word/commentsExtended.xml", &xml.comments_extended)?;
    put("word/footnotes.xml", &xml.footnotes)?;
    for (i, header) in xml.headers.iter().enumerate() {
        put(&format!("word/header{}.xml", i + 1), header)?;
        if let Some(rels) = xml.header_rels.get(i) {
            put(&format!("word/_rels/header{}.xml.rels", i + 1), rels)?;
        }
    }
    for (i, footer) in xml.footers.iter().enumerate() {
        put(&format!("word/footer{}.xml", i + 1), footer)?;
        if let Some(rels) = xml.footer_rels.get(i) {
            put(&format!("word/_rels/footer{}.xml.rels", i + 1), rels)?;
        }
    }
    // The chart pictures (`chart_picture::attach`), after every XML part.
    for (name, png) in &xml.media {
        put(&format!("word/media/{name}.png"), png)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_xml_escapes() {
        let xml = core_xml(&CoreProps {
            title: "a <b> & c",
            subject: "s",
            creator: "Zoë",
            keywords: "k1, k2",
            created: "2026-11-27T10:00:00Z",
        });
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.contains("<dc:title>a &lt;b&gt; &amp; c</dc:title>"));
        assert!(xml.contains("<dc:creator>Zoë</dc:creator>"));
        assert!(xml.contains(">2026-11-27T10:00:00Z</dcterms:created>"));
    }

    #[test]
    fn header_row_marker_count_is_checked() {
        let xml = b"<w:tr><w:trPr><w:cantSplit /></w:trPr></w:tr>";
        let patched = mark_header_rows(xml, 1).unwrap();
        assert_eq!(
            std::str::from_utf8(&patched).unwrap(),
            "<w:tr><w:trPr><w:cantSplit /><w:tblHeader /></w:trPr></w:tr>"
        );
        assert!(mark_header_rows(xml, 2).is_err());
    }
}
