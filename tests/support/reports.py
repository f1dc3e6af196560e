"""Reports of need and assessments as the API tests send them, and a check that a refused
request changed nothing (every table the engine writes, compared row by row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from engine import demo
from engine.kernel.db import Database
from engine.kernel.models import (
    Case,
    Document,
    Event,
    Incident,
    KprRecord,
    Outbox,
    ProcessVersion,
    Task,
    Timer,
)
from tests.support.api import Api

PROCESS = "ip_koordinator"
NIN = "23074820085"  # Ola Hansen: valid, and no login linked to it
BAD_CHECK_DIGIT_NIN = "23074820086"  # the same number with a wrong second check digit

# --------------------------------------------------------------------------- helpers


def report_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "citizen_name": "Ola Hansen", "citizen_nin": NIN, "reported_by": "parorende",
        "reporter_name": "Anne Melder", "requests": ["ip", "koordinator"],
        "need_description": "Trenger koordinerte tjenester."}
    data.update(changes)
    return data


def assessment_data(area: str = "helse", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "long_term_need": True, "two_or_more_services": True, "citizen_wants": True,
        "approved": True, "approved_ip": True, "service_area": area,
        "assessment_reasoning": "Vilkårene er oppfylt."}
    data.update(changes)
    return data


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an engine write could touch, in a comparable form."""
    with db.reading() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in (Case, Task, Event, Document, Incident, ProcessVersion, Outbox,
                                KprRecord, Timer)}
        cases = [tuple(row) for row in session.execute(
            select(Case.id, Case.version, Case.status, Case.coordinator, Case.service_area)
            .order_by(Case.id))]
        tasks = [tuple(row) for row in session.execute(
            select(Task.id, Task.state, Task.claimed_by, Task.assignee).order_by(Task.id))]
        incidents = [tuple(row) for row in session.execute(
            select(Incident.id, Incident.retries, Incident.resolved_at).order_by(Incident.id))]
    return {"counts": counts, "cases": cases, "tasks": tasks, "incidents": incidents}


@contextmanager
def unchanged(db: Database) -> Iterator[None]:
    """Assert that the block (a refused request) leaves the database as it was."""
    before = snapshot(db)
    yield
    assert snapshot(db) == before


def start_case(api: Api, user: str = "koordinator", **changes: Any) -> int:
    created = api.post("/cases", user, {"process": PROCESS, "data": report_data(**changes),
                                        "duplicate_reason": demo.SEVERAL_CASES}, expect=201)
    return int(created["id"])
