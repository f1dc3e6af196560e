"""Server-side form validation: JSON Schema first, then the task's named validator.

Forms are copied into the process version at deploy, so a case keeps the forms of the version
it runs on. Only the fields a form declares are taken from a submission: a citizen's consent
form cannot set ``approved``.

A property may declare ``"x-normalize"`` (see :data:`NORMALIZERS`): the value is rewritten
before it is validated and stored, so people may type a fødselsnummer as "150585 10170" and
every later step sees "15058510170". It is form data, so a designer can use it on any field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jsonschema import FormatChecker

from engine.runtime.form_patterns import FormValidator

FORMAT_CHECKER = FormatChecker()



def to_translate(text: str) -> str:
    """Marks a text for the translation catalogue without translating it here (the engine
    speaks Norwegian; the pages look the text up in their language)."""
    return text


# How a refused field is told: a sentence per kind of problem, naming the field by its title
# (``%(field)s`` as inside a sentence, ``%(title)s`` as written). A form may word its own per
# field and JSON Schema keyword instead (``x-errorMessages``, translated like its title).
WORDING = {
    "enter": to_translate("Skriv inn %(field)s."),
    "choose": to_translate("Velg %(field)s."),
    "answer": to_translate("Svar på «%(title)s»."),
    "choose_some": to_translate("Velg minst ett alternativ i «%(title)s»."),
    "add_row": to_translate("Legg til minst én rad i «%(title)s»."),
    "enum": to_translate("«%(title)s»: velg et av alternativene i listen."),
    "format": to_translate("«%(title)s» har feil format."),
    "maxLength": to_translate("«%(title)s» er for lang."),
    "uniqueItems": to_translate("Samme verdi er valgt flere ganger i «%(title)s»."),
    "invalid": to_translate("«%(title)s» har en ugyldig verdi."),
}
ERROR_MESSAGES = "x-errorMessages"
# Keywords that mean "left empty": a form's ``required`` message covers them too.
EMPTY = ("required", "minLength", "minItems")


# ``x-normalize`` value -> how a typed string is rewritten before validation
NORMALIZERS: dict[str, Callable[[str], str]] = {
    "remove-spaces": lambda text: "".join(text.split()),
}


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


# ``x-source`` value → what the engine fills the property's choices from when the form is served
# and validated (:func:`engine.features.validation.sources` builds them).
SOURCES = {
    "service_areas": "the municipality's service areas",
    "coordinators": "the users with role koordinator in the case's service area, each with "
                    "the number of active cases they coordinate",
    "sharing_participants": "the participants the citizen's consent lets the case share "
                            "information with today",
}


@dataclass(frozen=True)
class Choice:
    """One choice an ``x-source`` offers: the code stored, its label, and its label in other
    languages (locale → label) where the engine words the label itself."""

    code: str
    label: str
    translations: Mapping[str, str] = field(default_factory=dict)


def with_sources(schema: dict[str, Any], sources: Mapping[str, Sequence[Choice]]
                 ) -> dict[str, Any]:
    """Fill ``enum`` (codes) and ``x-enumNames`` (labels, translated in ``x-translations``)
    for properties marked ``x-source``.

    The municipality's service areas and its coordinators live in the database, not in the
    diagram's forms; a designer picks them for any field by naming the source."""
    filled = copy.deepcopy(schema)
    for prop in filled.get("properties", {}).values():
        choices = sources.get(prop.get("x-source"))
        if choices is None:
            continue
        prop["enum"] = [choice.code for choice in choices]
        prop["x-enumNames"] = [choice.label for choice in choices]
        for locale in sorted({locale for choice in choices for locale in choice.translations}):
            texts = prop.setdefault(TRANSLATIONS, {}).setdefault(locale, {})
            texts["x-enumNames"] = [choice.translations.get(locale, choice.label)
                                    for choice in choices]
    return filled


def source_errors(data: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, str]:
    """A value a sourced property (filled by :func:`with_sources`) does not offer, refused with
    the choices it does offer, so the person sees whom they may choose."""
    errors: dict[str, str] = {}
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or "x-source" not in prop or data.get(key) in (None, ""):
            continue
        offered = enum_labels(prop)
        if str(data[key]) in offered:
            continue
        errors[key] = (f"«{data[key]}» kan ikke velges her. Velg en av: "
                       f"{', '.join(offered.values())}." if offered
                       else f"«{data[key]}» kan ikke velges her: det er ingen å velge mellom.")
    return errors


def unknown_sources(schema: Mapping[str, Any]) -> list[str]:
    """``"field: name"`` for every ``x-source`` that names no known source."""
    return [f"{key}: {prop['x-source']}"
            for key, prop in (schema.get("properties") or {}).items()
            if isinstance(prop, dict) and "x-source" in prop and prop["x-source"] not in SOURCES]


