//! PDF tokens written straight into a byte buffer: numbers, strings, names. No `core::fmt`:
//! content streams write millions of numbers.

/// A number with at most two decimals (1/7200 inch: finer than any device).
pub(crate) fn write_num(out: &mut Vec<u8>, v: f32) {
    write_centi(out, centi(v));
}

/// `v` in hundredths, rounded.
pub(crate) fn centi(v: f32) -> i64 {
    if v.is_finite() {
        (v as f64 * 100.0).round() as i64
    } else {
        0
    }
}

/// A number given in hundredths.
pub(crate) fn write_centi(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    write_u64(out, a / 100);
    let frac = a % 100;
    if frac != 0 {
        out.push(b'.');
        out.push(b'0' + (frac / 10) as u8);
        if !frac.is_multiple_of(10) {
            out.push(b'0' + (frac % 10) as u8);
        }
    }
}

/// A colour component 0..=255 as 0..1 with three decimals.
pub(crate) fn write_unit(out: &mut Vec<u8>, v: u8) {
    match v {
        0 => out.push(b'0'),
        255 => out.push(b'1'),
        _ => {
            let m = (v as u32 * 1000 + 127) / 255;
            out.extend_from_slice(&[
                b'.',
                b'0' + (m / 100) as u8,
                b'0' + (m / 10 % 10) as u8,
                b'0' + (m % 10) as u8,
            ]);
        }
    }
}

pub(crate) fn write_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

pub(crate) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

/// Two-byte glyph ids (Identity-H) as a literal string.
pub(crate) fn write_glyphs(out: &mut Vec<u8>, codes: &[u16]) {
    out.push(b'(');
    for &code in codes {
        write_glyph_code(out, code);
    }
    out.push(b')');
}

/// One two-byte glyph id inside a literal string (the string's delimiters are the caller's).
#[inline(always)]
pub(crate) fn write_glyph_code(out: &mut Vec<u8>, code: u16) {
    for b in code.to_be_bytes() {
        match b {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
}

/// A text string (ISO 32000-1 7.9.2.2): printable ASCII as a literal string, anything else as
/// UTF-16BE with a byte-order mark, in hex.
pub(crate) fn write_text(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        out.push(b'(');
        for b in s.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        out.extend_from_slice(b"<FEFF");
        for u in s.encode_utf16() {
            write_hex4(out, u);
        }
        out.push(b'>');
    }
}

/// Four upper-case hex digits.
pub(crate) fn write_hex4(out: &mut Vec<u8>, v: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.extend_from_slice(&[
        HEX[(v >> 12) as usize & 15],
        HEX[(v >> 8) as usize & 15],
        HEX[(v >> 4) as usize & 15],
        HEX[v as usize & 15],
    ]);
}

/// A name (`/Name`), with the characters names cannot hold as `#xx` (ISO 32000-1 7.3.5).
pub(crate) fn write_name(out: &mut Vec<u8>, name: &str) {
    out.push(b'/');
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+') {
            out.push(b);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.extend_from_slice(&[b'#', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_strings_names() {
        let mut o = Vec::new();
        for v in [0.0, 1.0, -2.5, 612.0, 0.004, 12.345, -0.001] {
            write_num(&mut o, v);
            o.push(b' ');
        }
        assert_eq!(String::from_utf8(o).unwrap(), "0 1 -2.5 612 0 12.35 0 ");
        let mut o = Vec::new();
        write_unit(&mut o, 0x80);
        assert_eq!(o, b".502");
        let mut o = Vec::new();
        write_glyphs(&mut o, &[0x0028, 0x5C0D, 0x0A41]);
        assert_eq!(o, b"(\0\\(\\\\\\r\\nA)");
        let mut o = Vec::new();
        write_text(&mut o, "a (b)\\");
        write_text(&mut o, "Zoë —");
        assert_eq!(
            String::from_utf8(o).unwrap(),
            "(a \\(b\\)\\\\)<FEFF005A006F00EB00202014>"
        );
        let mut o = Vec::new();
        write_name(&mut o, "A B#");
        assert_eq!(o, b"/A#20B#23");
    }
}
