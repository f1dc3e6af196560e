"""What the main API routes take and answer, as JSON Schema (OpenAPI 3.1), by endpoint name.

Data for :mod:`webapp.openapi`, which puts every route of ``/api/v1`` into the document from the
URL map; routes named here get these schemas, the others a JSON object. A test checks that every
name here is a route, and the schemathesis run that the answers keep to them.
"""

from __future__ import annotations

from typing import Any

from engine.kernel.paging import MAX_PAGE, MAX_PER_PAGE

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
WHOLE: Schema = {"type": "integer"}
OK: Schema = {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}}
ANY_OBJECT: Schema = {"type": "object"}
ROWS: Schema = {"type": "array", "items": ANY_OBJECT}
DATA: Schema = {"type": "object", "description": "The form's fields, as its JSON Schema says."}


def obj(required: list[str], **properties: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": properties}


def query(name: str, schema: Schema | None = None, description: str = "") -> Schema:
    parameter: Schema = {"name": name, "in": "query", "required": False,
                         "schema": schema or TEXT}
    if description:
        parameter["description"] = description
    return parameter


# Every list answers one page: these parameters in, ``paged(key, row)`` out.
PAGING = [query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
          query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE})]


def paged(key: str, row: Schema) -> Schema:
    """A page of ``row``s under ``key``, with the keys of :meth:`Page.meta`."""
    return obj([key, "total", "page", "per_page", "pages"], total=WHOLE, page=WHOLE,
               per_page=WHOLE, pages=WHOLE, **{key: {"type": "array", "items": row}})


ERROR = obj(["error", "code"], error=TEXT, code=TEXT,
            errors={"type": "object", "additionalProperties": TEXT})

CASE_ROW = obj(["id", "citizen_name", "status", "process", "version"], id=WHOLE,
               citizen_name=TEXT, status=TEXT, process=TEXT, version=WHOLE,
               service_area={"type": ["string", "null"]}, coordinator={"type": ["string", "null"]},
               waiting_at=ROWS, since=TEXT, overdue={"type": "boolean"})

TASK_ROW = obj(["id", "case_id", "bpmn_id", "name", "role", "state"], id=WHOLE, case_id=WHOLE,
               bpmn_id=TEXT, name=TEXT, role=TEXT, state=TEXT, citizen_name=TEXT,
               citizen_nin=TEXT, overdue={"type": "boolean"},
               due_at={"type": ["string", "null"]}, assignee={"type": ["string", "null"]},
               claimed_by={"type": ["string", "null"]})
INBOX_PAGE = paged("tasks", TASK_ROW)
INBOX_PAGE["required"].append("counts")
INBOX_PAGE["properties"]["counts"] = obj(["mine", "group"], mine=WHOLE, group=WHOLE)

STUCK_ROW = obj(["case_id", "reason", "since", "overdue_days"], case_id=WHOLE, reason=TEXT,
                since=TEXT, overdue_days=WHOLE, step={"type": ["string", "null"]},
                role={"type": ["string", "null"]}, assignee={"type": ["string", "null"]},
                service_area={"type": ["string", "null"]})
STUCK_PAGE = paged("rows", STUCK_ROW)
STUCK_PAGE["required"] += ["now", "total_capped"]
STUCK_PAGE["properties"].update(now=TEXT, total_capped={"type": "boolean"})

NOW = query("now", description="ISO 8601 time the monitor looks from (default: now). Without "
            "it the overview and trends are the worker's newest computation "
            "(IPFLOW_MONITOR_REFRESH_MINUTES, default 5); with it they are computed for that "
            "moment")
COMPUTED_AT: Schema = {"type": "string", "description": "ISO 8601 time the figures are of: "
                       "when the worker computed them, or the now asked for"}
NULLABLE_TEXT: Schema = {"type": ["string", "null"]}
NULLABLE_WHOLE: Schema = {"type": ["integer", "null"]}
MONITOR_OVERVIEW = obj(
    ["now", "computed_at", "active_cases", "per_step", "per_area", "heatmap"], now=TEXT,
    computed_at=COMPUTED_AT, active_cases=WHOLE, per_step=ROWS, per_area=ROWS,
    heatmap=obj(["process", "version", "steps"], process=NULLABLE_TEXT,
                version=NULLABLE_WHOLE, steps=ROWS))
MONITOR_TRENDS = obj(["computed_at", "months", "lead_times", "opened", "closed"],
                     computed_at=COMPUTED_AT, months={"type": "array", "items": TEXT},
                     lead_times=ANY_OBJECT, opened={"type": "array", "items": WHOLE},
                     closed={"type": "array", "items": WHOLE})
THRESHOLD: Schema = {"type": "number"}

