"""The unread marks: the header's count on every page, the inbox's and /mine's marks per row,
and what was new in a case when it was opened.

The engine counts (:mod:`engine.features.notices`); here the count is asked once per request
and only by a page that shows it, so the login and error pages cost nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import Flask, g, url_for

from engine.features import notices
from webapp.auth import current_actor, db


def current_notices(task_ids: Collection[int] = ()) -> notices.Notices:
    """What is unread for the signed-in person (nothing without one), read once per request;
    which of ``task_ids`` are unread is asked by the first call only (a page that lists tasks
    calls it with theirs before it renders: every page counts the unread tasks, none reads
    them all)."""
    if "notices" not in g:
        actor = current_actor()
        g.notices = (notices.unread(db(), actor, task_ids) if actor is not None
                     else notices.Notices())
    found: notices.Notices = g.notices
    return found


def notices_url() -> str:
    """Where the unread things are listed: the inbox for staff, their cases for a citizen."""
    actor = current_actor()
    return url_for("inbox.inbox") if actor is not None and actor.is_staff else url_for("cases.mine")


def register(app: Flask) -> None:
    """``unread_notices()`` and ``notices_url()`` for the templates (the header's mark)."""
    app.jinja_env.globals.update(unread_notices=current_notices, notices_url=notices_url)
