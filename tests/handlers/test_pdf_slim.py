"""A letter's PDF without what nothing draws or reads (handlers.pdf_slim): the same text, the
same glyphs at the same codes, still PDF/A-2b by the checks an archive runs first, smaller."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from weasyprint import HTML

from handlers.pdf import pdf_a
from tests.support.pdfa import archival_problems

LETTER = """<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Avgjørelse</title>
<style>body { font-family: "DejaVu Sans"; font-size: 10.5pt; font-variant-ligatures: none; }
</style></head><body><h1>Avgjørelse om individuell plan</h1>
<p>Kari Nordmann får koordinator, jf. helse- og omsorgstjenesteloven § 7-3. Æ Ø Å æ ø å.</p>
<ul><li>Individuell plan og koordinator er gratis.</li><li>Klagefristen er 3 uker.</li></ul>
</body></html>"""


def _fonts(pdf: bytes) -> dict[str, tuple[list[int], bytes, Any, str]]:
    """Each CID font of the first page by its name (without the subset's tag): its CIDs
    (from W), its CIDToGIDMap (b"" for Identity), its font program and its text map."""
    found = {}
    for font in PdfReader(BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        cid_font = font["/DescendantFonts"][0].get_object()
        widths = cid_font["/W"]
        cids = [start + i for start, run in zip(widths[::2], widths[1::2], strict=True)
                for i in range(len(run))]
        to_gid = cid_font["/CIDToGIDMap"]
        mapping = b"" if to_gid == "/Identity" else to_gid.get_object().get_data()
        program = cid_font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        found[font["/BaseFont"].split("+")[-1]] = (
            cids, mapping, TTFont(BytesIO(program)),
            font["/ToUnicode"].get_object().get_data().decode())
    return found


def _glyph(font: Any, gid: int) -> tuple[Any, int]:
    """A glyph's outline (points, ends of contours, on-curve flags) and advance width."""
    name = font.getGlyphOrder()[gid]
    glyph = font["glyf"][name]
    coordinates, ends, flags = glyph.getCoordinates(font["glyf"])
    return (list(coordinates), list(ends), [f & 1 for f in flags]), font["hmtx"][name][0]


def test_a_slimmed_letter_draws_and_reads_as_weasyprints_own() -> None:
    slim = pdf_a(LETTER)
    whole = HTML(string=LETTER).write_pdf(pdf_variant="pdf/a-2b")
    assert archival_problems(slim) == []
    assert len(slim) < len(whole)
    assert (PdfReader(BytesIO(slim)).pages[0].extract_text()
            == PdfReader(BytesIO(whole)).pages[0].extract_text())
    assert "Avgjørelse om individuell plan" in PdfReader(BytesIO(slim)).pages[0].extract_text()
    fonts, whole_fonts = _fonts(slim), _fonts(whole)
    assert fonts.keys() == whole_fonts.keys() and len(fonts) == 2, "regular and bold (h1)"
    for name, (cids, mapping, font, text_map) in fonts.items():
        whole_cids, identity, whole_font, _ = whole_fonts[name]
        assert cids == whole_cids and identity == b""
        assert font["maxp"].numGlyphs < whole_font["maxp"].numGlyphs, "empty glyphs are gone"
        for cid in cids:
            gid = int.from_bytes(mapping[2 * cid:2 * cid + 2], "big")
            assert _glyph(font, gid) == _glyph(whole_font, cid), f"{name}, CID {cid}"
        assert "beginbfrange" in text_map


def test_text_runs_lose_only_their_zero_adjustments() -> None:
    page = PdfReader(BytesIO(pdf_a(LETTER))).pages[0]["/Contents"].get_object().get_data()
    assert b">0<" not in page
    assert b"] TJ" in page