def normalized(data: Any, schema: dict[str, Any]) -> Any:
    """``data`` with every string whose property declares ``x-normalize`` rewritten, also in
    list rows and nested objects; unknown normalizers are refused at deploy
    (:func:`unknown_normalizers`) and left alone here."""
    if isinstance(data, str):
        rewrite = NORMALIZERS.get(str(schema.get("x-normalize")))
        return rewrite(data) if rewrite else data
    if isinstance(data, list):
        items = schema.get("items")
        return [normalized(item, items) for item in data] if isinstance(items, dict) else data
    if isinstance(data, dict):
        properties = schema.get("properties") or {}
        return {key: normalized(value, properties[key])
                if isinstance(properties.get(key), dict) else value
                for key, value in data.items()}
    return data


def unknown_normalizers(schema: Any, path: str = "") -> list[str]:
    """``"path: name"`` for every ``x-normalize`` that names no known normalizer."""
    if not isinstance(schema, dict):
        return []
    found = []
    name = schema.get("x-normalize")
    if name is not None and name not in NORMALIZERS:
        found.append(f"{path or '/'}: {name}")
    for key, prop in (schema.get("properties") or {}).items():
        found += unknown_normalizers(prop, f"{path}/{key}")
    found += unknown_normalizers(schema.get("items"), f"{path}/items")
    return found


