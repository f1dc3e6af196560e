"""Who may open what, as one table (issue 11, point 3): every route of the pages and the JSON
API, for every role of the demo municipality and for someone not logged in, on the cases of
three citizens. A route without a row fails the test, so a new route must say who may use it.

The cases, from ``engine.demo.seed``:

- ``kari``: Kari Nordmann's case in «helse», waiting for her consent. It is the citizen's own
  case (``innbygger`` is Kari's login); its coordinator is ``koordinator``.
- ``emma``: Emma Berg's case in «oppvekst», waiting for the fagleder to appoint a coordinator:
  another service area than Kari's.
- ``per``: Per Olsen's case in «psykisk», in follow-up: another citizen's case, and an area
  that ``koordinator_oppvekst`` does not work in.

A task route is probed on the open task of each case. The people, in the columns' order:
systemkoordinator (koordinerende enhet), fagleder and koordinator (every area),
koordinator_oppvekst (only «oppvekst»), innbygger (Kari), designer, leder, and nobody logged in.

Outcomes: ``ok`` lets the person in (2xx, or a refusal of what was sent, such as 422, which
needs the door open first); ``away`` sends them elsewhere than the login (a page that answers a
form by redirecting with a message, the person's own start page); ``login`` sends them to log
in (a redirect to /login, or 401 in the API); ``403`` refuses the role; ``404`` hides that the
case or object exists (a plan PDF before there is a plan is 404 for everyone). GET routes are
probed for everyone. A POST is sent (empty, with a valid CSRF token, or a well-formed JSON body
from BODIES) only to those the table keeps out, so the probe changes nothing; that the others
may take the step is what the feature tests do. A page POST that answers everyone ``away``
(claim, release, assign, incident repair, plan items) reports the engine's refusal as a message;
its API twin's row shows that refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine import demo
from engine.features import designer
from engine.kernel.db import Database
from engine.kernel.models import Attachment, Case, Task
from engine.kernel.vocabulary import TaskState
from engine.runtime.users import get_actor
from tests.support.api import Api
from tests.support.pages import Browser, Page

PEOPLE = ("systemkoordinator", "fagleder", "koordinator", "koordinator_oppvekst", "innbygger",
          "designer", "leder", "")
CASES = {"kari": demo.DEMO_CITIZEN_NIN, "emma": "02031250032", "per": "11039930090"}
FIXED = {"item_id": "1", "proposal_id": "1", "incident_id": "1",
         "key": "ip_koordinator", "version": "1", "name": "report", "filename": "ipflow.css",
         "provider": "citizen", "user_id": "1"}
# What a route's refusal is probed with where an empty body would be refused before the
# person is (the shape of the request is checked first): well-formed, never acted on.
BODIES: dict[str, dict[str, Any]] = {
    "api.deploy_process": {"bpmn": "<definitions/>"},
    "api.start_case": {"process": "ip_koordinator", "data": {}},
    "api.put_draft": {"data": {}},
    "api.decide_proposal": {"decision": "declined", "reason": "Probe"},
    "api.set_action_item": {"status": "utfort"},
    "api.correct_variable": {"variable": "probe", "value": 1, "reason": "Probe"},
    "api.move_case": {"version": 1, "reason": "Probe"},
    "api.login": {"username": "probe", "password": "probe"},
}
# Logging in and out changes who the browser is: probed on a browser of its own.
OWN_BROWSER = {"auth.login", "auth.logout", "auth.language"}

# (method endpoint, case, outcome per person in PEOPLE's order); case "-" for routes without one
MATRIX: list[tuple[str, str, str]] = [
    #                                      sysko fagl  koord k_opp innb  desig leder none
    # the pages
    ("POST auth.language", "-",            "away  away  away  away  away  away  away  away"),
    ("GET auth.login", "-",                "ok    ok    ok    ok    ok    ok    ok    ok"),
    ("POST auth.login", "-",               "login login login login login login login login"),
    ("POST auth.logout", "-",              "login login login login login login login login"),
    # OpenID Connect login: no provider is configured here (tests/web/test_oidc.py has one)
    ("GET oidc.callback", "-",             "404   404   404   404   404   404   404   404"),
    ("GET oidc.start", "-",                "404   404   404   404   404   404   404   404"),
    ("POST oidc_logout.backchannel", "-",  "404   404   404   404   404   404   404   404"),
    ("GET case_list.cases", "-",           "ok    ok    ok    ok    403   403   ok    login"),
    ("GET cases.access_log", "emma",       "ok    404   404   404   404   404   404   login"),
    ("GET cases.access_log", "kari",       "ok    404   404   404   ok    404   404   login"),
    ("GET cases.access_log", "per",        "ok    404   404   404   404   404   404   login"),
    ("GET cases.case", "emma",             "ok    ok    ok    ok    404   404   ok    login"),
    ("GET cases.case", "kari",             "ok    ok    ok    404   ok    404   ok    login"),
    ("GET cases.case", "per",              "ok    ok    ok    404   404   404   ok    login"),
    ("GET cases.diagram", "-",             "ok    ok    ok    ok    404   404   ok    login"),
    ("GET cases.mine", "-",                "ok    ok    ok    ok    ok    ok    ok    login"),
    ("POST cases.post_message", "emma",    "ok    ok    ok    ok    404   404   ok    login"),
    ("POST cases.post_message", "kari",    "ok    ok    ok    404   ok    404   ok    login"),
    ("POST cases.post_message", "per",     "ok    ok    ok    404   404   404   ok    login"),
    ("POST designer.check", "-",           "403   403   403   403   403   ok    403   login"),
    ("POST designer.deploy", "-",          "403   403   403   403   403   away  403   login"),
    ("GET designer.diff", "-",             "403   403   403   403   403   ok    403   login"),
    ("POST designer.discard", "-",         "403   403   403   403   403   away  403   login"),
    ("GET designer.download", "-",         "403   403   403   403   403   ok    403   login"),
    ("GET designer.draft", "-",            "403   403   403   403   403   ok    403   login"),
    ("GET designer.edit_form", "-",        "403   403   403   403   403   ok    403   login"),
    ("POST designer.edit_form", "-",       "403   403   403   403   403   ok    403   login"),
    ("POST designer.edit_version", "-",    "403   403   403   403   403   away  403   login"),
    ("GET designer.form_json", "-",        "403   403   403   403   403   ok    403   login"),
    ("GET designer.index", "-",            "403   403   403   403   403   ok    403   login"),
    ("GET designer.migrate", "-",          "403   403   403   403   403   ok    403   login"),
    ("POST designer.migrate", "-",         "403   403   403   403   403   ok    403   login"),
    ("POST designer.preview", "-",         "403   403   403   403   403   ok    403   login"),
    ("GET designer.process", "-",          "403   403   403   403   403   ok    403   login"),
    ("POST designer.save", "-",            "403   403   403   403   403   ok    403   login"),
    ("POST designer.save_form_json", "-",  "403   403   403   403   403   ok    403   login"),
    ("POST designer.translate_form", "-",  "403   403   403   403   403   away  403   login"),
    ("POST designer.upload", "-",          "403   403   403   403   403   away  403   login"),
    ("GET designer_names.names", "-",      "403   403   403   403   403   ok    403   login"),
    ("POST designer_names.save", "-",      "403   403   403   403   403   away  403   login"),
    ("GET events.attachment", "emma",      "ok    ok    ok    ok    404   404   ok    login"),
    ("GET events.attachment", "kari",      "ok    ok    ok    404   ok    404   ok    login"),
    ("GET events.attachment", "per",       "ok    ok    ok    404   404   404   ok    login"),
    ("GET events.event", "emma",           "ok    ok    ok    ok    404   404   away  login"),
    ("GET events.event", "kari",           "ok    ok    ok    404   ok    404   away  login"),
    ("GET events.event", "per",            "ok    ok    ok    404   404   404   away  login"),
    ("POST events.event", "emma",          "ok    ok    ok    ok    404   404   away  login"),
    ("POST events.event", "kari",          "ok    ok    ok    404   ok    404   away  login"),
    ("POST events.event", "per",           "ok    ok    ok    404   404   404   away  login"),
    ("POST inbox.assign", "emma",          "away  away  away  away  away  away  away  login"),
    ("POST inbox.assign", "kari",          "away  away  away  away  away  away  away  login"),
    ("POST inbox.assign", "per",           "away  away  away  away  away  away  away  login"),
    ("POST inbox.claim", "emma",           "away  away  away  away  away  away  away  login"),
    ("POST inbox.claim", "kari",           "away  away  away  away  away  away  away  login"),
    ("POST inbox.claim", "per",            "away  away  away  away  away  away  away  login"),
    ("GET inbox.home", "-",                "away  away  away  away  away  away  away  login"),
    ("GET inbox.inbox", "-",               "ok    ok    ok    ok    ok    ok    ok    login"),
    ("POST inbox.release", "emma",         "away  away  away  away  away  away  away  login"),
    ("POST inbox.release", "kari",         "away  away  away  away  away  away  away  login"),
    ("POST inbox.release", "per",          "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.correct", "emma", "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.correct", "kari", "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.correct", "per", "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.move", "emma",   "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.move", "kari",   "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.move", "per",    "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.retry", "emma",  "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.retry", "kari",  "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.retry", "per",   "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.skip", "emma",   "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.skip", "kari",   "away  away  away  away  away  away  away  login"),
    ("POST incident_pages.skip", "per",    "away  away  away  away  away  away  away  login"),
    ("POST innsyn.access_log", "-",        "403   403   403   403   403   403   ok    login"),
    ("POST innsyn.export", "-",            "403   403   403   403   403   403   ok    login"),
    ("GET innsyn.form", "-",               "403   403   403   403   403   403   ok    login"),
    ("POST monitor.cancel", "emma",        "away  403   403   403   403   403   away  login"),
    ("POST monitor.cancel", "kari",        "away  403   403   403   403   403   away  login"),
    ("POST monitor.cancel", "per",         "away  403   403   403   403   403   away  login"),
    ("GET monitor.case", "emma",           "ok    403   403   403   403   403   ok    login"),
    ("GET monitor.case", "kari",           "ok    403   403   403   403   403   ok    login"),
    ("GET monitor.case", "per",            "ok    403   403   403   403   403   ok    login"),
    ("GET monitor.dashboard", "-",         "ok    403   403   403   403   403   ok    login"),
    ("GET monitor.kpr_status", "-",        "ok    403   403   403   403   403   ok    login"),
    ("GET monitor.archive_page", "-",      "ok    403   403   403   403   403   ok    login"),
    ("POST monitor.reassign", "emma",      "away  403   403   403   403   403   away  login"),
    ("POST monitor.reassign", "kari",      "away  403   403   403   403   403   away  login"),
    ("POST monitor.reassign", "per",       "away  403   403   403   403   403   away  login"),
    ("POST monitor.remind", "emma",        "away  403   403   403   403   403   away  login"),
    ("POST monitor.remind", "kari",        "away  403   403   403   403   403   away  login"),
    ("POST monitor.remind", "per",         "away  403   403   403   403   403   away  login"),
    ("GET monitor.stuck_csv", "-",         "ok    403   403   403   403   403   ok    login"),
    ("POST plan.decide_proposal", "emma",  "away  away  away  away  away  away  away  login"),
    ("POST plan.decide_proposal", "kari",  "away  away  away  away  away  away  away  login"),
    ("POST plan.decide_proposal", "per",   "away  away  away  away  away  away  away  login"),
    ("GET plan.plan_pdf", "emma",          "404   404   404   404   404   404   404   login"),
    ("GET plan.plan_pdf", "kari",          "404   404   404   404   404   404   404   login"),
    ("GET plan.plan_pdf", "per",           "ok    ok    ok    404   404   404   ok    login"),
    ("GET plan.revise", "emma",            "ok    403   403   403   404   404   403   login"),
    ("GET plan.revise", "kari",            "ok    403   ok    404   ok    404   403   login"),
    ("GET plan.revise", "per",             "ok    403   ok    404   404   404   403   login"),
    ("POST plan.revise", "emma",           "ok    403   403   403   404   404   403   login"),
    ("POST plan.revise", "kari",           "ok    403   ok    404   ok    404   403   login"),
    ("POST plan.revise", "per",            "ok    403   ok    404   404   404   403   login"),
    ("POST plan.set_item_status", "emma",  "away  away  away  away  away  away  away  login"),
    ("POST plan.set_item_status", "kari",  "away  away  away  away  away  away  away  login"),
    ("POST plan.set_item_status", "per",   "away  away  away  away  away  away  away  login"),
    ("POST profile.save", "-",             "ok    ok    ok    ok    ok    ok    ok    login"),
    ("GET profile.show", "-",              "ok    ok    ok    ok    ok    ok    ok    login"),
    ("GET statement.statement", "-",       "ok    ok    ok    ok    ok    ok    ok    ok"),
    ("GET static", "-",                    "ok    ok    ok    ok    ok    ok    ok    ok"),
    ("GET tasks.report", "-",              "ok    ok    ok    ok    ok    403   403   login"),
    ("POST tasks.report", "-",             "ok    ok    ok    ok    ok    403   403   login"),
    ("GET tasks.task", "emma",             "403   ok    403   403   404   404   403   login"),
    ("GET tasks.task", "kari",             "403   403   403   404   ok    404   403   login"),
    ("GET tasks.task", "per",              "403   403   ok    404   404   404   403   login"),
    ("POST tasks.task", "emma",            "403   ok    403   403   404   404   403   login"),
    ("POST tasks.task", "kari",            "403   403   403   404   ok    404   403   login"),
    ("POST tasks.task", "per",             "403   403   ok    404   404   404   403   login"),
    ("GET users.index", "-",               "403   403   403   403   403   403   ok    login"),
    ("POST users.create", "-",             "403   403   403   403   403   403   away  login"),
    ("GET users.user", "-",                "403   403   403   403   403   403   ok    login"),
    ("POST users.roles", "-",              "403   403   403   403   403   403   away  login"),
    ("POST users.deactivate", "-",         "403   403   403   403   403   403   away  login"),
    ("POST users.reactivate", "-",         "403   403   403   403   403   403   away  login"),
    # the JSON API (/api/v1)
    ("GET api.case_incident", "emma",      "ok    403   403   403   403   403   ok    login"),
    ("GET api.case_incident", "kari",      "ok    403   403   403   403   403   ok    login"),
    ("GET api.case_incident", "per",       "ok    403   403   403   403   403   ok    login"),
    ("POST api.claim_task", "emma",        "403   ok    403   403   404   404   403   login"),
    ("POST api.claim_task", "kari",        "403   403   403   404   ok    404   403   login"),
    ("POST api.claim_task", "per",         "403   403   ok    404   404   404   403   login"),
    ("POST api.complete_task", "emma",     "403   ok    403   403   404   404   403   login"),
    ("POST api.complete_task", "kari",     "403   403   403   404   ok    404   403   login"),
    ("POST api.complete_task", "per",      "403   403   ok    404   404   404   403   login"),
    ("POST api.correct_variable", "emma",  "ok    403   403   403   403   403   ok    login"),
    ("POST api.correct_variable", "kari",  "ok    403   403   403   403   403   ok    login"),
    ("POST api.correct_variable", "per",   "ok    403   403   403   403   403   ok    login"),
    ("POST api.decide_proposal", "emma",   "404   403   403   403   404   404   403   login"),
    ("POST api.decide_proposal", "kari",   "404   403   404   404   403   404   403   login"),
    ("POST api.decide_proposal", "per",    "404   403   404   404   404   404   403   login"),
    ("DELETE api.delete_draft", "emma",    "403   ok    403   403   404   404   403   login"),
    ("DELETE api.delete_draft", "kari",    "403   403   403   404   ok    404   403   login"),
    ("DELETE api.delete_draft", "per",     "403   403   ok    404   404   404   403   login"),
    ("POST api.deploy_process", "-",       "403   403   403   403   403   ok    403   login"),
    ("GET api.get_bpmn", "-",              "ok    ok    ok    ok    ok    ok    ok    login"),
    ("GET api.get_case", "emma",           "ok    ok    ok    ok    404   404   ok    login"),
    ("GET api.get_case", "kari",           "ok    ok    ok    404   ok    404   ok    login"),
    ("GET api.get_case", "per",            "ok    ok    ok    404   404   404   ok    login"),
    ("GET api.get_draft", "emma",          "403   404   403   403   404   404   403   login"),
    ("GET api.get_draft", "kari",          "403   403   403   404   404   404   403   login"),
    ("GET api.get_draft", "per",           "403   403   404   404   404   404   403   login"),
    ("GET api.get_plan", "emma",           "ok    ok    ok    ok    404   404   ok    login"),
    ("GET api.get_plan", "kari",           "ok    ok    ok    404   ok    404   ok    login"),
    ("GET api.get_plan", "per",            "ok    ok    ok    404   404   404   ok    login"),
    ("GET api.get_process", "-",           "ok    ok    ok    ok    ok    ok    ok    login"),
    ("GET api.get_task", "emma",           "ok    ok    ok    ok    404   404   ok    login"),
    ("GET api.get_task", "kari",           "ok    ok    ok    404   ok    404   ok    login"),
    ("GET api.get_task", "per",            "ok    ok    ok    404   404   404   ok    login"),
    ("GET api.inbox", "-",                 "ok    ok    ok    ok    ok    ok    ok    login"),
    ("POST api.innsyn_access_log", "-",    "403   403   403   403   403   403   ok    login"),
    ("POST api.innsyn_export", "-",        "403   403   403   403   403   403   ok    login"),
    ("GET api.list_documents", "emma",     "ok    ok    ok    ok    404   404   ok    login"),
    ("GET api.list_documents", "kari",     "ok    ok    ok    404   ok    404   ok    login"),
    ("GET api.list_documents", "per",      "ok    ok    ok    404   404   404   ok    login"),
    ("GET api.list_events", "emma",        "ok    ok    ok    ok    404   404   ok    login"),
    ("GET api.list_events", "kari",        "ok    ok    ok    404   ok    404   ok    login"),
    ("GET api.list_events", "per",         "ok    ok    ok    404   404   404   ok    login"),
    ("GET api.list_incidents", "-",        "ok    403   403   403   403   403   ok    login"),
    ("GET api.list_processes", "-",        "ok    ok    ok    ok    ok    ok    ok    login"),
    ("POST api.login", "-",                "login login login login login login login login"),
    ("POST api.logout", "-",               "ok    ok    ok    ok    ok    ok    ok    login"),
    ("POST api.monitor_cancel", "emma",    "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_cancel", "kari",    "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_cancel", "per",     "ok    403   403   403   403   403   ok    login"),
    ("GET api.monitor_consents_expiring", "-", "ok    403   403   403   403   403   ok    login"),
    ("GET api.monitor_overview", "-",      "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_reassign", "emma",  "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_reassign", "kari",  "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_reassign", "per",   "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_remind", "emma",    "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_remind", "kari",    "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_remind", "per",     "ok    403   403   403   403   403   ok    login"),
    ("POST api.monitor_retry", "-",        "ok    403   403   403   403   403   ok    login"),
    ("GET api.monitor_stuck", "-",         "ok    403   403   403   403   403   ok    login"),
    ("GET api.monitor_trends", "-",        "ok    403   403   403   403   403   ok    login"),
    ("GET api.openapi", "-",               "ok    ok    ok    ok    ok    ok    ok    ok"),
    ("POST api.move_case", "emma",         "ok    403   403   403   403   403   ok    login"),
    ("POST api.move_case", "kari",         "ok    403   403   403   403   403   ok    login"),
    ("POST api.move_case", "per",          "ok    403   403   403   403   403   ok    login"),
    ("PUT api.put_draft", "emma",          "403   ok    403   403   404   404   403   login"),
    ("PUT api.put_draft", "kari",          "403   403   403   404   ok    404   403   login"),
    ("PUT api.put_draft", "per",           "403   403   ok    404   404   404   403   login"),
    ("POST api.retry_incident", "-",       "404   403   403   403   403   403   404   login"),
    ("POST api.revise_plan", "emma",       "ok    403   403   403   404   404   403   login"),
    ("POST api.revise_plan", "kari",       "ok    403   ok    404   ok    404   403   login"),
    ("POST api.revise_plan", "per",        "ok    403   ok    404   404   404   403   login"),
    ("GET api.search_cases", "-",          "ok    ok    ok    ok    403   403   ok    login"),
    ("POST api.send_message", "emma",      "ok    ok    ok    ok    404   404   403   login"),
    ("POST api.send_message", "kari",      "ok    ok    ok    404   403   404   403   login"),
    ("POST api.send_message", "per",       "ok    ok    ok    404   404   404   403   login"),
    ("POST api.set_action_item", "emma",   "404   403   403   403   404   404   403   login"),
    ("POST api.set_action_item", "kari",   "404   403   404   404   404   404   403   login"),
    ("POST api.set_action_item", "per",    "404   403   404   404   404   404   403   login"),
    ("POST api.skip_step", "-",            "ok    403   403   403   403   403   ok    login"),
    ("POST api.start_case", "-",           "ok    ok    ok    ok    ok    403   403   login"),
    ("POST api.unclaim_task", "emma",      "403   ok    403   403   404   404   403   login"),
    ("POST api.unclaim_task", "kari",      "403   403   403   404   ok    404   403   login"),
    ("POST api.unclaim_task", "per",       "403   403   ok    404   404   404   403   login"),
]


def _outcome(response: TestResponse) -> str:
    status = response.status_code
    if status == 401 or (300 <= status < 400 and "/login" in response.headers.get("Location", "")):
        return "login"
    if 300 <= status < 400:
        return "away"
    if status in (400, 403, 404) or status >= 500:
        return str(status)
    return "ok"


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(method, endpoint, path with <args>) for every route, HEAD and OPTIONS aside."""
    return sorted((method, rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))


