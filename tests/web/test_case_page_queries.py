"""The case page and the API's case read send a fixed number of statements, whatever the number
of other cases: the case is loaded once, and nothing on the page counts over every case (the
coordinators' open cases are read only by the pages that offer a choice of coordinator).

The other cases are bulk copies of the cast's (``engine.features.bench_copy``, as ``ipflow
bench reads`` makes its 100,000), so they are the same kind of case, with the same coordinator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from engine.features import bench_copy
from tests.support.api import Api
from tests.support.cast import Cast

# Two of the page's statements sign the reader in, three name the people, two are the
# header's unread mark (four before its statements were joined); the other 17 read the case's
# own rows (what was new in it since the reader last opened it, one statement fewer too).
MOST_STATEMENTS_PER_PAGE = 24


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    engine = app.extensions["ipflow_db"].engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def sent_by(app: Flask, read: Callable[[], Any]) -> list[str]:
    read()  # the first read fills the caches (diagrams, translations)
    with statements(app) as sent:
        response = read()
    assert response.status_code == 200
    return sent


def test_the_case_read_sends_as_many_statements_among_3_cases_as_among_30(
        cast: Cast, web_app: Flask) -> None:
    page: FlaskClient = cast.users_client("systemkoordinator")
    api = Api(web_app.test_client())
    token = {"Authorization": f"Bearer {api.token('systemkoordinator')}"}

    def reads() -> tuple[list[str], list[str]]:
        return (sent_by(web_app, lambda: page.get(f"/cases/{cast.case_id}")),
                sent_by(web_app, lambda: api.client.get(f"/api/v1/cases/{cast.case_id}",
                                                        headers=token)))

    few = reads()
    assert bench_copy.copy_cases(cast.db, 30, lambda _n: None) == 28
    many = reads()
    assert [len(sent) for sent in many] == [len(sent) for sent in few]
    assert len(few[0]) <= MOST_STATEMENTS_PER_PAGE, "\n".join(few[0])
    assert not [s for s in few[0] if "count(" in s and "GROUP BY case_.coordinator" in s]
