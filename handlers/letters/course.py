"""Letters along the course of a granted case: the start-up summons, a change of coordinator,
and the closing of the plan or the case.

A closing is an avgjørelse with appeal rights only when the municipality ends an individual
plan the citizen wants to keep (``reason`` ``evaluation`` with ``closing_against_wish``): the
right to a plan (pbrl. § 2-5) is then refused from that day. Every other closing follows the
citizen's own choice or a decision already made, and says so.
"""

from __future__ import annotations

from typing import Any

from handlers.dates import format_date
from handlers.letters.common import (
    Recipient,
    appeal_deadline,
    basis,
    citizen_recipients,
    received_on,
    requested_services,
    send,
    text,
    writes_to_guardians,
)
from handlers.params import param
from handlers.registry import HandlerContext, handler


def _ip_active(data: dict[str, Any]) -> bool:
    return bool(data.get("plan_established") or data.get("ip_granted")) and not data.get(
        "ip_ended_on")


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
    ip_granted = bool(data.get("ip_granted"))
    send(context, data, "summons", "Innkalling til oppstartsmøte – individuell plan og koordinator",
         [*citizen_recipients(context, data),
          Recipient(coordinator_name, "koordinator", copy=True)],
         meeting_at=data["startup_meeting_at"], place=text(data, "startup_meeting_place"),
         coordinator_name=coordinator_name, ip_granted=ip_granted,
         basis=basis(parts=["ip", "koordinator"] if ip_granted else ["koordinator"]))


def _previous_coordinator(data: dict[str, Any]) -> str | None:
    current = data.get("coordinator")
    return next((entry.get("username") for entry in reversed(data.get("coordinator_history") or [])
                 if entry.get("username") and entry.get("username") != current), None)


@handler("letters.coordinator_changed")
def coordinator_changed(context: HandlerContext, data: dict[str, Any]) -> None:
    """The citizen is told who the new coordinator is (data ``coordinator``, named through the
    directory), whom they replace and why, with a copy to the systemkoordinator (the seed
    procedure: a change of coordinator is reported to the koordinerende enhet)."""
    coordinator = data.get("coordinator")
    if not coordinator:
        raise ValueError("coordinator is missing; the letter names the new coordinator")
    previous = _previous_coordinator(data)
    unit = context.settings.unit
    title = (f"{data.get('citizen_name')} har fått ny koordinator"
             if writes_to_guardians(context, data) else "Du har fått ny koordinator")
    send(context, data, "coordinator_changed", title,
         [*citizen_recipients(context, data), Recipient(f"{unit} v/ systemkoordinator", copy=True)],
         coordinator_name=context.directory.display_name(coordinator),
         previous_name=context.directory.display_name(previous) if previous else None,
         change_reason=str((data.get("coordinator_change") or {}).get("reason") or "").strip(),
         has_plan=_ip_active(data),
         basis=basis(parts=["ip", "koordinator"] if _ip_active(data) else ["koordinator"]))


CLOSING_REASONS = ("evaluation", "no_renewal_consent", "consent_withdrawn", "citizen_request",
                   "declined_plan", "appeal_rejected", "nothing_granted")
ENDS_WORDS = {"ip": "individuell plan", "coordinator": "koordinator"}


