"""Fixtures for the page tests: the frozen clock the pages and the engine agree on, and the cast
of the case pages. The people who log in (``web``, ``anonymous``, ``staff``) come from
``tests/conftest.py``; the page readers from ``tests/support/pages.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A translations directory with ``en/LC_MESSAGES/messages.mo`` built from the .po now,
    so page tests read the catalogue as it is, never a stale ``.mo`` of ``make install``."""
    directory = tmp_path_factory.mktemp("translations")
    target = directory / "en" / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True)
    source = Path(__file__).resolve().parents[2] / "webapp/translations/en/LC_MESSAGES/messages.po"
    with source.open("rb") as po, target.open("wb") as file:
        write_mo(file, read_po(po, abort_invalid=True))
    return directory
