"""Every redirect that follows a user-given target stays on this site: the login's ``next``, the
language switch (before login too) and the row actions' ``next``, tried with known bypasses."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from werkzeug.test import TestResponse

from tests.support.pages import Browser
from webapp.redirects import local_path

Web = Callable[[str], Browser]

# Open-redirect payloads as they arrive in a query string or form (already URL-decoded once).
BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\t/evil.example",
    "/\n/evil.example", "/\r/evil.example", "/ /evil.example", "/\\evil.example",
    "\\\\evil.example", "/\\/evil.example", "https://evil.example", "http:evil.example",
    "javascript:alert(1)", "evil.example", "%2F%2Fevil.example", "/%2F/evil.example",
    "/%09/evil.example", "/%5Cevil.example", "/%0d%0a/evil.example", "\x00//evil.example",
    "/\x00/evil.example", " //evil.example", "\u3000//evil.example", "/\u2028/evil.example",
    "//evil.example/%2F..", "/%252F%252Fevil.example".replace("%25", "%"), "",
]


def _stays(response: TestResponse) -> bool:
    """Refused at the edge (a NUL byte is 422 there) or redirected within this site."""
    if response.status_code == 422:
        return "Location" not in response.headers
    assert response.status_code == 302
    return _lands_here(response.headers["Location"])


def _lands_here(location: str) -> bool:
    """A Location a browser would follow to this site only (it drops tabs and newlines and
    reads ``\\`` as ``/``)."""
    seen = location.replace("\\", "/")
    seen = "".join(c for c in seen if c not in "\t\n\r")
    parts = urlsplit(seen)
    return not parts.scheme and not parts.netloc and seen.startswith("/") \
        and not seen.startswith("//")


@pytest.mark.parametrize("payload", BYPASSES)
def test_the_helper_refuses_each_bypass(payload: str) -> None:
    assert local_path(payload, "/inbox") == "/inbox"


def test_the_helper_keeps_local_paths_with_their_query() -> None:
    for path in ("/inbox", "/inbox?view=group&q=%C3%98yvind%20%C3%85s", "/cases/7#plan",
                 "/tasks/3?"):
        assert local_path(path, "/") == path
    assert local_path("/cases/1", "/inbox", under="/inbox") == "/inbox"


@pytest.mark.parametrize("payload", BYPASSES)
def test_login_next_never_leaves_the_site(anonymous: Browser, payload: str) -> None:
    login = anonymous.get("/login")
    response = anonymous.client.post(f"/login?next={quote(payload, safe='')}", data={
        "username": "koordinator", "password": "demo", "csrf_token": login.csrf_token()})
    assert _stays(response), response.headers.get("Location")


def test_the_issue_payload_goes_home(anonymous: Browser) -> None:
    login = anonymous.get("/login")
    response = anonymous.client.post("/login?next=/%09/evil.example", data={
        "username": "koordinator", "password": "demo", "csrf_token": login.csrf_token()})
    assert response.headers["Location"] == "/"


def test_login_next_follows_a_local_path(anonymous: Browser) -> None:
    login = anonymous.get("/login")
    response = anonymous.client.post(
        "/login?next=" + quote("/inbox?view=group&q=Ås"), data={
            "username": "koordinator", "password": "demo", "csrf_token": login.csrf_token()})
    assert response.headers["Location"] == "/inbox?view=group&q=%C3%85s"


@pytest.mark.parametrize("payload", BYPASSES)
def test_language_switch_never_leaves_the_site(anonymous: Browser, payload: str) -> None:
    token = anonymous.get("/login").csrf_token()
    response = anonymous.client.post("/language", data={
        "locale": "en", "next": payload, "csrf_token": token})
    assert _stays(response), response.headers.get("Location")


@pytest.mark.parametrize("payload", BYPASSES[:12])
def test_row_action_next_never_leaves_the_inbox(web: Web, payload: str) -> None:
    browser = web("systemkoordinator")
    response = browser.post("/inbox/tasks/999999/claim", {"next": payload})
    assert response.headers["Location"] == "/inbox"
