//! Right-to-left and complex-script text: which run properties a piece of text needs so Word
//! shapes and orders it right.
//!
//! Word picks the font of each character by its class: Latin text uses `w:ascii`/`w:hAnsi`,
//! complex scripts (Arabic, Hebrew, Indic, Thai, …) use `w:cs` and the `*Cs` properties (`w:bCs`,
//! `w:szCs`), East Asian text uses `w:eastAsia`. A run is laid out right to left only when it says
//! `w:rtl`, and a paragraph's base direction is left to right unless it says `w:bidi`. So text is
//! split into runs of one script class, each naming a font that has the script, and a paragraph
//! whose first strong character is right-to-left (Unicode bidi rules P2/P3) gets `w:bidi`.

use unicode_bidi::{BidiClass, Direction, bidi_class, get_base_direction_full};

/// The script class of a run of text, as far as DOCX run properties go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Latin, Greek, Cyrillic, digits and punctuation: the style's fonts, no extra properties.
    Default,
    Arabic,
    Hebrew,
    /// Another right-to-left script (Syriac, Thaana, N'Ko, …): right to left, complex script,
    /// the viewer's fallback font.
    OtherRtl,
    Devanagari,
    Thai,
    /// Han, kana, hangul and full-width forms.
    EastAsian,
}

