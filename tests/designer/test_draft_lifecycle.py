"""A draft's end: deleting one asks first, and a deleted draft's id is never given again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.features import designer as drafts
from engine.kernel.db import Database
from engine.kernel.models import ProcessDraft
from engine.runtime.users import Actor
from tests.designer.diagrams import KEY


def open_draft(web: Any, db: Database, designer: Actor) -> tuple[Any, int]:
    """A draft of the shipped process's first version, and the designer's browser."""
    return web(designer.username), drafts.open_version(db, KEY, 1, designer)


def _exists(db: Database, draft_id: int) -> bool:
    with db.reading() as session:
        return session.get(ProcessDraft, draft_id) is not None


def test_deleting_a_draft_asks_first(web: Any, db: Database, designer: Actor) -> None:
    browser, draft_id = open_draft(web, db, designer)
    page = browser.get(f"/designer/drafts/{draft_id}")
    box = page.one("input", name="confirm")
    assert box.has("required") and box.get("type") == "checkbox"
    label = page.one("label", **{"for": box.get("id")}).text
    assert label.startswith(f"Ja, slett utkast {draft_id}")

    refused = browser.post(f"/designer/drafts/{draft_id}/discard")
    assert refused.headers["Location"].endswith(f"/designer/drafts/{draft_id}")
    assert _exists(db, draft_id), "not ticked: nothing is deleted"
    assert "kryss av for at du vil slette det" in browser.follow(refused)

    browser.post(f"/designer/drafts/{draft_id}/discard", {"confirm": "ja"})
    assert not _exists(db, draft_id)


def test_a_deleted_drafts_id_is_never_given_again(web: Any, db: Database,
                                                  designer: Actor) -> None:
    browser, first = open_draft(web, db, designer)
    browser.get(f"/designer/drafts/{first}")
    browser.post(f"/designer/drafts/{first}/discard", {"confirm": "ja"})
    _browser, second = open_draft(web, db, designer)
    assert second > first, "the newest draft's id went with it"
    with db.reading() as session:
        assert list(session.scalars(select(ProcessDraft.id))) == [second]
