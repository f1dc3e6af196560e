"""A family granted a barnekoordinator is reported to KPR as ``barnekoordinator``, not as
``koordinator`` (handlers/kpr.py says why: one appointment, one period), from the day the
barnekoordinator is appointed until the coordinator changes or the case closes, exactly as a
koordinator period. An adult's case keeps its koordinator period.

Each case runs through the API and the engine on a frozen clock, on SQLite or PostgreSQL as
the suite runs; the periods are read back from the export (format ipflow-kpr v1).
"""

from __future__ import annotations

import json
from datetime import timedelta

from engine.features import kpr
from engine.kernel.db import Database
from tests.support.flows import Flow
from tests.support.people import OLA

SANDER = "20111550027"  # Sander Lie, born 20 November 2015: 10 at the report
PARENTS = [{"name": "Hanne Lie", "parental_responsibility": True, "contact": "hanne@example.no"},
           {"name": "Geir Lie", "parental_responsibility": True, "contact": "geir@example.no"}]
BOTH_PARENTS = [{"name": "Hanne Lie", "relation": "foresatt"},
                {"name": "Geir Lie", "relation": "foresatt"}]
COORDINATOR = "koordinator_oppvekst"


def barnekoordinator_appointed(flow: Flow, requests: tuple[str, ...] = ("ip", "barnekoordinator")
                               ) -> str:
    """Report Sander with both parents, grant what is asked, appoint the barnekoordinator and
    summon; the case waits for consent. The day of the appointment, ISO."""
    flow.report("systemkoordinator", SANDER, citizen_name="Sander Lie", guardians=PARENTS,
                requests=requests)
    flow.wait(days=1)
    parts = {f"approved_{'coordinator' if part == 'koordinator' else part}": True
             for part in requests}
    flow.approve("oppvekst", **parts)
    flow.wait(days=1)
    appointed_on = flow.today.isoformat()
    flow.appoint(COORDINATOR, user="fagleder_oppvekst")
    flow.train()
    flow.summon(flow.now + timedelta(days=7))
    flow.wait(days=7)
    return appointed_on


def consented(flow: Flow) -> None:
    flow.consent(COORDINATOR, given_by=BOTH_PARENTS,
                 child_view="Vil ha fysioterapi etter skoletid.")


def test_a_granted_barnekoordinator_is_a_barnekoordinator_period_until_the_case_closes(
        flow: Flow, db: Database) -> None:
    appointed_on = barnekoordinator_appointed(flow)
    assert flow.kpr_periods("barnekoordinator") == [(appointed_on, "")]
    assert flow.kpr_periods("koordinator") == []

    # The parents want neither a plan nor the barnekoordinator any more: the case closes.
    flow.consent(COORDINATOR, given_by=BOTH_PARENTS, child_view="Vil helst være i fred.",
                 consent_to_plan=False, wants_coordinator=False)
    assert flow.status() == "completed"
    assert flow.kpr_periods("barnekoordinator") == [(appointed_on, flow.today.isoformat())]
    assert flow.kpr_periods("koordinator") == [] == flow.kpr_periods("individuell_plan")
    [told] = [p for p in json.loads(kpr.export(db).text)["perioder"] if p["sak"] == flow.case_id]
    assert (told["tjeneste"], told["fodselsnummer"]) == ("barnekoordinator", SANDER)
    assert (told["startdato"], told["sluttdato"]) == (appointed_on, flow.today.isoformat())


def test_a_child_granted_both_coordinators_has_one_barnekoordinator_period(flow: Flow) -> None:
    appointed_on = barnekoordinator_appointed(flow, ("ip", "koordinator", "barnekoordinator"))
    consented(flow)
    flow.describe_goals(COORDINATOR)
    flow.establish_plan(COORDINATOR, flow.today + timedelta(days=365))
    assert flow.kpr_periods("barnekoordinator") == [(appointed_on, "")]
    assert flow.kpr_periods("koordinator") == []
    assert flow.kpr_periods("individuell_plan") == [(flow.today.isoformat(), "")]


def test_a_new_barnekoordinator_ends_the_period_and_starts_another(flow: Flow) -> None:
    appointed_on = barnekoordinator_appointed(flow)
    consented(flow)
    flow.describe_goals(COORDINATOR)
    flow.establish_plan(COORDINATOR, flow.today + timedelta(days=365))
    flow.wait(days=30)
    flow.message("coordinator_change", COORDINATOR, {"reason": "Går over i en annen stilling."})
    flow.wait(days=1)
    changed_on = flow.today.isoformat()
    flow.appoint("koordinator", user="fagleder_oppvekst", bpmn_id="appoint_new_coordinator")
    assert flow.case()["coordinator"] == "koordinator"
    assert flow.kpr_periods("barnekoordinator") == [(appointed_on, changed_on),
                                                    (changed_on, "")]
    assert flow.kpr_periods("koordinator") == []
    kinds = [e["data"]["service"] for e in flow.events("kpr_start")]
    assert "koordinator" not in kinds and kinds.count("barnekoordinator") == 2


def test_an_adults_coordinator_is_still_a_koordinator_period(flow: Flow) -> None:
    flow.to_consent(OLA)
    appointed_on = (flow.today - timedelta(days=7)).isoformat()
    assert flow.kpr_periods("koordinator") == [(appointed_on, "")]
    assert flow.kpr_periods("barnekoordinator") == []
    flow.consent("koordinator", wants_ip=True, consent_to_plan=False, wants_coordinator=False)
    assert flow.status() == "completed"
    assert flow.kpr_periods("koordinator") == [(appointed_on, flow.today.isoformat())]
    assert {e["data"]["service"] for e in flow.events("kpr_end")} == {"ip", "koordinator"}
