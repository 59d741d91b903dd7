//! The embedded fonts: parsed on first use, glyph lookup + advance widths cached, subsetted per
//! document.
//!
//! The four DejaVu Sans faces draw most text and are parsed with the first render (their glyphs
//! below U+2500 go into flat tables). Every other face (the Noto faces of Arabic, Hebrew,
//! Devanagari and Thai, WenQuanYi Micro Hei for CJK, the Symbola emoji subset) is parsed the
//! first time a document needs one of its characters, so a Latin-only document never pays for
//! them; the shaping tables (rustybuzz) and shape plans of the Noto faces likewise.
//!
//! Widths are kept in integer thousandths of an em, truncated exactly as `/W` is written
//! (`font_objects`), so the width a line is laid out with is the width a viewer draws it with.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, OnceLock};

use rustybuzz::{Direction, Script, ShapePlan};
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
    Cjk = 4,
    Arabic = 5,
    ArabicBold = 6,
    Hebrew = 7,
    HebrewBold = 8,
    Devanagari = 9,
    DevanagariBold = 10,
    Thai = 11,
    ThaiBold = 12,
    /// Monochrome emoji and symbols (Symbola subset), the last fallback.
    Emoji = 13,
}

pub(crate) const FACE_COUNT: usize = 14;
/// The DejaVu faces: always parsed.
const STYLE_COUNT: usize = 4;

impl FaceId {
    pub(crate) const ALL: [FaceId; FACE_COUNT] = [
        FaceId::Regular,
        FaceId::Bold,
        FaceId::Italic,
        FaceId::BoldItalic,
        FaceId::Cjk,
        FaceId::Arabic,
        FaceId::ArabicBold,
        FaceId::Hebrew,
        FaceId::HebrewBold,
        FaceId::Devanagari,
        FaceId::DevanagariBold,
        FaceId::Thai,
        FaceId::ThaiBold,
        FaceId::Emoji,
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

    /// Whether text in this face goes through the shaper (and is drawn glyph by glyph with
    /// the shaper's positions) instead of one glyph per character.
    pub(crate) fn shaped(self) -> bool {
        self.script().is_some()
    }

    /// The script a shaped face is used for.
    pub(crate) fn script(self) -> Option<Script> {
        match self {
            FaceId::Arabic | FaceId::ArabicBold => Some(rustybuzz::script::ARABIC),
            FaceId::Hebrew | FaceId::HebrewBold => Some(rustybuzz::script::HEBREW),
            FaceId::Devanagari | FaceId::DevanagariBold => Some(rustybuzz::script::DEVANAGARI),
            FaceId::Thai | FaceId::ThaiBold => Some(rustybuzz::script::THAI),
            _ => None,
        }
    }

    /// Whether bold text in this face must be emboldened by the renderer (no bold variant).
    pub(crate) fn lacks_bold(self) -> bool {
        matches!(self, FaceId::Cjk | FaceId::Emoji)
    }

    /// Whether the face's characters are Latin-like (the PDF font descriptor's flags).
    pub(crate) fn latin(self) -> bool {
        self.index() < STYLE_COUNT
    }
}

/// The face of a script font: its own face for regular text, the bold variant for bold text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScriptFont {
    Arabic,
    Hebrew,
    Devanagari,
    Thai,
}

impl ScriptFont {
    pub(crate) fn face(self, bold: bool) -> FaceId {
        match (self, bold) {
            (ScriptFont::Arabic, false) => FaceId::Arabic,
            (ScriptFont::Arabic, true) => FaceId::ArabicBold,
            (ScriptFont::Hebrew, false) => FaceId::Hebrew,
            (ScriptFont::Hebrew, true) => FaceId::HebrewBold,
            (ScriptFont::Devanagari, false) => FaceId::Devanagari,
            (ScriptFont::Devanagari, true) => FaceId::DevanagariBold,
            (ScriptFont::Thai, false) => FaceId::Thai,
            (ScriptFont::Thai, true) => FaceId::ThaiBold,
        }
    }
}

