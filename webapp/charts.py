"""The monitor's charts as plain SVG, with the same numbers as an HTML table: pure functions.

Data in, markup out; no request, no database, no JavaScript and no charting library. Lines and
bars are labelled directly (no legend to look up), each chart names itself for screen readers
(``role="img"`` with a title and a description), and :func:`number_table` gives the numbers
the chart shows, month by month. Words go through the catalogue when a request chose a
language and are bokmål otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.formatting import days, decimal, month_label, month_short

# Okabe–Ito colours (distinguishable with colour blindness), each line also dashed its own way.
SERIES_STYLES = (("#0072B2", ""), ("#D55E00", "6 4"), ("#009E73", "2 3"))


@dataclass(frozen=True)
class Column:
    """One column of a chart's table: its heading, a text per month, and an optional note
    per month shown muted in brackets (``0,0 d (1 sak)``)."""

    name: str
    cells: Sequence[str]
    notes: Sequence[str] = ()


def _nice_max(value: float) -> float:
    """The axis top: 5, 10, 20, 50, 100, 200, 500, ... at least ``value``, so that five
    gridline steps are whole days."""
    top = 5.0
    for factor in itertools.cycle((2, 2, 2.5)):
        if top >= value:
            return top
        top *= factor
    raise AssertionError("unreachable")


def _month_ticks(months: Sequence[date], x: Callable[[int], float], y: float) -> list[str]:
    """Month names on the x axis, with the year under January and under the first month."""
    parts = []
    for i, month in enumerate(months):
        parts.append(f'<text x="{x(i):.1f}" y="{y:.0f}" text-anchor="middle">'
                     f'{escape(month_short(month))}</text>')
        if i == 0 or month.month == 1:
            parts.append(f'<text x="{x(i):.1f}" y="{y + 14:.0f}" text-anchor="middle" '
                         f'class="year">{month.year}</text>')
    return parts


def _spread(positions: list[float], gap: float, low: float, high: float) -> list[float]:
    """Move label positions apart by at least ``gap`` (kept in order, within low..high)."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [0.0] * len(positions)
    last = low - gap
    for i in order:
        placed[i] = max(positions[i], last + gap)
        last = placed[i]
    overflow = last - high
    if overflow > 0:
        for i in order:
            placed[i] -= overflow
    return placed


def _svg_open(width: float, height: float, title: str, chart_id: str) -> list[str]:
    """The chart's root element, named for screen readers, pointing to its table."""
    desc = _("Tallene står i tabellen under.")
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'class="chart" role="img" aria-labelledby="{chart_id}-title" '
            f'aria-describedby="{chart_id}-desc">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def line_chart(title: str, months: Sequence[date], series: Sequence[tuple[str, list[float | None]]],
               y_label: str, x_label: str, chart_id: str) -> Markup:
    """Lines of monthly values (days) with a y axis in days, each line named at its last point;
    a month without a value breaks the line."""
    width, height = 760, 310
    left, right, top, bottom = 60, 200, 16, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _n, values in series for v in values if v is not None),
                              default=0))
    step_x = plot_w / max(1, len(months) - 1)

    def x(i: int) -> float:
        return left + i * step_x

    def y(v: float) -> float:
        return top + plot_h - v / top_value * plot_h

    parts = _svg_open(width, height, title, chart_id)
    for k in range(6):
        tick = top_value * k / 5
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{decimal(tick)}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.0f})">{escape(y_label)}</text>')
    parts += _month_ticks(months, x, top + plot_h + 18)
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" text-anchor="middle">'
                 f'{escape(x_label)}</text>')
    no_data = _("ingen data")
    ends: list[tuple[float, str, str]] = []
    for (name, values), (colour, dash) in zip(series, SERIES_STYLES, strict=False):
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}">'
                         f'<title>{escape(name)}, {escape(month_label(months[i], True))}: '
                         f'{escape(days(value))}</title></circle>')
        if segment:
            segments.append(segment)
        for points in segments:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"{dash_attr}/>')
        last = [(i, v) for i, v in enumerate(values) if v is not None]
        label = f"{name}: {days(last[-1][1]) if last else no_data}"
        ends.append((y(last[-1][1]) if last else top + plot_h, label, colour))
    label_ys = _spread([end[0] for end in ends], 16, top + 6, top + plot_h)
    for (_y, label, colour), label_y in zip(ends, label_ys, strict=True):
        parts.append(f'<text x="{left + plot_w + 10}" y="{label_y + 4:.1f}" fill="{colour}" '
                     f'class="direct-label">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_rows(title: str, months: Sequence[date], rows: Sequence[tuple[str, list[int]]],
             chart_id: str) -> Markup:
    """Small multiples: one row of monthly bars per series, named at its left, each bar with
    its number on top (no legend to look up)."""
    width, row_h, left, right, top = 760, 92, 110, 20, 10
    height = top + row_h * len(rows) + 40
    plot_w = width - left - right
    slot = plot_w / max(1, len(months))
    highest = max((v for _n, values in rows for v in values), default=0) or 1
    parts = _svg_open(width, height, title, chart_id)
    for r, ((name, values), (colour, _dash)) in enumerate(zip(rows, SERIES_STYLES,
                                                              strict=False)):
        base = top + (r + 1) * row_h - 8
        parts.append(f'<text x="{left - 10}" y="{base - row_h / 2 + 10:.0f}" text-anchor="end" '
                     f'fill="{colour}" class="direct-label">{escape(name)}</text>')
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" '
                     f'class="axis"/>')
        for i, value in enumerate(values):
            bar_h = value / highest * (row_h - 30)
            bx = left + i * slot + slot * 0.15
            parts.append(f'<rect x="{bx:.1f}" y="{base - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{bar_h:.1f}" fill="{colour}"><title>{escape(name)}, '
                         f'{escape(month_label(months[i], True))}: {value}</title></rect>')
            parts.append(f'<text x="{bx + slot * 0.35:.1f}" y="{base - bar_h - 4:.1f}" '
                         f'text-anchor="middle">{value}</text>')
    parts += _month_ticks(months, lambda i: left + i * slot + slot / 2, height - 22)
    parts.append("</svg>")
    return Markup("".join(parts))


