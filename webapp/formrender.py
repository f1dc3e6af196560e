"""JSON Schema forms as HTML fields, and posted HTML fields back as JSON.

Pure functions, nothing Flask-specific, so both directions can be tested on their own:

- :func:`fields` turns a form's ``schema`` and ``ui`` hints plus the current values and errors
  into a list of :class:`Field` descriptions that the ``_form.html`` macros render.
- :func:`parse` turns the posted strings back into JSON types the engine validates.
- :func:`apply_action` adds or removes a row of an array field ("Legg til rad" / "Fjern rad"),
  so a form with repeating rows works without JavaScript.
- :func:`error_summary` lists the errors in form order, each with the id of the input to jump to.

Names: a top-level property is posted under its own name; rows of an array are posted as
``<array>-<index>`` (arrays of strings) or ``<array>-<index>-<property>`` (arrays of objects).
Error keys follow the engine: ``action_items.0.owner``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from engine.kernel.clock import MUNICIPAL_TZ

ADD = "add"
REMOVE = "remove"
ROWS_MARKER = "-_rows"  # hidden input "<array>-_rows": the array was on the page, maybe empty
_MISSING = object()
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class FormData(Protocol):
    """What :func:`parse` needs from posted data (werkzeug's MultiDict has it)."""

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Iterable[str]: ...


@dataclass
class Row:
    """One row of an array field: its inputs and the ``_action`` value that removes it."""

    index: int
    label: str
    fields: list[Field]
    remove_action: str
    error: str | None = None


@dataclass
class Field:
    """One input (or group of inputs) as the template renders it.

    ``kind`` is one of: ``text``, ``textarea``, ``number``, ``date``, ``datetime``, ``select``,
    ``boolean`` (Ja/Nei radios), ``checkboxes``, ``list`` (a text row per item), ``rows`` (a
    fieldset per object), ``group`` (a nested object).
    """

    kind: str
    name: str
    path: str
    label: str
    hint: str = ""
    required: bool = False
    value: str = ""
    values: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    rows: list[Row] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    item_label: str = ""
    add_action: str = ""
    summary_label: str = ""
    input_type: str = "text"
    step: str = ""

    @property
    def id(self) -> str:
        return "f-" + self.name

    @property
    def hint_id(self) -> str:
        return self.id + "-hint"

    @property
    def error_id(self) -> str:
        return self.id + "-error"

    @property
    def described_by(self) -> str:
        """Ids for ``aria-describedby``: the hint and the error message, when present."""
        ids = ([self.hint_id] if self.hint else []) + ([self.error_id] if self.error else [])
        return " ".join(ids)

    @property
    def anchor(self) -> str:
        """The id of the first input, where a link in the error summary takes the user."""
        if self.kind == "boolean":
            return self.id + "-true"
        if self.kind == "checkboxes":
            return self.id + "-0" if self.options else self.id
        if self.kind in ("list", "rows"):
            if self.rows and self.rows[0].fields:
                return self.rows[0].fields[0].anchor
            return self.id + "-add"
        if self.kind == "group":
            return self.children[0].anchor if self.children else self.id
        return self.id


# ---------------------------------------------------------------- schema reading


def _type(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _choices(prop: Mapping[str, Any]) -> list[tuple[Any, str]] | None:
    """(value, label) pairs from ``enum`` + ``x-enumNames`` or ``oneOf``/``anyOf`` consts."""
    if "enum" in prop:
        names = list(prop.get("x-enumNames") or [])
        return [(value, str(names[i]) if i < len(names) else str(value))
                for i, value in enumerate(prop["enum"]) if value is not None]
    alternatives = prop.get("oneOf") or prop.get("anyOf")
    if alternatives and all(isinstance(a, Mapping) and "const" in a for a in alternatives):
        return [(a["const"], str(a.get("title", a["const"]))) for a in alternatives]
    return None


def _kind(prop: Mapping[str, Any], widget: str | None) -> str:
    kind = _type(prop)
    if kind == "array":
        items = prop.get("items") or {}
        if _choices(items) is not None:
            return "checkboxes"
        return "rows" if _type(items) == "object" else "list"
    if kind == "object":
        return "group"
    if _choices(prop) is not None:
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


def _ordered(schema: Mapping[str, Any], ui: Mapping[str, Any] | None) -> list[str]:
    properties = list((schema.get("properties") or {}).keys())
    order = [name for name in (ui or {}).get("order") or [] if name in properties]
    return order + [name for name in properties if name not in order]


def _option_value(value: Any) -> str:
    """How a JSON value is written into an HTML ``value`` attribute."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _display(kind: str, value: Any) -> str:
    """A stored JSON value as the input shows it."""
    if value is None:
        return ""
    if kind == "date" and isinstance(value, str):
        return value[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", value) else value
    if kind == "datetime" and isinstance(value, str):
        return _local_datetime(value)
    return _option_value(value)


def _local_datetime(value: str) -> str:
    """``YYYY-MM-DDTHH:MM`` for ``datetime-local``; a time with an offset in Norwegian time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(MUNICIPAL_TZ)
    return moment.strftime("%Y-%m-%dT%H:%M")


# ---------------------------------------------------------------- fields


def fields(schema: Mapping[str, Any], ui: Mapping[str, Any] | None,
           values: Mapping[str, Any] | None, errors: Mapping[str, str] | None) -> list[Field]:
    """The form's fields in ``ui.order``, filled with ``values`` and ``errors``.

    ``values`` are JSON values (task data, or what :func:`parse` made of a post); an array
    field with no value at all gets one empty row to start from.
    """
    errors = errors or {}
    result = _object_fields(schema, ui or {}, values or {}, errors, [], "")
    _attach_leftovers(result, errors)
    return result


def _object_fields(schema: Mapping[str, Any], ui: Mapping[str, Any], values: Mapping[str, Any],
                   errors: Mapping[str, str], parts: list[str], label_prefix: str) -> list[Field]:
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    widgets = ui.get("widgets") or {}
    result = []
    for key in _ordered(schema, ui):
        prop = properties[key]
        path = [*parts, key]
        widget = widgets.get(".".join(p for p in path if not p.isdigit()))
        result.append(_field(prop, widget, values.get(key) if isinstance(values, Mapping)
                             else None, ui, errors, path, key in required, label_prefix))
    return result


def _field(prop: Mapping[str, Any], widget: str | None, value: Any, ui: Mapping[str, Any],
           errors: Mapping[str, str], parts: list[str], required: bool,
           label_prefix: str) -> Field:
    kind = _kind(prop, widget)
    label = str(prop.get("title") or parts[-1])
    path = ".".join(parts)
    f = Field(kind=kind, name="-".join(parts), path=path, label=label,
              hint=str(prop.get("description") or ""), required=required,
              error=errors.get(path), summary_label=label_prefix + label)
    if kind == "select":
        f.options = [(_option_value(v), name) for v, name in _choices(prop) or []]
        f.value = _display(kind, value if value is not None else prop.get("default"))
    elif kind == "checkboxes":
        f.options = [(_option_value(v), name) for v, name in _choices(prop["items"]) or []]
        chosen = value if isinstance(value, list) else []
        f.values = [_option_value(v) for v in chosen]
    elif kind in ("list", "rows"):
        _fill_rows(f, prop, widget, value, ui, errors, parts)
    elif kind == "group":
        f.children = _object_fields(prop, {"widgets": (ui.get("widgets") or {})},
                                    value if isinstance(value, Mapping) else {}, errors, parts,
                                    f"{label}: ")
    else:
        f.value = _display(kind, value if value is not None else prop.get("default"))
        if kind == "number":
            f.input_type = "number"
            f.step = "1" if _type(prop) == "integer" else "any"
    return f


def _fill_rows(f: Field, prop: Mapping[str, Any], widget: str | None, value: Any,
               ui: Mapping[str, Any], errors: Mapping[str, str], parts: list[str]) -> None:
    items = prop.get("items") or {}
    f.item_label = str(items.get("title") or f.label)
    f.add_action = f"{ADD}:{f.name}"
    entries = list(value) if isinstance(value, list) else [None]
    for index, entry in enumerate(entries):
        row_parts = [*parts, str(index)]
        row_label = f"{f.item_label} {index + 1}"
        if f.kind == "rows":
            row_fields = _object_fields(items, {"widgets": ui.get("widgets") or {}},
                                        entry if isinstance(entry, Mapping) else {},
                                        errors, row_parts, f"{row_label}: ")
        else:
            item = _field(items, widget, entry, ui, errors, row_parts, False, "")
            item.label = item.summary_label = row_label
            item.hint = ""
            row_fields = [item]
        f.rows.append(Row(index=index, label=row_label, fields=row_fields,
                          remove_action=f"{REMOVE}:{f.name}:{index}",
                          error=errors.get(".".join(row_parts)) if f.kind == "rows" else None))


def _walk(form_fields: list[Field]) -> Iterable[Field]:
    for f in form_fields:
        yield f
        for row in f.rows:
            yield from _walk(row.fields)
        yield from _walk(f.children)


def _attach_leftovers(form_fields: list[Field], errors: Mapping[str, str]) -> None:
    """An error for a path no input has (``requests.1``) goes to the closest field above it."""
    taken = set()
    for f in _walk(form_fields):
        taken.add(f.path)
        taken.update(f"{f.path}.{row.index}" for row in f.rows if f.kind == "rows")
    for key, message in errors.items():
        if key in taken:
            continue
        owner = _owner(form_fields, key)
        if owner is None:
            continue
        if owner.error is None:
            owner.error = message
        elif message not in owner.error:
            owner.error = f"{owner.error} {message}"


def _owner(form_fields: list[Field], key: str) -> Field | None:
    best: Field | None = None
    for f in _walk(form_fields):
        if key.startswith(f.path + ".") and (best is None or len(f.path) > len(best.path)):
            best = f
    return best


def error_summary(form_fields: list[Field], errors: Mapping[str, str]) -> list[dict[str, str]]:
    """Every error once, in the order of the form: ``{anchor, label, message}``.

    Errors no field shows (``_form``, or a field the form does not have) link to the top of
    the form (``#form-top``).
    """
    summary: list[dict[str, str]] = []
    for f in form_fields:
        if f.error:
            summary.append({"anchor": f.anchor, "label": f.summary_label, "message": f.error})
        for row in f.rows:
            if row.error:
                anchor = row.fields[0].anchor if row.fields else f.anchor
                summary.append({"anchor": anchor, "label": row.label, "message": row.error})
            summary.extend(error_summary(row.fields, {}))
        summary.extend(error_summary(f.children, {}))
    paths = [f.path for f in _walk(form_fields)]
    for key, message in errors.items():
        if not any(key == p or key.startswith(p + ".") for p in paths):
            summary.append({"anchor": "form-top", "label": "", "message": message})
    return summary


# ---------------------------------------------------------------- parsing


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
    kind = _kind(prop, None)
    if kind == "checkboxes":
        choices = _choices(prop["items"]) or []
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
        return _from_option(_choices(prop) or [], raw)
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.lower())
    if kind == "number":
        return _number(raw, _type(prop) == "integer")
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
    objects = _type(items) == "object"
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
        if _option_value(value) == raw:
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
    if prop is None or _type(prop) != "array":
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
    return {} if _type(prop.get("items") or {}) == "object" else ""


def _property_at(schema: Mapping[str, Any], parts: list[str]) -> Mapping[str, Any] | None:
    node: Mapping[str, Any] | None = schema
    for part in parts:
        if node is None:
            return None
        if part.isdigit() and _type(node) == "array":
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
