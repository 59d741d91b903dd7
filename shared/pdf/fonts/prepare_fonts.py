#!/usr/bin/env python3
"""Builds the fonts in this folder from Debian's font packages (python3 standard library only).

    apt-get install -y fonts-dejavu-core fonts-wqy-microhei fonts-noto-core
    python3 prepare_fonts.py

The emoji font is made by `scripts/fonts/make_emoji_font.sh` (fontTools' subsetter) instead.

Changes, nothing else (outlines, metrics, hinting, layout tables, names and copyright notices are
kept):

* the `post` table becomes version 3.0, i.e. without PostScript glyph names. PDF viewers never
  read glyph names of an embedded CID font, but the subsetter walks all of them for every subset
  it makes (6 000 in DejaVu Sans, 30 000 in WenQuanYi Micro Hei): dropping them saves about 0.2 ms
  per document, and 0.6 MB of binary.
* WenQuanYi Micro Hei comes as a collection (`.ttc`) of the proportional and the mono face; only
  the proportional face (index 0) is kept, as a plain `.ttf`.
* Noto Sans (Arabic, Hebrew, Devanagari, Thai): the `DSIG` table is dropped too. It signs the
  original file, so any change invalidates it, and nothing in a PDF reads it.
"""

import struct

DEJAVU = "/usr/share/fonts/truetype/dejavu/"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
NOTO = "/usr/share/fonts/truetype/noto/"

JOBS = [
    (DEJAVU + "DejaVuSans.ttf", 0, "DejaVuSans.ttf"),
    (DEJAVU + "DejaVuSans-Bold.ttf", 0, "DejaVuSans-Bold.ttf"),
    (DEJAVU + "DejaVuSans-Oblique.ttf", 0, "DejaVuSans-Oblique.ttf"),
    (DEJAVU + "DejaVuSans-BoldOblique.ttf", 0, "DejaVuSans-BoldOblique.ttf"),
    (WQY, 0, "WenQuanYiMicroHei.ttf"),
] + [
    (NOTO + name, 0, name)
    for script in ("Arabic", "Hebrew", "Devanagari", "Thai")
    for name in ("NotoSans%s-Regular.ttf" % script, "NotoSans%s-Bold.ttf" % script)
]


def read_face(data, index):
    """The sfnt version and tables of face `index` of a font or font collection."""
    offset = struct.unpack(">I", data[12 + 4 * index : 16 + 4 * index])[0] if data[:4] == b"ttcf" else 0
    version, count = struct.unpack(">IH", data[offset : offset + 6])
    tables = {}
    for i in range(count):
        rec = offset + 12 + 16 * i
        tag, _checksum, start, length = struct.unpack(">4sIII", data[rec : rec + 16])
        tables[tag] = data[start : start + length]
    return version, tables


def checksum(table):
    table += b"\0" * (-len(table) % 4)
    return sum(struct.unpack(">%dI" % (len(table) // 4), table)) & 0xFFFFFFFF


def build(version, tables):
    """A single-face sfnt with the given tables, checksums and head.checkSumAdjustment set."""
    tables = dict(tables)
    tables[b"head"] = tables[b"head"][:8] + b"\0\0\0\0" + tables[b"head"][12:]
    tags = sorted(tables)
    n = len(tags)
    power = 1 << (n.bit_length() - 1)
    directory = struct.pack(">IHHHH", version, n, power * 16, power.bit_length() - 1, n * 16 - power * 16)
    body = b""
    head_at = 0
    offset = 12 + 16 * n
    for tag in tags:
        table = tables[tag]
        if tag == b"head":
            head_at = offset + len(body)
        directory += struct.pack(">4sIII", tag, checksum(table), offset + len(body), len(table))
        body += table + b"\0" * (-len(table) % 4)
    font = directory + body
    adjustment = (0xB1B0AFBA - checksum(font)) & 0xFFFFFFFF
    return font[: head_at + 8] + struct.pack(">I", adjustment) + font[head_at + 12 :]


def main():
    for source, index, target in JOBS:
        with open(source, "rb") as f:
            version, tables = read_face(f.read(), index)
        post = tables[b"post"]
        if struct.unpack(">I", post[:4])[0] == 0x00020000:
            tables[b"post"] = struct.pack(">I", 0x00030000) + post[4:32]
        tables.pop(b"DSIG", None)
        font = build(version, tables)
        with open(target, "wb") as f:
            f.write(font)
        print(f"{target}: {len(font)} bytes from {source} (face {index})")


if __name__ == "__main__":
    main()
