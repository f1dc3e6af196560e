"""Fixtures for the API tests: a scenario driver for one case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.flows import Flow


@pytest.fixture()
def flow(api: Api, db: Database, tmp_path: Path) -> Iterator[Flow]:
    """One case driven through the API on a frozen clock that starts at ``T0``."""
    flow = Flow(api, db, tmp_path / "outbox")
    yield flow
    flow.close()
