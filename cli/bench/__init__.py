"""``ipflow bench``: the speed targets as commands, not as timed tests (docs/benchmarks.md).

Each command prints a readable table and, with ``--json``, a last line of JSON whose keys the
benchmarks page names; the test suite runs each once with tiny sizes so it keeps working. The
commands register themselves on :data:`cli.bench.group.bench` when imported here.
"""

from cli.bench import (
    engine,  # noqa: F401  (registers ``ipflow bench engine``)
    http,  # noqa: F401  (registers ``ipflow bench http``)
    reads,  # noqa: F401  (registers ``ipflow bench reads``)
    storage,  # noqa: F401  (registers ``ipflow bench storage``)
)
from cli.bench.group import bench

__all__ = ["bench"]
