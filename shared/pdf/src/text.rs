//! Turning styled text into glyphs of the embedded faces, and glyphs into lines.
//!
//! Shaping is per character for everything DejaVu, WenQuanYi and the emoji face draw (one
//! glyph per character, advances from flat tables: the path nearly all text takes). Runs in a
//! script that needs real shaping (Arabic joining and ligatures, Hebrew marks, Devanagari
//! conjuncts and reordered vowel signs, Thai marks) go through rustybuzz with their Noto face;
//! their glyphs carry the shaper's offsets and the text of their cluster (for `/ActualText`).
//!
//! Bidirectional text: text is first shaped assuming left to right. Only if it holds a
//! right-to-left letter or a bidi control is it shaped again with the embedding levels of the
//! Unicode bidi algorithm (`unicode-bidi`: paragraph direction from the first strong character,
//! rules P2/P3), so shaped right-to-left runs join correctly and brackets are mirrored.
//! Glyphs stay in logical order: lines are broken in logical order, and each line is put in
//! visual order only when it is drawn (`layout::text_runs`).

use exports_document_model::Run;
use rustybuzz::{BufferFlags, Direction, UnicodeBuffer};
use unicode_bidi::BidiInfo;

use crate::chars;
use crate::fonts::{FaceId, Fonts};

/// How a glyph takes part in line breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Normal,
    /// A breaking space: a line may end before it, and it hangs (is dropped) at a line end.
    Space,
    /// A line may end after it (hyphen, dash, slash) when it follows a non-space.
    BreakAfter,
    /// CJK ideograph, kana, Hangul: a line may break before and after it.
    Ideo,
    /// Part of the cluster of the glyph before it (a combining mark, the second glyph of a
    /// shaped cluster): a line never breaks before it.
    Mark,
    /// A forced line break (no glyph).
    Newline,
}

/// `Shaped::flags`: bold text in a face without a bold variant (drawn emboldened).
pub(crate) const FAKE_BOLD: u8 = 1;
/// `Shaped::flags`: the glyph's paragraph is right to left (its lines align right).
pub(crate) const RTL_PARA: u8 = 2;
/// `Shaped::flags`: the glyph is the mirror image of its character (a bracket in right-to-left
/// text); `ch` is the character drawn, its mirror is the text.
pub(crate) const MIRRORED: u8 = 4;

/// One glyph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shaped {
    /// The character drawn (the replacement character for one no face has); for a shaped
    /// glyph, the first character of its cluster.
    pub ch: char,
    pub gid: u16,
    /// Advance in 1/1000 em.
    pub adv: u16,
    pub face: FaceId,
    pub class: Class,
    /// Bidi embedding level (odd: right to left); 0 in text without right-to-left characters.
    pub level: u8,
    pub flags: u8,
}

/// What a shaped glyph carries besides its advance (kept apart from [`Shaped`], which every
/// glyph of every text has, to keep that at 12 bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Extra {
    /// Offset from the pen position in 1/1000 em (marks placed on their base).
    pub x_off: i16,
    pub y_off: i16,
    /// Byte range of its cluster's text in `Laid::text`; the glyphs of one cluster share it.
    pub text: (u32, u32),
}

impl Extra {
    /// The entry of a glyph drawn one per character.
    const NONE: Extra = Extra {
        x_off: 0,
        y_off: 0,
        text: (u32::MAX, u32::MAX),
    };
}

/// A line: glyphs `start..end` (trailing spaces excluded) of a shaped buffer, in logical order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub start: u32,
    pub end: u32,
}

/// Shaped and broken text.
#[derive(Debug, Default)]
pub(crate) struct Laid {
    pub glyphs: Vec<Shaped>,
    pub lines: Vec<Line>,
    /// Empty when no glyph was shaped; otherwise one entry per glyph.
    pub extras: Vec<Extra>,
    /// The text of shaped runs (cluster texts point into it).
    pub text: String,
    /// Some glyph has a non-zero embedding level: lines are reordered when drawn.
    pub bidi: bool,
}

