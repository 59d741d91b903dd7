//! The embedded fonts: parsed once, glyph lookup + advance widths cached, subsetted per document.
//!
//! Widths are kept in integer thousandths of an em, truncated exactly as printpdf writes the PDF
//! `/W` array, so the width a line is laid out with is the width a viewer draws it with.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use ttf_parser::{Face, GlyphId};

use crate::PdfError;

/// One of the embedded faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FaceId {
    Regular = 0,
    Bold = 1,
    Italic = 2,
    BoldItalic = 3,
    /// CJK + kana + Hangul fallback (WenQuanYi Micro Hei) for characters DejaVu lacks.
    Fallback = 4,
}

pub(crate) const FACE_COUNT: usize = 5;

impl FaceId {
    pub(crate) const ALL: [FaceId; FACE_COUNT] = [
        FaceId::Regular,
        FaceId::Bold,
        FaceId::Italic,
        FaceId::BoldItalic,
        FaceId::Fallback,
    ];

    pub(crate) fn styled(bold: bool, italic: bool) -> FaceId {
        match (bold, italic) {
            (false, false) => FaceId::Regular,
            (true, false) => FaceId::Bold,
            (false, true) => FaceId::Italic,
            (true, true) => FaceId::BoldItalic,
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

struct Source {
    data: &'static [u8],
    ps_name: &'static str,
    /// Code points below this are resolved through a flat table built at start-up.
    direct_limit: u32,
}

const SOURCES: [Source; FACE_COUNT] = [
    Source {
        data: include_bytes!("../fonts/DejaVuSans.ttf"),
        ps_name: "DejaVuSans",
        direct_limit: DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/DejaVuSans-Bold.ttf"),
        ps_name: "DejaVuSans-Bold",
        direct_limit: DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/DejaVuSans-Oblique.ttf"),
        ps_name: "DejaVuSans-Oblique",
        direct_limit: DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/DejaVuSans-BoldOblique.ttf"),
        ps_name: "DejaVuSans-BoldOblique",
        direct_limit: DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/WenQuanYiMicroHei.ttf"),
        ps_name: "WenQuanYiMicroHei",
        // Only consulted for what DejaVu lacks; its own cmap lookup is fast enough.
        direct_limit: 0,
    },
];

/// Latin (incl. Vietnamese in Latin Extended Additional), Greek, Cyrillic, punctuation, arrows,
/// maths: everything below U+2500 is looked up in a flat table (40 KB per face).
const DIRECT_LIMIT: u32 = 0x2500;

/// A glyph of one face: its id and its advance in 1/1000 em. `gid == 0` means "not in the face".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Glyph {
    pub gid: u16,
    pub adv: u16,
}

pub(crate) struct FontFace {
    pub data: &'static [u8],
    pub ps_name: &'static str,
    pub face: Face<'static>,
    pub units_per_em: u16,
    pub num_glyphs: u16,
    direct: Box<[Glyph]>,
}

impl FontFace {
    fn load(src: &Source) -> Result<FontFace, PdfError> {
        let face = Face::parse(src.data, 0)
            .map_err(|e| PdfError::Font(format!("{}: {e}", src.ps_name)))?;
        let units_per_em = face.units_per_em();
        let num_glyphs = face.number_of_glyphs();
        let mut f = FontFace {
            data: src.data,
            ps_name: src.ps_name,
            face,
            units_per_em,
            num_glyphs,
            direct: Box::new([]),
        };
        let direct: Vec<Glyph> = (0..src.direct_limit)
            .map(|cp| {
                char::from_u32(cp)
                    .and_then(|c| f.lookup_slow(c))
                    .unwrap_or_default()
            })
            .collect();
        f.direct = direct.into_boxed_slice();
        Ok(f)
    }

    /// The advance of `gid` in 1/1000 em, truncated the way printpdf writes `/W`.
    pub(crate) fn advance(&self, gid: u16) -> u16 {
        let units = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        (units as f32 * 1000.0 / self.units_per_em as f32) as u16
    }

    fn lookup_slow(&self, c: char) -> Option<Glyph> {
        let gid = self.face.glyph_index(c)?.0;
        (gid != 0).then(|| Glyph {
            gid,
            adv: self.advance(gid),
        })
    }

    /// The glyph for `c`, if this face has one.
    #[inline]
    pub(crate) fn lookup(&self, c: char) -> Option<Glyph> {
        match self.direct.get(c as usize) {
            Some(g) if g.gid != 0 => Some(*g),
            Some(_) => None,
            None => self.lookup_slow(c),
        }
    }

    pub(crate) fn ascender(&self) -> i16 {
        self.face.ascender()
    }

    pub(crate) fn descender(&self) -> i16 {
        self.face.descender()
    }
}

pub(crate) struct Fonts {
    pub faces: [FontFace; FACE_COUNT],
    /// The glyph drawn for a character no face has: U+FFFD from DejaVu (or `?`).
    pub replacement: char,
}

static FONTS: LazyLock<Result<Fonts, PdfError>> = LazyLock::new(|| {
    let faces = [
        FontFace::load(&SOURCES[0])?,
        FontFace::load(&SOURCES[1])?,
        FontFace::load(&SOURCES[2])?,
        FontFace::load(&SOURCES[3])?,
        FontFace::load(&SOURCES[4])?,
    ];
    let replacement = if FaceId::ALL[..4]
        .iter()
        .all(|f| faces[f.index()].lookup('\u{FFFD}').is_some())
    {
        '\u{FFFD}'
    } else {
        '?'
    };
    Ok(Fonts { faces, replacement })
});

/// The parsed fonts (parsed on first use, then shared by every render).
pub(crate) fn fonts() -> Result<&'static Fonts, PdfError> {
    FONTS.as_ref().map_err(Clone::clone)
}

impl Fonts {
    pub(crate) fn face(&self, id: FaceId) -> &FontFace {
        &self.faces[id.index()]
    }
}

/// The glyphs of each face one document uses, numbered as they will be in the subset.
///
/// Glyph `k` of `used` gets subset id `k + 1` (0 is `.notdef`): the same numbering
/// `subsetter::GlyphRemapper` produces when fed the glyphs in this order, so content streams can
/// be written with final glyph ids while the layout runs.
pub(crate) struct GlyphUsage {
    /// Per face: original gid -> subset gid (0: not used yet); allocated on first use.
    map: [Vec<u16>; FACE_COUNT],
    /// Per face: (a character drawn with the glyph, original gid), in subset order.
    used: [Vec<(char, u16)>; FACE_COUNT],
}

impl GlyphUsage {
    pub(crate) fn new() -> Self {
        GlyphUsage {
            map: Default::default(),
            used: Default::default(),
        }
    }

