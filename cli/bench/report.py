"""How every benchmark reports: a table for people, then one line of JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table


def show(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
         figures: dict[str, Any], as_json: bool) -> None:
    """Print ``rows`` under ``columns``; with ``as_json`` end with ``figures`` as one JSON line
    (the keys docs/benchmarks.md names), so a script reads the last line only."""
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    Console().print(table)
    if as_json:
        print(json.dumps(figures, sort_keys=True))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


@contextmanager
def progress(label: str, total: int) -> Iterator[Any]:
    """A progress bar on standard error (seeding can take minutes); yields ``advance(n)``."""
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda steps=1: bar.advance(task, steps)
