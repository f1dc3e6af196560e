"""Logging in through OpenID Connect against a real provider (``tests/support/oidc.py``), without
a browser: who is let in and who is refused, and that what the provider sends is checked.

The browser tests (``tests/browser/test_browser_oidc.py``) log in and out as a person does.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from engine.demo import report
from engine.kernel.db import Database
from engine.kernel.models import User
from engine.runtime.users import Actor
from tests.support.oidc import (
    LocalProvider,
    back,
    log_in,
    running_provider,
    sign_in,
    signed_in_username,
    to_provider,
)
from tests.support.pages import Page
from tests.support.people import KARI, OLA
from webapp.oidc_settings import providers_from

TEST_CLIENT_ORIGIN = "http://localhost"  # where Flask's test client says the app is


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    with running_provider(TEST_CLIENT_ORIGIN) as running:
        yield running


@pytest.fixture()
def app(make_app: Callable[..., Flask], provider: LocalProvider) -> Flask:
    return make_app(OIDC_PROVIDERS=provider.providers())


def test_the_request_to_the_provider_carries_pkce_state_and_nonce(app: Flask) -> None:
    query = parse_qs(urlsplit(to_provider(app.test_client(), "citizen")).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{TEST_CLIENT_ORIGIN}/login/oidc/citizen/callback"]


def test_the_citizens_provider_is_asked_for_the_high_level_and_the_staffs_for_none(
        app: Flask) -> None:
    citizen = parse_qs(urlsplit(to_provider(app.test_client(), "citizen")).query)
    assert citizen["acr_values"] == ["idporten-loa-high"]
    staff = parse_qs(urlsplit(to_provider(app.test_client(), "staff")).query)
    assert "acr_values" not in staff


def test_the_level_of_assurance_comes_from_the_environment() -> None:
    environ = {f"IPFLOW_OIDC_{name}_{key}": name.lower() for name in ("CITIZEN", "STAFF")
               for key in ("DISCOVERY_URL", "CLIENT_ID", "CLIENT_SECRET")}
    default = providers_from(environ)
    assert default["citizen"].acr_values == default["citizen"].accepted_acr == (
        "idporten-loa-high",)
    assert default["staff"].acr_values == default["staff"].accepted_acr == ()
    chosen = providers_from(environ | {
        "IPFLOW_OIDC_STAFF_ACR_VALUES": "Level4",
        "IPFLOW_OIDC_CITIZEN_ACCEPTED_ACR": "idporten-loa-high Level4"})
    assert chosen["staff"].acr_values == chosen["staff"].accepted_acr == ("Level4",)
    assert chosen["citizen"].accepted_acr == ("idporten-loa-high", "Level4")


def test_a_citizen_logged_in_at_the_high_level_is_let_in_and_a_lower_level_is_refused(
        app: Flask, provider: LocalProvider, caplog: pytest.LogCaptureFixture) -> None:
    """The provider answers with the level the person reached (here a lower one than asked
    for, as a provider may): ipflow reads the ID token's acr, not its own request."""
    client = app.test_client()
    assert log_in(client, provider, "citizen", KARI).status_code == 302
    assert signed_in_username(client) == "innbygger"

    lower = app.test_client()
    refused = log_in(lower, provider, "citizen", KARI, acr="idporten-loa-substantial")
    assert refused.status_code == 403
    assert "ikke sikkerhetsnivået denne tjenesten krever" in Page(refused)
    assert signed_in_username(lower) is None
    assert "level 'idporten-loa-substantial' refused" in caplog.text
    english = app.test_client()
    with english.session_transaction() as session:
        session["locale"] = "en"
    refused = log_in(english, provider, "citizen", KARI, acr="idporten-loa-substantial")
    assert "did not have the level of assurance" in Page(refused)


