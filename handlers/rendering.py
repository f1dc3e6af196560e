"""Documents (letters and journal notes) rendered from Jinja2 templates.

The wording of a document is legal text that case workers and lawyers review, so it lives in
``handlers/templates/<kind>/<name>`` where it can be read and changed without touching code.
Journal notes are plain text (``.txt``, no escaping). Letters are HTML (``.html``, escaped),
printed to PDF (:mod:`handlers.pdf`); :func:`as_text` reads the same letter as plain text for
what cannot take a PDF (the outbox's delivery). Templates fail loudly on a missing variable, so
a document is never sent with a hole in it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from lxml import html as lxml_html
from markupsafe import Markup, escape

from handlers.dates import format_date, format_datetime

TEMPLATES = Path(__file__).parent / "templates"
# How each HTML element reads as text: what comes before and after its content.
BLOCKS = {"h1": ("", "\n"), "h2": ("", "\n"), "h3": ("", "\n"), "p": ("", "\n\n"),
          "ul": ("", "\n"), "li": ("- ", "\n"), "div": ("", ""), "dl": ("", "\n"),
          "dt": ("", " "), "dd": ("", "\n"), "br": ("\n", ""), "header": ("", ""),
          "section": ("", ""), "footer": ("", "")}


def paragraphs(text: object) -> Markup:
    """Typed text (reasons, descriptions) as HTML paragraphs, its line breaks kept."""
    parts = [part.strip("\n") for part in str(text or "").replace("\r\n", "\n").split("\n\n")]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in part.split("\n")))
        for part in parts if part.strip())


@cache
def environment(html: bool = False) -> Environment:
    """One shared environment per kind, with the Norwegian date filters ``nodate`` and
    ``nodatetime``; the HTML one escapes and has ``paragraphs``."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["nodate"] = format_date
    env.filters["nodatetime"] = format_datetime
    env.filters["paragraphs"] = paragraphs
    return env


def render(template: str, **variables: Any) -> str:
    """Render ``template`` (e.g. ``journal/note.txt`` or ``letters/refusal.html``)."""
    return environment(template.endswith(".html")).get_template(template).render(**variables)


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "")


def as_text(document: str) -> str:
    """An HTML letter as plain text: headings and paragraphs on lines of their own, list items
    as "- ", definition terms before their value; the ``<head>`` (style, title) left out."""
    root = lxml_html.document_fromstring(document)
    body = root.find("body")
    parts: list[str] = []

    def walk(element: Any) -> None:
        if not isinstance(element.tag, str):  # comments
            parts.append(_squash(element.tail))
            return
        before, after = BLOCKS.get(element.tag, ("", ""))
        parts.extend((before, _squash(element.text)))
        for child in element:
            walk(child)
        parts.extend((after, _squash(element.tail)))

    for child in body if body is not None else []:
        walk(child)
    text = "\n".join(line.strip() for line in "".join(parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
