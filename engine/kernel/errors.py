"""Errors the engine raises; each maps to one HTTP status and one CLI message."""

from __future__ import annotations


class EngineError(Exception):
    """Base class: ``message`` is safe to show to the user."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    status = 404


class Forbidden(EngineError):
    status = 403


class Conflict(EngineError):
    """The thing was completed, claimed by someone else or changed meanwhile."""

    status = 409


class InvalidData(EngineError):
    """Form data failed validation; ``errors`` maps field name to a message."""

    status = 422

    def __init__(self, errors: dict[str, str], message: str = "Skjemaet har feil.") -> None:
        super().__init__(message)
        self.errors = errors


class DeployRejected(EngineError):
    """A diagram failed validation; ``errors`` lists ``{element, message}``."""

    status = 422

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("Diagrammet kan ikke tas i bruk: " + "; ".join(
            f"{e['element']}: {e['message']}" for e in errors))
        self.errors = errors


class DuplicateReport(Conflict):
    """A report for a citizen who already has an open case; ``open_cases`` are its ids, empty
    when the reporter may not learn which cases the citizen has."""

    def __init__(self, message: str, open_cases: list[int]) -> None:
        super().__init__(message)
        self.open_cases = open_cases
