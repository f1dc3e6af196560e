"""Errors the engine raises; each maps to one HTTP status, one stable ``code`` and one CLI
message.

Every error answers the API in one shape: ``{"error": message, "code": code}`` and, when the
error is about particular fields or diagram elements, ``"errors": {name: message}``
(:meth:`EngineError.details`). ``code`` is for programs and never changes; ``message`` is for
people and may be reworded.
"""

from __future__ import annotations

from datetime import datetime


class EngineError(Exception):
    """Base class: ``message`` is safe to show to the user."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, str] | None:
        """What is wrong where, by field or element name; None when the message says it all."""
        return None


class NotFound(EngineError):
    status = 404
    code = "not_found"


class Forbidden(EngineError):
    status = 403
    code = "forbidden"


class Conflict(EngineError):
    """The thing was completed, claimed by someone else or changed meanwhile."""

    status = 409
    code = "conflict"


class TaskTaken(Conflict):
    """Someone else completed the task (``done``) or holds it: who (``by``, a username) and
    since when (``at``), so that a page can say it beside what the person typed."""

    def __init__(self, message: str, case_id: int, by: str | None, at: datetime | None,
                 done: bool) -> None:
        super().__init__(message)
        self.case_id = case_id
        self.by = by
        self.at = at
        self.done = done


class NotClaimed(Conflict):
    """A group task is completed by someone who has not taken it: take it first, so that
    colleagues see who works on it before they start typing."""

    code = "not_claimed"


class InvalidData(EngineError):
    """Form data failed validation; ``errors`` maps field name to a message."""

    status = 422
    code = "invalid_data"

    def __init__(self, errors: dict[str, str], message: str = "Skjemaet har feil.") -> None:
        super().__init__(message)
        self.errors = errors

    def details(self) -> dict[str, str]:
        return dict(self.errors)


class InvalidQuery(InvalidData):
    """A list or search request whose parameters are not understood (``errors`` by parameter):
    a bad request rather than bad form data."""

    status = 400
    code = "invalid_query"

    def __init__(self, errors: dict[str, str],
                 message: str = "Søket har ugyldige parametere.") -> None:
        super().__init__(errors, message)


class DeployRejected(EngineError):
    """A diagram failed validation; ``element_errors`` lists each problem in diagram order as
    ``{element, label, message, text}``: ``element`` an id or ``fil`` for the whole file (the
    modeler marks them on the elements), ``text`` the message naming the element by its label
    with the id after, as every outlet shows it (engine.features.diagram_names labels them)."""

    status = 422
    code = "deploy_rejected"

    def __init__(self, element_errors: list[dict[str, str]]) -> None:
        super().__init__("Diagrammet kan ikke tas i bruk: " + "; ".join(
            e["text"] for e in element_errors))
        self.element_errors = element_errors

    def texts(self) -> list[str]:
        """Each problem as a designer reads it, in diagram order."""
        return [e["text"] for e in self.element_errors]

    def details(self) -> dict[str, str]:
        """By element id; an element with several problems has them joined by "; "."""
        by_element: dict[str, list[str]] = {}
        for item in self.element_errors:
            by_element.setdefault(item["element"], []).append(item["text"])
        return {element: "; ".join(messages) for element, messages in by_element.items()}


class DuplicateReport(Conflict):
    """A report for a citizen who already has an open case; ``open_cases`` are its ids, empty
    when the reporter may not learn which cases the citizen has."""

    code = "duplicate_report"

    def __init__(self, message: str, open_cases: list[int]) -> None:
        super().__init__(message)
        self.open_cases = open_cases
