//! The PDF font objects of the faces a document uses: Type0 fonts with an Identity-H encoding
//! over a CIDFontType2 (glyph ids as character codes), the subset TrueType program, `/W`
//! widths and a `/ToUnicode` map.
//!
//! Written here rather than by printpdf because shaped glyphs (contextual Arabic forms,
//! ligatures, Devanagari conjuncts) are not reachable through the font's cmap: printpdf builds
//! `/ToUnicode` from character -> glyph pairs, one glyph per character, while a shaped glyph can
//! stand for several characters (a ligature) and several glyphs for one character (the forms
//! of a letter). Here each glyph maps to the text recorded in `GlyphUsage`.

use std::fmt::Write as _;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

use crate::PdfError;
use crate::fonts::{FaceId, FontFace, Fonts, GlyphUsage, NO_TEXT, hhea_i16, subset_face};

/// Adds a font object for each face `usage` used; returns (resource name, font object) pairs.
pub(crate) fn add_fonts(
    lo: &mut lopdf::Document,
    fonts: &Fonts,
    usage: &GlyphUsage,
) -> Result<Vec<(String, ObjectId)>, PdfError> {
    let mut out = Vec::new();
    for face in FaceId::ALL {
        if !usage.is_used(face) {
            continue;
        }
        let font = fonts
            .face(face)
            .ok_or_else(|| PdfError::Font(format!("{face:?} used but not loaded")))?;
        let id = add_font(lo, face, font, usage)?;
        out.push((resource_name(face), id));
    }
    Ok(out)
}

/// The font resource name of a face (`F1` ...).
pub(crate) fn resource_name(face: FaceId) -> String {
    format!("F{}", face.index() + 1)
}

fn add_font(
    lo: &mut lopdf::Document,
    face_id: FaceId,
    font: &FontFace,
    usage: &GlyphUsage,
) -> Result<ObjectId, PdfError> {
    let used = usage.used(face_id);
    let subset = subset_face(font, used)?;
    let name = || Object::Name(subset.name.clone().into_bytes());

    // Widths of codes 0 (`.notdef`, drawn for a glyph a shaped run lacks) to n, in 1/1000 em
    // truncated as the layout measured them.
    let widths: Vec<Object> = std::iter::once(font.advance(0))
        .chain(used.iter().map(|&(_, gid)| font.advance(gid)))
        .map(|w| Object::Integer(w as i64))
        .collect();

    let scale = |v: i16| (v as f32 * 1000.0 / font.units_per_em as f32).round() as i64;
    let face = &font.face;
    let bbox = face.global_bounding_box();
    let ascent = scale(font.ascender());
    let cap_height = face.capital_height().map_or(ascent, scale);
    // The slant from the caret (hhea), as printpdf derived it: negative for italic.
    let rise = hhea_i16(face, 18).unwrap_or(1);
    let run = hhea_i16(face, 20).unwrap_or(0);
    let italic_angle = if rise == 0 {
        0
    } else {
        (-(run as f32).atan2(rise as f32).to_degrees()).round() as i64
    };
    // ISO 32000-1 Table 123: nonsymbolic (32) for the Latin faces, symbolic (4) for the others;
    // italic (64).
    let flags = if face_id.latin() { 32 } else { 4 } | if italic_angle != 0 { 64 } else { 0 };
    // StemV: no table carries it; estimated from the weight class the way producers do.
    let weight = face.weight().to_number();
    let stem_v = 50 + ((weight as f32 / 65.0).powi(2)).round() as i64;

    let mut program = Dictionary::new();
    program.set("Length1", Object::Integer(subset.program.len() as i64));
    let program_id = lo.add_object(Stream::new(program, subset.program));

    let mut descriptor = Dictionary::new();
    descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    descriptor.set("FontName", name());
    descriptor.set("Flags", Object::Integer(flags));
    descriptor.set(
        "FontBBox",
        Object::Array(
            [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max]
                .into_iter()
                .map(|v| Object::Integer(scale(v)))
                .collect(),
        ),
    );
    descriptor.set("ItalicAngle", Object::Integer(italic_angle));
    descriptor.set("Ascent", Object::Integer(ascent));
    descriptor.set("Descent", Object::Integer(scale(font.descender())));
    descriptor.set("CapHeight", Object::Integer(cap_height));
    descriptor.set("StemV", Object::Integer(stem_v));
    descriptor.set("FontFile2", Object::Reference(program_id));
    let descriptor_id = lo.add_object(descriptor);

    let mut system = Dictionary::new();
    system.set(
        "Registry",
        Object::String(b"Adobe".to_vec(), StringFormat::Literal),
    );
    system.set(
        "Ordering",
        Object::String(b"Identity".to_vec(), StringFormat::Literal),
    );
    system.set("Supplement", Object::Integer(0));

    let mut cid = Dictionary::new();
    cid.set("Type", Object::Name(b"Font".to_vec()));
    cid.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
    cid.set("BaseFont", name());
    cid.set("CIDSystemInfo", Object::Dictionary(system));
    cid.set("FontDescriptor", Object::Reference(descriptor_id));
    cid.set(
        "W",
        Object::Array(vec![Object::Integer(0), Object::Array(widths)]),
    );
    cid.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
    let cid_id = lo.add_object(cid);

    let nominal = nominal_chars(font, used, usage.texts(face_id));
    let cmap = to_unicode(
        used,
        usage.texts(face_id),
        &nominal,
        usage.provisional(face_id),
    );
    let cmap_id = lo.add_object(Stream::new(Dictionary::new(), cmap.into_bytes()));

    let mut type0 = Dictionary::new();
    type0.set("Type", Object::Name(b"Font".to_vec()));
    type0.set("Subtype", Object::Name(b"Type0".to_vec()));
    type0.set("BaseFont", name());
    type0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
    type0.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(cid_id)]),
    );
    type0.set("ToUnicode", Object::Reference(cmap_id));
    Ok(lo.add_object(type0))
}

