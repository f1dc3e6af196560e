"""The JSON API's incident repair (``/api/v1``): what failed in a case and the case's data,
correcting a variable, skipping the failed step, moving the case to a fixed version.

Registered on the API's blueprint (authentication and the error shape are the API's own);
only the leder and the systemkoordinator may, as the engine checks.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.features import incident_repair
from engine.kernel.errors import InvalidData
from webapp.api import _json_body, api
from webapp.auth import db, signed_in_actor


@api.get("/cases/<int:case_id>/incident")
def case_incident(case_id: int) -> Any:
    """The case's open incidents (element, cause, technical text), data and newer versions."""
    return jsonify(incident_repair.case_repair(db(), case_id, signed_in_actor()).as_json())


@api.post("/cases/<int:case_id>/variables")
def correct_variable(case_id: int) -> Any:
    """``{variable, value, reason}``: ``value`` is any JSON value, ``null`` included."""
    body = _json_body()
    if "value" not in body:
        raise InvalidData({"value": "Verdien mangler."})
    incident_repair.correct_variable(db(), case_id, body.get("variable", ""), body["value"],
                                     body.get("reason"), signed_in_actor())
    return jsonify(incident_repair.case_repair(db(), case_id, signed_in_actor()).as_json())


@api.post("/incidents/<int:incident_id>/skip")
def skip_step(incident_id: int) -> Any:
    incident_repair.skip_step(db(), incident_id, _json_body().get("reason"), signed_in_actor())
    return jsonify({"ok": True})


@api.post("/cases/<int:case_id>/move")
def move_case(case_id: int) -> Any:
    """``{version, reason}``: the case moves; its failed step runs again on that version."""
    body = _json_body()
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidData({"version": "Oppgi versjonsnummeret som et heltall."})
    notes = incident_repair.move_case(db(), case_id, version, body.get("reason"),
                                      signed_in_actor())
    return jsonify({"notes": notes})