def declared_fields(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Keep only the properties the form declares, dropping empty optional strings."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return {key: value for key, value in data.items()
            if key in properties and not (value in ("", None) and key not in required)}


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field: the kind of problem (a key of :data:`WORDING`), the
    field's title, and the form's own message for it, if it words one."""

    kind: str
    title: str
    message: str | None = None


def _in_sentence(title: str) -> str:
    """``Tjenesteområde`` → ``tjenesteområde``; ``IP-type`` and ``KPR`` stay as they are."""
    return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title


def worded(problem: FieldProblem, translate: Callable[[str], str] = str) -> str:
    """The sentence for a problem: the form's own, else :data:`WORDING`'s through
    ``translate`` (the pages' catalogue; the Norwegian text itself by default)."""
    if problem.message:
        return problem.message
    title = problem.title.strip().rstrip(":")
    return translate(WORDING[problem.kind]) % {"field": _in_sentence(title), "title": title}


def _kind(keyword: str, node: Mapping[str, Any], title: str) -> str:
    if keyword not in EMPTY:
        return {"pattern": "format"}.get(keyword, keyword if keyword in WORDING else "invalid")
    if node.get("type") == "boolean":
        return "answer"
    if node.get("type") == "array":
        items = node.get("items")
        return "choose_some" if isinstance(items, dict) and items.get("enum") else "add_row"
    if node.get("enum") or node.get("x-source"):
        return "choose"
    return "answer" if title.rstrip().endswith("?") else "enter"


def _problem(schema: Mapping[str, Any], parts: list[str | int], keyword: str) -> FieldProblem:
    """The problem at ``parts`` (a path into the data), named by the nearest titled node."""
    node: Mapping[str, Any] = schema
    titled: Mapping[str, Any] | None = None
    for part in parts:
        found = (node.get("items") if isinstance(part, int)
                 else (node.get("properties") or {}).get(part))
        node = found if isinstance(found, dict) else {}
        titled = node if node.get("title") else titled
    declared = node.get(ERROR_MESSAGES)
    own: Mapping[str, Any] = declared if isinstance(declared, dict) else {}
    message = own.get(keyword) or (own.get("required") if keyword in EMPTY else None)
    title = str((titled or {}).get("title") or (parts[-1] if parts else ""))
    return FieldProblem(_kind(keyword, node, title), title, str(message) if message else None)


def schema_problems(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, FieldProblem]:
    """Field → what is wrong with it, for every JSON Schema violation (first one per field)."""
    problems: dict[str, FieldProblem] = {}
    validator = FormValidator(schema, format_checker=FORMAT_CHECKER)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        path = [int(p) if isinstance(p, int) else str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            for name in missing:
                problems.setdefault(_field(path, name),
                                    _problem(schema, [*path, name], "required"))
            continue
        problems.setdefault(_field(path), _problem(schema, path, str(error.validator)))
    return problems


def schema_errors(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, str]:
    """Field → Norwegian message naming the field, for every JSON Schema violation."""
    return {key: worded(problem) for key, problem in schema_problems(data, schema).items()}


def submitted_problems(data: dict[str, Any], schema: dict[str, Any]) -> dict[str, FieldProblem]:
    """:func:`schema_problems` of a submission as the engine checks it (normalized, only the
    declared fields), so a page can word the engine's refusal in its own language. A choice a
    source does not offer is left out: the engine's refusal names the choices offered."""
    clean = declared_fields(normalized(data, schema), schema)
    offered_elsewhere = source_errors(clean, schema)
    return {key: problem for key, problem in schema_problems(clean, schema).items()
            if key not in offered_elsewhere}


def _field(path: Any, leaf: str | None = None) -> str:
    parts = [str(p) for p in path] + ([leaf] if leaf else [])
    return ".".join(parts) or "_form"


# ---------------------------------------------------------------- what a task opens with

PREFILL = "x-prefill"
"""A top-level property marked ``"x-prefill": true`` opens with the value the case already holds
(e.g. the plan's goals when the plan is revised). Every other field opens empty, so a repeated
task (a renewed consent, the next evaluation) never shows last period's answers."""


def _carried(prop: Any) -> bool:
    """Marked ``x-prefill`` and not a yes/no answer (a consent is given anew, never
    pre-ticked)."""
    return isinstance(prop, dict) and prop.get(PREFILL) is True and prop.get("type") != "boolean"


def prefill(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The values a task's form opens with: the case's values of its carried fields."""
    return {key: copy.deepcopy(data[key])
            for key, prop in (schema.get("properties") or {}).items()
            if _carried(prop) and data.get(key) is not None}


def answer_fields(schema: dict[str, Any]) -> set[str]:
    """Fields that belong to one completion of the task: all but the carried ones.

    A submission replaces them all, so an answer left out this time is not last time's."""
    return {key for key, prop in (schema.get("properties") or {}).items()
            if not _carried(prop)}


def omitted_answers(schema: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """What the answer fields left out of a submission become: the form's ``default``, else
    None. Never last time's answer, and never a missing name a diagram condition stumbles on."""
    properties = schema.get("properties") or {}
    return {key: copy.deepcopy(properties[key].get("default"))
            if isinstance(properties[key], dict) else None
            for key in answer_fields(schema) - answers.keys()}


COPY = "x-copy"
"""A property marked ``"x-copy": false`` is never copied from last time (a consent to share is
given anew, like a yes/no answer)."""


def copyable(schema: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """What an explicit "copy from last period" may fill in from the last answers of the same
    form: the answer fields, but never a yes/no answer (a consent is never pre-ticked), a
    date (it belongs to the period it was given in), or a field marked ``x-copy: false``."""
    properties = schema.get("properties") or {}

    def may_copy(prop: Any) -> bool:
        return (isinstance(prop, dict) and prop.get(COPY, True) is True
                and prop.get("type") != "boolean"
                and prop.get("format") not in ("date", "date-time"))

    return {key: copy.deepcopy(answers[key]) for key in sorted(answer_fields(dict(schema)))
            if answers.get(key) not in (None, "", []) and may_copy(properties[key])}


def prefill_problem(schema: dict[str, Any]) -> str | None:
    """Why a form's prefill or defaults could pre-tick an answer, or None (checked at deploy)."""
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        for marker in (PREFILL, COPY):
            if marker in prop and not isinstance(prop[marker], bool):
                return f"feltet {key!r}: {marker} må være true eller false"
        if prop.get("type") == "boolean" and prop.get(PREFILL) is True:
            return (f"feltet {key!r}: et ja/nei-felt kan ikke fylles ut på forhånd "
                    "(x-prefill); svaret gis på nytt hver gang")
        if prop.get("type") == "boolean" and prop.get("default") is True:
            return f"feltet {key!r}: et ja/nei-felt kan ikke være krysset av på forhånd (default)"
    return None


# ---------------------------------------------------------------- languages

TRANSLATIONS = "x-translations"
TRANSLATED = ("title", "description", "x-enumNames", ERROR_MESSAGES)


def localized(node: Any, locale: str) -> Any:
    """A copy of a form (or any part of it) in ``locale``: each schema node's
    ``x-translations[locale]`` replaces its title, description and choice labels.

    Forms are written in Norwegian; a node without a translation keeps its Norwegian text."""
    if isinstance(node, list):
        return [localized(item, locale) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: localized(value, locale) for key, value in node.items()
              if key != TRANSLATIONS}
    wanted = (node.get(TRANSLATIONS) or {}).get(locale) if isinstance(
        node.get(TRANSLATIONS), dict) else None
    if isinstance(wanted, dict):
        result.update({key: wanted[key] for key in TRANSLATED if key in wanted})
    return result


def choice_fields(version_forms: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every field with coded choices in a version's forms, also inside lists and rows: field
    name → the schema node holding its ``enum``, ``x-enumNames`` and ``x-translations`` (the
    first form that defines a name wins). What the pages need to name a stored code."""
    found: dict[str, dict[str, Any]] = {}

    def walk(properties: Any) -> None:
        for name, node in (properties or {}).items():
            if not isinstance(node, dict):
                continue
            choices = node.get("items") if node.get("type") == "array" else node
            if isinstance(choices, dict) and choices.get("enum"):
                found.setdefault(name, choices)
            if isinstance(choices, dict):
                walk(choices.get("properties"))

    for form in version_forms.values():
        walk(((form or {}).get("schema") or {}).get("properties"))
    return found


def choice_labels(fields: Mapping[str, Any], locale: str) -> dict[str, dict[str, str]]:
    """Field name → code → its label in ``locale`` (the form's Norwegian label where the form
    has no translation; the code itself where the form names none)."""
    return {name: enum_labels(localized(node, locale)) for name, node in fields.items()}


def enum_labels(node: Mapping[str, Any]) -> dict[str, str]:
    """Code → label of one schema node's ``enum`` and ``x-enumNames`` (a code the form names
    no label for stands for itself)."""
    names = list(node.get("x-enumNames") or [])
    return {str(code): str(names[i]) if i < len(names) else str(code)
            for i, code in enumerate(node.get("enum") or [])}
