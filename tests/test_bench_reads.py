"""``ipflow bench reads`` once with tiny sizes, so the benchmark keeps working (its figures
are measured at 100,000 cases by hand: docs/benchmarks.md). It seeds a scratch database of
the test database's kind, never the test database itself."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner
from sqlalchemy.engine import make_url

from cli.main import cli

KEYS = {"inbox_p95_ms", "inbox_page_p95_ms", "case_p95_ms", "monitor_p95_ms",
        "db_bytes_per_case", "search_p95_ms", "seed_seconds", "cases"}


def test_bench_reads_seeds_copies_and_times_every_read() -> None:
    args = ["bench", "reads", "--cases", "12", "--sample", "3", "--requests", "2", "--json"]
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        test_db = make_url(url)
        args += ["--database-url", test_db.set(database=f"{test_db.database}_bench_reads")
                 .render_as_string(hide_password=False)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert set(figures) >= KEYS
    assert figures["cases"] == 12
    assert figures["db_bytes_by_table"]["case_"] > 0 and figures["db_bytes_per_case"] > 0
    assert all(figures[key] > 0 for key in KEYS if key.endswith("_ms"))
    assert "GET /api/v1/monitor/stuck" in result.output
