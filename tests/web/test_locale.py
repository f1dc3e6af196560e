"""English pages: the language switch, the <html lang> attribute, and a complete catalogue.

The msgids are the Norwegian text. ``webapp/translations/en/LC_MESSAGES/messages.po`` is the
source of the English pages; the ``.mo`` file the app reads is built from it by
``make install`` and is not committed. These tests do not depend on make having run: they
compile the ``.po`` into a temporary directory and point the app there, so they always test
the ``.po`` as it is now, never a stale ``.mo``.

The catalogue tests fail when someone adds or changes a text in ``webapp/*.py`` or
``webapp/templates/`` without running ``make translations`` and translating it: that is
intended (see README, "Languages").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask

from engine import demo
from engine.kernel.db import Database
from engine.runtime.users import Actor
from tests.support.people import OLA
from webapp import create_app

if TYPE_CHECKING:
    from tests.support.pages import Browser, Page

Web = Callable[[str], "Browser"]

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
POT = TRANSLATIONS / "messages.pot"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
# The same extra keywords as `pybabel extract -k _l -k lazy_gettext -k to_translate` (Makefile).
EXTRA_KEYWORDS = ("_l", "lazy_gettext", "to_translate")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, abort_invalid=True)


def msgid_key(msgid: str | tuple[str, ...] | list[str]) -> str:
    """A singular msgid, or the singular of a plural one (the catalogue's own key)."""
    return msgid if isinstance(msgid, str) else msgid[0]


@pytest.fixture()
def web_app(make_app: Callable[..., Flask], compiled_translations: Path,
            tmp_path: Path, request: pytest.FixtureRequest) -> Flask:
    """The app reading the freshly compiled catalogue; ``"no catalogs"``: an empty directory."""
    if getattr(request, "param", None) == "no catalogs":
        return make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations))


@pytest.fixture()
def report_task(db: Database, staff: dict[str, Actor]) -> Iterator[tuple[int, int]]:
    """A new report of need: (case id, the systemkoordinator's assessment task id)."""
    case_id = demo.report(db, staff["koordinator"], OLA)
    yield case_id, demo.open_task(db, case_id, "assess_report")


def switch_language(browser: Browser, page: Page, locale: str) -> Page:
    """Choose a language with the form in the page header, as a person does."""
    assert [value for value, _label in page.options("locale")] == ["nb", "en"]
    response = browser.post("/language", {"locale": locale, "next": page.value("next")})
    return browser.follow(response)


def lang(page: Page) -> str:
    return page.one("html").get("lang")


# ---------------------------------------------------------------- the pages


def test_the_inbox_switches_to_english_and_back(web: Web, report_task: tuple[int, int]) -> None:
    _case_id, task_id = report_task
    browser = web("systemkoordinator")
    norwegian = browser.get("/inbox?view=group")
    assert lang(norwegian) == "nb" and norwegian.selected("locale") == "nb"
    assert norwegian.one("h1").text == "Oppgaver"
    assert "Mine oppgaver (0)" in norwegian and "Gruppens oppgaver (1)" in norwegian

    english = switch_language(browser, norwegian, "en")
    assert english.response.request.full_path == "/inbox?view=group"  # back where it was
    assert lang(english) == "en" and english.selected("locale") == "en"
    assert english.one("h1").text == "Tasks"
    assert "My tasks (0)" in english and "Group tasks (1)" in english
    assert "1 task" in english and "1 tasks" not in english
    for text in ("Citizen", "National identity number", "Service area", "Due date",
                 "Claimed by", "Search by name or national identity number", "Log out",
                 "Change language", "Report a need"):
        assert text in english, text
    assert english.one("a", href=f"/tasks/{task_id}").text.startswith("Open")
    assert english.one("form", action=f"/inbox/tasks/{task_id}/claim").text.strip().startswith(
        "Claim")
    for text in ("Mine oppgaver", "Gruppens oppgaver", "Fødselsnummer", "Logg ut"):
        assert text not in english, text

    # Texts made in the views (flash messages) follow the language too.
    claimed = browser.follow(browser.post(f"/inbox/tasks/{task_id}/claim",
                                          {"next": "/inbox?view=group"}))
    assert "You have claimed the task. It is now under “My tasks”." in claimed
    assert "My tasks (1)" in claimed

    back = switch_language(browser, claimed, "nb")
    assert lang(back) == "nb" and back.selected("locale") == "nb"
    assert back.one("h1").text == "Oppgaver"
    assert "Mine oppgaver (1)" in back and "Gruppens oppgaver (0)" in back
    assert "My tasks" not in back and "Group tasks" not in back


