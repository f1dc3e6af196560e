"""The profile page: each person sees the address ipflow mails and chooses whether they get an
e-mail for each notice or none; the choice is their own and is kept."""

from __future__ import annotations

from flask import Flask

from engine.features import profile
from engine.kernel.db import Database
from engine.kernel.vocabulary import NoticeChoice
from engine.runtime.users import create_user, get_actor
from tests.support.pages import Browser

PASSWORD = "hemmelig-passord"


def signed_in(web_app: Flask, username: str) -> Browser:
    browser = Browser(web_app.test_client())
    assert browser.login(username, PASSWORD).status_code == 302
    return browser


def test_a_person_turns_their_e_mails_off_and_on(db: Database, web_app: Flask) -> None:
    create_user(db, "ola", PASSWORD, "Ola Hansen", [("innbygger", None)], "23074820085")
    create_user(db, "kim_epost", PASSWORD, "Kim Epost", [("koordinator", "helse")],
                email="kim@fjordvik.kommune.no")
    browser = signed_in(web_app, "ola")
    page = browser.get("/profil")
    assert page.checked("notices") == ["now"]
    assert "Vi har ingen e-postadresse til deg" in page

    shown = browser.follow(browser.post("/profil", {"notices": "none"}))
    assert shown.checked("notices") == ["none"] and "Valget ditt er lagret." in shown
    assert profile.profile(db, get_actor(db, "ola")).notices == NoticeChoice.NONE
    assert profile.profile(db, get_actor(db, "kim_epost")).notices == NoticeChoice.NOW

    refused = browser.post_page("/profil", {"notices": "weekly"}, expect=422)
    assert "Velg hvordan du vil få beskjed." in refused
    browser.post("/profil", {"notices": "now"})
    assert profile.profile(db, get_actor(db, "ola")).notices == NoticeChoice.NOW

    staff = signed_in(web_app, "kim_epost").get("/profil")
    assert "E-post sendes til kim@fjordvik.kommune.no." in staff
    assert staff.checked("notices") == ["now"]
