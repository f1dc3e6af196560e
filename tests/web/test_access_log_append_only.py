"""The access log (innsynslogg) is append-only through the app: during a whole scenario (a case
from report to its second evaluation, reads through the pages, the API, the PDFs and the CSVs,
the worker, retention, innsyn and cancelling) the database is asked to insert access log rows
and never to change or delete one. Every statement is watched where it reaches the database
driver, so ORM flushes, bulk statements and raw SQL are all seen."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select

from engine.features import case_queries, interventions, retention, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import AccessLog, Attachment
from engine.runtime.users import Actor, get_actor
from tests.support.api import Api
from tests.support.cases import at_second_evaluation, closed_case
from tests.support.clock import T0
from tests.support.pages import Browser
from tests.support.people import OLA, PER

WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?access_log\"?\b", re.I)


@pytest.fixture()
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement that writes to ``access_log`` while the test runs: its verb."""
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        found = WRITE.match(sql)
        if found:
            seen.append(found.group(1).split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", watch)
    yield seen
    event.remove(db.engine, "before_cursor_execute", watch)


def test_no_route_or_engine_call_changes_or_deletes_an_access_log_row(
        db: Database, staff: dict[str, Actor], web: Callable[[str], Browser], api: Api,
        statements: list[str]) -> None:
    with clock.frozen_at(T0):
        case_id = at_second_evaluation(db, staff)
        with db.reading() as session:
            attachment = session.scalar(select(Attachment.id).where(
                Attachment.case_id == case_id))
        enhet, koordinator, leder = web("systemkoordinator"), web("koordinator"), web("leder")
        for path in (f"/cases/{case_id}", f"/cases/{case_id}/access-log", f"/cases?q={OLA}"):
            enhet.get(path)
            koordinator.get(path, expect=None)
        for path in (f"/cases/{case_id}/plan.pdf", f"/cases/{case_id}/attachments/{attachment}"):
            assert enhet.client.get(path).status_code == 200
        for path in (f"/cases/{case_id}", f"/cases/{case_id}/documents",
                     f"/cases/{case_id}/plan", "/tasks"):
            api.get(path, "koordinator")
        leder.post("/innsyn/innsynslogg.csv", {"nin": OLA}, expect=200)
        leder.post("/innsyn/innsyn.zip", {"nin": OLA}, expect=200)
        api.post("/innsyn/access-log", "leder", {"nin": OLA})
        interventions.cancel_case(db, case_id, "Flyttet.", get_actor(db, "leder"))
    closed_case(db, staff, PER, T0 + timedelta(days=60))
    later: datetime = T0 + timedelta(days=365 * 11)
    worker.run_once(db, lambda _row: None, now=later)
    retention.run(db, later, 1)

    assert "INSERT" in statements  # the watch sees the log being written
    assert set(statements) == {"INSERT"}


def test_the_watch_sees_a_change_and_a_delete(db: Database, staff: dict[str, Actor],
                                              statements: list[str]) -> None:
    """What the scenario above would have caught: an ORM change and a bulk delete."""
    case_id = closed_case(db, staff, PER, T0)
    case_queries.get_case(db, case_id, staff["systemkoordinator"])
    with db.transaction() as session:
        entry = session.scalars(select(AccessLog).where(AccessLog.case_id == case_id)).first()
        assert entry is not None
        entry.what = "tidied"
    with db.transaction() as session:
        session.execute(delete(AccessLog).where(AccessLog.case_id == case_id))
    assert statements == ["INSERT", "UPDATE", "DELETE"]
