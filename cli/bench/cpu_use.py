"""Where the cores went during a benchmark run: the server's processes, this process (the
clients), and everything else (the database, and whatever else the machine runs).

A scaling figure means little without it: on two shared cores, two workers can only be faster
than one when the cores are not busy elsewhere. Read from Linux's ``/proc``; elsewhere there
is no sample and the report shows none.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Sample:
    at: float
    server: float
    own: float
    machine: float


@dataclass(frozen=True)
class CpuUse:
    """Cores in use on average over the run, by whom."""

    server: float
    clients: float
    rest: float


def sample(server_pid: int) -> Sample | None:
    """CPU seconds so far of the server's process tree, of this process and of every core
    busy (``/proc/stat``), or None without ``/proc``."""
    try:
        fields = (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    busy = sum(int(value) for value in fields) - int(fields[3]) - int(fields[4])
    return Sample(time.monotonic(), _tree(server_pid) / ticks, time.process_time(),
                  busy / ticks)


def between(first: Sample | None, last: Sample | None) -> CpuUse | None:
    if first is None or last is None or last.at <= first.at:
        return None
    seconds = last.at - first.at
    server, own = last.server - first.server, last.own - first.own
    rest = max(last.machine - first.machine - server - own, 0.0)
    return CpuUse(server / seconds, own / seconds, rest / seconds)


def _tree(pid: int) -> int:
    """Clock ticks used by ``pid`` and its live descendants (utime + stime)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        children = (PROC / str(pid) / "task" / str(pid) / "children").read_text().split()
    except OSError:  # gone meanwhile
        return 0
    return int(stat[11]) + int(stat[12]) + sum(_tree(int(child)) for child in children)
