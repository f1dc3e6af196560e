"""JSON API under ``/api/v1`` (contract in the README): other tools and tests drive cases here."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from engine.features import (
    case_events,
    case_messages,
    case_queries,
    case_search,
    case_start,
    deploy,
    drafts,
    incidents,
    plans,
    task_actions,
)
from engine.features.inbox import InboxQuery, inbox_page
from engine.kernel.errors import (
    DuplicateReport,
    EngineError,
    InvalidData,
    InvalidQuery,
    NotFound,
    TaskTaken,
)
from engine.runtime import logins, users
from webapp import limiter
from webapp.auth import db, signed_in_actor
from webapp.edge import checked_json, paging_arg, whole_id
from webapp.form_page import uploaded_file

api = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.login", "api.openapi"}


class ApiError(Exception):
    """A request the API refuses before the engine sees it (login, malformed JSON)."""

    CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden",
             429: "too_many_requests"}

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = self.CODES[status]
        self.message = message


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
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])  # as a page session
    actor = (users.actor_for_token(db(), token.strip(), idle) if scheme.lower() == "bearer"
             else None)
    if actor is None:
        raise ApiError(401, "Mangler gyldig innlogging (Authorization: Bearer <token>).")
    g.actor = actor  # the request's user, as webapp.auth.signed_in_actor reads it


@api.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    return jsonify({"error": error.message, "code": error.code}), error.status


@api.errorhandler(EngineError)
def engine_error_response(error: EngineError) -> tuple[Response, int]:
    """One shape for every refusal (engine/kernel/errors.py): ``error``, ``code``, and ``errors`` by
    field or element when there are details; a duplicate report adds its ``open_cases``."""
    body: dict[str, Any] = {"error": error.message, "code": error.code}
    details = error.details()
    if details is not None:
        body["errors"] = details
    if isinstance(error, TaskTaken):
        body["task"] = {"completed": error.done, "by": error.by,
                        "at": error.at.isoformat() if error.at else None,
                        "case_url": url_for("cases.case", case_id=error.case_id)}
    if isinstance(error, DuplicateReport):
        body["open_cases"] = [{"id": case_id, "url": url_for("cases.case", case_id=case_id),
                               "api": url_for("api.get_case", case_id=case_id)}
                              for case_id in error.open_cases]
    return jsonify(body), error.status


@api.errorhandler(HTTPException)
def http_error_response(error: HTTPException) -> tuple[Response, int]:
    """HTTP-level refusals (unknown URL, wrong method, too many requests) in the same shape;
    the code is the status's name, e.g. ``not_found``, ``too_many_requests``."""
    code = error.name.lower().replace(" ", "_")
    return jsonify({"error": error.description, "code": code}), error.code or 500


@api.post("/login")
@limiter.limit("10 per minute", deduct_when=lambda response: response.status_code == 401)
def login() -> Any:
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not current_app.config["PASSWORD_LOGIN"]:
        raise ApiError(403, "Innlogging med passord er slått av (IPFLOW_PASSWORD_LOGIN=0).")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidData({"username": "Brukernavn og passord må oppgis."})
    result = logins.attempt(db(), username, password)
    if result.locked:
        raise ApiError(429, "For mange forsøk. Vent litt og prøv igjen.")
    if result.actor is None:
        raise ApiError(401, "Feil brukernavn eller passord.")
    return jsonify({"token": users.issue_token(db(), result.actor.username)})


@api.post("/logout")
def logout() -> Any:
    """Log the token's user out everywhere: every API token and page session ends."""
    logins.end_sessions(db(), signed_in_actor().username)
    return jsonify({"ok": True})


@api.get("/processes")
def list_processes() -> Any:
    """A page of the deployed processes, each at its newest version."""
    return jsonify(deploy.list_processes(db(), paging_arg()).json_under("processes", asdict))


@api.get("/processes/<key>")
def get_process(key: str) -> Any:
    return jsonify(asdict(deploy.get_process(db(), key)))


