"""The leder's innsyn page (``/innsyn``) and API (``/api/v1/innsyn``): one citizen's access
log as CSV for Norwegian Excel and everything about them as a zip; nobody else gets them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime

from engine import demo
from engine.features import case_queries
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.api import Api
from tests.support.pages import Browser
from tests.support.people import KARI, OLA


def _read_case(db: Database, staff: dict[str, Actor]) -> int:
    case_id = demo.report(db, staff["koordinator"], OLA)
    case_queries.get_case(db, case_id, staff["koordinator"])
    demo.report(db, staff["koordinator"], KARI)
    return case_id


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_leder_downloads_a_citizens_access_log_for_excel(
        db: Database, staff: dict[str, Actor], web: Callable[[str], Browser],
        frozen: datetime) -> None:
    case_id = _read_case(db, staff)
    leder = web("leder")
    assert leder.get("/cases").one("a", href="/innsyn").text == "Innsyn"
    assert leder.get("/innsyn").one("input", name="nin")

    response = leder.post("/innsyn/innsynslogg.csv", {"nin": OLA}, expect=200)

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _rows(response.get_data(as_text=True))
    assert header == ["Tidspunkt", "Sak", "Navn", "Brukernavn", "Hva"]
    # T0 is 09:00 UTC: 10:00 in Oslo
    assert ["02.03.2026 10:00:00", str(case_id), staff["koordinator"].full_name,
            "koordinator", "Leste saken"] in rows
    assert rows[-1][2:] == ["Lars Leder", "leder", "Tok ut innsynsloggen til innbyggeren"]
    assert {row[1] for row in rows} == {str(case_id)}


def test_the_leder_downloads_everything_about_a_citizen_as_one_zip(
        db: Database, staff: dict[str, Actor], web: Callable[[str], Browser],
        frozen: datetime) -> None:
    case_id = _read_case(db, staff)

    response = web("leder").post("/innsyn/innsyn.zip", {"nin": OLA}, expect=200)

    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        content = json.loads(archive.read("innsyn.json"))
    assert [case["id"] for case in content["cases"]] == [case_id]


def test_nobody_but_the_leder_gets_the_page_or_the_files(
        db: Database, staff: dict[str, Actor], web: Callable[[str], Browser],
        frozen: datetime) -> None:
    _read_case(db, staff)
    for name in ("koordinator", "systemkoordinator", "innbygger"):
        browser = web(name)
        browser.get("/innsyn", expect=403)
        browser.post("/innsyn/innsynslogg.csv", {"nin": OLA}, expect=403)
        browser.post("/innsyn/innsyn.zip", {"nin": OLA}, expect=403)


def test_the_api_gives_the_leder_the_same_files(
        db: Database, staff: dict[str, Actor], api: Api, frozen: datetime) -> None:
    case_id = _read_case(db, staff)

    text = api.post("/innsyn/access-log", "leder", {"nin": OLA})

    header, *rows = _rows(text)
    assert header[0] == "Tidspunkt" and {row[1] for row in rows} == {str(case_id)}
    assert rows[0][3:] == ["koordinator", "Leste saken"]
    response = api.client.post("/api/v1/innsyn/export", json={"nin": OLA},
                               headers={"Authorization": f"Bearer {api.token('leder')}"})
    assert response.status_code == 200 and response.get_data()[:2] == b"PK"
    refused = api.post("/innsyn/access-log", "koordinator", {"nin": OLA}, expect=403)
    assert refused["code"] == "forbidden"
    wrong = api.post("/innsyn/export", "leder", {"nin": "123"}, expect=422)
    assert wrong["code"] == "invalid_data"
