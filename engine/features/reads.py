"""The code's reads of case data, declared once in ``processes/reads.json``, and the deploy
rule that keeps them: a new version of a process must still provide every form field the
pages read and call a handler of every milestone the monitor's lead times count.

The declaration is data beside the diagrams, not Python: the pages read fields by the names
declared there, and a test (``tests/test_reads.py``) fails when a page reads a case field that
is not declared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import processes
from engine.kernel.vocabulary import EventKind


@dataclass(frozen=True)
class Milestone:
    """A moment the monitor measures lead time to: the first event of ``event`` kind (with a
    step of one of ``handlers``, when given) after the case started."""

    name: str
    event: EventKind
    handlers: tuple[str, ...]
    title: str
    translations: Mapping[str, str]


@cache
def _declarations() -> dict[str, Any]:
    return processes.load_reads()


def declared_fields(key: str) -> dict[str, dict[str, str]]:
    """Field name → ``{form, read_by}`` for the process ``key`` (empty for other processes)."""
    return dict(_declarations().get(key, {}).get("fields", {}))


def _milestones_of(declaration: Mapping[str, Any]) -> list[Milestone]:
    return [Milestone(name, EventKind(item["event"]), tuple(item.get("handlers", ())),
                      item["title"], {lang: text["title"]
                                      for lang, text in item.get("x-translations", {}).items()})
            for name, item in declaration.get("milestones", {}).items()]


def milestones() -> list[Milestone]:
    """Every declared milestone, in declaration order (one name once, the first kept)."""
    found: dict[str, Milestone] = {}
    for declaration in _declarations().values():
        for milestone in _milestones_of(declaration):
            found.setdefault(milestone.name, milestone)
    return list(found.values())


def problems(key: str, forms: Mapping[str, Any], called: Iterable[str]) -> list[dict[str, str]]:
    """Why a new version of ``key`` would take away something the code reads: a declared
    field no form of the version has, or a milestone none of whose handlers the diagram calls.
    Each problem names the field or milestone and who reads it."""
    errors: list[dict[str, str]] = []
    provided = {name for form in forms.values()
                for name in ((form or {}).get("schema") or {}).get("properties", {})}
    for name, reader in declared_fields(key).items():
        if name not in provided:
            errors.append({"element": key, "message": (
                f"feltet {name!r} finnes ikke lenger i noe skjema (ventet i skjemaet "
                f"{reader['form']!r}), men {reader['read_by']} leser det")})
    calls = set(called)
    for milestone in _milestones_of(_declarations().get(key, {})):
        if milestone.handlers and not calls & set(milestone.handlers):
            errors.append({"element": key, "message": (
                f"milepælen «{milestone.title}» i monitorens ledetider måles ved "
                f"{' eller '.join(milestone.handlers)}, men diagrammet kaller ingen av dem")})
    return errors