def test_an_accepted_level_may_be_other_than_the_one_asked_for(
        make_app: Callable[..., Flask], provider: LocalProvider) -> None:
    settings = provider.providers("staff")["staff"]
    app = make_app(OIDC_PROVIDERS={"staff": replace(
        settings, acr_values=("idporten-loa-high",),
        accepted_acr=("idporten-loa-high", "idporten-loa-substantial"))})
    client = app.test_client()
    response = log_in(client, provider, "staff", "koordinator", acr="idporten-loa-substantial")
    assert response.status_code == 302 and signed_in_username(client) == "koordinator"
    none = app.test_client()  # a login without any acr is not at an accepted level
    assert log_in(none, provider, "staff", "koordinator", acr="").status_code == 403
    assert signed_in_username(none) is None


def test_the_login_page_offers_the_configured_providers_only(
        make_app: Callable[..., Flask], provider: LocalProvider) -> None:
    def buttons(app: Flask) -> list[str]:
        page = Page(app.test_client().get("/login"))
        return [a.text.strip() for a in page.all("a") if "/login/oidc/" in a.get("href")]

    assert buttons(make_app()) == []
    assert buttons(make_app(OIDC_PROVIDERS=provider.providers("citizen"))) == [
        "Logg inn med ID-porten"]
    assert buttons(make_app(OIDC_PROVIDERS=provider.providers())) == [
        "Logg inn med ID-porten", "Logg inn for ansatte"]
    assert make_app().test_client().get("/login/oidc/citizen").status_code == 404


def test_a_citizen_is_known_by_pid_and_gets_a_login_with_their_first_case(
        app: Flask, provider: LocalProvider, db: Database, staff: dict[str, Actor]) -> None:
    client = app.test_client()
    refused = log_in(client, provider, "citizen", OLA)
    assert refused.status_code == 403 and "ingen sak" in Page(refused)
    assert signed_in_username(client) is None

    report(db, staff["systemkoordinator"], OLA)
    response = log_in(client, provider, "citizen", OLA)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with db.reading() as session:
        user = session.scalars(select(User).where(User.nin == OLA)).one()
        assert user.full_name == "Ola Hansen"
        assert [m.role for m in user.memberships] == ["innbygger"]
    assert signed_in_username(client) == user.username
    assert client.get("/").headers["Location"].endswith("/mine")

    again = app.test_client()  # the next login finds the same user
    log_in(again, provider, "citizen", OLA)
    assert signed_in_username(again) == user.username


def test_the_demo_citizen_logs_in_to_her_own_user(
        app: Flask, provider: LocalProvider) -> None:
    client = app.test_client()
    assert log_in(client, provider, "citizen", KARI).status_code == 302
    assert signed_in_username(client) == "innbygger"