def _closing(context: HandlerContext, data: dict[str, Any], reason: str) -> dict[str, Any]:
    """Title, opening sentence, what ends, the reasons given, and the legal basis of a closing
    for ``reason``."""
    name = data.get("citizen_name")
    # The coordinator is a right of its own (pbrl. § 2-5 b): it goes on unless the citizen has
    # said no to it, as the diagram's follow-up gateway decides.
    keeps_coordinator = (data.get("wants_coordinator") is not False
                         and bool(data.get("coordinator"))
                         and bool(data.get("coordinator_granted", True)
                                  or data.get("barnekoordinator_granted")))
    if reason == "evaluation":
        return {"title": "Individuell plan og koordinator avsluttes etter evaluering",
                "opening": f"Den individuelle planen for {name} er evaluert, og kommunen har "
                           "kommet til at planen og koordinatoren avsluttes.",
                "ends": ["ip", "coordinator"], "reasoning": text(data, "evaluation_summary"),
                "keys": ()}
    if reason == "no_renewal_consent":
        return {"title": "Individuell plan avsluttes fordi det ikke er gitt nytt samtykke",
                "opening": f"Planperioden for den individuelle planen for {name} er slutt, og vi "
                           "har ikke fått samtykke til en ny planperiode. En individuell plan "
                           "kan bare videreføres med samtykke, jf. pasient- og "
                           "brukerrettighetsloven § 4-1, og planen avsluttes derfor.",
                "ends": ["ip"] if keeps_coordinator else ["ip", "coordinator"],
                "reasoning": "", "keys": ("consent",)}
    if reason == "consent_withdrawn":
        withdrawal = data.get("consent_withdrawal") or {}
        return {"title": "Individuell plan avsluttes fordi samtykket er trukket tilbake",
                "opening": f"Samtykket til den individuelle planen for {name} er trukket "
                           "tilbake. Samtykket kan trekkes tilbake når som helst, og planen "
                           "avsluttes, jf. pasient- og brukerrettighetsloven § 4-1.",
                "ends": ["ip"] if keeps_coordinator else ["ip", "coordinator"],
                "reasoning": str(withdrawal.get("reason") or "").strip(), "keys": ("consent",)}
    if reason == "declined_plan":
        choice = ("ikke ønsker individuell plan" if data.get("wants_ip") is not True
                  else "ikke samtykker til at det lages individuell plan")
        return {"title": "Det lages ikke individuell plan",
                "opening": f"Vi har fått beskjed om at {name} {choice}. Individuell plan er "
                           "frivillig og lages bare med samtykke, jf. pasient- og "
                           "brukerrettighetsloven §§ 2-5 og 4-1, så det lages ingen plan nå.",
                "ends": ["ip"] if keeps_coordinator else ["ip", "coordinator"],
                "reasoning": "", "keys": ("consent",)}
    if reason == "citizen_request":
        request = data.get("end_request") or {}
        what = request.get("what") or "both"
        ending = ("individuell plan og koordinator" if what == "both"
                  else ENDS_WORDS.get(what, what))
        return {"title": "Avslutning etter ønske",
                "opening": f"Vi har fått beskjed om at det er ønsket å avslutte {ending} "
                           f"for {name}. Det er frivillig å ha individuell plan og koordinator, "
                           "og vi avslutter slik det er ønsket.",
                "ends": ["ip", "coordinator"] if what == "both" else [what],
                "reasoning": str(request.get("reason") or "").strip(), "keys": ("consent",)}
    if reason == "appeal_rejected":
        decision = data.get("appeal_decision") or {}
        return {"title": "Saken om individuell plan og koordinator avsluttes",
                "opening": f"Statsforvalteren har ikke gitt medhold i klagen (vedtak "
                           f"{format_date(decision.get('decided_on'))}, referanse "
                           f"{decision.get('reference') or 'ikke oppgitt'}). Kommunens avgjørelse "
                           f"står ved lag, og saken for {name} avsluttes.",
                "ends": [], "reasoning": "", "keys": ("final",)}
    return {"title": "Saken om individuell plan og koordinator avsluttes",
            "opening": f"Kommunen har ikke innvilget {requested_services(data)} for {name}, og "
                       "saken avsluttes.",
            "ends": [], "reasoning": "", "keys": ()}


@handler("letters.closing")
def closing(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any] | None:
    """The plan, the coordinator or the case ends, for the ``reason`` the diagram names (one of
    CLOSING_REASONS): what ends from today, what goes on, and why.

    With ``reason`` ``evaluation`` and ``closing_against_wish`` true the closing is an
    avgjørelse: it must give reasons (``evaluation_summary``) and carries appeal rights, and
    the handler returns ``appeal_deadline`` (ISO date) as ``letters.refusal`` does, and
    ``appeal_subject`` ``closing``: what an appeal that follows is about.
    """
    reason = param(context, "reason", choices=CLOSING_REASONS)
    facts = _closing(context, data, reason)
    against_wish = reason == "evaluation" and data.get("closing_against_wish") is True
    if against_wish and not facts["reasoning"]:
        raise ValueError("evaluation_summary is missing; closing against the citizen's wish "
                         "must state its reasons")
    ends = [part for part in facts["ends"] if part != "ip" or _ip_active(data)]
    coordinator = data.get("coordinator")
    send(context, data, "closing",
         "Avgjørelse om å avslutte individuell plan" if against_wish else facts["title"],
         citizen_recipients(context, data),
         opening=facts["opening"], ends=[ENDS_WORDS[part] for part in ends],
         coordinator_continues="coordinator" not in ends and bool(coordinator)
         and reason in ("no_renewal_consent", "consent_withdrawn", "citizen_request",
                        "declined_plan"),
         coordinator_name=context.directory.display_name(coordinator) if coordinator else None,
         reasoning=facts["reasoning"], against_wish=against_wish,
         appeal_deadline=appeal_deadline(context), received_on=received_on(context),
         basis=basis(*facts["keys"], *(["appeal"] if against_wish else []),
                     parts=["ip", "koordinator"]))
    if not against_wish:
        return None
    return {"appeal_deadline": appeal_deadline(context).isoformat(), "appeal_subject": "closing"}
