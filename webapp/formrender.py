"""JSON Schema forms as HTML fields: the inputs a form page shows, and its error summary.

Pure functions, nothing Flask-specific, so this direction can be tested on its own (the way
back, posted fields as JSON, is :mod:`webapp.formparse`):

- :func:`fields` turns a form's ``schema`` and ``ui`` hints plus the current values and errors
  into a list of :class:`Field` descriptions that the ``_form.html`` macros render.
- :func:`error_summary` lists the errors in form order, each with the id of the input to jump to.

Names: a top-level property is posted under its own name; rows of an array are posted as
``<array>-<index>`` (arrays of strings) or ``<array>-<index>-<property>`` (arrays of objects).
Error keys follow the engine: ``action_items.0.owner``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.kernel.clock import MUNICIPAL_TZ
from webapp.formschema import ADD, REMOVE, choices_of, input_kind, option_value, schema_type


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
    autofocus: bool = False
    """The input takes the focus when the page opens (the row just added, or the one that
    moved up when a row was removed); focusing also scrolls it into view, without JavaScript."""
    add_autofocus: bool = False
    """The "add a row" button takes the focus (the last row was removed)."""

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


def _ordered(schema: Mapping[str, Any], ui: Mapping[str, Any] | None) -> list[str]:
    properties = list((schema.get("properties") or {}).keys())
    order = [name for name in (ui or {}).get("order") or [] if name in properties]
    return order + [name for name in properties if name not in order]


def _display(kind: str, value: Any) -> str:
    """A stored JSON value as the input shows it."""
    if value is None:
        return ""
    if kind == "date" and isinstance(value, str):
        return value[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", value) else value
    if kind == "datetime" and isinstance(value, str):
        return _local_datetime(value)
    return option_value(value)


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
    kind = input_kind(prop, widget)
    label = str(prop.get("title") or parts[-1])
    path = ".".join(parts)
    f = Field(kind=kind, name="-".join(parts), path=path, label=label,
              hint=str(prop.get("description") or ""), required=required,
              error=errors.get(path), summary_label=label_prefix + label)
    if kind == "select":
        f.options = [(option_value(v), name) for v, name in choices_of(prop) or []]
        f.value = _display(kind, value if value is not None else prop.get("default"))
    elif kind == "checkboxes":
        f.options = [(option_value(v), name) for v, name in choices_of(prop["items"]) or []]
        chosen = value if isinstance(value, list) else []
        f.values = [option_value(v) for v in chosen]
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
            f.step = "1" if schema_type(prop) == "integer" else "any"
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


def focus_after(form_fields: list[Field], action: str) -> None:
    """After ``add:<array>`` the new (last) row's first input takes the focus; after
    ``remove:<array>:<index>`` the row that took its place, or the one before, or the add
    button when none is left. The person goes on typing where they were."""
    verb, _, rest = action.partition(":")
    if verb == REMOVE:
        rest, _, position = rest.rpartition(":")
    array = next((f for f in _walk(form_fields) if f.name == rest and f.add_action), None)
    if array is None or verb not in (ADD, REMOVE):
        return
    if not array.rows:
        array.add_autofocus = True
        return
    if verb == ADD:
        row = array.rows[-1]
    else:
        index = int(position) if position.isdigit() else 0
        row = array.rows[min(index, len(array.rows) - 1)]
    focus_first(row.fields)


def focus_first(form_fields: list[Field]) -> None:
    """The first input of ``form_fields`` takes the focus (inside a group or a list: its
    first); after taking a task, that is where the person starts."""
    target = form_fields[0] if form_fields else None
    while target is not None and target.kind in ("group", "list", "rows"):
        inner = target.children or [field for r in target.rows for field in r.fields]
        target = inner[0] if inner else None
    if target is not None:
        target.autofocus = True


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
