"""The manager's monitor: stuck cases, where cases wait (heat map), lead times, and actions.

Only ``leder`` and ``systemkoordinator`` get here. The pages read through
``engine.features.monitor`` (derived tables, never workflow state) and act through
``engine.features.interventions`` (each action recorded in the case history with who and
why). The stuck list names cases by number only, so looking at the monitor reads no personal
data; opening a case to act on it is a logged case read.

The charts come from :mod:`webapp.charts` (plain SVG, with the numbers in a table under each
chart); this module only picks their data and words. The heat map is the deployed
diagram drawn by the vendored bpmn-js viewer with ``static/monitor.js``; the same numbers stand
in a table for readers without JavaScript.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from engine.features import (
    consents,
    monitor,
    monitor_actions,
    monitor_heat,
    monitor_snapshot,
    monitor_trends,
)
from engine.features.diagram import diagram_steps
from engine.kernel import clock
from engine.kernel.clock import MUNICIPAL_TZ
from engine.kernel.errors import InvalidData
from engine.kernel.paging import Paging
from engine.runtime import users
from webapp.auth import current_actor, db, login_required, signed_in_actor
from webapp.charts import Column, bar_rows, line_chart, number_table, step_bars
from webapp.edge import SPAN_LIMIT, number_arg, whole_id
from webapp.formatting import clock_time, csv_cell, days, duration, long_datetime
from webapp.labels import role_label
from webapp.procedure_texts import drawn_diagram, step_name

bp = Blueprint("monitor", __name__, url_prefix="/monitor")
CONSENTS_PAGE = "samtykker_side"

REASON_LABELS = {
    "overdue": _l("Fristen er passert"),
    "unclaimed": _l("Ingen har tatt oppgaven"),
    "incident": _l("Feil i et automatisk steg"),
    "idle": _l("Ingen aktivitet"),
    "action_item": _l("Oppgave fra møte over fristen"),
}
MILESTONE_LABELS = {
    "decision": _l("Til avgjørelse"),
    "coordinator": _l("Til koordinator"),
    "startup_meeting": _l("Til oppstartsmøte"),
}
ACTION_LABELS = {
    "task_reassigned": _l("Oppgave gitt til en annen"),
    "reminder_sent": _l("Påminnelse sendt"),
    "incident_retried": _l("Nytt forsøk på feilet steg"),
    "case_cancelled": _l("Saken avbrutt"),
}
SORT_LABELS = {
    "overdue_days": _l("Dager over grensen"), "since": _l("Siden"), "case_id": _l("Sak"),
    "reason": _l("Grunn"), "step": _l("Steg"), "service_area": _l("Tjenesteområde"),
    "role": _l("Rolle"),
}
CSV_COLUMNS = (_l("Sak"), _l("Grunner"), _l("Steg"), _l("Rolle"), _l("Ansvarlig"),
               _l("Tjenesteområde"), _l("Siden"), _l("Dager over grensen"), _l("Detaljer"))


@bp.before_request
def oversight_only() -> None:
    """Only the leder and the systemkoordinator get here; everybody else gets 403 (and
    nobody logged in goes to the login page, by ``login_required`` on each view)."""
    actor = current_actor()
    if actor is not None and not actor.has_any_role(users.OVERSIGHT_ROLES):
        abort(403)


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ---------------------------------------------------------------- query string


def _asked() -> datetime | None:
    """``?now=`` lets a leder look at the list as it stood at another time (None: now)."""
    text = (request.args.get("now") or "").strip().replace(" ", "+")
    if text:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            flash(_("Tidspunktet %(now)s forstås ikke; viser nå.", now=text), "error")
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _config() -> monitor.MonitorConfig:
    def number(name: str, setting: str) -> float | None:
        value = number_arg(name, SPAN_LIMIT)
        return value if value is not None else current_app.config.get(setting)

    try:
        return monitor.MonitorConfig.from_env(
            unclaimed_hours=number("unclaimed_hours", "MONITOR_UNCLAIMED_HOURS"),
            idle_days=number("idle_days", "MONITOR_IDLE_DAYS"))
    except InvalidData:
        return monitor.MonitorConfig.from_env()


@dataclass(frozen=True)
class Filters:
    reason: str = ""
    service_area: str = ""
    role: str = ""
    step: str = ""
    sort: str = "overdue_days"
    order: str = ""

    @classmethod
    def from_request(cls) -> Filters:
        args = request.args
        sort = args.get("sort", "overdue_days")
        return cls(reason=args.get("reason", "") if args.get("reason") in REASON_LABELS else "",
                   service_area=args.get("service_area", ""), role=args.get("role", ""),
                   step=args.get("step", ""),
                   sort=sort if sort in monitor.SORT_KEYS else "overdue_days",
                   order=args.get("order", "") if args.get("order") in ("asc", "desc") else "")

    @property
    def any(self) -> bool:
        return bool(self.reason or self.service_area or self.role or self.step)

    @property
    def query(self) -> monitor.StuckQuery:
        return monitor.StuckQuery(self.reason or None, self.service_area or None,
                                  self.role or None, self.step or None, sort=self.sort,
                                  descending=None if not self.order else self.order == "desc")

    def args(self, **changes: str) -> dict[str, Any]:
        values = {"reason": self.reason, "service_area": self.service_area, "role": self.role,
                  "step": self.step, "sort": self.sort, "order": self.order}
        values.update(changes)
        if values["sort"] == "overdue_days" and not values["order"]:
            values.pop("sort")
        kept = {k: v for k, v in values.items() if v}
        for name in ("now", "unclaimed_hours", "idle_days", "per_page"):
            if request.args.get(name):
                kept[name] = request.args[name]
        return kept


def _names() -> tuple[dict[str, str], dict[str, str]]:
    """Display names of users and of service areas (one engine read)."""
    who = users.people(db())
    return who.names, who.areas


def _step_names(overview: monitor_heat.Overview) -> dict[str, str]:
    if not overview.bpmn_xml or not overview.process_key:
        return {}
    key = f"{overview.process_key}:{overview.process_version}"
    return {step.id: step.name for step in diagram_steps(key, overview.bpmn_xml)}


# ---------------------------------------------------------------- the page


def _charts(trend: monitor_trends.Trends) -> dict[str, Markup]:
    """Lead times and the cases opened and closed, each as a chart and as its table."""
    lead = [(str(MILESTONE_LABELS[name]), values) for name, values in trend.lead_times.items()]
    flow = [(_("Åpnet"), trend.opened), (_("Avsluttet"), trend.closed)]
    return {
        "lead": line_chart(_("Ledetid i dager (median) per måned"), trend.months,
                           [(name, [v.median_days for v in values]) for name, values in lead],
                           _("Dager (median)"), _("Måned steget ble nådd"), "chart-lead"),
        "lead_table": number_table("lead-table", trend.months, [
            Column(name, [days(v.median_days) for v in values],
                   [ngettext("%(num)s sak", "%(num)s saker", v.cases) if v.cases else ""
                    for v in values]) for name, values in lead]),
        "flow": bar_rows(_("Saker åpnet og avsluttet per måned"), trend.months, flow,
                         "chart-flow"),
        "flow_table": number_table("flow-table", trend.months, [
            Column(name, [str(n) for n in values]) for name, values in flow]),
    }


def _stuck_view(rows: list[monitor.StuckRow], now: datetime, people: dict[str, str],
                areas: dict[str, str], step_names: dict[str, str]) -> list[dict[str, Any]]:
    return [{
        "row": row, "reason": REASON_LABELS.get(row.reason, row.reason),
        "step": step_names.get(row.step or "", row.step_name or row.step or "–"),
        "role": role_label(row.role), "person": people.get(row.assignee or "", row.assignee or ""),
        "area": areas.get(row.service_area or "", row.service_area or ""),
        "age": duration(now - row.since), "since_local": row.since.astimezone(MUNICIPAL_TZ),
    } for row in rows]


def _case_view(cases: Iterable[monitor.StuckCase], now: datetime, people: dict[str, str],
               areas: dict[str, str], step_names: dict[str, str]) -> list[dict[str, Any]]:
    """One line per stuck case: its first (most pressing) reason's columns, with every
    reason it is stuck for listed."""
    views = []
    for stuck in cases:
        reasons = _stuck_view(list(stuck.rows), now, people, areas, step_names)
        views.append({**reasons[0], "reasons": reasons,
                      "codes": " ".join(dict.fromkeys(r.reason for r in stuck.rows))})
    return views


def _sort_link(filters: Filters, key: str) -> tuple[str, str]:
    """The column header's link (toggles the order on the column sorted now) and aria-sort."""
    current = filters.sort == key
    descending = (filters.order == "desc") if filters.order else key == "overdue_days"
    order = ("asc" if descending else "desc") if current else (
        "desc" if key == "overdue_days" else "asc")
    state = ("descending" if descending else "ascending") if current else "none"
    return url_for("monitor.dashboard", **filters.args(sort=key, order=order)), state