struct Source {
    data: &'static [u8],
    ps_name: &'static str,
    /// Code points below this are resolved through a flat table built when the face is parsed.
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
    // The CJK and emoji faces are only consulted for what DejaVu lacks, one lookup per
    // character: their cmap is fast enough, and a flat table would cost time when they load.
    // The script faces are asked about every character of their runs, and once more by the
    // shaper: a flat table over their blocks (all below U+1000) when they load.
    Source {
        data: include_bytes!("../fonts/WenQuanYiMicroHei.ttf"),
        ps_name: "WenQuanYiMicroHei",
        direct_limit: 0,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansArabic-Regular.ttf"),
        ps_name: "NotoSansArabic-Regular",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansArabic-Bold.ttf"),
        ps_name: "NotoSansArabic-Bold",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansHebrew-Regular.ttf"),
        ps_name: "NotoSansHebrew-Regular",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansHebrew-Bold.ttf"),
        ps_name: "NotoSansHebrew-Bold",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf"),
        ps_name: "NotoSansDevanagari-Regular",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf"),
        ps_name: "NotoSansDevanagari-Bold",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansThai-Regular.ttf"),
        ps_name: "NotoSansThai-Regular",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/NotoSansThai-Bold.ttf"),
        ps_name: "NotoSansThai-Bold",
        direct_limit: SCRIPT_DIRECT_LIMIT,
    },
    Source {
        data: include_bytes!("../fonts/SymbolaEmoji.ttf"),
        ps_name: "Symbola",
        direct_limit: 0,
    },
];

/// Latin (incl. Vietnamese in Latin Extended Additional), Greek, Cyrillic, punctuation, arrows,
/// maths: everything below U+2500 is looked up in a flat table (37 KB per face), filled as
/// characters are first met.
const DIRECT_LIMIT: u32 = 0x2500;
/// The flat table of the script faces: up to the end of Thai and beyond (16 KB per face).
const SCRIPT_DIRECT_LIMIT: u32 = 0x1000;

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
    /// The glyphs of code points below the face's direct limit, each looked up in the cmap on
    /// first use ([`UNKNOWN`] until then): filling the whole table up front cost 8 ms of a
    /// process's first render, for characters most documents never use.
    direct: Box<[AtomicU32]>,
    /// The shaping tables, for the faces that are shaped (built on first use).
    shaper: OnceLock<rustybuzz::Face<'static>>,
    /// Shape plans, left to right and right to left (built on first use: a plan compiles the
    /// font's feature lookups, which costs far more than shaping a name).
    plans: [OnceLock<ShapePlan>; 2],
}

/// A `direct` slot not looked up yet.
const UNKNOWN: u32 = u32::MAX;

fn pack(g: Glyph) -> u32 {
    (g.gid as u32) << 16 | g.adv as u32
}

fn unpack(v: u32) -> Glyph {
    Glyph {
        gid: (v >> 16) as u16,
        adv: v as u16,
    }
}

impl FontFace {
    fn load(src: &Source) -> Result<FontFace, PdfError> {
        let face = Face::parse(src.data, 0)
            .map_err(|e| PdfError::Font(format!("{}: {e}", src.ps_name)))?;
        let units_per_em = face.units_per_em();
        let num_glyphs = face.number_of_glyphs();
        Ok(FontFace {
            data: src.data,
            ps_name: src.ps_name,
            face,
            units_per_em,
            num_glyphs,
            direct: (0..src.direct_limit)
                .map(|_| AtomicU32::new(UNKNOWN))
                .collect(),
            shaper: OnceLock::new(),
            plans: [OnceLock::new(), OnceLock::new()],
        })
    }

    /// The advance of `gid` in 1/1000 em, truncated the way `/W` is written.
    pub(crate) fn advance(&self, gid: u16) -> u16 {
        let units = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        (units as f32 * 1000.0 / self.units_per_em as f32) as u16
    }

    /// A length in font units as 1/1000 em, rounded (shaper positions).
    pub(crate) fn thousandths(&self, units: i32) -> i32 {
        (units as f32 * 1000.0 / self.units_per_em as f32).round() as i32
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
        let Some(slot) = self.direct.get(c as usize) else {
            return self.lookup_slow(c);
        };
        let g = match slot.load(Ordering::Relaxed) {
            UNKNOWN => {
                // Racing threads compute the same value; either store wins.
                let g = self.lookup_slow(c).unwrap_or_default();
                slot.store(pack(g), Ordering::Relaxed);
                g
            }
            v => unpack(v),
        };
        (g.gid != 0).then_some(g)
    }

    /// Whether the face has a glyph for `c` (through its cmap).
    pub(crate) fn has(&self, c: char) -> bool {
        self.lookup(c).is_some()
    }

    pub(crate) fn ascender(&self) -> i16 {
        self.face.ascender()
    }

    pub(crate) fn descender(&self) -> i16 {
        self.face.descender()
    }

