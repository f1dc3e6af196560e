"""Letters to the citizen: decision, refusal, interim reply, appeal forwarded, start-up summons.

The procedure requires the municipality to answer in writing, to give reasons when it refuses, and
to tell the citizen how to appeal (pbrl. §§ 2-7, 7-2 and 7-5). These handlers render the letters
from ``handlers/templates/letters/`` and archive one copy per recipient; the engine delivers them
through the outbox in the same transaction as the case state.

Recipients: the citizen (marked "v/ foresatte" when under 16), plus the reporter when the report
came from next of kin (``reported_by == "parorende"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from handlers.registry import HandlerContext, handler
from handlers.rendering import render

APPEAL_PERIOD = timedelta(weeks=4)  # pbrl. § 7-5
INTERIM_ANSWER_WITHIN = timedelta(days=30)  # expected answer stated in the interim reply
SERVICE_NAMES = {"ip": "individuell plan", "koordinator": "koordinator"}


@dataclass(frozen=True)
class Recipient:
    """Who a letter goes to; ``role`` is printed after the name in the letter head."""

    name: str
    role: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


def citizen_recipients(data: dict[str, Any]) -> list[Recipient]:
    """The citizen, and the reporter when the report came from next of kin."""
    name = data.get("citizen_name")
    if not name:
        raise ValueError("citizen_name is missing; a letter needs an addressee")
    recipients = [Recipient(name, "v/ foresatte" if data.get("citizen_under_16") else "")]
    reporter = data.get("reporter_name")
    if data.get("reported_by") == "parorende" and reporter and reporter != name:
        recipients.append(Recipient(reporter, "pårørende"))
    return recipients


def requested_services(data: dict[str, Any]) -> str:
    """What the report asked for, in words: "individuell plan og koordinator"."""
    requests = data.get("requests") or []
    names = [SERVICE_NAMES[key] for key in ("ip", "koordinator") if key in requests]
    return " og ".join(names) or "individuell plan og/eller koordinator"


def ip_outcome(data: dict[str, Any]) -> tuple[bool, bool]:
    """``(ip_granted, ip_refused)`` for an approval.

    IP counts only when it was requested. ``approved_ip`` missing means the assessment did not
    separate IP from coordinator, so the approval covers IP. An upheld appeal grants what was
    requested.
    """
    ip_requested = "ip" in (data.get("requests") or [])
    if data.get("appeal_upheld"):
        return ip_requested, False
    approved_ip = data.get("approved_ip")
    granted = ip_requested and (bool(data.get("approved")) if approved_ip is None else approved_ip)
    return bool(granted), ip_requested and not granted


def appeal_deadline(context: HandlerContext) -> date:
    """Four weeks from the letter's date (pbrl. § 7-5)."""
    return context.now.date() + APPEAL_PERIOD


def _common(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": context.case_id,
        "today": context.now.date(),
        "citizen_name": data.get("citizen_name"),
        "under_16": bool(data.get("citizen_under_16")),
        "requested": requested_services(data),
    }


def _send(context: HandlerContext, title: str, body: str, recipients: list[Recipient]) -> None:
    for recipient in recipients:
        context.effects.archive("letter", title, body, recipient=recipient.name)


