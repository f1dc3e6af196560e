"""Form checks that JSON Schema cannot express.

Each validator runs after the form passed its JSON Schema and returns ``{field: message}`` with
Norwegian messages shown next to the field; an empty dict means the form is accepted. They guard
the legal points of the procedure: a real fødselsnummer, reasons for every refusal, a coordinator
who actually works in the service area, and guardian consent for children under 16.
"""

from __future__ import annotations

from typing import Any

from handlers.children import consent_errors, responsible_guardians
from handlers.citizen import AGE_OF_CONSENT, AGE_OF_MAJORITY
from handlers.consent import WITHDRAWAL_KINDS, sharing_participants
from handlers.dates import (
    MUNICIPAL_TZ,
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
)
from handlers.grants import PARTS
from handlers.nin import age_on, validate_nin
from handlers.registry import HandlerContext, validator


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _numbers(indexes: list[int]) -> str:
    """1-based item numbers in words: "1", "1 og 3", "1, 2 og 4"."""
    numbers = [str(index + 1) for index in indexes]
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} og {numbers[-1]}"


@validator("validate.report")
def report(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """The citizen's fødselsnummer/D-nummer must be valid (both check digits, a real date that
    is not after the engine clock's date). For a child under 16 the guardians with parental
    responsibility are named, since they are the ones who consent; a guardian's number, when
    given, is valid too. A barnekoordinator is asked for a child or a family expecting one
    (pbrl. § 2-5 c), and a copy of the letters only for a reporting pårørende."""
    today = context.today
    message = validate_nin(data.get("citizen_nin"), today)
    if message:
        return {"citizen_nin": message}
    errors: dict[str, str] = {}
    guardians = [g for g in data.get("guardians") or [] if isinstance(g, dict)]
    for index, guardian in enumerate(guardians):
        if guardian.get("nin") and (problem := validate_nin(guardian["nin"], today)):
            errors[f"guardians.{index}.nin"] = problem
    age = age_on(data["citizen_nin"], today)
    if age < AGE_OF_CONSENT and not responsible_guardians(guardians):
        errors["guardians"] = ("Innbyggeren er under 16 år. Før opp de foresatte som har "
                               "foreldreansvar; de samtykker på barnets vegne.")
    if ("barnekoordinator" in (data.get("requests") or []) and age >= AGE_OF_MAJORITY
            and not data.get("expecting_child")):
        errors["requests"] = (
            "Barnekoordinator gjelder familier som har et barn under 18 år, eller venter et barn, "
            "med alvorlig sykdom, skade eller nedsatt funksjonsevne (pasient- og "
            "brukerrettighetsloven § 2-5 c). Innbyggeren er "
            f"{age} år: kryss av for at familien venter barn, eller velg koordinator.")
    if data.get("copy_to_reporter"):
        errors.update(_copy_errors(data))
    return errors


def _copy_errors(data: dict[str, Any]) -> dict[str, str]:
    """A copy of the letters goes only to a pårørende who reported the need, with a name and
    an address to send it to."""
    if data.get("reported_by") != "parorende":
        return {"copy_to_reporter": "Kopi av brev kan bare sendes til en pårørende som har "
                                    "meldt behovet."}
    return {field: message for field, message in (
        ("reporter_name", "Oppgi navnet på den pårørende som skal ha kopi."),
        ("reporter_contact", "Oppgi hvor kopien skal sendes.")) if _blank(data.get(field))}


# a requested part, as the validators' sentences name it (pbrl. §§ 2-5, 2-5 b, 2-5 c)
PART_NOUNS = {"ip": "individuell plan", "koordinator": "koordinator",
              "barnekoordinator": "barnekoordinator"}


@validator("validate.assessment")
def assessment(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """An approval names the service area; every refusal, also of one part alone, has reasons
    for the letter; a part (``approved_ip``, ``approved_coordinator``,
    ``approved_barnekoordinator``) can only be granted when it was requested and the case is
    approved."""
    errors: dict[str, str] = {}
    approved = bool(data.get("approved"))
    requested = data.get("requests") or []
    if approved and _blank(data.get("service_area")):
        errors["service_area"] = "Velg tjenesteområdet koordinatoren skal oppnevnes fra."
    refused = []
    for part, (field, _fact) in PARTS.items():
        noun = PART_NOUNS[part]
        if data.get(field) and part not in requested:
            errors[field] = (f"{noun.capitalize()} er ikke etterspurt i meldingen og kan ikke "
                             "innvilges her.")
        elif data.get(field) and not approved:
            errors[field] = f"{noun.capitalize()} kan ikke innvilges når saken ellers er avslått."
        elif part in requested and data.get(field) is False:
            refused.append(noun)
    if _blank(data.get("assessment_reasoning")):
        if not approved:
            errors["assessment_reasoning"] = (
                "Et avslag må begrunnes. Skriv begrunnelsen som skal stå i brevet."
            )
        elif refused:
            errors["assessment_reasoning"] = (
                f"Avslag på {' og '.join(refused)} må begrunnes. "
                "Skriv begrunnelsen som skal stå i brevet.")
    return errors


@validator("validate.appointment")
def appointment(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """The appointed coordinator must be a known user with role koordinator in the case's
    service area, so koordinator-lane tasks reach someone who may act on them."""
    username = (data.get("coordinator") or "").strip()
    if not username:
        return {"coordinator": "Velg en koordinator."}
    service_area = data.get("service_area")
    if not context.directory.is_coordinator(username, service_area):
        where = f" i tjenesteområdet {service_area}" if service_area else ""
        return {"coordinator": f"«{username}» er ikke registrert som koordinator{where}."}
    return {}


@validator("validate.consent")
def consent(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """Someone named must have consented, and the right people for the citizen's age on the
    day of this consent (see :mod:`handlers.children`): the same rule for the first consent and
    every renewal."""
    given_by = [entry for entry in data.get("consent_given_by") or [] if isinstance(entry, dict)]
    if not given_by:
        return {"consent_given_by": "Oppgi hvem som har gitt samtykke."}
    if any(_blank(entry.get("name")) for entry in given_by):
        return {"consent_given_by": "Oppgi navnet på alle som har gitt samtykke."}
    age = age_on(data["citizen_nin"], context.today)
    errors = consent_errors(age, list(data.get("guardians") or []), given_by,
                            data.get("child_view"))
    consented = parse_date(data.get("consent_date")) or context.today
    revision = parse_date(data.get("revision_date"))
    if revision is not None and revision <= consented:
        errors["revision_date"] = ("Revisjonsdatoen må være etter datoen for samtykket "
                                   f"({format_date(consented)}); den avslutter planperioden "
                                   "samtykket gjelder for.")
    return errors | _past_revision(context, data)


@validator("validate.evaluation")
def evaluation(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """Ending the plan says whether the citizen wanted to go on: if so, the closing is an
    avgjørelse with reasons and appeal rights (pbrl. § 7-2), not a closing by agreement."""
    if data.get("continue_plan") is False and data.get("closing_against_wish") is None:
        return {"closing_against_wish": "Svar på om planen avsluttes mot innbyggerens ønske."}
    return {}


@validator("validate.plan")
def plan(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """The revision date lies after the plan start and not in the past, every measure has
    someone responsible
    (the IP regulation requires who is responsible for each measure), and a need for an
    interpreter says for which language (pbrl § 3-5: information the person understands)."""
    errors = _plan_period_errors(context, data)
    missing = [
        index
        for index, measure in enumerate(data.get("plan_measures") or [])
        if _blank((measure or {}).get("responsible"))
    ]
    if missing:
        errors["plan_measures"] = f"Tiltak {_numbers(missing)} mangler ansvarlig."
        errors.update(_row_errors("plan_measures", missing, "responsible",
                                  "Tiltaket mangler ansvarlig."))
    if data.get("plan_interpreter_needed") and _blank(data.get("plan_language")):
        errors["plan_language"] = "Skriv hvilket språk tolken skal tolke til."
    return errors


def _plan_period_errors(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """A plan period ends after it starts, and its revision date is not already past."""
    start, revision = parse_date(data.get("plan_start")), parse_date(data.get("revision_date"))
    if start and revision and revision <= start:
        return {"revision_date": (
            f"Revisjonsdatoen må være etter planens startdato ({format_date(start)}).")}
    return _past_revision(context, data)


def _past_revision(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """A revision date before today (the engine's clock) is refused, never moved: the
    evaluation would be due at once, and only the person knows which date was meant."""
    today = context.today
    revision = parse_date(data.get("revision_date"))
    if revision is not None and revision < today:
        return {"revision_date": (f"Revisjonsdatoen {format_date(revision)} er passert. Velg en "
                                  f"dato fra i dag ({format_date(today)}) eller senere.")}
    return {}


@validator("validate.paper_plan")
def paper_plan(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """A plan kept on paper has a period like any plan: it ends after it starts, and its
    revision date is not already past."""
    return _plan_period_errors(context, data)


@validator("validate.startup_summons")
def startup_summons(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """The start-up meeting is summoned for a time still ahead on the engine's clock: a
    summons to a meeting that has already passed reaches nobody in time."""
    moment = parse_datetime(data.get("startup_meeting_at"))
    if moment is None:
        return {}
    if moment.tzinfo is None:  # as typed on the page: Norwegian time
        moment = moment.replace(tzinfo=MUNICIPAL_TZ)
    if moment <= context.now:
        return {"startup_meeting_at": (
            f"Tidspunktet {format_datetime(moment)} er passert. Oppstartsmøtet må kalles inn "
            f"til et tidspunkt fram i tid (nå er det {format_datetime(context.now)}).")}
    return {}


def _row_errors(list_name: str, rows: list[int], field: str, message: str) -> dict[str, str]:
    """Errors on the very inputs of list rows (``action_items.0.deadline``), so the form marks
    the empty field itself and not only the list around it."""
    return {f"{list_name}.{index}.{field}": message for index in rows}


@validator("validate.meeting")
def meeting(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """Every action item in the minutes has an owner and a deadline (seed procedure 4.4:
    "uteståande oppgåver, ansvarleg og tidsfristar")."""
    items = [item or {} for item in data.get("action_items") or []]
    no_owner = [index for index, item in enumerate(items) if _blank(item.get("owner"))]
    no_deadline = [index for index, item in enumerate(items) if _blank(item.get("deadline"))]
    problems = []
    if no_owner:
        problems.append(f"oppgave {_numbers(no_owner)} mangler ansvarlig")
    if no_deadline:
        problems.append(f"oppgave {_numbers(no_deadline)} mangler frist")
    if not problems:
        return {}
    details = "; ".join(problems)
    return {"action_items": f"Hver oppgave må ha ansvarlig og frist: {details}.",
            **_row_errors("action_items", no_owner, "owner", "Oppgaven mangler ansvarlig."),
            **_row_errors("action_items", no_deadline, "deadline", "Oppgaven mangler frist.")}


@validator("message.consent_withdrawn")
def consent_withdrawn(context: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """Refuse a withdrawal the process could not carry out, before it interrupts follow-up."""
    request = data.get("message") or {}
    if request.get("kind") not in WITHDRAWAL_KINDS:
        return {"kind": "Oppgi om samtykket til planen (plan) eller til deling (sharing) trekkes."}
    if request["kind"] == "sharing":
        participant = str(request.get("participant") or "").strip()
        known = sharing_participants(data)
        if not participant:
            return {"participant": "Oppgi hvilken deltaker samtykket til deling gjaldt."}
        if participant.casefold() not in known:
            names = ", ".join(sorted(known.values())) or "ingen"
            return {"participant": f"Det er ikke gitt samtykke til deling med {participant}. "
                                   f"Samtykke er gitt for: {names}."}
    return {}
