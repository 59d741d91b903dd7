#!/usr/bin/env python3
"""Independent checker of tagged PDF/UA-1 (ISO 14289-1) and PDF/A-2 (ISO 19005-2) files.

Written against the published rules, not against the renderer: it reads a PDF with pikepdf
(qpdf) and shares no code or assumptions with ``shared/pdf``. No PDF/A or PDF/UA validator
installs here (veraPDF and PAC need a JVM or Windows), so this covers the machine-checkable
part of both standards that our exports can get wrong.

Usage::

    python tests/pdf_checks/check_pdf_ua.py FILE.pdf [--expect-text FILE.txt] [--claim 2u]
                                            [--json] [--all] [--dump-text OUT.txt]

Exit status: 0 when no problem was found, 1 with one line per problem on stdout
(``RULE[ page N]: message``), 2 when the file cannot be read or the arguments are wrong.
A summary (and notes such as U+FFFD counts) goes to stderr. ``--json`` prints one JSON object
(``ok``, ``problems`` with ``rule``/``page``/``message``/``clause``, ``stats``) instead. The
text output shows at most 10 lines per rule (``--all`` shows every one); JSON is always complete.

As a module::

    from check_pdf_ua import check_pdf, normalize_text
    result = check_pdf("out.pdf", expected_text="...", claim="2u")
    result.ok, result.problems, result.stats, result.text

Rules
=====
Ids are stable; tests and the Rust side may match on them. "Matterhorn" numbers are failure
conditions of the Matterhorn Protocol (PDF Association's PDF/UA-1 test model); "UA" clauses are
ISO 14289-1:2014, "A-2" clauses ISO 19005-2:2011, "PDF" clauses ISO 32000-1:2008 (PDF 1.7).

File structure
  pdfa:header           ``%PDF-1.n`` at byte 0, EOL, then ``%`` and four bytes > 127 (A-2 6.1.2,
                        UA 6.1). The project also requires n = 7 (PDF 1.7, the base of both).
  pdfa:trailer          Trailer has ``/ID``; nothing but one EOL after the last ``%%EOF``
                        (A-2 6.1.3).
  pdfa:encrypt          No encryption (A-2 6.1.3: no ``/Encrypt``).
  pdfa:filter           No LZWDecode, no Crypt filter other than Identity, no external streams
                        (``/F``, ``/FFilter``, ``/FDecodeParms``) (A-2 6.1.7.1, 6.1.7.2, 6.1.10).
  pdfa:actions          No Launch, Sound, Movie, ResetForm, ImportData, Hide, SetOCGState,
                        Rendition, Trans, GoTo3DView or JavaScript actions; Named actions only
                        Next/Prev/First/LastPage; no ``/AA`` on catalog or pages; no document
                        JavaScript name tree (A-2 6.5.1, 6.5.2).
  pdfa:extgstate        ExtGState has no ``/TR``, no ``/TR2`` other than Default, no ``/HTP``, and
                        only the blend modes PDF 1.7 defines (A-2 6.2.5, 6.2.10). Transparency is
                        otherwise allowed in PDF/A-2; with a PDF/A OutputIntent present, page
                        groups need no ``/CS`` (A-2 6.2.10), so nothing more is checked there.
  pdfa:image            Image XObjects: no ``/Alternates``, no ``/OPI``, ``/Interpolate`` not true
                        (A-2 6.2.8); no reference XObjects (A-2 6.2.9, UA 7.20, Matterhorn 30-001).

Colour
  pdfa:output-intent    An OutputIntent with ``/S /GTS_PDFA1``, an ``/OutputConditionIdentifier``
                        and a ``/DestOutputProfile`` ICC stream: class mntr or prtr, colour space
                        RGB/GRAY/CMYK with matching ``/N`` (3/1/4); all PDF/A entries share one
                        profile (A-2 6.2.3; PDF 14.11.5).
  pdfa:device-color     DeviceRGB is used only with an RGB output profile (or a DefaultRGB colour
                        space), DeviceCMYK only with a CMYK one (A-2 6.2.4.3). DeviceGray is fine
                        with any PDF/A OutputIntent.

Metadata
  ua:metadata           Catalog ``/Metadata`` stream, ``/Type /Metadata /Subtype /XML``, well-formed
                        UTF-8 XMP without ``bytes=``/``encoding=`` in the packet header
                        (UA 7.1, Matterhorn 06-001; A-2 6.6.2.1).
  ua:dc-title           XMP ``dc:title`` present and not empty (UA 7.1, Matterhorn 06-003).
  ua:pdfuaid            XMP ``pdfuaid:part`` = 1 (UA 5, Matterhorn 06-002).
  pdfa:pdfaid           XMP ``pdfaid:part`` = 2 and ``pdfaid:conformance`` one of A, B, U, and equal
                        to ``--claim`` when given (A-2 6.6.4).
  pdfa:xmp-extension    Every XMP property outside the schemas predefined for PDF/A-2 (XMP 2005
                        schemas, pdfaid, the extension-schema container) is declared in a
                        ``pdfaExtension:schemas`` entry with schema, namespaceURI, prefix, and for
                        each property name, valueType, category (internal|external) and
                        description (A-2 6.6.2.3.1-6.6.2.3.3). ``pdfuaid`` is not predefined in
                        PDF/A-2, so a PDF/UA + PDF/A-2 file must declare it.
  pdfa:info-xmp         Each document Info entry has an equal XMP counterpart: Title=dc:title
                        (x-default), Author=dc:creator (one entry), Subject=dc:description,
                        Keywords=pdf:Keywords, Creator=xmp:CreatorTool, Producer=pdf:Producer,
                        CreationDate=xmp:CreateDate, ModDate=xmp:ModifyDate (dates compared as
                        instants). Spelled out for PDF/A-1 in ISO 19005-1 6.7.3; kept here for
                        PDF/A-2 because issue 15 asks for it and XMP and Info must not disagree.

Catalog and pages
  ua:mark-info          ``/MarkInfo << /Marked true >>``, ``/Suspects`` not true (UA 6.2 and 7.1,
                        Matterhorn 01-007; A-2 6.7.2.2 for level A).
  ua:lang               Catalog ``/Lang`` present and a well-formed language tag, and every
                        ``/Lang`` on a structure element too (UA 7.2, Matterhorn 11-001..11-006;
                        PDF 14.9.2).
  ua:display-doc-title  ``/ViewerPreferences << /DisplayDocTitle true >>`` (UA 7.1,
                        Matterhorn 07-001, 07-002).
  ua:tabs               ``/Tabs /S`` on every page. UA 7.18.3 (Matterhorn 28-008, 28-009) asks it of
                        pages with annotations; the project asks it of every page.

Structure tree
  ua:struct-tree        ``/StructTreeRoot`` with kids; every element a dictionary with ``/S``,
                        indirect, reached once, whose ``/P`` is its parent; every marked-content
                        reference has a page (UA 7.1, PDF 14.7.2).
  ua:role-map           Every structure type is a standard PDF 1.7 type or role-mapped (possibly
                        through other custom types, without cycles) to one; standard types are
                        not remapped (UA 7.1, Matterhorn 02-001, 02-003, 02-004).
  ua:parent-tree        Pages (and form XObjects) with MCIDs have ``/StructParents`` and the parent
                        tree maps each MCID to the element whose ``/K`` references it; annotations
                        referenced by OBJR have a ``/StructParent`` mapped back to that element
                        (PDF 14.7.4.4).
  ua:untagged-content   Every text-showing (Tj TJ ' ") and painting operator (f F f* S s B B* b b*
                        sh, Do of an image, inline image) is inside a marked-content sequence with
                        an MCID or inside an ``/Artifact`` sequence; Do of a form is followed into
                        the form (UA 7.1, Matterhorn 01-005). Headers, footers, banners and
                        watermarks must therefore be artifacts.
  ua:artifact-nesting   No artifact inside tagged content and no tagged content inside an artifact
                        (UA 7.1, Matterhorn 01-003, 01-004).
  ua:marked-content     BMC/BDC/EMC balanced within each content stream; BDC properties resolve.
  ua:mcid-unreachable   Every MCID in the content is referenced from the structure tree (the tree
                        is complete: UA 7.1; PDF 14.7.4.2).
  ua:mcid-missing       Every MCID the tree references exists in that page's (or stream's) content.
  ua:mcid-duplicate     An MCID is used once per content stream and referenced by one element;
                        a form XObject with MCIDs is painted at most once (Matterhorn 30-002).
  ua:figure-alt         Every Figure has a non-empty ``/Alt`` (or ``/ActualText``); every Formula
                        too (UA 7.3, Matterhorn 13-004; UA 7.7, Matterhorn 17-002).
  ua:figure-content     Every Figure encloses content (marked content or an object): the graphic it
                        describes is tagged, not an artifact (PDF 14.8.4.5 defines Figure as an
                        item of graphical content; project rule, as Matterhorn 01-002 "real content
                        marked as artifact" is a human check).
  ua:heading-first      If numbered headings are used, the first is H1 (UA 7.4.2,
                        Matterhorn 14-002).
  ua:heading-skip       Heading levels do not skip going down: H1 then H3 is an error, H3 then H1
                        is fine (UA 7.4.2, Matterhorn 14-003).
  ua:heading-mixed      Not both H and H1-H6; at most one H per parent (UA 7.4.4, Matterhorn
                        14-006, 14-007).
  ua:table-structure    Table holds only TR, THead, TBody, TFoot and at most one Caption (first or
                        last); at most one THead and one TFoot, and TBody when either is used;
                        THead/TBody/TFoot hold only TR; TR sits in one of those and holds only
                        TH/TD; TH/TD sit in a TR (UA 7.2 with PDF 14.8.4.3.4, Matterhorn 09-004);
                        rows span the same number of columns counting ColSpan/RowSpan (veraPDF
                        7.2-42 reading of the same clause).
  ua:table-headers      Every Table has at least one TH. Project rule from issue 15 (Matterhorn
                        15-001/15-002 are human checks).
  ua:th-scope           Every TH has ``/A << /O /Table /Scope /Row|/Column|/Both >>`` (directly or
                        via ``/C`` class map), unless its table uses ``/Headers`` (UA 7.5,
                        Matterhorn 15-003).
  ua:list-structure     L holds only L, LI and a Caption first; LI sits in L and holds only Lbl and
                        LBody; LBody sits in LI (UA 7.2 with PDF 14.8.4.3.3, Matterhorn 09-005).
  ua:note-id            Every Note has a unique ``/ID`` (UA 7.9, Matterhorn 19-003, 19-004).
  ua:annot-tagged       Link annotations sit in a Link element through an OBJR; other annotations
                        (except Widget, Popup, PrinterMark) in an Annot element
                        (UA 7.18.1, 7.18.5; Matterhorn 28-002, 28-011).
  ua:annot-alt          Link and other non-widget annotations have ``/Contents`` or an ``/Alt`` on
                        the enclosing element (UA 7.18.1, 7.18.5; Matterhorn 28-004, 28-012).
  pdfa:annotation       Annotation types PDF 1.7 defines, not 3D/Sound/Screen/Movie; ``/F`` with
                        Print set and Hidden/Invisible/NoView/ToggleNoView clear; an ``/AP`` with
                        only ``/N`` (Popup and zero-size annotations excepted) (A-2 6.3.1-6.3.3).

Fonts and text
  ua:font-embedded      Fonts used to render text (text render mode other than 3) embed their
                        program: FontFile, FontFile2 or FontFile3 (UA 7.21.4.1, Matterhorn 31-009;
                        A-2 6.2.11.4.1). Type 3 fonts carry their glyphs and are exempt.
  ua:font-cidtogid      A CIDFontType2 has ``/CIDToGIDMap`` Identity or a stream (UA 7.21.3.2,
                        Matterhorn 31-004, 31-005; A-2 6.2.11.3.2).
  ua:unicode-map        Every character code shown maps to Unicode through the font's
                        ``/ToUnicode`` CMap (bfchar/bfrange, multi-code-point destinations
                        allowed), unless an enclosing ``/ActualText`` (marked-content property or
                        structure element) replaces it. Simple fonts without ToUnicode are accepted
                        when non-symbolic with WinAnsiEncoding or MacRomanEncoding and no
                        Differences (UA 7.21.7, Matterhorn 10-001, 31-027; A-2 6.2.11.7.2 for
                        level U).
  ua:unicode-value      No code maps to U+0000, U+FEFF or U+FFFE (UA 7.21.7, Matterhorn 31-028,
                        31-029; A-2 6.2.11.7.2). U+FFFD is allowed (the renderer draws a
                        placeholder glyph for characters no font has and maps it so); such codes
                        are counted in ``stats["replacement_chars"]`` and noted on stderr.
  ua:notdef             No text references glyph 0 (.notdef) of a CIDFont (UA 7.21.8, Matterhorn
                        31-030; A-2 6.2.11.8). Not checked for simple fonts (their code-to-glyph
                        lookup goes through the font program's cmap, which this checker does not
                        parse).

Reading order (only with --expect-text)
  ua:reading-order      Text extracted through the structure tree equals the expected logical
                        text after normalisation. Matterhorn 09-001 (logical reading order) is a
                        human check; comparing with the document model's text makes it mechanical.

Checker limits
  check:unsupported     Something this checker cannot evaluate (e.g. a Type0 font with a predefined
                        CMap other than Identity-H/V). Reported as a problem so nothing passes
                        unchecked.

Text extraction and normalisation (the contract for ``--expect-text``)
=====================================================================
1. The structure tree is walked depth first from ``/StructTreeRoot /K``, kids in ``/K`` order.
2. An element with ``/ActualText`` contributes that text and nothing from its subtree; otherwise
   one with ``/Alt`` contributes its Alt text (what a screen reader announces, e.g. a Figure's
   description) and nothing from its subtree. Otherwise its kids contribute in order: an MCID
   contributes the text of its marked-content sequence, an OBJR nothing.
3. The text of a marked-content sequence is the Unicode (via ToUnicode) of the character codes
   shown by its text operators in content-stream order, concatenated with nothing in between:
   no space is inferred from glyph positions, kerning or line changes. A sequence (or nested
   BDC) with ``/ActualText`` contributes the ActualText instead of its glyphs. Artifacts and
   untagged content contribute nothing. So a space at which a line was broken must be encoded
   (e.g. kept at the end of the line's string), and a word broken across lines by a hyphen
   reads as written ("self-" + "care" = "self-care").
4. A single space is put before and after every element that is not inline. Inline elements
   (PDF 1.7 ILSEs: Span, Quote, Note, Reference, BibEntry, Code, Link, Annot, Ruby, RB, RT, RP,
   Warichu, WT, WP, after role mapping) add nothing.
5. Normalisation, applied to both texts: every maximal run of Unicode White_Space characters
   (exactly Rust's ``char::is_whitespace``: U+0009-U+000D, U+0020, U+0085, U+00A0, U+1680,
   U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) becomes one U+0020, and leading and
   trailing whitespace is removed. Nothing else changes: no Unicode normalisation, no case
   folding. In Rust: ``s.split_whitespace().collect::<Vec<_>>().join(" ")``.
6. The texts must then be equal; otherwise the first differing character is reported with about
   40 characters of context on each side.

What is not checked: everything a human must judge (alt text quality, semantic fit of tags,
contrast), annotation appearance streams, Type 3 glyph procedures, optional content, embedded
files, forms, digital signatures, font program internals (widths, cmap tables, glyph presence
other than CID .notdef), ICC profile contents beyond the header, implementation limits.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream, String

# ----------------------------------------------------------------------------------------------
# Rule catalogue: id -> clause reference (the docstring above has the full wording).
# ----------------------------------------------------------------------------------------------

RULES: dict[str, str] = {
    "pdfa:header": "ISO 19005-2 6.1.2; ISO 14289-1 6.1; project: PDF 1.7",
    "pdfa:trailer": "ISO 19005-2 6.1.3",
    "pdfa:encrypt": "ISO 19005-2 6.1.3",
    "pdfa:filter": "ISO 19005-2 6.1.7.1, 6.1.7.2, 6.1.10",
    "pdfa:actions": "ISO 19005-2 6.5.1, 6.5.2",
    "pdfa:extgstate": "ISO 19005-2 6.2.5, 6.2.10",
    "pdfa:image": "ISO 19005-2 6.2.8, 6.2.9; ISO 14289-1 7.20 (Matterhorn 30-001)",
    "pdfa:output-intent": "ISO 19005-2 6.2.3; ISO 32000-1 14.11.5",
    "pdfa:device-color": "ISO 19005-2 6.2.4.3",
    "ua:metadata": "ISO 14289-1 7.1 (Matterhorn 06-001); ISO 19005-2 6.6.2.1",
    "ua:dc-title": "ISO 14289-1 7.1 (Matterhorn 06-003)",
    "ua:pdfuaid": "ISO 14289-1 5 (Matterhorn 06-002)",
    "pdfa:pdfaid": "ISO 19005-2 6.6.4",
    "pdfa:xmp-extension": "ISO 19005-2 6.6.2.3",
    "pdfa:info-xmp": "ISO 19005-1 6.7.3 (equivalence of Info and XMP); issue 15",
    "ua:mark-info": "ISO 14289-1 6.2, 7.1 (Matterhorn 01-007)",
    "ua:lang": "ISO 14289-1 7.2 (Matterhorn 11-001..11-006); ISO 32000-1 14.9.2",
    "ua:display-doc-title": "ISO 14289-1 7.1 (Matterhorn 07-001, 07-002)",
    "ua:tabs": "ISO 14289-1 7.18.3 (Matterhorn 28-008, 28-009); project: every page",
    "ua:struct-tree": "ISO 14289-1 7.1; ISO 32000-1 14.7.2",
    "ua:role-map": "ISO 14289-1 7.1 (Matterhorn 02-001, 02-003, 02-004)",
    "ua:parent-tree": "ISO 32000-1 14.7.4.4",
    "ua:untagged-content": "ISO 14289-1 7.1 (Matterhorn 01-005)",
    "ua:artifact-nesting": "ISO 14289-1 7.1 (Matterhorn 01-003, 01-004)",
    "ua:marked-content": "ISO 32000-1 14.6",
    "ua:mcid-unreachable": "ISO 14289-1 7.1; ISO 32000-1 14.7.4.2",
    "ua:mcid-missing": "ISO 32000-1 14.7.4.2",
    "ua:mcid-duplicate": "ISO 32000-1 14.7.4.2; ISO 14289-1 7.20 (Matterhorn 30-002)",
    "ua:figure-alt": "ISO 14289-1 7.3, 7.7 (Matterhorn 13-004, 17-002)",
    "ua:figure-content": "ISO 32000-1 14.8.4.5; project (Matterhorn 01-002 is a human check)",
    "ua:heading-first": "ISO 14289-1 7.4.2 (Matterhorn 14-002)",
    "ua:heading-skip": "ISO 14289-1 7.4.2 (Matterhorn 14-003)",
    "ua:heading-mixed": "ISO 14289-1 7.4.4 (Matterhorn 14-006, 14-007)",
    "ua:table-structure": "ISO 14289-1 7.2 (Matterhorn 09-004); ISO 32000-1 14.8.4.3.4",
    "ua:table-headers": "issue 15 (Matterhorn 15-001, 15-002 are human checks)",
    "ua:th-scope": "ISO 14289-1 7.5 (Matterhorn 15-003)",
    "ua:list-structure": "ISO 14289-1 7.2 (Matterhorn 09-005); ISO 32000-1 14.8.4.3.3",
    "ua:note-id": "ISO 14289-1 7.9 (Matterhorn 19-003, 19-004)",
    "ua:annot-tagged": "ISO 14289-1 7.18.1, 7.18.5 (Matterhorn 28-002, 28-011)",
    "ua:annot-alt": "ISO 14289-1 7.18.1, 7.18.5 (Matterhorn 28-004, 28-012)",
    "pdfa:annotation": "ISO 19005-2 6.3.1, 6.3.2, 6.3.3",
    "ua:font-embedded": "ISO 14289-1 7.21.4.1 (Matterhorn 31-009); ISO 19005-2 6.2.11.4.1",
    "ua:font-cidtogid": "ISO 14289-1 7.21.3.2 (Matterhorn 31-004, 31-005); ISO 19005-2 6.2.11.3.2",
    "ua:unicode-map": "ISO 14289-1 7.21.7 (Matterhorn 10-001, 31-027); ISO 19005-2 6.2.11.7.2",
    "ua:unicode-value": "ISO 14289-1 7.21.7 (Matterhorn 31-028, 31-029); ISO 19005-2 6.2.11.7.2",
    "ua:notdef": "ISO 14289-1 7.21.8 (Matterhorn 31-030); ISO 19005-2 6.2.11.8",
    "ua:reading-order": "ISO 14289-1 7.2 (Matterhorn 09-001, made mechanical)",
    "check:unsupported": "limit of this checker",
}

# ISO 32000-1:2008 14.8.4 standard structure types (PDF 1.7; PDF/UA-1 builds on these).
STANDARD_TYPES = frozenset(
    """Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private
    P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot
    Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP
    Figure Formula Form""".split()
)
# Inline-level structure elements (ISO 32000-1 14.8.4.4): no separator in extracted text.
INLINE_TYPES = frozenset(
    "Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP".split()
)
HEADING_LEVELS = {f"H{n}": n for n in range(1, 7)}

FORBIDDEN_ACTIONS = frozenset(
    "Launch Sound Movie ResetForm ImportData Hide SetOCGState Rendition Trans GoTo3DView "
    "JavaScript".split()
)
ALLOWED_NAMED_ACTIONS = frozenset("NextPage PrevPage FirstPage LastPage".split())
STANDARD_BLEND_MODES = frozenset(
    "Normal Compatible Multiply Screen Overlay Darken Lighten ColorDodge ColorBurn HardLight "
    "SoftLight Difference Exclusion Hue Saturation Color Luminosity".split()
)
# ISO 32000-1 Table 169 annotation types, less those ISO 19005-2 6.3.1 forbids.
PDFA_ANNOTATION_TYPES = frozenset(
    "Text Link FreeText Line Square Circle Polygon PolyLine Highlight Underline Squiggly "
    "StrikeOut Stamp Caret Ink Popup FileAttachment Widget PrinterMark TrapNet Watermark".split()
)

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_PDF = "http://ns.adobe.com/pdf/1.3/"
NS_PDFAID = "http://www.aiim.org/pdfa/ns/id/"
NS_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
NS_PDFA_EXT = "http://www.aiim.org/pdfa/ns/extension/"
NS_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
NS_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
NS_PDFA_TYPE = "http://www.aiim.org/pdfa/ns/type#"
NS_PDFA_FIELD = "http://www.aiim.org/pdfa/ns/field#"
# Schemas a PDF/A-2 file may use without declaring them: those of the XMP Specification (2005)
# and of ISO 19005 itself (ISO 19005-2 6.6.2.3.1).
PREDEFINED_XMP_NAMESPACES = frozenset(
    [
        NS_DC,
        NS_XMP,
        "http://ns.adobe.com/xap/1.0/rights/",
        "http://ns.adobe.com/xap/1.0/mm/",
        "http://ns.adobe.com/xap/1.0/bj/",
        "http://ns.adobe.com/xap/1.0/t/pg/",
        "http://ns.adobe.com/xmp/1.0/DynamicMedia/",
        "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
        NS_PDF,
        "http://ns.adobe.com/photoshop/1.0/",
        "http://ns.adobe.com/camera-raw-settings/1.0/",
        "http://ns.adobe.com/tiff/1.0/",
        "http://ns.adobe.com/exif/1.0/",
        "http://ns.adobe.com/exif/1.0/aux/",
        NS_PDFAID,
        NS_PDFA_EXT,
        NS_PDFA_SCHEMA,
        NS_PDFA_PROPERTY,
        NS_PDFA_TYPE,
        NS_PDFA_FIELD,
    ]
)

# Unicode White_Space, the set Rust's char::is_whitespace uses (see the docstring, point 5).
_WHITESPACE_RUN = re.compile(
    "[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

TEXT_SHOWING = frozenset(["Tj", "TJ", "'", '"'])
PAINTING = frozenset(["f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh"])
CONTEXT_CHARS = 40
MAX_FORM_DEPTH = 12


def normalize_text(text: str) -> str:
    """Collapse every run of Unicode whitespace to one space and trim (docstring, point 5)."""
    return _WHITESPACE_RUN.sub(" ", text).strip(" ")


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One finding: a rule id, an optional 1-based page and a readable message."""

    rule: str
    message: str
    page: int | None = None

    def line(self) -> str:
        where = f" page {self.page}" if self.page is not None else ""
        return f"{self.rule}{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "page": self.page,
            "message": self.message,
            "clause": RULES.get(self.rule, ""),
        }


