"""Server-side form validation: JSON Schema first, then the task's named validator.

Forms are copied into the process version at deploy, so a case keeps the forms of the version
it runs on. Only the fields a form declares are taken from a submission: a citizen's consent
form cannot set ``approved``.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

FORMAT_CHECKER = FormatChecker()

MESSAGES = {
    "required": "Feltet må fylles ut.",
    "type": "Ugyldig verdi.",
    "enum": "Velg en av verdiene i listen.",
    "format": "Ugyldig format.",
    "pattern": "Ugyldig format.",
    "minItems": "Velg eller legg til minst ett element.",
    "minLength": "Feltet må fylles ut.",
    "maxLength": "Teksten er for lang.",
    "uniqueItems": "Samme verdi er valgt flere ganger.",
}


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


def with_sources(schema: dict[str, Any], sources: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Fill ``enum`` (codes) and ``x-enumNames`` (labels) for properties marked ``x-source``.

    The municipality's service areas live in the database, not in the diagram's forms.
    """
    filled = copy.deepcopy(schema)
    for prop in filled.get("properties", {}).values():
        source = prop.get("x-source")
        if source in sources:
            prop["enum"] = list(sources[source])
            prop["x-enumNames"] = list(sources[source].values())
    return filled


def declared_fields(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Keep only the properties the form declares, dropping empty optional strings."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return {key: value for key, value in data.items()
            if key in properties and not (value in ("", None) and key not in required)}


def schema_errors(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, str]:
    """Field → Norwegian message for every JSON Schema violation (first one per field)."""
    errors: dict[str, str] = {}
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            for name in missing:
                errors.setdefault(_field(error.path, name), MESSAGES["required"])
            continue
        errors.setdefault(_field(error.path), MESSAGES.get(str(error.validator), error.message))
    return errors


def _field(path: Any, leaf: str | None = None) -> str:
    parts = [str(p) for p in path] + ([leaf] if leaf else [])
    return ".".join(parts) or "_form"
