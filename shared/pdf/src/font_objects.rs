//! The PDF font objects of the faces a document uses: Type0 fonts with an Identity-H encoding
//! over a CIDFontType2 (glyph ids as character codes), the subset TrueType program, `/W`
//! widths and a `/ToUnicode` map.
//!
//! Shaped glyphs (contextual Arabic forms, ligatures, Devanagari conjuncts) are not reachable
//! through the font's cmap: a shaped glyph can stand for several characters (a ligature) and
//! several glyphs for one character (the forms of a letter). So each glyph maps to the text
//! recorded in `GlyphUsage`, not to what the cmap says. Written with the crate's own writer
//! (`crate::writer`), at the end of the file, when the glyph set of each face is known.

use std::fmt::Write as _;

use crate::PdfError;
use crate::fonts::{FaceId, FontFace, Fonts, GlyphUsage, NO_TEXT, hhea_i16, subset_face};
use crate::writer::deflate::deflate_into;
use crate::writer::syntax::{write_i64, write_name, write_u64};
use crate::writer::{ObjWriter, Ref};

/// Deflate level of font programs (binary glyph data gains little from more).
const FONT_COMPRESSION: i32 = 1;

/// Writes the font objects of each face `usage` used; returns (resource name, Type0 font)
/// pairs, and whether every glyph has a `/ToUnicode` entry (PDF/A-2 level U). `scratch` is a
/// buffer for compressing.
pub(crate) fn write_fonts(
    w: &mut ObjWriter,
    fonts: &Fonts,
    usage: &GlyphUsage,
    scratch: &mut Vec<u8>,
) -> Result<(Vec<(String, Ref)>, bool), PdfError> {
    let mut out = Vec::new();
    let mut all_mapped = true;
    for face in FaceId::ALL {
        if !usage.is_used(face) {
            continue;
        }
        let font = fonts
            .face(face)
            .ok_or_else(|| PdfError::Font(format!("{face:?} used but not loaded")))?;
        let (id, mapped) = write_font(w, face, font, usage, scratch)?;
        all_mapped &= mapped;
        out.push((resource_name(face), id));
    }
    Ok((out, all_mapped))
}

/// The font resource name of a face (`F1` ...).
pub(crate) fn resource_name(face: FaceId) -> String {
    format!("F{}", face.index() + 1)
}

fn write_font(
    w: &mut ObjWriter,
    face_id: FaceId,
    font: &FontFace,
    usage: &GlyphUsage,
    scratch: &mut Vec<u8>,
) -> Result<(Ref, bool), PdfError> {
    let used = usage.used(face_id);
    let subset = subset_face(font, used)?;

    let scale = |v: i16| (v as f32 * 1000.0 / font.units_per_em as f32).round() as i64;
    let face = &font.face;
    let bbox = face.global_bounding_box();
    let ascent = scale(font.ascender());
    let cap_height = face.capital_height().map_or(ascent, scale);
    // The slant from the caret (hhea): negative for italic.
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

    let program = w.alloc();
    let descriptor = w.alloc();
    let cid = w.alloc();
    let to_unicode_ref = w.alloc();
    let type0 = w.alloc();

    deflate_into(FONT_COMPRESSION, &subset.program, scratch)?;
    w.stream(
        program,
        |o| {
            o.extend_from_slice(b"/Length1 ");
            write_u64(o, subset.program.len() as u64);
            o.extend_from_slice(b"/Filter/FlateDecode");
        },
        scratch,
    );
    let name = |o: &mut Vec<u8>| write_name(o, &subset.name);
    w.obj(descriptor, |o| {
        o.extend_from_slice(b"<</Type/FontDescriptor/FontName");
        name(o);
        o.extend_from_slice(b"/Flags ");
        write_i64(o, flags);
        o.extend_from_slice(b"/FontBBox[");
        for (i, v) in [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                o.push(b' ');
            }
            write_i64(o, scale(v));
        }
        o.extend_from_slice(b"]/ItalicAngle ");
        write_i64(o, italic_angle);
        o.extend_from_slice(b"/Ascent ");
        write_i64(o, ascent);
        o.extend_from_slice(b"/Descent ");
        write_i64(o, scale(font.descender()));
        o.extend_from_slice(b"/CapHeight ");
        write_i64(o, cap_height);
        o.extend_from_slice(b"/StemV ");
        write_i64(o, stem_v);
        o.extend_from_slice(b"/FontFile2 ");
        program.put(o);
        o.extend_from_slice(b">>");
    });
    w.obj(cid, |o| {
        o.extend_from_slice(b"<</Type/Font/Subtype/CIDFontType2/BaseFont");
        name(o);
        o.extend_from_slice(
            b"/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor ",
        );
        descriptor.put(o);
        // Widths of codes 0 (`.notdef`) to n, in 1/1000 em truncated as the layout measured
        // them.
        o.extend_from_slice(b"/W[0[");
        write_u64(o, font.advance(0) as u64);
        for &(_, gid) in used {
            o.push(b' ');
            write_u64(o, font.advance(gid) as u64);
        }
        o.extend_from_slice(b"]]/CIDToGIDMap/Identity>>");
    });
    let nominal = nominal_chars(font, used, usage.texts(face_id));
    let cmap = to_unicode(
        used,
        usage.texts(face_id),
        &nominal,
        usage.provisional(face_id),
    );
    w.stream(to_unicode_ref, |_| {}, cmap.as_bytes());
    // Every glyph has an entry: a character, a cluster's text, the cmap's character, or the
    // text of the cluster it was first drawn in (the order `to_unicode` tries them in).
    let mapped = used.iter().enumerate().all(|(k, &(c, _))| {
        let code = (k + 1) as u16;
        c != NO_TEXT
            || usage.texts(face_id).iter().any(|(t, _)| *t == code)
            || nominal.iter().any(|(t, _)| *t == code)
            || usage.provisional(face_id).iter().any(|(t, _)| *t == code)
    });
    w.obj(type0, |o| {
        o.extend_from_slice(b"<</Type/Font/Subtype/Type0/BaseFont");
        name(o);
        o.extend_from_slice(b"/Encoding/Identity-H/DescendantFonts[");
        cid.put(o);
        o.extend_from_slice(b"]/ToUnicode ");
        to_unicode_ref.put(o);
        o.extend_from_slice(b">>");
    });
    Ok((type0, mapped))
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
