"""Text documents (letters and journal notes) rendered from Jinja2 templates.

The wording of a letter is legal text that case workers and lawyers review, so it lives in
``handlers/templates/<kind>/<name>.txt`` where it can be read and changed without touching code.
Templates are plain text (no HTML escaping) and fail loudly on a missing variable, so a letter is
never sent with a hole in it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from handlers.dates import format_date, format_datetime

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """One shared environment with the Norwegian date filters ``nodate`` and ``nodatetime``."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # plain-text letters, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["nodate"] = format_date
    env.filters["nodatetime"] = format_datetime
    return env


def render(template: str, **variables: Any) -> str:
    """Render ``template`` (e.g. ``letters/refusal.txt``) with ``variables``."""
    return environment().get_template(template).render(**variables)