impl Script {
    /// The run properties this script adds, in `w:rPr` schema order around `w:b`…`w:iCs`:
    /// (`w:rFonts`, then after the formatting: `w:rtl`, `w:cs`, `w:lang`).
    pub(crate) fn props(self) -> ScriptProps {
        let (fonts, rtl, cs, lang) = match self {
            Script::Default => (None, false, false, None),
            Script::Arabic => (
                Some(r#"<w:rFonts w:cs="Noto Sans Arabic" />"#),
                true,
                true,
                Some(r#"<w:lang w:bidi="ar-SA" />"#),
            ),
            Script::Hebrew => (
                Some(r#"<w:rFonts w:cs="Noto Sans Hebrew" />"#),
                true,
                true,
                Some(r#"<w:lang w:bidi="he-IL" />"#),
            ),
            Script::OtherRtl => (None, true, true, None),
            Script::Devanagari => (
                Some(r#"<w:rFonts w:cs="Noto Sans Devanagari" />"#),
                false,
                true,
                Some(r#"<w:lang w:bidi="hi-IN" />"#),
            ),
            Script::Thai => (
                Some(r#"<w:rFonts w:cs="Noto Sans Thai" />"#),
                false,
                true,
                Some(r#"<w:lang w:bidi="th-TH" />"#),
            ),
            Script::EastAsian => (
                Some(r#"<w:rFonts w:eastAsia="Noto Sans CJK SC" />"#),
                false,
                false,
                None,
            ),
        };
        ScriptProps {
            fonts,
            rtl,
            cs,
            lang,
        }
    }
}

/// Run properties of a script (see [`Script::props`]).
pub(crate) struct ScriptProps {
    pub fonts: Option<&'static str>,
    pub rtl: bool,
    pub cs: bool,
    pub lang: Option<&'static str>,
}

/// The script of a character with a direction of its own; `None` for neutral and weak
/// characters (spaces, punctuation, digits, symbols, combining marks outside the scripts below),
/// which take the script of their neighbours.
fn strong_script(c: char) -> Option<Script> {
    // ASCII letters are the only strong ASCII characters (bidi class L), and most text is ASCII:
    // the table lookup below is a binary search.
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(Script::Default);
    }
    let script = match u32::from(c) {
        0x0590..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x0870..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        0x0900..=0x097F | 0xA8E0..=0xA8FF => Script::Devanagari,
        0x0E00..=0x0E7F => Script::Thai,
        0x1100..=0x11FF
        | 0x2E80..=0x2FDF
        | 0x3000..=0x303F
        | 0x3040..=0x30FF
        | 0x3100..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF => Script::EastAsian,
        _ => match bidi_class(c) {
            BidiClass::L => Script::Default,
            BidiClass::R | BidiClass::AL => Script::OtherRtl,
            _ => return None,
        },
    };
    Some(script)
}

/// Splits `text` into maximal pieces of one script. Neutral characters between two pieces of the
/// same script belong to it; between different scripts they go with the default (so in
/// `فاطمة الزهراء (MRN-000009)` the space and parenthesis are not laid out right to left);
/// before the first or after the last strong character they join that character's piece.
pub(crate) fn segments(text: &str) -> Vec<(Script, &str)> {
    // What the loop below gives for ASCII text, without looking at each character.
    if text.is_ascii() {
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![(Script::Default, text)]
        };
    }
    // Spans (script, start, end) from a strong character to the last strong character of the same
    // script before one of another script; neutrals between them are inside.
    let mut spans: Vec<(Script, usize, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        if let Some(script) = strong_script(c) {
            let end = at + c.len_utf8();
            match spans.last_mut() {
                Some((last, _, last_end)) if *last == script => *last_end = end,
                _ => spans.push((script, at, end)),
            }
        }
    }
    let Some(first) = spans.first_mut() else {
        return if text.is_empty() {
            Vec::new()
        } else {
            vec![(Script::Default, text)]
        };
    };
    first.1 = 0;
    let mut out = Vec::with_capacity(spans.len() * 2);
    for i in 0..spans.len() {
        let (script, start, mut end) = spans[i];
        match spans.get(i + 1) {
            None => end = text.len(),
            Some(&(next, next_start, _)) if end < next_start => {
                if script == Script::Default {
                    end = next_start;
                } else if next == Script::Default {
                    spans[i + 1].1 = end;
                } else {
                    out.push((script, &text[start..end]));
                    out.push((Script::Default, &text[end..next_start]));
                    continue;
                }
            }
            Some(_) => {}
        }
        out.push((script, &text[start..end]));
    }
    out
}

/// Whether a paragraph of these texts (in order) has a right-to-left base direction: its first
/// strong character is right-to-left (P2/P3; characters inside isolates do not count).
pub(crate) fn is_rtl_paragraph<'a>(texts: impl IntoIterator<Item = &'a str>) -> bool {
    for text in texts {
        // ASCII: left to right from its first letter, no direction without one.
        if text.is_ascii() {
            if text.bytes().any(|b| b.is_ascii_alphabetic()) {
                return false;
            }
            continue;
        }
        match get_base_direction_full(text) {
            Direction::Rtl => return true,
            Direction::Ltr => return false,
            Direction::Mixed => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_line_splits_at_the_scripts() {
        assert_eq!(
            segments("Patient: فاطمة الزهراء (MRN-000009)"),
            vec![
                (Script::Default, "Patient: "),
                (Script::Arabic, "فاطمة الزهراء"),
                (Script::Default, " (MRN-000009)"),
            ]
        );
        assert_eq!(segments("נועה כהן"), vec![(Script::Hebrew, "נועה כהן")]);
        assert_eq!(
            segments("अनन्या शर्मा"),
            vec![(Script::Devanagari, "अनन्या शर्मा")]
        );
        assert_eq!(segments("สมชาย ใจดี"), vec![(Script::Thai, "สมชาย ใจดี")]);
        assert_eq!(
            segments("王芳 · Zoë"),
            vec![(Script::EastAsian, "王芳"), (Script::Default, " · Zoë")]
        );
        assert_eq!(
            segments("Plain text."),
            vec![(Script::Default, "Plain text.")]
        );
        assert_eq!(segments(" 42 "), vec![(Script::Default, " 42 ")]);
        assert!(segments("").is_empty());
        // Leading and trailing neutrals join the only script there is.
        assert_eq!(segments(" (שלום) "), vec![(Script::Hebrew, " (שלום) ")]);
        // Neutrals between two complex scripts stand alone.
        assert_eq!(
            segments("שלום - مرحبا"),
            vec![
                (Script::Hebrew, "שלום"),
                (Script::Default, " - "),
                (Script::Arabic, "مرحبا"),
            ]
        );
    }

    #[test]
    fn base_direction_is_the_first_strong_character() {
        assert!(is_rtl_paragraph(["فاطمة الزهراء (MRN-000009)"]));
        assert!(!is_rtl_paragraph(["Patient: ", "فاطمة الزهراء"]));
        assert!(is_rtl_paragraph(["123 ", "נועה"]));
        assert!(!is_rtl_paragraph(["123", " "]));
        assert!(!is_rtl_paragraph(["अनन्या शर्मा"]));
        assert!(is_rtl_paragraph(["(1) ", "- ", "שלום"]));
    }

    #[test]
    fn the_ascii_shortcuts_agree_with_the_bidi_classes() {
        for byte in 0u8..128 {
            let c = char::from(byte);
            let by_class = match bidi_class(c) {
                BidiClass::L => Some(Script::Default),
                BidiClass::R | BidiClass::AL => Some(Script::OtherRtl),
                _ => None,
            };
            assert_eq!(strong_script(c), by_class, "{c:?}");
            let text = c.to_string();
            let by_bidi = get_base_direction_full(text.as_str());
            // Alone, or before right-to-left text: does the ASCII character decide?
            assert_eq!(
                is_rtl_paragraph([text.as_str(), "שלום"]),
                by_bidi != Direction::Ltr,
                "{c:?}"
            );
        }
    }
}