def test_the_task_page_in_english(web: Web, report_task: tuple[int, int]) -> None:
    case_id, task_id = report_task
    browser = web("systemkoordinator")
    english = switch_language(browser, browser.get(f"/tasks/{task_id}"), "en")
    assert english.response.request.path == f"/tasks/{task_id}"
    assert lang(english) == "en"
    assert [a.text for a in english.all("a", href="/inbox")] == ["Tasks", "Back to the tasks"]
    assert "Step: Assess and decide" in english  # the diagram's name, through the catalogue
    context = english.one("aside").text
    for text in ("About the case", "Citizen", "National identity number", "Age", "78 years",
                 "Service area", "Not decided yet", "Coordinator", "Not appointed yet",
                 "Need reported for", "Individual plan, Coordinator", "Reported by",
                 "Municipal service provider"):
        assert text in context, text
    assert english.one("a", href=f"/cases/{case_id}").text.startswith("Open the case")
    # nobody has claimed the task yet: claim it, or claim and complete it in one go
    assert [b.text for b in english.all("button", **{"class": "primary"})] == [
        "Claim", "Claim and complete the task"]
    assert english.one("label", **{"for": "f-approved-true"}).text == "Yes"
    assert english.options("service_area")[0] == ("", "Choose")
    assert "(required)" in english and "(må fylles ut)" not in english

    invalid = browser.post_page(f"/tasks/{task_id}", english.form_data(), expect=422)
    assert invalid.by_id("error-summary-title").text == "The form has errors"
    assert lang(invalid) == "en"

    norwegian = switch_language(browser, invalid, "nb")
    assert lang(norwegian) == "nb"
    assert [a.text for a in norwegian.all("a", href="/inbox")] == [
        "Oppgaver", "Tilbake til oppgavene"]
    assert "Om saken" in norwegian and "About the case" not in norwegian


def test_the_case_page_and_error_pages_in_english(
        web: Web, report_task: tuple[int, int]) -> None:
    case_id, _task_id = report_task
    browser = web("systemkoordinator")
    english = switch_language(browser, browser.get(f"/cases/{case_id}"), "en")
    assert lang(english) == "en"
    for text in ("Overview", "Process", "Care team", "Meetings and action items", "Consents",
                 "What the case is waiting for now", "Events in the case", "Events, newest first",
                 "Report of need registered, the case was created", "Send message"):
        assert text in english, text
    missing = browser.get("/no-such-page", expect=404)
    assert lang(missing) == "en" and "The page does not exist." in missing


def test_the_choice_survives_logging_out(web: Web, anonymous: Browser) -> None:
    login = switch_language(anonymous, anonymous.get("/login"), "en")
    assert lang(login) == "en" and login.one("h1").text == "Log in"
    assert "Username" in login and "Password" in login
    wrong = anonymous.client.post("/login", data={"username": "koordinator", "password": "x",
                                                  "csrf_token": login.csrf_token()})
    assert "Wrong username or password." in wrong.get_data(as_text=True)

    browser = web("koordinator")
    english = switch_language(browser, browser.get("/inbox"), "en")
    assert "My tasks" in english
    logged_out = browser.follow(browser.post("/logout"))
    assert lang(logged_out) == "en" and logged_out.one("h1").text == "Log in"


def test_an_unknown_language_is_ignored(web: Web) -> None:
    browser = web("koordinator")
    page = browser.get("/inbox")
    response = browser.post("/language", {"locale": "de", "next": "/inbox"})
    assert lang(browser.follow(response)) == "nb"
    assert lang(switch_language(browser, page, "en")) == "en"
    browser.post("/language", {"locale": "xx", "next": "/inbox"})
    assert lang(browser.get("/inbox")) == "en"


def test_a_language_switch_needs_a_csrf_token(web: Web) -> None:
    browser = web("koordinator")
    browser.post("/language", {"locale": "en", "next": "/inbox"}, csrf=False, expect=400)
    assert lang(browser.get("/inbox")) == "nb"


