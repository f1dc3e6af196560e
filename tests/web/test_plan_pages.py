"""The living plan on the pages: the case page shows the plan as it stands and its history (who,
when, what changed), the citizen's proposals with the coordinator's buttons, and action items
with status buttons; the meeting task shows the plan and the open items beside its form.

Revisions are made with the engine calls the API makes (``engine.features.plans``).
"""

from __future__ import annotations

from typing import Any

from engine.features import plans
from engine.runtime.users import get_actor
from tests.support.cast import ACTION_ITEM, DONE_ITEM, Cast
from tests.support.pages import text_of

PLAN = {"plan_goals": "Bo hjemme.", "plan_needs": "Hjemmetjenester.",
        "plan_participants": [{"name": "Fastlege", "role": "lege"}],
        "plan_measures": [{"description": "Fysioterapi", "scope": "ukentlig",
                           "responsible": "Fysioterapeut", "implementation": "Hjemme hos Kari"}],
        "plan_start": "2026-03-02", "revision_date": "2027-03-02",
        "plan_language": "Polsk", "plan_interpreter_needed": True}


def two_revisions(cast: Cast) -> None:
    """Two revisions after the one the diagram kept when the plan was established."""
    plans.revise_plan(cast.db, cast.case_id, PLAN, 1, cast.staff["koordinator"])
    plans.revise_plan(cast.db, cast.case_id, {"plan_cooperation": "NAV."}, 2,
                      cast.staff["systemkoordinator"])


def item_ids(cast: Cast) -> dict[str, int]:
    seen = plans.get_plan(cast.db, cast.case_id, cast.staff["systemkoordinator"])
    return {item["description"]: item["id"] for item in seen["action_items"]}


def test_case_page_shows_the_plan_and_its_history(cast: Cast, web: Any) -> None:
    two_revisions(cast)
    page = web("koordinator").get(f"/cases/{cast.case_id}")
    table = page.html.split('id="planhistorikk"')[1].split("</table>")[0]
    rows = [text_of(row) for row in table.split("<tbody>")[1].split("<tr>")[1:]]
    assert len(rows) == 3 and rows[0].strip().startswith("3 gjeldende")
    assert rows[1].strip().startswith("2 ") and rows[2].strip().startswith("1 ")
    assert "Siri Systemkoordinator (revidert)" in rows[0]
    assert "Samarbeid med andre etater og tjenesteytere" in rows[0]
    assert "(skrevet i oppgaven)" in rows[2]  # kept by the diagram when the plan was made
    assert "Mål" in rows[2] and "Tiltak" in rows[2]
    text = text_of(page.html)
    assert "Hjemme hos Kari" in text and "Polsk – trenger tolk" in text


def test_action_item_status_buttons_move_the_item(cast: Cast, web: Any) -> None:
    coordinator = web("koordinator")
    page = coordinator.get(f"/cases/{cast.case_id}")
    assert "Marker som pågår" in text_of(page.html)
    item = item_ids(cast)[ACTION_ITEM]
    response = coordinator.post(f"/cases/{cast.case_id}/action-items/{item}",
                                {"status": "pagar"})
    after = coordinator.follow(response)
    assert "Oppgaven er markert: Pågår." in text_of(after.html)
    seen = plans.get_plan(cast.db, cast.case_id, cast.staff["koordinator"])
    [moved] = [i for i in seen["action_items"] if i["id"] == item]
    assert (moved["status"], moved["changed_by"]) == ("pagar", "koordinator")

    fagleder = web("fagleder")
    assert "Marker som utført" not in text_of(fagleder.get(f"/cases/{cast.case_id}").html)
    refused = fagleder.follow(fagleder.post(f"/cases/{cast.case_id}/action-items/{item}",
                                            {"status": "utfort"}))
    assert "Bare koordinatoren og innbyggeren" in text_of(refused.html)


def test_the_meeting_task_shows_the_plan_and_open_items(cast: Cast, web: Any) -> None:
    two_revisions(cast)
    coordinator = web("koordinator")
    page = coordinator.get(f"/tasks/{cast.follow_up_task}")
    aside = text_of(page.html.split('class="card context"')[1])
    assert "Åpne oppgaver fra møtene" in aside and ACTION_ITEM in aside
    assert DONE_ITEM not in aside  # done items are not open
    assert "Gjeldende plan" in aside and "Hjemme hos Kari" in aside
    item = item_ids(cast)[ACTION_ITEM]
    back = coordinator.post(f"/cases/{cast.case_id}/action-items/{item}",
                            {"status": "utfort", "next": f"/tasks/{cast.follow_up_task}"})
    assert back.headers["Location"].endswith(f"/tasks/{cast.follow_up_task}")
    assert ACTION_ITEM not in text_of(coordinator.follow(back).html.split(
        'class="card context"')[1])


def test_the_coordinator_takes_a_proposal_into_the_plan(cast: Cast, web: Any) -> None:
    plans.revise_plan(cast.db, cast.case_id, PLAN, 1, cast.staff["koordinator"])
    citizen = get_actor(cast.db, "innbygger")
    proposal = plans.revise_plan(cast.db, cast.case_id, {"plan_goals": "Begynne på skole."},
                                 2, citizen, "Viktig for meg.")["proposal"]
    coordinator = web("koordinator")
    text = text_of(coordinator.get(f"/cases/{cast.case_id}").html)
    assert "Begynne på skole." in text and "Viktig for meg." in text
    assert "Ta inn i planen" in text
    assert "Ta inn i planen" not in text_of(web("innbygger").get(f"/cases/{cast.case_id}").html)
    path = f"/cases/{cast.case_id}/plan/proposals/{proposal['id']}"
    refused = coordinator.follow(coordinator.post(path, {"decision": "declined"}))
    assert "Skriv hvorfor forslaget ikke tas inn i planen." in text_of(refused.html)
    coordinator.post(path, {"decision": "accepted"})
    current = plans.get_plan(cast.db, cast.case_id, cast.staff["koordinator"])["current"]
    assert (current["number"], current["source"]) == (3, "proposal")
    assert current["content"]["plan_goals"] == "Begynne på skole."


