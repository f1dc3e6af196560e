"""The citizen's own pages in plain words: who has read the case (the staff's reads; the
citizen's own only when asked for), their cases and the case as they see it."""

from __future__ import annotations

import re

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


def test_the_case_as_the_citizen_sees_it_names_people_and_hides_the_staffs_steps(
        cast: Cast) -> None:
    citizen = cast.users_client("innbygger").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    staff = cast.users_client("koordinator").get(f"/cases/{cast.case_id}").get_data(as_text=True)
    steps = re.search(r"<details>.*?</details>", citizen, flags=re.S)
    assert steps, "the list of the process's steps"
    listed = text_of(steps.group(0))
    # What people do and what happens; never the automatic bookkeeping or the staff's roles.
    assert "Samtykke og ønske om IP" in listed and "Avgjørelse sendt" in listed
    assert "Vurder og avgjør" in listed
    for internal in ("Journalfør avslutning", "Meld IP til KPR", "Registrer samtykke",
                     "Automatisk steg", "Koordinerende enhet (systemkoordinator)"):
        assert internal not in text_of(citizen), internal
        assert internal in text_of(staff), f"staff still see {internal}"
    assert "Kommunen" in listed and "Deg" in listed, "lanes by who they are to the citizen"
    # No diagram with the staff's lanes, no version numbers, no usernames.
    assert 'id="diagram"' not in citizen and 'id="diagram"' in staff
    # (the plan's own versions are the citizen's documents: "Individuell plan, versjon 1")
    assert not re.search(r"\(versjon \d+\)", text_of(citizen))
    assert re.search(r"\(versjon \d+\)", text_of(staff)), "staff see the process's version"
    assert not re.search(r">\s*(koordinator|systemkoordinator|fagleder)\s*<", citizen)
    assert "Kim Koordinator" in text_of(citizen)


def test_mine_names_people_and_tells_what_waits_in_plain_words(cast: Cast) -> None:
    page = cast.users_client("innbygger").get("/mine").get_data(as_text=True)
    text = text_of(page)
    assert "Koordinator: Kim Koordinator" in text and "Tjenesteområde: Helse og omsorg" in text
    assert not re.search(r">\s*(koordinator|innbygger|helse)\s*<", page), "no codes or usernames"
    for internal in ("instans", "token", "bpmn", "versjon"):
        assert internal not in text.lower(), internal