def _cases_of(rule: str) -> list[str]:
    """A route that names a case or a task is probed on each case, any other once."""
    return list(CASES) if re.search(r"<int:(case_id|task_id)>", rule) else ["-"]


def _names(db: Database, api: Api) -> dict[str, dict[str, str]]:
    """The ids each case's routes are probed with."""
    demo.seed(db)
    draft_id = designer.open_version(db, FIXED["key"], 1, get_actor(db, "designer"))
    names: dict[str, dict[str, str]] = {}
    with db.reading() as session:
        for label, nin in CASES.items():
            case_id = session.scalars(select(Case.id).where(Case.citizen_nin == nin)).one()
            task_id = session.scalars(select(Task.id).where(
                Task.case_id == case_id, Task.state == TaskState.READY)).first()
            attachment = session.scalar(select(Attachment.id).where(Attachment.case_id == case_id))
            names[label] = {**FIXED, "case_id": str(case_id), "task_id": str(task_id),
                            "attachment_id": str(attachment or 1), "draft_id": str(draft_id)}
    for ids in names.values():
        events = api.get(f"/cases/{ids['case_id']}/events", "systemkoordinator")["events"]
        ids["message"] = events[0]["message"] if events else "x"
    return names


def _path(rule: str, ids: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids[m.group(1)], rule)


