"""Input normalised at the edge: every request, page or API, is checked here once before a view
sees it, so that no text, number or nesting a client can send reaches the engine or the
database in a form they cannot store (a 500), and the refusal is a 4xx in the usual shape.

- NUL characters and lone surrogates in any text (path, query, form, file names, JSON keys and
  values) are refused with 422: PostgreSQL cannot store NUL, UTF-8 cannot encode a surrogate.
- Dates outside years 1–9999 (ISO text a client sends) are refused with 422.
- JSON nested deeper than :data:`MAX_DEPTH` is refused with 413 before it is parsed (the
  parser would recurse until Python's limit); JSON numbers must be finite and whole numbers fit
  a 64-bit column (422). The body size is Flask's ``MAX_CONTENT_LENGTH`` (413).
- Integer ids in URLs are at most :data:`MAX_ID` (:class:`BoundedInt`, registered as ``int`` for
  the whole app): a larger id matches no route, so it is a 404 like any unknown id. Whole
  numbers in JSON stay within the same range (they name ids, versions, revisions).
- Digit-only query and form values larger than :data:`MAX_WHOLE` are refused (400 / 422; a
  fødselsnummer has 11 digits, so the id range cannot apply to text); id-like parameters are
  read with ``type=whole_id``, and numeric ones through :func:`number_arg` (finite, bounded).

Lengths are checked against the columns where rows are written (engine.kernel.lengths).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map

from engine.kernel.errors import InvalidData, InvalidQuery
from engine.kernel.paging import Paging

MAX_ID = 2**31 - 1  # the id and version columns are INTEGER: 32 bits on PostgreSQL
MAX_WHOLE = 2**63 - 1  # the largest whole number any database binds (SQLite's INTEGER)
MAX_DEPTH = 32  # the deepest JSON any route of the app needs is 4
SPAN_LIMIT = 36_500  # days or hours a threshold may span: a century of days stays in range
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_DATE = re.compile(r"^\s*([+-]?\d{4,})-\d{2}-\d{2}")
_DIGITS = re.compile(r"^\s*[+-]?\d+\s*$")


class BoundedInt(IntegerConverter):
    """``<int:...>`` with a ceiling: an id no column can hold matches no route (404)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def text_problem(value: str) -> str | None:
    """Why a text cannot be taken as it is, or None."""
    if "\x00" in value:
        return _("Teksten kan ikke inneholde NUL-tegn.")
    if any("\ud800" <= char <= "\udfff" for char in value):
        return _("Teksten inneholder ugyldige tegn.")
    date = _DATE.match(value)
    if date and not 1 <= int(date.group(1)[:6]) <= 9999:
        return _("Datoen må ligge mellom år 1 og 9999.")
    return None


def _json_depth(text: str) -> int:
    """How deep objects and arrays nest, counted without parsing (strings left out)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every key and scalar of a parsed JSON value, with where it sits (``data.citizen_name``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key)
            yield from _leaves(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _number_problem(value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return _("Tallet må være endelig.")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
        return _("Tallet er for stort.")
    return None


def _refused(errors: dict[str, str], kind: type[InvalidData] = InvalidData) -> InvalidData:
    """The refusal, its message the problems themselves (a page shows only the message)."""
    return kind(errors, " ".join(dict.fromkeys(errors.values())))


def checked_json(text: str, where: str = "") -> Any:
    """``text`` parsed as JSON, refused (413, 422) when it nests too deep or holds what no
    column can store; ValueError when it is not JSON at all (the caller says so in its words)."""
    if _json_depth(text) > MAX_DEPTH:
        raise RequestEntityTooLarge(_("JSON-en er nestet dypere enn %(depth)s nivåer.",
                                      depth=MAX_DEPTH))
    body = json.loads(text)
    errors: dict[str, str] = {}
    for path, value in _leaves(body, where):
        problem = text_problem(value) if isinstance(value, str) else _number_problem(value)
        if problem:
            errors.setdefault(path or "body", problem)
    if errors:
        raise _refused(errors)
    return body


def _check_json_body() -> None:
    raw = request.get_data(cache=True)
    if raw and request.is_json:
        with suppress(ValueError):  # the view refuses malformed JSON in its own words (400)
            checked_json(raw.decode("utf-8", errors="replace"))


def _pairs_errors(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Text problems of query or form fields, by field name."""
    errors: dict[str, str] = {}
    for key, value in pairs:
        problem = text_problem(key) or text_problem(value)
        if problem:
            errors.setdefault(key.replace("\x00", "") or "?", problem)
    return errors


def _too_big(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Digit-only values no integer column can hold, by field name."""
    return {key: _("Tallet er for stort.") for key, value in pairs
            if _DIGITS.match(value) and abs(int(value.strip()[:21])) > MAX_WHOLE}


def check_request() -> None:
    """Refuse what no view can take; runs before every view (and before CSRF and login)."""
    problem = text_problem(request.path)
    if problem:
        raise _refused({"path": problem})
    query = list(request.args.items(multi=True))
    if errors := _pairs_errors(query):
        raise _refused(errors)
    if errors := _too_big(query):
        raise _refused(errors, InvalidQuery)
    _check_json_body()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = list(request.form.items(multi=True))
        errors = _pairs_errors(form) | _too_big(form)
        errors.update({key: problem for key, upload in request.files.items(multi=True)
                       if (problem := text_problem(upload.filename or ""))})
        if errors:
            raise _refused(errors)


def whole_id(text: str) -> int:
    """``type=`` for id-like query and form values: ValueError (so Werkzeug's default) for
    anything that is not an id a column can hold."""
    value = int(text)
    if not 0 <= value <= MAX_ID:
        raise ValueError(text)
    return value


def number_arg(name: str, limit: float) -> float | None:
    """A numeric query parameter: None when absent, else a finite number no larger than
    ``limit`` either way (what makes sense, e.g. negative, is the engine's to judge); anything
    else is a 400 naming the parameter (``nan`` and ``inf`` would overflow a time span)."""
    text = request.args.get(name)
    if text in (None, ""):
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        raise InvalidQuery({name: _("Må være et tall, høyst %(limit)s.", limit=format(limit, "g"))})
    return value


def install(app: Flask) -> None:
    """Register the id converter (before any route is added) and the request check (before
    any other ``before_request``, so that CSRF and login never read a refused value)."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(check_request)


def paging_arg() -> Paging:
    """The request's ``page`` and ``per_page``; a bad one is refused (400 ``invalid_query``,
    each named), so a list never silently answers a page that was not asked for."""
    errors: dict[str, str] = {}
    paging = Paging.parse(request.args, errors)
    if errors:
        raise InvalidQuery(errors)
    return paging
