"""Recording informed consent, and its withdrawal.

No plan may be made against the citizen's will, and information may only be shared with the
participants the citizen (or, below 16, the guardians) agreed to. Each period's consent is kept in
``consents`` so it can be shown later: who consented, when, to what, and to which sharing.

Consent can be withdrawn at any time (message ``consent_withdrawn``): the consent to the plan as a
whole, which ends the plan, or the consent to share information with one participant, after
which follow-up continues without sharing with that participant. Withdrawn entries are kept and
marked with ``withdrawn_at``, never deleted, so the record shows what was consented to and when it
ended.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.dates import parse_date
from handlers.journal import author
from handlers.nin import age_on
from handlers.params import param
from handlers.plan import revision_date_for
from handlers.records import consent_record
from handlers.registry import HandlerContext, handler
from handlers.rendering import render

WITHDRAWAL_KINDS = ("plan", "sharing")


@handler("consent.record")
def record(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Append the consent given in the consent form to ``consents``, tagged with the ``period``
    parameter (e.g. the first plan period or a renewal), with the citizen's age that day (which
    decided who had to consent, see :mod:`handlers.children`) and the child's own view.

    The declaration is archived as a document of its own (kind ``consent``, printed to PDF/A
    when it is sent to the archive): the procedure wants it in the record with a copy to the
    citizen, who finds it among the case's documents; those who gave it are its senders."""
    period = param(context, "period")
    today = context.today
    consent_date = parse_date(data.get("consent_date")) or today
    revision = revision_date_for(data, today)
    sharing = [_with_period(entry, consent_date, revision)
               for entry in data.get("sharing_consents") or []]
    for entry in sharing:
        context.effects.share(str(entry["participant"]).strip(), str(entry.get("scope") or ""),
                              date.fromisoformat(entry["valid_from"]),
                              date.fromisoformat(entry["valid_until"]), str(period))
    kinds = [
        kind
        for kind, given in (("plan", data.get("consent_to_plan")), ("sharing", bool(sharing)))
        if given
    ]
    entry = {
        "period": period,
        "date": consent_date.isoformat(),
        "given_by": list(data.get("consent_given_by") or []),
        "kinds": kinds,
        "sharing_scopes": sharing,
        "wants_ip": data.get("wants_ip"),
        "on_paper": bool(data.get("consent_on_paper")),
        "citizen_age": age_on(data["citizen_nin"], context.today),
        "child_view": str(data.get("child_view") or "").strip() or None,
        "recorded_at": context.now.isoformat(),
    }
    written = consent_record(context.settings, context.case_id,
                             str(data.get("citizen_name") or ""), today, entry,
                             to_plan=bool(data.get("consent_to_plan")))
    context.effects.archive("consent", written.title, written.text,
                            recipients=_consent_givers(entry["given_by"],
                                                       str(data.get("citizen_name") or "")))
    return {"consents": [*(data.get("consents") or []), entry]}


def _consent_givers(given_by: list[Any], citizen_name: str) -> list[str]:
    """Who gave the consent, as the archive names its senders: the citizen by the case's
    name when they consented themselves (the form may say «Innbygger selv»), so the archive
    ties the record to the person; guardians, verge and fullmektig by their names."""
    names = [citizen_name if person.get("relation") == "selv" and citizen_name
             else str(person.get("name") or "").strip()
             for person in given_by if isinstance(person, dict)]
    return list(dict.fromkeys(name for name in names if name))


def _with_period(entry: dict[str, Any], consent_date: date, revision: date) -> dict[str, Any]:
    """A sharing consent with its period: from the consent date (unless the form says later)
    to the plan's revision date (unless the form says otherwise)."""
    return {**entry,
            "valid_from": (parse_date(entry.get("valid_from")) or consent_date).isoformat(),
            "valid_until": (parse_date(entry.get("valid_until")) or revision).isoformat()}


def _participant_key(entry: dict[str, Any]) -> str:
    return str(entry.get("participant") or "").strip().casefold()


def sharing_participants(data: dict[str, Any]) -> dict[str, str]:
    """Participants the citizen consented to share with: casefolded key → name as written."""
    consents = data.get("consents") or []
    entries = [*(data.get("sharing_consents") or []),
               *((consents[-1].get("sharing_scopes") or []) if consents else [])]
    return {_participant_key(e): str(e["participant"]).strip()
            for e in entries if e.get("participant")}


