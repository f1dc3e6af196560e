"""Fixtures for the designer's tests: the designer, and the page fixtures of tests/web."""

from __future__ import annotations

import pytest

from engine.kernel.db import Database
from engine.runtime.users import Actor, get_actor
from tests.web.conftest import anonymous, make_app, staff, web, web_app

__all__ = ["anonymous", "designer", "make_app", "staff", "web", "web_app"]


@pytest.fixture()
def designer(db: Database) -> Actor:
    return get_actor(db, "designer")
