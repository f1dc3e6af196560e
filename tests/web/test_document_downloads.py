"""Letters and the plan as PDF from the case page: for those who may see the case only, and
every download written to the access log, as other reads of the case are."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from engine.kernel.models import AccessLog, Attachment, Document
from tests.support.cast import GOAL, Cast
from tests.support.pdfa import archival_problems

DECISION_LETTER = "Avgjørelse om individuell plan og koordinator"


def _decision(cast: Cast) -> int:
    """The decision letter's PDF: one document, whoever it is sent to, with one PDF."""
    with cast.db.reading() as session:
        ids = list(session.scalars(select(Attachment.id).join(Document).where(
            Document.case_id == cast.case_id, Document.title == DECISION_LETTER)))
    assert len(ids) == 1, "the decision is one document with one PDF"
    return ids[0]


def _reads(cast: Cast, username: str, what: str) -> int:
    with cast.db.reading() as session:
        return len(list(session.scalars(select(AccessLog.id).where(
            AccessLog.case_id == cast.case_id, AccessLog.username == username,
            AccessLog.what == what))))


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_the_case_page_links_each_letter_to_its_pdf_with_its_recipients(cast: Cast) -> None:
    pdf = _decision(cast)
    page = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    link = f'href="/cases/{cast.case_id}/attachments/{pdf}"'
    assert page.count(link) == 1
    entry = page[page.rindex('<li class="document">', 0, page.index(link)):page.index(link)]
    assert DECISION_LETTER in entry and "Mottakere: Kari Nordmann" in entry
    assert '<pre class="letter">' not in entry  # the letter is its PDF, not monospace text


def test_staff_and_the_citizen_download_the_letter_and_the_read_is_logged(cast: Cast) -> None:
    pdf = _decision(cast)
    path = f"/cases/{cast.case_id}/attachments/{pdf}"
    for username in ("koordinator", "innbygger"):
        assert _reads(cast, username, f"attachment {pdf}") == 0
        response = cast.users_client(username).get(path)
        assert response.status_code == 200, username
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.data.startswith(b"%PDF-")
        assert "Kari Nordmann" in _text(response.data)
        assert _reads(cast, username, f"attachment {pdf}") == 1, username


def test_who_may_not_see_the_case_gets_no_letter_and_nothing_is_logged(cast: Cast) -> None:
    pdf = _decision(cast)
    path = f"/cases/{cast.case_id}/attachments/{pdf}"
    response = cast.users_client("koordinator_oppvekst").get(path)
    assert response.status_code == 404
    assert not response.data.startswith(b"%PDF")
    assert _reads(cast, "koordinator_oppvekst", f"attachment {pdf}") == 0
    # A document of one case is not reachable through another case's address.
    other = cast.users_client("systemkoordinator").get(
        f"/cases/{cast.other_case_id}/attachments/{pdf}")
    assert other.status_code == 404


def test_the_plan_downloads_as_pdf_with_its_goals(cast: Cast) -> None:
    page = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    assert f'href="/cases/{cast.case_id}/plan.pdf"' in page
    before = _reads(cast, "innbygger", "plan")
    response = cast.users_client("innbygger").get(f"/cases/{cast.case_id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "Individuell plan for Kari Nordmann" in text and GOAL in text
    assert "Ansvarsgruppe og nettverk" in text and "Fastlege – lege" in text
    assert _reads(cast, "innbygger", "plan") == before + 1
    assert cast.users_client("koordinator_oppvekst").get(
        f"/cases/{cast.case_id}/plan.pdf").status_code == 404
    # A case without a plan has nothing to print.
    assert cast.users_client("systemkoordinator").get(
        f"/cases/{cast.other_case_id}/plan.pdf").status_code == 404


def test_the_plan_pdf_passes_the_pdf_a_2b_checks(cast: Cast) -> None:
    """The plan as downloaded: PDF/A-2b by the checks of tests/support/pdfa.py."""
    response = cast.users_client("koordinator").get(f"/cases/{cast.case_id}/plan.pdf")
    assert response.status_code == 200
    assert archival_problems(response.data) == []
