"""Reads are logged once: every route that reads a case's personal data (pages, API, PDFs,
the innsyn CSV and zip) writes exactly one access log row for that case per request, for each
reader it answers; a route that shows none (lists, the monitor's CSV, the legal events on offer)
writes none, and a refusal writes none. Every route that names a case or a task has a row here,
so a new one must say whether it is a read."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy import func, select

from engine.kernel.db import Database
from engine.kernel.models import AccessLog, Attachment, Task
from engine.kernel.vocabulary import TaskState
from engine.runtime.users import Actor
from tests.support.api import Api
from tests.support.cases import at_second_evaluation
from tests.support.pages import Browser
from tests.support.people import OLA

ENHET, LEDER, KOORDINATOR = "systemkoordinator", "leder", "koordinator"

# (endpoint, path, {reader: (status, rows written)}); {case}, {task}, {file}, {event} filled in.
PAGES: list[tuple[str, str, dict[str, tuple[int, int]]]] = [
    ("cases.case", "/cases/{case}", {ENHET: (200, 1), LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    # who has read the case is not the case's personal data: reading the log is not logged
    ("cases.access_log", "/cases/{case}/access-log",
     {ENHET: (200, 0), LEDER: (404, 0), KOORDINATOR: (404, 0)}),
    # the leder may see the plan but not revise it: the form is refused before the plan is read
    ("plan.revise", "/cases/{case}/plan",
     {ENHET: (200, 1), LEDER: (403, 0), KOORDINATOR: (200, 1)}),
    ("plan.plan_pdf", "/cases/{case}/plan.pdf",
     {ENHET: (200, 1), LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    ("events.attachment", "/cases/{case}/attachments/{file}",
     {ENHET: (200, 1), LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    # the event's form and what it leads to: from the diagram, no personal data
    ("events.event", "/cases/{case}/events/{event}",
     {ENHET: (200, 0), LEDER: (302, 0), KOORDINATOR: (200, 0)}),
    ("tasks.task", "/tasks/{task}", {ENHET: (403, 0), LEDER: (403, 0), KOORDINATOR: (200, 1)}),
    ("monitor.case", "/monitor/cases/{case}",
     {ENHET: (200, 1), LEDER: (200, 1), KOORDINATOR: (403, 0)}),
    # a look-up by fødselsnummer is logged on each case it finds (README: /cases)
    ("case_list.cases", "/cases?q=" + OLA,
     {ENHET: (200, 1), LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    ("monitor.stuck_csv", "/monitor/stuck.csv",
     {ENHET: (200, 0), LEDER: (200, 0), KOORDINATOR: (403, 0)}),
]
API: list[tuple[str, str, dict[str, tuple[int, int]]]] = [
    ("api.get_case", "/cases/{case}", {LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    ("api.list_documents", "/cases/{case}/documents", {LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    ("api.list_events", "/cases/{case}/events", {LEDER: (200, 0), KOORDINATOR: (200, 0)}),
    ("api.case_incident", "/cases/{case}/incident", {LEDER: (200, 0), KOORDINATOR: (403, 0)}),
    ("api.get_plan", "/cases/{case}/plan", {LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    ("api.get_task", "/tasks/{task}", {LEDER: (200, 1), KOORDINATOR: (200, 1)}),
    ("api.get_draft", "/tasks/{task}/draft", {LEDER: (403, 0), KOORDINATOR: (404, 0)}),
]
POSTS: list[tuple[str, str, dict[str, tuple[int, int]]]] = [
    ("innsyn.access_log", "/innsyn/innsynslogg.csv", {LEDER: (200, 1), KOORDINATOR: (403, 0)}),
    ("innsyn.export", "/innsyn/innsyn.zip", {LEDER: (200, 1), KOORDINATOR: (403, 0)}),
    ("api.innsyn_access_log", "/innsyn/access-log", {LEDER: (200, 1), KOORDINATOR: (403, 0)}),
    ("api.innsyn_export", "/innsyn/export", {LEDER: (200, 1), KOORDINATOR: (403, 0)}),
]


def _logged(db: Database, case_id: int) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.case_id == case_id)) or 0


def test_every_read_is_logged_once_and_nothing_else_is(
        db: Database, staff: dict[str, Actor], web: Callable[[str], Browser], api: Api,
        frozen: datetime) -> None:
    case_id = at_second_evaluation(db, staff)
    with db.reading() as session:
        names = {"case": case_id, "file": session.scalar(select(Attachment.id).where(
            Attachment.case_id == case_id)), "task": session.scalar(select(Task.id).where(
                Task.case_id == case_id, Task.state == TaskState.READY))}
    names["event"] = api.get(f"/cases/{case_id}/events", KOORDINATOR)["events"][0]["message"]
    found: dict[tuple[str, str], tuple[int, int]] = {}
    expected: dict[tuple[str, str], tuple[int, int]] = {}

    def probe(endpoint: str, reader: str, request: Callable[[], int]) -> None:
        before = _logged(db, case_id)
        status = request()
        found[(endpoint, reader)] = (status, _logged(db, case_id) - before)

    for endpoint, path, outcomes in PAGES:
        for reader, outcome in outcomes.items():
            expected[(endpoint, reader)] = outcome
            probe(endpoint, reader, lambda r=reader, p=path: web(r).client.get(
                p.format(**names)).status_code)
    for endpoint, path, outcomes in API:
        for reader, outcome in outcomes.items():
            expected[(endpoint, reader)] = outcome
            probe(endpoint, reader, lambda r=reader, p=path: api.client.get(
                "/api/v1" + p.format(**names),
                headers={"Authorization": f"Bearer {api.token(r)}"}).status_code)
    for endpoint, path, outcomes in POSTS:
        for reader, outcome in outcomes.items():
            expected[(endpoint, reader)] = outcome
            if endpoint.startswith("api."):
                probe(endpoint, reader, lambda r=reader, p=path: api.client.post(
                    "/api/v1" + p, json={"nin": OLA},
                    headers={"Authorization": f"Bearer {api.token(r)}"}).status_code)
            else:
                probe(endpoint, reader, lambda r=reader, p=path: web(r).post(
                    p, {"nin": OLA}, expect=None).status_code)

    assert found == expected


def test_every_route_that_names_a_case_or_a_task_has_a_row(web_app: Flask) -> None:
    listed = {endpoint for endpoint, _path, _outcomes in PAGES + API + POSTS}
    naming = {rule.endpoint for rule in web_app.url_map.iter_rules()
              if re.search(r"<(int:)?(case_id|task_id)>", rule.rule) and "GET" in rule.methods}
    assert naming - listed == set()
    assert listed <= {rule.endpoint for rule in web_app.url_map.iter_rules()}
