"""Logging in and out through OpenID Connect in Chromium, against a real provider on 127.0.0.1
(``tests/support/oidc.py``): a citizen through the "ID-porten" button lands on their cases,
an employee through the staff button on the inbox, and logging out ends the session at ipflow
and at the provider (RP-initiated logout), whose page the logout form's redirect reaches under
ipflow's Content-Security-Policy.

These tests have an ipflow of their own (the shared live server has no provider configured),
whose address the provider must know before the app knows the provider's.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from engine.demo import report
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.oidc import LocalProvider, running_provider
from tests.support.people import KARI
from webapp import create_app

TIMEOUT_MS = 10_000


@dataclass
class Site:
    origin: str
    provider: LocalProvider
    app: Flask


@pytest.fixture(scope="module")
def site(migrated: Database, database_url: str) -> Iterator[Site]:
    if database_url.startswith("postgresql"):
        pytest.skip("browser tests run in the SQLite pass")
    apps: list[Flask] = []

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return apps[0](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    with running_provider(origin) as provider:
        app = create_app(migrated.url, {"SECRET_KEY": "oidc-browser-tests",
                                        "RATELIMIT_ENABLED": False,
                                        "OIDC_PROVIDERS": provider.providers()})
        app.extensions["ipflow_db"].dispose()
        app.extensions["ipflow_db"] = migrated
        apps.append(app)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(origin, provider, app)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()


@pytest.fixture()
def tab(browser: Browser, site: Site, db: Database) -> Iterator[tuple[Page, list[str]]]:
    """A fresh browser context's tab and the addresses it asked for; the provider's pages'
    web fonts (an @import of an outside site) are refused rather than fetched."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  locale="nb-NO")
    context.set_default_timeout(TIMEOUT_MS)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    context.route(re.compile(r"^https://fonts\."), lambda route: route.abort())
    yield context.new_page(), requested
    context.close()


def _sign_in_at_provider(page: Page, login: str) -> None:
    """The provider's development login page (any password), then its consent page."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def _log_out_everywhere(page: Page, site: Site, requested: list[str]) -> None:
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("heading", name="Logg ut hos testleverandøren")).to_be_visible()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    assert page.url.startswith(f"{site.origin}/login")
    assert any(url.startswith(f"{site.provider.issuer}/session/end") for url in requested)
    page.goto(f"{site.origin}/mine")
    expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()  # the session is gone


def test_a_citizen_logs_in_with_id_porten_sees_her_case_and_logs_out(
        tab: tuple[Page, list[str]], site: Site, db: Database, staff: dict[str, Actor]) -> None:
    case_id = report(db, staff["systemkoordinator"], KARI)
    page, requested = tab
    page.goto(f"{site.origin}/login")
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    assert page.url.startswith(site.provider.issuer)
    _sign_in_at_provider(page, KARI)
    expect(page.get_by_role("heading", name="Mine saker")).to_be_visible()
    expect(page.get_by_role("link", name=f"Sak {case_id}: individuell plan og koordinator")
           ).to_be_visible()
    _log_out_everywhere(page, site, requested)


def test_an_employee_logs_in_through_the_staff_provider_lands_on_the_inbox_and_logs_out(
        tab: tuple[Page, list[str]], site: Site) -> None:
    page, requested = tab
    page.goto(f"{site.origin}/login")
    page.get_by_role("link", name="Logg inn for ansatte").click()
    _sign_in_at_provider(page, "koordinator")
    expect(page.get_by_role("heading", name="Oppgaver")).to_be_visible()
    assert page.url.startswith(f"{site.origin}/inbox")
    _log_out_everywhere(page, site, requested)
