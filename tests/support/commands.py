"""The ``ipflow`` command as the tests start it in a process of its own."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ipflow_command() -> list[str]:
    """The installed console script, or the CLI through this interpreter where it is missing."""
    script = shutil.which("ipflow", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-c", "from cli.main import cli; cli()"]
