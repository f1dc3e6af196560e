"""The KPR export (format ipflow-kpr, docs/integrations.md): its fields and version, what an
export marks as reported, and a period ended afterwards showing as not yet reported again.

Each test follows one case through the API on a frozen clock, on SQLite or PostgreSQL as the
suite runs.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from engine.features import interventions, kpr
from engine.kernel.db import Database
from engine.kernel.errors import Forbidden
from engine.runtime.users import Actor, get_actor
from tests.support.flows import Flow
from tests.support.people import OLA


def appointed(flow: Flow) -> None:
    """A case whose coordinator period has started (the consent task is open)."""
    flow.to_consent(OLA, requests=("ip",))
    assert [to for _, to in flow.kpr_periods("koordinator")] == [""]


def ended(flow: Flow) -> None:
    """No consent to the plan: the case closes and the coordinator period ends today."""
    flow.consent("koordinator", wants_ip=True, consent_to_plan=False)
    assert [to for _, to in flow.kpr_periods("koordinator")] == [flow.today.isoformat()]


def test_json_names_format_version_and_the_kpr_fields(flow: Flow, db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_NUMBER", "4601")
    appointed(flow)
    document = json.loads(kpr.export(db, "json").text)
    assert (document["format"], document["versjon"]) == ("ipflow-kpr", 1)
    assert document["kommunenummer"] == "4601"
    [period] = document["perioder"]
    assert tuple(period) == kpr.FIELDS
    assert period["fodselsnummer"] == OLA and period["tjeneste"] == "koordinator"
    appointed_on = flow.today - timedelta(days=7)  # to_consent waits a week for the meeting
    assert period["startdato"] == appointed_on.isoformat() and period["sluttdato"] is None
    assert (period["kommunenummer"], period["sak"]) == ("4601", flow.case_id)


def test_csv_has_the_same_fields_with_format_and_version_on_each_row(flow: Flow,
                                                                     db: Database) -> None:
    appointed(flow)
    text = kpr.export(db, "csv").text
    assert text.splitlines()[0] == ",".join(kpr.COLUMNS)
    assert ("format", "versjon", *kpr.FIELDS) == kpr.COLUMNS
    [row] = csv.DictReader(io.StringIO(text))
    from_json = json.loads(kpr.export(db, "json").text)["perioder"][0]
    assert (row["format"], row["versjon"]) == ("ipflow-kpr", "1")
    assert row["sluttdato"] == "" and from_json["sluttdato"] is None
    assert {k: row[k] for k in kpr.FIELDS if k != "sluttdato"} == {
        k: str(from_json[k]) for k in kpr.FIELDS if k != "sluttdato"}
    assert row["kommunenummer"] == "9999"  # the demo's: no real municipality has it


def test_an_export_marks_and_an_ended_period_is_unreported_again(flow: Flow,
                                                                  db: Database) -> None:
    appointed(flow)
    leder = get_actor(db, "leder")
    assert kpr.unreported(db, leder).count == 1
    first = kpr.export(db)
    assert kpr.mark_reported(db, first.periods) == 1
    status = kpr.unreported(db, leder)
    assert (status.count, status.periods) == (0, ())
    assert status.last_reported is not None
    assert json.loads(kpr.export(db).text)["perioder"] == []  # nothing new to report
    assert len(json.loads(kpr.export(db, everything=True).text)["perioder"]) == 1

    flow.wait(days=3)
    ended(flow)
    [again] = kpr.unreported(db, leder).periods
    assert (again.periode, again.sluttdato) == (first.periods[0].periode, flow.today)
    [told] = json.loads(kpr.export(db).text)["perioder"]
    assert told["sluttdato"] == flow.today.isoformat()


def test_a_case_cancelled_from_the_monitor_reports_its_end(flow: Flow, db: Database) -> None:
    appointed(flow)
    leder = get_actor(db, "leder")
    kpr.mark_reported(db, kpr.export(db).periods)
    interventions.cancel_case(db, flow.case_id, "Meldt to ganger", leder)
    [again] = kpr.unreported(db, leder).periods
    assert again.sluttdato == flow.today


def test_a_period_that_ends_between_export_and_marking_stays_unreported(flow: Flow,
                                                                        db: Database) -> None:
    appointed(flow)
    written = kpr.export(db)
    ended(flow)
    assert kpr.mark_reported(db, written.periods) == 0  # KPR got the open period only
    assert kpr.unreported(db, get_actor(db, "leder")).count == 1


def test_only_oversight_sees_what_is_unreported(db: Database, staff: dict[str, Actor]) -> None:
    assert kpr.unreported(db, staff["systemkoordinator"]).count == 0
    for user in ("koordinator", "fagleder"):
        with pytest.raises(Forbidden):
            kpr.unreported(db, staff[user])


def test_a_municipality_number_that_is_not_four_digits_is_refused(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_NUMBER", "46O1")
    with pytest.raises(ValueError, match="IPFLOW_MUNICIPALITY_NUMBER"):
        kpr.export(db)
