"""Every response carries the security headers: each GET route of the app (ids filled from the
seeded demo) as every kind of reader, the API with and without a token, static files and error
pages; HSTS only when the app runs behind HTTPS (``IPFLOW_HTTPS=1``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine import demo
from engine.features import designer
from engine.kernel.db import Database
from engine.kernel.models import Case, ProcessVersion, Task
from engine.runtime.users import get_actor
from tests.support.pages import Browser
from webapp import create_app
from webapp.headers import CSP, DESIGNER_CSP, HSTS

Web = Callable[[str], Browser]
READERS = ("systemkoordinator", "leder", "designer", "innbygger")


def _ids(db: Database) -> dict[str, str]:
    """A value for each URL argument, from the demo: the case furthest on, an open task, a
    draft of the first process and its first form."""
    demo.seed(db)
    with db.reading() as session:
        case_id = session.scalar(select(Case.id).order_by(Case.id.desc()))
        task_id = session.scalar(select(Task.id).where(Task.state == "ready").order_by(Task.id))
        key = session.scalar(select(ProcessVersion.key).order_by(ProcessVersion.key))
    assert case_id and task_id and key
    draft_id = designer.open_version(db, key, 1, get_actor(db, "designer"))
    return {"case_id": str(case_id), "task_id": str(task_id), "key": key, "version": "1",
            "draft_id": str(draft_id), "name": "melding", "message": "withdrawal",
            "attachment_id": "1", "filename": "ipflow.css",
            "provider": "citizen", "user_id": "1"}


def _assert_headers(response: TestResponse, path: str, csp: str = CSP) -> None:
    headers = response.headers
    assert response.status_code < 500, (path, response.status_code)
    assert headers["Content-Security-Policy"] == csp, path
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY", path
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["Referrer-Policy"] == "same-origin", path
    assert "camera=()" in headers["Permissions-Policy"], path
    assert "Strict-Transport-Security" not in headers, path


def _paths(app: Flask, ids: dict[str, str]) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", ids[argument])
            for converter in ("int", "path"):
                path = path.replace(f"<{converter}:{argument}>", ids[argument])
        assert "<" not in path, path
        paths.append(path)
    return paths


def test_every_get_route_has_the_headers_for_every_reader(
        db: Database, web: Web, anonymous: Browser, web_app: Flask) -> None:
    ids = _ids(db)
    paths = _paths(web_app, ids)
    assert len(paths) > 40
    answered: dict[str, set[int]] = {}
    for browser in [anonymous, *(web(name) for name in READERS)]:
        for path in paths:
            response = browser.client.get(path)
            csp = DESIGNER_CSP if path.startswith("/designer") else CSP
            _assert_headers(response, path, csp)
            answered.setdefault(path, set()).add(response.status_code)
    # The ids are real: every page answered (200 or a redirect) to somebody, but those whose
    # id the demo has no row for (an attachment, a form by that name, a message not offered)
    # and the API, which wants a token (checked below), and the OpenID Connect login, for no
    # provider is configured here.
    not_shown = {path for path, statuses in answered.items() if min(statuses) >= 400}
    assert all("attachments" in p or "/forms/" in p or "/events/" in p or p.endswith("/incident")
               or p.endswith("/migrate") or "/api/" in p or "/login/oidc/" in p
               for p in not_shown), sorted(not_shown)


def test_the_api_and_error_pages_have_the_headers(db: Database, web_app: Flask) -> None:
    client = web_app.test_client()
    token = client.post("/api/v1/login", json={"username": "leder", "password": "demo"})
    assert token.status_code == 200
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    for path in ("/api/v1/cases", "/api/v1/monitor/overview", "/api/v1/cases/999999"):
        _assert_headers(client.get(path, headers=bearer), path)
    for path in ("/no-such-page", "/api/v1/cases", "/static/no-such-file.js"):
        _assert_headers(client.get(path), path)
    _assert_headers(client.post("/login", data={}), "/login without CSRF")


def test_hsts_only_behind_https(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_HTTPS", "1")
    app = create_app(db.url, {"TESTING": True, "SECRET_KEY": "t", "RATELIMIT_ENABLED": False})
    app.extensions["ipflow_db"] = db
    for path in ("/login", "/static/ipflow.css", "/api/v1/cases"):
        response = app.test_client().get(path)
        assert response.headers["Strict-Transport-Security"] == HSTS
        assert response.headers["Content-Security-Policy"] == CSP
