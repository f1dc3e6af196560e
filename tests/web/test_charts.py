"""The monitor's charts as pure functions: data in, SVG (and the table of its numbers) out.

No app and no request: outside a request the words are bokmål. The markup is parsed as XML,
so each test reads the drawn elements rather than matching text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from webapp import charts
from webapp.charts import Column, bar_rows, line_chart, number_table

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def svg(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_a_chart_names_itself_for_screen_readers_and_points_to_its_table() -> None:
    root = svg(bar_rows("Saker per måned", MONTHS, [("Åpnet", [1, 2, 3])], "chart-flow"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-flow-title"
    assert root.get("aria-describedby") == "chart-flow-desc"
    assert root.find(f"{SVG}title").text == "Saker per måned"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Tallene står i tabellen under."  # type: ignore[union-attr]


def test_bar_rows_draw_one_bar_per_month_per_series_with_its_number_on_top() -> None:
    opened, closed = [2, 0, 4], [1, 1, 0]
    root = svg(bar_rows("Flyt", MONTHS, [("Åpnet", opened), ("Avsluttet", closed)], "c"))
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 6
    heights = [float(bar.get("height", "")) for bar in bars]
    # heights follow the values: the highest value (4) is the tallest bar, 0 has no height
    assert heights[2] == max(heights) and heights[1] == 0.0 == heights[5]
    assert heights[0] == heights[2] / 2
    assert [bar.find(f"{SVG}title").text for bar in bars[:1]] == [  # type: ignore[union-attr]
        "Åpnet, november 2025: 2"]
    words = texts(root)
    assert "Åpnet" in words and "Avsluttet" in words  # each row named at its left
    assert [w for w in words if w.isdigit() and len(w) == 1] == ["2", "0", "4", "1", "1", "0"]
    assert words.count("2026") == 1 and words.count("2025") == 1  # year under first and January


def test_line_chart_breaks_a_line_at_a_missing_month_and_names_it_at_its_end() -> None:
    root = svg(line_chart("Ledetid", MONTHS, [("Til avgjørelse", [3.0, None, 12.0]),
                                              ("Til koordinator", [None, None, None])],
                          "Dager (median)", "Måned steget ble nådd", "chart-lead"))
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2  # one series, broken in two by the month without a value
    assert all(len(line.get("points", "").split()) == 1 for line in lines)
    assert len(root.findall(f"{SVG}circle")) == 2
    words = texts(root)
    assert "Til avgjørelse: 12 d" in words
    assert "Til koordinator: ingen data" in words
    assert "Dager (median)" in words and "Måned steget ble nådd" in words
    # the y axis goes to a round top above the highest value, in five steps
    assert [w for w in words if w in ("0", "4", "8", "12", "16", "20")] == [
        "0", "4", "8", "12", "16", "20"]


def test_line_chart_shows_days_below_ten_with_a_decimal_comma() -> None:
    root = svg(line_chart("L", MONTHS[:1], [("Til oppstartsmøte", [2.5])], "y", "x", "c"))
    assert "Til oppstartsmøte: 2,5 d" in texts(root)


def test_number_table_has_a_row_per_month_and_a_column_per_series() -> None:
    table = ET.fromstring(str(number_table("lead-table", MONTHS, [
        Column("Til avgjørelse", ["3,0 d", "–", "12 d"], ["1 sak", "", "2 saker"]),
        Column("Åpnet", ["2", "0", "4"])])))
    assert table.get("id") == "lead-table"
    head = [th.text for th in table.iter("th") if th.get("scope") == "col"]
    assert head == ["Måned", "Til avgjørelse", "Åpnet"]
    rows = table.findall("tbody/tr")
    assert [row.find("th").text for row in rows] == [  # type: ignore[union-attr]
        "november 2025", "desember 2025", "januar 2026"]
    first = ["".join(td.itertext()) for td in rows[0].findall("td")]
    assert first == ["3,0 d (1 sak)", "2"]
    assert rows[0].find("td/span").get("class") == "muted"  # type: ignore[union-attr]
    assert rows[1].find("td/span") is None  # no note, no brackets


def test_number_table_escapes_names() -> None:
    markup = str(number_table("t", MONTHS[:1], [Column("<b>Åpnet</b>", ["1"])]))
    assert "<b>" not in markup and "&lt;b&gt;Åpnet&lt;/b&gt;" in markup


def test_step_bar_labels_never_overlap() -> None:
    """Many steps with long names: every label and number box stays clear of every other."""
    names = ["Vurder og avgjør meldingen om behov for individuell plan og koordinator",
             "Oppnevn koordinator", "Kall inn til oppstartsmøte", "Et", "Registrer samtykke "
             "til individuell plan og til deling av opplysninger med hver deltaker"] * 4
    rows = [(name, float(i % 7), f"{i % 7} saker · median 12 d")
            for i, name in enumerate(names)]
    laid = charts.bar_layout(rows)
    boxes = [box for row in laid for box in (row.label_box, row.value_box)]
    for i, box in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert not box.overlaps(other), (box, other)
    for row in laid:
        assert row.label_box.x >= 0 and row.label_box.x + row.label_box.width <= 230
        assert row.value_box.x + row.value_box.width <= 760
        assert len(row.lines) > 1 or len(row.lines[0]) * charts.CHAR_WIDTH <= 230
    markup = str(charts.step_bars("Saker per steg", rows, "chart-steps"))
    assert markup.count("<rect") == len(rows) and "Oppnevn koordinator" in markup
    narrow = charts.bar_layout(rows, 440, 150)  # as the monitor draws it
    boxes = [box for row in narrow for box in (row.label_box, row.value_box)]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(row.value_box.x + row.value_box.width <= 440 for row in narrow)


def test_wrap_keeps_words_and_cuts_only_what_cannot_fit() -> None:
    assert charts.wrap("Vurder og avgjør meldingen", 70) == ["Vurder og", "avgjør", "meldingen"]
    assert charts.wrap("Aaaaaaaaaaaaaaaaaaaa", 42) == ["Aaaaa…"]
