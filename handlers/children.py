"""Who consents for a child, and when the child is heard.

Age is a fact of the moment: these rules are applied to the citizen's age on the day consent
is given (the engine clock), so a 15-year-old at the report consents alone at a renewal two
years later, and guardians who consented for a child no longer do once the child is 18.

- From 16 the young person consents alone (pbrl. § 4-3 første ledd b).
- Under 16 those with parental responsibility consent (pbrl. § 4-4 første ledd); where two
  share it, both (barnelova §§ 30 and 35). The report records the guardians (``guardians``:
  name, parental responsibility, contact); each with parental responsibility must be among those
  who consented, by name.
- From 18 nobody consents as a guardian; a verge or fullmektig may act for an adult.
- The child's own view is recorded from 7 and weighs heavily from 12 (barnelova § 31,
  Grunnloven § 104). It is asked for while others consent on the child's behalf (7 to 15);
  from 16 the young person's own consent is their view.
"""

from __future__ import annotations

from typing import Any

from handlers.citizen import AGE_OF_CONSENT, AGE_OF_MAJORITY

CHILD_HEARD_FROM = 7  # barnelova § 31 første ledd: the child is told and heard from 7
CHILD_VIEW_WEIGHS_FROM = 12  # barnelova § 31 andre ledd: the view weighs heavily from 12

SELF, GUARDIAN, VERGE = "selv", "foresatt", "verge"


def _key(name: object) -> str:
    return " ".join(str(name or "").split()).casefold()


def responsible_guardians(guardians: list[Any]) -> list[str]:
    """Names of the guardians recorded with parental responsibility, as written."""
    return [" ".join(str(g["name"]).split()) for g in guardians
            if isinstance(g, dict) and g.get("parental_responsibility") and _key(g.get("name"))]


def guardian_nins(guardians: list[Any]) -> dict[str, str]:
    """Name -> fødselsnummer of the guardians with parental responsibility whose number the
    report recorded: digital post reaches them by it, as it reaches the citizen."""
    return {" ".join(str(g["name"]).split()): "".join(str(g["nin"]).split()) for g in guardians
            if isinstance(g, dict) and g.get("parental_responsibility") and _key(g.get("name"))
            and g.get("nin")}


def consent_errors(age: int, guardians: list[Any], given_by: list[dict[str, Any]],
                   child_view: object) -> dict[str, str]:
    """``{field: Norwegian message}`` for a consent the law does not accept at ``age``.

    ``given_by`` is the consent form's list of ``{name, relation}``; ``guardians`` the report's.
    """
    relations = {entry.get("relation") for entry in given_by}
    if age >= AGE_OF_MAJORITY and GUARDIAN in relations:
        return {"consent_given_by": (
            f"Innbyggeren er {age} år. Fra 18 år samtykker ikke foresatte; samtykket gis av "
            "innbyggeren selv, eller av en verge eller fullmektig.")}
    if AGE_OF_CONSENT <= age < AGE_OF_MAJORITY and SELF not in relations:
        return {"consent_given_by": (
            f"Innbyggeren er {age} år og samtykker selv fra fylte 16 år "
            "(pasient- og brukerrettighetsloven § 4-3). Før opp innbyggeren selv.")}
    if age >= AGE_OF_CONSENT:
        return {}
    errors = _guardian_errors(guardians, given_by, relations)
    if age >= CHILD_HEARD_FROM and not str(child_view or "").strip():
        weight = (" og meningen skal tillegges stor vekt" if age >= CHILD_VIEW_WEIGHS_FROM
                  else "")
        errors["child_view"] = (
            f"Barnet er {age} år og har rett til å si sin mening{weight} (barneloven § 31). "
            "Skriv hva barnet selv mener om planen.")
    return errors


def _guardian_errors(guardians: list[Any], given_by: list[dict[str, Any]],
                     relations: set[Any]) -> dict[str, str]:
    """Under 16: every guardian with parental responsibility consents; without recorded
    guardians, at least one foresatt or verge; never the child alone."""
    required = responsible_guardians(guardians)
    who = _listed(required) if required else "minst én foresatt eller verge"
    if relations <= {SELF}:
        return {"consent_given_by": "Barn under 16 år kan ikke samtykke alene. "
                                    f"Samtykke må gis av {who}."}
    if not required:
        return {} if relations & {GUARDIAN, VERGE} else {
            "consent_given_by": f"For barn under 16 år må samtykke gis av {who}."}
    consented = {_key(e.get("name")) for e in given_by if e.get("relation") == GUARDIAN}
    missing = [name for name in required if _key(name) not in consented]
    if not missing:
        return {}
    both = " Foreldrene har felles foreldreansvar." if len(required) > 1 else ""
    return {"consent_given_by": (
        "For barn under 16 år må alle med foreldreansvar samtykke (pasient- og "
        f"brukerrettighetsloven § 4-4).{both} Mangler samtykke fra: {_listed(missing)}.")}


def _listed(names: list[str]) -> str:
    """"A", "A og B", "A, B og C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} og {names[-1]}"