@api.get("/processes/<key>/bpmn")
def get_bpmn(key: str) -> Any:
    version = request.args.get("version", type=whole_id)
    return Response(deploy.get_bpmn(db(), key, version), mimetype="application/xml")


@api.post("/processes")
def deploy_process() -> Any:
    bpmn = _json_body().get("bpmn")
    if not isinstance(bpmn, str) or not bpmn.strip():
        raise InvalidData({"bpmn": "Feltet bpmn må inneholde diagrammets XML."})
    versions = deploy.deploy(db(), bpmn, signed_in_actor())
    first = versions[0]
    return jsonify({"key": first.key, "version": first.version,
                    "processes": [{"key": v.key, "version": v.version} for v in versions]}), 201


@api.post("/cases")
def start_case() -> Any:
    body = _json_body()
    process, data = body.get("process"), body.get("data", {})
    if not isinstance(process, str):
        raise InvalidData({"process": "Oppgi prosessnøkkelen (process)."})
    attach_to = body.get("attach_to")
    case_id = case_start.start_case(db(), process, data, signed_in_actor(), attach_to=attach_to,
                                    duplicate_reason=body.get("duplicate_reason"))
    if attach_to is not None:
        return jsonify({"id": case_id, "attached": True}), 200
    return jsonify({"id": case_id}), 201


@api.get("/cases")
def search_cases() -> Any:
    """Every case the caller may see (staff), searched, filtered, sorted and paged:
    ``{cases: [{id, citizen_name, status, process, version, waiting_at, since, ...}], total,
    page, per_page, pages}``; parameters it does not understand are refused with 400."""
    query = case_search.CaseQuery.parse(request.args)
    return jsonify(case_search.search_cases(db(), signed_in_actor(), query).as_json())


@api.get("/cases/<int:case_id>")
def get_case(case_id: int) -> Any:
    return jsonify(case_queries.get_case(db(), case_id, signed_in_actor()))


@api.get("/cases/<int:case_id>/documents")
def list_documents(case_id: int) -> Any:
    """A page of the case's letters and notes, oldest first."""
    return jsonify(case_queries.list_documents(db(), case_id, signed_in_actor(), paging_arg())
                   .json_under("documents", dict))


@api.get("/cases/<int:case_id>/events")
def list_events(case_id: int) -> Any:
    """The legal events the caller may send to the case now, with their forms (the same
    question the case page asks)."""
    return jsonify(case_events.available_events(db(), case_id, signed_in_actor()).as_json())


@api.post("/cases/<int:case_id>/messages/<name>")
def send_message(case_id: int, name: str) -> Any:
    """A legal event: JSON ``{data}``, or, with the letter it came with (an appeal by post),
    ``multipart/form-data`` with ``data`` (the same object as JSON text) and the file in
    ``attachment``: the page's rules, checked by the engine (PDF, PNG or JPEG, 3 MB)."""
    if request.mimetype == "multipart/form-data":
        try:
            data = checked_json(request.form.get("data") or "{}", "data")
        except ValueError:
            raise ApiError(400, "Feltet data må være et JSON-objekt.") from None
        upload = uploaded_file()
    else:
        data, upload = _json_body().get("data", {}), None
    case_messages.send_message(db(), case_id, name, data, signed_in_actor(), upload)
    return jsonify({"ok": True})


@api.get("/tasks")
def inbox() -> Any:
    """Open tasks the caller may act on, soonest due first, a page at a time: ``{tasks,
    total, page, per_page, pages, counts: {mine, group}}``; ``view`` (``all`` by default,
    ``mine``, ``group``), ``step``, ``service_area`` and ``q`` (name or fødselsnummer)
    filter like the inbox page. A bad parameter is refused with 400."""
    query, errors = InboxQuery.parse(request.args, default_view="all")
    if errors:
        raise InvalidQuery(errors)
    return jsonify(inbox_page(db(), signed_in_actor(), query).as_json())


@api.get("/tasks/<int:task_id>")
def get_task(task_id: int) -> Any:
    return jsonify(case_queries.get_task(db(), task_id, signed_in_actor()).as_json())


