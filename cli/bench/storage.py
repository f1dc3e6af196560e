"""``ipflow bench storage``: bytes stored per closed case, table by table, on SQLite."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from cli.bench import storage_run
from cli.bench.group import bench
from cli.bench.report import progress, show

TARGET_BYTES = 30 * 1024


@bench.command(name="storage")
@click.option("--cases", default=10, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="End with one line of JSON.")
def storage(cases: int, as_json: bool) -> None:
    """Drive CASES cases from report to their end in a fresh SQLite file; print what each
    table holds per case (target: at most 30 KB per case in all)."""
    with tempfile.TemporaryDirectory() as folder:
        db = storage_run.fresh_database(Path(folder) / "storage.sqlite")
        with progress("Saker", cases) as advance:
            result = storage_run.measure(db, cases, advance)
        db.dispose()
    rows = [(table, round(size), f"{size / 1024:.1f}")
            for table, size in result.bytes_per_case.items()]
    rows.append(("i alt", round(result.total), f"{result.total / 1024:.1f}"))
    show(f"Lagret per avsluttet sak ({cases} saker, SQLite)", ["tabell", "byte", "KB"], rows,
         {"cases": cases, "bytes_per_case": round(result.total),
          "target_bytes": TARGET_BYTES,
          "tables": {table: round(size) for table, size in result.bytes_per_case.items()}},
         as_json)
