"""What a closed case costs on disk, table by table (``ipflow bench storage``); beside its
command because it drives the demo's people, which only the command line and tests may use.

Cases are driven through the engine the way people take them: a report, approved, a
coordinator appointed, consent, goals and a plan, one follow-up meeting, then ended at the
citizen's request two months later, with the worker delivering what they sent. The bytes are
SQLite's own count of what each table and its indexes hold (``dbstat``: the rows' payload,
without the free space in pages), before and after, divided by the number of cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

import processes
from engine import demo
from engine.features import case_messages, deploy, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime.users import SYSTEM, get_actor

# The citizen of the demo's case in follow-up (the coordinator consents on their behalf),
# each case under another name.
NIN = list(demo.CITIZENS)[3]
# A login's token and throttle rows are the people's, not the case's.
NOT_CASE_DATA = {"api_token", "login_throttle"}


@dataclass(frozen=True)
class StorageResult:
    cases: int
    bytes_per_case: dict[str, float]
    """Per table (its indexes included), only the tables the cases wrote to."""

    @property
    def total(self) -> float:
        return sum(self.bytes_per_case.values())


def table_bytes(db: Database) -> dict[str, int]:
    """The payload bytes each table holds with its indexes (SQLite's ``dbstat``)."""
    with db.reading() as session:
        owner: dict[str, str] = dict(session.execute(text(
            "SELECT name, tbl_name FROM sqlite_master")).all())
        sizes: dict[str, int] = {}
        for name, payload in session.execute(text(
                "SELECT name, SUM(payload) FROM dbstat GROUP BY name")).all():
            table = owner.get(name, name)
            sizes[table] = sizes.get(table, 0) + int(payload or 0)
        return sizes


def closed_case(db: Database, number: int) -> int:
    """One case from report to its end, on a clock that moves as the procedure does."""
    staff = {name: get_actor(db, name) for name in ("systemkoordinator", "fagleder",
                                                     "koordinator")}
    start = clock.now()
    with clock.frozen_at(start):
        case_id = demo.report(db, staff["koordinator"], NIN, name=f"Lagring {number}")
        demo.approve(db, staff, case_id, "helse")
        demo.appoint(db, staff, case_id)
    with clock.frozen_at(start + timedelta(days=7)):
        demo.consent(db, staff["koordinator"], case_id, wants_ip=True)
        demo.establish_plan(db, staff["koordinator"], case_id)
    with clock.frozen_at(start + timedelta(days=30)) as now:
        demo.do(db, staff["koordinator"], case_id, "follow_up", {
            "meeting_date": now.date().isoformat(), "minutes": "Planen følges.",
            "meeting_participants": ["Innbygger", "Koordinator"], "action_items": [{
                "description": "Søke BPA", "owner": "Koordinator",
                "deadline": (now.date() + timedelta(days=30)).isoformat()}]})
    with clock.frozen_at(start + timedelta(days=60)) as now:
        case_messages.send_message(db, case_id, "end_requested",
                                   {"reason": "Klarer meg selv nå."}, staff["koordinator"])
        worker.run_once(db, lambda _row: None, now)
    return case_id


def fresh_database(path: Path) -> Database:
    """An SQLite file with the schema, the shipped diagrams and the demo's users."""
    db = Database(f"sqlite:///{path}")
    db.migrate()
    for diagram in processes.diagram_paths():
        deploy.deploy(db, diagram.read_bytes(), SYSTEM)
    demo.seed_users(db)
    return db


def measure(db: Database, cases: int, advance: Callable[[], None]) -> StorageResult:
    before = table_bytes(db)
    for number in range(cases):
        closed_case(db, number)
        advance()
    after = table_bytes(db)
    grown = {table: (size - before.get(table, 0)) / cases for table, size in after.items()
             if size != before.get(table, 0) and table not in NOT_CASE_DATA}
    return StorageResult(cases, dict(sorted(grown.items(), key=lambda item: -item[1])))
