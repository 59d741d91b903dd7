//! Turning styled text into glyphs of the embedded faces, and glyphs into lines.

use exports_document_model::Run;

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
    /// A forced line break (no glyph).
    Newline,
}

/// One shaped character.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shaped {
    /// The character drawn (the replacement character for one no face has).
    pub ch: char,
    pub face: FaceId,
    pub gid: u16,
    /// Advance in 1/1000 em.
    pub adv: u16,
    pub class: Class,
}

/// A line: glyphs `start..end` (trailing spaces excluded) of a shaped buffer.
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
}

impl Laid {
    pub(crate) fn clear(&mut self) {
        self.glyphs.clear();
        self.lines.clear();
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
}

/// Resolves characters to glyphs: the run's DejaVu face, then the CJK fallback, then a visible
/// replacement character (counted in `missing`).
pub(crate) struct Shaper {
    pub fonts: &'static Fonts,
    pub missing: usize,
}

fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x2E80..=0x303F    // CJK radicals, punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3130..=0x318F    // Hangul compatibility Jamo
        | 0x3400..=0x4DBF    // CJK ext. A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF00..=0xFFEF    // half/full-width forms
        | 0x20000..=0x3FFFF) // CJK ext. B and later
}

impl Shaper {
    pub(crate) fn new(fonts: &'static Fonts) -> Self {
        Shaper { fonts, missing: 0 }
    }

    /// Appends the glyphs of `text` set in the given style.
    pub(crate) fn shape_str(
        &mut self,
        text: &str,
        bold: bool,
        italic: bool,
        out: &mut Vec<Shaped>,
    ) {
        let style = FaceId::styled(bold, italic);
        let styled = self.fonts.face(style);
        out.reserve(text.len());
        for c in text.chars() {
            let class = match c {
                '\n' | '\u{2028}' | '\u{2029}' => {
                    out.push(Shaped {
                        ch: '\n',
                        face: style,
                        gid: 0,
                        adv: 0,
                        class: Class::Newline,
                    });
                    continue;
                }
                // Invisible by definition: carriage returns, other control characters,
                // zero-width and format characters, variation selectors, soft hyphens.
                '\u{0}'..='\u{8}'
                | '\u{B}'..='\u{1F}'
                | '\u{7F}'..='\u{9F}'
                | '\u{AD}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}' => continue,
                ' ' | '\t' | '\u{2000}'..='\u{200A}' | '\u{3000}' => Class::Space,
                '-' | '/' | '\u{2010}' | '\u{2012}'..='\u{2014}' => Class::BreakAfter,
                _ => Class::Normal,
            };
            let c = if c == '\t' { ' ' } else { c };
            if let Some(g) = styled.lookup(c) {
                out.push(Shaped {
                    ch: c,
                    face: style,
                    gid: g.gid,
                    adv: g.adv,
                    class,
                });
            } else if let Some(g) = self.fonts.face(FaceId::Fallback).lookup(c) {
                out.push(Shaped {
                    ch: c,
                    face: FaceId::Fallback,
                    gid: g.gid,
                    adv: g.adv,
                    class: if is_ideographic(c) {
                        Class::Ideo
                    } else {
                        class
                    },
                });
            } else {
                self.missing += 1;
                let r = self.fonts.replacement;
                let g = styled.lookup(r).unwrap_or_default();
                out.push(Shaped {
                    ch: r,
                    face: style,
                    gid: g.gid,
                    adv: g.adv,
                    class: Class::Normal,
                });
            }
        }
    }

    /// Appends the glyphs of styled runs; `force_bold` sets every run bold (table headers).
    pub(crate) fn shape_runs(&mut self, runs: &[Run], force_bold: bool, out: &mut Vec<Shaped>) {
        for r in runs {
            self.shape_str(&r.text, r.bold || force_bold, r.italic, out);
        }
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
/// after hyphens and slashes, around CJK characters; a word longer than a line is broken
/// between characters. Forced breaks at newlines.
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
                    // No break opportunity: the word is longer than the line.
                    lines.push(Line {
                        start: start as u32,
                        end: i as u32,
                    });
                    start = i;
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
        if breaks_after && i + 1 < n {
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

    fn lines_of(text: &str, max: u32) -> Vec<String> {
        let mut s = Shaper::new(fonts().unwrap());
        let mut laid = Laid::default();
        s.shape_str(text, false, false, &mut laid.glyphs);
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

    #[test]
    fn the_widest_word_is_what_break_lines_keeps_whole() {
        let mut s = Shaper::new(fonts().unwrap());
        let width = |s: &mut Shaper, text: &str| {
            let mut g = Vec::new();
            s.shape_str(text, false, false, &mut g);
            g.iter().map(|g| g.adv as u32).sum::<u32>()
        };
        let words = |s: &mut Shaper, text: &str| {
            let mut g = Vec::new();
            s.shape_str(text, false, false, &mut g);
            widest_word(&g)
        };
        let discontinued = width(&mut s, "Discontinued");
        assert_eq!(words(&mut s, "Goal Discontinued now"), discontinued);
        assert_eq!(words(&mut s, "counter-i"), width(&mut s, "counter-"));
        assert_eq!(words(&mut s, "a\nDiscontinued"), discontinued);
        assert_eq!(words(&mut s, ""), 0);
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
    fn cjk_uses_fallback_and_unknown_is_counted() {
        let mut s = Shaper::new(fonts().unwrap());
        let mut out = Vec::new();
        s.shape_str("Zoë 王芳 김민준 \u{1F642}", false, false, &mut out);
        let faces: Vec<FaceId> = out.iter().map(|g| g.face).collect();
        assert_eq!(faces[0], FaceId::Regular);
        assert_eq!(faces[4], FaceId::Fallback);
        assert_eq!(faces[7], FaceId::Fallback);
        assert_eq!(s.missing, 1);
        assert_eq!(out.last().unwrap().ch, '\u{FFFD}');
    }
}