    /// The shaping face and the plan for `script` in the given direction.
    pub(crate) fn shaping(
        &self,
        script: Script,
        rtl: bool,
    ) -> (&rustybuzz::Face<'static>, &ShapePlan) {
        let face = self
            .shaper
            .get_or_init(|| rustybuzz::Face::from_face(self.face.clone()));
        let direction = if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        };
        let plan = self.plans[rtl as usize]
            .get_or_init(|| ShapePlan::new(face, direction, Some(script), None, &[]));
        (face, plan)
    }
}

pub(crate) struct Fonts {
    /// The DejaVu faces, parsed with the first render.
    styles: [FontFace; STYLE_COUNT],
    /// The other faces, parsed when a document first needs them (`None`: the embedded bytes
    /// did not parse, a build defect a unit test catches; its characters then fall through to
    /// the next face or are counted missing).
    others: [OnceLock<Option<FontFace>>; FACE_COUNT - STYLE_COUNT],
    /// The glyph drawn for a character no face has: U+FFFD from DejaVu (or `?`).
    pub replacement: char,
}

static FONTS: LazyLock<Result<Fonts, PdfError>> = LazyLock::new(|| {
    let styles = [
        FontFace::load(&SOURCES[0])?,
        FontFace::load(&SOURCES[1])?,
        FontFace::load(&SOURCES[2])?,
        FontFace::load(&SOURCES[3])?,
    ];
    let replacement = if styles.iter().all(|f| f.lookup('\u{FFFD}').is_some()) {
        '\u{FFFD}'
    } else {
        '?'
    };
    Ok(Fonts {
        styles,
        others: Default::default(),
        replacement,
    })
});

/// The parsed fonts (parsed on first use, then shared by every render).
pub(crate) fn fonts() -> Result<&'static Fonts, PdfError> {
    FONTS.as_ref().map_err(Clone::clone)
}

impl Fonts {
    /// The DejaVu face of a style.
    pub(crate) fn style(&self, bold: bool, italic: bool) -> &FontFace {
        &self.styles[FaceId::styled(bold, italic).index()]
    }

    /// Any face; parsed now if this is its first use.
    pub(crate) fn face(&self, id: FaceId) -> Option<&FontFace> {
        let i = id.index();
        if i < STYLE_COUNT {
            return Some(&self.styles[i]);
        }
        self.others[i - STYLE_COUNT]
            .get_or_init(|| FontFace::load(&SOURCES[i]).ok())
            .as_ref()
    }

    /// The glyph of `c` in face `id`, if the face has one.
    #[inline]
    pub(crate) fn lookup(&self, id: FaceId, c: char) -> Option<Glyph> {
        self.face(id)?.lookup(c)
    }
}

/// The glyphs of each face one document uses, numbered as they will be in the subset, and the
/// text each stands for (the font's `/ToUnicode`).
///
/// Glyph `k` of `used` gets subset id `k + 1` (0 is `.notdef`): the same numbering
/// `subsetter::GlyphRemapper` produces when fed the glyphs in this order, so content streams can
/// be written with final glyph ids while the layout runs.
pub(crate) struct GlyphUsage {
    /// Per face: original gid -> subset gid (0: not used yet); allocated on first use.
    map: [Vec<u16>; FACE_COUNT],
    /// Per face, in subset order: (the character the glyph stands for, original gid).
    /// [`NO_TEXT`] when it stands for more than one character (see `texts`) or for none yet.
    used: [Vec<(char, u16)>; FACE_COUNT],
    /// Per face: (subset gid, text) of glyphs that stand for several characters (ligatures).
    texts: [Vec<(u16, Box<str>)>; FACE_COUNT],
    /// Per face: (subset gid, text of the first cluster it was drawn in) of glyphs drawn only
    /// inside `/ActualText` spans so far: their `/ToUnicode` entry if nothing better comes.
    provisional: [Vec<(u16, Box<str>)>; FACE_COUNT],
}

/// In `GlyphUsage::used`: the glyph has no single character (see `texts`), or none yet.
pub(crate) const NO_TEXT: char = '\u{0}';

impl GlyphUsage {
    pub(crate) fn new() -> Self {
        GlyphUsage {
            map: Default::default(),
            used: Default::default(),
            texts: Default::default(),
            provisional: Default::default(),
        }
    }

