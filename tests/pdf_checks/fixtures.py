"""Synthetic tagged PDFs for testing check_pdf_ua.py, built with pikepdf from scratch.

`build_pdf()` with no arguments writes a small document that follows every rule the checker
knows: PDF 1.7, a Type0/Identity-H font (DejaVu Sans from shared/pdf/fonts, embedded whole)
with a ToUnicode CMap, a structure tree with H1, P, H2, a table with a header row, a list, a
figure with alt text, a running header and footer as artifacts, XMP with pdfaid, pdfuaid and
the extension schema that declares pdfuaid, matching Info, and an RGB OutputIntent. Each keyword
argument breaks one thing, so a test can show that the checker catches exactly that.

`GOOD_TEXT` is the logical text of the good document in reading order.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

REPO = Path(__file__).resolve().parents[2]
FONT_PATH = REPO / "shared" / "pdf" / "fonts" / "DejaVuSans.ttf"

GOOD_TEXT = (
    "Progress report Client attended all sessions. Scores Date Score 1 Mar 12 "
    "\u2022 Sleep improved Bar chart of weekly scores"
)


# ----------------------------------------------------------------------------------------------
# Font: glyph ids from the TrueType cmap (format 4), widths from hmtx
# ----------------------------------------------------------------------------------------------


class TrueType:
    """Just enough of a TrueType file to draw BMP text with Identity-H."""

    def __init__(self, path: Path):
        self.data = path.read_bytes()
        num_tables = struct.unpack(">H", self.data[4:6])[0]
        self.tables = {}
        for i in range(num_tables):
            tag, _, offset, length = struct.unpack(">4sIII", self.data[12 + 16 * i : 28 + 16 * i])
            self.tables[tag.decode("latin-1")] = (offset, length)
        self.units = struct.unpack(">H", self.table("head")[18:20])[0]
        self.cmap = self._cmap4()
        hhea = self.table("hhea")
        self.n_hmetrics = struct.unpack(">H", hhea[34:36])[0]

    def table(self, tag: str) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset : offset + length]

    def _cmap4(self) -> dict[int, int]:
        cmap = self.table("cmap")
        n = struct.unpack(">H", cmap[2:4])[0]
        for i in range(n):
            platform, encoding, offset = struct.unpack(">HHI", cmap[4 + 8 * i : 12 + 8 * i])
            if (platform, encoding) == (3, 1) and struct.unpack(">H", cmap[offset : offset + 2])[
                0
            ] == 4:
                return self._parse4(cmap[offset:])
        raise ValueError("no (3,1) format 4 cmap")

    @staticmethod
    def _parse4(t: bytes) -> dict[int, int]:
        seg2 = struct.unpack(">H", t[6:8])[0]
        seg = seg2 // 2
        ends = struct.unpack(f">{seg}H", t[14 : 14 + seg2])
        starts = struct.unpack(f">{seg}H", t[16 + seg2 : 16 + 2 * seg2])
        deltas = struct.unpack(f">{seg}h", t[16 + 2 * seg2 : 16 + 3 * seg2])
        ro_at = 16 + 3 * seg2
        offsets = struct.unpack(f">{seg}H", t[ro_at : ro_at + seg2])
        out = {}
        for s in range(seg):
            for c in range(starts[s], ends[s] + 1):
                if c == 0xFFFF:
                    continue
                if offsets[s] == 0:
                    g = (c + deltas[s]) & 0xFFFF
                else:
                    at = ro_at + 2 * s + offsets[s] + 2 * (c - starts[s])
                    g = struct.unpack(">H", t[at : at + 2])[0]
                    g = (g + deltas[s]) & 0xFFFF if g else 0
                if g:
                    out[c] = g
        return out

    def advance(self, gid: int) -> int:
        hmtx = self.table("hmtx")
        i = min(gid, self.n_hmetrics - 1)
        return struct.unpack(">H", hmtx[4 * i : 4 * i + 2])[0] * 1000 // self.units


# ----------------------------------------------------------------------------------------------
# ICC profile: a minimal, well-formed ICC v2 RGB display profile (sRGB primaries, gamma 2.2)
# ----------------------------------------------------------------------------------------------


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def minimal_rgb_icc() -> bytes:
    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)

    def text_desc(s: str) -> bytes:
        ascii_ = s.encode("ascii") + b"\0"
        body = b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_
        body += struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + b"\0" * 67
        return body

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    tags = [
        (b"desc", text_desc("Test RGB (sRGB primaries, gamma 2.2)")),
        (b"cprt", b"text\0\0\0\0" + b"No copyright, test data\0"),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, blobs = b"", b""
    for sig, blob in tags:
        while len(blob) % 4:
            blob += b"\0"
        entries += sig + struct.pack(">II", offset + len(blobs), len(blob))
        blobs += blob
    size = 128 + table_size + len(blobs)
    header = (
        struct.pack(">I", size) + b"none" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
    )
    header += b"\0" * 12 + b"acsp" + b"APPL" + b"\0" * 4 + b"none" + b"none" + b"\0" * 8
    header += b"\0" * 4 + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"none"
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + entries + blobs


# ----------------------------------------------------------------------------------------------
# XMP
# ----------------------------------------------------------------------------------------------

PDFUAID_EXTENSION = """
   <rdf:Description rdf:about=""
     xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
     xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
     xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
    <pdfaExtension:schemas>
     <rdf:Bag>
      <rdf:li rdf:parseType="Resource">
       <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
       <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
       <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
       <pdfaSchema:property>
        <rdf:Seq>
         <rdf:li rdf:parseType="Resource">
          <pdfaProperty:name>part</pdfaProperty:name>
          <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
          <pdfaProperty:category>internal</pdfaProperty:category>
          <pdfaProperty:description>Part of ISO 14289 followed</pdfaProperty:description>
         </rdf:li>
        </rdf:Seq>
       </pdfaSchema:property>
      </rdf:li>
     </rdf:Bag>
    </pdfaExtension:schemas>
   </rdf:Description>"""


def xmp_packet(
    title: str,
    author: str,
    producer: str,
    created_xmp: str,
    pdfa_part: str,
    conformance: str,
    pdfua_part: str | None,
    extension: bool,
) -> bytes:
    ua = (
        f'\n   <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        f"\n    <pdfuaid:part>{pdfua_part}</pdfuaid:part>\n   </rdf:Description>"
        if pdfua_part is not None
        else ""
    )
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
   <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
    <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
    <pdf:Producer>{producer}</pdf:Producer>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
    <xmp:CreateDate>{created_xmp}</xmp:CreateDate>
    <xmp:ModifyDate>{created_xmp}</xmp:ModifyDate>
   </rdf:Description>
   <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
    <pdfaid:part>{pdfa_part}</pdfaid:part>
    <pdfaid:conformance>{conformance}</pdfaid:conformance>
   </rdf:Description>{ua}{PDFUAID_EXTENSION if extension else ""}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode("utf-8")


# ----------------------------------------------------------------------------------------------
# The document
# ----------------------------------------------------------------------------------------------


def build_pdf(
    path: Path,
    *,
    version: str = "1.7",
    figure_alt: str | None = "Bar chart of weekly scores",
    th_scope: str | None = "Column",
    untagged_text: bool = False,
    orphan_mcid: bool = False,
    dangling_mcr: bool = False,
    unmapped_char: str | None = None,
    actual_text_for_unmapped: bool = False,
    replacement_char: bool = False,
    second_heading: str = "H2",
    pdfa_part: str = "2",
    conformance: str = "U",
    pdfua_part: str | None = "1",
    pdfuaid_extension: bool = True,
    output_intent: bool = True,
    lang: str | None = "en-GB",
    tabs: bool = True,
    display_doc_title: bool = True,
    info_title: str | None = None,
    artifact_in_tagged: bool = False,
    swap_list_and_table: bool = False,
    custom_role: str | None = None,
    map_custom_role: bool = True,
) -> Path:
    """Write the fixture document to `path`, with the requested defects, and return `path`."""
    font = TrueType(FONT_PATH)
    pdf = pikepdf.new()
    used: dict[int, str] = {}

    def shown(text: str) -> bytes:
        """A hex string of glyph ids (Identity-H: CID = GID) and remember the mapping."""
        out = []
        for ch in text:
            gid = font.cmap[ord(ch)]
            used[gid] = ch
            out.append(f"{gid:04X}")
        return f"<{''.join(out)}>".encode()

    def text(x: float, y: float, s: str, size: int = 11) -> bytes:
        return b"BT /F1 %d Tf %g %g Td " % (size, x, y) + shown(s) + b" Tj ET\n"

    def tagged(tag: str, mcid: int, body: bytes, extra: str = "") -> bytes:
        return f"/{tag} <</MCID {mcid}{extra}>> BDC\n".encode() + body + b"EMC\n"

    title = "Progress report"
    heading2_tag = second_heading
    content = b""
    content += b"/Artifact <</Type /Pagination /Subtype /Header>> BDC\n"
    content += b"0.8 0 0 rg 50 805 495 1 re f\n" + text(50, 812, "Practice header", 8)
    content += b"EMC\n"
    # Line broken after "attended ": the space that the break replaced stays in the string.
    para = b"BT /F1 11 Tf 50 740 Td " + shown("Client attended ") + b" Tj 0 -14 Td "
    para += shown("all sessions.") + b" Tj ET\n"
    content += tagged("H1", 0, text(50, 770, title, 18))
    content += tagged("P", 1, para)
    content += tagged(heading2_tag, 2, text(50, 690, "Scores", 14))
    cells = [
        ("TH", 3, "Date", 50, 660),
        ("TH", 4, "Score", 200, 660),
        ("TD", 5, "1 Mar", 50, 640),
        ("TD", 6, "12", 200, 640),
    ]
    for tag, mcid, s, x, y in cells:
        content += tagged(tag, mcid, text(x, y, s))
    content += tagged("Lbl", 7, text(50, 610, "\u2022"))
    content += tagged("LBody", 8, text(62, 610, "Sleep improved"))
    fig = b"0 0.3 0.7 rg 50 500 40 80 re f 100 500 40 60 re f\n"
    content += tagged("Figure", 9, fig)
    if artifact_in_tagged:
        content = content.replace(
            b"/P <</MCID 1>> BDC\n",
            b"/P <</MCID 1>> BDC\n/Artifact BMC 0 0 0 RG 50 730 m 60 730 l S EMC\n",
        )
    next_mcid = 10
    extra_p_mcids: list[int] = []
    if unmapped_char is not None:
        extra = f" /ActualText ({unmapped_char})" if actual_text_for_unmapped else ""
        content += tagged("Span", next_mcid, text(300, 610, unmapped_char), extra)
        extra_p_mcids.append(next_mcid)
        next_mcid += 1
    if replacement_char:
        content += tagged("Span", next_mcid, text(320, 610, "\ufffd"))
        extra_p_mcids.append(next_mcid)
        next_mcid += 1
    if orphan_mcid:  # its MCID is left out of the tree and the parent tree
        content += tagged("P", next_mcid, text(50, 450, "Not in the tree"))
        next_mcid += 1
    if untagged_text:
        content += text(50, 430, "Untagged")
    content += (
        b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
        + text(50, 40, "Page 1 of 1", 8)
        + b"EMC\n"
    )

    # Fonts: Type0 / CIDFontType2 / Identity-H, ToUnicode for every glyph used.
    to_unicode_map = dict(used)
    if unmapped_char is not None:
        to_unicode_map.pop(font.cmap[ord(unmapped_char)], None)
    bfchar = "".join(
        f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>\n"
        for gid, ch in sorted(to_unicode_map.items())
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(to_unicode_map)} beginbfchar\n{bfchar}endbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()
    widths = Array()
    for gid in sorted(used):
        widths.extend([gid, Array([font.advance(gid)])])
    descriptor = pdf.make_indirect(
        Dictionary(
            Type=Name.FontDescriptor,
            FontName=Name("/DejaVuSans"),
            Flags=32,
            FontBBox=Array([-1021, -463, 1793, 1232]),
            ItalicAngle=0,
            Ascent=928,
            Descent=-236,
            CapHeight=729,
            StemV=80,
            FontFile2=pdf.make_stream(font.data),
        )
    )
    cid_font = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.CIDFontType2,
            BaseFont=Name("/DejaVuSans"),
            CIDSystemInfo=Dictionary(
                Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0
            ),
            FontDescriptor=descriptor,
            DW=1000,
            W=widths,
            CIDToGIDMap=Name.Identity,
        )
    )
    type0 = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=Name("/DejaVuSans"),
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([cid_font]),
            ToUnicode=pdf.make_stream(cmap),
        )
    )

    page = pdf.make_indirect(
        Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, 595, 842]),
            Resources=Dictionary(Font=Dictionary(F1=type0)),
            Contents=pdf.make_stream(content),
            StructParents=0,
        )
    )
    if tabs:
        page.Tabs = Name.S
    pdf.pages.append(pikepdf.Page(page))
    page = pdf.pages[0].obj

    # Structure tree.
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    parent_of_mcid: dict[int, Dictionary] = {}

    def elem(tag: str, parent: Dictionary, kids: list, **extra) -> Dictionary:
        e = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name("/" + tag), P=parent, Pg=page, **extra)
        )
        k = Array()
        for kid in kids:
            if isinstance(kid, int):
                parent_of_mcid[kid] = e
            k.append(kid)
        e.K = k
        return e

    doc = elem(custom_role or "Document", root, [])
    h1 = elem("H1", doc, [0])
    p = elem("P", doc, [1] + extra_p_mcids)
    h2 = elem(heading2_tag, doc, [2])
    table = elem("Table", doc, [])
    thead = elem("THead", table, [])
    tbody = elem("TBody", table, [])
    tr1 = elem("TR", thead, [])
    tr2 = elem("TR", tbody, [])
    th_extra = {}
    if th_scope is not None:
        th_extra["A"] = Dictionary(O=Name.Table, Scope=Name("/" + th_scope))
    tr1.K = Array([elem("TH", tr1, [3], **th_extra), elem("TH", tr1, [4], **th_extra)])
    tr2.K = Array([elem("TD", tr2, [5]), elem("TD", tr2, [6])])
    thead.K = Array([tr1])
    tbody.K = Array([tr2])
    table.K = Array([thead, tbody])
    lst = elem("L", doc, [])
    li = elem("LI", lst, [])
    li.K = Array([elem("Lbl", li, [7]), elem("LBody", li, [8])])
    lst.K = Array([li])
    fig_extra = {"Alt": String(figure_alt)} if figure_alt is not None else {}
    fig = elem("Figure", doc, [9], **fig_extra)
    body = [h1, p, h2, table, lst, fig]
    if swap_list_and_table:
        body = [h1, p, h2, lst, table, fig]
    if dangling_mcr:
        p.K.append(Dictionary(Type=Name.MCR, Pg=page, MCID=42))
    doc.K = Array(body)
    root.K = doc
    if custom_role and map_custom_role:
        root.RoleMap = Dictionary({"/" + custom_role: Name.Document})
    nums = Array([parent_of_mcid.get(i) for i in range(max(parent_of_mcid) + 1)])
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array([0, pdf.make_indirect(nums)])))
    root.ParentTreeNextKey = 1
    pdf.Root.StructTreeRoot = root

    pdf.Root.MarkInfo = Dictionary(Marked=True)
    if lang is not None:
        pdf.Root.Lang = String(lang)
    if display_doc_title:
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)

    author, producer = "Test Therapist", "check_pdf_ua fixtures"
    created_pdf, created_xmp = "D:20260301120000+01'00'", "2026-03-01T11:00:00Z"
    pdf.docinfo = pdf.make_indirect(
        Dictionary(
            Title=String(info_title or title),
            Author=String(author),
            Producer=String(producer),
            CreationDate=String(created_pdf),
            ModDate=String(created_pdf),
        )
    )
    meta = pdf.make_stream(
        xmp_packet(
            title,
            author,
            producer,
            created_xmp,
            pdfa_part,
            conformance,
            pdfua_part,
            pdfuaid_extension,
        )
    )
    meta.Type, meta.Subtype = Name.Metadata, Name.XML
    pdf.Root.Metadata = meta

    if output_intent:
        icc = pdf.make_stream(minimal_rgb_icc())
        icc.N = 3
        pdf.Root.OutputIntents = Array(
            [
                Dictionary(
                    Type=Name.OutputIntent,
                    S=Name.GTS_PDFA1,
                    OutputConditionIdentifier=String("sRGB"),
                    Info=String("Test RGB (sRGB primaries, gamma 2.2)"),
                    DestOutputProfile=icc,
                )
            ]
        )
    pdf.save(path, force_version=version, fix_metadata_version=False)
    return path


def build_untagged_pdf(path: Path) -> Path:
    """A PDF like the renderer's output before issue 15: PDF 1.3, a page of text and a rule in
    an embedded Type0 font with ToUnicode, an Info dictionary, and no tags, XMP or OutputIntent."""
    tagged = build_pdf(path)
    pdf = pikepdf.open(tagged, allow_overwriting_input=True)
    for key in (
        "/StructTreeRoot",
        "/MarkInfo",
        "/Lang",
        "/ViewerPreferences",
        "/Metadata",
        "/OutputIntents",
    ):
        del pdf.Root[key]
    page = pdf.pages[0].obj
    del page["/Tabs"]
    del page["/StructParents"]
    # Drop the marked-content operators, keep what they enclose.
    kept = [
        (operands, operator)
        for operands, operator in pikepdf.parse_content_stream(page)
        if str(operator) not in ("BDC", "BMC", "EMC")
    ]
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    pdf.save(path, force_version="1.3", fix_metadata_version=False)
    return path
