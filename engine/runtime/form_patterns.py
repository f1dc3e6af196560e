"""A form's ``pattern`` matched in linear time, so a designer's pattern cannot hold the server.

JSON Schema's ``pattern`` is a regular expression the process designer writes. Python's ``re``
backtracks: ``^(a+)+$`` against forty a's and a b takes longer than the universe has left,
inside a request. RE2 (Google's engine, through ``google-re2``) matches in time linear in the
input and has no backtracking features at all, so :data:`FormValidator` checks patterns with
it, and deploy refuses a pattern RE2 cannot take (back-references, look-arounds) with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import re2
from jsonschema import Draft202012Validator, ValidationError, validators

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the designer, not to stderr


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, _OPTIONS)


def _linear_pattern(validator: Any, pattern: str, instance: Any, schema: Any
                    ) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


FormValidator: Any = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _linear_pattern})


def pattern_problems(schema: Any, where: str = "") -> list[str]:
    """Where a schema's ``pattern`` cannot be matched in linear time, and why (Norwegian)."""
    problems: list[str] = []
    if isinstance(schema, Mapping):
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                _compiled(pattern)
            except re2.error:
                problems.append(f"mønsteret {pattern!r}{f' ved {where}' if where else ''} kan "
                                "ikke brukes: tilbakereferanser og «look-around» er ikke "
                                "tillatt (de kan gjøre kontrollen vilkårlig treg)")
        for key, value in schema.items():
            problems.extend(pattern_problems(value, f"{where}/{key}".strip("/")))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            problems.extend(pattern_problems(value, f"{where}/{index}".strip("/")))
    return problems
