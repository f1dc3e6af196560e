"""The accessibility statement at ``/tilgjengelighet``: public, in both languages, with what
Digdir asks a statement to say, the feedback contact from the settings, and linked from the
footer of every page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.support.pages import Browser, Page


@pytest.fixture()
def web_app(make_app: Callable[..., Flask], compiled_translations: Path) -> Flask:
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


def footer_link(page: Page) -> str:
    links = [e for e in page.all("a") if e.text.strip() in ("Tilgjengelighetserklæring",
                                                            "Accessibility statement")]
    assert len(links) == 1, links
    return links[0].get("href")


def test_the_statement_is_public_and_names_the_rules_and_where_to_complain(
        anonymous: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_NAME", "Fjordvik kommune")
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_EMAIL", "uu@fjordvik.kommune.no")
    monkeypatch.setenv("IPFLOW_MUNICIPALITY_PHONE", "99 88 77 66")
    page = anonymous.get("/tilgjengelighet")
    assert page.one("h1").text == "Tilgjengelighetserklæring"
    assert [h.text for h in page.all("h2")] == [
        "Hvilke krav gjelder", "Status", "Kjente avvik", "Gi tilbakemelding", "Klage og tilsyn"]
    for text in ("forskrift om universell utforming av informasjons- og "
                 "kommunikasjonsteknologiske (IKT)-løsninger", "WCAG 2.1",
                 "ipflow oppfyller delvis kravene", "Fjordvik kommune",
                 "Tilsynet for universell utforming av ikt", "uutilsynet.no", "99 88 77 66"):
        assert text in page, text
    assert page.one("a", href="mailto:uu@fjordvik.kommune.no").text == "uu@fjordvik.kommune.no"
    # The supervisor's address as text: the pages never link or load from another host.
    assert page.one("strong").text == "uutilsynet.no"
    assert len(page.all("li")) >= 2  # the known deviations are listed


def test_the_statement_in_english(anonymous: Browser) -> None:
    login = anonymous.get("/login")
    anonymous.post("/language", {"locale": "en", "next": "/tilgjengelighet"})
    page = anonymous.get("/tilgjengelighet")
    assert login.one("html").get("lang") == "nb" and page.one("html").get("lang") == "en"
    assert page.one("h1").text == "Accessibility statement"
    for text in ("Regulation on universal design of information and communication technology",
                 "Known deviations", "Give feedback", "uutilsynet.no"):
        assert text in page, text


def test_every_page_links_to_the_statement_in_its_footer(
        anonymous: Browser, web: Callable[[str], Browser]) -> None:
    pages = [anonymous.get("/login"), anonymous.get("/tilgjengelighet"),
             anonymous.get("/no-such-page", expect=404)]
    pages += [web(user).get(path) for user, path in (
        ("koordinator", "/inbox"), ("innbygger", "/mine"), ("designer", "/designer/"),
        ("leder", "/monitor"))]
    for page in pages:
        assert footer_link(page) == "/tilgjengelighet"