impl Laid {
    pub(crate) fn clear(&mut self) {
        self.glyphs.clear();
        self.lines.clear();
        self.extras.clear();
        self.text.clear();
        self.bidi = false;
    }

    /// Whether any glyph came out of the shaper (lines need the per-glyph drawing path).
    pub(crate) fn has_shaped(&self) -> bool {
        !self.extras.is_empty()
    }

    /// Width of a line in 1/1000 em.
    pub(crate) fn line_units(&self, line: Line) -> u32 {
        self.glyphs[line.start as usize..line.end as usize]
            .iter()
            .map(|g| g.adv as u32)
            .sum()
    }

    /// Width of the widest line in 1/1000 em.
    pub(crate) fn max_units(&self) -> u32 {
        self.lines
            .iter()
            .map(|l| self.line_units(*l))
            .max()
            .unwrap_or(0)
    }

    /// The shaper's data of glyph `i`, if it was shaped.
    #[inline]
    pub(crate) fn extra(&self, i: usize) -> Option<&Extra> {
        self.extras.get(i).filter(|e| e.text.0 != u32::MAX)
    }

    /// The text of a shaped glyph's cluster.
    pub(crate) fn cluster_text(&self, e: &Extra) -> &str {
        self.text
            .get(e.text.0 as usize..e.text.1 as usize)
            .unwrap_or("")
    }

    /// Keeps `extras` parallel to `glyphs` once any glyph was shaped.
    fn pad_extras(&mut self) {
        if !self.extras.is_empty() {
            self.extras.resize(self.glyphs.len(), Extra::NONE);
        }
    }

    fn len_mark(&self) -> (usize, usize, usize) {
        (self.glyphs.len(), self.extras.len(), self.text.len())
    }

    fn truncate(&mut self, (glyphs, extras, text): (usize, usize, usize)) {
        self.glyphs.truncate(glyphs);
        self.extras.truncate(extras);
        self.text.truncate(text);
    }
}

/// Resolves characters to glyphs: a script character's Noto face, the run's DejaVu face, the
/// CJK face, the emoji face, then a visible replacement character (counted in `missing`).
pub(crate) struct Shaper {
    pub fonts: &'static Fonts,
    pub missing: usize,
    /// Reused between shaper calls (it owns the shaper's glyph arrays).
    buffer: Option<UnicodeBuffer>,
    /// Bidi text of the paragraph being shaped, and per byte its embedding level (with
    /// [`PARA_RTL_BIT`] set in right-to-left paragraphs).
    para: String,
    levels: Vec<u8>,
}

/// The vowel killers of the shaped scripts that form conjuncts (Devanagari).
const VIRAMAS: &[char] = &['\u{094D}'];

/// In `Shaper::levels`: the byte's paragraph is right to left.
const PARA_RTL_BIT: u8 = 0x80;

impl Shaper {
    pub(crate) fn new(fonts: &'static Fonts) -> Self {
        Shaper {
            fonts,
            missing: 0,
            buffer: None,
            para: String::new(),
            levels: Vec::new(),
        }
    }

    /// Appends the glyphs of `text` set in the given style.
    pub(crate) fn shape_str(&mut self, text: &str, bold: bool, italic: bool, out: &mut Laid) {
        self.shape_pieces(std::iter::once((text, bold, italic)), out);
    }

    /// Appends the glyphs of styled runs; `force_bold` sets every run bold (table headers).
    pub(crate) fn shape_runs(&mut self, runs: &[Run], force_bold: bool, out: &mut Laid) {
        self.shape_pieces(
            runs.iter()
                .map(move |r| (r.text.as_str(), r.bold || force_bold, r.italic)),
            out,
        );
    }

