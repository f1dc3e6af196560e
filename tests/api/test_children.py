"""Children and young people, and the fødselsnummer, end to end through the JSON API.

Age is a fact of the moment (the engine clock), not of the report: who may consent is decided
when each consent is given. The fødselsnummer is checked against the same clock, typed with or
without spaces, and D-numbers count like fødselsnumre.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.db import Database
from tests.api.flows import Flow
from tests.conftest import Api

D_NUMBER = "52038500023"  # D-nummer: born 12 March 1985 (day raised by 40)
BORN_JUNE_2026 = "01062650075"  # born 1 June 2026, after the scenarios' first day


@pytest.fixture()
def flow(api: Api, db: Database, tmp_path: Path) -> Iterator[Flow]:
    flow = Flow(api, db, tmp_path / "outbox")
    yield flow
    flow.close()


def reported(flow: Flow) -> dict[str, object]:
    """The report's data as the first task sees it."""
    return flow.task("assess_report", "systemkoordinator")["data"]


# ------------------------------------------------------------------------ fødselsnummer


def test_a_birth_date_after_today_is_refused_until_it_has_passed(flow: Flow) -> None:
    refused = flow.report("systemkoordinator", BORN_JUNE_2026, citizen_name="Nyfødt Berg",
                          expect=422)
    assert "frem i tid" in refused["errors"]["citizen_nin"]
    assert flow.api.get("/tasks", "systemkoordinator")["tasks"] == []

    flow.wait(days=92)  # 2 June 2026: the child is born
    flow.report("systemkoordinator", BORN_JUNE_2026, citizen_name="Nyfødt Berg")
    assert reported(flow)["citizen_birth_date"] == "2026-06-01"


def test_spaces_in_the_number_are_removed_before_it_is_stored(flow: Flow) -> None:
    flow.report("systemkoordinator", " 150585 10170 ", citizen_name="Kari Nordmann")
    assert reported(flow)["citizen_nin"] == "15058510170"
    assert flow.case()["citizen_nin"] == "15058510170"
    [started] = flow.events("case_started")
    assert started["data"]["data"]["citizen_nin"] == "15058510170"


def test_a_d_number_is_accepted_with_its_birth_date(flow: Flow) -> None:
    flow.report("systemkoordinator", D_NUMBER, citizen_name="Jonas Kowalski")
    data = reported(flow)
    assert data["citizen_nin"] == D_NUMBER
    assert data["citizen_birth_date"] == "1985-03-12" and data["citizen_under_16"] is False
