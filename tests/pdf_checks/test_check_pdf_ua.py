"""Tests of check_pdf_ua.py: a correct synthetic document passes, each defect is caught by its
rule (and only by it), the reading-order contract holds, the CLI behaves as documented, and a
LibreOffice PDF/UA + PDF/A-2 export (when LibreOffice is installed) gets only its known findings.

Run: ``python -m pytest tests/pdf_checks`` (needs pikepdf; python-docx and soffice for the
LibreOffice reference, which is skipped without soffice).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_pdf_ua  # noqa: E402
import fixtures  # noqa: E402
from check_pdf_ua import RULES, check_pdf, normalize_text  # noqa: E402

CLI = [sys.executable, str(HERE / "check_pdf_ua.py")]


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory) -> Path:
    return fixtures.build_pdf(tmp_path_factory.mktemp("good") / "good.pdf")


def test_good_document_passes(good_pdf):
    result = check_pdf(str(good_pdf), expected_text=fixtures.GOOD_TEXT, claim="2u")
    assert result.problems == []
    assert result.text == normalize_text(fixtures.GOOD_TEXT)
    assert result.stats["mcids_in_content"] == 10
    assert result.stats["mcids_in_tree"] == 10
    assert result.stats["artifact_sequences"] == 2
    assert result.stats["replacement_chars"] == 0


# Each case breaks one thing; the checker must report exactly these rules.
DEFECTS = [
    ("figure without Alt", {"figure_alt": None}, {"ua:figure-alt"}),
    ("figure with empty Alt", {"figure_alt": " "}, {"ua:figure-alt"}),
    ("TH without Scope", {"th_scope": None}, {"ua:th-scope"}),
    ("TH with a bad Scope", {"th_scope": "Diagonal"}, {"ua:th-scope"}),
    ("text outside tags and artifacts", {"untagged_text": True}, {"ua:untagged-content"}),
    ("MCID not in the tree", {"orphan_mcid": True}, {"ua:mcid-unreachable"}),
    ("tree MCID not in the content", {"dangling_mcr": True}, {"ua:mcid-missing"}),
    ("glyph without ToUnicode", {"unmapped_char": "Z"}, {"ua:unicode-map"}),
    ("H1 then H3", {"second_heading": "H3"}, {"ua:heading-skip"}),
    ("pdfaid:part 1", {"pdfa_part": "1"}, {"pdfa:pdfaid"}),
    ("pdfaid:conformance X", {"conformance": "X"}, {"pdfa:pdfaid"}),
    ("no pdfuaid", {"pdfua_part": None}, {"ua:pdfuaid"}),
    ("pdfuaid not declared for PDF/A", {"pdfuaid_extension": False}, {"pdfa:xmp-extension"}),
    ("no OutputIntent", {"output_intent": False}, {"pdfa:output-intent"}),
    ("PDF 1.4 header", {"version": "1.4"}, {"pdfa:header"}),
    ("no /Lang", {"lang": None}, {"ua:lang"}),
    ("malformed /Lang", {"lang": "en_GB!"}, {"ua:lang"}),
    ("no /Tabs", {"tabs": False}, {"ua:tabs"}),
    ("no DisplayDocTitle", {"display_doc_title": False}, {"ua:display-doc-title"}),
    ("Info title differs from XMP", {"info_title": "Another title"}, {"pdfa:info-xmp"}),
    ("artifact inside tagged content", {"artifact_in_tagged": True}, {"ua:artifact-nesting"}),
    (
        "custom type without role map",
        {"custom_role": "Chapter", "map_custom_role": False},
        {"ua:role-map"},
    ),
]


@pytest.mark.parametrize(
    "kwargs,expected", [(k, e) for _, k, e in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_each_defect_is_caught_by_its_rule(tmp_path, kwargs, expected):
    pdf = fixtures.build_pdf(tmp_path / "defect.pdf", **kwargs)
    result = check_pdf(str(pdf))
    assert result.rules() == expected, [p.line() for p in result.problems]


def test_untagged_content_names_the_page(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "untagged.pdf", untagged_text=True)
    [problem] = check_pdf(str(pdf)).problems
    assert problem.page == 1
    assert problem.line().startswith("ua:untagged-content page 1: 1 operator(s)")


def test_claim_must_match_the_xmp(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "u.pdf", conformance="U")
    assert check_pdf(str(pdf), claim="2u").ok
    assert check_pdf(str(pdf), claim="2b").rules() == {"pdfa:pdfaid"}


def test_role_mapped_custom_type_passes(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "role.pdf", custom_role="Chapter")
    assert check_pdf(str(pdf), expected_text=fixtures.GOOD_TEXT).ok


def test_actual_text_covers_a_glyph_without_unicode(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "at.pdf", unmapped_char="Z", actual_text_for_unmapped=True)
    result = check_pdf(str(pdf))
    assert result.ok, [p.line() for p in result.problems]
    assert "Client attended all sessions.Z" in result.text


def test_replacement_character_is_allowed_and_counted(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "fffd.pdf", replacement_char=True)
    result = check_pdf(str(pdf))
    assert result.ok, [p.line() for p in result.problems]
    assert result.stats["replacement_chars"] == 1


def test_reading_order_reports_the_first_difference(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "swapped.pdf", swap_list_and_table=True)
    result = check_pdf(str(pdf), expected_text=fixtures.GOOD_TEXT)
    [problem] = result.problems
    assert problem.rule == "ua:reading-order"
    text = normalize_text(fixtures.GOOD_TEXT)
    position = text.index("Date")
    assert f"at character {position}" in problem.message
    before, after = text[position - 40 : position], text[position : position + 40]
    assert (
        f"expected {before!r} | {after!r}, got {before!r} | '\u2022 Sleep improved Date"
        in problem.message
    )


def test_reading_order_ignores_whitespace_layout(good_pdf):
    expected = (
        "\n  Progress report\n\nClient attended\u00a0all sessions.\tScores Date Score 1 Mar 12 "
        "\u2022 Sleep improved\u3000Bar chart of weekly scores\n"
    )
    assert check_pdf(str(good_pdf), expected_text=expected).ok


def test_normalisation_is_whitespace_only():
    assert normalize_text(" a \t\n b\u00a0\u2003c\u3000 ") == "a b c"
    # Not whitespace in Unicode (nor in Rust's char::is_whitespace): kept as they are.
    assert normalize_text("a\u200bb") == "a\u200bb"
    assert normalize_text("e\u0301") == "e\u0301"  # no Unicode normalisation


def test_todays_untagged_output_fails_with_the_expected_rules(tmp_path):
    pdf = fixtures.build_untagged_pdf(tmp_path / "untagged.pdf")
    assert check_pdf(str(pdf)).rules() == {
        "pdfa:header",
        "pdfa:output-intent",
        "pdfa:pdfaid",
        "pdfa:info-xmp",
        "ua:metadata",
        "ua:dc-title",
        "ua:pdfuaid",
        "ua:mark-info",
        "ua:lang",
        "ua:display-doc-title",
        "ua:tabs",
        "ua:struct-tree",
        "ua:untagged-content",
    }


def test_every_rule_is_documented():
    doc = check_pdf_ua.__doc__ or ""
    for rule in RULES:
        assert f"  {rule} " in doc, rule


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_clean_file_exits_0(good_pdf, tmp_path):
    expected = tmp_path / "expected.txt"
    expected.write_text(fixtures.GOOD_TEXT, encoding="utf-8")
    run = subprocess.run(
        CLI + [str(good_pdf), "--expect-text", str(expected), "--claim", "2u"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == ""
    assert "0 problem(s)" in run.stderr


def test_cli_prints_one_line_per_problem_and_exits_1(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "bad.pdf", figure_alt=None, th_scope=None)
    run = subprocess.run(CLI + [str(pdf)], capture_output=True, text=True)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert [line.split(":", 2)[0] + ":" + line.split(":", 2)[1].split()[0] for line in lines] == [
        "ua:figure-alt",
        "ua:th-scope",
        "ua:th-scope",
    ]
    assert all(" page 1: " in line for line in lines)


def test_cli_json(tmp_path):
    pdf = fixtures.build_pdf(tmp_path / "bad.pdf", output_intent=False)
    run = subprocess.run(CLI + [str(pdf), "--json"], capture_output=True, text=True)
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert problem["rule"] == "pdfa:output-intent"
    assert problem["clause"].startswith("ISO 19005-2 6.2.3")


def test_cli_unreadable_file_exits_2(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    run = subprocess.run(CLI + [str(junk)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "cannot read as PDF" in run.stderr


# -- the LibreOffice reference -----------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_reference_has_only_its_known_findings(tmp_path):
    pytest.importorskip("docx")
    import libreoffice_reference as ref

    pdf = ref.export_pdf(ref.build_docx(tmp_path / "reference.docx"), tmp_path)
    result = check_pdf(str(pdf), expected_text=ref.REFERENCE_TEXT)
    assert result.rules() <= ref.KNOWN_FINDINGS, [p.line() for p in result.problems]
    assert result.stats["struct_elements"] > 20
    assert result.stats["mcids_in_content"] == result.stats["mcids_in_tree"] > 10


# -- more defects, made by editing the good document -------------------------------------------


def _edit_content(pdf, old: bytes, new: bytes) -> None:
    page = pdf.pages[0].obj
    data = page.Contents.read_bytes()
    assert old in data, old
    page.Contents = pdf.make_stream(data.replace(old, new, 1))


def _elems(pdf, tag: str):
    return [
        o
        for o in pdf.objects
        if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem" and o.S == tag
    ]


def _wrong_parent_tree(pdf):
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
    nums[0], nums[1] = nums[1], nums[0]


def _lzw_stream(pdf):
    stream = pikepdf.Stream(pdf, b"")
    bits = "".join(f"{code:09b}" for code in (256, ord("x"), 257))  # LZW: clear, "x", end
    bits += "0" * (-len(bits) % 8)
    lzw = int(bits, 2).to_bytes(len(bits) // 8, "big")
    stream.write(lzw, filter=pikepdf.Name.LZWDecode)  # already encoded: kept as LZW
    pdf.Root.Extra = stream


def _javascript(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("1"))


def _lbody_in_l(pdf):
    [lst] = _elems(pdf, "/L")
    [li] = _elems(pdf, "/LI")
    lbody = li.K[1]
    lbody.P = lst
    lst.K = pikepdf.Array([li, lbody])
    li.K = pikepdf.Array([li.K[0]])


def _td_in_table(pdf):
    [table] = _elems(pdf, "/Table")
    [tbody] = _elems(pdf, "/TBody")
    td = tbody.K[0].K[0]
    td.P = table
    table.K.append(td)
    tbody.K[0].K = pikepdf.Array([tbody.K[0].K[1]])


def _first_heading_h2(pdf):
    [h1] = _elems(pdf, "/H1")
    h1.S = pikepdf.Name.H2


def _note_without_id(pdf):
    [p] = _elems(pdf, "/P")
    p.S = pikepdf.Name.Note


def _untagged_link(pdf):
    page = pdf.pages[0].obj
    page.Annots = pikepdf.Array(
        [
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=pikepdf.Array([50, 600, 150, 620]),
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://a.test")),
                )
            )
        ]
    )


def _notdef_glyph(pdf):
    # A glyph-0 code inside the span whose ActualText covers it: only .notdef is wrong.
    old = b"/ActualText (Z)>> BDC\nBT /F1 11 Tf 300 610 Td <"
    _edit_content(pdf, old, old + b"0000")


def _untagged_image(pdf):
    page = pdf.pages[0].obj
    image = pdf.make_stream(
        b"\xff\x00\x00",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=1,
        Height=1,
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
    )
    page.Resources.XObject = pikepdf.Dictionary(Im1=image)
    footer = b"/Artifact <</Type /Pagination /Subtype /Footer>>"
    _edit_content(pdf, footer, b"q 10 0 0 10 0 0 cm /Im1 Do Q\n" + footer)


def _cmyk_colour(pdf):
    _edit_content(pdf, b"0 0.3 0.7 rg", b"0 0.3 0.7 0 k")


EDITS = [
    ("parent tree points elsewhere", {}, _wrong_parent_tree, {"ua:parent-tree"}),
    ("LZW-compressed stream", {}, _lzw_stream, {"pdfa:filter"}),
    ("JavaScript action", {}, _javascript, {"pdfa:actions"}),
    ("LBody directly in L", {}, _lbody_in_l, {"ua:list-structure"}),
    ("TD directly in Table", {}, _td_in_table, {"ua:table-structure"}),
    ("first heading is H2", {}, _first_heading_h2, {"ua:heading-first"}),
    ("Note without /ID", {}, _note_without_id, {"ua:note-id"}),
    (
        "untagged link annotation",
        {},
        _untagged_link,
        {"ua:annot-tagged", "ua:annot-alt", "pdfa:annotation"},
    ),
    (
        "glyph 0 (.notdef)",
        {"unmapped_char": "Z", "actual_text_for_unmapped": True},
        _notdef_glyph,
        {"ua:notdef"},
    ),
    ("image outside tags", {}, _untagged_image, {"ua:untagged-content"}),
    ("DeviceCMYK with an RGB profile", {}, _cmyk_colour, {"pdfa:device-color"}),
]


@pytest.mark.parametrize(
    "kwargs,edit,expected", [(k, e, r) for _, k, e, r in EDITS], ids=[d[0] for d in EDITS]
)
def test_each_edit_is_caught_by_its_rule(tmp_path, kwargs, edit, expected):
    path = fixtures.build_pdf(tmp_path / "base.pdf", **kwargs)
    with pikepdf.open(path) as pdf:
        edit(pdf)
        # Streams are written as they are (qpdf would otherwise re-encode LZW as Flate).
        pdf.save(
            tmp_path / "edited.pdf",
            force_version="1.7",
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            compress_streams=False,
        )
    result = check_pdf(str(tmp_path / "edited.pdf"))
    assert result.rules() == expected, [p.line() for p in result.problems]


def test_encrypted_file_is_refused(tmp_path, good_pdf):
    with pikepdf.open(good_pdf) as pdf:
        pdf.save(tmp_path / "enc.pdf", encryption=pikepdf.Encryption(owner="o", user=""))
    assert "pdfa:encrypt" in check_pdf(str(tmp_path / "enc.pdf")).rules()


def _figure_in_form(pdf, times: int = 1) -> None:
    """Move the figure's drawing into a form XObject with its own MCID (MCR with /Stm)."""
    page = pdf.pages[0].obj
    [figure] = _elems(pdf, "/Figure")
    form = pdf.make_stream(
        b"/Figure <</MCID 0>> BDC 0 0.3 0.7 rg 50 500 40 80 re f EMC\n",
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=pikepdf.Array([0, 0, 595, 842]),
        StructParents=1,
    )
    page.Resources.XObject = pikepdf.Dictionary(Fx=form)
    old = b"/Figure <</MCID 9>> BDC\n0 0.3 0.7 rg 50 500 40 80 re f 100 500 40 60 re f\nEMC\n"
    _edit_content(pdf, old, b"/Fx Do\n" * times)
    figure.K = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=0, Stm=form)
    tree = pdf.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    nums[1][9] = None
    tree.ParentTree.Nums = pikepdf.Array(
        [0, nums[1], 1, pdf.make_indirect(pikepdf.Array([figure]))]
    )


def test_form_xobject_with_its_own_mcids_passes(tmp_path, good_pdf):
    with pikepdf.open(good_pdf) as pdf:
        _figure_in_form(pdf)
        pdf.save(tmp_path / "form.pdf")
    result = check_pdf(str(tmp_path / "form.pdf"), expected_text=fixtures.GOOD_TEXT)
    assert result.ok, [p.line() for p in result.problems]


def test_form_xobject_with_mcids_painted_twice_is_caught(tmp_path, good_pdf):
    with pikepdf.open(good_pdf) as pdf:
        _figure_in_form(pdf, times=2)
        pdf.save(tmp_path / "form2.pdf")
    assert check_pdf(str(tmp_path / "form2.pdf")).rules() == {"ua:mcid-duplicate"}
