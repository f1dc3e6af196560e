"""Shared fixtures: one database per test run (SQLite or PostgreSQL), emptied per test.

``TEST_DATABASE_URL`` picks the database; the default is a fresh SQLite file. When it names
PostgreSQL and the server cannot be reached, the run fails: it never skips silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

import processes
from engine.demo import PASSWORD, seed_users
from engine.features import deploy
from engine.kernel.db import Database
from engine.kernel.models import Base
from engine.runtime.users import SYSTEM, create_user
from webapp import create_app

KEPT_TABLES = {"app_user", "membership", "service_area", "alembic_version"}


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
    yield db
    db.dispose()


def _empty_case_tables(db: Database) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with db.engine.begin() as connection:
        if db.is_postgresql:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture()
def db(migrated: Database) -> Database:
    """The database with users and the shipped diagrams, and no cases."""
    _empty_case_tables(migrated)
    for path in processes.diagram_paths():
        deploy.deploy(migrated, path.read_bytes(), SYSTEM)
    return migrated


@pytest.fixture()
def client(db: Database) -> FlaskClient:
    app = create_app(db.url, {"TESTING": True})
    app.extensions["ipflow_db"] = db
    return app.test_client()


class Api:
    """Calls the JSON API as named users, logging in once per user."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/v1/login",
                                        json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str, body: Any = None,
             expect: int | None = 200) -> Any:
        response = self.client.open(f"/api/v1{path}", method=method, json=body,
                                    headers={"Authorization": f"Bearer {self.token(user)}"})
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.get_json())
        return response.get_json() if response.is_json else response.get_data(as_text=True)

    def get(self, path: str, user: str, expect: int | None = 200) -> Any:
        return self.call("GET", path, user, expect=expect)

    def post(self, path: str, user: str, body: Any = None, expect: int | None = 200) -> Any:
        return self.call("POST", path, user, body, expect=expect)

    def task(self, case_id: int, bpmn_id: str, user: str) -> dict[str, Any]:
        """The open task at ``bpmn_id`` in ``user``'s inbox (fails when it is not there)."""
        tasks = [t for t in self.get("/tasks", user)["tasks"]
                 if t["case_id"] == case_id and t["bpmn_id"] == bpmn_id]
        assert tasks, f"{user} has no task {bpmn_id} in case {case_id}"
        return tasks[0]

    def complete(self, case_id: int, bpmn_id: str, user: str, data: dict[str, Any],
                 expect: int = 200) -> Any:
        task = self.task(case_id, bpmn_id, user)
        return self.post(f"/tasks/{task['id']}/complete", user, {"data": data}, expect=expect)


@pytest.fixture()
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture()
def diagram_xml() -> str:
    return Path(processes.PROCESSES_DIR / "ip_koordinator.bpmn").read_text(encoding="utf-8")
