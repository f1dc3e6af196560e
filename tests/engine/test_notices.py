"""What is new to a person: a message in their case's thread, a letter to them, a task given to
them or one of theirs past its deadline; read when they open the case or the task, per person,
and counted with the same few queries however many cases there are."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from engine import demo
from engine.features import notices, overview, task_actions
from engine.kernel import clock
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.clock import T0
from tests.support.people import KARI, OLA


def opening(db: Database, case_id: int, actor: Actor) -> notices.CaseNotices:
    """What was new to ``actor`` when they opened the case's page (read from then on)."""
    news = overview.case_overview(db, case_id, actor, opened=True).notices
    assert news is not None
    return news


@pytest.fixture()
def at_t0() -> Iterator[None]:
    with clock.frozen_at(T0):
        yield


def _appointed(db: Database, staff: dict[str, Actor], nin: str = KARI) -> int:
    """A case whose coordinator is ``koordinator`` (Kari's has the citizen's login linked)."""
    case_id = demo.report(db, staff["systemkoordinator"], nin)
    demo.approve(db, staff, case_id, "helse")
    demo.appoint(db, staff, case_id)
    return case_id


@contextmanager
def counted_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_citizens_message_is_unread_for_the_coordinator_until_the_case_is_opened(
        db: Database, staff: dict[str, Actor], at_t0: None) -> None:
    case_id = _appointed(db, staff)
    citizen, coordinator = staff["innbygger"], staff["koordinator"]
    overview.post_message(db, case_id, "Kan vi flytte møtet?", citizen)
    overview.post_message(db, case_id, "Og en ting til.", citizen)

    seen = notices.unread(db, coordinator)
    assert seen.messages == {case_id: 2}
    assert seen.citizens[case_id] == "Kari Nordmann"
    assert seen.total >= 2 and seen.in_case(case_id) >= 2
    assert notices.unread(db, citizen).messages == {}, "one's own messages are not news"
    assert notices.unread(db, staff["fagleder"]).messages == {}, "not the fagleder's thread"
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen.messages = {}  # type: ignore[misc]

    opened = opening(db, case_id, coordinator)
    assert (opened.messages, opened.last_read) == (2, None)
    assert notices.unread(db, coordinator).messages == {}

    with clock.frozen_at(T0 + timedelta(minutes=5)):
        overview.post_message(db, case_id, "Takk!", citizen)
        assert notices.unread(db, coordinator).messages == {case_id: 1}
        assert opening(db, case_id, coordinator).last_read == T0


def test_the_coordinators_answer_and_the_letters_are_news_to_the_citizen(
        db: Database, staff: dict[str, Actor], at_t0: None) -> None:
    case_id = _appointed(db, staff)
    citizen = staff["innbygger"]
    letters = notices.unread(db, citizen).letters
    assert letters.get(case_id, 0) >= 1, "the decision letter reached the citizen"
    assert notices.unread(db, staff["koordinator"]).letters == {}, "letters are the citizen's"

    overview.post_message(db, case_id, "Møtet er flyttet.", staff["koordinator"])
    assert notices.unread(db, citizen).messages == {case_id: 1}
    opened = opening(db, case_id, citizen)
    assert (opened.messages, opened.letters) == (1, letters[case_id])
    after = notices.unread(db, citizen)
    assert (after.messages, after.letters) == ({}, {})


def _tasks(db: Database, actor: Actor) -> Mapping[int, notices.UnreadTask]:
    """The actor's unread tasks, and the check that counting them (the header's figure, from
    the inbox's counts and the read marks) gives as many."""
    found = notices.unread(db, actor)
    assert found.task_count == len(found.tasks)
    return found.tasks


def test_a_task_given_to_me_is_new_until_i_open_it_and_unread_again_when_overdue(
        db: Database, staff: dict[str, Actor], at_t0: None) -> None:
    case_id = _appointed(db, staff)
    citizen = staff["innbygger"]
    task_id = demo.open_task(db, case_id, "give_consent")
    mine = _tasks(db, citizen)
    assert mine[task_id] == notices.UnreadTask(task_id, case_id, overdue=False)
    asked = notices.unread(db, citizen, [task_id])
    assert (dict(asked.tasks), asked.task_count) == (dict(mine), 1), "a page's rows"
    counted = notices.unread(db, citizen, [])
    assert (counted.tasks, counted.task_count) == ({}, 1), "counted, not listed"
    assert task_id not in _tasks(db, staff["koordinator"]), "per person"

    notices.open_task(db, task_id, staff["koordinator"])  # not theirs: marks nothing
    assert task_id in _tasks(db, citizen)
    notices.open_task(db, task_id, citizen)
    assert task_id not in _tasks(db, citizen)

    with clock.frozen_at(T0 + timedelta(days=400)):
        assert _tasks(db, citizen)[task_id].overdue, "past its deadline"
        notices.open_task(db, task_id, citizen)
        assert task_id not in _tasks(db, citizen)


def test_a_group_task_is_news_only_once_claimed_and_overdue(
        db: Database, staff: dict[str, Actor], at_t0: None) -> None:
    case_id = demo.report(db, staff["koordinator"], OLA)
    task_id = demo.open_task(db, case_id, "assess_report")
    boss = staff["systemkoordinator"]
    assert task_id not in _tasks(db, boss), "the group's, not given to anyone"
    task_actions.claim_task(db, task_id, boss)
    assert task_id not in _tasks(db, boss), "taking it oneself is not news"
    with clock.frozen_at(T0 + timedelta(days=31)):
        assert _tasks(db, boss)[task_id].overdue


def test_the_unread_count_takes_the_same_few_queries_however_many_cases(
        db: Database, staff: dict[str, Actor], at_t0: None) -> None:
    """No query per case: the header asks on every page (messages and letters in one, whom
    they are about, the tasks asked for, and the unread tasks counted in one: nobody here has
    taken a task)."""
    reporter, boss = staff["koordinator"], staff["systemkoordinator"]
    counts = []
    for _round in range(2):
        for _case in range(3):
            case_id = demo.report(db, reporter, OLA)
            overview.post_message(db, case_id, "Ny opplysning i saken.", reporter)
        with counted_statements(db) as statements:
            seen = notices.unread(db, boss)
        counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
        assert len(seen.messages) == 3 * (_round + 1), "cases without a coordinator are the KE's"
    assert counts == [4, 4]
