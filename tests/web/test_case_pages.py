"""The case page, the citizen's pages, the case thread and the access log, through the browser UI.

Cases are set up with the demo helpers (the same engine calls people make) on a frozen clock, and
read by people logged in through the /login form with its CSRF token (the ``web`` fixture in
``tests/conftest.py``), each with a browser (cookie jar) of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import demo
from engine.features import case_queries, interventions, task_actions
from engine.kernel.db import Database
from engine.kernel.models import AccessLog, CaseMessage
from engine.kernel.paging import Paging
from engine.runtime.users import get_actor
from tests.support.cast import ACTION_ITEM, ACTION_OWNER, GOAL, Cast
from tests.support.pages import csrf_token, text_of
from tests.support.people import EMMA, KARI, OLA, staff_of

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
VENDOR_JS = "bpmn-navigated-viewer.production.min.js"

DECISION_LETTER = "Avgjørelse om individuell plan og koordinator"


def access_rows(db: Database, case_id: int, username: str) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(AccessLog.id)).where(
            AccessLog.case_id == case_id, AccessLog.username == username)) or 0


# ---------------------------------------------------------------- the case page


@pytest.mark.parametrize("username", ["systemkoordinator", "koordinator", "innbygger"])
def test_case_page_shows_every_section_with_real_content(cast: Cast, username: str) -> None:
    response = cast.users_client(username).get(f"/cases/{cast.case_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = text_of(page)
    for section in ("oversikt", "na", "prosess", "plan", "nettverk", "moter", "dokumenter",
                    "samtykke", "koordinator", "samtale", "hendelser"):
        assert f'id="{section}"' in page, section
    # The citizen, where the case stands and who runs it.
    assert "Kari Nordmann" in text and "150585 10170" in text
    assert "40 år" in text and "Under 16 år" not in text
    assert "Aktiv" in text and "Helse og omsorg" in text and "Kim Koordinator" in text
    assert "Oppfølging og samarbeidsmøte" in text
    # The plan, the network, the meetings' action items (overdue marked, done ones not).
    assert GOAL in text and "Hjemmetjenester og fysioterapi." in text
    assert "Fysioterapi" in text and "to ganger i uken" in text and "Fysioterapeut" in text
    assert "Fastlege – lege" in text
    assert ACTION_ITEM in text and ACTION_OWNER in text and "27. februar 2026" in text
    overdue_rows = re.findall(r'<tr class="overdue">(.*?)</tr>', page, flags=re.S)
    assert len(overdue_rows) == 1 and ACTION_ITEM in overdue_rows[0]
    assert "Forfalt" in overdue_rows[0]
    assert "Gjennomgang av planen.<br>Neste møte i april." in page
    # Letters (their PDF: tests/web/test_document_downloads.py) and journal notes.
    assert DECISION_LETTER in text
    assert re.search(r'<li class="document">\s*<p><strong>' + re.escape(DECISION_LETTER), page)
    # Consent records and the coordinator's period.
    assert "Første planperiode, 2. mars 2026" in text
    assert "Samtykke til: individuell plan, deling av opplysninger" in text
    assert "Fastlege: Helseopplysninger" in text
    assert "Kim Koordinator: fra 2. mars 2026" in text
    # The timeline in Norwegian, with who and when (Norwegian time, winter: UTC+1).
    assert "Fullførte «Vurder og avgjør» – Siri Systemkoordinator" in text
    assert "Koordinator oppnevnt: Kim Koordinator" in text
    assert "Meldt til KPR: individuell plan fra 2. mars 2026" in text
    assert "2. mars 2026 kl. 10.00" in text
    # The thread form carries a CSRF token.
    assert f'action="/cases/{cast.case_id}/messages"' in page
    csrf_token(page)


def test_case_page_marks_the_diagram_and_lists_the_steps_as_text(cast: Cast) -> None:
    client = cast.users_client("koordinator")
    page = client.get(f"/cases/{cast.case_id}").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="bpmn-diagram-data">(.*?)</script>',
                      page, flags=re.S)
    assert block, "the diagram data block is missing"
    assert "</" not in block.group(1)  # tojson escapes it: the block cannot end early
    diagram = json.loads(block.group(1))
    with cast.db.reading() as session:
        from engine.kernel.models import Case

        case = session.get(Case, cast.case_id)
        assert case is not None
        version = case.process_version
        # The page names the diagram; the viewer fetches it, and the browser keeps it.
        assert diagram["url"] == f"/processes/{version.key}/{version.version}/diagram.bpmn?lang=nb"
        assert version.bpmn_xml not in page
        fetched = client.get(diagram["url"])
        assert fetched.get_data(as_text=True) == version.bpmn_xml
        assert fetched.mimetype == "application/xml"
        assert fetched.cache_control.private and fetched.cache_control.immutable
        # In English the address differs (the browser keeps each language) and so do the names.
        client.post("/language", data={"locale": "en", "next": "/inbox",
                                       "csrf_token": csrf_token(page)})
        english_page = client.get(f"/cases/{cast.case_id}").get_data(as_text=True)
        english_url = diagram["url"].replace("lang=nb", "lang=en")
        assert json.dumps(english_url) in english_page
        english = client.get(english_url).get_data(as_text=True)
        assert 'name="Assess and decide"' in english
        citizen = cast.users_client("innbygger").get(diagram["url"])
        assert citizen.status_code == 404, "the diagram is drawn for staff only"
        assert cast.users_client("koordinator").get(
            f"/processes/{version.key}/99/diagram.bpmn").status_code == 404
    assert {"report_received", "assess_report", "establish_plan", "record_meeting"} <= set(
        diagram["passed"])
    assert {"follow_up", "revision_date_reached"} <= set(diagram["current"])
    assert not set(diagram["passed"]) & set(diagram["current"])
    # A phase's start event is passed once the case has entered the phase, and not before:
    # phases ahead and legal events that never happened are not shown as done.
    assert {"assessment_start", "startup_start", "follow_up_start"} <= set(diagram["passed"])
    assert not {"evaluation_start", "closing_start", "appeal_phase_start",
                "consent_withdrawal_start", "end_request_start"} & set(diagram["passed"])
    assert 'class="diagram"' in page and 'id="diagram"' in page
    # The text alternative: the route so far and where the case stands, without JavaScript.
    steps = re.search(r'<ol class="timeline" id="steg-i-saken".*?</ol>', page, flags=re.S)
    assert steps
    route = text_of(steps.group(0))
    assert "Vurder og avgjør – Fullført" in route
    assert "Oppfølging og samarbeidsmøte – Pågår nå" in route
    assert route.index("Vurder og avgjør") < route.index("Etabler ansvarsgruppe")


def test_open_tasks_link_to_the_task_page(cast: Cast) -> None:
    page = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    assert f'href="/tasks/{cast.follow_up_task}"' in page


def test_the_citizen_sees_who_opened_the_case(cast: Cast) -> None:
    cast.users_client("koordinator").get(f"/cases/{cast.case_id}")
    case_queries.get_task(cast.db, cast.follow_up_task, cast.staff["koordinator"])
    case_queries.list_documents(cast.db, cast.case_id, cast.staff["systemkoordinator"], Paging())
    response = cast.users_client("innbygger").get(f"/cases/{cast.case_id}")
    page = response.get_data(as_text=True)
    section = re.search(r'<section id="innsyn".*?</section>', page, flags=re.S)
    assert section, "the citizen's access log section is missing"
    text = text_of(section.group(0))
    assert "Hvem har sett saken min" in text
    assert "Kim Koordinator Koordinator Åpnet sakssiden" in text
    assert "Kim Koordinator Koordinator Åpnet oppgaven «Oppfølging og samarbeidsmøte»" in text
    assert ("Siri Systemkoordinator Koordinerende enhet (systemkoordinator) "
            "Leste brev og journalnotater") in text
    assert "Kari Nordmann Innbygger" not in text, "the citizen's own reads are on request"
    assert f'href="/cases/{cast.case_id}/access-log?egne=vis"' in section.group(0)
    assert "2. mars 2026 kl. 10.00" in text


def test_the_access_log_page_is_paged(cast: Cast) -> None:
    for _ in range(3):
        cast.users_client("koordinator").get(f"/cases/{cast.case_id}")
    client = cast.users_client("systemkoordinator")
    url = f"/cases/{cast.case_id}/access-log"
    first = client.get(f"{url}?per_page=2").get_data(as_text=True)
    assert "Side 1 av " in text_of(first) and first.count("<tr>") == 1 + 2
    assert f'href="{url}?page=2&amp;per_page=2" rel="next"' in first
    second = client.get(f"{url}?page=2&per_page=2").get_data(as_text=True)
    assert "Side 2 av " in text_of(second) and 'rel="prev"' in second
    assert client.get(f"{url}?page=0").status_code == 400


def test_staff_see_no_citizen_access_section(cast: Cast) -> None:
    page = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    assert 'id="innsyn"' not in page and "Hvem har sett saken min" not in page
    # The koordinerende enhet reads the log on its own page.
    page = cast.users_client("systemkoordinator").get(
        f"/cases/{cast.case_id}").get_data(as_text=True)
    assert f'href="/cases/{cast.case_id}/access-log"' in page


def test_the_citizen_does_not_see_internal_work_distribution(cast: Cast) -> None:
    task_actions.claim_task(cast.db, cast.follow_up_task, cast.staff["koordinator"])
    staff_page = text_of(cast.users_client("koordinator").get(
        f"/cases/{cast.case_id}").get_data(as_text=True))
    assert "Tok oppgaven «Oppfølging og samarbeidsmøte»" in staff_page
    citizen_page = cast.users_client("innbygger").get(
        f"/cases/{cast.case_id}").get_data(as_text=True)
    assert "Tok oppgaven" not in citizen_page
    # The citizen is not linked to the coordinator's task, but sees that it waits.
    assert f'href="/tasks/{cast.follow_up_task}"' not in citizen_page
    assert "Oppfølging og samarbeidsmøte" in citizen_page


def test_monitor_actions_show_with_their_reason_to_staff_only(cast: Cast) -> None:
    leder = get_actor(cast.db, "leder")
    interventions.send_reminder(cast.db, cast.case_id, "Møtet er forsinket.", leder,
                                task_id=cast.follow_up_task)
    interventions.cancel_case(cast.db, cast.other_case_id, "Meldt to ganger.", leder)
    staff_page = text_of(cast.users_client("koordinator").get(
        f"/cases/{cast.case_id}").get_data(as_text=True))
    assert "Sendte påminnelse til" in staff_page and "Møtet er forsinket." in staff_page
    citizen_page = text_of(cast.users_client("innbygger").get(
        f"/cases/{cast.case_id}").get_data(as_text=True))
    assert "Sendte påminnelse" not in citizen_page
    cancelled = text_of(cast.users_client("systemkoordinator").get(
        f"/cases/{cast.other_case_id}").get_data(as_text=True))
    assert "Saken ble avbrutt. Begrunnelse: Meldt to ganger." in cancelled


def test_a_child_under_16_is_noted(db: Database, web: Callable[[str], Any],
                                   frozen: datetime) -> None:
    case_id = demo.report(db, get_actor(db, "systemkoordinator"), EMMA)
    page = web("systemkoordinator").client.get(f"/cases/{case_id}").get_data(as_text=True)
    text = text_of(page)
    assert "Emma Berg" in text and "14 år" in text and "Under 16 år" in text
    assert "Vurder og avgjør" in text and "Koordinerende enhet (systemkoordinator)" in text


# ---------------------------------------------------------------- access control


def test_a_koordinator_of_another_area_gets_404(cast: Cast) -> None:
    response = cast.users_client("koordinator_oppvekst").get(f"/cases/{cast.case_id}")
    assert response.status_code == 404
    assert "Saken finnes ikke." in response.get_data(as_text=True)
    assert "Kari Nordmann" not in response.get_data(as_text=True)
    assert access_rows(cast.db, cast.case_id, "koordinator_oppvekst") == 0


def test_the_citizen_gets_404_on_someone_elses_case(cast: Cast) -> None:
    citizen = cast.users_client("innbygger")
    response = citizen.get(f"/cases/{cast.other_case_id}")
    assert response.status_code == 404
    assert "Ola Hansen" not in response.get_data(as_text=True)
    assert citizen.get(f"/cases/{cast.other_case_id}/access-log").status_code == 404
    assert citizen.get("/cases/999999").status_code == 404


def test_pages_need_a_login(cast: Cast, anonymous: Any) -> None:
    client = anonymous.client
    for path in (f"/cases/{cast.case_id}", "/mine", f"/cases/{cast.case_id}/access-log"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/cases/{cast.case_id}/messages", data={"body": "Hei"})
    assert response.status_code in (302, 400)
    assert _messages(cast.db, cast.case_id) == []


def test_every_view_writes_an_access_log_row(cast: Cast) -> None:
    koordinator = cast.users_client("koordinator")
    before = access_rows(cast.db, cast.case_id, "koordinator")
    koordinator.get(f"/cases/{cast.case_id}")
    koordinator.get(f"/cases/{cast.case_id}")
    assert access_rows(cast.db, cast.case_id, "koordinator") == before + 2
    with cast.db.reading() as session:
        last = session.scalars(select(AccessLog).where(AccessLog.case_id == cast.case_id)
                               .order_by(AccessLog.id.desc())).first()
        assert last is not None and last.what == "case_page" and last.username == "koordinator"


# ---------------------------------------------------------------- the thread


def _messages(db: Database, case_id: int) -> list[CaseMessage]:
    with db.reading() as session:
        return list(session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id)))


def test_posting_to_the_thread(cast: Cast) -> None:
    citizen = cast.users_client("innbygger")
    page = citizen.get(f"/cases/{cast.case_id}").get_data(as_text=True)
    response = citizen.post(f"/cases/{cast.case_id}/messages", data={
        "body": "Kan vi flytte møtet? <script>alert(1)</script>",
        "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{cast.case_id}#samtale")
    [message] = _messages(cast.db, cast.case_id)
    assert message.author == "innbygger" and message.author_name == "Kari Nordmann"
    # Everyone on the case reads it with author and time; the markup stays text.
    page = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    thread = re.search(r'<section id="samtale".*?</section>', page, flags=re.S)
    assert thread
    assert "Kan vi flytte møtet? &lt;script&gt;alert(1)&lt;/script&gt;" in thread.group(0)
    assert "<script>alert(1)" not in page
    assert "Kari Nordmann · 2. mars 2026 kl. 10.00" in text_of(thread.group(0))
    assert "Skrev en melding i samtalen – Kari Nordmann" in text_of(page)


def test_the_thread_needs_a_csrf_token(cast: Cast) -> None:
    koordinator = cast.users_client("koordinator")
    response = koordinator.post(f"/cases/{cast.case_id}/messages", data={"body": "Hei"})
    assert response.status_code == 400
    response = koordinator.post(f"/cases/{cast.case_id}/messages",
                                data={"body": "Hei", "csrf_token": "forfalsket"})
    assert response.status_code == 400
    assert _messages(cast.db, cast.case_id) == []


def test_an_empty_message_is_refused_with_the_form_kept(cast: Cast) -> None:
    koordinator = cast.users_client("koordinator")
    page = koordinator.get(f"/cases/{cast.case_id}").get_data(as_text=True)
    response = koordinator.post(f"/cases/{cast.case_id}/messages",
                                data={"body": "   ", "csrf_token": csrf_token(page)})
    assert response.status_code == 422
    assert "Skriv en melding." in response.get_data(as_text=True)
    assert 'aria-describedby="message-hint message-error"' in response.get_data(as_text=True)
    assert _messages(cast.db, cast.case_id) == []


def test_nobody_posts_to_a_case_they_may_not_see(cast: Cast) -> None:
    outsider = cast.users_client("koordinator_oppvekst")
    token = csrf_token(outsider.get("/login").get_data(as_text=True))
    response = outsider.post(f"/cases/{cast.case_id}/messages",
                             data={"body": "Hei", "csrf_token": token})
    assert response.status_code == 404
    assert _messages(cast.db, cast.case_id) == []


# ---------------------------------------------------------------- the access log page


def test_the_access_log_page_lists_the_staff_who_opened_the_case(cast: Cast) -> None:
    cast.users_client("koordinator").get(f"/cases/{cast.case_id}")
    for username in ("systemkoordinator", "innbygger"):
        response = cast.users_client(username).get(f"/cases/{cast.case_id}/access-log")
        assert response.status_code == 200
        text = text_of(response.get_data(as_text=True))
        assert "Kim Koordinator Koordinator Åpnet sakssiden" in text
    assert "Hvem har sett saken min" in text  # the citizen's own heading
    # A koordinator may work the case but not read who else looked at it.
    response = cast.users_client("koordinator").get(f"/cases/{cast.case_id}/access-log")
    assert response.status_code == 404


# ---------------------------------------------------------------- the citizen's own pages


def test_mine_lists_the_citizens_cases_and_tasks(db: Database, web: Callable[[str], Any],
                                                 frozen: datetime) -> None:
    staff = staff_of(db)
    own = demo.report(db, staff["koordinator"], KARI)
    demo.approve(db, staff, own, "helse")
    demo.appoint(db, staff, own)  # now waits for Kari's consent
    other = demo.report(db, staff["koordinator"], OLA)
    consent_task = demo.open_task(db, own, "give_consent")
    client = web("innbygger").client
    response = client.get("/mine")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="/cases/{own}"' in page and f'href="/cases/{other}"' not in page
    assert f'href="/tasks/{consent_task}"' in page
    text = text_of(page)
    assert "Samtykke og ønske om IP" in text and "Kim Koordinator" in text
    assert "Helse og omsorg" in text and "Aktiv" in text
    # The open task is the citizen's: the case page links it for them.
    case_page = client.get(f"/cases/{own}").get_data(as_text=True)
    assert f'href="/tasks/{consent_task}"' in case_page


def test_mine_without_cases(cast: Cast) -> None:
    page = cast.users_client("koordinator").get("/mine").get_data(as_text=True)
    assert "Det er ingen saker registrert på deg." in page


# ---------------------------------------------------------------- assets


def test_the_viewer_is_served_from_our_own_origin(cast: Cast) -> None:
    """Needs the build step: ``npm ci && npm run vendor`` (the Makefile's install target)."""
    vendor = WEBAPP / "static" / "vendor"
    for name in (VENDOR_JS, "diagram-js.css", "bpmn-js.css"):
        assert (vendor / name).is_file(), f"{name} missing: run `npm ci && npm run vendor`"
    client = cast.users_client("koordinator")
    response = client.get(f"/static/vendor/{VENDOR_JS}")
    assert response.status_code == 200 and b"bpmn-js" in response.data[:200]
    response.close()
    page = client.get(f"/cases/{cast.case_id}").get_data(as_text=True)
    assert f'<script src="/static/vendor/{VENDOR_JS}" defer></script>' in page
    assert '<script src="/static/case-diagram.js" defer></script>' in page
    assert 'href="/static/vendor/diagram-js.css"' in page
    assert 'href="/static/vendor/bpmn-js.css"' in page
    template = (WEBAPP / "templates" / "case.html").read_text(encoding="utf-8")
    assert f"vendor/{VENDOR_JS}" in template
    assert (WEBAPP / "static" / "case-diagram.js").is_file()


def test_no_template_loads_anything_from_another_host() -> None:
    for path in sorted((WEBAPP / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", source), f"{path.name} names another host"
        assert not re.search(r"""(src|href)=["']//""", source), path.name
    script = (WEBAPP / "static" / "case-diagram.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", script)


# ---------------------------------------------------------------- withdrawn consents


def test_withdrawn_consents_show_as_withdrawn(web_app: Any) -> None:
    from flask import render_template_string

    import processes
    from engine.runtime import forms
    from webapp.case_view import _consents
    from webapp.labels import choice_labeller
    from webapp.people import Directory

    data = {"consents": [{
        "period": "first", "date": "2026-03-02", "kinds": ["plan", "sharing"],
        "given_by": [{"name": "Kari Nordmann", "relation": "selv"}],
        "sharing_scopes": [
            {"participant": "Fastlege", "scope": "Helseopplysninger",
             "withdrawn_at": "2026-04-01", "withdrawn_by": "innbygger"},
            {"participant": "Skolen", "scope": "Tilrettelegging", "valid_until": "2027-03-02"}],
        "withdrawn_at": "2026-04-02", "withdrawn_by": "innbygger",
        "withdrawal_reason": "Ønsker ikke planen lenger."}]}
    with web_app.test_request_context():
        label = choice_labeller(forms.choice_fields({"consent": processes.load_form("consent")}))
        [consent] = _consents(data, Directory({"innbygger": "Kari Nordmann"}, {}, {}), label)
        page = render_template_string(
            '{% from "_case_macros.html" import withdrawn_note, sharing_list %}'
            "{{ withdrawn_note(c) }}{{ sharing_list(c.sharing) }}", c=consent)
    text = text_of(page)
    assert consent["given_by"] == ["Kari Nordmann (Innbyggeren selv)"]  # the form's label
    assert ("Trukket tilbake 2. april 2026 av Kari Nordmann. "
            "Begrunnelse: Ønsker ikke planen lenger.") in text
    assert "<s>Fastlege: Helseopplysninger</s>" in page
    assert "trukket tilbake 1. april 2026" in text
    assert "Skolen: Tilrettelegging (til 2. mars 2027)" in text
