"""Letters to the case's citizen through the digital-post interface, with the folder target
as the service: the PDF and who it is for under the outbox id, the same files again on a
redelivery, and every other row passed on to the next target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import demo
from engine.features import case_start, digital_post, worker
from engine.kernel import clock
from engine.kernel.db import Database
from engine.kernel.models import Attachment, Document, Outbox
from engine.runtime.users import get_actor
from tests.support.people import OLA

REPORT = {"citizen_name": "Ola Hansen", "citizen_nin": OLA,
          "reported_by": "kommunal_tjenesteyter", "requests": ["ip", "koordinator"]}
PDF = b"%PDF-1.7\nbrev\n"


def test_the_citizens_letter_goes_by_post_and_the_rest_on(db: Database, tmp_path: Path) -> None:
    case_id = case_start.start_case(db, "ip_koordinator", REPORT, get_actor(db, "koordinator"),
                                    duplicate_reason=demo.SEVERAL_CASES)
    with db.transaction() as session:
        document = Document(case_id=case_id, kind="letter", title="Vedtak om individuell plan",
                            body="Brevet.", recipients=["Ola Hansen", "Marte Hansen (foresatt)"],
                            created_at=clock.now())
        session.add(Attachment(case_id=case_id, document=document, filename="letter.pdf",
                               media_type="application/pdf", size=len(PDF), content=PDF,
                               created_at=document.created_at))
        to_ola = Outbox(case_id=case_id, kind="letter", recipient="Ola Hansen",
                        subject=document.title, document=document, created_at=clock.now())
        session.add_all([to_ola, Outbox(
            case_id=case_id, kind="letter", recipient="Marte Hansen (foresatt)",
            subject=document.title, document=document, created_at=clock.now())])
        session.flush()
        reference = f"outbox-{to_ola.id}"
    post, folder = tmp_path / "post", tmp_path / "outbox"
    deliver = digital_post.digital_post_delivery(digital_post.FolderPost(post),
                                                 worker.file_delivery(folder))
    result = worker.RoundResult()
    worker.deliver_outbox(db, deliver, result)

    assert result.failed_deliveries == 0 and not result.errors
    assert sorted(path.name for path in post.iterdir()) == [f"{reference}.json",
                                                            f"{reference}.pdf"]
    assert (post / f"{reference}.pdf").read_bytes() == PDF
    assert json.loads((post / f"{reference}.json").read_text(encoding="utf-8")) == {
        "reference": reference, "case_id": case_id, "recipient_nin": OLA,
        "recipient_name": "Ola Hansen", "title": "Vedtak om individuell plan"}
    written = "".join(path.read_text(encoding="utf-8") for path in folder.glob("*.txt"))
    assert "Til: Marte Hansen (foresatt)" in written and "Til: Ola Hansen\n" not in written

    with db.transaction() as session:  # a redelivery: the same two files, nothing added
        for row in session.scalars(select(Outbox)):
            row.delivered_at = None
    worker.deliver_outbox(db, deliver, worker.RoundResult())
    assert len(list(post.iterdir())) == 2


def test_digital_post_is_chosen_by_its_folder_variable(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    fallback = worker.file_delivery(tmp_path)
    monkeypatch.delenv(digital_post.FOLDER_ENV, raising=False)
    assert digital_post.delivery_from_env(fallback) is fallback
    monkeypatch.setenv(digital_post.FOLDER_ENV, str(tmp_path / "post"))
    assert digital_post.delivery_from_env(fallback) is not fallback
