"""Paging, one rule for every list the API and the pages show.

At 100,000 cases no list may be read whole: each is read a page at a time (``page``,
``per_page``: 50 by default, at most 500) with its ``total`` counted in the database. The
request parameters are parsed here so that a bad value gets the same clear error everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000

Row = TypeVar("Row")


@dataclass(frozen=True)
class Paging:
    """Which page the reader asks for."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def parse(cls, args: Mapping[str, str], errors: dict[str, str],
              default_per_page: int = DEFAULT_PER_PAGE) -> Paging:
        """``page`` and ``per_page`` from request parameters; a bad value is named in
        ``errors`` (the caller raises its own error with all of them) and its default used."""

        def number(name: str, default: int, highest: int) -> int:
            value = (args.get(name) or "").strip()
            if not value:
                return default
            if not value.isdigit() or not 1 <= int(value) <= highest:
                errors[name] = f"{name} må være et helt tall fra 1 til {highest}."
                return default
            return int(value)

        return cls(number("page", 1, MAX_PAGE),
                   number("per_page", default_per_page, MAX_PER_PAGE))

    def last_page(self, total: int) -> int:
        return max(1, -(-total // self.per_page))

    def clamp(self, total: int) -> int:
        """The page to show: past the last page, the last one."""
        return min(self.page, self.last_page(total))


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a list, and where it stands in the whole."""

    rows: tuple[Row, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def meta(self) -> dict[str, int]:
        """The paging keys every API list answers with beside its rows."""
        return {"total": self.total, "page": self.page, "per_page": self.per_page,
                "pages": self.pages}

    def json_under(self, key: str, row: Callable[[Row], Any]) -> dict[str, Any]:
        """The API's answer: the rows, each as ``row`` makes it, under ``key``, and
        :meth:`meta`."""
        return {key: [row(item) for item in self.rows], **self.meta()}


def fetch_page(session: Session, query: Select[Any], paging: Paging) -> tuple[
        Sequence[Any], int, int]:
    """The rows of the asked page of ``query`` (already ordered), the total, and the page
    shown. The total counts the query's own rows (as a subquery, so joins and DISTINCT count
    as they list), without the ordering, which it does not need."""
    total = session.scalar(select(func.count()).select_from(
        query.order_by(None).subquery())) or 0
    page = paging.clamp(total)
    rows = session.execute(query.offset((page - 1) * paging.per_page)
                           .limit(paging.per_page)).all()
    return rows, total, page


def read_page(session: Session, query: Select[Any], paging: Paging,
              row: Callable[[Any], Row]) -> Page[Row]:
    """The asked page of ``query`` (already ordered) as a :class:`Page`, each result row (a
    ``Row``: a selected entity is ``result[0]``) made into what the list shows by ``row``."""
    rows, total, page = fetch_page(session, query, paging)
    return Page(tuple(row(result) for result in rows), total, page, paging.per_page)


def ids_after(fetch: Callable[[int], list[int]]) -> Iterator[int]:
    """Ids from ``fetch(after_id)`` a batch at a time, ascending, each once: how background
    work walks its queue (the worker's timers, tasks and outbox, the archive) without reading
    it whole."""
    after = 0
    while ids := fetch(after):
        yield from ids
        after = ids[-1]