def _cell(column: Column, i: int) -> str:
    note = column.notes[i] if i < len(column.notes) else ""
    muted = f' <span class="muted">({escape(note)})</span>' if note else ""
    return f"<td>{escape(column.cells[i])}{muted}</td>"


def number_table(table_id: str, months: Sequence[date], columns: Sequence[Column]) -> Markup:
    """The chart's numbers as a table: a row per month (its long name heads the row), a column
    per series."""
    head = "".join(f'<th scope="col">{escape(c.name)}</th>' for c in columns)
    body = "".join(f'<tr><th scope="row">{escape(month_label(month, True))}</th>'
                   + "".join(_cell(c, i) for c in columns) + "</tr>"
                   for i, month in enumerate(months))
    month = _("Måned")
    return Markup(f'<table id="{escape(table_id)}"><thead><tr><th scope="col">'
                  f'{escape(month)}</th>{head}</tr></thead><tbody>{body}</tbody></table>')


# ---------------------------------------------------------------- where cases wait, as bars

CHAR_WIDTH = 7.0  # px of one character at the charts' 12 px font (a generous average)
LINE_HEIGHT = 15.0


@dataclass(frozen=True)
class Box:
    """Where a text sits in a chart (x, y of its top left corner, width, height), so a test
    can check that no two labels overlap without a browser."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


def wrap(text: str, width: float) -> list[str]:
    """``text`` in lines of at most ``width`` px (a word longer than that gets a line of its
    own, cut with an ellipsis)."""
    most = max(4, int(width // CHAR_WIDTH))
    lines: list[str] = []
    for word in text.split():
        word = word if len(word) <= most else word[:most - 1] + "…"
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class BarRow:
    """One step of :func:`step_bars`: its lines of name, its value and the boxes of both."""

    lines: tuple[str, ...]
    value_text: str
    top: float
    height: float
    bar_width: float
    label_box: Box
    value_box: Box


def bar_layout(rows: Sequence[tuple[str, float, str]], width: float = 760,
               label_width: float = 230) -> list[BarRow]:
    """Rows of (name, value, value text): each name wrapped into the label column, each row
    as tall as its name, so no label can reach into another's row or the bars."""
    gap, pad = 10.0, 6.0
    longest = max((len(text) for _n, _v, text in rows), default=0) * CHAR_WIDTH
    plot = max(40.0, width - label_width - gap - 6 - longest - 4)  # the numbers fit after
    highest = max((value for _n, value, _t in rows), default=0) or 1
    laid, top = [], 0.0
    for name, value, text in rows:
        lines = wrap(name, label_width)
        height = max(22.0, len(lines) * LINE_HEIGHT + pad)
        bar = value / highest * plot
        label = Box(label_width - max(len(line) for line in lines) * CHAR_WIDTH, top + pad / 2,
                    max(len(line) for line in lines) * CHAR_WIDTH, len(lines) * LINE_HEIGHT)
        value_box = Box(label_width + gap + bar + 6, top + (height - LINE_HEIGHT) / 2,
                        len(text) * CHAR_WIDTH, LINE_HEIGHT)
        laid.append(BarRow(tuple(lines), text, top, height, bar, label, value_box))
        top += height + 4
    return laid


def step_bars(title: str, rows: Sequence[tuple[str, float, str]], chart_id: str,
              width: float = 440, label_width: float = 150) -> Markup:
    """Horizontal bars, one per step: the step's name (wrapped) at the left, the bar, and its
    number after it. A layout in rows cannot put two labels on top of each other, however
    many steps there are and however long their names. Narrow by default: it stands in a
    column beside another table, and keeps its 12 px text readable there."""
    gap = 10.0  # as in bar_layout
    laid = bar_layout(rows, width, label_width)
    height = (laid[-1].top + laid[-1].height if laid else 0) + 4
    parts = _svg_open(width, height, title, chart_id)
    colour = SERIES_STYLES[0][0]
    for row, (name, _value, _text) in zip(laid, rows, strict=True):
        for k, line in enumerate(row.lines):
            line_y = row.label_box.y + 12 + k * LINE_HEIGHT
            parts.append(f'<text x="{label_width:.0f}" y="{line_y:.1f}" text-anchor="end">'
                         f'{escape(line)}</text>')
        parts.append(f'<rect x="{label_width + gap:.0f}" y="{row.top + 3:.1f}" '
                     f'width="{row.bar_width:.1f}" height="{row.height - 6:.1f}" fill="{colour}">'
                     f'<title>{escape(name)}: {escape(row.value_text)}</title></rect>')
        parts.append(f'<text x="{row.value_box.x:.1f}" y="{row.value_box.y + 12:.1f}">'
                     f'{escape(row.value_text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
