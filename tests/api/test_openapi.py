"""The OpenAPI 3.1 document at /api/v1/openapi.json: public, one operation for every route and
method under /api/v1 and nothing else, and real answers of the main routes keep to its schemas."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator

from engine import demo
from engine.kernel.db import Database
from tests.support.api import Api
from tests.support.reports import assessment_data, start_case
from webapp import api_schemas

MAIN = {"api.login", "api.search_cases", "api.start_case", "api.get_case", "api.inbox",
        "api.get_task", "api.complete_task", "api.send_message", "api.get_plan",
        "api.revise_plan", "api.monitor_stuck", "api.monitor_overview"}


def routes(app: Flask) -> set[tuple[str, str]]:
    """(path template, method) of every API rule, written the way OpenAPI writes paths."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            found |= {(path, method.lower()) for method in rule.methods or ()
                      if method not in ("HEAD", "OPTIONS")}
    return found


def document(api: Api) -> dict[str, Any]:
    response = api.client.get("/api/v1/openapi.json")  # no token: the contract is public
    assert response.status_code == 200 and response.is_json
    body: dict[str, Any] = response.get_json()
    return body


def conforms(doc: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    schema = doc["paths"][path][method]["responses"][str(status)]["content"][
        "application/json"]["schema"]
    schema = {**schema, "components": doc["components"]}
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(body)]
    assert errors == [], (path, method, errors)


def test_the_document_is_public_openapi_3_1_with_bearer(api: Api) -> None:
    doc = document(api)
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "POST /login gir token"}
    assert doc["security"] == [{"bearer": []}]
    assert doc["paths"]["/login"]["post"]["security"] == []
    assert doc["paths"]["/cases"]["get"].get("security") is None  # the bearer applies


def test_every_route_is_in_the_document_and_nothing_else(api: Api) -> None:
    doc = document(api)
    documented = {(path, method) for path, operations in doc["paths"].items()
                  for method in operations}
    app = api.client.application
    assert documented == routes(app)
    assert len(documented) >= 40
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(api_schemas.OPERATIONS) <= endpoints  # no schema for a route that is gone
    assert set(api_schemas.OPERATIONS) >= MAIN
    case = doc["paths"]["/cases/{case_id}"]["get"]
    assert case["parameters"] == [{"name": "case_id", "in": "path", "required": True,
                                   "schema": {"type": "integer", "minimum": 0,
                                              "maximum": 2**31 - 1}}]
    for operations in doc["paths"].values():
        for operation in operations.values():
            assert {"401", "404", "422", "413"} <= set(operation["responses"])


def test_real_answers_of_the_main_routes_keep_to_the_schemas(api: Api, db: Database) -> None:
    doc = document(api)
    login = api.client.post("/api/v1/login", json={"username": "leder", "password": "demo"})
    conforms(doc, "/login", "post", 200, login.get_json())
    refused = api.client.post("/api/v1/login", json={"username": "leder", "password": "feil"})
    conforms(doc, "/login", "post", 401, refused.get_json())
    case_id = start_case(api)
    user = "systemkoordinator"
    conforms(doc, "/cases", "get", 200, api.get("/cases", user))
    conforms(doc, "/cases/{case_id}", "get", 200, api.get(f"/cases/{case_id}", user))
    conforms(doc, "/tasks", "get", 200, api.get("/tasks", user))
    task = api.task(case_id, "assess_report", user)
    conforms(doc, "/tasks/{task_id}", "get", 200, api.get(f"/tasks/{task['id']}", user))
    conforms(doc, "/tasks/{task_id}/claim", "post", 200,
             api.post(f"/tasks/{task['id']}/claim", user))
    invalid = api.post(f"/tasks/{task['id']}/complete", user, {"data": {}}, expect=422)
    conforms(doc, "/tasks/{task_id}/complete", "post", 422, invalid)
    conforms(doc, "/tasks/{task_id}/complete", "post", 200,
             api.post(f"/tasks/{task['id']}/complete", user, {"data": assessment_data()}))
    conforms(doc, "/cases/{case_id}/messages/{name}", "post", 409,
             api.post(f"/cases/{case_id}/messages/finnes_ikke", user, {"data": {}},
                      expect=409))
    conforms(doc, "/cases/{case_id}/plan", "get", 200, api.get(f"/cases/{case_id}/plan", user))
    conforms(doc, "/monitor/stuck", "get", 200, api.get("/monitor/stuck", "leder"))
    conforms(doc, "/monitor/overview", "get", 200, api.get("/monitor/overview", "leder"))
    conforms(doc, "/cases", "post", 201, api.post("/cases", "koordinator", {
        "process": "ip_koordinator", "duplicate_reason": demo.SEVERAL_CASES,
        "data": {"citizen_name": "Kari Nordmann", "citizen_nin": "23074820085",
                 "reported_by": "parorende", "reporter_name": "Anne Melder",
                 "requests": ["ip"], "need_description": "Behov."}}, expect=201))
