"""JSON API under ``/api/v1`` (contract in the README): other tools and tests drive cases here."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from engine import cases, deploy, users
from engine.db import Database
from engine.errors import EngineError, InvalidData
from webapp import limiter

api = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.login"}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _db() -> Database:
    return current_app.extensions["ipflow_db"]


def _json_body() -> dict[str, Any]:
    """The request's JSON object; 400 for a body that is not a JSON object."""
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        raise ApiError(400, "Ugyldig JSON i forespørselen.")
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "Forespørselen må være et JSON-objekt.")
    return body


@api.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    actor = users.actor_for_token(_db(), token.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        raise ApiError(401, "Mangler gyldig innlogging (Authorization: Bearer <token>).")
    g.actor = actor


@api.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    return jsonify({"error": error.message}), error.status


@api.errorhandler(EngineError)
def engine_error_response(error: EngineError) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": error.message}
    if hasattr(error, "errors"):
        body["errors"] = error.errors
    return jsonify(body), error.status


@api.errorhandler(HTTPException)
def http_error_response(error: HTTPException) -> tuple[Response, int]:
    return jsonify({"error": error.description}), error.code or 500


@api.post("/login")
@limiter.limit("10 per minute", deduct_when=lambda response: response.status_code == 401)
def login() -> Any:
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidData({"username": "Brukernavn og passord må oppgis."})
    actor = users.check_password(_db(), username, password)
    if actor is None:
        raise ApiError(401, "Feil brukernavn eller passord.")
    return jsonify({"token": users.issue_token(_db(), actor.username)})


@api.get("/processes")
def list_processes() -> Any:
    return jsonify({"processes": [asdict(p) for p in deploy.list_processes(_db())]})


@api.get("/processes/<key>")
def get_process(key: str) -> Any:
    return jsonify(asdict(deploy.get_process(_db(), key)))


@api.get("/processes/<key>/bpmn")
def get_bpmn(key: str) -> Any:
    version = request.args.get("version", type=int)
    return Response(deploy.get_bpmn(_db(), key, version), mimetype="application/xml")


@api.post("/processes")
def deploy_process() -> Any:
    bpmn = _json_body().get("bpmn")
    if not isinstance(bpmn, str) or not bpmn.strip():
        raise InvalidData({"bpmn": "Feltet bpmn må inneholde diagrammets XML."})
    versions = deploy.deploy(_db(), bpmn, g.actor)
    first = versions[0]
    return jsonify({"key": first.key, "version": first.version,
                    "processes": [{"key": v.key, "version": v.version} for v in versions]}), 201


@api.post("/cases")
def start_case() -> Any:
    body = _json_body()
    process, data = body.get("process"), body.get("data", {})
    if not isinstance(process, str):
        raise InvalidData({"process": "Oppgi prosessnøkkelen (process)."})
    case_id = cases.start_case(_db(), process, data, g.actor)
    return jsonify({"id": case_id}), 201


@api.get("/cases/<int:case_id>")
def get_case(case_id: int) -> Any:
    return jsonify(cases.get_case(_db(), case_id, g.actor))


@api.get("/cases/<int:case_id>/documents")
def list_documents(case_id: int) -> Any:
    return jsonify({"documents": cases.list_documents(_db(), case_id, g.actor)})


@api.post("/cases/<int:case_id>/messages/<name>")
def send_message(case_id: int, name: str) -> Any:
    cases.send_message(_db(), case_id, name, _json_body().get("data", {}), g.actor)
    return jsonify({"ok": True})


@api.get("/tasks")
def inbox() -> Any:
    return jsonify({"tasks": cases.inbox(_db(), g.actor)})


@api.get("/tasks/<int:task_id>")
def get_task(task_id: int) -> Any:
    return jsonify(cases.get_task(_db(), task_id, g.actor))


@api.post("/tasks/<int:task_id>/claim")
def claim_task(task_id: int) -> Any:
    _json_body()  # takes no fields, but a malformed body is refused (400) like everywhere
    cases.claim_task(_db(), task_id, g.actor)
    return jsonify({"ok": True})


@api.post("/tasks/<int:task_id>/unclaim")
def unclaim_task(task_id: int) -> Any:
    _json_body()  # takes no fields, but a malformed body is refused (400) like everywhere
    cases.unclaim_task(_db(), task_id, g.actor)
    return jsonify({"ok": True})


@api.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int) -> Any:
    cases.complete_task(_db(), task_id, _json_body().get("data", {}), g.actor)
    return jsonify({"ok": True})


@api.get("/incidents")
def list_incidents() -> Any:
    if not (g.actor.has_role("systemkoordinator") or g.actor.has_role("leder")):
        raise ApiError(403, "Bare systemkoordinator og leder ser hendelser.")
    return jsonify({"incidents": cases.list_incidents(_db())})


@api.post("/incidents/<int:incident_id>/retry")
def retry_incident(incident_id: int) -> Any:
    _json_body()  # takes no fields, but a malformed body is refused (400) like everywhere
    return jsonify(cases.retry_incident(_db(), incident_id, g.actor))
