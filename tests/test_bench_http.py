"""``ipflow bench http`` once with tiny sizes, so the command keeps working (docs/benchmarks.md).

It needs PostgreSQL (the server of ``TEST_DATABASE_URL``, where it creates and drops databases
of its own), so it runs in the PostgreSQL pass of the suite and says so in the SQLite pass.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from cli.main import cli


def test_bench_http_completes_tasks_over_http_without_errors(database_url: str) -> None:
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    scratch = url.set(database=f"{url.database}_bench_http").render_as_string(
        hide_password=False)
    result = CliRunner().invoke(cli, ["bench", "http", "--workers", "1", "--clients", "2",
                                      "--seconds", "2", "--database-url", scratch, "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["tasks_per_s"]["1"] > 0
    assert figures["errors"] == 0 and figures["conflicts"] == 0
    assert figures["scaling"] is None  # one worker count only: nothing to compare
    assert "HTTP: 2 klienter, 2 s per antall workere" in result.output
