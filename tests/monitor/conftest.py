"""Fixtures for the monitor and worker tests: scenario flows, logged-in browsers, a clock.

Reuses the scenario driver of ``tests/api/flows.py`` and the CSRF-honouring browser of
``tests/web/conftest.py``. Both are loaded by file path under names of their own: which module
the bare name ``conftest`` means depends on which test folder pytest collected last.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from engine import clock
from engine.db import Database

TESTS = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_root = _load("ipflow_tests_root_conftest", TESTS / "conftest.py")
Api = _root.Api
# flows.py does ``from conftest import Api``: let ``conftest`` be the root one while it loads.
_current = sys.modules.get("conftest")
sys.modules["conftest"] = _root
try:
    flows = _load("ipflow_tests_flows", TESTS / "api" / "flows.py")
finally:
    if _current is not None:
        sys.modules["conftest"] = _current
    else:
        del sys.modules["conftest"]
_web = _load("ipflow_tests_web_conftest", TESTS / "web" / "conftest.py")
Browser = _web.Browser
Page = _web.Page

# The browser fixtures of tests/web, for the monitor's pages.
make_app = _web.make_app
web_app = _web.web_app
web = _web.web
anonymous = _web.anonymous


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
    from handlers import registry

    registry.load_all()
    original = registry.get_handler("letters.decision")
    monkeypatch.setitem(registry._handlers, "letters.decision", _broken_letters)
    return lambda: monkeypatch.setitem(registry._handlers, "letters.decision", original)
