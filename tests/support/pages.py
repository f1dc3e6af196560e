"""Reading HTML pages as a person sees them, and a browser that posts forms with their CSRF token.

CSRF protection stays on in the web tests: every POST carries the token read from the HTML of
the page the form is on, as a browser would send it.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.demo import PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page: str) -> str:
    """The CSRF token a page's form carries (fails when it has none)."""
    match = CSRF_INPUT.search(page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def text_of(page: str) -> str:
    """The page's visible text, tags dropped and whitespace squeezed (for phrase checks)."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


class Element:
    """A start tag with its attributes and the text inside it (for elements that hold text)."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs} {self.text!r}>"


class _Collector(HTMLParser):
    TEXT_TAGS = {"textarea", "option", "label", "legend", "a", "button", "p", "li", "td", "th",
                 "h1", "h2", "dd", "dt", "span", "title", "caption", "strong", "aside", "div",
                 "fieldset", "tr", "section", "dl", "form", "nav", "ul"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.elements.append(element)
        if tag in self.TEXT_TAGS:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        for element in self.open:
            element.text += data


class Page:
    """A fetched HTML page with small helpers to read what a person sees and what a form holds."""

    def __init__(self, response: TestResponse) -> None:
        self.response = response
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        collector = _Collector()
        collector.feed(self.html)
        self.elements = collector.elements
        self.text = " ".join(" ".join(collector.texts).split())

    def __contains__(self, text: str) -> bool:
        return text in self.text

    def all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [e for e in self.elements if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def one(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one {tag} {attrs}, found {found}"
        return found[0]

    def by_id(self, element_id: str) -> Element:
        return self.one(None, id=element_id)

    def value(self, name: str) -> str:
        """What the named input, textarea or select currently holds."""
        for element in self.elements:
            if element.get("name") != name:
                continue
            if element.tag == "textarea":
                return element.text.strip("\n")
            if element.tag == "select":
                return self.selected(name)
            if element.get("type") in ("radio", "checkbox"):
                continue
            return element.get("value")
        checked = self.checked(name)
        return checked[0] if checked else ""

    def checked(self, name: str) -> list[str]:
        return [e.get("value") for e in self.all("input", name=name) if e.has("checked")]

    def selected(self, name: str) -> str:
        inside = False
        for element in self.elements:
            if element.tag == "select":
                inside = element.get("name") == name
            elif element.tag == "option" and inside and element.has("selected"):
                return element.get("value")
        return ""

    def options(self, name: str) -> list[tuple[str, str]]:
        result, inside = [], False
        for element in self.elements:
            if element.tag == "select":
                inside = element.get("name") == name
            elif element.tag in ("input", "textarea", "button"):
                inside = False
            elif element.tag == "option" and inside:
                result.append((element.get("value"), element.text.strip()))
        return result

    def csrf_token(self) -> str:
        return csrf_token(self.html)

    def form_data(self, form_id: str = "form-top") -> dict[str, Any]:
        """The fields of a form as the browser would post them (no button pressed)."""
        data: dict[str, Any] = {}
        inside = False
        for element in self.elements:
            if element.tag == "form":
                inside = element.get("id") == form_id
                continue
            if not inside:
                continue
            name = element.get("name")
            if element.tag == "select":
                data.setdefault(name, self.selected(name))
            elif element.tag == "option":
                continue
            elif element.tag == "textarea":
                data[name] = element.text.strip("\n")
            elif element.tag == "input" and name:
                if element.get("type") in ("radio", "checkbox"):
                    if element.has("checked"):
                        data.setdefault(name, [])
                        data[name].append(element.get("value"))
                else:
                    data[name] = element.get("value")
        return data


class Browser:
    """One person's browser: its own cookies, pages fetched and forms posted with CSRF."""

    def __init__(self, client: FlaskClient, username: str = "") -> None:
        self.client = client
        self.username = username
        self.page: Page | None = None

    def get(self, path: str, expect: int | None = 200) -> Page:
        page = Page(self.client.get(path))
        if expect is not None:
            assert page.status == expect, (page.status, page.text[:500])
        if "csrf_token" in page.html:
            self.page = page
        return page

    def token(self) -> str:
        if self.page is None:
            self.get("/inbox")
        assert self.page is not None
        return self.page.csrf_token()

    def post(self, path: str, data: dict[str, Any] | None = None, expect: int | None = 302,
             csrf: bool = True) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.token())
        response = self.client.post(path, data=form)
        if expect is not None:
            assert response.status_code == expect, (response.status_code,
                                                     response.get_data(as_text=True)[:800])
        return response

    def post_page(self, path: str, data: dict[str, Any] | None = None,
                  expect: int | None = 200) -> Page:
        """POST and read the answer as a page (a form shown again, or an error page)."""
        page = Page(self.post(path, data, expect=expect))
        if "csrf_token" in page.html:
            self.page = page
        return page

    def follow(self, response: TestResponse, expect: int = 200) -> Page:
        """Follow a redirect as the browser does."""
        assert response.status_code in (301, 302, 303), response.status_code
        return self.get(response.headers["Location"], expect=expect)

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        login_page = self.get("/login")
        response = self.client.post("/login", data={
            "username": username, "password": password, "csrf_token": login_page.csrf_token()})
        if response.status_code == 302:
            self.username = username
            self.page = None  # the session was renewed at login: old tokens are void
        return response


def inside(page: Page, element_id: str) -> str:
    """The text of the element with ``element_id`` (a table, list or section), as read."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"', page.html)
    assert match, element_id
    end = page.html.index(f"</{match.group(1)}>", match.end())
    text = re.sub(r"<[^>]+>", " ", page.html[match.start():end])
    return " ".join(html.unescape(text).split())


def assert_labelled(page: Page) -> None:
    """Every visible control has a label; every error is linked to its control."""
    labels = {e.get("for") for e in page.all("label")}
    for element in page.elements:
        if element.tag in ("input", "select", "textarea") and element.get("type") not in (
                "hidden", "submit"):
            assert element.get("id") in labels, f"no label for {element}"
            if element.get("aria-invalid") == "true":
                described = element.get("aria-describedby").split()
                assert any(d.endswith("-error") for d in described), element
