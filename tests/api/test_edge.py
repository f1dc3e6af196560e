"""No 500 from any input: what the edge (webapp/edge.py) refuses, class by class, on the pages and
the API alike, with the API's one error shape; the database is left as it was.

Each class was a 500 on PostgreSQL or SQLite before (issue 11); run with TEST_DATABASE_URL for
PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.reports import PROCESS, report_data, start_case, unchanged

BEYOND_ID = 2**31  # one more than the INTEGER id columns hold on PostgreSQL
BEYOND = 2**63  # one more than any database binds as a whole number


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    """The API's shape: ``{error, code, errors?}`` with the expected status and code."""
    assert response.status_code == status, (response.status_code, response.get_data())
    body: dict[str, Any] = response.get_json()
    assert body["code"] == code and isinstance(body["error"], str) and body["error"]
    assert set(body) <= {"error", "code", "errors"}
    return body


def bearer(api: Api, user: str = "systemkoordinator") -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(user)}"}


def raw_json(client: FlaskClient, path: str, text: str, headers: dict[str, str]) -> Any:
    return client.post(path, data=text.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers)


@pytest.fixture()
def pages(make_app: Any) -> Flask:
    return make_app()  # CSRF on, as in production: the edge answers before CSRF does


# --------------------------------------------------------------------------- NUL


def test_nul_in_the_api_login_is_422(api: Api, db: Database) -> None:
    with unchanged(db):
        response = api.client.post("/api/v1/login",
                                   json={"username": "koordi\x00nator", "password": "demo"})
    assert refused(response, 422, "invalid_data")["errors"] == {
        "username": "Teksten kan ikke inneholde NUL-tegn."}


def test_nul_in_the_login_page_is_422_before_csrf(pages: Flask) -> None:
    response = pages.test_client().post("/login", data={"username": "a\x00", "password": "x"})
    assert response.status_code == 422
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "where"), [
    ("GET", "/api/v1/cases?q=Ola%00", "q"),
    ("GET", "/api/v1/cases?q%00=Ola", "q"),
    ("GET", "/api/v1/processes/ip%00koordinator", "path"),
    ("GET", "/api/v1/processes/ip_koordinator/bpmn?version=1%00", "version"),
    ("GET", "/api/v1/monitor/stuck?reason=%00", "reason"),
], ids=["query-value", "query-key", "path", "numeric-query", "filter"])
def test_nul_in_the_url_is_422(api: Api, db: Database, method: str, path: str,
                               where: str) -> None:
    with unchanged(db):
        body = refused(api.client.open(path, method=method, headers=bearer(api)), 422,
                       "invalid_data")
    assert list(body["errors"]) == [where]


def test_nul_in_json_names_where_it_is(api: Api, db: Database) -> None:
    with unchanged(db):
        response = api.client.post("/api/v1/cases", headers=bearer(api), json={
            "process": PROCESS, "data": report_data(citizen_name="Ola\x00Hansen",
                                                    requests=["ip", "\x00"])})
    assert set(refused(response, 422, "invalid_data")["errors"]) == {
        "data.citizen_name", "data.requests[1]"}


def test_nul_in_a_multipart_message_is_422(api: Api, db: Database) -> None:
    case_id = start_case(api)
    with unchanged(db):
        response = api.client.post(
            f"/api/v1/cases/{case_id}/messages/end_requested", headers=bearer(api),
            data={"data": json.dumps({"reason": "slutt\x00"})},
            content_type="multipart/form-data")
    assert refused(response, 422, "invalid_data")["errors"] == {
        "data.reason": "Teksten kan ikke inneholde NUL-tegn."}


def test_nul_in_a_page_query_and_form_is_422(web: Any, db: Database) -> None:
    browser = web("koordinator")
    with unchanged(db):
        browser.get("/cases?q=%00", expect=422)
        browser.post("/language", {"locale": "en\x00"}, expect=422)


# --------------------------------------------------------------------------- surrogates


def test_a_lone_surrogate_in_json_is_422(api: Api, db: Database) -> None:
    with unchanged(db):
        login = raw_json(api.client, "/api/v1/login",
                         '{"username": "\\ud800", "password": "demo"}', {})
        case = raw_json(api.client, "/api/v1/cases", json.dumps(
            {"process": PROCESS, "data": report_data(need_description="\udfff")}),
            bearer(api))
    assert list(refused(login, 422, "invalid_data")["errors"]) == ["username"]
    assert list(refused(case, 422, "invalid_data")["errors"]) == ["data.need_description"]


# --------------------------------------------------------------------------- lengths


def test_a_citizen_name_longer_than_its_column_is_422(api: Api, db: Database) -> None:
    with unchanged(db):
        response = api.client.post("/api/v1/cases", headers=bearer(api), json={
            "process": PROCESS, "data": report_data(citizen_name="Å" * 201)})
    errors = refused(response, 422, "invalid_data")["errors"]
    assert errors["citizen_name"] == "Teksten er for lang: høyst 200 tegn."
    assert start_case(api, citizen_name="Å" * 200)  # the column's own length fits


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize("path", [
    f"/api/v1/cases/{BEYOND}", f"/api/v1/tasks/{BEYOND}", f"/api/v1/cases/{BEYOND}/plan",
    f"/api/v1/cases/{BEYOND_ID}", f"/api/v1/cases/{BEYOND_ID - 1}",
    f"/api/v1/tasks/{10**40}/draft", f"/api/v1/cases/{BEYOND_ID}/documents",
])
def test_an_id_beyond_the_columns_is_404(api: Api, db: Database, path: str) -> None:
    with unchanged(db):
        refused(api.client.get(path, headers=bearer(api)), 404, "not_found")


