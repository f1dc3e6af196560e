"""Innsyn (``engine.features.innsyn``): everything about one person as one zip, their access
log, both for the leder only and both logged as reads. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from sqlalchemy import select

from engine import demo
from engine.features import case_queries, innsyn, overview
from engine.features.audience import STAFF_ONLY_EVENTS
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden, InvalidData
from engine.kernel.models import AccessLog, Event
from engine.kernel.vocabulary import EventKind
from engine.runtime.users import Actor, get_actor
from tests.support.cases import at_second_evaluation
from tests.support.clock import T0
from tests.support.people import KARI, OLA

MESSAGE = "Hjelpemidlene kommer på fredag."


def _ola_and_kari(db: Database, staff: dict[str, Actor]) -> tuple[int, int]:
    with clock.frozen_at(T0):
        ola = at_second_evaluation(db, staff)
        overview.post_message(db, ola, MESSAGE, staff["koordinator"])
        case_queries.get_case(db, ola, staff["koordinator"])
        kari = demo.report(db, staff["koordinator"], KARI)
    return ola, kari


def _unzip(content: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("innsyn.json")), files


def test_the_export_holds_everything_about_the_person_and_nothing_about_others(
        db: Database, staff: dict[str, Actor]) -> None:
    ola, kari = _ola_and_kari(db, staff)
    leder = get_actor(db, "leder")

    content, files = _unzip(innsyn.export(db, f"{OLA[:6]} {OLA[6:]}", leder))

    assert content["nin"] == OLA and content["made_by"] == "leder"
    assert [case["id"] for case in content["cases"]] == [ola]
    case = content["cases"][0]
    assert case["citizen_name"] == demo.CITIZENS[OLA]
    assert case["data"]["citizen_nin"] == OLA
    assert case["plan"]["current"] and len(case["plan"]["revisions"]) >= 1
    assert case["plan"]["action_items"]
    assert [m["body"] for m in case["messages"]] == [MESSAGE]
    assert case["consents"] and case["kpr"]
    # the history the citizen may see: no staff-only kinds, though the case has some
    kinds = {event["kind"] for event in case["history"]}
    with db.reading() as session:
        all_kinds = set(session.scalars(select(Event.kind).where(Event.case_id == ola)))
    assert all_kinds & STAFF_ONLY_EVENTS and not kinds & STAFF_ONLY_EVENTS
    assert EventKind.CASE_STARTED in kinds
    # every document with its files, and the files are the PDFs as sent
    named = [name for document in case["documents"] for name in document["files"]]
    assert named and sorted(named) == sorted(files)
    assert all(files[name][:5] == b"%PDF-" for name in named)
    # who read the data, the export itself included
    reads = {(r["username"], r["what"]) for r in content["access_log"]}
    assert ("koordinator", "case") in reads and ("leder", innsyn.EXPORT_READ) in reads
    assert KARI not in json.dumps(content) and demo.CITIZENS[KARI] not in json.dumps(content)
    with db.reading() as session:
        logged = list(session.scalars(select(AccessLog.case_id).where(
            AccessLog.what == innsyn.EXPORT_READ, AccessLog.username == "leder")))
    assert logged == [ola]


def test_the_access_log_names_every_reader_and_logs_itself(
        db: Database, staff: dict[str, Actor]) -> None:
    ola, _kari = _ola_and_kari(db, staff)
    leder = get_actor(db, "leder")

    reads = innsyn.access_log(db, OLA, leder)

    assert {r.case_id for r in reads} == {ola}
    assert [r.at for r in reads] == sorted(r.at for r in reads)
    first = next(r for r in reads if r.username == "koordinator")
    assert first.full_name == staff["koordinator"].full_name and first.what == "case"
    assert (reads[-1].username, reads[-1].what) == ("leder", innsyn.ACCESS_LOG_READ)


def test_only_the_leder_asks_and_the_number_must_be_one(
        db: Database, staff: dict[str, Actor]) -> None:
    _ola_and_kari(db, staff)
    for name in ("koordinator", "systemkoordinator", "fagleder", "innbygger"):
        with pytest.raises(Forbidden):
            innsyn.export(db, OLA, staff[name])
        with pytest.raises(Forbidden):
            innsyn.access_log(db, OLA, staff[name])
    with pytest.raises(InvalidData):
        innsyn.export(db, "1234", get_actor(db, "leder"))
    with db.reading() as session:
        assert session.scalar(select(AccessLog.id).where(
            AccessLog.what.in_([innsyn.EXPORT_READ, innsyn.ACCESS_LOG_READ]))) is None
