"""Fixtures for the monitor and worker tests: scenario flows, logged-in browsers, a clock.

The scenario driver is ``tests/support/flows.py``; the logged-in browsers (``web``,
``anonymous``) are the fixtures of ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.kernel import clock
from engine.kernel.db import Database
from tests.support import flows


@pytest.fixture()
def flow(api: Any, db: Database, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``flow(start=T0)``: a new scenario driver (a case through the API on a frozen clock)."""
    made: list[Any] = []

    def make(start: datetime = flows.T0) -> Any:
        driver = flows.Flow(api, db, tmp_path / "outbox", start)
        made.append(driver)
        return driver

    yield make
    for driver in reversed(made):
        driver.close()


@pytest.fixture()
def frozen() -> Iterator[Callable[[datetime], None]]:
    """``frozen(moment)``: the engine clock stands at ``moment`` until the test ends."""
    tokens: list[Any] = []

    def freeze(moment: datetime) -> None:
        while tokens:
            tokens.pop().__exit__(None, None, None)
        manager = clock.frozen_at(moment)
        manager.__enter__()
        tokens.append(manager)

    yield freeze
    while tokens:
        tokens.pop().__exit__(None, None, None)


def _broken_letters(_context: Any, _data: dict[str, Any]) -> None:
    raise RuntimeError("brevtjenesten svarer ikke")


@pytest.fixture()
def letters_down(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """``letters.decision`` raises (an incident at ``send_decision``); call to repair it."""
    from handlers import catalogue, registry

    original = catalogue.get_handler("letters.decision")
    monkeypatch.setitem(registry._handlers, "letters.decision", _broken_letters)
    return lambda: monkeypatch.setitem(registry._handlers, "letters.decision", original)


@pytest.fixture()
def pg(db: Database) -> Database:
    """The test database when it is PostgreSQL: these tests run ipflow as several processes
    (workers with row locks, a server killed and restarted), the scale path; on SQLite one
    worker and one server run (README), so they skip with that reason."""
    if not db.is_postgresql:
        pytest.skip("runs ipflow as several processes on PostgreSQL, the scale path — set "
                    "TEST_DATABASE_URL to a PostgreSQL database")
    return db
