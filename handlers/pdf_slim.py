"""What WeasyPrint writes into a letter's PDF that nothing draws or reads, taken out before
the file is written (WeasyPrint's ``finisher``; issue 12's 30 KB a case).

A letter's PDF/A was 11.1 KB on average (the 36 letters of ``bench reads``' sample cases) and
is 10.0 KB: on SQLite most now take two 4 KB overflow pages and half a leaf page instead of
three pages, on PostgreSQL 1.1 KB less TOAST. The pages look the same and their text reads
the same (tests/handlers/test_pdf_slim.py compares the text pypdf reads and every glyph
drawn, outline and width, with WeasyPrint's own PDF of the same page). What goes:

- zero adjustments between the glyphs of a text run (``[<0036>0<0044>]`` is
  ``[<00360044>]``; WeasyPrint writes one whenever Pango's was a fraction of a unit);
- the glyphs WeasyPrint keeps empty so that a glyph keeps its id: the one bullet (U+2022, id
  2821 in DejaVu) made the font carry 2,822 glyphs' widths and offsets. The glyphs drawn
  are numbered from 0 and a CIDToGIDMap leads the pages' codes to them;
- font tables a PDF reader does not use (below);
- the text map (ToUnicode) one line per glyph in drawing order, written as ranges;
- the document information dictionary, which repeats the XMP metadata PDF/A reads, unused
  Lab colour spaces, and TrimBox and BleedBox where they equal the page (their default).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pydyf
from fontTools import subset
from fontTools.ttLib import TTFont

# A 0 between two glyph strings of a TJ array moves nothing: ``[<0036>0<0044>]`` draws as
# ``[<00360044>]`` (WeasyPrint writes the adjustment whenever Pango's was a fraction).
ZERO_ADJUSTMENT = re.compile(rb">0<")
CMAP_CHAR = re.compile(rb"<([0-9a-f]{4})> <([0-9a-f]+)>")
# Tables a PDF reader does not use: laying out text (mathematics, glyph classes for GSUB and
# GPOS, which WeasyPrint drops already), the font's names and PostScript glyph names, and
# hinting's grid-fitting hints. A font embedded as a CIDFontType2 needs head, hhea, loca,
# maxp, glyf and hmtx (ISO 32000-1, 9.9); cmap and OS/2 are kept for viewers that look.
UNUSED_TABLES = ("MATH", "GDEF", "name", "post", "gasp")


def slimmed(_document: Any, pdf: pydyf.PDF) -> None:
    """WeasyPrint's finisher: ``pdf``'s text runs and embedded fonts without what draws
    nothing (see the module's docstring)."""
    pdf.info.clear()  # the XMP metadata, which PDF/A reads, says the same
    drawn = b"\n".join(part for item in pdf.objects if isinstance(item, pydyf.Stream)
                        and "Length1" not in item.extra for part in item.stream
                        if isinstance(part, bytes))
    for item in list(pdf.objects):
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/Page":
            for box in ("TrimBox", "BleedBox"):  # as the page (MediaBox), their default
                if box in item and item[box].data == item["MediaBox"].data:
                    del item[box]
        elif isinstance(item, pydyf.Dictionary) and "lab-d50" in item:  # the colour spaces
            for name in ("lab-d50", "lab-d65"):
                if b"/" + name.encode() not in drawn:
                    del item[name]
        if isinstance(item, pydyf.Dictionary) and "ToUnicode" in item:
            _in_ranges(pdf.objects[_number(item["ToUnicode"])])
        elif isinstance(item, pydyf.Stream) and "Length1" not in item.extra:
            item.stream = [ZERO_ADJUSTMENT.sub(b"", part) if isinstance(part, bytes)
                           and part.endswith(b"] TJ") else part for part in item.stream]
    by_program: dict[int, list[pydyf.Dictionary]] = {}
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and item.get("Subtype") == "/CIDFontType2":
            descriptor = pdf.objects[_number(item["FontDescriptor"])]
            by_program.setdefault(_number(descriptor["FontFile2"]), []).append(item)
    for number, cid_fonts in by_program.items():
        _compact_glyphs(pdf, pdf.objects[number], cid_fonts)


def _compact_glyphs(pdf: pydyf.PDF, program: pydyf.Stream,
                    cid_fonts: list[pydyf.Dictionary]) -> None:
    """The font ``program`` with only the glyphs its ``cid_fonts`` draw, numbered from 0, and
    for each a CIDToGIDMap from the CIDs the pages use (WeasyPrint's, the font's own glyph
    ids) to them.

    WeasyPrint keeps a glyph's id when it subsets a font, so one glyph far down DejaVu (the
    list bullet, id 2821) makes the program carry the widths and offsets of 2,822 glyphs.
    The pages, the widths (W) and the text map (ToUnicode) speak of CIDs and are unchanged."""
    cids = sorted({cid for cid_font in cid_fonts for cid in _cids(cid_font["W"])})
    font = TTFont(io.BytesIO(program.stream[0]), recalcBBoxes=False, recalcTimestamp=False)
    old_order = font.getGlyphOrder()
    options = subset.Options(retain_gids=False, hinting=False, notdef_outline=True,
                             glyph_names=False, layout_features=[], name_IDs=[])
    options.drop_tables += list(UNUSED_TABLES)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=cids)
    subsetter.subset(font)
    new_gid = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    mapping = bytearray(2 * (max(cids) + 1))
    for cid in cids:
        mapping[2 * cid:2 * cid + 2] = new_gid[old_order[cid]].to_bytes(2, "big")
    out = io.BytesIO()
    font.save(out)
    program.stream, program.extra["Length1"] = [out.getvalue()], len(out.getvalue())
    cid_to_gid = pydyf.Stream([bytes(mapping)], compress=True)
    pdf.add_object(cid_to_gid)
    for cid_font in cid_fonts:
        cid_font["CIDToGIDMap"] = cid_to_gid.reference


