"""The IP procedure as data: BPMN diagrams and the forms their user tasks use.

This package holds no logic of its own beyond finding its files, so a designer can change the
procedure by changing files here (or in the designer page) without touching Python.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROCESSES_DIR = Path(__file__).parent
FORMS_DIR = PROCESSES_DIR / "forms"
READS_PATH = PROCESSES_DIR / "reads.json"


def diagram_paths() -> list[Path]:
    """Every diagram shipped with ipflow, deployed by ``ipflow init``."""
    return sorted(PROCESSES_DIR.glob("*.bpmn"))


def form_names() -> set[str]:
    return {path.stem for path in FORMS_DIR.glob("*.json")}


def load_form(name: str) -> dict[str, Any]:
    """The form definition ``{title, schema, ui}``; KeyError when there is no such form."""
    path = FORMS_DIR / f"{name}.json"
    if not path.is_file():
        raise KeyError(name)
    form: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return form


def load_reads() -> dict[str, Any]:
    """What ipflow's own code reads from a process's case data, per process key: the form
    fields it shows (``fields``: name → the form that provides it and who reads it) and the
    milestones of the monitor's lead times (``milestones``). A diagram or form change that
    drops one of them is refused at deploy, so a page never silently loses what it shows."""
    reads: dict[str, Any] = json.loads(READS_PATH.read_text(encoding="utf-8"))
    return reads