# endpoint → {"body": request schema, "responses": {status: schema}, "query": [parameters]}
OPERATIONS: dict[str, dict[str, Any]] = {
    "api.login": {
        "body": obj(["username", "password"], username=TEXT, password=TEXT),
        "responses": {"200": obj(["token"], token=TEXT)}},
    "api.logout": {"body": ANY_OBJECT, "responses": {"200": OK}},
    "api.search_cases": {
        "query": [query(name) for name in ("q", "status", "phase", "step", "service_area",
                                           "coordinator", "overdue", "sort")]
        + PAGING,
        "responses": {"200": paged("cases", CASE_ROW)}},
    "api.start_case": {
        "body": obj(["process"], process=TEXT, data=DATA, attach_to=WHOLE,
                    duplicate_reason=TEXT),
        "responses": {"201": obj(["id"], id=WHOLE),
                      "200": obj(["id", "attached"], id=WHOLE, attached={"const": True})}},
    "api.get_case": {
        "responses": {"200": obj(["id", "status", "process", "version", "tasks", "events"],
                                 id=WHOLE, status=TEXT, process=TEXT, version=WHOLE,
                                 tasks=ROWS, events=ROWS)}},
    "api.inbox": {
        "query": [query("view", {"enum": ["all", "mine", "group"]}),
                  *(query(name) for name in ("step", "service_area", "q")), *PAGING],
        "responses": {"200": INBOX_PAGE}},
    "api.get_task": {"responses": {"200": obj(["id", "case_id", "form"], id=WHOLE,
                                              case_id=WHOLE, form=ANY_OBJECT)}},
    "api.claim_task": {"body": ANY_OBJECT, "responses": {"200": OK}},
    "api.unclaim_task": {"body": ANY_OBJECT, "responses": {"200": OK}},
    "api.complete_task": {"body": obj([], data=DATA, claim={"type": "boolean"}),
                          "responses": {"200": OK}},
    "api.send_message": {"body": obj([], data=DATA), "responses": {"200": OK}},
    "api.get_plan": {
        "responses": {"200": obj(["current", "revisions", "proposals", "action_items",
                                  "may_revise", "may_propose"],
                                 current={"type": ["object", "null"]}, revisions=ROWS,
                                 proposals=ROWS, action_items=ROWS,
                                 may_revise={"type": "boolean"},
                                 may_propose={"type": "boolean"})}},
    "api.revise_plan": {"body": obj(["plan", "base"], plan=DATA, base=WHOLE, note=TEXT),
                        "responses": {"201": ANY_OBJECT}},
    "api.decide_proposal": {
        "body": obj(["decision"], decision={"enum": ["accepted", "declined"]}, reason=TEXT),
        "responses": {"200": ANY_OBJECT}},
    "api.set_action_item": {
        "body": obj(["status"], status={"enum": ["apen", "pagar", "utfort", "lukket"]}),
        "responses": {"200": ANY_OBJECT}},
    "api.get_bpmn": {"query": [query("version", {"type": "integer", "minimum": 1})],
                     "responses": {"200": {"content": "application/xml", "schema": TEXT}}},
    "api.deploy_process": {"body": obj(["bpmn"], bpmn=TEXT),
                           "responses": {"201": obj(["key", "version", "processes"], key=TEXT,
                                                    version=WHOLE, processes=ROWS)}},
    "api.monitor_stuck": {
        "query": [NOW, query("unclaimed_hours", THRESHOLD), query("idle_days", THRESHOLD),
                  query("reason"), query("service_area"), query("role"), query("step"),
                  query("sort"), query("order", {"enum": ["asc", "desc"]}), *PAGING],
        "responses": {"200": STUCK_PAGE}},
    "api.monitor_overview": {"query": [NOW, query("process")],
                             "responses": {"200": MONITOR_OVERVIEW}},
    "api.monitor_trends": {"query": [NOW, query("months", {"type": "integer"})],
                           "responses": {"200": MONITOR_TRENDS}},
    "api.monitor_consents_expiring": {
        "query": [query("days", {"type": "number", "minimum": 0, "maximum": 366}), *PAGING],
        "responses": {"200": paged("consents", ANY_OBJECT)}},
    "api.list_processes": {"query": PAGING, "responses": {"200": paged("processes", obj(
        ["key", "version"], key=TEXT, version=WHOLE))}},
    "api.list_documents": {"query": PAGING, "responses": {"200": paged("documents", obj(
        ["id", "kind", "title", "body", "attachments"], id=WHOLE, kind=TEXT, title=TEXT,
        body=TEXT, attachments=ROWS))}},
    "api.list_incidents": {"query": PAGING, "responses": {"200": paged("incidents", obj(
        ["id", "case_id"], id=WHOLE, case_id=WHOLE))}},
    "api.monitor_remind": {"body": obj([], task_id=WHOLE, reason=TEXT),
                           "responses": {"200": obj(["ok", "recipient"], ok={"const": True},
                                                    recipient=TEXT)}},
    "api.monitor_cancel": {"body": obj([], reason=TEXT), "responses": {"200": OK}},
    "api.innsyn_access_log": {"body": obj(["nin"], nin=TEXT),
                              "responses": {"200": {"content": "text/csv", "schema": TEXT}}},
    "api.innsyn_export": {"body": obj(["nin"], nin=TEXT),
                          "responses": {"200": {"content": "application/zip",
                                                "schema": {"type": "string",
                                                           "contentMediaType":
                                                               "application/zip"}}}},
    "api.openapi": {"responses": {"200": ANY_OBJECT}},
}
