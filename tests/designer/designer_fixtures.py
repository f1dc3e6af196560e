"""Fixtures for the designer's tests; each test module does ``from designer_fixtures import *``.

There is deliberately no ``conftest.py`` here: other test modules import helpers with
``from conftest import Api``, which finds whichever ``conftest`` module was loaded last.
``tests/web/conftest.py`` is loaded under another module name so its browser fixtures (``web``,
``anonymous``, ``make_app``, ``staff``) serve these tests too.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from engine.db import Database
from engine.users import Actor, get_actor

_WEB = Path(__file__).resolve().parents[1] / "web" / "conftest.py"
_spec = importlib.util.spec_from_file_location("ipflow_web_fixtures", _WEB)
assert _spec is not None and _spec.loader is not None
web_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(web_fixtures)

__all__ = ["anonymous", "designer", "make_app", "staff", "web", "web_app"]

make_app = web_fixtures.make_app
web_app = web_fixtures.web_app
web = web_fixtures.web
anonymous = web_fixtures.anonymous
staff = web_fixtures.staff

@pytest.fixture()
def designer(db: Database) -> Actor:
    return get_actor(db, "designer")