/// For the glyphs only ever drawn inside `/ActualText` spans (so with no text of their own):
/// (subset gid, the character the font's cmap maps to them). Readers that ignore `/ActualText`
/// then still get a character for, say, a vowel sign; glyphs no character maps to (contextual
/// forms, conjuncts) have none.
fn nominal_chars(
    font: &FontFace,
    used: &[(char, u16)],
    texts: &[(u16, Box<str>)],
) -> Vec<(u16, char)> {
    let wanted: Vec<(u16, u16)> = used
        .iter()
        .enumerate()
        .map(|(k, &(c, gid))| (c, gid, (k + 1) as u16))
        .filter(|&(c, _, code)| c == NO_TEXT && !texts.iter().any(|(t, _)| *t == code))
        .map(|(_, gid, code)| (gid, code))
        .collect();
    let mut found: Vec<(u16, char)> = Vec::new();
    let Some(cmap) = (!wanted.is_empty())
        .then(|| font.face.tables().cmap)
        .flatten()
    else {
        return found;
    };
    for sub in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
        sub.codepoints(|cp| {
            let Some(gid) = sub.glyph_index(cp) else {
                return;
            };
            if let (Some(&(_, code)), Some(c)) =
                (wanted.iter().find(|(g, _)| *g == gid.0), char::from_u32(cp))
            {
                // The lowest code point wins, whatever order the subtable lists them in.
                match found.iter_mut().find(|(k, _)| *k == code) {
                    Some((_, prev)) if *prev <= c => {}
                    Some((_, prev)) => *prev = c,
                    None => found.push((code, c)),
                }
            }
        });
    }
    found
}

/// The `/ToUnicode` CMap (ISO 32000-1 9.10.3): subset glyph `k + 1` -> `used[k].0`, the
/// glyphs of `texts` -> their texts; glyphs with neither (drawn only inside `/ActualText`
/// spans) -> the character the font's cmap gives them (`nominal`), else the text of the
/// cluster they were first drawn in (`provisional`): PDF/UA wants an entry for every glyph
/// shown, whatever spans say.
fn to_unicode(
    used: &[(char, u16)],
    texts: &[(u16, Box<str>)],
    nominal: &[(u16, char)],
    provisional: &[(u16, Box<str>)],
) -> String {
    let mut entries: Vec<(u16, String)> = Vec::with_capacity(used.len());
    for (k, &(c, _)) in used.iter().enumerate() {
        let code = (k + 1) as u16;
        if c != NO_TEXT {
            entries.push((code, utf16_hex(&c.to_string())));
        } else if let Some((_, text)) = texts.iter().find(|(t, _)| *t == code) {
            entries.push((code, utf16_hex(text)));
        } else if let Some((_, c)) = nominal.iter().find(|(t, _)| *t == code) {
            entries.push((code, utf16_hex(&c.to_string())));
        } else if let Some((_, text)) = provisional.iter().find(|(t, _)| *t == code) {
            entries.push((code, utf16_hex(text)));
        }
    }
    let mut s = String::with_capacity(256 + entries.len() * 20);
    s.push_str(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per block (the CMap format's limit).
    for block in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", block.len());
        for (code, hex) in block {
            let _ = writeln!(s, "<{code:04X}> <{hex}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// UTF-16BE code units of `text` as hex digits.
fn utf16_hex(text: &str) -> String {
    let mut s = String::with_capacity(text.len() * 4);
    for u in text.encode_utf16() {
        let _ = write!(s, "{u:04X}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_maps_single_characters_and_ligatures() {
        let cmap = to_unicode(
            &[
                ('A', 36),
                (NO_TEXT, 500),
                ('🙂', 7),
                (NO_TEXT, 9),
                (NO_TEXT, 11),
                (NO_TEXT, 12),
            ],
            &[(2, "لا".into())],
            &[(5, 'ि')],
            &[(5, "कि".into()), (6, "क्ष".into())],
        );
        let entries = "5 beginbfchar\n<0001> <0041>\n<0002> <06440627>\n<0003> <D83DDE42>\n\
                       <0005> <093F>\n<0006> <0915094D0937>\nendbfchar";
        assert!(cmap.contains(entries), "{cmap}");
        assert!(
            !cmap.contains("<0004>"),
            "a glyph with no text at all has no entry"
        );
    }
}