def test_staff_are_matched_by_the_configured_claim_and_never_made(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    client = app.test_client()
    response = log_in(client, provider, "staff", "koordinator")
    assert response.status_code == 302 and signed_in_username(client) == "koordinator"

    for login in ("ukjent", "innbygger"):  # no such user; a citizen's user
        stranger = app.test_client()
        refused = log_in(stranger, provider, "staff", login)
        assert refused.status_code == 403
        assert "ingen aktiv brukerkonto" in Page(refused)
        assert signed_in_username(stranger) is None
    with db.reading() as session:
        assert session.scalar(select(User).where(User.username == "ukjent")) is None


def test_the_citizens_provider_never_opens_a_staff_user(
        app: Flask, provider: LocalProvider, db: Database) -> None:
    with db.transaction() as session:
        session.scalars(select(User).where(User.username == "koordinator")).one().nin = OLA
    try:
        client = app.test_client()
        assert log_in(client, provider, "citizen", OLA).status_code == 403
        assert signed_in_username(client) is None
    finally:
        with db.transaction() as session:
            session.scalars(select(User).where(User.username == "koordinator")).one().nin = None


def test_a_callback_whose_state_is_not_this_browsers_is_refused(
        app: Flask, provider: LocalProvider, caplog: pytest.LogCaptureFixture) -> None:
    client = app.test_client()
    callback = sign_in(to_provider(client, "staff"), "koordinator", provider.issuer)
    other = app.test_client()  # an attacker's code and state planted in another browser
    assert back(other, callback).status_code == 401
    assert signed_in_username(other) is None
    forged = callback.replace("state=", "state=x")
    assert back(client, forged).status_code == 401
    assert signed_in_username(client) is None
    assert caplog.text.count("mismatching_state") == 2


def test_an_id_token_with_another_nonce_is_refused(
        app: Flask, provider: LocalProvider, caplog: pytest.LogCaptureFixture) -> None:
    """The nonce kept for this login is changed before the provider's answer comes back: the
    (correctly signed) ID token carries the other one, and Authlib's check must notice."""
    client = app.test_client()
    callback = sign_in(to_provider(client, "staff"), "koordinator", provider.issuer)
    with client.session_transaction() as session:
        for key, value in session.items():
            if key.startswith("_state_staff_"):
                value["data"]["nonce"] = "not-the-nonce-sent"
                session[key] = value
    assert back(client, callback).status_code == 401
    assert signed_in_username(client) is None
    assert "Invalid claim: 'nonce'" in caplog.text


class _Tamperer(BaseHTTPRequestHandler):
    """Between ipflow and the provider's token endpoint: forwards the request and, in the
    answer, rewrites the ID token's claims (the signature is left as the provider made it)."""

    target = ""
    claims: dict[str, Any] = {}

    def do_POST(self) -> None:  # noqa: N802  (the name http.server calls)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {k: v for k, v in self.headers.items() if k.lower() in
                   ("authorization", "content-type", "accept")}
        answer = requests.post(self.target, data=body, headers=headers, timeout=10).json()
        header, payload, signature = answer["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(self.claims)
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        answer["id_token"] = f"{header}.{payload}.{signature}"
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        pass


def test_an_id_token_altered_on_the_way_is_refused(
        app: Flask, provider: LocalProvider, caplog: pytest.LogCaptureFixture) -> None:
    """Someone who can change the token endpoint's answer makes a staff login into another
    user's: the signature no longer matches, and nobody is logged in."""
    client = app.test_client()
    oauth_client = app.extensions["ipflow_oauth"].create_client("staff")
    metadata = oauth_client.load_server_metadata()
    _Tamperer.target = metadata["token_endpoint"]
    _Tamperer.claims = {"ipflow_username": "leder"}
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Tamperer)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    metadata["token_endpoint"] = f"http://127.0.0.1:{proxy.server_port}/token"
    try:
        callback = sign_in(to_provider(client, "staff"), "koordinator", provider.issuer)
        assert back(client, callback).status_code == 401
        assert signed_in_username(client) is None
        assert "BadSignatureError" in caplog.text
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_logout_ends_the_session_and_sends_the_browser_to_the_provider(
        app: Flask, provider: LocalProvider) -> None:
    client = app.test_client()
    log_in(client, provider, "staff", "koordinator")
    token = Page(client.get("/inbox")).csrf_token()
    response = client.post("/logout", data={"csrf_token": token})
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == provider.issuer
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == [f"{TEST_CLIENT_ORIGIN}/login"]
    assert query["id_token_hint"][0].count(".") == 2
    assert signed_in_username(client) is None
    assert "/login" in client.get("/inbox").headers["Location"]
    # the provider's origin may receive the logout form's redirect (CSP form-action)
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in csp


def test_password_login_can_be_turned_off(make_app: Callable[..., Flask],
                                          provider: LocalProvider) -> None:
    app = make_app(PASSWORD_LOGIN=False, OIDC_PROVIDERS=provider.providers("staff"))
    client = app.test_client()
    page = Page(client.get("/login"))
    assert not page.all("input", name="password")
    assert "Logg inn for ansatte" in page
    response = client.post("/login", data={"username": "koordinator", "password": "demo",
                                           "csrf_token": page.csrf_token()})
    assert response.status_code == 403 and "slått av" in Page(response)
    assert signed_in_username(client) is None
    refused = client.post("/api/v1/login", json={"username": "koordinator", "password": "demo"})
    assert refused.status_code == 403 and "slått av" in refused.get_json()["error"]