@bp.get("")
@login_required
def dashboard() -> Any:
    actor = signed_in_actor()
    asked = _asked()
    now = asked or clock.now()
    config = _config()
    filters = Filters.from_request()
    months = request.args.get("months", 12, type=whole_id) or 12
    seen, trend, snapshot = monitor_snapshot.figures(db(), actor, asked, months=months)
    page, summary = monitor.stuck_by_case(db(), actor, now, config, filters.query,
                                          Paging.parse(request.args, {}),
                                          snapshot.stuck(config) if snapshot else None)
    every = monitor_snapshot.interval()
    people, areas = _names()
    names = _step_names(seen)
    for load in [*seen.per_step, *seen.heat]:
        load.name = names.get(load.step, load.name)
    charts = _charts(trend)
    charts["steps"] = step_bars(_("Saker per steg"), [
        (step_name(load.name), load.cases,
         ngettext("%(num)s sak · median %(wait)s", "%(num)s saker · median %(wait)s",
                  load.cases, wait=days(load.median_wait_days)))
        for load in seen.per_step], "chart-steps")
    heat = {"xml": drawn_diagram(seen.bpmn_xml or ""),
            "steps": [{"id": s.step, "cases": s.cases, "level": s.level,
                       "label": ngettext("%(num)s sak · median %(wait)s",
                                         "%(num)s saker · median %(wait)s", s.cases,
                                         wait=days(s.median_wait_days)),
                       "name": s.name} for s in seen.heat]}
    reasons = {key: summary.reasons.get(key, 0) for key in REASON_LABELS}
    return render_template(
        "monitor/dashboard.html", now=now, now_local=now.astimezone(MUNICIPAL_TZ),
        thresholds=config, figures_at=_figures_time(snapshot, now),
        figures_stale=snapshot is not None and snapshot.stale(now, every),
        refresh_minutes=round(every.total_seconds() / 60),
        filters=filters, rows=_case_view(page.rows, now, people, areas, names), page=page,
        page_url=lambda page: url_for("monitor.dashboard", **filters.args(),
                                      page=page if page > 1 else None) + "#fastlaste",
        total_rows=summary.cases, stuck_cases=summary.cases,
        reasons=reasons, overview=seen, areas=areas, people=people,
        step_choices=sorted({(load.step, load.name) for load in seen.per_step},
                            key=lambda c: c[1]),
        role_choices=seen.roles,
        heat=heat, charts=charts, days=days, sort_link=lambda key: _sort_link(filters, key),
        actions=_action_rows(monitor_actions.recent_actions(db(), actor), people),
        expiring=consents.expiring(db(), actor, _consents_paging(),
                                   day=now.astimezone(MUNICIPAL_TZ).date()),
        consents_url=_consents_url,
        csv_url=url_for("monitor.stuck_csv", **filters.args()),
        reason_labels=REASON_LABELS, sort_labels=SORT_LABELS, role_label=role_label)