class People:
    """Each person's browser and API token, logged in once."""

    def __init__(self, app: Flask, web: Callable[[str], Browser], api: Api) -> None:
        self.app, self.web, self.api = app, web, api
        self.anonymous = Browser(app.test_client())

    def send(self, person: str, method: str, endpoint: str, path: str) -> TestResponse:
        if path.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.api.token(person)}"} if person else {}
            body: Any = BODIES.get(endpoint, {}) if method != "GET" else None
            if endpoint == "api.login":  # a name per person: five failures lock a name
                body = {**body, "username": f"probe-{person}"}
            return self.api.client.open(path, method=method, json=body, headers=headers)
        browser = self.web(person) if person else self.anonymous
        if endpoint in OWN_BROWSER:
            browser = Browser(self.app.test_client())
            if person:
                browser.login(person)
        if method == "GET":
            return browser.client.get(path)
        # every page carries the token (the language form), the public statement too
        token = Page(browser.client.get("/tilgjengelighet")).csrf_token()
        response = browser.client.open(path, method=method, data={"csrf_token": token})
        if endpoint == "auth.logout" and person:
            self.log_in_again(person)
        return response

    def log_in_again(self, person: str) -> None:
        """Logout ends every session and token of the person (docs/security.md), so their
        browser and API token are renewed for the probes after it."""
        self.web(person).login(person)
        self.api.tokens.pop(person, None)


