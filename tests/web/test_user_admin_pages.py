"""User administration (``/users``) as the leder uses it: the list with roles and service
areas, creating a user, changing roles, deactivating and reactivating (sessions and tokens
end), each change recorded; everyone else is refused, by the page and by the engine."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from engine.demo import PASSWORD
from engine.features import user_admin
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData, NotFound
from engine.runtime.users import create_user, get_actor
from tests.support.pages import Browser, inside

Web = Callable[[str], Browser]
NEW_PASSWORD = "et langt passord 1"  # noqa: S105


def person(db: Database, username: str = "vikar") -> str:
    """A user of the test's own (seeded users stay as they are for the next test)."""
    create_user(db, username, PASSWORD, "Vera Vikar", [("koordinator", "helse"),
                                                       ("koordinator", "oppvekst")])
    return username


def page_of(db: Database, username: str) -> str:
    """The user's administration page: ``/users/<id>``."""
    [row] = [u for u in user_admin.user_list(db, get_actor(db, "leder"))
             if u.username == username]
    return f"/users/{row.id}"


def logged_in(app: Flask, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(username, password).status_code == 302
    assert browser.get("/inbox").status == 200
    return browser


def changes(db: Database, username: str) -> list[tuple[str, str]]:
    return [(c.what, c.actor) for c in
            user_admin.recent_changes(db, get_actor(db, "leder"), username)]


def test_the_list_shows_every_user_with_roles_and_areas(web: Web, db: Database) -> None:
    person(db)
    page = web("leder").get("/users")
    [row] = [r for r in page.all("tr") if r.get("data-user") == "vikar"]
    listed = inside(page, "user-list")
    assert "Vera Vikar" in listed and "Koordinator (Helse og omsorg)" in listed
    assert "Koordinator (Oppvekst og skole)" in listed
    assert "Leder (alle områder)" in listed
    assert any(a.text.strip() == "Brukere" and a.get("href") == "/users" for a in page.all("a"))


def test_the_leder_creates_a_user_who_can_log_in(web: Web, web_app: Flask, db: Database) -> None:
    leder = web("leder")
    response = leder.post("/users", {"username": "nyansatt", "full_name": "Nina Ny",
                                     "password": NEW_PASSWORD, "email": "nina@demo.kommune.no",
                                     "roles": ["koordinator:psykisk", "fagleder:*"]})
    page = leder.follow(response)
    assert "Brukeren nyansatt er opprettet." in page.text
    [made] = [u for u in user_admin.user_list(db, get_actor(db, "leder"))
              if u.username == "nyansatt"]
    assert set(made.roles) == {("koordinator", "psykisk"), ("fagleder", None)}
    assert made.active and made.email == "nina@demo.kommune.no"
    assert changes(db, "nyansatt") == [("created", "leder")]
    logged_in(web_app, "nyansatt", NEW_PASSWORD)


def test_a_user_is_not_created_from_a_bad_form(web: Web, db: Database) -> None:
    leder = web("leder")
    for form, message in (
            ({"username": "kort", "full_name": "K", "password": "kort",
              "roles": ["koordinator:*"]}, "minst 12 tegn"),
            ({"username": "ingen_rolle", "full_name": "I", "password": NEW_PASSWORD},
             "velg minst én rolle"),
            ({"username": "koordinator", "full_name": "K", "password": NEW_PASSWORD,
              "roles": ["koordinator:*"]}, "brukernavnet er i bruk"),
            ({"username": "x", "full_name": "X", "password": NEW_PASSWORD,
              "roles": ["koordinator:nowhere"]}, "ukjent tjenesteområde"),
            ({"username": "x", "full_name": "X", "password": NEW_PASSWORD,
              "roles": ["sjef:*"]}, "ukjent rolle")):
        page = leder.follow(leder.post("/users", form))
        assert message in page.text
    names = {u.username for u in user_admin.user_list(db, get_actor(db, "leder"))}
    assert not {"kort", "ingen_rolle", "x"} & names


def test_taking_a_role_away_ends_the_users_sessions(web: Web, web_app: Flask,
                                                     db: Database) -> None:
    username = person(db)
    theirs = logged_in(web_app, username)
    leder = web("leder")
    page = leder.get(page_of(db, username))
    assert page.one(id="edit-koordinator-helse").has("checked")
    assert not page.one(id="edit-fagleder-all").has("checked")
    leder.post(page_of(db, username) + "/roles", {"roles": ["koordinator:helse", "fagleder:*"]})
    [row] = [u for u in user_admin.user_list(db, get_actor(db, "leder"))
             if u.username == username]
    assert set(row.roles) == {("koordinator", "helse"), ("fagleder", None)}
    assert theirs.client.get("/inbox").status_code == 302  # to the login page
    assert changes(db, username) == [("roles_changed", "leder")]


def test_deactivated_users_cannot_log_in_or_use_tokens_until_reactivated(
        web: Web, web_app: Flask, db: Database) -> None:
    username = person(db)
    theirs = logged_in(web_app, username)
    client = web_app.test_client()
    token = client.post("/api/v1/login", json={"username": username, "password": PASSWORD}
                        ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    leder = web("leder")
    page = leder.follow(leder.post(page_of(db, username) + "/deactivate"))
    assert "er deaktivert og logget ut overalt" in page.text
    assert inside(page, "user-status") == "Deaktivert"
    assert theirs.client.get("/inbox").status_code == 302
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 401
    assert Browser(web_app.test_client()).login(username).status_code == 401
    page = leder.follow(leder.post(page_of(db, username) + "/reactivate"))
    assert inside(page, "user-status") == "Aktiv"
    logged_in(web_app, username)
    assert changes(db, username) == [("reactivated", "leder"), ("deactivated", "leder")]
    assert "Deaktivert" in inside(page, "user-changes")


def test_the_leder_cannot_lock_themselves_out(web: Web, db: Database) -> None:
    leder = web("leder")
    own = page_of(db, "leder")
    assert "du kan ikke deaktivere deg selv" in leder.follow(leder.post(own + "/deactivate")).text
    assert "du kan ikke ta fra deg selv rollen leder" in leder.follow(
        leder.post(own + "/roles", {"roles": ["koordinator:*"]})).text
    assert get_actor(db, "leder").has_role("leder")


@pytest.mark.parametrize("user", ["systemkoordinator", "koordinator", "fagleder", "designer"])
def test_everyone_but_the_leder_is_refused(web: Web, db: Database, user: str) -> None:
    username = person(db)
    theirs = page_of(db, username)
    browser = web(user)
    assert browser.get("/users", expect=403).status == 403
    assert browser.get(theirs, expect=403).status == 403
    for path in ("/users", theirs + "/deactivate", theirs + "/roles"):
        assert browser.post(path, {"roles": ["leder:*"], "username": "x", "full_name": "X",
                                   "password": NEW_PASSWORD}, expect=403).status_code == 403
    assert not any(a.get("href") == "/users" for a in browser.get("/inbox" if user != "designer"
                                                                   else "/designer/").all("a"))
    user_id = int(theirs.rsplit("/", 1)[1])
    with pytest.raises(Forbidden):
        user_admin.set_active(db, get_actor(db, user), user_id, False)
    assert user_admin.get_user(db, get_actor(db, "leder"), user_id).active
    assert changes(db, username) == []


def test_the_engine_wants_a_role_and_a_known_user(db: Database) -> None:
    leder = get_actor(db, "leder")
    user_id = int(page_of(db, person(db)).rsplit("/", 1)[1])
    with pytest.raises(InvalidData):
        user_admin.set_roles(db, leder, user_id, [])
    with pytest.raises(NotFound):
        user_admin.set_active(db, leder, 10**6, False)


def test_the_pages_in_english(web: Web, db: Database) -> None:
    username = person(db)
    leder = web("leder")
    leder.post("/language", {"locale": "en", "next": "/users"})
    page = leder.get("/users")
    assert "New user" in page.text and "Coordinator (Helse og omsorg)" in page.text
    assert "Deactivate" in leder.get(page_of(db, username)).text
