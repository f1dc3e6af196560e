"""Login throttling per account and per IP, without telling who exists.

Per username: after 5 failed logins in a row the name is locked for 15 minutes, from every
address and through the API too; the right password does not get in while the lock lasts, and
it does afterwards. Per IP: at most 5 failed logins a minute (Flask-Limiter). An unknown name
and a wrong password get the same answer, locked or not, and both cost one password hash."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.demo import PASSWORD
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime import logins, users
from engine.runtime.users import create_user
from tests.support.clock import T0
from tests.support.pages import csrf_token

CSRF_VALUE = re.compile(r'(?<=name="csrf_token" value=")[^"]+')
LOCKED = "For mange forsøk. Vent litt og prøv igjen."


@pytest.fixture()
def person(db: Database) -> str:
    username = f"k_{uuid.uuid4().hex[:10]}"
    create_user(db, username, PASSWORD, "Kai Kort", [("koordinator", None)])
    return username


@pytest.fixture()
def at_t0() -> Iterator[datetime]:
    with clock.frozen_at(T0) as now:
        yield now


def _client(app: Flask, address: str = "10.0.0.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    """The status and the page's text, its CSRF token (signed anew each time) taken out."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    return response.status_code, CSRF_VALUE.sub("", response.get_data(as_text=True))


def _fail(app: Flask, username: str, times: int) -> list[int]:
    return [_login(_client(app, f"10.0.1.{n}"), username, "feil")[0] for n in range(times)]


def test_five_failures_lock_the_account_even_for_the_right_password(
        web_app: Flask, person: str, at_t0: datetime) -> None:
    assert _fail(web_app, person, 5) == [401] * 5
    status, page = _login(_client(web_app, "192.0.2.7"), person, PASSWORD)  # another address
    assert status == 429 and LOCKED in page
    api = _client(web_app).post("/api/v1/login", json={"username": person, "password": PASSWORD})
    assert api.status_code == 429
    with clock.frozen_at(T0 + timedelta(minutes=14)):
        assert _login(_client(web_app), person, PASSWORD)[0] == 429
    with clock.frozen_at(T0 + timedelta(minutes=16)):  # the lock lifts by itself
        assert _login(_client(web_app), person, PASSWORD)[0] == 302


def test_a_success_clears_the_count(web_app: Flask, person: str, at_t0: datetime) -> None:
    assert _fail(web_app, person, 4) == [401] * 4
    assert _login(_client(web_app), person, PASSWORD)[0] == 302
    assert _fail(web_app, person, 4) == [401] * 4
    assert _login(_client(web_app), person, PASSWORD)[0] == 302


def test_unknown_and_known_names_get_the_same_answers(
        web_app: Flask, person: str, at_t0: datetime) -> None:
    nobody = f"n_{uuid.uuid4().hex[:10]}"
    for attempt in range(6):  # wrong password, then locked: the same for both names
        known = _login(_client(web_app), person, "feil")
        unknown = _login(_client(web_app), nobody, "feil")
        assert known[0] == unknown[0], attempt
        assert known[1].replace(person, "NAME") == unknown[1].replace(nobody, "NAME"), attempt
    api = _client(web_app)
    answers = [api.post("/api/v1/login", json={"username": name, "password": "feil"})
               for name in (f"x_{nobody}", person)]
    assert answers[0].get_json() != {} and answers[0].status_code == 401
    assert answers[1].status_code == 429  # locked above, the same as the unknown name was


def test_every_attempt_costs_one_password_hash(
        db: Database, person: str, monkeypatch: pytest.MonkeyPatch, at_t0: datetime) -> None:
    verified: list[str] = []
    hasher = users._hasher

    class Counting:
        """The argon2 hasher, writing down every hash it verifies against."""

        def verify(self, hashed: str, password: str) -> bool:
            verified.append(hashed)
            return hasher.verify(hashed, password)

    monkeypatch.setattr(users, "_hasher", Counting())
    for name in (person, "nobody-here", "x" * 500, "nul\x00name", ""):
        verified.clear()
        assert logins.attempt(db, name, "feil").actor is None
        assert len(verified) == 1 and verified[0].startswith("$argon2"), name
    for _n in range(5):
        logins.attempt(db, person, "feil")
    verified.clear()
    assert logins.attempt(db, person, PASSWORD).locked
    assert len(verified) == 1


def test_per_ip_at_most_five_failures_a_minute_whatever_the_names(
        make_app: Callable[..., Flask], at_t0: datetime) -> None:
    app = make_app(RATELIMIT_ENABLED=True)
    client = _client(app, "198.51.100.9")
    statuses = [_login(client, f"n_{n}", "feil")[0] for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _login(_client(app, "198.51.100.10"), "n_x", "feil")[0] == 401  # another address
    assert LOCKED in _login(client, "koordinator", PASSWORD)[1]
