//! Turns the parts docx-rs built into a deterministic, compressed DOCX (a ZIP file).
//!
//! We pack ourselves instead of calling `XMLDocx::pack` because docx-rs stores every part
//! uncompressed with the writer's default timestamp; and because some parts are ours:
//! `word/styles.xml` and `word/settings.xml` (see [`crate::styles`]), `docProps/core.xml`
//! (docx-rs has no API for the title, creator, subject or keywords) and `word/document.xml`,
//! which gets `<w:tblHeader/>`.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use docx_rs::XMLDocx;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use exports_document_model::escape::{self, escape_into};

use crate::DocxError;

/// Namespaces of the WordprocessingML parts we write: `wp` for the charts' inline pictures
/// (`chart_picture`; their `a:` and `pic:` elements declare their own), `w14` for paragraph ids
/// (`w14:paraId`), which readers that do not know it ignore (`mc:Ignorable`).
const NAMESPACES: &str = concat!(
    r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
    r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
    r#"xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" "#,
    r#"xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14""#,
);
const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The relationship ids docx-rs gives the one header and footer it registers.
const HEADER_RID: &str = "rIdHeader1";
const FOOTER_RID: &str = "rIdFooter1";

/// Page size, margins and header/footer distances of the document's one section, in twips.
pub(crate) struct Section {
    pub page_w: i32,
    pub page_h: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub left: i32,
    pub header: i32,
    pub footer: i32,
}

/// `word/document.xml`: the body's children, then the section properties in schema order (header
/// and footer references before `w:pgSz`, `w:pgMar`, `w:cols`). The references point at the
/// relationships docx-rs wrote into `word/_rels/document.xml.rels`; that they are there is
/// checked.
pub(crate) fn document_xml(
    body: &str,
    s: &Section,
    document_rels: &[u8],
) -> Result<Vec<u8>, DocxError> {
    let rels = std::str::from_utf8(document_rels)
        .map_err(|_| DocxError::Internal("document.xml.rels is not UTF-8"))?;
    if !rels.contains(&format!("Id=\"{HEADER_RID}\""))
        || !rels.contains(&format!("Id=\"{FOOTER_RID}\""))
    {
        return Err(DocxError::Internal(
            "document.xml.rels lacks the header or footer relationship",
        ));
    }
    let mut out = String::with_capacity(body.len() + 1024);
    out.push_str(XML_DECLARATION);
    out.push_str("<w:document ");
    out.push_str(NAMESPACES);
    out.push_str("><w:body>");
    out.push_str(body);
    let _ = write!(
        out,
        concat!(
            r#"<w:sectPr><w:headerReference w:type="default" r:id="{hr}" />"#,
            r#"<w:footerReference w:type="default" r:id="{fr}" />"#,
            r#"<w:pgSz w:w="{w}" w:h="{h}" />"#,
            r#"<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" "#,
            r#"w:header="{header}" w:footer="{footer}" w:gutter="0" />"#,
            r#"<w:cols w:space="425" /></w:sectPr></w:body></w:document>"#
        ),
        hr = HEADER_RID,
        fr = FOOTER_RID,
        w = s.page_w,
        h = s.page_h,
        top = s.top,
        right = s.right,
        bottom = s.bottom,
        left = s.left,
        header = s.header,
        footer = s.footer,
    );
    Ok(out.into_bytes())
}

/// `word/header1.xml` holding these paragraphs.
pub(crate) fn header_xml(paragraphs: &str) -> Vec<u8> {
    story("w:hdr", paragraphs)
}

/// `word/footer1.xml` holding these paragraphs.
pub(crate) fn footer_xml(paragraphs: &str) -> Vec<u8> {
    story("w:ftr", paragraphs)
}

fn story(root: &str, paragraphs: &str) -> Vec<u8> {
    let mut out = String::with_capacity(paragraphs.len() + 512);
    out.push_str(XML_DECLARATION);
    let _ = write!(out, "<{root} {NAMESPACES}>{paragraphs}</{root}>");
    out.into_bytes()
}

/// Document core properties (`docProps/core.xml`).
pub(crate) struct CoreProps<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub creator: &'a str,
    pub keywords: &'a str,
    /// W3CDTF, e.g. `2026-11-27T10:00:00Z`.
    pub created: &'a str,
    /// BCP 47, e.g. `en-US`.
    pub language: &'a str,
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
    element(&mut s, "dc:language", p.language);
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
    pub header: Vec<u8>,
    pub footer: Vec<u8>,
    pub numbering: &'static [u8],
    pub styles: Vec<u8>,
    pub settings: &'static [u8],
    pub core: Vec<u8>,
}

/// Writes the package. Every entry has the same fixed timestamp and permissions, and entries are
/// written in a fixed order, so equal input gives equal bytes.
pub(crate) fn zip(parts: Parts, timestamp: DateTime) -> Result<Vec<u8>, DocxError> {
    let Parts {
        xml,
        document,
        header,
        footer,
        numbering,
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
    put("word/styles.xml", &styles)?;
    put("word/settings.xml", settings)?;
    put("word/fontTable.xml", &xml.font_table)?;
    put("word/comments.xml", &xml.comments)?;
    put("word/numbering.xml", numbering)?;
    put("word/commentsExtended.xml", &xml.comments_extended)?;
    put("word/footnotes.xml", &xml.footnotes)?;
    // docx-rs registered one header and one footer (relationships, content types); their XML
    // is ours.
    if xml.headers.len() != 1 || xml.footers.len() != 1 {
        return Err(DocxError::Internal(
            "expected one header and one footer part",
        ));
    }
    put("word/header1.xml", &header)?;
    if let Some(rels) = xml.header_rels.first() {
        put("word/_rels/header1.xml.rels", rels)?;
    }
    put("word/footer1.xml", &footer)?;
    if let Some(rels) = xml.footer_rels.first() {
        put("word/_rels/footer1.xml.rels", rels)?;
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
            language: "en-US",
        });
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.contains("<dc:title>a &lt;b&gt; &amp; c</dc:title>"));
        assert!(xml.contains("<dc:creator>Zoë</dc:creator>"));
        assert!(xml.contains(">2026-11-27T10:00:00Z</dcterms:created>"));
    }

    #[test]
    fn document_refuses_missing_relationships() {
        let s = Section {
            page_w: 12240,
            page_h: 15840,
            top: 1417,
            right: 1077,
            bottom: 1247,
            left: 1077,
            header: 425,
            footer: 374,
        };
        let rels = br#"<Relationship Id="rIdHeader1" /><Relationship Id="rIdFooter1" />"#;
        let xml = String::from_utf8(document_xml("<w:p />", &s, rels).unwrap()).unwrap();
        assert!(xml.contains(
            r#"<w:body><w:p /><w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1" />"#
        ));
        assert!(document_xml("", &s, br#"<Relationship Id="rIdHeader1" />"#).is_err());
    }
}