    /// Shapes pieces of one text (a paragraph, a cell) that differ only in style.
    fn shape_pieces<'t, I>(&mut self, pieces: I, out: &mut Laid)
    where
        I: Iterator<Item = (&'t str, bool, bool)> + Clone,
    {
        let mark = out.len_mark();
        let missing = self.missing;
        let mut rtl = false;
        for (text, bold, italic) in pieces.clone() {
            if self.shape_piece(text, bold, italic, None, out) {
                rtl = true;
                break;
            }
        }
        out.pad_extras();
        if !rtl {
            return;
        }
        // Right-to-left text: the levels are resolved over the whole text (a style change can
        // fall inside a sentence), then it is shaped again with them.
        out.truncate(mark);
        self.missing = missing;
        let mut para = std::mem::take(&mut self.para);
        let mut levels = std::mem::take(&mut self.levels);
        para.clear();
        for (text, _, _) in pieces.clone() {
            para.push_str(text);
        }
        let info = BidiInfo::new(&para, None);
        levels.clear();
        levels.extend(info.levels.iter().map(|l| l.number().min(0x7F)));
        for p in &info.paragraphs {
            if p.level.is_rtl()
                && let Some(ls) = levels.get_mut(p.range.clone())
            {
                ls.iter_mut().for_each(|l| *l |= PARA_RTL_BIT);
            }
        }
        drop(info);
        let mut offset = 0;
        for (text, bold, italic) in pieces {
            let end = offset + text.len();
            self.shape_piece(text, bold, italic, levels.get(offset..end), out);
            offset = end;
        }
        out.pad_extras();
        out.bidi = true;
        self.para = para;
        self.levels = levels;
    }

    /// Appends the glyphs of one piece; `levels` (per byte of `text`) when the bidi algorithm
    /// has run. Returns whether the text needs the bidi algorithm; without levels it stops at
    /// the first character that says so (the caller starts again with levels).
    fn shape_piece(
        &mut self,
        text: &str,
        bold: bool,
        italic: bool,
        levels: Option<&[u8]>,
        out: &mut Laid,
    ) -> bool {
        let fonts = self.fonts;
        let style = FaceId::styled(bold, italic);
        let styled = fonts.style(bold, italic);
        let mut rtl = false;
        out.glyphs.reserve(text.len());
        let mut chars = text.char_indices();
        while let Some((i, c)) = chars.next() {
            // The fast path: left-to-right text, a printable character below U+0590 (Latin,
            // Greek, Cyrillic, punctuation; not a combining mark) that the style face has. Kept
            // to the few tests the old per-character loop made: nearly every character of a
            // record takes it.
            if levels.is_none()
                && (' '..'\u{0590}').contains(&c)
                && !('\u{7F}'..='\u{A0}').contains(&c)
                && c != '\u{AD}'
                && !chars::is_combining_mark(c)
                && let Some(g) = styled.lookup(c)
            {
                let class = match c {
                    ' ' => Class::Space,
                    '-' | '/' => Class::BreakAfter,
                    _ => Class::Normal,
                };
                out.glyphs.push(Shaped {
                    ch: c,
                    gid: g.gid,
                    adv: g.adv,
                    face: style,
                    class,
                    level: 0,
                    flags: 0,
                });
                continue;
            }
            let (level, flags) = match levels.and_then(|l| l.get(i)) {
                Some(&l) if l & PARA_RTL_BIT != 0 => (l & !PARA_RTL_BIT, RTL_PARA),
                Some(&l) => (l, 0),
                None => (0, 0),
            };
            let class = match c {
                '\n' | '\u{2028}' | '\u{2029}' => {
                    out.glyphs.push(Shaped {
                        ch: '\n',
                        gid: 0,
                        adv: 0,
                        face: style,
                        class: Class::Newline,
                        level,
                        flags,
                    });
                    continue;
                }
                ' ' | '\t' | '\u{2000}'..='\u{200A}' | '\u{3000}' => Class::Space,
                '-' | '/' | '\u{2010}' | '\u{2012}'..='\u{2014}' => Class::BreakAfter,
                _ => Class::Normal,
            };
            let mut c = if c == '\t' { ' ' } else { c };
            let mut class = class;
            let mut flags = flags;
            // Everything below U+0300 (Latin, punctuation) but a few controls is drawn by the
            // style face as it is: the checks below cost nothing there.
            if c < '\u{0300}' {
                if (c < ' ' || ('\u{7F}'..='\u{AD}').contains(&c)) && chars::is_ignorable(c) {
                    continue;
                }
            } else {
                if chars::may_be_rtl(c) {
                    if levels.is_none() {
                        // The text is shaped again with its levels: no use going on.
                        return true;
                    }
                    rtl = true;
                }
                if chars::is_ignorable(c) {
                    continue;
                }
                if let Some(script) = chars::script_font(c) {
                    let face = script.face(bold);
                    if fonts.face(face).is_some_and(|f| f.has(c)) {
                        // The run: what follows in the same script (and level), with the marks
                        // and joiners inside it.
                        let mut end = i + c.len_utf8();
                        let mut rest = chars.clone();
                        while let Some((j, d)) = rest.next() {
                            let same_level = levels
                                .and_then(|l| l.get(j))
                                .is_none_or(|&l| l & !PARA_RTL_BIT == level);
                            // Joiners and other format characters stay inside: the shaper
                            // needs the joiners and drops the rest without breaking the run.
                            let belongs = chars::is_joiner(d)
                                || (d >= '\u{200B}' && chars::is_ignorable(d))
                                || ((chars::script_font(d) == Some(script)
                                    || chars::is_combining_mark(d))
                                    && fonts.face(face).is_some_and(|f| f.has(d)));
                            if !(belongs && same_level) {
                                break;
                            }
                            rtl |= chars::may_be_rtl(d);
                            end = j + d.len_utf8();
                            chars = rest.clone();
                        }
                        self.shape_run(&text[i..end], face, level, flags, out);
                        continue;
                    }
                }
                if chars::is_combining_mark(c) {
                    class = Class::Mark;
                } else if chars::is_emoji_modifier(c)
                    && out
                        .glyphs
                        .last()
                        .is_some_and(|g| !matches!(g.class, Class::Space | Class::Newline))
                {
                    continue;
                }
            }
            // (Letters, digits and spaces are never mirrored: no table lookup for them.)
            if level & 1 == 1
                && !c.is_alphanumeric()
                && c != ' '
                && let Some(m) = unicode_bidi_mirroring::get_mirrored(c)
            {
                // Rule L4: a bracket in right-to-left text is drawn as its mirror image.
                c = m;
                flags |= MIRRORED;
            }
            let (face, g) = if let Some(g) = styled.lookup(c) {
                (style, g)
            } else if let Some(g) = fonts.lookup(FaceId::Cjk, c) {
                if chars::is_ideographic(c) {
                    class = Class::Ideo;
                }
                (FaceId::Cjk, g)
            } else if let Some(g) = fonts.lookup(FaceId::Emoji, c) {
                (FaceId::Emoji, g)
            } else {
                self.missing += 1;
                c = fonts.replacement;
                flags &= !MIRRORED;
                (style, styled.lookup(c).unwrap_or_default())
            };
            if bold && face.lacks_bold() {
                flags |= FAKE_BOLD;
            }
            out.glyphs.push(Shaped {
                ch: c,
                gid: g.gid,
                adv: g.adv,
                face,
                class,
                level,
                flags,
            });
        }
        rtl
    }

    /// Shapes `run` (one script, one level) with rustybuzz and appends its glyphs in logical
    /// order (the shaper returns right-to-left runs in visual order: they are reversed here and
    /// again when the line is drawn).
    fn shape_run(&mut self, run: &str, face_id: FaceId, level: u8, flags: u8, out: &mut Laid) {
        let (Some(font), Some(script)) = (self.fonts.face(face_id), face_id.script()) else {
            return;
        };
        let rtl = level & 1 == 1;
        let (face, plan) = font.shaping(script, rtl);
        let mut buffer = self.buffer.take().unwrap_or_default();
        buffer.push_str(run);
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        buffer.set_script(script);
        // Joiners have done their work once shaped: no zero-width glyphs for them.
        buffer.set_flags(BufferFlags::REMOVE_DEFAULT_IGNORABLES);
        let shaped = rustybuzz::shape_with_plan(face, plan, buffer);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let n = infos.len();
        let logical = |k: usize| if rtl { n - 1 - k } else { k };
        let base = out.text.len() as u32;
        out.text.push_str(run);
        out.extras.resize(out.glyphs.len(), Extra::NONE);
        // A cluster after a virama continues its conjunct (न् + या): the shaper keeps them apart
        // (one glyph may stand for each), but a line must not break between them.
        let mut after_virama = false;
        let mut k = 0;
        while k < n {
            let cluster = infos[logical(k)].cluster;
            let mut e = k + 1;
            while e < n && infos[logical(e)].cluster == cluster {
                e += 1;
            }
            let next = if e < n {
                infos[logical(e)].cluster
            } else {
                run.len() as u32
            };
            let first = run
                .get(cluster as usize..)
                .and_then(|s| s.chars().next())
                .unwrap_or(' ');
            for m in k..e {
                let gi = logical(m);
                let class = if m == k && !after_virama {
                    Class::Normal
                } else {
                    Class::Mark
                };
                let gid = u16::try_from(infos[gi].glyph_id).unwrap_or(0);
                if gid == 0 {
                    // A glyph the face lacks (its characters passed the cmap check, so a form
                    // the shaper asked for): the visible placeholder, not `.notdef`, which
                    // PDF/UA forbids showing.
                    self.missing += 1;
                    let r = self.fonts.replacement;
                    let g = self.fonts.style(false, false).lookup(r).unwrap_or_default();
                    out.extras.push(Extra::NONE);
                    out.glyphs.push(Shaped {
                        ch: r,
                        gid: g.gid,
                        adv: g.adv,
                        face: FaceId::Regular,
                        class,
                        level,
                        flags: flags & !MIRRORED,
                    });
                    continue;
                }
                let p = &positions[gi];
                let to_i16 = |v: i32| v.clamp(i16::MIN as i32, i16::MAX as i32) as i16;
                out.extras.push(Extra {
                    x_off: to_i16(font.thousandths(p.x_offset)),
                    y_off: to_i16(font.thousandths(p.y_offset)),
                    text: (base + cluster, base + next.max(cluster)),
                });
                out.glyphs.push(Shaped {
                    ch: first,
                    gid,
                    adv: font.thousandths(p.x_advance).clamp(0, u16::MAX as i32) as u16,
                    face: face_id,
                    class,
                    level,
                    flags,
                });
            }
            after_virama = run
                .get(cluster as usize..next as usize)
                .is_some_and(|t| t.ends_with(VIRAMAS));
            k = e;
        }
        self.buffer = Some(shaped.clear());
    }
}

/// The widest piece of `glyphs` that [`break_lines`] never splits unless it must (1/1000 em):
/// the longest word, where a word ends at a space or newline, after a hyphen or slash that
/// follows a non-space, and around each CJK character. A column at least this wide keeps every
/// word whole.
pub(crate) fn widest_word(glyphs: &[Shaped]) -> u32 {
    let mut widest = 0;
    let mut word = 0;
    for (i, g) in glyphs.iter().enumerate() {
        match g.class {
            Class::Space | Class::Newline => word = 0,
            Class::Ideo => {
                widest = widest.max(word).max(g.adv as u32);
                word = 0;
            }
            Class::BreakAfter if i > 0 && glyphs[i - 1].class != Class::Space => {
                widest = widest.max(word + g.adv as u32);
                word = 0;
            }
            _ => {
                word += g.adv as u32;
                widest = widest.max(word);
            }
        }
    }
    widest
}

/// Breaks `laid.glyphs` into `laid.lines` no wider than `max` (1/1000 em). Breaks at spaces,
/// after hyphens and slashes, around CJK characters; a word longer than a line (a Thai phrase,
/// which has no spaces between words) is broken between clusters, never inside one. Forced
/// breaks at newlines.
pub(crate) fn break_lines(laid: &mut Laid, max: u32) {
    let g = &laid.glyphs;
    let lines = &mut laid.lines;
    let n = g.len();
    let trim = |start: usize, mut end: usize| {
        while end > start && g[end - 1].class == Class::Space {
            end -= 1;
        }
        Line {
            start: start as u32,
            end: end as u32,
        }
    };
    let mut start = 0;
    let mut i = 0;
    let mut width: u32 = 0;
    // (end of the line if broken here, start of the next line)
    let mut brk: Option<(usize, usize)> = None;
    while i < n {
        let gl = g[i];
        match gl.class {
            Class::Newline => {
                lines.push(trim(start, i));
                i += 1;
                start = i;
                width = 0;
                brk = None;
                continue;
            }
            Class::Space => {
                if i > start {
                    brk = Some((i, i + 1));
                }
                width += gl.adv as u32;
                i += 1;
                continue;
            }
            Class::Ideo if i > start => brk = Some((i, i)),
            _ => {}
        }
        if width + gl.adv as u32 > max && i > start {
            match brk {
                Some((end, mut next)) => {
                    lines.push(trim(start, end));
                    while next < n && g[next].class == Class::Space {
                        next += 1;
                    }
                    start = next;
                }
                None => {
                    // No break opportunity: the word is longer than the line. Break before
                    // the cluster that overflows (after it if it alone is wider than a line).
                    let mut at = i;
                    while at > start && g[at].class == Class::Mark {
                        at -= 1;
                    }
                    if at == start {
                        at = i;
                        while at < n && g[at].class == Class::Mark {
                            at += 1;
                        }
                    }
                    lines.push(Line {
                        start: start as u32,
                        end: at as u32,
                    });
                    start = at;
                }
            }
            // Re-scan from the new line start (the few glyphs carried over).
            i = start;
            width = 0;
            brk = None;
            continue;
        }
        width += gl.adv as u32;
        let breaks_after = match gl.class {
            Class::BreakAfter => i > start && g[i - 1].class != Class::Space,
            Class::Ideo => true,
            _ => false,
        };
        if breaks_after && i + 1 < n && g[i + 1].class != Class::Mark {
            brk = Some((i + 1, i + 1));
        }
        i += 1;
    }
    if start < n {
        let l = trim(start, n);
        if l.end > l.start {
            lines.push(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::fonts;

    fn shaped(text: &str) -> (Laid, usize) {
        let mut s = Shaper::new(fonts().unwrap());
        let mut laid = Laid::default();
        s.shape_str(text, false, false, &mut laid);
        (laid, s.missing)
    }

    fn lines_of(text: &str, max: u32) -> Vec<String> {
        let (mut laid, _) = shaped(text);
        break_lines(&mut laid, max);
        laid.lines
            .iter()
            .map(|l| {
                laid.glyphs[l.start as usize..l.end as usize]
                    .iter()
                    .map(|g| g.ch)
                    .collect()
            })
            .collect()
    }

    fn width(text: &str) -> u32 {
        shaped(text).0.glyphs.iter().map(|g| g.adv as u32).sum()
    }

    #[test]
    fn a_glyph_stays_small() {
        // Every character of every text becomes one: the render time of a long record moves
        // with its size.
        assert_eq!(std::mem::size_of::<Shaped>(), 12);
    }

    #[test]
    fn the_widest_word_is_what_break_lines_keeps_whole() {
        let words = |text: &str| widest_word(&shaped(text).0.glyphs);
        let discontinued = width("Discontinued");
        assert_eq!(words("Goal Discontinued now"), discontinued);
        assert_eq!(words("counter-i"), width("counter-"));
        assert_eq!(words("a\nDiscontinued"), discontinued);
        assert_eq!(words(""), 0);
        // A line exactly that wide holds the word.
        let l = lines_of("Goal Discontinued now", discontinued);
        assert_eq!(l, ["Goal", "Discontinued", "now"]);
    }

    #[test]
    fn wraps_at_spaces_and_breaks_long_words() {
        let l = lines_of("aaa bbb ccc", 4200);
        assert_eq!(l, ["aaa bbb", "ccc"]);
        let long = "x".repeat(300);
        let l = lines_of(&long, 10_000);
        assert!(l.len() > 10, "{}", l.len());
        assert!(l.iter().all(|s| !s.is_empty()));
        assert_eq!(l.concat(), long);
        let l = lines_of("one\ntwo\n\nthree", 100_000);
        assert_eq!(l, ["one", "two", "", "three"]);
        let l = lines_of("self-harm risk", 3000);
        assert_eq!(l, ["self-", "harm", "risk"]);
        let l = lines_of("a -b", 1100);
        assert_eq!(l, ["a", "-b"]);
    }

    #[test]
    fn fallback_faces_and_unknown_is_counted() {
        let (laid, missing) = shaped("Zoë 王芳 김민준 \u{1F642}\u{13000}");
        let faces: Vec<FaceId> = laid.glyphs.iter().map(|g| g.face).collect();
        assert_eq!(faces[0], FaceId::Regular);
        assert_eq!(faces[4], FaceId::Cjk);
        assert_eq!(faces[7], FaceId::Cjk);
        assert_eq!(faces[11], FaceId::Emoji);
        assert_eq!(missing, 1, "the hieroglyph");
        assert_eq!(laid.glyphs.last().unwrap().ch, '\u{FFFD}');
        assert!(!laid.bidi && !laid.has_shaped());
    }

    #[test]
    fn emoji_sequences_draw_their_emoji_and_count_nothing() {
        // Variation selector, skin tone, a family joined by ZWJ, a flag, a keycap.
        let (laid, missing) =
            shaped("👍\u{1F3FD} ❤\u{FE0F} 👨\u{200D}👩\u{200D}👧 🇺🇸 1\u{FE0F}\u{20E3}");
        assert_eq!(missing, 0);
        let drawn: String = laid.glyphs.iter().map(|g| g.ch).collect();
        assert_eq!(drawn, "👍 ❤ 👨👩👧 🇺🇸 1\u{20E3}");
        // A modifier on its own is drawn (as its swatch).
        let (laid, missing) = shaped("\u{1F3FD}");
        assert_eq!((laid.glyphs.len(), missing), (1, 0));
    }

    #[test]
    fn bold_cjk_and_emoji_are_emboldened_bold_latin_is_not() {
        let mut s = Shaper::new(fonts().unwrap());
        let mut laid = Laid::default();
        s.shape_str("A王🙂", true, false, &mut laid);
        let flags: Vec<u8> = laid.glyphs.iter().map(|g| g.flags & FAKE_BOLD).collect();
        assert_eq!(flags, [0, FAKE_BOLD, FAKE_BOLD]);
        assert_eq!(laid.glyphs[0].face, FaceId::Bold);
    }

    #[test]
    fn arabic_is_shaped_right_to_left_with_joined_forms() {
        let (laid, missing) = shaped("فاطمة");
        assert_eq!(missing, 0);
        assert!(laid.bidi);
        assert!(
            laid.glyphs
                .iter()
                .all(|g| g.face == FaceId::Arabic && g.level == 1)
        );
        assert!(laid.glyphs.iter().all(|g| g.flags & RTL_PARA != 0));
        // Joined: the initial fa and the medial ta are not the isolated forms the cmap gives.
        let f = fonts().unwrap();
        let isolated = |c| f.lookup(FaceId::Arabic, c).unwrap().gid;
        assert_ne!(laid.glyphs[0].gid, isolated('ف'));
        assert_ne!(laid.glyphs[2].gid, isolated('ط'));
        // Logical order: the first glyph is the first letter's cluster.
        assert_eq!(laid.cluster_text(laid.extra(0).unwrap()), "ف");
    }

    #[test]
    fn mixed_direction_levels() {
        let (laid, _) = shaped("Patient: فاطمة (MRN 100234)");
        assert!(laid.bidi);
        let level = |c: char| laid.glyphs.iter().find(|g| g.ch == c).unwrap().level;
        assert_eq!(level('P'), 0);
        assert_eq!(level('ف'), 1);
        assert_eq!(level('M'), 0);
        assert!(laid.glyphs.iter().all(|g| g.flags & RTL_PARA == 0));
        // An Arabic paragraph: right to left, digits and a Latin word at level 2.
        let (laid, _) = shaped("العمر 42 سنة، Sertraline");
        assert!(laid.glyphs.iter().all(|g| g.flags & RTL_PARA != 0));
        let digit = laid.glyphs.iter().find(|g| g.ch == '4').unwrap();
        assert_eq!(digit.level, 2);
        let s = laid.glyphs.iter().find(|g| g.ch == 'S').unwrap();
        assert_eq!(s.level, 2);
    }

    #[test]
    fn levels_span_style_runs() {
        // The direction comes from the whole paragraph, not from each styled run: the bold
        // name and the Latin run after it are part of one right-to-left paragraph.
        let mut s = Shaper::new(fonts().unwrap());
        let mut laid = Laid::default();
        let runs = [
            Run::plain("المريضة "),
            Run::bold("فاطمة"),
            Run::plain(" MRN 42"),
        ];
        s.shape_runs(&runs, false, &mut laid);
        assert!(laid.bidi);
        assert!(laid.glyphs.iter().all(|g| g.flags & RTL_PARA != 0));
        let faces: Vec<FaceId> = laid.glyphs.iter().map(|g| g.face).collect();
        assert!(faces.contains(&FaceId::Arabic) && faces.contains(&FaceId::ArabicBold));
        let m = laid.glyphs.iter().find(|g| g.ch == 'M').unwrap();
        assert_eq!(m.level, 2);
        assert_eq!(s.missing, 0);
    }

    #[test]
    fn brackets_in_right_to_left_text_are_mirrored() {
        let (laid, _) = shaped("نص (ملاحظة)");
        let brackets: Vec<&Shaped> = laid
            .glyphs
            .iter()
            .filter(|g| g.flags & MIRRORED != 0)
            .collect();
        assert_eq!(brackets.len(), 2);
        assert_eq!(
            brackets[0].ch, ')',
            "the opening bracket drawn as its mirror"
        );
    }

    #[test]
    fn devanagari_clusters_stay_whole_and_thai_breaks_between_clusters() {
        let (laid, missing) = shaped("अनन्या शर्मा");
        assert_eq!(missing, 0);
        assert!(!laid.bidi, "left to right: no bidi pass");
        // Where a line may break inside a word: before these (the conjunct न्या stays whole).
        let breakable: Vec<&str> = (0..laid.glyphs.len())
            .filter(|&i| laid.glyphs[i].class == Class::Normal)
            .map(|i| laid.cluster_text(laid.extra(i).unwrap()))
            .collect();
        assert_eq!(breakable, ["अ", "न", "न्", "श", "र्मा"]);
        // Thai without spaces, on lines narrower than the phrase: every line starts on a base
        // consonant cluster, so no mark is ever separated from its letter.
        let thai = "สมชายใจดีมีความสุขที่สุดในโลก";
        let (mut laid, _) = shaped(thai);
        break_lines(&mut laid, 3000);
        assert!(laid.lines.len() > 3, "{}", laid.lines.len());
        for l in &laid.lines {
            assert_ne!(laid.glyphs[l.start as usize].class, Class::Mark);
        }
        let texts: String = laid
            .lines
            .iter()
            .flat_map(|l| l.start as usize..l.end as usize)
            .filter(|&i| laid.glyphs[i].class != Class::Mark)
            .map(|i| laid.cluster_text(laid.extra(i).unwrap()))
            .collect();
        assert_eq!(texts, thai);
    }
}
