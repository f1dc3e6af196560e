"""Journal notes in the case archive for steps the procedure wants documented.

The seed procedure asks for a journal entry when, for instance, the citizen declines IP in the
electronic tool, a plan is closed or the coordinator changes. The wording lives in
``handlers/templates/journal/<kind>.txt``; the diagram picks the kind with the ``kind`` parameter.
Every note names its author: the caseworker the step runs for, or the system (a timer).
"""

from __future__ import annotations

from typing import Any

from handlers.params import param
from handlers.registry import HandlerContext, handler
from handlers.rendering import render

KINDS: dict[str, str] = {
    "no_appeal": "Klagefristen er ute uten at klage er mottatt",
    "declined_electronic_plan": "Ønsker ikke individuell plan i elektronisk planverktøy",
    "declined_plan": "Ønsker ikke individuell plan",
    "no_plan_consent": "Samtykker ikke til individuell plan",
    "no_renewal_consent": "Individuell plan avsluttet ved revisjonsdato uten nytt samtykke",
    "ip_ended_by_citizen": "Individuell plan avsluttet etter ønske fra innbyggeren",
    "plan_closed": "Individuell plan er avsluttet",
    "ended_by_citizen": "IP/koordinator avsluttet etter ønske fra tjenestemottaker",
    "coordinator_changed": "Bytte av koordinator",
    "appeal_forwarded": "Klage oversendt Statsforvalteren",
    "consent_withdrawn": "Individuell plan avsluttet fordi samtykket er trukket tilbake",
    "plan_reinstated": "Individuell plan gjenopptatt etter klage på avslutningen",
}


def author(context: HandlerContext) -> str | None:
    """Who the note is written by: the caseworker the step runs for (None: the system)."""
    return context.actor.name if context.actor else None


def _name(context: HandlerContext, username: str | None) -> str | None:
    return context.directory.display_name(username) if username else None


@handler("journal.note")
def note(context: HandlerContext, data: dict[str, Any]) -> None:
    """Archive a journal note of the ``kind`` the diagram names; unknown kinds are a diagram
    error and raise ValueError listing the known ones."""
    kind = param(context, "kind")
    if kind not in KINDS:
        known = ", ".join(sorted(KINDS))
        raise ValueError(f"journal.note: unknown kind {kind!r}; known kinds: {known}")
    coordinator = data.get("coordinator")
    previous = next(
        (
            entry.get("username")
            for entry in reversed(data.get("coordinator_history") or [])
            if entry.get("username") != coordinator
        ),
        None,
    )
    withdrawal = data.get("consent_withdrawal") or {}
    title = KINDS[kind]
    body = render(
        f"journal/{kind}.txt",
        title=title,
        case_id=context.case_id,
        today=context.today,
        author=author(context),
        citizen_name=data.get("citizen_name") or "",
        coordinator_name=_name(context, coordinator),
        previous_coordinator_name=_name(context, previous),
        change_reason=((data.get("coordinator_change") or {}).get("reason") or "").strip(),
        end_reason=((data.get("end_request") or {}).get("reason") or "").strip(),
        appeal_deadline=data.get("appeal_deadline"),
        appeal=data.get("appeal") or {},
        appeal_reasoning=(data.get("appeal_reasoning") or "").strip(),
        evaluation_summary=(data.get("evaluation_summary") or "").strip(),
        withdrawal_reason=str(withdrawal.get("reason") or "").strip(),
        withdrawn_by_name=_name(context, withdrawal.get("sent_by")),
        closed_by_evaluation=data.get("continue_plan") is False,
    )
    context.effects.archive("journal", title, body)
