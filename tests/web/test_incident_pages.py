"""The incident panel on the case page and the monitor's case page: the failed element for
the diagram, the error in plain Norwegian with the technical text folded away, the case's
data, and the forms to correct a variable, retry, skip and move the case, each coming back to
the page it was posted from. Other roles see none of it."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable
from typing import Any

from engine.runtime.users import get_actor
from tests.support import incident_diagram as age
from tests.support.pages import Browser, inside

Web = Callable[[str], Browser]


def _incident_case(db: Any) -> int:
    age.deploy_age_process(db)
    return age.start_without_age(db, get_actor(db, "koordinator"))


def test_the_case_page_explains_the_failure_and_shows_the_data(db: Any, web: Web) -> None:
    case_id = _incident_case(db)
    page = web("leder").get(f"/cases/{case_id}")
    panel = inside(page, "feil")
    assert ("Saken stoppet ved «Er innbyggeren voksen?» (adult_gateway): steget skal velge vei "
            "ut fra opplysningen «alder», men saken har ikke denne opplysningen.") in panel
    [incident] = [d.get("id") for d in page.all("div") if d.get("data-element")]
    technical = inside(page, incident)
    assert "Teknisk feilmelding" in technical
    assert "Error evaluating expression 'alder >= 18'" in technical
    assert "NameError: name 'alder' is not defined" in technical
    html = page.response.get_data(as_text=True)
    block = re.search(r'id="bpmn-failed-elements">(.*?)</script>', html, flags=re.S)
    assert block and json.loads(block.group(1)) == ["adult_gateway"]
    assert "Kari Nordmann" in panel and "Mangler" in panel
    assert page.options("variable")[0] == ("alder", "alder (mangler)")
    assert not [f for f in page.all("form") if f.get("id", "").startswith("skip-")]  # a gateway
    assert page.all("form", id="move-case") == []  # no newer version yet


def test_correct_then_retry_from_the_case_page(db: Any, web: Web) -> None:
    case_id = _incident_case(db)
    browser = web("systemkoordinator")
    page = browser.get(f"/cases/{case_id}")
    data = page.form_data("correct-variable")
    data.update(value="20", reason="Alder oppgitt på telefon")
    corrected = browser.follow(browser.post(page.by_id("correct-variable").get("action"), data))
    assert "Opplysningen «alder» er rettet" in corrected
    assert "Rettet opplysningen «alder» fra (manglet) til 20. Begrunnelse: Alder oppgitt på " \
           "telefon" in corrected
    retry = next(f for f in corrected.all("form") if f.get("id", "").startswith("retry-"))
    done = browser.follow(browser.post(retry.get("action"), {
        "reason": "Alderen er lagt inn", "back": "case"}))
    assert "feilen er løst" in done
    assert done.all(id="feil") == []
    assert "Følg opp voksen" in done


def test_refusals_come_back_as_messages(db: Any, web: Web) -> None:
    case_id = _incident_case(db)
    browser = web("leder")
    page = browser.get(f"/cases/{case_id}")
    refused = browser.follow(browser.post(page.by_id("correct-variable").get("action"), {
        "csrf_token": page.csrf_token(), "variable": "alder", "value": "20", "reason": " "}))
    assert "Skriv hvorfor." in refused
    assert "Rettet opplysningen" not in refused


def test_the_monitor_case_page_moves_the_case_to_a_fixed_version(db: Any, web: Web) -> None:
    case_id = _incident_case(db)
    fixed = age.deploy_age_process(db, "len(citizen_nin) != 11")
    browser = web("leder")
    page = browser.get(f"/monitor/cases/{case_id}")
    assert page.by_id("diagram").get("data-diagram-source") == "bpmn-diagram-data"
    assert "«Er innbyggeren voksen?»" in inside(page, "feil")
    assert page.options("version") == [(str(fixed), f"Versjon {fixed}")]
    data = page.form_data("move-case")
    data["reason"] = "Betingelsen er rettet"
    moved = browser.follow(browser.post(page.by_id("move-case").get("action"), data))
    assert f"Saken er flyttet til versjon {fixed}." in moved
    assert moved.all(id="feil") == []  # back on the monitor page, the incident is gone


def test_only_oversight_sees_the_panel_and_may_post(db: Any, web: Web) -> None:
    case_id = _incident_case(db)
    assert web("koordinator").get(f"/cases/{case_id}").all(id="feil") == []
    koordinator = web("koordinator")
    koordinator.get("/inbox")
    response = koordinator.post(f"/cases/{case_id}/variables", {
        "csrf_token": koordinator.token(), "variable": "alder", "value": "20",
        "reason": "prøver"})
    page = koordinator.follow(response, expect=None)
    assert "Bare leder og systemkoordinator" in page


SENTENCE = ("Saken stoppet ved «Er innbyggeren voksen?» (adult_gateway): steget skal velge vei ut "
            "fra opplysningen «alder», men saken har ikke denne opplysningen.")
TECHNICAL = "NameError: name 'alder' is not defined"


def _block(page: Any, element_id: str, tag: str) -> str:
    """The HTML of the element with ``element_id`` (up to its first closing ``tag``)."""
    html = page.response.get_data(as_text=True)
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</{tag}>', html, flags=re.S)
    assert found, element_id
    return html_lib.unescape(found.group(1))


def _unfolded(html: str) -> str:
    """What is shown without opening a fold."""
    return re.sub(r"<details>.*?</details>", "", html, flags=re.S)


def test_the_monitor_list_says_the_failure_plainly(db: Any, web: Web) -> None:
    """The stuck list and the monitor's "why stuck" list use the panel's sentence; the
    technical text is there only folded away."""
    case_id = _incident_case(db)
    browser = web("leder")
    row = _block(browser.get("/monitor?reason=incident"), "stuck-table", "table")
    assert f'data-case="{case_id}"' in row
    assert SENTENCE in _unfolded(row)
    assert TECHNICAL not in _unfolded(row) and TECHNICAL in row
    reasons = _block(browser.get(f"/monitor/cases/{case_id}"), "case-reasons", "ul")
    assert SENTENCE in _unfolded(reasons)
    assert TECHNICAL not in _unfolded(reasons) and TECHNICAL in reasons


def test_the_case_history_says_the_failure_plainly(db: Any, web: Web) -> None:
    case_id = _incident_case(db)
    history = _block(web("systemkoordinator").get(f"/cases/{case_id}"), "hendelsesliste", "ol")
    assert SENTENCE in _unfolded(history)
    assert TECHNICAL not in _unfolded(history) and TECHNICAL in history
    assert "Teknisk feilmelding" in history
