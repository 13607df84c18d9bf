#!/usr/bin/env python3
"""Custos in two commands, on a machine with nothing but Python 3.11+:

python3 bootstrap.py demo    install everything, migrate, seed the demo trust, start app + worker on :8000
python3 bootstrap.py test    install what the tests need and run the whole suite (extra args go to pytest)
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CUSTOS_VENV", ROOT / ".venv"))
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def install(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is what runs on an older Python first
        sys.exit("Custos needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say(f"Creating a virtual environment in {VENV}")
        venv.create(VENV, with_pip=True)
    lock = ROOT / "requirements" / requirements
    stamp = VENV / f".installed-{requirements}-{hashlib.sha256(lock.read_bytes()).hexdigest()[:16]}"
    if stamp.exists():
        return
    say(f"Installing pinned dependencies from requirements/{requirements}")
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "--require-hashes",
            "-r",
            str(lock),
        ],
        check=True,
    )
    stamp.touch()


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], check=True, cwd=ROOT, env=env)


def demo() -> None:
    install("base.txt")
    env = {**os.environ, "CUSTOS_DEBUG": os.environ.get("CUSTOS_DEBUG", "true")}
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("import_policy", env=env)
    manage("seed_demo", env=env)
    say("Starting the background worker and the app at http://127.0.0.1:8000 (Ctrl-C stops both)")
    worker = subprocess.Popen([str(PYTHON), "manage.py", "run_worker"], cwd=ROOT, env=env)
    server = subprocess.Popen(
        [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8000", "--noreload"], cwd=ROOT, env=env
    )
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in (server, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (server, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test(pytest_args: list[str]) -> int:
    install("test.txt")
    return subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "demo":
        demo()
        return 0
    if command == "test":
        return test(sys.argv[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
