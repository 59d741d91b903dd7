//! A minimal PNG encoder: 8-bit RGB, one IDAT, per-row adaptive filtering, a pHYs chunk with
//! the resolution (so Word and LibreOffice know the intended size). Enough for chart pictures;
//! it keeps the `png` crate and its dependencies out of the build.

use crate::ChartImageError;

/// Encodes `rgb` (`width × height × 3` bytes, rows top to bottom) as PNG at `dpi`.
pub(crate) fn encode_rgb(
    rgb: &[u8],
    width: u32,
    height: u32,
    dpi: f32,
) -> Result<Vec<u8>, ChartImageError> {
    let row = width as usize * 3;
    if width == 0 || height == 0 || rgb.len() != row * height as usize {
        return Err(ChartImageError::Encode(
            "pixel buffer does not match the size",
        ));
    }
    // Each row: a filter byte, then the filtered bytes. The filter minimising the sum of
    // absolute (signed) residuals is the usual cheap heuristic (libpng's default).
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    let mut candidate = vec![0u8; row];
    let mut best = vec![0u8; row];
    for y in 0..height as usize {
        let cur = &rgb[y * row..(y + 1) * row];
        let prev = (y > 0).then(|| &rgb[(y - 1) * row..y * row]);
        let mut best_filter = 0u8;
        let mut best_cost = u64::MAX;
        for filter in 0..=2u8 {
            if filter == 2 && prev.is_none() {
                continue;
            }
            for i in 0..row {
                let left = if i >= 3 { cur[i - 3] } else { 0 };
                let up = prev.map_or(0, |p| p[i]);
                candidate[i] = match filter {
                    0 => cur[i],
                    1 => cur[i].wrapping_sub(left),
                    _ => cur[i].wrapping_sub(up),
                };
            }
            let cost: u64 = candidate
                .iter()
                .map(|&b| u64::from((b as i8).unsigned_abs()))
                .sum();
            if cost < best_cost {
                best_cost = cost;
                best_filter = filter;
                best.copy_from_slice(&candidate);
            }
        }
        raw.push(best_filter);
        raw.extend_from_slice(&best);
    }

    let mut compressed = vec![0u8; zlib_rs::compress_bound(raw.len())];
    let (idat, rc) = zlib_rs::compress_slice(&mut compressed, &raw, zlib_rs::DeflateConfig::new(6));
    if rc != zlib_rs::ReturnCode::Ok {
        return Err(ChartImageError::Encode("deflate failed"));
    }

    let mut out = Vec::with_capacity(idat.len() + 128);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let per_metre = (dpi / 0.0254).round() as u32;
    let mut phys = Vec::with_capacity(9);
    phys.extend_from_slice(&per_metre.to_be_bytes());
    phys.extend_from_slice(&per_metre.to_be_bytes());
    phys.push(1); // unit: metre
    chunk(&mut out, b"pHYs", &phys);
    chunk(&mut out, b"IDAT", idat);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = zlib_rs::crc32::crc32(0, &out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_image_round_trips_through_zlib() {
        // 2 × 2: red, green / blue, white.
        let rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
        let png = encode_rgb(&rgb, 2, 2, 200.0).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 2);
        // The CRC of IHDR covers its type and data.
        let crc = u32::from_be_bytes(png[29..33].try_into().unwrap());
        assert_eq!(crc, zlib_rs::crc32::crc32(0, &png[12..29]));
        // pHYs: 200 dpi is 7874 pixels per metre.
        let phys = png.windows(4).position(|w| w == b"pHYs").unwrap();
        assert_eq!(
            u32::from_be_bytes(png[phys + 4..phys + 8].try_into().unwrap()),
            7874
        );
        // IDAT inflates back to the filtered rows: 2 × (1 + 6) bytes.
        let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
        let len = u32::from_be_bytes(png[idat - 4..idat].try_into().unwrap()) as usize;
        let mut raw = vec![0u8; 64];
        let (raw, rc) = zlib_rs::decompress_slice(
            &mut raw,
            &png[idat + 4..idat + 4 + len],
            zlib_rs::InflateConfig::default(),
        );
        assert_eq!(rc, zlib_rs::ReturnCode::Ok);
        assert_eq!(raw.len(), 14);
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        assert!(encode_rgb(&rgb, 3, 2, 200.0).is_err());
    }
}
