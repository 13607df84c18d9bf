"""The terminal a newcomer watches (issue 18 item 7): `bootstrap.py demo` prints the address last and clearly, not
the seeded history's mail; Ctrl-C and SIGTERM both stop the app and its worker, with no traceback, freeing the
port."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BANNER = "Custos is running at"

pytestmark = [pytest.mark.once]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _venv_of_this_python(folder: Path) -> Path:
    """A stand-in for the .venv bootstrap would make: this interpreter, its pinned packages already installed."""
    (folder / "bin").mkdir(parents=True)
    python = folder / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    lock = (ROOT / "requirements" / "base.txt").read_bytes()
    (folder / f".installed-base.txt-{hashlib.sha256(lock).hexdigest()[:16]}").touch()
    return folder


def _ours(marker: str) -> list[int]:
    """The processes started with our marker in their environment (the demo's children, if any are left)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _start(tmp_path: Path, port: int, marker: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "DJANGO_", "CUSTOS_"))
    }
    env.update(
        CUSTOS_VENV=str(tmp_path / "venv"),
        CUSTOS_VAR_DIR=str(tmp_path / "var"),
        CUSTOS_DEMO_PORT=str(port),
        CUSTOS_TEST_MARKER=marker,
        PYTHONUNBUFFERED="1",
    )
    # Its own process group, as a terminal gives it: Ctrl-C there signals the whole group.
    return subprocess.Popen(
        [sys.executable, "bootstrap.py", "demo"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _wait_for_banner(process: subprocess.Popen[bytes], log: Path, seconds: float = 600) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if BANNER in text:
            time.sleep(3)  # let the worker warm up and say whatever it would say
            return log.read_text(errors="replace")
        assert process.poll() is None, text[-3000:]
        time.sleep(1)
    raise AssertionError("the demo did not start: " + log.read_text(errors="replace")[-3000:])


def _stops(process: subprocess.Popen[bytes], marker: str, port: int) -> None:
    process.wait(timeout=60)
    deadline = time.monotonic() + 15
    while _ours(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _ours(marker) == [], "children still running after bootstrap.py stopped"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_the_demo_prints_its_address_last_and_stops_children_on_ctrl_c_and_sigterm(tmp_path: Path) -> None:
    _venv_of_this_python(tmp_path / "venv")
    marker = uuid.uuid4().hex
    port = _free_port()

    first_log = tmp_path / "first.log"
    first = _start(tmp_path, port, marker, first_log)
    shown = _wait_for_banner(first, first_log)
    after_banner = shown[shown.index(BANNER) :]
    assert f"http://127.0.0.1:{port}/" in after_banner.splitlines()[0]
    assert "Custos-demo-2026" in after_banner
    assert "Subject:" not in shown, "the seeded history's mail was printed"
    assert "started" not in after_banner and "warmed" not in after_banner, after_banner
    os.killpg(first.pid, signal.SIGINT)  # Ctrl-C
    _stops(first, marker, port)
    output = first_log.read_text(errors="replace")
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output[-3000:]

    second_log = tmp_path / "second.log"
    second = _start(tmp_path, port, marker, second_log)
    _wait_for_banner(second, second_log)
    second.send_signal(signal.SIGTERM)  # to bootstrap.py alone, as `kill -TERM <pid>` does
    _stops(second, marker, port)
    assert "Traceback" not in second_log.read_text(errors="replace")
