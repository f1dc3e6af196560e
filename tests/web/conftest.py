"""Fixtures for the page tests: the frozen clock the pages and the engine agree on, and the cast
of the case pages. The people who log in (``web``, ``anonymous``, ``staff``) come from
``tests/conftest.py``; the page readers from ``tests/support/pages.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.kernel import clock
from engine.kernel.db import Database
from tests.support.cast import Cast, set_up_cast
from tests.support.clock import T0


@pytest.fixture()
def frozen() -> Iterator[datetime]:
    """The engine clock and the pages agree on "now": Monday 2 March 2026, 10:00 in Norway."""
    with clock.frozen_at(T0) as now:
        yield now


@pytest.fixture()
def cast(db: Database, web: Callable[[str], Any], frozen: datetime) -> Cast:
    def users_client(username: str) -> FlaskClient:
        return web(username).client

    return set_up_cast(db, users_client)
