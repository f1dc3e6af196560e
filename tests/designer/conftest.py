"""Fixtures for the designer's tests: the designer (page fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from engine.kernel.db import Database
from engine.runtime.users import Actor, get_actor


@pytest.fixture()
def designer(db: Database) -> Actor:
    return get_actor(db, "designer")
