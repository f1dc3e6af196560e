"""``POST /api/v1/cases/<id>/messages/<name>`` takes the letter an event came with as the page
does: ``multipart/form-data`` with ``data`` as JSON text and the file in ``attachment``, PDF,
PNG or JPEG by its first bytes, 3 MB at most. A refused file changes nothing."""

from __future__ import annotations

import io
import json
from typing import Any

from engine.features import attachments
from engine.kernel.db import Database
from engine.runtime.users import get_actor
from tests.support.api import Api
from tests.support.legal_events import PDF, citizen_in_follow_up, refused

APPEAL = {"text": "Jeg klager på avslaget.", "received_on": "2026-03-01"}


def _send(api: Api, case_id: int, message: str, user: str, data: Any,
          file: tuple[bytes, str] | None) -> tuple[int, Any]:
    form: dict[str, Any] = {"data": data if isinstance(data, str) else json.dumps(data)}
    if file is not None:
        form["attachment"] = (io.BytesIO(file[0]), file[1])
    response = api.client.post(f"/api/v1/cases/{case_id}/messages/{message}", data=form,
                               content_type="multipart/form-data",
                               headers={"Authorization": f"Bearer {api.token(user)}"})
    return response.status_code, response.get_json()


def _incoming(api: Api, case_id: int) -> list[dict[str, Any]]:
    return [d for d in api.get(f"/cases/{case_id}/documents", "systemkoordinator")["documents"]
            if d["kind"] == "incoming"]


def test_an_appeal_with_its_pdf_letter_is_stored_and_listed(api: Api, db: Database) -> None:
    case_id = refused(db)
    status, body = _send(api, case_id, "appeal_received", "systemkoordinator", APPEAL,
                         (PDF, "klagebrev.pdf"))
    assert (status, body) == (200, {"ok": True})

    [document] = _incoming(api, case_id)
    assert document["title"] == "Klage mottatt"
    [listed] = document["attachments"]
    assert listed["filename"] == "klagebrev.pdf" and listed["media_type"] == "application/pdf"
    assert listed["size"] == len(PDF)
    stored = attachments.read(db, case_id, listed["id"], get_actor(db, "systemkoordinator"))
    assert stored.content == PDF, "the bytes as sent"

    [received] = [e for e in api.get(f"/cases/{case_id}", "systemkoordinator")["events"]
                  if e["kind"] == "message_received"]
    assert received["data"]["data"]["text"] == APPEAL["text"], "the typed text kept"
    assert received["data"]["data"]["attachment"]["attachment_id"] == listed["id"]
    assert api.task(case_id, "reassess_appeal", "systemkoordinator")


def test_a_file_of_another_type_is_refused_with_422_and_nothing_changes(
        api: Api, db: Database) -> None:
    case_id = refused(db)
    status, body = _send(api, case_id, "appeal_received", "systemkoordinator", APPEAL,
                         (b"MZ\x90\x00 not a letter", "klage.exe"))
    assert status == 422 and body["code"] == "invalid_data"
    assert body["errors"]["attachment"] == ("Filen må være en PDF eller et bilde (PNG eller "
                                            "JPEG).")
    assert _incoming(api, case_id) == []
    assert [e["message"] for e in api.get(f"/cases/{case_id}/events", "systemkoordinator")[
        "events"]] == ["appeal_received"], "the case still waits for the appeal"

    too_large = b"%PDF-" + bytes(attachments.MAX_BYTES)
    status, body = _send(api, case_id, "appeal_received", "systemkoordinator", APPEAL,
                         (too_large, "stor.pdf"))
    assert status == 422 and body["errors"]["attachment"] == "Filen er for stor (høyst 3 MB)."
    assert _incoming(api, case_id) == []


def test_a_file_for_an_event_that_takes_none_is_refused_not_dropped(
        api: Api, db: Database) -> None:
    case_id = citizen_in_follow_up(db)
    status, body = _send(api, case_id, "end_requested", "innbygger", {"what": "both"},
                         (PDF, "brev.pdf"))
    assert status == 422
    assert body["errors"]["attachment"] == "«Ønske om å avslutte» tar ikke imot vedlegg."
    assert "end_requested" in {e["message"] for e in
                               api.get(f"/cases/{case_id}/events", "innbygger")["events"]}


def test_the_data_field_must_be_a_json_object(api: Api, db: Database) -> None:
    case_id = refused(db)
    status, body = _send(api, case_id, "appeal_received", "systemkoordinator", "{ikke json",
                         (PDF, "klagebrev.pdf"))
    assert status == 400 and body["code"] == "bad_request"
    status, body = _send(api, case_id, "appeal_received", "systemkoordinator", "[1]", None)
    assert status == 422 and body["code"] == "invalid_data"
    assert _incoming(api, case_id) == []
