"""How the form pages read a JSON Schema property: its type, its choices, the input it becomes,
and how a JSON value is written into an HTML ``value``.

Shared by both directions (:mod:`webapp.formrender` builds the inputs, :mod:`webapp.formparse`
reads the post back), so a field is read the same way going out and coming in; with them the
names of the row actions ("Legg til rad" / "Fjern rad") and of the rows marker both use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ADD = "add"
REMOVE = "remove"
COPY_PREVIOUS = "copy-previous"  # "Kopier fra forrige periode": fill from the last answers
ROWS_MARKER = "-_rows"  # hidden input "<array>-_rows": the array was on the page, maybe empty


def schema_type(prop: Mapping[str, Any]) -> str:
    """The property's type; of a nullable one (``["string", "null"]``), the other type."""
    kind = prop.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def choices_of(prop: Mapping[str, Any]) -> list[tuple[Any, str]] | None:
    """(value, label) pairs from ``enum`` + ``x-enumNames`` or ``oneOf``/``anyOf`` consts."""
    if "enum" in prop:
        names = list(prop.get("x-enumNames") or [])
        return [(value, str(names[i]) if i < len(names) else str(value))
                for i, value in enumerate(prop["enum"]) if value is not None]
    alternatives = prop.get("oneOf") or prop.get("anyOf")
    if alternatives and all(isinstance(a, Mapping) and "const" in a for a in alternatives):
        return [(a["const"], str(a.get("title", a["const"]))) for a in alternatives]
    return None


def input_kind(prop: Mapping[str, Any], widget: str | None) -> str:
    """The :class:`webapp.formrender.Field` kind the property becomes (``ui`` widget hint too)."""
    kind = schema_type(prop)
    if kind == "array":
        items = prop.get("items") or {}
        if choices_of(items) is not None:
            return "checkboxes"
        return "rows" if schema_type(items) == "object" else "list"
    if kind == "object":
        return "group"
    if choices_of(prop) is not None:
        return "select"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return "number"
    fmt = prop.get("format")
    if fmt == "date":
        return "date"
    if fmt == "date-time":
        return "datetime"
    return "textarea" if widget == "textarea" else "text"


def option_value(value: Any) -> str:
    """How a JSON value is written into an HTML ``value`` attribute."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