@pytest.mark.parametrize("web_app", ["no catalogs"], indirect=True)
def test_without_a_compiled_catalogue_the_pages_stay_norwegian(web: Web) -> None:
    """``make install`` was not run: English falls back to the msgids, nothing breaks."""
    browser = web("koordinator")
    page = switch_language(browser, browser.get("/inbox"), "en")
    assert page.status == 200 and page.selected("locale") == "en"
    assert page.one("h1").text == "Oppgaver" and "Mine oppgaver" in page


def test_the_app_reads_the_translations_next_to_the_webapp(db: Database) -> None:
    app = create_app(db.url, {"TESTING": True, "SECRET_KEY": "web-tests"})
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == TRANSLATIONS
    assert EN_PO.is_file()


# ---------------------------------------------------------------- the catalogue


def test_every_msgid_in_the_template_has_an_english_translation() -> None:
    english = read_catalog(EN_PO)
    untranslated = []
    for message in read_catalog(POT):
        if not message.id:
            continue
        translated = english.get(message.id)
        strings = () if translated is None else (
            translated.string if isinstance(translated.string, tuple | list)
            else (translated.string,))
        if (translated is None or translated.fuzzy or not strings
                or not all(s and s.strip() for s in strings)):
            untranslated.append(msgid_key(message.id))
    assert not untranslated, (
        f"{len(untranslated)} text(s) without an English translation (or marked fuzzy) in "
        f"{EN_PO.relative_to(ROOT)}: {untranslated}")


def test_the_template_has_every_text_of_the_pages() -> None:
    """Texts added to webapp/*.py or the templates reach messages.pot via `make translations`."""
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}

    def wanted(path: str) -> bool:
        name = os.path.basename(path)
        return not name.startswith((".", "_")) and name != "node_modules"

    found = {msgid_key(msgid): f"{filename}:{lineno}" for filename, lineno, msgid, *_rest
             in extract_from_dir(ROOT, method_map, options_map, keywords=keywords,
                                 directory_filter=wanted) if msgid_key(msgid)}
    assert len(found) > 250  # the extraction itself worked
    template = {msgid_key(m.id) for m in read_catalog(POT) if m.id}
    missing = {msgid: where for msgid, where in found.items() if msgid not in template}
    assert not missing, (
        f"run `make translations` and translate: {len(missing)} text(s) are not in "
        f"{POT.relative_to(ROOT)}: {missing}")


def test_the_english_catalogue_compiles_without_errors(tmp_path: Path) -> None:
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent)) or shutil.which(
        "pybabel")
    assert pybabel, "pybabel (Babel) is not installed"
    target = tmp_path / "messages.mo"
    result = subprocess.run([pybabel, "compile", "--statistics", "-l", "en", "-i", str(EN_PO),
                             "-o", str(target)], capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "error" not in output.lower(), output
    assert target.stat().st_size > 0

    english = read_catalog(EN_PO)
    assert english.locale_identifier == "en" and english.num_plurals == 2
    problems: dict[str, Any] = {}
    for message in english:
        if not message.id:
            continue
        errors = [str(e) for e in message.check(english)]
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = ((message.string,) if isinstance(message.string, str)
                   else tuple(message.string))
        wanted = {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                errors.append(f"placeholders {sorted(wanted)} expected in {string!r}")
            try:  # Jinja's gettext formats every string, even without variables
                string % {name: "x" for name in wanted}
            except (KeyError, ValueError, TypeError) as error:
                errors.append(f"{string!r} cannot be formatted: {error}")
        if errors:
            problems[msgid_key(message.id)] = errors
    assert not problems, problems


def test_every_name_in_the_shipped_diagram_is_in_the_english_catalogue() -> None:
    """``make translations`` collects the diagram's names (webapp/procedure_texts.py); a name
    added to the diagram without English fails here, as page texts do."""
    from babel.messages.pofile import read_po

    from processes import PROCESSES_DIR
    from webapp.procedure_texts import extract_bpmn

    with (PROCESSES_DIR / "ip_koordinator.bpmn").open("rb") as diagram:
        names = {name for _, _, name, _ in extract_bpmn(diagram, (), (), {})}
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po, locale="en") if m.id}
    assert names and not [name for name in sorted(names) if not english.get(name)]