def probe_all(app: Flask, db: Database, web: Callable[[str], Browser], api: Api,
              everyone: bool) -> dict[tuple[str, str], str]:
    """The outcome of every route on every case for every person, as MATRIX writes it."""
    names = _names(db, api)
    people = People(app, web, api)
    expected = {(route, case): outcomes for route, case, outcomes in MATRIX}
    found: dict[tuple[str, str], str] = {}
    for method, endpoint, rule in _routes(app):
        route = f"{method} {endpoint}"
        for case in _cases_of(rule):
            path = _path(rule, names[case if case != "-" else "kari"])
            wanted = expected.get((route, case), "").split()
            outcomes = []
            for index, person in enumerate(PEOPLE):
                let_in = index < len(wanted) and wanted[index] in ("ok", "away")
                if method != "GET" and let_in and not everyone:
                    outcomes.append(wanted[index])
                    continue
                outcomes.append(_outcome(people.send(person, method, endpoint, path)))
            found[(route, case)] = " ".join(outcomes)
    return found


def test_who_may_open_what(web_app: Flask, db: Database, web: Callable[[str], Browser],
                           api: Api, frozen: datetime) -> None:
    found = probe_all(web_app, db, web, api, everyone=False)
    expected = {(route, case): " ".join(outcomes.split()) for route, case, outcomes in MATRIX}
    assert found.keys() == expected.keys(), "every route has a row per case, and no other"
    assert {key: value for key, value in found.items() if expected[key] != value} == {}


def test_every_route_has_a_row(web_app: Flask) -> None:
    """A new route fails here until MATRIX says who may use it."""
    rows = {(route, case) for route, case, _outcomes in MATRIX}
    needed = {(f"{method} {endpoint}", case) for method, endpoint, rule in _routes(web_app)
              for case in _cases_of(rule)}
    assert needed - rows == set()
    assert rows - needed == set()
    assert all(len(outcomes.split()) == len(PEOPLE) for _route, _case, outcomes in MATRIX)