    /// The subset slot of `gid` in `face`: (subset gid, newly allocated).
    #[inline]
    fn slot(&mut self, fonts: &Fonts, face: FaceId, gid: u16) -> (u16, bool) {
        if gid == 0 {
            // `.notdef` keeps id 0 in every subset (a glyph a shaped run lacks).
            return (0, false);
        }
        let i = face.index();
        let map = &mut self.map[i];
        if map.is_empty() {
            let glyphs = fonts.face(face).map_or(0, |f| f.num_glyphs);
            map.resize(glyphs as usize + 1, 0);
        }
        match map.get_mut(gid as usize) {
            Some(slot) if *slot != 0 => (*slot, false),
            Some(slot) => {
                self.used[i].push((NO_TEXT, gid));
                *slot = self.used[i].len() as u16;
                (*slot, true)
            }
            // A glyph id beyond the face (cannot come from the face itself): `.notdef`.
            None => (0, false),
        }
    }

    /// The subset glyph id of `gid` (the glyph of `c` in `face`).
    #[inline]
    pub(crate) fn code(&mut self, fonts: &Fonts, face: FaceId, c: char, gid: u16) -> u16 {
        // Once per glyph of every text: the glyph seen before is one load and one test.
        match self.map[face.index()].get(gid as usize) {
            Some(&code) if code != 0 => code,
            _ => self.new_code(fonts, face, c, gid),
        }
    }

    #[cold]
    #[inline(never)]
    fn new_code(&mut self, fonts: &Fonts, face: FaceId, c: char, gid: u16) -> u16 {
        let (code, new) = self.slot(fonts, face, gid);
        if new {
            self.used[face.index()][code as usize - 1].0 = c;
        }
        code
    }

    /// The subset glyph id of a shaped glyph that stands for `text`, and whether the glyph's
    /// `/ToUnicode` entry is `text` (the first text a glyph stands for becomes its entry; a
    /// glyph drawn for another text later needs `/ActualText` for that).
    pub(crate) fn code_for_text(
        &mut self,
        fonts: &Fonts,
        face: FaceId,
        gid: u16,
        text: &str,
    ) -> (u16, bool) {
        let (code, _) = self.slot(fonts, face, gid);
        if code == 0 {
            return (0, false);
        }
        let i = face.index();
        let mut chars = text.chars();
        let single = match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        };
        let entry = &mut self.used[i][code as usize - 1].0;
        if *entry != NO_TEXT {
            return (code, single == Some(*entry));
        }
        if let Some(existing) = self.texts[i].iter().find(|(k, _)| *k == code) {
            return (code, &*existing.1 == text);
        }
        match single {
            Some(c) => *entry = c,
            None if !text.is_empty() => self.texts[i].push((code, text.into())),
            None => return (code, false),
        }
        (code, true)
    }

    /// A shaped glyph drawn inside an `/ActualText` span for the cluster `cluster`: numbered,
    /// its `/ToUnicode` entry left to a later use that stands for a text of its own (the
    /// cluster's text is kept as a last resort: every glyph shown gets an entry).
    pub(crate) fn code_in_span(
        &mut self,
        fonts: &Fonts,
        face: FaceId,
        gid: u16,
        cluster: &str,
    ) -> u16 {
        let (code, new) = self.slot(fonts, face, gid);
        if new && !cluster.is_empty() {
            self.provisional[face.index()].push((code, cluster.into()));
        }
        code
    }

    pub(crate) fn is_used(&self, face: FaceId) -> bool {
        !self.used[face.index()].is_empty()
    }

    /// (character or [`NO_TEXT`], original gid) of each glyph of `face`, in subset order.
    pub(crate) fn used(&self, face: FaceId) -> &[(char, u16)] {
        &self.used[face.index()]
    }

    /// (subset gid, text) of the glyphs of `face` that stand for several characters.
    pub(crate) fn texts(&self, face: FaceId) -> &[(u16, Box<str>)] {
        &self.texts[face.index()]
    }

    /// (subset gid, cluster text) of glyphs of `face` only ever drawn inside spans.
    pub(crate) fn provisional(&self, face: FaceId) -> &[(u16, Box<str>)] {
        &self.provisional[face.index()]
    }
}

/// A face subsetted for one document.
pub(crate) struct Subset {
    /// The font program (TrueType), glyphs numbered as in [`GlyphUsage`].
    pub program: Vec<u8>,
    /// `ABCDEF+PostScriptName` (ISO 32000-1 9.6.4), derived from the glyph set.
    pub name: String,
}

