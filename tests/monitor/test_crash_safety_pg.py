"""The server killed with SIGKILL during a burst of completions loses nothing (issue 11, point 7).

A real ``ipflow serve`` process on the PostgreSQL test database takes decisions on many cases
at once over HTTP (each decision writes a letter to the outbox with the state); it is killed
mid-burst, started again, and the database is checked case by case: every case is before or
after its step, never between (its stored workflow waits exactly where its task rows say), a
letter exists only for a decision that was saved, and the restarted server takes the rest.

PostgreSQL only (the scale path with several processes); on SQLite the suite skips it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from sqlalchemy import func, select

from cli.serve import free_port
from engine import demo
from engine.kernel import spiff
from engine.kernel.db import Database
from engine.kernel.models import Case, Outbox, Task
from engine.kernel.vocabulary import TaskState
from engine.runtime.case_run import CaseRun
from engine.runtime.users import SYSTEM, get_actor
from tests.support.commands import ROOT, ipflow_command

CASES = 24
CLIENTS = 6
DECISION = {"long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
            "approved": True, "approved_ip": True, "service_area": "helse",
            "assessment_reasoning": "Vilkårene er oppfylt."}


class Server:
    """``ipflow serve`` as its own process on the test database."""

    def __init__(self, db: Database) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*ipflow_command(), "serve", "--port", str(self.port)], cwd=ROOT,
            env={**os.environ, "DATABASE_URL": db.url}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.origin}/login", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def call(self, path: str, body: dict[str, Any], token: str | None = None) -> int:
        request = urllib.request.Request(  # noqa: S310  (our own server on 127.0.0.1)
            f"{self.origin}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                status: int = response.status
                return status
        except urllib.error.HTTPError as error:
            return error.code

    def token(self, username: str) -> str:
        request = urllib.request.Request(  # noqa: S310
            f"{self.origin}/api/v1/login", method="POST",
            data=json.dumps({"username": username, "password": demo.PASSWORD}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            token: str = json.loads(response.read())["token"]
            return token

    def kill(self) -> None:
        """SIGKILL to gunicorn's master and its workers at once, as when the machine dies (a
        master killed alone leaves its workers to finish what they hold)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def decision_task(db: Database, case_id: int) -> Task:
    with db.reading() as session:
        task = session.scalars(select(Task).where(Task.case_id == case_id,
                                                  Task.bpmn_id == "assess_report")).one()
        session.expunge(task)
        return task


def letters(db: Database, case_id: int) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(Outbox.id)).where(Outbox.case_id == case_id)) or 0


def waits_where_its_rows_say(db: Database, case_id: int) -> bool:
    """The stored workflow's ready user tasks are exactly the case's open task rows."""
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        workflow = CaseRun(session, case, SYSTEM).load_workflow()
        ready = {str(task.id) for task in spiff.ready_user_tasks(workflow)}
        rows = set(session.scalars(select(Task.spiff_id).where(
            Task.case_id == case_id, Task.state == TaskState.READY)))
        return ready == rows


def test_a_server_killed_mid_burst_leaves_every_case_before_or_after_its_step(
        pg: Database) -> None:
    actor = get_actor(pg, "koordinator")
    cases = [demo.report(pg, actor, "23074820085") for _ in range(CASES)]
    before = {case_id: letters(pg, case_id) for case_id in cases}
    tasks = {case_id: decision_task(pg, case_id).id for case_id in cases}

    server = Server(pg)
    try:
        token = server.token("systemkoordinator")
        answered: list[int] = []
        queue = list(cases)
        lock = threading.Lock()

        def client() -> None:
            while True:
                with lock:
                    if not queue:
                        return
                    case_id = queue.pop()
                try:
                    status = server.call(f"/tasks/{tasks[case_id]}/complete",
                                         {"data": DECISION, "claim": True}, token)
                except OSError:  # the server is gone: this decision's fate is unknown
                    return
                with lock:
                    answered.append(status)

        clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        while len(answered) < CASES // 3:
            time.sleep(0.01)
        server.kill()
        for thread in clients:
            thread.join(timeout=60)
        assert all(status == 200 for status in answered), answered
    finally:
        server.stop()

    decided = [c for c in cases if decision_task(pg, c).state == TaskState.COMPLETED]
    waiting = [c for c in cases if decision_task(pg, c).state == TaskState.READY]
    assert sorted(decided + waiting) == sorted(cases), "each case before or after its step"
    assert len(answered) <= len(decided) < CASES, (len(answered), len(decided))
    for case_id in cases:
        assert waits_where_its_rows_say(pg, case_id), case_id
    for case_id in decided:
        assert letters(pg, case_id) > before[case_id], "a saved decision has its letter"
    for case_id in waiting:
        assert letters(pg, case_id) == before[case_id], "no letter for an unsaved decision"

    restarted = Server(pg)
    try:
        token = restarted.token("systemkoordinator")
        for case_id in waiting:
            assert restarted.call(f"/tasks/{tasks[case_id]}/complete",
                                  {"data": DECISION, "claim": True}, token) == 200
    finally:
        restarted.stop()
    assert all(decision_task(pg, c).state == TaskState.COMPLETED for c in cases)
