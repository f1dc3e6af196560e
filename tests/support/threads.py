"""Calls run at the same moment, each in its own thread (for lost races)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread; returns what each returned or raised."""
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            outcomes[index] = calls[index]()
        except Exception as exc:  # noqa: BLE001  (the outcome is what the test looks at)
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a request hung"
    return outcomes
