"""The JSON API's monitor for the leder (``/api/v1/monitor``): stuck cases, the overview and
trends, expiring consents, and the interventions (reassign, remind, retry, cancel).

Registered on the API's blueprint (authentication and the error shape are the API's own);
who may see and act is the engine's check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, jsonify, request

from engine.features import consents, interventions, monitor, monitor_snapshot
from engine.kernel import clock
from engine.kernel.errors import InvalidData, InvalidQuery
from engine.kernel.paging import Paging
from webapp.api import ApiError, _json_body, api
from webapp.auth import db, signed_in_actor
from webapp.edge import SPAN_LIMIT, number_arg, paging_arg, whole_id


def _moment_arg(name: str = "now") -> datetime | None:
    """``?now=ISO 8601`` (a date means its midnight UTC); 400 when it is not a time."""
    text = request.args.get(name)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, f"{name} må være et ISO 8601-tidspunkt.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def monitor_config() -> monitor.MonitorConfig:
    """Thresholds: environment, then the app's config, then this request's query string."""
    def pick(name: str, setting: str) -> float | None:
        given = number_arg(name, SPAN_LIMIT)
        return given if given is not None else current_app.config.get(setting)

    return monitor.MonitorConfig.from_env(
        unclaimed_hours=pick("unclaimed_hours", "MONITOR_UNCLAIMED_HOURS"),
        idle_days=pick("idle_days", "MONITOR_IDLE_DAYS"))


@api.get("/monitor/stuck")
def monitor_stuck() -> Any:
    """Stuck cases as of ``now``, a page at a time: ``{now, rows: [{case_id, reason, step,
    role, assignee, service_area, since, overdue_days, ...}], total, total_capped, page,
    per_page, pages}``, filtered and sorted like the page (by the database). The rows are
    counted up to ``monitor.COUNT_CAP``: ``total_capped`` says the total is that many or
    more."""
    now = _moment_arg() or clock.now()
    errors: dict[str, str] = {}
    paging = Paging.parse(request.args, errors)
    order = request.args.get("order")
    if order not in (None, "asc", "desc"):
        errors["order"] = "order må være asc eller desc."
    if errors:
        raise InvalidQuery(errors)
    query = monitor.StuckQuery(
        reason=request.args.get("reason"), service_area=request.args.get("service_area"),
        role=request.args.get("role"), step=request.args.get("step"),
        sort=request.args.get("sort", "overdue_days"),
        descending=None if order is None else order == "desc")
    page = monitor.stuck_page(db(), signed_in_actor(), now, monitor_config(), query, paging)
    return jsonify({"now": now.isoformat(), "rows": [row.as_json() for row in page.rows],
                    **page.meta(), "total_capped": page.total >= monitor.COUNT_CAP})


@api.get("/monitor/overview")
def monitor_overview() -> Any:
    """Open cases per step and service area, and the heat map (cases and median wait): as
    the worker last computed them (``computed_at``), or as of ``now`` when it is given."""
    return jsonify(monitor_snapshot.overview(db(), signed_in_actor(), _moment_arg(),
                                             request.args.get("process")).as_json())


@api.get("/monitor/trends")
def monitor_trends() -> Any:
    """Monthly median lead times and cases opened/closed for the last ``months`` months (up
    to 60), as the worker last computed them (``computed_at``), or as of ``now``."""
    months = request.args.get("months", 12, type=whole_id) or 12
    return jsonify(monitor_snapshot.trends(db(), signed_in_actor(), _moment_arg(), months)
                   .as_json())


@api.get("/monitor/consents-expiring")
def monitor_consents_expiring() -> Any:
    """A page of the active sharing consents of open cases that end within ``days``
    (default 30) days, soonest first."""
    days = number_arg("days", 366)
    if days is not None and not 0 <= days <= 366:
        raise ApiError(400, "days må være mellom 0 og 366.")
    found = consents.expiring(db(), signed_in_actor(), paging_arg(), int(days)
                              if days is not None else consents.EXPIRING_WITHIN_DAYS)
    return jsonify(found.json_under("consents", consents.SharingRow.as_json))


@api.post("/monitor/tasks/<int:task_id>/reassign")
def monitor_reassign(task_id: int) -> Any:
    body = _json_body()
    interventions.reassign_task(db(), task_id, str(body.get("assignee") or ""),
                                body.get("reason"), signed_in_actor())
    return jsonify({"ok": True})


@api.post("/monitor/cases/<int:case_id>/remind")
def monitor_remind(case_id: int) -> Any:
    body = _json_body()
    task_id = body.get("task_id")
    if task_id is not None and not isinstance(task_id, int):
        raise InvalidData({"task_id": "task_id må være et tall."})
    recipient = interventions.send_reminder(db(), case_id, body.get("reason"), signed_in_actor(),
                                            task_id)
    return jsonify({"ok": True, "recipient": recipient})


@api.post("/monitor/incidents/<int:incident_id>/retry")
def monitor_retry(incident_id: int) -> Any:
    return jsonify(interventions.retry_incident_because(
        db(), incident_id, _json_body().get("reason"), signed_in_actor()))


@api.post("/monitor/cases/<int:case_id>/cancel")
def monitor_cancel(case_id: int) -> Any:
    interventions.cancel_case(db(), case_id, _json_body().get("reason"), signed_in_actor())
    return jsonify({"ok": True})