@api.post("/tasks/<int:task_id>/claim")
def claim_task(task_id: int) -> Any:
    _json_body()  # takes no fields, but a malformed body is refused (400) like everywhere
    task_actions.claim_task(db(), task_id, signed_in_actor())
    return jsonify({"ok": True})


@api.post("/tasks/<int:task_id>/unclaim")
def unclaim_task(task_id: int) -> Any:
    _json_body()  # takes no fields, but a malformed body is refused (400) like everywhere
    task_actions.unclaim_task(db(), task_id, signed_in_actor())
    return jsonify({"ok": True})


@api.post("/tasks/<int:task_id>/complete")
def complete_task(task_id: int) -> Any:
    """Complete a task the caller holds; ``"claim": true`` takes an untaken group task with
    the same request (without it such a task is refused, 409 ``not_claimed``)."""
    body = _json_body()
    task_actions.complete_task(db(), task_id, body.get("data", {}), signed_in_actor(),
                               take=body.get("claim") is True)
    return jsonify({"ok": True})


@api.get("/tasks/<int:task_id>/draft")
def get_draft(task_id: int) -> Any:
    """The caller's own draft of the task: ``{data, saved_at}``; 404 when there is none."""
    draft = drafts.load_draft(db(), task_id, signed_in_actor())
    if draft is None:
        raise NotFound("Du har ikke noe utkast til denne oppgaven.")
    return jsonify(draft.as_json())


@api.put("/tasks/<int:task_id>/draft")
def put_draft(task_id: int) -> Any:
    """Save ``data`` as typed (not validated) as the caller's draft of the task."""
    body = _json_body()
    return jsonify(drafts.save_draft(db(), task_id, body.get("data"), signed_in_actor()).as_json())


@api.delete("/tasks/<int:task_id>/draft")
def delete_draft(task_id: int) -> Any:
    drafts.delete_draft(db(), task_id, signed_in_actor())
    return jsonify({"ok": True})


@api.get("/incidents")
def list_incidents() -> Any:
    if not signed_in_actor().has_any_role(users.OVERSIGHT_ROLES):
        raise ApiError(403, "Bare systemkoordinator og leder ser hendelser.")
    return jsonify(incidents.list_incidents(db(), paging_arg()).json_under("incidents", dict))


@api.post("/incidents/<int:incident_id>/retry")
def retry_incident(incident_id: int) -> Any:
    _json_body()  # takes no fields, but a malformed body is refused (400) like everywhere
    return jsonify(incidents.retry_incident(db(), incident_id, signed_in_actor()))


# ---------------------------------------------------------------- the plan


@api.get("/cases/<int:case_id>/plan")
def get_plan(case_id: int) -> Any:
    """``{current, revisions (newest first), proposals, action_items, may_revise,
    may_propose}``."""
    return jsonify(plans.get_plan(db(), case_id, signed_in_actor()))


@api.post("/cases/<int:case_id>/plan")
def revise_plan(case_id: int) -> Any:
    """``{"plan": {field: value, ...}, "base": <revision number>, "note"?}``: the coordinator's
    revision (201 with ``revision``) or the citizen's proposal (201 with ``proposal``)."""
    body = _json_body()
    return jsonify(plans.revise_plan(db(), case_id, body.get("plan"), body.get("base"),
                                     signed_in_actor(), body.get("note"))), 201


@api.post("/cases/<int:case_id>/plan/proposals/<int:proposal_id>")
def decide_proposal(case_id: int, proposal_id: int) -> Any:
    """``{"decision": "accepted" | "declined", "reason"?}``."""
    body = _json_body()
    return jsonify(plans.decide_proposal(db(), case_id, proposal_id, body.get("decision"),
                                         signed_in_actor(), body.get("reason")))


@api.post("/cases/<int:case_id>/action-items/<int:item_id>")
def set_action_item(case_id: int, item_id: int) -> Any:
    """``{"status": "apen" | "pagar" | "utfort" | "lukket"}``."""
    return jsonify(plans.set_item_status(db(), case_id, item_id, _json_body().get("status"),
                                         signed_in_actor()))