def _mark(entry: dict[str, Any], mark: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``entry`` marked withdrawn; an entry withdrawn before keeps its first mark."""
    return dict(entry) if entry.get("withdrawn_at") else {**entry, **mark}


def _withdraw_sharing(
    request: dict[str, Any],
    sharing: list[dict[str, Any]],
    consents: list[dict[str, Any]],
    mark: dict[str, Any],
) -> dict[str, Any]:
    """Mark the participant's entries in ``sharing`` and in the latest ``consents`` record."""
    raw = request.get("participant")
    participant = raw.strip() if isinstance(raw, str) else ""
    if not participant:
        raise ValueError(
            "consent.withdraw: deltaker mangler / participant is missing; withdrawing a consent "
            "to share names the participant"
        )
    key = participant.casefold()
    latest_scopes = list(consents[-1].get("sharing_scopes") or []) if consents else []
    found = [e for e in sharing if _participant_key(e) == key] or [
        s for s in latest_scopes if _participant_key(s) == key
    ]
    if not found:
        known = sorted(
            {str(e["participant"]) for e in [*sharing, *latest_scopes] if e.get("participant")}
        )
        raise ValueError(
            f"consent.withdraw: ukjent deltaker {participant!r}, det er ikke gitt samtykke til "
            f"deling med denne deltakeren / unknown participant; known participants: "
            f"{', '.join(known) or 'none'}"
        )
    sharing[:] = [_mark(e, mark) if _participant_key(e) == key else e for e in sharing]
    if any(_participant_key(s) == key for s in latest_scopes):
        consents[-1] = {
            **consents[-1],
            "sharing_scopes": [
                _mark(s, mark) if _participant_key(s) == key else s for s in latest_scopes
            ],
        }
    earlier = [e.get("withdrawn_at") for e in found]
    return {
        "participant": str(found[0].get("participant")).strip(),
        "scopes": [str(e["scope"]) for e in found if e.get("scope")],
        "already_withdrawn_at": earlier[0] if all(earlier) else None,
    }


def _withdraw_plan(
    consents: list[dict[str, Any]], mark: dict[str, Any], reason: str
) -> dict[str, Any]:
    """Mark the latest ``consents`` record (the consent in force) withdrawn."""
    if not consents:
        return {"already_withdrawn_at": None}
    earlier = consents[-1].get("withdrawn_at")
    consents[-1] = _mark(
        consents[-1], {**mark, **({"withdrawal_reason": reason} if reason else {})}
    )
    return {"already_withdrawn_at": earlier}


@handler("consent.withdraw")
def withdraw(context: HandlerContext, data: dict[str, Any]) -> dict[str, Any]:
    """Register a withdrawn consent from ``consent_withdrawal``, the message payload
    ``{kind: "plan" | "sharing", participant?, reason?, sent_by, received_at}``.

    ``sharing`` marks the ``sharing_consents`` entries for ``participant`` (compared without
    regard to case) and the same participant's scopes in the latest ``consents`` record with
    ``withdrawn_at``; a participant nobody consented to share with raises ValueError. ``plan``
    marks the latest ``consents`` record withdrawn. Archives a journal note on what was withdrawn,
    when and by whom. Returns ``plan_consent_withdrawn`` and the updated ``consents`` and
    ``sharing_consents``.
    """
    request = data.get("consent_withdrawal")
    if not isinstance(request, dict):
        raise ValueError("consent.withdraw: consent_withdrawal mangler / is missing")
    kind = request.get("kind")
    if kind not in WITHDRAWAL_KINDS:
        raise ValueError(
            f"consent.withdraw: ukjent type / unknown kind {kind!r}; "
            f"known kinds: {', '.join(WITHDRAWAL_KINDS)}"
        )
    sent_by = request.get("sent_by")
    reason = str(request.get("reason") or "").strip()
    mark: dict[str, Any] = {"withdrawn_at": context.today.isoformat()}
    if sent_by:
        mark["withdrawn_by"] = sent_by
    sharing = [dict(entry) for entry in data.get("sharing_consents") or []]
    consents = [dict(entry) for entry in data.get("consents") or []]
    consent_date = consents[-1].get("date") if consents else None
    if kind == "sharing":
        details = _withdraw_sharing(request, sharing, consents, mark)
        context.effects.unshare(details["participant"], context.today, sent_by)
        title = f"Samtykke til deling av opplysninger med {details['participant']} trukket tilbake"
    else:
        details = {"participant": "", "scopes": [], **_withdraw_plan(consents, mark, reason)}
        title = "Samtykke til individuell plan og koordinering trukket tilbake"
    body = render(
        "journal/consent_withdrawal.txt",
        title=title,
        author=author(context),
        case_id=context.case_id,
        today=context.today,
        citizen_name=data.get("citizen_name") or "",
        kind=kind,
        consent_date=consent_date,
        sent_by_name=context.directory.display_name(sent_by) if sent_by else None,
        received_at=request.get("received_at"),
        reason=reason,
        **details,
    )
    context.effects.archive("journal", title, body)
    return {
        "plan_consent_withdrawn": kind == "plan",
        "consents": consents,
        "sharing_consents": sharing,
    }
