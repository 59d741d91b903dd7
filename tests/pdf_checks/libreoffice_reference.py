"""A known-good reference for check_pdf_ua.py: a DOCX exported by LibreOffice as PDF/UA + PDF/A-2.

The DOCX is generated here with python-docx (no binary fixture in the repository): a title,
Heading 1/Heading 2 sections, paragraphs, a table whose first row is a repeating header row, a
bulleted list and a PNG image (also generated here) with alternative text. LibreOffice Writer
exports it with PDF/A-2 (``SelectPdfVersion`` 2, which LibreOffice writes as PDF/A-2b) and
PDF/UA (``PDFUACompliance``) switched on.

    python tests/pdf_checks/libreoffice_reference.py OUT_DIR   # writes reference.docx/.pdf/.txt

`REFERENCE_TEXT` is the logical text of the document in reading order, in the checker's
normalised form. Needs ``soffice`` (Debian: libreoffice-writer-nogui) and python-docx.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

EXPORT_FILTER = (
    'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},'
    '"PDFUACompliance":{"type":"boolean","value":"true"}}'
)
ALT_TEXT = "Bar chart: weekly mood scores rising from 4 to 7"

PARAGRAPHS = [
    ("Heading 1", "Treatment summary"),
    (None, "The client attended eight sessions."),
    ("Heading 2", "Scores"),
    ("table", [["Week", "Score"], ["1", "4"], ["8", "7"]]),
    ("Heading 2", "Goals"),
    ("List Bullet", "Sleep seven hours"),
    ("List Bullet", "Walk daily"),
    ("image", ALT_TEXT),
    (None, "Signed by the therapist."),
]

# What LibreOffice 7.4 makes of it, read through the structure tree: the bullet is not a Lbl
# element but a marked-content sequence of its own inside LBody's paragraph, with no space
# after it (the gap is a tab stop, i.e. a position), and it is python-docx's Symbol-font
# bullet, U+F0B7 (private use area). The image's alt text is the Figure's /Alt.
REFERENCE_TEXT = (
    "Treatment summary The client attended eight sessions. Scores Week Score 1 4 8 7 Goals "
    "\uf0b7Sleep seven hours \uf0b7Walk daily " + ALT_TEXT + " Signed by the therapist."
)

# What the checker reports for LibreOffice 7.4's export, each a real finding:
# - pdfa:header: LibreOffice writes %PDF-1.6 (valid PDF/A-2; the project requires 1.7);
# - pdfa:xmp-extension: pdfuaid:part is used without the PDF/A extension schema that PDF/A-2
#   requires for it (ISO 19005-2 6.6.2.3.1: pdfuaid is not a predefined schema);
# - ua:tabs: no /Tabs on a page without annotations (PDF/UA asks it only of pages with
#   annotations; the project asks it of every page);
# - ua:figure-content: the image is painted inside /Artifact and the Figure element is empty.
KNOWN_FINDINGS = {"pdfa:header", "pdfa:xmp-extension", "ua:tabs", "ua:figure-content"}


def png_bytes(width: int = 60, height: int = 40) -> bytes:
    """A small RGB PNG: three blue bars on white."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            bar = x // 20
            top = height - (12, 22, 32)[bar]
            inside = 4 <= x % 20 <= 15 and y >= top
            row += bytes((30, 80, 200) if inside else (255, 255, 255))
        rows.append(bytes(row))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def build_docx(path: Path) -> Path:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement
    from docx.shared import Cm

    doc = Document()
    doc.core_properties.title = "Treatment summary (reference)"
    doc.core_properties.author = "Reference Author"
    doc.core_properties.language = "en-GB"
    for kind, value in PARAGRAPHS:
        if kind == "table":
            table = doc.add_table(rows=len(value), cols=len(value[0]))
            table.style = "Table Grid"
            for r, row in enumerate(value):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
            # The first row repeats as a header row: LibreOffice tags its cells TH.
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
        elif kind == "image":
            with tempfile.TemporaryDirectory() as tmp:
                png = Path(tmp) / "chart.png"
                png.write_bytes(png_bytes())
                doc.add_picture(str(png), width=Cm(6))
            # Alternative text is the drawing's docPr/@descr.
            doc_pr = doc.paragraphs[-1]._p.xpath(".//wp:docPr")[0]
            doc_pr.set("descr", value)
        else:
            doc.add_paragraph(value, style=kind)
    # Document language (w:lang on the default run properties), so /Lang is set.
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-GB")
    doc.save(str(path))
    return path


def export_pdf(docx: Path, out_dir: Path, timeout: int = 180) -> Path:
    """Convert with LibreOffice (its own throwaway profile, so a running instance is not used)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise FileNotFoundError("soffice (LibreOffice) is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                EXPORT_FILTER,
                "--outdir",
                str(out_dir),
                str(docx),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    pdf = out_dir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no {pdf}")
    return pdf


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    docx = build_docx(out / "reference.docx")
    pdf = export_pdf(docx, out)
    (out / "reference.txt").write_text(REFERENCE_TEXT + "\n", encoding="utf-8")
    print(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
