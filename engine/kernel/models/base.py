"""The declarative base every table shares, with the column types all databases agree on."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, LargeBinary, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PackedJson(TypeDecorator[dict[str, Any]]):
    """A large JSON document stored as compact JSON compressed with zlib, on every database.

    For the workflow state (``case_.state``, 15 KB of JSON a case): SQLite keeps text as it
    is given, and PostgreSQL's TOAST compression (pglz or lz4) took it to 5.4 KB where zlib
    takes it to 2.7. The keys keep their order (Spiff restores tasks in the stored order), and
    the column is never read in SQL, only whole by the engine."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Any) -> bytes | None:
        if value is None:
            return None
        return pack(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> dict[str, Any] | None:
        return None if value is None else unpack(value)


def compact(value: Any) -> str:
    """``value`` as JSON without spaces, non-ASCII letters as they are (how every JSON
    column is written, and a packed document before it is compressed)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def pack(value: dict[str, Any]) -> bytes:
    """``value`` as :class:`PackedJson` stores it."""
    return pack_text(compact(value))


def pack_text(text: str) -> bytes:
    """``text`` as :class:`PackedText` stores it (and :class:`PackedJson` a document's
    :func:`compact` text)."""
    return zlib.compress(text.encode("utf-8"))


class PackedText(TypeDecorator[str]):
    """A long text stored compressed with zlib, on every database.

    For a letter's text (``document.body``, 2.4 KB, a third of that compressed): SQLite keeps
    text as it is given, and a letter's row was too large to share its page with another.
    Never searched in SQL; the engine reads it whole."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else pack_text(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else zlib.decompress(value).decode("utf-8")


def unpack(packed: bytes) -> dict[str, Any]:
    """What :func:`pack` packed."""
    value: dict[str, Any] = json.loads(zlib.decompress(packed))
    return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JsonType}