/// Subsets `font` to the glyphs `used` (in subset order).
pub(crate) fn subset_face(font: &FontFace, used: &[(char, u16)]) -> Result<Subset, PdfError> {
    let mut remapper = subsetter::GlyphRemapper::new();
    for &(_, gid) in used {
        remapper.remap(gid);
    }
    let program = subsetter::subset(font.data, 0, &remapper)
        .map_err(|e| PdfError::Font(format!("subsetting {}: {e}", font.ps_name)))?;
    // Subset tag: six capitals, derived from the glyph set so the output is deterministic and
    // different subsets of one font get different names.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, &(_, gid)) in used.iter().enumerate() {
        let new_gid = (k + 1) as u16;
        if remapper.get(gid) != Some(new_gid) {
            return Err(PdfError::Font(format!(
                "subsetting {}: glyph {gid} numbered {:?}, expected {new_gid}",
                font.ps_name,
                remapper.get(gid)
            )));
        }
        hash = (hash ^ gid as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let mut name = String::with_capacity(7 + font.ps_name.len());
    for k in 0..6 {
        name.push((b'A' + ((hash >> (k * 5)) % 26) as u8) as char);
    }
    name.push('+');
    name.push_str(font.ps_name);
    Ok(Subset { program, name })
}

/// A big-endian i16 of the `hhea` table (18: caretSlopeRise, 20: caretSlopeRun).
pub(crate) fn hhea_i16(face: &Face<'_>, offset: usize) -> Option<i16> {
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
    fn every_embedded_face_parses() {
        for id in FaceId::ALL {
            FontFace::load(&SOURCES[id.index()]).unwrap_or_else(|e| panic!("{id:?}: {e}"));
        }
    }

    #[test]
    fn faces_parse_and_cover_the_scripts_we_promise() {
        let f = fonts().unwrap();
        for c in ['Z', 'ë', 'ễ', 'Ø', 'Ε', 'λ', 'Ж', '•', '—', '·', '\u{FFFD}'] {
            for (bold, italic) in [(false, false), (true, false), (false, true), (true, true)] {
                assert!(
                    f.style(bold, italic).lookup(c).is_some(),
                    "{bold} {italic} lacks {c}"
                );
            }
        }
        for c in ['王', '芳', '김', '민', '준', 'あ', 'カ'] {
            assert!(f.lookup(FaceId::Regular, c).is_none());
            assert!(f.lookup(FaceId::Cjk, c).is_some(), "CJK face lacks {c}");
        }
        let scripts = [
            (FaceId::Arabic, "فاطمة الزهراء"),
            (FaceId::Hebrew, "נועה כהן"),
            (FaceId::Devanagari, "अनन्या शर्मा"),
            (FaceId::Thai, "สมชาย ใจดี"),
            (FaceId::Emoji, "🙂👍❤"),
        ];
        for (face, text) in scripts {
            for c in text.chars().filter(|c| *c != ' ') {
                assert!(f.lookup(face, c).is_some(), "{face:?} lacks {c}");
            }
        }
        // Bold variants cover the same letters.
        for (face, text) in [
            (FaceId::ArabicBold, "فاطمة"),
            (FaceId::HebrewBold, "נועה"),
            (FaceId::DevanagariBold, "अनन्या"),
            (FaceId::ThaiBold, "สมชาย"),
        ] {
            for c in text.chars() {
                assert!(f.lookup(face, c).is_some(), "{face:?} lacks {c}");
            }
        }
        assert_eq!(f.replacement, '\u{FFFD}');
        let a = f.style(false, false).lookup('a').unwrap();
        assert!(a.adv > 500 && a.adv < 700, "{a:?}");
    }

    #[test]
    fn a_glyph_keeps_the_first_text_it_stands_for() {
        let f = fonts().unwrap();
        let mut usage = GlyphUsage::new();
        let alef = f.lookup(FaceId::Arabic, 'ا').unwrap().gid;
        assert_eq!(usage.code_for_text(f, FaceId::Arabic, alef, "ا"), (1, true));
        assert_eq!(usage.code_for_text(f, FaceId::Arabic, alef, "ا"), (1, true));
        assert_eq!(
            usage.code_for_text(f, FaceId::Arabic, alef, "أ"),
            (1, false)
        );
        let lam = f.lookup(FaceId::Arabic, 'ل').unwrap().gid;
        assert_eq!(usage.code_in_span(f, FaceId::Arabic, lam, "لِ"), 2);
        assert_eq!(usage.provisional(FaceId::Arabic), &[(2, "لِ".into())]);
        // Numbered inside a span without a text; the first text of its own becomes its entry.
        assert_eq!(usage.code_for_text(f, FaceId::Arabic, lam, "لا"), (2, true));
        assert_eq!(usage.code_for_text(f, FaceId::Arabic, lam, "ل"), (2, false));
        assert_eq!(usage.texts(FaceId::Arabic), &[(2, "لا".into())]);
        assert_eq!(usage.used(FaceId::Arabic), &[('ا', alef), (NO_TEXT, lam)]);
    }
}