def _figures_time(snapshot: monitor_snapshot.Snapshot | None, now: datetime) -> str | None:
    """When the worker computed the figures the page shows, as a leder reads it: ``kl.
    10.05`` today, else with the date; None when they were computed for this request."""
    if snapshot is None:
        return None
    at = snapshot.computed_at.astimezone(MUNICIPAL_TZ)
    if at.date() == now.astimezone(MUNICIPAL_TZ).date():
        return _("kl. %(time)s", time=clock_time(at))
    return long_datetime(at)


def _consents_paging() -> Paging:
    """The expiring consents' page: ``samtykker_side``, as ``page`` is not the panel's own on
    a page of several lists."""
    return Paging(request.args.get(CONSENTS_PAGE, 1, type=whole_id) or 1)


def _consents_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict() | {CONSENTS_PAGE: page}
    return url_for("monitor.dashboard", _anchor="samtykker", **args)


def _action_rows(records: list[monitor_actions.ActionRecord], people: dict[str, str]
                 ) -> list[dict[str, Any]]:
    return [{"case_id": r.case_id, "at": r.at, "who": people.get(r.actor, r.actor),
             "what": ACTION_LABELS.get(r.kind, r.kind), "reason": r.reason,
             "to": people.get(str(r.data.get("to") or ""), r.data.get("to") or "")}
            for r in records]


def _joined(values: list[str]) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


@bp.get("/stuck.csv")
@login_required
def stuck_csv() -> Response:
    """The stuck list with the page's filters and sorting, one line per case, as Norwegian
    Excel opens it: ``;`` between cells, a UTF-8 byte order mark, names instead of codes,
    and local times."""
    actor = signed_in_actor()
    asked = _asked()
    now = asked or clock.now()
    rows = monitor.stuck_cases(db(), actor, now, _config(), Filters.from_request().query)
    people, areas = _names()
    steps = _step_names(monitor_snapshot.figures(db(), actor)[0])  # the newest diagram's
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(c) for c in CSV_COLUMNS])
    for item in _case_view(monitor.by_case(rows), now, people, areas, steps):
        reasons = item["reasons"]
        since = min(r["row"].since for r in reasons).astimezone(MUNICIPAL_TZ)
        writer.writerow([csv_cell(v) for v in (
            item["row"].case_id, _joined([str(r["reason"]) for r in reasons]),
            _joined([step_name(r["step"]) for r in reasons]),
            _joined([r["role"] for r in reasons]), _joined([r["person"] for r in reasons]),
            item["area"] or _("Ikke bestemt ennå"), since.strftime("%d.%m.%Y %H:%M"),
            max(r["row"].overdue_days for r in reasons),
            _joined([r["row"].detail or "" for r in reasons]))])
    stamp = now.astimezone(MUNICIPAL_TZ).strftime("%Y-%m-%d")
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="fastlaste-saker-{stamp}.csv"'})
