"""What every letter shares: who it goes to, how it addresses them, its legal basis, the
appeal period, and archiving one copy per recipient.

A letter about a child under 16 is written to the guardians with parental responsibility, about
the child (they act for the child, pbrl. § 4-4); a young person of 16 or 17 acts alone and gets
the letter, with a copy to those guardians (pbrl. § 3-4). The next of kin who reported the need
gets a copy only when the report records the citizen's consent to that (``copy_to_reporter``):
the letters hold health information and are exempt from public access (offl. § 13, fvl. § 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from handlers.children import guardian_nins, responsible_guardians
from handlers.nin import age_on
from handlers.pdf import pdf_a
from handlers.registry import HandlerContext
from handlers.rendering import as_text, render

APPEAL_PERIOD = timedelta(weeks=4)  # pbrl. § 7-5, counted from receipt
SERVICE_NAMES = {"ip": "individuell plan", "koordinator": "koordinator",
                 "barnekoordinator": "barnekoordinator"}

# The legal references letters cite, one wording each (checked against Lovdata).
LAW = {
    "ip_right": "pasient- og brukerrettighetsloven § 2-5 (rett til individuell plan)",
    "coordinator_right": "pasient- og brukerrettighetsloven § 2-5 b (rett til koordinator)",
    "barnekoordinator_right": "pasient- og brukerrettighetsloven § 2-5 c (rett til "
                              "barnekoordinator)",
    "ip_duty": "helse- og omsorgstjenesteloven § 7-1 (kommunens plikt til individuell plan)",
    "coordinator_duty": "helse- og omsorgstjenesteloven § 7-2 (kommunens plikt til koordinator)",
    "barnekoordinator_duty": "helse- og omsorgstjenesteloven § 7-2 a (barnekoordinator)",
    "unit": "helse- og omsorgstjenesteloven § 7-3 (koordinerende enhet)",
    "regulation": "forskrift om habilitering og rehabilitering, individuell plan og koordinator",
    "consent": "pasient- og brukerrettighetsloven § 4-1 (samtykke)",
    "appeal": "pasient- og brukerrettighetsloven §§ 7-2 og 7-5 (klage og klagefrist)",
    "interim": "forvaltningsloven § 11 a (foreløpig svar)",
    "late_appeal": "forvaltningsloven § 31 (klage etter fristen)",
    "final": "forvaltningsloven § 28 tredje ledd (klageinstansens vedtak kan ikke påklages)",
}
PART_BASIS = {"ip": ("ip_right", "ip_duty"),
              "koordinator": ("coordinator_right", "coordinator_duty"),
              "barnekoordinator": ("barnekoordinator_right", "barnekoordinator_duty")}


@dataclass(frozen=True)
class Recipient:
    """Who a letter goes to; ``role`` is printed after the name, ``copy`` marks a «Kopi»."""

    name: str
    role: str = ""
    copy: bool = False
    nin: str | None = None  # a guardian's, when recorded: their letter can go by digital post

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    @property
    def listed(self) -> str:
        """As the archive lists it: "Kari Nordmann", "Ola Hansen (foresatt), kopi"."""
        return f"{self.label}, kopi" if self.copy else self.label


def is_under(context: HandlerContext, data: dict[str, Any], age: int) -> bool:
    """Whether the citizen is younger than ``age`` (16 or 18) on the letter's date: from the
    fødselsnummer when the case has a valid one (age is a fact of the moment), otherwise by
    the flags the case keeps (an under-16 is under 18 too)."""
    try:
        return age_on(str(data["citizen_nin"]), context.today) < age
    except (KeyError, ValueError):
        pass
    if age == 18 and data.get("citizen_under_18") is not None:
        return bool(data["citizen_under_18"])
    return bool(data.get("citizen_under_16"))


def guardian_names(data: dict[str, Any]) -> list[str]:
    """The guardians recorded on the report with parental responsibility: they act for the
    child and are informed (pbrl. §§ 3-4, 4-4); a parent without it gets no letter."""
    return responsible_guardians(data.get("guardians") or [])


def writes_to_guardians(context: HandlerContext, data: dict[str, Any]) -> bool:
    """A child under 16: the guardians are the readers, the child is whom the letter is about."""
    return is_under(context, data, 16)


def citizen_recipients(context: HandlerContext, data: dict[str, Any]) -> list[Recipient]:
    """The citizen (or the guardians of a child under 16), a copy to the guardians of a 16- or
    17-year-old, and a copy to the reporting next of kin when the citizen consented to that."""
    name = data.get("citizen_name")
    if not name:
        raise ValueError("citizen_name is missing; a letter needs an addressee")
    guardians = guardian_names(data)
    nins = guardian_nins(data.get("guardians") or [])
    if writes_to_guardians(context, data):
        recipients = ([Recipient(g, f"foresatt for {name}", nin=nins.get(g)) for g in guardians]
                      or [Recipient(name, "v/ foresatte")])
    else:
        recipients = [Recipient(name)]
        if is_under(context, data, 18):
            recipients += [Recipient(g, "foresatt", copy=True, nin=nins.get(g))
                           for g in guardians]
    reporter = str(data.get("reporter_name") or "").strip()
    known = {r.name for r in recipients}
    if (data.get("copy_to_reporter") is True and data.get("reported_by") == "parorende"
            and reporter and reporter not in known):
        recipients.append(Recipient(reporter, "pårørende", copy=True))
    return recipients


def voice(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """Pronouns for the templates: ``you`` is the reader, ``person`` whom the service is for.

    An adult is both ("du"); to the guardians of a child the reader is "dere" (or "du" for one
    guardian) and the person is the child, by name.
    """
    if not writes_to_guardians(context, data):
        return {"you": "du", "You": "Du", "you_obj": "deg",
                "person": "du", "Person": "Du", "person_obj": "deg"}
    name = str(data.get("citizen_name"))
    one = len(guardian_names(data)) == 1
    return {"you": "du" if one else "dere", "You": "Du" if one else "Dere",
            "you_obj": "deg" if one else "dere",
            "person": name, "Person": name, "person_obj": name}


def requested_parts(data: dict[str, Any]) -> list[str]:
    """What the report asked for, in the fixed order ip, koordinator, barnekoordinator."""
    requests = data.get("requests") or []
    return [part for part in SERVICE_NAMES if part in requests]


def in_words(parts: list[str]) -> str:
    """``["ip", "koordinator"]`` -> "individuell plan og koordinator"."""
    names = [SERVICE_NAMES[part] for part in parts if part in SERVICE_NAMES]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]


def requested_services(data: dict[str, Any]) -> str:
    """What the report asked for, in words: "individuell plan og koordinator"."""
    return in_words(requested_parts(data)) or "individuell plan og/eller koordinator"


def basis(*keys: str, parts: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The legal basis lines of a letter: the right and duty of each part, then ``keys``;
    the unit (hol. § 7-3) and the regulation always, each line once."""
    lines = [LAW[key] for part in parts for key in PART_BASIS[part]]
    lines += [LAW[key] for key in (*keys, "unit", "regulation")]
    return list(dict.fromkeys(lines))


