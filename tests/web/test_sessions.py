"""Sessions end: logout, a new password, fewer roles and deactivation end every page session
(a cookie captured before is void) and every API token of the user at once; a page session
ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login, however
busy. Time is moved on the engine's clock, never slept."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.demo import PASSWORD
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime import logins
from engine.runtime.users import create_user
from tests.support.clock import T0
from tests.support.pages import Browser


@pytest.fixture()
def person(db: Database) -> str:
    """A koordinator of their own (the users table outlives a test, so each test gets one)."""
    username = f"k_{uuid.uuid4().hex[:10]}"
    create_user(db, username, PASSWORD, "Kai Kort", [("koordinator", None), ("fagleder", None)])
    return username


@pytest.fixture()
def at_t0() -> Iterator[datetime]:
    with clock.frozen_at(T0) as now:
        yield now


def _browser(app: Flask, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(username, password).status_code == 302
    return browser


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/inbox")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _token(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["token"])


def _token_works(client: FlaskClient, token: str) -> bool:
    status = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code
    assert status in (200, 401)
    return status == 200


def _captured(app: Flask, browser: Browser) -> FlaskClient:
    """Another client holding a copy of ``browser``'s session cookie, as a thief would."""
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_logout_ends_every_session_and_token_even_a_captured_cookie(
        web_app: Flask, person: str) -> None:
    here, elsewhere = _browser(web_app, person), _browser(web_app, person)
    thief = _captured(web_app, here)
    token = _token(web_app.test_client(), person)
    assert _signed_in(thief) and _signed_in(elsewhere.client) and _token_works(thief, token)

    here.post("/logout", {"csrf_token": here.token()})

    assert not _signed_in(here.client)
    assert not _signed_in(thief)
    assert not _signed_in(elsewhere.client)
    assert not _token_works(web_app.test_client(), token)
    assert _signed_in(_browser(web_app, person).client)  # logging in again works


def test_the_api_logout_ends_every_token_and_page_session(web_app: Flask, person: str) -> None:
    page = _browser(web_app, person)
    client = web_app.test_client()
    first, second = _token(client, person), _token(client, person)
    response = client.post("/api/v1/logout", headers={"Authorization": f"Bearer {first}"})
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    assert not _token_works(client, first) and not _token_works(client, second)
    assert not _signed_in(page.client)
    assert client.post("/api/v1/logout").status_code == 401


def test_a_new_password_ends_the_sessions_begun_with_the_old_one(
        web_app: Flask, db: Database, person: str) -> None:
    page = _browser(web_app, person)
    thief = _captured(web_app, page)
    token = _token(web_app.test_client(), person)
    logins.set_password(db, person, "nytt-passord-1")
    assert not _signed_in(page.client) and not _signed_in(thief)
    assert not _token_works(web_app.test_client(), token)
    assert Browser(web_app.test_client()).login(person).status_code == 401
    assert _signed_in(_browser(web_app, person, "nytt-passord-1").client)


def test_taking_a_role_away_ends_sessions_adding_one_does_not(
        web_app: Flask, db: Database, person: str) -> None:
    page = _browser(web_app, person)
    token = _token(web_app.test_client(), person)
    logins.set_roles(db, person, [("koordinator", None), ("fagleder", None), ("leder", None)])
    assert _signed_in(page.client) and _token_works(web_app.test_client(), token)
    logins.set_roles(db, person, [("koordinator", None)])
    assert not _signed_in(page.client)
    assert not _token_works(web_app.test_client(), token)


def test_deactivation_ends_sessions_and_refuses_login(
        web_app: Flask, db: Database, person: str) -> None:
    page = _browser(web_app, person)
    token = _token(web_app.test_client(), person)
    logins.deactivate(db, person)
    assert not _signed_in(page.client)
    assert not _token_works(web_app.test_client(), token)
    assert Browser(web_app.test_client()).login(person).status_code == 401


def test_a_session_idle_for_30_minutes_ends(web_app: Flask, person: str,
                                            at_t0: datetime) -> None:
    page = _browser(web_app, person)
    moment = T0
    for _step in range(4):  # a request every 29 minutes keeps it alive past 30 minutes
        moment += timedelta(minutes=29)
        with clock.frozen_at(moment):
            assert _signed_in(page.client), moment
    thief = _captured(web_app, page)
    with clock.frozen_at(moment + timedelta(minutes=31)):
        assert not _signed_in(page.client)
        assert not _signed_in(thief)  # the copy taken before it went idle is dead too


def test_the_idle_timeout_is_configurable(make_app: Callable[..., Flask], person: str,
                                          at_t0: datetime) -> None:
    app = make_app(SESSION_IDLE_MINUTES=5)
    page = _browser(app, person)
    with clock.frozen_at(T0 + timedelta(minutes=4)):
        assert _signed_in(page.client)
    with clock.frozen_at(T0 + timedelta(minutes=10)):
        assert not _signed_in(page.client)


def test_a_busy_session_still_ends_12_hours_after_login(web_app: Flask, person: str,
                                                       at_t0: datetime) -> None:
    page = _browser(web_app, person)
    moment = T0
    while moment < T0 + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)
        with clock.frozen_at(moment):
            assert _signed_in(page.client), moment
    with clock.frozen_at(T0 + timedelta(hours=12, minutes=1)):
        assert not _signed_in(page.client)
        assert _signed_in(_browser(web_app, person).client)  # a new login starts afresh


def test_an_api_token_idle_for_30_minutes_ends_and_a_busy_one_lives_to_its_end(
        web_app: Flask, person: str, at_t0: datetime) -> None:
    client = web_app.test_client()
    idle, busy = _token(client, person), _token(client, person)
    moment = T0
    for _step in range(4):  # a call every 29 minutes keeps the busy token alive
        moment += timedelta(minutes=29)
        with clock.frozen_at(moment):
            assert _token_works(client, busy), moment
    with clock.frozen_at(moment):
        assert not _token_works(client, idle), "unused for almost two hours"
    while moment < T0 + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)
        with clock.frozen_at(moment):
            assert _token_works(client, busy), moment
    with clock.frozen_at(T0 + timedelta(hours=12, minutes=1)):
        assert not _token_works(client, busy), "a token ends 12 hours after it was issued"
