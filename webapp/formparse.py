"""Posted HTML fields back as the JSON a form's schema describes, and the row buttons.

Pure functions, nothing Flask-specific: :func:`parse` turns the posted strings back into JSON
types the engine validates; :func:`apply_action` adds or removes a row of an array field
("Legg til rad" / "Fjern rad"), so a form with repeating rows works without JavaScript. The
names posted are those :mod:`webapp.formrender` gives its inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from webapp.formschema import (
    ADD,
    REMOVE,
    ROWS_MARKER,
    choices_of,
    input_kind,
    option_value,
    schema_type,
)

_MISSING = object()
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class FormData(Protocol):
    """What :func:`parse` needs from posted data (werkzeug's MultiDict has it)."""

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Iterable[str]: ...


def parse(schema: Mapping[str, Any], form: FormData, *, keep_rows: bool = False
          ) -> dict[str, Any]:
    """The posted strings as the JSON the form's schema describes.

    Booleans come from ``true``/``false``, dates stay ISO strings (``dd.mm.yyyy`` is accepted
    too), ``datetime-local`` values get seconds, arrays are rebuilt from indexed names in index
    order, numbers become numbers. Empty values are dropped, and so are array rows where
    nothing was filled in (a row holding only its defaults counts as empty). A value that does
    not convert is kept as typed, so validation reports it and the form shows it again.

    ``keep_rows`` keeps empty rows and empty arrays: used when re-rendering after "Legg til
    rad" / "Fjern rad", so the rows stay where the user put them.
    """
    keys = list(form.keys())
    return _parse_object(schema, form, keys, [], keep_rows)


def _parse_object(schema: Mapping[str, Any], form: FormData, keys: list[str], parts: list[str],
                  keep_rows: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, prop in (schema.get("properties") or {}).items():
        value = _parse_value(prop, form, keys, [*parts, key], keep_rows)
        if value is not None:
            result[key] = value
    return result


def _first(form: FormData, name: str) -> str | None:
    values = form.getlist(name)
    return values[0] if values else None


def _parse_value(prop: Mapping[str, Any], form: FormData, keys: list[str], parts: list[str],
                 keep_rows: bool) -> Any:
    name = "-".join(parts)
    kind = input_kind(prop, None)
    if kind == "checkboxes":
        choices = choices_of(prop["items"]) or []
        chosen = [_from_option(choices, raw) for raw in form.getlist(name) if raw != ""]
        return chosen or None
    if kind in ("list", "rows"):
        return _parse_rows(prop, form, keys, parts, keep_rows)
    if kind == "group":
        group = _parse_object(prop, form, keys, parts, keep_rows)
        return group or None
    raw = _first(form, name)
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "":
        return None
    if kind == "select":
        return _from_option(choices_of(prop) or [], raw)
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower())
    if kind == "number":
        return _number(raw, schema_type(prop) == "integer")
    if kind == "date":
        return _iso_date(raw)
    if kind == "datetime":
        return _iso_datetime(raw)
    return raw.replace("\r\n", "\n")


def _row_indexes(keys: list[str], name: str) -> list[int]:
    prefix = name + "-"
    indexes = set()
    for key in keys:
        if key.startswith(prefix):
            head = key[len(prefix):].split("-", 1)[0]
            if head.isdigit():
                indexes.add(int(head))
    return sorted(indexes)


def _parse_rows(prop: Mapping[str, Any], form: FormData, keys: list[str], parts: list[str],
                keep_rows: bool) -> list[Any] | None:
    items = prop.get("items") or {}
    objects = schema_type(items) == "object"
    defaults = {k: p["default"] for k, p in (items.get("properties") or {}).items()
                if "default" in p} if objects else {}
    rows: list[Any] = []
    for index in _row_indexes(keys, "-".join(parts)):
        row_parts = [*parts, str(index)]
        if objects:
            row = _parse_object(items, form, keys, row_parts, keep_rows)
            empty = all(defaults.get(k, _MISSING) == v for k, v in row.items())
            if not empty or keep_rows:
                rows.append(row)
        else:
            value = _parse_value(items, form, keys, row_parts, keep_rows)
            if value is not None:
                rows.append(value)
            elif keep_rows:
                rows.append("")
    if rows or (keep_rows and _was_shown(keys, parts)):
        return rows
    return None


def _was_shown(keys: list[str], parts: list[str]) -> bool:
    """True when the post carries the array's row marker (it was on the page, maybe empty)."""
    return "-".join(parts) + ROWS_MARKER in keys


def _from_option(choices: list[tuple[Any, str]], raw: str) -> Any:
    for value, _label in choices:
        if option_value(value) == raw:
            return value
    return raw


def _number(raw: str, integer: bool) -> Any:
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return raw
    if integer:
        return int(number) if number.is_integer() else raw
    return int(number) if number.is_integer() and "." not in raw and "," not in raw else number


def _iso_date(raw: str) -> str:
    match = _NORWEGIAN_DATE.match(raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return raw
    return raw


def _iso_datetime(raw: str) -> str:
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "T"))
    except ValueError:
        return raw
    return moment.isoformat(timespec="seconds")


# ---------------------------------------------------------------- row actions


def apply_action(schema: Mapping[str, Any], values: dict[str, Any], action: str
                 ) -> dict[str, Any]:
    """``add:<array>`` appends an empty row, ``remove:<array>:<index>`` removes one.

    ``<array>`` is the posted name of the array (``plan_measures``, or deeper for an array
    inside a group). Unknown actions change nothing.
    """
    verb, _, rest = action.partition(":")
    if verb == ADD:
        target, index = rest, None
    elif verb == REMOVE:
        target, _, position = rest.rpartition(":")
        if not position.isdigit():
            return values
        index = int(position)
    else:
        return values
    parts = target.split("-")
    prop = _property_at(schema, parts)
    if prop is None or schema_type(prop) != "array":
        return values
    container = _container(values, parts[:-1], create=verb == ADD)
    if container is None:
        return values
    key = parts[-1]
    rows = container.get(key)
    if not isinstance(rows, list):
        if index is not None:
            return values
        rows = []
    if index is None:
        rows.append(_empty_row(prop))
    elif 0 <= index < len(rows):
        rows.pop(index)
    container[key] = rows
    return values


def _empty_row(prop: Mapping[str, Any]) -> Any:
    return {} if schema_type(prop.get("items") or {}) == "object" else ""


def _property_at(schema: Mapping[str, Any], parts: list[str]) -> Mapping[str, Any] | None:
    node: Mapping[str, Any] | None = schema
    for part in parts:
        if node is None:
            return None
        if part.isdigit() and schema_type(node) == "array":
            node = node.get("items")
        else:
            node = (node.get("properties") or {}).get(part)
    return node


def _container(values: dict[str, Any], parts: list[str], create: bool) -> dict[str, Any] | None:
    node: Any = values
    for part in parts:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node:
                if not create:
                    return None
                node[part] = {}
            node = node[part]
        else:
            return None
    return node if isinstance(node, dict) else None
