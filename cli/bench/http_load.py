"""What ``ipflow bench http`` does: a scratch PostgreSQL database, the real server, clients.

The cases are seeded once into a template database through the engine (``engine.demo``, so
this lives in the CLI, the one layer besides the tests that may use the demo cast); every
worker count then starts from a fresh copy of it (``CREATE DATABASE ... TEMPLATE``), so the
second run does not work on longer case histories than the first. The server is ``ipflow
serve`` itself, started as a separate process; the clients are threads of this process
speaking plain HTTP/1.1 (``http.client``): they spend their time waiting for the server, so
on a small machine the load generator takes almost no CPU from the server and the database.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import processes
from cli.bench import cpu_use
from engine import demo
from engine.features import deploy
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime.users import SYSTEM, create_service_area, create_user

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ipflow_bench_http"
PASSWORD = "bench-http"  # noqa: S105  (users of a scratch database dropped afterwards)
# Adults of the demo cast without a login, so their coordinator consents on their behalf (a
# child's consent needs a guardian); each case is a new report of one of them.
NINS = tuple(nin for nin in demo.CITIZENS
             if nin not in demo.GUARDIANS and nin != demo.DEMO_CITIZEN_NIN)
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def client_name(index: int) -> str:
    return f"bench_http_{index}"


# ---------------------------------------------------------------- the scratch databases


@contextmanager
def scratch_databases(url: str) -> Iterator[tuple[str, Callable[[], str]]]:
    """``(seed_url, fresh)``: an empty database to seed, and ``fresh()`` that makes the
    database ``url`` names anew as a copy of the seeded one and returns its URL. Both are
    dropped afterwards, also after a failure."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        raise click.BadParameter(f"ikke en PostgreSQL-database: {url}",
                                 param_hint="--database-url")
    name, seed_name = target.database, f"{target.database}_seed"
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def recreate(database: str, template: str | None = None) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            copy = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{database}"{copy}'))

    def fresh() -> str:
        recreate(name, seed_name)
        return target.render_as_string(hide_password=False)

    recreate(seed_name)
    try:
        yield target.set(database=seed_name).render_as_string(hide_password=False), fresh
    finally:
        with admin.connect() as connection:
            for database in (name, seed_name):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, clients: int, advance: Callable[[int], None]) -> None:
    """The shipped diagrams, a systemkoordinator, and per client a coordinator with one case of
    their own waiting at the follow-up meeting (a step that comes back after each meeting).

    Each client has a service area of its own, since a coordinator may act on every
    coordinator task in their areas: sharing one, the clients would take each other's
    meetings. The coordinator is fagleder there too, to appoint themselves.
    """
    db = Database(url)
    try:
        db.migrate()
        for path in processes.diagram_paths():
            deploy.deploy(db, path.read_bytes(), SYSTEM)
        # one assessor for every case (each user costs an argon2 hash: not the demo's six)
        systemkoordinator = create_user(db, client_name(clients), PASSWORD, "Systemkoordinator",
                                        [("systemkoordinator", None)])
        for index in range(clients):
            area = client_name(index)
            create_service_area(db, area, f"Område {index}")
            coordinator = create_user(db, client_name(index), PASSWORD, f"Koordinator {index}",
                                      [("koordinator", area), ("fagleder", area)])
            staff = {"systemkoordinator": systemkoordinator, "fagleder": coordinator}
            demo.to_follow_up(db, staff, NINS[index % len(NINS)], area, coordinator)
            advance(1)
    finally:
        db.dispose()


# ---------------------------------------------------------------- the server


@contextmanager
def served(url: str, workers: int, port: int) -> Iterator[int]:
    """``ipflow serve`` with ``workers`` on ``url`` until the block ends (then SIGTERM, which
    lets requests under way finish); yields its process id. Its log is shown only when it
    fails to start."""
    env = {**os.environ, "DATABASE_URL": url, "IPFLOW_SECRET_KEY": secrets.token_hex(16),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                      os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "serve", "--port", str(port),
             "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_until_ready(server, port, log)
            yield server.pid
        finally:
            server.terminate()
            server.wait(timeout=60)


def _wait_until_ready(server: subprocess.Popen[bytes], port: int, log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise click.ClickException("serveren startet ikke:\n"
                                       + log.read().decode()[-2000:])
        if _request(port, "GET", "/login")[0] == 200:
            return
        time.sleep(0.2)
    raise click.ClickException("serveren svarte ikke innen 60 sekunder")


# ---------------------------------------------------------------- the clients


def _request(port: int, method: str, path: str, body: Any = None,
             token: str | None = None) -> tuple[int, Any]:
    """One request on a connection of its own (the sync worker closes each after its
    answer); the status and the decoded JSON, if any. A refused connection or a timeout is
    status 0 with its description."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None,
                           headers)
        response = connection.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return 0, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    is_json = response.getheader("Content-Type", "").startswith("application/json")
    return response.status, json.loads(payload) if is_json else None


@dataclass
class Tally:
    """What the clients of one run did: completed tasks, expected 409s, other errors (with the
    first few described), and each completion's seconds."""

    completed: int = 0
    conflicts: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, description: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.examples) < 5:
                self.examples.append(description)


def meeting() -> dict[str, Any]:
    """A follow-up meeting's minutes; without ``evaluate_now`` the next meeting is due."""
    return {"meeting_date": clock.now().date().isoformat(),
            "meeting_participants": ["Innbygger", "Koordinator"],
            "minutes": "Framdriften er god; planen står ved lag.", "action_items": []}


def _client(port: int, index: int, start: threading.Barrier, seconds: float,
            tally: Tally) -> None:
    """Log in, then until the time is up: read the inbox and hold each meeting in it."""
    status, answer = _request(port, "POST", "/api/v1/login",
                              {"username": client_name(index), "password": PASSWORD})
    start.wait()
    if status != 200:
        tally.error(f"innlogging: {status} {answer}")
        return
    token, deadline = answer["token"], time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, answer = _request(port, "GET", "/api/v1/tasks", token=token)
        if status != 200:
            tally.error(f"innboks: {status} {answer}")
            continue
        for task in answer["tasks"]:
            began = time.monotonic()
            status, answer = _request(port, "POST", f"/api/v1/tasks/{task['id']}/complete",
                                      {"data": meeting()}, token)
            with tally.lock:
                if status == 200:
                    tally.completed += 1
                    tally.latencies.append(time.monotonic() - began)
                elif status == 409:
                    tally.conflicts += 1
            if status not in (200, 409):
                tally.error(f"fullføring: {status} {answer}")


def drive(port: int, server_pid: int, clients: int,
          seconds: float) -> tuple[Tally, float, cpu_use.CpuUse | None]:
    """``clients`` clients for ``seconds`` once all have logged in; the tally, the seconds
    from that start until the last client stopped, and where the cores went meanwhile (this
    process does nothing but the clients then)."""
    tally = Tally()
    start = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=_client, args=(port, i, start, seconds, tally))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began, first = time.monotonic(), cpu_use.sample(server_pid)
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - began, cpu_use.between(first, cpu_use.sample(server_pid))