def test_the_plan_is_revised_and_proposed_on_its_own_page(cast: Cast, web: Any) -> None:
    plans.revise_plan(cast.db, cast.case_id, PLAN, 1, cast.staff["koordinator"])
    coordinator = web("koordinator")
    assert "Revider planen" in text_of(coordinator.get(f"/cases/{cast.case_id}").html)
    form = coordinator.get(f"/cases/{cast.case_id}/plan")
    assert form.value("plan_goals") == "Bo hjemme."  # opens with the plan as it stands
    action = form.one("form", id="form-top").get("action")
    data = {**form.form_data(), "plan_goals": "Bo hjemme og gå på tur."}
    done = coordinator.post(action, data)
    assert done.headers["Location"].endswith(f"/cases/{cast.case_id}#plan")
    current = plans.get_plan(cast.db, cast.case_id, cast.staff["koordinator"])["current"]
    assert (current["number"], current["changed"]) == (3, ["plan_goals"])
    assert current["content"]["plan_measures"] == PLAN["plan_measures"]
    # The same form posted again was opened from revision 2: refused, nothing lost.
    stale = coordinator.post_page(action, {**data, "plan_goals": "Noe annet."}, expect=409)
    assert "siden du åpnet revisjon 2" in text_of(stale.html)
    assert stale.value("plan_goals") == "Noe annet."

    citizen = web("innbygger")
    assert "Foreslå endringer i planen" in text_of(citizen.get(f"/cases/{cast.case_id}").html)
    form = citizen.get(f"/cases/{cast.case_id}/plan")
    citizen.post(form.one("form", id="form-top").get("action"),
                 {**form.form_data(), "plan_needs": "Mer hjelp om kvelden."})
    seen = plans.get_plan(cast.db, cast.case_id, cast.staff["koordinator"])
    assert seen["current"]["number"] == 3
    assert seen["proposals"][0]["changes"] == {"plan_needs": "Mer hjelp om kvelden."}
    web("fagleder").get(f"/cases/{cast.case_id}/plan", expect=403)


def test_a_plan_draft_is_opened_again_until_the_plan_is_saved(cast: Cast, web: Any) -> None:
    coordinator = web("koordinator")
    form = coordinator.get(f"/cases/{cast.case_id}/plan")
    action = form.one("form", id="form-top").get("action")
    typed = {**form.form_data(), "plan_goals": "Bo hjemme og gå på tur.", "_action": "draft"}
    kept = coordinator.post_page(action, typed, expect=200)
    assert "Utkastet er lagret. Bare du ser det." in text_of(kept.html)
    again = coordinator.get(f"/cases/{cast.case_id}/plan")
    assert again.value("plan_goals") == "Bo hjemme og gå på tur."
    assert again.all(id="draft-note") and again.all(id="plan-moved-on") == []
    assert web("systemkoordinator").get(f"/cases/{cast.case_id}/plan").value(
        "plan_goals") != "Bo hjemme og gå på tur."  # nobody else sees my draft
    done = coordinator.post(action, {**again.form_data(), "plan_goals": "Bo hjemme."})
    assert done.headers["Location"].endswith(f"/cases/{cast.case_id}#plan")
    after = coordinator.get(f"/cases/{cast.case_id}/plan")
    assert after.value("plan_goals") == "Bo hjemme." and after.all(id="draft-note") == []


def test_a_draft_typed_on_an_older_plan_says_so_and_is_not_saved_over_it(
        cast: Cast, web: Any) -> None:
    coordinator = web("koordinator")
    form = coordinator.get(f"/cases/{cast.case_id}/plan")
    action = form.one("form", id="form-top").get("action")
    coordinator.post_page(action, {**form.form_data(), "plan_goals": "Mitt utkast.",
                                   "_action": "draft"}, expect=200)
    plans.revise_plan(cast.db, cast.case_id, {"plan_cooperation": "NAV."}, 1,
                      cast.staff["systemkoordinator"])
    again = coordinator.get(f"/cases/{cast.case_id}/plan")
    assert again.value("plan_goals") == "Mitt utkast."
    assert "Planen er endret etter at du begynte på utkastet" in text_of(again.html)
    stale = coordinator.post_page(again.one("form", id="form-top").get("action"),
                                  again.form_data(), expect=409)
    assert "siden du åpnet revisjon 1" in text_of(stale.html)
    assert stale.value("plan_goals") == "Mitt utkast."
    seen = coordinator.get(again.by_id("use-new-plan").get("href"))  # "I have seen it"
    assert seen.value("plan_goals") == "Mitt utkast." and seen.all(id="plan-moved-on") == []
    discarded = coordinator.post(seen.one("form", id="form-top").get("action"),
                                 {**seen.form_data(), "_action": "discard_draft"})
    fresh = coordinator.follow(discarded)
    assert "Utkastet er slettet." in text_of(fresh.html)
    assert fresh.value("plan_goals") != "Mitt utkast." and fresh.all(id="draft-note") == []
