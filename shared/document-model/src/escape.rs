//! Escaping text for the languages documents are written in — the XML parts of a DOCX package,
//! HTML — by one routine, given the entity table the place needs. The tables differ on purpose:
//! DOCX body text is escaped exactly as docx-rs escapes it (so the bytes match what docx-rs
//! writes elsewhere in the same part), package metadata needs only the three markup characters,
//! and HTML also escapes quotes for attribute safety.

/// What a byte becomes: `None` keeps it, `Some(entity)` replaces it (`""` drops it). Only ASCII
/// bytes are ever replaced, so UTF-8 sequences pass through whole.
pub type Entities = fn(u8) -> Option<&'static str>;

/// XML text as docx-rs writes it: `& < > " '`, a newline as `&#xA;`, carriage returns dropped.
pub fn docx_text(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&apos;"),
        b'\n' => Some("&#xA;"),
        b'\r' => Some(""),
        _ => None,
    }
}

/// XML text content: `& < >` only.
pub fn xml_text(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        _ => None,
    }
}

/// HTML text and attribute values: `& < > " '`.
pub fn html(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Appends `text` to `out` with every byte `entities` names replaced.
pub fn escape_into(out: &mut String, text: &str, entities: Entities) {
    let mut rest = 0;
    for (at, b) in text.bytes().enumerate() {
        let Some(entity) = entities(b) else { continue };
        out.push_str(&text[rest..at]);
        out.push_str(entity);
        rest = at + 1;
    }
    out.push_str(&text[rest..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str, entities: Entities) -> String {
        let mut out = String::new();
        escape_into(&mut out, text, entities);
        out
    }

    #[test]
    fn each_table_replaces_its_characters_and_keeps_the_rest() {
        let text = "a&b<c>d\"e'f\ng\r\né";
        assert_eq!(
            escaped(text, docx_text),
            "a&amp;b&lt;c&gt;d&quot;e&apos;f&#xA;g&#xA;é"
        );
        assert_eq!(escaped(text, xml_text), "a&amp;b&lt;c&gt;d\"e'f\ng\r\né");
        assert_eq!(
            escaped(text, html),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f\ng\r\né"
        );
        assert_eq!(escaped("", html), "");
    }
}
