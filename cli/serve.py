"""``ipflow serve``: the application behind gunicorn, or Werkzeug's reloader with ``--dev``.

gunicorn runs pre-forked worker processes: the engine's work (SpiffWorkflow, JSON Schema,
letters) is Python that holds the GIL, so only processes use more than one core, and a request
that hangs is killed after ``--timeout`` instead of holding a thread forever. The app is
loaded once in the master (``preload_app``): a broken configuration fails at start with one
message instead of once per worker, and the workers share its memory. A SQLAlchemy pool must
not cross a fork (two processes would talk over one socket), so each worker drops the
connections it inherited before its first request.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


def free_port() -> int:
    """A loopback port nobody listens on now, for a server a program starts (the benchmark,
    the tests)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 × cores + 1: a request spends part of its time waiting for
    the database, and while one worker waits another can use the core."""
    return 2 * multiprocessing.cpu_count() + 1


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    workers: int
    threads: int
    timeout: int
    access_log: bool = True


def _after_fork(_server: Any, worker: Any) -> None:
    """Forget the connections the master may have opened (gunicorn's post_fork hook)."""
    worker.app.wsgi().extensions["ipflow_db"].engine.dispose(close=False)


class _Gunicorn(BaseApplication):
    """gunicorn configured from :class:`ServerSettings`, serving an app made beforehand."""

    def __init__(self, app: Flask, settings: ServerSettings) -> None:
        self._app, self._settings = app, settings
        super().__init__()

    def load_config(self) -> None:
        s = self._settings
        options: dict[str, Any] = {
            "bind": f"{s.host}:{s.port}", "workers": s.workers, "threads": s.threads,
            # gthread only when asked for threads: the sync worker is simplest and cheapest
            "worker_class": "gthread" if s.threads > 1 else "sync",
            "timeout": s.timeout, "graceful_timeout": s.timeout, "preload_app": True,
            "accesslog": "-" if s.access_log else None, "errorlog": "-",
            "post_fork": _after_fork, "proc_name": "ipflow",
            # one control socket per user by default: a second server (a benchmark, tests)
            # would take the first one's
            "control_socket_disable": True,
        }
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self._app


def run(settings: ServerSettings) -> None:
    """Serve until stopped: SIGTERM finishes the requests under way (up to ``timeout``),
    Ctrl-C stops at once."""
    from webapp import create_app

    app = create_app()
    # Everything loaded so far lives as long as the server: kept out of the collector, the
    # workers neither copy its pages when a collection visits them nor walk it when they exit
    gc.freeze()
    _Gunicorn(app, settings).run()


def run_dev(host: str, port: int) -> None:
    """Werkzeug's server with the reloader: code changes restart it; never in production."""
    from webapp import create_app

    create_app().run(host=host, port=port, threaded=True, use_reloader=True)


@contextmanager
def worker_beside(outbox_dir: str) -> Iterator[None]:
    """``ipflow worker`` in a process of its own while the server runs, stopped with it.

    It gets a session of its own so Ctrl-C in the terminal reaches the server only, which
    then ends the worker here (SIGTERM) instead of both printing a traceback. Under the
    reloader (``--dev``) the command runs twice, and only the outer run starts a worker.
    """
    if os.environ.get("WERKZEUG_RUN_MAIN"):
        yield
        return
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "worker",
                                "--outbox-dir", outbox_dir], start_new_session=True)
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
