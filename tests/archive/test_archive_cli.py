"""``ipflow archive export CASE -o DIR`` through click's CliRunner, on the test database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support import fiks_arkiv
from tests.support.cases import closed_case
from tests.support.people import PER


def test_archive_export_writes_one_valid_folder_per_record(
        db: Database, staff: dict[str, Actor], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = closed_case(db, staff, PER, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(cli, ["archive", "export", str(case_id), "-o", str(tmp_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = fiks_arkiv.folders(tmp_path)
    assert f"{len(written)} arkivmeldinger for sak {case_id}" in result.output
    assert len(written) >= 2
    for folder in written.values():
        fiks_arkiv.valid((folder / "arkivmelding.xml").read_bytes())


def test_archive_export_of_an_unknown_case_fails_clearly(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(cli, ["archive", "export", "999999", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "sak 999999 finnes ikke" in result.output
