"""OpenID Connect back-channel logout against a real provider: someone logs out at the provider
and the provider's server posts a logout token to ipflow, which serves on a real port of
127.0.0.1 for it (the browser side runs in Flask's test client, as in ``test_oidc.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from flask import Flask
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from werkzeug.serving import make_server

from engine.kernel.db import Database
from engine.kernel.models import OidcLogin
from tests.support.oidc import (
    LocalProvider,
    back,
    running_provider,
    sign_in,
    sign_out,
    signed_in_username,
    to_provider,
)
from tests.support.people import KARI


class _Served:
    """A WSGI server on a free port whose app each test sets (the provider must know the port
    before it starts, and the apps are made per test)."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.server = make_server("127.0.0.1", 0, self, threaded=True)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture(scope="module")
def served() -> Iterator[_Served]:
    served = _Served()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()


@pytest.fixture(scope="module")
def provider(served: _Served) -> Iterator[LocalProvider]:
    with running_provider("http://localhost", backchannel=served.origin) as running:
        yield running


@pytest.fixture()
def app(make_app: Callable[..., Flask], provider: LocalProvider, served: _Served) -> Flask:
    served.app = make_app(OIDC_PROVIDERS=provider.providers())
    return served.app


def _logged_in(app: Flask, provider: LocalProvider, which: str,
               login: str) -> tuple[Any, requests.Session]:
    """An ipflow session through the provider, and the browser's session at the provider."""
    client, browser = app.test_client(), requests.Session()
    back(client, sign_in(to_provider(client, which), login, provider.issuer, browser=browser))
    assert signed_in_username(client) is not None
    return client, browser


def _remembered(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(OidcLogin)) or 0


def test_a_logout_at_the_provider_ends_that_users_ipflow_sessions_and_no_one_elses(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    employee, employees_browser = _logged_in(app, provider, "staff", "koordinator")
    colleague, _colleagues_browser = _logged_in(app, provider, "staff", "fagleder")
    citizen, citizens_browser = _logged_in(app, provider, "citizen", KARI)
    assert _remembered(db) == 3

    sign_out(employees_browser, provider.issuer)
    assert "/login" in employee.get("/inbox").headers["Location"]
    assert signed_in_username(colleague) == "fagleder"
    assert colleague.get("/inbox").status_code == 200
    assert _remembered(db) == 2

    sign_out(citizens_browser, provider.issuer)
    assert "/login" in citizen.get("/mine").headers["Location"]
    assert colleague.get("/inbox").status_code == 200


def _post(app: Flask, token: str, which: str = "staff") -> tuple[int, Any]:
    response = app.test_client().post(f"/login/oidc/{which}/backchannel-logout",
                                      data={"logout_token": token})
    return response.status_code, response.get_json()


def test_a_token_that_is_not_the_providers_logout_token_is_refused(
        app: Flask, provider: LocalProvider, caplog: pytest.LogCaptureFixture) -> None:
    """An ID token (signed by the provider, but no logout event, and a nonce), a logout token
    signed with a key of someone else's, and no token: 400, and the session lives on."""
    client, browser = app.test_client(), requests.Session()
    callback = sign_in(to_provider(client, "staff"), "koordinator", provider.issuer,
                       browser=browser)
    back(client, callback)
    with client.session_transaction() as session:
        end_session_url = session["end_session_url"]
    id_token = end_session_url.split("id_token_hint=")[1].split("&")[0]

    assert _post(app, id_token) == (400, {"error": "invalid_request"})
    assert "no back-channel logout event" in caplog.text
    metadata = requests.get(provider.discovery_url, timeout=10).json()
    claims = {"iss": metadata["issuer"], "aud": "staff", "iat": int(time.time()),
              "jti": "x1", "sub": "koordinator",
              "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
    forged = jwt.encode({"alg": "RS256", "kid": "someone-else"}, claims,
                        RSAKey.generate_key(2048, parameters={"kid": "someone-else"}))
    caplog.clear()
    assert _post(app, forged)[0] == 400
    assert "someone-else" in caplog.text  # no such key among the provider's
    assert _post(app, "")[0] == 400
    assert app.test_client().post("/login/oidc/nobody/backchannel-logout").status_code == 404
    assert client.get("/inbox").status_code == 200
    assert signed_in_username(client) == "koordinator"


class _CountingKeys(BaseHTTPRequestHandler):
    """In front of the provider's jwks_uri: passes each fetch on and counts it."""

    target = ""
    fetches = 0

    def do_GET(self) -> None:  # noqa: N802  (the name http.server calls)
        type(self).fetches += 1
        body = requests.get(self.target, timeout=10).content
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def test_made_up_key_ids_do_not_make_ipflow_fetch_the_providers_keys_each_time(
        app: Flask, provider: LocalProvider) -> None:
    """A key id ipflow does not know may be a key the provider rotated in, so the keys are
    fetched again, but not for every token someone posts."""
    metadata = app.extensions["ipflow_oauth"].create_client("staff").load_server_metadata()
    _CountingKeys.target, _CountingKeys.fetches = metadata["jwks_uri"], 0
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _CountingKeys)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    metadata["jwks_uri"] = f"http://127.0.0.1:{proxy.server_port}/jwks"
    metadata.pop("jwks", None)
    try:
        claims = {"iss": metadata["issuer"], "aud": "staff", "iat": int(time.time()),
                  "jti": "x2", "sub": "koordinator",
                  "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
        for kid in ("made-up-1", "made-up-2", "made-up-3"):
            token = jwt.encode({"alg": "RS256", "kid": kid}, claims,
                               RSAKey.generate_key(2048, parameters={"kid": kid}))
            assert _post(app, token)[0] == 400
        assert _CountingKeys.fetches == 2  # the first fetch, and one more for a new key id
    finally:
        proxy.shutdown()
        proxy.server_close()