@dataclass
class CheckResult:
    """Everything `check_pdf` found, plus counts and the text read through the structure tree."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    text: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def rules(self) -> set[str]:
        return {p.rule for p in self.problems}

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
            "stats": self.stats,
        }


class CheckerError(Exception):
    """The file could not be read as a PDF at all."""


# ----------------------------------------------------------------------------------------------
# Small PDF helpers
# ----------------------------------------------------------------------------------------------


def _name(obj: Any) -> str | None:
    """'/Foo' -> 'Foo'; None for anything that is not a name."""
    if isinstance(obj, Name):
        return str(obj)[1:]
    return None


def _text(obj: Any) -> str | None:
    """A PDF text string as str; None for anything else."""
    if isinstance(obj, String):
        return str(obj)
    return None


def _as_list(obj: Any) -> list[Any]:
    if obj is None:
        return []
    if isinstance(obj, Array):
        return list(obj)
    return [obj]


def _key(obj: Any) -> tuple[int, int] | None:
    """Identity of an indirect object; None for direct objects."""
    if obj is not None and getattr(obj, "is_indirect", False):
        return tuple(obj.objgen)  # type: ignore[return-value]
    return None


def _number_tree(node: Any, out: dict[int, Any] | None = None, depth: int = 0) -> dict[int, Any]:
    """All entries of a number tree (ISO 32000-1 7.9.7)."""
    if out is None:
        out = {}
    if not isinstance(node, Dictionary) or depth > 32:
        return out
    nums = node.get("/Nums")
    if isinstance(nums, Array):
        items = list(nums)
        for i in range(0, len(items) - 1, 2):
            if isinstance(items[i], int):
                out[int(items[i])] = items[i + 1]
    for kid in _as_list(node.get("/Kids")):
        _number_tree(kid, out, depth + 1)
    return out


def _inherited(page: Dictionary, key: str) -> Any:
    node, depth = page, 0
    while isinstance(node, Dictionary) and depth < 64:
        if key in node:
            return node.get(key)
        node, depth = node.get("/Parent"), depth + 1
    return None


# ----------------------------------------------------------------------------------------------
# CMaps and fonts
# ----------------------------------------------------------------------------------------------

_CMAP_TOKEN = re.compile(
    rb"<<|>>|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/\[\]<>(){}%]*"  # dict marks, hex strings, arrays, names
    rb"|\((?:\\.|[^\\)])*\)|%[^\r\n]*|[^\s/\[\]<>(){}%]+"  # literal strings, comments, words
)


def _hex(token: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", token[1:-1])
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))


@dataclass
class CMap:
    """What this checker needs from a CMap stream: codespace ranges, Unicode and CID maps."""

    codespaces: list[tuple[bytes, bytes]] = field(default_factory=list)
    bfchar: dict[bytes, bytes] = field(default_factory=dict)
    bfrange: list[tuple[bytes, bytes, Any]] = field(default_factory=list)
    cidchar: dict[bytes, int] = field(default_factory=dict)
    cidrange: list[tuple[bytes, bytes, int]] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes) -> "CMap":
        cmap = cls()
        tokens = [t for t in _CMAP_TOKEN.findall(data) if not t.startswith(b"%")]
        i, n = 0, len(tokens)

        def operands(end: bytes) -> list[Any]:
            nonlocal i
            out: list[Any] = []
            while i < n and tokens[i] != end:
                tok = tokens[i]
                if tok == b"[":
                    arr = []
                    i += 1
                    while i < n and tokens[i] != b"]":
                        if tokens[i].startswith(b"<") and tokens[i] != b"<<":
                            arr.append(_hex(tokens[i]))
                        i += 1
                    out.append(arr)
                elif tok.startswith(b"<") and tok != b"<<":
                    out.append(_hex(tok))
                elif re.fullmatch(rb"\d+", tok):
                    out.append(int(tok))
                else:
                    out.append(tok)
                i += 1
            return out

        while i < n:
            tok = tokens[i]
            i += 1
            if tok == b"begincodespacerange":
                ops = operands(b"endcodespacerange")
                cmap.codespaces += [(ops[j], ops[j + 1]) for j in range(0, len(ops) - 1, 2)]
            elif tok == b"beginbfchar":
                ops = operands(b"endbfchar")
                for j in range(0, len(ops) - 1, 2):
                    if isinstance(ops[j], bytes) and isinstance(ops[j + 1], bytes):
                        cmap.bfchar[ops[j]] = ops[j + 1]
            elif tok == b"beginbfrange":
                ops = operands(b"endbfrange")
                for j in range(0, len(ops) - 2, 3):
                    cmap.bfrange.append((ops[j], ops[j + 1], ops[j + 2]))
            elif tok == b"begincidchar":
                ops = operands(b"endcidchar")
                for j in range(0, len(ops) - 1, 2):
                    if isinstance(ops[j], bytes) and isinstance(ops[j + 1], int):
                        cmap.cidchar[ops[j]] = ops[j + 1]
            elif tok == b"begincidrange":
                ops = operands(b"endcidrange")
                for j in range(0, len(ops) - 2, 3):
                    if isinstance(ops[j + 2], int):
                        cmap.cidrange.append((ops[j], ops[j + 1], ops[j + 2]))
        return cmap

    def unicode(self, code: bytes) -> bytes | None:
        """UTF-16BE destination of a code, or None when the CMap does not map it."""
        if code in self.bfchar:
            return self.bfchar[code]
        value = int.from_bytes(code, "big")
        for lo, hi, dst in self.bfrange:
            if len(lo) != len(code):
                continue
            lo_v, hi_v = int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
            if lo_v <= value <= hi_v:
                offset = value - lo_v
                if isinstance(dst, list):
                    return dst[offset] if offset < len(dst) else None
                if isinstance(dst, bytes) and dst:
                    base = int.from_bytes(dst, "big") + offset
                    return base.to_bytes(len(dst), "big") if base < 1 << (8 * len(dst)) else None
                return None
        return None

    def cid(self, code: bytes) -> int | None:
        if code in self.cidchar:
            return self.cidchar[code]
        value = int.from_bytes(code, "big")
        for lo, hi, start in self.cidrange:
            if len(lo) == len(code) and int.from_bytes(lo, "big") <= value <= int.from_bytes(
                hi, "big"
            ):
                return start + value - int.from_bytes(lo, "big")
        return None

    def split(self, data: bytes) -> list[bytes]:
        """Cut a string into codes by the codespace ranges (ISO 32000-1 9.7.6.2)."""
        codes, i = [], 0
        default = len(self.codespaces[0][0]) if self.codespaces else 1
        while i < len(data):
            n = next(
                (
                    n
                    for n in (1, 2, 3, 4)
                    if i + n <= len(data) and self.in_codespace(data[i : i + n])
                ),
                default,
            )
            codes.append(data[i : i + n])
            i += n
        return codes

    def in_codespace(self, chunk: bytes) -> bool:
        return any(
            len(lo) == len(chunk) and all(lo[k] <= chunk[k] <= hi[k] for k in range(len(chunk)))
            for lo, hi in self.codespaces
        )


_IDENTITY_CMAP = CMap(codespaces=[(b"\x00\x00", b"\xff\xff")])
_SIMPLE_CMAP = CMap(codespaces=[(b"\x00", b"\xff")])


class Font:
    """A font resource, reduced to what the checks need: codes, Unicode, CIDs, embedding."""

    def __init__(self, font: Dictionary, key: Any, label: str, report: Any):
        self.obj = font
        self.key = key
        self.label = label
        self.subtype = _name(font.get("/Subtype")) or "?"
        self.base_font = _name(font.get("/BaseFont")) or label
        self.composite = self.subtype == "Type0"
        self.descendant = None
        self.to_unicode: CMap | None = None
        self.encoding_cmap: CMap = _SIMPLE_CMAP
        self.identity = False
        self.fallback_codec: str | None = None
        self.cid_to_gid: bytes | str | None = None
        self.unsupported: str | None = None

        tu = font.get("/ToUnicode")
        if isinstance(tu, Stream):
            try:
                self.to_unicode = CMap.parse(tu.read_bytes())
            except Exception as exc:  # a broken stream is a finding, not a crash
                report(f"font {self.base_font}: ToUnicode CMap unreadable ({exc})")

        if self.composite:
            kids = _as_list(font.get("/DescendantFonts"))
            self.descendant = kids[0] if kids and isinstance(kids[0], Dictionary) else None
            enc = font.get("/Encoding")
            if _name(enc) in ("Identity-H", "Identity-V"):
                self.encoding_cmap, self.identity = _IDENTITY_CMAP, True
            elif isinstance(enc, Stream):
                self.encoding_cmap = CMap.parse(enc.read_bytes())
                if not self.encoding_cmap.codespaces:
                    self.encoding_cmap = _IDENTITY_CMAP
            else:
                self.encoding_cmap = _IDENTITY_CMAP
                self.unsupported = f"Type0 font {self.base_font} with predefined CMap {enc}"
            if self.descendant is not None:
                c2g = self.descendant.get("/CIDToGIDMap")
                if isinstance(c2g, Stream):
                    self.cid_to_gid = c2g.read_bytes()
                elif _name(c2g) == "Identity":
                    self.cid_to_gid = "Identity"
        else:
            enc = font.get("/Encoding")
            descriptor = font.get("/FontDescriptor")
            flags = int(descriptor.get("/Flags", 0)) if isinstance(descriptor, Dictionary) else 0
            symbolic = bool(flags & 4)
            if not symbolic and _name(enc) == "WinAnsiEncoding":
                self.fallback_codec = "cp1252"
            elif not symbolic and _name(enc) == "MacRomanEncoding":
                self.fallback_codec = "mac_roman"

    @property
    def descriptor(self) -> Dictionary | None:
        holder = self.descendant if self.composite else self.obj
        d = holder.get("/FontDescriptor") if isinstance(holder, Dictionary) else None
        return d if isinstance(d, Dictionary) else None

    def embedded(self) -> bool:
        if self.subtype == "Type3":
            return True
        d = self.descriptor
        return d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def codes(self, data: bytes) -> list[bytes]:
        if self.identity:
            return [data[i : i + 2] for i in range(0, len(data), 2)]
        return self.encoding_cmap.split(data)

    def unicode(self, code: bytes) -> str | None:
        """The Unicode text of one code; None when nothing maps it."""
        if self.to_unicode is not None:
            dst = self.to_unicode.unicode(code)
            if dst is not None:
                try:
                    return dst.decode("utf-16-be")
                except UnicodeDecodeError:
                    return None
        if self.fallback_codec and len(code) == 1:
            try:
                return code.decode(self.fallback_codec)
            except UnicodeDecodeError:
                return None
        return None

    def glyph_is_notdef(self, code: bytes) -> bool:
        """True when a CIDFont code selects glyph 0. Simple fonts: not determined (False)."""
        if not self.composite:
            return False
        cid = int.from_bytes(code, "big") if self.identity else self.encoding_cmap.cid(code)
        if cid is None:
            return False
        if isinstance(self.cid_to_gid, bytes):
            if 2 * cid + 1 >= len(self.cid_to_gid):
                return True
            return self.cid_to_gid[2 * cid] == 0 and self.cid_to_gid[2 * cid + 1] == 0
        return cid == 0


# ----------------------------------------------------------------------------------------------
# Structure tree model
# ----------------------------------------------------------------------------------------------


@dataclass
class Elem:
    """A structure element as walked from the root."""

    obj: Dictionary
    key: tuple[int, int] | None
    raw_type: str
    type: str  # after role mapping (the raw type when it cannot be resolved)
    parent: "Elem | None"
    page: int | None  # inherited /Pg, 0-based
    kids: list[Any] = field(default_factory=list)  # Elem | McRef | ObjRef

    def text_attr(self, key: str) -> str | None:
        value = _text(self.obj.get(key))
        return value if value is not None else None


@dataclass
class McRef:
    owner: tuple  # ("page", index) or ("stream", objgen)
    mcid: int
    page: int | None


@dataclass
class ObjRef:
    obj: Any
    page: int | None


@dataclass
class McContent:
    """A marked-content sequence with an MCID as found in the content."""

    page: int
    text: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# The checker
# ----------------------------------------------------------------------------------------------


class Checker:
    def __init__(self, path: str, claim: str | None = None):
        self.path = path
        self.claim = claim.upper() if claim else None
        self.problems: list[Problem] = []
        self.stats: dict[str, int] = {
            "pages": 0,
            "struct_elements": 0,
            "mcids_in_content": 0,
            "mcids_in_tree": 0,
            "text_operators": 0,
            "artifact_sequences": 0,
            "replacement_chars": 0,
        }
        try:
            with open(path, "rb") as fh:
                self.raw = fh.read()
            self.pdf = pikepdf.open(path)
        except (OSError, pikepdf.PdfError) as exc:
            raise CheckerError(f"{path}: cannot read as PDF: {exc}") from exc
        self.root = self.pdf.Root
        self.page_index = {tuple(p.obj.objgen): i for i, p in enumerate(self.pdf.pages)}
        self.stats["pages"] = len(self.pdf.pages)
        self.role_map: dict[str, str] = {}
        self.class_map = Dictionary()
        self.elems: list[Elem] = []
        self.top: list[Elem] = []
        self.tree_mcrs: dict[tuple, Elem] = {}  # (owner, mcid) -> element
        self.tree_objrs: dict[tuple[int, int], Elem] = {}  # annotation objgen -> element
        self.content: dict[tuple, McContent] = {}  # (owner, mcid) -> content
        self.fonts: dict[Any, Font] = {}
        self.font_use: dict[Any, dict[str, Any]] = {}
        self.colour_use: dict[str, int] = {}
        self.form_mcid_use: dict[tuple[int, int], int] = {}
        self.seen_images: set[tuple[int, int]] = set()
        self.seen_gstates: set[Any] = set()
        self.xmp_props: dict[tuple[str, str], list[Any]] = {}
        self.parent_tree: dict[int, Any] = {}
        self.unresolved_types: set[str] = set()
        self.output_profile_space: str | None = None
        self.untagged: dict[int, tuple[int, str]] = {}
        self.nesting: dict[int, list[str]] = {}

    # -- reporting ------------------------------------------------------------------------

    def add(self, rule: str, message: str, page: int | None = None) -> None:
        assert rule in RULES, rule
        self.problems.append(Problem(rule, message, None if page is None else page + 1))

    # -- entry point ----------------------------------------------------------------------

    def run(self, expected_text: str | None) -> CheckResult:
        self.check_header_and_trailer()
        self.check_catalog()
        self.check_metadata()
        self.check_output_intent()
        self.check_objects()
        self.build_structure_tree()
        self.walk_pages()
        self.check_elements()  # after the walk, so messages can quote the elements' text
        self.check_mcid_matching()
        self.check_fonts()
        self.check_annotations()
        self.check_device_colour()
        text = self.structure_text()
        if expected_text is not None:
            self.compare_text(normalize_text(expected_text), text)
        return CheckResult(self.path, self.problems, self.stats, text)

    # -- file structure -------------------------------------------------------------------

    def check_header_and_trailer(self) -> None:
        m = re.match(rb"%PDF-1\.([0-9])(\r\n|\r|\n)%([\x80-\xff]{4})", self.raw)
        version = re.match(rb"%PDF-(\d\.\d)", self.raw)
        if not version:
            self.add("pdfa:header", "file does not begin with %PDF-1.n")
        elif version.group(1) != b"1.7":
            self.add(
                "pdfa:header",
                f"header is %PDF-{version.group(1).decode()}; PDF 1.7 (%PDF-1.7) required",
            )
        if version and not m:
            self.add(
                "pdfa:header",
                "header line is not followed by a comment of at least four bytes above 127",
            )
        if "/ID" not in self.pdf.trailer:
            self.add("pdfa:trailer", "trailer has no /ID")
        tail = self.raw[self.raw.rfind(b"%%EOF") + 5 :] if b"%%EOF" in self.raw else b"?"
        if tail not in (b"", b"\n", b"\r", b"\r\n"):
            self.add("pdfa:trailer", f"{len(tail)} bytes after the last %%EOF")
        if self.pdf.is_encrypted or "/Encrypt" in self.pdf.trailer:
            self.add("pdfa:encrypt", "file is encrypted")

    # -- catalog --------------------------------------------------------------------------

    def check_catalog(self) -> None:
        root = self.root
        mark = root.get("/MarkInfo")
        if not isinstance(mark, Dictionary) or mark.get("/Marked") is not True:
            self.add("ua:mark-info", "catalog has no /MarkInfo << /Marked true >>")
        elif mark.get("/Suspects") is True:
            self.add("ua:mark-info", "/MarkInfo /Suspects is true")
        lang = _text(root.get("/Lang"))
        if not lang:
            self.add("ua:lang", "catalog has no /Lang (document language)")
        elif not _LANG_TAG.match(lang):
            self.add("ua:lang", f"catalog /Lang {lang!r} is not a language tag")
        prefs = root.get("/ViewerPreferences")
        if not isinstance(prefs, Dictionary) or prefs.get("/DisplayDocTitle") is not True:
            self.add("ua:display-doc-title", "/ViewerPreferences /DisplayDocTitle is not true")
        for i, page in enumerate(self.pdf.pages):
            if _name(page.obj.get("/Tabs")) != "S":
                self.add("ua:tabs", "page has no /Tabs /S", i)
            if "/AA" in page.obj:
                self.add("pdfa:actions", "page has an /AA (additional actions) entry", i)
        if "/AA" in root:
            self.add("pdfa:actions", "catalog has an /AA (additional actions) entry")
        names = root.get("/Names")
        if isinstance(names, Dictionary) and "/JavaScript" in names:
            self.add("pdfa:actions", "document has a JavaScript name tree")

    # -- XMP ------------------------------------------------------------------------------

    def check_metadata(self) -> None:
        meta = self.root.get("/Metadata")
        claim_note = "XMP metadata missing"
        if not isinstance(meta, Stream):
            self.add("ua:metadata", "catalog has no /Metadata XMP stream")
            self.add("ua:dc-title", claim_note)
            self.add("ua:pdfuaid", claim_note)
            self.add("pdfa:pdfaid", claim_note)
            self.check_info_against_xmp()
            return
        if _name(meta.get("/Type")) != "Metadata" or _name(meta.get("/Subtype")) != "XML":
            self.add("ua:metadata", "metadata stream lacks /Type /Metadata /Subtype /XML")
        data = meta.read_bytes()
        header = re.search(rb"<\?xpacket\s+begin=[^?]*\?>", data)
        if header and re.search(rb"\s(bytes|encoding)\s*=", header.group(0)):
            self.add("ua:metadata", "xpacket header uses the bytes or encoding attribute")
        try:
            data.decode("utf-8")
            tree = ET.fromstring(data)
        except (UnicodeDecodeError, ET.ParseError) as exc:
            self.add("ua:metadata", f"XMP is not well-formed UTF-8 XML ({exc})")
            return
        rdf = tree if tree.tag == f"{{{NS_RDF}}}RDF" else tree.find(f".//{{{NS_RDF}}}RDF")
        if rdf is None:
            self.add("ua:metadata", "XMP has no rdf:RDF")
            return
        for desc in rdf.findall(f"{{{NS_RDF}}}Description"):
            for attr, value in desc.attrib.items():
                ns, local = _split_tag(attr)
                if ns and ns not in (NS_RDF, NS_XML):
                    self.xmp_props.setdefault((ns, local), []).append(value)
            for child in desc:
                ns, local = _split_tag(child.tag)
                self.xmp_props.setdefault((ns, local), []).append(child)

        title = self.xmp_lang_alt(NS_DC, "title")
        if not title or not title.strip():
            self.add("ua:dc-title", "XMP has no non-empty dc:title")
        ua_part = self.xmp_simple(NS_PDFUAID, "part")
        if ua_part is None:
            self.add("ua:pdfuaid", "XMP has no pdfuaid:part (PDF/UA identification)")
        elif ua_part != "1":
            self.add("ua:pdfuaid", f"XMP pdfuaid:part is {ua_part!r}, expected '1'")
        a_part = self.xmp_simple(NS_PDFAID, "part")
        conformance = self.xmp_simple(NS_PDFAID, "conformance")
        if a_part is None:
            self.add("pdfa:pdfaid", "XMP has no pdfaid:part (PDF/A identification)")
        elif a_part != "2":
            self.add("pdfa:pdfaid", f"XMP pdfaid:part is {a_part!r}, expected '2'")
        if conformance not in ("A", "B", "U"):
            self.add(
                "pdfa:pdfaid", f"XMP pdfaid:conformance is {conformance!r}, expected A, B or U"
            )
        elif self.claim and conformance != self.claim[-1:]:
            self.add(
                "pdfa:pdfaid",
                f"XMP claims PDF/A-2{conformance.lower()}, expected PDF/A-{self.claim.lower()}",
            )
        if self.claim and self.claim[:1] != "2":
            self.add("pdfa:pdfaid", f"--claim {self.claim} is not a PDF/A-2 level")
        self.check_extension_schemas()
        self.check_info_against_xmp()

    def xmp_simple(self, ns: str, local: str) -> str | None:
        values = self.xmp_props.get((ns, local))
        if not values:
            return None
        value = values[0]
        if isinstance(value, str):
            return value.strip()
        return (value.text or "").strip() if len(value) == 0 else None

    def xmp_items(self, ns: str, local: str) -> list[tuple[str | None, str]]:
        """(xml:lang, text) of the rdf:li of an Alt/Seq/Bag property."""
        values = self.xmp_props.get((ns, local))
        if not values or isinstance(values[0], str):
            return []
        out = []
        for li in values[0].iter(f"{{{NS_RDF}}}li"):
            out.append((li.get(f"{{{NS_XML}}}lang"), (li.text or "")))
        return out

    def xmp_lang_alt(self, ns: str, local: str) -> str | None:
        items = self.xmp_items(ns, local)
        for lang, text in items:
            if lang == "x-default":
                return text
        return items[0][1] if items else self.xmp_simple(ns, local)

    def check_extension_schemas(self) -> None:
        declared: dict[str, set[str]] = {}
        for container in self.xmp_props.get((NS_PDFA_EXT, "schemas"), []):
            if isinstance(container, str):
                continue
            for bag in container.findall(f"{{{NS_RDF}}}Bag"):
                for li in bag.findall(f"{{{NS_RDF}}}li"):
                    fields = _resource_fields(li)
                    uri = _field_text(fields, NS_PDFA_SCHEMA, "namespaceURI")
                    for required in ("schema", "namespaceURI", "prefix"):
                        if not _field_text(fields, NS_PDFA_SCHEMA, required):
                            self.add(
                                "pdfa:xmp-extension",
                                f"extension schema {uri or '?'} lacks pdfaSchema:{required}",
                            )
                    names = declared.setdefault(uri or "", set())
                    prop = fields.get((NS_PDFA_SCHEMA, "property"))
                    if prop is None or isinstance(prop, str):
                        continue
                    for seq_li in prop.iter(f"{{{NS_RDF}}}li"):
                        pf = _resource_fields(seq_li)
                        pname = _field_text(pf, NS_PDFA_PROPERTY, "name")
                        for required in ("name", "valueType", "category", "description"):
                            if not _field_text(pf, NS_PDFA_PROPERTY, required):
                                self.add(
                                    "pdfa:xmp-extension",
                                    f"extension schema {uri}: property {pname or '?'} "
                                    f"lacks pdfaProperty:{required}",
                                )
                        category = _field_text(pf, NS_PDFA_PROPERTY, "category")
                        if category and category not in ("internal", "external"):
                            self.add(
                                "pdfa:xmp-extension",
                                f"extension schema {uri}: property {pname} has category "
                                f"{category!r} (internal or external)",
                            )
                        if pname:
                            names.add(pname)
        for ns, local in sorted(self.xmp_props):
            if ns in PREDEFINED_XMP_NAMESPACES or ns in (NS_RDF, NS_XML, ""):
                continue
            if ns not in declared:
                self.add(
                    "pdfa:xmp-extension",
                    f"XMP property {local} of namespace {ns} is not declared in a "
                    "pdfaExtension:schemas extension schema",
                )
            elif local not in declared[ns]:
                self.add(
                    "pdfa:xmp-extension",
                    f"XMP property {local} is not among the properties declared for {ns}",
                )

    def check_info_against_xmp(self) -> None:
        info = self.pdf.trailer.get("/Info")
        if not isinstance(info, Dictionary):
            return
        have_xmp = bool(self.xmp_props)
        pairs = [
            ("/Title", "dc:title", lambda: self.xmp_lang_alt(NS_DC, "title")),
            ("/Author", "dc:creator", self.xmp_creator),
            ("/Subject", "dc:description", lambda: self.xmp_lang_alt(NS_DC, "description")),
            ("/Keywords", "pdf:Keywords", lambda: self.xmp_simple(NS_PDF, "Keywords")),
            ("/Creator", "xmp:CreatorTool", lambda: self.xmp_simple(NS_XMP, "CreatorTool")),
            ("/Producer", "pdf:Producer", lambda: self.xmp_simple(NS_PDF, "Producer")),
        ]
        if not have_xmp:
            keys = [
                k[1:]
                for k in (
                    "/Title",
                    "/Author",
                    "/Subject",
                    "/Keywords",
                    "/Creator",
                    "/Producer",
                    "/CreationDate",
                    "/ModDate",
                )
                if k in info
            ]
            if keys:
                self.add(
                    "pdfa:info-xmp", f"Info has {', '.join(keys)} but there is no XMP to match"
                )
            return
        for key, prop, getter in pairs:
            value = _text(info.get(key))
            if value is None:
                continue
            xmp_value = getter()
            if xmp_value is None:
                self.add("pdfa:info-xmp", f"Info {key[1:]} is set but XMP has no {prop}")
            elif xmp_value != value:
                self.add(
                    "pdfa:info-xmp",
                    f"Info {key[1:]} {value!r} differs from XMP {prop} {xmp_value!r}",
                )
        for key, prop, local in (
            ("/CreationDate", "xmp:CreateDate", "CreateDate"),
            ("/ModDate", "xmp:ModifyDate", "ModifyDate"),
        ):
            value = _text(info.get(key))
            if value is None:
                continue
            xmp_value = self.xmp_simple(NS_XMP, local)
            if xmp_value is None:
                self.add("pdfa:info-xmp", f"Info {key[1:]} is set but XMP has no {prop}")
                continue
            a, b = _parse_pdf_date(value), _parse_xmp_date(xmp_value)
            if a is None or b is None or not _same_instant(a, b):
                self.add(
                    "pdfa:info-xmp",
                    f"Info {key[1:]} {value!r} differs from XMP {prop} {xmp_value!r}",
                )

    def xmp_creator(self) -> str | None:
        items = self.xmp_items(NS_DC, "creator")
        if not items:
            return None
        if len(items) != 1:
            return " | ".join(text for _, text in items)
        return items[0][1]

    # -- output intent --------------------------------------------------------------------

    def check_output_intent(self) -> None:
        intents = [
            oi for oi in _as_list(self.root.get("/OutputIntents")) if isinstance(oi, Dictionary)
        ]
        pdfa = [oi for oi in intents if _name(oi.get("/S")) == "GTS_PDFA1"]
        if not pdfa:
            self.add("pdfa:output-intent", "no OutputIntent with /S /GTS_PDFA1")
            return
        profiles = {
            _key(oi.get("/DestOutputProfile")) for oi in intents if "/DestOutputProfile" in oi
        }
        if len(profiles) > 1:
            self.add("pdfa:output-intent", "OutputIntents name more than one DestOutputProfile")
        oi = pdfa[0]
        if _text(oi.get("/OutputConditionIdentifier")) is None:
            self.add("pdfa:output-intent", "OutputIntent has no /OutputConditionIdentifier")
        profile = oi.get("/DestOutputProfile")
        if not isinstance(profile, Stream):
            self.add("pdfa:output-intent", "OutputIntent has no /DestOutputProfile ICC stream")
            return
        data = profile.read_bytes()
        if len(data) < 128 or data[36:40] != b"acsp":
            self.add("pdfa:output-intent", "DestOutputProfile is not an ICC profile")
            return
        device_class, space = data[12:16], data[16:20]
        if device_class not in (b"mntr", b"prtr"):
            self.add(
                "pdfa:output-intent",
                f"ICC profile class {device_class.decode('latin-1')!r} (mntr or prtr required)",
            )
        expected_n = {b"RGB ": 3, b"GRAY": 1, b"CMYK": 4}.get(space)
        if expected_n is None:
            self.add(
                "pdfa:output-intent",
                f"ICC profile colour space {space.decode('latin-1')!r} "
                "(RGB, GRAY or CMYK required)",
            )
            return
        n = profile.get("/N")
        if n != expected_n:
            self.add(
                "pdfa:output-intent",
                f"DestOutputProfile /N is {n}; its {space.decode().strip()} profile needs "
                f"{expected_n}",
            )
        self.output_profile_space = space.decode().strip()

    # -- every object: filters, actions --------------------------------------------------

    def check_objects(self) -> None:
        for obj in self.pdf.objects:
            if isinstance(obj, Stream):
                self.check_stream_dict(obj)
            for d in _dicts_within(obj):
                self.check_action(d)

    def check_stream_dict(self, stream: Stream) -> None:
        where = f"stream {stream.objgen[0]} {stream.objgen[1]} R"
        for key in ("/F", "/FFilter", "/FDecodeParms"):
            if key in stream.stream_dict:
                self.add("pdfa:filter", f"{where} refers to an external file ({key})")
        filters = [_name(f) for f in _as_list(stream.stream_dict.get("/Filter"))]
        if "LZWDecode" in filters:
            self.add("pdfa:filter", f"{where} uses LZWDecode")
        if "Crypt" in filters:
            parms = _as_list(stream.stream_dict.get("/DecodeParms"))
            idx = filters.index("Crypt")
            p = parms[idx] if idx < len(parms) else None
            if not (isinstance(p, Dictionary) and _name(p.get("/Name")) == "Identity"):
                self.add("pdfa:filter", f"{where} uses the Crypt filter")

    def check_action(self, d: Dictionary) -> None:
        kind = _name(d.get("/S"))
        if kind is None or _name(d.get("/Type")) == "StructElem" or "/P" in d:
            return
        if kind in FORBIDDEN_ACTIONS:
            self.add("pdfa:actions", f"{kind} action")
        elif kind == "Named" and _name(d.get("/N")) not in ALLOWED_NAMED_ACTIONS:
            self.add("pdfa:actions", f"Named action {d.get('/N')}")

    # -- structure tree -------------------------------------------------------------------

    def build_structure_tree(self) -> None:
        tree = self.root.get("/StructTreeRoot")
        if not isinstance(tree, Dictionary):
            self.add(
                "ua:struct-tree", "catalog has no /StructTreeRoot (the document is not tagged)"
            )
            return
        role_map = tree.get("/RoleMap")
        if isinstance(role_map, Dictionary):
            for k in role_map.keys():
                target = _name(role_map.get(k))
                if target is not None:
                    self.role_map[k[1:]] = target
        for std in sorted(set(self.role_map) & STANDARD_TYPES):
            self.add("ua:role-map", f"standard type {std} is remapped to {self.role_map[std]}")
        cm = tree.get("/ClassMap")
        if isinstance(cm, Dictionary):
            self.class_map = cm
        self.parent_tree = _number_tree(tree.get("/ParentTree"))
        if not _as_list(tree.get("/K")):
            self.add("ua:struct-tree", "/StructTreeRoot has no kids")
        seen: set[tuple[int, int]] = set()
        self.top = self.walk_kids(tree, tree.get("/K"), None, None, seen, 0)
        self.stats["struct_elements"] = len(self.elems)
        self.stats["mcids_in_tree"] = len(self.tree_mcrs)

    def resolve_role(self, raw: str) -> str:
        seen = [raw]
        current = raw
        while current not in STANDARD_TYPES:
            nxt = self.role_map.get(current)
            if nxt is None:
                if raw not in self.unresolved_types:
                    self.unresolved_types.add(raw)
                    via = " -> ".join(seen)
                    self.add(
                        "ua:role-map", f"structure type {via} is not mapped to a standard type"
                    )
                return raw
            if nxt in seen:
                if raw not in self.unresolved_types:
                    self.unresolved_types.add(raw)
                    self.add("ua:role-map", f"circular role mapping {' -> '.join(seen + [nxt])}")
                return raw
            seen.append(nxt)
            current = nxt
        return current

    def walk_kids(
        self,
        holder: Dictionary,
        k: Any,
        parent: Elem | None,
        page: int | None,
        seen: set,
        depth: int,
    ) -> list[Any]:
        out: list[Any] = []
        if depth > 200:
            self.add("ua:struct-tree", "structure tree deeper than 200 levels")
            return out
        for kid in _as_list(k):
            if isinstance(kid, int):
                out.append(self.add_mcr(("page", page), kid, page, parent))
            elif isinstance(kid, Dictionary):
                kind = _name(kid.get("/Type"))
                if kind == "MCR":
                    pg = self.page_of(kid.get("/Pg"), page)
                    stm = kid.get("/Stm")
                    owner = ("stream", _key(stm)) if stm is not None else ("page", pg)
                    mcid = kid.get("/MCID")
                    if not isinstance(mcid, int):
                        self.add("ua:struct-tree", "marked-content reference without /MCID", pg)
                        continue
                    out.append(self.add_mcr(owner, mcid, pg, parent))
                elif kind == "OBJR":
                    pg = self.page_of(kid.get("/Pg"), page)
                    target = kid.get("/Obj")
                    key = _key(target)
                    if key is not None and parent is not None:
                        self.tree_objrs[key] = parent
                    out.append(ObjRef(target, pg))
                elif "/S" in kid:
                    elem = self.add_elem(kid, parent, page, seen, depth)
                    if elem is not None:
                        out.append(elem)
                else:
                    self.add("ua:struct-tree", "a kid in /K is neither an element, MCR nor OBJR")
            elif kid is not None:
                self.add("ua:struct-tree", f"unexpected object in /K: {kid!r}"[:120])
        return out

    def page_of(self, pg: Any, inherited: int | None) -> int | None:
        key = _key(pg)
        if key is not None and key in self.page_index:
            return self.page_index[key]
        return inherited

    def add_mcr(self, owner: tuple, mcid: int, page: int | None, parent: Elem | None) -> McRef:
        if owner[0] == "page" and page is None:
            self.add("ua:struct-tree", f"MCID {mcid} is referenced without a page (/Pg)")
        full = (owner, mcid)
        if full in self.tree_mcrs:
            self.add(
                "ua:mcid-duplicate", f"MCID {mcid} is referenced by two structure elements", page
            )
        elif parent is not None:
            self.tree_mcrs[full] = parent
        return McRef(owner, mcid, page)

    def add_elem(
        self, obj: Dictionary, parent: Elem | None, page: int | None, seen: set, depth: int
    ) -> Elem | None:
        key = _key(obj)
        raw = _name(obj.get("/S"))
        if raw is None:
            self.add("ua:struct-tree", "structure element whose /S is not a name")
            return None
        if key is None:
            self.add("ua:struct-tree", f"{raw} element is a direct object (it must be indirect)")
        elif key in seen:
            self.add("ua:struct-tree", f"{raw} element {key[0]} {key[1]} R is reached twice")
            return None
        else:
            seen.add(key)
        p = obj.get("/P")
        expected_parent = parent.obj if parent is not None else self.root.get("/StructTreeRoot")
        if p is None:
            self.add("ua:struct-tree", f"{raw} element has no /P (parent)")
        elif _key(p) != _key(expected_parent):
            self.add("ua:struct-tree", f"{raw} element's /P is not the element that holds it")
        pg = self.page_of(obj.get("/Pg"), page)
        elem = Elem(obj, key, raw, self.resolve_role(raw), parent, pg)
        self.elems.append(elem)
        lang = obj.get("/Lang")
        if lang is not None and not _LANG_TAG.match(_text(lang) or ""):
            self.add("ua:lang", f"{raw} element has /Lang {_text(lang)!r}, not a language tag")
        elem.kids = self.walk_kids(obj, obj.get("/K"), elem, pg, seen, depth + 1)
        return elem

    def attributes(self, elem: Elem) -> list[Dictionary]:
        """Attribute dictionaries of an element: /A (dict, array, with revisions) and /C classes."""
        out = [a for a in _as_list(elem.obj.get("/A")) if isinstance(a, Dictionary)]
        for cls in _as_list(elem.obj.get("/C")):
            name = _name(cls)
            if name and f"/{name}" in self.class_map:
                out += [
                    a for a in _as_list(self.class_map.get(f"/{name}")) if isinstance(a, Dictionary)
                ]
        return out

    def check_elements(self) -> None:
        headings: list[tuple[int, Elem]] = []
        note_ids: dict[str, int] = {}
        for elem in self.elems:
            t = elem.type
            kid_types = [k.type for k in elem.kids if isinstance(k, Elem)]
            ptype = elem.parent.type if elem.parent else None
            if t in ("Figure", "Formula"):
                alt = elem.text_attr("/Alt") or elem.text_attr("/ActualText")
                if not alt or not alt.strip():
                    self.add(
                        "ua:figure-alt", f"{elem.raw_type} element has no /Alt text", elem.page
                    )
                if t == "Figure" and not self.has_content(elem):
                    self.add(
                        "ua:figure-content",
                        f"Figure{self.snippet(elem)} encloses no content: its graphic is an "
                        "artifact or missing",
                        elem.page,
                    )
            if t in HEADING_LEVELS:
                headings.append((HEADING_LEVELS[t], elem))
            if t == "H":
                headings.append((0, elem))
            if kid_types.count("H") > 1:
                self.add(
                    "ua:heading-mixed", f"{elem.raw_type} holds more than one H element", elem.page
                )
            if t == "Table":
                self.check_table(elem, kid_types)
            if t in ("THead", "TBody", "TFoot"):
                if ptype != "Table":
                    self.add("ua:table-structure", f"{t} is not inside a Table", elem.page)
                if any(k != "TR" for k in kid_types):
                    self.add(
                        "ua:table-structure", f"{t} holds {_others(kid_types, {'TR'})}", elem.page
                    )
            if t == "TR":
                if ptype not in ("Table", "THead", "TBody", "TFoot"):
                    self.add("ua:table-structure", f"TR is inside {ptype or 'the root'}", elem.page)
                if any(k not in ("TH", "TD") for k in kid_types):
                    self.add(
                        "ua:table-structure",
                        f"TR holds {_others(kid_types, {'TH', 'TD'})}",
                        elem.page,
                    )
            if t in ("TH", "TD") and ptype != "TR":
                self.add(
                    "ua:table-structure",
                    f"{t} is inside {ptype or 'the root'}, not a TR",
                    elem.page,
                )
            if t == "L":
                bad = _others(kid_types, {"L", "LI", "Caption"})
                if bad:
                    self.add("ua:list-structure", f"L holds {bad}", elem.page)
                if "Caption" in kid_types[1:]:
                    self.add(
                        "ua:list-structure", "L has a Caption that is not its first kid", elem.page
                    )
            if t == "LI":
                if ptype != "L":
                    self.add(
                        "ua:list-structure",
                        f"LI is inside {ptype or 'the root'}, not an L",
                        elem.page,
                    )
                bad = _others(kid_types, {"Lbl", "LBody"})
                if bad:
                    self.add("ua:list-structure", f"LI holds {bad}", elem.page)
            if t == "LBody" and ptype != "LI":
                self.add(
                    "ua:list-structure",
                    f"LBody is inside {ptype or 'the root'}, not an LI",
                    elem.page,
                )
            if t == "Note":
                nid = elem.obj.get("/ID")
                nid_s = bytes(nid).hex() if isinstance(nid, String) else None
                if not nid_s:
                    self.add("ua:note-id", "Note element has no /ID", elem.page)
                elif nid_s in note_ids:
                    self.add("ua:note-id", "two Note elements share an /ID", elem.page)
                else:
                    note_ids[nid_s] = 1
        numbered = [(lvl, e) for lvl, e in headings if lvl > 0]
        if numbered and any(lvl == 0 for lvl, _ in headings):
            self.add("ua:heading-mixed", "document uses both H and H1-H6 headings")
        if numbered:
            first_level, first = numbered[0]
            if first_level != 1:
                self.add("ua:heading-first", f"first heading is H{first_level}, not H1", first.page)
            for (prev, _), (lvl, e) in zip(numbered, numbered[1:]):
                if lvl > prev + 1:
                    snippet = self.snippet(e)
                    self.add("ua:heading-skip", f"H{lvl} follows H{prev}{snippet}", e.page)

    def has_content(self, elem: Elem) -> bool:
        """True when the element's subtree reaches marked content that exists, or an object."""
        for kid in elem.kids:
            if isinstance(kid, ObjRef):
                return True
            if isinstance(kid, McRef) and (kid.owner, kid.mcid) in self.content:
                return True
            if isinstance(kid, Elem) and self.has_content(kid):
                return True
        return False

    def check_table(self, table: Elem, kid_types: list[str]) -> None:
        bad = _others(kid_types, {"TR", "THead", "TBody", "TFoot", "Caption"})
        if bad:
            self.add("ua:table-structure", f"Table holds {bad}", table.page)
        if kid_types.count("Caption") > 1:
            self.add("ua:table-structure", "Table has more than one Caption", table.page)
        elif "Caption" in kid_types[1:-1]:
            self.add(
                "ua:table-structure", "Table Caption is neither first nor last kid", table.page
            )
        for part in ("THead", "TFoot"):
            if kid_types.count(part) > 1:
                self.add("ua:table-structure", f"Table has more than one {part}", table.page)
            if part in kid_types and "TBody" not in kid_types:
                self.add("ua:table-structure", f"Table has a {part} but no TBody", table.page)
        rows: list[Elem] = []
        for kid in table.kids:
            if isinstance(kid, Elem) and kid.type == "TR":
                rows.append(kid)
            elif isinstance(kid, Elem) and kid.type in ("THead", "TBody", "TFoot"):
                rows += [r for r in kid.kids if isinstance(r, Elem) and r.type == "TR"]
        cells = [c for r in rows for c in r.kids if isinstance(c, Elem) and c.type in ("TH", "TD")]
        if not any(c.type == "TH" for c in cells):
            self.add("ua:table-headers", "Table has no TH (header) cell", table.page)
        uses_headers = any(
            "/Headers" in a
            for c in cells
            for a in self.attributes(c)
            if _name(a.get("/O")) == "Table"
        )
        for c in cells:
            if c.type != "TH" or uses_headers:
                continue
            scope = None
            for a in self.attributes(c):
                if _name(a.get("/O")) == "Table" and "/Scope" in a:
                    scope = _name(a.get("/Scope"))
            if scope not in ("Row", "Column", "Both"):
                what = "no /Scope" if scope is None else f"/Scope /{scope}"
                self.add(
                    "ua:th-scope", f"TH{self.snippet(c)} has {what} (Row, Column or Both)", c.page
                )
        self.check_table_grid(table, rows)

    def check_table_grid(self, table: Elem, rows: list[Elem]) -> None:
        """Rows must span the same number of columns once RowSpan/ColSpan are counted."""
        occupied: dict[int, int] = {}  # row index -> columns taken by cells from rows above
        widths = []
        for r, row in enumerate(rows):
            width = occupied.pop(r, 0)
            for cell in row.kids:
                if not isinstance(cell, Elem) or cell.type not in ("TH", "TD"):
                    continue
                colspan, rowspan = 1, 1
                for a in self.attributes(cell):
                    if _name(a.get("/O")) != "Table":
                        continue
                    if isinstance(a.get("/ColSpan"), int):
                        colspan = max(1, int(a.get("/ColSpan")))
                    if isinstance(a.get("/RowSpan"), int):
                        rowspan = max(1, int(a.get("/RowSpan")))
                width += colspan
                for below in range(r + 1, r + rowspan):
                    occupied[below] = occupied.get(below, 0) + colspan
            widths.append(width)
        if widths and len(set(widths)) > 1:
            self.add(
                "ua:table-structure",
                f"Table rows span different numbers of columns: {sorted(set(widths))}",
                table.page,
            )

    def snippet(self, elem: Elem) -> str:
        text = normalize_text("".join(self.elem_text(elem, top_level=True)))
        return f' ("{text[:40]}")' if text else ""

    # -- content streams ------------------------------------------------------------------

    def walk_pages(self) -> None:
        for i, page in enumerate(self.pdf.pages):
            resources = _inherited(page.obj, "/Resources")
            try:
                ops = pikepdf.parse_content_stream(page)
            except pikepdf.PdfError as exc:
                self.add("ua:marked-content", f"content stream cannot be parsed ({exc})", i)
                continue
            walker = _Walk(self, i, ("page", i))
            res = resources if isinstance(resources, Dictionary) else Dictionary()
            walker.run(ops, res, [], 0, {"font": None, "tr": 0})
        for page, (count, first) in sorted(self.untagged.items()):
            self.add(
                "ua:untagged-content",
                f"{count} operator(s) outside tagged content and artifacts (first: {first})",
                page,
            )
        for page, messages in sorted(self.nesting.items()):
            self.add("ua:artifact-nesting", f"{len(messages)} time(s): {messages[0]}", page)
        for key, count in self.form_mcid_use.items():
            if count > 1:
                self.add(
                    "ua:mcid-duplicate",
                    f"form XObject {key[0]} {key[1]} R holds MCIDs and is painted {count} times",
                )
        self.stats["mcids_in_content"] = len(self.content)

    def check_mcid_matching(self) -> None:
        if "/StructTreeRoot" not in self.root:
            return
        unreachable: dict[Any, list[int]] = {}
        for (owner, mcid), mc in self.content.items():
            if (owner, mcid) not in self.tree_mcrs:
                unreachable.setdefault(mc.page, []).append(mcid)
        for page, mcids in sorted(unreachable.items()):
            self.add(
                "ua:mcid-unreachable",
                f"MCID(s) {_short_list(sorted(mcids))} are not referenced by any structure element",
                page,
            )
        missing: dict[Any, list[int]] = {}
        for (owner, mcid), elem in self.tree_mcrs.items():
            if (owner, mcid) not in self.content:
                page = owner[1] if owner[0] == "page" else elem.page
                missing.setdefault(page, []).append(mcid)
        for page, mcids in sorted(missing.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
            self.add(
                "ua:mcid-missing",
                f"structure tree references MCID(s) {_short_list(sorted(mcids))} that are "
                "not in the content",
                page,
            )
        # The parent tree must lead from each MCID back to the element that references it.
        by_owner: dict[tuple, list[int]] = {}
        for owner, mcid in self.content:
            by_owner.setdefault(owner, []).append(mcid)
        for owner, mcids in by_owner.items():
            holder = (
                self.pdf.pages[owner[1]].obj
                if owner[0] == "page"
                else self.pdf.get_object(owner[1])
            )
            page = owner[1] if owner[0] == "page" else None
            sp = holder.get("/StructParents")
            if not isinstance(sp, int):
                self.add("ua:parent-tree", "content has MCIDs but no /StructParents", page)
                continue
            entry = self.parent_tree.get(int(sp))
            if not isinstance(entry, Array):
                self.add(
                    "ua:parent-tree", f"parent tree has no array for /StructParents {sp}", page
                )
                continue
            wrong = []
            for mcid in mcids:
                elem = self.tree_mcrs.get((owner, mcid))
                if elem is None:
                    continue
                got = entry[mcid] if mcid < len(entry) else None
                if _key(got) != elem.key:
                    wrong.append(mcid)
            if wrong:
                self.add(
                    "ua:parent-tree",
                    f"parent tree entry {sp} does not lead MCID(s) {_short_list(sorted(wrong))} "
                    "to the element that references them",
                    page,
                )

    # -- fonts ----------------------------------------------------------------------------

    def font(self, font_obj: Any, label: str) -> Font | None:
        key = _key(font_obj) or ("direct", label, id(font_obj))
        if key not in self.fonts:
            if not isinstance(font_obj, Dictionary):
                return None
            self.fonts[key] = Font(font_obj, key, label, lambda m: self.add("ua:unicode-map", m))
            self.font_use[key] = {
                "rendered": False,
                "unmapped": {},
                "bad_values": {},
                "notdef": 0,
                "pages": set(),
            }
            if self.fonts[key].unsupported:
                self.add("check:unsupported", self.fonts[key].unsupported or "")
        return self.fonts[key]

    def check_fonts(self) -> None:
        self.stats["fonts"] = len(self.fonts)
        for key, font in self.fonts.items():
            use = self.font_use[key]
            pages = sorted(use["pages"])
            first_page = pages[0] if pages else None
            if use["rendered"] and not font.embedded():
                self.add(
                    "ua:font-embedded",
                    f"font {font.base_font} ({font.subtype}) is not embedded",
                    first_page,
                )
            if (
                font.descendant is not None
                and _name(font.descendant.get("/Subtype")) == "CIDFontType2"
            ):
                if font.cid_to_gid is None:
                    self.add(
                        "ua:font-cidtogid",
                        f"font {font.base_font}: CIDFontType2 without /CIDToGIDMap Identity "
                        "or stream",
                        first_page,
                    )
            if use["unmapped"]:
                codes = sorted(use["unmapped"])
                total = sum(use["unmapped"].values())
                where = "no /ToUnicode" if font.to_unicode is None else "its /ToUnicode lacks them"
                self.add(
                    "ua:unicode-map",
                    f"font {font.base_font}: {total} glyph(s) with {len(codes)} code(s) not "
                    f"mapped to Unicode ({where}): {_short_list([c.hex() for c in codes])}; pages "
                    f"{_page_ranges(pages)}",
                    first_page,
                )
            for value, count in sorted(use["bad_values"].items()):
                self.add(
                    "ua:unicode-value",
                    f"font {font.base_font}: {count} glyph(s) map to {value}",
                    first_page,
                )
            if use["notdef"]:
                self.add(
                    "ua:notdef",
                    f"font {font.base_font}: {use['notdef']} glyph(s) reference .notdef (glyph 0)",
                    first_page,
                )

    # -- annotations ----------------------------------------------------------------------

    def check_annotations(self) -> None:
        tagged = "/StructTreeRoot" in self.root
        for i, page in enumerate(self.pdf.pages):
            for annot in _as_list(page.obj.get("/Annots")):
                if not isinstance(annot, Dictionary):
                    continue
                sub = _name(annot.get("/Subtype")) or "?"
                if sub not in PDFA_ANNOTATION_TYPES:
                    self.add("pdfa:annotation", f"{sub} annotation is not allowed in PDF/A-2", i)
                if sub != "Popup":
                    flags = annot.get("/F")
                    if not isinstance(flags, int):
                        self.add("pdfa:annotation", f"{sub} annotation has no /F flags", i)
                    elif not flags & 4 or flags & (1 | 2 | 32 | 256):
                        self.add(
                            "pdfa:annotation",
                            f"{sub} annotation /F {flags}: Print must be set, Hidden/Invisible/"
                            "NoView/ToggleNoView clear",
                            i,
                        )
                    rect = [float(v) for v in _as_list(annot.get("/Rect"))]
                    zero = len(rect) == 4 and rect[0] == rect[2] and rect[1] == rect[3]
                    ap = annot.get("/AP")
                    if not zero and not (isinstance(ap, Dictionary) and "/N" in ap):
                        self.add("pdfa:annotation", f"{sub} annotation has no /AP /N appearance", i)
                    elif isinstance(ap, Dictionary) and set(ap.keys()) - {"/N"}:
                        self.add(
                            "pdfa:annotation", f"{sub} annotation /AP has keys other than /N", i
                        )
                if sub in ("Widget", "Popup", "PrinterMark"):
                    continue
                elem = self.tree_objrs.get(_key(annot) or (-1, -1)) if tagged else None
                want = "Link" if sub == "Link" else "Annot"
                if tagged and (elem is None or elem.type != want):
                    found = f"a {elem.type} element" if elem else "no structure element"
                    self.add(
                        "ua:annot-tagged",
                        f"{sub} annotation is in {found}, not a {want} element",
                        i,
                    )
                elif elem is not None:
                    sp = annot.get("/StructParent")
                    got = self.parent_tree.get(int(sp)) if isinstance(sp, int) else None
                    if _key(got) != elem.key:
                        self.add(
                            "ua:parent-tree",
                            f"{sub} annotation's /StructParent does not lead to its {want} element",
                            i,
                        )
                contents = _text(annot.get("/Contents"))
                alt = elem.text_attr("/Alt") if elem is not None else None
                if not (contents and contents.strip()) and not (
                    alt and alt.strip() and sub != "Link"
                ):
                    self.add("ua:annot-alt", f"{sub} annotation has no /Contents description", i)

    def check_device_colour(self) -> None:
        space = self.output_profile_space
        if space is None:
            return  # no usable OutputIntent: pdfa:output-intent already reported
        if self.colour_use.get("RGB") and space != "RGB":
            self.add("pdfa:device-color", f"DeviceRGB is used but the output profile is {space}")
        if self.colour_use.get("CMYK") and space != "CMYK":
            self.add("pdfa:device-color", f"DeviceCMYK is used but the output profile is {space}")

    # -- reading order --------------------------------------------------------------------

    def elem_text(self, elem: Elem, top_level: bool = False) -> list[str]:
        actual = elem.text_attr("/ActualText")
        alt = elem.text_attr("/Alt")
        block = elem.type not in INLINE_TYPES
        sep = [" "] if block and not top_level else []
        if actual is not None:
            return sep + [actual] + sep
        if alt is not None:
            return sep + [alt] + sep
        out = list(sep)
        for kid in elem.kids:
            if isinstance(kid, Elem):
                out += self.elem_text(kid)
            elif isinstance(kid, McRef):
                mc = self.content.get((kid.owner, kid.mcid))
                if mc is not None:
                    out += mc.text
        return out + sep

    def structure_text(self) -> str:
        parts: list[str] = []
        for elem in self.top:
            parts += self.elem_text(elem)
        return normalize_text("".join(parts))

    def compare_text(self, expected: str, actual: str) -> None:
        if expected == actual:
            return
        i = 0
        limit = min(len(expected), len(actual))
        while i < limit and expected[i] == actual[i]:
            i += 1
        lo = max(0, i - CONTEXT_CHARS)
        self.add(
            "ua:reading-order",
            f"structure-tree text differs from the expected text at character {i} "
            f"(expected {len(expected)} characters, got {len(actual)}; shown as text before | "
            f"from the difference): expected {expected[lo:i]!r} | "
            f"{expected[i : i + CONTEXT_CHARS]!r}, got {actual[lo:i]!r} | "
            f"{actual[i : i + CONTEXT_CHARS]!r}",
        )


class _Walk:
    """One content stream (a page or a form XObject), with its marked-content stack."""

    def __init__(self, checker: Checker, page: int, owner: tuple):
        self.c = checker
        self.page = page
        self.owner = owner
        self.mcids_here: set[int] = set()

    def run(
        self, ops: Iterable, resources: Dictionary, stack: list[dict], depth: int, gs: dict
    ) -> None:
        """Walk `ops` with `stack` holding the marked-content sequences open at the call and
        `gs` the graphics state (font, text render mode) it starts from."""
        c = self.c
        base = len(stack)
        gstate = [dict(gs)]
        self.check_resources(resources)
        for operands, operator in ops:
            op = str(operator)
            if op == "q":
                gstate.append(dict(gstate[-1]))
            elif op == "Q":
                if len(gstate) > 1:
                    gstate.pop()
            elif op == "Tf" and operands:
                fonts = resources.get("/Font")
                name = operands[0]
                font_obj = fonts.get(str(name)) if isinstance(fonts, Dictionary) else None
                gstate[-1]["font"] = c.font(font_obj, str(name)) if font_obj is not None else None
                if font_obj is None:
                    c.add("ua:font-embedded", f"font {name} is not in the resources", self.page)
            elif op == "Tr" and operands:
                gstate[-1]["tr"] = int(operands[0])
            elif op in ("BMC", "BDC"):
                self.begin_marked(op, operands, resources, stack)
            elif op == "EMC":
                if len(stack) <= base:
                    c.add("ua:marked-content", "EMC without a matching BMC/BDC", self.page)
                else:
                    self.end_marked(stack)
            elif op in TEXT_SHOWING:
                c.stats["text_operators"] += 1
                strings = self.strings_of(op, operands)
                if not any(len(s) for s in strings):
                    continue
                self.require_marked(op, stack)
                self.show_text(strings, gstate[-1], stack)
            elif op in PAINTING:
                self.require_marked(op, stack)
            elif op == "INLINE IMAGE":
                self.require_marked("inline image", stack)
                self.inline_image(operands[0])
            elif op == "Do" and operands:
                self.do_xobject(operands[0], resources, stack, gstate[-1], depth)
            elif op in ("rg", "RG"):
                c.colour_use["RGB"] = 1
            elif op in ("k", "K"):
                c.colour_use["CMYK"] = 1
            elif op in ("cs", "CS") and operands:
                self.colour_space(operands[0], resources)
        if len(stack) > base:
            c.add("ua:marked-content", f"{len(stack) - base} BMC/BDC without EMC", self.page)
            del stack[base:]

    # -- marked content --

    def begin_marked(
        self, op: str, operands: list, resources: Dictionary, stack: list[dict]
    ) -> None:
        c = self.c
        tag = _name(operands[0]) if operands else None
        props: Any = None
        if op == "BDC" and len(operands) > 1:
            props = operands[1]
            if isinstance(props, Name):
                table = resources.get("/Properties")
                props = table.get(str(props)) if isinstance(table, Dictionary) else None
                if props is None:
                    c.add(
                        "ua:marked-content",
                        f"BDC properties {operands[1]} not in resources",
                        self.page,
                    )
        mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
        actual = _text(props.get("/ActualText")) if isinstance(props, Dictionary) else None
        artifact = tag == "Artifact"
        in_artifact = any(e["artifact"] for e in stack)
        in_tagged = any(e["mcid"] is not None for e in stack)
        entry = {"tag": tag, "mcid": None, "artifact": artifact, "actual": actual, "key": None}
        if artifact:
            c.stats["artifact_sequences"] += 1
            if in_tagged:
                c.nesting.setdefault(self.page, []).append("an Artifact inside tagged content")
        if isinstance(mcid, int) and not artifact:
            if in_artifact:
                c.nesting.setdefault(self.page, []).append(f"MCID {mcid} inside an Artifact")
            key = (self.owner, int(mcid))
            # A form XObject with its own MCIDs painted again is reported as such
            # (form_mcid_use); here only repeats within one walk of a stream count.
            if int(mcid) in self.mcids_here:
                c.add(
                    "ua:mcid-duplicate",
                    f"MCID {mcid} is used twice in one content stream",
                    self.page,
                )
            self.mcids_here.add(int(mcid))
            c.content.setdefault(key, McContent(self.page))
            entry["mcid"], entry["key"] = int(mcid), key
        stack.append(entry)

    def end_marked(self, stack: list[dict]) -> None:
        entry = stack.pop()
        if entry["actual"] is not None and not any(e["actual"] is not None for e in stack):
            target = self.current_target(stack + [entry])
            if target is not None:
                target.text.append(entry["actual"])

    def current_target(self, stack: list[dict]) -> McContent | None:
        for e in reversed(stack):
            if e["key"] is not None:
                return self.c.content.get(e["key"])
        return None

    def require_marked(self, what: str, stack: list[dict]) -> None:
        if any(e["mcid"] is not None or e["artifact"] for e in stack):
            return
        count, first = self.c.untagged.get(self.page, (0, what))
        self.c.untagged[self.page] = (count + 1, first)

    # -- text --

    @staticmethod
    def strings_of(op: str, operands: list) -> list[bytes]:
        if op == "TJ":
            arr = operands[0] if operands else []
            return (
                [bytes(s) for s in arr if isinstance(s, String)] if isinstance(arr, Array) else []
            )
        last = operands[-1] if operands else None
        return [bytes(last)] if isinstance(last, String) else []

    def show_text(self, strings: list[bytes], gs: dict, stack: list[dict]) -> None:
        c = self.c
        font: Font | None = gs["font"]
        if font is None:
            c.add("ua:unicode-map", "text shown without a font (no Tf)", self.page)
            return
        use = c.font_use[font.key]
        use["pages"].add(self.page)
        if gs["tr"] != 3:
            use["rendered"] = True
        covered = any(e["actual"] is not None for e in stack)
        target = None if any(e["artifact"] for e in stack) else self.current_target(stack)
        mc_key = next((e["key"] for e in reversed(stack) if e["key"] is not None), None)
        elem = c.tree_mcrs.get(mc_key) if mc_key is not None else None
        while elem is not None and not covered:  # ActualText on the element or an ancestor
            covered = elem.obj.get("/ActualText") is not None
            elem = elem.parent
        pieces: list[str] = []
        for data in strings:
            for code in font.codes(data):
                if font.glyph_is_notdef(code):
                    use["notdef"] += 1
                text = font.unicode(code)
                if text is None:
                    if not covered:
                        use["unmapped"][code] = use["unmapped"].get(code, 0) + 1
                    pieces.append("\ufffd")
                    continue
                for ch in text:
                    if ch in ("\u0000", "\ufeff", "\ufffe"):
                        label = f"U+{ord(ch):04X}"
                        use["bad_values"][label] = use["bad_values"].get(label, 0) + 1
                    elif ch == "\ufffd":
                        c.stats["replacement_chars"] += 1
                pieces.append(text)
        if target is not None and not covered:
            target.text.append("".join(pieces))

    # -- XObjects, images, colour --

    def do_xobject(
        self, name: Any, resources: Dictionary, stack: list[dict], gs: dict, depth: int
    ) -> None:
        c = self.c
        table = resources.get("/XObject")
        xobj = table.get(str(name)) if isinstance(table, Dictionary) else None
        if not isinstance(xobj, Stream):
            c.add("ua:marked-content", f"Do {name}: no such XObject in the resources", self.page)
            return
        sub = _name(xobj.get("/Subtype"))
        if sub == "Image":
            self.require_marked(f"Do {name} (image)", stack)
            self.image(xobj)
            return
        if sub != "Form":
            return
        key = _key(xobj)
        if "/Ref" in xobj:
            c.add("pdfa:image", f"form XObject {name} is a reference XObject", self.page)
        if depth >= MAX_FORM_DEPTH:
            c.add(
                "ua:marked-content", f"form XObjects nested deeper than {MAX_FORM_DEPTH}", self.page
            )
            return
        form_res = xobj.get("/Resources")
        if not isinstance(form_res, Dictionary):
            form_res = resources
        try:
            ops = pikepdf.parse_content_stream(xobj)
        except pikepdf.PdfError as exc:
            c.add("ua:marked-content", f"form {name} cannot be parsed ({exc})", self.page)
            return
        own = isinstance(xobj.get("/StructParents"), int) and key is not None
        walker = _Walk(c, self.page, ("stream", key) if own else self.owner)
        if not own:
            walker.mcids_here = self.mcids_here
        before = len(c.content)
        walker.run(ops, form_res, stack, depth + 1, gs)
        if own and key is not None and (len(c.content) > before or walker.mcids_here):
            c.form_mcid_use[key] = c.form_mcid_use.get(key, 0) + 1

    def image(self, xobj: Stream) -> None:
        c = self.c
        key = _key(xobj)
        self.colour_space(xobj.get("/ColorSpace"), Dictionary())
        if key in c.seen_images:
            return
        if key is not None:
            c.seen_images.add(key)
        where = f"image {key[0]} {key[1]} R" if key else "image"
        for bad in ("/Alternates", "/OPI"):
            if bad in xobj:
                c.add("pdfa:image", f"{where} has {bad}", self.page)
        if xobj.get("/Interpolate") is True:
            c.add("pdfa:image", f"{where} has /Interpolate true", self.page)

    def inline_image(self, iimage: Any) -> None:
        c = self.c
        obj = getattr(iimage, "obj", None)
        if not isinstance(obj, Dictionary):
            return
        filters = [_name(f) for f in _as_list(obj.get("/Filter"))]
        if "LZWDecode" in filters:
            c.add("pdfa:filter", "inline image uses LZWDecode", self.page)
        if obj.get("/Interpolate") is True:
            c.add("pdfa:image", "inline image has /Interpolate true", self.page)
        self.colour_space(obj.get("/ColorSpace"), Dictionary())

    def colour_space(self, cs: Any, resources: Dictionary) -> None:
        c = self.c
        if isinstance(cs, Name):
            table = resources.get("/ColorSpace")
            if isinstance(table, Dictionary) and str(cs) in table:
                cs = table.get(str(cs))
        if isinstance(cs, Array) and len(cs) > 1 and _name(cs[0]) == "Indexed":
            cs = cs[1]
        name = _name(cs)
        if name == "DeviceRGB" and not self.has_default(resources, "/DefaultRGB"):
            c.colour_use["RGB"] = 1
        elif name == "DeviceCMYK" and not self.has_default(resources, "/DefaultCMYK"):
            c.colour_use["CMYK"] = 1

    @staticmethod
    def has_default(resources: Dictionary, key: str) -> bool:
        table = resources.get("/ColorSpace")
        return isinstance(table, Dictionary) and key in table

    def check_resources(self, resources: Dictionary) -> None:
        c = self.c
        gstates = resources.get("/ExtGState")
        if not isinstance(gstates, Dictionary):
            return
        for gname in gstates.keys():
            gs = gstates.get(gname)
            key = _key(gs) or ("direct", self.page, gname)
            if key in c.seen_gstates or not isinstance(gs, Dictionary):
                continue
            c.seen_gstates.add(key)
            if "/TR" in gs:
                c.add("pdfa:extgstate", f"ExtGState {gname} has /TR", self.page)
            if "/TR2" in gs and _name(gs.get("/TR2")) != "Default":
                c.add(
                    "pdfa:extgstate", f"ExtGState {gname} has /TR2 other than /Default", self.page
                )
            if "/HTP" in gs:
                c.add("pdfa:extgstate", f"ExtGState {gname} has /HTP", self.page)
            for bm in _as_list(gs.get("/BM")):
                if _name(bm) not in STANDARD_BLEND_MODES:
                    c.add("pdfa:extgstate", f"ExtGState {gname} uses blend mode {bm}", self.page)


# ----------------------------------------------------------------------------------------------
# Helpers for XMP, dates and messages
# ----------------------------------------------------------------------------------------------


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def _resource_fields(li: ET.Element) -> dict[tuple[str, str], Any]:
    """Fields of an XMP struct value: rdf:parseType="Resource", a nested rdf:Description, or
    attributes."""
    fields: dict[tuple[str, str], Any] = {}
    holders = [li]
    holders += li.findall(f"{{{NS_RDF}}}Description")
    for holder in holders:
        for attr, value in holder.attrib.items():
            ns, local = _split_tag(attr)
            if ns not in (NS_RDF, NS_XML):
                fields[(ns, local)] = value
        for child in holder:
            ns, local = _split_tag(child.tag)
            if ns != NS_RDF:
                fields[(ns, local)] = child
    return fields


def _field_text(fields: dict, ns: str, local: str) -> str | None:
    value = fields.get((ns, local))
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return (value.text or "").strip() or None


def _parse_pdf_date(value: str) -> tuple[_dt.datetime, bool] | None:
    """D:YYYYMMDDHHmmSSOHH'mm' (ISO 32000-1 7.9.4) -> (datetime, has time zone)."""
    m = re.match(
        r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
        r"(?:([Zz+\-])'?(\d{2})?'?(\d{2})?'?)?$",
        value.strip(),
    )
    if not m:
        return None
    y, mo, d, h, mi, s = (
        int(g) if g else dflt for g, dflt in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0))
    )
    sign, tzh, tzm = m.group(7), m.group(8), m.group(9)
    tz = None
    if sign in ("Z", "z"):  # LibreOffice writes "Z'"; the offset digits after Z are ignored
        tz = _dt.timezone.utc
    elif sign in ("+", "-"):
        delta = _dt.timedelta(hours=int(tzh or 0), minutes=int(tzm or 0))
        tz = _dt.timezone(delta if sign == "+" else -delta)
    try:
        return _dt.datetime(y, mo, d, h, mi, s, tzinfo=tz), tz is not None
    except ValueError:
        return None


