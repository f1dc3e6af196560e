"""The monitor's pages, as a leder uses them in the browser (CSRF on, logged in via /login).

Who gets in, the nav item, the stuck table with filters, sorting and CSV export, the heat map's
data and table, the server-drawn charts, and the four actions through the page's forms, each
landing in the case history with who and why.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from tests.support.clock import T0
from tests.support.pages import inside
from tests.support.people import OLA, PER

Web = Callable[[str], Any]


def events(api: Any, case_id: int, kind: str) -> list[dict[str, Any]]:
    return [e for e in api.get(f"/cases/{case_id}", "systemkoordinator")["events"]
            if e["kind"] == kind]


def stuck_rows(page: Any) -> list[tuple[int, str]]:
    """(case, reason) for every reason of every line (a line is a case with all its reasons)."""
    return [(int(e.get("data-case")), reason) for e in page.all("tr") if e.get("data-case")
            for reason in e.get("data-reason").split()]


def stuck_lines(page: Any) -> list[int]:
    return [int(e.get("data-case")) for e in page.all("tr") if e.get("data-case")]


def two_cases(flow: Callable[..., Any]) -> tuple[Any, int, int]:
    """Case 1 waits at the assessment since T0; case 2 at the appointment in oppvekst."""
    f = flow()
    first = f.report("koordinator", OLA)
    f.wait(days=1)
    second = f.report("koordinator", PER)
    f.approve("oppvekst")
    f.travel_to(T0 + timedelta(days=40))
    return f, first, second


def test_only_leder_and_systemkoordinator_get_the_monitor(web: Web, anonymous: Any) -> None:
    for user in ("leder", "systemkoordinator"):
        page = web(user).get("/monitor")
        assert "Fastlåste saker" in page
        assert [a.get("href") for a in page.all("a") if a.text.strip() == "Monitor"] == [
            "/monitor"]
    for user in ("koordinator", "fagleder", "designer"):
        page = web(user).get("/inbox" if user != "designer" else "/login", expect=None)
        assert not [a for a in page.all("a") if a.text.strip() == "Monitor"]
        web(user).get("/monitor", expect=403)
        web(user).get("/monitor/stuck.csv", expect=403)
    assert anonymous.client.get("/monitor").status_code == 302  # to the login page


def test_counts_stuck_table_filters_and_sorting(flow: Callable[..., Any], web: Web) -> None:
    _f, first, second = two_cases(flow)
    browser = web("leder")
    page = browser.get("/monitor")
    assert page.by_id("count-active").text.strip() == "2"
    assert page.by_id("count-stuck").text.strip() == "2"
    assert page.by_id("count-overdue").text.strip() == "2"
    rows = stuck_rows(page)
    assert set(rows) >= {(first, "overdue"), (second, "overdue"), (first, "unclaimed")}
    assert sorted(stuck_lines(page)) == sorted({first, second})  # one line per case
    reasons = inside(page, "stuck-table")
    assert "Fristen er passert" in reasons and "Ingen har tatt oppgaven" in reasons
    days = [int(e.text) for e in page.all("td", **{"data-label": "Dager over grensen"})]
    assert days == sorted(days, reverse=True) and days[0] == 38  # unclaimed for 40 days
    table = inside(page, "stuck-table")
    assert "Vurder og avgjør" in table and "Oppnevn koordinator" in table
    assert "Fagleder" in table and "Oppvekst og skole" in table

    only = browser.get("/monitor?reason=overdue&service_area=oppvekst")
    assert stuck_rows(only) == [(second, "overdue")]
    assert "1 sak av 2" in inside(only, "stuck-count")
    assert stuck_rows(browser.get("/monitor?step=assess_report&reason=overdue")) == [
        (first, "overdue")]
    assert {c for c, _r in stuck_rows(browser.get("/monitor?role=fagleder"))} == {second}
    assert {c for c, _r in stuck_rows(browser.get("/monitor?service_area=-"))} == {first}
    by_case = browser.get("/monitor?reason=overdue&sort=case_id&order=asc")
    assert stuck_rows(by_case) == [(first, "overdue"), (second, "overdue")]
    header = [th for th in by_case.all("th") if th.get("aria-sort") == "ascending"]
    assert len(header) == 1 and "Sak" in header[0].text
    assert stuck_rows(browser.get("/monitor?reason=overdue&sort=case_id&order=desc")) == [
        (second, "overdue"), (first, "overdue")]
    assert "Ingen fastlåste saker passer med filtrene." in browser.get(
        "/monitor?reason=incident")
    # as of day 10 nothing was overdue yet
    assert not [r for r in stuck_rows(browser.get("/monitor?now=2026-03-12T09:00:00Z"))
                if r[1] == "overdue"]


def _csv(web: Web, query: str) -> tuple[Any, list[dict[str, str]]]:
    response = web("leder").client.get(f"/monitor/stuck.csv?{query}")
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # the BOM Excel reads UTF-8 by
    text = body.decode("utf-8-sig")
    return response, list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_csv_export_follows_the_filters(flow: Callable[..., Any], web: Web) -> None:
    _f, first, second = two_cases(flow)
    response, rows = _csv(web, "reason=overdue&sort=case_id&order=asc")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ";" in response.get_data(as_text=True).splitlines()[0]
    assert [(int(r["Sak"]), r["Grunner"], r["Steg"], r["Rolle"]) for r in rows] == [
        (first, "Fristen er passert", "Vurder og avgjør",
         "Koordinerende enhet (systemkoordinator)"),
        (second, "Fristen er passert", "Oppnevn koordinator", "Fagleder")]
    assert rows[1]["Tjenesteområde"] == "Oppvekst og skole"
    assert int(rows[1]["Dager over grensen"]) == 25
    # the deadline as the clock on the wall in Oslo showed it
    due = (T0 + timedelta(days=30)).astimezone(MUNICIPAL_TZ)
    assert rows[0]["Siden"] == due.strftime("%d.%m.%Y %H:%M")


def test_csv_has_one_line_per_case_with_all_its_reasons(flow: Callable[..., Any],
                                                        web: Web) -> None:
    _f, first, second = two_cases(flow)
    _response, rows = _csv(web, "sort=case_id&order=asc")
    assert [int(r["Sak"]) for r in rows] == [first, second]
    assert {"Fristen er passert", "Ingen har tatt oppgaven"} <= set(
        rows[0]["Grunner"].split("; "))
    assert rows[0]["Ansvarlig"] == "" and rows[1]["Tjenesteområde"] == "Oppvekst og skole"
    assert int(rows[0]["Dager over grensen"]) == 38  # the longest-running reason


def test_csv_cells_cannot_start_formulas(flow: Callable[..., Any], web: Web) -> None:
    f = flow()
    f.to_follow_up("systemkoordinator", OLA, "helse", "koordinator")
    f.meeting("koordinator", "Møte.", [{"description": "=HYPERLINK(\"x\")", "owner": "Lege",
                                       "deadline": f.today.isoformat(), "status": "apen"}])
    f.wait(days=3)
    text = web("leder").client.get("/monitor/stuck.csv?reason=action_item").get_data(
        as_text=True)
    assert "'=HYPERLINK" in text


def test_heat_map_data_table_and_charts(flow: Callable[..., Any], web: Web) -> None:
    _f, _first, _second = two_cases(flow)
    page = web("leder").get("/monitor")
    data = json.loads(page.html.split('id="heatmap-data">')[1].split("</script>")[0])
    assert "<bpmn:definitions" in data["xml"]
    heat = {step["id"]: step for step in data["steps"]}
    assert heat["assess_report"]["cases"] == 1 and heat["assess_report"]["level"] == 5
    assert heat["assess_report"]["label"] == "1 sak · median 40 d"
    assert heat["appoint_coordinator"]["label"] == "1 sak · median 39 d"
    per_step = inside(page, "per-step")
    assert "Vurder og avgjør" in per_step and "Oppnevn koordinator" in per_step
    assert "Oppvekst og skole" in inside(page, "per-area")
    assert 'src="/static/monitor.js"' in page.html
    assert "bpmn-navigated-viewer.production.min.js" in page.html

    # the charts: SVG drawn on the server, lines named where they end, axes labelled
    assert page.html.count("<svg") == 3  # cases per step, lead times, opened and closed
    assert 'aria-labelledby="chart-steps-title" aria-describedby="chart-steps-desc"' in page.html
    assert "Til avgjørelse: 0,0 d" in page.html  # decided the day it came
    assert "Dager (median)" in page.html and "Måned steget ble nådd" in page.html
    assert ">Åpnet</text>" in page.html and ">Avsluttet</text>" in page.html
    assert 'role="img"' in page.html and "Tallene står i tabellen under." in page.html
    lead = inside(page, "lead-table")
    assert "mars 2026 0,0 d (1 sak)" in lead
    assert "mars 2026 2 0" in inside(page, "flow-table")


def test_reassign_remind_and_cancel_from_the_case_page(flow: Callable[..., Any], web: Web,
                                                       api: Any) -> None:
    _f, first, second = two_cases(flow)
    browser = web("leder")
    page = browser.get(f"/monitor/cases/{second}")
    assert "Fristen er passert" in page and "Oppnevn koordinator" in page
    task_id = int(page.one("form", id=next(
        e.get("id") for e in page.all("form") if e.get("id", "").startswith("reassign-")
    )).get("action").split("/")[3])
    assert ("fagleder_oppvekst", "Frida Oppvekst (0 aktive saker)") in page.options("assignee")

    # no reason: refused, nothing recorded
    refused = browser.follow(browser.post(f"/monitor/tasks/{task_id}/reassign", {
        "case_id": second, "assignee": "fagleder_oppvekst", "reason": ""}))
    assert "Skriv hvorfor." in refused
    assert events(api, second, "task_reassigned") == []

    done = browser.follow(browser.post(f"/monitor/tasks/{task_id}/reassign", {
        "case_id": second, "assignee": "fagleder_oppvekst", "reason": "Frode har ferie."}))
    assert "Oppgaven er gitt til Frida Oppvekst." in done
    assert "Frode har ferie." in inside(done, "case-actions")
    event = events(api, second, "task_reassigned")[0]
    assert (event["actor"], event["data"]["reason"]) == ("leder", "Frode har ferie.")

    reminded = browser.follow(browser.post(f"/monitor/cases/{second}/remind", {
        "task_id": task_id, "reason": "Fristen gikk ut for lenge siden."}))
    assert "Påminnelsen er sendt til Frida Oppvekst." in reminded
    assert events(api, second, "reminder_sent")[0]["data"]["to"] == "fagleder_oppvekst"

    browser.get(f"/monitor/cases/{first}")
    unconfirmed = browser.follow(browser.post(f"/monitor/cases/{first}/cancel", {
        "reason": "Dobbeltregistrert."}))
    assert "Kryss av for at saken skal avbrytes." in unconfirmed
    cancelled = browser.follow(browser.post(f"/monitor/cases/{first}/cancel", {
        "reason": "Dobbeltregistrert.", "confirm": "yes"}))
    assert "Saken er avbrutt." in cancelled and "Avbrutt" in cancelled
    assert not cancelled.all("form", id="cancel-case")
    assert events(api, first, "case_cancelled")[0]["data"]["reason"] == "Dobbeltregistrert."

    # the dashboard lists what was done, with who and why
    actions = inside(browser.get("/monitor"), "handlinger")
    assert "Saken avbrutt" in actions and "Dobbeltregistrert." in actions
    assert "Lars Leder" in actions and "Frode har ferie." in actions


def test_retry_an_incident_from_the_page(flow: Callable[..., Any], web: Web, api: Any,
                                         letters_down: Callable[[], None]) -> None:
    f = flow()
    case_id = f.report("koordinator", OLA)
    f.approve("helse")
    browser = web("systemkoordinator")
    page = browser.get(f"/monitor/cases/{case_id}")
    assert "brevtjenesten svarer ikke" in page
    form = next(e for e in page.all("form") if e.get("id", "").startswith("retry-"))
    failing = browser.follow(browser.post(form.get("action"), {
        "case_id": case_id, "reason": "Prøver igjen."}))
    assert "feiler fortsatt" in failing
    letters_down()
    fixed = browser.follow(browser.post(form.get("action"), {
        "case_id": case_id, "reason": "Brevtjenesten er oppe."}))
    assert "feilen er løst" in fixed
    assert [e["data"]["reason"] for e in events(api, case_id, "incident_retried")] == [
        "Prøver igjen.", "Brevtjenesten er oppe."]


def test_forms_need_the_csrf_token(flow: Callable[..., Any], web: Web) -> None:
    _f, first, _second = two_cases(flow)
    browser = web("leder")
    browser.get(f"/monitor/cases/{first}")
    response = browser.post(f"/monitor/cases/{first}/cancel",
                            {"reason": "x", "confirm": "yes"}, csrf=False, expect=400)
    assert response.status_code == 400
    assert clock.now() == T0 + timedelta(days=40)
