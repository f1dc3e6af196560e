"""Real-browser tests: the real app served on 127.0.0.1, driven by Debian's Chromium.

One server and one browser per test session; every test gets the emptied test database (the
``db`` fixture of ``tests/conftest.py``) and fresh browser contexts, so cookies never leak from
one test to the next. Chromium is required: when ``/usr/bin/chromium`` is missing the tests
fail (`make test` installs it with apt-get); Playwright's own browser download is never used.
The helpers below reach the tests through fixtures (``visitor``, ``server``).

They run in the SQLite pass of ``.ci/run`` only: what they prove is what a person sees and
does in the browser, while the same steps on PostgreSQL are proven by the page and API tests,
which run on both databases (and keep ``.ci/run`` under its 30 minutes).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    WebError,
    expect,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from engine.demo import PASSWORD
from engine.kernel.db import Database
from webapp import create_app, limiter

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}


# ---------------------------------------------------------------- the server


@dataclass
class LiveServer:
    """The app on a free port of 127.0.0.1, in a background thread."""

    app: Flask
    db: Database
    server: BaseWSGIServer
    errors: list[BaseException] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url(self, path: str) -> str:
        return self.origin + path


@pytest.fixture(autouse=True)
def on_sqlite_only(database_url: str) -> None:
    if database_url.startswith("postgresql"):
        pytest.skip("browser tests run in the SQLite pass; on PostgreSQL the page and API "
                    "tests prove the same steps")


@pytest.fixture(scope="session")
def live_server(migrated: Database) -> Iterator[LiveServer]:
    app = create_app(migrated.url, {"SECRET_KEY": "browser-tests", "RATELIMIT_ENABLED": False})
    app.extensions["ipflow_db"].dispose()  # never used: the test database object serves
    app.extensions["ipflow_db"] = migrated
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(app=app, db=migrated, server=server)

    def record(_sender: Flask, exception: BaseException, **_extra: Any) -> None:
        live.errors.append(exception)

    got_request_exception.connect(record, app)
    thread = threading.Thread(target=server.serve_forever, name="ipflow-live-server",
                              daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record, app)


@pytest.fixture()
def server(live_server: LiveServer, db: Database) -> Iterator[LiveServer]:
    """The live server on the emptied test database; no request may end in an exception.

    The limiter is shared by every app in the process: other tests' apps may have switched
    it on, so it is switched off for the duration of each browser test and put back after.
    """
    enabled = limiter.enabled
    limiter.enabled = False
    live_server.errors.clear()
    try:
        yield live_server
    finally:
        limiter.enabled = enabled
    errors = list(live_server.errors)
    live_server.errors.clear()
    assert not errors, f"the server raised while handling a request: {errors!r}"


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; ``launch`` gives it a fresh temporary profile."""
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM}, and it is missing. "
                    "Install it with `make test` or `apt-get install chromium`; the tests are "
                    "never skipped and Playwright's own browser download is not used.",
                    pytrace=False)
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Watch:
    """What a browser context did: every request, console errors and uncaught page errors."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign(self, origin: str) -> list[str]:
        return [url for url in self.requests if not url.startswith(origin + "/")]


class Visitor:
    """One person at one browser tab, doing what a person does: labels, buttons, links."""

    def __init__(self, page: Page, server: LiveServer, watch: Watch) -> None:
        self.page = page
        self.server = server
        self.watch = watch

    # -- navigation
    def go(self, path: str, status: int = 200) -> Response:
        response = self.page.goto(self.server.url(path))
        assert response is not None, path
        assert response.status == status, (path, response.status, self.page.content()[:800])
        return response

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        expect(self.page.get_by_role("heading", name="Logg inn")).to_be_visible()
        self.page.get_by_label("Brukernavn").fill(username)
        self.page.get_by_label("Passord").fill(password)
        self.page.get_by_role("button", name="Logg inn").click()
        expect(self.page.get_by_role("button", name="Logg ut")).to_be_visible()

    def logout(self) -> None:
        self.page.get_by_role("button", name="Logg ut").click()
        expect(self.page.get_by_role("heading", name="Logg inn")).to_be_visible()
        expect(self.page.get_by_role("button", name="Logg ut")).to_have_count(0)

    # -- finding things by what they are called on the page
    @staticmethod
    def named(text: str) -> re.Pattern[str]:
        """The exact name, with or without the "(må fylles ut)" mark of required fields."""
        return re.compile(rf"^{re.escape(text)}(?: \(må fylles ut\))?$")

    def field(self, label: str, within: Locator | None = None) -> Locator:
        return (within or self.page).get_by_label(self.named(label))

    def group(self, name: str, within: Locator | None = None) -> Locator:
        """A fieldset by its legend: a yes/no question, checkboxes, or one row of a table."""
        return (within or self.page).get_by_role("group", name=self.named(name))

    def answer(self, question: str, choice: str, within: Locator | None = None) -> None:
        self.group(question, within).get_by_label(choice, exact=True).check()

    @staticmethod
    def action(verb: str, what: str) -> re.Pattern[str]:
        """``Åpne: Evaluer planen – Kari`` where ": ..." is visually hidden text.

        The hidden part is a block box, so the accessible name may read "Åpne : ...".
        """
        return re.compile(rf"^{re.escape(verb)}\s*:\s*{re.escape(what)}$")

    def button(self, name: str, what: str | None = None) -> Locator:
        if what is not None:
            return self.page.get_by_role("button", name=self.action(name, what))
        return self.page.get_by_role("button", name=name, exact=True)

    def flash(self, text: str) -> Locator:
        return self.page.locator("p.flash").filter(has_text=text)

    # -- the case page
    def case_tab(self, name: str) -> Locator:
        """Open a part of the case page by its tab; the part (tab panel) it shows."""
        tab = self.page.get_by_role("tab", name=re.compile(rf"^{re.escape(name)}( \(\d+\))?$"))
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        panel = self.page.get_by_role("tabpanel", name=tab.inner_text())
        expect(panel).to_be_visible()
        return panel

    # -- the inbox and tasks
    def inbox_tab(self, tab: str) -> None:
        """``Mine oppgaver`` or ``Gruppens oppgaver`` from the main menu's inbox."""
        self.page.get_by_role("navigation", name="Hovedmeny").get_by_role(
            "link", name="Oppgaver", exact=True).click()
        self.page.get_by_role("link", name=re.compile(rf"^{re.escape(tab)} \(\d+\)$")).click()
        expect(self.page.get_by_role("link", name=re.compile(rf"^{re.escape(tab)}"))
               ).to_have_attribute("aria-current", "page")

    def open_task(self, step: str, citizen: str, tab: str = "Mine oppgaver") -> None:
        self.inbox_tab(tab)
        self.page.get_by_role("link", name=self.action("Åpne", f"{step} – {citizen}")).click()
        expect(self.page.get_by_text(f"Steg: {step}")).to_be_visible()

    def complete(self, done: str = "Oppgaven er fullført.") -> None:
        """Take the task first when nobody holds it (the button keeps what was typed)."""
        take = self.page.locator("#take-task")
        if take.count():
            take.click()
            expect(self.page.locator("#release-task")).to_be_visible()
        self.button("Fullfør oppgaven").click()
        expect(self.flash(done)).to_be_visible()

    # -- evidence
    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture()