def _parse_xmp_date(value: str) -> tuple[_dt.datetime, bool] | None:
    """ISO 8601 as XMP writes it -> (datetime, has time zone)."""
    m = re.match(
        r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
        r"(Z|[+\-]\d{2}:\d{2})?)?)?)?$",
        value.strip(),
    )
    if not m:
        return None
    y, mo, d, h, mi, s = (
        int(g) if g else dflt for g, dflt in zip(m.groups()[:6], (0, 1, 1, 0, 0, 0))
    )
    zone = m.group(7)
    tz = None
    if zone == "Z":
        tz = _dt.timezone.utc
    elif zone:
        sign = 1 if zone[0] == "+" else -1
        tz = _dt.timezone(sign * _dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        return _dt.datetime(y, mo, d, h, mi, s, tzinfo=tz), tz is not None
    except ValueError:
        return None


def _same_instant(a: tuple[_dt.datetime, bool], b: tuple[_dt.datetime, bool]) -> bool:
    if a[1] and b[1]:
        return a[0] == b[0]
    return a[0].replace(tzinfo=None) == b[0].replace(tzinfo=None)


def _dicts_within(obj: Any, depth: int = 0) -> Iterator[Dictionary]:
    """The dictionaries in an indirect object, following direct objects only."""
    if depth > 50:
        return
    if isinstance(obj, Stream):
        yield from _dicts_within(obj.stream_dict, depth + 1)
        return
    if isinstance(obj, Dictionary):
        yield obj
        for k in obj.keys():
            v = obj.get(k)
            if isinstance(v, (Dictionary, Array)) and not v.is_indirect:
                yield from _dicts_within(v, depth + 1)
    elif isinstance(obj, Array):
        for v in obj:
            if isinstance(v, (Dictionary, Array)) and not v.is_indirect:
                yield from _dicts_within(v, depth + 1)


def _others(types: list[str], allowed: set[str]) -> str:
    bad = sorted({t for t in types if t not in allowed})
    return ", ".join(bad)


def _short_list(items: list[Any], limit: int = 12) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")


def _page_ranges(pages: list[int]) -> str:
    """0-based page indexes -> '1-3, 7' (1-based)."""
    out: list[str] = []
    for p in pages:
        n = p + 1
        if out and "-" not in out[-1].split(", ")[-1] and int(out[-1]) == n - 1:
            out[-1] = f"{n - 1}-{n}"
        elif out and "-" in out[-1] and int(out[-1].split("-")[1]) == n - 1:
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


# ----------------------------------------------------------------------------------------------
# Public API and CLI
# ----------------------------------------------------------------------------------------------


def check_pdf(path: str, expected_text: str | None = None, claim: str | None = None) -> CheckResult:
    """Check one PDF. `expected_text` (raw, normalised here) enables the reading-order check;
    `claim` ("2b", "2u", "2a") pins the PDF/A conformance level the XMP must declare."""
    checker = Checker(path, claim)
    result = checker.run(expected_text)
    result.problems.sort(key=lambda p: (list(RULES).index(p.rule), p.page or 0))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check a PDF against the machine-checkable rules of PDF/UA-1 and PDF/A-2 "
        "(rule ids: see the module docstring).",
    )
    parser.add_argument("pdf", help="the PDF file to check")
    parser.add_argument("--expect-text", metavar="FILE", help="UTF-8 file with the logical text")
    parser.add_argument(
        "--claim", choices=["2a", "2b", "2u"], help="PDF/A level the XMP must claim"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--all", action="store_true", help="print every problem line")
    parser.add_argument("--dump-text", metavar="FILE", help="write the structure-tree text here")
    args = parser.parse_args(argv)

    expected = None
    if args.expect_text:
        try:
            with open(args.expect_text, encoding="utf-8") as fh:
                expected = fh.read()
        except OSError as exc:
            print(f"check_pdf_ua: {exc}", file=sys.stderr)
            return 2
    try:
        result = check_pdf(args.pdf, expected, args.claim)
    except CheckerError as exc:
        print(f"check_pdf_ua: {exc}", file=sys.stderr)
        return 2
    if args.dump_text:
        with open(args.dump_text, "w", encoding="utf-8") as fh:
            fh.write(result.text + "\n")

    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        shown: dict[str, int] = {}
        for p in result.problems:
            shown[p.rule] = shown.get(p.rule, 0) + 1
            if args.all or shown[p.rule] <= 10:
                print(p.line())
        for rule, count in shown.items():
            if not args.all and count > 10:
                print(f"{rule}: … and {count - 10} more (--all shows them)")
        s = result.stats
        summary = (
            f"check_pdf_ua: {args.pdf}: {len(result.problems)} problem(s); {s['pages']} pages, "
            f"{s['struct_elements']} structure elements, {s['mcids_in_content']} MCIDs in content, "
            f"{s['mcids_in_tree']} in the tree, {s['artifact_sequences']} artifact sequences"
        )
        print(summary, file=sys.stderr)
        if s["replacement_chars"]:
            print(
                f"check_pdf_ua: note: {s['replacement_chars']} glyph(s) map to U+FFFD "
                "(placeholders for characters no font has)",
                file=sys.stderr,
            )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