def test_an_id_beyond_the_columns_is_404_on_pages_and_posts(api: Api, web_app: Flask,
                                                        db: Database) -> None:
    with unchanged(db):
        posted = api.client.post(f"/api/v1/tasks/{BEYOND_ID}/claim", headers=bearer(api))
        page = web_app.test_client().get(f"/cases/{BEYOND_ID}")
    refused(posted, 404, "not_found")
    assert page.status_code == 404


def test_a_number_beyond_the_columns_in_the_query_or_json_is_refused(api: Api,
                                                                     db: Database) -> None:
    case_id = start_case(api)
    with unchanged(db):
        query = api.client.get(f"/api/v1/processes/{PROCESS}/bpmn?version={BEYOND}",
                               headers=bearer(api))
        body = api.client.post(f"/api/v1/monitor/cases/{case_id}/remind", headers=bearer(
            api, "leder"), json={"task_id": BEYOND_ID, "reason": "purring"})
        move = api.client.post(f"/api/v1/cases/{case_id}/move", headers=bearer(api),
                               json={"version": -BEYOND_ID, "reason": "ny versjon"})
    assert refused(query, 400, "invalid_query")["errors"] == {"version": "Tallet er for stort."}
    assert refused(body, 422, "invalid_data")["errors"] == {"task_id": "Tallet er for stort."}
    assert refused(move, 422, "invalid_data")["errors"] == {"version": "Tallet er for stort."}
    # an id-like parameter beyond the id columns is as if it were not given (latest version)
    latest = api.client.get(f"/api/v1/processes/{PROCESS}/bpmn?version={BEYOND_ID}",
                            headers=bearer(api))
    assert latest.status_code == 200 and f'id="{PROCESS}"' in latest.get_data(as_text=True)


# --------------------------------------------------------------------------- depth and size


def test_deeply_nested_json_is_413(api: Api, db: Database) -> None:
    deep = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with unchanged(db):
        response = raw_json(api.client, "/api/v1/login", deep, {})
    assert "32" in refused(response, 413, "request_entity_too_large")["error"]
    fine = '{"data": ' + "[" * 30 + "]" * 30 + ', "brackets": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}'
    assert raw_json(api.client, "/api/v1/login", fine, {}).status_code == 422  # no username


def test_a_body_over_the_size_limit_is_413(api: Api, db: Database) -> None:
    with unchanged(db):
        response = raw_json(api.client, "/api/v1/cases", " " * (4 * 1024 * 1024 + 1),
                            bearer(api))
    refused(response, 413, "request_entity_too_large")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("query", [
    "unclaimed_hours=nan", "unclaimed_hours=inf", "idle_days=-Infinity", "idle_days=1e999",
    "idle_days=1e9"])
def test_a_number_that_is_not_finite_or_sane_is_400(api: Api, query: str) -> None:
    name = query.split("=")[0]
    body = refused(api.client.get(f"/api/v1/monitor/stuck?{query}", headers=bearer(api, "leder")),
                   400, "invalid_query")
    assert list(body["errors"]) == [name]


def test_nan_days_of_expiring_consents_is_400(api: Api) -> None:
    refused(api.client.get("/api/v1/monitor/consents-expiring?days=nan",
                           headers=bearer(api, "leder")), 400, "invalid_query")


def test_a_number_in_json_that_is_not_finite_is_422(api: Api, db: Database) -> None:
    with unchanged(db):
        response = raw_json(api.client, "/api/v1/cases", json.dumps(
            {"process": PROCESS, "data": report_data(age=float("inf"))}), bearer(api))
    assert refused(response, 422, "invalid_data")["errors"] == {
        "data.age": "Tallet må være endelig."}


def test_the_monitor_page_ignores_a_threshold_that_is_not_finite(web: Any) -> None:
    web("leder").get("/monitor?unclaimed_hours=inf&idle_days=nan")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("date", ["10000-01-01", "0000-12-31", "-0001-01-01",
                                  "99999999999999999999-01-01"])
def test_a_date_outside_years_1_to_9999_is_422(api: Api, db: Database, date: str) -> None:
    case_id = start_case(api)
    with unchanged(db):
        response = api.client.post(f"/api/v1/cases/{case_id}/messages/appeal_received",
                                   headers=bearer(api), json={"data": {"received_on": date}})
        query = api.client.get(f"/api/v1/monitor/stuck?now={date}",
                               headers=bearer(api, "leder"))
    assert refused(response, 422, "invalid_data")["errors"] == {
        "data.received_on": "Datoen må ligge mellom år 1 og 9999."}
    assert list(refused(query, 422, "invalid_data")["errors"]) == ["now"]
