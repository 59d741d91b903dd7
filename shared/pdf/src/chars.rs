//! What the text pipeline needs to know about single characters: which script font draws them,
//! which are never drawn, which make a paragraph bidirectional, how they break lines.
//!
//! Plain range tables instead of full Unicode property lookups: each test is a couple of
//! comparisons, and the common case (Latin, Greek, Cyrillic below U+0590) never reaches them.

use crate::fonts::ScriptFont;

/// The script font that draws `c`, for the scripts that have one. These go to their own face
/// before DejaVu: DejaVu Sans has Arabic and Hebrew letters in its upright faces only and no
/// Devanagari or Thai, and the Noto faces carry the shaping tables the scripts need.
pub(crate) fn script_font(c: char) -> Option<ScriptFont> {
    match c as u32 {
        0x0591..=0x05FF | 0xFB1D..=0xFB4F => Some(ScriptFont::Hebrew),
        0x0600..=0x06FF | 0x0750..=0x077F | 0x0870..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFE => {
            Some(ScriptFont::Arabic)
        }
        0x0900..=0x097F | 0xA8E0..=0xA8FF | 0x1CD0..=0x1CFF => Some(ScriptFont::Devanagari),
        0x0E01..=0x0E7F => Some(ScriptFont::Thai),
        _ => None,
    }
}

/// Characters that are never drawn: control characters, and Unicode's default-ignorable code
/// points (format and bidi controls, joiners, variation selectors, tag characters, fillers).
/// Newlines and tabs are handled before this is asked.
pub(crate) fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x08 | 0x0B..=0x1F | 0x7F..=0x9F
        | 0xAD              // soft hyphen
        | 0x034F            // combining grapheme joiner
        | 0x061C            // Arabic letter mark
        | 0x115F..=0x1160   // Hangul fillers
        | 0x17B4..=0x17B5
        | 0x180B..=0x180F   // Mongolian variation selectors
        | 0x200B..=0x200F   // zero-width space, ZWNJ, ZWJ, LRM, RLM
        | 0x202A..=0x202E   // embeddings and overrides
        | 0x2060..=0x206F   // word joiner, invisible operators, isolates
        | 0x3164 | 0xFFA0   // Hangul fillers
        | 0xFE00..=0xFE0F   // variation selectors (emoji / text presentation)
        | 0xFEFF            // byte-order mark
        | 0xFFF0..=0xFFF8
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF) // tags (flag subdivisions), variation selectors supplement
}

/// Zero-width (non-)joiner: ignorable, but inside a shaped run it tells the shaper whether
/// letters join (Arabic) or form a conjunct (Devanagari), so it is handed to the shaper.
pub(crate) fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Whether `c` can make a paragraph bidirectional: a right-to-left letter (bidi classes R, AL),
/// an Arabic number (AN), or an explicit bidi formatting character. Text without any is laid
/// out left to right without running the bidi algorithm.
pub(crate) fn may_be_rtl(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF
        | 0x200F            // RLM (LRM alone changes nothing in left-to-right text)
        | 0x202A..=0x202E
        | 0x2066..=0x2069
        | 0xFB1D..=0xFDFF
        | 0xFE70..=0xFEFF
        | 0x10800..=0x10FFF
        | 0x1E800..=0x1EFFF)
}

/// Combining marks that belong to the character before them (Latin/Greek/Cyrillic diacritics,
/// the keycap, combining symbols): a line never breaks before one, and after a shaped letter
/// it is shaped with it.
pub(crate) fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
        | 0xFE20..=0xFE2F)
}

/// The emoji skin-tone modifiers (U+1F3FB–1F3FF): they colour the emoji before them. A
/// monochrome emoji has no colour to change, so after a drawn character they are dropped.
pub(crate) fn is_emoji_modifier(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF)
}

/// CJK ideographs, kana, Hangul: a line may break before and after each.
pub(crate) fn is_ideographic(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_directions() {
        assert_eq!(script_font('ف'), Some(ScriptFont::Arabic));
        assert_eq!(script_font('٤'), Some(ScriptFont::Arabic));
        assert_eq!(script_font('נ'), Some(ScriptFont::Hebrew));
        assert_eq!(script_font('अ'), Some(ScriptFont::Devanagari));
        assert_eq!(script_font('।'), Some(ScriptFont::Devanagari));
        assert_eq!(script_font('ส'), Some(ScriptFont::Thai));
        for c in ['a', 'ễ', 'Ж', '王', '🙂', ' ', '1'] {
            assert_eq!(script_font(c), None, "{c}");
            assert!(!may_be_rtl(c), "{c}");
        }
        for c in ['ف', 'נ', '\u{202B}', '\u{2067}', '\u{200F}', 'ﻻ'] {
            assert!(may_be_rtl(c), "{c:?}");
        }
        assert!(!may_be_rtl('अ') && !may_be_rtl('ส'));
    }

    #[test]
    fn what_is_never_drawn() {
        for c in [
            '\u{FE0F}',
            '\u{200D}',
            '\u{202E}',
            '\u{2066}',
            '\u{E0067}',
            '\u{AD}',
            '\u{1}',
        ] {
            assert!(is_ignorable(c), "{c:?}");
        }
        for c in ['a', ' ', '🙂', '\u{1F3FB}', 'ـ'] {
            assert!(!is_ignorable(c), "{c:?}");
        }
        assert!(is_emoji_modifier('\u{1F3FD}') && !is_emoji_modifier('🙂'));
        assert!(is_combining_mark('\u{301}') && is_combining_mark('\u{20E3}'));
    }
}