def letter_date(context: HandlerContext) -> date:
    return context.today


def received_on(context: HandlerContext) -> date:
    """When the citizen is taken to have the letter: its date plus the delivery time."""
    return letter_date(context) + timedelta(days=context.settings.letter_delivery_days)


def appeal_deadline(context: HandlerContext) -> date:
    """Four weeks from receipt (pbrl. § 7-5): letter date + delivery time + four weeks."""
    return received_on(context) + APPEAL_PERIOD


def text(data: dict[str, Any], key: str) -> str:
    return str(data.get(key) or "").strip()


def caseworker_line(context: HandlerContext) -> str:
    """«Name, telefon …, e-post …» of the caseworker, or the unit when no staff member acts."""
    settings = context.settings
    actor = context.actor
    if actor is None:
        return f"{settings.unit}, telefon {settings.phone}, e-post {settings.email}"
    return (f"{actor.name}, telefon {actor.phone or settings.phone}, "
            f"e-post {actor.email or settings.email}")


def send(context: HandlerContext, data: dict[str, Any], template: str, title: str,
         recipients: list[Recipient], **variables: Any) -> None:
    """Render ``letters/<template>.html`` and archive it once, as a PDF/A with its text, listing
    every recipient (the engine sends each of them a copy)."""
    page = render(
        f"letters/{template}.html",
        settings=context.settings,
        caseworker=context.actor,
        caseworker_line=caseworker_line(context),
        case_id=context.case_id,
        today=letter_date(context),
        title=title,
        recipients=recipients,
        citizen_name=data.get("citizen_name"),
        about_child=writes_to_guardians(context, data),
        requested=requested_services(data),
        **voice(context, data),
        **variables,
    )
    context.effects.archive("letter", title, as_text(page),
                            recipients=[r.listed for r in recipients], pdf=pdf_a(page),
                            nins={r.listed: r.nin for r in recipients if r.nin})
