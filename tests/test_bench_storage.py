"""``ipflow bench storage`` once with one case, so the command keeps working
(docs/benchmarks.md): the case reaches its end and its letters are stored once."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import cli


def test_bench_storage_counts_the_bytes_of_a_closed_case() -> None:
    result = CliRunner().invoke(cli, ["bench", "storage", "--cases", "1", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    tables = figures["tables"]
    assert figures["cases"] == 1 and figures["bytes_per_case"] == sum(tables.values())
    assert tables["document"] > tables["outbox"], "the letters' text is in the document only"
    assert {"case_", "event", "attachment", "kpr_record"} <= set(tables)
