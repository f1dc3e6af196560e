"""Reading the parameters a diagram gives a service task.

A service task in the diagram carries ``spiffworkflow:parameter`` elements whose ``value`` is a
Python expression (``value="'no_appeal'"``). SpiffWorkflow evaluates them and hands them over as
``operation_params``; the engine passes that dict unchanged as ``context.params``. Its shape is::

    {"kind": {"value": "no_appeal", "type": "str"}}

i.e. parameter id -> ``{"value": <evaluated value>, "type": <declared type name>}``. Handlers read
parameters only through :func:`param`, so this shape is known in exactly one place. A plain value
(``{"kind": "no_appeal"}``) is accepted too, which keeps tests and command-line calls short.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from handlers.registry import HandlerContext

_MISSING: Any = object()


def param(
    context: HandlerContext,
    name: str,
    *,
    choices: Collection[str] | None = None,
    default: Any = _MISSING,
) -> Any:
    """Return the evaluated value of parameter ``name``.

    A missing parameter without ``default``, or a value outside ``choices``, is a diagram error;
    it raises ValueError naming the parameter so the incident tells the designer what to fix.
    """
    entry = context.params.get(name, _MISSING)
    if entry is _MISSING:
        if default is _MISSING:
            raise ValueError(f"service task parameter {name!r} is missing")
        return default
    value = entry["value"] if isinstance(entry, dict) and "value" in entry else entry
    if choices is not None and value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ValueError(f"service task parameter {name!r} is {value!r}; expected one of {allowed}")
    return value
