"""The layers import only downward (README, "Architecture"), and the tests keep their habits.

    webapp, cli  →  engine.features  →  engine.runtime  →  engine.kernel  →  handlers, processes

``engine.demo`` sits apart: only the CLI and the tests import it. Pages talk to the engine only
(never to ``handlers``), and not to its kernel's ORM rows or SpiffWorkflow adapter. Every
``.py`` file is read with :mod:`ast`, so an import inside a function counts too; each violation
names the file and the line.

In ``tests/``, no module imports a conftest or a ``test_*`` module: fixtures reach tests through
pytest, and helpers shared by several test modules live in ``tests/support``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("handlers", "processes", "engine", "webapp", "cli")

# (importer, modules it must not import). A module is within a name when it is that name or
# one of its submodules.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("handlers", ("engine", "webapp", "cli")),
    ("processes", ("engine", "webapp", "cli")),
    ("engine", ("webapp", "cli", "engine.demo")),
    ("engine.kernel", ("engine.runtime", "engine.features")),
    ("engine.runtime", ("engine.features",)),
    ("webapp", ("handlers", "engine.demo")),
)

# The kernel modules a page must not reach past the engine's functions for.
PAGE_FORBIDDEN_KERNEL = ("engine.kernel.models", "engine.kernel.spiff",
                         "engine.kernel.spiff_scripts", "engine.kernel.spiff_timers",
                         "engine.kernel.settings", "engine.kernel.migrations")


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> Iterator[tuple[str, int]]:
    """Every module the file imports, with its line. ``from a import b`` gives ``a.b``, so
    importing a module by its package (``from engine import demo``) is seen as that module."""
    package = _module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _python_files(root: Path) -> Iterator[Path]:
    for top in SCANNED:
        yield from sorted((root / top).rglob("*.py"))


def page_kernel_imports(root: Path) -> set[tuple[str, str, int]]:
    """(file, forbidden kernel module, line) for every page import of the kernel's insides."""
    found = set()
    for path in _python_files(root):
        if not _within(_module_name(path, root), "webapp"):
            continue
        for imported, line in _imports(path, root):
            for module in PAGE_FORBIDDEN_KERNEL:
                if _within(imported, module):
                    found.add((path.relative_to(root).as_posix(), module, line))
    return found


def violations(root: Path) -> list[str]:
    """Every import that breaks a rule, as ``file:line: importer imports module``."""
    found = []
    for path in _python_files(root):
        importer = _module_name(path, root)
        where = path.relative_to(root).as_posix()
        for imported, line in _imports(path, root):
            for source, forbidden in RULES:
                if not _within(importer, source):
                    continue
                for module in forbidden:
                    if _within(imported, module) and not _within(importer, module):
                        found.append(f"{where}:{line}: {importer} imports {imported}")
    for where, module, line in sorted(page_kernel_imports(root)):
        found.append(f"{where}:{line}: a page imports {module} (ask the engine instead)")
    return found


def test_imports_go_only_downward() -> None:
    assert violations(ROOT) == []


def test_a_violation_is_reported_with_file_and_line(tmp_path: Path) -> None:
    for top in SCANNED:
        (tmp_path / top).mkdir()
    (tmp_path / "handlers" / "letters.py").write_text("import json\nfrom engine.kernel import db\n")
    (tmp_path / "engine" / "kernel").mkdir()
    (tmp_path / "engine" / "kernel" / "clock.py").write_text(
        "def now():\n    from ..features import cases\n    return cases\n")
    (tmp_path / "engine" / "features").mkdir()
    (tmp_path / "engine" / "features" / "inbox.py").write_text("from engine import demo\n")
    (tmp_path / "webapp" / "pages.py").write_text(
        "from engine.features import cases\nfrom engine.kernel.models import Case\n"
        "from handlers.registry import handler_names\n")
    assert violations(tmp_path) == [
        "handlers/letters.py:2: handlers.letters imports engine.kernel.db",
        "engine/features/inbox.py:1: engine.features.inbox imports engine.demo",
        "engine/kernel/clock.py:2: engine.kernel.clock imports engine.features.cases",
        "webapp/pages.py:3: webapp.pages imports handlers.registry.handler_names",
        "webapp/pages.py:2: a page imports engine.kernel.models (ask the engine instead)",
    ]


# ---------------------------------------------------------------- the tests' own habits


def _is_test_module(name: str) -> bool:
    """A conftest, or a ``test_*`` module of the suite (not a helper in tests/support)."""
    parts = name.split(".")
    return "conftest" in parts or (parts[0] == "tests" and any(
        part.startswith("test_") for part in parts[1:]))


def habit_violations(root: Path) -> list[str]:
    """Every import, in the test suite, of a conftest or of another test module: fixtures
    reach tests through pytest, shared helpers come from ``tests/support``."""
    found = []
    for path in sorted((root / "tests").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        for imported, line in _imports(path, root):
            if _is_test_module(imported):
                found.append(f"{where}:{line}: imports {imported}")
    return found


def test_no_test_imports_a_conftest_or_another_test_module() -> None:
    assert habit_violations(ROOT) == []


def test_a_test_importing_a_conftest_or_a_test_module_is_reported(tmp_path: Path) -> None:
    (tmp_path / "tests" / "web").mkdir(parents=True)
    (tmp_path / "tests" / "support").mkdir()
    (tmp_path / "tests" / "support" / "pages.py").write_text("import re\n")
    (tmp_path / "tests" / "web" / "test_plan.py").write_text(
        "from tests.support.pages import Page\n"
        "from tests.web.conftest import Browser\n"
        "from .test_case import cast\n"
        "def test_x():\n    from tests.web import conftest\n")
    assert habit_violations(tmp_path) == [
        "tests/web/test_plan.py:2: imports tests.web.conftest.Browser",
        "tests/web/test_plan.py:3: imports tests.web.test_case.cast",
        "tests/web/test_plan.py:5: imports tests.web.conftest",
    ]
