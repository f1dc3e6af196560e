"""The citizen's own pages in plain words: who has read the case (the staff's reads; the
citizen's own only when asked for), their cases and the case as they see it."""

from __future__ import annotations

from tests.support.cast import Cast
from tests.support.pages import text_of


def test_the_citizens_access_log_shows_the_staffs_reads_and_their_own_on_request(
        cast: Cast) -> None:
    cast.users_client("koordinator").get(f"/cases/{cast.case_id}")
    citizen = cast.users_client("innbygger")
    citizen.get(f"/cases/{cast.case_id}")
    page = citizen.get(f"/cases/{cast.case_id}/access-log").get_data(as_text=True)
    text = text_of(page)
    assert "Kim Koordinator Koordinator Åpnet sakssiden" in text
    assert "Kari Nordmann Innbygger" not in text, "the citizen's own reads are left out"
    assert f'href="/cases/{cast.case_id}/access-log?egne=vis"' in page

    shown = text_of(citizen.get(f"/cases/{cast.case_id}/access-log?egne=vis")
                    .get_data(as_text=True))
    assert "Kari Nordmann Innbygger Åpnet sakssiden" in shown
    assert "Kim Koordinator Koordinator Åpnet sakssiden" in shown


def test_the_koordinerende_enhet_sees_every_read(cast: Cast) -> None:
    cast.users_client("innbygger").get(f"/cases/{cast.case_id}")
    page = cast.users_client("systemkoordinator").get(
        f"/cases/{cast.case_id}/access-log").get_data(as_text=True)
    assert "Kari Nordmann Innbygger Åpnet sakssiden" in text_of(page)
    assert "egne=vis" not in page
