"""A child's letters reach the guardians as the citizen's reach the citizen: by digital post to
the fødselsnummer the report recorded for a guardian with parental responsibility. A guardian
without a recorded number (only a name and a free-text contact) stays on the paper-post pile,
the outbox folder, as before. Driven through the API and the engine; the worker delivers to
the digital-post folder target. On SQLite or PostgreSQL as the suite runs.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.features import digital_post, retention, worker
from engine.kernel.models import Outbox
from tests.support.flows import Flow

SANDER = "20111550027"  # born 20 November 2015: 10 at the report, the guardians are written to
GUARDIANS = [
    {"name": "Hanne Lie", "parental_responsibility": True, "contact": "hanne@example.no"},
    {"name": "Geir Lie", "nin": "140882 00005", "parental_responsibility": True,
     "contact": "900 00 001"},
    {"name": "Stefan Dahl", "nin": "15076500565", "parental_responsibility": False,
     "contact": "stefan@example.no"},
]


def letters(flow: Flow) -> dict[str, Outbox]:
    return {row.recipient: row for row in flow.outbox("letter")}


def test_a_guardian_known_by_number_gets_the_letter_by_digital_post(flow: Flow,
                                                                    tmp_path: Path) -> None:
    flow.report("systemkoordinator", SANDER, citizen_name="Sander Lie", guardians=GUARDIANS)
    flow.wait(days=1)
    flow.approve("oppvekst")
    rows = letters(flow)
    geir, hanne = rows["Geir Lie (foresatt for Sander Lie)"], rows[
        "Hanne Lie (foresatt for Sander Lie)"]
    assert (geir.recipient_nin, hanne.recipient_nin) == ("14088200005", None)
    assert not any("Stefan" in name for name in rows)  # no parental responsibility, no letter

    post, folder = tmp_path / "post", tmp_path / "folder"
    result = worker.RoundResult()
    worker.deliver_outbox(flow.db, digital_post.digital_post_delivery(
        digital_post.FolderPost(post), worker.file_delivery(folder)), result)
    assert result.failed_deliveries == 0 and not result.errors
    about = json.loads((post / f"outbox-{geir.id}.json").read_text(encoding="utf-8"))
    assert (about["recipient_nin"], about["recipient_name"]) == ("14088200005", "Geir Lie")
    assert about["case_id"] == flow.case_id and about["title"] == geir.subject
    assert (post / f"outbox-{geir.id}.pdf").read_bytes().startswith(b"%PDF")
    assert not (post / f"outbox-{hanne.id}.json").exists()
    on_paper = (folder / f"{hanne.id:08d}-letter.txt").read_text(encoding="utf-8")
    assert on_paper.startswith("Til: Hanne Lie (foresatt for Sander Lie)\n")


def test_anonymising_the_case_removes_the_guardians_number(flow: Flow) -> None:
    flow.report("systemkoordinator", SANDER, citizen_name="Sander Lie", guardians=GUARDIANS)
    flow.wait(days=1)
    flow.approve("oppvekst")
    assert any(row.recipient_nin for row in flow.outbox("letter"))
    with flow.db.transaction() as session:
        retention.anonymise(session, flow.case_id, flow.now, 10)
    assert [(row.recipient_nin, "Lie" in row.recipient) for row in flow.outbox("letter")] == [
        (None, False)] * len(flow.outbox("letter"))
