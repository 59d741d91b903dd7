"""Reads a DOCX rendered from exports_document_model::sample::clinical_document with an independent
reader (python-docx) and checks what a Word user would see.

Usage: python3 check_docx.py FILE.docx
Run by tests/python_docx.rs; exits non-zero with a message on the first failed check.
"""

import datetime
import sys

try:
    import docx
    from docx.oxml.ns import qn
except ImportError as e:  # the Rust test checks this first, but be clear when run by hand
    sys.exit(f"python-docx is not importable ({e}): pip install python-docx")

NAMES = ["Zoë", "Nguyễn", "Øyvind", "Ελένη", "王芳"]
HOSTILE = [
    "<script>alert(1)</script>",
    "{{ patient.first_name }}",
    "<b>bold?</b>",
    "**not bold**",
    '=HYPERLINK("http://x","y")',
]
CONFIDENTIALITY = "CONFIDENTIAL - PROTECTED HEALTH INFORMATION"
IDENTITY = "Zoë Adebayo-Hart (MRN-000001)"
WATERMARK = "Exported by Amara Okafor, PhD, LP on 2026-11-27 · job 5aab0375-5cec-4d70-a34f-bdbb077c354f"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def texts(table):
    return [[c.text for c in row.cells] for row in table.rows]


def has_tbl_header(row):
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