    /// The subset glyph id of `gid` (the glyph of `c` in `face`).
    #[inline]
    pub(crate) fn code(&mut self, fonts: &Fonts, face: FaceId, c: char, gid: u16) -> u16 {
        let i = face.index();
        let map = &mut self.map[i];
        if map.is_empty() {
            map.resize(fonts.faces[i].num_glyphs as usize + 1, 0);
        }
        let slot = &mut map[gid as usize];
        if *slot == 0 {
            self.used[i].push((c, gid));
            *slot = self.used[i].len() as u16;
        }
        *slot
    }

    pub(crate) fn is_used(&self, face: FaceId) -> bool {
        !self.used[face.index()].is_empty()
    }

    pub(crate) fn used(&self, face: FaceId) -> &[(char, u16)] {
        &self.used[face.index()]
    }
}

/// A face subsetted for one document, ready to hand to printpdf.
pub(crate) fn subset_face(
    fonts: &Fonts,
    face_id: FaceId,
    used: &[(char, u16)],
) -> Result<printpdf::ParsedFont, PdfError> {
    let font = fonts.face(face_id);
    let mut remapper = subsetter::GlyphRemapper::new();
    for &(_, gid) in used {
        remapper.remap(gid);
    }
    let bytes = subsetter::subset(font.data, 0, &remapper)
        .map_err(|e| PdfError::Font(format!("subsetting {}: {e}", font.ps_name)))?;

    let mut codepoint_to_glyph = BTreeMap::new();
    let mut glyph_widths = BTreeMap::new();
    // Subset tag (ISO 32000-1 9.6.4): six capitals, derived from the glyph set so the output is
    // deterministic and different subsets of one font get different names.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, &(c, gid)) in used.iter().enumerate() {
        let new_gid = (k + 1) as u16;
        if remapper.get(gid) != Some(new_gid) {
            return Err(PdfError::Font(format!(
                "subsetting {}: glyph {gid} numbered {:?}, expected {new_gid}",
                font.ps_name,
                remapper.get(gid)
            )));
        }
        codepoint_to_glyph.insert(c as u32, new_gid);
        let units = font.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        glyph_widths.insert(new_gid, units);
        hash = (hash ^ gid as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let mut tag = String::with_capacity(7 + font.ps_name.len());
    for k in 0..6 {
        tag.push((b'A' + ((hash >> (k * 5)) % 26) as u8) as char);
    }
    tag.push('+');
    tag.push_str(font.ps_name);

    let face = &font.face;
    let bbox = face.global_bounding_box();
    let mut parsed = printpdf::ParsedFont::with_glyph_data(
        bytes,
        0,
        Some(tag),
        codepoint_to_glyph,
        glyph_widths,
        font.units_per_em,
        printpdf::FontMetrics {
            ascent: font.ascender(),
            descent: font.descender(),
        },
    );
    parsed.pdf_font_metrics = printpdf::font::PdfFontMetricsStub {
        units_per_em: font.units_per_em,
        x_min: bbox.x_min,
        y_min: bbox.y_min,
        x_max: bbox.x_max,
        y_max: bbox.y_max,
        caret_slope_rise: hhea_i16(face, 18).unwrap_or(1),
        caret_slope_run: hhea_i16(face, 20).unwrap_or(0),
        us_weight_class: face.weight().to_number(),
    };
    Ok(parsed)
}

/// A big-endian i16 of the `hhea` table (18: caretSlopeRise, 20: caretSlopeRun).
fn hhea_i16(face: &Face<'_>, offset: usize) -> Option<i16> {
    let hhea = face
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"hhea"))?;
    let b = hhea.get(offset..offset + 2)?;
    Some(i16::from_be_bytes([b[0], b[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_parse_and_cover_the_scripts_we_promise() {
        let f = fonts().unwrap();
        for c in ['Z', 'ë', 'ễ', 'Ø', 'Ε', 'λ', 'Ж', '•', '—', '·', '\u{FFFD}'] {
            for face in &FaceId::ALL[..4] {
                assert!(f.face(*face).lookup(c).is_some(), "{face:?} lacks {c}");
            }
        }
        for c in ['王', '芳', '김', '민', '준', 'あ', 'カ'] {
            assert!(f.face(FaceId::Regular).lookup(c).is_none());
            assert!(
                f.face(FaceId::Fallback).lookup(c).is_some(),
                "fallback lacks {c}"
            );
        }
        assert_eq!(f.replacement, '\u{FFFD}');
        let a = f.face(FaceId::Regular).lookup('a').unwrap();
        assert!(a.adv > 500 && a.adv < 700, "{a:?}");
    }
}