def _in_ranges(to_unicode: pydyf.Stream) -> None:
    """A font's text map (which character each CID is) in ranges of consecutive CIDs and
    characters, as ``beginbfrange`` allows, instead of one line per CID in drawing order:
    DejaVu numbers a–z, A–Z and 0–9 in the alphabet's order. The same map, a third of it."""
    pairs = sorted((int(m[1], 16), m[2]) for part in to_unicode.stream
                   if isinstance(part, bytes) and (m := CMAP_CHAR.fullmatch(part)))
    head = to_unicode.stream[:to_unicode.stream.index(b"endcodespacerange") + 1]
    tail = to_unicode.stream[to_unicode.stream.index(b"endcmap"):]
    ranges: list[list[tuple[int, bytes]]] = []
    for cid, text in pairs:
        run = ranges[-1] if ranges else None
        if (run and len(text) == 4 and len(run[-1][1]) == 4 and cid == run[-1][0] + 1
                and cid >> 8 == run[0][0] >> 8 and int(text, 16) == int(run[-1][1], 16) + 1
                and int(text, 16) >> 8 == int(run[0][1], 16) >> 8):
            run.append((cid, text))
        else:
            ranges.append([(cid, text)])
    body: list[bytes] = []
    for kind, lines in (("bfrange", [b"<%04x> <%04x> <%s>" % (r[0][0], r[-1][0], r[0][1])
                                     for r in ranges if len(r) > 1]),
                        ("bfchar", [b"<%04x> <%s>" % r[0] for r in ranges if len(r) == 1])):
        for start in range(0, len(lines), 100):
            block = lines[start:start + 100]
            body += [f"{len(block)} begin{kind}".encode(), *block, f"end{kind}".encode()]
    to_unicode.stream = [*head, *body, *tail]


def _number(reference: bytes | str) -> int:
    """The object number of a reference as pydyf writes it (``b"17 0 R"``)."""
    return int(reference.split()[0])


def _cids(widths: list[Any]) -> list[int]:
    """The CIDs a W array gives widths for (``[3 [318] 11 [390 390]]``: 3, 11 and 12)."""
    return [start + i for start, run in zip(widths[::2], widths[1::2], strict=True)
            for i in range(len(run))]
