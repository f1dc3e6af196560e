"""The heat map drawn for real: Debian's Chromium runs the monitor page's JavaScript.

The page is fetched as the leder (through the test client), saved with its ``/static/`` links
pointing at the files of ``webapp/static``, and opened by headless Chromium, which prints the
DOM after the scripts ran (``--dump-dom``). The vendored bpmn-js viewer must have drawn the
diagram, marked each step with its heat level and put the count and median wait under it.
Chromium is required, as for the other browser tests (CI installs it).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.people import KARI, OLA, PER

CHROMIUM = Path("/usr/bin/chromium")
STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"


def rendered(html: str, folder: Path) -> str:
    if not CHROMIUM.exists():
        pytest.fail(f"The heat map test needs Chromium at {CHROMIUM} (apt-get install "
                    "chromium).", pytrace=False)
    if not (STATIC / "vendor" / "bpmn-navigated-viewer.production.min.js").exists():
        pytest.fail("bpmn-js is not vendored: run `npm ci --ignore-scripts && npm run vendor`.",
                    pytrace=False)
    page = folder / "monitor.html"
    page.write_text(html.replace('"/static/', f'"{STATIC.as_uri()}/'), encoding="utf-8")
    result = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--allow-file-access-from-files",
         f"--user-data-dir={folder / 'profile'}", "--window-size=1400,2400",
         "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_steps_are_coloured_and_labelled_in_the_diagram(
        flow: Callable[..., Any], web: Callable[[str], Any], tmp_path: Path) -> None:
    f = flow()
    f.report("koordinator", OLA)
    f.wait(days=1)
    f.report("koordinator", PER)
    f.approve("oppvekst")
    f.wait(days=2)
    f.report("koordinator", KARI)
    f.wait(days=10)
    dom = rendered(web("leder").get("/monitor").html, tmp_path)

    assert 'id="heatmap"' in dom and 'data-ready="true"' in dom, "the viewer did not draw"
    # Each badge is the count alone, in its step's corner (so badges never overlap), with
    # the whole sentence as its title.
    badges = {step: (int(count), title.split(": ", 1)[1]) for step, title, count in re.findall(
        r'class="heat-badge" data-step="([^"]+)" title="([^"]+)">(\d+)<', dom)}
    # The top of the diagram shows the phases; each step's heat is one click down.
    assert badges == {"phase_assessment": (2, "2 saker · median 12 d"),
                      "phase_appointment": (1, "1 sak · median 12 d"),
                      "assess_report": (2, "2 saker · median 12 d"),
                      "appoint_coordinator": (1, "1 sak · median 12 d")}
    marked = {step: int(level) for level, step in re.findall(
        r'<g class="[^"]*\bheat-(\d)\b[^"]*" data-element-id="([^"]+)"', dom)}
    assert marked == {"phase_assessment": 5, "phase_appointment": 3}  # the steps: on drill-down
    assert "data-heat-tools" in dom and not re.search(r"data-heat-tools[^>]*hidden", dom)
