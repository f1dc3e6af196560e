"""Text longer than its column is refused before it reaches the database, on every database:
PostgreSQL would raise mid-transaction (a 500) and SQLite would store it silently. The limits are
read from the models' ``String(n)`` columns, so a new column is covered without a new check."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from engine.kernel.errors import InvalidData


def too_long(row: Any) -> dict[str, str]:
    """The row's texts that exceed their column, by attribute name."""
    mapper = inspect(row).mapper
    errors: dict[str, str] = {}
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        length = column.type.length if isinstance(column.type, String) else None
        value = getattr(row, attribute.key, None)
        if length and isinstance(value, str) and len(value) > length:
            errors[attribute.key] = f"Teksten er for lang: høyst {length} tegn."
    return errors


@event.listens_for(Session, "before_flush")
def _refuse_overlong(session: Session, _context: Any, _instances: Any) -> None:
    errors: dict[str, str] = {}
    for row in (*session.new, *session.dirty):
        errors.update(too_long(row))
    if errors:
        raise InvalidData(errors)
