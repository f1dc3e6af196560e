"""The consent declaration and each version of the plan as documents of their own, so the case
archive (and Fiks Arkiv) holds them as records.

The seed procedure (4.3) wants the signed consent declaration archived in the record with a
copy to the citizen, and a renewed plan period's new consent archived again (4.5); the plan is
the agreement between the citizen and the services, so each version of it is a record too.
Both are written here as text, from the same data the case page shows, and the engine stores
the text as the document (``consent`` from :func:`handlers.consent.record`, ``plan`` whenever
:mod:`engine.runtime.plan_store` writes a revision). They are printed to PDF/A-2b like the
letters, but only when the archive is sent them (:func:`printed`): a letter is printed in the
engine call because the PDF is what is sent, while printing a record there would make the
citizen giving consent, or the coordinator saving the plan, wait a second for WeasyPrint, and
the case would keep a PDF (8–9 KB) that can be printed again from its text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from handlers.dates import format_date, parse_date
from handlers.pdf import pdf_a
from handlers.registry import HandlerSettings
from handlers.rendering import as_text, render

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CONSENT_TITLE = "Samtykkeerklæring – individuell plan og koordinator"
NO_CONSENT_TITLE = "Samtykke til individuell plan er ikke gitt"
PERIODS = {"first": "Første planperiode", "renewal": "Ny planperiode"}
RELATIONS = {"selv": "innbyggeren selv", "foresatt": "foresatt", "verge": "verge",
             "fullmektig": "fullmektig"}


@dataclass(frozen=True)
class WrittenRecord:
    """A record as the case keeps it: its title and its text."""

    title: str
    text: str


def _written(template: str, title: str, **variables: Any) -> WrittenRecord:
    """The record's own part as text (the letterhead and the case's lines are the printed
    page's, :func:`printed`)."""
    return WrittenRecord(title, as_text(render(template, title=title, bare=True, **variables)))


def printed(settings: HandlerSettings, case_id: int, citizen_name: str, title: str, text: str,
            written_at: datetime) -> bytes:
    """A record kept as text, on the municipality's letterhead, as PDF/A-2b: every document
    the case keeps as text (these records, journal notes, a report of need typed in) when it
    is archived."""
    return pdf_a(render("records/text.html", settings=settings, case_id=case_id,
                        citizen_name=citizen_name, today=written_at, title=title, text=text,
                        bare=False))


def consent_record(settings: HandlerSettings, case_id: int, citizen_name: str, today: date,
                   entry: Mapping[str, Any], to_plan: bool) -> WrittenRecord:
    """The consent declaration of one ``consents`` entry (:func:`handlers.consent.record`);
    an answer that gives no consent to the plan is kept too, under a title that says so."""
    return _written(
        "records/consent.html", CONSENT_TITLE if to_plan else NO_CONSENT_TITLE,
        settings=settings, case_id=case_id, citizen_name=citizen_name, today=today,
        consent_date=parse_date(entry.get("date")) or today,
        period=PERIODS.get(str(entry.get("period")), str(entry.get("period") or "")),
        given_by=[person for person in entry.get("given_by") or [] if isinstance(person, dict)],
        relations=RELATIONS, citizen_age=entry.get("citizen_age"),
        on_paper=bool(entry.get("on_paper")), to_plan=to_plan,
        sharing=entry.get("sharing_scopes") or [], child_view=entry.get("child_view"))


def plan_title(number: int) -> str:
    return f"Individuell plan, versjon {number}"


def plan_record(settings: HandlerSettings, case_id: int, citizen_name: str, number: int,
                at: datetime, content: Mapping[str, Any], changed: list[str],
                form: Mapping[str, Any] | None) -> WrittenRecord:
    """Version ``number`` of the plan: its fields in the plan form's order, under the form's
    titles (``form``: the deployed plan form; without it the fields' own names)."""
    schema = (form or {}).get("schema") or {}
    properties: Mapping[str, Any] = schema.get("properties") or {}
    order = list(((form or {}).get("ui") or {}).get("order") or [])
    names = [n for n in order if n in properties] + sorted(
        n for n in {*properties, *content} if n not in order)
    titles = {name: str((properties.get(name) or {}).get("title") or name) for name in names}
    return _written(
        "records/plan.html", plan_title(number), settings=settings, case_id=case_id,
        citizen_name=citizen_name, today=at.date(), number=number, at=at,
        changed=[titles.get(name, name) for name in changed],
        sections=[_section(titles[name], properties.get(name) or {}, content.get(name))
                  for name in names])


def _section(title: str, spec: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """A field as the template prints it: ``rows`` of (label, value) for a list of objects,
    else ``text``."""
    if isinstance(value, list) or spec.get("type") == "array":
        item = (spec.get("items") or {}).get("properties") or {}
        rows = [[(str((item.get(key) or {}).get("title") or key), _plain(entry[key]))
                 for key in [*item, *(k for k in entry if k not in item)]
                 if entry.get(key) not in (None, "")]
                if isinstance(entry, dict) else [("", _plain(entry))]
                for entry in value or []]
        return {"title": title, "rows": rows, "text": None}
    return {"title": title, "rows": None, "text": _plain(value)}


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return format_date(value)
    return str(value).strip()