def visitor(browser: Browser, server: LiveServer) -> Iterator[Callable[..., Visitor]]:
    """``visitor()``: a new browser context and tab (own cookies); options go to the context.

    After the test: no request may have left the server's origin, and no page may have had an
    uncaught JavaScript error.
    """
    contexts: list[tuple[BrowserContext, Watch]] = []

    def new(**options: Any) -> Visitor:
        settings: dict[str, Any] = {"viewport": DESKTOP, "locale": "nb-NO",
                                    "timezone_id": "Europe/Oslo"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        watch = Watch()

        def on_request(request: Request) -> None:
            watch.requests.append(request.url)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                watch.console_errors.append(f"{message.text} ({message.location})")

        def on_page_error(error: WebError) -> None:
            watch.page_errors.append(str(error.error))

        context.on("request", on_request)
        context.on("console", on_console)
        context.on("weberror", on_page_error)
        contexts.append((context, watch))
        return Visitor(context.new_page(), server, watch)

    yield new
    problems = []
    for context, watch in contexts:
        context.close()
        if watch.foreign(server.origin):
            problems.append(f"requests left {server.origin}: {watch.foreign(server.origin)}")
        if watch.page_errors:
            problems.append(f"JavaScript errors: {watch.page_errors}")
    assert not problems, problems
