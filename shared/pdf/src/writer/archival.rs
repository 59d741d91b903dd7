//! PDF/A-2 identification (ISO 19005-2): the XMP metadata packet, which says the file claims
//! PDF/A-2 and PDF/UA-1 and repeats the document information, and the sRGB output intent that
//! gives the DeviceRGB colours their meaning.

use exports_document_model::Document;
use exports_document_model::escape::{escape_into, xml_text};

use super::deflate::deflate_into;
use super::{ObjWriter, Ref};
use crate::PdfError;

/// The output intent's profile: sRGB IEC 61966-2.1 (`color/README.md`).
const SRGB: &[u8] = include_bytes!("../../color/sRGB.icc");

/// The document information both the Info dictionary and the XMP packet carry; they must agree
/// exactly (ISO 19005-2 6.6.2.3.1 via 19005-1 6.7.3).
pub(crate) struct DocInfo<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub subject: &'a str,
    pub keywords: String,
    pub creator: &'a str,
    pub producer: &'a str,
    /// As an XMP date (`2026-11-27T10:00:00+00:00`).
    pub xmp_date: String,
}

impl<'a> DocInfo<'a> {
    pub(crate) fn new(doc: &'a Document, creator: &'a str, producer: &'a str) -> Self {
        DocInfo {
            title: &doc.meta.title,
            author: &doc.meta.author,
            subject: &doc.meta.subject,
            keywords: doc.meta.keywords.join(","),
            creator,
            producer,
            xmp_date: doc
                .meta
                .created
                .format("%Y-%m-%dT%H:%M:%S+00:00")
                .to_string(),
        }
    }
}

/// Writes the XMP metadata stream (uncompressed, as PDF/A requires); `conformance` is the
/// PDF/A-2 level claimed (`U`: every glyph maps to Unicode, or `B`).
pub(crate) fn write_metadata(w: &mut ObjWriter, info: &DocInfo<'_>, conformance: char) -> Ref {
    let x = |s: &str| {
        let mut out = String::with_capacity(s.len());
        escape_into(&mut out, s, xml_text);
        out
    };
    let packet = format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">
 <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">
  <rdf:Description rdf:about=\"\"
    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"
    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"
    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"
    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"
    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>
   <pdf:Keywords>{keywords}</pdf:Keywords>
   <pdf:Producer>{producer}</pdf:Producer>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>{conformance}</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
  <rdf:Description rdf:about=\"\"
    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"
    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"
    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType=\"Resource\">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType=\"Resource\">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Part of ISO 14289 followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end=\"r\"?>",
        title = x(info.title),
        author = x(info.author),
        subject = x(info.subject),
        keywords = x(&info.keywords),
        producer = x(info.producer),
        creator = x(info.creator),
        date = info.xmp_date,
    );
    let r = w.alloc();
    w.stream(
        r,
        |o| o.extend_from_slice(b"/Type/Metadata/Subtype/XML"),
        packet.as_bytes(),
    );
    r
}

/// The profile compressed, once per process (a tenth of a small document's render time).
static SRGB_DEFLATED: std::sync::OnceLock<Result<Vec<u8>, PdfError>> = std::sync::OnceLock::new();

/// Writes the sRGB output intent; returns the intent dictionary.
pub(crate) fn write_output_intent(w: &mut ObjWriter) -> Result<Ref, PdfError> {
    let profile = w.alloc();
    let intent = w.alloc();
    let deflated = SRGB_DEFLATED
        .get_or_init(|| {
            let mut out = Vec::new();
            deflate_into(9, SRGB, &mut out).map(|()| out)
        })
        .as_ref()
        .map_err(Clone::clone)?;
    w.stream(
        profile,
        |o| o.extend_from_slice(b"/N 3/Filter/FlateDecode"),
        deflated,
    );
    w.obj(intent, |o| {
        o.extend_from_slice(
            b"<</Type/OutputIntent/S/GTS_PDFA1/OutputConditionIdentifier(sRGB IEC61966-2.1)\
/RegistryName(http://www.color.org)/Info(sRGB IEC61966-2.1)/DestOutputProfile ",
        );
        profile.put(o);
        o.extend_from_slice(b">>");
    });
    Ok(intent)
}
