"""Checking pages with axe-core, and finding the pages to check by following links.

axe-core comes from the npm registry (pinned in package-lock.json, installed by ``make
install`` into node_modules/) and is injected into each page through Playwright; it is a test
tool and is never served by the app. The rules run are WCAG 2.0 and 2.1 at levels A and AA,
which Norway's universal design regulation requires.

The crawl starts at a person's landing page and follows the same-origin GET links it finds, so
a page someone adds tomorrow is checked as soon as a link leads to it. Links that differ only in
their ids or query (``/cases/3`` and ``/cases/7``, ``?page=2``) are one kind of page and
are checked once, and at most a few of them are opened for their links, which keeps the crawl
bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# Not pages: files to download (attachments too), and the app's own static files.
NOT_A_PAGE = re.compile(
    r"/download\b|/attachments/\d+$|\.(csv|pdf|bpmn|json|xml)$|^/static/|/logout$", re.I)
MAX_PAGES = 30  # kinds of page per person; the demo has about half as many
EXPLORE = 3  # pages of one kind opened for their links

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one kind of page, with a few of the elements that break it."""

    page: str
    rule: str
    impact: str
    help: str
    nodes: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} ({self.impact}) {self.help} at {list(self.nodes)}"


def axe_source() -> str:
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make install` (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def check(page: Page, name: str, source: str) -> list[Violation]:
    """axe-core's WCAG A and AA violations on the page as it is now (the page's context must
    bypass its Content-Security-Policy, which rightly refuses axe's injected script)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    found = page.evaluate(_RUN, list(WCAG_A_AA))
    return [Violation(page=name, rule=v["rule"], impact=v["impact"] or "", help=v["help"],
                      nodes=tuple(v["nodes"])) for v in found]


# Path parts that name one of many things of the same kind (a draft's forms), like ids do.
_NAMES = re.compile(r"(?<=/forms/)[^/]+$")


def kind_of(url: str) -> str:
    """The kind of page a URL shows: its path, with ids as ``<id>`` (and a draft's form names
    as ``<name>``); the query only filters, sorts or pages what the same page shows."""
    path = urlsplit(url).path
    return _NAMES.sub("<name>", re.sub(r"/\d+(?=/|$)", "/<id>", path))


def _family(url: str) -> str:
    """The kind with the names in the query: ``/inbox?view`` leads elsewhere than ``/inbox``."""
    names = sorted({name for name, _value in parse_qsl(urlsplit(url).query,
                                                       keep_blank_values=True)})
    return kind_of(url) + (f"?{'&'.join(names)}" if names else "")


def slug(kind: str) -> str:
    """A file-name form of a page kind: ``/cases/<id>/plan`` → ``cases-id-plan``."""
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "home"


def links(page: Page, origin: str) -> list[str]:
    """The same-origin GET links of the page that lead to pages, without their fragments."""
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]:not([download])", "elements => elements.map(a => a.href)")
    found = []
    for href in hrefs:
        url = href.split("#", 1)[0]
        if url.startswith(origin + "/") and not NOT_A_PAGE.search(urlsplit(url).path):
            found.append(url)
    return found


@dataclass
class Frontier:
    """The links still to follow. A kind of page is checked once, but up to ``EXPLORE`` pages
    of each kind and query (see ``_family``) are opened for their links: the group's inbox
    leads to other tasks than one's own, a case in follow-up to other pages than a new one."""

    queue: list[str]
    opened: dict[str, int]
    known: set[str]

    @classmethod
    def start(cls, urls: Iterable[str]) -> Frontier:
        frontier = cls(queue=[], opened={}, known=set())
        frontier.add(urls)
        return frontier

    def add(self, urls: Iterable[str]) -> None:
        for url in urls:
            if url not in self.known and self.opened.get(_family(url), 0) < EXPLORE:
                self.known.add(url)
                self.queue.append(url)

    def next(self) -> str | None:
        """The next URL to open, counted against its kind; None when none is left."""
        while self.queue:
            url = self.queue.pop(0)
            if self.opened.get(_family(url), 0) < EXPLORE:
                self.opened[_family(url)] = self.opened.get(_family(url), 0) + 1
                return url
        return None
