"""The rules a form document obeys before a diagram may use it, and where a form is found.

A form is ``{title, schema, ui}`` with a valid JSON Schema (draft 2020-12) of type object, as
``docs/procedure.md`` describes; a draft's own forms come before the files in
``processes/forms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

import processes
from engine.features import task_context
from engine.runtime import form_patterns, forms

FormSource = Mapping[str, Any]
"""Forms a draft brings (name → form document); looked up before ``processes/forms``."""


def form_problem(form: Any) -> str | None:
    """Why a form document cannot be used, or None: ``{title, schema, ui}`` with a valid
    JSON Schema (draft 2020-12) of type object, as ``docs/procedure.md`` describes."""
    if not isinstance(form, Mapping):
        return "skjemaet må være et JSON-objekt med title og schema"
    schema = form.get("schema")
    if not isinstance(schema, Mapping):
        return "skjemaet mangler schema (et JSON Schema-objekt)"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        return f"ugyldig JSON Schema{f' ved {where}' if where else ''}: {exc.message}"
    if schema.get("type", "object") != "object":
        return "skjemaets schema må ha type object"
    if patterns := form_patterns.pattern_problems(schema):
        return patterns[0]
    unknown = forms.unknown_normalizers(schema)
    if unknown:
        return (f"ukjent x-normalize ved {', '.join(unknown)}; "
                f"kjente verdier: {', '.join(forms.NORMALIZERS)}")
    if unknown_sources := forms.unknown_sources(schema):
        return (f"ukjent x-source ved {', '.join(unknown_sources)}; "
                f"kjente kilder: {', '.join(forms.SOURCES)}")
    if problem := forms.prefill_problem(dict(schema)) or task_context.context_problem(form):
        return problem
    if "ui" in form and not isinstance(form["ui"], Mapping):
        return "ui må være et JSON-objekt"
    if "title" in form and not isinstance(form["title"], str):
        return "title må være tekst"
    return None


def find_form(name: str, overrides: FormSource) -> dict[str, Any]:
    """A draft's own form, else the shipped one; KeyError when neither exists."""
    if name in overrides:
        return dict(overrides[name])
    return processes.load_form(name)