def main(path):
    d = docx.Document(path)
    paras = d.paragraphs
    by_text = {}
    for p in paras:
        by_text.setdefault(p.text, p)

    # Headings carry Word's heading styles.
    h1 = next((p for p in paras if p.text.startswith("Full Record")), None)
    check(h1 is not None and h1.style.name == "Heading 1", f"level-1 heading style: {h1 and h1.style.name}")
    for title in ["Diagnoses", "Assessment scores", "Sessions"]:
        p = by_text.get(title)
        check(p is not None and p.style.name == "Heading 2", f"heading {title!r}: {p and p.style.name}")
    h3 = next((p for p in paras if p.text.startswith("Session 1 — ")), None)
    check(h3 is not None and h3.style.name == "Heading 3", f"level-3 heading: {h3 and h3.style.name}")

    # Body text is Normal; bold/italic are real run properties.
    subj = next((p for p in paras if p.text.startswith("Subjective: ")), None)
    check(subj is not None and subj.style.name == "Normal", f"body paragraph style: {subj and subj.style.name}")
    if subj is not None:
        check(subj.runs[0].bold is True and subj.runs[0].text == "Subjective: ", "first run of a note is bold")
        check(not subj.runs[1].bold, "note text is not bold")

    # Bullet lists are real numbered (bullet) paragraphs.
    topic = next((p for p in paras if p.text == "Topics: sleep; work stress"), None)
    check(topic is not None and topic.style.name == "List Paragraph", "bullet item style")
    if topic is not None:
        num_pr = topic._p.pPr.numPr if topic._p.pPr is not None else None
        check(num_pr is not None and num_pr.numId is not None, "bullet item has numbering")
        if num_pr is not None and num_pr.numId is not None:
            num_id = num_pr.numId.val
            numbering = d.part.numbering_part.element
            abstract_id = None
            for num in numbering.findall(qn("w:num")):
                if num.get(qn("w:numId")) == str(num_id):
                    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            fmt = None
            for an in numbering.findall(qn("w:abstractNum")):
                if an.get(qn("w:abstractNumId")) == abstract_id:
                    lvl0 = an.find(qn("w:lvl"))
                    fmt = lvl0.find(qn("w:numFmt")).get(qn("w:val"))
            check(fmt == "bullet", f"bullet list numbering format: {fmt}")

    # Tables.
    tables = d.tables
    kv = next((t for t in tables if t.cell(0, 0).text == "Patient"), None)
    check(kv is not None, "key-value table found")
    if kv is not None:
        check(texts(kv)[0] == ["Patient", "Zoë Adebayo-Hart"], f"key-value row: {texts(kv)[0]}")
        check(len(kv.columns) == 2, "key-value table has two columns")
        check(not any(has_tbl_header(r) for r in kv.rows), "key-value table has no repeating header")
        check(kv.style is not None and kv.style.name == "Clinical Table", "table style")

    notice = next((t for t in tables if "Psychotherapy notes" in t.cell(0, 0).text), None)
    check(
        notice is not None and notice.cell(0, 0).text == "Psychotherapy notes are excluded from this export.",
        "notice box",
    )

    diag = next((t for t in tables if texts(t)[0] == ["ICD-10", "Description", "Rank", "Date"]), None)
    check(diag is not None, "diagnoses table found")
    if diag is not None:
        check(texts(diag)[1] == ["F41.1", "Generalized anxiety disorder", "primary", "2026-01-05"], "diagnosis row")
        widths = [c.width for c in diag.rows[0].cells]
        check(widths[1] > 3 * widths[0], f"column widths follow relative widths: {widths}")

    sessions = next((t for t in tables if texts(t)[0] == ["Date", "Type", "Attendance", "Mood"]), None)
    check(sessions is not None and len(sessions.rows) > 40, "sessions table spans pages")

    # The chart: a PNG picture (not a table of values) with the chart's description as alt text.
    check(not any(texts(t)[0][:2] == ["Date", "PHQ-9"] for t in tables), "no chart table of values")
    shapes = list(d.inline_shapes)
    check(len(shapes) == 1, f"one picture per chart: {len(shapes)}")
    if shapes:
        inline = shapes[0]._inline
        alt = inline.docPr.get("descr") or ""
        check(alt.startswith("PHQ-9, GAD-7 and mood over time. PHQ-9 from 20 on 5 Jan 2026 to "), f"alt text: {alt!r}")
        check("12 values" in alt, f"alt text counts the points: {alt!r}")
        rid = inline.graphic.graphicData.pic.blipFill.blip.embed
        image = d.part.related_parts[rid]
        check(image.content_type == "image/png", f"picture type {image.content_type}")
        check(image.blob[:8] == b"\x89PNG\r\n\x1a\n", "picture is a PNG")
        check(str(image.partname).startswith("/word/media/"), f"picture part {image.partname}")
        check(abs(shapes[0].width.inches - 7.0) < 0.05, f"picture spans the text width: {shapes[0].width.inches}")

    for name, t in [("diagnoses", diag), ("sessions", sessions)]:
        if t is not None:
            check(has_tbl_header(t.rows[0]), f"{name} table: first row repeats (tblHeader)")
            check(not any(has_tbl_header(r) for r in t.rows[1:]), f"{name} table: only the first row repeats")

    # Page setup: US Letter, margins from the document.
    sec = d.sections[0]
    check(sec.page_width.twips == 12240 and sec.page_height.twips == 15840, "US Letter page")
    check(abs(sec.left_margin.mm - 19.0) < 0.1 and abs(sec.top_margin.mm - 25.0) < 0.1, "margins")

    # Header: practice, lines and the confidentiality line (red, bold) on every page.
    header = sec.header
    check(not header.is_linked_to_previous, "document has its own header")
    htext = "\n".join(p.text for p in header.paragraphs)
    check("Lakeside Counseling Collective" in htext, "practice name in header")
    check(CONFIDENTIALITY in htext, "confidentiality line in header")
    # Whose record: beside the practice name (after a tab, at a right-aligned tab stop), in the
    # only header there is, so on every page, the first included.
    check(not sec.different_first_page_header_footer, "no separate first-page header")
    check(not d.settings.odd_and_even_pages_header_footer, "no separate even-page header")
    title = header.paragraphs[0] if header.paragraphs else None
    check(
        title is not None and title.text == "Lakeside Counseling Collective\t" + IDENTITY,
        f"identity beside the practice name: {title and title.text!r}",
    )
    if title is not None:
        stops = title.paragraph_format.tab_stops
        check(
            len(stops) == 1 and stops[0].alignment == docx.enum.text.WD_TAB_ALIGNMENT.RIGHT
            and abs(stops[0].position.twips - (12240 - 2 * 1077)) <= 1,
            "right-aligned tab stop at the right margin",
        )
        ident = [r for r in title.runs if IDENTITY in r.text]
        check(len(ident) == 1 and ident[0].style.name == "Header Identity", "identity run style")
    conf = next((p for p in header.paragraphs if p.text == CONFIDENTIALITY), None)
    if conf is not None:
        color = conf.style.font.color.rgb
        check(color is not None and color[0] >= 0xB0 and color[1] < 0x40 and color[2] < 0x40, f"confidentiality red: {color}")
        check(conf.runs[0].bold is True or conf.style.font.bold is True, "confidentiality bold")

    # Footer: watermark and Page X of Y as real fields.
    footer = sec.footer
    instr = [e.text.strip() for e in footer._element.iter(qn("w:instrText"))]
    simple = [e.get(qn("w:instr")).strip() for e in footer._element.iter(qn("w:fldSimple"))]
    fields = instr + simple
    check("PAGE" in fields, f"PAGE field in footer: {fields}")
    check("NUMPAGES" in fields, f"NUMPAGES field in footer: {fields}")
    n_chars = len(list(footer._element.iter(qn("w:fldChar"))))
    check(n_chars == 3 * len(instr), f"fields are complete (begin/separate/end): {n_chars}")
    ftext = "\n".join(p.text for p in footer.paragraphs)
    check(WATERMARK in ftext, "watermark in footer")
    check("Page " in ftext and " of " in ftext, "Page X of Y")

    # Core properties.
    cp = d.core_properties
    check(cp.title == "Full Record — MRN-000001", f"title: {cp.title!r}")
    check(cp.author == "Amara Okafor, PhD, LP", f"author: {cp.author!r}")
    check(cp.subject == "Full record export", f"subject: {cp.subject!r}")
    check("MRN-000001" in (cp.keywords or ""), f"keywords: {cp.keywords!r}")
    created = cp.created
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    check(created == datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone.utc), f"created: {cp.created}")

    # Names and hostile strings, literally.
    body = [p.text for p in paras]
    for t in tables:
        for row in t.rows:
            for c in row.cells:
                body.append(c.text)
    all_text = "\n".join(body)
    for s in NAMES + HOSTILE:
        check(s in all_text, f"{s!r} appears literally")
    hostile_para = next((p for p in paras if "<b>bold?</b>" in p.text), None)
    if hostile_para is not None:
        check(not any(r.bold for r in hostile_para.runs if "<b>" in r.text), "<b> in text does not make bold")

    # Extra blocks the Rust test appends: a page break and an info notice.
    breaks = d.element.body.findall(".//" + qn("w:br"))
    check(any(b.get(qn("w:type")) == "page" for b in breaks), "page break")
    check(any(t.cell(0, 0).text == "Info notice." for t in tables), "info notice")

    check_scripts(paras)

    if failures:
        print("check_docx.py: FAILED", file=sys.stderr)
        for f in failures:
            print("  - " + f, file=sys.stderr)
        sys.exit(1)
    print(f"check_docx.py: ok ({len(paras)} paragraphs, {len(tables)} tables)")


