"""``ipflow serve``: gunicorn answers on the port, stops on SIGTERM and takes the worker it
started with it; ``--dev`` is Flask's reloading server instead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from cli.main import cli
from cli.serve import free_port
from engine.kernel.db import Database


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return int(response.status)
    except (urllib.error.URLError, ConnectionError):
        return None


def test_serve_runs_gunicorn_and_the_worker_until_stopped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    Database(url).migrate()  # the worker's first round reads the timer table
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "IPFLOW_SECRET_KEY": "serve-test",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "1",
         "--with-worker", "--outbox-dir", str(tmp_path / "outbox")],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    # the output ends only when every process holding it has exited: the worker too
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()))
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not (_status(f"http://127.0.0.1:{port}/login") == 200
                   and any("saker med tidsfrister kjørt" in line for line in lines)):
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
        reader.join(timeout=40)
    output = "".join(lines)
    assert server.returncode == 0 and not reader.is_alive(), output
    assert "Using worker: sync" in output and '"GET /login HTTP/1.1" 200' in output


def test_dev_runs_flasks_reloading_server_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(Flask, "run", lambda _app, **options: started.append(options))
    result = CliRunner().invoke(cli, ["serve", "--dev", "--port", "5999"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert started == [{"host": "127.0.0.1", "port": 5999, "threaded": True,
                        "use_reloader": True}]
