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
import time
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


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def production() -> None:
    """Gunicorn plus the task workers: the embedded worker, or Celery workers and beat (CUSTOS_TASK_BACKEND)."""
    install("base.txt")
    env = dict(os.environ)
    manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    manage("migrate", "--no-input", env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    manage("import_policy", env=env)
    bind = env.get("CUSTOS_BIND", "127.0.0.1:8000")
    web_workers = env.get("CUSTOS_WEB_WORKERS", "4")
    task_workers = int(env.get("CUSTOS_TASK_WORKERS", "2"))
    processes = [
        [
            str(PYTHON),
            "-m",
            "gunicorn",
            "custos.wsgi",
            "--workers",
            web_workers,
            "--bind",
            bind,
            "--access-logfile",
            "-",
        ]
    ]
    if env.get("CUSTOS_TASK_BACKEND") == "celery":
        processes.append([str(PYTHON), "-m", "celery", "-A", "custos", "worker", "--concurrency", str(task_workers)])
        processes.append([str(PYTHON), "-m", "celery", "-A", "custos", "beat"])
    else:
        processes += [[str(PYTHON), "manage.py", "run_worker"] for _ in range(task_workers)]
    say(f"Starting gunicorn on {bind} and {task_workers} task worker(s) (Ctrl-C or SIGTERM stops them all)")
    running = [subprocess.Popen(command, cwd=ROOT, env=env) for command in processes]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(process.poll() is None for process in running):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping already: a second signal must not cut it short
        for process in running:
            if process.poll() is None:
                process.terminate()
        for process in running:
            try:
                process.wait(timeout=30)
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
    if command == "production":
        production()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