@handler("letters.decision")
def decision(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Approval letter: what is granted, from which service area; an IP refused alongside a
    granted coordinator is a refusal in its own right and carries reasons and appeal rights.

    Returns ``ip_granted`` (bool) every time, so the diagram only offers an individual plan
    that was granted, and ``appeal_deadline`` (ISO date) only in the partial-refusal case.
    """
    recipients = citizen_recipients(data)
    ip_granted, ip_refused = ip_outcome(data)
    deadline = appeal_deadline(context) if ip_refused else None
    title = "Avgjørelse om individuell plan og koordinator"
    body = render(
        "letters/decision.txt",
        **_common(context, data),
        title=title,
        recipients=recipients,
        ip_granted=ip_granted,
        ip_refused=ip_refused,
        service_area=data.get("service_area"),
        reasoning=(data.get("assessment_reasoning") or "").strip(),
        appeal_upheld=bool(data.get("appeal_upheld")),
        appeal_reasoning=(data.get("appeal_reasoning") or "").strip(),
        appeal_deadline=deadline,
    )
    _send(context, title, body, recipients)
    result: dict[str, Any] = {"ip_granted": ip_granted}
    if deadline:
        result["appeal_deadline"] = deadline.isoformat()
    return result


# The seed criteria (field -> wording when met, wording when not met), for the refusal letter.
CRITERIA = {
    "long_term_need": (
        "behovet for tjenester er langvarig",
        "behovet for tjenester er ikke langvarig",
    ),
    "two_or_more_services": (
        "du har behov for to eller flere helse- og omsorgstjenester som må ses i sammenheng",
        "du har ikke behov for flere helse- og omsorgstjenester som må ses i sammenheng",
    ),
    "citizen_wants": (
        "du ønsker selv tjenesten",
        "vi har ikke fått bekreftet at du selv ønsker tjenesten",
    ),
}


def _criteria(data: dict[str, Any]) -> list[str]:
    """The seed criteria as the assessment answered them, in words."""
    return [CRITERIA[key][0 if data[key] else 1] for key in CRITERIA if data.get(key) is not None]


@handler("letters.refusal")
def refusal(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Reasoned refusal (an avgjørelse, pbrl. § 2-7) with the right to appeal (§ 7-2) within four
    weeks (§ 7-5). Sets ``appeal_deadline`` (ISO date) for the diagram's appeal period."""
    reasoning = (data.get("assessment_reasoning") or "").strip()
    if not reasoning:
        raise ValueError("assessment_reasoning is missing; a refusal must state its reasons")
    recipients = citizen_recipients(data)
    deadline = appeal_deadline(context)
    title = "Avslag på individuell plan og koordinator"
    body = render(
        "letters/refusal.txt",
        **_common(context, data),
        title=title,
        recipients=recipients,
        reasoning=reasoning,
        criteria=_criteria(data),
        appeal_deadline=deadline,
    )
    _send(context, title, body, recipients)
    return {"appeal_deadline": deadline.isoformat()}


@handler("letters.interim_reply")
def interim_reply(context: HandlerContext, data: dict[str, Any]) -> None:
    """Foreløpig svar (fvl. § 11 a) when the assessment is not done within a month: why it takes
    time and when an answer can be expected."""
    recipients = citizen_recipients(data)
    title = "Foreløpig svar på melding om behov for individuell plan og koordinator"
    body = render(
        "letters/interim_reply.txt",
        **_common(context, data),
        title=title,
        recipients=recipients,
        expected_by=context.now.date() + INTERIM_ANSWER_WITHIN,
    )
    _send(context, title, body, recipients)


@handler("letters.appeal_forwarded")
def appeal_forwarded(context: HandlerContext, data: dict[str, Any]) -> None:
    """The municipality did not uphold the appeal: send it to Statsforvalteren (pbrl. § 7-2) with
    the reasons on both levels, and a copy to the citizen so they know where the case is."""
    citizens = citizen_recipients(data)
    statsforvalteren = Recipient("Statsforvalteren")
    appeal = data.get("appeal") or {}
    title = f"Oversendelse av klage – individuell plan og koordinator – {data['citizen_name']}"
    body = render(
        "letters/appeal_forwarded.txt",
        **_common(context, data),
        title=title,
        recipients=[statsforvalteren, *citizens],
        appeal_text=(appeal.get("text") or "").strip(),
        appeal_received=appeal.get("received_at"),
        reasoning=(data.get("assessment_reasoning") or "").strip(),
        appeal_reasoning=(data.get("appeal_reasoning") or "").strip(),
    )
    _send(context, title, body, [statsforvalteren, *citizens])


@handler("letters.summons")
def summons(context: HandlerContext, data: dict[str, Any]) -> None:
    """Innkalling til oppstartsmøte for the citizen and the coordinator, where expectations are
    clarified and further cooperation agreed (the seed procedure's step 4.3)."""
    coordinator = data.get("coordinator")
    if not coordinator:
        raise ValueError("coordinator is missing; the summons names the coordinator")
    if not data.get("startup_meeting_at"):
        raise ValueError("startup_meeting_at is missing; the summons needs a time")
    coordinator_name = context.directory.display_name(coordinator)
    recipients = [*citizen_recipients(data), Recipient(coordinator_name, "koordinator")]
    ip_granted, _ = ip_outcome(data)
    title = "Innkalling til oppstartsmøte – individuell plan og koordinator"
    body = render(
        "letters/summons.txt",
        **_common(context, data),
        title=title,
        recipients=recipients,
        meeting_at=data["startup_meeting_at"],
        place=(data.get("startup_meeting_place") or "").strip(),
        coordinator_name=coordinator_name,
        ip_granted=ip_granted,
    )
    _send(context, title, body, recipients)