# Paragraphs the Rust test appends: (text, base direction right-to-left, {piece: (rtl, cs, font
# attribute, font)}). Fonts are checked on the run's w:rFonts: the complex-script font (w:cs) or
# the East Asian one (w:eastAsia).
SCRIPTS = [
    ("فاطمة الزهراء", True, {"فاطمة الزهراء": (True, True, "cs", "Noto Sans Arabic")}),
    ("נועה כהן", True, {"נועה כהן": (True, True, "cs", "Noto Sans Hebrew")}),
    ("अनन्या शर्मा", False, {"अनन्या शर्मा": (False, True, "cs", "Noto Sans Devanagari")}),
    ("สมชาย ใจดี", False, {"สมชาย ใจดี": (False, True, "cs", "Noto Sans Thai")}),
    ("王芳", False, {"王芳": (False, False, "eastAsia", "Noto Sans CJK SC")}),
    (
        "Patient: فاطمة الزهراء (MRN-000009)",
        False,
        {
            "Patient: ": (False, False, None, None),
            "فاطمة الزهراء": (True, True, "cs", "Noto Sans Arabic"),
            " (MRN-000009)": (False, False, None, None),
        },
    ),
]


def on(run, tag):
    r_pr = run._r.rPr
    if r_pr is None:
        return False
    el = r_pr.find(qn(tag))
    return el is not None and el.get(qn("w:val")) in (None, "1", "true", "on")


def check_scripts(paras):
    for text, rtl, pieces in SCRIPTS:
        p = next((p for p in paras if p.text == text), None)
        check(p is not None, f"paragraph {text!r}")
        if p is None:
            continue
        p_pr = p._p.pPr
        bidi = p_pr is not None and p_pr.find(qn("w:bidi")) is not None
        check(bidi == rtl, f"{text!r}: w:bidi {bidi}, expected {rtl}")
        check([r.text for r in p.runs] == list(pieces), f"{text!r}: runs {[r.text for r in p.runs]}")
        for run in p.runs:
            want = pieces.get(run.text)
            if want is None:
                continue
            w_rtl, w_cs, attr, font = want
            check(on(run, "w:rtl") == w_rtl, f"{run.text!r}: w:rtl should be {w_rtl}")
            check(on(run, "w:cs") == w_cs, f"{run.text!r}: w:cs should be {w_cs}")
            fonts = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
            got = fonts.get(qn("w:" + attr)) if (fonts is not None and attr) else None
            check(got == font, f"{run.text!r}: font {attr}={got!r}, expected {font!r}")
            if w_cs:
                check(run.bold and on(run, "w:bCs"), f"{run.text!r}: bold complex script has w:bCs")


if __name__ == "__main__":
    main(sys.argv[1])
