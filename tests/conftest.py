"""Shared fixtures: one database per test run (SQLite or PostgreSQL), emptied per test; the JSON
API as named users; apps and people who log in through the real /login form.

``TEST_DATABASE_URL`` picks the database; the default is a fresh SQLite file. When it names
PostgreSQL and the server cannot be reached, the run fails: it never skips silently. Rate
limiting is off in the apps (``RATELIMIT_ENABLED`` False) except in those made with
``make_app(RATELIMIT_ENABLED=True)``. The helpers behind these fixtures live in ``tests/support``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text

import processes
from engine.demo import PASSWORD, seed_users
from engine.features import deploy
from engine.kernel.db import Database
from engine.kernel.models import Base, Membership, ProcessVersion, User
from engine.runtime import users
from engine.runtime.users import SYSTEM, Actor, create_user
from tests.support.api import Api
from tests.support.pages import Browser
from tests.support.people import staff_of
from webapp import create_app, limiter

KEPT_TABLES = {"app_user", "membership", "service_area", "alembic_version", "process_version"}
SEEDED_USERS: set[str] = set()  # the users every test starts with (filled once per run)
SHIPPED_VERSIONS: set[int] = set()  # the shipped diagrams, deployed once per run


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Passwords hashed and checked with argon2's cheapest parameters, by the same code.

    The production cost (64 MiB, three passes: about 0.25 s a login on a 2-core machine, more
    under load) was most of the suite's time: every test logs its people in. The parameters
    travel inside each hash, so a server the tests start in another process checks these
    hashes just as cheaply."""
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", hasher)
        patch.setattr(users, "_DUMMY_HASH", hasher.hash("ipflow-no-such-user"))
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    return url


@pytest.fixture(scope="session")
def migrated(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    if db.is_postgresql:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.migrate()
    seed_users(db)
    create_user(db, "koordinator_oppvekst", PASSWORD, "Ola Oppvekst",
                [("koordinator", "oppvekst")])
    create_user(db, "fagleder_oppvekst", PASSWORD, "Frida Oppvekst", [("fagleder", "oppvekst")])
    for path in processes.diagram_paths():
        deploy.deploy(db, path.read_bytes(), SYSTEM)
    with db.reading() as session:
        SEEDED_USERS.update(session.scalars(select(User.username)))
        SHIPPED_VERSIONS.update(session.scalars(select(ProcessVersion.id)))
    yield db
    db.dispose()


def _empty_case_tables(db: Database) -> None:
    """Every table but the users and the shipped diagrams' versions, emptied (deploying them
    for every test took minutes of each run); the users and versions a test made removed, so
    the next test sees the seeded people and version 1 of each shipped process only."""
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with db.engine.begin() as connection:
        if db.is_postgresql:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        made = select(User.id).where(User.username.not_in(SEEDED_USERS)).scalar_subquery()
        connection.execute(delete(Membership).where(Membership.user_id.in_(made)))
        connection.execute(delete(User).where(User.username.not_in(SEEDED_USERS)))
        connection.execute(delete(ProcessVersion).where(ProcessVersion.id.not_in(SHIPPED_VERSIONS)))


@pytest.fixture()
def db(migrated: Database) -> Database:
    """The database with users and the shipped diagrams, and no cases."""
    _empty_case_tables(migrated)
    return migrated


@pytest.fixture()
def client(db: Database) -> FlaskClient:
    app = create_app(db.url, {"TESTING": True})
    app.extensions["ipflow_db"] = db
    return app.test_client()


@pytest.fixture()
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture()
def diagram_xml() -> str:
    return Path(processes.PROCESSES_DIR / "ip_koordinator.bpmn").read_text(encoding="utf-8")


# ---------------------------------------------------------------- people at the pages


@pytest.fixture()
def make_app(db: Database) -> Iterator[Callable[..., Flask]]:
    """Apps on the test database; the shared limiter's switch is put back afterwards."""
    enabled = limiter.enabled

    def make(**config: Any) -> Flask:
        settings = {"TESTING": True, "SECRET_KEY": "web-tests", "RATELIMIT_ENABLED": False}
        settings.update(config)
        app = create_app(db.url, settings)
        app.extensions["ipflow_db"] = db
        return app

    yield make
    limiter.enabled = enabled


@pytest.fixture()
def web_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture()
def web(web_app: Flask) -> Callable[[str], Browser]:
    """``web("koordinator")``: a browser logged in as that user through the /login form."""
    browsers: dict[str, Browser] = {}

    def as_user(username: str) -> Browser:
        if username not in browsers:
            browser = Browser(web_app.test_client())
            response = browser.login(username)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            browsers[username] = browser
        return browsers[username]

    return as_user


@pytest.fixture()
def anonymous(web_app: Flask) -> Browser:
    return Browser(web_app.test_client())


@pytest.fixture()
def staff(db: Database) -> dict[str, Actor]:
    """The demo staff as engine actors, for setting cases up through the engine."""
    return staff_of(db)
